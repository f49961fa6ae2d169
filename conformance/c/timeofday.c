#include "check.h"
#include <time.h>
#include <sys/time.h>
#include <sys/times.h>

int main(void)
{
    BEGIN("timeofday");
    struct timeval tv;
    struct timespec ts;
    CHECK("gettimeofday", gettimeofday(&tv, NULL));
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t t = time(NULL);
    long d1 = (long)(ts.tv_sec - tv.tv_sec);
    long d2 = (long)(t - ts.tv_sec);
    BOOL("tod_vs_realtime_within_2s", d1 >= 0 && d1 <= 2);
    BOOL("time_vs_realtime_within_2s", d2 >= -1 && d2 <= 2);
    BOOL("usec_in_range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    time_t t2;
    BOOL("time_arg_matches", time(&t2) == t2);
    long raw = syscall(SYS_time, NULL);
    BOOL("raw_time_close", raw - t >= 0 && raw - t <= 2);
    CHECK("raw_gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
    struct timezone tz;
    CHECK("gettimeofday_tz", syscall(SYS_gettimeofday, &tv, &tz));
    CHECK("settimeofday_bad_usec", settimeofday(&(struct timeval){0, 2000000}, NULL));
    struct tms tm;
    clock_t c = times(&tm);
    BOOL("times_ok", c != (clock_t)-1);
    BOOL("tms_nonneg", tm.tms_utime >= 0 && tm.tms_stime >= 0);
    CHECK("times_efault", syscall(SYS_times, BADPTR));
    /* gmtime of a fixed instant (pure libc, checks TZ-independence) */
    time_t fixed = 1234567890;
    struct tm g;
    gmtime_r(&fixed, &g);
    SHOW("gmtime_fixed", "%04d-%02d-%02d %02d:%02d:%02d", g.tm_year + 1900, g.tm_mon + 1,
         g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec);
    FINISH();
}
