/* epoll(7) and eventfd(2): readiness of pipes and eventfds, level, edge
 * and one-shot triggering, the interest-list errors, and a wait that a
 * child's write ends. */
#include "check.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

int main(void)
{
    BEGIN("epoll");
    make_tmpdir("epoll");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK("epoll_create1", ep);
    CHECK("epoll_create1_bad_flags", epoll_create1(0x1234));
    CHECK("epoll_create_zero", epoll_create(0));
    int p[2];
    pipe(p);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77}, out[8];
    CHECK("ctl_add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK("ctl_add_again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK("ctl_self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    CHECK("ctl_mod_missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    CHECK("ctl_bad_op", epoll_ctl(ep, 99, p[0], &ev));
    CHECK("ctl_bad_fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
    int f = open("file", O_CREAT | O_RDWR, 0644);
    CHECK("ctl_regular_file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
    CHECK("ctl_not_epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
    CHECKV("wait_empty", epoll_wait(ep, out, 8, 0));
    write(p[1], "ab", 2);
    CHECKV("wait_level", epoll_wait(ep, out, 8, 0));
    SHOW("data", "%llu", (unsigned long long)out[0].data.u64);
    SHOW("events", "%#x", out[0].events);
    CHECKV("wait_level_again", epoll_wait(ep, out, 8, 0));
    CHECK("wait_bad_max", epoll_wait(ep, out, 0, 0));
    ev.events = EPOLLIN | EPOLLONESHOT;
    CHECK("ctl_mod_oneshot", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECKV("oneshot_first", epoll_wait(ep, out, 8, 0));
    CHECKV("oneshot_then_silent", epoll_wait(ep, out, 8, 0));
    CHECK("ctl_del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK("ctl_del_again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

    int efd = eventfd(3, EFD_NONBLOCK);
    CHECK("eventfd", efd);
    uint64_t v = 0;
    CHECKV("eventfd_read", read(efd, &v, 8));
    SHOW("eventfd_value", "%llu", (unsigned long long)v);
    CHECKV("eventfd_read_empty", read(efd, &v, 8));
    v = 5;
    CHECKV("eventfd_write", write(efd, &v, 8));
    CHECKV("eventfd_short_read", read(efd, &v, 4));
    v = UINT64_MAX;
    CHECKV("eventfd_write_max", write(efd, &v, 8));
    CHECK("eventfd_bad_flags", eventfd(0, 0x4000000));
    int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    read(sem, &v, 8);
    SHOW("semaphore_read", "%llu", (unsigned long long)v);
    ev.events = EPOLLIN;
    ev.data.u64 = 5;
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    CHECKV("eventfd_ready", epoll_wait(ep, out, 8, 0));

    /* A blocking wait ended by a child's write. */
    int ep2 = epoll_create1(0);
    int q[2];
    pipe(q);
    ev.events = EPOLLIN;
    ev.data.u64 = 9;
    epoll_ctl(ep2, EPOLL_CTL_ADD, q[0], &ev);
    pid_t c = fork();
    if (c == 0) {
        usleep(20000);
        write(q[1], "x", 1);
        _exit(0);
    }
    CHECKV("wait_blocking", epoll_wait(ep2, out, 8, 5000));
    SHOW("blocking_data", "%llu", (unsigned long long)out[0].data.u64);
    waitpid(c, NULL, 0);
    close(q[1]);
    char buf[4];
    read(q[0], buf, 1);
    CHECKV("hup_after_close", epoll_wait(ep2, out, 8, 0));
    SHOW("hup_events", "%#x", out[0].events);
    FINISH();
}
