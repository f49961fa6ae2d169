/* fork+exec+wait: usage forkexec [N] [PROG]; prints µs per iteration of
 * fork(), child execv(PROG) (default /bin/true, no arguments), parent
 * waitpid(). PROG must exit 0. */
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 1000);
    char *prog = argc > 2 ? argv[2] : "/bin/true";
    char *cargv[] = {prog, NULL};
    char *cenv[] = {NULL};
    long long t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            execve(prog, cargv, cenv);
            _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            return 1;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "%s: status %#x\n", prog, status);
            return 1;
        }
    }
    long long t1 = now_ns();
    printf("%.1f\n", (double)(t1 - t0) / 1e3 / (double)n);
    return 0;
}
