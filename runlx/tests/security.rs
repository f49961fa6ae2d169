//! Security tests of `runlx do`: each test is an attempt to get through one
//! of the doors of docs/security.md (the root file system, host writes,
//! the host's /proc and /sys, the confinement of the sentry, of its stubs
//! and of the gofer, the host network, the syscall surface of the sentry)
//! and asserts that the attempt fails.
//!
//! Every sandboxed run has a deadline (its process group is killed when it
//! expires) and is followed by a check that no process of that sandbox
//! (front end, gofer, sentry, stubs) outlives it.
//!
//! Must run as root (the sandbox uses ptrace and namespaces). Tests that
//! need an optional host tool (busybox, cc) print a note and pass when it
//! is missing.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::*;

/// First part of the names `common::unique` makes.
const UNIQUE_PREFIX: &str = "sec";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A host path removed on drop (file, symlink or directory).
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        match std::fs::symlink_metadata(&self.0) {
            Ok(m) if m.is_dir() => {
                let _ = std::fs::remove_dir_all(&self.0);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&self.0);
            }
            Err(_) => {}
        }
    }
}

/// The `runlx do` command line of a run: OPTS, a unique `--hostname` that
/// marks this run's sentry in the host's process list, and ARGS.
fn do_command(opts: &[&str], args: &[&str]) -> (Command, String, String) {
    let marker = unique("host");
    let mut cmd = Command::new(RUNLX);
    cmd.arg("do")
        .args(opts)
        .arg("--hostname")
        .arg(&marker)
        .arg("--")
        .args(args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let what = format!("runlx do {} -- {}", opts.join(" "), args.join(" "));
    (cmd, marker, what)
}

/// Runs `runlx do OPTS -- ARGS` (stdin /dev/null) with a deadline, then
/// checks that nothing of the sandbox is left.
fn run_with(opts: &[&str], args: &[&str]) -> Output {
    let (mut cmd, marker, what) = do_command(opts, args);
    let child = cmd.spawn().expect("spawning runlx");
    let pgid = child.id() as i32;
    let out = wait_with_deadline(child, &what);
    // Zombies of the sandbox may take a moment to be reaped by init.
    let start = Instant::now();
    loop {
        let stray = sandbox_processes(pgid, Some(&marker));
        if stray.is_empty() {
            break;
        }
        if start.elapsed() > DEATH_DEADLINE {
            kill_group(pgid);
            panic!(
                "{what}: processes left after the run:\n{}\n{}",
                stray.join("\n"),
                describe(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    out
}

fn sandboxed(args: &[&str]) -> Output {
    run_with(&[], args)
}

/// A sandbox left running in the background; its process group is killed
/// (and its front end reaped) on drop.
struct Running {
    child: Child,
    pgid: i32,
    marker: String,
    done: bool,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let (mut cmd, marker, _) = do_command(&[], args);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let child = cmd.spawn().expect("spawning runlx");
        let pgid = child.id() as i32;
        Running {
            child,
            pgid,
            marker,
            done: false,
        }
    }

    /// The sentry (child of the front end, `boot` with our marker).
    fn sentry(&self) -> Option<i32> {
        host_processes()
            .into_iter()
            .find(|p| {
                p.alive()
                    && p.ppid == self.pgid
                    && p.cmdline.contains(RUNLX)
                    && p.cmdline.contains(" boot ")
                    && p.cmdline.contains(&self.marker)
            })
            .map(|p| p.pid)
    }

    /// The gofer (child of the front end).
    fn gofer(&self) -> Option<i32> {
        host_processes()
            .into_iter()
            .find(|p| {
                p.alive()
                    && p.ppid == self.pgid
                    && p.cmdline.contains(RUNLX)
                    && p.cmdline.contains(" gofer ")
            })
            .map(|p| p.pid)
    }

    /// Waits (bounded) until the sentry serves the program's sleep: its
    /// stub (a child of the sentry) is stopped in nanosleep or
    /// clock_nanosleep. Returns (sentry, stub).
    fn wait_sleeping(&mut self) -> (i32, i32) {
        let start = Instant::now();
        loop {
            if let Some(s) = self.sentry() {
                let stub = host_processes()
                    .into_iter()
                    .find(|p| p.alive() && p.ppid == s)
                    .map(|p| p.pid);
                if let Some(stub) = stub {
                    let sc = std::fs::read_to_string(format!("/proc/{stub}/syscall"))
                        .unwrap_or_default();
                    if sc.starts_with("35 ") || sc.starts_with("230 ") {
                        return (s, stub);
                    }
                }
            }
            if let Ok(Some(st)) = self.child.try_wait() {
                self.done = true;
                panic!("the sandbox ended before it slept: {st:?}");
            }
            if start.elapsed() > TIMEOUT {
                panic!("the sandboxed sleep was not seen within {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the run and asserts that every pid of `pids` goes away.
    fn kill_and_check_gone(&mut self, pids: &[i32]) {
        kill_group(self.pgid);
        let _ = self.child.wait();
        self.done = true;
        let start = Instant::now();
        loop {
            let left: Vec<i32> = pids.iter().copied().filter(|p| alive(*p)).collect();
            if left.is_empty() {
                break;
            }
            assert!(
                start.elapsed() < DEATH_DEADLINE,
                "processes of the killed sandbox survived: {left:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let stray = sandbox_processes(self.pgid, Some(&self.marker));
        assert!(
            stray.is_empty(),
            "processes left after killing the sandbox:\n{}",
            stray.join("\n")
        );
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.done {
            kill_group(self.pgid);
            let _ = self.child.wait();
        }
    }
}

/// A field of /proc/PID/status (trimmed value), None when unreadable.
fn status_field(pid: i32, field: &str) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_string())
}

fn ns(pid: &str, kind: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/{kind}"))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| format!("<unreadable: {e}>"))
}

/// Checks no_new_privs and seccomp filter mode of `pid`; problems are
/// pushed to `bad`.
fn check_confined(pid: i32, who: &str, bad: &mut Vec<String>) {
    let nnp = status_field(pid, "NoNewPrivs");
    if nnp.as_deref() != Some("1") {
        bad.push(format!("{who} (pid {pid}): NoNewPrivs is {nnp:?}, not 1"));
    }
    let sc = status_field(pid, "Seccomp");
    if sc.as_deref() != Some("2") {
        bad.push(format!(
            "{who} (pid {pid}): Seccomp is {sc:?}, not 2 (filter mode)"
        ));
    }
}

// ---------------------------------------------------------------------------
// 1. Root confinement (--root DIR)
// ---------------------------------------------------------------------------

/// A root directory for `--root`, inside a temp dir, with secrets outside
/// it and symlinks that point out of it.
struct RootFixture {
    _tmp: TempDir,
    /// The temp dir's parent holds this one; removed on drop.
    _outer: RemoveOnDrop,
    root: PathBuf,
    /// (host path, content) of each secret outside the root.
    secrets: Vec<(PathBuf, String)>,
    /// Host path the naive (host) resolution of DIR/up reaches.
    up_target: PathBuf,
}

fn root_fixture() -> RootFixture {
    let tmp = TempDir::new("root");
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(BUSYBOX, root.join("bin/busybox")).expect("copying busybox");
    std::fs::set_permissions(
        root.join("bin/busybox"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(root.join("etc/hostname"), "sandbox-copy-of-hostname\n").unwrap();
    std::fs::write(root.join("etc/runlx-root-marker"), "in the root\n").unwrap();
    std::os::unix::fs::symlink("/etc", root.join("escape")).unwrap();
    std::os::unix::fs::symlink("../../..", root.join("up")).unwrap();

    // Secret 1: next to the root (in the temp dir). Secret 2: in the temp
    // dir's parent (the host's temp dir), with a unique name.
    let s1 = tmp.path().join("secret");
    let c1 = format!("TOP-SECRET-1-{}", unique("s1"));
    std::fs::write(&s1, &c1).unwrap();
    let outer_name = format!("runlx-{}", unique("secret"));
    let s2 = tmp.path().parent().unwrap().join(&outer_name);
    let c2 = format!("TOP-SECRET-2-{}", unique("s2"));
    std::fs::write(&s2, &c2).unwrap();
    // An absolute symlink naming the secret by its host path.
    std::os::unix::fs::symlink(&s1, root.join("secretlink")).unwrap();
    let up_target = std::fs::canonicalize(root.join("up")).unwrap();
    RootFixture {
        _tmp: tmp,
        _outer: RemoveOnDrop(s2.clone()),
        root,
        secrets: vec![(s1, c1), (s2, c2)],
        up_target,
    }
}

fn assert_no_secret(fx: &RootFixture, o: &Output, what: &str) {
    for (path, content) in &fx.secrets {
        assert!(
            !text(&o.stdout).contains(content.as_str())
                && !text(&o.stderr).contains(content.as_str()),
            "{what}: the secret {} leaked into the sandbox\n{}",
            path.display(),
            describe(o)
        );
    }
}

#[test]
fn root_etc_hostname_is_the_sandbox_copy() {
    if !have_busybox() {
        return;
    }
    let fx = root_fixture();
    let root = fx.root.to_str().unwrap();
    let o = run_with(
        &["--root", root, "--cwd", "/"],
        &["/bin/busybox", "cat", "/etc/hostname"],
    );
    assert_status(&o, 0, "cat /etc/hostname");
    assert_eq!(
        text(&o.stdout),
        "sandbox-copy-of-hostname\n",
        "/etc/hostname must be the root's copy\n{}",
        describe(&o)
    );
}

#[test]
fn root_escapes_by_dotdot_and_symlinks_fail() {
    if !have_busybox() {
        return;
    }
    let fx = root_fixture();
    let root = fx.root.to_str().unwrap();
    let s1 = &fx.secrets[0].0;
    let s2 = &fx.secrets[1].0;
    let s2_name = s2.file_name().unwrap().to_str().unwrap().to_string();
    let mut paths: Vec<String> = [
        "../../secret",
        "/../secret",
        "/escape/passwd",
        "/up/secret",
        // What a naive walk from DIR would reach.
        "../secret",
        "/../../secret",
        "/secretlink",
        "/up/../secret",
        "/escape/../../secret",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    paths.push(format!("../../{s2_name}"));
    paths.push(format!("/../../{s2_name}"));
    // The host paths themselves, and through `up` as the host would
    // resolve it.
    for s in [s1, s2] {
        paths.push(s.display().to_string());
        if let Ok(rel) = s.strip_prefix(&fx.up_target) {
            paths.push(format!("/up/{}", rel.display()));
        }
    }
    for p in &paths {
        let o = run_with(&["--root", root, "--cwd", "/"], &["/bin/busybox", "cat", p]);
        let what = format!("cat {p} in --root {root}");
        assert_no_secret(&fx, &o, &what);
        assert_ne!(
            o.status.code(),
            Some(0),
            "{what}: must fail (nothing of that name inside the root)\n{}",
            describe(&o)
        );
    }
    // Also with a cwd inside the root.
    let o = run_with(
        &["--root", root, "--cwd", "/etc"],
        &["/bin/busybox", "cat", "../../secret", "../../../secret"],
    );
    assert_no_secret(&fx, &o, "cat ../../secret from /etc");
    assert_ne!(o.status.code(), Some(0), "{}", describe(&o));
}

#[test]
fn root_absolute_symlink_resolves_inside_the_root() {
    if !have_busybox() {
        return;
    }
    let fx = root_fixture();
    let root = fx.root.to_str().unwrap();
    let o = run_with(
        &["--root", root, "--cwd", "/"],
        &["/bin/busybox", "ls", "/escape/"],
    );
    assert_status(&o, 0, "ls /escape/");
    let names: BTreeSet<String> = text(&o.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let expect: BTreeSet<String> = ["hostname", "runlx-root-marker"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        names,
        expect,
        "/escape -> /etc must list the root's /etc, not the host's\n{}",
        describe(&o)
    );
    // And reading through it reaches the root's copy.
    let o = run_with(
        &["--root", root, "--cwd", "/"],
        &["/bin/busybox", "cat", "/escape/hostname"],
    );
    assert_status(&o, 0, "cat /escape/hostname");
    assert_eq!(text(&o.stdout), "sandbox-copy-of-hostname\n");
    // `up` (../../..) stops at the sandbox's root.
    let o = run_with(
        &["--root", root, "--cwd", "/"],
        &["/bin/busybox", "ls", "/up/"],
    );
    assert_status(&o, 0, "ls /up/");
    assert!(
        text(&o.stdout).contains("secretlink") && text(&o.stdout).contains("escape"),
        "/up must be the sandbox's root\n{}",
        describe(&o)
    );
}

// ---------------------------------------------------------------------------
// 2. Writes never reach the host
// ---------------------------------------------------------------------------

/// What a host path is: a symlink target, file contents and mode, a
/// directory, or absent.
#[derive(Debug, PartialEq, Eq, Clone)]
enum HostState {
    Absent,
    Symlink(PathBuf),
    File(Vec<u8>, u32),
    Dir,
}

fn host_state(p: &Path) -> HostState {
    match std::fs::symlink_metadata(p) {
        Err(_) => HostState::Absent,
        Ok(m) if m.file_type().is_symlink() => HostState::Symlink(std::fs::read_link(p).unwrap()),
        Ok(m) if m.is_dir() => HostState::Dir,
        Ok(m) => HostState::File(
            std::fs::read(p).unwrap_or_default(),
            m.permissions().mode() & 0o7777,
        ),
    }
}

/// Puts a host path back as it was (only used if the sandbox was broken).
fn restore(p: &Path, st: &HostState) {
    let _ = std::fs::remove_file(p);
    match st {
        HostState::Symlink(t) => {
            let _ = std::os::unix::fs::symlink(t, p);
        }
        HostState::File(c, mode) => {
            let _ = std::fs::write(p, c);
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(*mode));
        }
        HostState::Absent | HostState::Dir => {}
    }
}

#[test]
fn writes_stay_in_the_sandbox() {
    if !have_busybox() {
        return;
    }
    let tag = unique("w");
    let pwned = PathBuf::from(format!("/etc/runlx-pwned-{tag}"));
    let victim = PathBuf::from(format!("/etc/runlx-victim-{tag}"));
    let moved = PathBuf::from(format!("/etc/runlx-moved-{tag}"));
    let link = PathBuf::from(format!("/etc/runlx-link-{tag}"));
    let newdir = PathBuf::from(format!("/runlx-newdir-{tag}"));
    let newdir2 = PathBuf::from(format!("/etc/runlx-newdir-{tag}"));
    // Everything we name is removed at the end, whatever happens.
    let _cleanup: Vec<RemoveOnDrop> = [&pwned, &victim, &moved, &link, &newdir, &newdir2]
        .iter()
        .map(|p| RemoveOnDrop(p.to_path_buf()))
        .collect();
    std::fs::write(&victim, "original victim\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Real host files the sandbox is told to change: saved, and put back
    // if the sandbox ever changed them.
    let real = [
        PathBuf::from("/etc/os-release"),
        PathBuf::from("/etc/hostname"),
    ];
    let real_before: Vec<HostState> = real.iter().map(|p| host_state(p)).collect();
    let victim_before = host_state(&victim);

    let (pw, vi, mv, ln, nd, nd2) = (
        pwned.display().to_string(),
        victim.display().to_string(),
        moved.display().to_string(),
        link.display().to_string(),
        newdir.display().to_string(),
        newdir2.display().to_string(),
    );
    // Shell builtins and redirections only (no fork); the writes must be
    // visible inside the sandbox.
    let script = format!(
        "echo x > {pw} && echo y >> /etc/hostname && echo z >> {vi} && \
         read a < {pw} && echo \"pwned=$a\" && \
         while read l; do last=$l; done < /etc/hostname && echo \"hostname-last=$last\" && \
         while read l; do vlast=$l; done < {vi} && echo \"victim-last=$vlast\""
    );
    let mut outputs = Vec::new();
    let o = sandboxed(&[BUSYBOX, "sh", "-c", &script]);
    outputs.push(("sh -c".to_string(), o));
    let runs: Vec<Vec<String>> = vec![
        vec![
            "rm".into(),
            "-f".into(),
            "/etc/os-release".into(),
            vi.clone(),
        ],
        vec!["mkdir".into(), nd.clone(), nd2.clone()],
        vec!["chmod".into(), "0".into(), vi.clone()],
        vec!["mv".into(), vi.clone(), mv.clone()],
        vec!["ln".into(), "-s".into(), "/".into(), ln.clone()],
    ];
    for r in &runs {
        let mut args = vec![BUSYBOX];
        args.extend(r.iter().map(String::as_str));
        let o = sandboxed(&args);
        outputs.push((r.join(" "), o));
    }

    // The host first: nothing may have changed.
    let mut bad = Vec::new();
    for (p, before) in real.iter().zip(&real_before) {
        let now = host_state(p);
        if &now != before {
            bad.push(format!(
                "{} changed on the host: {before:?} -> {now:?}",
                p.display()
            ));
            restore(p, before);
        }
    }
    let victim_now = host_state(&victim);
    if victim_now != victim_before {
        bad.push(format!(
            "{vi} changed on the host: {victim_before:?} -> {victim_now:?}"
        ));
    }
    for p in [&pwned, &moved, &link, &newdir, &newdir2] {
        if host_state(p) != HostState::Absent {
            bad.push(format!(
                "{} appeared on the host: {:?}",
                p.display(),
                host_state(p)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "writes reached the host:\n{}",
        bad.join("\n")
    );

    // Then: each write worked inside its sandbox.
    for (what, o) in &outputs {
        assert_status(o, 0, what);
    }
    let sh = text(&outputs[0].1.stdout);
    assert_eq!(
        sh,
        "pwned=x\nhostname-last=y\nvictim-last=z\n",
        "writes inside the sandbox must be visible there\n{}",
        describe(&outputs[0].1)
    );
}

// ---------------------------------------------------------------------------
// 3. The host's /proc and /sys are not visible
// ---------------------------------------------------------------------------

#[test]
fn proc_shows_only_the_sandbox() {
    if !have_busybox() {
        return;
    }
    let o = sandboxed(&[BUSYBOX, "ls", "/proc"]);
    assert_status(&o, 0, "ls /proc");
    let pids: BTreeSet<String> = text(&o.stdout)
        .split_whitespace()
        .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    assert_eq!(
        pids,
        BTreeSet::from(["1".to_string()]),
        "/proc must hold only the sandbox's pid 1\n{}",
        describe(&o)
    );

    let o = sandboxed(&[BUSYBOX, "cat", "/proc/1/cmdline"]);
    assert_status(&o, 0, "cat /proc/1/cmdline");
    assert_eq!(
        o.stdout,
        format!("{BUSYBOX}\0cat\0/proc/1/cmdline\0").into_bytes(),
        "/proc/1/cmdline must be the sandboxed program's argv, not the host's init\n{}",
        describe(&o)
    );

    // Our own (host) pid is nobody in the sandbox.
    let me = format!("/proc/{}/cmdline", std::process::id());
    let o = sandboxed(&[BUSYBOX, "cat", &me]);
    assert_ne!(o.status.code(), Some(0), "{me}: {}", describe(&o));
    assert!(
        !text(&o.stdout).contains("security"),
        "{me} showed the host's test process\n{}",
        describe(&o)
    );
}

#[test]
fn proc_mounts_are_not_the_hosts() {
    if !have_busybox() {
        return;
    }
    let o = sandboxed(&[BUSYBOX, "cat", "/proc/self/mounts"]);
    assert_status(&o, 0, "cat /proc/self/mounts");
    let inside: BTreeSet<String> = text(&o.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
        .collect();
    let host = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    // Mount points any Linux system (sandbox or not) has.
    let generic = [
        "/",
        "/proc",
        "/sys",
        "/dev",
        "/dev/pts",
        "/dev/shm",
        "/tmp",
        "/run",
        "/sys/fs/cgroup",
    ];
    let leaked: Vec<&str> = host
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|m| !generic.contains(m) && inside.contains(*m))
        .collect();
    assert!(
        leaked.is_empty(),
        "the sandbox's mount table lists host mounts {leaked:?}\n{}",
        describe(&o)
    );
    // Nor the host's mount sources (devices, overlay layers...).
    for l in host.lines() {
        let src = l.split_whitespace().next().unwrap_or("");
        if src.starts_with('/') && src.len() > 1 {
            assert!(
                !text(&o.stdout).contains(src),
                "the sandbox's mount table names the host's {src}\n{}",
                describe(&o)
            );
        }
    }
}

#[test]
fn sys_is_empty() {
    if !have_busybox() {
        return;
    }
    let o = sandboxed(&[BUSYBOX, "ls", "-A", "/sys"]);
    assert_status(&o, 0, "ls -A /sys");
    assert_eq!(
        text(&o.stdout).trim(),
        "",
        "/sys must be empty in the sandbox\n{}",
        describe(&o)
    );
    for p in ["/sys/class/net", "/sys/kernel", "/sys/fs/cgroup"] {
        let o = sandboxed(&[BUSYBOX, "ls", p]);
        assert_ne!(
            o.status.code(),
            Some(0),
            "{p} must not exist in the sandbox\n{}",
            describe(&o)
        );
    }
}

// ---------------------------------------------------------------------------
// 4. The sentry and its stubs are confined
// ---------------------------------------------------------------------------

#[test]
fn sentry_and_stub_are_confined() {
    if !have_busybox() {
        return;
    }
    let mut run = Running::start(&[BUSYBOX, "sleep", "5"]);
    let (sentry, stub) = run.wait_sleeping();
    let gofer = run.gofer();
    let mut bad = Vec::new();

    check_confined(sentry, "sentry", &mut bad);
    // Its root: an empty directory (the pivoted, read-only tmpfs).
    let root_link = std::fs::read_link(format!("/proc/{sentry}/root"));
    match std::fs::read_dir(format!("/proc/{sentry}/root/")) {
        Ok(rd) => {
            let names: Vec<String> = rd
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            if !names.is_empty() {
                bad.push(format!(
                    "sentry (pid {sentry}): its root ({root_link:?}) is not empty: {names:?}"
                ));
            }
        }
        Err(e) => bad.push(format!("sentry (pid {sentry}): cannot list its root: {e}")),
    }
    let s = sentry.to_string();
    for kind in ["mnt", "pid", "net"] {
        let (theirs, ours) = (ns(&s, kind), ns("self", kind));
        if theirs == ours {
            bad.push(format!(
                "sentry (pid {sentry}): shares our {kind} namespace {ours}"
            ));
        }
    }

    check_confined(stub, "stub", &mut bad);
    let fds: Vec<String> = std::fs::read_dir(format!("/proc/{stub}/fd"))
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    let t = std::fs::read_link(e.path())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    format!("{n} -> {t}")
                })
                .collect()
        })
        .unwrap_or_else(|e| vec![format!("<unreadable: {e}>")]);
    if fds.len() != 1 || !fds[0].starts_with("0 -> ") || !fds[0].contains("memfd:") {
        bad.push(format!(
            "stub (pid {stub}): must hold only fd 0 (the memory file), holds {fds:?}"
        ));
    }

    let mut pids = vec![run.pgid, sentry, stub];
    pids.extend(gofer);
    run.kill_and_check_gone(&pids);
    assert!(
        bad.is_empty(),
        "the sentry or its stub is not confined:\n{}",
        bad.join("\n")
    );
}

// ---------------------------------------------------------------------------
// 5. The gofer is confined
// ---------------------------------------------------------------------------

#[test]
fn gofer_is_confined() {
    if !have_busybox() {
        return;
    }
    let mut run = Running::start(&[BUSYBOX, "sleep", "5"]);
    let (sentry, stub) = run.wait_sleeping();
    let gofer = run.gofer().expect("no gofer process found");
    let mut bad = Vec::new();
    check_confined(gofer, "gofer", &mut bad);
    let (theirs, ours) = (ns(&gofer.to_string(), "net"), ns("self", "net"));
    if theirs == ours {
        bad.push(format!(
            "gofer (pid {gofer}): shares the host's network namespace {ours}"
        ));
    }
    run.kill_and_check_gone(&[run.pgid, sentry, stub, gofer]);
    assert!(
        bad.is_empty(),
        "the gofer is not confined:\n{}",
        bad.join("\n")
    );
}

// ---------------------------------------------------------------------------
// 6. No host network
// ---------------------------------------------------------------------------

const CONNECT_C: &str = r#"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Tries to reach 127.0.0.1:PORT over TCP (IPv4, then IPv6 as a v4-mapped
   address) and over UDP; prints what each step returned. */
int main(int argc, char **argv) {
    int port = atoi(argv[1]);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(0x7f000001);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        printf("tcp4 socket: -1 errno %d\n", errno);
    } else {
        int r = connect(s, (struct sockaddr *)&a, sizeof a);
        printf("tcp4 connect: %d errno %d\n", r, r < 0 ? errno : 0);
        if (r == 0) write(s, "PWNED", 5);
        close(s);
    }

    struct sockaddr_in6 b;
    memset(&b, 0, sizeof b);
    b.sin6_family = AF_INET6;
    b.sin6_port = htons(port);
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &b.sin6_addr);
    s = socket(AF_INET6, SOCK_STREAM, 0);
    if (s < 0) {
        printf("tcp6 socket: -1 errno %d\n", errno);
    } else {
        int r = connect(s, (struct sockaddr *)&b, sizeof b);
        printf("tcp6 connect: %d errno %d\n", r, r < 0 ? errno : 0);
        close(s);
    }

    s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        printf("udp4 socket: -1 errno %d\n", errno);
    } else {
        long r = sendto(s, "PWNED", 5, 0, (struct sockaddr *)&a, sizeof a);
        printf("udp4 sendto: %ld errno %d\n", r, r < 0 ? errno : 0);
        close(s);
    }
    return 0;
}
"#;

#[test]
fn no_host_network() {
    let dir = TempDir::new("net");
    let Some(prog) = compile_c(&dir, "connect", CONNECT_C) else {
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a host listener");
    listener.set_nonblocking(true).unwrap();
    let udp = std::net::UdpSocket::bind(listener.local_addr().unwrap()).ok();
    if let Some(u) = &udp {
        u.set_nonblocking(true).unwrap();
    }
    let port = listener.local_addr().unwrap().port().to_string();
    let o = sandboxed(&[prog.to_str().unwrap(), &port]);

    // After the program ended: at most 2 s of polling for a connection (or
    // a datagram) that must never come.
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut reached = Vec::new();
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((_, peer)) => reached.push(format!("tcp connection from {peer}")),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("accept on the host listener: {e}"),
        }
        if let Some(u) = &udp {
            let mut buf = [0u8; 64];
            if let Ok((n, peer)) = u.recv_from(&mut buf) {
                reached.push(format!("udp datagram {:?} from {peer}", &buf[..n]));
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(listener);
    drop(udp);
    assert!(
        reached.is_empty(),
        "the sandbox reached the host's network: {reached:?}\n{}",
        describe(&o)
    );
    assert_status(&o, 0, "connect program");
    let out = text(&o.stdout);
    assert!(
        out.contains("tcp4 ") && out.contains("errno"),
        "the program must report its attempt\n{}",
        describe(&o)
    );
    assert!(
        !out.contains("connect: 0 ") && !out.contains("sendto: 5 "),
        "a connection to the host's loopback succeeded inside the sandbox\n{}",
        describe(&o)
    );
}

// ---------------------------------------------------------------------------
// 7. Hostile syscalls never crash the sentry
// ---------------------------------------------------------------------------

const SYSCALL_FUZZ_C: &str = r#"
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OUT 900   /* the saved stdout: progress and the verdict */
#define NUL 901   /* /dev/null, put back on fds 0-2 after every call */
#define ROUNDS 64

static uint64_t state = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    uint64_t x = state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return state = x;
}

static unsigned char *scratch; /* a writable page followed by a guard page */

/* Calls that would legitimately block forever, end or kill the program, or
   pull its own memory out from under it: not made. */
static int skipped(long nr) {
    /* Made on purpose: read (0; stdin is /dev/null), mmap (9; never
       MAP_FIXED, see fuzz), rt_sigaction (13; no signal is ever sent),
       prctl (157; minus the options fuzz filters out). */
    switch (nr) {
    case 7:   /* poll: blocks (infinite timeout) */
    case 10:  /* mprotect: could make its own code or stack inaccessible */
    case 11:  /* munmap: could unmap its own code */
    case 12:  /* brk: could shrink its own heap under malloc */
    case 15:  /* rt_sigreturn: loads garbage registers, i.e. jumps anywhere */
    case 23:  /* select: blocks */
    case 25:  /* mremap: could move its own code or stack */
    case 28:  /* madvise: MADV_DONTNEED over [0, huge) zaps its own memory */
    case 30:  /* shmat: SHM_REMAP could map over its own code */
    case 34:  /* pause: blocks forever */
    case 35:  /* nanosleep: could sleep for years */
    case 37:  /* alarm: SIGALRM would end it */
    case 38:  /* setitimer: SIGALRM/SIGVTALRM/SIGPROF would end it */
    case 56:  /* clone: a garbage child (fork is a later issue) */
    case 57:  /* fork */
    case 58:  /* vfork */
    case 59:  /* execve: would replace it */
    case 60:  /* exit */
    case 62:  /* kill: could kill itself */
    case 65:  /* semop: blocks on a semaphore it created */
    case 69:  /* msgsnd: blocks on a full queue */
    case 70:  /* msgrcv: blocks on an empty queue */
    case 128: /* rt_sigtimedwait: blocks (NULL timeout) */
    case 130: /* rt_sigsuspend: blocks forever */
    case 129: /* rt_sigqueueinfo: could signal itself */
    case 151: /* mlockall: MCL_FUTURE would make a later huge mmap commit */
    case 158: /* arch_prctl: could clobber FS (its TLS) */
    case 160: /* setrlimit: RLIMIT_CPU would end it with SIGXCPU */
    case 200: /* tkill: could kill itself */
    case 202: /* futex: FUTEX_WAIT blocks */
    case 208: /* io_getevents: blocks waiting for events */
    case 216: /* remap_file_pages: rearranges its own mappings */
    case 218: /* set_tid_address: makes exit write to a garbage address */
    case 220: /* semtimedop: blocks */
    case 223: /* timer_settime: a timer signal would end it */
    case 230: /* clock_nanosleep: could sleep for years */
    case 231: /* exit_group */
    case 232: /* epoll_wait: blocks (infinite timeout) */
    case 234: /* tgkill: could kill itself */
    case 242: /* mq_timedsend: blocks on a full queue */
    case 243: /* mq_timedreceive: blocks on an empty queue */
    case 270: /* pselect6: blocks */
    case 271: /* ppoll: blocks */
    case 281: /* epoll_pwait: blocks */
    case 297: /* rt_tgsigqueueinfo: could signal itself */
    case 302: /* prlimit64: like setrlimit */
    case 311: /* process_vm_writev: pid 1 is itself: writes its own memory */
    case 317: /* seccomp: strict mode would kill its next call */
    case 322: /* execveat: would replace it */
    case 329: /* pkey_mprotect: like mprotect */
    case 333: /* io_pgetevents: blocks */
    case 334: /* rseq: a garbage rseq area makes Linux SIGSEGV it */
    case 335: /* uretprobe: Linux SIGILLs callers outside the trampoline */
    case 424: /* pidfd_send_signal: could signal itself */
    case 435: /* clone3 */
    case 436: /* close_range: would close its saved stdout */
    case 441: /* epoll_pwait2: blocks */
    case 449: /* futex_waitv: blocks */
    case 455: /* futex_wait: blocks */
        return 1;
    }
    return 0;
}

static uint64_t arg(void) {
    uint64_t r = next();
    switch (r % 20) {
    case 0: return 0;
    case 1: return 1;                          /* bad pointer: page 0 */
    case 2: return 2;
    case 3: return (uint64_t)-1;               /* negative fd, ~0 length */
    case 4: return (uint64_t)-100;             /* AT_FDCWD */
    case 5: return 0xffffffffffff0000ull;      /* kernel-half pointer */
    case 6: return 0x7fffffffffffffffull;      /* huge length */
    case 7: return 0xffffffffull;
    case 8: return 0x8000000000000000ull;
    case 9: return 1ull << 47;                 /* just past user space */
    case 10: return 4096;
    case 11: return (uint64_t)(uintptr_t)scratch;            /* valid */
    case 12: return (uint64_t)(uintptr_t)scratch + 4096 - 8; /* runs into the guard */
    case 13: return (uint64_t)(uintptr_t)scratch + 4096;     /* the guard page */
    case 14: return (uint64_t)(uintptr_t)&next;              /* read-only code */
    case 15: return next() & 0xff;
    case 16: return next() & 0xffff;
    case 17: return (uint64_t)(int64_t)(int32_t)next();     /* negative int */
    default: return next();
    }
}

static void restore_fds(void) {
    dup2(NUL, 0);
    dup2(NUL, 1);
    dup2(NUL, 2);
    if (syscall(SYS_close_range, 3u, (unsigned)(OUT - 1), 0u) != 0 ||
        syscall(SYS_close_range, (unsigned)(NUL + 1), ~0u, 0u) != 0) {
        for (int fd = 3; fd < 256; fd++) close(fd);
    }
}

static void fuzz(long nr) {
    uint64_t a[6];
    for (int i = 0; i < 6; i++) a[i] = arg();
    for (int i = 0; i < 512; i++) ((uint64_t *)scratch)[i] = next();
    if (nr == SYS_mmap) {
        /* Never over an existing mapping, never committing memory. */
        a[3] &= ~(uint64_t)(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE | MAP_LOCKED);
    }
    if (nr == SYS_prctl) {
        switch ((int)a[0]) {
        case 22: /* PR_SET_SECCOMP: strict mode kills the next call */
        case 26: /* PR_SET_TSC: could make rdtsc fault */
        case 35: /* PR_SET_MM: rewrites its own memory layout */
        case 59: /* PR_SET_SYSCALL_USER_DISPATCH: SIGSYS on every call */
            a[0] = 3; /* PR_GET_DUMPABLE */
        }
    }
    long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (nr == SYS_mmap && r != -1) munmap((void *)r, a[1]);
    restore_fds();
}

int main(void) {
    dup2(1, OUT);
    int n = open("/dev/null", O_RDWR);
    dup2(n, NUL);
    close(n);
    scratch = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED) return 2;
    mprotect(scratch + 4096, 4096, PROT_NONE);
    restore_fds();
    /* Beyond the table: unassigned, x32, huge and negative numbers. */
    static const uint64_t extra[] = {461, 463, 500, 600, 1000, 0x40000027ull, 0x7fffffffull,
                                     0xffffffffull, 0x100000000ull, 0xffffffffffffffffull};
    for (int round = 0; round < ROUNDS; round++) {
        dprintf(OUT, "round %d\n", round);
        for (long nr = 0; nr <= 460; nr++) {
            if (skipped(nr)) continue;
            if (round == 0) dprintf(OUT, "nr %ld\n", nr);
            fuzz(nr);
        }
        for (unsigned i = 0; i < sizeof extra / sizeof extra[0]; i++) fuzz((long)extra[i]);
    }
    dprintf(OUT, "survived\n");
    _exit(0);
}
"#;

#[test]
fn hostile_syscalls_do_not_crash_the_sentry() {
    let dir = TempDir::new("fuzz");
    let Some(prog) = compile_c(&dir, "fuzz", SYSCALL_FUZZ_C) else {
        return;
    };
    let o = sandboxed(&[prog.to_str().unwrap()]);
    let out = text(&o.stdout);
    let tail: Vec<&str> = out.lines().rev().take(5).collect();
    let err = text(&o.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "the sentry panicked (last progress: {tail:?})\n--- stderr ---\n{err}"
    );
    assert_eq!(
        shell_code(&o.status),
        0,
        "the fuzzed program (or its sentry) did not exit 0 (last progress: {tail:?})\n\
         --- stderr ---\n{err}"
    );
    assert!(
        out.ends_with("survived\n"),
        "no \"survived\" (last progress: {tail:?})\n--- stderr ---\n{err}"
    );
}
