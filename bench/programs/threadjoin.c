/* Thread create+join: usage threadjoin [N]; prints µs per
 * pthread_create() of a thread that returns at once + pthread_join(). */
#include <pthread.h>
#include <string.h>

#include "common.h"

static void *body(void *arg) { return arg; }

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 10000);
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_t t;
        int err = pthread_create(&t, NULL, body, NULL);
        if (err != 0) {
            fprintf(stderr, "pthread_create: %s\n", strerror(err));
            return 1;
        }
        err = pthread_join(t, NULL);
        if (err != 0) {
            fprintf(stderr, "pthread_join: %s\n", strerror(err));
            return 1;
        }
    }
    long long t1 = now_ns();
    printf("%.1f\n", (double)(t1 - t0) / 1e3 / (double)n);
    return 0;
}
