//! Process identity, limits and lifetime: `getpid(2)` and friends,
//! `uname(2)`, `prlimit64(2)`, `sysinfo(2)`, `sched_getaffinity(2)`,
//! `arch_prctl(2)`, `set_tid_address(2)`, `getrandom(2)`, `prctl(2)`
//! (names, dumpable, no_new_privs), and `exit(2)`/`exit_group(2)`.

use std::sync::atomic::Ordering;

use sentry::kernel::limits::{RLIM_NLIMITS, Rlimit};
use sentry::kernel::{EMULATED_RELEASE, EMULATED_VERSION, ExitStatus, SyscallArgs, Task};
use sentry::platform::APP_TOP;
use sentry::{Errno, KResult, sys};

/// getpid(2).
pub fn sys_getpid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(t.tgid() as u64)
}

/// gettid(2).
pub fn sys_gettid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(t.tid() as u64)
}

/// getppid(2): 0 for the sandbox's first process, as for init.
pub fn sys_getppid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(t.shared.ppid() as u64)
}

/// getuid(2).
pub fn sys_getuid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(t.shared.creds().uid))
}

/// geteuid(2).
pub fn sys_geteuid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(t.shared.creds().euid))
}

/// getgid(2).
pub fn sys_getgid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(t.shared.creds().gid))
}

/// getegid(2).
pub fn sys_getegid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(t.shared.creds().egid))
}

/// getresuid(2).
pub fn sys_getresuid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let c = t.shared.creds().clone();
    for (addr, v) in [(a.a[0], c.uid), (a.a[1], c.euid), (a.a[2], c.suid)] {
        t.copy_out(addr, &v.to_ne_bytes())?;
    }
    Ok(0)
}

/// getresgid(2).
pub fn sys_getresgid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let c = t.shared.creds().clone();
    for (addr, v) in [(a.a[0], c.gid), (a.a[1], c.egid), (a.a[2], c.sgid)] {
        t.copy_out(addr, &v.to_ne_bytes())?;
    }
    Ok(0)
}

/// getgroups(2).
pub fn sys_getgroups(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let groups = t.shared.creds().groups.clone();
    let size = a.a[0] as i32;
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    if size == 0 {
        return Ok(groups.len() as u64);
    }
    if (size as usize) < groups.len() {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = groups.iter().flat_map(|g| g.to_ne_bytes()).collect();
    t.copy_out(a.a[1], &bytes)?;
    Ok(groups.len() as u64)
}

/// getpgrp(2).
pub fn sys_getpgrp(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(t.shared.pgid() as u64)
}

/// Accepts the caller (0), its process, or any of its threads.
fn self_or_esrch(t: &Task, pid: u64) -> KResult<()> {
    let pid = pid as i32;
    if pid == 0
        || pid == t.tgid()
        || pid == t.tid()
        || t.kernel.task(pid).is_some_and(|x| x.tgid == t.tgid())
    {
        Ok(())
    } else if pid < 0 {
        Err(Errno::EINVAL)
    } else {
        Err(Errno::ESRCH)
    }
}

/// The process `pid` names (0: the caller), or ESRCH.
fn process(t: &Task, pid: u64) -> KResult<std::sync::Arc<sentry::kernel::TaskShared>> {
    let pid = pid as i32;
    if pid == 0 || pid == t.tgid() {
        return Ok(t.shared.clone());
    }
    match t.kernel.task(pid) {
        Some(p) if p.tid == p.tgid => Ok(p),
        _ => Err(Errno::ESRCH),
    }
}

/// getpgid(2).
pub fn sys_getpgid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    Ok(process(t, a.a[0])?.pgid() as u64)
}

/// getsid(2).
pub fn sys_getsid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    Ok(process(t, a.a[0])?.sid() as u64)
}

/// setpgid(2): the caller or one of its children, into a group of the same
/// session (or a new group named after the process).
pub fn sys_setpgid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, pgid) = (a.a[0] as i32, a.a[1] as i32);
    if pgid < 0 {
        return Err(Errno::EINVAL);
    }
    let target = process(t, pid as u64)?;
    if target.tgid != t.tgid() && target.ppid() != t.tgid() {
        return Err(Errno::ESRCH);
    }
    if target.sid() != t.shared.sid() {
        return Err(Errno::EPERM);
    }
    if target.sid() == target.tgid {
        return Err(Errno::EPERM);
    }
    let pgid = if pgid == 0 { target.tgid } else { pgid };
    if pgid != target.tgid
        && !t
            .kernel
            .tasks()
            .iter()
            .any(|x| x.pgid() == pgid && x.sid() == t.shared.sid() && !x.is_zombie())
    {
        return Err(Errno::EPERM);
    }
    target.pgid.store(pgid, Ordering::Relaxed);
    Ok(0)
}

/// setsid(2): a new session and group led by the caller, unless it
/// already leads a group.
pub fn sys_setsid(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    let me = t.tgid();
    if t.kernel
        .tasks()
        .iter()
        .any(|x| x.pgid() == me && !x.is_zombie())
    {
        return Err(Errno::EPERM);
    }
    t.shared.pgid.store(me, Ordering::Relaxed);
    t.shared.sid.store(me, Ordering::Relaxed);
    Ok(me as u64)
}

fn utsname_field(s: &[u8]) -> [u8; 65] {
    let mut f = [0u8; 65];
    let n = s.len().min(64);
    f[..n].copy_from_slice(&s[..n]);
    f
}

/// uname(2).
pub fn sys_uname(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let host = t.kernel.hostname.lock().map_err(|_| Errno::EIO)?.clone();
    let domain = t.kernel.domainname.lock().map_err(|_| Errno::EIO)?.clone();
    let mut b = Vec::with_capacity(65 * 6);
    for f in [
        &b"Linux"[..],
        &host,
        EMULATED_RELEASE.as_bytes(),
        EMULATED_VERSION.as_bytes(),
        b"x86_64",
        &domain,
    ] {
        b.extend_from_slice(&utsname_field(f));
    }
    t.copy_out(a.a[0], &b)?;
    Ok(0)
}

/// sethostname(2).
pub fn sys_sethostname(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let len = a.a[1] as usize;
    if len > 64 {
        return Err(Errno::EINVAL);
    }
    let mut v = vec![0u8; len];
    t.copy_in(a.a[0], &mut v)?;
    *t.kernel.hostname.lock().map_err(|_| Errno::EIO)? = v;
    Ok(0)
}

fn rlimit_bytes(r: Rlimit) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&r.cur.to_ne_bytes());
    b[8..].copy_from_slice(&r.max.to_ne_bytes());
    b
}

fn do_prlimit(t: &Task, resource: u64, new: u64, old: u64) -> KResult<u64> {
    if resource as usize >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    let r = resource as usize;
    let newv = if new != 0 {
        let b = t.read_bytes::<16>(new)?;
        let cur = u64::from_ne_bytes(b[..8].try_into().unwrap_or([0; 8]));
        let max = u64::from_ne_bytes(b[8..].try_into().unwrap_or([0; 8]));
        if cur > max {
            return Err(Errno::EINVAL);
        }
        if r == 7 && max > 1 << 20 {
            return Err(Errno::EPERM);
        }
        Some(Rlimit { cur, max })
    } else {
        None
    };
    let mut lim = t.shared.limits();
    let cur = lim.0[r];
    if let Some(n) = newv {
        if n.max > cur.max && t.shared.creds().euid != 0 {
            return Err(Errno::EPERM);
        }
        lim.0[r] = n;
    }
    drop(lim);
    if old != 0 {
        t.copy_out(old, &rlimit_bytes(cur))?;
    }
    Ok(0)
}

/// prlimit64(2).
pub fn sys_prlimit64(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    self_or_esrch(t, a.a[0])?;
    do_prlimit(t, a.a[1], a.a[2], a.a[3])
}

/// getrlimit(2).
pub fn sys_getrlimit(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_prlimit(t, a.a[0], 0, a.a[1])
}

/// setrlimit(2).
pub fn sys_setrlimit(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_prlimit(t, a.a[0], a.a[1], 0)
}

/// sysinfo(2): the host's memory, the sandbox's uptime and processes.
pub fn sys_sysinfo(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let h = sys::host_sysinfo()?;
    let mut b = [0u8; 112];
    let up = t.kernel.uptime().as_secs() as i64;
    b[0..8].copy_from_slice(&up.to_ne_bytes());
    for (i, v) in h.loads.iter().enumerate() {
        b[8 + i * 8..16 + i * 8].copy_from_slice(&v.to_ne_bytes());
    }
    for (off, v) in [
        (32, h.totalram),
        (40, h.freeram),
        (48, h.sharedram),
        (56, h.bufferram),
        (64, h.totalswap),
        (72, h.freeswap),
    ] {
        b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
    }
    let procs = t.kernel.tasks().len() as u16;
    b[80..82].copy_from_slice(&procs.to_ne_bytes());
    b[104..108].copy_from_slice(&h.mem_unit.to_ne_bytes());
    t.copy_out(a.a[0], &b)?;
    Ok(0)
}

/// sched_getaffinity(2): every CPU the sandbox may use.
pub fn sys_sched_getaffinity(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    self_or_esrch(t, a.a[0])?;
    let len = a.a[1] as usize;
    if len < 8 || !len.is_multiple_of(8) {
        return Err(Errno::EINVAL);
    }
    let n = sentry::fsimpl::proc::host().ncpus;
    let mask: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    t.copy_out(a.a[2], &mask.to_ne_bytes())?;
    Ok(8)
}

/// sched_setaffinity(2): the mask must name at least one CPU the sandbox
/// has; the sentry keeps scheduling to the host.
pub fn sys_sched_setaffinity(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    self_or_esrch(t, a.a[0])?;
    let len = (a.a[1] as usize).min(128);
    let mut mask = vec![0u8; len];
    t.copy_in(a.a[2], &mut mask)?;
    let n = sentry::fsimpl::proc::host().ncpus;
    let ours: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut first = [0u8; 8];
    let k = len.min(8);
    first[..k].copy_from_slice(&mask[..k]);
    if u64::from_ne_bytes(first) & ours == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

/// sched_yield(2).
pub fn sys_sched_yield(_t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    std::thread::yield_now();
    Ok(0)
}

/// getcpu(2).
pub fn sys_getcpu(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    for addr in [a.a[0], a.a[1]] {
        if addr != 0 {
            t.copy_out(addr, &0u32.to_ne_bytes())?;
        }
    }
    Ok(0)
}

/// arch_prctl(2).
pub fn sys_arch_prctl(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const ARCH_SET_GS: u64 = 0x1001;
    const ARCH_SET_FS: u64 = 0x1002;
    const ARCH_GET_FS: u64 = 0x1003;
    const ARCH_GET_GS: u64 = 0x1004;
    const ARCH_GET_CPUID: u64 = 0x1011;
    const ARCH_SET_CPUID: u64 = 0x1012;
    let (code, addr) = (a.a[0], a.a[1]);
    match code {
        ARCH_SET_FS | ARCH_SET_GS => {
            if addr >= APP_TOP + 0x1000 {
                return Err(Errno::EPERM);
            }
            if code == ARCH_SET_FS {
                t.regs.fs_base = addr;
            } else {
                t.regs.gs_base = addr;
            }
            Ok(0)
        }
        ARCH_GET_FS => {
            t.copy_out(addr, &t.regs.fs_base.to_ne_bytes())?;
            Ok(0)
        }
        ARCH_GET_GS => {
            t.copy_out(addr, &t.regs.gs_base.to_ne_bytes())?;
            Ok(0)
        }
        ARCH_GET_CPUID => Ok(1),
        ARCH_SET_CPUID => Err(Errno::ENODEV),
        _ => Err(Errno::EINVAL),
    }
}

/// set_tid_address(2).
pub fn sys_set_tid_address(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.clear_child_tid = a.a[0];
    Ok(t.tid() as u64)
}

/// getrandom(2).
pub fn sys_getrandom(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const GRND_NONBLOCK: u64 = 1;
    const GRND_RANDOM: u64 = 2;
    const GRND_INSECURE: u64 = 4;
    let [buf, len, flags, ..] = a.a;
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_RANDOM | GRND_INSECURE) == GRND_RANDOM | GRND_INSECURE
    {
        return Err(Errno::EINVAL);
    }
    let len = (len as usize).min(33_554_431);
    let mut v = vec![0u8; len];
    let n = sys::getrandom(&mut v, 0)?;
    t.copy_out(buf, &v[..n])?;
    Ok(n as u64)
}

/// exit(2): ends the calling thread; the last thread's exit ends the
/// process.
pub fn sys_exit(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let status = ExitStatus::Exited(a.a[0] as i32 & 0xff);
    if t.other_threads().is_empty() {
        t.exit_group(status);
    } else {
        t.exit_thread_only = true;
        t.exit = Some(status);
    }
    Ok(0)
}

/// exit_group(2).
pub fn sys_exit_group(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.exit_group(ExitStatus::Exited(a.a[0] as i32 & 0xff));
    Ok(0)
}

/// prctl(2): the options a single process can use.
pub fn sys_prctl(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const PR_SET_PDEATHSIG: u64 = 1;
    const PR_GET_PDEATHSIG: u64 = 2;
    const PR_GET_DUMPABLE: u64 = 3;
    const PR_SET_DUMPABLE: u64 = 4;
    const PR_SET_NAME: u64 = 15;
    const PR_GET_NAME: u64 = 16;
    const PR_CAPBSET_READ: u64 = 23;
    const PR_SET_NO_NEW_PRIVS: u64 = 38;
    const PR_GET_KEEPCAPS: u64 = 7;
    const PR_SET_KEEPCAPS: u64 = 8;
    const PR_GET_SECCOMP: u64 = 21;
    const PR_SET_TIMERSLACK: u64 = 29;
    const PR_GET_TIMERSLACK: u64 = 30;
    const PR_SET_CHILD_SUBREAPER: u64 = 36;
    const PR_GET_CHILD_SUBREAPER: u64 = 37;
    const PR_GET_NO_NEW_PRIVS: u64 = 39;
    let [opt, arg2, ..] = a.a;
    match opt {
        PR_SET_NAME => {
            let mut b = [0u8; 16];
            let s = t.mm.read_cstring(arg2, 4095).or_else(|e| {
                // A name without NUL in the first 16 bytes is truncated.
                t.copy_in(arg2, &mut b).map(|_| b.to_vec()).map_err(|_| e)
            })?;
            let n = s.iter().position(|&c| c == 0).unwrap_or(s.len()).min(15);
            *t.shared.comm.lock().map_err(|_| Errno::EIO)? = s[..n].to_vec();
            Ok(0)
        }
        PR_GET_NAME => {
            let mut b = [0u8; 16];
            let c = t.shared.comm();
            b[..c.len().min(15)].copy_from_slice(&c[..c.len().min(15)]);
            t.copy_out(arg2, &b)?;
            Ok(0)
        }
        PR_GET_TIMERSLACK => Ok(t.shared.timer_slack.load(Ordering::Relaxed)),
        PR_SET_TIMERSLACK => {
            t.shared
                .timer_slack
                .store(if arg2 == 0 { 50_000 } else { arg2 }, Ordering::Relaxed);
            Ok(0)
        }
        PR_GET_SECCOMP => Ok(0),
        PR_GET_CHILD_SUBREAPER => {
            let v = t.shared.child_subreaper.load(Ordering::Relaxed) as i32;
            t.copy_out(arg2, &v.to_ne_bytes())?;
            Ok(0)
        }
        PR_SET_CHILD_SUBREAPER => {
            t.shared
                .child_subreaper
                .store(u32::from(arg2 != 0), Ordering::Relaxed);
            Ok(0)
        }
        PR_GET_KEEPCAPS => Ok(u64::from(t.shared.keepcaps.load(Ordering::Relaxed))),
        PR_SET_KEEPCAPS if arg2 <= 1 => {
            t.shared.keepcaps.store(arg2 as u32, Ordering::Relaxed);
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(u64::from(t.shared.dumpable.load(Ordering::Relaxed))),
        PR_SET_DUMPABLE if arg2 <= 1 => {
            t.shared.dumpable.store(arg2 as u32, Ordering::Relaxed);
            Ok(0)
        }
        PR_SET_PDEATHSIG if arg2 <= 64 => {
            t.shared.pdeathsig.store(arg2 as i32, Ordering::Relaxed);
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            let v = t.shared.pdeathsig.load(Ordering::Relaxed);
            t.copy_out(arg2, &v.to_ne_bytes())?;
            Ok(0)
        }
        PR_CAPBSET_READ if arg2 <= 40 => Ok(1),
        PR_SET_NO_NEW_PRIVS if arg2 == 1 && a.a[2] == 0 && a.a[3] == 0 && a.a[4] == 0 => {
            t.shared.no_new_privs.store(1, Ordering::Relaxed);
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => Ok(u64::from(t.shared.no_new_privs.load(Ordering::Relaxed))),
        _ => Err(Errno::EINVAL),
    }
}

/// times(2): the process's and its reaped children's user and system
/// times in clock ticks (100 Hz), and ticks since boot.
pub fn sys_times(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[0] != 0 {
        let (me, children) = (t.shared.group_cpu.times(), t.shared.group_cpu.children());
        let mut b = [0u8; 32];
        for (i, ns) in [me.user, me.sys, children.user, children.sys]
            .into_iter()
            .enumerate()
        {
            b[i * 8..i * 8 + 8].copy_from_slice(&(ns / 10_000_000).to_ne_bytes());
        }
        t.copy_out(a.a[0], &b)?;
    }
    let up = t.kernel.uptime();
    Ok(up.as_secs() * 100 + u64::from(up.subsec_millis() / 10))
}

fn id_arg(v: u64) -> Option<u32> {
    let id = v as u32;
    (id != u32::MAX).then_some(id)
}

/// Sets user ids with Linux's rules: root (euid 0) may set any; others
/// only ids they already hold.
fn set_ids(
    t: &Task,
    uid: bool,
    real: Option<u32>,
    eff: Option<u32>,
    saved: Option<u32>,
    all_if_root: bool,
) -> KResult<u64> {
    let mut c = t.shared.creds();
    let privileged = c.euid == 0;
    let (r, e, s) = if uid {
        (c.uid, c.euid, c.suid)
    } else {
        (c.gid, c.egid, c.sgid)
    };
    for v in [real, eff, saved].into_iter().flatten() {
        if !privileged && v != r && v != e && v != s {
            return Err(Errno::EPERM);
        }
    }
    let (mut nr, mut ne, mut ns) = (real.unwrap_or(r), eff.unwrap_or(e), saved.unwrap_or(s));
    if all_if_root
        && privileged
        && let Some(v) = eff
    {
        nr = v;
        ne = v;
        ns = v;
    }
    if uid {
        c.uid = nr;
        c.euid = ne;
        c.suid = ns;
        c.fsuid = ne;
    } else {
        c.gid = nr;
        c.egid = ne;
        c.sgid = ns;
        c.fsgid = ne;
    }
    Ok(0)
}

/// setuid(2).
pub fn sys_setuid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = id_arg(a.a[0]).ok_or(Errno::EINVAL)?;
    set_ids(t, true, None, Some(id), None, true)
}

/// setgid(2).
pub fn sys_setgid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = id_arg(a.a[0]).ok_or(Errno::EINVAL)?;
    set_ids(t, false, None, Some(id), None, true)
}

/// setreuid(2).
pub fn sys_setreuid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    set_ids(t, true, id_arg(a.a[0]), id_arg(a.a[1]), None, false)
}

/// setregid(2).
pub fn sys_setregid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    set_ids(t, false, id_arg(a.a[0]), id_arg(a.a[1]), None, false)
}

/// setresuid(2).
pub fn sys_setresuid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    set_ids(
        t,
        true,
        id_arg(a.a[0]),
        id_arg(a.a[1]),
        id_arg(a.a[2]),
        false,
    )
}

/// setresgid(2).
pub fn sys_setresgid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    set_ids(
        t,
        false,
        id_arg(a.a[0]),
        id_arg(a.a[1]),
        id_arg(a.a[2]),
        false,
    )
}

/// setgroups(2).
pub fn sys_setgroups(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let n = a.a[0] as i32;
    if !(0..=65536).contains(&n) {
        return Err(Errno::EINVAL);
    }
    if t.shared.creds().euid != 0 {
        return Err(Errno::EPERM);
    }
    let mut b = vec![0u8; n as usize * 4];
    t.copy_in(a.a[1], &mut b)?;
    let groups = b
        .chunks_exact(4)
        .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    t.shared.creds().groups = groups;
    Ok(0)
}

const SCHED_OTHER: u64 = 0;
const SCHED_FIFO: u64 = 1;
const SCHED_RR: u64 = 2;
const SCHED_BATCH: u64 = 3;
const SCHED_IDLE: u64 = 5;
const SCHED_DEADLINE: u64 = 6;

/// sched_getscheduler(2): every task runs SCHED_OTHER.
pub fn sys_sched_getscheduler(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    self_or_esrch(t, a.a[0])?;
    Ok(SCHED_OTHER)
}

/// sched_getparam(2).
pub fn sys_sched_getparam(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[1] == 0 {
        return Err(Errno::EINVAL);
    }
    self_or_esrch(t, a.a[0])?;
    t.copy_out(a.a[1], &0i32.to_ne_bytes())?;
    Ok(0)
}

/// sched_setscheduler(2) / sched_setparam(2): SCHED_OTHER with priority 0
/// is what every task has; real-time classes need privileges the sandbox
/// does not grant.
pub fn sys_sched_setscheduler(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (policy, param) = if a.nr == 142 {
        (SCHED_OTHER, a.a[1])
    } else {
        (a.a[1] & !0x4000_0000, a.a[2])
    };
    if param == 0 || (policy as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    self_or_esrch(t, a.a[0])?;
    let prio = i32::from_ne_bytes(t.read_bytes::<4>(param)?);
    match policy {
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE if prio == 0 => Ok(0),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE => Err(Errno::EINVAL),
        SCHED_FIFO | SCHED_RR if (1..=99).contains(&prio) => Err(Errno::EPERM),
        _ => Err(Errno::EINVAL),
    }
}

/// sched_get_priority_max(2).
pub fn sys_sched_get_priority_max(_t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    match a.a[0] {
        SCHED_FIFO | SCHED_RR => Ok(99),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

/// sched_get_priority_min(2).
pub fn sys_sched_get_priority_min(_t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    match a.a[0] {
        SCHED_FIFO | SCHED_RR => Ok(1),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

/// sched_rr_get_interval(2): the CFS default slice Linux reports (0 for
/// SCHED_OTHER tasks... reports the RR quantum of 100 ms).
pub fn sys_sched_rr_get_interval(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    self_or_esrch(t, a.a[0])?;
    t.copy_out(a.a[1], &crate::abi::encode_timespec(0, 0))?;
    Ok(0)
}

/// getpriority(2): returns 20 - nice, like the raw syscall.
pub fn sys_getpriority(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (which, who) = (a.a[0], a.a[1] as i32);
    if which > 2 {
        return Err(Errno::EINVAL);
    }
    if who != 0
        && who != t.tgid()
        && !(which == 1 && who == t.shared.pgid())
        && !(which == 2 && who as u32 == t.shared.creds().uid)
    {
        return Err(Errno::ESRCH);
    }
    Ok((20 - t.shared.nice.load(Ordering::Relaxed) as i32) as u64)
}

/// setpriority(2): lowering priority is always allowed; raising it needs
/// root.
pub fn sys_setpriority(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (which, who, nice) = (a.a[0], a.a[1] as i32, (a.a[2] as i32).clamp(-20, 19));
    if which > 2 {
        return Err(Errno::EINVAL);
    }
    if who != 0 && who != t.tgid() {
        return Err(Errno::ESRCH);
    }
    let cur = t.shared.nice.load(Ordering::Relaxed) as i32;
    if nice < cur && t.shared.creds().euid != 0 {
        return Err(Errno::EACCES);
    }
    t.shared.nice.store(nice as u32, Ordering::Relaxed);
    Ok(0)
}
