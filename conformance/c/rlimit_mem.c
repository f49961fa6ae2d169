/* RLIMIT_AS and RLIMIT_DATA: mmap, mremap, malloc and brk fail with
 * ENOMEM past them, as Linux counts: every mapping for RLIMIT_AS, private
 * writable ones (and the heap) for RLIMIT_DATA. */
#include "check.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
int main(void){
    BEGIN("rlimit_mem");
    pid_t c = fork();
    if (c == 0) {
        struct rlimit r = {256 << 20, RLIM_INFINITY};
        CHECK("set_as", setrlimit(RLIMIT_AS, &r));
        void *p = mmap(NULL, 512 << 20, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0);
        printf("big_reserve: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
        p = mmap(NULL, 16 << 20, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
        printf("small_map: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
        void *q = mremap(p, 16 << 20, 400 << 20, MREMAP_MAYMOVE);
        printf("mremap_over: %s\n", q == MAP_FAILED ? errname(errno) : "mapped");
        void *m = malloc(300 << 20);
        printf("malloc_over: %s\n", m ? "got" : "null");
        fflush(stdout);
        _exit(0);
    }
    int st; waitpid(c, &st, 0);
    c = fork();
    if (c == 0) {
        struct rlimit r = {64 << 20, RLIM_INFINITY};
        CHECK("set_data", setrlimit(RLIMIT_DATA, &r));
        void *p = mmap(NULL, 128 << 20, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
        printf("data_rw_private: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
        p = mmap(NULL, 128 << 20, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
        printf("data_ro_private: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
        p = mmap(NULL, 128 << 20, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0);
        printf("data_rw_shared: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
        void *b0 = sbrk(0);
        void *b1 = sbrk(100 << 20);
        printf("sbrk_over: %s\n", b1 == (void *)-1 ? errname(errno) : "moved");
        printf("brk_unchanged: %s\n", sbrk(0) == b0 ? "yes" : "no");
        b1 = sbrk(1 << 20);
        printf("sbrk_small: %s\n", b1 == (void *)-1 ? errname(errno) : "moved");
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, &st, 0);
    FINISH();
}
