//! Helpers shared by the integration tests that run `runlx do` (e2e.rs,
//! security.rs): temp dirs, unique names, host tool checks, compiling C,
//! runs with a deadline (killing the process group on expiry) and the
//! host's process list (to find processes a sandbox left behind).
//!
//! Each test binary using this does `mod common;` and must define
//! `const UNIQUE_PREFIX: &str` at its crate root (the first part of the
//! names `unique` makes, which tells apart the runs of different binaries).

// Every test binary compiles this module on its own and uses only part of
// it; the rest would warn as dead code in that binary.
#![allow(dead_code)]

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const RUNLX: &str = env!("CARGO_BIN_EXE_runlx");
pub const BUSYBOX: &str = "/bin/busybox";
/// How long one run may take before it is declared hung and killed.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How long processes of a killed sandbox get to go away.
pub const DEATH_DEADLINE: Duration = Duration::from_secs(10);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A name no other run (of this or a parallel test process) uses.
pub fn unique(tag: &str) -> String {
    format!(
        "{}-{}-{}-{tag}",
        crate::UNIQUE_PREFIX,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("runlx-{}", unique(tag)));
        std::fs::create_dir(&p).expect("creating a temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes an executable file into the directory.
    pub fn write_exec(&self, name: &str, contents: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, contents).expect("writing a temp file");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
            .expect("chmod of a temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn have(path: &str) -> bool {
    let ok = Path::new(path).exists();
    if !ok {
        eprintln!("note: {path} is missing on this host; test skipped");
    }
    ok
}

pub fn have_busybox() -> bool {
    have(BUSYBOX)
}

/// Compiles a C program with the host's `cc` into `dir`; None (with a note)
/// when there is no working compiler.
pub fn compile_c(dir: &TempDir, name: &str, source: &str) -> Option<PathBuf> {
    let src = dir.path().join(format!("{name}.c"));
    let out = dir.path().join(name);
    std::fs::write(&src, source).expect("writing C source");
    match Command::new("cc")
        .arg("-O1")
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .output()
    {
        Ok(o) if o.status.success() => Some(out),
        Ok(o) => {
            eprintln!(
                "note: cc failed, test skipped:\n{}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("note: no cc ({e}), test skipped");
            None
        }
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn describe(o: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    )
}

/// Reads all of a pipe on a thread; the result arrives on the channel.
pub fn drain<R: Read + Send + 'static>(mut r: R) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

pub fn kill_group(pgid: i32) {
    // SAFETY: kill takes integers only; a negative pid names the process
    // group we created for this run (its leader is our unreaped child, so
    // the group id cannot have been reused).
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
}

/// Waits for `child` (leader of its own process group) for at most
/// TIMEOUT; on expiry kills the whole group and panics.
pub fn wait_with_deadline(mut child: Child, what: &str) -> Output {
    let pgid = child.id() as i32;
    let out_rx = drain(child.stdout.take().expect("piped stdout"));
    let err_rx = drain(child.stderr.take().expect("piped stderr"));
    let start = Instant::now();
    let status = loop {
        match child.try_wait().expect("waiting for a child") {
            Some(s) => break s,
            None if start.elapsed() > TIMEOUT => {
                kill_group(pgid);
                let _ = child.wait();
                let out = out_rx
                    .recv_timeout(Duration::from_secs(5))
                    .unwrap_or_default();
                let err = err_rx
                    .recv_timeout(Duration::from_secs(5))
                    .unwrap_or_default();
                panic!(
                    "{what}: still running after {TIMEOUT:?}, killed its process group\n\
                     --- stdout so far ---\n{}\n--- stderr so far ---\n{}",
                    text(&out),
                    text(&err)
                );
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    // The pipes close when every holder is gone; a leftover process that
    // kept them open would show up here (and in the stray check).
    let left = TIMEOUT.saturating_sub(start.elapsed()) + Duration::from_secs(5);
    let stdout = out_rx.recv_timeout(left).unwrap_or_else(|_| {
        kill_group(pgid);
        panic!("{what}: exited but its stdout stayed open (a process of it survived)")
    });
    let stderr = err_rx.recv_timeout(left).unwrap_or_else(|_| {
        kill_group(pgid);
        panic!("{what}: exited but its stderr stayed open (a process of it survived)")
    });
    Output {
        status,
        stdout,
        stderr,
    }
}

/// One process of the host, as /proc shows it.
pub struct HostProc {
    pub pid: i32,
    pub state: char,
    pub ppid: i32,
    pub pgrp: i32,
    pub cmdline: String,
}

impl HostProc {
    pub fn alive(&self) -> bool {
        self.state != 'Z' && self.state != 'X'
    }
}

pub fn host_process(pid: i32) -> Option<HostProc> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid pgrp ...; comm may contain anything.
    let close = stat.rfind(')')?;
    let mut f = stat[close + 1..].split_whitespace();
    let state = f.next().and_then(|s| s.chars().next()).unwrap_or('?');
    let ppid = f.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let pgrp = f.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| text(&b).replace('\0', " "))
        .unwrap_or_default();
    Some(HostProc {
        pid,
        state,
        ppid,
        pgrp,
        cmdline,
    })
}

pub fn host_processes() -> Vec<HostProc> {
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()))
        .filter_map(host_process)
        .collect()
}

/// Whether `pid` names a live (non-zombie) process.
pub fn alive(pid: i32) -> bool {
    host_process(pid).is_some_and(|p| p.alive())
}

/// Live (non-zombie) processes that belong to the sandbox run whose `do`
/// led process group `pgid` and, if given, whose sentry's command line
/// carries `marker`.
pub fn sandbox_processes(pgid: i32, marker: Option<&str>) -> Vec<String> {
    host_processes()
        .into_iter()
        .filter(|p| p.alive())
        .filter(|p| p.pid != std::process::id() as i32)
        .filter(|p| {
            let in_group = p.pgrp == pgid;
            let marked = marker.is_some_and(|m| p.cmdline.contains(RUNLX) && p.cmdline.contains(m));
            in_group || marked
        })
        .map(|p| {
            format!(
                "pid {} state {} pgrp {}: {}",
                p.pid, p.state, p.pgrp, p.cmdline
            )
        })
        .collect()
}

pub fn assert_status(o: &Output, code: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: expected exit status {code}\n{}",
        describe(o)
    );
}

/// Exit status as a shell reports it (128+N for signal N): what `runlx do`
/// exits with.
pub fn shell_code(s: &ExitStatus) -> i32 {
    match (s.code(), s.signal()) {
        (Some(c), _) => c,
        (None, Some(sig)) => 128 + sig,
        _ => -1,
    }
}
