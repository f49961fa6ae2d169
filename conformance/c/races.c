/* Races that matter: a storm of SIGCHLD from 200 children exiting at
 * once (every one reaped with its own status, none lost), a signal
 * arriving during a blocking read (EINTR without SA_RESTART, the read
 * goes on with it), threads exiting while others wait on a futex or join
 * them, and exec from a multi-threaded process, by the main thread and by
 * another thread (the other threads vanish; the pid stays). */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#define CHILDREN 200

static volatile sig_atomic_t chld_seen;

static void on_chld(int sig)
{
    (void)sig;
    chld_seen++;
}

static void sigchld_storm(void)
{
    signal(SIGCHLD, on_chld);
    int go[2];
    pipe(go);
    pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            char b;
            close(go[1]);
            read(go[0], &b, 1); /* all wait for EOF, then exit together */
            _exit(i & 0x7f);
        }
    }
    close(go[0]);
    close(go[1]);
    int reaped = 0, right = 0, st;
    pid_t w;
    while ((w = wait(&st)) > 0 || errno == EINTR) {
        if (w <= 0)
            continue;
        reaped++;
        for (int i = 0; i < CHILDREN; i++)
            if (pids[i] == w && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f))
                right++;
    }
    SHOW("storm_reaped", "%d", reaped);
    SHOW("storm_right_status", "%d", right);
    SHOW("storm_then", "%s", errname(errno));
    BOOL("storm_sigchld_seen", chld_seen > 0);
    signal(SIGCHLD, SIG_DFL);
}

static void on_usr1(int sig)
{
    (void)sig;
}

/* A child blocked in read() gets SIGUSR1: EINTR without SA_RESTART; with
 * it, the read goes on and returns the data written afterwards. */
static void signal_during_read(int restart)
{
    int p[2], ready[2];
    pipe(p);
    pipe(ready);
    pid_t c = fork();
    if (c == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sa.sa_flags = restart ? SA_RESTART : 0;
        sigaction(SIGUSR1, &sa, NULL);
        close(p[1]);
        write(ready[1], "r", 1);
        char b[4];
        errno = 0;
        ssize_t n = read(p[0], b, sizeof b);
        _exit(n == 2 ? 10 : n < 0 && errno == EINTR ? 20 : 30);
    }
    char b;
    read(ready[0], &b, 1);
    usleep(50000);
    kill(c, SIGUSR1);
    usleep(50000);
    write(p[1], "hi", 2);
    int st;
    waitpid(c, &st, 0);
    printf("read_%s: %d\n", restart ? "sa_restart" : "no_restart", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(p[0]);
    close(p[1]);
    close(ready[0]);
    close(ready[1]);
}

static int word;
static volatile int woken;

static void *futex_waiter(void *arg)
{
    (void)arg;
    while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0)
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *waker_then_exit(void *arg)
{
    (void)arg;
    usleep(20000);
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
    pthread_exit(NULL);
}

static void *return_arg(void *arg)
{
    return arg;
}

static void futex_and_exits(void)
{
    pthread_t w[6], k;
    for (int i = 0; i < 6; i++)
        pthread_create(&w[i], NULL, futex_waiter, NULL);
    pthread_create(&k, NULL, waker_then_exit, NULL);
    for (int i = 0; i < 6; i++)
        pthread_join(w[i], NULL);
    pthread_join(k, NULL);
    SHOW("futex_waiters_woken", "%d", woken);
    /* Many threads exiting at once, joined in reverse order. */
    pthread_t q[32];
    for (long i = 0; i < 32; i++)
        pthread_create(&q[i], NULL, return_arg, (void *)i);
    long sum = 0;
    for (int i = 31; i >= 0; i--) {
        void *r;
        pthread_join(q[i], &r);
        sum += (long)r;
    }
    SHOW("joined_sum", "%ld", sum);
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void *spinner(void *arg)
{
    (void)arg;
    for (volatile unsigned long i = 0;; i++) {
    }
    return NULL;
}

static char *self_path;

static void *exec_from_thread(void *arg)
{
    (void)arg;
    usleep(20000);
    char *argv[] = {self_path, "after-exec", "thread", NULL};
    execv(self_path, argv);
    _exit(99);
}

/* Exec with other threads running (sleeping and spinning): by the main
 * thread, or by another thread. */
static void exec_threaded(int by_thread)
{
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        dup2(p[1], 1);
        printf("pid %d\n", (int)getpid());
        fflush(stdout);
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_create(&t, NULL, spinner, NULL);
        if (by_thread) {
            pthread_create(&t, NULL, exec_from_thread, NULL);
            for (;;)
                pause();
        }
        usleep(20000);
        char *argv[] = {self_path, "after-exec", "main", NULL};
        execv(self_path, argv);
        _exit(99);
    }
    close(p[1]);
    char buf[256] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += n;
    close(p[0]);
    int st;
    waitpid(c, &st, 0);
    int before = -1, after = -1, tid = -1, threads = -1;
    char who[16] = "";
    sscanf(buf, "pid %d\nafter %15s pid %d tid %d threads %d", &before, who, &after, &tid, &threads);
    printf("exec_%s_exit: %d\n", by_thread ? "by_thread" : "by_main", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("exec_%s_ran: %s\n", by_thread ? "by_thread" : "by_main", who);
    BOOL(by_thread ? "exec_by_thread_same_pid" : "exec_by_main_same_pid", before == c && after == c);
    BOOL(by_thread ? "exec_by_thread_tid_is_pid" : "exec_by_main_tid_is_pid", tid == c);
    SHOW(by_thread ? "exec_by_thread_threads_left" : "exec_by_main_threads_left", "%d", threads);
}

static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
        printf("after %s pid %d tid %d threads %d\n", argv[2], (int)getpid(),
               (int)syscall(SYS_gettid), count_threads());
        return 7;
    }
    self_path = realpath("/proc/self/exe", NULL);
    BEGIN("races");
    sigchld_storm();
    signal_during_read(0);
    signal_during_read(1);
    futex_and_exits();
    exec_threaded(0);
    exec_threaded(1);
    FINISH();
}
