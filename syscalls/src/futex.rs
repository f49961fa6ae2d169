//! `futex(2)` and the robust futex list calls `set_robust_list(2)` and
//! `get_robust_list(2)`: decoding and checks; the futexes themselves are
//! `sentry::kernel::futex`.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use sentry::kernel::creds::may_inspect;
use sentry::kernel::futex::{self, ROBUST_LIST_HEAD_LEN};
use sentry::kernel::{SyscallArgs, Task};
use sentry::{Errno, KResult, sys};

use crate::abi::decode_timespec;

const FUTEX_WAIT: u32 = 0;
const FUTEX_WAKE: u32 = 1;
const FUTEX_REQUEUE: u32 = 3;
const FUTEX_CMP_REQUEUE: u32 = 4;
const FUTEX_WAKE_OP: u32 = 5;
const FUTEX_LOCK_PI: u32 = 6;
const FUTEX_UNLOCK_PI: u32 = 7;
const FUTEX_TRYLOCK_PI: u32 = 8;
const FUTEX_WAIT_BITSET: u32 = 9;
const FUTEX_WAKE_BITSET: u32 = 10;
const FUTEX_WAIT_REQUEUE_PI: u32 = 11;
const FUTEX_CMP_REQUEUE_PI: u32 = 12;
const FUTEX_LOCK_PI2: u32 = 13;
const FUTEX_PRIVATE_FLAG: u32 = 128;
const FUTEX_CLOCK_REALTIME: u32 = 256;

/// When a timeout argument ends: relative for FUTEX_WAIT, else absolute
/// on CLOCK_REALTIME (LOCK_PI always; the others with
/// FUTEX_CLOCK_REALTIME) or CLOCK_MONOTONIC.
fn deadline(t: &Task, cmd: u32, op: u32, timeout: u64) -> KResult<Option<Instant>> {
    let has_timeout = matches!(
        cmd,
        FUTEX_WAIT | FUTEX_WAIT_BITSET | FUTEX_LOCK_PI | FUTEX_LOCK_PI2 | FUTEX_WAIT_REQUEUE_PI
    );
    if timeout == 0 || !has_timeout {
        return Ok(None);
    }
    let (s, n) = decode_timespec(t.read_bytes::<16>(timeout)?);
    if s < 0 || !(0..1_000_000_000).contains(&n) {
        return Err(Errno::EINVAL);
    }
    let left = if cmd == FUTEX_WAIT {
        Duration::new(s as u64, n as u32)
    } else {
        let realtime = cmd == FUTEX_LOCK_PI || op & FUTEX_CLOCK_REALTIME != 0;
        let (cs, cn) = sys::clock_gettime(if realtime { 0 } else { 1 })?;
        let target = i128::from(s) * 1_000_000_000 + i128::from(n);
        let now = i128::from(cs) * 1_000_000_000 + i128::from(cn);
        Duration::from_nanos((target - now).clamp(0, i128::from(u64::MAX)) as u64)
    };
    // A deadline past what Instant holds is no deadline.
    Ok(Instant::now().checked_add(left))
}

/// Whether thread `tid` can still hand a PI futex over: it exists and has
/// not released its futexes on exit.
fn owner_alive(t: &Task) -> impl Fn(i32) -> bool + use<> {
    let kernel = t.kernel.clone();
    move |tid: i32| {
        kernel
            .task(tid)
            .is_some_and(|o| !o.futex_dead.load(Ordering::Acquire))
    }
}

/// futex(2): every operation (`sentry::kernel::futex`).
pub fn sys_futex(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [uaddr, op, val, timeout, uaddr2, val3] = a.a;
    let op = op as u32;
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    let (val, val3) = (val as u32, val3 as u32);
    // The timeout argument doubles as a count for the requeue and
    // wake-op calls.
    let val2 = timeout as u32 as i32;
    let deadline = deadline(t, cmd, op, timeout)?;
    if op & FUTEX_CLOCK_REALTIME != 0
        && !matches!(
            cmd,
            FUTEX_WAIT_BITSET | FUTEX_WAIT_REQUEUE_PI | FUTEX_LOCK_PI2
        )
    {
        return Err(Errno::ENOSYS.why("FUTEX_CLOCK_REALTIME with this operation"));
    }
    let mm = &t.mm;
    match cmd {
        FUTEX_WAIT => futex::wait(mm, uaddr, val, u32::MAX, deadline),
        FUTEX_WAIT_BITSET => futex::wait(mm, uaddr, val, val3, deadline),
        FUTEX_WAKE => futex::wake(mm, uaddr, val as i32, u32::MAX),
        FUTEX_WAKE_BITSET => futex::wake(mm, uaddr, val as i32, val3),
        FUTEX_REQUEUE => futex::requeue(mm, uaddr, uaddr2, val as i32, val2, None),
        FUTEX_CMP_REQUEUE => futex::requeue(mm, uaddr, uaddr2, val as i32, val2, Some(val3)),
        FUTEX_WAKE_OP => futex::wake_op(mm, uaddr, uaddr2, val as i32, val2, val3),
        FUTEX_LOCK_PI | FUTEX_LOCK_PI2 | FUTEX_TRYLOCK_PI => {
            let trylock = cmd == FUTEX_TRYLOCK_PI;
            futex::lock_pi(mm, uaddr, t.tid(), deadline, trylock, &owner_alive(t))
        }
        FUTEX_UNLOCK_PI => futex::unlock_pi(mm, uaddr, t.tid()),
        FUTEX_WAIT_REQUEUE_PI => futex::wait_requeue_pi(mm, uaddr, val, deadline, uaddr2, t.tid()),
        FUTEX_CMP_REQUEUE_PI => {
            let alive = owner_alive(t);
            futex::cmp_requeue_pi(mm, uaddr, uaddr2, val as i32, val2, val3, &alive)
        }
        _ => Err(Errno::ENOSYS),
    }
}

/// set_robust_list(2): registers the thread's robust futex list, walked
/// when it exits or execs.
pub fn sys_set_robust_list(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[1] != ROBUST_LIST_HEAD_LEN {
        return Err(Errno::EINVAL);
    }
    t.shared.robust_list.store(a.a[0], Ordering::Relaxed);
    Ok(0)
}

/// get_robust_list(2): the list head of thread `pid` (0: the caller), for
/// a caller that may inspect it (its own process, or matching ids and a
/// dumpable target, or root).
pub fn sys_get_robust_list(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [pid, head_ptr, len_ptr, ..] = a.a;
    let pid = pid as i32;
    let target = if pid == 0 {
        t.shared.clone()
    } else {
        t.kernel.task(pid).ok_or(Errno::ESRCH)?
    };
    if target.tgid != t.tgid() {
        let dumpable = target.dumpable.load(Ordering::Relaxed) == 1;
        let me = t.shared.creds().clone();
        if !may_inspect(&me, &target.creds(), dumpable) {
            return Err(Errno::EPERM);
        }
    }
    let head = target.robust_list.load(Ordering::Relaxed);
    t.copy_out(len_ptr, &ROBUST_LIST_HEAD_LEN.to_ne_bytes())?;
    t.copy_out(head_ptr, &head.to_ne_bytes())?;
    Ok(0)
}
