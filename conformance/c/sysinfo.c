#include "check.h"
#include <sys/sysinfo.h>

int main(void)
{
    BEGIN("sysinfo");
    struct sysinfo si;
    CHECK("sysinfo", sysinfo(&si));
    BOOL("mem_unit_positive", si.mem_unit > 0);
    BOOL("totalram_positive", si.totalram > 0);
    BOOL("freeram_le_totalram", si.freeram <= si.totalram);
    BOOL("procs_positive", si.procs > 0);
    BOOL("uptime_nonneg", si.uptime >= 0);
    BOOL("freeswap_le_totalswap", si.freeswap <= si.totalswap);
    CHECK("sysinfo_efault", syscall(SYS_sysinfo, BADPTR));
    long pages = sysconf(_SC_PHYS_PAGES);
    BOOL("sc_phys_pages_positive", pages > 0);
    BOOL("sc_pagesize_4096", sysconf(_SC_PAGESIZE) == 4096);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    BOOL("nprocs_onln_positive", ncpu > 0);
    BOOL("nprocs_conf_ge_onln", sysconf(_SC_NPROCESSORS_CONF) >= ncpu);
    BOOL("clk_tck_100", sysconf(_SC_CLK_TCK) == 100);
    BOOL("open_max_positive", sysconf(_SC_OPEN_MAX) > 0);
    FINISH();
}
