#include "check.h"

int main(void)
{
    BEGIN("unlink");
    make_tmpdir("unlink");
    write_file("f", "x");
    mkdir("d", 0755);
    mkdir("full", 0755);
    write_file("full/x", "x");
    symlink("d", "ld");
    symlink("f", "lf");
    struct stat st;

    CHECK("unlink_file", unlink("f"));
    CHECK("gone", stat("f", &st));
    CHECK("unlink_again", unlink("f"));
    CHECK("unlink_dir", unlink("d"));
    CHECK("unlink_symlink_to_dir", unlink("ld"));
    CHECK("dir_still_there", stat("d", &st));
    CHECK("unlink_dangling_symlink", unlink("lf"));
    CHECK("unlink_empty", unlink(""));
    CHECK("unlink_efault", unlink(BADPTR));
    write_file("g", "y");
    CHECK("unlink_through_file", unlink("g/x"));
    CHECK("unlink_trailing_slash_file", unlink("g/"));

    CHECK("rmdir_full", rmdir("full"));
    CHECK("rmdir_file", rmdir("g"));
    CHECK("rmdir_dot", rmdir("."));
    CHECK("rmdir_dotdot", rmdir(".."));
    CHECK("rmdir_missing", rmdir("missing"));
    CHECK("rmdir_trailing_dot", rmdir("d/."));
    CHECK("rmdir_trailing_slash", rmdir("d/"));
    CHECK("rmdir_gone", stat("d", &st));

    /* unlinkat */
    mkdir("d2", 0755);
    write_file("d2/a", "a");
    mkdir("d2/sub", 0755);
    int dfd = open("d2", O_RDONLY | O_DIRECTORY);
    CHECK("unlinkat_file", unlinkat(dfd, "a", 0));
    CHECK("unlinkat_dir_no_flag", unlinkat(dfd, "sub", 0));
    CHECK("unlinkat_file_removedir", unlinkat(AT_FDCWD, "g", AT_REMOVEDIR));
    CHECK("unlinkat_removedir", unlinkat(dfd, "sub", AT_REMOVEDIR));
    CHECK("unlinkat_bad_flags", unlinkat(dfd, "x", 0x1));
    CHECK("unlinkat_bad_dirfd", unlinkat(-1, "x", 0));
    CHECK("unlinkat_now_empty", unlinkat(AT_FDCWD, "d2", AT_REMOVEDIR));
    close(dfd);

    /* open file survives unlink */
    int fd = open("keep", O_RDWR | O_CREAT, 0644);
    write(fd, "still here", 10);
    CHECK("unlink_open_file", unlink("keep"));
    fstat(fd, &st);
    SHOW("nlink_after_unlink", "%ld", (long)st.st_nlink);
    char buf[16] = {0};
    pread(fd, buf, 10, 0);
    SHOW("content_after_unlink", "%s", buf);
    close(fd);
    /* removing a directory that is the cwd of nobody but has open fd */
    mkdir("od", 0755);
    int ofd = open("od", O_RDONLY | O_DIRECTORY);
    CHECK("rmdir_open_dir", rmdir("od"));
    CHECK("openat_in_removed_dir", openat(ofd, "n", O_CREAT | O_WRONLY, 0600));
    close(ofd);
    FINISH();
}
