#include "check.h"
#include <poll.h>
#include <sys/select.h>

int main(void)
{
    BEGIN("poll");
    make_tmpdir("poll");
    write_file("f", "abc");
    int fd = open("f", O_RDWR);
    int nul = open("/dev/null", O_RDWR);
    struct pollfd p[4] = {
        {fd, POLLIN | POLLOUT, 0},
        {nul, POLLIN | POLLOUT, 0},
        {-1, POLLIN, 0},
        {999, POLLIN, 0},
    };
    CHECKV("poll", poll(p, 4, 0));
    SHOW("file_revents", "%#x", p[0].revents);
    SHOW("devnull_revents", "%#x", p[1].revents);
    SHOW("negative_fd_revents", "%#x", p[2].revents);
    SHOW("closed_fd_revents", "%#x", p[3].revents);
    CHECKV("poll_none_timeout_10ms", poll(NULL, 0, 10));
    struct timespec ts = {0, 0};
    CHECKV("ppoll", ppoll(p, 2, &ts, NULL));
    CHECKV("ppoll_bad_ts", ppoll(p, 1, &(struct timespec){0, 2000000000}, NULL));
    CHECKV("poll_efault", syscall(SYS_poll, BADPTR, 1, 0));
    CHECKV("poll_too_many", syscall(SYS_poll, p, 1UL << 30, 0));
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    struct timeval tv = {0, 0};
    CHECKV("select", select(fd + 1, &r, &w, NULL, &tv));
    BOOL("select_readable", FD_ISSET(fd, &r));
    BOOL("select_writable", FD_ISSET(fd, &w));
    FD_ZERO(&r);
    FD_SET(777, &r);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    CHECKV("select_closed_fd", select(778, &r, NULL, NULL, &tv));
    CHECKV("select_neg_nfds", select(-1, NULL, NULL, NULL, &tv));
    tv.tv_usec = 10000;
    CHECKV("select_timeout_only", select(0, NULL, NULL, NULL, &tv));
    SHOW("select_timeout_remaining_zero", "%ld", (long)tv.tv_usec);
    CHECKV("pselect", pselect(0, NULL, NULL, NULL, &(struct timespec){0, 1000}, NULL));
    close(fd);
    close(nul);
    FINISH();
}
