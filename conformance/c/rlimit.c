#include "check.h"
#include <sys/resource.h>

int main(void)
{
    BEGIN("rlimit");
    struct rlimit rl, rl2;
    CHECK("getrlimit_nofile", getrlimit(RLIMIT_NOFILE, &rl));
    BOOL("soft_le_hard", rl.rlim_cur <= rl.rlim_max);
    BOOL("soft_ge_64", rl.rlim_cur >= 64);
    struct rlimit lower = {32, rl.rlim_max};
    CHECK("setrlimit_lower", setrlimit(RLIMIT_NOFILE, &lower));
    getrlimit(RLIMIT_NOFILE, &rl2);
    SHOW("read_back_soft", "%lu", (unsigned long)rl2.rlim_cur);
    BOOL("hard_unchanged", rl2.rlim_max == rl.rlim_max);
    /* opening beyond the limit fails with EMFILE */
    int last = -1, fails = 0, err = 0;
    for (int i = 0; i < 40; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            fails++;
            err = errno;
        } else {
            last = fd;
        }
    }
    BOOL("highest_fd_below_limit", last >= 3 && last < 32);
    SHOW("emfile", "%d %s", fails > 0, errname(err));
    CHECKV("dup2_beyond_limit", dup2(0, 40));
    CHECKV("fcntl_dupfd_beyond", fcntl(0, F_DUPFD, 40));
    for (int fd = 3; fd <= last; fd++)
        close(fd);
    struct rlimit bad = {rl.rlim_max, rl.rlim_max == RLIM_INFINITY ? 1 : rl.rlim_max - 1};
    CHECK("soft_gt_hard", setrlimit(RLIMIT_NOFILE, &bad));
    CHECK("bad_resource_get", getrlimit(1000, &rl2));
    CHECK("bad_resource_set", setrlimit(1000, &rl2));
    /* prlimit64 */
    struct rlimit old, nw = {16, rl.rlim_max};
    CHECK("prlimit_get", prlimit(0, RLIMIT_NOFILE, NULL, &old));
    SHOW("prlimit_old_soft", "%lu", (unsigned long)old.rlim_cur);
    CHECK("prlimit_set", prlimit(0, RLIMIT_NOFILE, &nw, &old));
    SHOW("prlimit_returned_old", "%lu", (unsigned long)old.rlim_cur);
    getrlimit(RLIMIT_NOFILE, &rl2);
    SHOW("prlimit_new_soft", "%lu", (unsigned long)rl2.rlim_cur);
    CHECK("prlimit_self_pid", prlimit(getpid(), RLIMIT_NOFILE, NULL, &old));
    CHECK("prlimit_nonexistent_pid", prlimit(0x3fffffff, RLIMIT_NOFILE, NULL, &old));
    CHECK("raw_prlimit64", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old));
    /* raising the hard limit as non-root would fail; lowering is allowed */
    struct rlimit st;
    CHECK("getrlimit_stack", getrlimit(RLIMIT_STACK, &st));
    BOOL("stack_soft_le_hard", st.rlim_cur <= st.rlim_max);
    CHECK("getrlimit_as", getrlimit(RLIMIT_AS, &st));
    CHECK("getrlimit_core", getrlimit(RLIMIT_CORE, &st));
    CHECK("getrlimit_data", getrlimit(RLIMIT_DATA, &st));
    struct rlimit fs = {1 << 20, RLIM_INFINITY};
    getrlimit(RLIMIT_FSIZE, &st);
    fs.rlim_max = st.rlim_max;
    /* RLIMIT_FSIZE: writing past it would raise SIGXFSZ; only set/get */
    CHECK("setrlimit_fsize", setrlimit(RLIMIT_FSIZE, &fs));
    getrlimit(RLIMIT_FSIZE, &st);
    SHOW("fsize_soft", "%lu", (unsigned long)st.rlim_cur);
    FINISH();
}
