#include "check.h"

int main(void)
{
    BEGIN("file_pread");
    make_tmpdir("file_pread");
    char buf[32];
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK("open", fd);
    CHECKV("write", write(fd, "0123456789", 10));
    CHECKV("pos_after_write", lseek(fd, 0, SEEK_CUR));
    memset(buf, 0, sizeof buf);
    CHECKV("pread_3_at_2", pread(fd, buf, 3, 2));
    SHOW("pread_data", "%s", buf);
    CHECKV("pos_unchanged", lseek(fd, 0, SEEK_CUR));
    CHECKV("pread_past_eof", pread(fd, buf, 5, 100));
    CHECKV("pread_partial", pread(fd, buf, 5, 8));
    CHECKV("pwrite_at_4", pwrite(fd, "ab", 2, 4));
    CHECKV("pos_unchanged2", lseek(fd, 0, SEEK_CUR));
    CHECKV("pwrite_past_eof", pwrite(fd, "Z", 1, 15));
    struct stat st;
    fstat(fd, &st);
    SHOW("size", "%ld", (long)st.st_size);
    memset(buf, 0, sizeof buf);
    CHECKV("pread_all", pread(fd, buf, sizeof buf, 0));
    for (int i = 0; i < 16; i++)
        if (buf[i] == 0)
            buf[i] = '.';
    SHOW("content", "%s", buf);
    CHECKV("pread_neg_off", pread(fd, buf, 1, -1));
    CHECKV("pwrite_neg_off", pwrite(fd, buf, 1, -5));
    CHECKV("pread_badfd", pread(-1, buf, 1, 0));
    CHECKV("pread64_syscall", syscall(SYS_pread64, fd, buf, 4, 0));
    CHECKV("pwrite64_syscall", syscall(SYS_pwrite64, fd, "QQ", 2, 0));
    memset(buf, 0, sizeof buf);
    CHECKV("pread_check", pread(fd, buf, 4, 0));
    SHOW("content2", "%s", buf);
    close(fd);

    /* pwrite on an O_APPEND fd appends on Linux (offset is ignored) */
    fd = open("f", O_WRONLY | O_APPEND);
    CHECKV("pwrite_append", pwrite(fd, "END", 3, 0));
    fstat(fd, &st);
    SHOW("size_after_append_pwrite", "%ld", (long)st.st_size);
    close(fd);
    fd = open("f", O_RDONLY);
    memset(buf, 0, sizeof buf);
    CHECKV("pread_start", pread(fd, buf, 3, 0));
    SHOW("start", "%s", buf);
    CHECKV("pwrite_rdonly", pwrite(fd, "x", 1, 0));
    close(fd);
    FINISH();
}
