/* execve(2) within one process: replacing the program keeps the pid and
 * the open fds (not the close-on-exec ones), passes argv and envp, resets
 * handled signals, and fails cleanly (the caller keeps running) with the
 * errno Linux gives. */
#include "check.h"
#include <signal.h>

static void handler(int s) { (void)s; }

int main(int argc, char **argv, char **envp)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        /* The new program. */
        printf("child argc: %d\n", argc);
        printf("child argv2: %s\n", argv[2]);
        printf("child env: %s\n", getenv("EXEC_VAR") ? getenv("EXEC_VAR") : "(unset)");
        printf("kept fd open: %s\n", fcntl(5, F_GETFD) >= 0 ? "yes" : "no");
        printf("cloexec fd closed: %s\n", fcntl(6, F_GETFD) < 0 && errno == EBADF ? "yes" : "no");
        struct sigaction sa;
        sigaction(SIGUSR1, NULL, &sa);
        printf("handler reset: %s\n", sa.sa_handler == SIG_DFL ? "yes" : "no");
        sigaction(SIGUSR2, NULL, &sa);
        printf("ignored kept: %s\n", sa.sa_handler == SIG_IGN ? "yes" : "no");
        printf("pid kept: %s\n", strtol(argv[3], NULL, 10) == getpid() ? "yes" : "no");
        printf("== done ==\n");
        return 0;
    }
    BEGIN("execve");
    (void)envp;
    make_tmpdir("execve");
    char *noargs[] = {"x", NULL};
    CHECK("missing", execve("/nonexistent/prog", noargs, NULL));
    CHECK("directory", execve("/", noargs, NULL));
    int fd = open("plain", O_CREAT | O_WRONLY, 0644);
    write(fd, "just text\n", 10);
    close(fd);
    CHECK("not_executable", execve("plain", noargs, NULL));
    chmod("plain", 0755);
    CHECK("no_format", execve("plain", noargs, NULL));
    CHECK("bad_argv", execve("/bin/sh", (char **)BADPTR, NULL));
    CHECK("bad_path", execve((char *)BADPTR, noargs, NULL));
    CHECK("enotdir", execve("plain/x", noargs, NULL));
    fd = open("script", O_CREAT | O_WRONLY, 0755);
    write(fd, "#!/nonexistent-interp\n", 22);
    close(fd);
    CHECK("missing_interpreter", execve("script", noargs, NULL));
    CHECK("execveat_bad_flags", syscall(SYS_execveat, AT_FDCWD, "plain", noargs, NULL, 0x4));
    CHECK("execveat_empty_no_flag", syscall(SYS_execveat, AT_FDCWD, "", noargs, NULL, 0));
    remove_tmpdir();
    /* Now replace ourselves. */
    int keep = open("/dev/null", O_RDONLY);
    dup2(keep, 5);
    dup2(keep, 6);
    fcntl(6, F_SETFD, FD_CLOEXEC);
    signal(SIGUSR1, handler);
    signal(SIGUSR2, SIG_IGN);
    char pid[32];
    snprintf(pid, sizeof pid, "%d", getpid());
    char *args[] = {argv[0], "child", "second", pid, NULL};
    char *env[] = {"EXEC_VAR=passed", NULL};
    fflush(stdout);
    execve(argv[0], args, env);
    printf("execve failed: %s\n", errname(errno));
    return 1;
}
