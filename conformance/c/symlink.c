#include "check.h"

int main(void)
{
    BEGIN("symlink");
    make_tmpdir("symlink");
    struct stat st;
    write_file("f", "content");
    mkdir("d", 0755);
    write_file("d/inner", "in");

    CHECK("symlink", symlink("f", "l1"));
    CHECK("exists", symlink("f", "l1"));
    CHECK("over_file", symlink("x", "f"));
    CHECK("empty_target", symlink("", "empty"));
    CHECK("missing_parent", symlink("f", "nodir/l"));
    CHECK("chain2", symlink("l1", "l2"));
    CHECK("chain3", symlink("l2", "l3"));
    CHECK("stat_chain", stat("l3", &st));
    SHOW("chain_size", "%ld", (long)st.st_size);
    CHECK("loop_a", symlink("loopb", "loopa"));
    CHECK("loop_b", symlink("loopa", "loopb"));
    CHECK("stat_loop", stat("loopa", &st));
    CHECK("open_loop", open("loopa", O_RDONLY));
    CHECK("lstat_loop", lstat("loopa", &st));
    CHECK("self_loop", symlink("self", "self"));
    CHECK("stat_self_loop", stat("self", &st));
    CHECK("loop_as_dir", stat("loopa/x", &st));
    CHECK("through_file", stat("f/x", &st));
    CHECK("through_link_to_file", stat("l1/x", &st));
    CHECK("open_through_file", open("f/", O_RDONLY));
    CHECK("dirlink", symlink("d", "ld"));
    CHECK("through_dirlink", stat("ld/inner", &st));
    CHECK("relative_dotdot_link", symlink("../f", "d/up"));
    CHECK("stat_dotdot_link", stat("d/up", &st));
    char abs[PATH_MAX + 8];
    snprintf(abs, sizeof abs, "%s/d", conf_tmpdir);
    CHECK("absolute_link", symlink(abs, "absd"));
    CHECK("through_absolute_link", stat("absd/inner", &st));

    /* 40 levels is the limit: chain of 45 fails with ELOOP, 30 works */
    char a[32], b[32];
    for (int i = 1; i <= 45; i++) {
        snprintf(a, sizeof a, "c%d", i);
        snprintf(b, sizeof b, "c%d", i - 1);
        symlink(i == 1 ? "f" : b, a);
    }
    CHECK("chain_30", stat("c30", &st));
    CHECK("chain_45", stat("c45", &st));
    CHECK("efault_target", symlink(BADPTR, "x"));
    CHECK("empty_target_stat", stat("empty", &st));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK("symlinkat", symlinkat("inner", dfd, "li"));
    CHECK("symlinkat_stat", stat("d/li", &st));
    CHECK("symlinkat_bad_dirfd", symlinkat("inner", -1, "x"));
    close(dfd);
    /* a trailing slash on a symlink to a directory follows it */
    CHECK("unlink_dirlink_slash", unlink("ld/"));
    CHECK("rmdir_dirlink", rmdir("ld"));
    CHECK("unlink_dirlink", unlink("ld"));
    FINISH();
}
