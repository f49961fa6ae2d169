/* Shared helpers of the runlx benchmark programs. */
#ifndef RUNLX_BENCH_COMMON_H
#define RUNLX_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline long long now_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("clock_gettime");
        exit(1);
    }
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* argv[i] as a positive count, or def when absent. */
static inline long arg_count(int argc, char **argv, int i, long def) {
    if (argc <= i)
        return def;
    char *end;
    long n = strtol(argv[i], &end, 10);
    if (*end != '\0' || n <= 0) {
        fprintf(stderr, "bad count: %s\n", argv[i]);
        exit(2);
    }
    return n;
}

#endif
