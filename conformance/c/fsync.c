#include "check.h"

int main(void)
{
    BEGIN("fsync");
    make_tmpdir("fsync");
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    write(fd, "data", 4);
    CHECK("fsync", fsync(fd));
    CHECK("fdatasync", fdatasync(fd));
    CHECK("syncfs", syncfs(fd));
    sync();
    printf("sync: ok\n");
    CHECK("sync_file_range", sync_file_range(fd, 0, 4, SYNC_FILE_RANGE_WRITE));
    CHECK("sync_file_range_bad_flags", sync_file_range(fd, 0, 4, 0x100));
    CHECK("sync_file_range_neg", sync_file_range(fd, -1, 4, 0));
    CHECK("fsync_badfd", fsync(-1));
    CHECK("fdatasync_badfd", fdatasync(1000));
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECK("fsync_dir", fsync(dfd));
    close(dfd);
    int ro = open("f", O_RDONLY);
    CHECK("fsync_rdonly", fsync(ro));
    close(ro);
    int nul = open("/dev/null", O_WRONLY);
    CHECK("fsync_devnull", fsync(nul));
    close(nul);
    fd = open("g", O_RDWR | O_CREAT | O_SYNC | O_DSYNC, 0644);
    CHECK("open_osync", fd);
    CHECKV("write_osync", write(fd, "abc", 3));
    BOOL("getfl_sync", (fcntl(fd, F_GETFL) & O_SYNC) == O_SYNC);
    close(fd);
    fd = open("f", O_RDONLY);
    CHECK("fadvise_ret", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    SHOW("fadvise_bad_advice", "%s", errname(posix_fadvise(fd, 0, 0, 999)));
    SHOW("readahead", "%s", readahead(fd, 0, 4096) == 0 ? "ok" : errname(errno));
    close(fd);
    FINISH();
}
