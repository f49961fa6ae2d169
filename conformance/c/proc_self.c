#include "check.h"
#include <libgen.h>

extern char **environ;

static size_t read_all(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return (size_t)-1;
    size_t got = 0;
    ssize_t n;
    while (got < cap && (n = read(fd, buf + got, cap - got)) > 0)
        got += (size_t)n;
    close(fd);
    return got;
}

int main(int argc, char **argv)
{
    BEGIN("proc_self");
    static char buf[1 << 16];
    char a0[PATH_MAX];
    snprintf(a0, sizeof a0, "%s", argv[0]);
    const char *base = basename(a0);

    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    CHECK("readlink_exe", n);
    buf[n > 0 ? n : 0] = 0;
    char b2[PATH_MAX];
    snprintf(b2, sizeof b2, "%.4000s", buf);
    BOOL("exe_basename_matches_argv0", strcmp(basename(b2), base) == 0);
    BOOL("exe_is_absolute", buf[0] == '/');
    struct stat s1, s2;
    stat("/proc/self/exe", &s1);
    stat(argv[0], &s2);
    BOOL("exe_same_file_as_argv0", s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev);

    /* cmdline: NUL separated argv */
    size_t len = read_all("/proc/self/cmdline", buf, sizeof buf);
    size_t want = 0;
    for (int i = 0; i < argc; i++)
        want += strlen(argv[i]) + 1;
    BOOL("cmdline_len", len == want);
    int same = 1;
    size_t off = 0;
    for (int i = 0; i < argc && off < len; i++) {
        if (strcmp(buf + off, argv[i]) != 0)
            same = 0;
        off += strlen(argv[i]) + 1;
    }
    BOOL("cmdline_equals_argv", same);

    /* environ: NUL separated envp */
    len = read_all("/proc/self/environ", buf, sizeof buf);
    want = 0;
    for (char **e = environ; *e; e++)
        want += strlen(*e) + 1;
    BOOL("environ_len", len == want);

    /* status Name: is the program name truncated to 15 chars */
    len = read_all("/proc/self/status", buf, sizeof buf - 1);
    buf[len] = 0;
    char expect[16];
    snprintf(expect, sizeof expect, "%s", base);
    char *name = strstr(buf, "Name:\t");
    char got[64] = {0};
    if (name)
        sscanf(name + 6, "%63s", got);
    BOOL("status_name_matches", strcmp(got, expect) == 0);
    BOOL("status_has_state", strstr(buf, "\nState:\t") != NULL);
    BOOL("status_threads_1", strstr(buf, "\nThreads:\t1\n") != NULL);
    /* comm */
    len = read_all("/proc/self/comm", buf, sizeof buf - 1);
    buf[len] = 0;
    char exp_comm[32];
    snprintf(exp_comm, sizeof exp_comm, "%s\n", expect);
    BOOL("comm_matches", strcmp(buf, exp_comm) == 0);
    /* maps: a line for the program file and [stack] */
    len = read_all("/proc/self/maps", buf, sizeof buf - 1);
    buf[len] = 0;
    int prog = 0, stack = 0, rx = 0;
    n = readlink("/proc/self/exe", b2, sizeof b2 - 1);
    b2[n > 0 ? n : 0] = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        size_t ll = strlen(line), bl = strlen(b2);
        if (ll >= bl && strcmp(line + ll - bl, b2) == 0) {
            prog = 1;
            if (strstr(line, " r-xp "))
                rx = 1;
        }
        if (strstr(line, "[stack]"))
            stack = 1;
    }
    BOOL("maps_has_program", prog);
    BOOL("maps_program_rx", rx);
    BOOL("maps_has_stack", stack);
    /* stat: pid field and comm in parens */
    len = read_all("/proc/self/stat", buf, sizeof buf - 1);
    buf[len] = 0;
    long spid = -1;
    char scomm[64] = {0};
    sscanf(buf, "%ld (%63[^)])", &spid, scomm);
    BOOL("stat_pid", spid == getpid());
    BOOL("stat_comm", strcmp(scomm, expect) == 0);
    /* /proc/self links to /proc/<pid> */
    n = readlink("/proc/self", buf, 64);
    buf[n > 0 ? n : 0] = 0;
    BOOL("self_link_is_pid", atol(buf) == getpid());
    /* fd directory lists 0, 1, 2 and the directory fd itself */
    DIR *d = opendir("/proc/self/fd");
    int seen = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strcmp(de->d_name, "0") == 0)
            seen |= 1;
        if (strcmp(de->d_name, "1") == 0)
            seen |= 2;
        if (strcmp(de->d_name, "2") == 0)
            seen |= 4;
        if (atoi(de->d_name) == dirfd(d))
            seen |= 8;
    }
    if (d)
        closedir(d);
    SHOW("fd_dir_has_0_1_2_and_self", "%d%d%d%d", seen & 1, (seen >> 1) & 1, (seen >> 2) & 1,
         (seen >> 3) & 1);
    int fd = open("/dev/null", O_RDONLY);
    char lp[64];
    snprintf(lp, sizeof lp, "/proc/self/fd/%d", fd);
    n = readlink(lp, buf, 64);
    SHOW("fd_link", "%.*s", (int)(n > 0 ? n : 0), buf);
    close(fd);
    CHECK("missing_proc_entry", open("/proc/self/no-such-entry", O_RDONLY));
    /* cwd link */
    chdir("/");
    n = readlink("/proc/self/cwd", buf, 64);
    SHOW("cwd_link", "%.*s", (int)(n > 0 ? n : 0), buf);
    FINISH();
}
