/* Threads: pthread_create/join, shared memory and fds, a mutex and a
 * condition variable (futex WAIT/WAKE), per-thread ids and TLS,
 * pthread_exit values, a timed futex wait, a signal to one thread, and
 * exit_group from a thread ending the process. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, total;
static __thread int tls_value;
static pid_t main_pid;
static volatile int sig_tid_ok;

static void *adder(void *arg)
{
    tls_value = (int)(long)arg;
    for (int i = 0; i < 5000; i++) {
        pthread_mutex_lock(&m);
        total++;
        pthread_mutex_unlock(&m);
    }
    return (void *)(long)(tls_value * 10);
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    while (!ready)
        pthread_cond_wait(&cv, &m);
    pthread_mutex_unlock(&m);
    int ids_ok = getpid() == main_pid && gettid() != main_pid;
    pthread_exit((void *)(long)(ids_ok ? 7 : 99));
}

static void on_usr1(int s) { (void)s; sig_tid_ok = gettid() != main_pid; }

static void *sleeper(void *arg)
{
    (void)arg;
    while (!sig_tid_ok)
        pause();
    return NULL;
}

int main(void)
{
    BEGIN("threads");
    main_pid = getpid();
    pthread_t t[6];
    for (long i = 0; i < 6; i++)
        if (pthread_create(&t[i], NULL, adder, (void *)(i + 1)) != 0)
            printf("create failed\n");
    long sum = 0;
    for (int i = 0; i < 6; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    SHOW("total", "%d", total);
    SHOW("join_values", "%ld", sum);
    SHOW("main_tls_untouched", "%d", tls_value);

    pthread_t w;
    pthread_create(&w, NULL, waiter, NULL);
    usleep(10000);
    pthread_mutex_lock(&m);
    ready = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&m);
    void *wr;
    pthread_join(w, &wr);
    SHOW("cond_and_ids", "%ld", (long)wr);

    int word = 0;
    struct timespec to = {0, 20000000};
    long r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &to, NULL, 0);
    SHOW("futex_timeout", "%s", r < 0 ? errname(errno) : "ok");
    r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &to, NULL, 0);
    SHOW("futex_value_changed", "%s", r < 0 ? errname(errno) : "ok");
    CHECKV("futex_wake_none", syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));

    signal(SIGUSR1, on_usr1);
    pthread_t s;
    pthread_create(&s, NULL, sleeper, NULL);
    usleep(10000);
    CHECK("pthread_kill", pthread_kill(s, SIGUSR1));
    pthread_join(s, NULL);
    SHOW("signal_ran_on_thread", "%d", sig_tid_ok);

    /* A thread's exit_group ends the whole process with its status. */
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        pthread_t e;
        pthread_create(&e, NULL, (void *(*)(void *))exit, (void *)3);
        for (;;)
            pause();
    }
    int st;
    waitpid(c, &st, 0);
    SHOW("exit_from_thread", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("== done ==\n");
    return 0;
}
