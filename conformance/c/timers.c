/* alarm(2), setitimer(2) and POSIX timers: signals arrive, remaining
 * times read back, a blocking read is interrupted (EINTR without
 * SA_RESTART), and bad arguments fail as on Linux. */
#include "check.h"
#include <signal.h>
#include <time.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms, timer_hits, timer_value, timer_code;

static void on_alarm(int s) { (void)s; alarms++; }

static void on_timer(int s, siginfo_t *si, void *uc)
{
    (void)s;
    (void)uc;
    timer_hits++;
    timer_value = si->si_value.sival_int;
    timer_code = si->si_code;
}

int main(void)
{
    BEGIN("timers");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: the read gets EINTR */
    sigaction(SIGALRM, &sa, NULL);
    SHOW("alarm_none_before", "%u", alarm(1));
    int p[2];
    pipe(p);
    char c;
    CHECK("read_interrupted", read(p[0], &c, 1));
    SHOW("alarm_fired", "%d", alarms);
    SHOW("alarm_cancel_none_left", "%u", alarm(0));
    alarm(100);
    BOOL("alarm_remaining", alarm(0) >= 99);

    struct itimerval it = {{0, 20000}, {0, 20000}}, old;
    CHECK("setitimer", setitimer(ITIMER_REAL, &it, NULL));
    alarms = 0;
    while (alarms < 3)
        pause();
    BOOL("periodic_fired", alarms >= 3);
    CHECK("getitimer", getitimer(ITIMER_REAL, &old));
    BOOL("interval_kept", old.it_interval.tv_usec == 20000);
    memset(&it, 0, sizeof it);
    CHECK("setitimer_off", setitimer(ITIMER_REAL, &it, &old));
    BOOL("old_running", old.it_value.tv_sec > 0 || old.it_value.tv_usec > 0);
    it.it_value.tv_usec = 2000000;
    CHECK("setitimer_bad_usec", setitimer(ITIMER_REAL, &it, NULL));
    CHECK("setitimer_bad_which", setitimer(77, &it, NULL));

    struct sigaction ts;
    memset(&ts, 0, sizeof ts);
    ts.sa_sigaction = on_timer;
    ts.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &ts, NULL);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGUSR1;
    sev.sigev_value.sival_int = 1234;
    timer_t tid;
    CHECK("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &tid));
    struct itimerspec its = {{0, 0}, {0, 10000000}}, cur;
    CHECK("timer_settime", timer_settime(tid, 0, &its, NULL));
    while (timer_hits == 0)
        pause();
    SHOW("timer_value", "%d", timer_value);
    SHOW("timer_code_is_timer", "%d", timer_code == SI_TIMER);
    CHECK("timer_gettime", timer_gettime(tid, &cur));
    BOOL("oneshot_disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    CHECKV("timer_getoverrun", timer_getoverrun(tid));
    /* TIMER_ABSTIME reads the timer's own clock; a past time fires at
     * once. SIGUSR1 stays blocked outside sigsuspend so no hit is missed. */
    sigset_t usr1, old_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old_mask);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    timer_hits = 0;
    its.it_interval = (struct timespec){0, 0};
    its.it_value = t0;
    its.it_value.tv_nsec += 30000000;
    if (its.it_value.tv_nsec >= 1000000000) {
        its.it_value.tv_sec++;
        its.it_value.tv_nsec -= 1000000000;
    }
    CHECK("timer_settime_abs", timer_settime(tid, TIMER_ABSTIME, &its, NULL));
    while (timer_hits == 0)
        sigsuspend(&old_mask);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    BOOL("abs_waited_on_its_clock", waited_ms >= 29);
    timer_hits = 0;
    its.it_value.tv_sec = t0.tv_sec - 1;
    CHECK("timer_settime_abs_past", timer_settime(tid, TIMER_ABSTIME, &its, NULL));
    while (timer_hits == 0)
        sigsuspend(&old_mask);
    BOOL("abs_past_fired", timer_hits == 1);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    CHECK("timer_delete", timer_delete(tid));
    CHECK("timer_delete_again", timer_delete(tid));
    its.it_value.tv_nsec = 1000000000;
    CHECK("timer_create2", timer_create(CLOCK_REALTIME, NULL, &tid));
    CHECK("timer_settime_bad_nsec", timer_settime(tid, 0, &its, NULL));
    CHECK("timer_create_bad_clock", timer_create(1234, NULL, &tid));
    printf("== done ==\n");
    return 0;
}
