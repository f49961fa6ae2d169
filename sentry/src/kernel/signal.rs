//! Signal bookkeeping: dispositions (rt_sigaction, shared by a process's
//! threads) and each thread's blocked mask (rt_sigprocmask) and alternate
//! stack. Pending sets and delivery live in `sigframe`, group stops in
//! `thread_group`.

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

/// A thread's own signal state: its blocked mask and alternate stack.
#[derive(Debug, Clone)]
pub struct SignalState {
    pub mask: u64,
    pub altstack: (u64, u32, u64),
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState {
            mask: 0,
            altstack: (0, 2, 0),
        }
    }
}

impl SignalState {
    /// execve: the alternate stack is gone with the old address space.
    pub fn reset_for_exec(&mut self) {
        self.altstack = (0, 2, 0);
    }
}
