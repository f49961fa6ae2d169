//! ELF loading and initial-stack construction for runlx.
//!
//! This crate owns everything an `execve` needs to know about the *file* being
//! executed, without touching any address space itself:
//!
//! * [`format`](mod@format) — classify the first bytes of a file (ELF flavour or `#!` script).
//! * [`elf`](mod@elf) — parse and validate an x86_64 ELF64 executable into an [`ElfImage`].
//! * [`plan`](mod@plan) — turn an [`ElfImage`] plus a load bias into page-aligned [`Mapping`]s,
//!   exactly as Linux's `load_elf_binary` would map it.
//! * [`stack`](mod@stack) — lay out the initial process stack (strings, auxv, envp, argv, argc).
//! * [`auxv`] — the `AT_*` auxiliary-vector constants.
//! * [`error`] — the single [`LoadError`] type and its Linux errno mapping.
//!
//! The sentry supplies file contents through the [`ReadAt`] trait and performs
//! the actual mappings / memory writes.
#![deny(unsafe_code)]

pub mod auxv;
pub mod elf;
pub mod error;
pub mod format;
pub mod plan;
pub mod read;
pub mod stack;

pub use elf::{ElfImage, ElfKind, Prot, Segment, parse, parse_interpreter};
pub use error::LoadError;
pub use format::{BINPRM_BUF_SIZE, BinaryFormat, classify, identify, parse_shebang, script_argv};
pub use plan::{
    ELF_ET_DYN_BASE, MMAP_RND_BITS, MapSource, Mapping, PAGE_SIZE, TASK_SIZE, brk_start,
    entry_address, load_bias, page_down, page_up, phdr_address, plan,
};
pub use read::ReadAt;
pub use stack::{
    ARG_MAX, DEFAULT_STACK_RLIMIT, MAX_ARG_STRLEN, StackImage, StackParams, build_stack,
    build_stack_with_rlimit,
};
