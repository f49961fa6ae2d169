#include "check.h"
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <signal.h>
#include <sys/mman.h>

/* Every call gets an unmapped pointer (address 1) and must fail with EFAULT
 * instead of crashing. Raw syscalls are used so that libc does not touch the
 * pointer first. */
int main(void)
{
    BEGIN("efault");
    make_tmpdir("efault");
    write_file("f", "0123456789");
    int fd = open("f", O_RDWR);
    void *bad = BADPTR;
    CHECKV("read", syscall(SYS_read, fd, bad, 4));
    CHECKV("write", syscall(SYS_write, fd, bad, 4));
    CHECKV("pread64", syscall(SYS_pread64, fd, bad, 4, 0));
    CHECKV("pwrite64", syscall(SYS_pwrite64, fd, bad, 4, 0));
    CHECKV("read_len0_badptr", syscall(SYS_read, fd, bad, 0));
    CHECKV("stat_path", syscall(SYS_stat, bad, &(struct stat){0}));
    CHECKV("stat_buf", syscall(SYS_stat, "f", bad));
    CHECKV("fstat_buf", syscall(SYS_fstat, fd, bad));
    CHECKV("lstat_buf", syscall(SYS_lstat, "f", bad));
    CHECKV("open_path", syscall(SYS_open, bad, O_RDONLY));
    CHECKV("openat_path", syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
    CHECKV("uname", syscall(SYS_uname, bad));
    CHECKV("getrlimit", syscall(SYS_getrlimit, RLIMIT_NOFILE, bad));
    CHECKV("sysinfo", syscall(SYS_sysinfo, bad));
    CHECKV("clock_gettime", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad));
    CHECKV("gettimeofday", syscall(SYS_gettimeofday, bad, NULL));
    CHECKV("nanosleep", syscall(SYS_nanosleep, bad, NULL));
    CHECKV("getcwd", syscall(SYS_getcwd, bad, 100));
    CHECKV("uname_high_address", syscall(SYS_uname, (void *)(uintptr_t)0xffffffffffff0000ULL));
    CHECKV("kernel_address_read", syscall(SYS_read, fd, (void *)(uintptr_t)0xffffffff81000000ULL, 4));
    CHECKV("noncanonical_read", syscall(SYS_read, fd, (void *)(uintptr_t)0x0000800000000000ULL, 4));
    CHECKV("rt_sigaction", syscall(SYS_rt_sigaction, 10, bad, NULL, 8));
    CHECKV("rt_sigprocmask", syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8));
    CHECKV("getrandom", syscall(SYS_getrandom, bad, 8, 0));
    CHECKV("mkdir", syscall(SYS_mkdir, bad, 0755));
    CHECKV("unlink", syscall(SYS_unlink, bad));
    CHECKV("access", syscall(SYS_access, bad, F_OK));
    CHECKV("chdir", syscall(SYS_chdir, bad));
    CHECKV("readlink_buf", syscall(SYS_readlink, "/proc/self/exe", bad, 64));
    CHECKV("sched_getaffinity", syscall(SYS_sched_getaffinity, 0, 128, bad));
    CHECKV("prlimit64_old", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, bad));
    CHECKV("time_bad", syscall(SYS_time, bad));
    /* partially valid buffer: read straddling into an unmapped page */
    long pg = 4096;
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + pg, pg);
    lseek(fd, 0, SEEK_SET);
    long n = syscall(SYS_read, fd, m + pg - 4, 8);
    SHOW("straddling_read", "%s", n == 4 ? "short=4" : n < 0 ? errname(errno) : "other");
    lseek(fd, 0, SEEK_SET);
    char pos_buf[16];
    CHECKV("fd_still_ok", read(fd, pos_buf, 3));
    close(fd);
    FINISH();
}
