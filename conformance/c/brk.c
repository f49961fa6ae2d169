#include "check.h"

int main(void)
{
    BEGIN("brk");
    long cur = syscall(SYS_brk, 0);
    BOOL("brk0_nonzero", cur > 0);
    BOOL("brk0_stable", syscall(SYS_brk, 0) == cur);
    void *b0 = sbrk(0);
    BOOL("sbrk0_eq_brk", (long)b0 == cur);
    char *old = sbrk(65536);
    CHECKP("sbrk_grow", old);
    char *now = sbrk(0);
    BOOL("grew_by_65536", now - old == 65536);
    int zero = 1;
    for (int i = 0; i < 65536; i++)
        if (old[i])
            zero = 0;
    BOOL("new_zero", zero);
    memset(old, 0x5a, 65536);
    BOOL("writable", old[65535] == 0x5a);
    CHECKP("sbrk_shrink", sbrk(-32768));
    BOOL("shrunk", (char *)sbrk(0) - old == 32768);
    BOOL("content_kept", old[32767] == 0x5a);
    /* grow again: the re-grown area is zeroed */
    CHECKP("sbrk_regrow", sbrk(32768));
    BOOL("regrown_page_zeroed_beyond_page", old[32768 + 4096 + 1] == 0);
    /* raw brk with an unaligned value is accepted and returned as is */
    long top = syscall(SYS_brk, 0);
    long r = syscall(SYS_brk, top + 100);
    BOOL("raw_unaligned_accepted", r == top + 100);
    ((char *)top)[99] = 1;
    BOOL("raw_unaligned_usable", ((char *)top)[99] == 1);
    /* brk below the start fails: returns the current break */
    long r2 = syscall(SYS_brk, 4096);
    BOOL("brk_too_low_returns_current", r2 == top + 100);
    /* a huge brk fails: returns the current break */
    long r3 = syscall(SYS_brk, top + (1L << 46));
    BOOL("brk_huge_returns_current", r3 == top + 100);
    syscall(SYS_brk, top);
    /* malloc still works afterwards */
    char *m = malloc(1 << 20);
    CHECKP("malloc_1m", m);
    memset(m, 1, 1 << 20);
    free(m);
    FINISH();
}
