//! Timers: `alarm(2)`, `setitimer(2)`/`getitimer(2)` (ITIMER_REAL, and
//! the CPU-time ITIMER_VIRTUAL and ITIMER_PROF), and
//! POSIX timers (`timer_create(2)` and friends) on the realtime and
//! monotonic clocks, and timerfds (`timerfd_create(2)` and friends).
//! Semantics in `sentry::kernel::timers`, `sentry::kernel::cpu_itimers`
//! and `sentry::fsimpl::timerfd`.

use sentry::kernel::cpu_timers::{self, CpuClock};
use std::sync::Arc;
use std::time::Duration;

use sentry::kernel::cpu_itimers;
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
            to_thread: false,
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

/// setitimer/getitimer's `which`: ITIMER_REAL, or a CPU-time timer.
fn decode_which(which: u64) -> KResult<Option<cpu_itimers::Which>> {
    match which {
        0 => Ok(None),
        1 => Ok(Some(cpu_itimers::Which::Virtual)),
        2 => Ok(Some(cpu_itimers::Which::Prof)),
        _ => Err(Errno::EINVAL),
    }
}

/// setitimer(2).
pub fn sys_setitimer(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let which = decode_which(a.a[0])?;
    let (value, interval) = if a.a[1] != 0 {
        read_itimerval(t, a.a[1])?
    } else {
        (Duration::ZERO, Duration::ZERO)
    };
    let old = match which {
        None => {
            let id = itimer_real(t);
            timers()
                .set(id, (!value.is_zero()).then_some(value), interval)
                .unwrap_or_default()
        }
        Some(w) => cpu_itimers::set(&t.shared.group_cpu, w, &t.shared, value, interval),
    };
    if a.a[2] != 0 {
        write_itimerval(t, a.a[2], old)?;
    }
    Ok(0)
}

/// getitimer(2).
pub fn sys_getitimer(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let cur = match decode_which(a.a[0])? {
        None => timers().get(itimer_real(t)).unwrap_or_default(),
        Some(w) => cpu_itimers::get(&t.shared.group_cpu, w),
    };
    write_itimerval(t, a.a[1], cur)?;
    Ok(0)
}

/// Marks a POSIX timer's id as one of `cpu_timers` (a CPU clock's) rather
/// than the timer service's.
const CPU_TIMER: u64 = 1 << 62;

/// The timer service's id and the clock of POSIX timer `timerid`.
fn service_id(t: &Task, timerid: u64) -> KResult<(u64, i32)> {
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
    // A negative id ending in CLOCKFD (3) names a dynamic (fd) clock:
    // Linux has no timers on those.
    if (clock as i32) < 0 && clock & 7 == 3 {
        return Err(Errno::EOPNOTSUPP);
    }
    let cpu = crate::time::cpu_clock(t, clock as i32, false)?;
    if cpu.is_none() && !matches!(clock, 0 | 1 | 7 | 8 | 9 | 11) {
        return Err(Errno::EINVAL);
    }
    let next_id = {
        let timers = t
            .shared
            .posix_timers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        (0..).find(|i| !timers.contains_key(i)).unwrap_or(0)
    };
    let (signo, value, to_thread) = if sevp == 0 {
        (SIGALRM, next_id as u64, false)
    } else {
        let b = t.read_bytes::<24>(sevp)?;
        let value = u64::from_ne_bytes(b[0..8].try_into().unwrap_or([0; 8]));
        let signo = i32::from_ne_bytes(b[8..12].try_into().unwrap_or([0; 4]));
        let notify = i32::from_ne_bytes(b[12..16].try_into().unwrap_or([0; 4]));
        let tid = i32::from_ne_bytes(b[16..20].try_into().unwrap_or([0; 4]));
        match notify {
            SIGEV_NONE => (0, value, false),
            SIGEV_SIGNAL if (1..=64).contains(&signo) => (signo, value, false),
            SIGEV_THREAD_ID if (1..=64).contains(&signo) => {
                if tid != t.tid() {
                    return Err(Errno::EINVAL);
                }
                (signo, value, true)
            }
            _ => return Err(Errno::EINVAL),
        }
    };
    t.copy_out(idp, &next_id.to_ne_bytes())?;
    let spec = TimerSpec {
        target: Arc::downgrade(&t.shared),
        to_thread,
        signo,
        code: SI_TIMER,
        timer_id: next_id,
        value,
    };
    let id = match cpu {
        Some((owner, which)) => {
            use crate::time::{CpuOwner, CpuWhich};
            let user_only = which == CpuWhich::Virt;
            let clock = match owner {
                CpuOwner::Process(p) => CpuClock::Process(p.group_cpu.clone(), user_only),
                CpuOwner::Thread(th) => CpuClock::Thread(th.cpu.clone(), user_only),
            };
            cpu_timers::create(clock, spec) | CPU_TIMER
        }
        None => timers().create(spec),
    };
    t.shared
        .posix_timers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(next_id, (id, clock as i32));
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

/// How long from now until `clock` reads (`sec`, `nsec`); zero when that
/// time has passed (the timer expires at once).
fn until(clock: i32, sec: i64, nsec: i64) -> KResult<Duration> {
    // The _ALARM clocks (8, 9) read as REALTIME and BOOTTIME.
    let base = match clock {
        8 => 0,
        9 => 7,
        c => c,
    };
    let (s, n) = sentry::sys::clock_gettime(base)?;
    let target = i128::from(sec) * 1_000_000_000 + i128::from(nsec);
    let now = i128::from(s) * 1_000_000_000 + i128::from(n);
    Ok(Duration::from_nanos(
        (target - now).clamp(0, i128::from(u64::MAX)) as u64,
    ))
}

/// timer_settime(2).
pub fn sys_timer_settime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const TIMER_ABSTIME: u64 = 1;
    let [timerid, flags, new, old, ..] = a.a;
    if flags & !TIMER_ABSTIME != 0 {
        return Err(Errno::EINVAL);
    }
    let (id, clock) = service_id(t, timerid)?;
    let (mut value, interval, vs, vns) = read_itimerspec(t, new)?;
    // A zero value disarms; an absolute time already past fires at once.
    let armed = !value.is_zero();
    if id & CPU_TIMER != 0 {
        let cid = id & !CPU_TIMER;
        let now = cpu_timers::clock_now(cid).ok_or(Errno::EINVAL)?;
        let at = armed.then(|| {
            if flags & TIMER_ABSTIME != 0 {
                (vs as u64)
                    .saturating_mul(1_000_000_000)
                    .saturating_add(vns as u64)
            } else {
                now.saturating_add(value.as_nanos().min(u128::from(u64::MAX / 2)) as u64)
            }
        });
        let prev = cpu_timers::set(cid, at, interval).unwrap_or_default();
        if old != 0 {
            write_itimerspec(t, old, prev)?;
        }
        return Ok(0);
    }
    if flags & TIMER_ABSTIME != 0 && armed {
        value = until(clock, vs, vns)?;
    }
    let prev = timers()
        .set(id, armed.then_some(value), interval)
        .unwrap_or_default();
    if old != 0 {
        write_itimerspec(t, old, prev)?;
    }
    Ok(0)
}

/// timer_gettime(2).
pub fn sys_timer_gettime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, _) = service_id(t, a.a[0])?;
    let cur = if id & CPU_TIMER != 0 {
        cpu_timers::get(id & !CPU_TIMER)
    } else {
        timers().get(id)
    };
    write_itimerspec(t, a.a[1], cur.unwrap_or_default())?;
    Ok(0)
}

/// timer_getoverrun(2).
pub fn sys_timer_getoverrun(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, _) = service_id(t, a.a[0])?;
    let n = if id & CPU_TIMER != 0 {
        cpu_timers::overrun(id & !CPU_TIMER)
    } else {
        timers().overrun(id)
    };
    Ok(n.unwrap_or(0).min(i32::MAX as u64))
}

/// timer_delete(2).
pub fn sys_timer_delete(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, _) = service_id(t, a.a[0])?;
    if id & CPU_TIMER != 0 {
        cpu_timers::delete(id & !CPU_TIMER);
    } else {
        timers().delete(id);
    }
    t.shared
        .posix_timers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&(a.a[0] as i32));
    Ok(0)
}

/// timerfd_create(2).
pub fn sys_timerfd_create(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    use sentry::fsimpl::timerfd::{TimerFd, TimerFdFile};
    use sentry::vfs::oflags::{O_CLOEXEC, O_NONBLOCK, O_RDWR};
    let (clock, flags) = (a.a[0] as i32, a.a[1] as u32);
    // REALTIME, MONOTONIC, BOOTTIME and their _ALARM forms (the sandbox
    // cannot wake a suspended host, so they behave as their base clocks).
    if !matches!(clock, 0 | 1 | 7 | 8 | 9) || flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let tf = TimerFd::new(clock);
    let inode: sentry::vfs::InodeRef = tf.clone();
    let file = sentry::vfs::OpenFile::new(
        None,
        inode,
        O_RDWR | (flags & O_NONBLOCK),
        Box::new(TimerFdFile(tf)),
    );
    let limit = t.shared.limits().nofile();
    Ok(t.fds().alloc(file, 0, flags & O_CLOEXEC != 0, limit)? as u64)
}

/// The timerfd behind `fd`: EBADF when it is not open, EINVAL when it is
/// not a timerfd.
fn timerfd(t: &Task, fd: u64) -> KResult<Arc<sentry::fsimpl::timerfd::TimerFd>> {
    let any: Arc<dyn std::any::Any + Send + Sync> = t.file(fd as i32)?.inode.clone();
    any.downcast().map_err(|_| Errno::EINVAL)
}

/// timerfd_settime(2).
pub fn sys_timerfd_settime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const TFD_TIMER_ABSTIME: u64 = 1;
    // Accepted; the realtime clock is never set inside the sandbox, so
    // there is never a change to cancel on.
    const TFD_TIMER_CANCEL_ON_SET: u64 = 2;
    let [fd, flags, new, old, ..] = a.a;
    let (mut value, interval, vs, vns) = read_itimerspec(t, new)?;
    if flags & !(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) != 0 {
        return Err(Errno::EINVAL);
    }
    let tf = timerfd(t, fd)?;
    let armed = !value.is_zero();
    if flags & TFD_TIMER_ABSTIME != 0 && armed {
        value = until(tf.clock, vs, vns)?;
    }
    let prev = tf.set(armed.then_some(value), interval);
    if old != 0 {
        write_itimerspec(t, old, prev)?;
    }
    Ok(0)
}

/// timerfd_gettime(2).
pub fn sys_timerfd_gettime(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let tf = timerfd(t, a.a[0])?;
    write_itimerspec(t, a.a[1], tf.get())?;
    Ok(0)
}
