#include "check.h"
#include <asm/prctl.h>

static __thread int tls_var = 1234;

int main(void)
{
    BEGIN("arch_prctl");
    unsigned long fs = 0, gs = 1;
    CHECK("get_fs", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
    BOOL("fs_nonzero", fs != 0);
    BOOL("fs_eq_thread_pointer", fs == (unsigned long)__builtin_thread_pointer());
    unsigned long self;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));
    BOOL("fs0_is_self_pointer", self == fs);
    BOOL("tls_var_readable", tls_var == 1234);
    BOOL("tls_var_near_fs", (unsigned long)&tls_var < fs && fs - (unsigned long)&tls_var < 65536);
    CHECK("get_gs", syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
    SHOW("gs_value_is_zero", "%d", gs == 0);
    /* setting FS to the same value is harmless */
    CHECK("set_fs_same", syscall(SYS_arch_prctl, ARCH_SET_FS, fs));
    BOOL("tls_still_ok", tls_var == 1234);
    CHECK("set_gs", syscall(SYS_arch_prctl, ARCH_SET_GS, 0x1000UL));
    syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
    BOOL("gs_read_back", gs == 0x1000UL);
    syscall(SYS_arch_prctl, ARCH_SET_GS, 0UL);
    CHECK("bad_code", syscall(SYS_arch_prctl, 0x9999, 0UL));
    CHECK("get_fs_efault", syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR));
    CHECK("set_fs_noncanonical", syscall(SYS_arch_prctl, ARCH_SET_FS, 0x8000000000000000UL));
    /* ARCH_GET_CPUID: returns 1 when cpuid is allowed */
    CHECKV("get_cpuid", syscall(SYS_arch_prctl, 0x1011 /* ARCH_GET_CPUID */, 0UL));
    FINISH();
}
