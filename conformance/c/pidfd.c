/* pidfd_open(2), pidfd_send_signal(2), polling a pidfd for exit, and
 * waitid(P_PIDFD). */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <linux/sched.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int main(void)
{
    BEGIN("pidfd");
    pid_t c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    int pfd = syscall(SYS_pidfd_open, c, 0);
    CHECK("pidfd_open", pfd);
    BOOL("cloexec", (fcntl(pfd, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK("pidfd_open_bad_flags", syscall(SYS_pidfd_open, c, 1));
    CHECK("pidfd_open_missing", syscall(SYS_pidfd_open, 0x3ffffff0, 0));
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    CHECKV("poll_running", poll(&p, 1, 0));
    CHECK("send_signal_0", syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0));
    CHECK("send_signal_bad_flags", syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 1));
    CHECK("send_sigterm", syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0));
    CHECKV("poll_exited", poll(&p, 1, 5000));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK("waitid_pidfd", waitid(P_PIDFD, pfd, &si, WEXITED));
    BOOL("killed_by_term", si.si_code == CLD_KILLED && si.si_status == SIGTERM);
    CHECK("send_after_reap", syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0));
    CHECK("send_on_non_pidfd", syscall(SYS_pidfd_send_signal, 0, SIGTERM, NULL, 0));

    /* clone3(CLONE_PIDFD): the parent gets a close-on-exec pidfd. */
    int cfd = -2;
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_PIDFD;
    ca.pidfd = (unsigned long)&cfd;
    ca.exit_signal = SIGCHLD;
    long k = syscall(SYS_clone3, &ca, sizeof ca);
    if (k == 0)
        _exit(7);
    CHECKV("clone3_pidfd", k > 0);
    BOOL("clone3_pidfd_set", cfd >= 0);
    BOOL("clone3_pidfd_cloexec", (fcntl(cfd, F_GETFD) & FD_CLOEXEC) != 0);
    memset(&si, 0, sizeof si);
    CHECK("waitid_clone3_pidfd", waitid(P_PIDFD, cfd, &si, WEXITED));
    BOOL("clone3_child_status", si.si_code == CLD_EXITED && si.si_status == 7 && si.si_pid == k);
    /* clone(2) writes the pidfd where CLONE_PARENT_SETTID would write. */
    CHECK("clone_pidfd_and_settid",
          syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &cfd, 0, 0));
    printf("== done ==\n");
    return 0;
}
