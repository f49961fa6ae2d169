//! Benchmarks of runlx.
//!
//! This crate has no library code of its own; it holds
//!
//! * `benches/sentry.rs`: criterion micro-benchmarks of sentry internals
//!   (memory file and memory manager copies, mmap/munmap), run with
//!   `cargo bench -p bench`;
//! * `run.sh` and `programs/*.c`: a whole-program comparison of native
//!   execution, `runlx do` and gVisor's `runsc do`, run with
//!   `bash bench/run.sh`.
//!
//! See `docs/benchmarks.md` for what is measured and the results.
