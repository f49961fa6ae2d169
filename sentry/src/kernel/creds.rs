//! Credentials of a task (`credentials(7)`).

/// User and group ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creds {
    pub uid: u32,
    pub euid: u32,
    pub suid: u32,
    pub fsuid: u32,
    pub gid: u32,
    pub egid: u32,
    pub sgid: u32,
    pub fsgid: u32,
    pub groups: Vec<u32>,
}

impl Creds {
    /// Every id the same.
    pub fn new(uid: u32, gid: u32) -> Creds {
        Creds {
            uid,
            euid: uid,
            suid: uid,
            fsuid: uid,
            gid,
            egid: gid,
            sgid: gid,
            fsgid: gid,
            groups: Vec::new(),
        }
    }
}

/// Whether a task with credentials `caller` may look at the state of a
/// task of another thread group with credentials `target` (Linux's
/// `ptrace_may_access` in `PTRACE_MODE_READ_REALCREDS`): the caller's real
/// uid and gid must match all of the target's, and the target must be
/// dumpable, unless the caller is root (CAP_SYS_PTRACE).
pub fn may_inspect(caller: &Creds, target: &Creds, target_dumpable: bool) -> bool {
    if caller.euid == 0 {
        return true;
    }
    let same_ids = [target.uid, target.euid, target.suid]
        .iter()
        .all(|&u| u == caller.uid)
        && [target.gid, target.egid, target.sgid]
            .iter()
            .all(|&g| g == caller.gid);
    same_ids && target_dumpable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspecting_needs_matching_ids_and_dumpable_unless_root() {
        let me = Creds::new(1000, 1000);
        assert!(may_inspect(&me, &Creds::new(1000, 1000), true));
        assert!(!may_inspect(&me, &Creds::new(1000, 1000), false));
        assert!(!may_inspect(&me, &Creds::new(1001, 1000), true));
        assert!(!may_inspect(&me, &Creds::new(1000, 1001), true));
        let mut setuid = Creds::new(1000, 1000);
        setuid.euid = 0;
        assert!(!may_inspect(&me, &setuid, true));
        assert!(may_inspect(&Creds::new(0, 0), &Creds::new(5, 5), false));
    }
}
