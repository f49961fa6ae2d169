//! Signal syscalls: dispositions (`rt_sigaction(2)`), masks
//! (`rt_sigprocmask(2)`), `sigaltstack(2)`, sending (`kill(2)`,
//! `tgkill(2)`, `rt_sigqueueinfo(2)`, ...), waiting (`rt_sigsuspend(2)`,
//! `pause(2)`, `rt_sigtimedwait(2)`) and `signalfd(2)`. Delivery (signal
//! frames, `rt_sigreturn`) lives in `sentry::kernel::sigframe`.

use sentry::kernel::signal::{NSIG, SIGKILL, SIGSTOP, SigAction};
use sentry::kernel::{ExitStatus, SyscallArgs, Task};
use std::sync::Arc;

use sentry::kernel::TaskShared;
use sentry::kernel::sigframe::{SI_TKILL, SI_USER, SigInfo};
use sentry::{Errno, KResult};

const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

fn sig_arg(v: u64) -> KResult<i32> {
    let s = v as i32;
    if s < 1 || s as usize > NSIG {
        return Err(Errno::EINVAL);
    }
    Ok(s)
}

/// rt_sigaction(2).
pub fn sys_rt_sigaction(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [sig, act, oact, size, ..] = a.a;
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let sig = sig_arg(sig)?;
    let new = if act != 0 {
        if sig == SIGKILL || sig == SIGSTOP {
            return Err(Errno::EINVAL);
        }
        let b = t.read_bytes::<32>(act)?;
        let w = |i: usize| u64::from_ne_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        Some(SigAction {
            handler: w(0),
            flags: w(1),
            restorer: w(2),
            mask: w(3) & !UNBLOCKABLE,
        })
    } else {
        None
    };
    let old = t.shared.sighand().get(sig);
    if oact != 0 {
        let mut b = [0u8; 32];
        for (i, v) in [old.handler, old.flags, old.restorer, old.mask]
            .iter()
            .enumerate()
        {
            b[i * 8..i * 8 + 8].copy_from_slice(&v.to_ne_bytes());
        }
        t.copy_out(oact, &b)?;
    }
    if let Some(n) = new {
        t.shared.sighand().set(sig, n);
        // Setting a disposition that ignores the signal discards it where
        // it is pending, in every thread (POSIX; Linux does the same).
        let ignores = n.handler == sentry::kernel::signal::SIG_IGN
            || n.handler == sentry::kernel::signal::SIG_DFL
                && matches!(
                    sentry::kernel::signal::default_action(sig),
                    sentry::kernel::signal::DefaultAction::Ignore
                );
        if ignores {
            let tgid = t.tgid();
            for x in t.kernel.tasks().into_iter().filter(|x| x.tgid == tgid) {
                x.discard_pending(sig);
            }
        }
    }
    Ok(0)
}

/// rt_sigprocmask(2).
pub fn sys_rt_sigprocmask(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [how, set, oset, size, ..] = a.a;
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let new = if set != 0 {
        let v = t.read_u64(set)?;
        Some(v)
    } else {
        None
    };
    let old = t.shared.signals().mask;
    if let Some(v) = new {
        let m = match how {
            0 => old | v,
            1 => old & !v,
            2 => v,
            _ => return Err(Errno::EINVAL),
        };
        t.shared.signals().mask = m & !UNBLOCKABLE;
    }
    if oset != 0 {
        t.copy_out(oset, &old.to_ne_bytes())?;
    }
    Ok(0)
}

/// sigaltstack(2).
pub fn sys_sigaltstack(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [ss, oss, ..] = a.a;
    let new = if ss != 0 {
        let b = t.read_bytes::<24>(ss)?;
        let sp = u64::from_ne_bytes(b[0..8].try_into().unwrap_or([0; 8]));
        let flags = u32::from_ne_bytes(b[8..12].try_into().unwrap_or([0; 4]));
        let size = u64::from_ne_bytes(b[16..24].try_into().unwrap_or([0; 8]));
        Some((sp, flags, size))
    } else {
        None
    };
    let rsp = t.regs.rsp;
    let (old, old_flags) = {
        let s = t.shared.signals();
        (s.altstack, s.altstack_flags(rsp))
    };
    if let Some((sp, flags, size)) = new {
        t.shared.signals().set_altstack(sp, flags, size, rsp)?;
    }
    if oss != 0 {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&old.0.to_ne_bytes());
        b[8..12].copy_from_slice(&old_flags.to_ne_bytes());
        b[16..24].copy_from_slice(&old.2.to_ne_bytes());
        // As on Linux, a new stack stays set when this copy faults.
        t.copy_out(oss, &b)?;
    }
    Ok(0)
}

/// The sender's identity for a kill-family siginfo.
fn info(t: &Task, sig: i32, code: i32) -> SigInfo {
    SigInfo::user(sig, code, t.tgid(), t.shared.creds().uid)
}

/// kill(2).
pub fn sys_kill(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let pid = a.a[0] as i32;
    let sig = a.a[1] as i32;
    if !(0..=NSIG as i32).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let me = t.tgid();
    let targets: Vec<Arc<TaskShared>> = match pid {
        p if p > 0 => match t.kernel.task(p) {
            Some(x) if x.tid == x.tgid => vec![x],
            _ => return Err(Errno::ESRCH),
        },
        0 | -1 => {
            let pg = t.shared.pgid();
            t.kernel
                .tasks()
                .into_iter()
                .filter(|x| {
                    if pid == 0 {
                        x.pgid() == pg
                    } else {
                        x.tgid != 1 || me == 1
                    }
                })
                .collect()
        }
        p => {
            let pg = p.checked_neg().ok_or(Errno::ESRCH)?;
            t.kernel
                .tasks()
                .into_iter()
                .filter(|x| x.pgid() == pg)
                .collect()
        }
    };
    if targets.is_empty() {
        return Err(Errno::ESRCH);
    }
    if sig != 0 {
        for x in &targets {
            x.send_process(info(t, sig, SI_USER));
        }
    }
    Ok(0)
}

fn thread_kill(t: &Task, tgid: Option<i32>, tid: i32, sig: i32) -> KResult<u64> {
    if tid <= 0 || tgid.is_some_and(|g| g <= 0) || !(0..=NSIG as i32).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let target = t.kernel.task(tid).ok_or(Errno::ESRCH)?;
    if tgid.is_some_and(|g| g != target.tgid) {
        return Err(Errno::ESRCH);
    }
    if sig != 0 {
        target.send(info(t, sig, SI_TKILL));
    }
    Ok(0)
}

/// tgkill(2).
pub fn sys_tgkill(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    thread_kill(t, Some(a.a[0] as i32), a.a[1] as i32, a.a[2] as i32)
}

/// tkill(2).
pub fn sys_tkill(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    thread_kill(t, None, a.a[0] as i32, a.a[1] as i32)
}

/// rt_sigpending(2).
pub fn sys_rt_sigpending(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[1] > 8 {
        return Err(Errno::EINVAL);
    }
    let set = t.shared.pending_set() & t.shared.signals().mask;
    let b = set.to_ne_bytes();
    t.copy_out(a.a[0], &b[..a.a[1] as usize])?;
    Ok(0)
}

/// rt_sigreturn(2): the registers come back from the signal frame.
pub fn sys_rt_sigreturn(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    if let Err(e) = t.sigreturn() {
        log::info!("task {}: bad signal frame ({e}): SIGSEGV", t.tid());
        t.exit = Some(ExitStatus::Signaled {
            signo: 11,
            core: true,
        });
        return Ok(0);
    }
    Ok(t.regs.rax)
}

/// Sleeps until a signal can be delivered; always EINTR.
fn wait_for_signal() -> KResult<u64> {
    use sentry::kernel::{current, waiter};
    loop {
        // Read before looking: a signal sent in between moves it, so the
        // wait returns at once instead of at the end of the slice.
        let seen = waiter::generation();
        if current::interrupted() {
            return Err(Errno::EINTR);
        }
        waiter::wait_slice(seen, None);
    }
}

/// rt_sigsuspend(2).
pub fn sys_rt_sigsuspend(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[1] != 8 {
        return Err(Errno::EINVAL);
    }
    let new = t.read_u64(a.a[0])?;
    {
        let mut s = t.shared.signals();
        t.saved_mask = Some(s.mask);
        s.mask = new & !UNBLOCKABLE;
    }
    wait_for_signal()
}

/// pause(2).
pub fn sys_pause(_t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    wait_for_signal()
}

/// rt_sigtimedwait(2): takes a signal of `set` once one is pending.
pub fn sys_rt_sigtimedwait(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [set_addr, info, timeout, size, ..] = a.a;
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let set = t.read_u64(set_addr)? & !UNBLOCKABLE;
    let deadline = if timeout == 0 {
        None
    } else {
        let (s, n) = crate::abi::decode_timespec(t.read_bytes::<16>(timeout)?);
        if s < 0 || !(0..1_000_000_000).contains(&n) {
            return Err(Errno::EINVAL);
        }
        Some(std::time::Instant::now() + std::time::Duration::new(s as u64, n as u32))
    };
    loop {
        // Sending a signal moves the waiter's generation: read it before
        // looking so a signal sent in between is not slept through.
        let seen = sentry::kernel::waiter::generation();
        if let Some(si) = t.shared.take_from(set) {
            if info != 0 {
                t.copy_out(info, &si.to_bytes())?;
            }
            return Ok(si.signo as u64);
        }
        if sentry::kernel::current::interrupted() {
            return Err(Errno::EINTR);
        }
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return Err(Errno::EAGAIN);
        }
        sentry::kernel::waiter::wait_slice(seen, deadline);
    }
}

fn queue_info(
    t: &Task,
    target: &Arc<TaskShared>,
    sig: i32,
    info_addr: u64,
    to_process: bool,
) -> KResult<u64> {
    if !(0..=NSIG as i32).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let b = t.read_bytes::<32>(info_addr)?;
    let code = i32::from_ne_bytes(b[8..12].try_into().unwrap_or([0; 4]));
    let is_self = target.tgid == t.tgid();
    if (code >= 0 || code == SI_TKILL) && !is_self {
        return Err(Errno::EPERM);
    }
    if sig != 0 {
        target.send_queued(
            SigInfo {
                signo: sig,
                code,
                pid: i32::from_ne_bytes(b[16..20].try_into().unwrap_or([0; 4])),
                uid: u32::from_ne_bytes(b[20..24].try_into().unwrap_or([0; 4])),
                status: 0,
                addr: 0,
                value: u64::from_ne_bytes(b[24..32].try_into().unwrap_or([0; 8])),
            },
            to_process,
        )?;
    }
    Ok(0)
}

/// rt_sigqueueinfo(2).
pub fn sys_rt_sigqueueinfo(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let target = t
        .kernel
        .task(a.a[0] as i32)
        .filter(|x| x.tid == x.tgid)
        .ok_or(Errno::ESRCH)?;
    queue_info(t, &target, a.a[1] as i32, a.a[2], true)
}

/// rt_tgsigqueueinfo(2).
pub fn sys_rt_tgsigqueueinfo(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let target = t
        .kernel
        .task(a.a[1] as i32)
        .filter(|x| x.tgid == a.a[0] as i32)
        .ok_or(Errno::ESRCH)?;
    queue_info(t, &target, a.a[2] as i32, a.a[3], false)
}

fn do_signalfd(t: &mut Task, fd: u64, mask_addr: u64, size: u64, flags: u32) -> KResult<u64> {
    use sentry::fsimpl::signalfd::{SignalFd, SignalFdFile};
    use sentry::vfs::oflags::{O_CLOEXEC, O_NONBLOCK, O_RDWR};
    if size != 8 || flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let mask = t.read_u64(mask_addr)?;
    if fd as i32 != -1 {
        let inode: Arc<dyn std::any::Any + Send + Sync> = t.file(fd as i32)?.inode.clone();
        let sfd: Arc<SignalFd> = inode.downcast().map_err(|_| Errno::EINVAL)?;
        sfd.set_mask(mask);
        return Ok(fd & 0xffff_ffff);
    }
    let sfd = SignalFd::new(mask, &t.shared);
    let inode: sentry::vfs::InodeRef = sfd.clone();
    let file = sentry::vfs::OpenFile::new(
        None,
        inode,
        O_RDWR | (flags & O_NONBLOCK),
        Box::new(SignalFdFile(sfd)),
    );
    let limit = t.shared.limits().nofile();
    Ok(t.fds().alloc(file, 0, flags & O_CLOEXEC != 0, limit)? as u64)
}

/// signalfd(2).
pub fn sys_signalfd(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_signalfd(t, a.a[0], a.a[1], a.a[2], 0)
}

/// signalfd4(2).
pub fn sys_signalfd4(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_signalfd(t, a.a[0], a.a[1], a.a[2], a.a[3] as u32)
}
