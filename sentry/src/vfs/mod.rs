//! The virtual file system: inodes (what a file is), dentries (where it is
//! reached from, for `..`, getcwd and /proc links), open file descriptions
//! (offset and status flags over an inode's operations), mounts, and the
//! fd table. File systems live in `fsimpl/` and implement [`Inode`] and
//! [`FileImpl`]; path resolution is in [`path`].
//!
//! Lock order: `OpenFile::pos` > inode locks > `Vfs::mounts`.

pub mod fdtable;
pub mod flock;
pub mod path;
pub mod reclock;
pub mod splice;

use std::any::Any;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use crate::errno::{Errno, KResult};
use crate::mm::{MapSource, MemoryManager};

pub use fdtable::FdTable;

/// The most bytes one read, write or transfer moves (Linux's MAX_RW_COUNT).
pub const MAX_RW_COUNT: u64 = 0x7fff_f000;

/// A shared inode.
pub type InodeRef = Arc<dyn Inode>;

/// File type bits of `st_mode`.
pub mod mode {
    pub const S_IFMT: u32 = 0o170000;
    pub const S_IFSOCK: u32 = 0o140000;
    pub const S_IFLNK: u32 = 0o120000;
    pub const S_IFREG: u32 = 0o100000;
    pub const S_IFBLK: u32 = 0o060000;
    pub const S_IFDIR: u32 = 0o040000;
    pub const S_IFCHR: u32 = 0o020000;
    pub const S_IFIFO: u32 = 0o010000;
}

/// Open flags used by the VFS (Linux values).
pub mod oflags {
    pub const O_ACCMODE: u32 = 3;
    pub const O_RDONLY: u32 = 0;
    pub const O_WRONLY: u32 = 1;
    pub const O_RDWR: u32 = 2;
    pub const O_CREAT: u32 = 0o100;
    pub const O_EXCL: u32 = 0o200;
    pub const O_NOCTTY: u32 = 0o400;
    pub const O_TRUNC: u32 = 0o1000;
    pub const O_APPEND: u32 = 0o2000;
    pub const O_NONBLOCK: u32 = 0o4000;
    pub const O_DSYNC: u32 = 0o10000;
    pub const O_ASYNC: u32 = 0o20000;
    pub const O_DIRECT: u32 = 0o40000;
    pub const O_LARGEFILE: u32 = 0o100000;
    pub const O_DIRECTORY: u32 = 0o200000;
    pub const O_NOFOLLOW: u32 = 0o400000;
    pub const O_NOATIME: u32 = 0o1000000;
    pub const O_CLOEXEC: u32 = 0o2000000;
    pub const O_SYNC: u32 = 0o4010000;
    pub const O_PATH: u32 = 0o10000000;
    pub const O_TMPFILE: u32 = 0o20200000;
    /// Flags F_SETFL may change.
    pub const SETFL_MASK: u32 = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
}

/// The type of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

impl FileType {
    /// From the S_IFMT bits of a mode.
    pub fn from_mode(m: u32) -> FileType {
        match m & mode::S_IFMT {
            mode::S_IFDIR => FileType::Directory,
            mode::S_IFLNK => FileType::Symlink,
            mode::S_IFCHR => FileType::CharDevice,
            mode::S_IFBLK => FileType::BlockDevice,
            mode::S_IFIFO => FileType::Fifo,
            mode::S_IFSOCK => FileType::Socket,
            _ => FileType::Regular,
        }
    }

    /// The S_IFMT bits.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileType::Regular => mode::S_IFREG,
            FileType::Directory => mode::S_IFDIR,
            FileType::Symlink => mode::S_IFLNK,
            FileType::CharDevice => mode::S_IFCHR,
            FileType::BlockDevice => mode::S_IFBLK,
            FileType::Fifo => mode::S_IFIFO,
            FileType::Socket => mode::S_IFSOCK,
        }
    }

    /// The `d_type` of getdents64.
    pub fn dirent_type(self) -> u8 {
        match self {
            FileType::Fifo => 1,
            FileType::CharDevice => 2,
            FileType::Directory => 4,
            FileType::BlockDevice => 6,
            FileType::Regular => 8,
            FileType::Symlink => 10,
            FileType::Socket => 12,
        }
    }
}

/// A timestamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: i64,
}

impl Timespec {
    /// The host's realtime clock now.
    pub fn now() -> Timespec {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timespec {
            sec: d.as_secs() as i64,
            nsec: i64::from(d.subsec_nanos()),
        }
    }
}

/// File attributes, as `struct stat` carries them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stat {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u64,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: u64,
    pub blksize: u64,
    pub blocks: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
}

impl Stat {
    /// The file type.
    pub fn file_type(&self) -> FileType {
        FileType::from_mode(self.mode)
    }
}

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub kind: FileType,
}

/// Attribute changes (chmod, chown, utimes).
#[derive(Debug, Clone, Copy, Default)]
pub struct SetAttr {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub atime: Option<Timespec>,
    pub mtime: Option<Timespec>,
}

/// What a file is: the operations of a file system object.
pub trait Inode: Send + Sync + Any {
    /// Its attributes.
    fn stat(&self) -> KResult<Stat>;
    /// Looks up `name` (never "." or "..") in a directory.
    fn lookup(&self, _name: &[u8]) -> KResult<InodeRef> {
        Err(Errno::ENOTDIR)
    }
    /// Lists a directory, without "." and "..".
    fn read_dir(&self) -> KResult<Vec<DirEntry>> {
        Err(Errno::ENOTDIR)
    }
    /// A symlink's target.
    fn read_link(&self) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }
    /// For magic links (/proc/PID/exe, /proc/PID/fd/N): where following
    /// them leads, without going through the target text.
    fn follow_magic(&self) -> Option<KResult<Arc<Dentry>>> {
        None
    }
    /// Opens the inode; `flags` are the open(2) flags.
    fn open(self: Arc<Self>, flags: u32) -> KResult<Box<dyn FileImpl>>;
    /// Creates a regular file `name` in this directory.
    fn create(&self, _name: &[u8], _mode: u32) -> KResult<InodeRef> {
        Err(Errno::ENOTDIR)
    }
    /// Creates a directory.
    fn mkdir(&self, _name: &[u8], _mode: u32) -> KResult<()> {
        Err(Errno::ENOTDIR)
    }
    /// Creates a symlink.
    fn symlink(&self, _name: &[u8], _target: &[u8]) -> KResult<()> {
        Err(Errno::ENOTDIR)
    }
    /// Creates a hard link to `target`.
    fn link(&self, _name: &[u8], _target: &InodeRef) -> KResult<()> {
        Err(Errno::ENOTDIR)
    }
    /// Removes a non-directory entry.
    fn unlink(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::ENOTDIR)
    }
    /// Removes an empty directory.
    fn rmdir(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::ENOTDIR)
    }
    /// Moves entry `old` of this directory to `new` in `new_dir` (same file
    /// system; EXDEV otherwise).
    /// `flags` are renameat2's RENAME_NOREPLACE and RENAME_EXCHANGE.
    fn rename(&self, _old: &[u8], _new_dir: &InodeRef, _new: &[u8], _flags: u32) -> KResult<()> {
        Err(Errno::EXDEV)
    }
    /// fallocate(2) on a regular file.
    fn allocate(&self, _mode: u32, _off: u64, _len: u64) -> KResult<()> {
        Err(Errno::ENODEV)
    }
    /// The memfd seals (F_GET_SEALS); EINVAL for files that have none.
    fn seals(&self) -> KResult<u32> {
        Err(Errno::EINVAL)
    }
    /// Adds memfd seals (F_ADD_SEALS).
    fn add_seals(&self, _seals: u32) -> KResult<()> {
        Err(Errno::EINVAL)
    }
    /// Changes attributes.
    fn set_attr(&self, _attr: SetAttr) -> KResult<()> {
        Err(Errno::EPERM)
    }
    /// Changes the size of a regular file.
    fn truncate(&self, _len: u64) -> KResult<()> {
        Err(Errno::EINVAL)
    }
    /// A number identifying this file system (for EXDEV checks).
    fn fs_id(&self) -> u64 {
        0
    }
    /// For downcasts by the file system that owns the inode.
    fn as_any(&self) -> &dyn Any;
}

/// What an open file does: the per-open operations.
pub trait FileImpl: Send + Sync {
    /// Reads at `off` (ignored for streams).
    fn read(&self, _buf: &mut [u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    /// Writes at `off` (ignored for streams).
    fn write(&self, _buf: &[u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    /// False for pipes, ttys, sockets: no offsets, lseek fails with ESPIPE.
    fn seekable(&self) -> bool {
        true
    }
    /// ioctl(2); `mm` is the caller's memory for the argument.
    fn ioctl(&self, _mm: &MemoryManager, _req: u64, _arg: u64) -> KResult<u64> {
        Err(Errno::ENOTTY)
    }
    /// What backs an mmap of this file (ENODEV when none).
    fn map_source(&self) -> Option<Arc<dyn MapSource>> {
        None
    }
    /// The host fd behind it, if it is a donated or gofer file (fast paths).
    fn host_fd(&self) -> Option<i32> {
        None
    }
    /// Readiness for poll(2): which of `events` hold now. Files that never
    /// block (regular files, memory devices) are always ready.
    fn readiness(&self, events: u16) -> u16 {
        events & (poll::POLLIN | poll::POLLOUT | poll::POLLRDNORM | poll::POLLWRNORM)
    }
    /// Whether epoll can watch it (files that can block: pipes, eventfds,
    /// epolls, donated terminals and pipes); EPERM otherwise, as Linux
    /// answers for regular files.
    fn pollable(&self) -> bool {
        false
    }
    /// fcntl commands specific to this kind of file (F_GETPIPE_SZ, ...);
    /// None when it has none.
    fn fcntl(&self, _cmd: u32, _arg: u64) -> Option<KResult<u64>> {
        None
    }
    /// The process a pidfd names.
    fn pidfd_task(&self) -> Option<Arc<crate::kernel::TaskShared>> {
        None
    }
    /// A count that moves whenever something happens that could change
    /// the file's readiness for `events` (poll bits; what edge-triggered
    /// epoll reports on). None: the file keeps none, and any change in the
    /// sandbox counts.
    fn event_count(&self, _events: u16) -> Option<u64> {
        None
    }
    /// The donated host terminal behind this file, if it is one (the
    /// sandbox's controlling terminal, subject to job control).
    fn terminal(&self) -> Option<&crate::fsimpl::host::HostFile> {
        None
    }
    /// Whether a pidfd names one thread (PIDFD_THREAD) rather than its
    /// process.
    fn pidfd_thread(&self) -> bool {
        false
    }
    /// The epoll instance behind an epoll fd.
    fn as_epoll(&self) -> Option<Arc<crate::fsimpl::epoll::Epoll>> {
        None
    }
    /// Told the description's status flags (at open and on F_SETFL), for
    /// files whose behaviour depends on O_NONBLOCK.
    fn status_flags_changed(&self, _flags: u32) {}
    /// lseek for files whose offset lives elsewhere (donated host fds);
    /// None: use the description's own offset.
    fn stream_seek(&self, _off: i64, _whence: u32) -> Option<KResult<u64>> {
        None
    }
    /// For anonymous-inode files, the name /proc/PID/fd/N shows in
    /// `anon_inode:[NAME]` (`eventfd`, `eventpoll`, ...).
    fn anon_name(&self) -> Option<&'static str> {
        None
    }
    /// Appends the lines /proc/PID/fdinfo/N shows after the common ones
    /// (Linux's `show_fdinfo`).
    fn show_fdinfo(&self, _out: &mut String) {}
}

/// A name in the tree: an inode plus how it was reached.
pub struct Dentry {
    pub name: Vec<u8>,
    /// None only for a root.
    pub parent: Option<Arc<Dentry>>,
    pub inode: InodeRef,
}

impl Dentry {
    /// A root dentry.
    pub fn root(inode: InodeRef) -> Arc<Dentry> {
        Arc::new(Dentry {
            name: Vec::new(),
            parent: None,
            inode,
        })
    }

    /// The absolute path from the root it hangs from.
    pub fn path(&self) -> Vec<u8> {
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut d = self;
        while let Some(p) = &d.parent {
            parts.push(&d.name);
            d = p;
        }
        if parts.is_empty() {
            return b"/".to_vec();
        }
        let mut out = Vec::new();
        for p in parts.iter().rev() {
            out.push(b'/');
            out.extend_from_slice(p);
        }
        out
    }

    /// Whether two dentries name the same inode.
    pub fn same_inode(&self, other: &Dentry) -> bool {
        same_inode(&self.inode, &other.inode)
    }
}

/// Whether two inode references are the same object.
pub fn same_inode(a: &InodeRef, b: &InodeRef) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

/// An open file description.
pub struct OpenFile {
    /// Where it was opened (None for anonymous files).
    pub dentry: Option<Arc<Dentry>>,
    pub inode: InodeRef,
    flags: AtomicU32,
    /// The file offset; also serializes reads and writes that use it.
    pub pos: Mutex<u64>,
    pub imp: Box<dyn FileImpl>,
    /// getdents64's snapshot of the directory, taken at offset 0.
    pub dir_snapshot: Mutex<Option<Vec<DirEntry>>>,
}

impl OpenFile {
    /// A new description.
    pub fn new(
        dentry: Option<Arc<Dentry>>,
        inode: InodeRef,
        flags: u32,
        imp: Box<dyn FileImpl>,
    ) -> Arc<OpenFile> {
        imp.status_flags_changed(flags);
        Arc::new(OpenFile {
            dentry,
            inode,
            flags: AtomicU32::new(flags & !oflags::O_CLOEXEC),
            pos: Mutex::new(0),
            imp,
            dir_snapshot: Mutex::new(None),
        })
    }

    /// Status flags (O_ACCMODE, O_APPEND, O_NONBLOCK, ...).
    pub fn flags(&self) -> u32 {
        self.flags.load(Ordering::Relaxed)
    }

    /// F_SETFL.
    pub fn set_status_flags(&self, f: u32) {
        let old = self.flags();
        let new = (old & !oflags::SETFL_MASK) | (f & oflags::SETFL_MASK);
        self.flags.store(new, Ordering::Relaxed);
        self.imp.status_flags_changed(new);
    }

    /// Whether it may be read.
    pub fn readable(&self) -> bool {
        let f = self.flags();
        f & oflags::O_PATH == 0 && f & oflags::O_ACCMODE != oflags::O_WRONLY
    }

    /// Whether it may be written.
    pub fn writable(&self) -> bool {
        let f = self.flags();
        f & oflags::O_PATH == 0 && f & oflags::O_ACCMODE != oflags::O_RDONLY
    }

    /// Reads at the file offset (or the stream), advancing it.
    pub fn read(&self, buf: &mut [u8]) -> KResult<usize> {
        if !self.readable() {
            return Err(Errno::EBADF);
        }
        if !self.imp.seekable() {
            return self.imp.read(buf, 0);
        }
        let mut pos = self.pos.lock().unwrap_or_else(|p| p.into_inner());
        let n = self.imp.read(buf, *pos)?;
        *pos += n as u64;
        Ok(n)
    }

    /// Writes at the file offset (end of file with O_APPEND), advancing it.
    pub fn write(&self, buf: &[u8]) -> KResult<usize> {
        if !self.writable() {
            return Err(Errno::EBADF);
        }
        if !self.imp.seekable() {
            return self.imp.write(buf, 0);
        }
        let mut pos = self.pos.lock().unwrap_or_else(|p| p.into_inner());
        if self.flags() & oflags::O_APPEND != 0 {
            *pos = self.inode.stat()?.size;
        }
        let n = self.imp.write(buf, *pos)?;
        *pos += n as u64;
        Ok(n)
    }

    /// pread64.
    pub fn pread(&self, buf: &mut [u8], off: u64) -> KResult<usize> {
        if !self.readable() {
            return Err(Errno::EBADF);
        }
        if !self.imp.seekable() {
            return Err(Errno::ESPIPE);
        }
        self.imp.read(buf, off)
    }

    /// pwrite64.
    pub fn pwrite(&self, buf: &[u8], off: u64) -> KResult<usize> {
        if !self.writable() {
            return Err(Errno::EBADF);
        }
        if !self.imp.seekable() {
            return Err(Errno::ESPIPE);
        }
        // Linux appends even for pwrite on an O_APPEND file.
        let off = if self.flags() & oflags::O_APPEND != 0 {
            self.inode.stat()?.size
        } else {
            off
        };
        self.imp.write(buf, off)
    }

    /// lseek.
    pub fn seek(&self, off: i64, whence: u32) -> KResult<u64> {
        if let Some(r) = self.imp.stream_seek(off, whence) {
            return r;
        }
        if !self.imp.seekable() {
            return Err(Errno::ESPIPE);
        }
        let mut pos = self.pos.lock().unwrap_or_else(|p| p.into_inner());
        let is_dir = self.inode.stat()?.file_type() == FileType::Directory;
        let base: i64 = match whence {
            0 => 0,
            1 => *pos as i64,
            2 => self.inode.stat()?.size as i64,
            3 | 4 => {
                // SEEK_DATA / SEEK_HOLE: the whole file is data.
                let size = self.inode.stat()?.size as i64;
                if off < 0 || off >= size {
                    return Err(Errno::ENXIO);
                }
                let r = if whence == 3 { off } else { size };
                *pos = r as u64;
                return Ok(r as u64);
            }
            _ => return Err(Errno::EINVAL),
        };
        let new = base.checked_add(off).ok_or(Errno::EINVAL)?;
        if new < 0 {
            return Err(Errno::EINVAL);
        }
        *pos = new as u64;
        if is_dir && new == 0 {
            *self.dir_snapshot.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        Ok(new as u64)
    }
}

/// poll(2) event bits.
pub mod poll {
    pub const POLLIN: u16 = 0x1;
    pub const POLLPRI: u16 = 0x2;
    pub const POLLOUT: u16 = 0x4;
    pub const POLLERR: u16 = 0x8;
    pub const POLLHUP: u16 = 0x10;
    pub const POLLNVAL: u16 = 0x20;
    pub const POLLRDNORM: u16 = 0x40;
    pub const POLLWRNORM: u16 = 0x100;
}

/// renameat2 flags.
pub const RENAME_NOREPLACE: u32 = 1;
pub const RENAME_EXCHANGE: u32 = 2;

/// memfd seals (fcntl F_ADD_SEALS).
pub mod seal {
    pub const SEAL: u32 = 1;
    pub const SHRINK: u32 = 2;
    pub const GROW: u32 = 4;
    pub const WRITE: u32 = 8;
    pub const FUTURE_WRITE: u32 = 16;
}

impl Drop for OpenFile {
    fn drop(&mut self) {
        flock::release_all(self as *const OpenFile as usize);
        reclock::release(self as *const OpenFile as u64 | reclock::OFD_BIT, None);
    }
}

/// Permission bits check with Linux's rules for the given credentials:
/// root may read and write anything and execute anything with an x bit
/// (or any directory).
pub fn may_access(st: &Stat, uid: u32, gid: u32, want: u32) -> bool {
    if want == 0 {
        return true;
    }
    if uid == 0 {
        if want & 1 == 0 {
            return true;
        }
        return st.file_type() == FileType::Directory || st.mode & 0o111 != 0;
    }
    let bits = if st.uid == uid {
        (st.mode >> 6) & 7
    } else if st.gid == gid {
        (st.mode >> 3) & 7
    } else {
        st.mode & 7
    };
    bits & want == want
}

/// The mount table and the sandbox's root.
pub struct Vfs {
    pub root: Arc<Dentry>,
    /// (mount point inode, root of the mounted file system, fs name, source).
    mounts: Mutex<Vec<Mount>>,
}

/// The mount id of anonymous files (pipes, eventfds, ...): Linux's
/// internal pipefs/anon_inodefs mounts, which appear in no mount table.
pub const ANON_MNT_ID: u64 = 1;

/// One mount.
#[derive(Clone)]
pub struct Mount {
    pub point: InodeRef,
    pub root: InodeRef,
    pub path: Vec<u8>,
    pub fstype: &'static str,
    pub source: &'static str,
    pub options: &'static str,
}

impl Vfs {
    /// A VFS whose root is `root`.
    pub fn new(root: InodeRef) -> Vfs {
        Vfs {
            root: Dentry::root(root),
            mounts: Mutex::new(Vec::new()),
        }
    }

    /// Mounts `fs_root` over the directory `point` (an absolute path).
    pub fn mount(
        &self,
        point: &[u8],
        fs_root: InodeRef,
        fstype: &'static str,
        source: &'static str,
        options: &'static str,
    ) -> KResult<()> {
        let d =
            path::Walker::new(self, self.root.clone()).resolve(self.root.clone(), point, true)?;
        if d.inode.stat()?.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        self.mounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Mount {
                point: d.inode.clone(),
                root: fs_root,
                path: point.to_vec(),
                fstype,
                source,
                options,
            });
        Ok(())
    }

    /// The inode to use for `inode` after crossing mounts.
    pub fn cross_mounts(&self, inode: InodeRef) -> InodeRef {
        let mounts = self.mounts.lock().unwrap_or_else(|p| p.into_inner());
        let mut cur = inode;
        // Stacked mounts: the last mount over a point wins.
        loop {
            match mounts.iter().rev().find(|m| same_inode(&m.point, &cur)) {
                Some(m) => cur = m.root.clone(),
                None => return cur,
            }
        }
    }

    /// The id of the mount `d` lies in (/proc/PID/fdinfo's `mnt_id`,
    /// statx's `stx_mnt_id`): 2 for the root, 3 + its index for each mount
    /// in the table, [`ANON_MNT_ID`] for files of no directory.
    pub fn mount_id(&self, d: Option<&Dentry>) -> u64 {
        let Some(mut d) = d else {
            return ANON_MNT_ID;
        };
        let mounts = self.mounts.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(i) = mounts.iter().rposition(|m| same_inode(&m.root, &d.inode)) {
                return 3 + i as u64;
            }
            match &d.parent {
                Some(p) => d = p,
                None => return 2,
            }
        }
    }

    /// The mount table (for /proc/mounts).
    pub fn mounts(&self) -> Vec<Mount> {
        self.mounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
