//! Process plumbing of the front end and its children: taking inherited
//! fds, dying with the parent, logging set-up, and the pre-exec hook that
//! places the gofer socket. With `confine.rs`, the only `unsafe` of the
//! binary.

use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;

use anyhow::{Result, bail};

/// Logs go to stderr, quiet by default so the program's own stderr stays
/// clean; `RUNLX_LOG=info` (or debug, warn...) turns them up.
pub fn init_logging() {
    let _ = env_logger::Builder::from_env(env_logger::Env::new().filter_or("RUNLX_LOG", "error"))
        .format_timestamp(None)
        .format_target(false)
        .try_init();
}

/// Kills this process when its parent dies, so no process of ours outlives
/// the sandbox.
pub fn die_with_parent() {
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes integers only.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
    // SAFETY: getppid has no preconditions.
    if unsafe { libc::getppid() } == 1 {
        std::process::exit(1);
    }
}

/// Takes ownership of an fd inherited from the parent.
pub fn take_fd(fd: RawFd) -> Result<OwnedFd> {
    // SAFETY: fcntl(F_GETFD) only inspects the descriptor table.
    if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        bail!("fd {fd} is not open");
    }
    // SAFETY: the fd is open and nothing else in this process owns it: it
    // was placed there by our parent for us alone.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: plain fcntl on an fd we own.
    unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    Ok(owned)
}

/// Duplicates an fd we keep using (stdio donated to the sandbox).
pub fn dup_cloexec(fd: RawFd) -> Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC creates a new fd that we then own.
    let n = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) };
    if n < 0 {
        bail!("duplicating fd {fd}: {}", std::io::Error::last_os_error());
    }
    // SAFETY: n is a fresh fd nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(n) })
}

/// Makes the child die with us and see `fd` as `target` (the gofer
/// connection), with every other inherited fd beyond stdio closed.
pub fn child_setup(cmd: &mut Command, fd: RawFd, target: RawFd) {
    // SAFETY: the hook runs between fork and exec and only makes
    // async-signal-safe calls (prctl, dup2, fcntl, close_range) on integers.
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            // The front end ignores terminal signals; its children must not.
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            if fd != target {
                if libc::dup2(fd, target) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            } else {
                libc::fcntl(fd, libc::F_SETFD, 0);
            }
            libc::syscall(
                libc::SYS_close_range,
                (target + 1).max(3) as u32,
                u32::MAX,
                0u32,
            );
            Ok(())
        });
    }
}

/// F_GETFL of one of our fds.
pub fn getfl(fd: RawFd) -> u32 {
    // SAFETY: fcntl(F_GETFL) only reads the fd's status flags.
    let r = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if r < 0 { 2 } else { r as u32 }
}

/// Our real uid (true) or gid (false): the sandbox runs as its caller.
pub fn host_id(uid: bool) -> u32 {
    // SAFETY: getuid/getgid have no preconditions.
    unsafe { if uid { libc::getuid() } else { libc::getgid() } }
}

/// Runs the child in new namespaces of the given kinds where the caller
/// may create them (root); without the privilege the child runs in ours.
pub fn new_namespaces(cmd: &mut Command, flags: libc::c_int) {
    // SAFETY: unshare in the pre-exec hook is a single async-signal-safe
    // syscall on an integer.
    unsafe {
        cmd.pre_exec(move || {
            libc::unshare(flags);
            Ok(())
        });
    }
}

/// Makes our next child the first process of a new PID namespace.
pub fn unshare_pid_namespace() {
    // SAFETY: unshare with an integer flag; affects only future children.
    if unsafe { libc::unshare(libc::CLONE_NEWPID) } < 0 {
        log::warn!(
            "no PID namespace for the sentry: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// The front end ignores the terminal's SIGINT and SIGQUIT: they reach the
/// sandboxed program (same process group), whose fate the front end then
/// reports.
pub fn ignore_terminal_signals() {
    // SAFETY: setting a signal disposition to SIG_IGN has no preconditions.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGQUIT, libc::SIG_IGN);
    }
}

/// Raises our soft RLIMIT_NOFILE to the hard limit: the sentry keeps a host
/// fd per file the program reads (donated by the gofer).
pub fn raise_nofile_limit() {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid out/in pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) == 0 && r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
    }
}
