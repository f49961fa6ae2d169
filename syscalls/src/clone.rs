//! Process creation and reaping: `clone(2)`, `clone3(2)`, `fork(2)`,
//! `vfork(2)`, `wait4(2)`, `waitid(2)`, `getrusage(2)`. Semantics in
//! `sentry::kernel::fork` and `sentry::kernel::wait`.

use sentry::kernel::fork::{CLONE_VFORK, CLONE_VM, CloneArgs};
use sentry::kernel::wait::{
    WALL, WCLONE, WCONTINUED, WEXITED, WNOHANG, WNOTHREAD, WNOWAIT, WUNTRACED, WaitTarget,
};
use sentry::kernel::{ExitStatus, SyscallArgs, Task};
use sentry::{Errno, KResult};

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
    Ok(t.fork(&args)? as u64)
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
    let (flags, _pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls) =
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
    Ok(t.fork(&args)? as u64)
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

fn write_rusage(t: &Task, addr: u64) -> KResult<()> {
    if addr != 0 {
        t.copy_out(addr, &[0u8; 144])?;
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
    match t.wait_child(target, options & WNOHANG)? {
        None => Ok(0),
        Some((child, st)) => {
            if status != 0 {
                t.copy_out(status, &st.wait_status().to_ne_bytes())?;
            }
            write_rusage(t, rusage)?;
            Ok(child as u64)
        }
    }
}

/// waitid(2): reports exits only (stops and continues come with job
/// control).
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
    let target = match idtype {
        P_ALL => WaitTarget::Any,
        P_PID if (id as i32) > 0 => WaitTarget::Pid(id as i32),
        P_PGID if id == 0 => WaitTarget::Pgid(t.shared.pgid()),
        P_PGID if (id as i32) > 0 => WaitTarget::Pgid(id as i32),
        _ => return Err(Errno::EINVAL),
    };
    if options & WEXITED == 0 {
        // Only stops or continues asked for: none are ever reported yet.
        if options & WNOHANG != 0 {
            return Ok(0);
        }
        return Err(Errno::ECHILD.why("job-control stops are not implemented yet"));
    }
    let got = t.wait_child(target, options & (WNOHANG | WNOWAIT))?;
    let mut info = [0u8; 128];
    if let Some((child, st)) = got {
        let (code, status) = match st {
            ExitStatus::Exited(c) => (1i32, c),
            ExitStatus::Signaled { signo, core } => (if core { 3 } else { 2 }, signo),
        };
        info[0..4].copy_from_slice(&(SIGCHLD as i32).to_ne_bytes());
        info[8..12].copy_from_slice(&code.to_ne_bytes());
        info[16..20].copy_from_slice(&child.to_ne_bytes());
        info[20..24].copy_from_slice(&t.shared.creds().uid.to_ne_bytes());
        info[24..28].copy_from_slice(&status.to_ne_bytes());
    }
    if infop != 0 {
        t.copy_out(infop, &info)?;
    }
    write_rusage(t, rusage)?;
    Ok(0)
}

/// getrusage(2): resource accounting is not kept yet, so every counter
/// reads zero.
pub fn sys_getrusage(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let who = a.a[0] as i32;
    if !(-1..=1).contains(&who) {
        return Err(Errno::EINVAL);
    }
    t.copy_out(a.a[1], &[0u8; 144])?;
    Ok(0)
}
