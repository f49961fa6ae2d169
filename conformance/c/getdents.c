#include "check.h"

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *dtype(int t)
{
    switch (t) {
    case DT_REG: return "reg";
    case DT_DIR: return "dir";
    case DT_LNK: return "lnk";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
    }
}

static int list(const char *title, int fd, size_t bufsz)
{
    char buf[8192];
    char *names[64];
    int n = 0;
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, bufsz);
        if (r < 0) {
            SHOW(title, "-1 %s", errname(errno));
            return -1;
        }
        if (r == 0)
            break;
        for (long off = 0; off < r;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            char *s = malloc(300);
            snprintf(s, 300, "%s:%s", d->d_name, dtype(d->d_type));
            if (n < 64)
                names[n++] = s;
            off += d->d_reclen;
        }
    }
    qsort(names, (size_t)n, sizeof names[0], cmp);
    printf("%s: %d entries\n", title, n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
    return n;
}

int main(void)
{
    BEGIN("getdents");
    make_tmpdir("getdents");
    mkdir("top", 0755);
    write_file("top/alpha", "a");
    write_file("top/beta", "b");
    write_file("top/a-very-long-file-name-to-make-record-lengths-vary-0123456789", "c");
    mkdir("top/sub", 0755);
    symlink("alpha", "top/link");
    mkdir("empty", 0755);

    int fd = open("top", O_RDONLY | O_DIRECTORY);
    list("top", fd, 8192);
    CHECKV("again_at_eof", syscall(SYS_getdents64, fd, (char[64]){0}, 64));
    CHECKV("rewind", lseek(fd, 0, SEEK_SET));
    list("top_small_buffer", fd, 100);
    lseek(fd, 0, SEEK_SET);
    CHECKV("buffer_too_small", syscall(SYS_getdents64, fd, (char[16]){0}, 16));
    CHECKV("bad_buffer", syscall(SYS_getdents64, fd, BADPTR, 4096));
    close(fd);

    fd = open("empty", O_RDONLY | O_DIRECTORY);
    list("empty", fd, 8192);
    close(fd);

    /* entries added/removed are reflected after rewind */
    fd = open("top", O_RDONLY | O_DIRECTORY);
    unlink("top/beta");
    write_file("top/gamma", "g");
    list("top_after_change", fd, 8192);
    close(fd);

    /* readdir(3) agrees */
    DIR *dir = opendir("top");
    int cnt = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL)
        cnt++;
    closedir(dir);
    SHOW("readdir_count", "%d", cnt);

    fd = open("top/alpha", O_RDONLY);
    CHECKV("on_file", syscall(SYS_getdents64, fd, (char[4096]){0}, 4096));
    close(fd);
    CHECKV("bad_fd", syscall(SYS_getdents64, -1, (char[4096]){0}, 4096));
    fd = open("top", O_PATH);
    CHECKV("opath_fd", syscall(SYS_getdents64, fd, (char[4096]){0}, 4096));
    close(fd);
    FINISH();
}
