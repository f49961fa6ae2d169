//! Synthetic nodes whose content is computed from kernel state when asked
//! for: directories listing generated children, read-only files generated
//! at open, and symlinks (plain or magic). procfs and devfs are built from
//! these.

use std::any::Any;
use std::sync::Arc;

use super::new_ino;
use crate::errno::{Errno, KResult};
use crate::vfs::{
    Dentry, DirEntry, FileImpl, FileType, Inode, InodeRef, Stat, Timespec, mode, oflags,
};

type Children = Box<dyn Fn() -> Vec<(Vec<u8>, InodeRef)> + Send + Sync>;
type Hidden = Box<dyn Fn(&[u8]) -> Option<InodeRef> + Send + Sync>;
type Content = Box<dyn Fn() -> KResult<Vec<u8>> + Send + Sync>;
type Magic = Box<dyn Fn() -> KResult<Arc<Dentry>> + Send + Sync>;

/// Device number of synthetic file systems.
pub const SYNTH_DEV: u64 = 0x15;

/// Attributes of a synthetic node.
pub fn synth_stat(ino: u64, m: u32) -> Stat {
    let t = boot_time();
    Stat {
        dev: SYNTH_DEV,
        ino,
        mode: m,
        nlink: if m & mode::S_IFMT == mode::S_IFDIR {
            2
        } else {
            1
        },
        blksize: 1024,
        atime: t,
        mtime: t,
        ctime: t,
        ..Stat::default()
    }
}

fn boot_time() -> Timespec {
    static T: std::sync::OnceLock<Timespec> = std::sync::OnceLock::new();
    *T.get_or_init(Timespec::now)
}

/// A directory with generated children.
pub struct SynthDir {
    ino: u64,
    perm: u32,
    children: Children,
    /// Names found by lookup that listings leave out.
    hidden: Option<Hidden>,
}

impl SynthDir {
    /// A directory listing `children()`.
    pub fn new(
        perm: u32,
        children: impl Fn() -> Vec<(Vec<u8>, InodeRef)> + Send + Sync + 'static,
    ) -> Arc<SynthDir> {
        Arc::new(SynthDir {
            ino: new_ino(),
            perm,
            children: Box::new(children),
            hidden: None,
        })
    }

    /// A directory listing `children()` whose lookups also find what
    /// `hidden(name)` returns (procfs's unlisted thread ids).
    pub fn with_lookup(
        perm: u32,
        children: impl Fn() -> Vec<(Vec<u8>, InodeRef)> + Send + Sync + 'static,
        hidden: impl Fn(&[u8]) -> Option<InodeRef> + Send + Sync + 'static,
    ) -> Arc<SynthDir> {
        Arc::new(SynthDir {
            ino: new_ino(),
            perm,
            children: Box::new(children),
            hidden: Some(Box::new(hidden)),
        })
    }

    /// A directory with a fixed list of children.
    pub fn fixed(perm: u32, children: Vec<(&'static str, InodeRef)>) -> Arc<SynthDir> {
        let list: Vec<(Vec<u8>, InodeRef)> = children
            .into_iter()
            .map(|(n, i)| (n.as_bytes().to_vec(), i))
            .collect();
        SynthDir::new(perm, move || list.clone())
    }
}

impl Inode for SynthDir {
    fn stat(&self) -> KResult<Stat> {
        Ok(synth_stat(self.ino, mode::S_IFDIR | self.perm))
    }
    fn lookup(&self, name: &[u8]) -> KResult<InodeRef> {
        (self.children)()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| i)
            .or_else(|| self.hidden.as_ref().and_then(|h| h(name)))
            .ok_or(Errno::ENOENT)
    }
    fn read_dir(&self) -> KResult<Vec<DirEntry>> {
        Ok((self.children)()
            .into_iter()
            .map(|(name, i)| {
                let st = i.stat().unwrap_or_default();
                DirEntry {
                    name,
                    ino: st.ino,
                    kind: st.file_type(),
                }
            })
            .collect())
    }
    fn open(self: Arc<Self>, flags: u32) -> KResult<Box<dyn FileImpl>> {
        if flags & oflags::O_ACCMODE != oflags::O_RDONLY {
            return Err(Errno::EISDIR);
        }
        Ok(Box::new(SynthDirFile))
    }
    fn mkdir(&self, _name: &[u8], _mode: u32) -> KResult<()> {
        Err(Errno::EPERM)
    }
    fn create(&self, _name: &[u8], _mode: u32) -> KResult<InodeRef> {
        Err(Errno::EACCES)
    }
    fn unlink(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::EPERM)
    }
    fn rmdir(&self, _name: &[u8]) -> KResult<()> {
        Err(Errno::EPERM)
    }
    fn symlink(&self, _name: &[u8], _target: &[u8]) -> KResult<()> {
        Err(Errno::EPERM)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct SynthDirFile;

impl FileImpl for SynthDirFile {
    fn read(&self, _buf: &mut [u8], _off: u64) -> KResult<usize> {
        Err(Errno::EISDIR)
    }
}

/// A read-only file whose content is generated at open.
pub struct SynthFile {
    ino: u64,
    perm: u32,
    content: Content,
}

impl SynthFile {
    /// A file holding `content()` as of each open.
    pub fn new(
        perm: u32,
        content: impl Fn() -> KResult<Vec<u8>> + Send + Sync + 'static,
    ) -> Arc<SynthFile> {
        Arc::new(SynthFile {
            ino: new_ino(),
            perm,
            content: Box::new(content),
        })
    }
}

impl Inode for SynthFile {
    fn stat(&self) -> KResult<Stat> {
        Ok(synth_stat(self.ino, mode::S_IFREG | self.perm))
    }
    fn open(self: Arc<Self>, flags: u32) -> KResult<Box<dyn FileImpl>> {
        if flags & oflags::O_ACCMODE != oflags::O_RDONLY {
            return Err(Errno::EACCES);
        }
        Ok(Box::new(BytesFile((self.content)()?)))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An open snapshot of generated bytes.
pub struct BytesFile(pub Vec<u8>);

impl FileImpl for BytesFile {
    fn read(&self, buf: &mut [u8], off: u64) -> KResult<usize> {
        let len = self.0.len() as u64;
        if off >= len {
            return Ok(0);
        }
        let n = ((len - off) as usize).min(buf.len());
        buf[..n].copy_from_slice(&self.0[off as usize..off as usize + n]);
        Ok(n)
    }
}

/// A symlink with a generated target; magic when following it should not
/// go through the text (/proc/PID/exe, /proc/PID/fd/N).
pub struct SynthLink {
    ino: u64,
    target: Content,
    magic: Option<Magic>,
}

impl SynthLink {
    /// A plain symlink to `target()`.
    pub fn new(target: impl Fn() -> KResult<Vec<u8>> + Send + Sync + 'static) -> Arc<SynthLink> {
        Arc::new(SynthLink {
            ino: new_ino(),
            target: Box::new(target),
            magic: None,
        })
    }

    /// A magic link: reads as `target()`, follows to `magic()`.
    pub fn magic(
        target: impl Fn() -> KResult<Vec<u8>> + Send + Sync + 'static,
        magic: impl Fn() -> KResult<Arc<Dentry>> + Send + Sync + 'static,
    ) -> Arc<SynthLink> {
        Arc::new(SynthLink {
            ino: new_ino(),
            target: Box::new(target),
            magic: Some(Box::new(magic)),
        })
    }
}

impl Inode for SynthLink {
    fn stat(&self) -> KResult<Stat> {
        let mut st = synth_stat(self.ino, mode::S_IFLNK | 0o777);
        st.size = (self.target)().map(|t| t.len() as u64).unwrap_or(0);
        Ok(st)
    }
    fn read_link(&self) -> KResult<Vec<u8>> {
        (self.target)()
    }
    fn follow_magic(&self) -> Option<KResult<Arc<Dentry>>> {
        self.magic.as_ref().map(|m| m())
    }
    fn open(self: Arc<Self>, _flags: u32) -> KResult<Box<dyn FileImpl>> {
        Err(Errno::ELOOP)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Whether an inode is a directory (helper for listings).
pub fn is_dir(i: &InodeRef) -> bool {
    i.stat()
        .map(|s| s.file_type() == FileType::Directory)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_names_are_found_but_not_listed() {
        let shown: InodeRef = SynthFile::new(0o444, || Ok(Vec::new()));
        let hidden: InodeRef = SynthFile::new(0o444, || Ok(b"x".to_vec()));
        let d = SynthDir::with_lookup(
            0o555,
            move || vec![(b"a".to_vec(), shown.clone())],
            move |n| (n == b"h").then(|| hidden.clone()),
        );
        assert!(d.lookup(b"a").is_ok());
        assert!(d.lookup(b"h").is_ok());
        assert_eq!(d.lookup(b"z").err(), Some(Errno::ENOENT));
        let names: Vec<Vec<u8>> = d.read_dir().unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, vec![b"a".to_vec()]);
    }
}
