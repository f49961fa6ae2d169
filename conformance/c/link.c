#include "check.h"

int main(void)
{
    BEGIN("link");
    make_tmpdir("link");
    struct stat st, st2;
    write_file("f", "data");
    mkdir("d", 0755);
    symlink("f", "lf");
    CHECK("link", link("f", "h"));
    stat("f", &st);
    stat("h", &st2);
    BOOL("same_inode", st.st_ino == st2.st_ino);
    SHOW("nlink", "%ld", (long)st.st_nlink);
    CHECK("link_exists", link("f", "h"));
    CHECK("link_missing", link("none", "x"));
    CHECK("link_dir", link("d", "dl"));
    CHECK("link_into_missing_dir", link("f", "no/x"));
    CHECK("link_efault", link(BADPTR, "x"));
    /* write through one name, read through other */
    int fd = open("h", O_WRONLY | O_APPEND);
    write(fd, "+more", 5);
    close(fd);
    stat("f", &st);
    SHOW("size_via_other_name", "%ld", (long)st.st_size);
    unlink("f");
    stat("h", &st);
    SHOW("nlink_after_unlink", "%ld", (long)st.st_nlink);
    /* link() does not follow symlinks: link to the symlink itself */
    write_file("f", "new");
    CHECK("link_symlink", link("lf", "lf2"));
    lstat("lf2", &st);
    SHOW("link_symlink_type", "%s", ftype(st.st_mode));
    CHECK("linkat_follow", linkat(AT_FDCWD, "lf", AT_FDCWD, "lf3", AT_SYMLINK_FOLLOW));
    lstat("lf3", &st);
    SHOW("linkat_follow_type", "%s", ftype(st.st_mode));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK("linkat_dirfd", linkat(AT_FDCWD, "f", dfd, "g", 0));
    CHECK("linkat_bad_flags", linkat(AT_FDCWD, "f", dfd, "g2", 0x1));
    CHECK("linkat_bad_dirfd", linkat(-1, "f", dfd, "g3", 0));
    fd = open("f", O_RDONLY);
    CHECK("linkat_empty_path_no_flag", linkat(fd, "", AT_FDCWD, "g4", 0));
    close(fd);
    close(dfd);
    stat("f", &st);
    SHOW("final_nlink", "%ld", (long)st.st_nlink);
    FINISH();
}
