/* /proc agrees with the syscalls: stat/status/statm fields against
 * getppid/getpgrp/getsid/sigprocmask/sigaction and the address space,
 * task/ and thread-self against the threads created, fdinfo against
 * fcntl/fstat (plus eventfd/epoll/signalfd/timerfd/pidfd extras), smaps
 * against maps, and the system files (/proc/stat, cpuinfo, loadavg,
 * uptime, meminfo) against sysconf and sysinfo. Only structural facts are
 * printed: never pids, addresses, times or sizes. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static char buf[1 << 17];
static char buf2[1 << 17];

static ssize_t read_into(const char *path, char *b, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t got = 0;
    ssize_t n;
    while (got < cap - 1 && (n = read(fd, b + got, cap - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    b[got] = 0;
    return (ssize_t)got;
}

/* Fields of a stat line: f[k] is field k (1-based, as in proc(5)); field
 * 2 (comm) is skipped. Returns the state letter. */
static char stat_fields(const char *path, unsigned long long *f, int max)
{
    static char sb[4096];
    if (read_into(path, sb, sizeof sb) <= 0)
        return '?';
    char *p = strrchr(sb, ')');
    if (!p)
        return '?';
    char state = p[2];
    p += 4;
    for (int k = 4; k < max && *p; k++) {
        f[k] = strtoull(p, &p, 10);
        if (*p == ' ')
            p++;
    }
    return state;
}

/* The value after "key" in a "Key:\tvalue" text, or NULL. */
static const char *field(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            l += kl + 1;
            while (*l == ' ' || *l == '\t')
                l++;
            return l;
        }
    }
    return NULL;
}

static long field_long(const char *text, const char *key)
{
    const char *v = field(text, key);
    return v ? strtol(v, NULL, 0) : -1;
}

static unsigned long long field_hex(const char *text, const char *key)
{
    const char *v = field(text, key);
    return v ? strtoull(v, NULL, 16) : ~0ULL;
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started, release_all;
static pid_t tids[3];
static int thread_self_ok[3];

static void *sleeper(void *arg)
{
    int i = (int)(long)arg;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    char want[64], got[64] = {0};
    snprintf(want, sizeof want, "%d/task/%d", getpid(), tid);
    ssize_t n = readlink("/proc/thread-self", got, sizeof got - 1);
    thread_self_ok[i] = n > 0 && strcmp(got, want) == 0;
    pthread_mutex_lock(&mu);
    tids[i] = tid;
    started++;
    pthread_cond_broadcast(&cv);
    while (!release_all)
        pthread_cond_wait(&cv, &mu); /* blocks in futex: state S */
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void proc_threads(void)
{
    pthread_t th[3];
    for (long i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, sleeper, (void *)i);
    pthread_mutex_lock(&mu);
    while (started < 3)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);

    SHOW("task_entries", "%d", count_dir("/proc/self/task"));
    read_into("/proc/self/status", buf, sizeof buf);
    SHOW("status_threads", "%ld", field_long(buf, "Threads"));
    unsigned long long f[53] = {0};
    stat_fields("/proc/self/stat", f, 53);
    SHOW("stat_num_threads", "%llu", f[20]);
    BOOL("thread_self_links", thread_self_ok[0] && thread_self_ok[1] && thread_self_ok[2]);

    int ids_ok = 1, sleeping = 0, by_tid = 1, exit_sig = 1;
    char path[128];
    for (int i = 0; i < 3; i++) {
        char st = '?';
        for (int k = 0; k < 200; k++) {
            snprintf(path, sizeof path, "/proc/self/task/%d/stat", tids[i]);
            st = stat_fields(path, f, 53);
            if (st == 'S')
                break;
            usleep(10000);
        }
        sleeping += st == 'S';
        /* field 1 is the thread's id; process-wide fields are the group's */
        read_into(path, buf2, sizeof buf2);
        if (atol(buf2) != tids[i] || f[4] != (unsigned long long)getppid() || f[20] != 4)
            ids_ok = 0;
        if ((long long)f[38] != -1LL && f[38] != ~0ULL)
            exit_sig = 0;
        snprintf(path, sizeof path, "/proc/%d/status", tids[i]);
        read_into(path, buf2, sizeof buf2);
        if (field_long(buf2, "Pid") != tids[i] || field_long(buf2, "Tgid") != getpid())
            by_tid = 0;
    }
    BOOL("task_stat_ids", ids_ok);
    SHOW("blocked_threads_state_S", "%d", sleeping);
    BOOL("thread_exit_signal_minus_1", exit_sig);
    BOOL("proc_tid_reachable", by_tid);
    /* a thread's tid is not listed in /proc */
    int listed = 0;
    DIR *d = opendir("/proc");
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (atoi(de->d_name) == tids[0])
            listed = 1;
    if (d)
        closedir(d);
    BOOL("thread_not_listed_in_proc", !listed);

    pthread_mutex_lock(&mu);
    release_all = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    for (int k = 0; k < 200 && count_dir("/proc/self/task") != 1; k++)
        usleep(10000);
    SHOW("task_entries_after_join", "%d", count_dir("/proc/self/task"));
}

/* The fdinfo of fd: its flags equal F_GETFL plus O_CLOEXEC for a
 * close-on-exec fd, its ino is fstat's. */
static void check_fdinfo(const char *name, int fd)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    if (read_into(path, buf, sizeof buf) <= 0) {
        SHOW(name, "unreadable %s", errname(errno));
        return;
    }
    long flags = field_long(buf, "flags");
    long want = fcntl(fd, F_GETFL) | ((fcntl(fd, F_GETFD) & FD_CLOEXEC) ? O_CLOEXEC : 0);
    struct stat sb;
    fstat(fd, &sb);
    const char *ino = field(buf, "ino");
    printf("%s: flags_match=%s accmode=%ld ino_match=%s has_pos=%s has_mnt_id=%s\n", name,
           flags == want ? "yes" : "no", flags & O_ACCMODE,
           ino && strtoull(ino, NULL, 10) == (unsigned long long)sb.st_ino ? "yes" : "no",
           field(buf, "pos") ? "yes" : "no", field(buf, "mnt_id") ? "yes" : "no");
}

static void show_link(const char *name, int fd)
{
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    char *br = strchr(target, '[');
    if (br && strncmp(target, "anon_inode:", 11) != 0) {
        /* pipe:[ino]: the number is fstat's */
        struct stat sb;
        fstat(fd, &sb);
        BOOL(name, strtoull(br + 1, NULL, 10) == (unsigned long long)sb.st_ino);
    } else {
        SHOW(name, "%s", target);
    }
}

static void proc_fdinfo(void)
{
    int ro = open("data", O_RDWR | O_CREAT, 0644);
    if (write(ro, "0123456789abcdef", 16) != 16)
        return;
    close(ro);
    ro = open("data", O_RDONLY);
    lseek(ro, 10, SEEK_SET);
    int wa = open("data", O_WRONLY | O_APPEND | O_CLOEXEC);
    int p[2];
    pipe2(p, O_NONBLOCK);
    check_fdinfo("fdinfo_rdonly", ro);
    check_fdinfo("fdinfo_wronly_append_cloexec", wa);
    check_fdinfo("fdinfo_pipe_read", p[0]);
    check_fdinfo("fdinfo_pipe_write", p[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ro);
    read_into(path, buf, sizeof buf);
    SHOW("fdinfo_pos_after_lseek", "%ld", field_long(buf, "pos"));
    long mnt_file = field_long(buf, "mnt_id");
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", wa);
    read_into(path, buf, sizeof buf);
    BOOL("fdinfo_same_dir_same_mnt_id", field_long(buf, "mnt_id") == mnt_file);
    int pd = open("/proc/self", O_RDONLY | O_DIRECTORY);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pd);
    read_into(path, buf, sizeof buf);
    BOOL("fdinfo_proc_other_mnt_id", field_long(buf, "mnt_id") != mnt_file);
    show_link("pipe_link_ino", p[0]);
    show_link("stdin_link", 0); /* the harness gives /dev/null */
    CHECK("fdinfo_closed_fd", open("/proc/self/fdinfo/999", O_RDONLY));

    int efd = eventfd(5, EFD_NONBLOCK);
    check_fdinfo("fdinfo_eventfd", efd);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", efd);
    read_into(path, buf, sizeof buf);
    SHOW("eventfd_count", "%llu", field_hex(buf, "eventfd-count"));
    SHOW("eventfd_semaphore", "%ld", field_long(buf, "eventfd-semaphore"));
    show_link("eventfd_link", efd);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x77};
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    check_fdinfo("fdinfo_epoll", ep);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ep);
    read_into(path, buf, sizeof buf);
    int tfd = -1;
    unsigned events = 0;
    unsigned long long data = 0;
    const char *t = strstr(buf, "tfd:");
    if (t)
        sscanf(t, "tfd: %d events: %x data: %llx", &tfd, &events, &data);
    BOOL("epoll_tfd_line", tfd == efd && (events & EPOLLIN) && data == 0x77);
    show_link("epoll_link", ep);

    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGINT);
    sigaddset(&m, SIGUSR1);
    int sfd = signalfd(-1, &m, SFD_CLOEXEC);
    check_fdinfo("fdinfo_signalfd", sfd);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", sfd);
    read_into(path, buf, sizeof buf);
    BOOL("signalfd_sigmask",
         field_hex(buf, "sigmask") == ((1ULL << (SIGINT - 1)) | (1ULL << (SIGUSR1 - 1))));
    show_link("signalfd_link", sfd);

    int tmfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {{1, 0}, {100, 0}};
    timerfd_settime(tmfd, 0, &its, NULL);
    check_fdinfo("fdinfo_timerfd", tmfd);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", tmfd);
    read_into(path, buf, sizeof buf);
    SHOW("timerfd_clockid", "%ld", field_long(buf, "clockid"));
    SHOW("timerfd_ticks", "%ld", field_long(buf, "ticks"));
    const char *iv = field(buf, "it_interval");
    SHOW("timerfd_interval", "%.6s", iv ? iv : "none");
    unsigned long long vs = 0;
    const char *vv = field(buf, "it_value");
    if (vv)
        sscanf(vv, "(%llu,", &vs);
    BOOL("timerfd_value_left", vs >= 90 && vs < 100);
    show_link("timerfd_link", tmfd);

    /* the fd link and fdinfo follow the descriptor as it changes */
    dup2(p[1], ro);
    check_fdinfo("fdinfo_after_dup2", ro);
    close(ro);
    close(wa);
    close(p[0]);
    close(p[1]);
    close(pd);
    close(efd);
    close(ep);
    close(sfd);
    close(tmfd);
}

/* smaps has one entry per maps line, headed by that line, whose Size is
 * the range and whose Rss fits in it, with Linux's keys in order. */
static void proc_smaps(void)
{
    read_into("/proc/self/maps", buf, sizeof buf);
    read_into("/proc/self/smaps", buf2, sizeof buf2);
    static const char *keys[] = {"Size",          "KernelPageSize", "MMUPageSize", "Rss",
                                 "Pss",           "Shared_Clean",   "Shared_Dirty",
                                 "Private_Clean", "Private_Dirty",  "Referenced",
                                 "Anonymous",     "Swap",           "Locked",
                                 "VmFlags"};
    int entries = 0, headers_match = 1, sizes_ok = 1, keys_ok = 1, flags_ok = 1, rss_ok = 1;
    char *ml = buf;
    char *sl = buf2;
    while (*sl) {
        char *nl = strchr(sl, '\n');
        if (!nl)
            break;
        *nl = 0;
        unsigned long long s, e;
        char perms[8] = {0};
        if (sscanf(sl, "%llx-%llx %7s", &s, &e, perms) == 3 && strchr(sl, ' ')) {
            entries++;
            char *mnl = strchr(ml, '\n');
            if (!mnl || strncmp(ml, sl, (size_t)(mnl - ml)) != 0 || strlen(sl) != (size_t)(mnl - ml))
                headers_match = 0;
            ml = mnl ? mnl + 1 : ml;
            /* the entry's lines, up to the next header */
            char *body = nl + 1;
            char *end = body;
            while (*end && !(end[0] != '\n' && end[strspn(end, "0123456789abcdef")] == '-' &&
                             strspn(end, "0123456789abcdef") > 0))
                end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
            char save = *end;
            *end = 0;
            const char *last = body;
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
                const char *at = strstr(last, keys[k]);
                if (!at || (at != body && at[-1] != '\n'))
                    keys_ok = 0;
                else
                    last = at;
            }
            sscanf(sl, "%llx-%llx", &s, &e);
            long size = field_long(body, "Size"), rss = field_long(body, "Rss");
            if (size * 1024 != (long)(e - s))
                sizes_ok = 0;
            if (rss < 0 || rss > size)
                rss_ok = 0;
            const char *vf = field(body, "VmFlags");
            if (!vf || (perms[0] == 'r') != (strncmp(vf, "rd", 2) == 0))
                flags_ok = 0;
            *end = save;
            sl = end;
            continue;
        }
        sl = nl + 1;
    }
    int maps_lines = 0;
    for (char *l = buf; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
        maps_lines++;
    BOOL("smaps_entry_per_maps_line", entries == maps_lines && entries > 0);
    BOOL("smaps_headers_are_maps_lines", headers_match);
    BOOL("smaps_size_is_range", sizes_ok);
    BOOL("smaps_rss_within_size", rss_ok);
    BOOL("smaps_keys_in_order", keys_ok);
    BOOL("smaps_vmflags_rd_matches_perms", flags_ok);
    read_into("/proc/self/smaps_rollup", buf, sizeof buf);
    BOOL("smaps_rollup_has_rss", field_long(buf, "Rss") > 0 && strstr(buf, "[rollup]"));
}

static void proc_system(void)
{
    /* /proc/stat: cpu lines match the online CPUs, btime + uptime = now */
    read_into("/proc/stat", buf, sizeof buf);
    BOOL("stat_has_cpu_total", strncmp(buf, "cpu ", 4) == 0);
    int cpus = 0;
    for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, "cpu", 3) == 0 && l[3] >= '0' && l[3] <= '9')
            cpus++;
    BOOL("stat_cpu_lines_are_nprocs", cpus == sysconf(_SC_NPROCESSORS_ONLN));
    const char *bt = strstr(buf, "\nbtime ");
    double up = 0, idle = 0;
    read_into("/proc/uptime", buf2, sizeof buf2);
    int nup = sscanf(buf2, "%lf %lf", &up, &idle);
    BOOL("uptime_two_numbers", nup == 2);
    long btime = bt ? atol(bt + 7) : 0;
    long skew = btime + (long)up - (long)time(NULL);
    BOOL("btime_plus_uptime_is_now", bt && skew >= -2 && skew <= 2);
    BOOL("stat_processes_line", strstr(buf, "\nprocesses ") != NULL);
    const char *pr = strstr(buf, "\nprocs_running ");
    BOOL("stat_procs_running_positive", pr && atol(pr + 15) >= 1);
    struct sysinfo si;
    sysinfo(&si);
    BOOL("uptime_is_sysinfo_uptime", (long)up - si.uptime >= -1 && (long)up - si.uptime <= 1);

    /* cpuinfo: one processor block per CPU */
    read_into("/proc/cpuinfo", buf2, sizeof buf2);
    int procs = 0;
    for (char *l = buf2; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, "processor", 9) == 0)
            procs++;
    BOOL("cpuinfo_processors_are_cpu_lines", procs == cpus);

    /* loadavg: three loads, running/total, last pid */
    read_into("/proc/loadavg", buf, sizeof buf);
    double l1, l5, l15;
    int running = 0, total = 0, last = 0;
    int nl = sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &total, &last);
    BOOL("loadavg_fields", nl == 6 && running >= 1 && total >= running && last >= 1);

    /* meminfo: the numbers sysinfo gives */
    read_into("/proc/meminfo", buf, sizeof buf);
    BOOL("meminfo_total_is_sysinfo",
         field_long(buf, "MemTotal") == (long)((unsigned long long)si.totalram * si.mem_unit / 1024));
    BOOL("meminfo_has_available", field_long(buf, "MemAvailable") >= 0);
    BOOL("meminfo_swap_is_sysinfo",
         field_long(buf, "SwapTotal") == (long)((unsigned long long)si.totalswap * si.mem_unit / 1024));
}

int main(int argc, char **argv)
{
    BEGIN("proc_files");
    (void)argc;
    make_tmpdir("proc_files");

    /* ---- stat against the id syscalls and the address space ---- */
    unsigned long long f[53] = {0};
    char st = stat_fields("/proc/self/stat", f, 53);
    BOOL("stat_state_R", st == 'R');
    BOOL("stat_ppid_is_getppid", f[4] == (unsigned long long)getppid());
    BOOL("stat_pgrp_is_getpgrp", f[5] == (unsigned long long)getpgrp());
    BOOL("stat_session_is_getsid", f[6] == (unsigned long long)getsid(0));
    BOOL("stat_num_threads_1", f[20] == 1);
    BOOL("stat_exit_signal_SIGCHLD", f[38] == SIGCHLD);
    struct sysinfo si;
    sysinfo(&si);
    BOOL("stat_starttime_not_after_uptime",
         f[22] / (unsigned long long)sysconf(_SC_CLK_TCK) <= (unsigned long long)si.uptime + 1);
    BOOL("stat_code_range_holds_main",
         f[26] <= (uintptr_t)&main && (uintptr_t)&main < f[27]);
    BOOL("stat_startstack_is_argc", f[28] + 8 == (uintptr_t)argv);
    BOOL("stat_arg_start_is_argv0", f[48] == (uintptr_t)argv[0]);
    size_t envlen = 0;
    for (char **e = environ; *e; e++)
        envlen += strlen(*e) + 1;
    BOOL("stat_env_range_is_environ", f[51] - f[50] == envlen);
    BOOL("stat_rss_within_vsize", f[24] > 0 && f[24] * 4096 <= f[23]);

    /* vsize is the sum of the maps ranges ([vsyscall] is not counted). */
    read_into("/proc/self/maps", buf, sizeof buf);
    unsigned long long mapped = 0;
    for (char *l = buf; *l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = 0;
        unsigned long long s, e;
        if (sscanf(l, "%llx-%llx", &s, &e) == 2 && !strstr(l, "[vsyscall]"))
            mapped += e - s;
        if (!nl)
            break;
        l = nl + 1;
    }
    st = stat_fields("/proc/self/stat", f, 53);
    BOOL("stat_vsize_is_maps_total", f[23] == mapped);
    read_into("/proc/self/statm", buf2, sizeof buf2);
    unsigned long long m_size = 0, m_res = 0;
    sscanf(buf2, "%llu %llu", &m_size, &m_res);
    BOOL("statm_size_is_vsize", m_size * 4096 == f[23]);

    /* ---- status against the same calls ---- */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGUSR2, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = (void (*)(int))exit;
    sigaction(SIGHUP, &sa, NULL);
    raise(SIGUSR1);
    read_into("/proc/self/status", buf, sizeof buf);
    BOOL("status_pid", field_long(buf, "Pid") == getpid());
    BOOL("status_tgid", field_long(buf, "Tgid") == getpid());
    BOOL("status_ppid", field_long(buf, "PPid") == getppid());
    BOOL("status_uid", field_long(buf, "Uid") == (long)getuid());
    BOOL("status_threads_1", field_long(buf, "Threads") == 1);
    BOOL("status_vmsize_is_vsize", field_long(buf, "VmSize") * 1024 == (long)f[23]);
    BOOL("status_has_vmrss", field_long(buf, "VmRSS") > 0);
    BOOL("status_sigblk_usr1", field_hex(buf, "SigBlk") == 1ULL << (SIGUSR1 - 1));
    BOOL("status_sigign_usr2", field_hex(buf, "SigIgn") & 1ULL << (SIGUSR2 - 1));
    BOOL("status_sigcgt_hup", field_hex(buf, "SigCgt") & 1ULL << (SIGHUP - 1));
    BOOL("status_sigpnd_usr1", field_hex(buf, "SigPnd") & 1ULL << (SIGUSR1 - 1));
    int sig;
    sigwait(&set, &sig);
    st = stat_fields("/proc/self/stat", f, 53);
    BOOL("stat_blocked_usr1", f[32] == 1ULL << (SIGUSR1 - 1));
    BOOL("stat_pending_empty_after_sigwait", f[31] == 0);

    /* ---- a child: its stat from both sides, blocked, then a zombie ---- */
    int go[2], back[2];
    if (pipe(go) || pipe(back))
        return 2;
    unsigned long long my_start = f[22];
    pid_t child = fork();
    if (child == 0) {
        unsigned long long c[53] = {0};
        setpgid(0, 0);
        stat_fields("/proc/self/stat", c, 53);
        char r = (c[4] == (unsigned long long)getppid() && c[5] == (unsigned long long)getpid() &&
                  c[22] >= my_start)
                     ? 'y'
                     : 'n';
        if (write(back[1], &r, 1) != 1)
            _exit(1);
        char x;
        if (read(go[0], &x, 1) != 1) /* blocks: state S */
            _exit(1);
        _exit(3);
    }
    char r = 0;
    if (read(back[0], &r, 1) != 1)
        r = '?';
    BOOL("child_sees_own_ids", r == 'y');
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    unsigned long long c[53] = {0};
    char cst = '?';
    for (int i = 0; i < 200; i++) { /* until it is asleep in read */
        cst = stat_fields(path, c, 53);
        if (cst == 'S')
            break;
        usleep(10000);
    }
    BOOL("child_blocked_state_S", cst == 'S');
    BOOL("child_ppid_is_us", c[4] == (unsigned long long)getpid());
    BOOL("child_pgrp_is_getpgid", c[5] == (unsigned long long)getpgid(child));
    int pfd = (int)syscall(SYS_pidfd_open, child, 0);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pfd);
    read_into(path, buf, sizeof buf);
    BOOL("pidfd_fdinfo_pid", field_long(buf, "Pid") == child);
    snprintf(path, sizeof path, "/proc/self/fd/%d", pfd);
    ssize_t n = readlink(path, buf, 64);
    SHOW("pidfd_link", "%.*s", (int)(n > 0 ? n : 0), buf);
    if (write(go[1], "x", 1) != 1)
        return 2;
    siginfo_t info;
    waitid(P_PID, child, &info, WEXITED | WNOWAIT);
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    BOOL("exited_child_state_Z", stat_fields(path, c, 53) == 'Z');
    waitpid(child, NULL, 0);
    close(pfd);

    /* ---- threads: task/, thread-self, /proc/TID ---- */
    proc_threads();

    /* ---- fdinfo against fcntl and fstat ---- */
    proc_fdinfo();

    /* ---- smaps against maps ---- */
    proc_smaps();

    /* ---- system files ---- */
    proc_system();

    char cwd[PATH_MAX];
    n = readlink("/proc/self/cwd", buf, PATH_MAX);
    buf[n > 0 ? n : 0] = 0;
    BOOL("cwd_link_is_getcwd", getcwd(cwd, sizeof cwd) && strcmp(buf, cwd) == 0);
    n = readlink("/proc/self/root", buf, PATH_MAX);
    SHOW("root_link", "%.*s", (int)(n > 0 ? n : 0), buf);
    remove_tmpdir();
    FINISH();
}
