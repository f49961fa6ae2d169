/* signalfd(2)/signalfd4(2): blocked signals read as signalfd_siginfo
 * records, readiness under poll and epoll, changing the mask of an
 * existing fd, and the errors. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

int main(void)
{
    BEGIN("signalfd");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);

    CHECK("bad_size", syscall(SYS_signalfd4, -1, &set, 4, 0));
    CHECK("bad_flags", signalfd(-1, &set, 1));
    CHECK("bad_mask_ptr", syscall(SYS_signalfd4, -1, BADPTR, 8, 0));
    CHECK("bad_fd", signalfd(999, &set, 0));
    CHECK("not_signalfd", signalfd(1, &set, 0));
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK("create", fd);
    BOOL("cloexec", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    struct signalfd_siginfo si[4];
    CHECK("read_empty", read(fd, si, sizeof si));
    CHECK("read_short", read(fd, si, 64));
    CHECK("write", write(fd, si, sizeof si[0]));
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECKV("poll_empty", poll(&p, 1, 0));

    /* kill(2): pid and uid of the sender. */
    CHECK("kill_usr1", kill(getpid(), SIGUSR1));
    CHECKV("poll_pending", poll(&p, 1, 0));
    memset(si, 0, sizeof si);
    CHECKV("read_one", read(fd, si, sizeof si));
    SHOW("kill_record", "signo=%u code=%d pid_is_me=%d uid=%u", si[0].ssi_signo, si[0].ssi_code,
         si[0].ssi_pid == (uint32_t)getpid(), si[0].ssi_uid);

    /* Two pending at once come back in one read, lowest number first. */
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    memset(si, 0, sizeof si);
    CHECKV("read_two", read(fd, si, sizeof si));
    SHOW("order", "%u %u", si[0].ssi_signo, si[1].ssi_signo);

    /* sigqueue(3): the value arrives in ssi_int and ssi_ptr. */
    union sigval v = {.sival_int = 4242};
    CHECK("sigqueue", sigqueue(getpid(), SIGRTMIN, v));
    memset(si, 0, sizeof si);
    CHECKV("read_queued", read(fd, si, sizeof si));
    SHOW("queued_record", "rt=%d code=%d int=%d ptr=%llu", si[0].ssi_signo == (uint32_t)SIGRTMIN,
         si[0].ssi_code, si[0].ssi_int, (unsigned long long)si[0].ssi_ptr);

    /* SIGCHLD: the child's pid and exit status. */
    pid_t c = fork();
    if (c == 0)
        _exit(9);
    p.revents = 0;
    CHECKV("poll_sigchld", poll(&p, 1, 5000));
    memset(si, 0, sizeof si);
    CHECKV("read_sigchld", read(fd, si, sizeof si));
    SHOW("chld_record", "signo=%u code=%d pid_ok=%d status=%d", si[0].ssi_signo, si[0].ssi_code,
         si[0].ssi_pid == (uint32_t)c, si[0].ssi_status);
    waitpid(c, NULL, 0);

    /* epoll wakes on a signal sent while it waits (from a child). */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7}, got;
    CHECK("epoll_add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    pid_t parent = getpid();
    c = fork();
    if (c == 0) {
        usleep(30000);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    CHECKV("epoll_wait", epoll_wait(ep, &got, 1, 5000));
    BOOL("epoll_data", got.data.u64 == 7);
    CHECKV("read_after_epoll", read(fd, si, sizeof si[0]));
    SHOW("epoll_signal", "%u", si[0].ssi_signo);
    waitpid(c, NULL, 0);
    read(fd, si, sizeof si); /* the SIGCHLD of that child */

    /* Changing the mask of an existing fd: same fd back. */
    sigset_t only2;
    sigemptyset(&only2);
    sigaddset(&only2, SIGUSR2);
    CHECKV("remask_same_fd", signalfd(fd, &only2, 0) == fd);
    kill(getpid(), SIGUSR1);
    CHECK("read_unmasked", read(fd, si, sizeof si));
    sigset_t pend;
    sigpending(&pend);
    BOOL("usr1_still_pending", sigismember(&pend, SIGUSR1));
    /* Ignoring a signal discards it where it is pending. */
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    BOOL("ignore_discards_pending", !sigismember(&pend, SIGUSR1));
    kill(getpid(), SIGUSR1);
    sigpending(&pend);
    BOOL("blocked_ignored_is_kept", sigismember(&pend, SIGUSR1));

    /* A blocking signalfd waits for the signal. */
    int bfd = signalfd(-1, &only2, 0);
    c = fork();
    if (c == 0) {
        usleep(30000);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    CHECKV("blocking_read", read(bfd, si, sizeof si[0]));
    SHOW("blocking_signal", "%u", si[0].ssi_signo);
    waitpid(c, NULL, 0);
    printf("== done ==\n");
    return 0;
}
