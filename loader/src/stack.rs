//! The initial process stack of a new program: argument/environment strings,
//! platform string, AT_RANDOM bytes, auxiliary vector, envp, argv and argc,
//! laid out as Linux `do_execveat_common` + `create_elf_tables` do.
//!
//! Layout, from `stack_top` downwards:
//!
//! ```text
//! stack_top - 8     8 zero bytes
//!                   execfn string (AT_EXECFN)
//! envp_start..end   environment strings, envp[0] lowest, contiguous
//! argv_start..end   argument strings, argv[0] lowest, contiguous (argv_end == envp_start)
//!                   (align down to 16)
//!                   platform string (AT_PLATFORM), if non-empty
//!                   16 random bytes (AT_RANDOM)
//!                   zero padding so that sp is 16-byte aligned
//!                   auxv pairs ..., AT_NULL pair
//!                   envp[0..envc], NULL
//!                   argv[0..argc], NULL
//! sp ->             argc
//! ```
//!
//! (Linux additionally subtracts a random 0..8 KiB before aligning when ASLR
//! is on — `arch_align_stack`; callers wanting that can lower `stack_top`'s
//! usable area themselves. This crate is deterministic.)

use crate::LoadError;
use crate::auxv::{AT_EXECFN, AT_NULL, AT_PLATFORM, AT_RANDOM};
use crate::plan::{PAGE_SIZE, TASK_SIZE};

/// Linux `MAX_ARG_STRLEN`: largest single string, including its NUL (32 pages).
pub const MAX_ARG_STRLEN: u64 = 32 * PAGE_SIZE;
/// Linux `ARG_MAX`: the argument-space limit never goes below this (32 pages).
pub const ARG_MAX: u64 = 32 * PAGE_SIZE;
/// Default `RLIMIT_STACK` (8 MiB): argument space is a quarter of it.
pub const DEFAULT_STACK_RLIMIT: u64 = 8 << 20;
/// Linux `_STK_LIM`; argument space never exceeds 3/4 of it.
const STK_LIM: u64 = 8 << 20;

/// Inputs for [`build_stack`].
#[derive(Debug, Clone)]
pub struct StackParams<'a> {
    /// Highest address (exclusive), page-aligned, <= TASK_SIZE.
    pub stack_top: u64,
    /// Argument strings (without NULs; anything from an embedded NUL on is
    /// dropped, as for C strings). An empty argv gets `[""]` like Linux >= 5.18.
    pub argv: &'a [Vec<u8>],
    /// Environment strings (`NAME=value`), same rules.
    pub envp: &'a [Vec<u8>],
    /// The path given to execve (AT_EXECFN).
    pub execfn: &'a [u8],
    /// AT_PLATFORM string, normally `b"x86_64"`; empty => no AT_PLATFORM.
    pub platform: &'a [u8],
    /// The 16 AT_RANDOM bytes.
    pub random: [u8; 16],
    /// Auxv entries in order (AT_SYSINFO_EHDR, AT_MINSIGSTKSZ, AT_HWCAP,
    /// AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS,
    /// AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_HWCAP2 ... is
    /// Linux's order). Must not contain AT_NULL, AT_RANDOM, AT_EXECFN or
    /// AT_PLATFORM: this function appends AT_RANDOM, AT_EXECFN, AT_PLATFORM
    /// and AT_NULL itself.
    pub auxv: &'a [(u64, u64)],
}

/// The built stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackImage {
    /// Lowest address written (== `sp`).
    pub start: u64,
    /// Contents of `[start, stack_top)`.
    pub bytes: Vec<u8>,
    /// Initial `%rsp`: points at argc, 16-byte aligned.
    pub sp: u64,
    /// Argument strings range `[argv_start, argv_end)` (`mm->arg_start/arg_end`).
    pub argv_start: u64,
    /// End of the argument strings (== `envp_start`).
    pub argv_end: u64,
    /// Environment strings range `[envp_start, envp_end)` (`mm->env_start/env_end`).
    pub envp_start: u64,
    /// End of the environment strings.
    pub envp_end: u64,
    /// The complete auxv as written, ending with `(AT_NULL, 0)` (for
    /// `/proc/PID/auxv` and `PR_SET_MM_AUXV`).
    pub auxv: Vec<(u64, u64)>,
}

fn cstr(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// Bytes available for strings (`bprm_stack_limits`), after reserving the
/// pointer space for argv/envp.
fn string_limit(rlimit: u64, argc: u64, envc: u64) -> Result<u64, LoadError> {
    let limit = (STK_LIM / 4 * 3).min(rlimit / 4).max(ARG_MAX);
    let ptr_size = argc.max(1).saturating_add(envc).saturating_mul(8);
    if limit <= ptr_size {
        return Err(LoadError::ArgsTooBig {
            size: ptr_size,
            limit,
        });
    }
    Ok(limit - ptr_size)
}

/// [`build_stack_with_rlimit`] with the default 8 MiB `RLIMIT_STACK`
/// (about 2 MiB of argument space).
pub fn build_stack(p: &StackParams) -> Result<StackImage, LoadError> {
    build_stack_with_rlimit(p, DEFAULT_STACK_RLIMIT)
}

/// Build the initial stack. `stack_rlimit` is the soft `RLIMIT_STACK`; the
/// strings (including execfn) may use `min(6 MiB, rlimit / 4)` (at least
/// [`ARG_MAX`]) minus 8 bytes per argv/envp pointer, else E2BIG; any single
/// string longer than [`MAX_ARG_STRLEN`] (with its NUL) is E2BIG too.
pub fn build_stack_with_rlimit(
    p: &StackParams,
    stack_rlimit: u64,
) -> Result<StackImage, LoadError> {
    let top = p.stack_top;
    if top == 0 || !top.is_multiple_of(PAGE_SIZE) || top > TASK_SIZE {
        return Err(LoadError::BadStackTop(top));
    }
    for &(at, _) in p.auxv {
        if matches!(at, AT_NULL | AT_RANDOM | AT_EXECFN | AT_PLATFORM) {
            return Err(LoadError::ReservedAuxv(at));
        }
    }

    let empty: [&[u8]; 1] = [b""];
    let argv: Vec<&[u8]> = if p.argv.is_empty() {
        empty.to_vec()
    } else {
        p.argv.iter().map(|s| cstr(s)).collect()
    };
    let envp: Vec<&[u8]> = p.envp.iter().map(|s| cstr(s)).collect();
    let execfn = cstr(p.execfn);
    let platform = cstr(p.platform);

    // Per-string and total limits.
    let mut total: u64 = 0;
    for s in argv
        .iter()
        .chain(envp.iter())
        .chain(std::iter::once(&execfn))
    {
        let len = s.len() as u64 + 1;
        if len > MAX_ARG_STRLEN {
            return Err(LoadError::ArgTooLong {
                len,
                max: MAX_ARG_STRLEN,
            });
        }
        total = total.saturating_add(len);
    }
    let limit = string_limit(stack_rlimit, argv.len() as u64, envp.len() as u64)?;
    if total > limit {
        return Err(LoadError::ArgsTooBig { size: total, limit });
    }
    let sum = |v: &[&[u8]]| v.iter().map(|s| s.len() as u64 + 1).sum::<u64>();
    let arg_total = sum(&argv);
    let env_total = sum(&envp);

    // Addresses, top down. All sizes are bounded (~6 MiB of strings), but
    // stack_top may be tiny, so subtract with checks.
    let mut auxv: Vec<(u64, u64)> = p.auxv.to_vec();
    let words = |auxv_len: usize| {
        (auxv_len as u64 + 1) * 2 + (argv.len() as u64 + 1) + (envp.len() as u64 + 1) + 1
    };
    // Upper bound of the size, to report in the error.
    let needed_estimate =
        8 + total + 16 + platform.len() as u64 + 1 + 16 + 16 + words(auxv.len() + 3) * 8;
    let too_low = || LoadError::StackTooLow {
        top,
        needed: needed_estimate,
    };
    let sub = |a: u64, b: u64| a.checked_sub(b).ok_or_else(too_low);

    let mut cur = sub(top, 8)?;
    cur = sub(cur, execfn.len() as u64 + 1)?;
    let execfn_addr = cur;
    cur = sub(cur, env_total)?;
    let envp_start = cur;
    cur = sub(cur, arg_total)?;
    let argv_start = cur;
    cur &= !15;
    let platform_addr = if platform.is_empty() {
        None
    } else {
        cur = sub(cur, platform.len() as u64 + 1)?;
        Some(cur)
    };
    cur = sub(cur, 16)?;
    let random_addr = cur;

    auxv.push((AT_RANDOM, random_addr));
    auxv.push((AT_EXECFN, execfn_addr));
    if let Some(a) = platform_addr {
        auxv.push((AT_PLATFORM, a));
    }
    auxv.push((AT_NULL, 0));
    let table_words = words(auxv.len() - 1);
    let sp = sub(cur, table_words * 8)? & !15;
    if sp < PAGE_SIZE {
        return Err(too_low());
    }

    let size = usize::try_from(top - sp).map_err(|_| too_low())?;
    let mut bytes = vec![0u8; size];
    let mut put = |addr: u64, data: &[u8]| {
        let off = (addr - sp) as usize;
        bytes[off..off + data.len()].copy_from_slice(data);
    };

    put(execfn_addr, execfn);
    let mut ptrs = Vec::with_capacity(argv.len() + envp.len());
    let mut a = argv_start;
    for s in &argv {
        put(a, s);
        ptrs.push(a);
        a += s.len() as u64 + 1;
    }
    let argv_end = a;
    debug_assert_eq!(argv_end, envp_start);
    for s in &envp {
        put(a, s);
        ptrs.push(a);
        a += s.len() as u64 + 1;
    }
    let envp_end = a;
    if let Some(pa) = platform_addr {
        put(pa, platform);
    }
    put(random_addr, &p.random);

    let mut w = sp;
    let mut word = |v: u64| {
        put(w, &v.to_le_bytes());
        w += 8;
    };
    word(argv.len() as u64);
    for &ptr in &ptrs[..argv.len()] {
        word(ptr);
    }
    word(0);
    for &ptr in &ptrs[argv.len()..] {
        word(ptr);
    }
    word(0);
    for &(k, v) in &auxv {
        word(k);
        word(v);
    }
    debug_assert!(w <= random_addr);

    Ok(StackImage {
        start: sp,
        bytes,
        sp,
        argv_start,
        argv_end,
        envp_start,
        envp_end,
        auxv,
    })
}
