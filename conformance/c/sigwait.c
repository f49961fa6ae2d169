/* sigtimedwait/sigwaitinfo and sigqueue: a blocked signal is taken
 * synchronously with its siginfo (value, code), a timeout is EAGAIN, and
 * sigqueue to another process delivers the value to its handler. */
#include "check.h"
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

static volatile int got_value;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; got_value = si->si_value.sival_int; }

int main(void)
{
    BEGIN("sigwait");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct timespec ts = {0, 10000000};
    siginfo_t si;
    CHECK("timedwait_timeout", sigtimedwait(&set, &si, &ts));
    union sigval v = {.sival_int = 42};
    CHECK("sigqueue_self", sigqueue(getpid(), SIGUSR1, v));
    memset(&si, 0, sizeof si);
    CHECKV("timedwait_takes", sigtimedwait(&set, &si, &ts));
    SHOW("si_value", "%d", si.si_value.sival_int);
    SHOW("si_code_queue", "%d", si.si_code == SI_QUEUE);
    BOOL("si_pid_self", si.si_pid == getpid());
    raise(SIGRTMIN);
    CHECKV("sigwaitinfo_rt", sigwaitinfo(&set, &si) == SIGRTMIN);
    CHECK("timedwait_bad_ts", sigtimedwait(&set, &si, &(struct timespec){0, 2000000000}));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    pid_t c = fork();
    if (c == 0) {
        while (!got_value)
            pause();
        _exit(got_value);
    }
    usleep(20000);
    v.sival_int = 9;
    CHECK("sigqueue_child", sigqueue(c, SIGUSR2, v));
    int st;
    waitpid(c, &st, 0);
    SHOW("child_got_value", "%d", WEXITSTATUS(st));
    siginfo_t fake;
    memset(&fake, 0, sizeof fake);
    fake.si_code = SI_USER;
    c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    CHECK("queueinfo_forged_code", syscall(SYS_rt_sigqueueinfo, c, SIGUSR2, &fake));
    fake.si_code = SI_QUEUE;
    CHECK("queueinfo_queue_code", syscall(SYS_rt_sigqueueinfo, c, SIGTERM, &fake));
    waitpid(c, &st, 0);
    BOOL("child_terminated", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    printf("== done ==\n");
    return 0;
}
