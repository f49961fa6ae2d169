//! The sandbox's controlling terminal: the donated host terminal, when the
//! caller's stdio is one. The sentry keeps its foreground process group
//! (TIOCSPGRP sets it, TIOCGPGRP reads it; the host terminal never sees
//! sandbox pids) and applies Linux's job-control rules to a process of
//! the terminal's session outside that group: a read gets SIGTTIN, and a
//! write while TOSTOP is set, or a change of the terminal's settings,
//! gets SIGTTOU (Linux's `job_control` and `tty_check_change`). The call
//! then fails with EINTR, so it starts over once the process is resumed
//! (in the foreground, normally); where Linux fails it with EIO (the
//! signal is ignored or blocked, or the group is orphaned), so does this.

use std::sync::atomic::{AtomicI32, Ordering};

use super::sigframe::SigInfo;
use super::signal::SIG_IGN;
use super::task::Task;
use super::timers::SI_KERNEL;
use crate::errno::{Errno, KResult};

/// SIGTTIN and SIGTTOU.
pub const SIGTTIN: i32 = 21;
pub const SIGTTOU: i32 = 22;

/// The session the terminal belongs to: the sandbox's first process's.
pub const TERMINAL_SID: i32 = 1;

/// The terminal's foreground process group (one terminal per sandbox,
/// one sandbox per sentry process).
static FOREGROUND: AtomicI32 = AtomicI32::new(1);

/// The terminal's foreground process group.
pub fn foreground() -> i32 {
    FOREGROUND.load(Ordering::Relaxed)
}

/// What a process does to the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// read(2).
    Read,
    /// write(2); `tostop` is the terminal's TOSTOP flag.
    Write { tostop: bool },
    /// A change of its settings (TCSETS*, TIOCSPGRP, TIOCSWINSZ).
    Change,
}

impl Task {
    /// Linux's job-control check before `access` to the terminal: Ok when
    /// the caller may go on, EINTR after signalling its group (the call
    /// restarts once it is resumed), EIO where Linux refuses.
    pub fn terminal_access(&self, access: Access) -> KResult<()> {
        let me = &self.shared;
        if me.sid() != TERMINAL_SID || me.pgid() == foreground() {
            return Ok(());
        }
        let sig = match access {
            Access::Read => SIGTTIN,
            Access::Write { tostop: false } => return Ok(()),
            Access::Write { tostop: true } | Access::Change => SIGTTOU,
        };
        let ignored = me.sighand().get(sig).handler == SIG_IGN;
        let blocked = me.signals().mask & (1 << (sig - 1)) != 0;
        if ignored || blocked {
            // A reader is refused; a writer that opted out goes on.
            return if sig == SIGTTIN {
                Err(Errno::EIO)
            } else {
                Ok(())
            };
        }
        let pgid = me.pgid();
        if self.kernel.pgrp_orphaned(pgid) {
            return Err(Errno::EIO);
        }
        for t in self.kernel.tasks() {
            if t.tid == t.tgid && t.pgid() == pgid && !t.is_zombie() {
                t.send_process(SigInfo {
                    signo: sig,
                    code: SI_KERNEL,
                    ..SigInfo::default()
                });
            }
        }
        Err(Errno::EINTR)
    }

    /// TIOCSPGRP: makes `pgid` the foreground group. The caller must be
    /// in the terminal's session (ENOTTY) and `pgid` an existing group
    /// (ESRCH) of it (EPERM); from the background it is a change
    /// (SIGTTOU).
    pub fn set_terminal_foreground(&self, pgid: i32) -> KResult<()> {
        if self.shared.sid() != TERMINAL_SID {
            return Err(Errno::ENOTTY);
        }
        if pgid < 0 {
            return Err(Errno::EINVAL);
        }
        self.terminal_access(Access::Change)?;
        let members: Vec<i32> = self
            .kernel
            .tasks()
            .iter()
            .filter(|t| t.pgid() == pgid && !t.is_zombie() && t.tid == t.tgid)
            .map(|t| t.sid())
            .collect();
        if members.is_empty() {
            return Err(Errno::ESRCH);
        }
        if members.iter().any(|&sid| sid != TERMINAL_SID) {
            return Err(Errno::EPERM);
        }
        FOREGROUND.store(pgid, Ordering::Relaxed);
        Ok(())
    }
}
