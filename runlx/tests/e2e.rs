//! End-to-end tests of `runlx do`: real programs of the host (busybox, the
//! dynamic coreutils, python3, sqlite3, small C programs) run sandboxed and,
//! where it makes sense, natively, and the two runs are compared (stdout and
//! exit status). Every sandboxed run has a deadline (its process group is
//! killed when it expires) and is followed by a check that no process of
//! that sandbox (front end, gofer, sentry, stubs) outlives it.
//!
//! Must run as root (the sandbox uses ptrace and runs as its caller).
//! Tests needing an optional host tool (busybox, python3, sqlite3, cc) print
//! a note and pass when it is missing.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

use common::*;

/// First part of the names `common::unique` makes.
const UNIQUE_PREFIX: &str = "e2e";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// How a sandboxed run is set up.
#[derive(Default)]
struct Sandbox<'a> {
    /// Options of `runlx do` before `--`.
    opts: Vec<String>,
    /// Some: the exact environment of `runlx do` (and so of the program).
    env: Option<&'a [(&'a str, &'a str)]>,
    /// Bytes fed to stdin (None: /dev/null).
    stdin: Option<Vec<u8>>,
    /// Don't add a unique `--hostname` marker (keep the default hostname).
    no_marker: bool,
}

impl Sandbox<'_> {
    fn opts(opts: &[&str]) -> Self {
        Sandbox {
            opts: opts.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    /// Runs `runlx do OPTS -- ARGS`, with a deadline, then checks that
    /// nothing of the sandbox is left. Unless OPTS set a hostname, a unique
    /// one marks this run's sentry in the host's process list.
    fn run(&self, args: &[&str]) -> Output {
        let mut opts = self.opts.clone();
        let marker = if self.no_marker || opts.iter().any(|o| o == "--hostname") {
            None
        } else {
            let m = unique("host");
            opts.push("--hostname".into());
            opts.push(m.clone());
            Some(m)
        };
        let mut cmd = Command::new(RUNLX);
        cmd.arg("do").args(&opts).arg("--").args(args);
        if let Some(env) = self.env {
            cmd.env_clear().envs(env.iter().copied());
        }
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
        let what = format!("runlx do {} -- {}", opts.join(" "), args.join(" "));
        let mut child = cmd.spawn().expect("spawning runlx");
        let pgid = child.id() as i32;
        if let Some(input) = &self.stdin {
            let mut w = child.stdin.take().expect("piped stdin");
            let input = input.clone();
            std::thread::spawn(move || {
                let _ = w.write_all(&input);
            });
        }
        let out = wait_with_deadline(child, &what);
        let stray = sandbox_processes(pgid, marker.as_deref());
        if !stray.is_empty() {
            kill_group(pgid);
            panic!(
                "{what}: processes left after the run:\n{}\n{}",
                stray.join("\n"),
                describe(&out)
            );
        }
        out
    }
}

/// Runs `args` sandboxed with default options.
fn sandboxed(args: &[&str]) -> Output {
    Sandbox::default().run(args)
}

/// Runs `args` natively (same cwd), with the same deadline.
fn native_env(args: &[&str], env: Option<&[(&str, &str)]>) -> Output {
    let mut cmd = Command::new(args[0]);
    cmd.args(&args[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(env) = env {
        cmd.env_clear().envs(env.iter().copied());
    }
    let child = cmd.spawn().expect("spawning the native program");
    wait_with_deadline(child, &format!("native {}", args.join(" ")))
}

fn native(args: &[&str]) -> Output {
    native_env(args, None)
}

/// The same command natively and sandboxed.
fn both(args: &[&str]) -> (Output, Output) {
    (native(args), sandboxed(args))
}

/// Exit status as a shell reports it (128+N for signal N): what `runlx do`
/// exits with.
fn shell_code(s: &ExitStatus) -> i32 {
    match (s.code(), s.signal()) {
        (Some(c), _) => c,
        (None, Some(sig)) => 128 + sig,
        _ => -1,
    }
}

/// Asserts identical exit status and stdout, after `filter` on stdout.
fn assert_same_with(
    what: &str,
    native: &Output,
    sandboxed: &Output,
    filter: impl Fn(&str) -> String,
) {
    let n = filter(&text(&native.stdout));
    let s = filter(&text(&sandboxed.stdout));
    if n != s || shell_code(&native.status) != shell_code(&sandboxed.status) {
        let nl: Vec<&str> = n.lines().collect();
        let sl: Vec<&str> = s.lines().collect();
        let mut diff = String::new();
        for i in 0..nl.len().max(sl.len()) {
            let (a, b) = (nl.get(i), sl.get(i));
            if a != b {
                diff += &format!("line {}:\n  native:    {a:?}\n  sandboxed: {b:?}\n", i + 1);
            }
        }
        panic!(
            "{what}: native and sandboxed runs differ\n{diff}\n=== native ===\n{}\n=== sandboxed ===\n{}",
            describe(native),
            describe(sandboxed)
        );
    }
}

fn assert_same(what: &str, native: &Output, sandboxed: &Output) {
    assert_same_with(what, native, sandboxed, |s| s.to_string());
}

/// Runs `args` both ways and asserts identical stdout and exit status.
fn check_same(args: &[&str]) {
    let (n, s) = both(args);
    assert_same(&args.join(" "), &n, &s);
}

fn sorted_lines(s: &str) -> String {
    let mut v: Vec<&str> = s.lines().collect();
    v.sort_unstable();
    v.join("\n")
}

fn assert_status(o: &Output, code: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: expected exit status {code}\n{}",
        describe(o)
    );
}

// ---------------------------------------------------------------------------
// busybox-static applets
// ---------------------------------------------------------------------------

#[test]
fn busybox_echo() {
    if !have_busybox() {
        return;
    }
    let (n, s) = both(&[BUSYBOX, "echo", "hi"]);
    assert_same("busybox echo hi", &n, &s);
    assert_eq!(text(&s.stdout), "hi\n");
}

#[test]
fn busybox_cat_os_release() {
    if have_busybox() {
        check_same(&[BUSYBOX, "cat", "/etc/os-release"]);
    }
}

#[test]
fn busybox_ls_names_of_root() {
    if have_busybox() {
        check_same(&[BUSYBOX, "ls", "-1a", "/"]);
    }
}

#[test]
fn busybox_ls_la_root() {
    if !have_busybox() {
        return;
    }
    // /proc, /sys and /dev are the sandbox's own file systems (link count,
    // size and times differ by design); /tmp's time changes whenever a
    // parallel test creates a file there.
    let drop_volatile = |s: &str| {
        s.lines()
            .filter(|l| {
                let name = l.split_whitespace().last().unwrap_or("");
                !matches!(name, "proc" | "sys" | "dev" | "tmp")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (n, s) = both(&[BUSYBOX, "ls", "-la", "/"]);
    assert_same_with("busybox ls -la /", &n, &s, drop_volatile);
}

#[test]
fn busybox_wc_passwd() {
    if have_busybox() {
        check_same(&[BUSYBOX, "wc", "-l", "/etc/passwd"]);
    }
}

#[test]
fn busybox_sort_passwd() {
    if have_busybox() {
        check_same(&[BUSYBOX, "sort", "/etc/passwd"]);
    }
}

#[test]
fn busybox_sha256sum() {
    if have_busybox() {
        check_same(&[BUSYBOX, "sha256sum", "/etc/os-release"]);
    }
}

#[test]
fn busybox_find_conf() {
    if !have_busybox() {
        return;
    }
    // Directory order is the file system's; compare as sets of lines.
    let (n, s) = both(&[BUSYBOX, "find", "/etc", "-name", "*.conf"]);
    assert_same_with("busybox find /etc -name *.conf", &n, &s, sorted_lines);
    assert!(!s.stdout.is_empty(), "find printed nothing");
}

#[test]
fn busybox_du_usr_share() {
    if !have_busybox() {
        return;
    }
    // du sums st_blocks, which the sandbox passes through from the host's
    // files for the read-only lower layer: the totals must be identical.
    check_same(&[BUSYBOX, "du", "-s", "/usr/share"]);
}

// ---------------------------------------------------------------------------
// The host's dynamic programs
// ---------------------------------------------------------------------------

#[test]
fn dynamic_ls_la_usr() {
    if have("/bin/ls") {
        check_same(&["/bin/ls", "-la", "/usr"]);
    }
}

#[test]
fn dynamic_env_fixed_environment() {
    if !have("/usr/bin/env") {
        return;
    }
    let env: &[(&str, &str)] = &[
        ("PATH", "/usr/bin:/bin"),
        ("LANG", "C"),
        ("HOME", "/root"),
        ("E2E_VALUE", "a b=c"),
    ];
    let args = ["/usr/bin/env"];
    let n = native_env(&args, Some(env));
    let s = Sandbox {
        env: Some(env),
        ..Default::default()
    }
    .run(&args);
    assert_same("env (fixed environment)", &n, &s);
    assert!(text(&s.stdout).contains("E2E_VALUE=a b=c\n"));
}

#[test]
fn dynamic_sha256sum() {
    if have("/usr/bin/sha256sum") {
        check_same(&["/usr/bin/sha256sum", "/etc/passwd", "/bin/ls"]);
    }
}

// ---------------------------------------------------------------------------
// python3 and sqlite3
// ---------------------------------------------------------------------------

const PY_SCRIPT: &str = r#"
import json, hashlib, os, re, sys
p = sys.argv[1]
d = {"a": [1, 2, 3], "b": "x" * 10, "c": {"nested": True}}
with open(p, "w") as f:
    json.dump(d, f, sort_keys=True)
with open(p) as f:
    s = f.read()
print(s)
print(json.loads(s) == d)
print(hashlib.sha256(s.encode()).hexdigest())
print(hashlib.md5(b"runlx").hexdigest())
print(re.findall(r"\d", s), re.sub(r"x+", "X", s))
print(os.path.exists(p), os.path.getsize(p), os.path.isfile(p))
print(os.path.basename(p) in os.listdir(os.path.dirname(p)))
print(sorted(os.listdir("/etc"))[:5])
print(os.getcwd())
"#;

fn tmp_entries() -> BTreeSet<String> {
    std::fs::read_dir("/tmp")
        .expect("listing /tmp")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn python_json_hashlib_os_re_and_tmp_stays_clean() {
    if !have("/usr/bin/python3") {
        return;
    }
    let name = format!("runlx-{}.json", unique("py"));
    let path = format!("/tmp/{name}");
    let args = ["/usr/bin/python3", "-c", PY_SCRIPT, path.as_str()];

    let before = tmp_entries();
    let s = sandboxed(&args);
    let after = tmp_entries();
    assert!(!before.contains(&name));
    assert!(
        !after.contains(&name) && !Path::new(&path).exists(),
        "the sandboxed write of {path} reached the host's /tmp"
    );

    let n = native(&args);
    let _ = std::fs::remove_file(&path);
    assert_same("python3 script", &n, &s);
    assert!(text(&s.stdout).starts_with("{\"a\": [1, 2, 3]"));
}

#[test]
fn sqlite3_memory_select() {
    if !have("/usr/bin/sqlite3") {
        return;
    }
    let (n, s) = both(&["/usr/bin/sqlite3", ":memory:", "select 1+1"]);
    assert_same("sqlite3", &n, &s);
    assert_eq!(text(&s.stdout), "2\n");
    assert_status(&s, 0, "sqlite3");
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

#[test]
fn bad_non_elf_executable() {
    let dir = TempDir::new("noelf");
    let p = dir.write_exec("text", b"hello world, not a program\n");
    let s = sandboxed(&[p.to_str().unwrap()]);
    assert_status(&s, 126, "non-ELF executable");
    assert!(
        text(&s.stderr).contains("exec format error"),
        "stderr lacks 'exec format error'\n{}",
        describe(&s)
    );
}

#[test]
fn bad_truncated_elf() {
    let dir = TempDir::new("trunc");
    let ls = std::fs::read("/bin/ls").expect("reading /bin/ls");
    let p = dir.write_exec("trunc", &ls[..100]);
    let s = sandboxed(&[p.to_str().unwrap()]);
    assert_status(&s, 126, "truncated ELF");
}

#[test]
fn bad_missing_program() {
    let s = sandboxed(&["/nonexistent"]);
    assert_status(&s, 127, "/nonexistent");
}

#[test]
fn bad_name_not_on_path() {
    let name = format!("no-such-program-{}", unique("x"));
    let s = sandboxed(&[&name]);
    assert_status(&s, 127, "bare name not on PATH");
}

/// A minimal i386 executable: one PT_LOAD and `exit(0)` via int $0x80.
fn elf32_exit0() -> Vec<u8> {
    let code: [u8; 12] = [
        0xb8, 1, 0, 0, 0, // mov eax, 1
        0xbb, 0, 0, 0, 0, // mov ebx, 0
        0xcd, 0x80, // int 0x80
    ];
    let size = (52 + 32 + code.len()) as u32;
    let base: u32 = 0x0804_8000;
    let mut v = Vec::new();
    v.extend_from_slice(b"\x7fELF");
    v.extend_from_slice(&[1, 1, 1, 0]); // ELFCLASS32, LSB, version 1, SysV
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    v.extend_from_slice(&3u16.to_le_bytes()); // EM_386
    v.extend_from_slice(&1u32.to_le_bytes()); // e_version
    v.extend_from_slice(&(base + 52 + 32).to_le_bytes()); // e_entry
    v.extend_from_slice(&52u32.to_le_bytes()); // e_phoff
    v.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
    v.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    v.extend_from_slice(&52u16.to_le_bytes()); // e_ehsize
    v.extend_from_slice(&32u16.to_le_bytes()); // e_phentsize
    v.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    v.extend_from_slice(&40u16.to_le_bytes()); // e_shentsize
    v.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    v.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    for w in [1, 0, base, base, size, size, 5, 0x1000] {
        v.extend_from_slice(&w.to_le_bytes()); // PT_LOAD, R+X
    }
    v.extend_from_slice(&code);
    v
}

#[test]
fn bad_elf32() {
    let dir = TempDir::new("elf32");
    let p = dir.write_exec("elf32", &elf32_exit0());
    let s = sandboxed(&[p.to_str().unwrap()]);
    assert_status(&s, 126, "32-bit ELF");
    let err = text(&s.stderr);
    assert!(
        err.contains("x86_64") || err.contains("64-bit"),
        "stderr does not say why (x86_64 / 64-bit)\n{}",
        describe(&s)
    );
}

#[test]
fn bad_null_dereference_is_sigsegv() {
    let dir = TempDir::new("segv");
    let Some(p) = compile_c(
        &dir,
        "segv",
        "int main(void) { volatile int *p = 0; return *p; }\n",
    ) else {
        return;
    };
    let (n, s) = both(&[p.to_str().unwrap()]);
    assert_eq!(n.status.signal(), Some(11), "native run: {}", describe(&n));
    assert_status(&s, 139, "NULL dereference");
}

#[test]
fn bad_script_with_missing_interpreter() {
    let dir = TempDir::new("shebang");
    let p = dir.write_exec("script", b"#!/nonexistent/interpreter\necho hi\n");
    let s = sandboxed(&[p.to_str().unwrap()]);
    assert_status(&s, 127, "#! to a missing interpreter");
}

// ---------------------------------------------------------------------------
// Fork is not implemented yet: it must fail cleanly, not hang
// ---------------------------------------------------------------------------

/// Either the right output, or a clean failure: an exit status of the
/// program (not runlx's own 125, not a signal) and a message on stderr.
fn assert_works_or_fails_cleanly(s: &Output, expected_stdout: &str, what: &str) {
    if s.status.success() {
        assert_eq!(text(&s.stdout), expected_stdout, "{what}\n{}", describe(s));
    } else {
        let code = s.status.code().unwrap_or(-1);
        assert!(
            (1..125).contains(&code),
            "{what}: expected a clean failure status\n{}",
            describe(s)
        );
        assert!(
            !s.stderr.is_empty(),
            "{what}: silent failure\n{}",
            describe(s)
        );
    }
}

#[test]
fn fork_in_shell_fails_cleanly() {
    if !have_busybox() {
        return;
    }
    let s = sandboxed(&[BUSYBOX, "sh", "-c", "/bin/true; echo after"]);
    assert_works_or_fails_cleanly(&s, "after\n", "busybox sh forking /bin/true");
}

#[test]
fn fork_in_python_fails_cleanly() {
    if !have("/usr/bin/python3") {
        return;
    }
    let script = "import os\npid = os.fork()\nif pid == 0:\n    os._exit(7)\n\
                  print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n";
    let s = sandboxed(&["/usr/bin/python3", "-c", script]);
    assert_works_or_fails_cleanly(&s, "7\n", "python3 os.fork()");
}

// ---------------------------------------------------------------------------
// Emulation, not passthrough
// ---------------------------------------------------------------------------

#[test]
fn emulated_pid_is_1() {
    if !have_busybox() {
        return;
    }
    let s = sandboxed(&[BUSYBOX, "sh", "-c", "echo $$"]);
    assert_status(&s, 0, "sh -c 'echo $$'");
    assert_eq!(text(&s.stdout), "1\n", "{}", describe(&s));
}

#[test]
fn emulated_proc_has_one_process() {
    if !have_busybox() {
        return;
    }
    let s = sandboxed(&[BUSYBOX, "ls", "-1", "/proc"]);
    assert_status(&s, 0, "ls /proc");
    let out = text(&s.stdout);
    let pids: Vec<&str> = out
        .lines()
        .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert_eq!(pids, ["1"], "numeric entries of /proc\n{}", describe(&s));
}

#[test]
fn emulated_proc_self_exe() {
    if !have_busybox() {
        return;
    }
    let s = sandboxed(&[BUSYBOX, "readlink", "/proc/self/exe"]);
    assert_status(&s, 0, "readlink /proc/self/exe");
    let real = std::fs::canonicalize(BUSYBOX).expect("canonicalize busybox");
    assert_eq!(
        text(&s.stdout),
        format!("{}\n", real.display()),
        "{}",
        describe(&s)
    );
}

#[test]
fn emulated_hostname_default() {
    if !have_busybox() {
        return;
    }
    // No --hostname: the default. This run is found by its process group
    // in the stray-process check, not by a hostname marker.
    let s = Sandbox {
        no_marker: true,
        ..Default::default()
    }
    .run(&[BUSYBOX, "hostname"]);
    assert_status(&s, 0, "hostname");
    assert_eq!(text(&s.stdout), "runlx\n", "{}", describe(&s));
}

#[test]
fn emulated_hostname_option() {
    if !have_busybox() {
        return;
    }
    let s = Sandbox::opts(&["--hostname", "box"]).run(&[BUSYBOX, "hostname"]);
    assert_status(&s, 0, "hostname");
    assert_eq!(text(&s.stdout), "box\n", "{}", describe(&s));
}

#[test]
fn env_option_reaches_program() {
    if !have_busybox() {
        return;
    }
    let s = Sandbox::opts(&["--env", "FOO=bar"]).run(&[BUSYBOX, "env"]);
    assert_status(&s, 0, "env");
    assert!(
        text(&s.stdout).lines().any(|l| l == "FOO=bar"),
        "FOO=bar missing\n{}",
        describe(&s)
    );
}

#[test]
fn cwd_option() {
    if !have_busybox() {
        return;
    }
    let s = Sandbox::opts(&["--cwd", "/etc"]).run(&[BUSYBOX, "pwd"]);
    assert_status(&s, 0, "pwd");
    assert_eq!(text(&s.stdout), "/etc\n", "{}", describe(&s));
}

#[test]
fn stdin_is_donated() {
    if !have_busybox() {
        return;
    }
    let s = Sandbox {
        stdin: Some(b"pear\napple\nfig\n".to_vec()),
        ..Default::default()
    }
    .run(&[BUSYBOX, "sort"]);
    assert_status(&s, 0, "sort of stdin");
    assert_eq!(text(&s.stdout), "apple\nfig\npear\n", "{}", describe(&s));
}

// ---------------------------------------------------------------------------
// --strace
// ---------------------------------------------------------------------------

const STRACE_WRITE: &str = r#"[pid     1] write(1, "hi\n", 3) = 3"#;
const STRACE_EXIT: &str = "[pid     1] exit_group(0) = ?";

#[test]
fn strace_to_stderr() {
    if !have_busybox() {
        return;
    }
    let s = Sandbox::opts(&["--strace"]).run(&[BUSYBOX, "echo", "hi"]);
    assert_status(&s, 0, "strace echo");
    assert_eq!(text(&s.stdout), "hi\n");
    let err = text(&s.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.contains(&STRACE_WRITE), "no write line\n{err}");
    assert!(lines.contains(&STRACE_EXIT), "no exit_group line\n{err}");
}

#[test]
fn strace_to_log_file() {
    if !have_busybox() {
        return;
    }
    let dir = TempDir::new("strace");
    let log = dir.path().join("trace.log");
    let s = Sandbox::opts(&["--strace-log", log.to_str().unwrap()]).run(&[BUSYBOX, "echo", "hi"]);
    assert_status(&s, 0, "strace-log echo");
    assert_eq!(text(&s.stdout), "hi\n");
    let err = text(&s.stderr);
    assert!(
        !err.contains("[pid") && !err.contains("exit_group"),
        "strace output went to stderr too\n{err}"
    );
    let logged = std::fs::read_to_string(&log).expect("reading the strace log");
    let lines: Vec<&str> = logged.lines().collect();
    assert!(lines.contains(&STRACE_WRITE), "no write line\n{logged}");
    assert!(lines.contains(&STRACE_EXIT), "no exit_group line\n{logged}");
}

// ---------------------------------------------------------------------------
// Unsupported system calls
// ---------------------------------------------------------------------------

const NOSYS_C: &str = r#"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
    long r = syscall(SYS_io_uring_setup, 0, 0);
    int e = errno;
    printf("ret=%ld errno=%d %s\n", r, e, e == ENOSYS ? "ENOSYS" : strerror(e));
    return 0;
}
"#;

#[test]
fn unsupported_syscall_is_enosys() {
    let dir = TempDir::new("nosys");
    let Some(p) = compile_c(&dir, "nosys", NOSYS_C) else {
        return;
    };
    let p = p.to_str().unwrap();
    let s = sandboxed(&[p]);
    assert_status(&s, 0, "io_uring_setup");
    assert_eq!(
        text(&s.stdout),
        "ret=-1 errno=38 ENOSYS\n",
        "{}",
        describe(&s)
    );

    let t = Sandbox::opts(&["--strace"]).run(&[p]);
    assert_status(&t, 0, "io_uring_setup under --strace");
    let err = text(&t.stderr);
    assert!(
        err.lines()
            .any(|l| l.contains("io_uring_setup(") && l.contains("ENOSYS")),
        "no io_uring_setup ... ENOSYS line\n{err}"
    );
}

// ---------------------------------------------------------------------------
// No stray processes
// ---------------------------------------------------------------------------

#[test]
fn no_stray_processes_after_runs() {
    // Sandbox::run checks after every run; here the check is explicit, by
    // hostname marker, for a successful, a failing and a crashing program.
    if !have_busybox() {
        return;
    }
    for args in [
        &[BUSYBOX, "true"][..],
        &[BUSYBOX, "false"][..],
        &["/nonexistent"][..],
        &[BUSYBOX, "sh", "-c", "kill -SEGV $$"][..],
    ] {
        let marker = unique("stray");
        let _ = Sandbox::opts(&["--hostname", &marker]).run(args);
        let left: Vec<String> = host_processes()
            .into_iter()
            .filter(|p| p.state != 'Z' && p.cmdline.contains(&marker))
            .map(|p| format!("pid {}: {}", p.pid, p.cmdline))
            .collect();
        assert!(left.is_empty(), "{args:?}: left over: {left:?}");
    }
}

#[test]
fn sandbox_dies_with_its_front_end() {
    if !have_busybox() {
        return;
    }
    // `busybox cat` echoes its stdin; once the echo arrives the whole
    // sandbox is up. Then SIGKILL only the front end (`runlx do`): the
    // gofer, the sentry and the stub must all go away on their own.
    let mut child = Command::new(RUNLX)
        .args(["do", "--", BUSYBOX, "cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("spawning runlx");
    let pgid = child.id() as i32;
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    stdin.write_all(b"ready\n").unwrap();
    stdin.flush().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 6];
        let r = stdout.read_exact(&mut buf).map(|_| buf);
        let _ = tx.send(r);
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(Ok(buf)) => assert_eq!(&buf, b"ready\n"),
        other => {
            kill_group(pgid);
            let _ = child.wait();
            panic!("sandboxed cat did not echo: {other:?}");
        }
    }
    let before = sandbox_processes(pgid, None);
    assert!(
        before.len() >= 3,
        "expected front end, gofer, sentry and stub: {before:?}"
    );
    child.kill().expect("killing runlx do");
    child.wait().expect("reaping runlx do");
    let start = Instant::now();
    loop {
        let left = sandbox_processes(pgid, None);
        if left.is_empty() {
            break;
        }
        if start.elapsed() > DEATH_DEADLINE {
            kill_group(pgid);
            panic!("still alive {DEATH_DEADLINE:?} after the front end died: {left:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
}
