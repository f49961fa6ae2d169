#include "check.h"
#include <sys/mman.h>

#define PG 4096

int main(void)
{
    BEGIN("mremap");
    char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2 * PG; i++)
        p[i] = (char)(i % 251);
    /* block growth in place: the third page stays mapped (separate vma) */
    CHECK("blocker", mprotect(p + 2 * PG, PG, PROT_READ));
    CHECKP("grow_in_place_blocked", mremap(p, 2 * PG, 4 * PG, 0));
    char *q = mremap(p, 2 * PG, 8 * PG, MREMAP_MAYMOVE);
    CHECKP("grow_maymove", q);
    BOOL("moved", q != p);
    int ok = 1;
    for (int i = 0; i < 2 * PG; i++)
        if (q[i] != (char)(i % 251))
            ok = 0;
    BOOL("content_kept", ok);
    BOOL("new_tail_zero", q[8 * PG - 1] == 0);
    q[8 * PG - 1] = 9;
    /* shrink in place */
    char *s = mremap(q, 8 * PG, PG, 0);
    BOOL("shrink_same_addr", s == q);
    BOOL("shrink_content", s[5] == 5);
    /* the released tail is free again: NOREPLACE there succeeds */
    char *t = mmap(q + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    BOOL("tail_released", t == q + PG);
    munmap(t, PG);
    /* grow in place when free */
    char *g = mremap(s, PG, 3 * PG, 0);
    BOOL("grow_in_place", g == s);
    BOOL("grown_zero", g[2 * PG] == 0);
    /* MREMAP_FIXED to a chosen place */
    char *dst = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *f = mremap(g, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
    BOOL("fixed_move", f == dst);
    BOOL("fixed_content", f[5] == 5);
    /* error paths */
    CHECKP("bad_flags", mremap(f, PG, PG, 0x80));
    CHECKP("fixed_without_maymove", mremap(f, PG, PG, MREMAP_FIXED, dst + 3 * PG));
    CHECKP("unaligned_old", mremap(f + 1, PG, 2 * PG, MREMAP_MAYMOVE));
    CHECKP("zero_new_size", mremap(f, PG, 0, MREMAP_MAYMOVE));
    CHECKP("unmapped_old", mremap((void *)(uintptr_t)0x10000, PG, 2 * PG, MREMAP_MAYMOVE));
    FINISH();
}
