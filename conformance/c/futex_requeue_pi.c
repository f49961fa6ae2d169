/* FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI (a condition variable
 * whose waiters are moved onto a PI mutex): argument errors, a requeue
 * onto a free PI futex (the waiter returns owning it), onto one another
 * thread owns (the waiter gets it at that thread's FUTEX_UNLOCK_PI), the
 * count each requeue returns, and the words left behind. Plain FUTEX_WAKE
 * and FUTEX_LOCK_PI on the condition word with such a waiter: EINVAL. */
#include "check.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static _Atomic unsigned cond, mutex, other;
static unsigned main_tid;

static long fx(void *u, int op, unsigned v, const void *t, void *u2, unsigned v3)
{
    return syscall(SYS_futex, u, op, v, t, u2, v3);
}

static void show(const char *name, long r)
{
    if (r >= 0)
        printf("%s: %ld\n", name, r);
    else
        printf("%s: -1 %s\n", name, errname(errno));
}

/* Waits until a thread waits on *w in FUTEX_WAIT_REQUEUE_PI: a plain
 * requeue fails with EINVAL on such a waiter. */
static void until_queued(_Atomic unsigned *w)
{
    for (int i = 0; i < 20000; i++) {
        if (fx(w, FUTEX_CMP_REQUEUE, 0, (void *)(long)INT_MAX, w, *w) < 0 && errno == EINVAL)
            return;
        usleep(500);
    }
}

static long waiter_r;
static unsigned waiter_word, waiter_tid;

static void *waiter(void *arg)
{
    (void)arg;
    waiter_r = fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, NULL, &mutex, 0);
    waiter_word = mutex;
    waiter_tid = (unsigned)gettid();
    if (waiter_r == 0)
        fx(&mutex, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    return NULL;
}

static void join_waiter(pthread_t t)
{
    pthread_join(t, NULL);
    show("  waiter", waiter_r);
    SHOW("  waiter owned it", "%d waiters=%d owner_died=%d",
         (waiter_word & FUTEX_TID_MASK) == waiter_tid, !!(waiter_word & FUTEX_WAITERS),
         !!(waiter_word & FUTEX_OWNER_DIED));
    SHOW("  word after its unlock", "%#x", mutex);
}

int main(void)
{
    BEGIN("futex_requeue_pi");
    main_tid = (unsigned)gettid();
    pthread_t t;
    struct timespec ts;
    show("wait same address", fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, NULL, &cond, 0));
    show("wait value mismatch", fx(&cond, FUTEX_WAIT_REQUEUE_PI, 1, NULL, &mutex, 0));
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 20000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    show("wait timeout", fx(&cond, FUTEX_WAIT_REQUEUE_PI, 0, &ts, &mutex, 0));
    show("requeue no waiters", fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1L, &mutex, 0));
    show("requeue nr_wake 2", fx(&cond, FUTEX_CMP_REQUEUE_PI, 2, (void *)1L, &mutex, 0));
    show("requeue nr_wake 0", fx(&cond, FUTEX_CMP_REQUEUE_PI, 0, (void *)1L, &mutex, 0));
    show("requeue same address", fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1L, &cond, 0));
    show("requeue value mismatch", fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1L, &mutex, 5));

    /* Onto a free PI futex: the waiter takes it and wakes. */
    pthread_create(&t, NULL, waiter, NULL);
    until_queued(&cond);
    show("plain wake of the waiter", fx(&cond, FUTEX_WAKE, 1, NULL, NULL, 0));
    show("requeue to another futex", fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1L, &other, 0));
    show("lock_pi on the condition", fx(&cond, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    long r = fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)0L, &mutex, 0);
    show("requeue onto free", r);
    join_waiter(t);

    /* Onto a PI futex this thread owns: handed over at unlock. */
    const long moves[] = {1, 0};
    for (int i = 0; i < 2; i++) {
        fx(&mutex, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
        pthread_create(&t, NULL, waiter, NULL);
        until_queued(&cond);
        r = fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)moves[i], &mutex, 0);
        SHOW("requeue onto owned", "nr_requeue %ld: %ld", moves[i], r);
        SHOW("  word", "mine=%d waiters=%d", (mutex & FUTEX_TID_MASK) == main_tid,
             !!(mutex & FUTEX_WAITERS));
        r = fx(&mutex, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
        show("  unlock", r);
        join_waiter(t);
    }

    /* Onto a free PI futex, asking to move more: FUTEX_WAITERS is set. */
    pthread_create(&t, NULL, waiter, NULL);
    until_queued(&cond);
    r = fx(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1L, &mutex, 0);
    show("requeue onto free, nr_requeue 1", r);
    join_waiter(t);
    FINISH();
}
