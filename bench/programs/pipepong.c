/* Pipe ping-pong between two processes: usage pipepong [N]; the parent
 * writes one byte to the child over one pipe, the child writes it back
 * over another, N times; prints µs per round trip (two one-byte writes,
 * two reads, two wake-ups). Round trips per second = 1e6 / result. */
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 100000);
    int ping[2], pong[2];
    if (pipe(ping) != 0 || pipe(pong) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    char c = 'x';
    if (pid == 0) {
        close(ping[1]);
        close(pong[0]);
        for (;;) {
            ssize_t r = read(ping[0], &c, 1);
            if (r == 0)
                _exit(0);
            if (r != 1 || write(pong[1], &c, 1) != 1)
                _exit(1);
        }
    }
    close(ping[0]);
    close(pong[1]);
    /* One untimed round trip so the child is running and waiting. */
    if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
        perror("warm-up round trip");
        return 1;
    }
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        if (write(ping[1], &c, 1) != 1) {
            perror("write");
            return 1;
        }
        if (read(pong[0], &c, 1) != 1) {
            perror("read");
            return 1;
        }
    }
    long long t1 = now_ns();
    close(ping[1]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "child failed\n");
        return 1;
    }
    printf("%.2f\n", (double)(t1 - t0) / 1e3 / (double)n);
    return 0;
}
