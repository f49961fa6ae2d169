//! Generator of `docs/syscalls.md`: every x86_64 syscall with its status in
//! runlx (from `syscalls::table`), notes on partial support (the
//! hand-kept [`PARTIAL`] table below) and the conformance tests that
//! exercise it (from [`crate::coverage`]). `tests/syscalls_doc.rs` fails
//! when the committed file differs from [`render`]'s output.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The command that rewrites `docs/syscalls.md`.
pub const REGENERATE: &str = "UPDATE_DOCS=1 cargo test -p conformance --test syscalls_doc";

/// Env var: `1` makes the test write the document instead of comparing.
pub const ENV_UPDATE: &str = "UPDATE_DOCS";

/// How many test names the tests column lists before "+N more".
pub const MAX_TESTS: usize = 6;

/// Syscalls whose handler leaves part of the Linux behaviour out, with
/// what is missing. Read from the handlers in `syscalls/src/`; update an
/// entry when its handler changes. An entry only shows (as `partial`) once
/// the syscall has a handler in `syscalls::table::IMPLEMENTED`, so notes
/// for handlers still being written may be added ahead of the table.
pub const PARTIAL: &[(&str, &str)] = &[
    // file.rs
    (
        "ioctl",
        "`FIOCLEX`, `FIONCLEX`, `FIONBIO`, `FIONREAD`; terminal requests (`TCGETS`, \
         `TCSETS*`, `TIOC[GS]WINSZ`, `TIOC[GS]PGRP`) on host files only, the foreground group \
         kept by the sentry; others ENOTTY",
    ),
    (
        "fcntl",
        "no F_SETLKW deadlock detection (EDEADLK), F_NOTIFY, leases or F_SETSIG; `F_SETOWN` is recorded nowhere",
    ),
    ("renameat2", "no `RENAME_WHITEOUT` (EINVAL)"),
    ("openat2", "no `RESOLVE_IN_ROOT` (EINVAL)"),
    ("memfd_create", "no `MFD_HUGETLB` (EINVAL)"),
    (
        "statfs",
        "synthetic values (overlayfs magic, fixed sizes), same for every path",
    ),
    (
        "fstatfs",
        "synthetic values (overlayfs magic, fixed sizes), same for every fd",
    ),
    // xattr.rs: no file system stores extended attributes.
    ("setxattr", XATTR_SET),
    ("lsetxattr", XATTR_SET),
    ("fsetxattr", XATTR_SET),
    ("getxattr", XATTR_GET),
    ("lgetxattr", XATTR_GET),
    ("fgetxattr", XATTR_GET),
    ("listxattr", XATTR_LIST),
    ("llistxattr", XATTR_LIST),
    ("flistxattr", XATTR_LIST),
    ("removexattr", XATTR_GET),
    ("lremovexattr", XATTR_GET),
    ("fremovexattr", XATTR_GET),
    // mmap.rs
    ("mmap", "no `MAP_HUGETLB` (EINVAL)"),
    ("mremap", "no `MREMAP_DONTUNMAP` (EINVAL)"),
    (
        "pkey_mprotect",
        "only the default key -1 (no protection keys can be allocated)",
    ),
    // signal.rs, kernel/sigframe.rs
    (
        "rt_sigaction",
        "handlers run on a Linux rt_sigframe with the whole XSAVE state (AVX, AVX-512); one \
         pending instance per signal (no real-time queueing); no dynamically enabled XSAVE \
         features (AMX)",
    ),
    ("kill", SIGNAL_SEND),
    ("tkill", SIGNAL_SEND),
    ("tgkill", SIGNAL_SEND),
    // epoll.rs
    (
        "epoll_ctl",
        "`EPOLLEXCLUSIVE` wakes every waiter (Linux: one or more)",
    ),
    (
        "epoll_wait",
        "edge-triggered entries on pipes and eventfds report per event on their own file, as \
         Linux; on other files after any change in the sandbox (spurious reports possible)",
    ),
    ("signalfd", SIGNALFD),
    ("signalfd4", SIGNALFD),
    // timer.rs
    (
        "setitimer",
        "`ITIMER_VIRTUAL`/`ITIMER_PROF` are polled: they fire within about 1 ms of CPU time after expiry, and the signal arrives at the program's next syscall or fault",
    ),
    (
        "getitimer",
        "`ITIMER_VIRTUAL`/`ITIMER_PROF` read the polled CPU time (see `setitimer`)",
    ),
    (
        "timer_create",
        "CPU-time clocks fire within about 1 ms of CPU time after expiry (polled, as \
         `setitimer`'s); no timers on dynamic (fd) clocks (EOPNOTSUPP); the kernel never sees \
         `SIGEV_THREAD` (libc builds it on `SIGEV_THREAD_ID`)",
    ),
    (
        "timerfd_create",
        "the `_ALARM` clocks behave as their base clocks (nothing suspends the sandbox)",
    ),
    (
        "timerfd_settime",
        "`TFD_TIMER_CANCEL_ON_SET` is accepted but never cancels: the sandbox cannot set the clock",
    ),
    // time.rs
    (
        "clock_gettime",
        "CPU-time clocks: user time is the stub's host CPU time, shared evenly among the threads running concurrently in one stub; system time is the serving sentry thread's",
    ),
    (
        "clock_nanosleep",
        "a relative sleep on `CLOCK_PROCESS_CPUTIME_ID` sleeps wall time; other CPU-time clocks: EINVAL",
    ),
    (
        "restart_syscall",
        "resumes interrupted relative sleeps (nanosleep, clock_nanosleep); anything else EINTR",
    ),
    (
        "clock_settime",
        "never sets a clock: EPERM for `CLOCK_REALTIME`, else EINVAL",
    ),
    // futex.rs
    (
        "futex",
        "PI futexes hand ownership over exactly as Linux but in arrival order, without priority inheritance",
    ),
    (
        "get_robust_list",
        "`CAP_SYS_PTRACE` is modelled as euid 0: root may read any thread's list",
    ),
    // process.rs
    (
        "prctl",
        "subset: name, dumpable, no_new_privs, timerslack, child_subreaper, pdeathsig, keepcaps, `PR_CAPBSET_READ`, `PR_GET_SECCOMP`; others EINVAL",
    ),
    ("setrlimit", RLIMITS),
    ("prlimit64", RLIMITS),
    (
        "sched_getaffinity",
        "reports CPUs 0..N-1 for the host's parallelism N (at most 64), not the real mask",
    ),
    (
        "sched_setaffinity",
        "checks the mask names a usable CPU but does not apply it",
    ),
    ("getcpu", "always CPU 0, node 0"),
    (
        "times",
        "user time is the stubs' host CPU time, system time the serving sentry threads' (see `clock_gettime`)",
    ),
    // clone.rs, pipe.rs
    (
        "clone",
        "threads and processes; no `CLONE_VM` without `CLONE_THREAD` or `CLONE_VFORK`, no namespaces; copy-on-write is per 1 MiB chunk",
    ),
    ("clone3", "as `clone`; no `set_tid`"),
    (
        "vfork",
        "the child runs on a copy of the parent's memory (the parent still waits for exec or exit)",
    ),
    (
        "getrusage",
        "CPU times only (see `clock_gettime`); every other counter is zero",
    ),
    ("wait4", "rusage has CPU times only"),
    (
        "pipe",
        "capacity counted in bytes, not page buffers; `F_SETPIPE_SZ` up to 1 MiB",
    ),
    ("pipe2", "as `pipe`; `O_DIRECT` accepted but byte-stream"),
    // splice.rs, vfs/splice.rs
    ("splice", SPLICE_HOST_PIPE),
    ("sendfile", SPLICE_HOST_PIPE),
    (
        "vmsplice",
        "copies the application's bytes (no page mapping or gifting); a donated host pipe is EBADF",
    ),
    (
        "copy_file_range",
        "copies between any two regular files (no EXDEV); large copies stop early at a signal",
    ),
];

const SPLICE_HOST_PIPE: &str = "bytes are copied; a donated host pipe is read and written like a \
                                file (`SPLICE_F_NONBLOCK` does not apply to it)";

const XATTR_SET: &str = "no file system stores extended attributes: EOPNOTSUPP";
const XATTR_GET: &str = "no file system stores extended attributes: ENODATA";
const XATTR_LIST: &str = "no file system stores extended attributes: empty list";
const SIGNAL_SEND: &str = "real-time signals queue up to RLIMIT_SIGPENDING, counted \
                           sandbox-wide rather than per user";
const SIGNALFD: &str = "takes the reading thread's pending signals; no `ssi_utime`/`ssi_stime` \
                        (no CPU accounting)";
const RLIMITS: &str = "enforced: `RLIMIT_NOFILE`, `RLIMIT_NPROC`, `RLIMIT_AS` and `RLIMIT_DATA` \
                       (mmap, mremap, brk; not mprotect), `RLIMIT_SIGPENDING` (real-time \
                       signals, counted sandbox-wide); the others are recorded only";

/// Syscalls whose per-test call counts vary from run to run, with why.
/// For these, the tests column keeps only `startup`, so the document stays
/// deterministic (a test may name the call and still make it only on some
/// runs: a child killed before it reaches pause(), say).
pub const NOISY: &[(&str, &str)] = &[
    (
        "getrandom",
        "glibc's mkdtemp(3) calls it a random number of times",
    ),
    (
        "clock_nanosleep",
        "usleep(3) polling loops run a timing-dependent number of times",
    ),
    (
        "futex",
        "glibc's locks only call it when threads happen to contend",
    ),
    (
        "sched_yield",
        "spin loops yield a timing-dependent number of times",
    ),
    (
        "restart_syscall",
        "called only when a signal happens to arrive during a sleep",
    ),
    (
        "pause",
        "children that wait in pause() are often killed before they get there",
    ),
];

/// `cov` with the attributions of [`NOISY`] syscalls reduced to the
/// deterministic one (`startup`).
pub fn stable_coverage(cov: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    let mut out = cov.clone();
    for (name, _) in NOISY {
        if let Some(tests) = out.get_mut(*name) {
            tests.retain(|t| t == "startup");
            if tests.is_empty() {
                out.remove(*name);
            }
        }
    }
    out
}

/// Status of one syscall in runlx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Implemented,
    Partial,
    Enosys,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Implemented => "implemented",
            Status::Partial => "partial",
            Status::Enosys => "ENOSYS",
        }
    }
}

/// One row of the document.
#[derive(Clone, Debug)]
pub struct Row {
    pub nr: u64,
    pub name: &'static str,
    pub status: Status,
    pub note: &'static str,
    pub tests: Vec<String>,
}

/// `<workspace>/docs/syscalls.md`.
pub fn doc_path() -> PathBuf {
    crate::workspace_root().join("docs").join("syscalls.md")
}

/// The note of `name` in [`PARTIAL`], if any.
pub fn partial_note(name: &str) -> Option<&'static str> {
    PARTIAL.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
}

/// Every syscall, sorted by number, with its status and covering tests
/// (after [`stable_coverage`]).
pub fn rows(cov: &BTreeMap<String, Vec<String>>) -> Vec<Row> {
    let cov = stable_coverage(cov);
    let mut v: Vec<Row> = syscalls::strace::all_syscalls()
        .map(|(nr, name)| {
            let (status, note) = if !syscalls::is_implemented(nr) {
                (Status::Enosys, "")
            } else if let Some(note) = partial_note(name) {
                (Status::Partial, note)
            } else {
                (Status::Implemented, "")
            };
            Row {
                nr,
                name,
                status,
                note,
                tests: cov.get(name).cloned().unwrap_or_default(),
            }
        })
        .collect();
    v.sort_by_key(|r| r.nr);
    v
}

/// Syscall names in `cov` that are not x86_64 syscall names (strace
/// spelling differences); they cannot appear in the document.
pub fn unknown_names(cov: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    cov.keys()
        .filter(|k| !syscalls::strace::all_syscalls().any(|(_, n)| n == k.as_str()))
        .cloned()
        .collect()
}

fn tests_cell(tests: &[String]) -> String {
    if tests.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = tests
        .iter()
        .take(MAX_TESTS)
        .map(|t| format!("`{t}`"))
        .collect();
    let mut s = shown.join(", ");
    if tests.len() > MAX_TESTS {
        let _ = write!(s, " +{} more", tests.len() - MAX_TESTS);
    }
    s
}

/// The whole `docs/syscalls.md` for coverage data `cov`.
pub fn render(cov: &BTreeMap<String, Vec<String>>) -> String {
    let rows = rows(cov);
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    let (imp, part, enosys) = (
        count(Status::Implemented),
        count(Status::Partial),
        count(Status::Enosys),
    );
    let handled = imp + part;
    let tested = rows.iter().filter(|r| !r.tests.is_empty()).count();
    let tested_handled = rows
        .iter()
        .filter(|r| r.status != Status::Enosys && !r.tests.is_empty())
        .count();
    let total = rows.len();

    let mut s = String::new();
    let _ = writeln!(s, "# Syscall coverage (x86_64)");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "<!-- Generated by conformance/tests/syscalls_doc.rs; do not edit by hand. -->"
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "**Generated file.** After changing the syscall table, a handler's \
         limitations or the conformance tests, regenerate it with:"
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "    {REGENERATE}");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "(`cargo test` fails while this file is out of date; it needs `strace`.)"
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "## Summary");
    let _ = writeln!(s);
    let _ = writeln!(s, "| status | syscalls |");
    let _ = writeln!(s, "|---|---:|");
    let _ = writeln!(s, "| implemented | {imp} of {total} |");
    let _ = writeln!(s, "| partial | {part} of {total} |");
    let _ = writeln!(s, "| ENOSYS | {enosys} of {total} |");
    let _ = writeln!(
        s,
        "| with a handler (implemented + partial) | {handled} of {total} |"
    );
    let _ = writeln!(
        s,
        "| exercised by a conformance test | {tested} of {total} ({tested_handled} with a handler) |"
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "## Legend");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "- **implemented**: the number has a handler in `syscalls::table::IMPLEMENTED`."
    );
    let _ = writeln!(
        s,
        "- **partial**: it has a handler, but part of the Linux behaviour is missing \
         (see notes; the list is kept in `conformance/src/syscalls_doc.rs`)."
    );
    let _ = writeln!(
        s,
        "- **ENOSYS**: no handler; the call fails with ENOSYS and is counted by the kernel."
    );
    let _ = writeln!(
        s,
        "- **tests**: `conformance/c/*.c` programs whose native run (under `strace -f`) \
         makes more calls of the syscall than a trivial program does; `startup` marks \
         calls made by that trivial program (libc start-up). Coverage does not mean the \
         test passes under runlx (see `conformance/known-failures.txt`). Numbers 335..=423 \
         are unassigned on x86_64 and are not listed."
    );
    for (name, why) in NOISY {
        let _ = writeln!(
            s,
            "- `{name}`: only `startup` is listed; which tests call it depends on \
             timing ({why})."
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "## Syscalls");
    let _ = writeln!(s);
    let _ = writeln!(s, "| nr | name | status | notes | tests |");
    let _ = writeln!(s, "|---:|---|---|---|---|");
    for r in &rows {
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {} | {} |",
            r.nr,
            r.name,
            r.status.as_str(),
            r.note,
            tests_cell(&r.tests)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_entries_name_syscalls() {
        let mut seen = std::collections::BTreeSet::new();
        for (name, note) in PARTIAL {
            assert!(seen.insert(*name), "PARTIAL lists `{name}` twice");
            assert!(
                !note.is_empty() && !note.contains('|'),
                "bad note for {name}"
            );
            assert!(
                syscalls::strace::all_syscalls().any(|(_, n)| n == *name),
                "PARTIAL: `{name}` is not an x86_64 syscall name"
            );
        }
    }

    #[test]
    fn render_is_sorted_and_counts_add_up() {
        let mut cov = BTreeMap::new();
        cov.insert(
            "read".to_string(),
            (0..9).map(|i| format!("t{i}")).collect::<Vec<_>>(),
        );
        let doc = render(&cov);
        assert!(
            doc.contains(
                "| 0 | `read` | implemented |  | `t0`, `t1`, `t2`, `t3`, `t4`, `t5` +3 more |"
            ),
            "{doc}"
        );
        let nrs: Vec<u64> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| ")?.split(' ').next()?.parse().ok())
            .collect();
        assert!(nrs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(nrs.len(), syscalls::strace::all_syscalls().count());
        assert_eq!(render(&cov), doc, "deterministic");
    }
}
