#include "check.h"

static void show(const char *name, int r, struct stat *st)
{
    if (r != 0)
        SHOW(name, "-1 %s", errname(errno));
    else
        SHOW(name, "%s %04o", ftype(st->st_mode), st->st_mode & 07777);
}

int main(void)
{
    BEGIN("fstatat");
    make_tmpdir("fstatat");
    umask(022);
    struct stat st;
    write_file("f", "data");
    mkdir("d", 0755);
    write_file("d/g", "gg");
    symlink("f", "lf");
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    int ffd = open("f", O_RDONLY);

    int r = fstatat(AT_FDCWD, "f", &st, 0);
    show("fdcwd_file", r, &st);
    r = fstatat(dfd, "g", &st, 0);
    show("dirfd_rel", r, &st);
    SHOW("dirfd_rel_size", "%ld", (long)st.st_size);
    r = fstatat(AT_FDCWD, "lf", &st, AT_SYMLINK_NOFOLLOW);
    show("nofollow_link", r, &st);
    r = fstatat(AT_FDCWD, "lf", &st, 0);
    show("follow_link", r, &st);
    r = fstatat(ffd, "", &st, AT_EMPTY_PATH);
    show("empty_path_file", r, &st);
    SHOW("empty_path_size", "%ld", (long)st.st_size);
    r = fstatat(dfd, "", &st, AT_EMPTY_PATH);
    show("empty_path_dir", r, &st);
    r = fstatat(ffd, "", &st, 0);
    show("empty_no_flag", r, &st);
    r = fstatat(ffd, "x", &st, 0);
    show("file_as_dirfd", r, &st);
    r = fstatat(-1, "f", &st, 0);
    show("bad_dirfd_rel", r, &st);
    r = fstatat(12345, "", &st, AT_EMPTY_PATH);
    show("bad_fd_empty_path", r, &st);
    r = fstatat(AT_FDCWD, "f", &st, 0x12345678);
    show("bad_flags", r, &st);
    r = fstatat(AT_FDCWD, "nope", &st, 0);
    show("missing", r, &st);
    /* raw syscall */
    r = (int)syscall(SYS_newfstatat, AT_FDCWD, "lf", &st, AT_SYMLINK_NOFOLLOW);
    show("raw_newfstatat_nofollow", r, &st);
    r = (int)syscall(SYS_newfstatat, AT_FDCWD, BADPTR, &st, 0);
    show("raw_bad_path", r, &st);
    r = (int)syscall(SYS_newfstatat, AT_FDCWD, "f", BADPTR, 0);
    show("raw_bad_statbuf", r, &st);
    /* O_PATH fd with AT_EMPTY_PATH on a symlink */
    int pfd = open("lf", O_PATH | O_NOFOLLOW);
    r = fstatat(pfd, "", &st, AT_EMPTY_PATH);
    show("opath_symlink_empty", r, &st);
    r = fstat(pfd, &st);
    show("opath_symlink_fstat", r, &st);
    close(pfd);
    close(dfd);
    close(ffd);
    FINISH();
}
