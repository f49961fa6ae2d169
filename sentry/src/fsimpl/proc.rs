//! procfs, generated from kernel state each time it is read: `/proc/self`,
//! `/proc/thread-self`, one directory per process of the sandbox (and
//! nothing of the host), and the system files programs commonly read.

use std::fmt::Write as _;
use std::sync::{Arc, Weak};

use super::synth::{SynthDir, SynthFile, SynthLink};
use crate::errno::{Errno, KResult};
use crate::kernel::{EMULATED_RELEASE, EMULATED_VERSION, Kernel, TaskShared, current};
use crate::vfs::{Dentry, InodeRef};

fn kernel_of(k: &Weak<Kernel>) -> KResult<Arc<Kernel>> {
    k.upgrade().ok_or(Errno::ESRCH)
}

fn file(f: impl Fn() -> KResult<String> + Send + Sync + 'static) -> InodeRef {
    SynthFile::new(0o444, move || f().map(String::into_bytes))
}

/// The root of a procfs for `kernel`.
pub fn root(kernel: Weak<Kernel>) -> Arc<SynthDir> {
    let k = kernel.clone();
    let fixed: Vec<(&'static str, InodeRef)> = vec![
        (
            "self",
            SynthLink::new(|| {
                Ok(current::get()
                    .map(|t| t.tgid.to_string())
                    .unwrap_or_default()
                    .into_bytes())
            }),
        ),
        (
            "thread-self",
            SynthLink::new(|| {
                Ok(current::get()
                    .map(|t| format!("{}/task/{}", t.tgid, t.tid))
                    .unwrap_or_default()
                    .into_bytes())
            }),
        ),
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
        ("mounts", SynthLink::new(|| Ok(b"self/mounts".to_vec()))),
        ("uptime", {
            let k = k.clone();
            file(move || {
                let up = kernel_of(&k)?.uptime().as_secs_f64();
                Ok(format!("{up:.2} {:.2}\n", up * 2.0))
            })
        }),
        ("loadavg", {
            let k = k.clone();
            file(move || {
                let n = kernel_of(&k)?.tasks().len();
                Ok(format!("0.00 0.00 0.00 1/{n} {n}\n"))
            })
        }),
        ("sys", sys_dir(k.clone())),
    ];
    SynthDir::new(0o555, move || {
        let mut v: Vec<(Vec<u8>, InodeRef)> = fixed
            .iter()
            .map(|(n, i)| (n.as_bytes().to_vec(), i.clone()))
            .collect();
        if let Ok(kernel) = kernel_of(&kernel) {
            for t in kernel.tasks() {
                if t.tid == t.tgid {
                    v.push((t.tid.to_string().into_bytes(), pid_dir(&kernel, &t)));
                }
            }
        }
        v
    })
}

fn sys_dir(k: Weak<Kernel>) -> InodeRef {
    let k2 = k.clone();
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
                                        &kernel_of(&k2)?.hostname.lock().map_err(|_| Errno::EIO)?
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

fn meminfo() -> KResult<String> {
    // The sandbox's memory is the host's, as far as programs can tell.
    let si = crate::sys::host_sysinfo()?;
    let kb = |v: u64| v.saturating_mul(u64::from(si.mem_unit)) / 1024;
    let free = kb(si.freeram);
    let buffers = kb(si.bufferram);
    Ok(format!(
        "MemTotal:       {:>8} kB\nMemFree:        {:>8} kB\nMemAvailable:   {:>8} kB\n\
Buffers:        {:>8} kB\nCached:         {:>8} kB\nSwapTotal:      {:>8} kB\nSwapFree:       {:>8} kB\n",
        kb(si.totalram),
        free,
        free + buffers,
        buffers,
        0,
        kb(si.totalswap),
        kb(si.freeswap),
    ))
}

/// Host facts read once at boot, before the sentry loses its view of the
/// host's file system.
pub struct HostSnapshot {
    pub cpuinfo: Vec<u8>,
    pub ncpus: usize,
}

static HOST: std::sync::OnceLock<HostSnapshot> = std::sync::OnceLock::new();

/// Takes the snapshot (call before confining the sentry).
pub fn snapshot_host() {
    HOST.get_or_init(|| HostSnapshot {
        cpuinfo: std::fs::read("/proc/cpuinfo").unwrap_or_default(),
        ncpus: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(64),
    });
}

/// The snapshot (taken on first use if boot did not).
pub fn host() -> &'static HostSnapshot {
    snapshot_host();
    HOST.get().expect("initialized above")
}

/// `/proc/PID` for a thread group leader.
fn pid_dir(kernel: &Arc<Kernel>, t: &Arc<TaskShared>) -> InodeRef {
    let w = Arc::downgrade(t);
    let kw = Arc::downgrade(kernel);
    let mut entries = task_entries(&kw, &w);
    let (kw2, tgid) = (kw.clone(), t.tgid);
    entries.push((
        "task",
        SynthDir::new(0o555, move || {
            let Ok(k) = kernel_of(&kw2) else {
                return Vec::new();
            };
            k.tasks()
                .into_iter()
                .filter(|t| t.tgid == tgid)
                .map(|t| {
                    let w = Arc::downgrade(&t);
                    let e: Vec<(&'static str, InodeRef)> = task_entries(&kw2, &w);
                    (
                        t.tid.to_string().into_bytes(),
                        SynthDir::fixed(0o555, e) as InodeRef,
                    )
                })
                .collect()
        }),
    ));
    SynthDir::fixed(0o555, entries)
}

fn live(w: &Weak<TaskShared>) -> KResult<Arc<TaskShared>> {
    w.upgrade().ok_or(Errno::ESRCH)
}

fn task_entries(kw: &Weak<Kernel>, w: &Weak<TaskShared>) -> Vec<(&'static str, InodeRef)> {
    let w1 = w.clone();
    let w2 = w.clone();
    let w3 = w.clone();
    let w4 = w.clone();
    let w5 = w.clone();
    let w6 = w.clone();
    let w7 = w.clone();
    let w8 = w.clone();
    let w9 = w.clone();
    let w10 = w.clone();
    let w11 = w.clone();
    let w12 = w.clone();
    let w13 = w.clone();
    let w14 = w.clone();
    let k1 = kw.clone();
    vec![
        (
            "exe",
            SynthLink::magic(
                move || live(&w1)?.exe().map(|d| d.path()).ok_or(Errno::ENOENT),
                move || live(&w2)?.exe().ok_or(Errno::ENOENT),
            ),
        ),
        (
            "cwd",
            SynthLink::magic(
                move || Ok(live(&w3)?.fs().cwd.path()),
                move || Ok(live(&w4)?.fs().cwd.clone()),
            ),
        ),
        (
            "root",
            SynthLink::magic(
                || Ok(b"/".to_vec()),
                move || Ok(live(&w5)?.fs().root.clone()),
            ),
        ),
        (
            "cmdline",
            SynthFile::new(0o444, move || stack_range(&*live(&w6)?, true)),
        ),
        (
            "environ",
            SynthFile::new(0o400, move || stack_range(&*live(&w7)?, false)),
        ),
        (
            "comm",
            SynthFile::new(0o644, move || {
                let mut c = live(&w8)?.comm();
                c.push(b'\n');
                Ok(c)
            }),
        ),
        ("status", file(move || status(&*live(&w9)?))),
        ("stat", file(move || stat(&*live(&w10)?))),
        (
            "statm",
            file(move || {
                let t = live(&w13)?;
                let pages = t.mm().map(|m| m.total_size() / 4096).unwrap_or(0);
                Ok(format!("{pages} 0 0 0 0 0 0\n"))
            }),
        ),
        (
            "maps",
            file(move || Ok(live(&w11)?.mm().map(|m| m.maps_text()).unwrap_or_default())),
        ),
        (
            "auxv",
            SynthFile::new(0o400, move || {
                let t = live(&w14)?;
                let mut out = Vec::new();
                if let Some(mm) = t.mm() {
                    for (k, v) in mm.lock().auxv.iter() {
                        out.extend_from_slice(&k.to_ne_bytes());
                        out.extend_from_slice(&v.to_ne_bytes());
                    }
                }
                Ok(out)
            }),
        ),
        ("mounts", file(move || mounts(&*kernel_of(&k1)?))),
        ("fd", fd_dir(w12)),
    ]
}

fn stack_range(t: &TaskShared, argv: bool) -> KResult<Vec<u8>> {
    let Some(mm) = t.mm() else {
        return Ok(Vec::new());
    };
    let (s, e) = {
        let st = mm.lock();
        if argv { st.argv } else { st.envp }
    };
    let mut buf = vec![0u8; e.saturating_sub(s) as usize];
    mm.copy_in(s, &mut buf)
        .or_else(|_| mm.copy_in(s, &mut []))?;
    Ok(buf)
}

fn fd_dir(w: Weak<TaskShared>) -> InodeRef {
    SynthDir::new(0o500, move || {
        let Ok(t) = live(&w) else { return Vec::new() };
        t.fds
            .list()
            .into_iter()
            .map(|(fd, e)| {
                let file = e.file.clone();
                let file2 = e.file.clone();
                let link: InodeRef = SynthLink::magic(
                    move || Ok(describe_file(&file)),
                    move || {
                        Ok(file2.dentry.clone().unwrap_or_else(|| {
                            Arc::new(Dentry {
                                name: describe_file(&file2),
                                parent: None,
                                inode: file2.inode.clone(),
                            })
                        }))
                    },
                );
                (fd.to_string().into_bytes(), link)
            })
            .collect()
    })
}

/// What /proc/PID/fd/N reads as.
pub fn describe_file(f: &crate::vfs::OpenFile) -> Vec<u8> {
    if let Some(d) = &f.dentry {
        return d.path();
    }
    let st = f.inode.stat().unwrap_or_default();
    match st.file_type() {
        crate::vfs::FileType::CharDevice
            if st.rdev >> 8 == 136 || st.rdev >> 8 == 4 || st.rdev >> 8 == 5 =>
        {
            format!("/dev/pts/{}", st.rdev & 0xff).into_bytes()
        }
        crate::vfs::FileType::Fifo => format!("pipe:[{}]", st.ino).into_bytes(),
        crate::vfs::FileType::Socket => format!("socket:[{}]", st.ino).into_bytes(),
        _ => format!("anon_inode:[{}]", st.ino).into_bytes(),
    }
}

fn mounts(k: &Kernel) -> KResult<String> {
    let mut s = String::from("none / overlay rw,relatime 0 0\n");
    for m in k.vfs.mounts() {
        let _ = writeln!(
            s,
            "{} {} {} {} 0 0",
            m.source,
            String::from_utf8_lossy(&m.path),
            m.fstype,
            m.options
        );
    }
    Ok(s)
}

fn state_char(t: &TaskShared) -> (char, &'static str) {
    if t.group.stopped() {
        ('T', "stopped")
    } else {
        ('R', "running")
    }
}

fn status(t: &TaskShared) -> KResult<String> {
    let c = t.creds().clone();
    let sig = t.signals().clone();
    let (ch, word) = state_char(t);
    let vm = t.mm().map(|m| m.total_size() / 1024).unwrap_or(0);
    let mut ign = 0u64;
    let mut cgt = 0u64;
    let actions = t.sighand().clone();
    for (i, a) in actions.0.iter().enumerate() {
        if a.handler == crate::kernel::signal::SIG_IGN {
            ign |= 1 << i;
        } else if a.handler != crate::kernel::signal::SIG_DFL {
            cgt |= 1 << i;
        }
    }
    let umask = t.fs().umask;
    let fdsize = t
        .fds
        .list()
        .last()
        .map(|(fd, _)| (*fd as usize + 64).next_power_of_two())
        .unwrap_or(64)
        .max(64);
    Ok(format!(
        "Name:\t{}\nUmask:\t{umask:04o}\nState:\t{ch} ({word})\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\nTracerPid:\t0\n\
Uid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t{fdsize}\nGroups:\t\nVmPeak:\t{vm:>8} kB\nVmSize:\t{vm:>8} kB\n\
Threads:\t1\nSigQ:\t0/127431\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t{:016x}\nSigIgn:\t{ign:016x}\n\
SigCgt:\t{cgt:016x}\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n\
CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t{}\nSeccomp:\t0\nCpus_allowed_list:\t0-{}\n",
        String::from_utf8_lossy(&t.comm()),
        t.tgid,
        t.tid,
        t.ppid(),
        c.uid,
        c.euid,
        c.suid,
        c.fsuid,
        c.gid,
        c.egid,
        c.sgid,
        c.fsgid,
        sig.mask,
        t.no_new_privs.load(std::sync::atomic::Ordering::Relaxed),
        host().ncpus - 1,
    ))
}

fn stat(t: &TaskShared) -> KResult<String> {
    let (ch, _) = state_char(t);
    let vsize = t.mm().map(|m| m.total_size()).unwrap_or(0);
    let (argv, envp, brk) = t
        .mm()
        .map(|m| {
            let s = m.lock();
            (s.argv, s.envp, (s.brk_start, s.brk))
        })
        .unwrap_or_default();
    let start = t.start.elapsed();
    let _ = start;
    Ok(format!(
        "{} ({}) {ch} {} {} {} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 0 {vsize} 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 {} {} {} {} {} {} 0\n",
        t.tid,
        String::from_utf8_lossy(&t.comm()),
        t.ppid(),
        t.pgid(),
        t.sid(),
        brk.0,
        brk.1,
        argv.0,
        argv.1,
        envp.0,
        envp.1,
    ))
}
