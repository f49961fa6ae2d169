#include "check.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

int main(void)
{
    BEGIN("access");
    make_tmpdir("access");
    write_file("f", "x");
    chmod("f", 0644);
    write_file("x", "#!/bin/sh\n");
    chmod("x", 0755);
    write_file("none", "");
    chmod("none", 0000);
    mkdir("d", 0755);
    symlink("f", "lf");
    symlink("missing", "dangling");

    CHECK("f_ok", access("f", F_OK));
    CHECK("r_ok", access("f", R_OK));
    CHECK("w_ok", access("f", W_OK));
    CHECK("rw_ok", access("f", R_OK | W_OK));
    CHECK("x_ok_on_0644", access("f", X_OK));
    CHECK("x_ok_on_0755", access("x", X_OK));
    CHECK("x_ok_on_0000", access("none", X_OK));
    CHECK("f_ok_on_0000", access("none", F_OK));
    CHECK("x_ok_on_dir", access("d", X_OK));
    CHECK("missing", access("missing", F_OK));
    CHECK("through_file", access("f/x", F_OK));
    CHECK("dangling", access("dangling", F_OK));
    CHECK("bad_mode", access("f", 0x10));
    CHECK("empty_path", access("", F_OK));
    CHECK("efault", access(BADPTR, F_OK));
    CHECK("symlink_follow_x", access("lf", X_OK));

    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    write_file("d/inner", "i");
    CHECK("faccessat_dirfd", faccessat(dfd, "inner", R_OK, 0));
    CHECK("faccessat_eaccess", faccessat(AT_FDCWD, "f", R_OK, AT_EACCESS));
    CHECK("faccessat_eaccess_x", faccessat(AT_FDCWD, "f", X_OK, AT_EACCESS));
    CHECK("faccessat_bad_dirfd", faccessat(-1, "inner", R_OK, 0));
    /* raw syscalls: faccessat has no flags argument; faccessat2 does */
    CHECK("raw_faccessat", syscall(SYS_faccessat, AT_FDCWD, "f", R_OK));
    CHECK("faccessat2_plain", syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0));
    CHECK("faccessat2_eaccess", syscall(SYS_faccessat2, AT_FDCWD, "f", W_OK, AT_EACCESS));
    CHECK("faccessat2_nofollow_dangling",
          syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    CHECK("faccessat2_follow_dangling",
          syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, 0));
    CHECK("faccessat2_empty_path",
          syscall(SYS_faccessat2, dfd, "", F_OK, AT_EMPTY_PATH));
    CHECK("faccessat2_bad_flags", syscall(SYS_faccessat2, AT_FDCWD, "f", F_OK, 0x1));
    CHECK("faccessat2_bad_mode", syscall(SYS_faccessat2, AT_FDCWD, "f", 0x40, 0));
    close(dfd);

    /* system files: /bin/sh is executable, /etc/passwd is not */
    CHECK("bin_sh_x", access("/bin/sh", X_OK));
    CHECK("etc_passwd_x", access("/etc/passwd", X_OK));
    CHECK("proc_self_r", access("/proc/self/status", R_OK));
    FINISH();
}
