//! Time syscalls (`clock_gettime(2)`, `clock_getres(2)`,
//! `gettimeofday(2)`, `time(2)`, `nanosleep(2)`, `clock_nanosleep(2)`).
//! Wall clocks are the host's; CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID,
//! CLOCK_THREAD_CPUTIME_ID and the pid/tid-encoded clocks of
//! `clock_getcpuclockid(3)` and `pthread_getcpuclockid(3)`) count the
//! application's CPU time (`sentry::kernel::cputime`). Sleeps block the
//! task's own sentry thread; an interrupted relative sleep resumes through
//! `restart_syscall(2)`.
//! Not yet: sleeping on a CPU-time clock (a relative sleep on the process
//! clock sleeps wall time; other CPU clocks are refused).

use std::time::Duration;

use std::sync::Arc;

use sentry::kernel::cputime::CpuTimes;
use sentry::kernel::{SyscallArgs, Task, TaskShared};
use sentry::{Errno, KResult, sys};

use crate::abi::{decode_timespec, encode_timespec};

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;
const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
const CLOCK_BOOTTIME: i32 = 7;
const CLOCK_TAI: i32 = 11;

fn valid_clock(id: i32) -> KResult<i32> {
    match id {
        0..=11 if id != 10 => Ok(id),
        _ => Err(Errno::EINVAL),
    }
}

fn now(id: i32) -> KResult<(i64, i64)> {
    sys::clock_gettime(valid_clock(id)?)
}

/// What a CPU clock counts (Linux's CPUCLOCK_WHICH).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CpuWhich {
    /// User plus system time.
    Prof = 0,
    /// User time.
    Virt = 1,
    /// Runtime: user plus system time, to the nanosecond.
    Sched = 2,
}

/// Whose CPU time a clock reads.
pub(crate) enum CpuOwner {
    Thread(Arc<TaskShared>),
    Process(Arc<TaskShared>),
}

/// The owner and kind of CPU clock `id`; None when `id` is not a CPU
/// clock. Like Linux: a thread clock only of the caller's own thread group,
/// a process clock of a thread-group leader (or, for gettime, of the
/// caller's own tid); anything else is EINVAL.
pub(crate) fn cpu_clock(t: &Task, id: i32, gettime: bool) -> KResult<Option<(CpuOwner, CpuWhich)>> {
    const PERTHREAD: i32 = 4;
    match id {
        CLOCK_PROCESS_CPUTIME_ID => {
            return Ok(Some((CpuOwner::Process(t.shared.clone()), CpuWhich::Sched)));
        }
        CLOCK_THREAD_CPUTIME_ID => {
            return Ok(Some((CpuOwner::Thread(t.shared.clone()), CpuWhich::Sched)));
        }
        id if id >= 0 => return Ok(None),
        _ => {}
    }
    let which = match id & 3 {
        0 => CpuWhich::Prof,
        1 => CpuWhich::Virt,
        2 => CpuWhich::Sched,
        _ => return Err(Errno::EINVAL),
    };
    let pid = !(id >> 3);
    let task = if pid == 0 {
        t.shared.clone()
    } else {
        t.kernel.task(pid).ok_or(Errno::EINVAL)?
    };
    let owner = if id & PERTHREAD != 0 {
        if task.tgid != t.tgid() {
            return Err(Errno::EINVAL);
        }
        CpuOwner::Thread(task)
    } else if task.tid == task.tgid || (gettime && task.tid == t.tid()) {
        CpuOwner::Process(task)
    } else {
        return Err(Errno::EINVAL);
    };
    Ok(Some((owner, which)))
}

/// The time CPU clock `id` reads, in ns (None: not a CPU clock).
fn cpu_clock_ns(t: &Task, id: i32) -> KResult<Option<u64>> {
    let Some((owner, which)) = cpu_clock(t, id, true)? else {
        return Ok(None);
    };
    let times: CpuTimes = match owner {
        CpuOwner::Thread(task) => task.cpu.times(),
        CpuOwner::Process(task) => task.group_cpu.times(),
    };
    Ok(Some(match which {
        CpuWhich::Virt => times.user,
        CpuWhich::Prof | CpuWhich::Sched => times.total(),
    }))
}

/// What clock `id` reads now: a CPU clock's application time, or the
/// host's wall clock.
fn clock_now(t: &Task, id: i32) -> KResult<(i64, i64)> {
    match cpu_clock_ns(t, id)? {
        Some(ns) => Ok(((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as i64)),
        None => now(id),
    }
}

/// clock_gettime(2).
pub fn sys_clock_gettime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (s, n) = clock_now(t, a.a[0] as i32)?;
    t.copy_out(a.a[1], &encode_timespec(s, n))?;
    Ok(0)
}

/// clock_getres(2).
pub fn sys_clock_getres(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = a.a[0] as i32;
    let (s, n) = match cpu_clock(t, id, false)? {
        // Runtime clocks count nanoseconds; the others the host's ticks,
        // which its own process clock of the same kind reports.
        Some((_, CpuWhich::Sched)) => (0, 1),
        Some((_, which)) => sys::clock_getres((!0 << 3) | which as i32)?,
        None => sys::clock_getres(valid_clock(id)?)?,
    };
    if a.a[1] != 0 {
        t.copy_out(a.a[1], &encode_timespec(s, n))?;
    }
    Ok(0)
}

/// gettimeofday(2).
pub fn sys_gettimeofday(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (s, n) = now(CLOCK_REALTIME)?;
    if a.a[0] != 0 {
        t.copy_out(a.a[0], &encode_timespec(s, n / 1000))?;
    }
    if a.a[1] != 0 {
        t.copy_out(a.a[1], &[0u8; 8])?;
    }
    Ok(0)
}

/// time(2).
pub fn sys_time(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (s, _) = now(CLOCK_REALTIME)?;
    if a.a[0] != 0 {
        t.copy_out(a.a[0], &s.to_ne_bytes())?;
    }
    Ok(s as u64)
}

fn read_timespec(t: &Task, addr: u64) -> KResult<(i64, i64)> {
    let (s, n) = decode_timespec(t.read_bytes::<16>(addr)?);
    if s < 0 || !(0..1_000_000_000).contains(&n) {
        return Err(Errno::EINVAL);
    }
    Ok((s, n))
}

/// nanosleep(2).
pub fn sys_nanosleep(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (s, n) = read_timespec(t, a.a[0])?;
    sleep_relative(t, s, n, a.a[1])
}

/// A relative sleep of `s`.`n` seconds. Interrupted, it writes the time
/// left to `rem` (when not 0) and leaves a restart block, so a restart
/// after a signal no handler ran for sleeps only what was left.
fn sleep_relative(t: &mut Task, s: i64, n: i64, rem: u64) -> KResult<u64> {
    let deadline = sentry::kernel::timers::deadline_after(
        std::time::Instant::now(),
        Duration::new(s as u64, n as u32),
    );
    sleep_until(t, deadline, rem)
}

fn sleep_until(t: &mut Task, deadline: std::time::Instant, rem: u64) -> KResult<u64> {
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    if sentry::kernel::current::sleep(left) {
        return Ok(0);
    }
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    if rem != 0 {
        t.copy_out(
            rem,
            &encode_timespec(left.as_secs() as i64, i64::from(left.subsec_nanos())),
        )?;
    }
    t.restart_sleep = Some((deadline, rem));
    Err(Errno::EINTR)
}

/// restart_syscall(2): resumes a sleep a signal interrupted (the sentry
/// points an interrupted nanosleep here when no handler ran).
pub fn sys_restart_syscall(t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    match t.restart_sleep.take() {
        Some((deadline, rem)) => sleep_until(t, deadline, rem),
        None => Err(Errno::EINTR),
    }
}

/// clock_nanosleep(2).
pub fn sys_clock_nanosleep(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const TIMER_ABSTIME: u64 = 1;
    let id = a.a[0] as i32;
    match id {
        CLOCK_REALTIME
        | CLOCK_MONOTONIC
        | CLOCK_BOOTTIME
        | CLOCK_TAI
        | CLOCK_PROCESS_CPUTIME_ID => {}
        CLOCK_THREAD_CPUTIME_ID => return Err(Errno::EINVAL),
        _ => return Err(Errno::EINVAL),
    }
    let (s, n) = read_timespec(t, a.a[2])?;
    if a.a[1] & TIMER_ABSTIME != 0 {
        let (cs, cn) = clock_now(t, id)?;
        let target = i128::from(s) * 1_000_000_000 + i128::from(n);
        let cur = i128::from(cs) * 1_000_000_000 + i128::from(cn);
        if target > cur {
            let d = (target - cur) as u128;
            if !sentry::kernel::current::sleep(Duration::from_nanos(
                d.min(u128::from(u64::MAX)) as u64
            )) {
                return Err(Errno::EINTR);
            }
        }
    } else {
        return sleep_relative(t, s, n, a.a[3]);
    }
    Ok(0)
}

/// clock_settime(2): the sandbox may not set the host's clocks.
pub fn sys_clock_settime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = a.a[0] as i32;
    let (_, n) = decode_timespec(t.read_bytes::<16>(a.a[1])?);
    if !(0..1_000_000_000).contains(&n) {
        return Err(Errno::EINVAL);
    }
    match id {
        CLOCK_REALTIME => Err(Errno::EPERM.why("the sandbox cannot set the host clock")),
        _ => {
            valid_clock(id)?;
            Err(Errno::EINVAL)
        }
    }
}
