/* CPU time: the CPU clocks, times(2), getrusage(2), wait4's rusage and
 * the CPU-time itimers count the program's own CPU time.
 *
 * Timing checks only bound from below, or generously from above. Busy
 * loops make a syscall every few thousand iterations so a signal reaches
 * them wherever signals are delivered on syscall entry. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long tv_ns(struct timeval t) { return t.tv_sec * 1000000000LL + t.tv_usec * 1000LL; }

static long long clock_ns(clockid_t c)
{
    struct timespec t;
    if (clock_gettime(c, &t) != 0)
        return -1;
    return ns(t);
}

static volatile sig_atomic_t vtalrm, prof;
static void on_vtalrm(int s) { (void)s; vtalrm++; }
static void on_prof(int s) { (void)s; prof++; }

/* Burns `ms` of this thread's CPU time, or stops early once *stop is set. */
static void burn(long long ms, volatile sig_atomic_t *stop)
{
    long long end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + ms * 1000000LL;
    volatile unsigned long x = 0;
    while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end && !(stop && *stop))
        for (int i = 0; i < 20000; i++)
            x += i;
}

static long long rusage_ns(int who, long long *sys)
{
    struct rusage ru;
    if (getrusage(who, &ru) != 0)
        return -1;
    if (sys)
        *sys = tv_ns(ru.ru_stime);
    return tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
}

static int idle_pipe[2];
static long long idle_thread_ns = -1, idle_thread_clock_ns = -1;
static void *idle_thread(void *arg)
{
    (void)arg;
    char c;
    if (read(idle_pipe[0], &c, 1) != 1)
        return NULL;
    idle_thread_ns = rusage_ns(RUSAGE_THREAD, NULL);
    idle_thread_clock_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

int main(void)
{
    BEGIN("cputime");
    struct timespec r;

    /* Clocks and their resolution. */
    CHECK("process_clock", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &r));
    CHECK("thread_clock", clock_gettime(CLOCK_THREAD_CPUTIME_ID, &r));
    CHECK("res_process", clock_getres(CLOCK_PROCESS_CPUTIME_ID, &r));
    SHOW("res_process_value", "%ld.%09ld", (long)r.tv_sec, r.tv_nsec);
    CHECK("res_thread", clock_getres(CLOCK_THREAD_CPUTIME_ID, &r));
    SHOW("res_thread_value", "%ld.%09ld", (long)r.tv_sec, r.tv_nsec);
    clockid_t self_clock, thread_clock;
    CHECKV("getcpuclockid_self", clock_getcpuclockid(0, &self_clock));
    CHECKV("getcpuclockid_pid", clock_getcpuclockid(getpid(), &self_clock));
    CHECK("pid_clock_gettime", clock_gettime(self_clock, &r));
    CHECK("pid_clock_getres", clock_getres(self_clock, &r));
    SHOW("pid_clock_res_value", "%ld.%09ld", (long)r.tv_sec, r.tv_nsec);
    CHECKV("pthread_getcpuclockid", pthread_getcpuclockid(pthread_self(), &thread_clock));
    CHECK("tid_clock_gettime", clock_gettime(thread_clock, &r));
    clockid_t bad;
    /* A process that does not exist. */
    CHECKV("getcpuclockid_nopid", clock_getcpuclockid(0x3ffffff, &bad));
    CHECK("bad_cpu_clock_kind", clock_gettime((clockid_t)((~0u << 3) | 3), &r));

    /* A busy loop of 60 ms: the process clock advances by at least 30 ms
     * and by no more than the wall time; so does every other view. */
    struct tms t0, t1;
    times(&t0);
    long long w0 = clock_ns(CLOCK_MONOTONIC);
    long long p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long th0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    long long pid0 = clock_ns(self_clock);
    long long tid0 = clock_ns(thread_clock);
    long long ru0 = rusage_ns(RUSAGE_SELF, NULL);
    long long rt0 = rusage_ns(RUSAGE_THREAD, NULL);
    burn(60, NULL);
    long long ru1 = rusage_ns(RUSAGE_SELF, NULL);
    long long rt1 = rusage_ns(RUSAGE_THREAD, NULL);
    long long tid1 = clock_ns(thread_clock);
    long long pid1 = clock_ns(self_clock);
    long long th1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    long long p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long w1 = clock_ns(CLOCK_MONOTONIC);
    times(&t1);
    BOOL("process_clock_ge_30ms", p1 - p0 >= 30000000LL);
    BOOL("process_clock_le_wall", p1 - p0 <= w1 - w0);
    BOOL("thread_clock_ge_30ms", th1 - th0 >= 30000000LL);
    BOOL("thread_clock_le_process_clock", th1 - th0 <= p1 - p0);
    BOOL("pid_clock_ge_30ms", pid1 - pid0 >= 30000000LL);
    BOOL("tid_clock_ge_30ms", tid1 - tid0 >= 30000000LL);
    BOOL("rusage_self_ge_30ms", ru1 - ru0 >= 30000000LL);
    BOOL("rusage_self_le_wall", ru1 - ru0 <= w1 - w0 + 1000000LL);
    BOOL("rusage_thread_ge_30ms", rt1 - rt0 >= 30000000LL);
    BOOL("times_cpu_ge_3_ticks",
         (t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime) >= 3);
    BOOL("times_utime_increases", t1.tms_utime > t0.tms_utime);
    BOOL("process_clock_ge_thread_clock", p1 >= th1);

    /* A thread blocked all along used little CPU time. */
    pthread_t idle;
    CHECK("pipe", pipe(idle_pipe));
    CHECKV("pthread_create", pthread_create(&idle, NULL, idle_thread, NULL));
    burn(40, NULL);
    clockid_t idle_clock;
    CHECKV("idle_getcpuclockid", pthread_getcpuclockid(idle, &idle_clock));
    long long idle_seen = clock_ns(idle_clock);
    BOOL("idle_thread_clock_from_outside_small", idle_seen >= 0 && idle_seen < 20000000LL);
    CHECKV("wake_idle", (int)write(idle_pipe[1], "x", 1));
    CHECKV("pthread_join", pthread_join(idle, NULL));
    BOOL("idle_rusage_thread_small", idle_thread_ns >= 0 && idle_thread_ns < 20000000LL);
    BOOL("idle_thread_clock_small", idle_thread_clock_ns >= 0 && idle_thread_clock_ns < 20000000LL);
    BOOL("process_keeps_ended_thread_time",
         clock_ns(CLOCK_PROCESS_CPUTIME_ID) >= p1 + 30000000LL);

    /* ITIMER_VIRTUAL counts CPU time: it does not fire while sleeping... */
    signal(SIGVTALRM, on_vtalrm);
    signal(SIGPROF, on_prof);
    struct itimerval it = {{0, 0}, {0, 20000}}, old;
    CHECK("setitimer_virtual", setitimer(ITIMER_VIRTUAL, &it, NULL));
    CHECK("getitimer_virtual", getitimer(ITIMER_VIRTUAL, &old));
    BOOL("getitimer_virtual_armed",
         old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0);
    struct timespec sl = {0, 40000000};
    nanosleep(&sl, NULL);
    BOOL("virtual_not_fired_while_sleeping", vtalrm == 0);
    /* ...and fires during a busy loop. */
    burn(1000, &vtalrm);
    BOOL("virtual_fired_while_busy", vtalrm == 1);
    CHECK("getitimer_virtual_after", getitimer(ITIMER_VIRTUAL, &old));
    BOOL("virtual_disarmed_after_firing", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);

    /* A periodic ITIMER_PROF fires again and again. */
    it = (struct itimerval){{0, 10000}, {0, 10000}};
    CHECK("setitimer_prof", setitimer(ITIMER_PROF, &it, NULL));
    long long pw0 = clock_ns(CLOCK_MONOTONIC);
    while (prof < 3 && clock_ns(CLOCK_MONOTONIC) - pw0 < 5000000000LL)
        burn(5, NULL);
    BOOL("prof_fired_three_times", prof >= 3);
    it = (struct itimerval){{0, 0}, {0, 0}};
    CHECK("setitimer_prof_off", setitimer(ITIMER_PROF, &it, &old));
    BOOL("prof_old_interval", old.it_interval.tv_sec == 0 && old.it_interval.tv_usec == 10000);
    CHECK("bad_which", setitimer(3, &it, NULL));
    CHECK("bad_which_get", getitimer(-1, &old));

    /* A child's CPU time becomes the parent's children's time when the
     * parent reaps it, not before. */
    long long c0 = rusage_ns(RUSAGE_CHILDREN, NULL);
    BOOL("no_children_time_yet", c0 == 0);
    long long self_before = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    pid_t pid = fork();
    if (pid == 0) {
        burn(60, NULL);
        _exit(0);
    }
    /* Wait for it to end without reaping it. */
    siginfo_t si;
    CHECK("waitid_nowait", waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
    BOOL("children_time_only_after_reaping", rusage_ns(RUSAGE_CHILDREN, NULL) == 0);
    /* Another process's clock is readable, not its threads' clocks. */
    long long child_clock = clock_ns((clockid_t)((~(unsigned)pid << 3) | 2));
    BOOL("child_process_clock_ge_30ms", child_clock >= 30000000LL);
    CHECK("child_thread_clock_refused",
          clock_gettime((clockid_t)((~(unsigned)pid << 3) | 4 | 2), &r));
    BOOL("child_time_not_the_parents",
         clock_ns(CLOCK_PROCESS_CPUTIME_ID) - self_before < 20000000LL);
    int status;
    struct rusage ru;
    CHECKV("wait4_child", wait4(pid, &status, 0, &ru) == pid);
    BOOL("wait4_rusage_ge_30ms", tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) >= 30000000LL);
    long long cs;
    long long c1 = rusage_ns(RUSAGE_CHILDREN, &cs);
    BOOL("rusage_children_ge_30ms", c1 >= 30000000LL);
    BOOL("rusage_children_matches_wait4",
         c1 == tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime));
    struct tms tc;
    times(&tc);
    BOOL("times_children_ge_3_ticks", tc.tms_cutime + tc.tms_cstime >= 3);
    CHECK("bad_who", getrusage(2, &ru));
    FINISH();
}
