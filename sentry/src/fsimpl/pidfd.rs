//! pidfds (`pidfd_open(2)`): a file naming a process, or with
//! PIDFD_THREAD one thread, readable (POLLIN) once it has exited, usable
//! with `pidfd_send_signal(2)` and `waitid(P_PIDFD)`.

use std::sync::Arc;

use super::new_ino;
use crate::errno::{Errno, KResult};
use crate::kernel::TaskShared;
use crate::vfs::{FileImpl, poll};

/// The process (or thread) a pidfd names.
pub struct PidFd {
    ino: u64,
    pub task: Arc<TaskShared>,
    /// PIDFD_THREAD: it names `task` alone, not its process.
    pub thread: bool,
}

impl PidFd {
    /// A pidfd for `task`'s process, or for `task` alone when `thread`.
    pub fn new(task: Arc<TaskShared>, thread: bool) -> Arc<PidFd> {
        Arc::new(PidFd {
            ino: new_ino(),
            task,
            thread,
        })
    }

    /// Whether what it names has exited.
    pub fn exited(&self) -> bool {
        self.task.is_zombie() || self.thread && self.task.has_ended()
    }
}

anon_inode!(PidFd, PidFdFile);

/// The open pidfd.
pub struct PidFdFile(pub Arc<PidFd>);

impl FileImpl for PidFdFile {
    fn anon_name(&self) -> Option<&'static str> {
        Some("pidfd")
    }
    fn show_fdinfo(&self, out: &mut String) {
        let pid = self.0.task.tgid;
        out.push_str(&format!("Pid:\t{pid}\nNSpid:\t{pid}\n"));
    }
    fn read(&self, _buf: &mut [u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    fn write(&self, _buf: &[u8], _off: u64) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    fn seekable(&self) -> bool {
        false
    }
    fn pollable(&self) -> bool {
        true
    }
    fn readiness(&self, events: u16) -> u16 {
        if self.0.exited() {
            (poll::POLLIN | poll::POLLRDNORM) & events
        } else {
            0
        }
    }
    fn pidfd_task(&self) -> Option<Arc<TaskShared>> {
        Some(self.0.task.clone())
    }
    fn pidfd_thread(&self) -> bool {
        self.0.thread
    }
}
