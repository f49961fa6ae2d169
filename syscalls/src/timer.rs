//! Timers: `alarm(2)`, `setitimer(2)`/`getitimer(2)` (ITIMER_REAL), and
//! POSIX timers (`timer_create(2)` and friends) on the realtime and
//! monotonic clocks. Semantics in `sentry::kernel::timers`.

use std::sync::Arc;
use std::time::Duration;

use sentry::kernel::timers::{SI_KERNEL, SI_TIMER, TimerSpec, timers};
use sentry::kernel::{SyscallArgs, Task};
use sentry::{Errno, KResult};

const SIGALRM: i32 = 14;

fn dur(sec: i64, nsec: i64) -> Duration {
    Duration::new(sec.max(0) as u64, nsec.clamp(0, 999_999_999) as u32)
}

/// The process's ITIMER_REAL timer, created on first use.
fn itimer_real(t: &Task) -> u64 {
    let mut slot = t
        .shared
        .itimer_real
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    *slot.get_or_insert_with(|| {
        timers().create(TimerSpec {
            target: Arc::downgrade(&t.shared),
            signo: SIGALRM,
            code: SI_KERNEL,
            timer_id: 0,
            value: 0,
        })
    })
}

/// alarm(2).
pub fn sys_alarm(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let secs = a.a[0] as u32;
    let id = itimer_real(t);
    let first = (secs != 0).then(|| Duration::from_secs(u64::from(secs)));
    let (left, _) = timers().set(id, first, Duration::ZERO).unwrap_or_default();
    // Remaining seconds, rounded to the nearest (Linux rounds up < 1 s to 1).
    let mut r = left.as_secs();
    if left.subsec_micros() >= 500_000 || (r == 0 && !left.is_zero()) {
        r += 1;
    }
    Ok(r)
}

fn read_itimerval(t: &Task, addr: u64) -> KResult<(Duration, Duration)> {
    let b = t.read_bytes::<32>(addr)?;
    let w = |i: usize| i64::from_ne_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    let (is, iu, vs, vu) = (w(0), w(1), w(2), w(3));
    if is < 0 || vs < 0 || !(0..1_000_000).contains(&iu) || !(0..1_000_000).contains(&vu) {
        return Err(Errno::EINVAL);
    }
    Ok((dur(vs, vu * 1000), dur(is, iu * 1000)))
}

fn write_itimerval(t: &Task, addr: u64, (value, interval): (Duration, Duration)) -> KResult<()> {
    let mut b = [0u8; 32];
    for (i, v) in [
        interval.as_secs() as i64,
        i64::from(interval.subsec_micros()),
        value.as_secs() as i64,
        i64::from(value.subsec_micros()),
    ]
    .iter()
    .enumerate()
    {
        b[i * 8..i * 8 + 8].copy_from_slice(&v.to_ne_bytes());
    }
    // A running timer never reads as zero.
    if !value.is_zero() && value.as_micros() == 0 {
        b[24..32].copy_from_slice(&1i64.to_ne_bytes());
    }
    t.copy_out(addr, &b)
}

fn check_which(which: u64) -> KResult<()> {
    match which {
        0 => Ok(()),
        1 | 2 => Err(Errno::EINVAL.why("CPU-time interval timers are not implemented yet")),
        _ => Err(Errno::EINVAL),
    }
}

/// setitimer(2).
pub fn sys_setitimer(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    check_which(a.a[0])?;
    let (value, interval) = if a.a[1] != 0 {
        read_itimerval(t, a.a[1])?
    } else {
        (Duration::ZERO, Duration::ZERO)
    };
    let id = itimer_real(t);
    let old = timers()
        .set(id, (!value.is_zero()).then_some(value), interval)
        .unwrap_or_default();
    if a.a[2] != 0 {
        write_itimerval(t, a.a[2], old)?;
    }
    Ok(0)
}

/// getitimer(2).
pub fn sys_getitimer(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    check_which(a.a[0])?;
    let id = itimer_real(t);
    let cur = timers().get(id).unwrap_or_default();
    write_itimerval(t, a.a[1], cur)?;
    Ok(0)
}

fn service_id(t: &Task, timerid: u64) -> KResult<u64> {
    t.shared
        .posix_timers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&(timerid as i32))
        .copied()
        .ok_or(Errno::EINVAL)
}

/// timer_create(2).
pub fn sys_timer_create(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const SIGEV_SIGNAL: i32 = 0;
    const SIGEV_NONE: i32 = 1;
    const SIGEV_THREAD_ID: i32 = 4;
    let [clock, sevp, idp, ..] = a.a;
    match clock {
        0 | 1 | 7 | 8 | 9 | 11 => {}
        2 | 3 => return Err(Errno::EINVAL.why("CPU-time timers are not implemented yet")),
        _ => return Err(Errno::EINVAL),
    }
    let next_id = {
        let timers = t
            .shared
            .posix_timers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        (0..).find(|i| !timers.contains_key(i)).unwrap_or(0)
    };
    let (signo, value) = if sevp == 0 {
        (SIGALRM, next_id as u64)
    } else {
        let b = t.read_bytes::<24>(sevp)?;
        let value = u64::from_ne_bytes(b[0..8].try_into().unwrap_or([0; 8]));
        let signo = i32::from_ne_bytes(b[8..12].try_into().unwrap_or([0; 4]));
        let notify = i32::from_ne_bytes(b[12..16].try_into().unwrap_or([0; 4]));
        let tid = i32::from_ne_bytes(b[16..20].try_into().unwrap_or([0; 4]));
        match notify {
            SIGEV_NONE => (0, value),
            SIGEV_SIGNAL if (1..=64).contains(&signo) => (signo, value),
            SIGEV_THREAD_ID if (1..=64).contains(&signo) => {
                if tid != t.tid() {
                    return Err(Errno::EINVAL);
                }
                (signo, value)
            }
            _ => return Err(Errno::EINVAL),
        }
    };
    t.copy_out(idp, &next_id.to_ne_bytes())?;
    let id = timers().create(TimerSpec {
        target: Arc::downgrade(&t.shared),
        signo,
        code: SI_TIMER,
        timer_id: next_id,
        value,
    });
    t.shared
        .posix_timers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(next_id, id);
    Ok(0)
}

fn read_itimerspec(t: &Task, addr: u64) -> KResult<(Duration, Duration, i64, i64)> {
    let b = t.read_bytes::<32>(addr)?;
    let w = |i: usize| i64::from_ne_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    let (is, ins, vs, vns) = (w(0), w(1), w(2), w(3));
    if is < 0 || vs < 0 || !(0..1_000_000_000).contains(&ins) || !(0..1_000_000_000).contains(&vns)
    {
        return Err(Errno::EINVAL);
    }
    Ok((dur(vs, vns), dur(is, ins), vs, vns))
}

fn write_itimerspec(t: &Task, addr: u64, (value, interval): (Duration, Duration)) -> KResult<()> {
    let mut b = [0u8; 32];
    for (i, v) in [
        interval.as_secs() as i64,
        i64::from(interval.subsec_nanos()),
        value.as_secs() as i64,
        i64::from(value.subsec_nanos()),
    ]
    .iter()
    .enumerate()
    {
        b[i * 8..i * 8 + 8].copy_from_slice(&v.to_ne_bytes());
    }
    t.copy_out(addr, &b)
}

/// timer_settime(2).
pub fn sys_timer_settime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const TIMER_ABSTIME: u64 = 1;
    let [timerid, flags, new, old, ..] = a.a;
    if flags & !TIMER_ABSTIME != 0 {
        return Err(Errno::EINVAL);
    }
    let id = service_id(t, timerid)?;
    let (mut value, interval, vs, vns) = read_itimerspec(t, new)?;
    if flags & TIMER_ABSTIME != 0 && !value.is_zero() {
        let (s, n) = sentry::sys::clock_gettime(0)?;
        let target = i128::from(vs) * 1_000_000_000 + i128::from(vns);
        let now = i128::from(s) * 1_000_000_000 + i128::from(n);
        value = Duration::from_nanos((target - now).max(1) as u64);
    }
    let prev = timers()
        .set(id, (!value.is_zero()).then_some(value), interval)
        .unwrap_or_default();
    if old != 0 {
        write_itimerspec(t, old, prev)?;
    }
    Ok(0)
}

/// timer_gettime(2).
pub fn sys_timer_gettime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = service_id(t, a.a[0])?;
    write_itimerspec(t, a.a[1], timers().get(id).unwrap_or_default())?;
    Ok(0)
}

/// timer_getoverrun(2).
pub fn sys_timer_getoverrun(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = service_id(t, a.a[0])?;
    Ok(timers().overrun(id).unwrap_or(0))
}

/// timer_delete(2).
pub fn sys_timer_delete(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = service_id(t, a.a[0])?;
    timers().delete(id);
    t.shared
        .posix_timers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&(a.a[0] as i32));
    Ok(0)
}
