/* Robust futexes: a robust process-shared mutex in MAP_SHARED memory whose
 * owner ends while holding it (a child that exits, a thread that exits, a
 * child killed by SIGKILL, a child that execs, an owner that dies while
 * another process waits) is handed to the next locker with EOWNERDEAD;
 * pthread_mutex_consistent makes it usable again, without it the mutex
 * becomes unrecoverable. The same with priority-inheritance robust
 * mutexes (the kernel hands PI futexes over itself). The futex word the
 * kernel leaves (FUTEX_OWNER_DIED, no tid), a hand-made robust list with
 * a loop in it, and set_robust_list/get_robust_list. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

struct shared {
    pthread_mutex_t m;
    pthread_mutex_t pi;
    int word;
};

static struct shared *sh;
static int pipefd[2];

static void init_mutex(pthread_mutex_t *m, int protocol)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_setprotocol(&a, protocol);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}

/* The word glibc keeps in the mutex: its futex. */
static unsigned lock_word(pthread_mutex_t *m) { return (unsigned)m->__data.__lock; }

static void show_word(const char *name, pthread_mutex_t *m)
{
    unsigned w = lock_word(m);
    SHOW(name, "owner_died=%d waiters=%d tid=%s", !!(w & FUTEX_OWNER_DIED),
         !!(w & FUTEX_WAITERS), (w & FUTEX_TID_MASK) ? "set" : "0");
}

/* Locks, expects EOWNERDEAD, makes it consistent, unlocks, relocks. */
static void recover(const char *what, pthread_mutex_t *m)
{
    char name[96];
    int rc = pthread_mutex_lock(m);
    snprintf(name, sizeof name, "%s: lock", what);
    SHOW(name, "%s", errname(rc));
    if (rc != EOWNERDEAD)
        return;
    snprintf(name, sizeof name, "%s: consistent", what);
    SHOW(name, "%s", errname(pthread_mutex_consistent(m)));
    snprintf(name, sizeof name, "%s: unlock", what);
    SHOW(name, "%s", errname(pthread_mutex_unlock(m)));
    snprintf(name, sizeof name, "%s: relock", what);
    SHOW(name, "%s", errname(pthread_mutex_lock(m)));
    pthread_mutex_unlock(m);
}

static pid_t child_locks(pthread_mutex_t *m, int how)
{
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(m);
        if (how == 0)
            _exit(0);
        if (write(pipefd[1], "x", 1) != 1)
            _exit(3);
        if (how == 1)
            for (;;)
                pause();
        /* how == 2: hold it a little while the parent blocks on it. */
        usleep(100 * 1000);
        _exit(0);
    }
    if (how != 0) {
        char c;
        if (read(pipefd[0], &c, 1) != 1)
            printf("pipe read failed\n");
    }
    return pid;
}

static void reap(pid_t pid)
{
    int st;
    waitpid(pid, &st, 0);
}

static void *thread_locks(void *arg)
{
    pthread_mutex_lock((pthread_mutex_t *)arg);
    return NULL; /* ends holding it */
}

static int sys_get_robust_list(int pid, void **head, size_t *len)
{
    return syscall(SYS_get_robust_list, pid, head, len);
}

/* A robust list built by hand: entries whose futex word (at offset 8)
 * names the thread, one that another thread owns, and a loop. */
struct entry {
    struct entry *next;
    unsigned word;
};

static struct {
    struct entry *list;
    long offset;
    struct entry *pending;
} myhead;

static void *hand_made_list(void *arg)
{
    struct entry *e = arg; /* e[0..3] */
    unsigned me = (unsigned)gettid();
    myhead.list = &e[0];
    myhead.offset = 8;
    myhead.pending = &e[3];
    e[0].next = &e[1];
    e[1].next = &e[2];
    e[2].next = &e[1]; /* a loop: the walk gives up after 2048 entries */
    e[0].word = me | FUTEX_WAITERS;
    e[1].word = 12345; /* someone else's */
    e[2].word = me;
    e[3].word = me; /* list_op_pending: also released */
    if (syscall(SYS_set_robust_list, &myhead, sizeof myhead) != 0)
        printf("set_robust_list failed\n");
    return NULL;
}

#define LONG_LIST 2100
static struct entry many[LONG_LIST];

static void *long_list(void *arg)
{
    (void)arg;
    unsigned me = (unsigned)gettid();
    for (int i = 0; i < LONG_LIST; i++) {
        many[i].next = i + 1 < LONG_LIST ? &many[i + 1] : (struct entry *)&myhead;
        many[i].word = me;
    }
    myhead.list = &many[0];
    myhead.offset = 8;
    myhead.pending = NULL;
    syscall(SYS_set_robust_list, &myhead, sizeof myhead);
    return NULL;
}

static struct {
    void *list;
    long offset;
    void *pending;
} badhead;

static void *bad_lists(void *arg)
{
    (void)arg;
    /* An unmapped first entry, a kernel address as pending, and a
     * huge offset. */
    badhead.list = (void *)0x10;
    badhead.offset = 0x7fffffffffffL;
    badhead.pending = (void *)0xffffffffff600000UL;
    syscall(SYS_set_robust_list, &badhead, sizeof badhead);
    return NULL;
}

int main(void)
{
    BEGIN("futex_robust");
    if (pipe(pipefd) != 0)
        return 2;
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 2;

    init_mutex(&sh->m, PTHREAD_PRIO_NONE);
    reap(child_locks(&sh->m, 0));
    show_word("child exit: word", &sh->m);
    recover("child exit", &sh->m);

    pthread_t t;
    pthread_create(&t, NULL, thread_locks, &sh->m);
    pthread_join(t, NULL);
    show_word("thread exit: word", &sh->m);
    recover("thread exit", &sh->m);

    pid_t pid = child_locks(&sh->m, 1);
    kill(pid, SIGKILL);
    reap(pid);
    recover("sigkill", &sh->m);

    /* The owner dies while this process waits in the kernel. */
    pid = child_locks(&sh->m, 2);
    recover("waiting", &sh->m);
    reap(pid);

    /* Unlocking without pthread_mutex_consistent: unrecoverable. */
    reap(child_locks(&sh->m, 0));
    SHOW("inconsistent: lock", "%s", errname(pthread_mutex_lock(&sh->m)));
    SHOW("inconsistent: unlock", "%s", errname(pthread_mutex_unlock(&sh->m)));
    SHOW("inconsistent: relock", "%s", errname(pthread_mutex_lock(&sh->m)));

    /* Robust priority-inheritance mutexes. */
    init_mutex(&sh->pi, PTHREAD_PRIO_INHERIT);
    reap(child_locks(&sh->pi, 0));
    show_word("pi child exit: word", &sh->pi);
    recover("pi child exit", &sh->pi);
    pthread_create(&t, NULL, thread_locks, &sh->pi);
    pthread_join(t, NULL);
    recover("pi thread exit", &sh->pi);
    pid = child_locks(&sh->pi, 1);
    kill(pid, SIGKILL);
    reap(pid);
    recover("pi sigkill", &sh->pi);
    pid = child_locks(&sh->pi, 2);
    recover("pi waiting", &sh->pi);
    reap(pid);

    /* exec releases the robust list too. */
    init_mutex(&sh->m, PTHREAD_PRIO_NONE);
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(&sh->m);
        char *args[] = {"/bin/true", NULL};
        execv(args[0], args);
        _exit(4);
    }
    reap(pid);
    recover("exec", &sh->m);

    /* A hand-made list. */
    struct entry e[4];
    pthread_create(&t, NULL, hand_made_list, e);
    pthread_join(t, NULL);
    SHOW("list: owned with waiters", "%#x", e[0].word);
    SHOW("list: other owner", "%u", e[1].word);
    SHOW("list: owned in a loop", "%#x", e[2].word);
    SHOW("list: pending", "%#x", e[3].word);

    /* A long list: the walk stops after 2048 entries. */
    pthread_create(&t, NULL, long_list, NULL);
    pthread_join(t, NULL);
    int released = 0;
    for (int i = 0; i < LONG_LIST; i++)
        released += (many[i].word & FUTEX_OWNER_DIED) != 0;
    SHOW("long list: released", "%d of %d", released, LONG_LIST);
    /* Lists that point anywhere end the walk quietly. */
    pthread_create(&t, NULL, bad_lists, NULL);
    pthread_join(t, NULL);
    BOOL("bad lists: thread ended", 1);

    /* set_robust_list and get_robust_list. */
    void *head = NULL;
    size_t len = 0;
    CHECK("get self", sys_get_robust_list(0, &head, &len));
    BOOL("get self: registered", head != NULL && len == 24);
    void *head2 = NULL;
    CHECK("get by tid", sys_get_robust_list(gettid(), &head2, &len));
    BOOL("get by tid: same", head2 == head);
    CHECK("get bad head pointer", sys_get_robust_list(0, (void **)8, &len));
    CHECK("get bad len pointer", sys_get_robust_list(0, &head, (size_t *)8));
    pid = fork();
    if (pid == 0) {
        /* glibc registers the child's list again after fork. */
        for (;;)
            pause();
    }
    head2 = NULL;
    usleep(20 * 1000);
    CHECK("get child", sys_get_robust_list(pid, &head2, &len));
    kill(pid, SIGKILL);
    reap(pid);
    CHECK("get reaped child", sys_get_robust_list(pid, &head2, &len));
    CHECK("get negative pid", sys_get_robust_list(-5, &head2, &len));
    CHECK("set bad len", syscall(SYS_set_robust_list, head, 23));
    CHECK("set bad len zero", syscall(SYS_set_robust_list, head, 0));
    CHECK("set null head", syscall(SYS_set_robust_list, NULL, 24));
    CHECK("get after null", sys_get_robust_list(0, &head2, &len));
    BOOL("get after null: null", head2 == NULL);
    CHECK("set back", syscall(SYS_set_robust_list, head, 24));
    FINISH();
}
