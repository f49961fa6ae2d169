#include "check.h"
#include <linux/close_range.h>

int main(void)
{
    BEGIN("close");
    make_tmpdir("close");
    write_file("f", "x");
    int a = open("f", O_RDONLY);
    int b = open("f", O_RDONLY);
    int c = open("f", O_RDONLY);
    SHOW("consecutive", "%d %d", b == a + 1, c == b + 1);
    CHECK("close_b", close(b));
    int d = open("f", O_RDONLY);
    BOOL("lowest_reused", d == b);
    CHECK("close_a", close(a));
    CHECKV("close_again", close(a));
    CHECKV("close_neg", close(-1));
    CHECKV("close_huge", close(1 << 20));
    CHECKV("fstat_closed", fstat(a, &(struct stat){0}));
    /* close_range */
    int e = open("f", O_RDONLY);
    int f = open("f", O_RDONLY);
    (void)e;
    CHECK("close_range_cloexec", syscall(SYS_close_range, c, f, CLOSE_RANGE_CLOEXEC));
    CHECKV("cloexec_set", fcntl(f, F_GETFD));
    CHECK("close_range", syscall(SYS_close_range, c, f, 0));
    CHECKV("closed_c", fcntl(c, F_GETFD));
    CHECKV("closed_f", fcntl(f, F_GETFD));
    CHECKV("close_range_inverted", syscall(SYS_close_range, 10, 5, 0));
    CHECKV("close_range_bad_flags", syscall(SYS_close_range, 10, 20, 0x80));
    CHECK("close_range_empty", syscall(SYS_close_range, 500, 600, 0));
    CHECKV("stdout_open", fcntl(1, F_GETFD) >= 0);
    FINISH();
}
