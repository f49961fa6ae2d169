//! The system-wide files of procfs, describing the sandbox: `loadavg`,
//! `uptime`, `stat`, `meminfo`, `cpuinfo`, `version`, `filesystems` and
//! the few `sys/` knobs programs read.
//!
//! Time is the sandbox's: uptime counts from its boot, `btime` is the wall
//! clock then. Memory and load are the host's, as `sysinfo(2)` reports
//! them in the sandbox. The CPUs are the first `ncpus` of the host, the
//! ones `sched_getaffinity(2)` reports. Busy time is the sentry's own CPU
//! time spread evenly over the CPUs; idle time is the rest.

use std::fmt::Write as _;
use std::sync::Weak;

use super::{USER_HZ, file, kernel_of};
use crate::errno::{Errno, KResult};
use crate::fsimpl::synth::{SynthDir, SynthFile};
use crate::kernel::{EMULATED_RELEASE, EMULATED_VERSION, Kernel};
use crate::vfs::InodeRef;

/// The system files of a procfs root.
pub(super) fn entries(k: &Weak<Kernel>) -> Vec<(&'static str, InodeRef)> {
    let (k1, k2, k3) = (k.clone(), k.clone(), k.clone());
    vec![
        (
            "cpuinfo",
            SynthFile::new(0o444, || Ok(host().cpuinfo.clone())),
        ),
        ("meminfo", file(meminfo)),
        (
            "version",
            file(|| {
                Ok(format!(
                    "Linux version {EMULATED_RELEASE} (runlx) {EMULATED_VERSION}\n"
                ))
            }),
        ),
        (
            "filesystems",
            file(|| {
                Ok(
                    "nodev\tproc\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tsysfs\nnodev\toverlay\n"
                        .into(),
                )
            }),
        ),
        ("uptime", file(move || uptime(&*kernel_of(&k1)?))),
        ("loadavg", file(move || loadavg(&*kernel_of(&k2)?))),
        ("stat", file(move || stat(&*kernel_of(&k3)?))),
        ("sys", sys_dir(k.clone())),
    ]
}

/// Ticks of `USER_HZ` in `d`.
pub(super) fn ticks(d: std::time::Duration) -> u64 {
    d.as_secs() * USER_HZ + u64::from(d.subsec_nanos()) / (1_000_000_000 / USER_HZ)
}

/// `secs.hundredths`, as procfs prints times.
fn centi(d: std::time::Duration) -> String {
    let t = ticks(d);
    format!("{}.{:02}", t / USER_HZ, t % USER_HZ)
}

fn uptime(k: &Kernel) -> KResult<String> {
    let up = k.uptime();
    let idle = up
        .saturating_mul(host().ncpus as u32)
        .saturating_sub(busy());
    Ok(format!("{} {}\n", centi(up), centi(idle)))
}

/// The sentry's CPU time so far (what the sandbox's programs cost).
fn busy() -> std::time::Duration {
    crate::sys::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID)
        .map(|(s, n)| std::time::Duration::new(s as u64, n as u32))
        .unwrap_or_default()
}

/// Tasks whose serving thread is not blocked in a syscall (at least the
/// reader).
fn running(k: &Kernel) -> usize {
    k.tasks()
        .iter()
        .filter(|t| !t.in_syscall.load(std::sync::atomic::Ordering::Relaxed) && !t.is_zombie())
        .count()
        .max(1)
}

fn loadavg(k: &Kernel) -> KResult<String> {
    let si = crate::sys::host_sysinfo()?;
    let mut s = String::new();
    for l in si.loads {
        // Fixed point with 16 fractional bits (SI_LOAD_SHIFT).
        let _ = write!(s, "{}.{:02} ", l >> 16, ((l & 0xffff) * 100) >> 16);
    }
    let _ = writeln!(s, "{}/{} {}", running(k), k.tasks().len(), k.last_pid());
    Ok(s)
}

fn stat(k: &Kernel) -> KResult<String> {
    let n = host().ncpus as u64;
    let busy = ticks(busy());
    let total = ticks(k.uptime()).saturating_mul(n);
    let idle = total.saturating_sub(busy);
    let mut s = String::new();
    let line = |s: &mut String, name: &str, user: u64, idle: u64| {
        let _ = writeln!(s, "{name} {user} 0 0 {idle} 0 0 0 0 0 0");
    };
    line(&mut s, "cpu ", busy, idle);
    for i in 0..n {
        line(&mut s, &format!("cpu{i}"), busy / n, idle / n);
    }
    let btime = k
        .boot_time
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let _ = write!(
        s,
        "intr 0\nctxt 0\nbtime {btime}\nprocesses {}\nprocs_running {}\nprocs_blocked 0\n\
softirq 0 0 0 0 0 0 0 0 0 0 0\n",
        k.last_pid(),
        running(k),
    );
    Ok(s)
}

fn meminfo() -> KResult<String> {
    // The sandbox's memory is the host's, as far as programs can tell
    // (the same numbers sysinfo(2) returns).
    let si = crate::sys::host_sysinfo()?;
    let kb = |v: u64| v.saturating_mul(u64::from(si.mem_unit)) / 1024;
    let free = kb(si.freeram);
    let buffers = kb(si.bufferram);
    let shmem = kb(si.sharedram);
    let mut s = String::new();
    for (name, v) in [
        ("MemTotal", kb(si.totalram)),
        ("MemFree", free),
        ("MemAvailable", free + buffers),
        ("Buffers", buffers),
        ("Cached", 0),
        ("SwapCached", 0),
        ("Active", 0),
        ("Inactive", 0),
        ("SwapTotal", kb(si.totalswap)),
        ("SwapFree", kb(si.freeswap)),
        ("Dirty", 0),
        ("Writeback", 0),
        ("AnonPages", 0),
        ("Mapped", 0),
        ("Shmem", shmem),
        ("KReclaimable", 0),
        ("Slab", 0),
        ("SReclaimable", 0),
        ("SUnreclaim", 0),
        ("KernelStack", 0),
        ("PageTables", 0),
        ("CommitLimit", kb(si.totalram) / 2 + kb(si.totalswap)),
        ("Committed_AS", 0),
        ("VmallocTotal", 34_359_738_367),
        ("VmallocUsed", 0),
        ("VmallocChunk", 0),
        ("AnonHugePages", 0),
        ("ShmemHugePages", 0),
        ("FileHugePages", 0),
    ] {
        let _ = writeln!(s, "{:<16}{v:>8} kB", format!("{name}:"));
    }
    for name in [
        "HugePages_Total",
        "HugePages_Free",
        "HugePages_Rsvd",
        "HugePages_Surp",
    ] {
        let _ = writeln!(s, "{:<16}{:>8}", format!("{name}:"), 0);
    }
    s.push_str("Hugepagesize:       2048 kB\nHugetlb:               0 kB\n");
    Ok(s)
}

fn sys_dir(k: Weak<Kernel>) -> InodeRef {
    SynthDir::fixed(
        0o555,
        vec![
            (
                "kernel",
                SynthDir::fixed(
                    0o555,
                    vec![
                        (
                            "hostname",
                            file(move || {
                                Ok(format!(
                                    "{}\n",
                                    String::from_utf8_lossy(
                                        &kernel_of(&k)?.hostname.lock().map_err(|_| Errno::EIO)?
                                    )
                                ))
                            }),
                        ),
                        ("osrelease", file(|| Ok(format!("{EMULATED_RELEASE}\n")))),
                        ("ostype", file(|| Ok("Linux\n".into()))),
                        ("pid_max", file(|| Ok("4194304\n".into()))),
                        ("ngroups_max", file(|| Ok("65536\n".into()))),
                    ],
                ),
            ),
            (
                "vm",
                SynthDir::fixed(
                    0o555,
                    vec![
                        ("overcommit_memory", file(|| Ok("0\n".into()))),
                        ("max_map_count", file(|| Ok("65530\n".into()))),
                    ],
                ),
            ),
            (
                "fs",
                SynthDir::fixed(0o555, vec![("nr_open", file(|| Ok("1048576\n".into())))]),
            ),
        ],
    )
}

/// Host facts read once at boot, before the sentry loses its view of the
/// host's file system.
pub struct HostSnapshot {
    /// The host's /proc/cpuinfo, cut to the sandbox's CPUs.
    pub cpuinfo: Vec<u8>,
    pub ncpus: usize,
}

static HOST: std::sync::OnceLock<HostSnapshot> = std::sync::OnceLock::new();

/// Takes the snapshot (call before confining the sentry).
pub fn snapshot_host() {
    HOST.get_or_init(|| {
        let ncpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(64);
        let all = std::fs::read("/proc/cpuinfo").unwrap_or_default();
        HostSnapshot {
            cpuinfo: first_processors(&all, ncpus),
            ncpus,
        }
    });
}

/// The snapshot (taken on first use if boot did not).
pub fn host() -> &'static HostSnapshot {
    snapshot_host();
    HOST.get().expect("initialized above")
}

/// The first `n` processor blocks (separated by blank lines) of a
/// cpuinfo text, renumbered 0..n so they match the sandbox's CPU ids.
fn first_processors(cpuinfo: &[u8], n: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(cpuinfo);
    let mut out = String::new();
    for (i, block) in text
        .split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .take(n)
        .enumerate()
    {
        for line in block.lines() {
            match line.split_once(':') {
                Some((key, _)) if key.trim_end() == "processor" => {
                    let _ = writeln!(out, "{key}: {i}");
                }
                _ => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpuinfo_is_cut_to_the_sandbox_cpus() {
        let host = b"processor\t: 0\nmodel name\t: X\n\nprocessor\t: 1\nmodel name\t: X\n\nprocessor\t: 2\nmodel name\t: X\n\n";
        let got = String::from_utf8(first_processors(host, 2)).unwrap();
        assert_eq!(
            got,
            "processor\t: 0\nmodel name\t: X\n\nprocessor\t: 1\nmodel name\t: X\n\n"
        );
        assert_eq!(first_processors(b"", 4), b"");
    }

    #[test]
    fn cpuinfo_processors_are_renumbered() {
        let host = b"processor\t: 4\nflags\t\t: fpu\n\nprocessor\t: 7\n\n";
        let got = String::from_utf8(first_processors(host, 8)).unwrap();
        assert_eq!(got, "processor\t: 0\nflags\t\t: fpu\n\nprocessor\t: 1\n\n");
    }

    #[test]
    fn ticks_are_user_hz() {
        assert_eq!(ticks(std::time::Duration::from_millis(1234)), 123);
        assert_eq!(centi(std::time::Duration::from_millis(5_070)), "5.07");
    }
}
