#include "check.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
    BEGIN("ioctl");
    make_tmpdir("ioctl");
    write_file("f", "0123456789");
    int fd = open("f", O_RDONLY);
    struct termios t;
    CHECK("tcgets_on_file", ioctl(fd, TCGETS, &t));
    CHECK("tcgetattr_on_file", tcgetattr(fd, &t));
    BOOL("isatty_file", isatty(fd));
    SHOW("isatty_errno", "%s", errname(errno));
    struct winsize ws;
    CHECK("tiocgwinsz_on_file", ioctl(fd, TIOCGWINSZ, &ws));
    int n = -1;
    lseek(fd, 3, SEEK_SET);
    CHECK("fionread_file", ioctl(fd, FIONREAD, &n));
    SHOW("fionread_remaining", "%d", n);
    CHECK("fioclex", ioctl(fd, FIOCLEX));
    CHECKV("cloexec_after_fioclex", fcntl(fd, F_GETFD));
    CHECK("fionclex", ioctl(fd, FIONCLEX));
    CHECKV("cloexec_after_fionclex", fcntl(fd, F_GETFD));
    int on = 1;
    CHECK("fionbio", ioctl(fd, FIONBIO, &on));
    BOOL("nonblock_after_fionbio", fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK("fioasync", ioctl(fd, FIOASYNC, &(int){0}));
    CHECK("bad_fd", ioctl(-1, TCGETS, &t));
    CHECK("unknown_request", ioctl(fd, 0x12345678, &t));
    CHECK("fionread_efault", ioctl(fd, FIONREAD, BADPTR));
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECK("tcgets_on_dir", ioctl(dfd, TCGETS, &t));
    close(dfd);
    int nul = open("/dev/null", O_RDWR);
    CHECK("tcgets_on_devnull", ioctl(nul, TCGETS, &t));
    BOOL("isatty_devnull", isatty(nul));
    CHECK("tiocgpgrp_on_devnull", ioctl(nul, TIOCGPGRP, &n));
    close(nul);
    BOOL("isatty_stdin_devnull", isatty(0));
    int pfd = open("f", O_PATH);
    CHECK("ioctl_on_opath", ioctl(pfd, FIONREAD, &n));
    close(pfd);
    close(fd);
    FINISH();
}
