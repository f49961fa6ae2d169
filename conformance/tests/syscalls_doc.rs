//! `docs/syscalls.md` must match what `conformance::syscalls_doc::render`
//! generates from the syscall table and the conformance tests' coverage.
//!
//! Regenerate with `UPDATE_DOCS=1 cargo test -p conformance --test syscalls_doc`.
//! Needs `strace` (the tests column comes from tracing the C programs
//! natively; results are cached in `target/conformance/coverage/`).

use conformance::syscalls_doc::{ENV_UPDATE, REGENERATE, doc_path, render, unknown_names};

#[test]
fn syscalls_doc_is_up_to_date() {
    assert!(
        conformance::strace_available(),
        "docs/syscalls.md check: `strace` is not installed or cannot run, so the tests \
         column cannot be generated. Install it (`apt-get install strace`, as \
         scripts/test.sh does) and rerun; to regenerate the file: {REGENERATE}"
    );
    let cov = conformance::coverage();
    assert!(
        !cov.is_empty(),
        "docs/syscalls.md check: no coverage data (did the C programs build, and can \
         strace trace them here? ptrace may be forbidden in this container)"
    );
    let unknown = unknown_names(&cov);
    if !unknown.is_empty() {
        eprintln!("note: strace names not in the x86_64 table (left out): {unknown:?}");
    }
    let generated = render(&cov);
    let path = doc_path();
    if std::env::var(ENV_UPDATE).is_ok_and(|v| v == "1") {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create docs/");
        }
        std::fs::write(&path, &generated)
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        panic!(
            "{} is out of date (- committed, + generated):\n{}\n\
             Regenerate it with:\n\n    {REGENERATE}\n\n\
             (the tests column comes from strace of native runs, so it can also change \
             with the host's libc)",
            path.display(),
            conformance::line_diff(&committed, &generated, 1)
        );
    }
}
