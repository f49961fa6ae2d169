//! `eventfd(2)`/`eventfd2(2)` and `epoll(7)`: `epoll_create1`,
//! `epoll_ctl`, `epoll_wait`, `epoll_pwait`, `epoll_pwait2`. Objects in
//! `sentry::fsimpl::{eventfd, epoll}`; waiting like poll(2).

use std::sync::Arc;
use std::time::{Duration, Instant};

use sentry::fsimpl::epoll::{EPOLLET, EPOLLEXCLUSIVE, EPOLLONESHOT, EPOLLWAKEUP, Epoll, EpollFile};
use sentry::fsimpl::eventfd::{EventFd, EventFdFile};
use sentry::kernel::{SyscallArgs, Task, current, waiter};
use sentry::vfs::oflags::{O_CLOEXEC, O_NONBLOCK, O_RDWR};
use sentry::vfs::{InodeRef, OpenFile};
use sentry::{Errno, KResult};

use crate::abi::decode_timespec;

fn install(t: &Task, file: Arc<OpenFile>, cloexec: bool) -> KResult<u64> {
    let limit = t.shared.limits().nofile();
    Ok(t.fds().alloc(file, 0, cloexec, limit)? as u64)
}

fn do_eventfd(t: &Task, init: u64, flags: u32) -> KResult<u64> {
    const EFD_SEMAPHORE: u32 = 1;
    if flags & !(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE) != 0 {
        return Err(Errno::EINVAL);
    }
    let e = EventFd::new(init & 0xffff_ffff, flags & EFD_SEMAPHORE != 0);
    let inode: InodeRef = e.clone();
    let file = OpenFile::new(
        None,
        inode,
        O_RDWR | (flags & O_NONBLOCK),
        Box::new(EventFdFile(e)),
    );
    install(t, file, flags & O_CLOEXEC != 0)
}

/// eventfd(2).
pub fn sys_eventfd(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_eventfd(t, a.a[0], 0)
}

/// eventfd2(2).
pub fn sys_eventfd2(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_eventfd(t, a.a[0], a.a[1] as u32)
}

fn do_epoll_create(t: &Task, flags: u32) -> KResult<u64> {
    if flags & !O_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    let ep = Epoll::new();
    let inode: InodeRef = ep.clone();
    let file = OpenFile::new(None, inode, O_RDWR, Box::new(EpollFile(ep)));
    install(t, file, flags & O_CLOEXEC != 0)
}

/// epoll_create(2).
pub fn sys_epoll_create(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if (a.a[0] as i32) <= 0 {
        return Err(Errno::EINVAL);
    }
    do_epoll_create(t, 0)
}

/// epoll_create1(2).
pub fn sys_epoll_create1(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_epoll_create(t, a.a[0] as u32)
}

fn epoll_of(t: &Task, epfd: i32) -> KResult<Arc<Epoll>> {
    t.file(epfd)?.imp.as_epoll().ok_or(Errno::EINVAL)
}

/// epoll_ctl(2).
pub fn sys_epoll_ctl(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const ADD: u64 = 1;
    const DEL: u64 = 2;
    const MOD: u64 = 3;
    let [epfd, op, fd, ev, ..] = a.a;
    let (epfd, fd) = (epfd as i32, fd as i32);
    let ep_file = t.file(epfd)?;
    let target = t.file(fd)?;
    let ep = ep_file.imp.as_epoll().ok_or(Errno::EINVAL)?;
    if epfd == fd {
        return Err(Errno::EINVAL);
    }
    if !target.imp.pollable() {
        return Err(Errno::EPERM);
    }
    let (events, data) = if op == DEL {
        (0, 0)
    } else {
        let b = t.read_bytes::<12>(ev)?;
        let events = u32::from_ne_bytes(b[0..4].try_into().map_err(|_| Errno::EFAULT)?);
        let data = u64::from_ne_bytes(b[4..12].try_into().map_err(|_| Errno::EFAULT)?);
        if events & EPOLLEXCLUSIVE != 0 && (op == MOD || events & (EPOLLONESHOT | EPOLLWAKEUP) != 0)
        {
            return Err(Errno::EINVAL);
        }
        (events, data)
    };
    let _ = EPOLLET;
    match op {
        ADD => ep.add(fd, &target, events, data)?,
        MOD => ep.modify(fd, &target, events, data)?,
        DEL => ep.delete(fd, &target)?,
        _ => return Err(Errno::EINVAL),
    }
    Ok(0)
}

fn do_wait(t: &Task, epfd: i32, events: u64, max: i32, deadline: Option<Instant>) -> KResult<u64> {
    if max <= 0 || max as usize > (i32::MAX as usize) / 12 {
        return Err(Errno::EINVAL);
    }
    let ep = epoll_of(t, epfd)?;
    // The buffer must be writable before anything is taken.
    t.copy_out(events, &vec![0u8; 12 * (max as usize).min(64)])?;
    loop {
        let seen = waiter::generation();
        let ready = ep.ready(max as usize);
        if !ready.is_empty() {
            let mut b = Vec::with_capacity(ready.len() * 12);
            for (ev, data) in &ready {
                b.extend_from_slice(&ev.to_ne_bytes());
                b.extend_from_slice(&data.to_ne_bytes());
            }
            t.copy_out(events, &b)?;
            return Ok(ready.len() as u64);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(0);
        }
        if current::interrupted() {
            return Err(Errno::EINTR);
        }
        let mut host: Vec<(i32, i16, i16)> = ep
            .host_fds()
            .into_iter()
            .map(|(fd, e)| (fd, e, 0))
            .collect();
        waiter::wait_slice_with_host(seen, deadline, &mut host);
    }
}

/// epoll_wait(2).
pub fn sys_epoll_wait(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_wait(
        t,
        a.a[0] as i32,
        a.a[1],
        a.a[2] as i32,
        waiter::ms_deadline(a.a[3] as i32),
    )
}

fn read_mask(t: &Task, addr: u64, size: u64) -> KResult<Option<u64>> {
    if addr == 0 {
        return Ok(None);
    }
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    Ok(Some(t.read_u64(addr)?))
}

/// epoll_pwait(2).
pub fn sys_epoll_pwait(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mask = read_mask(t, a.a[4], a.a[5])?;
    let deadline = waiter::ms_deadline(a.a[3] as i32);
    t.with_sigmask(mask, |t| {
        do_wait(t, a.a[0] as i32, a.a[1], a.a[2] as i32, deadline)
    })
}

/// epoll_pwait2(2).
pub fn sys_epoll_pwait2(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mask = read_mask(t, a.a[4], a.a[5])?;
    let deadline = if a.a[3] == 0 {
        None
    } else {
        let (s, n) = decode_timespec(t.read_bytes::<16>(a.a[3])?);
        if s < 0 || !(0..1_000_000_000).contains(&n) {
            return Err(Errno::EINVAL);
        }
        Some(Instant::now() + Duration::new(s as u64, n as u32))
    };
    t.with_sigmask(mask, |t| {
        do_wait(t, a.a[0] as i32, a.a[1], a.a[2] as i32, deadline)
    })
}
