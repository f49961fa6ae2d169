//! Differential conformance harness for runlx.
//!
//! The C programs in `conformance/c/*.c` are compiled with the system C
//! compiler (dynamically and, when a static libc is available, statically)
//! into `<target>/conformance/{dynamic,static}/NAME`, then run natively and
//! under `runlx do --`; stdout and the exit status must match. See
//! `tests/differential.rs` for the driver and `conformance/README.md` for
//! usage.
//!
//! Everything here uses only `std`, so it can be reused by other tools (for
//! example a coverage table generator calling [`coverage`]).

pub mod syscalls_doc;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// Environment every program is run with (after `env_clear`), natively and
/// under the sandbox. `environ.c` prints it, so changing it changes the
/// expected output of that test on both sides alike.
pub const FIXED_ENV: &[(&str, &str)] = &[
    ("PATH", "/usr/bin:/bin"),
    ("LANG", "C"),
    ("CONF_VAR", "hello"),
];

/// Env var: path of the runlx binary (default `<target>/release/runlx`, then
/// `<target>/debug/runlx`).
pub const ENV_RUNLX_BIN: &str = "RUNLX_BIN";
/// Env var: `1` runs only the native side (checks exit status 0 and that
/// two native runs print the same output).
pub const ENV_NATIVE_ONLY: &str = "RUNLX_CONFORMANCE_NATIVE_ONLY";
/// Env var: comma separated list of test names (or `name:static`) to run.
pub const ENV_FILTER: &str = "RUNLX_CONFORMANCE_FILTER";
/// Env var: number of programs run concurrently (default 2).
pub const ENV_JOBS: &str = "RUNLX_CONFORMANCE_JOBS";
/// Env var: per-run timeout in seconds (default 20).
pub const ENV_TIMEOUT: &str = "RUNLX_CONFORMANCE_TIMEOUT";
/// Env var: C compiler (default `cc`).
pub const ENV_CC: &str = "CC";

/// Flags every program is compiled with (plus `-static` for the static set).
pub const CFLAGS: &[&str] = &["-O1", "-Wall"];

/// The `conformance` crate directory.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root (parent of the crate directory).
pub fn workspace_root() -> PathBuf {
    crate_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(crate_dir)
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` or `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let p = PathBuf::from(d);
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        }
        _ => workspace_root().join("target"),
    }
}

/// `<target>/conformance`.
pub fn out_dir() -> PathBuf {
    target_dir().join("conformance")
}

/// Directory of the C sources.
pub fn c_dir() -> PathBuf {
    crate_dir().join("c")
}

/// Path of the known-failures list.
pub fn known_failures_path() -> PathBuf {
    crate_dir().join("known-failures.txt")
}

/// How a test program is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    Dynamic,
    Static,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Dynamic => "dynamic",
            Variant::Static => "static",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compiled test program.
#[derive(Clone, Debug)]
pub struct Binary {
    pub name: String,
    pub variant: Variant,
    pub path: PathBuf,
}

impl Binary {
    /// `name:variant`, as used in reports and in known-failures.txt.
    pub fn id(&self) -> String {
        format!("{}:{}", self.name, self.variant)
    }
}

/// All `c/*.c` programs, sorted by name: `(name, path)`.
pub fn c_sources() -> io::Result<Vec<(String, PathBuf)>> {
    let mut v = Vec::new();
    for entry in fs::read_dir(c_dir())? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "c")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            v.push((stem.to_string(), path));
        }
    }
    v.sort();
    Ok(v)
}

/// The C compiler command (`$CC` or `cc`).
pub fn cc() -> String {
    std::env::var(ENV_CC)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "cc".to_string())
}

/// Whether `cc -static` can link a trivial program (checked once).
pub fn static_supported() -> bool {
    static RESULT: OnceLock<bool> = OnceLock::new();
    *RESULT.get_or_init(|| {
        let dir = out_dir().join("probe");
        if fs::create_dir_all(&dir).is_err() {
            return false;
        }
        let src = dir.join("static_probe.c");
        let out = dir.join(format!("static_probe.{}", std::process::id()));
        if fs::write(&src, "int main(void) { return 0; }\n").is_err() {
            return false;
        }
        let ok = Command::new(cc())
            .arg("-static")
            .arg("-o")
            .arg(&out)
            .arg(&src)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&out)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        let _ = fs::remove_file(&out);
        ok
    })
}

/// The variants to build: dynamic, plus static when supported.
pub fn variants() -> Vec<Variant> {
    if static_supported() {
        vec![Variant::Dynamic, Variant::Static]
    } else {
        vec![Variant::Dynamic]
    }
}

fn mtime(p: &Path) -> Option<SystemTime> {
    fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Result of compiling one program.
#[derive(Debug)]
pub struct BuildResult {
    pub binary: Binary,
    /// Compiler diagnostics (warnings) of a successful build, if rebuilt.
    pub warnings: String,
    /// `Err(diagnostics)` when compilation failed.
    pub result: Result<(), String>,
}

/// Compile `src` into `out` unless `out` is newer than `src` and every
/// file in `deps`. Extra `-I` include directory: `c_dir()`.
pub fn compile(
    src: &Path,
    out: &Path,
    variant: Variant,
    deps: &[PathBuf],
) -> Result<String, String> {
    if let Some(out_t) = mtime(out) {
        let fresh = std::iter::once(src.to_path_buf())
            .chain(deps.iter().cloned())
            .all(|d| mtime(&d).is_some_and(|t| t <= out_t));
        if fresh {
            return Ok(String::new());
        }
    }
    if let Some(parent) = out.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("mkdir {}: {e}", parent.display()))?;
    }
    let tmp = out.with_extension(format!("tmp{}", std::process::id()));
    let mut cmd = Command::new(cc());
    cmd.args(CFLAGS);
    if variant == Variant::Static {
        cmd.arg("-static");
    }
    cmd.arg("-I").arg(c_dir()).arg("-o").arg(&tmp).arg(src);
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run C compiler `{}`: {e}", cc()))?;
    let diag = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        let _ = fs::remove_file(&tmp);
        return Err(format!("{:?} failed ({}):\n{diag}", cmd, output.status));
    }
    fs::rename(&tmp, out).map_err(|e| format!("rename {}: {e}", out.display()))?;
    Ok(diag)
}

/// Compile every program for every supported variant (in parallel).
pub fn build_all() -> io::Result<Vec<BuildResult>> {
    let sources = c_sources()?;
    let header = c_dir().join("check.h");
    let mut jobs = Vec::new();
    for variant in variants() {
        for (name, src) in &sources {
            jobs.push((name.clone(), src.clone(), variant));
        }
    }
    let n = thread::available_parallelism().map_or(2, |n| n.get());
    Ok(parallel_map(&jobs, n, |(name, src, variant)| {
        let path = out_dir().join(variant.as_str()).join(name);
        let r = compile(src, &path, *variant, std::slice::from_ref(&header));
        let (warnings, result) = match r {
            Ok(w) => (w, Ok(())),
            Err(e) => (String::new(), Err(e)),
        };
        BuildResult {
            binary: Binary {
                name: name.clone(),
                variant: *variant,
                path,
            },
            warnings,
            result,
        }
    }))
}

/// Run `f` over `items` on `jobs` worker threads; results keep item order.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    thread::scope(|s| {
        for _ in 0..jobs.max(1).min(items.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= items.len() {
                        break;
                    }
                    let r = f(&items[i]);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item processed"))
        .collect()
}

/// The runlx binary: `$RUNLX_BIN`, else `<target>/release/runlx`, else
/// `<target>/debug/runlx`. `Err` explains what to build.
pub fn find_runlx() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(ENV_RUNLX_BIN).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "{ENV_RUNLX_BIN}={} does not exist; build runlx or fix the variable",
                p.display()
            ))
        };
    }
    for profile in ["release", "debug"] {
        let p = target_dir().join(profile).join("runlx");
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(format!(
        "no runlx binary found at {0}/release/runlx or {0}/debug/runlx.\n\
         Build it first with `cargo build --release -p runlx`, or point {ENV_RUNLX_BIN} at it,\n\
         or set {ENV_NATIVE_ONLY}=1 to only run the native side.",
        target_dir().display()
    ))
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Termination {
    /// Exit status as a shell reports it: the exit code, or 128+N when
    /// killed by signal N (the convention `runlx do` uses).
    Status(i32),
    /// Killed by the harness after the timeout.
    TimedOut,
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Termination::Status(s) if *s > 128 => write!(f, "exit {s} (signal {})", s - 128),
            Termination::Status(s) => write!(f, "exit {s}"),
            Termination::TimedOut => f.write_str("TIMEOUT (killed)"),
        }
    }
}

fn status_code(s: ExitStatus) -> i32 {
    match (s.code(), s.signal()) {
        (Some(c), _) => c,
        (None, Some(sig)) => 128 + sig,
        _ => -1,
    }
}

/// Captured result of one run.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub end: Termination,
    pub elapsed: Duration,
}

/// `kill(2)` from libc (always linked into Rust binaries on Linux).
mod sys {
    unsafe extern "C" {
        pub fn kill(pid: i32, sig: i32) -> i32;
        pub fn close_range(first: u32, last: u32, flags: i32) -> i32;
    }
}

fn kill_group(child: &Child) {
    let pgid = child.id() as i32;
    if pgid > 0 {
        // SAFETY: kill(2) takes only integers. The child was spawned with
        // process_group(0), so its pgid equals its pid and has not been
        // reaped yet (we still hold the Child and did not wait on it), so
        // the group id cannot have been reused.
        unsafe {
            sys::kill(-pgid, 9);
        }
    }
}

fn spawn_reader<R: Read + Send + 'static>(r: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut buf);
        }
        buf
    })
}

/// Run `cmd` (stdin /dev/null, stdout+stderr captured) in its own process
/// group; after `timeout` the whole group is SIGKILLed.
pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> io::Result<RunOutput> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let out = spawn_reader(child.stdout.take());
    let err = spawn_reader(child.stderr.take());
    let end = loop {
        if let Some(status) = child.try_wait()? {
            break Termination::Status(status_code(status));
        }
        if start.elapsed() >= timeout {
            kill_group(&child);
            let _ = child.wait();
            break Termination::TimedOut;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    // Anything left in the group (it should be empty: programs are
    // single-process) must not keep the pipes open forever.
    if end != Termination::TimedOut {
        kill_group(&child);
    }
    Ok(RunOutput {
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        end,
        elapsed,
    })
}

const CLOSE_RANGE_CLOEXEC: i32 = 1 << 2;

fn apply_env(cmd: &mut Command) {
    // The test process may hold inherited descriptors without O_CLOEXEC
    // (e.g. cargo's jobserver pipe); programs must start with exactly 0, 1
    // and 2 open so fd numbers are deterministic.
    // SAFETY: the closure runs in the forked child before exec and only
    // calls close_range(2), which is async-signal-safe and does not
    // allocate. CLOSE_RANGE_CLOEXEC only marks fds >= 3 close-on-exec in
    // the child's own table, so the parent is unaffected and std's
    // exec-error pipe keeps working until exec.
    unsafe {
        cmd.pre_exec(|| {
            sys::close_range(3, u32::MAX, CLOSE_RANGE_CLOEXEC);
            Ok(())
        });
    }
    cmd.env_clear();
    for (k, v) in FIXED_ENV {
        cmd.env(k, v);
    }
    cmd.current_dir("/");
}

/// Command running `bin` natively (argv[0] = absolute path, fixed env).
pub fn native_command(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    apply_env(&mut cmd);
    cmd
}

/// Command running `bin` under `runlx do -- BIN` (same argv and env).
pub fn sandbox_command(runlx: &Path, bin: &Path) -> Command {
    let mut cmd = Command::new(runlx);
    cmd.arg("do").arg("--").arg(bin);
    apply_env(&mut cmd);
    cmd
}

/// Per-run timeout (`$RUNLX_CONFORMANCE_TIMEOUT` seconds, default 20).
pub fn timeout() -> Duration {
    let secs = std::env::var(ENV_TIMEOUT)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(20);
    Duration::from_secs(secs.max(1))
}

/// Worker count (`$RUNLX_CONFORMANCE_JOBS`, default 2).
pub fn jobs() -> usize {
    std::env::var(ENV_JOBS)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(2)
        .max(1)
}

/// Whether `$RUNLX_CONFORMANCE_NATIVE_ONLY=1`.
pub fn native_only() -> bool {
    std::env::var(ENV_NATIVE_ONLY).is_ok_and(|v| v == "1")
}

/// Test selection from `$RUNLX_CONFORMANCE_FILTER` (comma separated names
/// or `name:variant`); `None` selects everything.
pub fn filter() -> Option<Vec<String>> {
    let v = std::env::var(ENV_FILTER).ok()?;
    let items: Vec<String> = v
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!items.is_empty()).then_some(items)
}

/// Whether `bin` is selected by `filter`.
pub fn selected(filter: &Option<Vec<String>>, bin: &Binary) -> bool {
    match filter {
        None => true,
        Some(f) => f.iter().any(|e| *e == bin.name || *e == bin.id()),
    }
}

/// One entry of known-failures.txt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownFailure {
    pub name: String,
    /// `None` = both variants.
    pub variant: Option<Variant>,
    pub reason: String,
    pub line: usize,
}

impl KnownFailure {
    pub fn matches(&self, bin: &Binary) -> bool {
        self.name == bin.name && self.variant.is_none_or(|v| v == bin.variant)
    }
}

/// Parse known-failures text: `name[:static|:dynamic]  reason...`, `#`
/// comments and blank lines ignored.
pub fn parse_known_failures(text: &str) -> Result<Vec<KnownFailure>, String> {
    let mut v = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split_once('#').map_or(raw, |(a, _)| a).trim();
        if line.is_empty() {
            continue;
        }
        let (key, reason) = match line.split_once(char::is_whitespace) {
            Some((k, r)) => (k, r.trim()),
            None => (line, ""),
        };
        let (name, variant) = match key.split_once(':') {
            None => (key, None),
            Some((n, "static")) => (n, Some(Variant::Static)),
            Some((n, "dynamic")) => (n, Some(Variant::Dynamic)),
            Some((_, other)) => {
                return Err(format!(
                    "known-failures.txt:{}: bad variant `{other}` (use :static or :dynamic)",
                    i + 1
                ));
            }
        };
        v.push(KnownFailure {
            name: name.to_string(),
            variant,
            reason: reason.to_string(),
            line: i + 1,
        });
    }
    Ok(v)
}

/// Read and parse `conformance/known-failures.txt` (missing file = empty).
pub fn load_known_failures() -> Result<Vec<KnownFailure>, String> {
    match fs::read_to_string(known_failures_path()) {
        Ok(t) => parse_known_failures(&t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", known_failures_path().display())),
    }
}

/// Line diff of `a` (native, `-`) and `b` (sandbox, `+`) with `context`
/// unchanged lines around each change; empty when equal.
pub fn line_diff(a: &str, b: &str, context: usize) -> String {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    // LCS table (outputs are small: a few hundred lines at most).
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    if ops.iter().all(|(c, _)| *c == ' ') {
        return String::new();
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let keep = |k: usize| {
        changed
            .iter()
            .any(|&c| k + context >= c && k <= c + context)
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (c, line)) in ops.iter().enumerate() {
        if keep(k) {
            if skipped {
                out.push_str("   ...\n");
                skipped = false;
            }
            out.push_str(&format!(" {c} {line}\n"));
        } else {
            skipped = true;
        }
    }
    if skipped {
        out.push_str("   ...\n");
    }
    out
}

/// Last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(n);
    let mut s = String::new();
    if start > 0 {
        s.push_str(&format!("   ... ({start} earlier lines)\n"));
    }
    for l in &lines[start..] {
        s.push_str("   ");
        s.push_str(l);
        s.push('\n');
    }
    s
}

// ---------------------------------------------------------------------------
// Syscall coverage (strace based)

/// Whether `strace` can be run.
pub fn strace_available() -> bool {
    static RESULT: OnceLock<bool> = OnceLock::new();
    *RESULT.get_or_init(|| {
        Command::new("strace")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Parse `strace -f -qq -o FILE` output into syscall -> call count.
pub fn parse_strace(text: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        // With -f every line starts with the pid.
        let line = line
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        if line.starts_with("<...") || line.starts_with("---") || line.starts_with("+++") {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && line[name.len()..].starts_with('(') {
            *counts.entry(name).or_insert(0) += 1;
        }
    }
    counts
}

/// strace `bin` natively (fixed env) and return syscall -> count, cached in
/// `cache` (`syscall count` per line) while newer than the binary.
pub fn strace_counts(bin: &Path, cache: &Path) -> io::Result<BTreeMap<String, usize>> {
    if let (Some(c), Some(b)) = (mtime(cache), mtime(bin))
        && c >= b
    {
        let text = fs::read_to_string(cache)?;
        return Ok(text
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(' ')?;
                Some((k.to_string(), v.trim().parse().ok()?))
            })
            .collect());
    }
    if let Some(p) = cache.parent() {
        fs::create_dir_all(p)?;
    }
    let trace = cache.with_extension(format!("strace{}", std::process::id()));
    let mut cmd = Command::new("strace");
    cmd.arg("-f").arg("-qq").arg("-o").arg(&trace).arg(bin);
    apply_env(&mut cmd);
    let run = run_with_timeout(cmd, Duration::from_secs(60))?;
    let text = fs::read_to_string(&trace).unwrap_or_default();
    let _ = fs::remove_file(&trace);
    if run.end == Termination::TimedOut || text.is_empty() {
        return Err(io::Error::other(format!(
            "strace of {} failed ({}): {}",
            bin.display(),
            run.end,
            String::from_utf8_lossy(&run.stderr)
        )));
    }
    let counts = parse_strace(&text);
    let body: String = counts.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
    fs::write(cache, body)?;
    Ok(counts)
}

/// Source of the startup baseline: glibc start-up plus the `BEGIN()`
/// prologue every test shares (line-buffered stdout, one line of output).
pub const STARTUP_SOURCE: &str =
    "#include \"check.h\"\nint main(void)\n{\n    BEGIN(\"startup\");\n    return 0;\n}\n";

/// Map syscall -> test names that exercise it.
///
/// Each test's native binaries (every built variant) are run under
/// `strace -f -qq`; a syscall is attributed to a test when the test makes
/// more calls of it than the start-up baseline (a trivial program with the
/// same header prologue, same variant). Syscalls of the baseline itself are
/// attributed to the pseudo-test `startup`. Per-test results are cached in
/// `<target>/conformance/coverage/NAME.txt` (raw counts in
/// `coverage/raw/VARIANT/NAME.txt`). Returns an empty map when strace is
/// not installed.
pub fn coverage() -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !strace_available() {
        return map;
    }
    let cov = out_dir().join("coverage");
    let builds = match build_all() {
        Ok(b) => b,
        Err(_) => return map,
    };
    let header = c_dir().join("check.h");
    let startup_src = out_dir().join("startup.c");
    if fs::create_dir_all(out_dir()).is_err() {
        return map;
    }
    if fs::read_to_string(&startup_src).ok().as_deref() != Some(STARTUP_SOURCE) {
        let _ = fs::write(&startup_src, STARTUP_SOURCE);
    }
    let mut baseline: HashMap<Variant, BTreeMap<String, usize>> = HashMap::new();
    let mut startup_calls = BTreeSet::new();
    for variant in variants() {
        let bin = out_dir().join(variant.as_str()).join("startup");
        if compile(&startup_src, &bin, variant, std::slice::from_ref(&header)).is_err() {
            continue;
        }
        let cache = cov.join("raw").join(variant.as_str()).join("startup.txt");
        if let Ok(counts) = strace_counts(&bin, &cache) {
            startup_calls.extend(counts.keys().cloned());
            baseline.insert(variant, counts);
        }
    }
    let _ = fs::write(
        cov.join("startup.txt"),
        startup_calls
            .iter()
            .map(|s| format!("{s}\n"))
            .collect::<String>(),
    );
    for s in &startup_calls {
        map.entry(s.clone())
            .or_default()
            .push("startup".to_string());
    }
    let bins: Vec<Binary> = builds
        .into_iter()
        .filter(|b| b.result.is_ok())
        .map(|b| b.binary)
        .collect();
    let per_bin = parallel_map(&bins, jobs().max(2), |b| {
        let cache = cov
            .join("raw")
            .join(b.variant.as_str())
            .join(format!("{}.txt", b.name));
        let counts = strace_counts(&b.path, &cache).unwrap_or_default();
        let empty = BTreeMap::new();
        let base = baseline.get(&b.variant).unwrap_or(&empty);
        let used: BTreeSet<String> = counts
            .into_iter()
            .filter(|(k, v)| *v > base.get(k).copied().unwrap_or(0))
            .map(|(k, _)| k)
            .collect();
        (b.name.clone(), used)
    });
    let mut per_test: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, used) in per_bin {
        per_test.entry(name).or_default().extend(used);
    }
    for (name, used) in &per_test {
        let body: String = used.iter().map(|s| format!("{s}\n")).collect();
        let _ = fs::write(cov.join(format!("{name}.txt")), body);
        for s in used {
            map.entry(s.clone()).or_default().push(name.clone());
        }
    }
    map
}

/// Markdown table `| syscall | tests |` of [`coverage`].
pub fn coverage_table(cov: &BTreeMap<String, Vec<String>>) -> String {
    let mut s = String::from("| syscall | tests |\n|---|---|\n");
    for (sys, tests) in cov {
        s.push_str(&format!("| `{sys}` | {} |\n", tests.join(", ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_failures_parse() {
        let kf = parse_known_failures(
            "# comment\n\nfile_rw  reads are short\nmmap_anon:static   no static\nx:dynamic\n",
        )
        .unwrap();
        assert_eq!(kf.len(), 3);
        assert_eq!(kf[0].name, "file_rw");
        assert_eq!(kf[0].variant, None);
        assert_eq!(kf[0].reason, "reads are short");
        assert_eq!(kf[1].variant, Some(Variant::Static));
        assert_eq!(kf[2].variant, Some(Variant::Dynamic));
        assert!(parse_known_failures("a:weird x\n").is_err());
    }

    #[test]
    fn diff_marks_changes() {
        assert_eq!(line_diff("a\nb\n", "a\nb\n", 3), "");
        let d = line_diff("a\nb\nc\n", "a\nB\nc\n", 1);
        assert!(d.contains(" - b") && d.contains(" + B"), "{d}");
    }

    #[test]
    fn strace_parsing() {
        let c = parse_strace(
            "123  execve(\"/x\", [\"/x\"], 0x7ff /* 3 vars */) = 0\n\
             123  read(3, \"\", 4) = 0\n123  read(3, \"\", 4) = 0\n\
             123  --- SIGSEGV {si_signo=SIGSEGV} ---\n123  +++ exited with 0 +++\n\
             write(1, \"x\", 1) = 1\n",
        );
        assert_eq!(c.get("read"), Some(&2));
        assert_eq!(c.get("execve"), Some(&1));
        assert_eq!(c.get("write"), Some(&1));
        assert_eq!(c.len(), 3);
    }
}
