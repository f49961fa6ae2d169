#include "check.h"
#include <sys/mman.h>

#define PG 4096

int main(void)
{
    BEGIN("mmap_anon");
    char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECKP("mmap_anon", p);
    BOOL("page_aligned", ((uintptr_t)p & (PG - 1)) == 0);
    int zero = 1;
    for (int i = 0; i < 4 * PG; i++)
        if (p[i])
            zero = 0;
    BOOL("zero_filled", zero);
    memset(p, 0xab, 4 * PG);
    BOOL("writable", (unsigned char)p[4 * PG - 1] == 0xab);

    /* MAP_FIXED over the middle replaces with zero pages */
    char *q = mmap(p + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    BOOL("fixed_at_addr", q == p + PG);
    BOOL("fixed_replaced_zero", q[0] == 0 && q[PG - 1] == 0);
    BOOL("neighbours_kept", (unsigned char)p[0] == 0xab && (unsigned char)p[2 * PG] == 0xab);

    /* MAP_FIXED_NOREPLACE over an existing mapping */
    void *r = mmap(p + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECKP("fixed_noreplace_existing", r);
    BOOL("existing_untouched", (unsigned char)p[2 * PG] == 0xab);
    /* NOREPLACE into a hole works */
    munmap(p + 3 * PG, PG);
    r = mmap(p + 3 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    BOOL("fixed_noreplace_hole", r == p + 3 * PG);

    /* error paths */
    CHECKP("len_zero", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECKP("no_share_type", mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0));
    CHECKP("fixed_unaligned", mmap(p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
    CHECKP("file_badfd", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0));
    CHECKP("huge_len", mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECKP("unaligned_offset_anon_file", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 0, 1));
    /* length is rounded up to a page */
    char *s = mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECKP("small_len", s);
    s[PG - 1] = 1;
    BOOL("rounded_up_page_usable", s[PG - 1] == 1);
    /* hint address is honoured when free (not required, so only compare) */
    CHECK("munmap_small", munmap(s, 100));
    CHECK("munmap_unaligned", munmap(p + 1, PG));
    CHECK("munmap_len0", munmap(p, 0));
    CHECK("munmap_unmapped_ok", munmap(p + 3 * PG, PG));
    CHECK("munmap_again_ok", munmap(p + 3 * PG, PG));
    /* MAP_SHARED anonymous memory also zero filled */
    char *sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECKP("shared_anon", sh);
    BOOL("shared_zero", sh[0] == 0 && sh[PG - 1] == 0);
    sh[10] = 7;
    BOOL("shared_write", sh[10] == 7);
    /* MAP_POPULATE / MAP_NORESERVE accepted */
    char *pop = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE, -1, 0);
    CHECKP("populate_noreserve", pop);
    BOOL("populate_zero", pop[PG] == 0);
    /* large mapping (64 MiB) is lazily allocated */
    char *big = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECKP("big_64m", big);
    big[(64 << 20) - 1] = 5;
    big[0] = 6;
    BOOL("big_ends", big[0] == 6 && big[(64 << 20) - 1] == 5);
    CHECK("munmap_big", munmap(big, 64 << 20));
    /* MAP_GROWSDOWN stack-like mapping */
    char *gd = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
    CHECKP("growsdown", gd);
    FINISH();
}
