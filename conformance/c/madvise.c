#include "check.h"
#include <sys/mman.h>

#define PG 4096

int main(void)
{
    BEGIN("madvise");
    make_tmpdir("madvise");
    char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 0x11, 4 * PG);
    CHECK("dontneed", madvise(p + PG, 2 * PG, MADV_DONTNEED));
    BOOL("dontneed_zeroed", p[PG] == 0 && p[3 * PG - 1] == 0);
    BOOL("outside_kept", p[0] == 0x11 && p[3 * PG] == 0x11);
    CHECK("normal", madvise(p, 4 * PG, MADV_NORMAL));
    CHECK("random", madvise(p, 4 * PG, MADV_RANDOM));
    CHECK("sequential", madvise(p, 4 * PG, MADV_SEQUENTIAL));
    CHECK("willneed", madvise(p, 4 * PG, MADV_WILLNEED));
    CHECK("free", madvise(p, PG, MADV_FREE));
    CHECK("bad_advice", madvise(p, PG, 9999));
    CHECK("unaligned", madvise(p + 1, PG, MADV_NORMAL));
    CHECK("len0", madvise(p, 0, MADV_DONTNEED));
    munmap(p + 3 * PG, PG);
    CHECK("partly_unmapped", madvise(p, 4 * PG, MADV_NORMAL));
    CHECK("unmapped", madvise(p + 3 * PG, PG, MADV_DONTNEED));
    CHECK("dontfork", madvise(p, PG, MADV_DONTFORK));
    CHECK("dofork", madvise(p, PG, MADV_DOFORK));
    /* DONTNEED on a private file mapping reverts to the file content */
    int fd = open("f", O_RDWR | O_CREAT, 0644);
    write(fd, "filedata", 8);
    char *f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    memcpy(f, "XXXX", 4);
    CHECK("dontneed_file", madvise(f, PG, MADV_DONTNEED));
    SHOW("file_mapping_reverted", "%.8s", f);
    /* DONTNEED on a shared mapping keeps data */
    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    memcpy(s, "SHAR", 4);
    madvise(s, PG, MADV_DONTNEED);
    SHOW("shared_kept", "%.8s", s);
    close(fd);
    FINISH();
}
