#include "check.h"

int main(void)
{
    BEGIN("file_rw");
    make_tmpdir("file_rw");
    char buf[64];

    int fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK("open_create", fd);
    CHECKV("write_hello", write(fd, "hello world", 11));
    CHECKV("write_zero_len", write(fd, "", 0));
    CHECKV("read_at_eof", read(fd, buf, sizeof buf));
    CHECKV("lseek_start", lseek(fd, 0, SEEK_SET));
    memset(buf, 0, sizeof buf);
    CHECKV("read_5", read(fd, buf, 5));
    SHOW("read_5_data", "%s", buf);
    memset(buf, 0, sizeof buf);
    CHECKV("read_rest_short", read(fd, buf, sizeof buf));
    SHOW("read_rest_data", "%s", buf);
    CHECKV("read_eof_again", read(fd, buf, sizeof buf));
    CHECKV("read_zero_len", read(fd, buf, 0));
    /* overwrite in the middle */
    CHECKV("lseek_6", lseek(fd, 6, SEEK_SET));
    CHECKV("write_mid", write(fd, "WORLD!", 6));
    CHECKV("lseek_0", lseek(fd, 0, SEEK_SET));
    memset(buf, 0, sizeof buf);
    CHECKV("read_all", read(fd, buf, sizeof buf));
    SHOW("content", "%s", buf);
    struct stat st;
    CHECK("fstat", fstat(fd, &st));
    SHOW("size", "%ld", (long)st.st_size);
    CHECK("close", close(fd));

    /* access-mode enforcement */
    fd = open("f", O_RDONLY);
    CHECK("open_rdonly", fd);
    CHECKV("write_on_rdonly", write(fd, "x", 1));
    close(fd);
    fd = open("f", O_WRONLY);
    CHECK("open_wronly", fd);
    CHECKV("read_on_wronly", read(fd, buf, 1));
    close(fd);

    /* closed / invalid fds */
    CHECKV("read_closed_fd", read(fd, buf, 1));
    CHECKV("write_closed_fd", write(fd, "x", 1));
    CHECKV("read_neg_fd", read(-1, buf, 1));
    CHECKV("write_big_fd", write(100000, "x", 1));

    /* large write/read round trip */
    static char big[200000], big2[200000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 + 3);
    fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECKV("write_big", write(fd, big, sizeof big));
    CHECKV("lseek_big", lseek(fd, 0, SEEK_SET));
    size_t got = 0;
    ssize_t n;
    while (got < sizeof big2 && (n = read(fd, big2 + got, sizeof big2 - got)) > 0)
        got += (size_t)n;
    SHOW("read_big_total", "%zu", got);
    BOOL("big_equal", memcmp(big, big2, sizeof big) == 0);
    close(fd);
    FINISH();
}
