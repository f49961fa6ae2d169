#include "check.h"

int main(void)
{
    BEGIN("chdir");
    make_tmpdir("chdir");
    mkdir("d", 0755);
    write_file("d/marker", "m");
    write_file("f", "x");
    mkdir("noexec", 0600);
    CHECK("chdir_d", chdir("d"));
    struct stat st;
    CHECK("relative_after_chdir", stat("marker", &st));
    CHECK("chdir_dotdot", chdir(".."));
    CHECK("chdir_file", chdir("f"));
    CHECK("chdir_missing", chdir("missing"));
    CHECK("chdir_through_file", chdir("f/x"));
    CHECK("chdir_empty", chdir(""));
    CHECK("chdir_efault", chdir(BADPTR));
    CHECK("chdir_dot", chdir("."));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    int ffd = open("f", O_RDONLY);
    CHECK("fchdir_d", fchdir(dfd));
    CHECK("after_fchdir", stat("marker", &st));
    CHECK("fchdir_file", fchdir(ffd));
    CHECK("fchdir_badfd", fchdir(-1));
    CHECK("fchdir_closed", fchdir(777));
    int pfd = open(conf_tmpdir, O_PATH);
    CHECK("fchdir_opath", fchdir(pfd));
    CHECK("back_home", stat("f", &st));
    close(pfd);
    close(dfd);
    close(ffd);
    /* chdir into a directory, remove it, relative lookups fail */
    mkdir("tmp", 0755);
    chdir("tmp");
    rmdir("../tmp");
    CHECK("create_in_removed_cwd", open("x", O_CREAT | O_WRONLY, 0600));
    CHECK("stat_dot_in_removed", stat(".", &st));
    CHECK("chdir_dotdot_from_removed", chdir(".."));
    CHECK("home_again", stat("f", &st));
    /* chroot is privileged: just check EPERM-free error path with bad path */
    CHECK("chdir_proc", chdir("/proc/self"));
    CHECK("proc_status_relative", stat("status", &st));
    FINISH();
}
