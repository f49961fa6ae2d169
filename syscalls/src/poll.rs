//! Readiness: `poll(2)`, `ppoll(2)`, `select(2)`, `pselect6(2)`. Files that
//! never block are always ready; donated host fds (a terminal, a pipe) are
//! asked with a host poll, and only they can make a caller wait.
//! Not yet: sockets, pipes and eventfds of the sandbox (they come with the
//! processes issue), and interruption by signals.

use std::time::{Duration, Instant};

use sentry::kernel::{SyscallArgs, Task, current, waiter};
use sentry::vfs::poll::{
    POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM,
};
use sentry::{Errno, KResult};

use crate::abi::{decode_timespec, encode_timespec};

/// One polled descriptor.
struct Entry {
    fd: i32,
    events: u16,
    revents: u16,
}

/// Fills in `revents`; returns how many entries are ready.
fn scan(t: &Task, entries: &mut [Entry]) -> usize {
    let mut n = 0;
    for e in entries.iter_mut() {
        e.revents = 0;
        if e.fd < 0 {
            continue;
        }
        e.revents = match t.file(e.fd) {
            Ok(f) => {
                f.imp.readiness(e.events | POLLERR | POLLHUP)
                    & (e.events | POLLERR | POLLHUP | POLLNVAL)
            }
            Err(_) => POLLNVAL,
        };
        if e.revents != 0 {
            n += 1;
        }
    }
    n
}

/// Waits until something is ready or the deadline passes (None: forever).
fn wait(t: &Task, entries: &mut [Entry], deadline: Option<Instant>) -> KResult<usize> {
    loop {
        let seen = waiter::generation();
        let n = scan(t, entries);
        if n > 0 {
            return Ok(n);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(0);
        }
        // Donated host fds change state outside the sentry: poll them in
        // short slices; sentry objects wake us through the waiter.
        let mut host: Vec<(i32, i16, i16)> = entries
            .iter()
            .filter(|e| e.fd >= 0)
            .filter_map(|e| {
                t.file(e.fd)
                    .ok()
                    .and_then(|f| f.imp.host_fd())
                    .map(|h| (h, e.events as i16, 0))
            })
            .collect();
        if current::interrupted() {
            return Err(Errno::EINTR);
        }
        waiter::wait_slice_with_host(seen, deadline, &mut host);
    }
}

fn read_pollfds(t: &Task, addr: u64, n: u64) -> KResult<Vec<Entry>> {
    if n > t.shared.limits().nofile() as u64 {
        return Err(Errno::EINVAL);
    }
    let mut buf = vec![0u8; n as usize * 8];
    t.copy_in(addr, &mut buf)?;
    Ok(buf
        .chunks_exact(8)
        .map(|c| Entry {
            fd: i32::from_ne_bytes([c[0], c[1], c[2], c[3]]),
            events: u16::from_ne_bytes([c[4], c[5]]),
            revents: 0,
        })
        .collect())
}

fn write_pollfds(t: &Task, addr: u64, entries: &[Entry]) -> KResult<()> {
    let mut buf = Vec::with_capacity(entries.len() * 8);
    for e in entries {
        buf.extend_from_slice(&e.fd.to_ne_bytes());
        buf.extend_from_slice(&e.events.to_ne_bytes());
        buf.extend_from_slice(&e.revents.to_ne_bytes());
    }
    t.copy_out(addr, &buf)
}

/// poll(2).
pub fn sys_poll(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mut entries = read_pollfds(t, a.a[0], a.a[1])?;
    let n = wait(t, &mut entries, waiter::ms_deadline(a.a[2] as i32))?;
    write_pollfds(t, a.a[0], &entries)?;
    Ok(n as u64)
}

fn read_timeout(t: &Task, addr: u64) -> KResult<Option<Instant>> {
    if addr == 0 {
        return Ok(None);
    }
    let (s, n) = decode_timespec(t.read_bytes::<16>(addr)?);
    if s < 0 || !(0..1_000_000_000).contains(&n) {
        return Err(Errno::EINVAL);
    }
    Ok(Some(Instant::now() + Duration::new(s as u64, n as u32)))
}

fn write_remaining(t: &Task, addr: u64, deadline: Option<Instant>, micros: bool) -> KResult<()> {
    if let (Some(d), true) = (deadline, addr != 0) {
        let left = d.saturating_duration_since(Instant::now());
        let sub = if micros {
            i64::from(left.subsec_micros())
        } else {
            i64::from(left.subsec_nanos())
        };
        t.copy_out(addr, &encode_timespec(left.as_secs() as i64, sub))?;
    }
    Ok(())
}

/// ppoll(2).
pub fn sys_ppoll(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [fds, n, ts, mask, size, _] = a.a;
    if mask != 0 && size != 8 {
        return Err(Errno::EINVAL);
    }
    let deadline = read_timeout(t, ts)?;
    let mut entries = read_pollfds(t, fds, n)?;
    let sigmask = if mask != 0 {
        Some(t.read_u64(mask)?)
    } else {
        None
    };
    let ready = t.with_sigmask(sigmask, |t| wait(t, &mut entries, deadline))?;
    write_pollfds(t, fds, &entries)?;
    write_remaining(t, ts, deadline, false)?;
    Ok(ready as u64)
}

/// select's three fd sets, turned into poll entries and back.
fn do_select(t: &Task, nfds: u64, sets: [u64; 3], deadline: Option<Instant>) -> KResult<u64> {
    let nfds = nfds as i32;
    if nfds < 0 || nfds as usize > t.shared.limits().nofile().max(1024) {
        return Err(Errno::EINVAL);
    }
    // Like Linux, bits beyond the fd table's size are not looked at.
    let nfds = nfds.min(t.fds().max_fds() as i32);
    let bytes = (nfds as usize).div_ceil(64) * 8;
    let mut bits = [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]];
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            t.copy_in(addr, &mut bits[i])?;
        }
    }
    let want = [
        POLLIN | POLLRDNORM | POLLHUP | POLLERR,
        POLLOUT | POLLWRNORM | POLLERR,
        POLLPRI,
    ];
    let mut entries = Vec::new();
    for fd in 0..nfds as usize {
        let mut ev = 0u16;
        for k in 0..3 {
            if bits[k][fd / 8] & (1 << (fd % 8)) != 0 {
                ev |= want[k];
            }
        }
        if ev != 0 {
            t.file(fd as i32)?;
            entries.push(Entry {
                fd: fd as i32,
                events: ev,
                revents: 0,
            });
        }
    }
    wait(t, &mut entries, deadline)?;
    let mut out = [vec![0u8; bytes], vec![0u8; bytes], vec![0u8; bytes]];
    let mut count = 0;
    for e in &entries {
        let fd = e.fd as usize;
        for k in 0..3 {
            let asked = bits[k][fd / 8] & (1 << (fd % 8)) != 0;
            if asked && e.revents & want[k] != 0 {
                out[k][fd / 8] |= 1 << (fd % 8);
                count += 1;
            }
        }
    }
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            t.copy_out(addr, &out[i])?;
        }
    }
    Ok(count)
}

/// select(2).
pub fn sys_select(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [nfds, r, w, e, tv, _] = a.a;
    let deadline = if tv == 0 {
        None
    } else {
        let (s, us) = decode_timespec(t.read_bytes::<16>(tv)?);
        if s < 0 || !(0..1_000_000).contains(&us) {
            return Err(Errno::EINVAL);
        }
        Some(Instant::now() + Duration::new(s as u64, us as u32 * 1000))
    };
    let n = do_select(t, nfds, [r, w, e], deadline)?;
    write_remaining(t, tv, deadline, true)?;
    Ok(n)
}

/// pselect6(2).
pub fn sys_pselect6(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [nfds, r, w, e, ts, sig] = a.a;
    let mut sigmask = None;
    if sig != 0 {
        let b = t.read_bytes::<16>(sig)?;
        let mask = u64::from_ne_bytes(b[..8].try_into().unwrap_or([0; 8]));
        let size = u64::from_ne_bytes(b[8..].try_into().unwrap_or([0; 8]));
        if mask != 0 && size != 8 {
            return Err(Errno::EINVAL);
        }
        if mask != 0 {
            sigmask = Some(t.read_u64(mask)?);
        }
    }
    let deadline = read_timeout(t, ts)?;
    let n = t.with_sigmask(sigmask, |t| do_select(t, nfds, [r, w, e], deadline))?;
    write_remaining(t, ts, deadline, false)?;
    Ok(n)
}
