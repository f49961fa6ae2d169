#include "check.h"

static void show(const char *name, int r, struct stat *st)
{
    if (r != 0) {
        SHOW(name, "-1 %s", errname(errno));
        return;
    }
    if (S_ISDIR(st->st_mode))
        SHOW(name, "%s %04o", ftype(st->st_mode), st->st_mode & 07777);
    else
        SHOW(name, "%s %04o size=%ld nlink=%ld", ftype(st->st_mode),
             st->st_mode & 07777, (long)st->st_size, (long)st->st_nlink);
}

int main(void)
{
    BEGIN("stat_basic");
    make_tmpdir("stat_basic");
    umask(0);
    struct stat st, st2;
    write_file("f", "hello");
    chmod("f", 0640);
    mkdir("d", 0711);
    mkdir("d/sub", 0700);
    symlink("f", "lf");
    symlink("d", "ld");
    symlink("missing", "dangling");

    int r = stat("f", &st);
    show("stat_file", r, &st);
    r = stat("d", &st);
    show("stat_dir", r, &st);
    r = lstat("lf", &st);
    show("lstat_link", r, &st);
    r = stat("lf", &st);
    show("stat_link_follows", r, &st);
    r = stat("ld", &st);
    show("stat_link_to_dir", r, &st);
    r = lstat("dangling", &st);
    show("lstat_dangling", r, &st);
    r = stat("dangling", &st);
    show("stat_dangling", r, &st);
    r = stat("missing", &st);
    show("stat_missing", r, &st);
    r = stat("f/x", &st);
    show("stat_through_file", r, &st);
    r = stat("", &st);
    show("stat_empty", r, &st);
    r = stat("d/sub/../../f", &st);
    show("stat_dotdot", r, &st);
    r = stat("d/", &st);
    show("stat_dir_slash", r, &st);
    r = stat("f/", &st);
    show("stat_file_slash", r, &st);
    r = lstat("ld/", &st);
    show("lstat_link_slash_follows", r, &st);

    /* fstat agrees with stat on identity */
    int fd = open("f", O_RDONLY);
    stat("f", &st);
    fstat(fd, &st2);
    BOOL("fstat_same_ino", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    stat("lf", &st2);
    BOOL("symlink_target_same_ino", st.st_ino == st2.st_ino);
    lstat("lf", &st2);
    BOOL("lstat_different_ino", st.st_ino != st2.st_ino);
    close(fd);
    CHECK("fstat_badfd", fstat(-1, &st));

    /* nlink bookkeeping */
    stat("d", &st);
    SHOW("dir_nlink_with_subdir", "%ld", (long)st.st_nlink);
    CHECK("link", link("f", "f2"));
    stat("f", &st);
    SHOW("file_nlink_after_link", "%ld", (long)st.st_nlink);
    unlink("f2");
    stat("f", &st);
    SHOW("file_nlink_after_unlink", "%ld", (long)st.st_nlink);

    /* size updates */
    fd = open("f", O_WRONLY | O_APPEND);
    write(fd, " world", 6);
    fstat(fd, &st);
    SHOW("size_after_append", "%ld", (long)st.st_size);
    close(fd);
    /* block size sanity (value is host specific) */
    BOOL("blksize_positive", st.st_blksize > 0);

    /* well known host files */
    r = stat("/", &st);
    BOOL("root_is_dir", r == 0 && S_ISDIR(st.st_mode));
    r = stat("/dev/null", &st);
    BOOL("devnull_chr", r == 0 && S_ISCHR(st.st_mode));
    r = lstat("/proc/self", &st);
    BOOL("proc_self_is_link", r == 0 && S_ISLNK(st.st_mode));
    FINISH();
}
