/* timerfd_create(2), timerfd_settime(2), timerfd_gettime(2): one-shot and
 * periodic timers, absolute deadlines, reads that count missed expiries,
 * poll and epoll readiness, and the errors of each call. */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

static struct itimerspec its(long ms, long every_ms)
{
    struct itimerspec v = {
        .it_value = {ms / 1000, (ms % 1000) * 1000000},
        .it_interval = {every_ms / 1000, (every_ms % 1000) * 1000000},
    };
    return v;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
    BEGIN("timerfd");
    CHECK("create_bad_clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
    CHECK("create_bad_flags", timerfd_create(CLOCK_MONOTONIC, 1));
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    CHECK("create", fd);
    BOOL("cloexec", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    BOOL("nonblock", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    uint64_t n = 0;
    CHECK("read_disarmed", read(fd, &n, 8));
    CHECK("read_short", read(fd, &n, 4));
    CHECK("write", write(fd, &n, 8));
    CHECK("lseek", lseek(fd, 0, SEEK_SET));

    struct itimerspec v = its(0, 0), cur;
    v.it_value.tv_nsec = 1000000000;
    CHECK("settime_bad_nsec", timerfd_settime(fd, 0, &v, NULL));
    v = its(10, 0);
    CHECK("settime_bad_flags", timerfd_settime(fd, 4, &v, NULL));
    CHECK("settime_bad_fd", timerfd_settime(999, 0, &v, NULL));
    CHECK("settime_not_timerfd", timerfd_settime(1, 0, &v, NULL));
    CHECK("settime_null", timerfd_settime(fd, 0, NULL, NULL));
    CHECK("gettime_not_timerfd", timerfd_gettime(1, &cur));
    CHECK("gettime_bad_ptr", timerfd_gettime(fd, BADPTR));

    /* One-shot, blocking read. */
    int bfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct timespec t0;
    v = its(5000, 0);
    CHECK("arm_long", timerfd_settime(bfd, 0, &v, NULL));
    CHECK("gettime_armed", timerfd_gettime(bfd, &cur));
    BOOL("remaining_in_range", cur.it_value.tv_sec == 4 && cur.it_interval.tv_sec == 0 &&
                                   cur.it_interval.tv_nsec == 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    v = its(30, 0);
    CHECK("arm_oneshot", timerfd_settime(bfd, 0, &v, NULL));
    CHECKV("read_oneshot", read(bfd, &n, 8));
    BOOL("oneshot_count_1", n == 1);
    BOOL("waited_30ms", ms_since(&t0) >= 29);
    CHECK("gettime_spent", timerfd_gettime(bfd, &cur));
    BOOL("spent_is_zero", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

    /* Periodic: a late reader gets every expiry it missed. */
    v = its(10, 10);
    CHECK("arm_periodic", timerfd_settime(fd, 0, &v, NULL));
    usleep(65000);
    CHECKV("read_periodic", read(fd, &n, 8));
    BOOL("missed_counted", n >= 6);
    CHECK("gettime_periodic", timerfd_gettime(fd, &cur));
    BOOL("periodic_interval", cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 10000000 &&
                                  cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 10000000);
    /* Re-arming reports the old setting and drops unread expiries. */
    usleep(25000);
    struct itimerspec old;
    v = its(0, 0);
    CHECK("disarm", timerfd_settime(fd, 0, &v, &old));
    BOOL("old_interval", old.it_interval.tv_nsec == 10000000);
    CHECK("read_after_disarm", read(fd, &n, 8));

    /* poll and epoll see it readable at its expiry. */
    v = its(150, 0);
    CHECK("arm_for_poll", timerfd_settime(fd, 0, &v, NULL));
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECKV("poll_before", poll(&p, 1, 0));
    CHECKV("poll_wait", poll(&p, 1, 5000));
    BOOL("poll_pollin", p.revents == POLLIN);
    CHECKV("read_after_poll", read(fd, &n, 8));
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42}, got;
    CHECK("epoll_add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    v = its(20, 0);
    CHECK("arm_for_epoll", timerfd_settime(fd, 0, &v, NULL));
    CHECKV("epoll_wait", epoll_wait(ep, &got, 1, 5000));
    BOOL("epoll_data", got.data.u64 == 42 && (got.events & EPOLLIN));

    /* Absolute deadlines, on the timer's own clock. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    v = its(0, 0);
    v.it_value = now;
    v.it_value.tv_nsec += 30000000;
    if (v.it_value.tv_nsec >= 1000000000) {
        v.it_value.tv_sec++;
        v.it_value.tv_nsec -= 1000000000;
    }
    CHECK("arm_abs", timerfd_settime(bfd, TFD_TIMER_ABSTIME, &v, NULL));
    CHECKV("read_abs", read(bfd, &n, 8));
    BOOL("abs_waited", ms_since(&now) >= 29);
    v.it_value.tv_sec = now.tv_sec - 1;
    CHECK("arm_abs_past", timerfd_settime(bfd, TFD_TIMER_ABSTIME, &v, NULL));
    struct pollfd q = {.fd = bfd, .events = POLLIN};
    CHECKV("abs_past_ready", poll(&q, 1, 1000));
    int rfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    v = its(0, 0);
    v.it_value.tv_sec = wall.tv_sec + 3600;
    CHECK("arm_realtime_abs", timerfd_settime(rfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &v, NULL));
    CHECK("gettime_realtime", timerfd_gettime(rfd, &cur));
    BOOL("realtime_hour_left", cur.it_value.tv_sec >= 3598 && cur.it_value.tv_sec <= 3600);
    CHECK("read_realtime_early", read(rfd, &n, 8));
    /* A huge value is accepted and simply never expires. */
    v = its(0, 0);
    v.it_value.tv_sec = 0x7fffffffffffffffL;
    CHECK("arm_far_future", timerfd_settime(rfd, 0, &v, NULL));
    CHECK("read_far_future", read(rfd, &n, 8));
    printf("== done ==\n");
    return 0;
}
