/* POSIX timers on CPU clocks: a process CPU-time timer fires after that
 * much CPU time (not during a sleep), with SI_TIMER and its sigev_value;
 * periodic ones keep firing; TIMER_ABSTIME counts on the clock itself; a
 * thread CPU-time timer with SIGEV_THREAD_ID signals that thread;
 * timer_gettime reports what is left; bad clocks are EINVAL. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

static volatile sig_atomic_t fired, code_ok, value_seen, tid_seen;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    fired++;
    code_ok = si->si_code == SI_TIMER;
    value_seen = si->si_value.sival_int;
    tid_seen = (sig_atomic_t)syscall(SYS_gettid);
}

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Burns CPU until `n` expiries were seen or 3 s of wall time passed. */
static void burn_until(int n)
{
    double end = wall() + 3;
    volatile unsigned long x = 0;
    while (fired < n && wall() < end)
        for (int i = 0; i < 100000; i++)
            x++;
}

static timer_t make(clockid_t clock, int value, int thread)
{
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = thread ? SIGEV_THREAD_ID : SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    sev.sigev_value.sival_int = value;
    if (thread)
        sev._sigev_un._tid = (int)syscall(SYS_gettid);
    timer_t id = 0;
    if (timer_create(clock, &sev, &id) != 0)
        printf("timer_create failed: %s\n", errname(errno));
    return id;
}

static void arm(timer_t id, long ms, long period_ms, int flags)
{
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000L;
    its.it_interval.tv_nsec = period_ms * 1000000L;
    timer_settime(id, flags, &its, NULL);
}

int main(void)
{
    BEGIN("cpu_timers");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_timer;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);

    timer_t p = make(CLOCK_PROCESS_CPUTIME_ID, 41, 0);
    arm(p, 30, 0, 0);
    struct itimerspec cur;
    timer_gettime(p, &cur);
    BOOL("gettime_left_positive", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
                                      cur.it_value.tv_nsec <= 30000000);
    usleep(100000);
    SHOW("fired_during_sleep", "%d", (int)fired);
    burn_until(1);
    SHOW("fired_after_cpu", "%d", (int)fired);
    BOOL("si_code_timer", code_ok);
    SHOW("si_value", "%d", (int)value_seen);
    timer_gettime(p, &cur);
    BOOL("disarmed_after", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

    /* Periodic. */
    fired = 0;
    arm(p, 10, 10, 0);
    burn_until(4);
    BOOL("periodic_fired_4", fired >= 4);
    arm(p, 0, 0, 0);

    /* Absolute, on the clock itself. */
    fired = 0;
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    struct itimerspec abs;
    memset(&abs, 0, sizeof abs);
    abs.it_value = now;
    abs.it_value.tv_nsec += 20000000;
    if (abs.it_value.tv_nsec >= 1000000000) {
        abs.it_value.tv_sec++;
        abs.it_value.tv_nsec -= 1000000000;
    }
    CHECK("settime_abstime", timer_settime(p, TIMER_ABSTIME, &abs, NULL));
    burn_until(1);
    SHOW("abstime_fired", "%d", (int)fired);
    CHECK("delete", timer_delete(p));

    /* A thread clock, signalling that thread. */
    fired = 0;
    timer_t th = make(CLOCK_THREAD_CPUTIME_ID, 7, 1);
    arm(th, 20, 0, 0);
    burn_until(1);
    SHOW("thread_timer_fired", "%d", (int)fired);
    BOOL("on_this_thread", tid_seen == (sig_atomic_t)syscall(SYS_gettid));
    timer_delete(th);

    /* Bad clocks. */
    timer_t bad;
    errno = 0;
    CHECK("bad_cpu_clock_kind", timer_create((clockid_t)((~0u << 3) | 3), NULL, &bad));
    CHECK("missing_pid_clock", timer_create((clockid_t)((~0x3ffff0u << 3) | 2), NULL, &bad));
    FINISH();
}
