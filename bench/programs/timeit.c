/* Start-up timer (not a benchmark case): usage timeit RUNS CMD [ARGS...];
 * runs CMD RUNS times one after another (stdin, stdout and stderr on
 * /dev/null) and prints the median wall time of one run in ns. Exits 1
 * if any run fails, printing its status to stderr. */
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

extern char **environ;

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s RUNS CMD [ARGS...]\n", argv[0]);
        return 2;
    }
    long runs = arg_count(argc, argv, 1, 10);
    long long *t = calloc((size_t)runs, sizeof *t);
    if (t == NULL)
        return 1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    for (long i = 0; i < runs; i++) {
        pid_t pid;
        long long t0 = now_ns();
        int err = posix_spawnp(&pid, argv[2], &fa, NULL, &argv[2], environ);
        if (err != 0) {
            fprintf(stderr, "spawn %s: %s\n", argv[2], strerror(err));
            return 1;
        }
        int status;
        if (waitpid(pid, &status, 0) < 0) {
            perror("waitpid");
            return 1;
        }
        t[i] = now_ns() - t0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "%s: run %ld failed (status %#x)\n", argv[2], i, status);
            return 1;
        }
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    long long med = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("%lld\n", med);
    return 0;
}
