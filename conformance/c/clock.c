#include "check.h"
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void)
{
    BEGIN("clock");
    struct timespec a, b, r;
    CHECK("monotonic", clock_gettime(CLOCK_MONOTONIC, &a));
    int nondec = 1;
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (ns(b) < ns(a))
            nondec = 0;
        a = b;
    }
    BOOL("monotonic_nondecreasing", nondec);
    BOOL("nsec_in_range", b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
    CHECK("raw_syscall_monotonic", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
    BOOL("raw_not_before_vdso", ns(b) >= ns(a));
    CHECK("res_monotonic", clock_getres(CLOCK_MONOTONIC, &r));
    SHOW("res_monotonic_value", "%ld.%09ld", (long)r.tv_sec, r.tv_nsec);
    CHECK("res_realtime", clock_getres(CLOCK_REALTIME, &r));
    SHOW("res_realtime_value", "%ld.%09ld", (long)r.tv_sec, r.tv_nsec);
    CHECK("raw_res_monotonic", syscall(SYS_clock_getres, CLOCK_MONOTONIC, &r));
    SHOW("raw_res_value", "%ld.%09ld", (long)r.tv_sec, r.tv_nsec);
    CHECK("res_null_ok", clock_getres(CLOCK_MONOTONIC, NULL));
    CHECK("realtime", clock_gettime(CLOCK_REALTIME, &a));
    BOOL("realtime_after_2020", a.tv_sec > 1577836800);
    CHECK("monotonic_raw", clock_gettime(CLOCK_MONOTONIC_RAW, &a));
    CHECK("monotonic_coarse", clock_gettime(CLOCK_MONOTONIC_COARSE, &a));
    CHECK("realtime_coarse", clock_gettime(CLOCK_REALTIME_COARSE, &a));
    struct timespec mono, boot;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    CHECK("boottime", clock_gettime(CLOCK_BOOTTIME, &boot));
    BOOL("boottime_ge_monotonic", ns(boot) >= ns(mono));
    CHECK("process_cputime", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a));
    CHECK("thread_cputime", clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b));
    BOOL("cputime_small_nonneg", a.tv_sec >= 0 && a.tv_sec < 60);
    /* busy loop: process CPU time advances */
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 20000000UL; i++)
        x += i;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    BOOL("cputime_advances", ns(c1) > ns(c0));
    CHECK("bad_clock", clock_gettime(12345, &a));
    CHECK("bad_clock_raw", syscall(SYS_clock_gettime, 12345, &a));
    CHECK("bad_clock_res", clock_getres(-100, &r));
    CHECK("settime_bad_clock", clock_settime(CLOCK_MONOTONIC, &a));
    /* pid-based CPU clock of self */
    clockid_t cid;
    CHECK("getcpuclockid", clock_getcpuclockid(0, &cid));
    CHECK("cpuclock_gettime", clock_gettime(cid, &a));
    FINISH();
}
