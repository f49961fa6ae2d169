//! The file descriptor table: fd numbers to open file descriptions, with
//! the close-on-exec flag per descriptor. Shared between threads under
//! CLONE_FILES.

use std::sync::{Arc, Mutex};

use super::OpenFile;
use crate::errno::{Errno, KResult};

/// One descriptor.
#[derive(Clone)]
pub struct FdEntry {
    pub file: Arc<OpenFile>,
    pub cloexec: bool,
}

/// The table.
#[derive(Default)]
pub struct FdTable {
    slots: Mutex<Vec<Option<FdEntry>>>,
}

impl FdTable {
    /// An empty table.
    pub fn new() -> FdTable {
        FdTable::default()
    }

    /// Installs `file` at the lowest free fd >= `min`, below `limit`.
    pub fn alloc(
        &self,
        file: Arc<OpenFile>,
        min: usize,
        cloexec: bool,
        limit: usize,
    ) -> KResult<i32> {
        let mut s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let fd = (min..)
            .find(|&i| s.get(i).is_none_or(|e| e.is_none()))
            .unwrap_or(min);
        if fd >= limit {
            return Err(if min >= limit {
                Errno::EINVAL
            } else {
                Errno::EMFILE
            });
        }
        if s.len() <= fd {
            s.resize(fd + 1, None);
        }
        s[fd] = Some(FdEntry { file, cloexec });
        Ok(fd as i32)
    }

    /// A copy of the table for a forked child (same open descriptions).
    pub fn fork_copy(&self) -> FdTable {
        FdTable {
            slots: Mutex::new(self.slots.lock().unwrap_or_else(|p| p.into_inner()).clone()),
        }
    }

    /// Installs `file` exactly at `fd`, returning what was there (dup2).
    pub fn install(&self, fd: i32, file: Arc<OpenFile>, cloexec: bool) -> Option<FdEntry> {
        let fd = fd as usize;
        let mut s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if s.len() <= fd {
            s.resize(fd + 1, None);
        }
        s[fd].replace(FdEntry { file, cloexec })
    }

    /// The description behind `fd`.
    pub fn get(&self, fd: i32) -> KResult<Arc<OpenFile>> {
        self.entry(fd).map(|e| e.file)
    }

    /// The whole entry behind `fd`.
    pub fn entry(&self, fd: i32) -> KResult<FdEntry> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        let s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        s.get(fd as usize)
            .and_then(|e| e.clone())
            .ok_or(Errno::EBADF)
    }

    /// Sets FD_CLOEXEC.
    pub fn set_cloexec(&self, fd: i32, on: bool) -> KResult<()> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        let mut s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        match s.get_mut(fd as usize).and_then(|e| e.as_mut()) {
            Some(e) => {
                e.cloexec = on;
                Ok(())
            }
            None => Err(Errno::EBADF),
        }
    }

    /// Removes `fd`; the description closes when its last reference goes.
    pub fn close(&self, fd: i32) -> KResult<FdEntry> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        let mut s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        s.get_mut(fd as usize)
            .and_then(|e| e.take())
            .ok_or(Errno::EBADF)
    }

    /// Every open fd with its entry (for /proc/PID/fd).
    pub fn list(&self) -> Vec<(i32, FdEntry)> {
        let s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        s.iter()
            .enumerate()
            .filter_map(|(i, e)| e.clone().map(|e| (i as i32, e)))
            .collect()
    }

    /// The size of the table as Linux would have grown it (select(2) ignores
    /// bits beyond it; /proc/PID/status shows it as FDSize).
    pub fn max_fds(&self) -> usize {
        let len = self.slots.lock().unwrap_or_else(|p| p.into_inner()).len();
        if len <= 64 {
            64
        } else {
            ((len - 1) / 128 + 1).next_power_of_two() * 128
        }
    }

    /// Closes every close-on-exec descriptor (execve).
    pub fn close_on_exec(&self) {
        let mut s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        for e in s.iter_mut() {
            if e.as_ref().is_some_and(|e| e.cloexec) {
                *e = None;
            }
        }
    }

    /// Closes every descriptor (exit).
    pub fn clear(&self) {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
