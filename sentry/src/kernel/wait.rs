//! Waiting for children (`wait4(2)`, `waitid(2)`): a child that exited is
//! a zombie until its parent collects its status here; a child's job
//! control stop or continue is reported once to a wait that asks for it
//! (WUNTRACED, WCONTINUED).

use std::sync::Arc;

use super::cputime::CpuTimes;
use super::task::{ExitStatus, Task, TaskShared};
use super::thread_group::JobReport;
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

/// What a wait collected from a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEvent {
    /// It ended (and was reaped, unless WNOWAIT).
    Exited(ExitStatus),
    /// It stopped on this signal.
    Stopped(i32),
    /// SIGCONT resumed it.
    Continued,
}

impl WaitEvent {
    /// The status word wait4 reports (WIFSTOPPED: 0x7f | sig << 8;
    /// WIFCONTINUED: 0xffff).
    pub fn wait_status(self) -> i32 {
        match self {
            WaitEvent::Exited(s) => s.wait_status(),
            WaitEvent::Stopped(sig) => (sig << 8) | 0x7f,
            WaitEvent::Continued => 0xffff,
        }
    }

    /// waitid's `si_code` and `si_status`.
    pub fn code_and_status(self) -> (i32, i32) {
        use super::sigframe::{CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED};
        match self {
            WaitEvent::Exited(ExitStatus::Exited(c)) => (CLD_EXITED, c),
            WaitEvent::Exited(ExitStatus::Signaled { signo, core }) => {
                (if core { CLD_DUMPED } else { CLD_KILLED }, signo)
            }
            WaitEvent::Stopped(sig) => (CLD_STOPPED, sig),
            WaitEvent::Continued => (CLD_CONTINUED, super::signal::SIGCONT),
        }
    }
}

impl Task {
    /// Waits for a child matching `target` to end (WEXITED), stop
    /// (WUNTRACED) or continue (WCONTINUED); None with WNOHANG when none
    /// has yet. With WNOWAIT the child stays as it is. Returns its pid,
    /// what happened and its CPU times (its own and its reaped
    /// children's), which a reaped child adds to this process's
    /// children's times.
    pub fn wait_child(
        &self,
        target: WaitTarget,
        options: u64,
    ) -> KResult<Option<(i32, WaitEvent, CpuTimes)>> {
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
                    if options & WEXITED == 0 {
                        continue;
                    }
                    let times = if options & WNOWAIT == 0 {
                        kernel.remove_task(c.tid);
                        self.shared.group_cpu.reaped(&c.group_cpu)
                    } else {
                        c.group_cpu.times() + c.group_cpu.children()
                    };
                    return Ok(Some((c.tid, WaitEvent::Exited(s), times)));
                }
                let report = c.group.take_report(
                    options & WUNTRACED != 0,
                    options & WCONTINUED != 0,
                    options & WNOWAIT != 0,
                );
                let event = match report {
                    Some(JobReport::Stopped(sig)) => WaitEvent::Stopped(sig),
                    Some(JobReport::Continued) => WaitEvent::Continued,
                    None => continue,
                };
                let times = c.group_cpu.times() + c.group_cpu.children();
                return Ok(Some((c.tid, event, times)));
            }
            if options & WNOHANG != 0 {
                return Ok(None);
            }
            let k = kernel.clone();
            let _wake = super::current::wake_on_signal(move || k.wait_cond.notify_all());
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
