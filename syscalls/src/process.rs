//! Process identity, limits and lifetime: `getpid(2)` and friends,
//! `uname(2)`, `prlimit64(2)`, `sysinfo(2)`, `sched_getaffinity(2)`,
//! `arch_prctl(2)`, `set_tid_address(2)`, `set_robust_list(2)`,
//! `getrandom(2)`, `prctl(2)` (names, dumpable, no_new_privs),
//! `exit(2)`/`exit_group(2)`, and `futex(2)` for a single thread.

use std::time::Duration;

use sentry::kernel::limits::{RLIM_NLIMITS, Rlimit};
use sentry::kernel::{EMULATED_RELEASE, EMULATED_VERSION, ExitStatus, SyscallArgs, Task};
use sentry::platform::APP_TOP;
use sentry::{Errno, KResult, sys};

use crate::abi::decode_timespec;

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
    Ok(t.shared.ppid as u64)
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

fn self_or_esrch(t: &Task, pid: u64) -> KResult<()> {
    let pid = pid as i32;
    if pid == 0 || pid == t.tgid() {
        Ok(())
    } else if pid < 0 {
        Err(Errno::EINVAL)
    } else {
        Err(Errno::ESRCH)
    }
}

/// getpgid(2).
pub fn sys_getpgid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    self_or_esrch(t, a.a[0])?;
    Ok(t.shared.pgid() as u64)
}

/// getsid(2).
pub fn sys_getsid(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    self_or_esrch(t, a.a[0])?;
    Ok(t.shared.sid() as u64)
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
    let n = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(64);
    let mask: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    t.copy_out(a.a[2], &mask.to_ne_bytes())?;
    Ok(8)
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

/// set_robust_list(2).
pub fn sys_set_robust_list(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[1] != 24 {
        return Err(Errno::EINVAL);
    }
    t.robust_list = (a.a[0], a.a[1]);
    Ok(0)
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

/// exit(2): with one thread per process so far, the process ends.
pub fn sys_exit(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.exit = Some(ExitStatus::Exited(a.a[0] as i32 & 0xff));
    Ok(0)
}

/// exit_group(2).
pub fn sys_exit_group(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.exit = Some(ExitStatus::Exited(a.a[0] as i32 & 0xff));
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
        PR_GET_DUMPABLE => Ok(1),
        PR_SET_DUMPABLE if arg2 <= 1 => Ok(0),
        PR_SET_PDEATHSIG if arg2 <= 64 => Ok(0),
        PR_GET_PDEATHSIG => {
            t.copy_out(arg2, &0i32.to_ne_bytes())?;
            Ok(0)
        }
        PR_CAPBSET_READ if arg2 <= 40 => Ok(1),
        PR_SET_NO_NEW_PRIVS if arg2 == 1 => Ok(0),
        PR_GET_NO_NEW_PRIVS => Ok(1),
        _ => Err(Errno::EINVAL),
    }
}

/// futex(2) for one thread: WAKE finds no waiter; WAIT fails with EAGAIN
/// when the word changed, else sleeps until its timeout (nothing else can
/// wake a lone thread). Requeue and PI operations come with threads.
pub fn sys_futex(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const FUTEX_WAIT: u64 = 0;
    const FUTEX_WAKE: u64 = 1;
    const FUTEX_WAIT_BITSET: u64 = 9;
    const FUTEX_WAKE_BITSET: u64 = 10;
    let [uaddr, op, val, timeout, ..] = a.a;
    if uaddr % 4 != 0 {
        return Err(Errno::EINVAL);
    }
    match op & 127 {
        FUTEX_WAKE | FUTEX_WAKE_BITSET => Ok(0),
        cmd @ (FUTEX_WAIT | FUTEX_WAIT_BITSET) => {
            let cur = u32::from_ne_bytes(t.read_bytes::<4>(uaddr)?);
            if cur != val as u32 {
                return Err(Errno::EAGAIN);
            }
            if timeout == 0 {
                return Err(Errno::EDEADLK.why("a lone thread waits on a futex nobody can wake"));
            }
            let (s, n) = decode_timespec(t.read_bytes::<16>(timeout)?);
            if s < 0 || !(0..1_000_000_000).contains(&n) {
                return Err(Errno::EINVAL);
            }
            let d = if cmd == FUTEX_WAIT_BITSET {
                let clock = if op & 256 != 0 { 0 } else { 1 };
                let (cs, cn) = sys::clock_gettime(clock)?;
                let target = i128::from(s) * 1_000_000_000 + i128::from(n);
                let now = i128::from(cs) * 1_000_000_000 + i128::from(cn);
                Duration::from_nanos((target - now).max(0) as u64)
            } else {
                Duration::new(s as u64, n as u32)
            };
            std::thread::sleep(d);
            Err(Errno::ETIMEDOUT)
        }
        _ => Err(Errno::ENOSYS.why("futex operation needs threads (not yet)")),
    }
}
