//! Path resolution (`path_resolution(7)`), component by component inside
//! the task's root: `.` and `..` (which never climbs above the root),
//! symlinks (at most 40 per walk, ELOOP after), mount crossing, ENOTDIR for
//! a non-directory in the middle, ENAMETOOLONG for a component over 255
//! bytes, and trailing slashes that require a directory.

use std::sync::Arc;

use super::{Dentry, FileType, Vfs};
use crate::errno::{Errno, KResult};

/// The most symlinks one resolution follows.
pub const MAX_SYMLINKS: u32 = 40;
/// The longest name of one component.
pub const NAME_MAX: usize = 255;

/// openat2's RESOLVE_* restrictions.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveFlags {
    /// RESOLVE_NO_XDEV: never cross a mount.
    pub no_xdev: bool,
    /// RESOLVE_NO_MAGICLINKS: no /proc magic links.
    pub no_magiclinks: bool,
    /// RESOLVE_NO_SYMLINKS: no symlinks at all.
    pub no_symlinks: bool,
    /// RESOLVE_BENEATH: never leave the starting directory.
    pub beneath: bool,
}

/// One path resolution.
pub struct Walker<'a> {
    vfs: &'a Vfs,
    root: Arc<Dentry>,
    links: u32,
    flags: ResolveFlags,
    /// The starting directory, with RESOLVE_BENEATH.
    boundary: Option<Arc<Dentry>>,
}

/// The parent directory and last component of a path.
pub struct ParentAndName {
    pub dir: Arc<Dentry>,
    /// The last component; "." or ".." when the path ends with one.
    pub name: Vec<u8>,
    /// The path ended with '/'.
    pub trailing_slash: bool,
}

impl<'a> Walker<'a> {
    /// A walk inside `root` (the task's root directory).
    pub fn new(vfs: &'a Vfs, root: Arc<Dentry>) -> Walker<'a> {
        Walker {
            vfs,
            root,
            links: 0,
            flags: ResolveFlags::default(),
            boundary: None,
        }
    }

    /// A walk with openat2 restrictions; `start` is the directory that
    /// RESOLVE_BENEATH keeps it under.
    pub fn with_flags(mut self, flags: ResolveFlags, start: &Arc<Dentry>) -> Walker<'a> {
        self.flags = flags;
        if flags.beneath {
            self.boundary = Some(start.clone());
        }
        self
    }

    /// Resolves `path` from `start` (used when it is relative); follows a
    /// final symlink when `follow` is set.
    pub fn resolve(
        &mut self,
        start: Arc<Dentry>,
        path: &[u8],
        follow: bool,
    ) -> KResult<Arc<Dentry>> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path[0] == b'/' && self.boundary.is_some() {
            return Err(Errno::EXDEV);
        }
        let mut cur = if path[0] == b'/' {
            self.root.clone()
        } else {
            start
        };
        let trailing = path.ends_with(b"/");
        let comps: Vec<&[u8]> = path
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty())
            .collect();
        let n = comps.len();
        for (i, comp) in comps.into_iter().enumerate() {
            let last = i + 1 == n;
            cur = self.step(cur, comp, !last || follow || trailing)?;
        }
        if trailing && cur.inode.stat()?.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(cur)
    }

    /// Resolves all but the last component of `path`.
    pub fn resolve_parent(&mut self, start: Arc<Dentry>, path: &[u8]) -> KResult<ParentAndName> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let mut end = path.len();
        while end > 0 && path[end - 1] == b'/' {
            end -= 1;
        }
        let trailing_slash = end < path.len();
        if end == 0 {
            return Ok(ParentAndName {
                dir: self.root.clone(),
                name: b".".to_vec(),
                trailing_slash: true,
            });
        }
        let trimmed = &path[..end];
        let (dir, name) = match trimmed.iter().rposition(|&b| b == b'/') {
            Some(0) => (self.root.clone(), &trimmed[1..]),
            Some(i) => (self.resolve(start, &trimmed[..i], true)?, &trimmed[i + 1..]),
            None => (start, trimmed),
        };
        if dir.inode.stat()?.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(ParentAndName {
            dir,
            name: name.to_vec(),
            trailing_slash,
        })
    }

    /// Moves from directory `cur` through component `comp`.
    fn step(&mut self, cur: Arc<Dentry>, comp: &[u8], follow: bool) -> KResult<Arc<Dentry>> {
        if cur.inode.stat()?.file_type() != FileType::Directory {
            return Err(Errno::ENOTDIR);
        }
        if comp == b"." {
            return Ok(cur);
        }
        if comp == b".." {
            if self.boundary.as_ref().is_some_and(|b| cur.same_inode(b)) {
                return Err(Errno::EXDEV);
            }
            if Arc::ptr_eq(&cur, &self.root) || cur.same_inode(&self.root) {
                return Ok(cur);
            }
            return Ok(cur.parent.clone().unwrap_or(cur));
        }
        if comp.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let found = cur.inode.lookup(comp)?;
        let inode = self.vfs.cross_mounts(found.clone());
        if self.flags.no_xdev && !super::same_inode(&found, &inode) {
            return Err(Errno::EXDEV);
        }
        let child = Arc::new(Dentry {
            name: comp.to_vec(),
            parent: Some(cur.clone()),
            inode,
        });
        if !follow || child.inode.stat()?.file_type() != FileType::Symlink {
            return Ok(child);
        }
        self.links += 1;
        if self.links > MAX_SYMLINKS || self.flags.no_symlinks {
            return Err(Errno::ELOOP);
        }
        if let Some(target) = child.inode.follow_magic() {
            if self.flags.no_magiclinks || self.boundary.is_some() {
                return Err(Errno::ELOOP);
            }
            return target;
        }
        let target = child.inode.read_link()?;
        self.resolve(cur, &target, true)
    }
}
