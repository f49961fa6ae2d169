/* open+read+close of a small file: usage openread PATH [N];
 * prints ns per open+read+close (three syscalls). */
#include <fcntl.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH [N]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long n = arg_count(argc, argv, 2, 100000);
    char buf[4096];
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            perror("open");
            return 1;
        }
        if (read(fd, buf, sizeof buf) <= 0) {
            perror("read");
            return 1;
        }
        if (close(fd) != 0) {
            perror("close");
            return 1;
        }
    }
    long long t1 = now_ns();
    printf("%.1f\n", (double)(t1 - t0) / (double)n);
    return 0;
}
