/* Sequential read: usage seqread PATH [PASSES]; reads the whole file
 * PASSES times with 1 MiB read(2) calls and prints MiB/s. */
#include <fcntl.h>
#include <unistd.h>

#include "common.h"

#define CHUNK (1 << 20)

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH [PASSES]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long passes = arg_count(argc, argv, 2, 1);
    char *buf = malloc(CHUNK);
    if (buf == NULL) {
        perror("malloc");
        return 1;
    }
    long long total = 0;
    long long t0 = now_ns();
    for (long p = 0; p < passes; p++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            perror("open");
            return 1;
        }
        for (;;) {
            ssize_t r = read(fd, buf, CHUNK);
            if (r < 0) {
                perror("read");
                return 1;
            }
            if (r == 0)
                break;
            total += r;
        }
        close(fd);
    }
    long long t1 = now_ns();
    if (total == 0) {
        fprintf(stderr, "read nothing\n");
        return 1;
    }
    printf("%.0f\n", ((double)total / (1 << 20)) / ((double)(t1 - t0) / 1e9));
    return 0;
}
