#include "check.h"

int main(void)
{
    BEGIN("openat");
    make_tmpdir("openat");
    CHECK("mkdir", mkdir("sub", 0755));
    CHECK("write_file", write_file("sub/f", "inner"));
    CHECK("write_file2", write_file("f", "outer"));
    char buf[16];

    int dfd = open("sub", O_RDONLY | O_DIRECTORY);
    CHECK("open_dir", dfd);
    int fd = openat(dfd, "f", O_RDONLY);
    CHECK("openat_rel", fd);
    memset(buf, 0, sizeof buf);
    read(fd, buf, sizeof buf - 1);
    SHOW("rel_content", "%s", buf);
    close(fd);
    fd = openat(AT_FDCWD, "f", O_RDONLY);
    memset(buf, 0, sizeof buf);
    read(fd, buf, sizeof buf - 1);
    SHOW("fdcwd_content", "%s", buf);
    close(fd);
    char abs[PATH_MAX + 8];
    snprintf(abs, sizeof abs, "%s/f", conf_tmpdir);
    fd = openat(dfd, abs, O_RDONLY);
    memset(buf, 0, sizeof buf);
    read(fd, buf, sizeof buf - 1);
    SHOW("abs_ignores_dirfd", "%s", buf);
    close(fd);
    fd = openat(-1, abs, O_RDONLY);
    CHECK("abs_with_bad_dirfd", fd);
    close(fd);

    int ffd = open("f", O_RDONLY);
    CHECKV("openat_file_dirfd", openat(ffd, "x", O_RDONLY));
    CHECKV("openat_bad_dirfd", openat(-1, "f", O_RDONLY));
    CHECKV("openat_closed_dirfd", openat(999, "f", O_RDONLY));
    fd = openat(dfd, "new", O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK("openat_create", fd);
    close(fd);
    struct stat st;
    CHECK("created_in_sub", stat("sub/new", &st));
    CHECKV("openat_dotdot", openat(dfd, "../f", O_RDONLY) >= 0);
    fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY);
    CHECK("openat_dot", fd);
    close(fd);
    /* O_PATH dirfd works as a directory handle */
    int pfd = open("sub", O_PATH);
    fd = openat(pfd, "f", O_RDONLY);
    CHECK("openat_opath_dirfd", fd);
    close(fd);
    close(pfd);
    /* openat2 (syscall 437) basic use; may be unsupported (ENOSYS) */
    struct {
        uint64_t flags, mode, resolve;
    } how = {O_RDONLY, 0, 0};
    fd = (int)syscall(437, dfd, "f", &how, sizeof how);
    CHECK("openat2_basic", fd);
    if (fd >= 0)
        close(fd);
    how.resolve = 0x08; /* RESOLVE_BENEATH */
    CHECKV("openat2_beneath_escape", syscall(437, dfd, "../f", &how, sizeof how));
    CHECKV("openat2_beneath_absolute", syscall(437, dfd, "/etc/passwd", &how, sizeof how));
    symlink("/etc/passwd", "abslink");
    CHECKV("openat2_beneath_abs_symlink", syscall(437, AT_FDCWD, "abslink", &how, sizeof how));
    how.resolve = 0x04; /* RESOLVE_NO_SYMLINKS */
    CHECKV("openat2_no_symlinks", syscall(437, AT_FDCWD, "abslink", &how, sizeof how));
    how.resolve = 0x01; /* RESOLVE_NO_XDEV */
    CHECKV("openat2_no_xdev_proc", syscall(437, AT_FDCWD, "/proc/self", &how, sizeof how));
    how.resolve = 0;
    how.mode = 0644; /* mode without O_CREAT is EINVAL */
    CHECKV("openat2_mode_no_creat", syscall(437, dfd, "f", &how, sizeof how));
    close(ffd);
    close(dfd);
    FINISH();
}
