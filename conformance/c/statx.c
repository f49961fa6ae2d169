#include "check.h"

static void show(const char *name, int r, struct statx *sx)
{
    if (r != 0) {
        SHOW(name, "-1 %s", errname(errno));
        return;
    }
    unsigned basic = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE;
    if (S_ISDIR(sx->stx_mode))
        SHOW(name, "basic=%d %s %04o", (sx->stx_mask & basic) == basic,
             ftype(sx->stx_mode), sx->stx_mode & 07777);
    else
        SHOW(name, "basic=%d %s %04o nlink=%u size=%llu",
             (sx->stx_mask & basic) == basic, ftype(sx->stx_mode),
             sx->stx_mode & 07777, sx->stx_nlink,
             (unsigned long long)sx->stx_size);
}

int main(void)
{
    BEGIN("statx");
    make_tmpdir("statx");
    umask(022);
    struct statx sx;
    struct stat st;
    write_file("f", "0123456789");
    mkdir("d", 0750);
    symlink("f", "lf");
    link("f", "f2");

    int r = statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx);
    show("file", r, &sx);
    stat("f", &st);
    BOOL("ino_matches_stat", sx.stx_ino == st.st_ino);
    BOOL("uid_matches_stat", sx.stx_uid == st.st_uid && sx.stx_gid == st.st_gid);
    BOOL("blksize_positive", sx.stx_blksize > 0);
    r = statx(AT_FDCWD, "d", 0, STATX_BASIC_STATS, &sx);
    show("dir", r, &sx);
    r = statx(AT_FDCWD, "lf", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
    show("link_nofollow", r, &sx);
    r = statx(AT_FDCWD, "lf", 0, STATX_BASIC_STATS, &sx);
    show("link_follow", r, &sx);
    int fd = open("f", O_RDONLY);
    r = statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx);
    show("empty_path", r, &sx);
    r = statx(fd, "", 0, STATX_SIZE, &sx);
    show("empty_path_no_flag", r, &sx);
    r = statx(AT_FDCWD, "f", 0, 0, &sx);
    BOOL("mask0_ok", r == 0);
    r = statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx);
    show("missing", r, &sx);
    r = statx(AT_FDCWD, "f", 0x40000000, STATX_BASIC_STATS, &sx);
    show("bad_flags", r, &sx);
    r = statx(AT_FDCWD, "f", 0, 0x80000000U, &sx);
    show("reserved_mask", r, &sx);
    r = statx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
              STATX_BASIC_STATS, &sx);
    show("sync_both", r, &sx);
    r = (int)syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BADPTR);
    show("bad_buf", r, &sx);
    r = statx(-1, "f", 0, STATX_BASIC_STATS, &sx);
    show("bad_dirfd", r, &sx);
    close(fd);
    FINISH();
}
