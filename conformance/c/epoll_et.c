/* Edge-triggered epoll on pipes: an entry reports once per event on its
 * own file (new data for a reader, room for a writer), not again while
 * nothing happened to it, whatever happens to other files; the same on an
 * eventfd; level-triggered entries report while ready. */
#include "check.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

static int wait0(int ep)
{
    struct epoll_event ev[4];
    return epoll_wait(ep, ev, 4, 0);
}

int main(void)
{
    BEGIN("epoll_et");
    int a[2], b[2];
    pipe(a);
    pipe(b);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 1};
    CHECK("add_et", epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev));
    SHOW("empty", "%d", wait0(ep));
    write(a[1], "x", 1);
    SHOW("after_write", "%d", wait0(ep));
    SHOW("again_no_event", "%d", wait0(ep));
    write(b[1], "y", 1);
    SHOW("other_pipe_written", "%d", wait0(ep));
    char c;
    read(b[0], &c, 1);
    SHOW("other_pipe_read", "%d", wait0(ep));
    write(a[1], "z", 1);
    SHOW("more_data", "%d", wait0(ep));
    read(a[0], &c, 1);
    SHOW("own_read_leaves_data", "%d", wait0(ep));
    read(a[0], &c, 1);
    SHOW("drained", "%d", wait0(ep));
    close(a[1]);
    SHOW("writer_closed", "%d", wait0(ep));
    SHOW("writer_closed_again", "%d", wait0(ep));

    /* The write end: an edge when room is made. */
    int ep2 = epoll_create1(0);
    int w[2];
    pipe(w);
    struct epoll_event ev2 = {.events = EPOLLOUT | EPOLLET, .data.u32 = 2};
    CHECK("add_et_out", epoll_ctl(ep2, EPOLL_CTL_ADD, w[1], &ev2));
    SHOW("out_initial", "%d", wait0(ep2));
    SHOW("out_again", "%d", wait0(ep2));
    write(w[1], "a", 1);
    SHOW("out_after_own_write", "%d", wait0(ep2));
    read(w[0], &c, 1);
    SHOW("out_after_read", "%d", wait0(ep2));

    /* Level-triggered: reported while ready. */
    int ep3 = epoll_create1(0);
    int l[2];
    pipe(l);
    struct epoll_event ev3 = {.events = EPOLLIN, .data.u32 = 3};
    epoll_ctl(ep3, EPOLL_CTL_ADD, l[0], &ev3);
    write(l[1], "q", 1);
    SHOW("lt_1", "%d", wait0(ep3));
    SHOW("lt_2", "%d", wait0(ep3));

    /* An eventfd: a write is an event for readers, a read is not. */
    int e = eventfd(0, EFD_NONBLOCK | EFD_SEMAPHORE), o = eventfd(0, 0);
    int ep4 = epoll_create1(0);
    struct epoll_event ev4 = {.events = EPOLLIN | EPOLLET, .data.u32 = 4};
    epoll_ctl(ep4, EPOLL_CTL_ADD, e, &ev4);
    uint64_t v = 2;
    SHOW("efd_empty", "%d", wait0(ep4));
    write(e, &v, 8);
    SHOW("efd_after_write", "%d", wait0(ep4));
    SHOW("efd_again", "%d", wait0(ep4));
    write(o, &v, 8);
    SHOW("efd_other_written", "%d", wait0(ep4));
    read(e, &v, 8);
    SHOW("efd_own_read_leaves_count", "%d", wait0(ep4));
    v = 1;
    write(e, &v, 8);
    SHOW("efd_written_again", "%d", wait0(ep4));
    FINISH();
}
