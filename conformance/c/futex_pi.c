/* Priority-inheritance futexes and FUTEX_WAKE_OP: a PTHREAD_PRIO_INHERIT
 * mutex shared by 4 threads keeps an exact count; the raw word protocol
 * of FUTEX_LOCK_PI, FUTEX_LOCK_PI2, FUTEX_TRYLOCK_PI and FUTEX_UNLOCK_PI
 * (owner tid in the word, FUTEX_WAITERS, hand-over to the waiter on
 * unlock, EDEADLK, EPERM, EAGAIN, ESRCH, ETIMEDOUT, EINVAL, EFAULT,
 * ENOSYS); and every FUTEX_WAKE_OP operation and comparison with the
 * number of threads each call wakes. */
#include "check.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif

static long futex(void *uaddr, int op, unsigned val, const void *timeout, void *uaddr2,
                  unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static pthread_mutex_t pim;
static long counter;

static void *adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&pim);
        counter++;
        pthread_mutex_unlock(&pim);
    }
    return NULL;
}

static _Atomic unsigned word;
static unsigned main_tid;
static _Atomic int timeouts_done;

static struct timespec in_ms(clockid_t clock, long ms)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    ts.tv_nsec += ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    return ts;
}

/* Another thread's view of the word main owns. */
static void *contender(void *arg)
{
    (void)arg;
    CHECK("other: trylock owned", futex(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    BOOL("other: trylock set FUTEX_WAITERS", word == (main_tid | FUTEX_WAITERS));
    CHECK("other: unlock not owner", futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    struct timespec ts = in_ms(CLOCK_REALTIME, 50);
    CHECK("other: lock_pi timeout", futex(&word, FUTEX_LOCK_PI, 0, &ts, NULL, 0));
    ts = in_ms(CLOCK_MONOTONIC, 50);
    CHECK("other: lock_pi2 timeout", futex(&word, FUTEX_LOCK_PI2, 0, &ts, NULL, 0));
    ts = in_ms(CLOCK_REALTIME, 50);
    CHECK("other: lock_pi2 realtime timeout",
          futex(&word, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME, 0, &ts, NULL, 0));
    /* Blocks until main unlocks, then owns it. */
    atomic_store(&timeouts_done, 1);
    CHECK("other: lock_pi blocks", futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    BOOL("other: owns it with FUTEX_WAITERS", word == ((unsigned)gettid() | FUTEX_WAITERS));
    CHECK("other: unlock", futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    BOOL("other: word free", word == 0);
    return NULL;
}

/* Waits until a thread is blocked in FUTEX_LOCK_PI on *w: a plain
 * requeue fails with EINVAL once a PI waiter is queued. */
static void until_pi_waiter(_Atomic unsigned *w)
{
    for (int tries = 0; tries < 20000; tries++) {
        unsigned v = atomic_load(w);
        if (futex(w, FUTEX_CMP_REQUEUE, 0, (void *)(long)INT_MAX, w, v) < 0 && errno == EINVAL)
            return;
        usleep(500);
    }
}

/* An owner that ends (exit, or exec from a thread) while a waiter is
 * blocked: the kernel hands the futex over with FUTEX_OWNER_DIED. */
static _Atomic unsigned *owned;
static _Atomic int taken;

static void *owner_thread(void *arg)
{
    futex(owned, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    atomic_store(&taken, 1);
    until_pi_waiter(owned);
    if (arg) {
        char *args[] = {"/bin/true", NULL};
        execv(args[0], args);
    }
    return NULL;
}

static void show_handed(const char *name, long r)
{
    unsigned v = atomic_load(owned);
    if (r < 0)
        printf("%s: -1 %s\n", name, errname(errno));
    else
        printf("%s: ok, owner_died=%d waiters=%d tid_is_me=%d\n", name,
               !!(v & FUTEX_OWNER_DIED), !!(v & FUTEX_WAITERS),
               (v & FUTEX_TID_MASK) == main_tid);
}

/* FUTEX_WAKE_OP. */
static _Atomic int w1, w2;

static void *waiter(void *arg)
{
    _Atomic int *w = arg;
    futex(w, FUTEX_WAIT_PRIVATE, atomic_load(w), NULL, NULL, 0);
    return NULL;
}

/* How many threads wait on *w (a requeue onto itself counts them). */
static long queued(_Atomic int *w)
{
    return futex(w, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(long)INT_MAX, w, atomic_load(w));
}

static void start_waiters(_Atomic int *w, int n, pthread_t *t)
{
    long before = queued(w);
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, waiter, (void *)w);
    for (int tries = 0; queued(w) < before + n && tries < 20000; tries++)
        usleep(500);
}

static void wake_all(_Atomic int *w)
{
    while (queued(w) > 0)
        futex(w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void wake_op(const char *name, int old, int op, int oparg, int cmp, int cmparg)
{
    pthread_t t[4];
    atomic_store(&w2, old);
    start_waiters(&w1, 1, t);
    start_waiters(&w2, 2, t + 1);
    long r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)2L, &w2,
                   FUTEX_OP(op, oparg, cmp, cmparg));
    if (r < 0)
        printf("%s: -1 %s (w2 = %d)\n", name, errname(errno), atomic_load(&w2));
    else
        printf("%s: woke %ld, w2 = %d\n", name, r, atomic_load(&w2));
    wake_all(&w1);
    wake_all(&w2);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
}

int main(void)
{
    BEGIN("futex_pi");
    main_tid = (unsigned)gettid();

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    SHOW("pi mutex init", "%s", errname(pthread_mutex_init(&pim, &a)));
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    SHOW("pi mutex counter", "%ld", counter);
    SHOW("pi mutex trylock", "%s", errname(pthread_mutex_trylock(&pim)));
    SHOW("pi mutex trylock again", "%s", errname(pthread_mutex_trylock(&pim)));
    SHOW("pi mutex unlock", "%s", errname(pthread_mutex_unlock(&pim)));
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_destroy(&pim);
    pthread_mutex_init(&pim, &a);
    pthread_mutex_lock(&pim);
    SHOW("pi errorcheck relock", "%s", errname(pthread_mutex_lock(&pim)));
    pthread_mutex_unlock(&pim);
    SHOW("pi errorcheck unlock unowned", "%s", errname(pthread_mutex_unlock(&pim)));

    /* The raw protocol. */
    CHECK("unlock free", futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    CHECK("lock free", futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    BOOL("word is my tid", word == main_tid);
    CHECK("lock again", futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    CHECK("trylock again", futex(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    CHECK("lock_pi2 again", futex(&word, FUTEX_LOCK_PI2, 0, NULL, NULL, 0));
    CHECK("unlock", futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    BOOL("word is 0", word == 0);
    CHECK("trylock free", futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    BOOL("trylock: word is my tid", word == main_tid);
    pthread_t c;
    pthread_create(&c, NULL, contender, NULL);
    /* Wait until the contender blocks in FUTEX_LOCK_PI for good (after
     * its timed attempts). */
    while (!atomic_load(&timeouts_done))
        usleep(1000);
    until_pi_waiter(&word);
    BOOL("waiters bit set", (word & FUTEX_WAITERS) != 0);
    CHECK("plain wake of a PI waiter", futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0));
    long handed = futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0);
    pthread_join(c, NULL);
    CHECK("unlock hands over", handed);
    CHECK("unlock not owned", futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));

    /* An owner tid that no thread has. */
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    atomic_store(&word, (unsigned)pid);
    CHECK("lock dead owner", futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    BOOL("dead owner: FUTEX_WAITERS set", word == ((unsigned)pid | FUTEX_WAITERS));
    CHECK("trylock dead owner", futex(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    atomic_store(&word, FUTEX_OWNER_DIED);
    CHECK("lock owner died", futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    BOOL("owner died kept", word == (main_tid | FUTEX_OWNER_DIED));
    CHECK("unlock owner died", futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    BOOL("unlock clears owner died", word == 0);
    atomic_store(&word, FUTEX_WAITERS);
    CHECK("lock stale waiters bit", futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    BOOL("stale waiters bit dropped", word == main_tid);
    atomic_store(&word, 0);

    /* The owner thread exits while this thread waits. */
    owned = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_create(&c, NULL, owner_thread, NULL);
    while (!atomic_load(&taken))
        usleep(1000);
    long r = futex(owned, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    pthread_join(c, NULL);
    show_handed("owner thread exits", r);
    /* A thread of another process holds it and execs. */
    atomic_store(owned, 0);
    atomic_store(&taken, 0);
    pid = fork();
    if (pid == 0) {
        pthread_create(&c, NULL, owner_thread, (void *)1);
        for (;;)
            pause();
    }
    while (atomic_load(owned) == 0)
        usleep(1000);
    r = futex(owned, FUTEX_LOCK_PI, 0, NULL, NULL, 0);
    waitpid(pid, NULL, 0);
    show_handed("owner thread execs", r);

    /* Argument errors. */
    char *mem = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("lock misaligned", futex((char *)&word + 1, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    CHECK("lock unmapped", futex((void *)8, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    CHECK("lock read-only", futex(mem, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    CHECK("unlock unmapped", futex((void *)8, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    CHECK("trylock read-only", futex(mem, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    CHECK("lock_pi realtime flag", futex(&word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0));
    struct timespec bad = {0, 1000000000};
    CHECK("lock bad timeout", futex(&word, FUTEX_LOCK_PI, 0, &bad, NULL, 0));
    CHECK("lock timeout unmapped", futex(&word, FUTEX_LOCK_PI, 0, (void *)8, NULL, 0));
    BOOL("errors left the word alone", word == 0);
    CHECK("wait realtime flag", futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    CHECK("unknown op", futex(&word, 14, 0, NULL, NULL, 0));

    /* FUTEX_WAKE_OP: w1 gets up to 1 wake, w2 up to 2 when the comparison
     * of w2's old value holds. */
    wake_op("set eq", 5, FUTEX_OP_SET, 9, FUTEX_OP_CMP_EQ, 5);
    wake_op("set eq false", 5, FUTEX_OP_SET, 9, FUTEX_OP_CMP_EQ, 4);
    wake_op("add ne", 5, FUTEX_OP_ADD, 3, FUTEX_OP_CMP_NE, 5);
    wake_op("add negative", 5, FUTEX_OP_ADD, -7, FUTEX_OP_CMP_NE, 0);
    wake_op("or lt", 4, FUTEX_OP_OR, 3, FUTEX_OP_CMP_LT, 5);
    wake_op("andn le", 7, FUTEX_OP_ANDN, 2, FUTEX_OP_CMP_LE, 6);
    wake_op("xor gt", 6, FUTEX_OP_XOR, 5, FUTEX_OP_CMP_GT, 5);
    wake_op("xor ge", 6, FUTEX_OP_XOR, 5, FUTEX_OP_CMP_GE, 7);
    wake_op("lt signed", -1, FUTEX_OP_SET, 1, FUTEX_OP_CMP_LT, 0);
    wake_op("shift or", 0, FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_EQ, 0);
    wake_op("unknown op", 3, 5, 1, FUTEX_OP_CMP_EQ, 3);
    wake_op("unknown cmp", 3, FUTEX_OP_ADD, 1, 6, 3);
    CHECK("wake_op read-only", futex(&w1, FUTEX_WAKE_OP, 1, (void *)1L, mem, 0));
    CHECK("wake_op misaligned", futex(&w1, FUTEX_WAKE_OP, 1, (void *)1L, (char *)&w2 + 2, 0));
    CHECK("wake_op unmapped", futex(&w1, FUTEX_WAKE_OP, 1, (void *)1L, (void *)8, 0));
    FINISH();
}
