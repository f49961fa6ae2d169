/* Signal frames carry the full XSAVE extended state, laid out like Linux's:
 * AVX and AVX-512 registers survive a handler that clobbers them; the
 * ucontext says UC_FP_XSTATE, the fpstate has FP_XSTATE_MAGIC1 and the
 * _fpx_sw_bytes sized from CPUID leaf 0xD, FP_XSTATE_MAGIC2 after the
 * area; edits a handler makes to saved ymm/zmm/k registers come back on
 * sigreturn (XSTATE_BV bits, magic1 absent => fxsave only, fpstate NULL =>
 * initial state); a bad XSAVE header or MXCSR in the frame is a SIGSEGV;
 * and an alternate stack too small for the frame is a SIGSEGV, one that
 * fits (AT_MINSIGSTKSZ) is not; uc_stack records the stack as set, and
 * SS_AUTODISARM disarms it during a handler and sigreturn re-arms it.
 * Prints no sizes: only relations between
 * the frame and CPUID, which hold on every machine. */
#include "check.h"
#include <cpuid.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define UC_FP_XSTATE_ 0x1
#define UC_SIGCONTEXT_SS_ 0x2
#define UC_STRICT_RESTORE_SS_ 0x4

/* The XSAVE layout from CPUID, as the kernel reads it. */
static uint64_t xcr0;
static uint32_t xoff[64], xsize[64];
static uint32_t user_size; /* standard-format size of the enabled features */

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static int have_xsave(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    return (c & (1u << 27)) != 0; /* OSXSAVE */
}

static void read_layout(void)
{
    unsigned a, b, c, d;
    xcr0 = read_xcr0();
    user_size = 576;
    for (int i = 2; i < 64; i++) {
        if (!(xcr0 & (1ull << i)))
            continue;
        __cpuid_count(0xd, i, a, b, c, d);
        xsize[i] = a;
        xoff[i] = b;
        /* Dynamic (XFD) features are not in a default frame. */
        if (!(c & 4) && b + a > user_size)
            user_size = b + a;
    }
}

/* What the handler does with the frame. */
enum {
    CLOBBER,
    INSPECT,
    EDIT_YMM,
    CLEAR_YMM_BIT,
    NO_MAGIC1,
    NULL_FPSTATE,
    EDIT_ZMM,
    BAD_RESERVED,
    BAD_MXCSR,
    BAD_BV,
};
static volatile int mode;

/* Facts the INSPECT handler saw. */
static volatile int i_flags_ok, i_align, i_magic1, i_ext, i_magic2, i_xfeat, i_xsize, i_bv,
    i_place, i_uc_dist, i_fits_min;

static uint8_t edit_pattern[64];

__attribute__((target("avx2"))) static void clobber_ymm(void)
{
    __asm__ volatile("vpcmpeqb %%ymm0, %%ymm0, %%ymm0\n"
                     "vmovdqa %%ymm0, %%ymm1\n vmovdqa %%ymm0, %%ymm2\n vmovdqa %%ymm0, %%ymm3\n"
                     "vmovdqa %%ymm0, %%ymm4\n vmovdqa %%ymm0, %%ymm5\n vmovdqa %%ymm0, %%ymm6\n"
                     "vmovdqa %%ymm0, %%ymm7\n vmovdqa %%ymm0, %%ymm8\n vmovdqa %%ymm0, %%ymm9\n"
                     "vmovdqa %%ymm0, %%ymm10\n vmovdqa %%ymm0, %%ymm11\n vmovdqa %%ymm0, %%ymm12\n"
                     "vmovdqa %%ymm0, %%ymm13\n vmovdqa %%ymm0, %%ymm14\n vmovdqa %%ymm0, %%ymm15\n"
                     ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                     "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

#define Z(i) "vmovdqa64 %%zmm0, %%zmm" #i "\n"
__attribute__((target("avx512f"))) static void clobber_zmm(void)
{
    __asm__ volatile("vpternlogd $0xff, %%zmm0, %%zmm0, %%zmm0\n" Z(1) Z(2) Z(3) Z(4) Z(5) Z(6) Z(7)
                         Z(8) Z(9) Z(10) Z(11) Z(12) Z(13) Z(14) Z(15) Z(16) Z(17) Z(18) Z(19)
                             Z(20) Z(21) Z(22) Z(23) Z(24) Z(25) Z(26) Z(27) Z(28) Z(29) Z(30)
                                 Z(31) "kxnorw %%k0, %%k0, %%k1\n kmovw %%k1, %%k2\n"
                     "kmovw %%k1, %%k3\n kmovw %%k1, %%k4\n kmovw %%k1, %%k5\n"
                     "kmovw %%k1, %%k6\n kmovw %%k1, %%k7\n" ::: "xmm0", "xmm1", "xmm2",
                     "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                     "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19",
                     "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27",
                     "xmm28", "xmm29", "xmm30", "xmm31", "k1", "k2", "k3", "k4", "k5", "k6",
                     "k7");
}

static int has_avx2, has_avx512;

static void handler(int sig, siginfo_t *si, void *ucp)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ucp;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t *sw = fp ? (uint32_t *)(fp + 464) : NULL;
    switch (mode) {
    case INSPECT: {
        uint64_t rsp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
        uint32_t ext = sw[1], xs = sw[4];
        uint64_t xf = *(uint64_t *)(sw + 2);
        i_flags_ok = uc->uc_flags == (UC_FP_XSTATE_ | UC_SIGCONTEXT_SS_ | UC_STRICT_RESTORE_SS_);
        i_align = ((uintptr_t)fp & 63) == 0;
        i_magic1 = sw[0] == MAGIC1;
        i_ext = ext == xs + 4;
        i_magic2 = *(uint32_t *)(fp + ext - 4) == MAGIC2;
        i_xfeat = xf == (xcr0 & ~(uint64_t)0x40000) && (xf & 7) == 7;
        i_xsize = xs == user_size;
        i_bv = (*(uint64_t *)(fp + 512) & 3) == 3;
        /* Linux's get_sigframe: below the red zone, 64-aligned. */
        i_place = (uint64_t)fp == ((rsp - 128 - ext) & ~(uint64_t)63);
        /* rt_sigframe right below: rsp+8 16-aligned, ucontext after pretcode. */
        i_uc_dist = (uint8_t *)uc + 448 == fp;
        /* The worst case is inside AT_MINSIGSTKSZ. */
        i_fits_min = (uint64_t)(rsp - 128 - ((uint64_t)(uc)-8)) <= getauxval(AT_MINSIGSTKSZ);
        break;
    }
    case EDIT_YMM:
        /* ymm3: low half in the legacy area, high half in the AVX component. */
        memcpy(fp + 160 + 3 * 16, edit_pattern, 16);
        memcpy(fp + xoff[2] + 3 * 16, edit_pattern + 16, 16);
        *(uint64_t *)(fp + 512) |= 4;
        break;
    case CLEAR_YMM_BIT:
        *(uint64_t *)(fp + 512) &= ~(uint64_t)4;
        break;
    case NO_MAGIC1:
        memcpy(fp + 160 + 3 * 16, edit_pattern, 16);
        sw[0] = 0;
        break;
    case NULL_FPSTATE:
        uc->uc_mcontext.fpregs = NULL;
        break;
    case EDIT_ZMM:
        /* zmm5 bits 256..511, zmm20 whole, k2. */
        memcpy(fp + xoff[6] + 5 * 32, edit_pattern, 32);
        memcpy(fp + xoff[7] + 4 * 64, edit_pattern, 64);
        memcpy(fp + xoff[5] + 2 * 8, edit_pattern, 8);
        *(uint64_t *)(fp + 512) |= 0xe0;
        break;
    case BAD_RESERVED:
        *(uint64_t *)(fp + 512 + 8) = 1; /* XCOMP_BV without the compacted bit */
        break;
    case BAD_MXCSR:
        *(uint32_t *)(fp + 24) |= 0xffff0000u;
        break;
    case BAD_BV:
        *(uint64_t *)(fp + 512) |= 1ull << 62;
        break;
    }
    if (has_avx512)
        clobber_zmm();
    else if (has_avx2)
        clobber_ymm();
}

/* Loads ymm0-15 from in, has SIGUSR1 delivered by tgkill from the same
 * asm block (so no compiler code runs in between), stores them to out. */
#define LY(i) "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n"
#define SY(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n"
__attribute__((target("avx2"))) static void ymm_roundtrip(const uint8_t *in, uint8_t *out)
{
    long nr = SYS_tgkill;
    long pid = getpid(), tid = syscall(SYS_gettid);
    __asm__ volatile(LY(0) LY(1) LY(2) LY(3) LY(4) LY(5) LY(6) LY(7) LY(8) LY(9) LY(10) LY(11)
                         LY(12) LY(13) LY(14) LY(15) "syscall\n" SY(0) SY(1) SY(2) SY(3) SY(4)
                             SY(5) SY(6) SY(7) SY(8) SY(9) SY(10) SY(11) SY(12) SY(13) SY(14)
                                 SY(15)
                     : "+a"(nr)
                     : [in] "r"(in), [out] "r"(out), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
                     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                       "xmm14", "xmm15");
}

#define LZ(i) "vmovdqu64 " #i "*64(%[in]), %%zmm" #i "\n"
#define SZ(i) "vmovdqu64 %%zmm" #i ", " #i "*64(%[out])\n"
/* zmm0-31 at in[0..2048), k0-7 (16 bits each) at in[2048..2064). */
__attribute__((target("avx512f"))) static void zmm_roundtrip(const uint8_t *in, uint8_t *out)
{
    long nr = SYS_tgkill;
    long pid = getpid(), tid = syscall(SYS_gettid);
    __asm__ volatile(
        LZ(0) LZ(1) LZ(2) LZ(3) LZ(4) LZ(5) LZ(6) LZ(7) LZ(8) LZ(9) LZ(10) LZ(11) LZ(12) LZ(13)
            LZ(14) LZ(15) LZ(16) LZ(17) LZ(18) LZ(19) LZ(20) LZ(21) LZ(22) LZ(23) LZ(24) LZ(25)
                LZ(26) LZ(27) LZ(28) LZ(29) LZ(30) LZ(31)
        "kmovw 2050(%[in]), %%k1\n kmovw 2052(%[in]), %%k2\n kmovw 2054(%[in]), %%k3\n"
        "kmovw 2056(%[in]), %%k4\n kmovw 2058(%[in]), %%k5\n kmovw 2060(%[in]), %%k6\n"
        "kmovw 2062(%[in]), %%k7\n"
        "syscall\n" SZ(0) SZ(1) SZ(2) SZ(3) SZ(4) SZ(5) SZ(6) SZ(7) SZ(8) SZ(9) SZ(10) SZ(11)
            SZ(12) SZ(13) SZ(14) SZ(15) SZ(16) SZ(17) SZ(18) SZ(19) SZ(20) SZ(21) SZ(22) SZ(23)
                SZ(24) SZ(25) SZ(26) SZ(27) SZ(28) SZ(29) SZ(30) SZ(31)
        "kmovw %%k1, 2050(%[out])\n kmovw %%k2, 2052(%[out])\n kmovw %%k3, 2054(%[out])\n"
        "kmovw %%k4, 2056(%[out])\n kmovw %%k5, 2058(%[out])\n kmovw %%k6, 2060(%[out])\n"
        "kmovw %%k7, 2062(%[out])\n"
        : "+a"(nr)
        : [in] "r"(in), [out] "r"(out), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
        : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
          "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17",
          "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26",
          "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
}

static uint8_t in[2064], out[2064], want[2064];

static void fill(void)
{
    for (int i = 0; i < (int)sizeof(in); i++)
        in[i] = (uint8_t)(i * 7 + 3);
    memset(out, 0, sizeof(out));
    memcpy(want, in, sizeof(want));
    for (int i = 0; i < 64; i++)
        edit_pattern[i] = (uint8_t)(0xa0 + i);
}

/* One ymm round trip with the handler in mode m: what ymm0-15 must be
 * after it, then whether they are. */
static void ymm_case(const char *name, int m)
{
    mode = m;
    fill();
    switch (m) {
    case EDIT_YMM:
        memcpy(want + 3 * 32, edit_pattern, 32);
        break;
    case CLEAR_YMM_BIT:
    case NO_MAGIC1:
        for (int i = 0; i < 16; i++)
            memset(want + i * 32 + 16, 0, 16);
        if (m == NO_MAGIC1)
            memcpy(want + 3 * 32, edit_pattern, 16);
        break;
    case NULL_FPSTATE:
        memset(want, 0, 512);
        break;
    }
    ymm_roundtrip(in, out);
    BOOL(name, memcmp(out, want, 512) == 0);
}

/* Waits for child p; prints how it ended. */
static void report_child(const char *name, pid_t p)
{
    int st = 0;
    waitpid(p, &st, 0);
    if (WIFSIGNALED(st))
        SHOW(name, "killed by %s", WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : "other");
    else
        SHOW(name, "exit %d", WEXITSTATUS(st));
}

/* Runs one ymm round trip in mode m in a child; prints how it ended. */
static void in_child(const char *name, int m)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        mode = m;
        fill();
        ymm_roundtrip(in, out);
        _exit(0);
    }
    report_child(name, p);
}

/* Delivers SIGUSR1 on an alternate stack of `size` bytes whose top is
 * 64-aligned, with mapped memory below it for the handler's own frames;
 * prints how the child ended. */
static void altstack_child(const char *name, size_t size)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        size_t below = 65536;
        size_t len = below + ((size + 4095) & ~(size_t)4095) + 4096;
        char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            _exit(2);
        stack_t ss = {.ss_sp = m + len - 4096 - size, .ss_size = size, .ss_flags = 0};
        if (sigaltstack(&ss, NULL) < 0)
            _exit(errno == ENOMEM ? 3 : 4);
        struct sigaction sa = {0};
        sa.sa_sigaction = handler;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGUSR1, &sa, NULL);
        mode = CLOBBER;
        raise(SIGUSR1);
        _exit(0);
    }
    report_child(name, p);
}

/* uc_stack and SS_AUTODISARM: a handler raises itself once more
 * (SA_NODEFER) and records what each frame and sigaltstack(2) say. */
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
static volatile int as_depth, as_uc_flags[2], as_oss_flags[2], as_eperm[2];
static void altstack_handler(int sig, siginfo_t *si, void *ucp)
{
    (void)si;
    ucontext_t *uc = ucp;
    int d = as_depth++;
    if (d > 1)
        return;
    as_uc_flags[d] = uc->uc_stack.ss_flags;
    stack_t cur;
    sigaltstack(NULL, &cur);
    as_oss_flags[d] = cur.ss_flags;
    /* Changing the stack while running on it: EPERM (not with autodisarm). */
    errno = 0;
    as_eperm[d] = sigaltstack(&cur, NULL) < 0 ? errno : 0;
    if (d == 0)
        raise(sig);
}

static void altstack_flags(const char *name, int flags)
{
    static char stack[65536] __attribute__((aligned(64)));
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof(stack), .ss_flags = flags};
    CHECK("sigaltstack", sigaltstack(&ss, NULL));
    struct sigaction sa = {0}, old;
    sa.sa_sigaction = altstack_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigaction(SIGUSR2, &sa, &old);
    as_depth = 0;
    raise(SIGUSR2);
    stack_t after;
    sigaltstack(NULL, &after);
    printf("%s: uc_stack.ss_flags %#x then %#x, sigaltstack says %#x then %#x, "
           "set while on it %s then %s, after %#x\n",
           name, (unsigned)as_uc_flags[0], (unsigned)as_uc_flags[1],
           (unsigned)as_oss_flags[0], (unsigned)as_oss_flags[1], errname(as_eperm[0]),
           errname(as_eperm[1]), (unsigned)after.ss_flags);
    sigaction(SIGUSR2, &old, NULL);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
}

int main(void)
{
    BEGIN("sigframe_xstate");
    if (!have_xsave()) {
        SHOW("xsave", "absent");
        FINISH();
    }
    read_layout();
    has_avx2 = __builtin_cpu_supports("avx2") && (xcr0 & 6) == 6;
    has_avx512 = __builtin_cpu_supports("avx512f") && (xcr0 & 0xe6) == 0xe6;

    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK("sigaction", sigaction(SIGUSR1, &sa, NULL));

    mode = INSPECT;
    raise(SIGUSR1);
    BOOL("uc_flags is UC_FP_XSTATE|UC_SIGCONTEXT_SS|UC_STRICT_RESTORE_SS", i_flags_ok);
    BOOL("fpstate 64-aligned", i_align);
    BOOL("sw_reserved magic1", i_magic1);
    BOOL("extended_size = xstate_size + 4", i_ext);
    BOOL("magic2 at fpstate + extended_size - 4", i_magic2);
    BOOL("xfeatures = XCR0 user features, has FP|SSE|YMM", i_xfeat);
    BOOL("xstate_size from CPUID leaf 0xD", i_xsize);
    BOOL("xstate_bv has FP|SSE", i_bv);
    BOOL("fpstate right below the red zone", i_place);
    BOOL("ucontext 448 bytes below fpstate", i_uc_dist);
    BOOL("frame within AT_MINSIGSTKSZ", i_fits_min);

    if (!has_avx2) {
        SHOW("avx2", "absent");
    } else {
        ymm_case("ymm0-15 survive a clobbering handler", CLOBBER);
        ymm_case("ymm3 edited in the frame comes back", EDIT_YMM);
        ymm_case("YMM cleared in xstate_bv => upper halves zero", CLEAR_YMM_BIT);
        ymm_case("no magic1 => fxsave state only, upper halves zero", NO_MAGIC1);
        ymm_case("fpstate NULL => initial state", NULL_FPSTATE);

        in_child("bad XSAVE header", BAD_RESERVED);
        in_child("bad MXCSR", BAD_MXCSR);
        in_child("xstate_bv bit outside XCR0", BAD_BV);
    }

    if (!has_avx512) {
        SHOW("avx512f", "absent");
    } else {
        mode = CLOBBER;
        fill();
        zmm_roundtrip(in, out);
        BOOL("zmm0-31 survive a clobbering handler", memcmp(out, want, 2048) == 0);
        BOOL("k1-7 survive a clobbering handler", memcmp(out + 2050, want + 2050, 14) == 0);

        mode = EDIT_ZMM;
        fill();
        memcpy(want + 5 * 64 + 32, edit_pattern, 32);
        memcpy(want + 20 * 64, edit_pattern, 64);
        memcpy(want + 2052, edit_pattern, 2);
        zmm_roundtrip(in, out);
        BOOL("zmm5, zmm20, k2 edited in the frame come back",
             memcmp(out, want, 2048) == 0 && memcmp(out + 2050, want + 2050, 14) == 0);
    }

    altstack_flags("altstack", 0);
    altstack_flags("autodisarm altstack", SS_AUTODISARM);

    /* The frame on an alternate stack whose top is 64-aligned: the xsave
     * area rounded up to 64, then 448 bytes down to the ucontext and 8
     * for pretcode. Linux wants the frame strictly above ss_sp. */
    size_t need = ((size_t)user_size + 4 + 63) / 64 * 64 + 456;
    size_t minsig = getauxval(AT_MINSIGSTKSZ);
    BOOL("AT_MINSIGSTKSZ covers the frame", minsig >= need);
    altstack_child("altstack of AT_MINSIGSTKSZ", (minsig + 63) & ~(size_t)63);
    /* The kernel's MINSIGSTKSZ (glibc's macro may be sysconf's value). */
    altstack_child("altstack of 2048 bytes", 2048);
    if (need >= 2048) {
        altstack_child("altstack of one frame exactly", need);
        altstack_child("altstack of one frame + 64", need + 64);
    }
    FINISH();
}
