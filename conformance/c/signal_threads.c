/* Signals and threads: a process-directed signal goes to a thread that
 * does not block it (sigwait in a helper thread while the main thread
 * blocks everything), dispositions are shared by all threads, a signal
 * reaches a thread spinning without syscalls, tgkill aims at one thread,
 * and a thread blocked in read() whose signal another thread took goes
 * on reading (no EINTR). */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static void *waiter(void *arg)
{
    sigset_t *set = arg;
    int sig = 0;
    sigwait(set, &sig);
    return (void *)(long)sig;
}

static volatile sig_atomic_t waiter_tid;

static void *waiter_with_tid(void *arg)
{
    waiter_tid = (sig_atomic_t)syscall(SYS_gettid);
    return waiter(arg);
}

static volatile sig_atomic_t got, got_tid;

static void on_usr2(int sig)
{
    got = sig;
    got_tid = (sig_atomic_t)syscall(SYS_gettid);
}

static void *install_handler(void *arg)
{
    (void)arg;
    signal(SIGUSR2, on_usr2);
    return NULL;
}

static volatile int spin_seen;

static void on_alrm_spin(int sig)
{
    (void)sig;
    spin_seen = 1;
}

static void *spinner(void *arg)
{
    (void)arg;
    while (!spin_seen) {
    }
    return NULL;
}

static int rfd;

static void *reader(void *arg)
{
    (void)arg;
    char b[4];
    errno = 0;
    ssize_t n = read(rfd, b, sizeof b);
    return (void *)(long)(n == 2 ? 0 : errno == EINTR ? 2 : 1);
}

static void on_usr1_noop(int sig)
{
    (void)sig;
}

int main(void)
{
    BEGIN("signal_threads");

    /* 1. sigwait in a helper thread takes a signal sent to the process
     * while the main thread blocks it. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t th;
    pthread_create(&th, NULL, waiter, &set);
    usleep(20000);
    CHECK("kill_process", kill(getpid(), SIGUSR1));
    void *r;
    pthread_join(th, &r);
    SHOW("sigwait_thread_got", "%ld", (long)r);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);

    /* 2. A handler installed by another thread is the process's. */
    pthread_create(&th, NULL, install_handler, NULL);
    pthread_join(th, NULL);
    got = 0;
    raise(SIGUSR2);
    SHOW("handler_from_other_thread", "%d", (int)got);
    BOOL("ran_on_raising_thread", got_tid == (sig_atomic_t)syscall(SYS_gettid));

    /* 3. A process signal reaches a thread spinning in user code when
     * the main thread blocks it. */
    signal(SIGALRM, on_alrm_spin);
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    pthread_create(&th, NULL, spinner, NULL);
    pthread_sigmask(SIG_BLOCK, &alrm, NULL);
    usleep(20000);
    kill(getpid(), SIGALRM);
    pthread_join(th, NULL);
    SHOW("spinning_thread_got_it", "%d", spin_seen);
    pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);

    /* 4. A signal to a busy single-threaded child runs its handler. */
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        spin_seen = 0;
        signal(SIGALRM, on_alrm_spin);
        write(p[1], "r", 1);
        while (!spin_seen) {
        }
        _exit(42);
    }
    char b;
    read(p[0], &b, 1);
    usleep(20000);
    kill(c, SIGALRM);
    int st;
    waitpid(c, &st, 0);
    SHOW("busy_child_handler_exit", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    /* 5. A reader thread blocked in read(): the main thread takes the
     * process signal (it is the one not blocking it); the read goes on. */
    int q[2];
    pipe(q);
    rfd = q[0];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1_noop;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    pthread_create(&th, NULL, reader, NULL);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    usleep(20000);
    kill(getpid(), SIGUSR1);
    usleep(20000);
    write(q[1], "xy", 2);
    pthread_join(th, &r);
    SHOW("reader_unaffected", "%ld", (long)r);

    /* 6. tgkill to one thread that blocks it: that thread's sigwait. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    waiter_tid = 0;
    pthread_create(&th, NULL, waiter_with_tid, &set);
    while (!waiter_tid)
        usleep(1000);
    usleep(20000);
    CHECK("tgkill_thread", (int)syscall(SYS_tgkill, getpid(), (int)waiter_tid, SIGUSR1));
    pthread_join(th, &r);
    SHOW("tgkill_sigwait_got", "%ld", (long)r);
    FINISH();
}
