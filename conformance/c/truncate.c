#include "check.h"

static long size_of(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
    BEGIN("truncate");
    make_tmpdir("truncate");
    write_file("f", "0123456789");
    CHECK("truncate_shrink", truncate("f", 4));
    SHOW("size", "%ld", size_of("f"));
    CHECK("truncate_grow", truncate("f", 10000));
    SHOW("size_grown", "%ld", size_of("f"));
    int fd = open("f", O_RDWR);
    char buf[16] = {0};
    pread(fd, buf, 6, 2);
    SHOW("grown_tail_zero", "%c%c %d %d %d %d", buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]);
    CHECK("ftruncate", ftruncate(fd, 3));
    SHOW("size_ftruncated", "%ld", size_of("f"));
    CHECKV("offset_unchanged_by_truncate", (lseek(fd, 8, SEEK_SET), ftruncate(fd, 2), lseek(fd, 0, SEEK_CUR)));
    CHECKV("write_past_end", write(fd, "Z", 1));
    SHOW("size_after_write", "%ld", size_of("f"));
    CHECK("ftruncate_neg", ftruncate(fd, -1));
    CHECK("truncate_neg", truncate("f", -1));
    close(fd);
    fd = open("f", O_RDONLY);
    CHECK("ftruncate_rdonly", ftruncate(fd, 0));
    close(fd);
    mkdir("d", 0755);
    CHECK("truncate_dir", truncate("d", 0));
    fd = open("d", O_RDONLY | O_DIRECTORY);
    CHECK("ftruncate_dir", ftruncate(fd, 0));
    close(fd);
    CHECK("truncate_missing", truncate("missing", 0));
    CHECK("ftruncate_badfd", ftruncate(-1, 0));
    symlink("f", "lf");
    CHECK("truncate_follows_symlink", truncate("lf", 1));
    SHOW("size_via_symlink", "%ld", size_of("f"));
    fd = open("f", O_WRONLY | O_APPEND);
    CHECK("ftruncate_append_fd", ftruncate(fd, 0));
    close(fd);
    /* fallocate */
    fd = open("g", O_RDWR | O_CREAT, 0644);
    CHECK("fallocate", fallocate(fd, 0, 0, 8192));
    SHOW("size_fallocated", "%ld", size_of("g"));
    CHECK("fallocate_keep_size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 65536));
    SHOW("size_keep", "%ld", size_of("g"));
    CHECK("fallocate_bad_len", fallocate(fd, 0, 0, 0));
    CHECK("fallocate_neg_off", fallocate(fd, 0, -1, 10));
    CHECK("posix_fallocate_ret", posix_fallocate(fd, 0, 9000));
    SHOW("size_posix_fallocate", "%ld", size_of("g"));
    close(fd);
    FINISH();
}
