#include "check.h"

static void show_mode(const char *name, int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        SHOW(name, "%s %04o size=%ld", ftype(st.st_mode), st.st_mode & 07777,
             (long)st.st_size);
    else if (S_ISDIR(st.st_mode))
        SHOW(name, "%s %04o", ftype(st.st_mode), st.st_mode & 07777);
    else
        SHOW(name, "fstat failed %s", errname(errno));
}

int main(void)
{
    BEGIN("open_flags");
    make_tmpdir("open_flags");
    umask(022);
    char buf[32];

    int fd = open("a", O_WRONLY | O_CREAT | O_EXCL, 0640);
    CHECK("creat_excl", fd);
    show_mode("creat_mode", fd);
    CHECKV("write", write(fd, "abcdef", 6));
    close(fd);
    CHECKV("creat_excl_again", open("a", O_WRONLY | O_CREAT | O_EXCL, 0640));
    CHECKV("open_missing", open("missing", O_RDONLY));
    CHECKV("open_missing_parent", open("nodir/x", O_RDONLY | O_CREAT, 0644));

    fd = open("a", O_RDWR | O_CREAT, 0777); /* exists: mode ignored */
    show_mode("creat_existing_mode", fd);
    close(fd);

    fd = open("a", O_RDWR | O_TRUNC);
    CHECK("open_trunc", fd);
    show_mode("after_trunc", fd);
    CHECKV("write2", write(fd, "12345", 5));
    close(fd);

    fd = open("a", O_WRONLY | O_APPEND);
    CHECK("open_append", fd);
    CHECKV("lseek0", lseek(fd, 0, SEEK_SET));
    CHECKV("append_write", write(fd, "XY", 2));
    CHECKV("pos_after_append", lseek(fd, 0, SEEK_CUR));
    close(fd);
    fd = open("a", O_RDONLY);
    memset(buf, 0, sizeof buf);
    CHECKV("read", read(fd, buf, sizeof buf));
    SHOW("content", "%s", buf);
    close(fd);

    /* O_RDONLY|O_TRUNC truncates too on Linux */
    fd = open("a", O_RDONLY | O_TRUNC);
    show_mode("rdonly_trunc", fd);
    close(fd);

    /* O_DIRECTORY */
    CHECK("mkdir", mkdir("d", 0755));
    fd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK("open_dir_odirectory", fd);
    show_mode("dir_mode", fd);
    close(fd);
    CHECKV("odirectory_on_file", open("a", O_RDONLY | O_DIRECTORY));
    CHECKV("dir_wronly", open("d", O_WRONLY));
    CHECKV("dir_rdwr", open("d", O_RDWR));
    CHECKV("dir_creat", open("d", O_RDONLY | O_CREAT, 0644));
    CHECKV("creat_trailing_slash", open("newfile/", O_RDWR | O_CREAT, 0644));
    CHECKV("file_trailing_slash", open("a/", O_RDONLY));
    CHECKV("creat_excl_dir", open("d", O_RDWR | O_CREAT | O_EXCL, 0644));

    /* O_NOFOLLOW */
    CHECK("symlink", symlink("a", "ln"));
    CHECKV("nofollow_symlink", open("ln", O_RDONLY | O_NOFOLLOW));
    fd = open("a", O_RDONLY | O_NOFOLLOW);
    CHECK("nofollow_regular", fd);
    close(fd);
    fd = open("ln", O_RDONLY);
    CHECK("follow_symlink", fd);
    close(fd);
    CHECK("symlink_dangling", symlink("nothere", "dl"));
    fd = open("dl", O_WRONLY | O_CREAT, 0600);
    CHECK("creat_through_dangling", fd);
    close(fd);
    struct stat st;
    CHECK("target_created", stat("nothere", &st));
    CHECKV("creat_excl_dangling", open("dl", O_WRONLY | O_CREAT | O_EXCL, 0600));
    fd = open("ln", O_PATH | O_NOFOLLOW);
    CHECK("opath_nofollow", fd);
    show_mode("opath_nofollow_mode", fd);
    CHECKV("read_opath", read(fd, buf, 1));
    close(fd);

    /* O_CLOEXEC */
    fd = open("a", O_RDONLY | O_CLOEXEC);
    CHECKV("cloexec_flag", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    fd = open("a", O_RDONLY);
    CHECKV("no_cloexec_flag", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    /* status flags visible through F_GETFL */
    CHECKV("getfl_accmode", fcntl(fd, F_GETFL) & O_ACCMODE);
    close(fd);
    fd = open("a", O_WRONLY | O_APPEND | O_NONBLOCK);
    int fl = fcntl(fd, F_GETFL);
    BOOL("getfl_append", fl & O_APPEND);
    BOOL("getfl_nonblock", fl & O_NONBLOCK);
    CHECKV("getfl_accmode_w", fl & O_ACCMODE);
    close(fd);

    /* invalid access mode 3 is accepted by Linux for open() */
    CHECKV("creat_bad_path_empty", open("", O_RDONLY));
    CHECKV("open_efault", open(BADPTR, O_RDONLY));
    /* O_TMPFILE without a directory */
    CHECKV("tmpfile_on_file", open("a", O_TMPFILE | O_RDWR, 0600));
    CHECKV("creat_syscall", syscall(SYS_creat, "c", 0600) >= 0 ? 0 : -1);
    CHECK("stat_creat", stat("c", &st));
    SHOW("creat_mode", "%04o", st.st_mode & 07777);
    FINISH();
}
