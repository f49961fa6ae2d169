//! `/proc/PID/stat`, `status` and `statm`: a task's ids, state, signal
//! sets, credentials and memory figures, from the same state the id and
//! signal syscalls answer from. Process-wide values (parent, process
//! group, session, thread count) come from the thread group's leader.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::maps::{MemUsage, usage};
use super::system::{host, ticks};
use crate::errno::KResult;
use crate::kernel::limits::RLIM_INFINITY;
use crate::kernel::limits::RLIMIT_SIGPENDING;
use crate::kernel::signal::{SIG_DFL, SIG_IGN};
use crate::kernel::{Kernel, TaskShared, current};

/// RLIMIT_RSS.
const RLIMIT_RSS: usize = 5;
/// PF_RANDOMIZE: every task's address space is randomized.
const PF_RANDOMIZE: u32 = 0x0040_0000;

/// The state letter and word of `t`, as seen by the caller.
fn state(t: &TaskShared) -> (char, &'static str) {
    // A leader that ended with exit(2) while its threads go on is a
    // zombie too, as on Linux.
    if t.is_zombie() || t.tid == t.tgid && t.has_ended() {
        return ('Z', "zombie");
    }
    if t.group.stopped() {
        return ('T', "stopped");
    }
    let me = current::get().is_some_and(|c| c.tid == t.tid);
    if !me && t.in_syscall.load(Ordering::Relaxed) {
        ('S', "sleeping")
    } else {
        ('R', "running")
    }
}

/// The leader of `t`'s thread group (`t` itself once the leader is gone).
fn leader(k: &Kernel, t: &TaskShared) -> Option<Arc<TaskShared>> {
    k.task(t.tgid)
}

/// Process-wide ids and counts: (ppid, pgid, sid, threads).
fn group(k: &Kernel, t: &TaskShared) -> (i32, i32, i32, usize) {
    let threads = k.tasks().iter().filter(|x| x.tgid == t.tgid).count().max(1);
    match leader(k, t) {
        Some(l) => (l.ppid(), l.pgid(), l.sid(), threads),
        None => (t.ppid(), t.pgid(), t.sid(), threads),
    }
}

/// (ignored, caught) signal sets of `t`.
fn dispositions(t: &TaskShared) -> (u64, u64) {
    let (mut ign, mut cgt) = (0u64, 0u64);
    for (i, a) in t.sighand().0.iter().enumerate() {
        if a.handler == SIG_IGN {
            ign |= 1 << i;
        } else if a.handler != SIG_DFL {
            cgt |= 1 << i;
        }
    }
    (ign, cgt)
}

fn nice(t: &TaskShared) -> i32 {
    t.nice.load(Ordering::Relaxed) as i32
}

/// `/proc/PID/stat` (see `proc(5)` for the 52 fields).
pub(super) fn stat(k: &Kernel, t: &TaskShared) -> KResult<String> {
    let (ch, _) = state(t);
    let (ppid, pgid, sid, threads) = group(k, t);
    let mem = usage(t);
    let (layout, argv, envp, brk_start) = t
        .mm()
        .map(|m| {
            let s = m.lock();
            (s.layout, s.argv, s.envp, s.brk_start)
        })
        .unwrap_or_default();
    let start = ticks(t.start.saturating_duration_since(k.boot_instant));
    let rsslim = t.limits().0[RLIMIT_RSS].cur;
    let (ign, cgt) = dispositions(t);
    let blocked = t.signals().mask;
    let exit_signal = if t.tid == t.tgid { 17 } else { -1 };
    let nice = nice(t);
    // CPU times in clock ticks (USER_HZ = 100): the whole process for a
    // leader, the thread itself otherwise.
    let own = if t.tid == t.tgid {
        t.group_cpu.times()
    } else {
        t.cpu.times()
    };
    let children = t.group_cpu.children();
    let tick = |ns: u64| ns / 10_000_000;
    let mut s = format!(
        "{} ({}) {ch} {ppid} {pgid} {sid} 0 -1 {PF_RANDOMIZE} 0 0 0 0 {} {} {} {} {} {nice} {threads} 0 {start} {} {} {rsslim} ",
        t.tid,
        String::from_utf8_lossy(&t.comm()),
        tick(own.user),
        tick(own.sys),
        tick(children.user),
        tick(children.sys),
        20 + nice,
        mem.size,
        mem.rss / 4096,
    );
    let _ = writeln!(
        s,
        "{} {} {} 0 0 {} {blocked} {ign} {cgt} 0 0 0 {exit_signal} 0 0 0 0 0 0 {} {} {brk_start} {} {} {} {} 0",
        layout.start_code,
        layout.end_code,
        layout.start_stack,
        t.pending_set(),
        layout.start_data,
        layout.end_data,
        argv.0,
        argv.1,
        envp.0,
        envp.1,
    );
    Ok(s)
}

/// `/proc/PID/statm`: sizes in pages.
pub(super) fn statm(_k: &Kernel, t: &TaskShared) -> KResult<String> {
    let u = usage(t);
    let p = |b: u64| b / 4096;
    Ok(format!(
        "{} {} {} {} 0 {} 0\n",
        p(u.size),
        p(u.rss),
        p(u.rss_file + u.rss_shmem),
        p(u.exe),
        p(u.data + u.stack),
    ))
}

/// A CPU mask as Linux prints it: 32-bit hex words, high first, commas
/// between.
fn cpu_mask(n: usize) -> String {
    let words = n.div_ceil(32).max(1);
    (0..words)
        .rev()
        .map(|w| {
            let bits = n.saturating_sub(w * 32).min(32);
            let v: u32 = if bits == 32 {
                u32::MAX
            } else {
                (1u32 << bits) - 1
            };
            if words == 1 {
                format!("{v:x}")
            } else {
                format!("{v:08x}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn vm_lines(s: &mut String, u: &MemUsage) {
    let kb = |s: &mut String, name: &str, b: u64| {
        let _ = writeln!(s, "{name}:\t{:>8} kB", b / 1024);
    };
    kb(s, "VmPeak", u.size);
    kb(s, "VmSize", u.size);
    kb(s, "VmLck", 0);
    kb(s, "VmPin", 0);
    kb(s, "VmHWM", u.rss);
    kb(s, "VmRSS", u.rss);
    kb(s, "RssAnon", u.rss_anon);
    kb(s, "RssFile", u.rss_file);
    kb(s, "RssShmem", u.rss_shmem);
    kb(s, "VmData", u.data);
    kb(s, "VmStk", u.stack);
    kb(s, "VmExe", u.exe);
    kb(s, "VmLib", u.lib);
    kb(s, "VmPTE", 0);
    kb(s, "VmSwap", 0);
    kb(s, "HugetlbPages", 0);
}

/// `/proc/PID/status`.
pub(super) fn status(k: &Kernel, t: &TaskShared) -> KResult<String> {
    let c = t.creds().clone();
    let (ch, word) = state(t);
    let (ppid, pgid, sid, threads) = group(k, t);
    let (ign, cgt) = dispositions(t);
    let blocked = t.signals().mask;
    let pending = t.pending.lock().unwrap_or_else(|p| p.into_inner()).set;
    let shared_pending = t
        .group
        .pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .set;
    let sigq_limit = t.limits().0[RLIMIT_SIGPENDING].cur;
    // Linux ends the list with a space, even an empty one.
    let mut groups: String = c
        .groups
        .iter()
        .map(|g| g.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    groups.push(' ');
    let fdsize = t.fds.max_fds();
    let mut s = format!(
        "Name:\t{}\nUmask:\t{:04o}\nState:\t{ch} ({word})\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{ppid}\n\
TracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t{fdsize}\nGroups:\t{groups}\n\
NStgid:\t{}\nNSpid:\t{}\nNSpgid:\t{pgid}\nNSsid:\t{sid}\n",
        String::from_utf8_lossy(&t.comm()),
        t.fs().umask,
        t.tgid,
        t.tid,
        c.uid,
        c.euid,
        c.suid,
        c.fsuid,
        c.gid,
        c.egid,
        c.sgid,
        c.fsgid,
        t.tgid,
        t.tid,
    );
    if t.mm().is_some() {
        vm_lines(&mut s, &usage(t));
    }
    let n = host().ncpus;
    let limit = if sigq_limit == RLIM_INFINITY {
        u64::from(u32::MAX)
    } else {
        sigq_limit
    };
    let _ = write!(
        s,
        "CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t{threads}\nSigQ:\t{}/{limit}\n\
SigPnd:\t{pending:016x}\nShdPnd:\t{shared_pending:016x}\nSigBlk:\t{blocked:016x}\nSigIgn:\t{ign:016x}\n\
SigCgt:\t{cgt:016x}\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n\
CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t{}\nSeccomp:\t0\nSeccomp_filters:\t0\n\
Speculation_Store_Bypass:\tthread vulnerable\nSpeculationIndirectBranch:\tconditional enabled\n\
Cpus_allowed:\t{}\nCpus_allowed_list:\t{}\nMems_allowed:\t1\nMems_allowed_list:\t0\n\
voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
        t.pending.lock().unwrap_or_else(|p| p.into_inner()).count()
            + t.group
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .count(),
        t.no_new_privs.load(Ordering::Relaxed),
        cpu_mask(n),
        if n > 1 {
            format!("0-{}", n - 1)
        } else {
            "0".into()
        },
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::cpu_mask;

    #[test]
    fn cpu_masks_print_like_linux() {
        assert_eq!(cpu_mask(1), "1");
        assert_eq!(cpu_mask(2), "3");
        assert_eq!(cpu_mask(32), "ffffffff");
        assert_eq!(cpu_mask(40), "000000ff,ffffffff");
        assert_eq!(cpu_mask(64), "ffffffff,ffffffff");
    }
}
