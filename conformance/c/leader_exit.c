/* The main thread ends with pthread_exit while another thread goes on:
 * the process lives until its last thread ends, its leader shows as a
 * zombie meanwhile, the parent cannot reap it yet, and the status the
 * parent gets is the leader's exit(2), another thread's exit_group, or
 * the fatal signal that ended it. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
static void *w(void *a) { usleep(100000); return a; }
static void *spin(void *a) { for (;;) pause(); return a; }
static void *exit7(void *a) { usleep(50000); exit(7); return a; }
static int run(const char *self, const char *mode) {
    pid_t c = fork();
    if (!c) { execl(self, "x", mode, (char *)0); _exit(99); }
    int st = 0; pid_t r = waitpid(c, &st, 0);
    if (r != c) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
int main(int argc, char **argv) {
    pthread_t t;
    if (argc > 1) {
        if (argv[1][0] == 'a') { pthread_create(&t, 0, w, 0); pthread_exit(0); }
        if (argv[1][0] == 'b') { pthread_create(&t, 0, spin, 0); pthread_exit(0); }
        if (argv[1][0] == 'c') { pthread_create(&t, 0, exit7, 0); pthread_exit(0); }
    }
    BEGIN("leader_exit");
    char *self = realpath("/proc/self/exe", NULL);
    SHOW("worker_finishes", "%d", run(self, "a"));
    SHOW("worker_calls_exit7", "%d", run(self, "c"));
    pid_t c = fork();
    if (!c) { execl(self, "x", "b", (char *)0); _exit(99); }
    usleep(100000);
    char path[64]; snprintf(path, sizeof path, "/proc/%d/stat", c);
    FILE *f = fopen(path, "r"); char state = '?';
    if (f) { int pid; char comm[64]; fscanf(f, "%d %63s %c", &pid, comm, &state); fclose(f); }
    SHOW("leader_state_while_threads_run", "%c", state);
    BOOL("not_reapable_yet", waitpid(c, NULL, WNOHANG) == 0);
    kill(c, SIGTERM);
    int st; waitpid(c, &st, 0);
    SHOW("killed_by", "%d", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    FINISH();
}
