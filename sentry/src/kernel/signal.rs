//! Signal bookkeeping: dispositions (rt_sigaction, shared by a process's
//! threads) and each thread's blocked mask (rt_sigprocmask) and alternate
//! stack. Pending sets and delivery live in `sigframe`, group stops in
//! `thread_group`.

use crate::errno::{Errno, KResult};

/// Number of signals (1..=64).
pub const NSIG: usize = 64;
pub const SIGKILL: i32 = 9;
pub const SIGSTOP: i32 = 19;
pub const SIGCHLD: i32 = 17;
pub const SIGCONT: i32 = 18;
pub const SIGHUP: i32 = 1;

/// A disposition, as `struct sigaction` (kernel layout) carries it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// SIG_DFL / SIG_IGN.
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;

/// What a signal does by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    CoreDump,
    Ignore,
    Stop,
    Continue,
}

/// The default action of `sig`.
pub fn default_action(sig: i32) -> DefaultAction {
    match sig {
        3 | 4 | 5 | 6 | 7 | 8 | 11 | 24 | 25 | 31 => DefaultAction::CoreDump,
        17 | 23 | 28 => DefaultAction::Ignore,
        19..=22 => DefaultAction::Stop,
        18 => DefaultAction::Continue,
        _ => DefaultAction::Terminate,
    }
}

/// The dispositions of every signal (`rt_sigaction`), shared by the
/// threads of a process (CLONE_SIGHAND).
#[derive(Debug, Clone)]
pub struct SigActions(pub [SigAction; NSIG]);

impl Default for SigActions {
    fn default() -> Self {
        SigActions([SigAction::default(); NSIG])
    }
}

impl SigActions {
    /// The disposition of `sig` (1..=64; SIG_DFL for anything else).
    pub fn get(&self, sig: i32) -> SigAction {
        self.0.get((sig - 1) as usize).copied().unwrap_or_default()
    }

    /// Sets the disposition of `sig` (1..=64).
    pub fn set(&mut self, sig: i32, a: SigAction) {
        if let Some(slot) = self.0.get_mut((sig - 1) as usize) {
            *slot = a;
        }
    }

    /// execve: handled signals go back to default, ignored stay ignored.
    pub fn reset_for_exec(&mut self) {
        for a in self.0.iter_mut() {
            if a.handler != SIG_IGN {
                *a = SigAction::default();
            }
        }
    }

    /// Whether `sig` is ignored by its disposition.
    pub fn ignored(&self, sig: i32) -> bool {
        let a = self.get(sig);
        a.handler == SIG_IGN
            || (a.handler == SIG_DFL && default_action(sig) == DefaultAction::Ignore)
    }
}

/// `ss_flags` of sigaltstack(2).
pub const SS_ONSTACK: u32 = 1;
pub const SS_DISABLE: u32 = 2;
pub const SS_AUTODISARM: u32 = 1 << 31;
/// The kernel's MINSIGSTKSZ: the smallest alternate stack it takes.
pub const MINSIGSTKSZ: u64 = 2048;

/// A thread's own signal state: its blocked mask and alternate stack.
#[derive(Debug, Clone)]
pub struct SignalState {
    pub mask: u64,
    /// `(ss_sp, ss_flags, ss_size)` as sigaltstack(2) set them (Linux's
    /// `sas_ss_*`); `ss_size` is 0 when there is none.
    pub altstack: (u64, u32, u64),
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState {
            mask: 0,
            altstack: (0, SS_DISABLE, 0),
        }
    }
}

impl SignalState {
    /// Whether `sp` is on the alternate stack (Linux's `on_sig_stack`,
    /// which SS_AUTODISARM turns off).
    pub fn on_altstack(&self, sp: u64) -> bool {
        let (ss_sp, flags, size) = self.altstack;
        flags & SS_AUTODISARM == 0 && sp > ss_sp && sp - ss_sp <= size
    }

    /// The `ss_flags` sigaltstack(2) reports to a thread whose stack
    /// pointer is `sp`.
    pub fn altstack_flags(&self, sp: u64) -> u32 {
        let (_, flags, size) = self.altstack;
        let state = if size == 0 {
            SS_DISABLE
        } else if self.on_altstack(sp) {
            SS_ONSTACK
        } else {
            0
        };
        state | flags & SS_AUTODISARM
    }

    /// Linux's `do_sigaltstack`: sets the alternate stack of a thread
    /// whose stack pointer is `sp` (EPERM while it runs on the current
    /// one).
    pub fn set_altstack(&mut self, ss_sp: u64, flags: u32, size: u64, sp: u64) -> KResult<()> {
        if self.on_altstack(sp) {
            return Err(Errno::EPERM);
        }
        let mode = flags & !SS_AUTODISARM;
        if mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0 {
            return Err(Errno::EINVAL);
        }
        if mode == SS_DISABLE {
            self.altstack = (0, flags, 0);
            return Ok(());
        }
        if size < MINSIGSTKSZ {
            return Err(Errno::ENOMEM);
        }
        self.altstack = (ss_sp, flags, size);
        Ok(())
    }

    /// SS_AUTODISARM: a handler runs with no alternate stack (sigreturn
    /// brings it back from the frame).
    pub fn disarm_altstack(&mut self) {
        if self.altstack.1 & SS_AUTODISARM != 0 {
            self.altstack = (0, SS_DISABLE, 0);
        }
    }
}

impl SignalState {
    /// execve: the alternate stack is gone with the old address space.
    pub fn reset_for_exec(&mut self) {
        self.altstack = (0, SS_DISABLE, 0);
    }
}
