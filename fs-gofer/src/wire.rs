//! The gofer wire protocol: message types and a hand-written,
//! panic-free encoder/decoder.
//!
//! Every message is exactly one `SOCK_SEQPACKET` datagram:
//!
//! ```text
//! +----------------+-------------+-------------+------------------+
//! | body_len: u32  | opcode: u16 | tag: u32    | body (body_len)  |
//! +----------------+-------------+-------------+------------------+
//! ```
//!
//! All integers are little-endian. `body_len` must equal the datagram length
//! minus [`HEADER_LEN`], and the whole datagram is at most
//! [`MAX_MESSAGE_SIZE`] bytes. The client picks `tag`; the server echoes it
//! in the reply. Byte strings are `u32` length + bytes. See
//! `docs/gofer-protocol.md` for the full description.
//!
//! Decoding never panics and never indexes unchecked: every read goes
//! through [`Reader`], which reports a [`GoferError::Protocol`] naming the
//! field that was malformed.

use crate::error::GoferError;

/// Version announced in the Hello exchange.
pub const PROTOCOL_VERSION: u32 = 1;
/// Size of the fixed message header (length, opcode, tag).
pub const HEADER_LEN: usize = 10;
/// Largest datagram either side sends or accepts (header included).
///
/// 128 KiB: a unix `SOCK_SEQPACKET` datagram must fit in the sender's
/// `SO_SNDBUF` (default `net.core.wmem_default` = 212992 bytes, minus
/// overhead), so larger messages would fail with `EMSGSIZE` on stock hosts.
pub const MAX_MESSAGE_SIZE: usize = 128 * 1024;
/// Largest path (in bytes) a request may carry (Linux `PATH_MAX`).
pub const MAX_PATH_LEN: usize = 4096;
/// Largest symlink target a reply may carry.
pub const MAX_LINK_LEN: usize = 4096;
/// Largest directory entry name (Linux `NAME_MAX`).
pub const MAX_NAME_LEN: usize = 255;

/// Wire opcodes. Replies have the high bit (0x8000) set.
pub mod opcode {
    /// Request: version handshake; must be the first message.
    pub const HELLO: u16 = 0x0001;
    /// Request: stat a path without following a final symlink.
    pub const LSTAT: u16 = 0x0002;
    /// Request: open a path read-only; the reply donates the fd.
    pub const OPEN: u16 = 0x0003;
    /// Request: list a directory starting at a continuation cookie.
    pub const READ_DIR: u16 = 0x0004;
    /// Request: read a symlink's target.
    pub const READ_LINK: u16 = 0x0005;
    /// Request: statfs of the file system holding a path.
    pub const STAT_FS: u16 = 0x0006;
    /// Reply to HELLO: the server's version.
    pub const R_HELLO: u16 = 0x8001;
    /// Reply to LSTAT: a [`super::Stat`].
    pub const R_STAT: u16 = 0x8002;
    /// Reply to OPEN: a [`super::Stat`] plus exactly one fd via `SCM_RIGHTS`.
    pub const R_OPENED: u16 = 0x8003;
    /// Reply to READ_DIR: entries and an optional continuation cookie.
    pub const R_DIR_ENTRIES: u16 = 0x8004;
    /// Reply to READ_LINK: the target bytes.
    pub const R_LINK_TARGET: u16 = 0x8005;
    /// Reply to STAT_FS: a [`super::StatFs`].
    pub const R_STAT_FS: u16 = 0x8006;
    /// Reply to any request: the operation failed with an errno.
    pub const R_ERROR: u16 = 0x80FF;
}

/// File attributes, as `lstat(2)`/`fstat(2)` report them on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stat {
    /// Host device number.
    pub dev: u64,
    /// Host inode number.
    pub ino: u64,
    /// File type and permission bits (`st_mode`).
    pub mode: u32,
    /// Link count.
    pub nlink: u64,
    /// Owner uid on the host.
    pub uid: u32,
    /// Owner gid on the host.
    pub gid: u32,
    /// Device number for device special files.
    pub rdev: u64,
    /// Size in bytes.
    pub size: i64,
    /// Preferred I/O block size.
    pub blksize: i64,
    /// Number of 512-byte blocks allocated.
    pub blocks: i64,
    /// Last access, seconds.
    pub atime_sec: i64,
    /// Last access, nanoseconds.
    pub atime_nsec: i64,
    /// Last modification, seconds.
    pub mtime_sec: i64,
    /// Last modification, nanoseconds.
    pub mtime_nsec: i64,
    /// Last status change, seconds.
    pub ctime_sec: i64,
    /// Last status change, nanoseconds.
    pub ctime_nsec: i64,
}

impl Stat {
    /// Encoded size on the wire.
    pub const WIRE_LEN: usize = 8 * 2 + 4 + 8 + 4 + 4 + 8 * 10;
}

/// File system statistics, as `fstatfs(2)` reports them on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatFs {
    /// File system magic (`f_type`).
    pub fs_type: i64,
    /// Optimal transfer block size (`f_bsize`).
    pub bsize: i64,
    /// Total data blocks.
    pub blocks: u64,
    /// Free blocks.
    pub bfree: u64,
    /// Free blocks available to unprivileged users.
    pub bavail: u64,
    /// Total inodes.
    pub files: u64,
    /// Free inodes.
    pub ffree: u64,
    /// File system id (`f_fsid`, both words).
    pub fsid: [i32; 2],
    /// Maximum file name length.
    pub namelen: i64,
    /// Fragment size.
    pub frsize: i64,
    /// Mount flags (`ST_*`).
    pub flags: i64,
}

impl StatFs {
    /// Encoded size on the wire.
    pub const WIRE_LEN: usize = 8 * 7 + 4 * 2 + 8 * 3;
}

/// One directory entry (never `.` or `..`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Entry name: 1..=255 bytes, no `/`, no NUL.
    pub name: Vec<u8>,
    /// Host inode number.
    pub ino: u64,
    /// `DT_*` type as reported by `getdents64` (may be `DT_UNKNOWN`).
    pub d_type: u8,
}

impl DirEntry {
    /// Encoded size of an entry with a name of `name_len` bytes.
    pub const fn wire_len(name_len: usize) -> usize {
        8 + 1 + 4 + name_len
    }
}

/// A request from the sentry (client) to the gofer (server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Version handshake; must be the first message of a connection.
    Hello {
        /// The client's [`PROTOCOL_VERSION`].
        version: u32,
    },
    /// `lstat` of `path`.
    Lstat {
        /// Relative, symlink-free path; empty = root.
        path: Vec<u8>,
    },
    /// Open `path` read-only with `flags` (`O_*` bits).
    Open {
        /// Relative, symlink-free path; empty = root.
        path: Vec<u8>,
        /// Linux open flags; see the server for the accepted subset.
        flags: i32,
    },
    /// List the directory `path` starting at continuation cookie `offset`
    /// (0 = beginning).
    ReadDir {
        /// Relative, symlink-free path; empty = root.
        path: Vec<u8>,
        /// 0, or a `next` cookie from a previous reply.
        offset: u64,
    },
    /// Read the target of the symlink `path`.
    ReadLink {
        /// Relative path of the symlink itself.
        path: Vec<u8>,
    },
    /// `statfs` of the file system holding `path`.
    StatFs {
        /// Relative, symlink-free path; empty = root.
        path: Vec<u8>,
    },
}

/// A reply from the gofer (server) to the sentry (client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Answer to [`Request::Hello`].
    Hello {
        /// The server's [`PROTOCOL_VERSION`].
        version: u32,
    },
    /// Answer to [`Request::Lstat`].
    Stat(Stat),
    /// Answer to [`Request::Open`]; the datagram carries exactly one fd.
    Opened(Stat),
    /// Answer to [`Request::ReadDir`].
    DirEntries {
        /// Entries of this page.
        entries: Vec<DirEntry>,
        /// Cookie for the next page, or `None` at end of directory.
        next: Option<u64>,
    },
    /// Answer to [`Request::ReadLink`].
    LinkTarget(Vec<u8>),
    /// Answer to [`Request::StatFs`].
    StatFs(StatFs),
    /// The request failed with this errno (1..=4095).
    Error {
        /// Positive Linux errno.
        errno: i32,
    },
}

impl Request {
    /// The opcode of this request.
    pub fn opcode(&self) -> u16 {
        match self {
            Request::Hello { .. } => opcode::HELLO,
            Request::Lstat { .. } => opcode::LSTAT,
            Request::Open { .. } => opcode::OPEN,
            Request::ReadDir { .. } => opcode::READ_DIR,
            Request::ReadLink { .. } => opcode::READ_LINK,
            Request::StatFs { .. } => opcode::STAT_FS,
        }
    }
}

impl Reply {
    /// The opcode of this reply.
    pub fn opcode(&self) -> u16 {
        match self {
            Reply::Hello { .. } => opcode::R_HELLO,
            Reply::Stat(_) => opcode::R_STAT,
            Reply::Opened(_) => opcode::R_OPENED,
            Reply::DirEntries { .. } => opcode::R_DIR_ENTRIES,
            Reply::LinkTarget(_) => opcode::R_LINK_TARGET,
            Reply::StatFs(_) => opcode::R_STAT_FS,
            Reply::Error { .. } => opcode::R_ERROR,
        }
    }

    /// Number of file descriptors that must accompany this reply.
    pub fn fd_count(&self) -> usize {
        usize::from(matches!(self, Reply::Opened(_)))
    }
}

/// Checked little-endian reader over a byte slice.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not yet consumed.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Takes the next `n` bytes, or fails naming `what`.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], GoferError> {
        let end = self.pos.checked_add(n).ok_or(GoferError::Protocol(what))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or(GoferError::Protocol(what))?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], GoferError> {
        self.take(N, what)?
            .try_into()
            .map_err(|_| GoferError::Protocol(what))
    }

    /// Reads a `u8`.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, GoferError> {
        Ok(u8::from_le_bytes(self.array(what)?))
    }
    /// Reads a little-endian `u16`.
    pub fn u16(&mut self, what: &'static str) -> Result<u16, GoferError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    /// Reads a little-endian `u32`.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, GoferError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    /// Reads a little-endian `i32`.
    pub fn i32(&mut self, what: &'static str) -> Result<i32, GoferError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }
    /// Reads a little-endian `u64`.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, GoferError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    /// Reads a little-endian `i64`.
    pub fn i64(&mut self, what: &'static str) -> Result<i64, GoferError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// Reads a `u32`-length-prefixed byte string of at most `max` bytes.
    pub fn bytes(&mut self, max: usize, what: &'static str) -> Result<&'a [u8], GoferError> {
        let len = usize::try_from(self.u32(what)?).map_err(|_| GoferError::Protocol(what))?;
        if len > max {
            return Err(GoferError::Protocol(what));
        }
        self.take(len, what)
    }

    /// Fails unless every byte was consumed.
    pub fn finish(&self) -> Result<(), GoferError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(GoferError::Protocol("trailing bytes after message body"))
        }
    }
}

/// Little-endian writer building one framed message.
#[derive(Debug)]
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn new(op: u16, tag: u32) -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&0u32.to_le_bytes());
        buf.extend_from_slice(&op.to_le_bytes());
        buf.extend_from_slice(&tag.to_le_bytes());
        Writer { buf }
    }
    fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8], max: usize, what: &'static str) -> Result<(), GoferError> {
        if b.len() > max {
            return Err(GoferError::Protocol(what));
        }
        let len = u32::try_from(b.len()).map_err(|_| GoferError::Protocol(what))?;
        self.u32(len);
        self.buf.extend_from_slice(b);
        Ok(())
    }
    /// Patches in the body length and enforces [`MAX_MESSAGE_SIZE`].
    fn finish(mut self) -> Result<Vec<u8>, GoferError> {
        if self.buf.len() > MAX_MESSAGE_SIZE {
            return Err(GoferError::Protocol("message exceeds MAX_MESSAGE_SIZE"));
        }
        let body = u32::try_from(self.buf.len() - HEADER_LEN)
            .map_err(|_| GoferError::Protocol("message exceeds MAX_MESSAGE_SIZE"))?;
        let len = body.to_le_bytes();
        self.buf[..4].copy_from_slice(&len);
        Ok(self.buf)
    }
}

fn put_stat(w: &mut Writer, s: &Stat) {
    w.u64(s.dev);
    w.u64(s.ino);
    w.u32(s.mode);
    w.u64(s.nlink);
    w.u32(s.uid);
    w.u32(s.gid);
    w.u64(s.rdev);
    w.i64(s.size);
    w.i64(s.blksize);
    w.i64(s.blocks);
    w.i64(s.atime_sec);
    w.i64(s.atime_nsec);
    w.i64(s.mtime_sec);
    w.i64(s.mtime_nsec);
    w.i64(s.ctime_sec);
    w.i64(s.ctime_nsec);
}

fn get_stat(r: &mut Reader<'_>) -> Result<Stat, GoferError> {
    const W: &str = "truncated stat";
    Ok(Stat {
        dev: r.u64(W)?,
        ino: r.u64(W)?,
        mode: r.u32(W)?,
        nlink: r.u64(W)?,
        uid: r.u32(W)?,
        gid: r.u32(W)?,
        rdev: r.u64(W)?,
        size: r.i64(W)?,
        blksize: r.i64(W)?,
        blocks: r.i64(W)?,
        atime_sec: r.i64(W)?,
        atime_nsec: r.i64(W)?,
        mtime_sec: r.i64(W)?,
        mtime_nsec: r.i64(W)?,
        ctime_sec: r.i64(W)?,
        ctime_nsec: r.i64(W)?,
    })
}

fn put_statfs(w: &mut Writer, s: &StatFs) {
    w.i64(s.fs_type);
    w.i64(s.bsize);
    w.u64(s.blocks);
    w.u64(s.bfree);
    w.u64(s.bavail);
    w.u64(s.files);
    w.u64(s.ffree);
    w.i32(s.fsid[0]);
    w.i32(s.fsid[1]);
    w.i64(s.namelen);
    w.i64(s.frsize);
    w.i64(s.flags);
}

fn get_statfs(r: &mut Reader<'_>) -> Result<StatFs, GoferError> {
    const W: &str = "truncated statfs";
    Ok(StatFs {
        fs_type: r.i64(W)?,
        bsize: r.i64(W)?,
        blocks: r.u64(W)?,
        bfree: r.u64(W)?,
        bavail: r.u64(W)?,
        files: r.u64(W)?,
        ffree: r.u64(W)?,
        fsid: [r.i32(W)?, r.i32(W)?],
        namelen: r.i64(W)?,
        frsize: r.i64(W)?,
        flags: r.i64(W)?,
    })
}

const PATH_ERR: &str = "path missing, truncated or longer than MAX_PATH_LEN";

/// Encodes `req` with `tag` into one datagram.
pub fn encode_request(tag: u32, req: &Request) -> Result<Vec<u8>, GoferError> {
    let mut w = Writer::new(req.opcode(), tag);
    match req {
        Request::Hello { version } => w.u32(*version),
        Request::Lstat { path } | Request::ReadLink { path } | Request::StatFs { path } => {
            w.bytes(path, MAX_PATH_LEN, PATH_ERR)?
        }
        Request::Open { path, flags } => {
            w.bytes(path, MAX_PATH_LEN, PATH_ERR)?;
            w.i32(*flags);
        }
        Request::ReadDir { path, offset } => {
            w.bytes(path, MAX_PATH_LEN, PATH_ERR)?;
            w.u64(*offset);
        }
    }
    w.finish()
}

/// Encodes `reply` with `tag` into one datagram (any fd travels separately).
pub fn encode_reply(tag: u32, reply: &Reply) -> Result<Vec<u8>, GoferError> {
    let mut w = Writer::new(reply.opcode(), tag);
    match reply {
        Reply::Hello { version } => w.u32(*version),
        Reply::Stat(s) | Reply::Opened(s) => put_stat(&mut w, s),
        Reply::DirEntries { entries, next } => {
            let count = u32::try_from(entries.len())
                .map_err(|_| GoferError::Protocol("too many directory entries"))?;
            w.u32(count);
            for e in entries {
                w.u64(e.ino);
                w.u8(e.d_type);
                if !valid_name(&e.name) {
                    return Err(GoferError::Protocol("invalid directory entry name"));
                }
                w.bytes(&e.name, MAX_NAME_LEN, "invalid directory entry name")?;
            }
            match next {
                None => w.u8(0),
                Some(n) => {
                    w.u8(1);
                    w.u64(*n);
                }
            }
        }
        Reply::LinkTarget(t) => w.bytes(t, MAX_LINK_LEN, "link target longer than MAX_LINK_LEN")?,
        Reply::StatFs(s) => put_statfs(&mut w, s),
        Reply::Error { errno } => {
            if !valid_errno(*errno) {
                return Err(GoferError::Protocol("errno out of range"));
            }
            w.i32(*errno)
        }
    }
    w.finish()
}

fn valid_errno(e: i32) -> bool {
    (1..=4095).contains(&e)
}

fn valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.contains(&b'/')
        && !name.contains(&0)
        && name != b"."
        && name != b".."
}

/// Splits a datagram into `(opcode, tag, body reader)` after checking the
/// header against the datagram length.
fn decode_header(buf: &[u8]) -> Result<(u16, u32, Reader<'_>), GoferError> {
    if buf.len() > MAX_MESSAGE_SIZE {
        return Err(GoferError::Protocol("message exceeds MAX_MESSAGE_SIZE"));
    }
    let mut r = Reader::new(buf);
    let len = r.u32("truncated header")?;
    let op = r.u16("truncated header")?;
    let tag = r.u32("truncated header")?;
    if usize::try_from(len).ok() != Some(r.remaining()) {
        return Err(GoferError::Protocol(
            "body length does not match datagram length",
        ));
    }
    Ok((op, tag, r))
}

/// Decodes one request datagram into `(tag, request)`.
pub fn decode_request(buf: &[u8]) -> Result<(u32, Request), GoferError> {
    let (op, tag, mut r) = decode_header(buf)?;
    let path = |r: &mut Reader<'_>| r.bytes(MAX_PATH_LEN, PATH_ERR).map(<[u8]>::to_vec);
    let req = match op {
        opcode::HELLO => Request::Hello {
            version: r.u32("truncated hello")?,
        },
        opcode::LSTAT => Request::Lstat {
            path: path(&mut r)?,
        },
        opcode::OPEN => Request::Open {
            path: path(&mut r)?,
            flags: r.i32("truncated open flags")?,
        },
        opcode::READ_DIR => Request::ReadDir {
            path: path(&mut r)?,
            offset: r.u64("truncated readdir offset")?,
        },
        opcode::READ_LINK => Request::ReadLink {
            path: path(&mut r)?,
        },
        opcode::STAT_FS => Request::StatFs {
            path: path(&mut r)?,
        },
        _ => return Err(GoferError::Protocol("unknown request opcode")),
    };
    r.finish()?;
    Ok((tag, req))
}

/// Decodes one reply datagram into `(tag, reply)`.
pub fn decode_reply(buf: &[u8]) -> Result<(u32, Reply), GoferError> {
    let (op, tag, mut r) = decode_header(buf)?;
    let reply = match op {
        opcode::R_HELLO => Reply::Hello {
            version: r.u32("truncated hello")?,
        },
        opcode::R_STAT => Reply::Stat(get_stat(&mut r)?),
        opcode::R_OPENED => Reply::Opened(get_stat(&mut r)?),
        opcode::R_DIR_ENTRIES => {
            let count = r.u32("truncated entry count")?;
            let count = usize::try_from(count).map_err(|_| GoferError::Protocol("entry count"))?;
            // Never trust `count` for the allocation: bound it by what the
            // remaining bytes could possibly hold.
            let cap = count.min(r.remaining() / DirEntry::wire_len(1));
            let mut entries = Vec::with_capacity(cap);
            for _ in 0..count {
                let ino = r.u64("truncated directory entry")?;
                let d_type = r.u8("truncated directory entry")?;
                let name = r.bytes(MAX_NAME_LEN, "directory entry name truncated or too long")?;
                if !valid_name(name) {
                    return Err(GoferError::Protocol("invalid directory entry name"));
                }
                entries.push(DirEntry {
                    name: name.to_vec(),
                    ino,
                    d_type,
                });
            }
            let next = match r.u8("truncated readdir continuation")? {
                0 => None,
                1 => Some(r.u64("truncated readdir continuation")?),
                _ => return Err(GoferError::Protocol("bad readdir continuation flag")),
            };
            Reply::DirEntries { entries, next }
        }
        opcode::R_LINK_TARGET => Reply::LinkTarget(
            r.bytes(MAX_LINK_LEN, "link target truncated or too long")?
                .to_vec(),
        ),
        opcode::R_STAT_FS => Reply::StatFs(get_statfs(&mut r)?),
        opcode::R_ERROR => {
            let errno = r.i32("truncated errno")?;
            if !valid_errno(errno) {
                return Err(GoferError::Protocol("errno out of range"));
            }
            Reply::Error { errno }
        }
        _ => return Err(GoferError::Protocol("unknown reply opcode")),
    };
    r.finish()?;
    Ok((tag, reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic xorshift64* generator for the property tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
        fn bytes(&mut self, max: usize) -> Vec<u8> {
            let n = self.below(max as u64 + 1) as usize;
            (0..n).map(|_| self.next() as u8).collect()
        }
        fn name(&mut self) -> Vec<u8> {
            let n = 1 + self.below(MAX_NAME_LEN as u64) as usize;
            let mut v: Vec<u8> = (0..n)
                .map(|_| {
                    loop {
                        let b = self.next() as u8;
                        if b != 0 && b != b'/' {
                            break b;
                        }
                    }
                })
                .collect();
            if v == b"." || v == b".." {
                v.push(b'x');
            }
            v
        }
        fn stat(&mut self) -> Stat {
            Stat {
                dev: self.next(),
                ino: self.next(),
                mode: self.next() as u32,
                nlink: self.next(),
                uid: self.next() as u32,
                gid: self.next() as u32,
                rdev: self.next(),
                size: self.next() as i64,
                blksize: self.next() as i64,
                blocks: self.next() as i64,
                atime_sec: self.next() as i64,
                atime_nsec: self.next() as i64,
                mtime_sec: self.next() as i64,
                mtime_nsec: self.next() as i64,
                ctime_sec: self.next() as i64,
                ctime_nsec: self.next() as i64,
            }
        }
        fn statfs(&mut self) -> StatFs {
            StatFs {
                fs_type: self.next() as i64,
                bsize: self.next() as i64,
                blocks: self.next(),
                bfree: self.next(),
                bavail: self.next(),
                files: self.next(),
                ffree: self.next(),
                fsid: [self.next() as i32, self.next() as i32],
                namelen: self.next() as i64,
                frsize: self.next() as i64,
                flags: self.next() as i64,
            }
        }
    }

    fn random_request(rng: &mut Rng) -> Request {
        let path = rng.bytes(MAX_PATH_LEN);
        match rng.below(6) {
            0 => Request::Hello {
                version: rng.next() as u32,
            },
            1 => Request::Lstat { path },
            2 => Request::Open {
                path,
                flags: rng.next() as i32,
            },
            3 => Request::ReadDir {
                path,
                offset: rng.next(),
            },
            4 => Request::ReadLink { path },
            _ => Request::StatFs { path },
        }
    }

    fn random_reply(rng: &mut Rng) -> Reply {
        match rng.below(7) {
            0 => Reply::Hello {
                version: rng.next() as u32,
            },
            1 => Reply::Stat(rng.stat()),
            2 => Reply::Opened(rng.stat()),
            3 => {
                let n = rng.below(40) as usize;
                let entries = (0..n)
                    .map(|_| DirEntry {
                        name: rng.name(),
                        ino: rng.next(),
                        d_type: rng.next() as u8,
                    })
                    .collect();
                let next = if rng.below(2) == 0 {
                    None
                } else {
                    Some(rng.next())
                };
                Reply::DirEntries { entries, next }
            }
            4 => Reply::LinkTarget(rng.bytes(MAX_LINK_LEN)),
            5 => Reply::StatFs(rng.statfs()),
            _ => Reply::Error {
                errno: 1 + rng.below(4095) as i32,
            },
        }
    }

    #[test]
    fn every_message_round_trips() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut seen_req = [false; 6];
        let mut seen_rep = [false; 7];
        for _ in 0..3000 {
            let tag = rng.next() as u32;
            let req = random_request(&mut rng);
            seen_req[(req.opcode() - 1) as usize] = true;
            let buf = encode_request(tag, &req).unwrap();
            assert!(buf.len() <= MAX_MESSAGE_SIZE);
            assert_eq!(decode_request(&buf).unwrap(), (tag, req));

            let rep = random_reply(&mut rng);
            let idx = match rep.opcode() {
                opcode::R_ERROR => 6,
                op => (op & 0xff) as usize - 1,
            };
            seen_rep[idx] = true;
            let buf = encode_reply(tag, &rep).unwrap();
            assert_eq!(decode_reply(&buf).unwrap(), (tag, rep));
        }
        assert!(seen_req.iter().all(|s| *s));
        assert!(seen_rep.iter().all(|s| *s));
    }

    #[test]
    fn fixed_sizes_match_docs() {
        let st = encode_reply(0, &Reply::Stat(Stat::default())).unwrap();
        assert_eq!(st.len(), HEADER_LEN + Stat::WIRE_LEN);
        assert_eq!(Stat::WIRE_LEN, 116);
        let fs = encode_reply(0, &Reply::StatFs(StatFs::default())).unwrap();
        assert_eq!(fs.len(), HEADER_LEN + StatFs::WIRE_LEN);
        assert_eq!(StatFs::WIRE_LEN, 88);
    }

    #[test]
    fn encoder_enforces_limits() {
        let long = vec![b'a'; MAX_PATH_LEN + 1];
        assert!(matches!(
            encode_request(1, &Request::Lstat { path: long }),
            Err(GoferError::Protocol(_))
        ));
        let bad = DirEntry {
            name: b"a/b".to_vec(),
            ino: 1,
            d_type: 0,
        };
        assert!(
            encode_reply(
                1,
                &Reply::DirEntries {
                    entries: vec![bad],
                    next: None
                }
            )
            .is_err()
        );
        assert!(encode_reply(1, &Reply::Error { errno: 0 }).is_err());
        let many = DirEntry {
            name: vec![b'x'; 255],
            ino: 1,
            d_type: 0,
        };
        let entries = vec![many; MAX_MESSAGE_SIZE / 255 + 1];
        assert!(
            encode_reply(
                1,
                &Reply::DirEntries {
                    entries,
                    next: None
                }
            )
            .is_err()
        );
    }

    #[test]
    fn decoder_rejects_malformed_headers() {
        let good = encode_request(
            7,
            &Request::Lstat {
                path: b"a".to_vec(),
            },
        )
        .unwrap();
        // Length field disagreeing with the datagram.
        let mut bad = good.clone();
        bad[0] ^= 1;
        assert!(matches!(decode_request(&bad), Err(GoferError::Protocol(_))));
        // Trailing byte with a length that matches.
        let mut bad = good.clone();
        bad.push(0);
        let body = (bad.len() - HEADER_LEN) as u32;
        bad[..4].copy_from_slice(&body.to_le_bytes());
        assert!(matches!(decode_request(&bad), Err(GoferError::Protocol(_))));
        // Unknown opcode; reply opcode on request side and vice versa.
        let mut bad = good.clone();
        bad[4] = 0x77;
        assert!(decode_request(&bad).is_err());
        assert!(decode_reply(&good).is_err());
        // Oversized datagram.
        assert!(decode_request(&vec![0; MAX_MESSAGE_SIZE + 1]).is_err());
        // Hostile entry count.
        let mut m = Vec::new();
        m.extend_from_slice(&5u32.to_le_bytes());
        m.extend_from_slice(&opcode::R_DIR_ENTRIES.to_le_bytes());
        m.extend_from_slice(&0u32.to_le_bytes());
        m.extend_from_slice(&u32::MAX.to_le_bytes());
        m.push(0);
        assert!(decode_reply(&m).is_err());
    }

    #[test]
    fn random_and_truncated_bytes_never_panic() {
        let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
        for i in 0..20_000 {
            // Pure noise, with a plausible header half of the time.
            let mut buf = rng.bytes(300);
            if i % 2 == 0 && buf.len() >= HEADER_LEN {
                let body = (buf.len() - HEADER_LEN) as u32;
                buf[..4].copy_from_slice(&body.to_le_bytes());
                let ops = [
                    1u16, 2, 3, 4, 5, 6, 0x8001, 0x8002, 0x8003, 0x8004, 0x8005, 0x8006, 0x80FF,
                ];
                let op = ops[rng.below(ops.len() as u64) as usize];
                buf[4..6].copy_from_slice(&op.to_le_bytes());
            }
            let _ = decode_request(&buf);
            let _ = decode_reply(&buf);
        }
        for _ in 0..2000 {
            // Every prefix (and a bit-flipped copy) of valid messages.
            let req = encode_request(rng.next() as u32, &random_request(&mut rng)).unwrap();
            let rep = encode_reply(rng.next() as u32, &random_reply(&mut rng)).unwrap();
            for msg in [req, rep] {
                let step = (msg.len() / 32).max(1);
                for cut in (0..msg.len()).step_by(step) {
                    assert!(decode_request(&msg[..cut]).is_err() || cut == msg.len());
                    assert!(decode_reply(&msg[..cut]).is_err() || cut == msg.len());
                }
                let mut flipped = msg.clone();
                let at = rng.below(msg.len() as u64) as usize;
                flipped[at] ^= 1 << rng.below(8);
                let _ = decode_request(&flipped);
                let _ = decode_reply(&flipped);
            }
        }
    }
}
