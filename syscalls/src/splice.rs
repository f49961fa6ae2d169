//! `splice(2)`, `tee(2)`, `vmsplice(2)`, `sendfile(2)` and
//! `copy_file_range(2)`: decode, look the descriptors up in Linux's order,
//! read and write back the `loff_t` offsets, and raise SIGPIPE on EPIPE.
//! The transfers themselves are `sentry::vfs::splice` (file sides) and
//! `sentry::fsimpl::pipe` (pipe sides).
//!
//! vmsplice copies the application's bytes into the pipe (Linux maps the
//! pages; a later store to them is not seen by the reader here, which
//! SPLICE_F_GIFT users must not rely on anyway). vmsplice on a donated
//! host pipe is EBADF.

use sentry::fsimpl::pipe::Pipe;
use sentry::kernel::{SyscallArgs, Task};
use sentry::vfs::oflags::O_NONBLOCK;
use sentry::vfs::splice::{self, flags};
use sentry::{Errno, KResult};

use crate::file::{read_iovecs, sigpipe_on_epipe};

fn fd_arg(v: u64) -> i32 {
    v as i32
}

/// Reads the `loff_t` at `addr`, if one was passed.
fn read_off(t: &Task, addr: u64) -> KResult<Option<u64>> {
    if addr == 0 {
        return Ok(None);
    }
    Ok(Some(u64::from_ne_bytes(t.read_bytes::<8>(addr)?)))
}

/// Writes an advanced offset back where it came from.
fn write_off(t: &Task, addr: u64, off: Option<u64>) -> KResult<()> {
    match off {
        Some(v) if addr != 0 => t.copy_out(addr, &v.to_ne_bytes()),
        _ => Ok(()),
    }
}

/// splice(2).
pub fn sys_splice(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [fd_in, off_in_addr, fd_out, off_out_addr, len, fl] = a.a;
    let fl = fl as u32;
    if len == 0 {
        return Ok(0);
    }
    if fl & !flags::ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let fin = t.file(fd_arg(fd_in))?;
    let fout = t.file(fd_arg(fd_out))?;
    let mut off_in = None;
    if off_in_addr != 0 {
        if splice::is_pipe(&fin) {
            return Err(Errno::ESPIPE);
        }
        off_in = read_off(t, off_in_addr)?;
    }
    let mut off_out = None;
    if off_out_addr != 0 {
        if splice::is_pipe(&fout) {
            return Err(Errno::ESPIPE);
        }
        off_out = read_off(t, off_out_addr)?;
    }
    let r = splice::splice(&fin, off_in.as_mut(), &fout, off_out.as_mut(), len, fl);
    sigpipe_on_epipe(t, &r);
    let n = r?;
    write_off(t, off_in_addr, off_in)?;
    write_off(t, off_out_addr, off_out)?;
    Ok(n as u64)
}

/// tee(2).
pub fn sys_tee(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [fd_in, fd_out, len, fl, ..] = a.a;
    if fl as u32 & !flags::ALL != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let fin = t.file(fd_arg(fd_in))?;
    let fout = t.file(fd_arg(fd_out))?;
    let r = splice::tee(&fin, &fout, len, fl as u32);
    sigpipe_on_epipe(t, &r);
    Ok(r? as u64)
}

/// vmsplice(2): the application's memory into a pipe (write end) or a
/// pipe's bytes into the application's memory (read end).
pub fn sys_vmsplice(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [fd, iov, nr_segs, fl, ..] = a.a;
    let fl = fl as u32;
    if fl & !flags::ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let f = t.file(fd_arg(fd))?;
    let to_pipe = if f.writable() {
        true
    } else if f.readable() {
        false
    } else {
        return Err(Errno::EBADF);
    };
    let vecs = read_iovecs(t, iov, nr_segs)?;
    let total: u64 = vecs.iter().map(|v| v.1).sum();
    if total == 0 {
        return Ok(0);
    }
    let Some(pipe) = Pipe::of(&f) else {
        return Err(Errno::EBADF.why("vmsplice needs a sentry pipe"));
    };
    let total = total.min(sentry::vfs::MAX_RW_COUNT) as usize;
    let nonblock = fl & flags::NONBLOCK != 0 || f.flags() & O_NONBLOCK != 0;
    let t = &*t;
    let r = if to_pipe {
        pipe.fill_from(total, nonblock, &mut |buf| gather(t, &vecs, buf))
    } else {
        let mut at = (0, 0);
        pipe.drain_to(total, nonblock, &mut |piece| {
            scatter(t, &vecs, &mut at, piece)
        })
    };
    sigpipe_on_epipe(t, &r);
    Ok(r? as u64)
}

/// Fills `buf` from the iovecs in order; a fault ends it (EFAULT if
/// nothing was copied).
fn gather(t: &Task, vecs: &[(u64, u64)], buf: &mut [u8]) -> KResult<usize> {
    let mut done = 0;
    for &(base, len) in vecs {
        if done == buf.len() {
            break;
        }
        let k = (len as usize).min(buf.len() - done);
        if k == 0 {
            continue;
        }
        if let Err(e) = t.copy_in(base, &mut buf[done..done + k]) {
            return if done > 0 { Ok(done) } else { Err(e) };
        }
        done += k;
    }
    Ok(done)
}

/// Copies `piece` into the iovecs from position `at` (iovec index, offset
/// in it), advancing it; a fault ends it (EFAULT if nothing was copied).
fn scatter(t: &Task, vecs: &[(u64, u64)], at: &mut (usize, u64), piece: &[u8]) -> KResult<usize> {
    let mut done = 0;
    while done < piece.len() {
        let Some(&(base, len)) = vecs.get(at.0) else {
            break;
        };
        let k = ((len - at.1) as usize).min(piece.len() - done);
        if k > 0
            && let Err(e) = t.copy_out(base.wrapping_add(at.1), &piece[done..done + k])
        {
            return if done > 0 { Ok(done) } else { Err(e) };
        }
        done += k;
        at.1 += k as u64;
        if at.1 == len {
            *at = (at.0 + 1, 0);
        }
    }
    Ok(done)
}

/// sendfile(2).
pub fn sys_sendfile(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [out_fd, in_fd, off_addr, count, ..] = a.a;
    let mut off = read_off(t, off_addr)?;
    let fin = t.file(fd_arg(in_fd))?;
    let r = splice::sendfile(&fin, off.as_mut(), || t.file(fd_arg(out_fd)), count);
    sigpipe_on_epipe(t, &r);
    write_off(t, off_addr, off)?;
    Ok(r? as u64)
}

/// copy_file_range(2).
pub fn sys_copy_file_range(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [fd_in, off_in_addr, fd_out, off_out_addr, len, fl] = a.a;
    let fin = t.file(fd_arg(fd_in))?;
    let fout = t.file(fd_arg(fd_out))?;
    let mut off_in = read_off(t, off_in_addr)?;
    let mut off_out = read_off(t, off_out_addr)?;
    if fl as u32 != 0 {
        return Err(Errno::EINVAL);
    }
    let n = splice::copy_file_range(&fin, off_in.as_mut(), &fout, off_out.as_mut(), len)?;
    if n > 0 {
        write_off(t, off_in_addr, off_in)?;
        write_off(t, off_out_addr, off_out)?;
    }
    Ok(n as u64)
}
