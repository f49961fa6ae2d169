//! Overlay tests over a lower layer that reads a host directory directly.

use std::fs;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::PathBuf;
use std::sync::Arc;

use super::*;

struct DirLower(PathBuf);

impl DirLower {
    fn p(&self, path: &[u8]) -> PathBuf {
        self.0.join(String::from_utf8_lossy(path).as_ref())
    }
}

impl LowerFs for DirLower {
    fn lstat(&self, path: &[u8]) -> KResult<Stat> {
        let m = fs::symlink_metadata(self.p(path))?;
        Ok(Stat {
            ino: m.ino(),
            mode: m.mode(),
            nlink: m.nlink(),
            size: m.size(),
            ..Stat::default()
        })
    }
    fn open_read(&self, path: &[u8]) -> KResult<OwnedFd> {
        Ok(fs::File::open(self.p(path))?.into())
    }
    fn read_dir(&self, path: &[u8]) -> KResult<Vec<DirEntry>> {
        let mut v = Vec::new();
        for e in fs::read_dir(self.p(path))? {
            let e = e?;
            let m = e.metadata()?;
            v.push(DirEntry {
                name: e.file_name().into_encoded_bytes(),
                ino: m.ino(),
                kind: FileType::from_mode(m.mode()),
            });
        }
        Ok(v)
    }
    fn read_link(&self, path: &[u8]) -> KResult<Vec<u8>> {
        Ok(fs::read_link(self.p(path))?
            .into_os_string()
            .into_encoded_bytes())
    }
}

fn setup() -> (tempdir::Dir, Arc<OvlNode>) {
    let d = tempdir::Dir::new();
    fs::create_dir(d.0.join("sub")).unwrap();
    fs::write(d.0.join("sub/file"), b"lower content").unwrap();
    fs::write(d.0.join("top"), b"x").unwrap();
    symlink("sub/file", d.0.join("link")).unwrap();
    let root = OverlayFs::new_root(Some(Arc::new(DirLower(d.0.clone())))).unwrap();
    (d, root)
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!(
                "runlx-ovl-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn read_all(i: &InodeRef) -> Vec<u8> {
    let f = i.clone().open(oflags::O_RDONLY).unwrap();
    let mut buf = vec![0u8; 100];
    let n = f.read(&mut buf, 0).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn lookup_reads_lower_and_writes_stay_in_memory() {
    let (d, root) = setup();
    let sub = root.lookup(b"sub").unwrap();
    let file = sub.lookup(b"file").unwrap();
    assert_eq!(read_all(&file), b"lower content");
    let w = file.clone().open(oflags::O_WRONLY).unwrap();
    w.write(b"UPPER", 0).unwrap();
    assert_eq!(read_all(&file), b"UPPER content");
    assert_eq!(fs::read(d.0.join("sub/file")).unwrap(), b"lower content");
    assert_eq!(root.lookup(b"missing").err(), Some(Errno::ENOENT));
    assert_eq!(file.lookup(b"x").err(), Some(Errno::ENOTDIR));
}

#[test]
fn create_unlink_and_listing_merge() {
    let (d, root) = setup();
    let f = root.create(b"new", 0o644).unwrap();
    assert_eq!(f.stat().unwrap().mode, mode::S_IFREG | 0o644);
    assert_eq!(root.create(b"new", 0o644).err(), Some(Errno::EEXIST));
    root.unlink(b"top").unwrap();
    let mut names: Vec<Vec<u8>> = root
        .read_dir()
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![b"link".to_vec(), b"new".to_vec(), b"sub".to_vec()]
    );
    assert!(d.0.join("top").exists(), "the host never changes");
    assert_eq!(root.unlink(b"sub").err(), Some(Errno::EISDIR));
    assert_eq!(root.rmdir(b"sub").err(), Some(Errno::ENOTEMPTY));
}

#[test]
fn rename_across_directories_and_over_files() {
    let (_d, root) = setup();
    let sub_i = root.lookup(b"sub").unwrap();
    root.rename(b"top", &sub_i, b"moved", 0).unwrap();
    assert_eq!(root.lookup(b"top").err(), Some(Errno::ENOENT));
    assert_eq!(read_all(&sub_i.lookup(b"moved").unwrap()), b"x");
    sub_i.rename(b"moved", &sub_i, b"file", 0).unwrap();
    assert_eq!(read_all(&sub_i.lookup(b"file").unwrap()), b"x");
    root.mkdir(b"d", 0o755).unwrap();
    assert_eq!(
        root.rename(b"d", &sub_i, b"file", 0).err(),
        Some(Errno::ENOTDIR)
    );
    assert_eq!(
        root.rename(b"link", &(root.clone() as InodeRef), b"sub", 0)
            .err(),
        Some(Errno::EISDIR)
    );
}

#[test]
fn symlinks_and_truncate() {
    let (_d, root) = setup();
    let l = root.lookup(b"link").unwrap();
    assert_eq!(l.read_link().unwrap(), b"sub/file");
    root.symlink(b"l2", b"/abs").unwrap();
    assert_eq!(root.lookup(b"l2").unwrap().read_link().unwrap(), b"/abs");
    let f = root.lookup(b"sub").unwrap().lookup(b"file").unwrap();
    f.truncate(5).unwrap();
    assert_eq!(read_all(&f), b"lower");
    assert_eq!(f.stat().unwrap().size, 5);
}

#[test]
fn exchange_and_removed_directories() {
    let (_d, root) = setup();
    root.create(b"a", 0o644).unwrap();
    root.mkdir(b"b", 0o755).unwrap();
    let a = root.lookup(b"a").unwrap();
    let r: InodeRef = root.clone();
    root.rename(b"a", &r, b"b", crate::vfs::RENAME_EXCHANGE)
        .unwrap();
    assert!(crate::vfs::same_inode(&root.lookup(b"b").unwrap(), &a));
    assert_eq!(
        root.rename(b"a", &r, b"missing", crate::vfs::RENAME_EXCHANGE)
            .err(),
        Some(Errno::ENOENT)
    );
    assert_eq!(
        root.rename(b"a", &r, b"b", crate::vfs::RENAME_NOREPLACE)
            .err(),
        Some(Errno::EEXIST)
    );
    let dir = root.lookup(b"a").unwrap();
    root.rmdir(b"a").unwrap();
    assert_eq!(dir.stat().unwrap().nlink, 0);
    assert_eq!(dir.create(b"x", 0o644).err(), Some(Errno::ENOENT));
    assert!(dir.read_dir().unwrap().is_empty());
}
