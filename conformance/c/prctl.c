#include "check.h"
#include <sys/prctl.h>

int main(void)
{
    BEGIN("prctl");
    char name[32] = {0};
    CHECK("get_name", prctl(PR_GET_NAME, name));
    BOOL("name_is_prctl", strcmp(name, "prctl") == 0);
    CHECK("set_name", prctl(PR_SET_NAME, "renamed-task-with-long-name"));
    memset(name, 0, sizeof name);
    prctl(PR_GET_NAME, name);
    SHOW("name_truncated", "%s", name);
    int fd = open("/proc/self/comm", O_RDONLY);
    char buf[64] = {0};
    read(fd, buf, sizeof buf - 1);
    close(fd);
    SHOW("proc_comm", "%s", strtok(buf, "\n"));
    CHECKV("get_dumpable", prctl(PR_GET_DUMPABLE));
    CHECK("set_dumpable_0", prctl(PR_SET_DUMPABLE, 0));
    CHECKV("get_dumpable_after", prctl(PR_GET_DUMPABLE));
    CHECK("set_dumpable_bad", prctl(PR_SET_DUMPABLE, 5));
    prctl(PR_SET_DUMPABLE, 1);
    CHECKV("get_pdeathsig", ({ int s = -1; prctl(PR_GET_PDEATHSIG, &s); s; }));
    CHECK("set_pdeathsig_bad", prctl(PR_SET_PDEATHSIG, 1000));
    CHECKV("get_no_new_privs", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    CHECK("set_no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    CHECKV("get_no_new_privs_after", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    CHECK("unset_no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    CHECKV("get_timerslack_positive", prctl(PR_GET_TIMERSLACK) > 0);
    CHECKV("get_seccomp", prctl(PR_GET_SECCOMP));
    CHECK("bad_option", prctl(0x7fffffff, 0, 0, 0, 0));
    CHECKV("get_child_subreaper", ({ int s = -1; prctl(PR_GET_CHILD_SUBREAPER, &s); s; }));
    CHECKV("capbset_read_bad", prctl(PR_CAPBSET_READ, 1000));
    CHECKV("get_keepcaps", prctl(PR_GET_KEEPCAPS));
    CHECK("get_name_efault", prctl(PR_GET_NAME, BADPTR));
    FINISH();
}
