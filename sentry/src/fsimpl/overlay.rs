//! The root file system: a read-only lower layer reached through the gofer
//! and a memory upper layer that takes every change, so a sandbox never
//! writes to the host. Directories are merged lazily: a name is looked up
//! in the lower layer the first time it is asked for and remembered
//! (including its absence); a listing pulls the whole lower directory
//! once. Removing a name leaves a whiteout. A regular file is copied up
//! (its whole content into memory) the first time it is opened for
//! writing or truncated; until then reads go straight to the host fd the
//! gofer donated.
//!
//! Lock order: a directory's state > its children's state (rename locks
//! two directories in address order).

use std::any::Any;
use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::new_ino;
use crate::errno::{Errno, KResult};
use crate::memfile::MemoryFile;
use crate::mm::{MapSource, SharedRange};
use crate::sys;
use crate::vfs::{
    DirEntry, FileImpl, FileType, Inode, InodeRef, RENAME_EXCHANGE, RENAME_NOREPLACE, SetAttr,
    Stat, Timespec, mode, oflags, seal,
};

/// The lower layer: a read-only view of a host directory tree. Paths are
/// relative, symlink-free, '/'-separated; "" is the root.
pub trait LowerFs: Send + Sync {
    fn lstat(&self, path: &[u8]) -> KResult<Stat>;
    fn open_read(&self, path: &[u8]) -> KResult<OwnedFd>;
    fn read_dir(&self, path: &[u8]) -> KResult<Vec<DirEntry>>;
    fn read_link(&self, path: &[u8]) -> KResult<Vec<u8>>;
}

/// Device number the overlay reports.
pub const OVERLAY_DEV: u64 = 0x2f;

/// One overlay instance.
pub struct OverlayFs {
    lower: Option<Arc<dyn LowerFs>>,
}

impl OverlayFs {
    /// The root directory of an overlay on `lower` (None: memory only, a
    /// tmpfs).
    pub fn new_root(lower: Option<Arc<dyn LowerFs>>) -> KResult<Arc<OvlNode>> {
        let fs = Arc::new(OverlayFs { lower });
        let attr = match &fs.lower {
            Some(l) => l.lstat(b"")?,
            None => new_attr(FileType::Directory, 0o1777, new_ino()),
        };
        Ok(OvlNode::new(
            &fs,
            FileType::Directory,
            fs.lower.as_ref().map(|_| Vec::new()),
            Some(attr),
        ))
    }
}

impl OverlayFs {
    /// A regular file in memory that no directory names (memfd_create):
    /// `sealing` allows F_ADD_SEALS, else the file is born sealed.
    pub fn anonymous_file(perm: u32, sealing: bool) -> Arc<OvlNode> {
        let fs = Arc::new(OverlayFs { lower: None });
        let node = OvlNode::new(
            &fs,
            FileType::Regular,
            None,
            Some(new_attr(FileType::Regular, perm, new_ino())),
        );
        node.lock().seals = Some(if sealing { 0 } else { seal::SEAL });
        node
    }

    /// A regular file in memory that no directory names (O_TMPFILE).
    pub fn unnamed_file(perm: u32) -> Arc<OvlNode> {
        let fs = Arc::new(OverlayFs { lower: None });
        let node = OvlNode::new(
            &fs,
            FileType::Regular,
            None,
            Some(new_attr(FileType::Regular, perm, new_ino())),
        );
        if let Some(a) = node.lock().attr.as_mut() {
            a.nlink = 0;
        }
        node
    }
}

/// An overlay inode.
pub struct OvlNode {
    fs: Arc<OverlayFs>,
    kind: FileType,
    /// Path in the lower layer, if the node came from there.
    lower_path: Option<Vec<u8>>,
    /// Protected by this mutex.
    st: Mutex<NodeState>,
    /// The file cache of a lower file: (file offset, length) -> the
    /// memory-file copy private mappings share (see `MapSource::cached`).
    map_cache: Mutex<Vec<CachedRange>>,
}

/// One file-cache entry: (file offset, length) and the shared copy, alive
/// while some mapping holds it.
type CachedRange = ((u64, u64), Weak<SharedRange>);

struct NodeState {
    /// Attributes; None until first needed for nodes seen in a listing.
    attr: Option<Stat>,
    dir: Option<DirState>,
    data: RegData,
    link: Option<Vec<u8>>,
    /// memfd seals; None for files that are not memfds.
    seals: Option<u32>,
    /// A directory that was removed: nothing can be created in it.
    dead: bool,
}

struct DirState {
    /// name -> node, or None for a whiteout / known absence.
    entries: BTreeMap<Vec<u8>, Option<Arc<OvlNode>>>,
    /// The lower directory has been listed in full.
    listed: bool,
}

enum RegData {
    /// Not a regular file.
    None,
    /// Still in the lower layer; the host fd once opened.
    Lower(Option<Arc<OwnedFd>>),
    /// Copied up (or created) in memory.
    Upper(Vec<u8>),
}

fn new_attr(kind: FileType, perm: u32, ino: u64) -> Stat {
    let now = Timespec::now();
    Stat {
        dev: OVERLAY_DEV,
        ino,
        mode: kind.mode_bits() | (perm & 0o7777),
        nlink: if kind == FileType::Directory { 2 } else { 1 },
        uid: 0,
        gid: 0,
        rdev: 0,
        size: 0,
        blksize: 4096,
        blocks: 0,
        atime: now,
        mtime: now,
        ctime: now,
    }
}

/// Resizes file data, failing with ENOSPC (not aborting the sentry) when
/// the memory cannot be had.
fn grow(v: &mut Vec<u8>, len: usize) -> KResult<()> {
    if len > v.len() {
        v.try_reserve_exact(len - v.len())
            .map_err(|_| Errno::ENOSPC.why("no memory for file data"))?;
    }
    v.resize(len, 0);
    Ok(())
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(dir.len() + 1 + name.len());
    if !dir.is_empty() {
        p.extend_from_slice(dir);
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

impl OvlNode {
    fn new(
        fs: &Arc<OverlayFs>,
        kind: FileType,
        lower_path: Option<Vec<u8>>,
        attr: Option<Stat>,
    ) -> Arc<OvlNode> {
        let from_lower = lower_path.is_some();
        Arc::new(OvlNode {
            fs: fs.clone(),
            kind,
            lower_path,
            st: Mutex::new(NodeState {
                attr,
                dir: (kind == FileType::Directory).then(|| DirState {
                    entries: BTreeMap::new(),
                    listed: !from_lower,
                }),
                data: match kind {
                    FileType::Regular if from_lower => RegData::Lower(None),
                    FileType::Regular => RegData::Upper(Vec::new()),
                    _ => RegData::None,
                },
                link: None,
                seals: None,
                dead: false,
            }),
            map_cache: Mutex::new(Vec::new()),
        })
    }

    /// Called when the last name of this node goes away.
    fn unlinked(&self) {
        let mut st = self.lock();
        if self.attr_locked(&mut st).is_err() {
            return;
        }
        if let Some(a) = st.attr.as_mut() {
            if self.kind == FileType::Directory {
                a.nlink = 0;
                st.dead = true;
            } else {
                a.nlink = a.nlink.saturating_sub(1);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, NodeState> {
        self.st.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lower(&self) -> KResult<&Arc<dyn LowerFs>> {
        self.fs
            .lower
            .as_ref()
            .ok_or(Errno::EIO.why("no lower layer"))
    }

    fn attr_locked(&self, st: &mut NodeState) -> KResult<Stat> {
        if st.attr.is_none() {
            let path = self.lower_path.as_deref().ok_or(Errno::EIO)?;
            st.attr = Some(self.lower()?.lstat(path)?);
        }
        let mut a = st.attr.unwrap_or_default();
        a.dev = OVERLAY_DEV;
        if let RegData::Upper(v) = &st.data {
            a.size = v.len() as u64;
            a.blocks = a.size.div_ceil(512);
        }
        Ok(a)
    }

    fn touch_locked(&self, st: &mut NodeState) -> KResult<()> {
        self.attr_locked(st)?;
        if let Some(a) = st.attr.as_mut() {
            let now = Timespec::now();
            a.mtime = now;
            a.ctime = now;
        }
        Ok(())
    }

    /// Finds `name` in this directory's locked state.
    fn lookup_locked(&self, st: &mut NodeState, name: &[u8]) -> KResult<Option<Arc<OvlNode>>> {
        if st.dead {
            return Ok(None);
        }
        let dir = st.dir.as_mut().ok_or(Errno::ENOTDIR)?;
        if let Some(e) = dir.entries.get(name) {
            return Ok(e.clone());
        }
        if dir.listed {
            return Ok(None);
        }
        let Some(base) = &self.lower_path else {
            return Ok(None);
        };
        let path = join(base, name);
        match self.lower()?.lstat(&path) {
            Ok(attr) => {
                let node = OvlNode::new(&self.fs, attr.file_type(), Some(path), Some(attr));
                dir.entries.insert(name.to_vec(), Some(node.clone()));
                Ok(Some(node))
            }
            Err(e) if e == Errno::ENOENT => {
                dir.entries.insert(name.to_vec(), None);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn ensure_listed(&self, st: &mut NodeState) -> KResult<()> {
        let lower = self.fs.lower.clone();
        let dir = st.dir.as_mut().ok_or(Errno::ENOTDIR)?;
        if dir.listed {
            return Ok(());
        }
        let (Some(base), Some(lower)) = (&self.lower_path, lower) else {
            dir.listed = true;
            return Ok(());
        };
        for e in lower.read_dir(base)? {
            if dir.entries.contains_key(&e.name) || e.name == b"." || e.name == b".." {
                continue;
            }
            let path = join(base, &e.name);
            let node = OvlNode::new(&self.fs, e.kind, Some(path), None);
            dir.entries.insert(e.name, Some(node));
        }
        dir.listed = true;
        Ok(())
    }

    fn add_child(&self, name: &[u8], kind: FileType, perm: u32) -> KResult<Arc<OvlNode>> {
        let mut st = self.lock();
        if st.dead {
            return Err(Errno::ENOENT);
        }
        if self.lookup_locked(&mut st, name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        let node = OvlNode::new(&self.fs, kind, None, Some(new_attr(kind, perm, new_ino())));
        if let Some(d) = st.dir.as_mut() {
            d.entries.insert(name.to_vec(), Some(node.clone()));
        }
        if kind == FileType::Directory
            && let Some(a) = st.attr.as_mut()
        {
            a.nlink += 1;
        }
        self.touch_locked(&mut st)?;
        Ok(node)
    }

    /// Copies a lower regular file up into memory.
    fn copy_up_locked(&self, st: &mut NodeState) -> KResult<()> {
        if let RegData::Lower(_) = st.data {
            let fd = self.lower_fd_locked(st)?;
            let size = self.attr_locked(st)?.size;
            let mut data = Vec::new();
            grow(&mut data, size as usize)?;
            let mut done = 0;
            while done < data.len() {
                let n = sys::pread(fd.as_raw_fd(), &mut data[done..], done as u64)?;
                if n == 0 {
                    break;
                }
                done += n;
            }
            data.truncate(done);
            st.data = RegData::Upper(data);
        }
        Ok(())
    }

    fn lower_fd_locked(&self, st: &mut NodeState) -> KResult<Arc<OwnedFd>> {
        match &mut st.data {
            RegData::Lower(Some(fd)) => Ok(fd.clone()),
            RegData::Lower(slot) => {
                let path = self.lower_path.as_deref().ok_or(Errno::EIO)?;
                let fd = Arc::new(self.fs.lower.as_ref().ok_or(Errno::EIO)?.open_read(path)?);
                *slot = Some(fd.clone());
                Ok(fd)
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn read_at(&self, buf: &mut [u8], off: u64) -> KResult<usize> {
        let mut st = self.lock();
        match &st.data {
            RegData::Upper(v) => {
                let len = v.len() as u64;
                if off >= len {
                    return Ok(0);
                }
                let n = ((len - off) as usize).min(buf.len());
                buf[..n].copy_from_slice(&v[off as usize..off as usize + n]);
                Ok(n)
            }
            RegData::Lower(_) => {
                let fd = self.lower_fd_locked(&mut st)?;
                drop(st);
                sys::pread(fd.as_raw_fd(), buf, off)
            }
            RegData::None => Err(Errno::EINVAL),
        }
    }

    fn write_at(&self, buf: &[u8], off: u64) -> KResult<usize> {
        let mut st = self.lock();
        self.copy_up_locked(&mut st)?;
        let end = off.checked_add(buf.len() as u64).ok_or(Errno::EFBIG)?;
        if end > (1 << 40) {
            return Err(Errno::EFBIG);
        }
        if let Some(seals) = st.seals {
            let size = self.attr_locked(&mut st)?.size;
            if seals & (seal::WRITE | seal::FUTURE_WRITE) != 0
                || (seals & seal::GROW != 0 && end > size)
            {
                return Err(Errno::EPERM);
            }
        }
        if let RegData::Upper(v) = &mut st.data {
            if v.len() < end as usize {
                grow(v, end as usize)?;
            }
            v[off as usize..end as usize].copy_from_slice(buf);
        }
        self.touch_locked(&mut st)?;
        Ok(buf.len())
    }
}

fn downcast(i: &InodeRef) -> Option<&OvlNode> {
    i.as_any().downcast_ref::<OvlNode>()
}

impl Inode for OvlNode {
    fn stat(&self) -> KResult<Stat> {
        let mut st = self.lock();
        self.attr_locked(&mut st)
    }

    fn lookup(&self, name: &[u8]) -> KResult<InodeRef> {
        let mut st = self.lock();
        match self.lookup_locked(&mut st, name)? {
            Some(n) => Ok(n),
            None => Err(Errno::ENOENT),
        }
    }

    fn read_dir(&self) -> KResult<Vec<DirEntry>> {
        let mut st = self.lock();
        if st.dead {
            return Ok(Vec::new());
        }
        self.ensure_listed(&mut st)?;
        let dir = st.dir.as_ref().ok_or(Errno::ENOTDIR)?;
        let nodes: Vec<(Vec<u8>, Arc<OvlNode>)> = dir
            .entries
            .iter()
            .filter_map(|(k, v)| v.clone().map(|n| (k.clone(), n)))
            .collect();
        drop(st);
        let mut out = Vec::with_capacity(nodes.len());
        for (name, n) in nodes {
            let ino = {
                let s = n.lock();
                s.attr.map(|a| a.ino)
            };
            let ino = match ino {
                Some(i) => i,
                None => n.stat().map(|a| a.ino).unwrap_or(0),
            };
            out.push(DirEntry {
                name,
                ino,
                kind: n.kind,
            });
        }
        Ok(out)
    }

    fn read_link(&self) -> KResult<Vec<u8>> {
        if self.kind != FileType::Symlink {
            return Err(Errno::EINVAL);
        }
        let mut st = self.lock();
        if st.link.is_none() {
            let path = self.lower_path.as_deref().ok_or(Errno::EIO)?;
            st.link = Some(self.lower()?.read_link(path)?);
        }
        Ok(st.link.clone().unwrap_or_default())
    }

    fn open(self: Arc<Self>, flags: u32) -> KResult<Box<dyn FileImpl>> {
        match self.kind {
            FileType::Directory => Ok(Box::new(DirFile)),
            FileType::Regular => {
                let write = flags & oflags::O_ACCMODE != oflags::O_RDONLY;
                if write || flags & oflags::O_TRUNC != 0 {
                    let mut st = self.lock();
                    if flags & oflags::O_TRUNC != 0 {
                        st.data = RegData::Upper(Vec::new());
                        self.touch_locked(&mut st)?;
                    } else if write {
                        self.copy_up_locked(&mut st)?;
                    }
                }
                Ok(Box::new(OvlFile {
                    node: self,
                    write: flags & oflags::O_ACCMODE != oflags::O_RDONLY,
                }))
            }
            FileType::Symlink => Err(Errno::ELOOP),
            _ => Err(Errno::ENXIO.why("host special files are not reachable")),
        }
    }

    fn create(&self, name: &[u8], perm: u32) -> KResult<InodeRef> {
        Ok(self.add_child(name, FileType::Regular, perm)?)
    }

    fn mkdir(&self, name: &[u8], perm: u32) -> KResult<()> {
        self.add_child(name, FileType::Directory, perm).map(|_| ())
    }

    fn symlink(&self, name: &[u8], target: &[u8]) -> KResult<()> {
        let n = self.add_child(name, FileType::Symlink, 0o777)?;
        let mut st = n.lock();
        st.link = Some(target.to_vec());
        if let Some(a) = st.attr.as_mut() {
            a.size = target.len() as u64;
        }
        Ok(())
    }

    fn link(&self, name: &[u8], target: &InodeRef) -> KResult<()> {
        let Some(t) = target.as_any().downcast_ref::<OvlNode>() else {
            return Err(Errno::EXDEV);
        };
        if t.kind == FileType::Directory {
            return Err(Errno::EPERM);
        }
        let mut st = self.lock();
        if self.lookup_locked(&mut st, name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        // Find the Arc of the target: it must be reachable from its own
        // directory, so re-create it from a clone of its state when needed.
        let node = find_arc(target).ok_or(Errno::EXDEV)?;
        {
            let mut ts = node.lock();
            node.attr_locked(&mut ts)?;
            if let Some(a) = ts.attr.as_mut() {
                a.nlink += 1;
                a.ctime = Timespec::now();
            }
        }
        if let Some(d) = st.dir.as_mut() {
            d.entries.insert(name.to_vec(), Some(node));
        }
        self.touch_locked(&mut st)
    }

    fn unlink(&self, name: &[u8]) -> KResult<()> {
        let mut st = self.lock();
        let node = self.lookup_locked(&mut st, name)?.ok_or(Errno::ENOENT)?;
        if node.kind == FileType::Directory {
            return Err(Errno::EISDIR);
        }
        if let Some(d) = st.dir.as_mut() {
            d.entries.insert(name.to_vec(), None);
        }
        self.touch_locked(&mut st)?;
        drop(st);
        node.unlinked();
        Ok(())
    }

    fn rmdir(&self, name: &[u8]) -> KResult<()> {
        let mut st = self.lock();
        let node = self.lookup_locked(&mut st, name)?.ok_or(Errno::ENOENT)?;
        if node.kind != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        if !node.read_dir()?.is_empty() {
            return Err(Errno::ENOTEMPTY);
        }
        node.unlinked();
        if let Some(d) = st.dir.as_mut() {
            d.entries.insert(name.to_vec(), None);
        }
        if let Some(a) = st.attr.as_mut() {
            a.nlink = a.nlink.saturating_sub(1);
        }
        self.touch_locked(&mut st)
    }

    fn rename(&self, old: &[u8], new_dir: &InodeRef, new: &[u8], flags: u32) -> KResult<()> {
        let Some(nd) = downcast(new_dir) else {
            return Err(Errno::EXDEV);
        };
        if !Arc::ptr_eq(&self.fs, &nd.fs) {
            return Err(Errno::EXDEV);
        }
        if std::ptr::eq(self, nd) {
            let mut st = self.lock();
            return rename_locked(self, nd, &mut st, None, old, new, flags);
        }
        // Lock both directories in address order.
        let (mut a, mut b);
        if (self as *const OvlNode) < (nd as *const OvlNode) {
            a = self.lock();
            b = nd.lock();
        } else {
            b = nd.lock();
            a = self.lock();
        }
        rename_locked(self, nd, &mut a, Some(&mut b), old, new, flags)
    }

    fn allocate(&self, mode: u32, off: u64, len: u64) -> KResult<()> {
        const KEEP_SIZE: u32 = 1;
        const PUNCH_HOLE: u32 = 2;
        const ZERO_RANGE: u32 = 0x10;
        match self.kind {
            FileType::Regular => {}
            FileType::Directory => return Err(Errno::EISDIR),
            _ => return Err(Errno::ENODEV),
        }
        if mode & !(KEEP_SIZE | PUNCH_HOLE | ZERO_RANGE) != 0
            || (mode & PUNCH_HOLE != 0 && mode & KEEP_SIZE == 0)
            || (mode & PUNCH_HOLE != 0 && mode & ZERO_RANGE != 0)
        {
            return Err(Errno::EOPNOTSUPP);
        }
        let end = off.checked_add(len).ok_or(Errno::EFBIG)?;
        if end > (1 << 40) {
            return Err(Errno::EFBIG);
        }
        let mut st = self.lock();
        self.copy_up_locked(&mut st)?;
        let seals = st.seals.unwrap_or(0);
        let RegData::Upper(v) = &mut st.data else {
            return Err(Errno::EIO);
        };
        let size = v.len() as u64;
        if mode & KEEP_SIZE == 0 && end > size {
            if seals & seal::GROW != 0 {
                return Err(Errno::EPERM);
            }
            grow(v, end as usize)?;
        }
        if mode & (PUNCH_HOLE | ZERO_RANGE) != 0 {
            if seals & (seal::WRITE | seal::FUTURE_WRITE) != 0 {
                return Err(Errno::EPERM);
            }
            let e = (end as usize).min(v.len());
            let o = (off as usize).min(e);
            v[o..e].fill(0);
        }
        self.touch_locked(&mut st)
    }

    fn seals(&self) -> KResult<u32> {
        self.lock().seals.ok_or(Errno::EINVAL)
    }

    fn add_seals(&self, add: u32) -> KResult<()> {
        let mut st = self.lock();
        let cur = st.seals.ok_or(Errno::EINVAL)?;
        if add & !(seal::SEAL | seal::SHRINK | seal::GROW | seal::WRITE | seal::FUTURE_WRITE) != 0 {
            return Err(Errno::EINVAL);
        }
        if cur & seal::SEAL != 0 {
            return Err(Errno::EPERM);
        }
        st.seals = Some(cur | add);
        Ok(())
    }

    fn set_attr(&self, c: SetAttr) -> KResult<()> {
        let mut st = self.lock();
        self.attr_locked(&mut st)?;
        if let Some(a) = st.attr.as_mut() {
            if let Some(m) = c.mode {
                a.mode = (a.mode & mode::S_IFMT) | (m & 0o7777);
            }
            if let Some(u) = c.uid {
                a.uid = u;
            }
            if let Some(g) = c.gid {
                a.gid = g;
            }
            if let Some(t) = c.atime {
                a.atime = t;
            }
            if let Some(t) = c.mtime {
                a.mtime = t;
            }
            a.ctime = Timespec::now();
        }
        Ok(())
    }

    fn truncate(&self, len: u64) -> KResult<()> {
        if self.kind == FileType::Directory {
            return Err(Errno::EISDIR);
        }
        if self.kind != FileType::Regular {
            return Err(Errno::EINVAL);
        }
        if len > (1 << 40) {
            return Err(Errno::EFBIG);
        }
        let mut st = self.lock();
        self.copy_up_locked(&mut st)?;
        if let Some(seals) = st.seals {
            let size = self.attr_locked(&mut st)?.size;
            if (seals & seal::SHRINK != 0 && len < size) || (seals & seal::GROW != 0 && len > size)
            {
                return Err(Errno::EPERM);
            }
        }
        if let RegData::Upper(v) = &mut st.data {
            grow(v, len as usize)?;
        }
        self.touch_locked(&mut st)
    }

    fn fs_id(&self) -> u64 {
        Arc::as_ptr(&self.fs) as u64
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn check_replace(node: &Arc<OvlNode>, existing: Option<&Arc<OvlNode>>) -> KResult<()> {
    let Some(e) = existing else {
        return Ok(());
    };
    if Arc::ptr_eq(node, e) {
        return Ok(());
    }
    match (
        node.kind == FileType::Directory,
        e.kind == FileType::Directory,
    ) {
        (true, false) => Err(Errno::ENOTDIR),
        (false, true) => Err(Errno::EISDIR),
        (true, true) if !e.read_dir()?.is_empty() => Err(Errno::ENOTEMPTY),
        _ => Ok(()),
    }
}

fn set_entry(st: &mut NodeState, name: &[u8], node: Option<Arc<OvlNode>>) {
    if let Some(d) = st.dir.as_mut() {
        d.entries.insert(name.to_vec(), node);
    }
}

fn adjust_nlink(st: &mut NodeState, delta: i64) {
    if let Some(a) = st.attr.as_mut() {
        a.nlink = a.nlink.saturating_add_signed(delta);
    }
}

/// Renames with both directories locked; `dst` is None when the source
/// directory is also the destination.
fn rename_locked(
    sdir: &OvlNode,
    ddir: &OvlNode,
    src: &mut NodeState,
    mut dst: Option<&mut NodeState>,
    old: &[u8],
    new: &[u8],
    flags: u32,
) -> KResult<()> {
    let node = sdir.lookup_locked(src, old)?.ok_or(Errno::ENOENT)?;
    let existing = match dst.as_deref_mut() {
        Some(d) => ddir.lookup_locked(d, new)?,
        None => sdir.lookup_locked(src, new)?,
    };
    let moves_dir = dst.is_some();
    if flags & RENAME_EXCHANGE != 0 {
        let other = existing.ok_or(Errno::ENOENT)?;
        set_entry(src, old, Some(other.clone()));
        match dst.as_deref_mut() {
            Some(d) => set_entry(d, new, Some(node.clone())),
            None => set_entry(src, new, Some(node.clone())),
        }
        if let Some(d) = dst.as_deref_mut() {
            let (nd, od) = (
                node.kind == FileType::Directory,
                other.kind == FileType::Directory,
            );
            if nd != od {
                let delta = if nd { 1 } else { -1 };
                adjust_nlink(src, -delta);
                adjust_nlink(d, delta);
            }
        }
    } else {
        if flags & RENAME_NOREPLACE != 0
            && existing.as_ref().is_some_and(|e| !Arc::ptr_eq(e, &node))
        {
            return Err(Errno::EEXIST);
        }
        check_replace(&node, existing.as_ref())?;
        if existing.as_ref().is_some_and(|e| Arc::ptr_eq(e, &node)) {
            return Ok(());
        }
        if let Some(e) = &existing {
            e.unlinked();
        }
        set_entry(src, old, None);
        match dst.as_deref_mut() {
            Some(d) => set_entry(d, new, Some(node.clone())),
            None => set_entry(src, new, Some(node.clone())),
        }
        if node.kind == FileType::Directory && moves_dir {
            adjust_nlink(src, -1);
            if existing.is_none()
                && let Some(d) = dst.as_deref_mut()
            {
                adjust_nlink(d, 1);
            }
        }
    }
    sdir.touch_locked(src)?;
    if let Some(d) = dst {
        ddir.touch_locked(d)?;
    }
    Ok(())
}

/// The Arc behind an overlay inode reference.
fn find_arc(i: &InodeRef) -> Option<Arc<OvlNode>> {
    let any: Arc<dyn Any + Send + Sync> = i.clone().into_any_arc();
    any.downcast::<OvlNode>().ok()
}

/// Upcasting helper: an inode Arc as an `Any` Arc.
trait IntoAnyArc {
    fn into_any_arc(self) -> Arc<dyn Any + Send + Sync>;
}

impl IntoAnyArc for InodeRef {
    fn into_any_arc(self) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// An open directory (getdents goes through the inode).
struct DirFile;

impl FileImpl for DirFile {
    fn read(&self, _buf: &mut [u8], _off: u64) -> KResult<usize> {
        Err(Errno::EISDIR)
    }
    fn write(&self, _buf: &[u8], _off: u64) -> KResult<usize> {
        Err(Errno::EISDIR)
    }
}

/// An open regular overlay file.
struct OvlFile {
    node: Arc<OvlNode>,
    write: bool,
}

impl FileImpl for OvlFile {
    fn read(&self, buf: &mut [u8], off: u64) -> KResult<usize> {
        self.node.read_at(buf, off)
    }

    fn write(&self, buf: &[u8], off: u64) -> KResult<usize> {
        self.node.write_at(buf, off)
    }

    fn map_source(&self) -> Option<Arc<dyn MapSource>> {
        Some(Arc::new(OvlMap {
            node: self.node.clone(),
            writable: self.write,
        }))
    }

    fn host_fd(&self) -> Option<i32> {
        let mut st = self.node.lock();
        match st.data {
            RegData::Lower(_) => self
                .node
                .lower_fd_locked(&mut st)
                .ok()
                .map(|f| f.as_raw_fd()),
            _ => None,
        }
    }
}

/// An overlay file as the source of a mapping.
struct OvlMap {
    node: Arc<OvlNode>,
    writable: bool,
}

impl MapSource for OvlMap {
    fn fill(&self, mf: &MemoryFile, mf_off: u64, len: u64, file_off: u64) -> KResult<()> {
        let mut st = self.node.lock();
        match &st.data {
            RegData::Upper(v) => {
                let flen = v.len() as u64;
                if file_off < flen {
                    let n = (flen - file_off).min(len) as usize;
                    mf.write(mf_off, &v[file_off as usize..file_off as usize + n])?;
                }
                Ok(())
            }
            RegData::Lower(_) => {
                let fd = self.node.lower_fd_locked(&mut st)?;
                drop(st);
                mf.fill_from_fd(mf_off, len, fd.as_raw_fd(), file_off)?;
                Ok(())
            }
            RegData::None => Err(Errno::ENODEV),
        }
    }

    fn write_back(&self, mf: &MemoryFile, mf_off: u64, len: u64, file_off: u64) -> KResult<()> {
        let mut st = self.node.lock();
        if let RegData::Upper(v) = &mut st.data {
            let flen = v.len() as u64;
            if file_off < flen {
                let n = (flen - file_off).min(len) as usize;
                mf.read(mf_off, &mut v[file_off as usize..file_off as usize + n])?;
            }
        }
        Ok(())
    }

    fn writable(&self) -> bool {
        self.writable
    }

    fn cached(
        &self,
        mf: &Arc<MemoryFile>,
        file_off: u64,
        len: u64,
    ) -> Option<KResult<Arc<SharedRange>>> {
        // Only lower files: the sandbox never changes their bytes (a
        // write copies the file up first, and later mappings then fill
        // from the copy).
        if !matches!(self.node.lock().data, RegData::Lower(_)) {
            return None;
        }
        let mut cache = self
            .node
            .map_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        cache.retain(|(_, w)| w.strong_count() > 0);
        if let Some(r) = cache
            .iter()
            .find(|(k, _)| *k == (file_off, len))
            .and_then(|(_, w)| w.upgrade())
        {
            return Some(Ok(r));
        }
        let fill = || -> KResult<Arc<SharedRange>> {
            let off = mf.allocate(len)?;
            let range = Arc::new(SharedRange {
                mf: mf.clone(),
                off,
                len,
                published: true,
            });
            self.fill(mf, off, len, file_off)?;
            Ok(range)
        };
        Some(fill().inspect(|r| cache.push(((file_off, len), Arc::downgrade(r)))))
    }

    fn identity(&self) -> (u64, u64, Vec<u8>) {
        let ino = self.node.stat().map(|s| s.ino).unwrap_or(0);
        let path = self
            .node
            .lower_path
            .as_ref()
            .map(|p| {
                let mut v = b"/".to_vec();
                v.extend_from_slice(p);
                v
            })
            .unwrap_or_default();
        (OVERLAY_DEV, ino, path)
    }
}

#[cfg(test)]
#[path = "overlay_tests.rs"]
mod tests;
