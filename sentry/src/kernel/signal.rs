//! Signal bookkeeping: dispositions (rt_sigaction) and the blocked mask
//! (rt_sigprocmask). Delivery to handlers (signal frames) is not built yet:
//! a signal whose default action terminates ends the program with the
//! status a shell expects.

/// Number of signals (1..=64).
pub const NSIG: usize = 64;
pub const SIGKILL: i32 = 9;
pub const SIGSTOP: i32 = 19;
pub const SIGCHLD: i32 = 17;

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

/// Per-process dispositions and per-thread mask.
#[derive(Debug, Clone)]
pub struct SignalState {
    pub actions: [SigAction; NSIG],
    pub mask: u64,
    pub altstack: (u64, u32, u64),
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState {
            actions: [SigAction::default(); NSIG],
            mask: 0,
            altstack: (0, 2, 0),
        }
    }
}

impl SignalState {
    /// execve: handled signals go back to default, ignored stay ignored.
    pub fn reset_for_exec(&mut self) {
        for a in self.actions.iter_mut() {
            if a.handler != SIG_IGN {
                *a = SigAction::default();
            }
        }
        self.altstack = (0, 2, 0);
    }

    /// Whether `sig` is ignored by its disposition.
    pub fn ignored(&self, sig: i32) -> bool {
        let Some(a) = self.actions.get((sig - 1) as usize) else {
            return true;
        };
        a.handler == SIG_IGN
            || (a.handler == SIG_DFL && default_action(sig) == DefaultAction::Ignore)
    }
}
