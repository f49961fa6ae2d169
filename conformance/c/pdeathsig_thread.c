/* PR_SET_PDEATHSIG fires when the thread that forked the child exits,
 * even though its process goes on (Linux: a child's parent is a thread);
 * a child of the main thread is not signalled when another thread exits. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
static int rep[2], ready[2];
static void on_usr1(int s) { (void)s; write(rep[1], "D", 1); _exit(0); }
static pid_t child;
static void *noop(void *a) { return a; }
static void *creator(void *a) {
    (void)a;
    child = fork();
    if (child == 0) {
        signal(SIGUSR1, on_usr1);
        prctl(PR_SET_PDEATHSIG, SIGUSR1);
        write(ready[1], "r", 1);
        for (;;) pause();
    }
    char b; read(ready[0], &b, 1);
    return NULL;
}
int main(void) {
    BEGIN("pdeathsig_thread");
    pipe(rep); pipe(ready);
    pthread_t t; pthread_create(&t, NULL, creator, NULL); pthread_join(t, NULL);
    char b = 0;
    CHECKV("report", (int)read(rep[0], &b, 1));
    SHOW("child_got", "%c", b);
    int st; waitpid(child, &st, 0);
    BOOL("child_exit_0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* A child forked by the main thread is not signalled when another thread exits. */
    pid_t c2 = fork();
    if (c2 == 0) { signal(SIGUSR1, on_usr1); prctl(PR_SET_PDEATHSIG, SIGUSR1); write(ready[1], "r", 1); for (;;) pause(); }
    read(ready[0], &b, 1);
    pthread_create(&t, NULL, noop, NULL); pthread_join(t, NULL);
    usleep(50000);
    BOOL("main_child_untouched", waitpid(c2, &st, WNOHANG) == 0);
    kill(c2, SIGKILL); waitpid(c2, &st, 0);
    FINISH();
}
