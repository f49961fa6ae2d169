/* fork+exit+wait: usage forkwait [N] [MIB] [touch]; prints µs per
 * iteration of fork(), child _exit(0), parent waitpid(). With MIB > 0 the
 * parent first mallocs and touches (memset) MIB MiB, so every fork copies
 * (or shares) an address space with that much resident private memory;
 * the touch is not timed. With "touch", the child writes one byte at the
 * start and one in the middle of that memory before it exits, and the
 * parent one byte after each wait (what copy-on-write has to copy). */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 1000);
    long mib = argc > 2 ? arg_count(argc, argv, 2, 0) : 0;
    int touch = argc > 3 && strcmp(argv[3], "touch") == 0;
    char *p = NULL;
    size_t len = (size_t)mib << 20;
    if (mib > 0) {
        p = malloc(len);
        if (p == NULL) {
            perror("malloc");
            return 1;
        }
        memset(p, 1, len);
        /* Keep the memory live (and the memset from being dropped). */
        if (p[len - 1] != 1)
            return 1;
    }
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            if (touch && p) {
                p[0] = 2;
                p[len / 2] = 2;
            }
            _exit(0);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            return 1;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child status %#x\n", status);
            return 1;
        }
        if (touch && p)
            p[4096] = (char)i;
    }
    long long t1 = now_ns();
    printf("%.1f\n", (double)(t1 - t0) / 1e3 / (double)n);
    return 0;
}
