//! Differential conformance test: every `conformance/c/*.c` program, built
//! dynamically and statically, runs natively and under `runlx do --`; stdout
//! and exit status must match (modulo `conformance/known-failures.txt`).
//!
//! Environment:
//! - `RUNLX_BIN`: runlx binary (default `target/release/runlx`, then
//!   `target/debug/runlx`).
//! - `RUNLX_CONFORMANCE_NATIVE_ONLY=1`: only run natively (exit status 0 and
//!   two identical native runs).
//! - `RUNLX_CONFORMANCE_FILTER=a,b:static`: run a subset.
//! - `RUNLX_CONFORMANCE_JOBS` (default 2), `RUNLX_CONFORMANCE_TIMEOUT`
//!   (seconds, default 20), `CC` (default `cc`).

use conformance::{
    Binary, KnownFailure, RunOutput, Termination, build_all, filter, find_runlx, jobs, line_diff,
    load_known_failures, native_command, native_only, parallel_map, sandbox_command, selected,
    tail, timeout,
};
use std::path::Path;

enum Outcome {
    Pass,
    Fail(String),
    XFail(String),
    XPass(String),
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(cmd: std::process::Command) -> Result<RunOutput, String> {
    conformance::run_with_timeout(cmd, timeout()).map_err(|e| format!("cannot spawn: {e}"))
}

/// Native-only mode: exit 0, no timeout, two runs with identical output.
fn check_native(bin: &Binary) -> Outcome {
    let a = match run(native_command(&bin.path)) {
        Ok(a) => a,
        Err(e) => return Outcome::Fail(e),
    };
    if a.end != Termination::Status(0) {
        return Outcome::Fail(format!(
            "native run ended with {} (expected exit 0)\n--- stdout:\n{}--- stderr:\n{}",
            a.end,
            tail(&text(&a.stdout), 30),
            tail(&text(&a.stderr), 30)
        ));
    }
    let b = match run(native_command(&bin.path)) {
        Ok(b) => b,
        Err(e) => return Outcome::Fail(e),
    };
    if a.stdout != b.stdout || a.end != b.end {
        return Outcome::Fail(format!(
            "native output is not deterministic ({} vs {}):\n{}",
            a.end,
            b.end,
            line_diff(&text(&a.stdout), &text(&b.stdout), 2)
        ));
    }
    Outcome::Pass
}

fn compare(bin: &Binary, runlx: &Path, known: Option<&KnownFailure>) -> Outcome {
    let native = match run(native_command(&bin.path)) {
        Ok(n) => n,
        Err(e) => return Outcome::Fail(format!("native: {e}")),
    };
    if native.end != Termination::Status(0) {
        // A broken test program, not a sandbox bug: never an XFAIL.
        return Outcome::Fail(format!(
            "the NATIVE run ended with {} (test programs must exit 0)\n--- native stderr:\n{}",
            native.end,
            tail(&text(&native.stderr), 30)
        ));
    }
    let sandbox = match run(sandbox_command(runlx, &bin.path)) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("sandbox: {e}")),
    };
    let same = native.stdout == sandbox.stdout && native.end == sandbox.end;
    match (same, known) {
        (true, None) => Outcome::Pass,
        (true, Some(k)) => Outcome::XPass(format!(
            "listed in known-failures.txt line {} ({}) but now PASSES: remove the entry",
            k.line, k.reason
        )),
        (false, Some(k)) => Outcome::XFail(k.reason.clone()),
        (false, None) => {
            let mut r = String::new();
            if native.end != sandbox.end {
                r.push_str(&format!(
                    "status: native {}, sandbox {}{}\n",
                    native.end,
                    sandbox.end,
                    if sandbox.end == Termination::TimedOut {
                        format!(" after {:?} (HANG)", sandbox.elapsed)
                    } else {
                        String::new()
                    }
                ));
            }
            let d = line_diff(&text(&native.stdout), &text(&sandbox.stdout), 3);
            if d.is_empty() {
                r.push_str("stdout: identical\n");
            } else {
                r.push_str("stdout diff (- native, + sandbox):\n");
                r.push_str(&d);
            }
            let err = text(&sandbox.stderr);
            if err.trim().is_empty() {
                r.push_str("sandbox stderr: (empty)\n");
            } else {
                r.push_str("sandbox stderr:\n");
                r.push_str(&tail(&err, 40));
            }
            Outcome::Fail(r)
        }
    }
}

#[test]
fn differential() {
    let native_only = native_only();
    let runlx = if native_only {
        None
    } else {
        match find_runlx() {
            Ok(p) => Some(p),
            Err(msg) => panic!("conformance: {msg}"),
        }
    };
    let known = load_known_failures().unwrap_or_else(|e| panic!("conformance: {e}"));

    // Build.
    let builds = build_all().expect("listing conformance/c");
    assert!(!builds.is_empty(), "no C programs in conformance/c");
    let mut build_errors = Vec::new();
    for b in &builds {
        if !b.warnings.trim().is_empty() {
            eprintln!(
                "conformance: warnings building {}:\n{}",
                b.binary.id(),
                b.warnings
            );
        }
        if let Err(e) = &b.result {
            build_errors.push(format!("{}: {e}", b.binary.id()));
        }
    }
    assert!(
        build_errors.is_empty(),
        "conformance: compilation failed:\n{}",
        build_errors.join("\n")
    );
    let sel = filter();
    let bins: Vec<Binary> = builds
        .into_iter()
        .map(|b| b.binary)
        .filter(|b| selected(&sel, b))
        .collect();
    assert!(
        !bins.is_empty(),
        "conformance: the filter selects no program"
    );

    // Stale entries in known-failures.txt (no such program) are errors.
    let mut problems = Vec::new();
    if !native_only {
        for k in &known {
            if !bins.iter().any(|b| b.name == k.name) && sel.is_none() {
                problems.push(format!(
                    "known-failures.txt line {}: no program named `{}`",
                    k.line, k.name
                ));
            }
        }
    }

    eprintln!(
        "conformance: {} binaries, mode {}, {} jobs, timeout {:?}{}",
        bins.len(),
        if native_only {
            "native-only"
        } else {
            "differential"
        },
        jobs(),
        timeout(),
        runlx
            .as_ref()
            .map(|p| format!(", runlx {}", p.display()))
            .unwrap_or_default()
    );
    let outcomes = parallel_map(&bins, jobs(), |bin| {
        let o = match &runlx {
            None => check_native(bin),
            Some(r) => compare(bin, r, known.iter().find(|k| k.matches(bin))),
        };
        let tag = match &o {
            Outcome::Pass => "ok",
            Outcome::Fail(_) => "FAILED",
            Outcome::XFail(_) => "XFAIL",
            Outcome::XPass(_) => "XPASS",
        };
        eprintln!("conformance: {:<28} {tag}", bin.id());
        o
    });

    let (mut passed, mut failed, mut xfail) = (0, 0, 0);
    let mut report = String::new();
    for (bin, o) in bins.iter().zip(&outcomes) {
        match o {
            Outcome::Pass => passed += 1,
            Outcome::XFail(reason) => {
                xfail += 1;
                report.push_str(&format!("XFAIL {}: {reason}\n", bin.id()));
            }
            Outcome::XPass(msg) => {
                failed += 1;
                report.push_str(&format!("XPASS {}: {msg}\n", bin.id()));
            }
            Outcome::Fail(msg) => {
                failed += 1;
                report.push_str(&format!(
                    "\n==== FAIL {} ({})\n{msg}",
                    bin.id(),
                    bin.path.display()
                ));
            }
        }
    }
    for p in &problems {
        report.push_str(&format!("ERROR {p}\n"));
    }
    if !report.is_empty() {
        println!("{report}");
    }
    println!("conformance: {passed} passed, {failed} failed, {xfail} xfail");
    assert!(
        failed == 0 && problems.is_empty(),
        "conformance: {failed} failed (see the report above; rerun one with \
         RUNLX_CONFORMANCE_FILTER=name and --nocapture)"
    );
}

/// Prints the syscall coverage table (needs strace). Run with
/// `cargo test -p conformance --test differential -- --ignored --nocapture coverage`.
#[test]
#[ignore]
fn coverage_table() {
    let cov = conformance::coverage();
    assert!(
        !cov.is_empty(),
        "no coverage data (is strace installed and usable?)"
    );
    println!("{}", conformance::coverage_table(&cov));
}
