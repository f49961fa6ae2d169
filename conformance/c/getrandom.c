#include "check.h"
#include <sys/random.h>

int main(void)
{
    BEGIN("getrandom");
    unsigned char a[64], b[64];
    CHECKV("len_16", getrandom(a, 16, 0));
    CHECKV("len_64", getrandom(a, 64, 0));
    getrandom(b, 64, 0);
    BOOL("two_reads_differ", memcmp(a, b, 64) != 0);
    CHECKV("nonblock", getrandom(a, 32, GRND_NONBLOCK));
    CHECKV("grnd_random", getrandom(a, 8, GRND_RANDOM | GRND_NONBLOCK) > 0);
    CHECKV("insecure", getrandom(a, 8, 0x0004 /* GRND_INSECURE */));
    CHECKV("len_0", getrandom(a, 0, 0));
    CHECKV("bad_flags", getrandom(a, 8, 0x100));
    CHECKV("insecure_and_random", getrandom(a, 8, 0x0004 | GRND_RANDOM));
    CHECKV("efault", syscall(SYS_getrandom, BADPTR, 8, 0));
    static unsigned char big[1 << 20];
    long n = getrandom(big, sizeof big, 0);
    BOOL("big_read_positive", n > 0);
    BOOL("big_read_at_least_256", n >= 256);
    /* not all zero */
    int nz = 0;
    for (int i = 0; i < 64; i++)
        nz |= a[i];
    BOOL("not_all_zero", nz != 0);
    /* crude distribution check over 64 KiB: every byte value appears */
    static unsigned char dist[65536];
    getrandom(dist, sizeof dist, 0);
    int seen[256] = {0}, all = 1;
    for (size_t i = 0; i < sizeof dist; i++)
        seen[dist[i]] = 1;
    for (int i = 0; i < 256; i++)
        all &= seen[i];
    BOOL("all_byte_values", all);
    FINISH();
}
