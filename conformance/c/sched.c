#include "check.h"
#include <sched.h>
#include <sys/resource.h>

int main(void)
{
    BEGIN("sched");
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK("getaffinity", sched_getaffinity(0, sizeof set, &set));
    BOOL("at_least_one_cpu", CPU_COUNT(&set) >= 1);
    long r = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    BOOL("raw_returns_size_multiple_of_8", r > 0 && r % 8 == 0);
    CHECK("getaffinity_small", syscall(SYS_sched_getaffinity, 0, 1, &set));
    CHECK("getaffinity_unaligned_size", syscall(SYS_sched_getaffinity, 0, 9, &set));
    CHECK("getaffinity_self_pid", sched_getaffinity(getpid(), sizeof set, &set));
    CHECK("getaffinity_bad_pid", sched_getaffinity(0x3fffffff, sizeof set, &set));
    CHECK("setaffinity_same", sched_setaffinity(0, sizeof set, &set));
    cpu_set_t empty;
    CPU_ZERO(&empty);
    CHECK("setaffinity_empty", sched_setaffinity(0, sizeof empty, &empty));
    CHECK("yield", sched_yield());
    CHECKV("getscheduler", sched_getscheduler(0));
    struct sched_param sp;
    CHECK("getparam", sched_getparam(0, &sp));
    SHOW("priority", "%d", sp.sched_priority);
    CHECKV("prio_max_other", sched_get_priority_max(SCHED_OTHER));
    CHECKV("prio_min_other", sched_get_priority_min(SCHED_OTHER));
    CHECKV("prio_max_fifo", sched_get_priority_max(SCHED_FIFO));
    CHECKV("prio_min_fifo", sched_get_priority_min(SCHED_FIFO));
    CHECKV("prio_max_bad", sched_get_priority_max(1234));
    struct timespec ts;
    CHECK("rr_get_interval", sched_rr_get_interval(0, &ts));
    unsigned cpu = 99999, node = 99999;
    CHECK("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    sched_getaffinity(0, sizeof set, &set);
    BOOL("getcpu_in_affinity", CPU_ISSET(cpu, &set));
    BOOL("sched_getcpu_in_affinity", CPU_ISSET((unsigned)sched_getcpu(), &set));
    errno = 0;
    int nice0 = getpriority(PRIO_PROCESS, 0);
    BOOL("getpriority_ok", errno == 0);
    (void)nice0;
    CHECK("getpriority_bad_which", getpriority(99, 0));
    FINISH();
}
