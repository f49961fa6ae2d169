#include "check.h"
#include <signal.h>

static void handler(int sig) { (void)sig; }
static void handler2(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; }

/* kernel layout of struct sigaction for raw rt_sigaction */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

int main(void)
{
    BEGIN("sigaction");
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    CHECK("query_default", sigaction(SIGUSR1, NULL, &old));
    BOOL("default_is_dfl", old.sa_handler == SIG_DFL);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sa.sa_flags = SA_RESTART;
    CHECK("install", sigaction(SIGUSR1, &sa, NULL));
    memset(&old, 0, sizeof old);
    CHECK("read_back", sigaction(SIGUSR1, NULL, &old));
    BOOL("handler_matches", old.sa_handler == handler);
    BOOL("flag_restart", old.sa_flags & SA_RESTART);
    BOOL("mask_has_usr2", sigismember(&old.sa_mask, SIGUSR2) == 1);
    BOOL("mask_not_usr1", sigismember(&old.sa_mask, SIGUSR1) == 0);
    /* swap handler: oldact returns the previous one */
    struct sigaction sa2;
    memset(&sa2, 0, sizeof sa2);
    sa2.sa_sigaction = handler2;
    sa2.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    CHECK("replace", sigaction(SIGUSR1, &sa2, &old));
    BOOL("old_was_handler", old.sa_handler == handler);
    sigaction(SIGUSR1, NULL, &old);
    BOOL("new_siginfo", (old.sa_flags & SA_SIGINFO) && old.sa_sigaction == handler2);
    BOOL("new_nodefer", old.sa_flags & SA_NODEFER);
    BOOL("new_onstack", old.sa_flags & SA_ONSTACK);
    /* ignore + default */
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    CHECK("ignore_usr2", sigaction(SIGUSR2, &sa, NULL));
    sigaction(SIGUSR2, NULL, &old);
    BOOL("usr2_ignored", old.sa_handler == SIG_IGN);
    /* SIGKILL and SIGSTOP cannot be caught or ignored */
    sa.sa_handler = handler;
    CHECK("sigkill_handler", sigaction(SIGKILL, &sa, NULL));
    CHECK("sigstop_handler", sigaction(SIGSTOP, &sa, NULL));
    sa.sa_handler = SIG_IGN;
    CHECK("sigkill_ignore", sigaction(SIGKILL, &sa, NULL));
    CHECK("sigkill_query", sigaction(SIGKILL, NULL, &old));
    CHECK("signal_0", sigaction(0, &sa, NULL));
    CHECK("signal_65", sigaction(65, &sa, NULL));
    CHECK("rt_signal_max", sigaction(SIGRTMAX, &sa, NULL));
    CHECK("raw_rt_signal_64", syscall(SYS_rt_sigaction, 64, NULL, &(struct ksigaction){0}, 8));
    /* raw rt_sigaction: wrong sigsetsize */
    struct ksigaction k = {0}, ko = {0};
    CHECK("raw_bad_sigsetsize", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &ko, 4));
    CHECK("raw_query", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &ko, 8));
    BOOL("raw_has_restorer_flag", ko.flags & 0x04000000 /* SA_RESTORER */);
    BOOL("raw_handler", ko.handler == (void *)handler2);
    k.handler = (void *)SIG_DFL;
    CHECK("raw_set_default", syscall(SYS_rt_sigaction, SIGUSR1, &k, &ko, 8));
    sigaction(SIGUSR1, NULL, &old);
    BOOL("back_to_default", old.sa_handler == SIG_DFL);
    /* signal() returns the previous disposition */
    BOOL("signal_prev_dfl", signal(SIGTERM, handler) == SIG_DFL);
    BOOL("signal_prev_handler", signal(SIGTERM, SIG_DFL) == handler);
    /* SIGCHLD default is to ignore but reads back as SIG_DFL */
    sigaction(SIGCHLD, NULL, &old);
    BOOL("sigchld_dfl", old.sa_handler == SIG_DFL);
    /* sigaltstack bookkeeping */
    stack_t ss, oss;
    CHECK("sigaltstack_query", sigaltstack(NULL, &oss));
    BOOL("altstack_disabled", oss.ss_flags & SS_DISABLE);
    static char stackbuf[65536];
    ss.ss_sp = stackbuf;
    ss.ss_size = sizeof stackbuf;
    ss.ss_flags = 0;
    CHECK("sigaltstack_set", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &oss);
    BOOL("altstack_read_back", oss.ss_sp == stackbuf && oss.ss_size == sizeof stackbuf && oss.ss_flags == 0);
    ss.ss_size = 100;
    CHECK("sigaltstack_too_small", sigaltstack(&ss, NULL));
    ss.ss_size = sizeof stackbuf;
    ss.ss_flags = 0x1234;
    CHECK("sigaltstack_bad_flags", sigaltstack(&ss, NULL));
    FINISH();
}
