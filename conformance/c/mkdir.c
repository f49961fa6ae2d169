#include "check.h"

static void mode_of(const char *name, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        SHOW(name, "%s %04o", ftype(st.st_mode), st.st_mode & 07777);
    else
        SHOW(name, "-1 %s", errname(errno));
}

int main(void)
{
    BEGIN("mkdir");
    make_tmpdir("mkdir");
    umask(022);
    write_file("f", "x");
    CHECK("mkdir", mkdir("d", 0777));
    mode_of("mode_umask_022", "d");
    CHECK("mkdir_exists", mkdir("d", 0777));
    CHECK("mkdir_over_file", mkdir("f", 0777));
    CHECK("mkdir_missing_parent", mkdir("no/such", 0777));
    CHECK("mkdir_through_file", mkdir("f/sub", 0777));
    CHECK("mkdir_trailing_slash", mkdir("e/", 0700));
    mode_of("trailing_slash_mode", "e");
    CHECK("mkdir_empty", mkdir("", 0777));
    CHECK("mkdir_dot", mkdir(".", 0777));
    CHECK("mkdir_dotdot", mkdir("..", 0777));
    CHECK("mkdir_efault", mkdir(BADPTR, 0777));
    umask(0);
    CHECK("mkdir_sticky_bits", mkdir("s", 01777));
    mode_of("sticky_mode", "s");
    CHECK("mkdir_mode_0", mkdir("z", 0));
    mode_of("zero_mode", "z");
    symlink("d", "ld");
    CHECK("mkdir_over_symlink", mkdir("ld", 0777));
    symlink("newdir", "dangling");
    CHECK("mkdir_over_dangling", mkdir("dangling", 0777));
    struct stat st;
    CHECK("dangling_target_not_created", stat("newdir", &st));

    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK("mkdirat", mkdirat(dfd, "inner", 0750));
    mode_of("mkdirat_mode", "d/inner");
    CHECK("mkdirat_exists", mkdirat(dfd, "inner", 0750));
    CHECK("mkdirat_bad_dirfd", mkdirat(-1, "x", 0750));
    int ffd = open("f", O_RDONLY);
    CHECK("mkdirat_file_dirfd", mkdirat(ffd, "x", 0750));
    CHECK("mkdirat_fdcwd", mkdirat(AT_FDCWD, "top2", 0700));
    mode_of("mkdirat_fdcwd_mode", "top2");
    close(ffd);
    close(dfd);
    /* nlink of parent grows with subdirectories */
    stat("d", &st);
    long before = (long)st.st_nlink;
    mkdir("d/x1", 0755);
    stat("d", &st);
    BOOL("parent_nlink_grows", (long)st.st_nlink == before + 1 || st.st_nlink == 1);
    /* long component */
    char name[300];
    memset(name, 'n', 256);
    name[256] = 0;
    CHECK("mkdir_long_component", mkdir(name, 0777));
    name[255] = 0;
    CHECK("mkdir_255_component", mkdir(name, 0777));
    rmdir(name);
    FINISH();
}
