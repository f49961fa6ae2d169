//! Process creation and reaping: `clone(2)`, `clone3(2)`, `fork(2)`,
//! `vfork(2)`, `wait4(2)`, `waitid(2)`, `getrusage(2)`. Semantics in
//! `sentry::kernel::fork` and `sentry::kernel::wait`.

use std::sync::Arc;

use sentry::kernel::cputime::CpuTimes;
use sentry::kernel::fork::{
    CLONE_PARENT_SETTID, CLONE_PIDFD, CLONE_THREAD, CLONE_VFORK, CLONE_VM, CloneArgs,
};
use sentry::kernel::wait::{
    WALL, WCLONE, WCONTINUED, WEXITED, WNOHANG, WNOTHREAD, WNOWAIT, WUNTRACED, WaitTarget,
};
use sentry::kernel::{SyscallArgs, Task, TaskShared};
use sentry::vfs::oflags::O_CLOEXEC;
use sentry::{Errno, KResult};

use crate::abi::encode_rusage;

const SIGCHLD: u64 = 17;

/// clone(2): x86_64 argument order (flags, stack, parent_tid, child_tid, tls).
pub fn sys_clone(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let args = CloneArgs {
        flags: a.a[0] & !0xff,
        exit_signal: a.a[0] & 0xff,
        stack: a.a[1],
        parent_tid: a.a[2],
        child_tid: a.a[3],
        tls: a.a[4],
    };
    if args.flags & CLONE_PIDFD != 0 && args.flags & CLONE_PARENT_SETTID != 0 {
        // Both would write through the same pointer.
        return Err(Errno::EINVAL);
    }
    fork_maybe_pidfd(t, args, a.a[2])
}

/// Runs `fork` and, under `CLONE_PIDFD`, stores a close-on-exec pidfd for
/// the child at `pidfd_at` in the parent.
fn fork_maybe_pidfd(t: &mut Task, mut args: CloneArgs, pidfd_at: u64) -> KResult<u64> {
    if args.flags & CLONE_PIDFD == 0 {
        return Ok(t.fork(&args)? as u64);
    }
    // Fail with EFAULT before a child exists rather than after.
    t.copy_out(pidfd_at, &(-1i32).to_ne_bytes())?;
    args.flags &= !CLONE_PIDFD;
    let child = t.fork(&args)?;
    // The child is at least a zombie until this thread group reaps it.
    let task = t.kernel.task(child).ok_or(Errno::ESRCH)?;
    // Linux 6.9+: a thread's CLONE_PIDFD names that thread.
    let fd = install_pidfd(t, task, O_CLOEXEC, args.flags & CLONE_THREAD != 0)?;
    t.copy_out(pidfd_at, &fd.to_ne_bytes())?;
    Ok(child as u64)
}

/// A new pidfd for `task` in `t`'s descriptor table.
fn install_pidfd(t: &mut Task, task: Arc<TaskShared>, flags: u32, thread: bool) -> KResult<i32> {
    use sentry::fsimpl::pidfd::{PidFd, PidFdFile};
    use sentry::vfs::oflags::O_RDWR;
    let p = PidFd::new(task, thread);
    let inode: sentry::vfs::InodeRef = p.clone();
    let cloexec = flags & O_CLOEXEC != 0;
    let file = sentry::vfs::OpenFile::new(
        None,
        inode,
        O_RDWR | (flags & !O_CLOEXEC),
        Box::new(PidFdFile(p)),
    );
    let limit = t.shared.limits().nofile();
    t.fds().alloc(file, 0, cloexec, limit)
}

/// clone3(2).
pub fn sys_clone3(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (ptr, size) = (a.a[0], a.a[1]);
    if !(64..=4096).contains(&size) {
        return Err(Errno::EINVAL);
    }
    let mut b = vec![0u8; size as usize];
    t.copy_in(ptr, &mut b)?;
    let w = |i: usize| u64::from_ne_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    if b.len() > 88 && b[88..].iter().any(|&x| x != 0) {
        return Err(Errno::E2BIG);
    }
    let (flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls) =
        (w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7));
    if flags & 0xff != 0 || exit_signal > 64 || (stack == 0) != (stack_size == 0) {
        return Err(Errno::EINVAL);
    }
    if size >= 80 && w(9) != 0 {
        return Err(Errno::EINVAL.why("set_tid is not supported"));
    }
    let args = CloneArgs {
        flags,
        exit_signal,
        stack: if stack != 0 { stack + stack_size } else { 0 },
        parent_tid,
        child_tid,
        tls,
    };
    fork_maybe_pidfd(t, args, pidfd)
}

/// fork(2).
pub fn sys_fork(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    let args = CloneArgs {
        exit_signal: SIGCHLD,
        ..CloneArgs::default()
    };
    Ok(t.fork(&args)? as u64)
}

/// vfork(2).
pub fn sys_vfork(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    let args = CloneArgs {
        flags: CLONE_VM | CLONE_VFORK,
        exit_signal: SIGCHLD,
        ..CloneArgs::default()
    };
    Ok(t.fork(&args)? as u64)
}

fn write_rusage(t: &Task, addr: u64, times: CpuTimes) -> KResult<()> {
    if addr != 0 {
        t.copy_out(addr, &encode_rusage(times))?;
    }
    Ok(())
}

/// wait4(2).
pub fn sys_wait4(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [pid, status, options, rusage, ..] = a.a;
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | WNOTHREAD) != 0 {
        return Err(Errno::EINVAL);
    }
    let pid = pid as i32;
    let target = match pid {
        -1 => WaitTarget::Any,
        0 => WaitTarget::Pgid(t.shared.pgid()),
        p if p < -1 => WaitTarget::Pgid(p.checked_neg().ok_or(Errno::ESRCH)?),
        p => WaitTarget::Pid(p),
    };
    match t.wait_child(
        target,
        options & (WNOHANG | WUNTRACED | WCONTINUED) | WEXITED,
    )? {
        None => Ok(0),
        Some((child, st, times)) => {
            if status != 0 {
                t.copy_out(status, &st.wait_status().to_ne_bytes())?;
            }
            write_rusage(t, rusage, times)?;
            Ok(child as u64)
        }
    }
}

/// waitid(2).
pub fn sys_waitid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const P_ALL: u64 = 0;
    const P_PID: u64 = 1;
    const P_PGID: u64 = 2;
    let [idtype, id, infop, options, rusage, _] = a.a;
    if options & !(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WALL | WCLONE | WNOTHREAD)
        != 0
        || options & (WUNTRACED | WEXITED | WCONTINUED) == 0
    {
        return Err(Errno::EINVAL);
    }
    const P_PIDFD: u64 = 3;
    let target = match idtype {
        P_ALL => WaitTarget::Any,
        P_PIDFD => {
            let task = t.file(id as i32)?.imp.pidfd_task().ok_or(Errno::EBADF)?;
            WaitTarget::Pid(task.tid)
        }
        P_PID if (id as i32) > 0 => WaitTarget::Pid(id as i32),
        P_PGID if id == 0 => WaitTarget::Pgid(t.shared.pgid()),
        P_PGID if (id as i32) > 0 => WaitTarget::Pgid(id as i32),
        _ => return Err(Errno::EINVAL),
    };
    let got = t.wait_child(
        target,
        options & (WNOHANG | WNOWAIT | WEXITED | WUNTRACED | WCONTINUED),
    )?;
    let mut info = [0u8; 128];
    let mut times = CpuTimes::default();
    if let Some((child, ev, child_times)) = got {
        times = child_times;
        let (code, status) = ev.code_and_status();
        info[0..4].copy_from_slice(&(SIGCHLD as i32).to_ne_bytes());
        info[8..12].copy_from_slice(&code.to_ne_bytes());
        info[16..20].copy_from_slice(&child.to_ne_bytes());
        info[20..24].copy_from_slice(&t.shared.creds().uid.to_ne_bytes());
        info[24..28].copy_from_slice(&status.to_ne_bytes());
    }
    if infop != 0 {
        t.copy_out(infop, &info)?;
    }
    write_rusage(t, rusage, times)?;
    Ok(0)
}

/// getrusage(2): CPU times of the process (RUSAGE_SELF), of its reaped
/// children (RUSAGE_CHILDREN) or of the calling thread (RUSAGE_THREAD);
/// the other counters are not kept and read zero.
pub fn sys_getrusage(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const RUSAGE_SELF: i32 = 0;
    const RUSAGE_CHILDREN: i32 = -1;
    const RUSAGE_THREAD: i32 = 1;
    let times = match a.a[0] as i32 {
        RUSAGE_SELF => t.shared.group_cpu.times(),
        RUSAGE_CHILDREN => t.shared.group_cpu.children(),
        RUSAGE_THREAD => t.shared.cpu.times(),
        _ => return Err(Errno::EINVAL),
    };
    t.copy_out(a.a[1], &encode_rusage(times))?;
    Ok(0)
}

/// pidfd_open(2).
pub fn sys_pidfd_open(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    use sentry::vfs::oflags::O_NONBLOCK;
    let (pid, flags) = (a.a[0] as i32, a.a[1] as u32);
    if flags & !(O_NONBLOCK | PIDFD_THREAD) != 0 || pid <= 0 {
        return Err(Errno::EINVAL);
    }
    let task = t.kernel.task(pid).ok_or(Errno::ESRCH)?;
    let thread = flags & PIDFD_THREAD != 0;
    if !thread && task.tid != task.tgid {
        // Linux 6.9+: a thread's tid names no process.
        return Err(Errno::ENOENT);
    }
    // Linux makes every pidfd close-on-exec.
    Ok(install_pidfd(t, task, (flags & !PIDFD_THREAD) | O_CLOEXEC, thread)? as u64)
}

/// pidfd_open's PIDFD_THREAD (O_EXCL): the pidfd names one thread.
const PIDFD_THREAD: u32 = 0o200;

/// pidfd_send_signal(2): to the thread or process the pidfd names, or
/// the scope `flags` asks for, with the caller's `siginfo` if it gives
/// one (only to itself unless the code is negative and not SI_TKILL, as
/// rt_sigqueueinfo).
pub fn sys_pidfd_send_signal(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    use sentry::kernel::sigframe::{SI_TKILL, SI_USER, SigInfo};
    const PIDFD_SIGNAL_THREAD: u64 = 1;
    const PIDFD_SIGNAL_THREAD_GROUP: u64 = 2;
    const PIDFD_SIGNAL_PROCESS_GROUP: u64 = 4;
    let [fd, sig, info, flags, ..] = a.a;
    if flags & !(PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP) != 0
        || flags.count_ones() > 1
    {
        return Err(Errno::EINVAL);
    }
    let file = t.file(fd as i32)?;
    let task = file.imp.pidfd_task().ok_or(Errno::EBADF)?;
    let thread_fd = file.imp.pidfd_thread();
    let sig = sig as i32;
    if !(0..=64).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    let to_thread = match flags {
        PIDFD_SIGNAL_THREAD => true,
        PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP => false,
        _ => thread_fd,
    };
    let si = if info != 0 {
        let b = t.read_bytes::<48>(info)?;
        let w = |i: usize| i32::from_ne_bytes(b[i..i + 4].try_into().unwrap_or([0; 4]));
        if w(0) != sig {
            return Err(Errno::EINVAL);
        }
        let code = w(8);
        if task.tgid != t.tgid() && (code >= 0 || code == SI_TKILL) {
            return Err(Errno::EPERM);
        }
        SigInfo {
            signo: sig,
            code,
            pid: w(16),
            uid: w(20) as u32,
            status: 0,
            addr: 0,
            value: u64::from_ne_bytes(b[24..32].try_into().unwrap_or([0; 8])),
        }
    } else {
        // As kill(2) for a process, tgkill(2) for a thread.
        let code = if to_thread { SI_TKILL } else { SI_USER };
        SigInfo::user(sig, code, t.tgid(), t.shared.creds().uid)
    };
    // A zombie still takes (and ignores) signals; a reaped process, or a
    // thread that ended, is gone.
    let alive = t
        .kernel
        .task(task.tid)
        .is_some_and(|x| Arc::ptr_eq(&x, &task))
        && !(thread_fd && task.has_ended());
    if !alive {
        return Err(Errno::ESRCH);
    }
    if sig == 0 {
        return Ok(0);
    }
    if flags == PIDFD_SIGNAL_PROCESS_GROUP {
        let pg = task.pgid();
        for x in t
            .kernel
            .tasks()
            .into_iter()
            .filter(|x| x.pgid() == pg && x.tid == x.tgid)
        {
            x.send_process(si);
        }
        return Ok(0);
    }
    task.send_queued(si, !to_thread)?;
    Ok(0)
}
