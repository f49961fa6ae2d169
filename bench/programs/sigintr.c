/* Signal to a blocked call: usage sigintr [N]; the child blocks in read()
 * on an empty pipe; the parent sends SIGUSR1 (a handler without
 * SA_RESTART) and waits until the child reports the EINTR over another
 * pipe, N times. Prints µs from kill to the parent hearing of the EINTR:
 * how fast a signal interrupts a blocked call. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 2000);
    int idle[2], back[2];
    if (pipe(idle) != 0 || pipe(back) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        struct sigaction sa = {0};
        sa.sa_handler = on_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        write(back[1], "r", 1);
        char c;
        for (;;) {
            if (read(idle[0], &c, 1) < 0 && errno == EINTR)
                write(back[1], "e", 1);
        }
    }
    char c;
    if (read(back[0], &c, 1) != 1) {
        perror("child start");
        return 1;
    }
    long long total = 0;
    for (long i = 0; i < n; i++) {
        /* Let the child get back into read(). */
        struct timespec d = {0, 200000};
        nanosleep(&d, NULL);
        long long t0 = now_ns();
        kill(pid, SIGUSR1);
        if (read(back[0], &c, 1) != 1) {
            perror("read");
            return 1;
        }
        total += now_ns() - t0;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    printf("%.2f\n", total / 1e3 / n);
    return 0;
}
