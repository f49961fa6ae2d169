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
    BEGIN("chmod");
    make_tmpdir("chmod");
    write_file("f", "x");
    mkdir("d", 0755);
    symlink("f", "lf");
    CHECK("chmod_600", chmod("f", 0600));
    mode_of("mode_600", "f");
    CHECK("chmod_setuid_sticky", chmod("f", 04755 | 01000));
    mode_of("mode_special", "f");
    CHECK("chmod_high_bits_ignored", chmod("f", 0170644));
    mode_of("mode_high_bits", "f");
    CHECK("chmod_via_symlink", chmod("lf", 0640));
    mode_of("target_mode", "f");
    mode_of("symlink_mode", "lf");
    CHECK("chmod_dir", chmod("d", 0700));
    mode_of("dir_mode", "d");
    CHECK("chmod_missing", chmod("missing", 0644));
    CHECK("chmod_efault", chmod(BADPTR, 0644));
    int fd = open("f", O_RDONLY);
    CHECK("fchmod", fchmod(fd, 0604));
    mode_of("fchmod_mode", "f");
    close(fd);
    CHECK("fchmod_badfd", fchmod(-1, 0644));
    fd = open("f", O_PATH);
    CHECK("fchmod_opath", fchmod(fd, 0644));
    close(fd);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    write_file("d/g", "g");
    CHECK("fchmodat", fchmodat(dfd, "g", 0611, 0));
    mode_of("fchmodat_mode", "d/g");
    CHECK("raw_fchmodat_bad_dirfd", syscall(SYS_fchmodat, -1, "g", 0644));
    close(dfd);
    CHECK("chown_same_ids", chown("f", getuid(), getgid()));
    CHECK("chown_noop", chown("f", (uid_t)-1, (gid_t)-1));
    CHECK("lchown_symlink", lchown("lf", (uid_t)-1, (gid_t)-1));
    fd = open("f", O_RDONLY);
    CHECK("fchown_same", fchown(fd, getuid(), getgid()));
    close(fd);
    CHECK("fchownat_bad_flags", fchownat(AT_FDCWD, "f", -1, -1, 0x1));
    struct stat st;
    stat("f", &st);
    BOOL("owner_is_self", st.st_uid == geteuid());
    FINISH();
}
