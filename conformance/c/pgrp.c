/* Process groups and sessions: setpgid/getpgid/setsid/getsid between a
 * parent and its children (relations only: the numbers differ between a
 * sandbox, where the program is PID 1, and a native run). */
#include "check.h"
#include <signal.h>
#include <sys/wait.h>

int main(void)
{
    BEGIN("pgrp");
    pid_t me = getpid();
    BOOL("getpgid_self_is_getpgrp", getpgid(0) == getpgrp());
    BOOL("getsid_self", getsid(0) == getsid(me));
    CHECK("getpgid_bad", getpgid(-5));
    CHECK("getpgid_missing", getpgid(0x3ffffff0));
    CHECK("setpgid_neg", setpgid(0, -1));
    int go[2], done[2];
    pipe(go);
    pipe(done);
    pid_t c = fork();
    if (c == 0) {
        char b;
        read(go[0], &b, 1);
        pid_t s = setsid();
        printf("child_setsid_is_pid: %s\n", s == getpid() ? "yes" : "no");
        printf("child_sid: %s\n", getsid(0) == getpid() ? "yes" : "no");
        printf("child_pgid: %s\n", getpgrp() == getpid() ? "yes" : "no");
        printf("child_setsid_again: %s\n", setsid() < 0 && errno == EPERM ? "EPERM" : "ok");
        fflush(stdout);
        write(done[1], "x", 1);
        pause();
        _exit(0);
    }
    CHECK("setpgid_child", setpgid(c, c));
    BOOL("child_own_group", getpgid(c) == c);
    CHECK("setpgid_child_back", setpgid(c, getpgrp()));
    BOOL("child_back_in_ours", getpgid(c) == getpgrp());
    write(go[1], "g", 1);
    char b;
    read(done[0], &b, 1);
    BOOL("child_new_session", getsid(c) == c);
    CHECK("setpgid_other_session", setpgid(c, c));
    CHECK("setsid_group_leader", setsid());
    CHECK("kill_group", kill(-c, SIGTERM));
    int st;
    waitpid(c, &st, 0);
    BOOL("group_killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    printf("== done ==\n");
    return 0;
}
