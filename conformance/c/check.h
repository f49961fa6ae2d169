/* Shared helpers for the runlx conformance programs.
 *
 * Every program prints one line per check. Output must be identical on any
 * correct Linux: never print addresses, pids, times, inode numbers, host
 * specific sizes or strerror() text. Errors are printed by errno NAME.
 *
 *   CHECK(name, expr)      "name: ok" if expr >= 0, else "name: -1 ENOENT"
 *   CHECKV(name, expr)     "name: = VALUE" if expr >= 0, else "name: -1 ENOENT"
 *   CHECKP(name, ptrexpr)  like CHECK for pointer-returning calls (NULL or
 *                          MAP_FAILED are failures)
 *   (errno is not reset first, so a value computed before the macro keeps
 *   the errno of the call that produced it.)
 *   BOOL(name, cond)       "name: yes" / "name: no"
 *   SHOW(name, fmt, ...)   "name: <formatted>"
 *
 * Programs must exit 0 once all checks ran (use FINISH()).
 */
#ifndef CONFORMANCE_CHECK_H
#define CONFORMANCE_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define CONF_UNUSED __attribute__((unused))

static CONF_UNUSED const char *errname(int e)
{
    static char buf[32];
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case ETXTBSY: return "ETXTBSY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case EDOM: return "EDOM";
    case ERANGE: return "ERANGE";
    case EDEADLK: return "EDEADLK";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOLCK: return "ENOLCK";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOMSG: return "ENOMSG";
    case ENODATA: return "ENODATA";
    case EOVERFLOW: return "EOVERFLOW";
    case EILSEQ: return "EILSEQ";
    case ENOTSOCK: return "ENOTSOCK";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EALREADY: return "EALREADY";
    case EINPROGRESS: return "EINPROGRESS";
    case ESTALE: return "ESTALE";
    case EDQUOT: return "EDQUOT";
    case ECANCELED: return "ECANCELED";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    default:
        snprintf(buf, sizeof buf, "E#%d", e);
        return buf;
    }
}

#define CHECK(name, expr)                                                     \
    do {                                                                      \
        long conf_r_ = (long)(expr);                                          \
        if (conf_r_ < 0)                                                      \
            printf("%s: %ld %s\n", (name), conf_r_, errname(errno));          \
        else                                                                  \
            printf("%s: ok\n", (name));                                       \
    } while (0)

#define CHECKV(name, expr)                                                    \
    do {                                                                      \
        long conf_r_ = (long)(expr);                                          \
        if (conf_r_ < 0)                                                      \
            printf("%s: %ld %s\n", (name), conf_r_, errname(errno));          \
        else                                                                  \
            printf("%s: = %ld\n", (name), conf_r_);                           \
    } while (0)

#define CHECKP(name, expr)                                                    \
    do {                                                                      \
        void *conf_p_ = (void *)(expr);                                       \
        if (conf_p_ == NULL || conf_p_ == (void *)-1)                         \
            printf("%s: -1 %s\n", (name), errname(errno));                    \
        else                                                                  \
            printf("%s: ok\n", (name));                                       \
    } while (0)

#define BOOL(name, cond) printf("%s: %s\n", (name), (cond) ? "yes" : "no")
#define SHOW(name, ...)                                                       \
    do {                                                                      \
        printf("%s: ", (name));                                               \
        printf(__VA_ARGS__);                                                  \
        printf("\n");                                                         \
    } while (0)

/* Pointer that is never mapped (first page): used for EFAULT checks. The
 * volatile read hides the constant from the compiler's diagnostics. */
static CONF_UNUSED void *conf_badptr(void)
{
    void *volatile p = (void *)(uintptr_t)1;
    return p;
}
#define BADPTR (conf_badptr())

/* Hide a constant from the compiler (avoids -Wstringop-* on deliberate
 * error-path calls). */
static CONF_UNUSED long opaque(long v)
{
    volatile long x = v;
    return x;
}

static CONF_UNUSED char conf_tmpdir[PATH_MAX];

/* Line-buffer stdout (so partial output survives a crash) and print the
 * header line. */
#define BEGIN(name)                                                           \
    do {                                                                      \
        setvbuf(stdout, NULL, _IOLBF, 0);                                     \
        printf("== %s ==\n", (name));                                         \
    } while (0)

/* Create /tmp/conf-NAME-XXXXXX and chdir into it. Exits 2 on failure. */
static CONF_UNUSED void make_tmpdir(const char *name)
{
    snprintf(conf_tmpdir, sizeof conf_tmpdir, "/tmp/conf-%s-XXXXXX", name);
    if (mkdtemp(conf_tmpdir) == NULL || chdir(conf_tmpdir) != 0) {
        printf("setup: tmpdir failed %s\n", errname(errno));
        exit(2);
    }
}

static CONF_UNUSED int conf_rm_cb(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Remove the tmpdir tree (if any) after chdir("/"). */
static CONF_UNUSED void remove_tmpdir(void)
{
    if (conf_tmpdir[0] == 0)
        return;
    if (chdir("/") != 0)
        return;
    nftw(conf_tmpdir, conf_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    conf_tmpdir[0] = 0;
}

/* Write a whole string to a new file (mode 0644). Returns 0 or -1. */
static CONF_UNUSED int write_file(const char *path, const char *content)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    size_t len = strlen(content);
    ssize_t n = write(fd, content, len);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static CONF_UNUSED const char *ftype(mode_t m)
{
    switch (m & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "lnk";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock";
    default: return "?";
    }
}

#define FINISH()                                                              \
    do {                                                                      \
        remove_tmpdir();                                                      \
        printf("== done ==\n");                                               \
        return 0;                                                             \
    } while (0)

#endif
