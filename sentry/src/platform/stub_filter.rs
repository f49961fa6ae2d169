//! The seccomp filter every stub process carries: defence in depth under
//! PTRACE_SYSEMU. The application's own system calls never reach seccomp
//! (SYSEMU stops them at entry, before the filter runs, and they are
//! skipped), so the filter only ever judges the calls the sentry injects
//! to shape the address space, plus the stub's last steps before it is
//! traced. Should the tracer ever lose control of a stub, the application
//! could make exactly these calls and nothing else; any other call kills
//! the stub.

use std::collections::BTreeMap;

use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, SeccompRule, TargetArch};

use crate::errno::{Errno, KResult};

/// The calls a stub may make, and why.
const STUB_ALLOWED: &[(libc::c_long, &str)] = &[
    (libc::SYS_mmap, "injected: map memory-file pages"),
    (libc::SYS_munmap, "injected: unmap pages"),
    (libc::SYS_mprotect, "injected: change protections"),
    (libc::SYS_ptrace, "PTRACE_TRACEME, before the first stop"),
    (libc::SYS_getpid, "to stop itself with SIGSTOP"),
    (libc::SYS_kill, "to stop itself with SIGSTOP"),
    (libc::SYS_exit, "exit if set-up fails"),
    (libc::SYS_exit_group, "exit if set-up fails"),
    (libc::SYS_clone, "injected: a new thread of the application"),
    (
        libc::SYS_sched_yield,
        "a new thread parks until its tracer attaches",
    ),
];

/// Compiles the stub filter (in the sentry, before any fork).
pub fn compile() -> KResult<BpfProgram> {
    let rules: BTreeMap<i64, Vec<SeccompRule>> = STUB_ALLOWED
        .iter()
        .map(|(nr, _)| (*nr, Vec::new()))
        .collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::KillProcess,
        SeccompAction::Allow,
        TargetArch::x86_64,
    )
    .map_err(|_| Errno::EINVAL.why("building the stub seccomp filter failed"))?;
    filter
        .try_into()
        .map_err(|_| Errno::EINVAL.why("compiling the stub seccomp filter failed"))
}
