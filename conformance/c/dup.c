#include "check.h"

int main(void)
{
    BEGIN("dup");
    make_tmpdir("dup");
    write_file("f", "abcdef");
    int fd = open("f", O_RDWR | O_CLOEXEC);
    int d = dup(fd);
    CHECK("dup", d);
    BOOL("dup_lowest", d == fd + 1);
    CHECKV("dup_clears_cloexec", fcntl(d, F_GETFD));
    lseek(fd, 2, SEEK_SET);
    CHECKV("shared_offset", lseek(d, 0, SEEK_CUR));
    fcntl(fd, F_SETFL, O_APPEND);
    BOOL("shared_status_flags", fcntl(d, F_GETFL) & O_APPEND);
    CHECKV("dup_badfd", dup(-1));
    CHECKV("dup_closed", dup(500));

    CHECKV("dup2_same_fd_returns_fd", dup2(fd, fd) == fd);
    CHECKV("dup2_same_badfd", dup2(600, 600));
    int t = dup2(fd, 40);
    CHECKV("dup2_to_40", t);
    CHECKV("dup2_cloexec_clear", fcntl(40, F_GETFD));
    /* dup2 onto an open fd silently closes it */
    int other = open("f", O_RDONLY);
    lseek(other, 5, SEEK_SET);
    BOOL("dup2_over_open_returns_newfd", dup2(fd, other) == other);
    CHECKV("dup2_over_open_offset", lseek(other, 0, SEEK_CUR));
    CHECKV("dup2_bad_old", dup2(-1, 41));
    CHECKV("dup2_bad_new", dup2(fd, -1));
    CHECKV("dup2_huge_new", dup2(fd, 1 << 30));
    CHECKV("fd41_unaffected", fcntl(41, F_GETFD));

    CHECKV("dup3", dup3(fd, 42, 0));
    CHECKV("dup3_no_cloexec", fcntl(42, F_GETFD));
    CHECKV("dup3_cloexec", dup3(fd, 43, O_CLOEXEC));
    CHECKV("dup3_cloexec_flag", fcntl(43, F_GETFD));
    CHECKV("dup3_same_fd", dup3(fd, fd, 0));
    CHECKV("dup3_bad_flags", dup3(fd, 44, O_APPEND));
    CHECKV("dup3_bad_old", dup3(-1, 44, 0));
    CHECKV("raw_dup2_syscall", syscall(SYS_dup2, fd, 45));
    CHECKV("raw_dup3_syscall", syscall(SYS_dup3, fd, 46, O_CLOEXEC));
    /* closing one dup leaves the other usable */
    close(fd);
    char buf[8] = {0};
    CHECKV("read_via_dup_after_close", pread(d, buf, 3, 0));
    SHOW("data", "%s", buf);
    /* duplicating stdout works and writes land on stdout */
    int so = dup(1);
    fflush(stdout);
    CHECKV("write_via_dup_stdout", write(so, "via-dup\n", 8));
    close(so);
    FINISH();
}
