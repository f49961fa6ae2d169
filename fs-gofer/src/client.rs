//! The sentry's side of the connection: a thread-safe, blocking client.
//!
//! One request is outstanding at a time; concurrent callers queue on an
//! internal mutex. After a transport or protocol failure the client marks
//! itself broken and every later call fails fast with
//! [`GoferError::Protocol`].

use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Mutex, MutexGuard};

use crate::error::GoferError;
use crate::sys;
use crate::wire::{
    self, DirEntry, MAX_MESSAGE_SIZE, MAX_PATH_LEN, PROTOCOL_VERSION, Reply, Request, Stat, StatFs,
};

/// One page of a directory listing, as returned by [`GoferClient::read_dir_page`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirPage {
    /// Entries of this page (never `.` or `..`).
    pub entries: Vec<DirEntry>,
    /// Cookie to pass as `offset` for the next page; `None` at the end.
    pub next: Option<u64>,
}

#[derive(Debug)]
struct Conn {
    sock: OwnedFd,
    next_tag: u32,
    broken: bool,
    buf: Vec<u8>,
}

/// Client end of a gofer connection. `Send + Sync`; all methods take `&self`.
#[derive(Debug)]
pub struct GoferClient {
    conn: Mutex<Conn>,
}

impl GoferClient {
    /// Takes ownership of the sentry's end of the socket pair and performs
    /// the Hello exchange.
    pub fn connect(sock: OwnedFd) -> Result<Self, GoferError> {
        let client = GoferClient {
            conn: Mutex::new(Conn {
                sock,
                next_tag: 1,
                broken: false,
                buf: vec![0; MAX_MESSAGE_SIZE],
            }),
        };
        let (reply, _) = client.call(&Request::Hello {
            version: PROTOCOL_VERSION,
        })?;
        match reply {
            Reply::Hello { version } if version == PROTOCOL_VERSION => Ok(client),
            Reply::Hello { version } => Err(GoferError::VersionMismatch {
                ours: PROTOCOL_VERSION,
                theirs: version,
            }),
            _ => Err(GoferError::Protocol("unexpected reply to Hello")),
        }
    }

    /// `lstat` of `path` (a final symlink is not followed).
    pub fn lstat(&self, path: &[u8]) -> Result<Stat, GoferError> {
        match self
            .call(&Request::Lstat {
                path: checked(path)?,
            })?
            .0
        {
            Reply::Stat(s) => Ok(s),
            _ => Err(GoferError::Protocol("unexpected reply to Lstat")),
        }
    }

    /// Opens `path` read-only with `flags` and returns the donated fd (with
    /// `O_CLOEXEC` set) and its attributes.
    ///
    /// Accepted flags: `O_RDONLY` plus `O_DIRECTORY`, `O_NOFOLLOW`,
    /// `O_PATH` (and the no-ops `O_CLOEXEC`, `O_LARGEFILE`, `O_NOCTTY`).
    /// Write intent gives `EROFS`, other bits `EINVAL`; non-`O_PATH` opens of
    /// anything but regular files and directories give `ENXIO`.
    pub fn open(&self, path: &[u8], flags: i32) -> Result<(OwnedFd, Stat), GoferError> {
        let (reply, fd) = self.call(&Request::Open {
            path: checked(path)?,
            flags,
        })?;
        match (reply, fd) {
            (Reply::Opened(s), Some(fd)) => Ok((fd, s)),
            _ => Err(GoferError::Protocol("unexpected reply to Open")),
        }
    }

    /// Lists the whole directory `path` (following continuations).
    pub fn read_dir(&self, path: &[u8]) -> Result<Vec<DirEntry>, GoferError> {
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.read_dir_page(path, offset)?;
            all.extend(page.entries);
            match page.next {
                None => return Ok(all),
                Some(n) if n == offset => {
                    return Err(GoferError::Protocol(
                        "readdir continuation made no progress",
                    ));
                }
                Some(n) => offset = n,
            }
        }
    }

    /// Lists one page of the directory `path` starting at cookie `offset`
    /// (0 = start; otherwise a `next` value from an earlier page of the same
    /// directory).
    pub fn read_dir_page(&self, path: &[u8], offset: u64) -> Result<DirPage, GoferError> {
        match self
            .call(&Request::ReadDir {
                path: checked(path)?,
                offset,
            })?
            .0
        {
            Reply::DirEntries { entries, next } => Ok(DirPage { entries, next }),
            _ => Err(GoferError::Protocol("unexpected reply to ReadDir")),
        }
    }

    /// Target of the symlink `path`.
    pub fn read_link(&self, path: &[u8]) -> Result<Vec<u8>, GoferError> {
        match self
            .call(&Request::ReadLink {
                path: checked(path)?,
            })?
            .0
        {
            Reply::LinkTarget(t) => Ok(t),
            _ => Err(GoferError::Protocol("unexpected reply to ReadLink")),
        }
    }

    /// `statfs` of the file system holding `path`.
    pub fn stat_fs(&self, path: &[u8]) -> Result<StatFs, GoferError> {
        match self
            .call(&Request::StatFs {
                path: checked(path)?,
            })?
            .0
        {
            Reply::StatFs(s) => Ok(s),
            _ => Err(GoferError::Protocol("unexpected reply to StatFs")),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Conn> {
        // The guarded state stays consistent even if a holder panicked
        // (a half-finished exchange has already set `broken`).
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `req` and waits for its reply. An `Error{errno}` reply becomes
    /// [`GoferError::Remote`]; any fd is returned alongside.
    fn call(&self, req: &Request) -> Result<(Reply, Option<OwnedFd>), GoferError> {
        let mut conn = self.lock();
        if conn.broken {
            return Err(GoferError::Protocol(
                "connection broken by an earlier error",
            ));
        }
        let tag = conn.next_tag;
        conn.next_tag = conn.next_tag.wrapping_add(1);
        let out = wire::encode_request(tag, req)?;
        // Until a well-formed matching reply arrives, the stream may be out
        // of sync: any early return below leaves the connection broken.
        conn.broken = true;
        sys::send_with_fds(conn.sock.as_fd(), &out, &[])?;

        let Conn { sock, buf, .. } = &mut *conn;
        let msg = sys::recv_with_fds(sock.as_fd(), buf)?;
        if msg.len == 0 {
            return Err(GoferError::Io(std::io::Error::from_raw_os_error(
                libc::ECONNRESET,
            )));
        }
        if msg.truncated {
            return Err(GoferError::Protocol("reply exceeds MAX_MESSAGE_SIZE"));
        }
        if msg.ctruncated {
            return Err(GoferError::Protocol(
                "reply carried too many file descriptors",
            ));
        }
        let datagram = buf
            .get(..msg.len)
            .ok_or(GoferError::Protocol("bad length"))?;
        let (rtag, reply) = wire::decode_reply(datagram)?;
        if rtag != tag {
            return Err(GoferError::Protocol("reply tag does not match request"));
        }
        if msg.fds.len() != reply.fd_count() {
            return Err(GoferError::Protocol(
                "wrong number of file descriptors in reply",
            ));
        }
        let mut fds = msg.fds;
        conn.broken = false;
        match reply {
            Reply::Error { errno } => Err(GoferError::Remote(errno)),
            r => Ok((r, fds.pop())),
        }
    }
}

/// Copies a path for a request, refusing locally (with `ENAMETOOLONG`)
/// what the wire format cannot carry.
fn checked(path: &[u8]) -> Result<Vec<u8>, GoferError> {
    if path.len() > MAX_PATH_LEN {
        return Err(GoferError::Remote(libc::ENAMETOOLONG));
    }
    Ok(path.to_vec())
}
