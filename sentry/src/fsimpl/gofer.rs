//! The overlay's lower layer through the gofer: every lookup, listing and
//! open of the host root file system is one request to the gofer process,
//! which opens beneath its root fd without following symlinks.

use std::os::fd::OwnedFd;

use fs_gofer::{GoferClient, GoferError};

use super::overlay::LowerFs;
use crate::errno::{Errno, KResult};
use crate::vfs::{DirEntry, FileType, Stat, Timespec};

/// The gofer as a lower layer.
pub struct GoferLower(pub GoferClient);

fn err(e: GoferError) -> Errno {
    Errno::new(e.errno()).why(match e {
        GoferError::Remote(_) => "",
        _ => "gofer connection failed",
    })
}

fn stat(s: fs_gofer::Stat) -> Stat {
    Stat {
        dev: s.dev,
        ino: s.ino,
        mode: s.mode,
        nlink: s.nlink,
        uid: s.uid,
        gid: s.gid,
        rdev: s.rdev,
        size: s.size.max(0) as u64,
        blksize: s.blksize.max(0) as u64,
        blocks: s.blocks.max(0) as u64,
        atime: Timespec {
            sec: s.atime_sec,
            nsec: s.atime_nsec,
        },
        mtime: Timespec {
            sec: s.mtime_sec,
            nsec: s.mtime_nsec,
        },
        ctime: Timespec {
            sec: s.ctime_sec,
            nsec: s.ctime_nsec,
        },
    }
}

fn kind_of(d_type: u8) -> Option<FileType> {
    Some(match d_type {
        1 => FileType::Fifo,
        2 => FileType::CharDevice,
        4 => FileType::Directory,
        6 => FileType::BlockDevice,
        8 => FileType::Regular,
        10 => FileType::Symlink,
        12 => FileType::Socket,
        _ => return None,
    })
}

impl LowerFs for GoferLower {
    fn lstat(&self, path: &[u8]) -> KResult<Stat> {
        self.0.lstat(path).map(stat).map_err(err)
    }

    fn open_read(&self, path: &[u8]) -> KResult<OwnedFd> {
        self.0
            .open(path, libc::O_RDONLY)
            .map(|(fd, _)| fd)
            .map_err(err)
    }

    fn read_dir(&self, path: &[u8]) -> KResult<Vec<DirEntry>> {
        let entries = self.0.read_dir(path).map_err(err)?;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let kind = match kind_of(e.d_type) {
                Some(k) => k,
                None => {
                    let mut p = path.to_vec();
                    if !p.is_empty() {
                        p.push(b'/');
                    }
                    p.extend_from_slice(&e.name);
                    self.lstat(&p)?.file_type()
                }
            };
            out.push(DirEntry {
                name: e.name,
                ino: e.ino,
                kind,
            });
        }
        Ok(out)
    }

    fn read_link(&self, path: &[u8]) -> KResult<Vec<u8>> {
        self.0.read_link(path).map_err(err)
    }
}
