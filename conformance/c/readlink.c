#include "check.h"

int main(void)
{
    BEGIN("readlink");
    make_tmpdir("readlink");
    char buf[64];
    write_file("f", "x");
    CHECK("symlink", symlink("target-file-name", "l"));
    CHECK("symlink_abs", symlink("/etc/passwd", "abs"));
    mkdir("d", 0755);
    symlink("../f", "d/up");

    memset(buf, 'Z', sizeof buf);
    ssize_t n = readlink("l", buf, sizeof buf);
    CHECKV("readlink", n);
    SHOW("value", "%.*s", (int)n, buf);
    BOOL("not_nul_terminated", buf[n] == 'Z');
    memset(buf, 'Z', sizeof buf);
    n = readlink("l", buf, 6);
    CHECKV("truncated", n);
    SHOW("truncated_value", "%.*s", (int)n, buf);
    BOOL("truncated_no_overrun", buf[6] == 'Z');
    CHECKV("bufsiz_zero", readlink("l", buf, 0));
    CHECKV("bufsiz_neg", syscall(SYS_readlink, "l", buf, -1));
    CHECKV("missing", readlink("missing", buf, sizeof buf));
    CHECKV("not_a_link", readlink("f", buf, sizeof buf));
    CHECKV("dir_not_a_link", readlink("d", buf, sizeof buf));
    CHECKV("through_file", readlink("f/l", buf, sizeof buf));
    CHECKV("efault_path", readlink(BADPTR, buf, sizeof buf));
    CHECKV("efault_buf", syscall(SYS_readlink, "l", BADPTR, 64));
    n = readlink("abs", buf, sizeof buf);
    SHOW("abs_value", "%.*s", (int)n, buf);

    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    n = readlinkat(dfd, "up", buf, sizeof buf);
    CHECKV("readlinkat", n);
    SHOW("readlinkat_value", "%.*s", (int)n, buf);
    CHECKV("readlinkat_bad_dirfd", readlinkat(-1, "up", buf, sizeof buf));
    CHECKV("readlinkat_empty_on_dir", readlinkat(dfd, "", buf, sizeof buf));
    int lfd = open("l", O_PATH | O_NOFOLLOW);
    n = readlinkat(lfd, "", buf, sizeof buf);
    CHECKV("readlinkat_empty_opath", n);
    if (n > 0)
        SHOW("readlinkat_empty_value", "%.*s", (int)n, buf);
    close(lfd);
    close(dfd);
    /* a link to a link reads only one level */
    symlink("l", "ll");
    n = readlink("ll", buf, sizeof buf);
    SHOW("one_level", "%.*s", (int)n, buf);
    /* readlink follows intermediate components */
    symlink("d", "ld");
    n = readlink("ld/up", buf, sizeof buf);
    SHOW("intermediate_followed", "%.*s", (int)n, buf);
    FINISH();
}
