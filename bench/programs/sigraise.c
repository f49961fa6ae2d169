/* Signal delivery loop: usage sigraise [N]; prints µs per raise(SIGUSR1)
 * whose empty handler runs and returns: the cost of building a signal
 * frame (with the FPU/XSAVE state) and of rt_sigreturn restoring it. */
#include <signal.h>

#include "common.h"

static volatile sig_atomic_t hits;

static void handler(int sig) {
    (void)sig;
    hits++;
}

int main(int argc, char **argv) {
    long n = arg_count(argc, argv, 1, 200000);
    struct sigaction sa = {0};
    sa.sa_handler = handler;
    if (sigaction(SIGUSR1, &sa, NULL) != 0) {
        perror("sigaction");
        return 1;
    }
    raise(SIGUSR1); /* warm-up */
    long long t0 = now_ns();
    for (long i = 0; i < n; i++)
        raise(SIGUSR1);
    long long t1 = now_ns();
    if (hits != n + 1) {
        fprintf(stderr, "sigraise: %ld handlers ran, want %ld\n", (long)hits, n + 1);
        return 1;
    }
    printf("%.2f\n", (double)(t1 - t0) / 1000.0 / (double)n);
    return 0;
}
