//! The gofer server loop: answers read-only file requests against a root
//! directory fd.
//!
//! Every path is opened with `openat2(root, path, RESOLVE_BENEATH |
//! RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`, so the host never follows
//! a symlink on the server's behalf and never leaves the root. Nothing here
//! writes to the host file system. Malformed datagrams end the connection
//! with [`GoferError::Protocol`]; failed operations are answered with an
//! `Error{errno}` reply. No request can make the loop panic.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use crate::error::GoferError;
use crate::sys;
use crate::wire::{
    self, DirEntry, HEADER_LEN, MAX_LINK_LEN, MAX_MESSAGE_SIZE, MAX_PATH_LEN, PROTOCOL_VERSION,
    Reply, Request, Stat, StatFs,
};

/// `RESOLVE_*` flags used for every lookup.
const RESOLVE: u64 =
    libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;

/// Size of the `getdents64` buffer.
const DENTS_BUF: usize = 32 * 1024;

/// Result of one request handler: the reply, possibly with an fd to donate.
type Handled = Result<(Reply, Option<OwnedFd>), i32>;

/// Serves requests on `sock` against the directory `root` until the peer
/// closes the connection.
///
/// Returns `Ok(())` on orderly shutdown (EOF, `ECONNRESET`, `EPIPE`),
/// [`GoferError::VersionMismatch`] if the Hello exchange fails (after
/// telling the peer our version), [`GoferError::Protocol`] if the peer sent
/// a malformed or out-of-order message (the connection is then dropped),
/// and [`GoferError::Io`] for other socket errors.
pub fn serve(root: OwnedFd, sock: OwnedFd) -> Result<(), GoferError> {
    let mut buf = vec![0u8; MAX_MESSAGE_SIZE];
    let mut greeted = false;
    loop {
        let msg = match sys::recv_with_fds(sock.as_fd(), &mut buf) {
            Ok(m) => m,
            Err(e) if peer_gone(&e) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if msg.len == 0 {
            // EOF (a zero-length datagram is treated the same way).
            return Ok(());
        }
        if msg.truncated {
            return Err(GoferError::Protocol("request exceeds MAX_MESSAGE_SIZE"));
        }
        if !msg.fds.is_empty() || msg.ctruncated {
            return Err(GoferError::Protocol("request carried file descriptors"));
        }
        let datagram = buf
            .get(..msg.len)
            .ok_or(GoferError::Protocol("bad length"))?;
        let (tag, req) = wire::decode_request(datagram)?;
        log::trace!("gofer: request tag={tag} {req:?}");

        let (reply, fd) = match (greeted, req) {
            (false, Request::Hello { version }) => {
                send(
                    &sock,
                    tag,
                    &Reply::Hello {
                        version: PROTOCOL_VERSION,
                    },
                    None,
                )?;
                if version != PROTOCOL_VERSION {
                    return Err(GoferError::VersionMismatch {
                        ours: PROTOCOL_VERSION,
                        theirs: version,
                    });
                }
                greeted = true;
                continue;
            }
            (false, _) => return Err(GoferError::Protocol("first message was not Hello")),
            (true, Request::Hello { .. }) => return Err(GoferError::Protocol("duplicate Hello")),
            (true, req) => match handle(root.as_fd(), req) {
                Ok(r) => r,
                Err(errno) => (
                    Reply::Error {
                        errno: sanitize_errno(errno),
                    },
                    None,
                ),
            },
        };
        match send(&sock, tag, &reply, fd) {
            Ok(()) => {}
            Err(GoferError::Io(e)) if peer_gone(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

fn peer_gone(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ECONNRESET | libc::EPIPE))
}

fn sanitize_errno(errno: i32) -> i32 {
    if (1..=4095).contains(&errno) {
        errno
    } else {
        libc::EIO
    }
}

fn send(sock: &OwnedFd, tag: u32, reply: &Reply, fd: Option<OwnedFd>) -> Result<(), GoferError> {
    let bytes = match wire::encode_reply(tag, reply) {
        Ok(b) => b,
        Err(e) => {
            // Cannot happen for replies we build (sizes are capped), but
            // never let it kill the session: report EIO instead.
            log::warn!("gofer: cannot encode reply: {e}");
            wire::encode_reply(tag, &Reply::Error { errno: libc::EIO })?
        }
    };
    let fds: Vec<BorrowedFd<'_>> = fd.as_ref().map(|f| f.as_fd()).into_iter().collect();
    sys::send_with_fds(sock.as_fd(), &bytes, &fds)?;
    // `fd` (our copy of the donated descriptor) is closed here.
    Ok(())
}

fn handle(root: BorrowedFd<'_>, req: Request) -> Handled {
    match req {
        Request::Hello { .. } => Err(libc::EINVAL),
        Request::Lstat { path } => {
            let f = open_path(root, &path)?;
            Ok((Reply::Stat(stat_of(f.as_fd())?), None))
        }
        Request::Open { path, flags } => open(root, &path, flags),
        Request::ReadDir { path, offset } => read_dir(root, &path, offset),
        Request::ReadLink { path } => {
            let f = open_path(root, &path)?;
            // readlinkat(fd, "") on a non-symlink reports ENOENT; readlink(2)
            // semantics (what the guest expects) are EINVAL.
            if stat_of(f.as_fd())?.mode & libc::S_IFMT != libc::S_IFLNK {
                return Err(libc::EINVAL);
            }
            let mut buf = [0u8; MAX_LINK_LEN + 1];
            let n = sys::readlink_fd(f.as_fd(), &mut buf).map_err(errno)?;
            if n > MAX_LINK_LEN {
                return Err(libc::ENAMETOOLONG);
            }
            let target = buf.get(..n).ok_or(libc::EIO)?.to_vec();
            Ok((Reply::LinkTarget(target), None))
        }
        Request::StatFs { path } => {
            let f = open_path(root, &path)?;
            let s = sys::fstatfs(f.as_fd()).map_err(errno)?;
            Ok((Reply::StatFs(convert_statfs(&s)), None))
        }
    }
}

fn errno(e: io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// Validates a request path and turns it into a C string for `openat2`.
///
/// Rejects (with `EINVAL`) absolute paths, NUL bytes, empty components
/// (`a//b`, trailing `/`) and `..` components; `""` means the root.
fn check_path(path: &[u8]) -> Result<CString, i32> {
    if path.len() > MAX_PATH_LEN {
        return Err(libc::ENAMETOOLONG);
    }
    if path.is_empty() {
        return Ok(c".".to_owned());
    }
    if path.first() == Some(&b'/') {
        return Err(libc::EINVAL);
    }
    if path
        .split(|b| *b == b'/')
        .any(|c| c.is_empty() || c == b"..")
    {
        return Err(libc::EINVAL);
    }
    CString::new(path).map_err(|_| libc::EINVAL)
}

fn open_beneath(root: BorrowedFd<'_>, path: &[u8], flags: i32) -> Result<OwnedFd, i32> {
    let c = check_path(path)?;
    let flags = (flags | libc::O_CLOEXEC) as u32 as u64;
    let mut tries = 0;
    loop {
        match sys::openat2(root, &c, flags, RESOLVE) {
            Ok(fd) => return Ok(fd),
            // openat2 returns EAGAIN when a concurrent rename might have
            // let RESOLVE_BENEATH be bypassed; retrying is the documented
            // answer.
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) && tries < 8 => tries += 1,
            Err(e) => return Err(errno(e)),
        }
    }
}

/// `O_PATH | O_NOFOLLOW` handle on `path` itself (even when it is a
/// symlink, a fifo or a device): opening it has no side effects.
fn open_path(root: BorrowedFd<'_>, path: &[u8]) -> Result<OwnedFd, i32> {
    open_beneath(root, path, libc::O_PATH | libc::O_NOFOLLOW)
}

fn stat_of(fd: BorrowedFd<'_>) -> Result<Stat, i32> {
    let s = sys::fstat(fd).map_err(errno)?;
    Ok(Stat {
        dev: s.st_dev,
        ino: s.st_ino,
        mode: s.st_mode,
        nlink: s.st_nlink,
        uid: s.st_uid,
        gid: s.st_gid,
        rdev: s.st_rdev,
        size: s.st_size,
        blksize: s.st_blksize,
        blocks: s.st_blocks,
        atime_sec: s.st_atime,
        atime_nsec: s.st_atime_nsec,
        mtime_sec: s.st_mtime,
        mtime_nsec: s.st_mtime_nsec,
        ctime_sec: s.st_ctime,
        ctime_nsec: s.st_ctime_nsec,
    })
}

fn convert_statfs(s: &libc::statfs64) -> StatFs {
    StatFs {
        fs_type: s.f_type,
        bsize: s.f_bsize,
        blocks: s.f_blocks,
        bfree: s.f_bfree,
        bavail: s.f_bavail,
        files: s.f_files,
        ffree: s.f_ffree,
        fsid: sys::fsid_words(&s.f_fsid),
        namelen: s.f_namelen,
        frsize: s.f_frsize,
        flags: s.f_flags,
    }
}

/// Every `O_*` bit Linux knows for `open(2)` (`VALID_OPEN_FLAGS`).
const KNOWN_FLAGS: i32 = libc::O_ACCMODE
    | libc::O_CREAT
    | libc::O_EXCL
    | libc::O_NOCTTY
    | libc::O_TRUNC
    | libc::O_APPEND
    | libc::O_NONBLOCK
    | libc::O_DSYNC
    | libc::O_ASYNC
    | libc::O_DIRECT
    | libc::O_LARGEFILE
    | libc::O_DIRECTORY
    | libc::O_NOFOLLOW
    | libc::O_NOATIME
    | libc::O_CLOEXEC
    | libc::O_SYNC
    | libc::O_PATH
    | libc::O_TMPFILE;

/// Bits that mean "modify the file system".
const WRITE_INTENT: i32 = libc::O_CREAT
    | libc::O_EXCL
    | libc::O_TRUNC
    | libc::O_APPEND
    | (libc::O_TMPFILE & !libc::O_DIRECTORY);

/// Bits a client may pass. `O_CLOEXEC`, `O_LARGEFILE` and `O_NOCTTY` are
/// accepted and ignored (the donated fd is always close-on-exec on both
/// sides, 64-bit opens are always large-file, and the gofer never acquires
/// a controlling terminal).
const ALLOWED_FLAGS: i32 = libc::O_DIRECTORY
    | libc::O_NOFOLLOW
    | libc::O_PATH
    | libc::O_CLOEXEC
    | libc::O_LARGEFILE
    | libc::O_NOCTTY;

/// Checks client open flags; returns the flags to pass to `openat2`.
pub(crate) fn check_open_flags(flags: i32) -> Result<i32, i32> {
    if flags & !KNOWN_FLAGS != 0 || flags & libc::O_ACCMODE == libc::O_ACCMODE {
        return Err(libc::EINVAL);
    }
    if flags & libc::O_ACCMODE != libc::O_RDONLY || flags & WRITE_INTENT != 0 {
        return Err(libc::EROFS);
    }
    if flags & !ALLOWED_FLAGS != 0 {
        return Err(libc::EINVAL);
    }
    let pass = flags & (libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_PATH);
    if pass & libc::O_PATH != 0 {
        Ok(pass)
    } else {
        // O_NONBLOCK so opening a fifo or device can never block the
        // server; it is cleared again before the fd is donated.
        Ok(pass | libc::O_NONBLOCK | libc::O_NOCTTY)
    }
}

fn open(root: BorrowedFd<'_>, path: &[u8], flags: i32) -> Handled {
    let host_flags = check_open_flags(flags)?;
    let fd = open_beneath(root, path, host_flags)?;
    let st = stat_of(fd.as_fd())?;
    if host_flags & libc::O_PATH == 0 {
        // Only regular files and directories are really opened for the
        // sentry; fifos, sockets and device nodes must be handled by the
        // sentry itself (use O_PATH or lstat for those).
        let fmt = st.mode & libc::S_IFMT;
        if fmt != libc::S_IFREG && fmt != libc::S_IFDIR {
            return Err(libc::ENXIO);
        }
        let fl = sys::get_status_flags(fd.as_fd()).map_err(errno)?;
        sys::set_status_flags(fd.as_fd(), fl & !libc::O_NONBLOCK).map_err(errno)?;
    }
    Ok((Reply::Opened(st), Some(fd)))
}

/// Size budget of a `DirEntries` reply without any entries.
const DIR_REPLY_OVERHEAD: usize = HEADER_LEN + 4 + 1 + 8;

fn read_dir(root: BorrowedFd<'_>, path: &[u8], offset: u64) -> Handled {
    let dir = open_beneath(root, path, libc::O_RDONLY | libc::O_DIRECTORY)?;
    // (A final symlink fails with ELOOP from RESOLVE_NO_SYMLINKS.)
    if offset != 0 {
        let off = i64::try_from(offset).map_err(|_| libc::EINVAL)?;
        sys::lseek_set(dir.as_fd(), off).map_err(errno)?;
    }
    let mut buf = vec![0u8; DENTS_BUF];
    let mut entries = Vec::new();
    let mut used = DIR_REPLY_OVERHEAD;
    // Cookie of the last record consumed (included or skipped).
    let mut last_off: Option<u64> = None;
    loop {
        let n = sys::getdents64(dir.as_fd(), &mut buf).map_err(errno)?;
        if n == 0 {
            return Ok((
                Reply::DirEntries {
                    entries,
                    next: None,
                },
                None,
            ));
        }
        let records = buf.get(..n).ok_or(libc::EIO)?;
        for rec in Dirents::new(records) {
            let rec = rec?;
            if rec.name != b"." && rec.name != b".." {
                let need = DirEntry::wire_len(rec.name.len());
                if used + need > MAX_MESSAGE_SIZE {
                    // Page full: resume after the last consumed record.
                    let next = last_off.unwrap_or(offset);
                    return Ok((
                        Reply::DirEntries {
                            entries,
                            next: Some(next),
                        },
                        None,
                    ));
                }
                used += need;
                entries.push(DirEntry {
                    name: rec.name.to_vec(),
                    ino: rec.ino,
                    d_type: rec.d_type,
                });
            }
            last_off = Some(rec.off);
        }
    }
}

/// One parsed `linux_dirent64` record.
struct Dirent<'a> {
    ino: u64,
    off: u64,
    d_type: u8,
    name: &'a [u8],
}

/// Checked iterator over the records `getdents64` wrote.
struct Dirents<'a> {
    r: wire::Reader<'a>,
}

impl<'a> Dirents<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Dirents {
            r: wire::Reader::new(buf),
        }
    }

    fn parse(&mut self) -> Result<Dirent<'a>, GoferError> {
        const W: &str = "malformed linux_dirent64";
        let ino = self.r.u64(W)?;
        let off = self.r.u64(W)?;
        let reclen = usize::from(self.r.u16(W)?);
        let d_type = self.r.u8(W)?;
        let rest = self
            .r
            .take(reclen.checked_sub(19).ok_or(GoferError::Protocol(W))?, W)?;
        let nul = rest
            .iter()
            .position(|b| *b == 0)
            .ok_or(GoferError::Protocol(W))?;
        let name = rest.get(..nul).ok_or(GoferError::Protocol(W))?;
        if name.is_empty() || name.len() > wire::MAX_NAME_LEN || name.contains(&b'/') {
            return Err(GoferError::Protocol(W));
        }
        Ok(Dirent {
            ino,
            off,
            d_type,
            name,
        })
    }
}

impl<'a> Iterator for Dirents<'a> {
    type Item = Result<Dirent<'a>, i32>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.r.remaining() == 0 {
            return None;
        }
        match self.parse() {
            Ok(d) => Some(Ok(d)),
            Err(_) => {
                // Stop iterating; report EIO to the client.
                let rest = self.r.remaining();
                let _ = self.r.take(rest, "");
                Some(Err(libc::EIO))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_checks() {
        assert_eq!(check_path(b"").unwrap().as_bytes(), b".");
        assert!(check_path(b"a/b/c").is_ok());
        assert!(check_path(b"./a").is_ok());
        for bad in [
            &b"/etc"[..],
            b"a//b",
            b"a/",
            b"..",
            b"a/../b",
            b"a/..",
            b"a\0b",
        ] {
            assert_eq!(check_path(bad), Err(libc::EINVAL), "{bad:?}");
        }
        assert_eq!(
            check_path(&vec![b'a'; MAX_PATH_LEN + 1]),
            Err(libc::ENAMETOOLONG)
        );
    }

    #[test]
    fn open_flag_policy() {
        use libc::*;
        assert_eq!(check_open_flags(O_RDONLY), Ok(O_NONBLOCK | O_NOCTTY));
        assert_eq!(
            check_open_flags(O_PATH | O_NOFOLLOW | O_CLOEXEC),
            Ok(O_PATH | O_NOFOLLOW)
        );
        assert!(check_open_flags(O_DIRECTORY | O_LARGEFILE).is_ok());
        for w in [
            O_WRONLY,
            O_RDWR,
            O_CREAT,
            O_TRUNC,
            O_APPEND,
            O_EXCL,
            O_TMPFILE,
            O_WRONLY | O_SYNC,
        ] {
            assert_eq!(check_open_flags(w), Err(EROFS), "{w:#x}");
        }
        for inval in [
            O_ACCMODE,
            0x4000_0000,
            O_NONBLOCK,
            O_DIRECT,
            O_NOATIME,
            O_SYNC,
            O_ASYNC,
        ] {
            assert_eq!(check_open_flags(inval), Err(EINVAL), "{inval:#x}");
        }
    }

    #[test]
    fn dirent_parser_survives_garbage() {
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..5000 {
            let len = (x % 200) as usize;
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v.push(x as u8);
            }
            for d in Dirents::new(&v) {
                let _ = d;
            }
        }
    }
}
