/* Signal delivery: handlers with siginfo, masks and pending sets,
 * SA_RESETHAND, SA_NODEFER, SA_ONSTACK, SA_RESTART, SIGSEGV with si_addr,
 * SIGCHLD from a child, kill between processes, FPU state kept across a
 * handler, and sigsuspend/pause. */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t hits, last_code, last_pid, nested, depth;
static volatile int last_signo, on_altstack;
static void *alt_base;
static size_t alt_size;
static sigjmp_buf jb;
static void *fault_addr;

static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    last_signo = sig;
    last_code = si->si_code;
    last_pid = si->si_pid;
    char here;
    on_altstack = (void *)&here >= alt_base && (void *)&here < (void *)((char *)alt_base + alt_size);
}

static void nodefer_handler(int sig)
{
    depth++;
    if (depth == 1)
        raise(sig); /* delivered at once, nested, with SA_NODEFER */
    if (depth == 2)
        nested = 1;
    depth--;
}

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    fault_addr = si->si_addr;
    siglongjmp(jb, 1);
}

static volatile double fp_in_handler;
static void fp_handler(int sig)
{
    (void)sig;
    double x = 1.0;
    for (int i = 0; i < 10; i++)
        x = x * 3.5 + 0.25;
    fp_in_handler = x;
}

static void chld_handler(int sig) { (void)sig; hits++; }

int main(void)
{
    BEGIN("signals");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK("sigaction_usr1", sigaction(SIGUSR1, &sa, NULL));
    CHECK("raise", raise(SIGUSR1));
    SHOW("handler_ran", "%d", hits);
    SHOW("signo", "%d", last_signo);
    SHOW("code_is_tkill", "%d", last_code == SI_TKILL);
    CHECK("kill_self", kill(getpid(), SIGUSR1));
    SHOW("kill_code_is_user", "%d", last_code == SI_USER);
    BOOL("kill_pid_is_self", last_pid == getpid());

    /* Blocked: pending until unblocked. */
    sigset_t set, pend, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    hits = 0;
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    SHOW("blocked_not_run", "%d", hits);
    sigpending(&pend);
    BOOL("pending_usr1", sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    SHOW("delivered_on_unblock", "%d", hits);

    /* SA_RESETHAND: the second raise takes the default (ignore for
     * SIGWINCH). */
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGWINCH, &sa, NULL);
    hits = 0;
    raise(SIGWINCH);
    raise(SIGWINCH);
    SHOW("resethand_hits", "%d", hits);
    struct sigaction now;
    sigaction(SIGWINCH, NULL, &now);
    BOOL("reset_to_default", now.sa_handler == SIG_DFL);

    /* SA_NODEFER allows the handler to be re-entered. */
    struct sigaction nd;
    memset(&nd, 0, sizeof nd);
    nd.sa_handler = nodefer_handler;
    nd.sa_flags = SA_NODEFER;
    sigaction(SIGUSR2, &nd, NULL);
    raise(SIGUSR2);
    SHOW("nodefer_nested", "%d", nested);

    /* SA_ONSTACK runs the handler on the alternate stack. */
    alt_size = 65536;
    alt_base = malloc(alt_size);
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    CHECK("sigaltstack", sigaltstack(&ss, NULL));
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    SHOW("ran_on_altstack", "%d", on_altstack);
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    SHOW("off_altstack_without_flag", "%d", on_altstack);

    /* A fault handled with siglongjmp, with the faulting address. */
    struct sigaction sg;
    memset(&sg, 0, sizeof sg);
    sg.sa_sigaction = segv_handler;
    sg.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sg, NULL);
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile int *)0x1000 = 1;
        printf("no fault\n");
    }
    BOOL("segv_addr", fault_addr == (void *)0x1000);

    /* FPU state survives a handler that computes. */
    signal(SIGALRM, fp_handler);
    volatile double a = 1.0 / 3.0, b = 2.0 / 7.0;
    double before = a * b;
    raise(SIGALRM);
    double after = a * b;
    BOOL("fpu_preserved", before == after);
    BOOL("handler_computed", fp_in_handler > 1000.0);

    /* SIGCHLD with siginfo when a child exits. */
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGCHLD, &sa, NULL);
    hits = 0;
    pid_t c = fork();
    if (c == 0)
        _exit(5);
    int st;
    waitpid(c, &st, 0);
    /* The SIGCHLD may arrive just after waitpid returns: wait for it. */
    for (int i = 0; i < 200 && hits == 0; i++)
        usleep(5000);
    SHOW("sigchld_signo", "%d", last_signo);
    SHOW("sigchld_exited", "%d", last_code == CLD_EXITED);
    BOOL("sigchld_pid", last_pid == c);

    /* kill to a child that handles the signal, then exits 7. */
    signal(SIGCHLD, SIG_DFL);
    int p[2];
    pipe(p);
    c = fork();
    if (c == 0) {
        signal(SIGUSR1, chld_handler);
        close(p[0]);
        write(p[1], "r", 1);
        while (hits == 0)
            pause();
        _exit(7);
    }
    char ch;
    close(p[1]);
    read(p[0], &ch, 1);
    CHECK("kill_child", kill(c, SIGUSR1));
    waitpid(c, &st, 0);
    SHOW("child_handled_then_exit", "%d", WEXITSTATUS(st));

    /* sigsuspend waits for a blocked signal and restores the mask. */
    sigprocmask(SIG_BLOCK, &set, &old);
    c = fork();
    if (c == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    hits = 0;
    sigset_t none;
    sigemptyset(&none);
    CHECK("sigsuspend", sigsuspend(&none));
    SHOW("sigsuspend_handler_ran", "%d", hits);
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    BOOL("mask_restored", sigismember(&cur, SIGUSR1));
    waitpid(c, &st, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* A default-terminating signal to a child. */
    c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    usleep(20000);
    kill(c, SIGTERM);
    waitpid(c, &st, 0);
    BOOL("child_terminated", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    printf("== done ==\n");
    return 0;
}
