#include "check.h"
#include <signal.h>

int main(void)
{
    BEGIN("sigprocmask");
    sigset_t set, old;
    sigemptyset(&set);
    CHECK("query", sigprocmask(SIG_BLOCK, NULL, &old));
    BOOL("initially_usr1_unblocked", !sigismember(&old, SIGUSR1));
    sigaddset(&set, SIGUSR1);
    CHECK("block_usr1", sigprocmask(SIG_BLOCK, &set, NULL));
    sigprocmask(SIG_BLOCK, NULL, &old);
    BOOL("usr1_blocked", sigismember(&old, SIGUSR1) == 1);
    BOOL("usr2_not_blocked", sigismember(&old, SIGUSR2) == 0);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK("block_usr2", sigprocmask(SIG_BLOCK, &set, &old));
    BOOL("old_had_usr1_only", sigismember(&old, SIGUSR1) && !sigismember(&old, SIGUSR2));
    CHECK("unblock_usr1", sigprocmask(SIG_UNBLOCK, &(sigset_t){{1UL << (SIGUSR1 - 1)}}, NULL));
    sigprocmask(SIG_BLOCK, NULL, &old);
    BOOL("after_unblock", !sigismember(&old, SIGUSR1) && sigismember(&old, SIGUSR2));
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    CHECK("setmask", sigprocmask(SIG_SETMASK, &set, NULL));
    sigprocmask(SIG_BLOCK, NULL, &old);
    BOOL("setmask_exact", sigismember(&old, SIGTERM) && !sigismember(&old, SIGUSR2));
    /* SIGKILL and SIGSTOP are silently not blocked */
    sigfillset(&set);
    CHECK("block_all", sigprocmask(SIG_SETMASK, &set, NULL));
    sigprocmask(SIG_BLOCK, NULL, &old);
    BOOL("kill_not_blocked", !sigismember(&old, SIGKILL));
    BOOL("stop_not_blocked", !sigismember(&old, SIGSTOP));
    BOOL("term_blocked", sigismember(&old, SIGTERM));
    /* raw syscall: full 64-bit mask minus KILL/STOP */
    unsigned long kmask = 0;
    CHECK("raw_query", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &kmask, 8));
    SHOW("raw_mask_hex", "%016lx", kmask);
    unsigned long all = ~0UL;
    CHECK("raw_block_all", syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &kmask, 8));
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &kmask, 8);
    SHOW("raw_all_mask_hex", "%016lx", kmask);
    CHECK("bad_how", sigprocmask(99, &set, NULL));
    CHECK("raw_bad_how", syscall(SYS_rt_sigprocmask, 99, &all, NULL, 8));
    CHECK("raw_bad_how_null_set", syscall(SYS_rt_sigprocmask, 99, NULL, &kmask, 8));
    CHECK("raw_bad_sigsetsize", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &kmask, 4));
    sigemptyset(&set);
    CHECK("unblock_all", sigprocmask(SIG_SETMASK, &set, NULL));
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &kmask, 8);
    SHOW("final_mask_hex", "%016lx", kmask);
    /* nothing pending */
    sigset_t pend;
    CHECK("sigpending", sigpending(&pend));
    BOOL("nothing_pending", sigisemptyset(&pend));
    CHECK("raw_sigpending_bad_size", syscall(SYS_rt_sigpending, &pend, 4));
    /* /proc/self/status SigBlk reflects the mask */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_SETMASK, &set, NULL);
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "SigBlk:", 7) == 0)
            printf("proc_%s", line);
    if (f)
        fclose(f);
    FINISH();
}
