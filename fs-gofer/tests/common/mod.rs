//! Shared fixtures for the integration tests: a temporary root tree.

#![allow(dead_code)]

use std::fs;
use std::os::fd::OwnedFd;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Number of entries in `big/`.
pub const BIG: usize = 5000;
/// Content of `hello.txt`.
pub const HELLO: &[u8] = b"hello from the gofer\n";

/// Name of the i-th entry of `big/` (long enough to force several pages).
pub fn big_name(i: usize) -> String {
    format!("entry-with-a-fairly-long-name-to-fill-pages-{i:05}")
}

/// A temporary directory tree, removed on drop.
pub struct Tree {
    pub root: PathBuf,
}

impl Tree {
    /// Builds:
    /// ```text
    /// hello.txt            regular file (HELLO)
    /// dir/sub/deep.txt     nested file
    /// empty/               empty directory
    /// big/                 BIG empty files
    /// escape -> /etc       symlink out of the root
    /// rel -> ../..         relative escaping symlink
    /// dirlink -> dir       symlink inside the root
    /// fifo                 named pipe
    /// ```
    pub fn new(tag: &str) -> Tree {
        let root = std::env::temp_dir().join(format!("fs-gofer-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("dir/sub")).unwrap();
        fs::create_dir(root.join("empty")).unwrap();
        fs::create_dir(root.join("big")).unwrap();
        fs::write(root.join("hello.txt"), HELLO).unwrap();
        fs::write(root.join("dir/sub/deep.txt"), b"deep").unwrap();
        for i in 0..BIG {
            fs::write(root.join("big").join(big_name(i)), b"").unwrap();
        }
        symlink("/etc", root.join("escape")).unwrap();
        symlink("../..", root.join("rel")).unwrap();
        symlink("dir", root.join("dirlink")).unwrap();
        let ok = Command::new("mkfifo")
            .arg(root.join("fifo"))
            .status()
            .expect("run mkfifo");
        assert!(ok.success());
        Tree { root }
    }

    /// A directory fd on the root (what `runlx gofer` hands to `serve`).
    pub fn root_fd(&self) -> OwnedFd {
        fs::File::open(&self.root).unwrap().into()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Recursive listing (relative path, size) used to prove nothing changed.
pub fn snapshot(root: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let md = fs::symlink_metadata(e.path()).unwrap();
            out.push((e.path().strip_prefix(root).unwrap().to_path_buf(), md.len()));
            if md.is_dir() {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}
