/* Futex ping-pong between two threads: usage futexpong [N]; the threads
 * take turns through one shared word, each waking the other with
 * FUTEX_WAKE and sleeping in FUTEX_WAIT until its turn; prints µs per
 * round trip (two hand-overs). */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

static _Atomic int turn; /* 0: main's turn, 1: the other thread's */
static long rounds;

static void futex_wait(_Atomic int *addr, int val) {
    syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic int *addr) {
    syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Waits until turn == me, then hands the turn to the other side. */
static void pass(int me) {
    while (atomic_load(&turn) != me)
        futex_wait(&turn, 1 - me);
    atomic_store(&turn, 1 - me);
    futex_wake(&turn);
}

static void *partner(void *arg) {
    for (long i = 0; i < rounds; i++)
        pass(1);
    return arg;
}

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 100000);
    rounds = n + 1; /* + one untimed warm-up round */
    pthread_t t;
    int err = pthread_create(&t, NULL, partner, NULL);
    if (err != 0) {
        fprintf(stderr, "pthread_create: %s\n", strerror(err));
        return 1;
    }
    pass(0);
    long long t0 = now_ns();
    for (long i = 0; i < n; i++)
        pass(0);
    long long t1 = now_ns();
    /* The partner's last pass hands the turn back; wait for it. */
    while (atomic_load(&turn) != 0)
        futex_wait(&turn, 1);
    err = pthread_join(t, NULL);
    if (err != 0) {
        fprintf(stderr, "pthread_join: %s\n", strerror(err));
        return 1;
    }
    printf("%.2f\n", (double)(t1 - t0) / 1e3 / (double)n);
    return 0;
}
