#include "check.h"
#include <sys/mman.h>

#define PG 4096

static int maps_perms(void *addr, char out[5])
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long lo, hi;
    char perms[5];
    strcpy(out, "none");
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
            (unsigned long)addr >= lo && (unsigned long)addr < hi) {
            memcpy(out, perms, 5);
            break;
        }
    }
    if (f)
        fclose(f);
    return 0;
}

int main(void)
{
    BEGIN("mprotect");
    char perms[5];
    char *p = mmap(NULL, 3 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECKP("mmap_prot_none", p);
    maps_perms(p, perms);
    SHOW("maps_prot_none", "%s", perms);
    CHECK("mprotect_rw_middle", mprotect(p + PG, PG, PROT_READ | PROT_WRITE));
    p[PG] = 42;
    BOOL("write_after_mprotect", p[PG] == 42);
    maps_perms(p + PG, perms);
    SHOW("maps_middle", "%s", perms);
    maps_perms(p, perms);
    SHOW("maps_first_still_none", "%s", perms);
    CHECK("mprotect_ro", mprotect(p + PG, PG, PROT_READ));
    BOOL("read_after_ro", p[PG] == 42);
    maps_perms(p + PG, perms);
    SHOW("maps_ro", "%s", perms);
    CHECK("mprotect_all_rwx", mprotect(p, 3 * PG, PROT_READ | PROT_WRITE | PROT_EXEC));
    maps_perms(p, perms);
    SHOW("maps_rwx", "%s", perms);
    BOOL("content_kept", p[PG] == 42);
    CHECK("mprotect_unaligned", mprotect(p + 1, PG, PROT_READ));
    CHECK("mprotect_bad_prot", mprotect(p, PG, 0x100));
    CHECK("mprotect_len0", mprotect(p, 0, PROT_READ));
    munmap(p + 2 * PG, PG);
    CHECK("mprotect_partly_unmapped", mprotect(p, 3 * PG, PROT_READ));
    CHECK("mprotect_unmapped", mprotect(p + 2 * PG, PG, PROT_READ));
    /* a file opened read-only cannot become writable+shared */
    char tmpl[] = "/tmp/conf-mprotect-XXXXXX";
    int fd = mkstemp(tmpl);
    ftruncate(fd, PG);
    close(fd);
    fd = open(tmpl, O_RDONLY);
    unlink(tmpl);
    char *f = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    CHECKP("map_shared_ro", f);
    CHECK("mprotect_shared_ro_to_write", mprotect(f, PG, PROT_READ | PROT_WRITE));
    char *g = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK("mprotect_private_ro_to_write", mprotect(g, PG, PROT_READ | PROT_WRITE));
    close(fd);
    /* pkey_mprotect with pkey -1 is plain mprotect */
    CHECK("pkey_mprotect_minus1", syscall(SYS_pkey_mprotect, g, PG, PROT_READ, -1));
    FINISH();
}
