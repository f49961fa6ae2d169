//! Moving bytes between open files without a user buffer: `splice(2)`,
//! `tee(2)`, `sendfile(2)` and `copy_file_range(2)`, with Linux's checks
//! in Linux's order (fs/splice.c, fs/read_write.c). The pipe side of each
//! transfer is in `fsimpl::pipe` ([`Pipe::transfer`], [`Pipe::drain_to`],
//! [`Pipe::fill_from`]); this module picks the path, checks the file side
//! (access modes, offsets, O_APPEND) and reads or writes it through the
//! description, at its cursor or at an offset the caller keeps.
//!
//! Offsets are `loff_t` values as the application passed them, carried in
//! a `u64`; one that is negative as an `i64` is refused before any use.
//!
//! Differences from Linux (bytes are copied, never page references moved):
//! - a donated host pipe counts as a pipe for the checks, but is read and
//!   written like a file: SPLICE_F_NONBLOCK does not apply to it, and two
//!   ends of one host pipe are not recognised as the same pipe;
//! - `copy_file_range` copies between any two regular files, where Linux
//!   answers EXDEV across some file systems;
//! - file to file copies (`sendfile` to a non-pipe, `copy_file_range`) go
//!   in 1 MiB pieces and stop early, with the count so far, when a signal
//!   arrives.
//!
//! Lock order: as `fsimpl::pipe` (pipe state > `OpenFile::pos`).

use super::{FileType, MAX_RW_COUNT, OpenFile, oflags, same_inode};
use crate::errno::{Errno, KResult};
use crate::fsimpl::pipe::{PIPE_CAPACITY, Pipe};

/// Bounce buffer of file to file copies.
const CHUNK: usize = 1 << 20;

/// SPLICE_F_* flags.
pub mod flags {
    pub const MOVE: u32 = 1;
    pub const NONBLOCK: u32 = 2;
    pub const MORE: u32 = 4;
    pub const GIFT: u32 = 8;
    /// Every flag splice, tee and vmsplice accept.
    pub const ALL: u32 = MOVE | NONBLOCK | MORE | GIFT;
}

/// Whether the splice family treats `f` as a pipe: a sentry pipe end or a
/// donated host FIFO.
pub fn is_pipe(f: &OpenFile) -> bool {
    Pipe::of(f).is_some()
        || f.inode
            .stat()
            .is_ok_and(|s| s.file_type() == FileType::Fifo)
}

fn nonblocking(f: &OpenFile) -> bool {
    f.flags() & oflags::O_NONBLOCK != 0
}

/// Linux's `rw_verify_area`: a count that is negative as a signed size, a
/// negative offset, or an end past the largest offset is EINVAL.
fn verify_area(pos: u64, count: u64) -> KResult<()> {
    let count = i64::try_from(count).map_err(|_| Errno::EINVAL)?;
    if (pos as i64) < 0 || (pos as i64).checked_add(count).is_none() {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Where a file side reads or writes: its description's cursor, or an
/// offset the caller keeps (an `off_in`/`off_out` pointer).
enum Pos<'a> {
    Cursor,
    At(&'a mut u64),
}

impl<'a> Pos<'a> {
    /// From an offset argument, after checking `count` against it (or
    /// against the cursor) as Linux does.
    fn new(f: &OpenFile, off: Option<&'a mut u64>, count: u64) -> KResult<Pos<'a>> {
        let pos = match &off {
            Some(o) => **o,
            None if f.imp.seekable() => cursor(f),
            None => 0,
        };
        verify_area(pos, count)?;
        Ok(off.map_or(Pos::Cursor, Pos::At))
    }

    fn read(&mut self, f: &OpenFile, buf: &mut [u8]) -> KResult<usize> {
        match self {
            Pos::Cursor => f.read(buf),
            Pos::At(off) => {
                let n = f.pread(buf, **off)?;
                **off += n as u64;
                Ok(n)
            }
        }
    }

    fn write(&mut self, f: &OpenFile, buf: &[u8]) -> KResult<usize> {
        match self {
            Pos::Cursor => f.write(buf),
            Pos::At(off) => {
                let n = f.pwrite(buf, **off)?;
                **off += n as u64;
                Ok(n)
            }
        }
    }

    /// Gives back `n` bytes that were read but not delivered.
    fn unread(&mut self, f: &OpenFile, n: usize) {
        match self {
            Pos::Cursor if f.imp.seekable() => {
                let _ = f.seek(-(n as i64), 1);
            }
            Pos::Cursor => {}
            Pos::At(off) => **off -= n as u64,
        }
    }
}

/// The description's cursor.
fn cursor(f: &OpenFile) -> u64 {
    *f.pos.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether bytes can be spliced out of `f` (Linux: it has `splice_read`):
/// directories and pipes (read through their own path) cannot.
fn check_splice_read(f: &OpenFile) -> KResult<()> {
    let kind = f.inode.stat()?.file_type();
    if kind == FileType::Directory || kind == FileType::Fifo {
        return Err(Errno::EINVAL.why("this file cannot be spliced from"));
    }
    Ok(())
}

/// File (or donated host pipe) to pipe: reads at most what the pipe has
/// room for.
fn file_to_pipe(
    src: &OpenFile,
    mut pos: Pos,
    pipe: &Pipe,
    len: u64,
    nonblock: bool,
) -> KResult<usize> {
    let from_pipe = is_pipe(src);
    pipe.fill_from(len as usize, nonblock, &mut |buf| {
        if buf.is_empty() {
            return Ok(0);
        }
        if !from_pipe {
            check_splice_read(src)?;
        }
        pos.read(src, buf)
    })
}

/// File to file through a bounce buffer. A stream source (pipe, terminal)
/// is read once: it gave what it had.
fn file_to_file(
    src: &OpenFile,
    mut src_pos: Pos,
    dst: &OpenFile,
    mut dst_pos: Pos,
    len: u64,
) -> KResult<usize> {
    let len = len.min(MAX_RW_COUNT) as usize;
    let stream = !src.imp.seekable();
    let mut buf = vec![0u8; len.min(CHUNK)];
    let mut total = 0;
    while total < len {
        let want = (len - total).min(buf.len());
        let n = match src_pos.read(src, &mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        };
        let w = match dst_pos.write(dst, &buf[..n]) {
            Ok(w) => w.min(n),
            Err(e) => {
                src_pos.unread(src, n);
                if total > 0 {
                    break;
                }
                return Err(e);
            }
        };
        if w < n {
            src_pos.unread(src, n - w);
        }
        total += w;
        if w < want || stream || crate::kernel::current::interrupted() {
            break;
        }
    }
    Ok(total)
}

/// splice(2), once the file descriptors are looked up and the offsets read.
/// `off_in`/`off_out` are advanced by what moved.
pub fn splice(
    fin: &OpenFile,
    off_in: Option<&mut u64>,
    fout: &OpenFile,
    off_out: Option<&mut u64>,
    len: u64,
    flags: u32,
) -> KResult<usize> {
    if !fin.readable() || !fout.writable() {
        return Err(Errno::EBADF);
    }
    let nonblock = flags & flags::NONBLOCK != 0;
    match (Pipe::of(fin), Pipe::of(fout)) {
        (Some(pin), Some(pout)) => {
            let nonblock = nonblock || nonblocking(fin) || nonblocking(fout);
            pin.transfer(pout, len.min(MAX_RW_COUNT) as usize, nonblock, false)
        }
        (Some(pin), None) => {
            let mut pos = out_side(fout, off_out, len)?;
            let nonblock = nonblock || nonblocking(fin);
            pin.drain_to(len.min(MAX_RW_COUNT) as usize, nonblock, &mut |b| {
                pos.write(fout, b)
            })
        }
        (None, Some(pout)) => {
            let pos = in_side(fin, off_in, len)?;
            let nonblock = nonblock || nonblocking(fout);
            file_to_pipe(fin, pos, pout, len, nonblock)
        }
        // A donated host pipe on one side: copy one pipe's worth.
        (None, None) if is_pipe(fin) || is_pipe(fout) => {
            let dst_pos = out_side(fout, off_out, len)?;
            let src_pos = in_side(fin, off_in, len)?;
            if !is_pipe(fin) {
                check_splice_read(fin)?;
            }
            file_to_file(fin, src_pos, fout, dst_pos, len.min(PIPE_CAPACITY as u64))
        }
        (None, None) => Err(Errno::EINVAL.why("neither end is a pipe")),
    }
}

/// The checks of a non-pipe output of splice.
fn out_side<'a>(f: &OpenFile, off: Option<&'a mut u64>, len: u64) -> KResult<Pos<'a>> {
    if off.is_some() && !f.imp.seekable() {
        return Err(Errno::EINVAL);
    }
    if f.flags() & oflags::O_APPEND != 0 && !is_pipe(f) {
        return Err(Errno::EINVAL.why("splice to an O_APPEND file"));
    }
    Pos::new(f, off, len)
}

/// The checks of a non-pipe input of splice.
fn in_side<'a>(f: &OpenFile, off: Option<&'a mut u64>, len: u64) -> KResult<Pos<'a>> {
    if off.is_some() && !f.imp.seekable() {
        return Err(Errno::EINVAL);
    }
    Pos::new(f, off, len)
}

/// tee(2): copies up to `len` bytes from the pipe `fin` into the pipe
/// `fout` without consuming them.
pub fn tee(fin: &OpenFile, fout: &OpenFile, len: u64, flags: u32) -> KResult<usize> {
    if !fin.readable() || !fout.writable() {
        return Err(Errno::EBADF);
    }
    let (Some(pin), Some(pout)) = (Pipe::of(fin), Pipe::of(fout)) else {
        return Err(Errno::EINVAL.why("tee needs two pipes"));
    };
    let nonblock = flags & flags::NONBLOCK != 0 || nonblocking(fin) || nonblocking(fout);
    pin.transfer(pout, len.min(MAX_RW_COUNT) as usize, nonblock, true)
}

/// sendfile(2): from `fin` (at `off`, or its cursor) into `fout` (at its
/// cursor). `off` is advanced by what moved. `fout` is only asked for
/// once `fin` passed its checks, as Linux looks the descriptors up.
pub fn sendfile(
    fin: &OpenFile,
    off: Option<&mut u64>,
    fout: impl FnOnce() -> KResult<std::sync::Arc<OpenFile>>,
    count: u64,
) -> KResult<usize> {
    if !fin.readable() {
        return Err(Errno::EBADF);
    }
    if off.is_some() && !fin.imp.seekable() {
        return Err(Errno::ESPIPE);
    }
    let pos = Pos::new(fin, off, count)?;
    let count = count.min(MAX_RW_COUNT);
    let fout = fout()?;
    if !fout.writable() {
        return Err(Errno::EBADF);
    }
    if let Some(pout) = Pipe::of(&fout) {
        if is_pipe(fin) {
            return Err(Errno::EINVAL.why("sendfile from a pipe"));
        }
        return file_to_pipe(fin, pos, pout, count, nonblocking(&fout));
    }
    if fout.flags() & oflags::O_APPEND != 0 {
        return Err(Errno::EINVAL.why("sendfile to an O_APPEND file"));
    }
    check_splice_read(fin)?;
    if count == 0 {
        return Ok(0);
    }
    file_to_file(fin, pos, &fout, Pos::Cursor, count)
}

/// copy_file_range(2) with flags 0: between two regular files, shortened
/// at the end of `fin`; `off_in`/`off_out` are advanced by what moved.
pub fn copy_file_range(
    fin: &OpenFile,
    off_in: Option<&mut u64>,
    fout: &OpenFile,
    off_out: Option<&mut u64>,
    len: u64,
) -> KResult<usize> {
    let sin = fin.inode.stat()?;
    let sout = fout.inode.stat()?;
    if sin.file_type() == FileType::Directory || sout.file_type() == FileType::Directory {
        return Err(Errno::EISDIR);
    }
    if sin.file_type() != FileType::Regular || sout.file_type() != FileType::Regular {
        return Err(Errno::EINVAL);
    }
    if !fin.readable() || !fout.writable() || fout.flags() & oflags::O_APPEND != 0 {
        return Err(Errno::EBADF);
    }
    let pin = off_in.as_deref().copied().unwrap_or_else(|| cursor(fin));
    let pout = off_out.as_deref().copied().unwrap_or_else(|| cursor(fout));
    if pin.checked_add(len).is_none() || pout.checked_add(len).is_none() {
        return Err(Errno::EOVERFLOW);
    }
    // Shorten to the end of the input (offsets compare signed, as loff_t).
    let left = (i128::from(sin.size) - i128::from(pin as i64)).max(0);
    let len = len.min(u64::try_from(left).unwrap_or(u64::MAX));
    if same_inode(&fin.inode, &fout.inode) && pout + len > pin && pout < pin + len {
        return Err(Errno::EINVAL.why("overlapping copy within one file"));
    }
    let src = Pos::new(fin, off_in, len)?;
    let dst = Pos::new(fout, off_out, len)?;
    if len == 0 {
        return Ok(0);
    }
    file_to_file(fin, src, fout, dst, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_area_is_rw_verify_area() {
        assert_eq!(verify_area(0, 10), Ok(()));
        assert_eq!(verify_area(-1i64 as u64, 0), Err(Errno::EINVAL));
        assert_eq!(verify_area(0, u64::MAX), Err(Errno::EINVAL));
        assert_eq!(verify_area(i64::MAX as u64, 1), Err(Errno::EINVAL));
        assert_eq!(verify_area(i64::MAX as u64, 0), Ok(()));
    }
}
