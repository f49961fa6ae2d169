/* Thread pidfds (PIDFD_THREAD, Linux 6.9) and pidfd_send_signal with a
 * siginfo: a thread's tid names no process without the flag; a thread
 * pidfd signals that thread, polls readable once it exited and then
 * reports ESRCH; a caller's siginfo arrives as given, must match the
 * signal, and may not pose as the kernel or kill() to another process. */
#include "check.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

static volatile int tid, handler_tid, handler_code, handler_value;
static volatile int release_thread;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    handler_tid = (int)syscall(SYS_gettid);
    handler_code = si->si_code;
    handler_value = si->si_value.sival_int;
}

static void *worker(void *arg)
{
    (void)arg;
    tid = (int)syscall(SYS_gettid);
    while (!release_thread)
        usleep(1000);
    return NULL;
}

static int pidfd_open(int pid, unsigned flags)
{
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

static int send(int fd, int sig, siginfo_t *si, unsigned flags)
{
    return (int)syscall(SYS_pidfd_send_signal, fd, sig, si, flags);
}

int main(void)
{
    BEGIN("pidfd_thread");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    while (!tid)
        usleep(1000);
    CHECK("open_thread_tid_as_process", pidfd_open(tid, 0));
    int tfd = pidfd_open(tid, PIDFD_THREAD);
    CHECK("open_thread", tfd);
    int lfd = pidfd_open(getpid(), PIDFD_THREAD);
    CHECK("open_leader_as_thread", lfd);
    struct pollfd p = {tfd, POLLIN, 0};
    int n = poll(&p, 1, 0);
    SHOW("poll_running", "%d %d", n, p.revents & POLLIN ? 1 : 0);

    /* The main thread blocks SIGUSR1, so only a thread-directed signal
     * can reach the worker's handler... on the worker. */
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    CHECK("send_thread", send(tfd, SIGUSR1, NULL, 0));
    for (int i = 0; i < 200 && !handler_tid; i++)
        usleep(1000);
    BOOL("ran_on_worker", handler_tid == tid);
    SHOW("default_code", "%s",
         handler_code == SI_TKILL ? "SI_TKILL" : handler_code == SI_USER ? "SI_USER" : "other");

    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 42;
    handler_tid = 0;
    CHECK("send_with_info", send(tfd, SIGUSR1, &si, 0));
    for (int i = 0; i < 200 && !handler_tid; i++)
        usleep(1000);
    SHOW("info_value", "%d", handler_value);
    SHOW("info_code", "%s", handler_code == SI_QUEUE ? "SI_QUEUE" : "other");
    si.si_signo = SIGUSR2;
    CHECK("info_signo_mismatch", send(tfd, SIGUSR1, &si, 0));
    CHECK("bad_flags", send(tfd, 0, NULL, 8));
    CHECK("two_scopes", send(tfd, 0, NULL, 3));

    /* To another process: a siginfo posing as kill() is refused. */
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    int cfd = pidfd_open(c, 0);
    si.si_signo = SIGTERM;
    si.si_code = SI_USER;
    CHECK("other_process_si_user", send(cfd, SIGTERM, &si, 0));
    si.si_code = SI_QUEUE;
    CHECK("other_process_si_queue", send(cfd, SIGTERM, &si, 0));
    int st;
    waitpid(c, &st, 0);
    BOOL("other_killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);

    release_thread = 1;
    pthread_join(th, NULL);
    usleep(20000);
    p.revents = 0;
    n = poll(&p, 1, 1000);
    SHOW("poll_exited", "%d %d", n, p.revents & POLLIN ? 1 : 0);
    CHECK("send_after_exit", send(tfd, 0, NULL, 0));
    CHECK("leader_still_there", send(lfd, 0, NULL, 0));
    FINISH();
}
