//! Confinement of the sentry (`runlx boot`), applied once it holds every
//! host resource it will ever need (the gofer connection, the memory file,
//! the donated stdio, the strace log):
//!
//! 1. namespaces: `do` starts it in new PID, mount, network, IPC and UTS
//!    namespaces (it is PID 1 of its own PID namespace, so every stub dies
//!    with it);
//! 2. an empty root: the mount namespace is pivoted onto an empty,
//!    read-only tmpfs, so no host path can be opened any more;
//! 3. `no_new_privs` and a seccomp allowlist (`sentry_filter`): the few
//!    calls the sentry makes, each with its reason; anything else kills it.
//!
//! See docs/security.md and docs/seccomp.md.

use std::collections::BTreeMap;
use std::ffi::CString;

use anyhow::{Context, Result, bail};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

/// Unconditionally allowed calls, with why the sentry makes them.
const ALLOWED: &[(libc::c_long, &str)] = &[
    // Donated stdio, the gofer connection, host fds of gofer files.
    (libc::SYS_read, "donated stdin"),
    (libc::SYS_write, "donated stdout/stderr, strace log, log"),
    (libc::SYS_writev, "std's buffered stderr"),
    (libc::SYS_pread64, "reads of files the gofer opened"),
    (libc::SYS_lseek, "lseek on donated regular files"),
    (libc::SYS_close, "dropping fds"),
    (libc::SYS_fstat, "fstat of donated fds"),
    (libc::SYS_newfstatat, "fstat of donated fds (glibc's fstat)"),
    (libc::SYS_statx, "std's file metadata"),
    (libc::SYS_fcntl, "fd flags"),
    (libc::SYS_poll, "readiness of donated fds"),
    (libc::SYS_ppoll, "readiness of donated fds"),
    (libc::SYS_recvmsg, "gofer replies and donated fds"),
    (libc::SYS_sendmsg, "gofer requests"),
    // Memory: the allocator and the memory file.
    (libc::SYS_mmap, "allocator"),
    (libc::SYS_munmap, "allocator"),
    (libc::SYS_mprotect, "allocator, thread stacks"),
    (libc::SYS_mremap, "allocator"),
    (libc::SYS_madvise, "allocator"),
    (libc::SYS_brk, "allocator"),
    (
        libc::SYS_fallocate,
        "punching freed pages out of the memory file",
    ),
    (libc::SYS_mincore, "mincore(2) of application memory"),
    // The ptrace platform.
    (libc::SYS_clone, "forking stub processes"),
    (
        libc::SYS_clone3,
        "a sentry thread per task (pthread_create)",
    ),
    (libc::SYS_ptrace, "tracing stubs"),
    (libc::SYS_wait4, "stub stops and exits"),
    (libc::SYS_kill, "killing stubs"),
    (
        libc::SYS_tgkill,
        "interrupting a stub thread so it takes a signal (SIGSTKFLT)",
    ),
    (libc::SYS_getpid, "stub set-up"),
    (libc::SYS_getppid, "stub set-up (parent check)"),
    (libc::SYS_gettid, "thread ids"),
    (libc::SYS_set_robust_list, "glibc's fork child"),
    (libc::SYS_getuid, "credentials for the first task"),
    (libc::SYS_getgid, "credentials for the first task"),
    (
        libc::SYS_prctl,
        "stub set-up: PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS",
    ),
    (libc::SYS_dup2, "stub set-up: memory file as fd 0"),
    (libc::SYS_close_range, "stub set-up: drop every other fd"),
    (libc::SYS_rseq, "stub set-up: unregister glibc's rseq area"),
    (libc::SYS_seccomp, "stub set-up: install the stub filter"),
    // Signals and threads of the sentry itself.
    (libc::SYS_rt_sigaction, "runtime"),
    (libc::SYS_rt_sigprocmask, "runtime, stub set-up"),
    (libc::SYS_rt_sigreturn, "runtime"),
    (libc::SYS_sigaltstack, "runtime"),
    (libc::SYS_futex, "locks"),
    (libc::SYS_sched_yield, "sched_yield(2) of the application"),
    (libc::SYS_sched_getaffinity, "runtime"),
    (libc::SYS_getcpu, "runtime"),
    (libc::SYS_exit, "thread exit"),
    (libc::SYS_exit_group, "sandbox exit"),
    // Time and randomness for the application.
    (
        libc::SYS_clock_gettime,
        "clocks; CPU time of stubs and sentry threads (CPU accounting)",
    ),
    (libc::SYS_clock_getres, "clocks"),
    (libc::SYS_gettimeofday, "clocks"),
    (libc::SYS_nanosleep, "sleeps"),
    (libc::SYS_clock_nanosleep, "sleeps"),
    (libc::SYS_getrandom, "getrandom(2), AT_RANDOM, ASLR"),
    (libc::SYS_sysinfo, "sysinfo(2), /proc/meminfo"),
    (libc::SYS_getrlimit, "limits"),
    (libc::SYS_prlimit64, "limits"),
    (
        libc::SYS_open,
        "glibc malloc's arena set-up; answered EACCES by `OPEN_DENIED`",
    ),
    (
        libc::SYS_openat,
        "glibc malloc's arena set-up; answered EACCES by `OPEN_DENIED`",
    ),
];

/// Calls the sentry may attempt but that always fail with EACCES: glibc's
/// malloc opens /proc/sys/vm/overcommit_memory when it creates an arena for
/// a new thread. The sentry's root is empty, so nothing could be opened
/// anyway; failing keeps glibc on its fallback instead of killing us.
const OPEN_DENIED: &[libc::c_long] = &[libc::SYS_open, libc::SYS_openat];

/// ioctl requests allowed on donated fds (terminal state and size).
const IOCTLS: &[u64] = &[0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x5414, 0x541b];

/// The filter that turns `OPEN_DENIED` calls into EACCES (installed with
/// the allowlist; seccomp takes the most restrictive verdict of the two).
pub fn open_denied_filter() -> Result<BpfProgram> {
    let rules: BTreeMap<i64, Vec<SeccompRule>> =
        OPEN_DENIED.iter().map(|nr| (*nr, Vec::new())).collect();
    SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        TargetArch::x86_64,
    )
    .context("building the open filter")?
    .try_into()
    .context("compiling the open filter")
}

/// The sentry's filter.
pub fn sentry_filter(kill: bool) -> Result<BpfProgram> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        ALLOWED.iter().map(|(nr, _)| (*nr, Vec::new())).collect();
    let ioctl_rules = IOCTLS
        .iter()
        .map(|req| {
            SeccompRule::new(vec![SeccompCondition::new(
                1,
                SeccompCmpArgLen::Dword,
                SeccompCmpOp::Eq,
                *req,
            )?])
        })
        .collect::<Result<Vec<_>, _>>()
        .context("building ioctl rules")?;
    rules.insert(libc::SYS_ioctl, ioctl_rules);
    let mismatch = if kill {
        SeccompAction::KillProcess
    } else {
        SeccompAction::Log
    };
    let filter = SeccompFilter::new(rules, mismatch, SeccompAction::Allow, TargetArch::x86_64)
        .context("building the sentry seccomp filter")?;
    filter
        .try_into()
        .context("compiling the sentry seccomp filter")
}

fn check(r: libc::c_int, what: &str) -> Result<()> {
    if r < 0 {
        bail!("{what}: {}", std::io::Error::last_os_error());
    }
    Ok(())
}

/// Pivots the (private) mount namespace onto an empty read-only tmpfs.
pub fn enter_empty_root() -> Result<()> {
    let slash = CString::new("/")?;
    let dot = CString::new(".")?;
    let tmpfs = CString::new("tmpfs")?;
    let mnt = CString::new("/tmp")?;
    let opts = CString::new("size=4k,nr_inodes=8,mode=0555")?;
    // SAFETY: every pointer is a valid NUL-terminated string that outlives
    // the call; these are plain mount-namespace operations on our own,
    // private namespace.
    unsafe {
        check(
            libc::mount(
                std::ptr::null(),
                slash.as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ),
            "making mounts private",
        )?;
        check(
            libc::mount(
                tmpfs.as_ptr(),
                mnt.as_ptr(),
                tmpfs.as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                opts.as_ptr().cast(),
            ),
            "mounting the empty root",
        )?;
        check(libc::chdir(mnt.as_ptr()), "entering the empty root")?;
        check(
            libc::syscall(libc::SYS_pivot_root, dot.as_ptr(), dot.as_ptr()) as libc::c_int,
            "pivot_root",
        )?;
        check(
            libc::umount2(dot.as_ptr(), libc::MNT_DETACH),
            "detaching the host root",
        )?;
        check(libc::chdir(slash.as_ptr()), "entering /")?;
        check(
            libc::mount(
                std::ptr::null(),
                slash.as_ptr(),
                std::ptr::null(),
                libc::MS_REMOUNT
                    | libc::MS_BIND
                    | libc::MS_RDONLY
                    | libc::MS_NOSUID
                    | libc::MS_NODEV
                    | libc::MS_NOEXEC,
                std::ptr::null(),
            ),
            "making the empty root read-only",
        )?;
    }
    Ok(())
}

/// Sets no_new_privs and installs the sentry's filter on every thread.
pub fn install_sentry_filter() -> Result<()> {
    let kill = std::env::var_os("RUNLX_SECCOMP_LOG").is_none();
    let prog = sentry_filter(kill)?;
    // SAFETY: prctl with integer arguments.
    let r = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    check(r, "setting no_new_privs")?;
    seccompiler::apply_filter_all_threads(&open_denied_filter()?)
        .context("installing the open filter")?;
    seccompiler::apply_filter_all_threads(&prog).context("installing the sentry seccomp filter")
}

/// Pins this process (and the stubs it will fork) to the CPU it runs on:
/// a wakeup between the sentry and a stub on another CPU costs far more
/// than one on the same CPU.
pub fn pin_to_current_cpu() {
    // SAFETY: sched_getcpu has no preconditions.
    let cpu = unsafe { libc::sched_getcpu() };
    if cpu < 0 {
        return;
    }
    // SAFETY: set is a zeroed cpu_set_t; CPU_SET writes inside it; the
    // call reads exactly size_of::<cpu_set_t>() bytes.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu as usize, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}
