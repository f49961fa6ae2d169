//! Resource limits (`getrlimit(2)`), inherited from the host at boot so a
//! program sees the same limits it would natively.

/// Number of resources (RLIMIT_CPU .. RLIMIT_RTTIME).
pub const RLIM_NLIMITS: usize = 16;
/// RLIM_INFINITY.
pub const RLIM_INFINITY: u64 = u64::MAX;
pub const RLIMIT_DATA: usize = 2;
pub const RLIMIT_STACK: usize = 3;
pub const RLIMIT_AS: usize = 9;
pub const RLIMIT_NOFILE: usize = 7;
pub const RLIMIT_SIGPENDING: usize = 11;

/// One limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    pub cur: u64,
    pub max: u64,
}

/// The limits of a process.
#[derive(Debug, Clone)]
pub struct Limits(pub [Rlimit; RLIM_NLIMITS]);

impl Limits {
    /// Sensible Linux defaults.
    pub fn defaults() -> Limits {
        let inf = Rlimit {
            cur: RLIM_INFINITY,
            max: RLIM_INFINITY,
        };
        let mut l = [inf; RLIM_NLIMITS];
        l[RLIMIT_STACK] = Rlimit {
            cur: 8 << 20,
            max: RLIM_INFINITY,
        };
        l[4] = Rlimit {
            cur: 0,
            max: RLIM_INFINITY,
        }; // CORE
        l[RLIMIT_NOFILE] = Rlimit {
            cur: 1024,
            max: 1 << 20,
        };
        l[8] = Rlimit {
            cur: 8 << 20,
            max: 8 << 20,
        }; // MEMLOCK
        l[13] = Rlimit { cur: 0, max: 0 }; // NICE
        l[14] = Rlimit { cur: 0, max: 0 }; // RTPRIO
        Limits(l)
    }

    /// The soft limit on open files.
    pub fn nofile(&self) -> usize {
        self.0[RLIMIT_NOFILE].cur.min(1 << 20) as usize
    }

    /// RLIMIT_SIGPENDING: how many real-time signals may be queued in the
    /// sandbox (at most 2^17, about 10 MiB of siginfo, whatever the limit
    /// says).
    pub fn sigpending(&self) -> usize {
        self.0[RLIMIT_SIGPENDING].cur.min(1 << 17) as usize
    }
}
