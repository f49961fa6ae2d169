/* getppid loop: usage getppid [N]; prints ns per getppid call.
 * The cheapest syscall there is, so this is pure syscall round-trip cost. */
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 100000);
    long sum = 0;
    long long t0 = now_ns();
    for (long i = 0; i < n; i++)
        sum += syscall(SYS_getppid);
    long long t1 = now_ns();
    if (sum < 0) {
        fprintf(stderr, "getppid failed\n");
        return 1;
    }
    printf("%.1f\n", (double)(t1 - t0) / (double)n);
    return 0;
}
