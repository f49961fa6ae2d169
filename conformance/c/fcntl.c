#include "check.h"

int main(void)
{
    BEGIN("fcntl");
    make_tmpdir("fcntl");
    write_file("f", "0123456789");
    int fd = open("f", O_RDWR);
    CHECKV("getfd_initial", fcntl(fd, F_GETFD));
    CHECK("setfd_cloexec", fcntl(fd, F_SETFD, FD_CLOEXEC));
    CHECKV("getfd_after", fcntl(fd, F_GETFD));
    CHECK("setfd_clear", fcntl(fd, F_SETFD, 0));
    CHECKV("getfd_cleared", fcntl(fd, F_GETFD));
    CHECK("setfd_junk_bits", fcntl(fd, F_SETFD, 0xfe));
    CHECKV("getfd_junk_ignored", fcntl(fd, F_GETFD));
    fcntl(fd, F_SETFD, 0);

    int fl = fcntl(fd, F_GETFL);
    CHECKV("getfl_accmode", fl & O_ACCMODE);
    BOOL("getfl_no_append", !(fl & O_APPEND));
    CHECK("setfl_append_nonblock", fcntl(fd, F_SETFL, fl | O_APPEND | O_NONBLOCK));
    fl = fcntl(fd, F_GETFL);
    BOOL("append_set", fl & O_APPEND);
    BOOL("nonblock_set", fl & O_NONBLOCK);
    lseek(fd, 0, SEEK_SET);
    write(fd, "X", 1);
    CHECKV("append_effective_pos", lseek(fd, 0, SEEK_CUR));
    /* F_SETFL cannot change access mode or creation flags */
    CHECK("setfl_try_wronly_trunc", fcntl(fd, F_SETFL, O_WRONLY | O_TRUNC));
    fl = fcntl(fd, F_GETFL);
    CHECKV("accmode_unchanged", fl & O_ACCMODE);
    BOOL("append_cleared", !(fl & O_APPEND));
    struct stat st;
    fstat(fd, &st);
    SHOW("size_not_truncated", "%ld", (long)st.st_size);

    /* F_DUPFD */
    int d1 = fcntl(fd, F_DUPFD, 50);
    BOOL("dupfd_min50", d1 >= 50);
    int d1b = fcntl(fd, F_DUPFD, 50);
    BOOL("dupfd_next", d1b == d1 + 1);
    CHECKV("dupfd_not_cloexec", fcntl(d1, F_GETFD));
    int d2 = fcntl(fd, F_DUPFD_CLOEXEC, 60);
    BOOL("dupfd_cloexec_min60", d2 >= 60);
    CHECKV("dupfd_cloexec_flag", fcntl(d2, F_GETFD));
    CHECKV("dupfd_shares_offset",
           (lseek(fd, 3, SEEK_SET), lseek(d1, 0, SEEK_CUR)));
    CHECKV("dupfd_neg_min", fcntl(fd, F_DUPFD, -1));
    CHECKV("dupfd_huge_min", fcntl(fd, F_DUPFD, 1 << 30));
    CHECKV("getfd_badfd", fcntl(-1, F_GETFD));
    CHECKV("getfl_closed", fcntl(999, F_GETFL));
    CHECKV("bad_cmd", fcntl(fd, 0x7fff));
    /* O_PATH fds support only a subset */
    int pfd = open("f", O_PATH);
    CHECKV("opath_getfl_accmode", fcntl(pfd, F_GETFL) & (O_ACCMODE | O_PATH));
    CHECKV("opath_getfd", fcntl(pfd, F_GETFD));
    close(pfd);
    /* F_GETLK on an unlocked file reports F_UNLCK */
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK("getlk", fcntl(fd, F_GETLK, &lk));
    BOOL("getlk_unlocked", lk.l_type == F_UNLCK);
    lk.l_type = F_WRLCK;
    CHECK("setlk", fcntl(fd, F_SETLK, &lk));
    lk.l_type = F_UNLCK;
    CHECK("unlock", fcntl(fd, F_SETLK, &lk));
    int rfd = open("f", O_RDONLY);
    lk.l_type = F_WRLCK;
    CHECKV("setlk_wrlck_on_rdonly", fcntl(rfd, F_SETLK, &lk));
    lk.l_type = 42;
    CHECKV("setlk_bad_type", fcntl(fd, F_SETLK, &lk));
    close(rfd);
    close(fd);
    close(d1);
    close(d1b);
    close(d2);
    FINISH();
}
