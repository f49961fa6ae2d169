/* Job control: stop signals stop a whole process (every thread, even one
 * in a busy loop that makes no syscalls), the parent sees it through
 * wait(WUNTRACED)/waitid(WSTOPPED) and a CLD_STOPPED SIGCHLD, SIGCONT
 * resumes it (WCONTINUED, CLD_CONTINUED), a blocked read goes on after a
 * stop without EINTR, SIGKILL ends a stopped process, SIGTSTP is ignored
 * by an orphaned process group, and an exit that orphans a group with a
 * stopped member sends it SIGHUP and SIGCONT. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

/* si_status of a CLD_STOPPED SIGCHLD is not checked: Linux itself
 * sometimes reports 0 there (a race in its group-stop bookkeeping). */
static volatile sig_atomic_t chld_code, chld_count;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    chld_code = si->si_code;
    chld_count++;
}

static void spin_forever(void)
{
    for (volatile unsigned long i = 0;; i++) {
    }
}

static volatile unsigned long *counter;

static void *spin_counting(void *arg)
{
    (void)arg;
    for (;;)
        (*counter)++;
    return NULL;
}

/* Waits for a SIGCHLD of `code` (the handler fills chld_*). */
static int wait_chld(int code)
{
    for (int i = 0; i < 500 && chld_code != code; i++)
        usleep(10000);
    return chld_code == code;
}

static void stop_and_continue_busy_child(void)
{
    pid_t c = fork();
    if (c == 0)
        spin_forever();
    int st = 0;
    chld_code = 0;
    CHECK("stop_busy", kill(c, SIGSTOP));
    pid_t w = waitpid(c, &st, WUNTRACED);
    BOOL("wait_untraced_pid", w == c);
    BOOL("wifstopped", WIFSTOPPED(st));
    SHOW("wstopsig", "%d", WSTOPSIG(st));
    BOOL("sigchld_stopped", wait_chld(CLD_STOPPED));
    BOOL("stop_reported_once", waitpid(c, &st, WUNTRACED | WNOHANG) == 0);
    chld_code = 0;
    CHECK("cont", kill(c, SIGCONT));
    w = waitpid(c, &st, WCONTINUED);
    BOOL("wait_continued_pid", w == c);
    BOOL("wifcontinued", WIFCONTINUED(st));
    BOOL("sigchld_continued", wait_chld(CLD_CONTINUED));
    BOOL("cont_reported_once", waitpid(c, &st, WCONTINUED | WNOHANG) == 0);
    /* Stop again, then SIGKILL the stopped child. */
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    SHOW("stopped_again", "%d", WIFSTOPPED(st) ? WSTOPSIG(st) : -1);
    CHECK("kill_stopped", kill(c, SIGKILL));
    waitpid(c, &st, 0);
    BOOL("killed_while_stopped", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void waitid_stopped(void)
{
    pid_t c = fork();
    if (c == 0)
        spin_forever();
    kill(c, SIGSTOP);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK("waitid_stopped_nowait", waitid(P_PID, c, &si, WSTOPPED | WNOWAIT));
    SHOW("waitid_code", "%d", si.si_code);
    SHOW("waitid_status", "%d", si.si_status);
    BOOL("waitid_pid", si.si_pid == c);
    memset(&si, 0, sizeof si);
    CHECK("waitid_stopped", waitid(P_PID, c, &si, WSTOPPED | WNOHANG));
    BOOL("waitid_again_same", si.si_code == CLD_STOPPED && si.si_pid == c);
    memset(&si, 0, sizeof si);
    CHECK("waitid_consumed", waitid(P_PID, c, &si, WSTOPPED | WNOHANG));
    BOOL("waitid_consumed_empty", si.si_pid == 0);
    kill(c, SIGCONT);
    memset(&si, 0, sizeof si);
    CHECK("waitid_continued", waitid(P_PID, c, &si, WCONTINUED));
    SHOW("waitid_cont_code", "%d", si.si_code);
    SHOW("waitid_cont_status", "%d", si.si_status);
    kill(c, SIGKILL);
    int st;
    waitpid(c, &st, 0);
}

static void threads_all_stop(void)
{
    counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *counter = 0;
    pid_t c = fork();
    if (c == 0) {
        pthread_t th;
        pthread_create(&th, NULL, spin_counting, NULL);
        spin_forever();
    }
    while (*counter < 1000)
        usleep(1000);
    kill(c, SIGSTOP);
    int st;
    waitpid(c, &st, WUNTRACED);
    usleep(20000);
    unsigned long a = *counter;
    usleep(50000);
    BOOL("thread_stopped_too", *counter == a);
    kill(c, SIGCONT);
    for (int i = 0; i < 500 && *counter == a; i++)
        usleep(1000);
    BOOL("thread_runs_again", *counter != a);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    BOOL("threaded_killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void read_survives_stop(void)
{
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        close(p[1]);
        char b[8];
        errno = 0;
        ssize_t n = read(p[0], b, sizeof b);
        _exit(n == 3 ? 0 : errno == EINTR ? 2 : 1);
    }
    close(p[0]);
    usleep(50000);
    kill(c, SIGSTOP);
    int st;
    waitpid(c, &st, WUNTRACED);
    kill(c, SIGCONT);
    usleep(50000);
    write(p[1], "abc", 3);
    waitpid(c, &st, 0);
    SHOW("read_after_stop_exit", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(p[1]);
}

static int tstp_fd = -1;

static void on_tstp(int sig)
{
    (void)sig;
    write(tstp_fd, "T", 1);
}

/* A sleep a stop interrupts goes on for the time it had left: 600 ms,
 * stopped after 400 ms for 20 ms, ends after about 620 ms (restarting
 * from scratch would take a second). */
static void sleep_survives_stop(void)
{
    pid_t c = fork();
    if (c == 0) {
        struct timespec a, b, d = {0, 600 * 1000 * 1000};
        clock_gettime(CLOCK_MONOTONIC, &a);
        int r = nanosleep(&d, NULL);
        clock_gettime(CLOCK_MONOTONIC, &b);
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        _exit(r != 0 ? 1 : ms < 600 ? 2 : ms > 900 ? 3 : 0);
    }
    usleep(400000);
    kill(c, SIGSTOP);
    int st;
    waitpid(c, &st, WUNTRACED);
    usleep(20000);
    kill(c, SIGCONT);
    waitpid(c, &st, 0);
    SHOW("sleep_after_stop_exit", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void tstp_handled_or_default(void)
{
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        tstp_fd = p[1];
        signal(SIGTSTP, on_tstp);
        write(p[1], "r", 1);
        for (;;)
            pause();
    }
    close(p[1]);
    char b = 0;
    read(p[0], &b, 1);
    kill(c, SIGTSTP);
    read(p[0], &b, 1);
    SHOW("tstp_handler_ran", "%c", b);
    int st;
    BOOL("tstp_handled_not_stopped", waitpid(c, &st, WUNTRACED | WNOHANG) == 0);
    close(p[0]);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);

    /* Default SIGTSTP, in a group our own (different) group connects. */
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        spin_forever();
    }
    setpgid(c, c);
    kill(c, SIGTSTP);
    waitpid(c, &st, WUNTRACED);
    SHOW("tstp_default_stops", "%d", WIFSTOPPED(st) ? WSTOPSIG(st) : -1);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
}

static void on_hup(int sig)
{
    (void)sig;
    write(3, "H", 1);
    _exit(0);
}

/* Runs in a new session (so its own group is orphaned: its leader's
 * parent is in another session). */
static void orphaned_groups(void)
{
    /* SIGTSTP to a member of an orphaned group does nothing. */
    pid_t g = fork();
    if (g == 0)
        spin_forever();
    kill(g, SIGTSTP);
    int st;
    usleep(50000);
    printf("orphan_tstp_ignored: %s\n", waitpid(g, &st, WUNTRACED | WNOHANG) == 0 ? "yes" : "no");
    kill(g, SIGSTOP);
    waitpid(g, &st, WUNTRACED);
    printf("orphan_sigstop_stops: %s\n", WIFSTOPPED(st) ? "yes" : "no");
    kill(g, SIGKILL);
    waitpid(g, &st, 0);

    /* A group left with a stopped member when its connecting parent
     * exits gets SIGHUP (then SIGCONT). */
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        pid_t gc = fork();
        if (gc == 0) {
            dup2(p[1], 3);
            signal(SIGHUP, on_hup);
            raise(SIGSTOP);
            _exit(9);
        }
        int s2;
        waitpid(gc, &s2, WUNTRACED);
        _exit(WIFSTOPPED(s2) ? 0 : 1);
    }
    close(p[1]);
    waitpid(c, &st, 0);
    printf("middle_exit: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    char buf[4] = {0};
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    printf("orphan_got_hup: %s\n", n > 0 ? buf : "none");
    fflush(stdout);
}

int main(void)
{
    BEGIN("jobctl");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);

    stop_and_continue_busy_child();
    waitid_stopped();
    threads_all_stop();
    read_survives_stop();
    sleep_survives_stop();
    tstp_handled_or_default();

    /* SA_NOCLDSTOP: no SIGCHLD for a stop. */
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    pid_t c = fork();
    if (c == 0)
        spin_forever();
    chld_count = 0;
    kill(c, SIGSTOP);
    int st;
    waitpid(c, &st, WUNTRACED);
    usleep(20000);
    SHOW("nocldstop_sigchld_count", "%d", (int)chld_count);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);

    fflush(stdout);
    pid_t s = fork();
    if (s == 0) {
        setsid();
        orphaned_groups();
        _exit(0);
    }
    waitpid(s, &st, 0);
    SHOW("session_child_exit", "%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    FINISH();
}
