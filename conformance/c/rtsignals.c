/* Real-time signals queue every instance with its own value, in order,
 * lowest signal first; standard signals coalesce; sigtimedwait and
 * sigpending see the queue; a full queue (RLIMIT_SIGPENDING) makes
 * sigqueue fail with EAGAIN; another process's queued values arrive in
 * order. */
#include "check.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static int order[16];
static int norder;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (norder < 16)
        order[norder++] = (sig - SIGRTMIN) * 100 + si->si_value.sival_int;
}

static volatile int usr1_count;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

static int queue(int sig, int v)
{
    union sigval sv;
    sv.sival_int = v;
    return sigqueue(getpid(), sig, sv);
}

int main(void)
{
    BEGIN("rtsignals");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &sa, NULL);
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    sigaddset(&rt, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    CHECK("q1", queue(SIGRTMIN + 1, 1));
    CHECK("q2", queue(SIGRTMIN + 1, 2));
    CHECK("q9", queue(SIGRTMIN, 9));
    CHECK("q3", queue(SIGRTMIN + 1, 3));
    sigset_t p;
    sigpending(&p);
    BOOL("pending_rt1", sigismember(&p, SIGRTMIN + 1));
    sigprocmask(SIG_UNBLOCK, &rt, NULL);
    printf("order:");
    for (int i = 0; i < norder; i++)
        printf(" %d", order[i]);
    printf("\n");

    /* Standard signals coalesce. */
    signal(SIGUSR1, on_usr1);
    sigset_t u;
    sigemptyset(&u);
    sigaddset(&u, SIGUSR1);
    sigprocmask(SIG_BLOCK, &u, NULL);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &u, NULL);
    SHOW("usr1_delivered", "%d", usr1_count);

    /* sigtimedwait takes one instance at a time, in order. */
    sigprocmask(SIG_BLOCK, &rt, NULL);
    queue(SIGRTMIN + 1, 7);
    queue(SIGRTMIN + 1, 8);
    struct timespec zero = {0, 0};
    siginfo_t si;
    int s1 = sigtimedwait(&rt, &si, &zero);
    int v1 = si.si_value.sival_int;
    sigpending(&p);
    int still = sigismember(&p, SIGRTMIN + 1);
    int s2 = sigtimedwait(&rt, &si, &zero);
    int v2 = si.si_value.sival_int;
    SHOW("timedwait_1", "%d %d", s1 - SIGRTMIN, v1);
    BOOL("still_pending_after_first", still);
    SHOW("timedwait_2", "%d %d", s2 - SIGRTMIN, v2);
    errno = 0;
    CHECK("timedwait_empty", sigtimedwait(&rt, &si, &zero));
    sigpending(&p);
    BOOL("none_pending", !sigismember(&p, SIGRTMIN + 1));

    /* A full queue. */
    struct rlimit old, lim;
    getrlimit(RLIMIT_SIGPENDING, &old);
    lim.rlim_cur = 4;
    lim.rlim_max = old.rlim_max;
    setrlimit(RLIMIT_SIGPENDING, &lim);
    int queued = 0, eagain = 0;
    for (int i = 0; i < 10; i++) {
        if (queue(SIGRTMIN, i) == 0)
            queued++;
        else if (errno == EAGAIN)
            eagain++;
    }
    BOOL("queue_full_eagain", eagain > 0);
    BOOL("queued_at_most_limit", queued <= 4);
    while (sigtimedwait(&rt, &si, &zero) > 0) {
    }
    setrlimit(RLIMIT_SIGPENDING, &old);

    /* Another process's values arrive in order. */
    int ready[2];
    pipe(ready);
    pid_t c = fork();
    if (c == 0) {
        sigprocmask(SIG_BLOCK, &rt, NULL);
        write(ready[1], "r", 1);
        int sum = 0, ok = 1;
        for (int i = 0; i < 5; i++) {
            siginfo_t ci;
            if (sigwaitinfo(&rt, &ci) != SIGRTMIN || ci.si_value.sival_int != 10 + i || ci.si_code != SI_QUEUE)
                ok = 0;
            sum += ci.si_value.sival_int;
        }
        _exit(ok ? sum : 1);
    }
    char b;
    read(ready[0], &b, 1);
    for (int i = 0; i < 5; i++) {
        union sigval sv;
        sv.sival_int = 10 + i;
        sigqueue(c, SIGRTMIN, sv);
    }
    int st;
    waitpid(c, &st, 0);
    SHOW("child_sum", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    FINISH();
}
