/* stat of a file: usage stat PATH [N]; prints ns per stat call. */
#include <sys/stat.h>

#include "common.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH [N]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    long n = arg_count(argc, argv, 2, 100000);
    struct stat st;
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (stat(path, &st) != 0) {
            perror("stat");
            return 1;
        }
    }
    long long t1 = now_ns();
    printf("%.1f\n", (double)(t1 - t0) / (double)n);
    return 0;
}
