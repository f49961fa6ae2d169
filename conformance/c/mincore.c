#include "check.h"
#include <sys/mman.h>

#define PG 4096

int main(void)
{
    BEGIN("mincore");
    unsigned char vec[8];
    char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 1;
    p[2 * PG] = 1;
    CHECK("mincore", mincore(p, 4 * PG, vec));
    SHOW("touched_resident", "%d %d", vec[0] & 1, vec[2] & 1);
    CHECK("mincore_partial_len", mincore(p, 100, vec));
    CHECK("mincore_unaligned", mincore(p + 1, PG, vec));
    CHECK("mincore_len0", mincore(p, 0, vec));
    munmap(p + 3 * PG, PG);
    CHECK("mincore_partly_unmapped", mincore(p, 4 * PG, vec));
    CHECK("mincore_unmapped", mincore(p + 3 * PG, PG, vec));
    CHECK("mincore_bad_vec", mincore(p, PG, BADPTR));
    char *none = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mincore_prot_none", mincore(none, PG, vec));
    /* stack is resident */
    uintptr_t sp = (uintptr_t)&vec & ~(uintptr_t)(PG - 1);
    CHECK("mincore_stack", mincore((void *)sp, PG, vec));
    SHOW("stack_resident", "%d", vec[0] & 1);
    FINISH();
}
