#include "check.h"
#include <sys/uio.h>

int main(void)
{
    BEGIN("file_iov");
    make_tmpdir("file_iov");
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK("open", fd);
    struct iovec iov[3];
    iov[0].iov_base = "abc";
    iov[0].iov_len = 3;
    iov[1].iov_base = "";
    iov[1].iov_len = 0;
    iov[2].iov_base = "defgh";
    iov[2].iov_len = 5;
    CHECKV("writev", writev(fd, iov, 3));
    CHECKV("writev_zero_cnt", writev(fd, iov, 0));
    CHECKV("lseek", lseek(fd, 0, SEEK_SET));
    char a[2] = {0}, b[4] = {0}, c[8] = {0};
    struct iovec r[3] = {{a, 1}, {b, 3}, {c, 7}};
    CHECKV("readv", readv(fd, r, 3));
    SHOW("parts", "%s|%s|%s", a, b, c);
    CHECKV("readv_eof", readv(fd, r, 3));
    /* preadv/pwritev */
    struct iovec w[2] = {{"XY", 2}, {"Z", 1}};
    CHECKV("pwritev", pwritev(fd, w, 2, 1));
    CHECKV("pos", lseek(fd, 0, SEEK_CUR));
    memset(c, 0, sizeof c);
    struct iovec r2[1] = {{c, 7}};
    CHECKV("preadv", preadv(fd, r2, 1, 0));
    SHOW("preadv_data", "%s", c);
    /* error paths */
    CHECKV("writev_neg_cnt", writev(fd, iov, (int)opaque(-1)));
    CHECKV("readv_huge_cnt", syscall(SYS_readv, fd, r, opaque(100000)));
    CHECKV("readv_badfd", readv(-1, r, 1));
    CHECKV("writev_bad_iov_ptr", syscall(SYS_writev, fd, BADPTR, 1));
    struct iovec bad = {BADPTR, 4};
    CHECKV("writev_bad_base", writev(fd, &bad, 1));
    CHECKV("preadv_neg_off", preadv(fd, r2, 1, -1));
    /* preadv2/pwritev2 with flags=0 behave like preadv/pwritev */
    memset(c, 0, sizeof c);
    CHECKV("preadv2", preadv2(fd, r2, 1, 2, 0));
    SHOW("preadv2_data", "%s", c);
    CHECKV("preadv2_bad_flags", preadv2(fd, r2, 1, 0, 0x40000000));
    close(fd);
    FINISH();
}
