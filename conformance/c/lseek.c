#include "check.h"

int main(void)
{
    BEGIN("lseek");
    make_tmpdir("lseek");
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECKV("write", write(fd, "0123456789", 10));
    CHECKV("seek_set_3", lseek(fd, 3, SEEK_SET));
    CHECKV("seek_cur_2", lseek(fd, 2, SEEK_CUR));
    CHECKV("seek_cur_neg1", lseek(fd, -1, SEEK_CUR));
    CHECKV("seek_end_0", lseek(fd, 0, SEEK_END));
    CHECKV("seek_end_neg4", lseek(fd, -4, SEEK_END));
    char c = 0;
    CHECKV("read1", read(fd, &c, 1));
    SHOW("char", "%c", c);
    CHECKV("seek_neg", lseek(fd, -1, SEEK_SET));
    CHECKV("seek_cur_before_start", lseek(fd, -100, SEEK_CUR));
    CHECKV("seek_bad_whence", lseek(fd, 0, 42));
    CHECKV("seek_badfd", lseek(-1, 0, SEEK_SET));
    CHECKV("seek_closedfd", lseek(555, 0, SEEK_SET));
    /* hole */
    CHECKV("seek_past_eof", lseek(fd, 4096 * 3, SEEK_SET));
    CHECKV("read_past_eof", read(fd, &c, 1));
    struct stat st;
    fstat(fd, &st);
    SHOW("size_before_write", "%ld", (long)st.st_size);
    CHECKV("write_after_hole", write(fd, "END", 3));
    fstat(fd, &st);
    SHOW("size_with_hole", "%ld", (long)st.st_size);
    char buf[4096 * 3 + 3];
    CHECKV("pread_all", pread(fd, buf, sizeof buf, 0));
    int zeros = 1;
    for (int i = 10; i < 4096 * 3; i++)
        if (buf[i] != 0)
            zeros = 0;
    BOOL("hole_is_zero", zeros);
    BOOL("tail_ok", memcmp(buf + 4096 * 3, "END", 3) == 0);
    /* SEEK_DATA / SEEK_HOLE: the only portable facts */
    CHECKV("seek_data_0", lseek(fd, 0, SEEK_DATA));
    off_t h = lseek(fd, 0, SEEK_HOLE);
    BOOL("seek_hole_le_size", h > 0 && h <= st.st_size);
    CHECKV("seek_data_past_end", lseek(fd, st.st_size + 10, SEEK_DATA));
    CHECKV("seek_hole_past_end", lseek(fd, st.st_size + 10, SEEK_HOLE));
    /* large offsets */
    CHECKV("seek_large", lseek(fd, 1LL << 40, SEEK_SET));
    CHECKV("seek_cur_overflow", lseek(fd, 0x7fffffffffffffffLL, SEEK_CUR));
    /* directories are seekable */
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECKV("seek_dir_0", lseek(dfd, 0, SEEK_SET));
    close(dfd);
    /* llseek via syscall number of lseek with SEEK_END on /dev/null */
    int nfd = open("/dev/null", O_RDWR);
    CHECKV("seek_devnull", lseek(nfd, 123, SEEK_SET));
    close(nfd);
    close(fd);
    FINISH();
}
