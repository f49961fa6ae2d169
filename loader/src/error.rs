//! The crate's single error type, [`LoadError`], and its mapping to Linux errnos.
//!
//! Each variant is specific enough for the sentry to return the errno an
//! `execve(2)` on Linux would return ([`LoadError::errno`]) and to log a human
//! readable explanation (`Display`).

use thiserror::Error;

/// Linux x86_64 errno values used by this crate (positive numbers).
pub mod errno {
    /// No such file or directory.
    pub const ENOENT: i32 = 2;
    /// I/O error.
    pub const EIO: i32 = 5;
    /// Argument list too long.
    pub const E2BIG: i32 = 7;
    /// Exec format error.
    pub const ENOEXEC: i32 = 8;
    /// Out of memory / address space.
    pub const ENOMEM: i32 = 12;
    /// Permission denied.
    pub const EACCES: i32 = 13;
    /// Invalid argument.
    pub const EINVAL: i32 = 22;
    /// Too many levels of symbolic links (or of `#!` interpreters).
    pub const ELOOP: i32 = 40;
    /// Accessing a corrupted shared library (bad ELF interpreter).
    pub const ELIBBAD: i32 = 80;
}

/// Everything that can go wrong while classifying, parsing, planning or
/// building the stack for an executable.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file starts with `\x7fELF` but is not a usable ELF64 file (bad
    /// class byte, or too short to hold the identification).
    #[error("exec format error: not an ELF file")]
    NotElf,
    /// Neither ELF nor `#!` script (Linux tries every binfmt, then ENOEXEC).
    #[error("exec format error: unrecognised binary format (not ELF, no #! line)")]
    UnknownFormat,
    /// ELFCLASS32 (i386, x32, ARM...).
    #[error("only x86_64 64-bit programs run (this is a 32-bit ELF)")]
    Elf32,
    /// ELF64 for a machine other than x86_64 (`e_machine` != 62).
    #[error(
        "only x86_64 programs run (this ELF is for machine {machine}: {})",
        goblin::elf::header::machine_to_str(*.machine)
    )]
    WrongMachine {
        /// `e_machine` from the header.
        machine: u16,
    },
    /// ELFDATA2MSB or an invalid data-encoding byte.
    #[error("exec format error: not a little-endian ELF (EI_DATA = {0})")]
    BadEndian(u8),
    /// `e_type` is not ET_EXEC or ET_DYN (e.g. a relocatable `.o` or core file).
    #[error("exec format error: ELF type {0} is not executable (need ET_EXEC or ET_DYN)")]
    NotExecutable(u16),
    /// `e_phentsize` is not 56.
    #[error("exec format error: program header entry size {0} (expected 56)")]
    BadPhentsize(u16),
    /// `e_phnum` is 0 or the table is larger than 64 KiB.
    #[error("exec format error: bad program header count {0}")]
    BadPhnum(u16),
    /// A header, table or string lies (partly) past the end of the file, or its
    /// offset arithmetic overflows.
    #[error(
        "exec format error: truncated ELF ({what}: {len} bytes at offset {offset:#x}, file is {file_len} bytes)"
    )]
    Truncated {
        /// Which structure was being read.
        what: &'static str,
        /// File offset of the read.
        offset: u64,
        /// Number of bytes wanted.
        len: u64,
        /// File length as reported by [`ReadAt::len`](crate::ReadAt::len).
        file_len: u64,
    },
    /// No PT_LOAD program header.
    #[error("exec format error: ELF has no loadable (PT_LOAD) segment")]
    NoLoadSegment,
    /// A PT_LOAD has `p_filesz > p_memsz` (Linux: EINVAL).
    #[error("invalid ELF: segment {index} has p_filesz {filesz:#x} > p_memsz {memsz:#x}")]
    FileszExceedsMemsz {
        /// Program header index.
        index: usize,
        /// `p_filesz`.
        filesz: u64,
        /// `p_memsz`.
        memsz: u64,
    },
    /// `p_offset` and `p_vaddr` of a PT_LOAD differ modulo the page size, so the
    /// segment cannot be mmapped (Linux: EINVAL from mmap).
    #[error(
        "invalid ELF: segment {index} has p_offset {offset:#x} and p_vaddr {vaddr:#x} not congruent modulo the page size"
    )]
    Misaligned {
        /// Program header index.
        index: usize,
        /// `p_offset`.
        offset: u64,
        /// `p_vaddr`.
        vaddr: u64,
    },
    /// A PT_LOAD's `[p_vaddr, p_vaddr + p_memsz)` overflows or (for ET_EXEC)
    /// leaves the user address space (Linux: EINVAL).
    #[error(
        "invalid ELF: segment {index} at {vaddr:#x} (+{memsz:#x}) is outside the user address space"
    )]
    BadSegmentAddress {
        /// Program header index.
        index: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_memsz`.
        memsz: u64,
    },
    /// PT_INTERP is too short, longer than PATH_MAX, or not NUL-terminated.
    #[error("exec format error: bad PT_INTERP ({0})")]
    BadInterpPath(&'static str),
    /// A `#!` line Linux would refuse (empty or truncated interpreter).
    #[error("exec format error: bad #! line ({0})")]
    BadShebang(&'static str),
    /// One argument or environment string (with its NUL) exceeds MAX_ARG_STRLEN.
    #[error("argument list too long: one string is {len} bytes (max {max})")]
    ArgTooLong {
        /// Length including the terminating NUL.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// All strings plus pointers exceed the limit derived from the stack rlimit.
    #[error("argument list too long: {size} bytes of arguments and environment (limit {limit})")]
    ArgsTooBig {
        /// Bytes needed.
        size: u64,
        /// Bytes allowed.
        limit: u64,
    },
    /// A mapping would end above TASK_SIZE or its address arithmetic overflows.
    #[error("cannot map [{start:#x}, {end:#x}): outside the user address space")]
    OutOfAddressSpace {
        /// Start of the offending range (possibly wrapped).
        start: u64,
        /// End of the offending range (saturated on overflow).
        end: u64,
    },
    /// The biased entry point is not a user address (Linux: EINVAL).
    #[error("invalid ELF: entry point {0:#x} is outside the user address space")]
    BadEntry(u64),
    /// `stack_top` is zero, unaligned or above TASK_SIZE.
    #[error("invalid stack top {0:#x}")]
    BadStackTop(u64),
    /// The initial stack does not fit below `stack_top`.
    #[error("initial stack of {needed} bytes does not fit below {top:#x}")]
    StackTooLow {
        /// The requested stack top.
        top: u64,
        /// Bytes required.
        needed: u64,
    },
    /// The caller passed an auxv entry this crate adds itself
    /// (AT_NULL, AT_RANDOM, AT_EXECFN, AT_PLATFORM).
    #[error("auxv entry type {0} is reserved for the loader")]
    ReservedAuxv(u64),
    /// The PT_INTERP interpreter is not a loadable x86_64 ELF (Linux: ELIBBAD).
    #[error("bad ELF interpreter: {0}")]
    BadInterpreter(#[source] Box<LoadError>),
    /// The PT_INTERP interpreter does not exist (the sentry constructs this).
    #[error("no such file or directory: ELF interpreter {}", String::from_utf8_lossy(.0))]
    InterpreterNotFound(Vec<u8>),
    /// Too many nested `#!` interpreters (Linux allows 5 levels; the sentry
    /// constructs this).
    #[error("too many levels of #! interpreters")]
    TooManyInterpreters,
    /// Reading the file failed.
    #[error("I/O error reading executable: {0}")]
    Io(#[from] std::io::Error),
}

impl LoadError {
    /// The (positive) Linux errno that `execve(2)` returns for this error.
    pub fn errno(&self) -> i32 {
        use errno::*;
        match self {
            LoadError::NotElf
            | LoadError::UnknownFormat
            | LoadError::Elf32
            | LoadError::WrongMachine { .. }
            | LoadError::BadEndian(_)
            | LoadError::NotExecutable(_)
            | LoadError::BadPhentsize(_)
            | LoadError::BadPhnum(_)
            | LoadError::Truncated { .. }
            | LoadError::NoLoadSegment
            | LoadError::BadInterpPath(_)
            | LoadError::BadShebang(_) => ENOEXEC,
            LoadError::FileszExceedsMemsz { .. }
            | LoadError::Misaligned { .. }
            | LoadError::BadSegmentAddress { .. }
            | LoadError::BadStackTop(_)
            | LoadError::BadEntry(_)
            | LoadError::ReservedAuxv(_) => EINVAL,
            LoadError::ArgTooLong { .. } | LoadError::ArgsTooBig { .. } => E2BIG,
            LoadError::OutOfAddressSpace { .. } | LoadError::StackTooLow { .. } => ENOMEM,
            LoadError::BadInterpreter(_) => ELIBBAD,
            LoadError::InterpreterNotFound(_) => ENOENT,
            LoadError::TooManyInterpreters => ELOOP,
            LoadError::Io(e) => e.raw_os_error().unwrap_or(match e.kind() {
                std::io::ErrorKind::NotFound => ENOENT,
                std::io::ErrorKind::PermissionDenied => EACCES,
                std::io::ErrorKind::OutOfMemory => ENOMEM,
                _ => EIO,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_errnos() {
        assert_eq!(
            LoadError::NotElf.to_string(),
            "exec format error: not an ELF file"
        );
        assert_eq!(
            LoadError::Elf32.to_string(),
            "only x86_64 64-bit programs run (this is a 32-bit ELF)"
        );
        let e = LoadError::WrongMachine { machine: 183 };
        assert!(e.to_string().contains("AARCH64"), "{e}");
        assert_eq!(e.errno(), errno::ENOEXEC);
        assert_eq!(
            LoadError::BadInterpreter(Box::new(LoadError::NotElf)).errno(),
            errno::ELIBBAD
        );
        assert_eq!(
            LoadError::ArgsTooBig { size: 1, limit: 0 }.errno(),
            errno::E2BIG
        );
        assert_eq!(
            LoadError::Io(std::io::Error::from_raw_os_error(errno::EACCES)).errno(),
            errno::EACCES
        );
        assert_eq!(
            LoadError::Io(std::io::ErrorKind::NotFound.into()).errno(),
            errno::ENOENT
        );
        let e = LoadError::InterpreterNotFound(b"/lib/ld.so".to_vec());
        assert_eq!(e.errno(), errno::ENOENT);
        assert!(e.to_string().contains("/lib/ld.so"));
    }
}
