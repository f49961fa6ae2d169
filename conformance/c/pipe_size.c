/* F_GETPIPE_SZ/F_SETPIPE_SZ: the default capacity, rounding to a power of
 * two, EBUSY when the data would not fit, EBADF on a non-pipe, and a
 * nonblocking writer filling exactly the capacity. */
#include "check.h"

int main(void)
{
    BEGIN("pipe_size");
    int p[2];
    CHECK("pipe2", pipe2(p, O_NONBLOCK));
    CHECKV("default_size", fcntl(p[1], F_GETPIPE_SZ));
    CHECKV("set_10000", fcntl(p[1], F_SETPIPE_SZ, 10000));
    CHECKV("read_end_sees_it", fcntl(p[0], F_GETPIPE_SZ));
    CHECKV("set_tiny_rounds_to_page", fcntl(p[1], F_SETPIPE_SZ, 1));
    char buf[8192];
    memset(buf, 'x', sizeof buf);
    ssize_t total = 0, n;
    while ((n = write(p[1], buf, 1000)) > 0)
        total += n;
    SHOW("filled", "%zd", total);
    SHOW("full_errno", "%s", errname(errno));
    CHECKV("shrink_below_data", fcntl(p[1], F_SETPIPE_SZ, 4096));
    CHECKV("grow_with_data", fcntl(p[1], F_SETPIPE_SZ, 65536));
    int fd = open("/dev/null", O_RDONLY);
    CHECKV("not_a_pipe", fcntl(fd, F_GETPIPE_SZ));
    printf("== done ==\n");
    return 0;
}
