#include "check.h"
#include <sys/sysmacros.h>

static void devinfo(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        SHOW(path, "-1 %s", errname(errno));
        return;
    }
    SHOW(path, "%s %u:%u %04o", ftype(st.st_mode), major(st.st_rdev), minor(st.st_rdev),
         st.st_mode & 0777);
}

int main(void)
{
    BEGIN("dev_files");
    char buf[4096];
    devinfo("/dev/null");
    devinfo("/dev/zero");
    devinfo("/dev/full");
    devinfo("/dev/random");
    devinfo("/dev/urandom");

    int fd = open("/dev/null", O_RDWR);
    CHECK("open_null", fd);
    CHECKV("null_read", read(fd, buf, sizeof buf));
    CHECKV("null_write", write(fd, buf, 1000));
    CHECKV("null_pwrite", pwrite(fd, buf, 10, 100));
    CHECKV("null_lseek", lseek(fd, 100, SEEK_SET));
    close(fd);

    fd = open("/dev/zero", O_RDWR);
    memset(buf, 0x55, sizeof buf);
    CHECKV("zero_read", read(fd, buf, sizeof buf));
    int z = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i])
            z = 0;
    BOOL("zero_all_zero", z);
    CHECKV("zero_write", write(fd, "abc", 3));
    close(fd);

    fd = open("/dev/full", O_RDWR);
    CHECKV("full_write", write(fd, "abc", 3));
    memset(buf, 1, 16);
    CHECKV("full_read", read(fd, buf, 16));
    BOOL("full_reads_zero", buf[0] == 0 && buf[15] == 0);
    close(fd);

    fd = open("/dev/urandom", O_RDONLY);
    CHECKV("urandom_read_100", read(fd, buf, 100));
    CHECKV("urandom_read_4096", read(fd, buf, 4096));
    close(fd);
    fd = open("/dev/random", O_RDONLY | O_NONBLOCK);
    CHECKV("random_read_16", read(fd, buf, 16));
    close(fd);
    /* /dev/stdin etc are symlinks into /proc/self/fd */
    char lb[64];
    ssize_t n = readlink("/dev/stdout", lb, sizeof lb);
    SHOW("dev_stdout_link", "%.*s", (int)(n > 0 ? n : 0), lb);
    n = readlink("/dev/fd", lb, sizeof lb);
    SHOW("dev_fd_link", "%.*s", (int)(n > 0 ? n : 0), lb);
    fd = open("/dev/stdin", O_RDONLY);
    CHECK("open_dev_stdin", fd);
    CHECKV("read_dev_stdin_devnull", read(fd, buf, 10));
    close(fd);
    CHECK("open_missing_dev", open("/dev/no-such-device", O_RDONLY));
    FINISH();
}
