//! Waiting for children (`wait4(2)`, `waitid(2)`): a child that exited is
//! a zombie until its parent collects its status here.

use std::sync::Arc;

use super::cputime::CpuTimes;
use super::task::{ExitStatus, Task, TaskShared};
use crate::errno::{Errno, KResult};

/// Which children a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitTarget {
    Any,
    Pid(i32),
    Pgid(i32),
}

/// wait options.
pub const WNOHANG: u64 = 1;
pub const WUNTRACED: u64 = 2;
pub const WEXITED: u64 = 4;
pub const WCONTINUED: u64 = 8;
pub const WNOWAIT: u64 = 0x0100_0000;
pub const WNOTHREAD: u64 = 0x2000_0000;
pub const WALL: u64 = 0x4000_0000;
pub const WCLONE: u64 = 0x8000_0000;

impl ExitStatus {
    /// The status word wait4 reports.
    pub fn wait_status(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => (c & 0xff) << 8,
            ExitStatus::Signaled { signo, core } => signo | if core { 0x80 } else { 0 },
        }
    }
}

impl Task {
    /// Waits for a child matching `target` to end; None with WNOHANG when
    /// none has yet. With WNOWAIT the child stays a zombie. Returns its
    /// pid, status and CPU times (its own and its reaped children's),
    /// which a reaped child adds to this process's children's times.
    pub fn wait_child(
        &self,
        target: WaitTarget,
        options: u64,
    ) -> KResult<Option<(i32, ExitStatus, CpuTimes)>> {
        let kernel = self.kernel.clone();
        let me = self.tgid();
        let mut guard = kernel.wait_lock.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let children: Vec<Arc<TaskShared>> = kernel
                .tasks()
                .into_iter()
                .filter(|c| c.ppid() == me && c.tid != me && c.tid == c.tgid)
                .filter(|c| match target {
                    WaitTarget::Any => true,
                    WaitTarget::Pid(p) => c.tid == p,
                    WaitTarget::Pgid(g) => c.pgid() == g,
                })
                .collect();
            if children.is_empty() {
                return Err(Errno::ECHILD);
            }
            for c in &children {
                let status = *c.exit_status.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(s) = status {
                    let times = if options & WNOWAIT == 0 {
                        kernel.remove_task(c.tid);
                        self.shared.group_cpu.reaped(&c.group_cpu)
                    } else {
                        c.group_cpu.times() + c.group_cpu.children()
                    };
                    return Ok(Some((c.tid, s, times)));
                }
            }
            if options & WNOHANG != 0 {
                return Ok(None);
            }
            if super::current::interrupted() {
                return Err(Errno::EINTR);
            }
            guard = kernel
                .wait_cond
                .wait_timeout(guard, super::current::INTERRUPT_CHECK)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}
