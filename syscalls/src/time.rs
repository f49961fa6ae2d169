//! Time syscalls (`clock_gettime(2)`, `clock_getres(2)`,
//! `gettimeofday(2)`, `time(2)`, `nanosleep(2)`, `clock_nanosleep(2)`).
//! Clocks are the host's; sleeps block the task's own sentry thread.
//! An interrupted relative sleep resumes through `restart_syscall(2)`.

use std::time::Duration;

use sentry::kernel::{SyscallArgs, Task};
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
    // CPU-time clocks count the sentry's own process for now: the time
    // spent serving this program (an approximation until per-task
    // accounting exists).
    sys::clock_gettime(valid_clock(id)?)
}

/// clock_gettime(2).
pub fn sys_clock_gettime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (s, n) = now(a.a[0] as i32)?;
    t.copy_out(a.a[1], &encode_timespec(s, n))?;
    Ok(0)
}

/// clock_getres(2).
pub fn sys_clock_getres(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (s, n) = sys::clock_getres(valid_clock(a.a[0] as i32)?)?;
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
        let (cs, cn) = now(id)?;
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
