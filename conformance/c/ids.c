#include "check.h"
#include <signal.h>

int main(void)
{
    BEGIN("ids");
    pid_t pid = getpid();
    BOOL("pid_positive", pid > 0);
    BOOL("ppid_positive", getppid() > 0);
    BOOL("pid_ne_ppid", pid != getppid());
    BOOL("gettid_eq_pid", syscall(SYS_gettid) == pid);
    BOOL("raw_getpid_eq", syscall(SYS_getpid) == pid);
    BOOL("getpid_stable", getpid() == pid);
    BOOL("uid_eq_euid", getuid() == geteuid());
    BOOL("gid_eq_egid", getgid() == getegid());
    uid_t r, e, s;
    CHECK("getresuid", getresuid(&r, &e, &s));
    BOOL("resuid_consistent", r == getuid() && e == geteuid() && s == e);
    gid_t gr, ge, gs;
    CHECK("getresgid", getresgid(&gr, &ge, &gs));
    BOOL("resgid_consistent", gr == getgid() && ge == getegid() && gs == ge);
    int ng = getgroups(0, NULL);
    CHECK("getgroups_count", ng);
    gid_t groups[256];
    int ng2 = getgroups(256, groups);
    BOOL("getgroups_same_count", ng2 == ng);
    BOOL("getpgrp_eq_getpgid0", getpgrp() == getpgid(0));
    BOOL("getpgid_self", getpgid(pid) == getpgrp());
    BOOL("getsid0_positive", getsid(0) > 0);
    CHECK("getpgid_nonexistent", getpgid(0x3fffffff));
    CHECK("getsid_nonexistent", getsid(0x3fffffff));
    /* set ids to the current values is always allowed */
    CHECK("setuid_same", setuid(getuid()));
    CHECK("setgid_same", setgid(getgid()));
    CHECK("setreuid_nochange", setreuid(-1, -1));
    CHECK("setresuid_nochange", setresuid(-1, -1, -1));
    BOOL("still_same_uid", getuid() == r);
    /* /proc/self/status agrees */
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long spid = -1, sppid = -1, stgid = -1;
    while (f && fgets(line, sizeof line, f)) {
        sscanf(line, "Pid: %ld", &spid);
        sscanf(line, "PPid: %ld", &sppid);
        sscanf(line, "Tgid: %ld", &stgid);
    }
    if (f)
        fclose(f);
    BOOL("status_pid", spid == pid);
    BOOL("status_tgid", stgid == pid);
    BOOL("status_ppid", sppid == getppid());
    /* kill(pid, 0) probes existence */
    CHECK("kill_self_sig0", kill(pid, 0));
    CHECK("kill_nonexistent_sig0", kill(0x3fffffff, 0));
    CHECK("kill_bad_signal", kill(pid, 1000));
    FINISH();
}
