/* Signal ping-pong between two processes: usage sigpong [N]; the parent
 * sends SIGUSR1 to the child, whose handler sends SIGUSR1 back, N times;
 * both wait in sigsuspend. Prints µs per round trip (two kills, two
 * handler runs, two wake-ups). */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig) {
    (void)sig;
    got = 1;
}

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 20000);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, wait_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &wait_mask);
    sigdelset(&wait_mask, SIGUSR1);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        for (;;) {
            while (!got)
                sigsuspend(&wait_mask);
            got = 0;
            kill(parent, SIGUSR1);
        }
    }
    /* One untimed round trip so the child is waiting. */
    kill(pid, SIGUSR1);
    while (!got)
        sigsuspend(&wait_mask);
    got = 0;
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        kill(pid, SIGUSR1);
        while (!got)
            sigsuspend(&wait_mask);
        got = 0;
    }
    long long t1 = now_ns();
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    printf("%.2f\n", (t1 - t0) / 1e3 / n);
    return 0;
}
