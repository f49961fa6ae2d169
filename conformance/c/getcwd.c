#include "check.h"

int main(void)
{
    BEGIN("getcwd");
    make_tmpdir("getcwd");
    char buf[PATH_MAX];
    char *p = getcwd(buf, sizeof buf);
    CHECKP("getcwd", p);
    BOOL("equals_tmpdir", p && strcmp(buf, conf_tmpdir) == 0);
    long n = syscall(SYS_getcwd, buf, sizeof buf);
    BOOL("raw_returns_len_plus_nul", n == (long)strlen(conf_tmpdir) + 1);
    CHECKV("raw_tiny_buffer", syscall(SYS_getcwd, buf, 3));
    CHECKP("libc_tiny_buffer", getcwd(buf, 3));
    CHECKV("raw_exact_len_no_nul", syscall(SYS_getcwd, buf, strlen(conf_tmpdir)));
    CHECKV("raw_exact_len_with_nul",
           syscall(SYS_getcwd, buf, strlen(conf_tmpdir) + 1) > 0);
    CHECKV("raw_size_zero", syscall(SYS_getcwd, buf, 0));
    CHECKV("raw_efault", syscall(SYS_getcwd, BADPTR, sizeof buf));

    mkdir("a", 0755);
    mkdir("a/b", 0755);
    CHECK("chdir_ab", chdir("a/b"));
    getcwd(buf, sizeof buf);
    size_t tl = strlen(conf_tmpdir);
    BOOL("prefix_is_tmpdir", strncmp(buf, conf_tmpdir, tl) == 0);
    SHOW("suffix", "%s", buf + tl);
    CHECK("chdir_dotdot", chdir(".."));
    getcwd(buf, sizeof buf);
    SHOW("suffix_after_dotdot", "%s", buf + tl);
    /* through a symlink: cwd is the resolved path */
    symlink("a/b", "../lb");
    chdir(conf_tmpdir);
    CHECK("chdir_symlink", chdir("lb"));
    getcwd(buf, sizeof buf);
    SHOW("suffix_via_symlink", "%s", buf + tl);
    CHECK("chdir_root", chdir("/"));
    getcwd(buf, sizeof buf);
    SHOW("root", "%s", buf);
    /* glibc allocating form */
    chdir(conf_tmpdir);
    char *q = getcwd(NULL, 0);
    BOOL("malloc_form", q && strcmp(q, conf_tmpdir) == 0);
    free(q);
    /* removed cwd: Linux reports "(unreachable)" via raw syscall, glibc ENOENT */
    mkdir("gone", 0755);
    chdir("gone");
    rmdir("../gone");
    errno = 0;
    p = getcwd(buf, sizeof buf);
    SHOW("deleted_cwd_libc", "%s %s", p ? "ok" : "-1", p ? "" : errname(errno));
    FINISH();
}
