#include "check.h"
#include <time.h>

static long long now(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void)
{
    BEGIN("nanosleep");
    long long t0 = now(CLOCK_MONOTONIC);
    struct timespec req = {0, 10 * 1000 * 1000}, rem = {7, 7};
    CHECK("nanosleep_10ms", nanosleep(&req, &rem));
    long long el = now(CLOCK_MONOTONIC) - t0;
    BOOL("elapsed_ge_10ms", el >= 10000000LL);
    BOOL("elapsed_lt_5s", el < 5000000000LL);
    CHECK("nsec_too_big", nanosleep(&(struct timespec){0, 1000000000}, NULL));
    CHECK("nsec_negative", nanosleep(&(struct timespec){0, -1}, NULL));
    CHECK("sec_negative", nanosleep(&(struct timespec){-1, 0}, NULL));
    CHECK("zero_sleep", nanosleep(&(struct timespec){0, 0}, NULL));
    CHECK("efault", syscall(SYS_nanosleep, BADPTR, NULL));

    t0 = now(CLOCK_MONOTONIC);
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    SHOW("clock_nanosleep_rel", "%d", r);
    BOOL("rel_elapsed_ge_10ms", now(CLOCK_MONOTONIC) - t0 >= 10000000LL);
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    long long target = abs.tv_sec * 1000000000LL + abs.tv_nsec + 10000000LL;
    abs.tv_sec = target / 1000000000LL;
    abs.tv_nsec = target % 1000000000LL;
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
    SHOW("clock_nanosleep_abs", "%d", r);
    BOOL("abs_reached_target", now(CLOCK_MONOTONIC) >= target);
    /* absolute time in the past returns immediately */
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &(struct timespec){0, 0}, NULL);
    SHOW("abs_past", "%d", r);
    r = clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL);
    SHOW("realtime_rel", "%d", r);
    /* clock_nanosleep returns the error number instead of setting errno */
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){0, 1000000000}, NULL);
    SHOW("clock_nanosleep_bad_nsec", "%s", errname(r));
    r = clock_nanosleep(12345, 0, &req, NULL);
    SHOW("clock_nanosleep_bad_clock", "%s", errname(r));
    r = clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL);
    SHOW("clock_nanosleep_thread_cputime", "%s", errname(r));
    CHECK("raw_bad_flags", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0x10, &req, NULL) == 0 ? 0 : -1);
    CHECK("usleep_1ms", usleep(1000));
    FINISH();
}
