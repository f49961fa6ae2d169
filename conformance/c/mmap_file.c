#include "check.h"
#include <sys/mman.h>

#define PG 4096

int main(void)
{
    BEGIN("mmap_file");
    make_tmpdir("mmap_file");
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char buf[PG * 2];
    for (int i = 0; i < PG * 2; i++)
        buf[i] = (char)('a' + i % 26);
    write(fd, buf, PG + 100); /* 1 page + 100 bytes */

    char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECKP("map_private_ro", p);
    BOOL("content_matches", memcmp(p, buf, PG + 100) == 0);
    BOOL("tail_past_eof_zero", p[PG + 100] == 0 && p[2 * PG - 1] == 0);
    munmap(p, 2 * PG);

    /* offset mapping */
    p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
    CHECKP("map_offset", p);
    BOOL("offset_content", memcmp(p, buf + PG, 100) == 0);
    munmap(p, PG);
    CHECKP("unaligned_offset", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100));

    /* private writable mapping: writes not visible via read() */
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECKP("map_private_rw", p);
    memcpy(p, "PRIVATE", 7);
    char rb[8] = {0};
    pread(fd, rb, 7, 0);
    SHOW("file_after_private_write", "%s", rb);
    SHOW("mapping_after_private_write", "%.7s", p);
    /* file writes before the page is COWed are visible; after COW not */
    pwrite(fd, "Z", 1, 0);
    SHOW("cowed_page_keeps_private", "%c", p[0]);
    munmap(p, PG);
    pwrite(fd, "a", 1, 0);

    /* shared mapping: writes visible to read() after msync */
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECKP("map_shared", p);
    memcpy(p, "SHARED!", 7);
    CHECK("msync", msync(p, PG, MS_SYNC));
    memset(rb, 0, sizeof rb);
    pread(fd, rb, 7, 0);
    SHOW("file_after_shared_write", "%s", rb);
    /* and file writes are visible in the shared mapping */
    pwrite(fd, "W", 1, 1);
    SHOW("mapping_sees_write", "%c", p[1]);
    CHECK("msync_async", msync(p, PG, MS_ASYNC));
    CHECK("msync_invalidate", msync(p, PG, MS_INVALIDATE));
    CHECK("msync_bad_flags", msync(p, PG, MS_SYNC | MS_ASYNC));
    CHECK("msync_unaligned", msync(p + 1, PG, MS_SYNC));
    munmap(p, PG);
    CHECK("msync_unmapped", msync(p, PG, MS_SYNC));

    /* shared mapping survives close of the fd */
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    p[2] = 'C';
    msync(p, PG, MS_SYNC);
    fd = open("f", O_RDONLY);
    memset(rb, 0, sizeof rb);
    pread(fd, rb, 3, 0);
    SHOW("write_after_close", "%s", rb);
    munmap(p, PG);

    /* permission checks against the fd's mode */
    CHECKP("shared_write_on_rdonly", mmap(NULL, PG, PROT_WRITE, MAP_SHARED, fd, 0));
    CHECKP("private_write_on_rdonly", mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
    close(fd);
    fd = open("f", O_WRONLY);
    CHECKP("read_map_on_wronly", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
    close(fd);
    fd = open("f", O_RDONLY | O_APPEND);
    close(fd);
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECKP("map_directory", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, dfd, 0));
    close(dfd);
    /* mapping an empty file succeeds (access would SIGBUS) */
    fd = open("empty", O_RDWR | O_CREAT, 0644);
    p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    CHECKP("map_empty_file", p);
    /* grow the file: the shared mapping sees new data */
    ftruncate(fd, PG);
    pwrite(fd, "grown", 5, 0);
    SHOW("mapping_sees_growth", "%.5s", p);
    munmap(p, PG);
    close(fd);
    /* /dev/zero private mapping behaves like anonymous memory */
    fd = open("/dev/zero", O_RDWR);
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECKP("map_dev_zero", p);
    BOOL("dev_zero_zeros", p[0] == 0 && p[PG - 1] == 0);
    p[0] = 1;
    close(fd);
    FINISH();
}
