//! File syscalls (`open(2)`, `read(2)`, `stat(2)`, `getdents64(2)`,
//! `rename(2)`, `fcntl(2)` and their relatives): decode, validate, call the
//! VFS, encode. Shared paths: every read-like call goes through
//! `do_read`, every write-like call through `do_write`, every stat through
//! `stat_at`.

use std::sync::Arc;

use sentry::kernel::SyscallArgs;
use sentry::kernel::Task;
use sentry::vfs::{Dentry, FileType, MAX_RW_COUNT, OpenFile, SetAttr, may_access, oflags::*};
use sentry::{Errno, KResult};

use crate::abi;

/// The most one bounce buffer holds; larger requests are served in pieces.
const CHUNK: usize = 4 << 20;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const AT_REMOVEDIR: u64 = 0x200;
const AT_EACCESS: u64 = 0x200;
const AT_SYMLINK_FOLLOW: u64 = 0x400;
const AT_NO_AUTOMOUNT: u64 = 0x800;
const AT_EMPTY_PATH: u64 = 0x1000;
const AT_STATX_SYNC_TYPE: u64 = 0x6000;

fn fd_arg(v: u64) -> i32 {
    v as i32
}

fn creds(t: &Task) -> (u32, u32) {
    let c = t.shared.creds();
    (c.euid, c.egid)
}

// ---- open / close ----

/// open(2).
pub fn sys_open(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_openat(t, -100, a.a[0], a.a[1] as u32, a.a[2] as u32)
}

/// creat(2).
pub fn sys_creat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_openat(t, -100, a.a[0], O_CREAT | O_WRONLY | O_TRUNC, a.a[1] as u32)
}

/// openat(2).
pub fn sys_openat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_openat(t, fd_arg(a.a[0]), a.a[1], a.a[2] as u32, a.a[3] as u32)
}

fn do_openat(t: &mut Task, dirfd: i32, path_addr: u64, flags: u32, mode: u32) -> KResult<u64> {
    let path = t.read_path(path_addr)?;
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if flags & O_TMPFILE == O_TMPFILE {
        let file = open_tmpfile(t, dirfd, &path, flags, mode)?;
        let limit = t.shared.limits().nofile();
        return Ok(t.fds().alloc(file, 0, flags & O_CLOEXEC != 0, limit)? as u64);
    }
    let flags = if flags & O_PATH != 0 {
        flags & (O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW)
    } else {
        flags | O_LARGEFILE
    };
    let file = open_file(t, dirfd, &path, flags, mode)?;
    let limit = t.shared.limits().nofile();
    Ok(t.fds().alloc(file, 0, flags & O_CLOEXEC != 0, limit)? as u64)
}

/// Opens `path` with open(2) semantics; the VFS half of every open.
pub fn open_file(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    mode: u32,
) -> KResult<Arc<OpenFile>> {
    open_file_with(t, dirfd, path, flags, mode, None)
}

/// Finds or creates the file O_CREAT names: follows a final symlink
/// (unless O_EXCL or O_NOFOLLOW) and creates its target when dangling.
fn create_target(t: &Task, dirfd: i32, path: &[u8], flags: u32, mode: u32) -> KResult<Arc<Dentry>> {
    let follow = flags & O_NOFOLLOW == 0 && flags & O_EXCL == 0;
    let mut pn = t.resolve_parent_at(dirfd, path)?;
    for _ in 0..=sentry::vfs::path::MAX_SYMLINKS {
        if pn.name == b"." || pn.name == b".." || pn.trailing_slash {
            return Err(Errno::EISDIR);
        }
        match pn.dir.inode.lookup(&pn.name) {
            Ok(inode) => {
                if flags & O_EXCL != 0 {
                    return Err(Errno::EEXIST);
                }
                let inode = t.kernel.vfs.cross_mounts(inode);
                let d = Arc::new(Dentry {
                    name: pn.name.clone(),
                    parent: Some(pn.dir.clone()),
                    inode,
                });
                if !follow || d.inode.stat()?.file_type() != FileType::Symlink {
                    return Ok(d);
                }
                if let Some(magic) = d.inode.follow_magic() {
                    return magic;
                }
                let target = d.inode.read_link()?;
                // Continue from the symlink's directory with its target.
                let root = t.shared.fs().root.clone();
                pn = sentry::vfs::path::Walker::new(&t.kernel.vfs, root)
                    .resolve_parent(pn.dir.clone(), &target)?;
            }
            Err(e) if e == Errno::ENOENT => {
                let dst = pn.dir.inode.stat()?;
                let (uid, gid) = creds(t);
                if !may_access(&dst, uid, gid, 3) {
                    return Err(Errno::EACCES);
                }
                let umask = t.shared.fs().umask;
                let inode = pn.dir.inode.create(&pn.name, mode & 0o7777 & !umask)?;
                return Ok(Arc::new(Dentry {
                    name: pn.name,
                    parent: Some(pn.dir),
                    inode,
                }));
            }
            Err(e) => return Err(e),
        }
    }
    Err(Errno::ELOOP)
}

fn open_file_with(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    mode: u32,
    resolve: Option<sentry::vfs::path::ResolveFlags>,
) -> KResult<Arc<OpenFile>> {
    let follow = flags & O_NOFOLLOW == 0;
    let dentry: Arc<Dentry> = match resolve {
        Some(r) if flags & O_CREAT != 0 && flags & O_PATH == 0 => {
            // openat2 with O_CREAT: the restrictions apply to the parent.
            match t.resolve_at_with(dirfd, path, follow && flags & O_EXCL == 0, r) {
                Ok(d) if flags & O_EXCL != 0 => {
                    let _ = d;
                    return Err(Errno::EEXIST);
                }
                Ok(d) => d,
                Err(e) if e == Errno::ENOENT => create_target(t, dirfd, path, flags, mode)?,
                Err(e) => return Err(e),
            }
        }
        Some(r) => t.resolve_at_with(dirfd, path, follow, r)?,
        None if flags & O_CREAT != 0 && flags & O_PATH == 0 => {
            create_target(t, dirfd, path, flags, mode)?
        }
        None => t.resolve_at(dirfd, path, follow)?,
    };
    let st = dentry.inode.stat()?;
    let kind = st.file_type();
    let acc = flags & O_ACCMODE;
    if flags & O_PATH != 0 {
        if flags & O_DIRECTORY != 0 && kind != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        return Ok(OpenFile::new(
            Some(dentry.clone()),
            dentry.inode.clone(),
            flags,
            Box::new(PathOnly),
        ));
    }
    if kind == FileType::Symlink {
        return Err(Errno::ELOOP);
    }
    if flags & O_DIRECTORY != 0 && kind != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    if kind == FileType::Directory
        && (acc != O_RDONLY || flags & O_CREAT != 0 || flags & O_TRUNC != 0)
    {
        return Err(Errno::EISDIR);
    }
    let want = match acc {
        O_RDONLY => 4,
        O_WRONLY => 2,
        _ => 6,
    } | if flags & O_TRUNC != 0 { 2 } else { 0 };
    let (uid, gid) = creds(t);
    if !may_access(&st, uid, gid, want) {
        return Err(Errno::EACCES);
    }
    let imp = dentry.inode.clone().open(flags)?;
    Ok(OpenFile::new(
        Some(dentry.clone()),
        dentry.inode.clone(),
        flags,
        imp,
    ))
}

/// openat2(2).
pub fn sys_openat2(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const RESOLVE_NO_XDEV: u64 = 0x01;
    const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
    const RESOLVE_NO_SYMLINKS: u64 = 0x04;
    const RESOLVE_BENEATH: u64 = 0x08;
    const RESOLVE_IN_ROOT: u64 = 0x10;
    const RESOLVE_CACHED: u64 = 0x20;
    let [dirfd, path_addr, how, size, ..] = a.a;
    if size < 24 {
        return Err(Errno::EINVAL);
    }
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    let mut buf = vec![0u8; size as usize];
    t.copy_in(how, &mut buf)?;
    if buf[24..].iter().any(|&b| b != 0) {
        return Err(Errno::E2BIG);
    }
    let word = |i: usize| u64::from_ne_bytes(buf[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    let (flags, mode, res) = (word(0), word(1), word(2));
    let known = u64::from(
        O_ACCMODE
            | O_CREAT
            | O_EXCL
            | O_NOCTTY
            | O_TRUNC
            | O_APPEND
            | O_NONBLOCK
            | O_DSYNC
            | O_ASYNC
            | O_DIRECT
            | O_LARGEFILE
            | O_DIRECTORY
            | O_NOFOLLOW
            | O_NOATIME
            | O_CLOEXEC
            | O_SYNC
            | O_PATH
            | O_TMPFILE,
    );
    if flags & !known != 0 || mode & !0o7777 != 0 {
        return Err(Errno::EINVAL);
    }
    let flags = flags as u32;
    if mode != 0 && flags & O_CREAT == 0 && flags & O_TMPFILE != O_TMPFILE {
        return Err(Errno::EINVAL);
    }
    if res
        & !(RESOLVE_NO_XDEV
            | RESOLVE_NO_MAGICLINKS
            | RESOLVE_NO_SYMLINKS
            | RESOLVE_BENEATH
            | RESOLVE_IN_ROOT
            | RESOLVE_CACHED)
        != 0
        || res & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) == RESOLVE_BENEATH | RESOLVE_IN_ROOT
    {
        return Err(Errno::EINVAL);
    }
    if res & RESOLVE_CACHED != 0 {
        return Err(Errno::EAGAIN);
    }
    if res & RESOLVE_IN_ROOT != 0 {
        return Err(Errno::EINVAL.why("RESOLVE_IN_ROOT is not supported yet"));
    }
    let path = t.read_path(path_addr)?;
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if flags & O_TMPFILE == O_TMPFILE {
        let file = open_tmpfile(t, fd_arg(dirfd), &path, flags, mode as u32)?;
        let limit = t.shared.limits().nofile();
        return Ok(t.fds().alloc(file, 0, flags & O_CLOEXEC != 0, limit)? as u64);
    }
    let r = sentry::vfs::path::ResolveFlags {
        no_xdev: res & RESOLVE_NO_XDEV != 0,
        no_magiclinks: res & RESOLVE_NO_MAGICLINKS != 0,
        no_symlinks: res & RESOLVE_NO_SYMLINKS != 0,
        beneath: res & RESOLVE_BENEATH != 0,
    };
    let oflags = if flags & O_PATH != 0 {
        flags & (O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW)
    } else {
        flags | O_LARGEFILE
    };
    let file = open_file_with(t, fd_arg(dirfd), &path, oflags, mode as u32, Some(r))?;
    let limit = t.shared.limits().nofile();
    Ok(t.fds().alloc(file, 0, flags & O_CLOEXEC != 0, limit)? as u64)
}

/// O_TMPFILE: an unnamed regular file in memory, "in" directory `path`.
fn open_tmpfile(
    t: &Task,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    mode: u32,
) -> KResult<Arc<OpenFile>> {
    let acc = flags & O_ACCMODE;
    if acc != O_WRONLY && acc != O_RDWR {
        return Err(Errno::EINVAL);
    }
    let dir = t.resolve_at(dirfd, path, true)?;
    if dir.inode.stat()?.file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    let umask = t.shared.fs().umask;
    let inode: sentry::vfs::InodeRef =
        sentry::fsimpl::overlay::OverlayFs::unnamed_file(mode & 0o7777 & !umask);
    let ino = inode.stat()?.ino;
    let dentry = Arc::new(Dentry {
        name: format!("#{ino} (deleted)").into_bytes(),
        parent: Some(dir),
        inode: inode.clone(),
    });
    let oflags = (flags & !O_TMPFILE) | O_LARGEFILE;
    let imp = inode.clone().open(oflags)?;
    Ok(OpenFile::new(Some(dentry), inode, oflags, imp))
}

/// An O_PATH description: it names a file but cannot be read or written.
struct PathOnly;

impl sentry::vfs::FileImpl for PathOnly {
    fn read(&self, _buf: &mut [u8], _off: u64) -> KResult<usize> {
        Err(Errno::EBADF)
    }
    fn write(&self, _buf: &[u8], _off: u64) -> KResult<usize> {
        Err(Errno::EBADF)
    }
}

/// close(2).
pub fn sys_close(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let e = t.fds().close(fd_arg(a.a[0]))?;
    // Closing any fd of a file drops the process's POSIX locks on it.
    let file = Arc::as_ptr(&e.file.inode) as *const () as usize;
    sentry::vfs::reclock::release(t.tgid() as u64, Some(file));
    Ok(0)
}

/// close_range(2).
pub fn sys_close_range(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (first, last, flags) = (a.a[0] as u32, a.a[1] as u32, a.a[2] as u32);
    const CLOSE_RANGE_CLOEXEC: u32 = 4;
    const CLOSE_RANGE_UNSHARE: u32 = 2;
    if flags & !(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE) != 0 || first > last {
        return Err(Errno::EINVAL);
    }
    for (fd, _) in t.fds().list() {
        let fd_u = fd as u32;
        if fd_u >= first && fd_u <= last {
            if flags & CLOSE_RANGE_CLOEXEC != 0 {
                t.fds().set_cloexec(fd, true)?;
            } else {
                let _ = t.fds().close(fd);
            }
        }
    }
    Ok(0)
}

// ---- read / write ----

fn check_rw(f: &OpenFile, read: bool) -> KResult<()> {
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    if read && !f.readable() || !read && !f.writable() {
        return Err(Errno::EBADF);
    }
    Ok(())
}

/// How a read or write positions itself.
#[derive(Clone, Copy)]
enum At {
    Cursor,
    Offset(u64),
}

/// Job control on the sandbox's terminal: a background reader gets
/// SIGTTIN, a background writer SIGTTOU when TOSTOP is set.
fn terminal_check(t: &Task, f: &OpenFile, read: bool) -> KResult<()> {
    use sentry::kernel::terminal::Access;
    let Some(tty) = f.imp.terminal() else {
        return Ok(());
    };
    t.terminal_access(if read {
        Access::Read
    } else {
        Access::Write {
            tostop: tty.tostop(),
        }
    })
}

fn do_read(t: &Task, fd: i32, buf: u64, count: u64, at: At) -> KResult<u64> {
    let f = t.file(fd)?;
    check_rw(&f, true)?;
    terminal_check(t, &f, true)?;
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
    let mut total = 0u64;
    let mut chunk = vec![0u8; (count as usize).min(CHUNK)];
    while total < count {
        let want = ((count - total) as usize).min(chunk.len());
        let n = match at {
            At::Cursor => f.read(&mut chunk[..want]),
            At::Offset(o) => f.pread(&mut chunk[..want], o + total),
        };
        let n = match n {
            Ok(n) => n,
            Err(e) if total > 0 => {
                let _ = e;
                break;
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        if let Err(e) = t.copy_out(buf + total, &chunk[..n]) {
            // Linux copies up to the fault and returns a short count; the
            // bytes it could not deliver stay unread.
            let copied = t.mm.copy_out_partial(buf + total, &chunk[..n]);
            if matches!(at, At::Cursor) && f.imp.seekable() {
                f.seek(copied as i64 - n as i64, 1)?;
            }
            total += copied as u64;
            if total == 0 {
                return Err(e);
            }
            break;
        }
        total += n as u64;
        if n < want || !f.imp.seekable() {
            break;
        }
    }
    Ok(total)
}

/// Writing to a pipe nobody reads raises SIGPIPE, as on Linux.
pub(crate) fn sigpipe_on_epipe<T>(t: &Task, r: &KResult<T>) {
    if matches!(r, Err(e) if *e == Errno::EPIPE) {
        t.shared.send(sentry::kernel::sigframe::SigInfo::user(
            13,
            0,
            t.tgid(),
            t.shared.creds().uid,
        ));
    }
}

fn do_write(t: &Task, fd: i32, buf: u64, count: u64, at: At) -> KResult<u64> {
    let f = t.file(fd)?;
    check_rw(&f, false)?;
    terminal_check(t, &f, false)?;
    let count = count.min(MAX_RW_COUNT);
    if count == 0 {
        return Ok(0);
    }
    let mut total = 0u64;
    while total < count {
        let want = ((count - total) as usize).min(CHUNK);
        let mut data = vec![0u8; want];
        if let Err(e) = t.copy_in(buf + total, &mut data) {
            if total > 0 {
                break;
            }
            return Err(e);
        }
        let n = match at {
            At::Cursor => f.write(&data),
            At::Offset(o) => f.pwrite(&data, o + total),
        };
        sigpipe_on_epipe(t, &n);
        let n = match n {
            Ok(n) => n,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e),
        };
        total += n as u64;
        if n < want {
            break;
        }
    }
    Ok(total)
}

/// read(2).
pub fn sys_read(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_read(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Cursor)
}

/// write(2).
pub fn sys_write(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_write(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Cursor)
}

/// pread64(2).
pub fn sys_pread64(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if (a.a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    do_read(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Offset(a.a[3]))
}

/// pwrite64(2).
pub fn sys_pwrite64(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if (a.a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    do_write(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Offset(a.a[3]))
}

/// Reads an iovec array (readv(2) rules: at most 1024 entries, EINVAL
/// when the lengths add up past `isize::MAX`) as (base, len) pairs.
pub(crate) fn read_iovecs(t: &Task, iov: u64, cnt: u64) -> KResult<Vec<(u64, u64)>> {
    if cnt > 1024 {
        return Err(Errno::EINVAL);
    }
    let mut v = Vec::with_capacity(cnt as usize);
    let mut total: u64 = 0;
    for i in 0..cnt {
        let b = t.read_bytes::<16>(iov + i * 16)?;
        let base = u64::from_ne_bytes(b[..8].try_into().map_err(|_| Errno::EFAULT)?);
        let len = u64::from_ne_bytes(b[8..].try_into().map_err(|_| Errno::EFAULT)?);
        if (len as i64) < 0 {
            return Err(Errno::EINVAL);
        }
        total = total.checked_add(len).ok_or(Errno::EINVAL)?;
        if total > isize::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        v.push((base, len));
    }
    Ok(v)
}

fn do_readv(t: &Task, fd: i32, iov: u64, cnt: u64, at: At) -> KResult<u64> {
    let vecs = read_iovecs(t, iov, cnt)?;
    let f = t.file(fd)?;
    check_rw(&f, true)?;
    terminal_check(t, &f, true)?;
    let total: u64 = vecs.iter().map(|v| v.1).sum::<u64>().min(MAX_RW_COUNT);
    let mut buf = vec![0u8; (total as usize).min(CHUNK)];
    let n = match at {
        At::Cursor => f.read(&mut buf)?,
        At::Offset(o) => f.pread(&mut buf, o)?,
    };
    let mut done = 0usize;
    for (base, len) in vecs {
        if done >= n {
            break;
        }
        let k = (len as usize).min(n - done);
        t.copy_out(base, &buf[done..done + k])?;
        done += k;
    }
    Ok(n as u64)
}

fn do_writev(t: &Task, fd: i32, iov: u64, cnt: u64, at: At) -> KResult<u64> {
    let vecs = read_iovecs(t, iov, cnt)?;
    let f = t.file(fd)?;
    check_rw(&f, false)?;
    terminal_check(t, &f, false)?;
    let mut buf = Vec::new();
    for (base, len) in vecs {
        let start = buf.len();
        buf.resize(start + len as usize, 0);
        t.copy_in(base, &mut buf[start..])?;
    }
    if buf.is_empty() {
        return Ok(0);
    }
    Ok(match at {
        At::Cursor => f.write(&buf)?,
        At::Offset(o) => f.pwrite(&buf, o)?,
    } as u64)
}

/// readv(2).
pub fn sys_readv(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_readv(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Cursor)
}

/// writev(2).
pub fn sys_writev(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_writev(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Cursor)
}

/// preadv(2).
pub fn sys_preadv(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if (a.a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    do_readv(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Offset(a.a[3]))
}

/// pwritev(2).
pub fn sys_pwritev(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if (a.a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    do_writev(t, fd_arg(a.a[0]), a.a[1], a.a[2], At::Offset(a.a[3]))
}

/// lseek(2).
pub fn sys_lseek(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    f.seek(a.a[1] as i64, a.a[2] as u32)
}

// ---- stat family ----

fn stat_at(t: &Task, dirfd: i32, path_addr: u64, flags: u64) -> KResult<sentry::vfs::Stat> {
    let path = t.read_path(path_addr)?;
    if path.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        if dirfd == -100 {
            return t.shared.fs().cwd.inode.stat();
        }
        return t.file(dirfd)?.inode.stat();
    }
    let d = t.resolve_at(dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0)?;
    d.inode.stat()
}

/// stat(2).
pub fn sys_stat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let st = stat_at(t, -100, a.a[0], 0)?;
    t.copy_out(a.a[1], &abi::encode_stat(&st))?;
    Ok(0)
}

/// lstat(2).
pub fn sys_lstat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let st = stat_at(t, -100, a.a[0], AT_SYMLINK_NOFOLLOW)?;
    t.copy_out(a.a[1], &abi::encode_stat(&st))?;
    Ok(0)
}

/// fstat(2).
pub fn sys_fstat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let st = t.file(fd_arg(a.a[0]))?.inode.stat()?;
    t.copy_out(a.a[1], &abi::encode_stat(&st))?;
    Ok(0)
}

/// newfstatat(2).
pub fn sys_newfstatat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.a[3];
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 {
        return Err(Errno::EINVAL);
    }
    let st = stat_at(t, fd_arg(a.a[0]), a.a[1], flags)?;
    t.copy_out(a.a[2], &abi::encode_stat(&st))?;
    Ok(0)
}

/// statx(2).
pub fn sys_statx(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (flags, mask) = (a.a[2], a.a[3] as u32);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE) != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || mask & 0x8000_0000 != 0
    {
        return Err(Errno::EINVAL);
    }
    let st = stat_at(t, fd_arg(a.a[0]), a.a[1], flags)?;
    t.copy_out(a.a[4], &abi::encode_statx(&st))?;
    Ok(0)
}

/// statfs(2) / fstatfs(2): one description of the sandbox's file systems.
fn encode_statfs(kind: u64) -> [u8; 120] {
    let mut b = [0u8; 120];
    let vals: [u64; 10] = [
        kind,
        4096,
        1 << 22,
        1 << 21,
        1 << 21,
        1 << 20,
        1 << 19,
        0,
        255,
        4096,
    ];
    for (i, v) in vals.iter().enumerate() {
        b[i * 8..i * 8 + 8].copy_from_slice(&v.to_ne_bytes());
    }
    b
}

const OVERLAYFS_MAGIC: u64 = 0x794c_7630;

/// statfs(2).
pub fn sys_statfs(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = t.read_path(a.a[0])?;
    t.resolve_at(-100, &path, true)?;
    t.copy_out(a.a[1], &encode_statfs(OVERLAYFS_MAGIC))?;
    Ok(0)
}

/// fstatfs(2).
pub fn sys_fstatfs(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.file(fd_arg(a.a[0]))?;
    t.copy_out(a.a[1], &encode_statfs(OVERLAYFS_MAGIC))?;
    Ok(0)
}

// ---- directories ----

/// getdents64(2).
pub fn sys_getdents64(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    let st = f.inode.stat()?;
    if st.file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    let cap = (a.a[2] as usize).min(1 << 20);
    let mut pos = f.pos.lock().unwrap_or_else(|p| p.into_inner());
    let mut snap = f.dir_snapshot.lock().unwrap_or_else(|p| p.into_inner());
    if snap.is_none() || *pos == 0 {
        let mut list = vec![
            sentry::vfs::DirEntry {
                name: b".".to_vec(),
                ino: st.ino,
                kind: FileType::Directory,
            },
            sentry::vfs::DirEntry {
                name: b"..".to_vec(),
                ino: f
                    .dentry
                    .as_ref()
                    .and_then(|d| d.parent.as_ref())
                    .and_then(|p| p.inode.stat().ok())
                    .map(|s| s.ino)
                    .unwrap_or(st.ino),
                kind: FileType::Directory,
            },
        ];
        list.extend(f.inode.read_dir()?);
        *snap = Some(list);
    }
    let list = snap.as_ref().map(|v| v.as_slice()).unwrap_or(&[]);
    let mut out = Vec::new();
    let mut i = *pos as usize;
    while i < list.len() {
        if !abi::push_dirent64(&mut out, cap, &list[i], (i + 1) as u64) {
            if out.is_empty() {
                return Err(Errno::EINVAL);
            }
            break;
        }
        i += 1;
    }
    t.copy_out(a.a[1], &out)?;
    *pos = i as u64;
    Ok(out.len() as u64)
}

/// getcwd(2).
pub fn sys_getcwd(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let cwd = t.shared.fs().cwd.clone();
    if cwd.inode.stat()?.nlink == 0 {
        return Err(Errno::ENOENT);
    }
    let mut p = cwd.path();
    p.push(0);
    if (a.a[1] as usize) < p.len() {
        return Err(Errno::ERANGE);
    }
    t.copy_out(a.a[0], &p)?;
    Ok(p.len() as u64)
}

fn set_cwd(t: &Task, d: Arc<Dentry>) -> KResult<u64> {
    let st = d.inode.stat()?;
    if st.file_type() != FileType::Directory {
        return Err(Errno::ENOTDIR);
    }
    let (uid, gid) = creds(t);
    if !may_access(&st, uid, gid, 1) {
        return Err(Errno::EACCES);
    }
    t.shared.fs().cwd = d;
    Ok(0)
}

/// chdir(2).
pub fn sys_chdir(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = t.read_path(a.a[0])?;
    let d = t.resolve_at(-100, &path, true)?;
    set_cwd(t, d)
}

/// fchdir(2).
pub fn sys_fchdir(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    let d = f.dentry.clone().ok_or(Errno::ENOTDIR)?;
    set_cwd(t, d)
}

fn do_mkdirat(t: &Task, dirfd: i32, path_addr: u64, mode: u32) -> KResult<u64> {
    let path = t.read_path(path_addr)?;
    let pn = t.resolve_parent_at(dirfd, &path)?;
    if pn.name == b"." || pn.name == b".." {
        return Err(Errno::EEXIST);
    }
    let umask = t.shared.fs().umask;
    pn.dir.inode.mkdir(&pn.name, mode & 0o7777 & !umask)?;
    Ok(0)
}

/// mkdir(2).
pub fn sys_mkdir(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_mkdirat(t, -100, a.a[0], a.a[1] as u32)
}

/// mkdirat(2).
pub fn sys_mkdirat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_mkdirat(t, fd_arg(a.a[0]), a.a[1], a.a[2] as u32)
}

fn do_unlinkat(t: &Task, dirfd: i32, path_addr: u64, flags: u64) -> KResult<u64> {
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.read_path(path_addr)?;
    let pn = t.resolve_parent_at(dirfd, &path)?;
    if flags & AT_REMOVEDIR != 0 {
        match &pn.name[..] {
            b"." => return Err(Errno::EINVAL),
            b".." => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        pn.dir.inode.rmdir(&pn.name)?;
    } else {
        if pn.name == b"." || pn.name == b".." {
            return Err(Errno::EISDIR);
        }
        if pn.trailing_slash {
            let i = pn.dir.inode.lookup(&pn.name)?;
            return Err(if i.stat()?.file_type() == FileType::Directory {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
        pn.dir.inode.unlink(&pn.name)?;
    }
    Ok(0)
}

/// unlink(2).
pub fn sys_unlink(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_unlinkat(t, -100, a.a[0], 0)
}

/// rmdir(2).
pub fn sys_rmdir(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_unlinkat(t, -100, a.a[0], AT_REMOVEDIR)
}

/// unlinkat(2).
pub fn sys_unlinkat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_unlinkat(t, fd_arg(a.a[0]), a.a[1], a.a[2])
}

fn do_renameat(
    t: &Task,
    olddir: i32,
    oldp: u64,
    newdir: i32,
    newp: u64,
    flags: u64,
) -> KResult<u64> {
    use sentry::vfs::{RENAME_EXCHANGE, RENAME_NOREPLACE};
    const RENAME_WHITEOUT: u64 = 4;
    let known = u64::from(RENAME_NOREPLACE | RENAME_EXCHANGE) | RENAME_WHITEOUT;
    if flags & !known != 0
        || flags & u64::from(RENAME_NOREPLACE | RENAME_EXCHANGE)
            == u64::from(RENAME_NOREPLACE | RENAME_EXCHANGE)
    {
        return Err(Errno::EINVAL);
    }
    if flags & RENAME_WHITEOUT != 0 {
        return Err(Errno::EINVAL.why("RENAME_WHITEOUT is not supported"));
    }
    let old = t.read_path(oldp)?;
    let new = t.read_path(newp)?;
    let o = t.resolve_parent_at(olddir, &old)?;
    let n = t.resolve_parent_at(newdir, &new)?;
    for name in [&o.name, &n.name] {
        if name == b"." || name == b".." {
            return Err(Errno::EBUSY);
        }
    }
    let src = o.dir.inode.lookup(&o.name)?;
    if src.stat()?.file_type() != FileType::Directory && (o.trailing_slash || n.trailing_slash) {
        return Err(Errno::ENOTDIR);
    }
    // Neither side may move below itself.
    let mut movers = vec![src.clone()];
    if flags & u64::from(RENAME_EXCHANGE) != 0 {
        movers.push(n.dir.inode.lookup(&n.name)?);
    }
    for (mover, dest) in movers.iter().zip([&n.dir, &o.dir]) {
        let mut p = Some(dest.clone());
        while let Some(d) = p {
            if sentry::vfs::same_inode(&d.inode, mover) {
                return Err(Errno::EINVAL);
            }
            p = d.parent.clone();
        }
    }
    o.dir
        .inode
        .rename(&o.name, &n.dir.inode, &n.name, flags as u32)?;
    Ok(0)
}

/// rename(2).
pub fn sys_rename(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_renameat(t, -100, a.a[0], -100, a.a[1], 0)
}

/// renameat(2).
pub fn sys_renameat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_renameat(t, fd_arg(a.a[0]), a.a[1], fd_arg(a.a[2]), a.a[3], 0)
}

/// renameat2(2).
pub fn sys_renameat2(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_renameat(t, fd_arg(a.a[0]), a.a[1], fd_arg(a.a[2]), a.a[3], a.a[4])
}

fn do_symlinkat(t: &Task, target_addr: u64, dirfd: i32, path_addr: u64) -> KResult<u64> {
    let target = t.read_path(target_addr)?;
    if target.is_empty() {
        return Err(Errno::ENOENT);
    }
    let path = t.read_path(path_addr)?;
    let pn = t.resolve_parent_at(dirfd, &path)?;
    if pn.name == b"." || pn.name == b".." || pn.trailing_slash {
        return Err(Errno::EEXIST);
    }
    pn.dir.inode.symlink(&pn.name, &target)?;
    Ok(0)
}

/// symlink(2).
pub fn sys_symlink(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_symlinkat(t, a.a[0], -100, a.a[1])
}

/// symlinkat(2).
pub fn sys_symlinkat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_symlinkat(t, a.a[0], fd_arg(a.a[1]), a.a[2])
}

fn do_linkat(t: &Task, olddir: i32, oldp: u64, newdir: i32, newp: u64, flags: u64) -> KResult<u64> {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let old = t.read_path(oldp)?;
    let src = if old.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        t.file(olddir)?.dentry.clone().ok_or(Errno::ENOENT)?
    } else {
        t.resolve_at(olddir, &old, flags & AT_SYMLINK_FOLLOW != 0)?
    };
    if src.inode.stat()?.file_type() == FileType::Directory {
        return Err(Errno::EPERM);
    }
    let new = t.read_path(newp)?;
    let pn = t.resolve_parent_at(newdir, &new)?;
    if pn.name == b"." || pn.name == b".." || pn.trailing_slash {
        return Err(Errno::EEXIST);
    }
    pn.dir.inode.link(&pn.name, &src.inode)?;
    Ok(0)
}

/// link(2).
pub fn sys_link(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_linkat(t, -100, a.a[0], -100, a.a[1], 0)
}

/// linkat(2).
pub fn sys_linkat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_linkat(t, fd_arg(a.a[0]), a.a[1], fd_arg(a.a[2]), a.a[3], a.a[4])
}

fn do_readlinkat(t: &Task, dirfd: i32, path_addr: u64, buf: u64, size: u64) -> KResult<u64> {
    if (size as i32) <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.read_path(path_addr)?;
    let d = if path.is_empty() {
        // An empty path names dirfd itself, which must be a symlink
        // (opened with O_PATH|O_NOFOLLOW).
        let d = if dirfd == -100 {
            t.shared.fs().cwd.clone()
        } else {
            t.file(dirfd)?.dentry.clone().ok_or(Errno::ENOENT)?
        };
        if d.inode.stat()?.file_type() != FileType::Symlink {
            return Err(Errno::ENOENT);
        }
        d
    } else {
        t.resolve_at(dirfd, &path, false)?
    };
    let target = d.inode.read_link()?;
    let n = target.len().min(size as usize);
    t.copy_out(buf, &target[..n])?;
    Ok(n as u64)
}

/// readlink(2).
pub fn sys_readlink(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_readlinkat(t, -100, a.a[0], a.a[1], a.a[2])
}

/// readlinkat(2).
pub fn sys_readlinkat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_readlinkat(t, fd_arg(a.a[0]), a.a[1], a.a[2], a.a[3])
}

fn do_faccessat(t: &Task, dirfd: i32, path_addr: u64, mode: u64, flags: u64) -> KResult<u64> {
    if mode & !7 != 0 || flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.read_path(path_addr)?;
    let st = if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        if dirfd == -100 {
            t.shared.fs().cwd.inode.stat()?
        } else {
            t.file(dirfd)?.inode.stat()?
        }
    } else {
        t.resolve_at(dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0)?
            .inode
            .stat()?
    };
    let c = t.shared.creds().clone();
    let (uid, gid) = if flags & AT_EACCESS != 0 {
        (c.euid, c.egid)
    } else {
        (c.uid, c.gid)
    };
    if !may_access(&st, uid, gid, mode as u32) {
        return Err(Errno::EACCES);
    }
    Ok(0)
}

/// access(2).
pub fn sys_access(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_faccessat(t, -100, a.a[0], a.a[1], 0)
}

/// faccessat(2).
pub fn sys_faccessat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_faccessat(t, fd_arg(a.a[0]), a.a[1], a.a[2], 0)
}

/// faccessat2(2).
pub fn sys_faccessat2(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_faccessat(t, fd_arg(a.a[0]), a.a[1], a.a[2], a.a[3])
}

// ---- attributes ----

fn chmod_dentry(t: &Task, d: &Dentry, mode: u32) -> KResult<u64> {
    let _ = t;
    d.inode.set_attr(SetAttr {
        mode: Some(mode & 0o7777),
        ..SetAttr::default()
    })?;
    Ok(0)
}

/// chmod(2).
pub fn sys_chmod(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = t.read_path(a.a[0])?;
    let d = t.resolve_at(-100, &path, true)?;
    chmod_dentry(t, &d, a.a[1] as u32)
}

/// fchmodat(2).
pub fn sys_fchmodat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = t.read_path(a.a[1])?;
    let d = t.resolve_at(fd_arg(a.a[0]), &path, true)?;
    chmod_dentry(t, &d, a.a[2] as u32)
}

/// fchmod(2).
pub fn sys_fchmod(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    f.inode.set_attr(SetAttr {
        mode: Some(a.a[1] as u32 & 0o7777),
        ..SetAttr::default()
    })?;
    Ok(0)
}

fn ids(uid: u64, gid: u64) -> SetAttr {
    SetAttr {
        uid: (uid as u32 != u32::MAX).then_some(uid as u32),
        gid: (gid as u32 != u32::MAX).then_some(gid as u32),
        ..SetAttr::default()
    }
}

/// fchown(2).
pub fn sys_fchown(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.file(fd_arg(a.a[0]))?
        .inode
        .set_attr(ids(a.a[1], a.a[2]))?;
    Ok(0)
}

/// chown(2) / lchown(2) / fchownat(2).
fn chown_path(t: &Task, dirfd: i32, p: u64, uid: u64, gid: u64, follow: bool) -> KResult<u64> {
    let path = t.read_path(p)?;
    t.resolve_at(dirfd, &path, follow)?
        .inode
        .set_attr(ids(uid, gid))?;
    Ok(0)
}

/// chown(2).
pub fn sys_chown(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    chown_path(t, -100, a.a[0], a.a[1], a.a[2], true)
}

/// lchown(2).
pub fn sys_lchown(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    chown_path(t, -100, a.a[0], a.a[1], a.a[2], false)
}

/// fchownat(2).
pub fn sys_fchownat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.a[4] & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    if a.a[4] & AT_EMPTY_PATH != 0 && t.read_path(a.a[1])?.is_empty() {
        let inode = if a.a[0] as i32 == -100 {
            t.shared.fs().cwd.inode.clone()
        } else {
            t.file(fd_arg(a.a[0]))?.inode.clone()
        };
        inode.set_attr(ids(a.a[2], a.a[3]))?;
        return Ok(0);
    }
    chown_path(
        t,
        fd_arg(a.a[0]),
        a.a[1],
        a.a[2],
        a.a[3],
        a.a[4] & AT_SYMLINK_NOFOLLOW == 0,
    )
}

/// truncate(2).
pub fn sys_truncate(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if (a.a[1] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let path = t.read_path(a.a[0])?;
    let d = t.resolve_at(-100, &path, true)?;
    d.inode.truncate(a.a[1])?;
    Ok(0)
}

/// ftruncate(2).
pub fn sys_ftruncate(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if (a.a[1] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let f = t.file(fd_arg(a.a[0]))?;
    if !f.writable() {
        return Err(Errno::EINVAL);
    }
    f.inode.truncate(a.a[1])?;
    Ok(0)
}

/// fsync(2) / fdatasync(2): memory files are always durable as far as the
/// sandbox can tell; checks the fd.
pub fn sys_fsync(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    match f.inode.stat()?.file_type() {
        FileType::Regular | FileType::Directory | FileType::BlockDevice => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

/// readahead(2): a hint on regular files.
pub fn sys_readahead(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    if !f.readable() || f.inode.stat()?.file_type() != FileType::Regular {
        return Err(if f.readable() {
            Errno::EINVAL
        } else {
            Errno::EBADF
        });
    }
    Ok(0)
}

/// syncfs(2).
pub fn sys_syncfs(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.file(fd_arg(a.a[0]))?;
    Ok(0)
}

/// sync(2).
pub fn sys_sync(_t: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(0)
}

/// sync_file_range(2).
pub fn sys_sync_file_range(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [fd, off, n, flags, ..] = a.a;
    if flags & !7 != 0
        || (off as i64) < 0
        || (n as i64) < 0
        || (off as i64).checked_add(n as i64).is_none()
    {
        return Err(Errno::EINVAL);
    }
    let f = t.file(fd_arg(fd))?;
    let kind = f.inode.stat()?.file_type();
    if kind != FileType::Regular
        && kind != FileType::Directory
        && kind != FileType::BlockDevice
        && kind != FileType::Symlink
    {
        return Err(Errno::ESPIPE);
    }
    Ok(0)
}

/// fallocate(2).
pub fn sys_fallocate(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let [fd, mode, off, len, ..] = a.a;
    let f = t.file(fd_arg(fd))?;
    if (off as i64) < 0 || (len as i64) <= 0 {
        return Err(Errno::EINVAL);
    }
    if !f.writable() {
        return Err(Errno::EBADF);
    }
    let kind = f.inode.stat()?.file_type();
    match kind {
        FileType::Regular => {}
        FileType::Directory => return Err(Errno::EISDIR),
        FileType::Fifo => return Err(Errno::ESPIPE),
        _ => return Err(Errno::ENODEV),
    }
    f.inode.allocate(mode as u32, off, len)?;
    Ok(0)
}

/// memfd_create(2): an anonymous memory file.
pub fn sys_memfd_create(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const MFD_CLOEXEC: u64 = 1;
    const MFD_ALLOW_SEALING: u64 = 2;
    const MFD_HUGETLB: u64 = 4;
    const MFD_NOEXEC_SEAL: u64 = 8;
    const MFD_EXEC: u64 = 0x10;
    let flags = a.a[1];
    if flags & !(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC) != 0
        || flags & (MFD_NOEXEC_SEAL | MFD_EXEC) == MFD_NOEXEC_SEAL | MFD_EXEC
    {
        return Err(Errno::EINVAL);
    }
    if flags & MFD_HUGETLB != 0 {
        return Err(Errno::EINVAL.why("huge pages are not supported"));
    }
    let name = t.mm.read_cstring(a.a[0], 249).map_err(|e| {
        if e == Errno::ENAMETOOLONG {
            Errno::EINVAL
        } else {
            e
        }
    })?;
    let perm = if flags & MFD_NOEXEC_SEAL != 0 {
        0o666
    } else {
        0o777
    };
    let sealing = flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL) != 0;
    let node = sentry::fsimpl::overlay::OverlayFs::anonymous_file(perm, sealing);
    let mut shown = b"memfd:".to_vec();
    shown.extend_from_slice(&name);
    shown.extend_from_slice(b" (deleted)");
    let inode: sentry::vfs::InodeRef = node;
    let dentry = Arc::new(Dentry {
        name: shown,
        parent: Some(Dentry::root(inode.clone())),
        inode: inode.clone(),
    });
    let flags_open = O_RDWR | O_LARGEFILE;
    let imp = inode.clone().open(flags_open)?;
    let file = OpenFile::new(Some(dentry), inode, flags_open, imp);
    let limit = t.shared.limits().nofile();
    Ok(t.fds().alloc(file, 0, flags & MFD_CLOEXEC != 0, limit)? as u64)
}

/// fadvise64(2): advice is a hint; validates it.
pub fn sys_fadvise64(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    if !f.imp.seekable() {
        return Err(Errno::ESPIPE);
    }
    if a.a[3] > 5 || (a.a[2] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

/// utimensat(2).
pub fn sys_utimensat(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const UTIME_NOW: i64 = (1 << 30) - 1;
    const UTIME_OMIT: i64 = (1 << 30) - 2;
    let (dirfd, p, times, flags) = (fd_arg(a.a[0]), a.a[1], a.a[2], a.a[3]);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let now = sentry::vfs::Timespec::now();
    let (at, mt) = if times == 0 {
        (Some(now), Some(now))
    } else {
        let mut out = [None, None];
        for (i, slot) in out.iter_mut().enumerate() {
            let (s, n) = abi::decode_timespec(t.read_bytes::<16>(times + i as u64 * 16)?);
            *slot = match n {
                UTIME_NOW => Some(now),
                UTIME_OMIT => None,
                n if (0..1_000_000_000).contains(&n) => {
                    Some(sentry::vfs::Timespec { sec: s, nsec: n })
                }
                _ => return Err(Errno::EINVAL),
            };
        }
        (out[0], out[1])
    };
    let inode = if p == 0 {
        t.file(dirfd)?.inode.clone()
    } else {
        let path = t.read_path(p)?;
        if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
            t.file(dirfd)?.inode.clone()
        } else {
            t.resolve_at(dirfd, &path, flags & AT_SYMLINK_NOFOLLOW == 0)?
                .inode
                .clone()
        }
    };
    inode.set_attr(SetAttr {
        atime: at,
        mtime: mt,
        ..SetAttr::default()
    })?;
    Ok(0)
}

// ---- descriptors ----

/// dup(2).
pub fn sys_dup(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let f = t.file(fd_arg(a.a[0]))?;
    let limit = t.shared.limits().nofile();
    Ok(t.fds().alloc(f, 0, false, limit)? as u64)
}

fn do_dup3(t: &Task, old: i32, new: i32, cloexec: bool) -> KResult<u64> {
    let f = t.file(old)?;
    let limit = t.shared.limits().nofile();
    if new < 0 || new as usize >= limit {
        return Err(Errno::EBADF);
    }
    t.fds().install(new, f, cloexec);
    Ok(new as u64)
}

/// dup2(2).
pub fn sys_dup2(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (old, new) = (fd_arg(a.a[0]), fd_arg(a.a[1]));
    if old == new {
        t.file(old)?;
        return Ok(new as u64);
    }
    do_dup3(t, old, new, false)
}

/// dup3(2).
pub fn sys_dup3(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (old, new, flags) = (fd_arg(a.a[0]), fd_arg(a.a[1]), a.a[2] as u32);
    if flags & !O_CLOEXEC != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    do_dup3(t, old, new, flags & O_CLOEXEC != 0)
}

/// fcntl(2).
pub fn sys_fcntl(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const F_DUPFD: u64 = 0;
    const F_GETFD: u64 = 1;
    const F_SETFD: u64 = 2;
    const F_GETFL: u64 = 3;
    const F_SETFL: u64 = 4;
    const F_GETLK: u64 = 5;
    const F_SETLK: u64 = 6;
    const F_SETLKW: u64 = 7;
    const F_SETOWN: u64 = 8;
    const F_GETOWN: u64 = 9;
    const F_OFD_GETLK: u64 = 36;
    const F_OFD_SETLK: u64 = 37;
    const F_OFD_SETLKW: u64 = 38;
    const F_DUPFD_CLOEXEC: u64 = 1030;
    const F_ADD_SEALS: u64 = 1033;
    const F_GET_SEALS: u64 = 1034;
    let fd = fd_arg(a.a[0]);
    let (cmd, arg) = (a.a[1] as u32 as u64, a.a[2]);
    let entry = t.fds().entry(fd)?;
    let path_only = entry.file.flags() & O_PATH != 0;
    if !path_only && let Some(r) = entry.file.imp.fcntl(cmd as u32, arg) {
        return r;
    }
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let limit = t.shared.limits().nofile();
            if arg as usize >= limit {
                return Err(Errno::EINVAL);
            }
            Ok(t.fds()
                .alloc(entry.file, arg as usize, cmd == F_DUPFD_CLOEXEC, limit)?
                as u64)
        }
        F_GETFD => Ok(u64::from(entry.cloexec)),
        F_SETFD => {
            t.fds().set_cloexec(fd, arg & 1 != 0)?;
            Ok(0)
        }
        F_GETFL => Ok(u64::from(entry.file.flags())),
        F_SETFL if !path_only => {
            entry.file.set_status_flags(arg as u32);
            Ok(0)
        }
        F_GETLK | F_OFD_GETLK | F_SETLK | F_SETLKW | F_OFD_SETLK | F_OFD_SETLKW if !path_only => {
            record_lock(t, &entry.file, cmd, arg)
        }
        F_ADD_SEALS if !path_only => {
            if !entry.file.writable() {
                return Err(Errno::EPERM);
            }
            entry.file.inode.add_seals(arg as u32)?;
            Ok(0)
        }
        F_GET_SEALS if !path_only => Ok(u64::from(entry.file.inode.seals()?)),
        // Pipe-only commands on anything else.
        1031 | 1032 => Err(Errno::EBADF),
        F_GETOWN if !path_only => Ok(0),
        F_SETOWN if !path_only => Ok(0),
        _ if path_only => Err(Errno::EBADF),
        _ => Err(Errno::EINVAL.why("fcntl command not supported")),
    }
}

/// ioctl(2): the generic requests here, the rest to the file.
pub fn sys_ioctl(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const FIONCLEX: u64 = 0x5450;
    const FIOCLEX: u64 = 0x5451;
    const FIONBIO: u64 = 0x5421;
    const FIONREAD: u64 = 0x541b;
    const FIOASYNC: u64 = 0x5452;
    let fd = fd_arg(a.a[0]);
    let (req, arg) = (a.a[1] as u32 as u64, a.a[2]);
    let f = t.file(fd)?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    match req {
        FIOCLEX => t.fds().set_cloexec(fd, true).map(|_| 0),
        FIONCLEX => t.fds().set_cloexec(fd, false).map(|_| 0),
        FIONBIO => {
            let on = i32::from_ne_bytes(t.read_bytes::<4>(arg)?) != 0;
            let fl = f.flags();
            f.set_status_flags(if on {
                fl | O_NONBLOCK
            } else {
                fl & !O_NONBLOCK
            });
            Ok(0)
        }
        FIOASYNC => {
            let on = i32::from_ne_bytes(t.read_bytes::<4>(arg)?) != 0;
            let fl = f.flags();
            f.set_status_flags(if on { fl | O_ASYNC } else { fl & !O_ASYNC });
            Ok(0)
        }
        FIONREAD if f.imp.seekable() => {
            let st = f.inode.stat()?;
            if st.file_type() != FileType::Regular {
                return f.imp.ioctl(&t.mm, req, arg);
            }
            let pos = *f.pos.lock().unwrap_or_else(|p| p.into_inner());
            let n = st.size.saturating_sub(pos).min(i32::MAX as u64) as i32;
            t.copy_out(arg, &n.to_ne_bytes())?;
            Ok(0)
        }
        _ if f.imp.terminal().is_some() => terminal_ioctl(t, &f, req, arg),
        _ => f.imp.ioctl(&t.mm, req, arg),
    }
}

/// ioctl(2) on the sandbox's terminal: setting the foreground group is the
/// sentry's own business; changing settings from the background is a
/// job-control matter (SIGTTOU); the rest goes to the host terminal.
fn terminal_ioctl(t: &Task, f: &OpenFile, req: u64, arg: u64) -> KResult<u64> {
    use sentry::fsimpl::host::tty;
    use sentry::kernel::terminal::Access;
    match req {
        tty::TIOCSPGRP => {
            let pg = i32::from_ne_bytes(t.read_bytes::<4>(arg)?);
            t.set_terminal_foreground(pg)?;
            Ok(0)
        }
        tty::TCSETS | tty::TCSETSW | tty::TCSETSF | tty::TIOCSWINSZ => {
            t.terminal_access(Access::Change)?;
            f.imp.ioctl(&t.mm, req, arg)
        }
        _ => f.imp.ioctl(&t.mm, req, arg),
    }
}

/// umask(2).
pub fn sys_umask(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mut fs = t.shared.fs();
    let old = fs.umask;
    fs.umask = a.a[0] as u32 & 0o777;
    Ok(u64::from(old))
}

/// flock(2).
pub fn sys_flock(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    use sentry::vfs::flock::{self, Kind};
    const LOCK_SH: u64 = 1;
    const LOCK_EX: u64 = 2;
    const LOCK_NB: u64 = 4;
    const LOCK_UN: u64 = 8;
    let f = t.file(fd_arg(a.a[0]))?;
    if f.flags() & O_PATH != 0 {
        return Err(Errno::EBADF);
    }
    let op = a.a[1];
    let kind = match op & !LOCK_NB {
        LOCK_SH => Kind::Shared,
        LOCK_EX => Kind::Exclusive,
        LOCK_UN => Kind::Unlock,
        _ => return Err(Errno::EINVAL),
    };
    let file = Arc::as_ptr(&f.inode) as *const () as usize;
    let owner = Arc::as_ptr(&f) as usize;
    flock::flock(file, owner, kind, op & LOCK_NB != 0)?;
    Ok(0)
}

/// fcntl's record locks (F_GETLK, F_SETLK(W) and the F_OFD_ forms).
fn record_lock(t: &Task, f: &Arc<OpenFile>, cmd: u64, arg: u64) -> KResult<u64> {
    use sentry::vfs::reclock;
    const F_GETLK: u64 = 5;
    const F_SETLKW: u64 = 7;
    const F_OFD_GETLK: u64 = 36;
    const F_OFD_SETLKW: u64 = 38;
    const F_RDLCK: i16 = 0;
    const F_WRLCK: i16 = 1;
    const F_UNLCK: i16 = 2;
    let mut fl = t.read_bytes::<32>(arg)?;
    let ty = i16::from_ne_bytes([fl[0], fl[1]]);
    let whence = i16::from_ne_bytes([fl[2], fl[3]]);
    let l_start = i64::from_ne_bytes(fl[8..16].try_into().map_err(|_| Errno::EFAULT)?);
    let l_len = i64::from_ne_bytes(fl[16..24].try_into().map_err(|_| Errno::EFAULT)?);
    let ofd = cmd >= F_OFD_GETLK;
    if ofd && i32::from_ne_bytes(fl[24..28].try_into().map_err(|_| Errno::EFAULT)?) != 0 {
        return Err(Errno::EINVAL);
    }
    let base: i64 = match whence {
        0 => 0,
        1 => *f.pos.lock().unwrap_or_else(|p| p.into_inner()) as i64,
        2 => f.inode.stat()?.size as i64,
        _ => return Err(Errno::EINVAL),
    };
    let start = base.checked_add(l_start).ok_or(Errno::EOVERFLOW)?;
    let (start, end) = match l_len {
        0 => (start, u64::MAX as i128),
        n if n > 0 => (start, i128::from(start) + i128::from(n)),
        n => (
            start.checked_add(n).ok_or(Errno::EINVAL)?,
            i128::from(start),
        ),
    };
    if start < 0 {
        return Err(Errno::EINVAL);
    }
    let (start, end) = (start as u64, end.min(u64::MAX as i128) as u64);
    let owner = if ofd {
        Arc::as_ptr(f) as u64 | reclock::OFD_BIT
    } else {
        t.tgid() as u64
    };
    let file = Arc::as_ptr(&f.inode) as *const () as usize;
    if cmd == F_GETLK || cmd == F_OFD_GETLK {
        let write = match ty {
            F_RDLCK => false,
            F_WRLCK => true,
            _ => return Err(Errno::EINVAL),
        };
        match reclock::conflict(file, owner, start, end, write) {
            Some(l) => {
                fl[0..2].copy_from_slice(&(if l.write { F_WRLCK } else { F_RDLCK }).to_ne_bytes());
                fl[2..4].copy_from_slice(&0i16.to_ne_bytes());
                fl[8..16].copy_from_slice(&(l.start as i64).to_ne_bytes());
                let len = if l.end == u64::MAX {
                    0
                } else {
                    (l.end - l.start) as i64
                };
                fl[16..24].copy_from_slice(&len.to_ne_bytes());
                fl[24..28].copy_from_slice(&l.pid.to_ne_bytes());
            }
            None => fl[0..2].copy_from_slice(&F_UNLCK.to_ne_bytes()),
        }
        t.copy_out(arg, &fl)?;
        return Ok(0);
    }
    let write = match ty {
        F_RDLCK if f.readable() => Some(false),
        F_WRLCK if f.writable() => Some(true),
        F_UNLCK => None,
        F_RDLCK | F_WRLCK => return Err(Errno::EBADF),
        _ => return Err(Errno::EINVAL),
    };
    let pid = if ofd { -1 } else { t.tgid() };
    reclock::set(
        file,
        owner,
        pid,
        start,
        end,
        write,
        cmd == F_SETLKW || cmd == F_OFD_SETLKW,
    )?;
    Ok(0)
}
