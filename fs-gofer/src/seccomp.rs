//! Seccomp-BPF allowlist for the gofer process.
//!
//! [`install_gofer_filter`] sets `no_new_privs` and installs a filter on
//! every thread of the process (TSYNC) that allows exactly the system calls
//! [`crate::serve`] needs and kills the whole process
//! (`SECCOMP_RET_KILL_PROCESS`, i.e. `SIGSYS`) on anything else. Install it
//! after all setup (opening the root, logging initialisation), right before
//! calling `serve`.
//!
//! The list was derived by running the server under `strace -f` over every
//! request type (see `tests/seccomp.rs`), plus what the Rust runtime, the
//! allocator and `log` may need on other paths.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::error::GoferError;
use crate::sys;

/// Unconditionally allowed system calls, each with the reason it is needed.
const ALLOWED: &[(libc::c_long, &str)] = &[
    // --- the server loop proper ---
    (libc::SYS_recvmsg, "receive requests"),
    (
        libc::SYS_sendmsg,
        "send replies, donating fds with SCM_RIGHTS",
    ),
    (
        libc::SYS_openat2,
        "every lookup: RESOLVE_BENEATH|NO_SYMLINKS|NO_MAGICLINKS",
    ),
    (
        libc::SYS_newfstatat,
        "fstat(): glibc >= 2.33 issues fstatat(fd, \"\", AT_EMPTY_PATH)",
    ),
    (libc::SYS_fstat, "fstat() on older glibc"),
    (libc::SYS_fstatfs, "StatFs requests"),
    (libc::SYS_getdents64, "ReadDir requests"),
    (
        libc::SYS_lseek,
        "ReadDir continuation: seek to the d_off cookie",
    ),
    (
        libc::SYS_readlinkat,
        "ReadLink requests: readlinkat(O_PATH fd, \"\")",
    ),
    (
        libc::SYS_close,
        "drop every fd the server opened or donated",
    ),
    // --- logging (log backends write to stderr) ---
    (libc::SYS_write, "log output to stderr"),
    (libc::SYS_writev, "vectored stderr writes"),
    (
        libc::SYS_clock_gettime,
        "log timestamps when the vDSO falls back to a syscall",
    ),
    // --- memory allocator ---
    (libc::SYS_brk, "malloc: main-arena growth and trimming"),
    (
        libc::SYS_munmap,
        "malloc frees large blocks; thread stack teardown",
    ),
    (libc::SYS_mremap, "realloc of large blocks"),
    (
        libc::SYS_madvise,
        "malloc trims freed memory (MADV_DONTNEED)",
    ),
    // --- threads, signals, process exit ---
    (libc::SYS_futex, "Mutex/Condvar, stdio locks, thread join"),
    (libc::SYS_sched_yield, "spin-lock back-off"),
    (libc::SYS_rt_sigreturn, "return from any signal handler"),
    (
        libc::SYS_rt_sigprocmask,
        "glibc blocks signals around thread exit/abort",
    ),
    (
        libc::SYS_sigaltstack,
        "std tears down its stack-overflow alt stack at thread exit",
    ),
    (libc::SYS_getrandom, "HashMap seeds, malloc randomisation"),
    (libc::SYS_exit, "thread exit"),
    (libc::SYS_exit_group, "process exit"),
];

/// `fcntl` commands allowed: the server reads and clears `O_NONBLOCK` on
/// fds it donates (`F_GETFL`/`F_SETFL`); std's debug builds check
/// `F_GETFD` before every close; `F_DUPFD_CLOEXEC` is `OwnedFd::try_clone`.
const FCNTL_CMDS: &[libc::c_int] = &[
    libc::F_GETFL,
    libc::F_SETFL,
    libc::F_GETFD,
    libc::F_DUPFD_CLOEXEC,
];

/// System calls that fail with `EACCES` instead of killing the process:
/// glibc's malloc opens `/proc/sys/vm/overcommit_memory` (with `openat`) the
/// first time it shrinks a thread arena and copes with the open failing.
/// A second filter implements this; seccomp lets the stricter result win,
/// so these never reach the host.
const DENIED_WITH_EACCES: &[libc::c_long] = &[libc::SYS_openat, libc::SYS_open];

fn cond(arg: u8, op: SeccompCmpOp, value: u64) -> Result<SeccompCondition, GoferError> {
    SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, value).map_err(build_err)
}

fn build_err(e: impl std::error::Error + Send + Sync + 'static) -> GoferError {
    GoferError::Io(std::io::Error::other(e))
}

/// Builds the BPF programs (without installing them), in installation
/// order: the filter turning [`DENIED_WITH_EACCES`] into `EACCES`, then the
/// allowlist.
pub fn gofer_filters() -> Result<[BpfProgram; 2], GoferError> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for (nr, _why) in ALLOWED {
        rules.insert(*nr, Vec::new());
    }
    // Let them through the allowlist; the second filter answers EACCES.
    for nr in DENIED_WITH_EACCES {
        rules.insert(*nr, Vec::new());
    }
    // fcntl: only the commands listed above.
    let fcntl = FCNTL_CMDS
        .iter()
        .map(|cmd| {
            SeccompRule::new(vec![cond(1, SeccompCmpOp::Eq, *cmd as u64)?]).map_err(build_err)
        })
        .collect::<Result<Vec<_>, _>>()?;
    rules.insert(libc::SYS_fcntl, fcntl);
    // mmap (allocator, thread stacks) and mprotect (glibc arena growth,
    // stack guard pages): never with PROT_EXEC, so no new code can be mapped.
    for nr in [libc::SYS_mmap, libc::SYS_mprotect] {
        let no_exec = cond(2, SeccompCmpOp::MaskedEq(libc::PROT_EXEC as u64), 0)?;
        rules.insert(
            nr,
            vec![SeccompRule::new(vec![no_exec]).map_err(build_err)?],
        );
    }
    let allow = SeccompFilter::new(
        rules,
        SeccompAction::KillProcess,
        SeccompAction::Allow,
        TargetArch::x86_64,
    )
    .map_err(build_err)?;
    let eacces = SeccompFilter::new(
        DENIED_WITH_EACCES
            .iter()
            .map(|nr| (*nr, Vec::new()))
            .collect(),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        TargetArch::x86_64,
    )
    .map_err(build_err)?;
    // Installation order matters: once the allowlist is in place, even
    // seccomp(2) itself is denied, so it must come last.
    Ok([
        BpfProgram::try_from(eacces).map_err(build_err)?,
        BpfProgram::try_from(allow).map_err(build_err)?,
    ])
}

/// Sets `no_new_privs` and installs the gofer filters on all threads of
/// the calling process. Irreversible.
pub fn install_gofer_filter() -> Result<(), GoferError> {
    let progs = gofer_filters()?;
    sys::set_no_new_privs()?;
    for prog in &progs {
        seccompiler::apply_filter_all_threads(prog).map_err(|e| match e {
            seccompiler::Error::Prctl(io) | seccompiler::Error::Seccomp(io) => GoferError::Io(io),
            other => build_err(other),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn filter_builds() {
        for prog in super::gofer_filters().unwrap() {
            assert!(!prog.is_empty());
        }
    }
}
