/* fork(2), vfork(2), wait4(2), waitid(2) and pipe2(2) between processes:
 * exit statuses, zombies, ECHILD, WNOHANG, pipe EOF and EPIPE, a copied
 * address space and fd table, vfork then exec. */
#include "check.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int global = 1;

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
        return 42;
    BEGIN("fork_wait");
    int st = 0;
    CHECK("wait_no_children", wait(&st));
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        global = 2;
        _exit(getppid() == parent ? 7 : 99);
    }
    CHECK("fork", c);
    BOOL("child_pid_differs", c != parent);
    CHECK("waitpid", waitpid(c, &st, 0));
    BOOL("exited", WIFEXITED(st));
    SHOW("exit_code", "%d", WEXITSTATUS(st));
    SHOW("parent_memory_unchanged", "%d", global);
    CHECK("wait_again_echild", waitpid(c, &st, 0));

    /* WNOHANG before the child exits, then a blocking wait. */
    int go[2];
    CHECK("pipe2", pipe2(go, O_CLOEXEC));
    c = fork();
    if (c == 0) {
        char b;
        close(go[1]);
        read(go[0], &b, 1); /* EOF once the parent closes its end */
        _exit(3);
    }
    close(go[0]);
    CHECKV("wnohang_running", waitpid(c, &st, WNOHANG));
    close(go[1]);
    CHECK("waitpid_after_eof", waitpid(c, &st, 0));
    SHOW("eof_child_code", "%d", WEXITSTATUS(st));

    /* A child killed by a signal. */
    c = fork();
    if (c == 0) {
        signal(SIGTERM, SIG_DFL);
        kill(getpid(), SIGTERM);
        _exit(0);
    }
    waitpid(c, &st, 0);
    BOOL("signaled", WIFSIGNALED(st));
    SHOW("termsig", "%d", WTERMSIG(st));

    /* waitid with WNOWAIT leaves the zombie for a later wait. */
    c = fork();
    if (c == 0)
        _exit(9);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK("waitid_nowait", waitid(P_PID, c, &si, WEXITED | WNOWAIT));
    SHOW("si_code_exited", "%d", si.si_code == CLD_EXITED);
    SHOW("si_status", "%d", si.si_status);
    BOOL("si_pid", si.si_pid == c);
    CHECK("waitpid_after_nowait", waitpid(c, &st, 0));
    SHOW("code_after_nowait", "%d", WEXITSTATUS(st));
    CHECK("waitid_bad_options", waitid(P_ALL, 0, &si, 0));

    /* Data through a pipe from a child; EOF when it exits. */
    int p[2];
    CHECK("pipe", pipe(p));
    c = fork();
    if (c == 0) {
        close(p[0]);
        const char *msg = "hello through a pipe";
        write(p[1], msg, strlen(msg));
        _exit(0);
    }
    close(p[1]);
    char buf[64] = {0};
    ssize_t n, total = 0;
    while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    SHOW("pipe_data", "%s", buf);
    CHECKV("pipe_eof", read(p[0], buf, 1));
    close(p[0]);
    waitpid(c, &st, 0);

    /* EPIPE when no reader is left (SIGPIPE ignored). */
    signal(SIGPIPE, SIG_IGN);
    CHECK("pipe_epipe_setup", pipe(p));
    close(p[0]);
    CHECKV("write_no_reader", write(p[1], "x", 1));
    close(p[1]);

    /* Nonblocking read of an empty pipe. */
    CHECK("pipe2_nonblock", pipe2(p, O_NONBLOCK));
    CHECKV("read_empty_nonblock", read(p[0], buf, 1));
    CHECK("pipe2_bad_flags", pipe2(p, 0x1234567));
    CHECK("pipe_efault", pipe((int *)BADPTR));

    /* The child's fd table is a copy: closing there leaves ours open. */
    int fd = open("/dev/null", O_RDONLY);
    c = fork();
    if (c == 0) {
        close(fd);
        _exit(0);
    }
    waitpid(c, &st, 0);
    BOOL("fd_still_open", fcntl(fd, F_GETFD) >= 0);

    /* vfork + exec: the parent resumes after the exec. */
    c = vfork();
    if (c == 0) {
        char *args[] = {argv[0], "exec-child", NULL};
        execv(argv[0], args);
        _exit(127);
    }
    CHECK("vfork", c);
    waitpid(c, &st, 0);
    SHOW("vfork_exec_code", "%d", WEXITSTATUS(st));

    /* wait4 with rusage, and bad options. */
    c = fork();
    if (c == 0)
        _exit(1);
    struct rusage ru;
    CHECK("wait4_rusage", wait4(c, &st, 0, &ru));
    CHECK("wait4_bad_options", wait4(-1, &st, 0x100, NULL));
    printf("== done ==\n");
    return 0;
}
