//! Unit tests of the futex table, the PI word protocol and the robust
//! list walk, on a memory manager over a fake address space.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::*;
use crate::mm::tests::{anon, mm};
use crate::mm::{MemoryManager, Placement};

const BASE: u64 = 0x1000_0000;

fn space() -> Arc<MemoryManager> {
    let m = mm();
    m.mmap(anon(Placement::Fixed(BASE), 4 * 4096)).unwrap();
    Arc::new(m)
}

fn put(m: &MemoryManager, addr: u64, v: u32) {
    m.copy_out(addr, &v.to_ne_bytes()).unwrap();
}

fn put64(m: &MemoryManager, addr: u64, v: u64) {
    m.copy_out(addr, &v.to_ne_bytes()).unwrap();
}

fn get(m: &MemoryManager, addr: u64) -> u32 {
    read_word(m, addr).unwrap()
}

fn queued(m: &MemoryManager, addr: u64) -> usize {
    let k = key(m, addr).unwrap();
    table().get(&k).map_or(0, |q| q.waiters.len())
}

/// Waits until `n` waiters are queued on `addr`.
fn until_queued(m: &MemoryManager, addr: u64, n: usize) {
    let end = Instant::now() + Duration::from_secs(10);
    while queued(m, addr) != n {
        assert!(Instant::now() < end, "waiters never queued");
        thread::sleep(Duration::from_millis(1));
    }
}

const ALIVE: &dyn Fn(i32) -> bool = &|_| true;

#[test]
fn wake_op_decodes_like_linux() {
    // FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, -1)
    let op = WakeOp::decode((1 << 28) | (4 << 24) | (1 << 12) | 0xfff);
    assert_eq!((op.op, op.oparg, op.cmp, op.cmparg), (1, 1, 4, -1));
    assert_eq!(op.apply(5), 6);
    assert_eq!(op.compare(0), Some(true));
    assert_eq!(op.compare(u32::MAX), Some(false)); // -1 > -1 is false
    // FUTEX_OP_OPARG_SHIFT: 1 << 3; a shift of 40 is masked to 8.
    assert_eq!(WakeOp::decode((8 | 2) << 28 | (3 << 12)).oparg, 8);
    assert_eq!(WakeOp::decode((8 | 2) << 28 | (40 << 12)).oparg, 256);
    let andn = WakeOp::decode((3 << 28) | (6 << 12));
    assert_eq!(andn.apply(0xf), 0x9);
    assert_eq!(WakeOp::decode(4 << 28 | (5 << 12)).apply(1), 4);
    assert_eq!(WakeOp::decode(6 << 24).compare(0), None);
    for (cmp, want) in [
        (0, false),
        (1, true),
        (2, true),
        (3, true),
        (4, false),
        (5, false),
    ] {
        assert_eq!(
            WakeOp::decode(cmp << 24 | 3).compare(2),
            Some(want),
            "cmp {cmp}"
        );
    }
}

#[test]
fn wake_wakes_only_its_own_word_and_at_least_one() {
    let m = space();
    let (a, b) = (BASE, BASE + 4);
    let waiters: Vec<_> = [a, a, b]
        .into_iter()
        .map(|addr| {
            let m = m.clone();
            thread::spawn(move || wait(&m, addr, 0, u32::MAX, None))
        })
        .collect();
    until_queued(&m, a, 2);
    until_queued(&m, b, 1);
    // A count of 0 still wakes one, as on Linux.
    assert_eq!(wake(&m, a, 0, u32::MAX), Ok(1));
    assert_eq!(wake(&m, a, 5, u32::MAX), Ok(1));
    assert_eq!(queued(&m, b), 1);
    assert_eq!(wake(&m, b, 1, u32::MAX), Ok(1));
    for w in waiters {
        assert_eq!(w.join().unwrap(), Ok(0));
    }
    assert_eq!(wait(&m, a, 1, u32::MAX, None), Err(Errno::EAGAIN));
    assert_eq!(wait(&m, a + 1, 0, u32::MAX, None), Err(Errno::EINVAL));
}

#[test]
fn a_timed_out_waiter_leaves_the_queue_it_was_requeued_to() {
    let m = space();
    let (a, b) = (BASE, BASE + 8);
    let w = {
        let m = m.clone();
        thread::spawn(move || {
            let d = Instant::now() + Duration::from_millis(200);
            wait(&m, a, 0, u32::MAX, Some(d))
        })
    };
    until_queued(&m, a, 1);
    assert_eq!(requeue(&m, a, b, 0, 1, Some(0)), Ok(1));
    assert_eq!(w.join().unwrap(), Err(Errno::ETIMEDOUT));
    assert_eq!(queued(&m, b), 0);
}

#[test]
fn wake_op_changes_the_second_word_and_wakes_by_comparison() {
    let m = space();
    let (a, b) = (BASE, BASE + 4);
    put(&m, b, 5);
    let w = {
        let m = m.clone();
        thread::spawn(move || wait(&m, b, 5, u32::MAX, None))
    };
    until_queued(&m, b, 1);
    // SET 7, wake b if old == 4: it was 5, so nobody on b wakes.
    assert_eq!(wake_op(&m, a, b, 1, 1, (7 << 12) | 4), Ok(0));
    assert_eq!(get(&m, b), 7);
    // ADD 1 if old == 7: wakes b's waiter.
    assert_eq!(wake_op(&m, a, b, 1, 1, (1 << 28) | (1 << 12) | 7), Ok(1));
    assert_eq!(get(&m, b), 8);
    assert_eq!(w.join().unwrap(), Ok(0));
    assert_eq!(wake_op(&m, a, b, 1, 1, 5 << 28), Err(Errno::ENOSYS));
    assert_eq!(get(&m, b), 8);
    // An unknown comparison fails after the operation, as on Linux.
    assert_eq!(
        wake_op(&m, a, b, 1, 1, (1 << 28) | (1 << 12) | (9 << 24)),
        Err(Errno::ENOSYS)
    );
    assert_eq!(get(&m, b), 9);
}

#[test]
fn pi_word_protocol() {
    let m = space();
    let a = BASE;
    assert_eq!(lock_pi(&m, a, 10, None, false, ALIVE), Ok(0));
    assert_eq!(get(&m, a), 10);
    assert_eq!(lock_pi(&m, a, 10, None, false, ALIVE), Err(Errno::EDEADLK));
    assert_eq!(unlock_pi(&m, a, 11), Err(Errno::EPERM));
    // A failed trylock leaves FUTEX_WAITERS set, as on Linux.
    assert_eq!(lock_pi(&m, a, 11, None, true, ALIVE), Err(Errno::EAGAIN));
    assert_eq!(get(&m, a), 10 | FUTEX_WAITERS);
    let waiter = {
        let m = m.clone();
        thread::spawn(move || lock_pi(&m, a, 11, None, false, ALIVE))
    };
    until_queued(&m, a, 1);
    // A plain wake on a PI futex with waiters is EINVAL.
    assert_eq!(wake(&m, a, 1, u32::MAX), Err(Errno::EINVAL));
    assert_eq!(unlock_pi(&m, a, 10), Ok(0));
    assert_eq!(waiter.join().unwrap(), Ok(0));
    assert_eq!(get(&m, a), 11 | FUTEX_WAITERS);
    assert_eq!(unlock_pi(&m, a, 11), Ok(0));
    assert_eq!(get(&m, a), 0);
    assert_eq!(unlock_pi(&m, a, 11), Err(Errno::EPERM));
    // An owner that is gone: ESRCH (the waiters bit stays).
    put(&m, a, 99);
    assert_eq!(
        lock_pi(&m, a, 11, None, false, &|t| t != 99),
        Err(Errno::ESRCH)
    );
    assert_eq!(get(&m, a), 99 | FUTEX_WAITERS);
    // A free word with OWNER_DIED is taken, the bit kept.
    put(&m, a, FUTEX_OWNER_DIED);
    assert_eq!(lock_pi(&m, a, 12, None, true, ALIVE), Ok(0));
    assert_eq!(get(&m, a), FUTEX_OWNER_DIED | 12);
    let d = Instant::now() + Duration::from_millis(30);
    assert_eq!(
        lock_pi(&m, a, 13, Some(d), false, ALIVE),
        Err(Errno::ETIMEDOUT)
    );
    assert_eq!(queued(&m, a), 0);
}

/// Writes a robust list head at `head` whose entries are `entries`
/// (each an address, bit 0 for PI), futex words at entry + 8.
fn robust_list(m: &MemoryManager, head: u64, entries: &[u64], pending: u64) {
    let mut prev = head;
    for &e in entries {
        put64(m, prev & !1, e);
        prev = e;
    }
    put64(m, prev & !1, head);
    put64(m, head + 8, 8);
    put64(m, head + 16, pending);
}

#[test]
fn robust_release_marks_owned_words_and_wakes() {
    let m = space();
    let head = BASE + 0x100;
    let (e1, e2, e3) = (BASE + 0x200, BASE + 0x300, BASE + 0x400);
    robust_list(&m, head, &[e1, e2], e3);
    put(&m, e1 + 8, 7 | FUTEX_WAITERS);
    put(&m, e2 + 8, 8); // another owner's: untouched
    put(&m, e3 + 8, 0); // pending with no owner: only a wake
    let waiters: Vec<_> = [(e1 + 8, 7 | FUTEX_WAITERS), (e3 + 8, 0)]
        .into_iter()
        .map(|(addr, v)| {
            let m = m.clone();
            thread::spawn(move || wait(&m, addr, v, u32::MAX, None))
        })
        .collect();
    until_queued(&m, e1 + 8, 1);
    until_queued(&m, e3 + 8, 1);
    let mut done = false;
    release_thread(&m, 7, head, || done = true);
    assert!(done);
    assert_eq!(get(&m, e1 + 8), FUTEX_OWNER_DIED | FUTEX_WAITERS);
    assert_eq!(get(&m, e2 + 8), 8);
    for w in waiters {
        assert_eq!(w.join().unwrap(), Ok(0));
    }
}

#[test]
fn robust_walk_survives_loops_and_bad_pointers() {
    let m = space();
    let head = BASE + 0x100;
    let e = BASE + 0x200;
    // An entry pointing at itself: the walk stops after the limit.
    put64(&m, head, e);
    put64(&m, head + 8, 8);
    put64(&m, head + 16, 0);
    put64(&m, e, e);
    put(&m, e + 8, 7);
    release_thread(&m, 7, head, || ());
    assert_eq!(get(&m, e + 8), FUTEX_OWNER_DIED);
    // Pointers anywhere, offsets that wrap, a misaligned word: no harm.
    for (first, off) in [(0xdead_0000_0000, 8), (e, u64::MAX - 3), (e, 1), (0, 0)] {
        put64(&m, head, first);
        put64(&m, head + 8, off);
        release_thread(&m, 7, head, || ());
    }
    release_thread(&m, 7, 0xdead_0000, || ());
}

#[test]
fn exit_hands_pi_futexes_to_waiters() {
    let m = space();
    let head = BASE + 0x100;
    let e = BASE + 0x200;
    let word = e + 8;
    robust_list(&m, head, &[e | 1], 0);
    assert_eq!(lock_pi(&m, word, 7, None, false, ALIVE), Ok(0));
    let waiter = {
        let m = m.clone();
        thread::spawn(move || lock_pi(&m, word, 8, None, false, ALIVE))
    };
    until_queued(&m, word, 1);
    release_thread(&m, 7, head, || ());
    assert_eq!(waiter.join().unwrap(), Ok(0));
    assert_eq!(get(&m, word), FUTEX_OWNER_DIED | FUTEX_WAITERS | 8);
    // Not on a robust list: handed over with OWNER_DIED all the same, as
    // Linux does for an owner that is gone.
    let other = BASE + 0x500;
    assert_eq!(lock_pi(&m, other, 7, None, false, ALIVE), Ok(0));
    let waiter = {
        let m = m.clone();
        thread::spawn(move || lock_pi(&m, other, 9, None, false, ALIVE))
    };
    until_queued(&m, other, 1);
    release_thread(&m, 7, 0, || ());
    assert_eq!(waiter.join().unwrap(), Ok(0));
    assert_eq!(get(&m, other), FUTEX_OWNER_DIED | FUTEX_WAITERS | 9);
}

#[test]
fn requeue_pi_moves_waiters_onto_an_owned_pi_futex_in_order() {
    let m = space();
    let (cond, mutex) = (BASE, BASE + 4);
    assert_eq!(lock_pi(&m, mutex, 7, None, false, ALIVE), Ok(0));
    let waiters: Vec<_> = [20, 21]
        .into_iter()
        .map(|tid| {
            let mw = m.clone();
            let w = thread::spawn(move || wait_requeue_pi(&mw, cond, 0, None, mutex, tid));
            until_queued(&m, cond, (tid - 19) as usize);
            w
        })
        .collect();
    // The owner is busy: both move (nr_requeue 1 moves one more).
    assert_eq!(cmp_requeue_pi(&m, cond, mutex, 1, 1, 0, ALIVE), Ok(2));
    assert_eq!(queued(&m, cond), 0);
    assert_eq!(queued(&m, mutex), 2);
    assert_eq!(get(&m, mutex), 7 | FUTEX_WAITERS);
    assert_eq!(unlock_pi(&m, mutex, 7), Ok(0));
    assert_eq!(get(&m, mutex), 20 | FUTEX_WAITERS);
    assert_eq!(unlock_pi(&m, mutex, 20), Ok(0));
    assert_eq!(get(&m, mutex), 21 | FUTEX_WAITERS);
    assert_eq!(unlock_pi(&m, mutex, 21), Ok(0));
    assert_eq!(get(&m, mutex), 0);
    for w in waiters {
        assert_eq!(w.join().unwrap(), Ok(0));
    }
    // A timed-out waiter that was requeued leaves the PI queue.
    let w = {
        let m = m.clone();
        assert_eq!(lock_pi(&m, mutex, 7, None, false, ALIVE), Ok(0));
        thread::spawn(move || {
            let d = Instant::now() + Duration::from_millis(100);
            wait_requeue_pi(&m, cond, 0, Some(d), mutex, 30)
        })
    };
    until_queued(&m, cond, 1);
    assert_eq!(cmp_requeue_pi(&m, cond, mutex, 1, 0, 0, ALIVE), Ok(1));
    assert_eq!(w.join().unwrap(), Err(Errno::ETIMEDOUT));
    assert_eq!(queued(&m, mutex), 0);
    assert_eq!(unlock_pi(&m, mutex, 7), Ok(0));
}
