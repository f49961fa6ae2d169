/* Private file mappings of a file the program does not write (the
 * sandbox shares one copy of such bytes between mappings, copy-on-write):
 * two mappings of the same range read the same bytes; a write to one
 * (directly, after mprotect, or by the kernel through read(2) into it)
 * is seen by neither the other mapping, a new mapping, read(2), nor a
 * forked child's own copy once the child writes. */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
    BEGIN("mmap_private");
    const char *path = "/bin/sh";
    int fd = open(path, O_RDONLY);
    CHECK("open", fd);
    unsigned char orig[64];
    CHECKV("pread", (int)pread(fd, orig, sizeof orig, 4096));
    unsigned char *a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    unsigned char *b = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECKP("map_a", a);
    CHECKP("map_b", b);
    BOOL("same_bytes", memcmp(a + 4096, b + 4096, 64) == 0 && memcmp(a + 4096, orig, 64) == 0);
    a[4096] ^= 0xff;
    BOOL("a_changed", a[4096] == (orig[0] ^ 0xff));
    BOOL("b_unchanged", b[4096] == orig[0]);
    unsigned char now[64];
    pread(fd, now, sizeof now, 4096);
    BOOL("file_unchanged", memcmp(now, orig, 64) == 0);
    unsigned char *c = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    BOOL("new_map_unchanged", c[4096] == orig[0]);

    /* mprotect to writable, then write: still private. */
    CHECK("mprotect_b", mprotect(b, 8192, PROT_READ | PROT_WRITE));
    b[4097] = (unsigned char)(orig[1] + 1);
    BOOL("c_unchanged_after_b", c[4097] == orig[1]);

    /* The kernel writing into a private mapping (read(2) into it). */
    int z = open("/dev/zero", O_RDONLY);
    unsigned char *d = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECKV("read_into_map", (int)read(z, d + 4096, 16));
    BOOL("d_zeroed", d[4096] == 0 && d[4111] == 0);
    BOOL("c_unchanged_after_d", memcmp(c + 4096, orig, 64) == 0);

    /* fork: the child writes its copy; the parent's and new mappings keep
     * the file's bytes. */
    unsigned char *e = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    pid_t p = fork();
    if (p == 0) {
        e[4096] ^= 0x55;
        _exit(e[4096] == (orig[0] ^ 0x55) ? 0 : 1);
    }
    int st;
    waitpid(p, &st, 0);
    BOOL("child_wrote_own", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    BOOL("parent_unchanged", e[4096] == orig[0]);
    munmap(a, 8192);
    munmap(b, 8192);
    munmap(c, 8192);
    munmap(d, 8192);
    munmap(e, 8192);
    unsigned char *f = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    BOOL("remap_unchanged", memcmp(f + 4096, orig, 64) == 0);
    FINISH();
}
