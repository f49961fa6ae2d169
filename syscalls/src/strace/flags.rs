//! Symbolic decoders for syscall argument values, rendered the way strace 6
//! does (table order, `|` separators, unknown bits as hex, `/* X_??? */`
//! comments for unknown enumeration values).

/// A decoding table: `(value, name)` pairs. For bit sets the order is the
/// order strace prints them in; multi-bit entries (e.g. `O_SYNC`) must come
/// before the single bits they contain.
pub type Table = &'static [(u64, &'static str)];

/// Formats `v` as strace's `%#x`: `0` for zero, `0x...` otherwise.
pub fn hex(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

/// Formats a pointer: `NULL` or `0x...`.
pub fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".to_string()
    } else {
        format!("{v:#x}")
    }
}

/// Renders a bit set: known bits (in table order) joined by `|`, leftover
/// bits as a trailing hex number, `"0"` when `value` is zero.
pub fn flags(value: u64, table: &[(u64, &str)]) -> String {
    flags_ex(value, table, "0", None)
}

/// Like [`flags`], with the name printed for zero (`zero`, e.g. `"PROT_NONE"`)
/// and, when no bit is known, strace's `0x... /* PREFIX_??? */` comment.
pub fn flags_ex(value: u64, table: &[(u64, &str)], zero: &str, prefix: Option<&str>) -> String {
    if value == 0 {
        return zero.to_string();
    }
    let mut rest = value;
    let mut parts: Vec<String> = Vec::new();
    for &(bits, name) in table {
        if bits != 0 && rest & bits == bits {
            parts.push(name.to_string());
            rest &= !bits;
        }
    }
    if rest != 0 {
        match (parts.is_empty(), prefix) {
            (true, Some(p)) => parts.push(format!("{rest:#x} /* {p}_??? */")),
            _ => parts.push(format!("{rest:#x}")),
        }
    }
    parts.join("|")
}

/// Looks `value` up in an enumeration table.
pub fn lookup(value: u64, table: &[(u64, &'static str)]) -> Option<&'static str> {
    table.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
}

/// Renders an enumeration value by name, falling back to decimal.
pub fn enum_name(value: u64, table: &[(u64, &'static str)]) -> String {
    lookup(value, table).map_or_else(|| value.to_string(), str::to_string)
}

/// Renders an enumeration value by name, falling back to strace's
/// `0x7 /* PREFIX_??? */`.
pub fn enum_hex(value: u64, table: &[(u64, &'static str)], prefix: &str) -> String {
    lookup(value, table).map_or_else(
        || format!("{} /* {prefix}_??? */", hex(value)),
        str::to_string,
    )
}

// ---------------------------------------------------------------- open(2)

/// `open`/`openat` flag bits other than the access mode, in strace's order.
pub const OPEN_FLAGS: Table = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o4010000, "O_SYNC"),
    (0o10000, "O_DSYNC"),
    (0o40000, "O_DIRECT"),
    (0o100000, "O_LARGEFILE"),
    (0o400000, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
    (0o20200000, "O_TMPFILE"),
    (0o200000, "O_DIRECTORY"),
    (0o20000, "FASYNC"),
];

/// `O_CREAT`: `open` has a mode argument when this (or `O_TMPFILE`) is set.
pub const O_CREAT: u64 = 0o100;
/// `O_TMPFILE` (includes `O_DIRECTORY`).
pub const O_TMPFILE: u64 = 0o20200000;

/// True when an `open` with these flags takes a mode argument.
pub fn open_has_mode(flags: u64) -> bool {
    flags & O_CREAT != 0 || flags & O_TMPFILE == O_TMPFILE
}

/// Open flags with the access mode: `O_RDONLY|O_CLOEXEC`.
pub fn open_flags(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let acc = match v & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let rest = v & !3;
    if rest == 0 {
        acc.to_string()
    } else {
        format!("{acc}|{}", flags(rest, OPEN_FLAGS))
    }
}

/// Flags of `pipe2`/`dup3`/`F_SETFL`-less contexts: open flags without an
/// access mode (`O_CLOEXEC`, `O_NONBLOCK|O_CLOEXEC`, `0`).
pub fn open_flags_noacc(v: u64) -> String {
    flags(v & 0xffff_ffff, OPEN_FLAGS)
}

// ------------------------------------------------------------- file modes

/// `S_IF*` file type names.
pub const FILE_TYPES: Table = &[
    (0o140000, "S_IFSOCK"),
    (0o120000, "S_IFLNK"),
    (0o100000, "S_IFREG"),
    (0o060000, "S_IFBLK"),
    (0o040000, "S_IFDIR"),
    (0o020000, "S_IFCHR"),
    (0o010000, "S_IFIFO"),
];

/// Permission bits as strace's `%#03o`: `0644`, `04755`, `000`.
pub fn mode(v: u64) -> String {
    let s = if v == 0 {
        "0".to_string()
    } else {
        format!("0{v:o}")
    };
    format!("{s:0>3}")
}

/// A mode with its file type (`S_IFREG|0644`), as in `st_mode` or `mknod`.
pub fn mode_with_type(v: u64) -> String {
    let ty = v & 0o170000;
    let perm = v & !0o170000;
    if ty == 0 {
        mode(perm)
    } else {
        let t = lookup(ty, FILE_TYPES).map_or_else(|| format!("{ty:#o}"), str::to_string);
        format!("{t}|{}", mode(perm))
    }
}

/// A device number as strace prints it: `makedev(0x1, 0x3)`.
pub fn makedev(dev: u64) -> String {
    let major = ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0xfff);
    let minor = ((dev >> 12) & 0xffff_ff00) | (dev & 0xff);
    format!("makedev({}, {})", hex(major), hex(minor))
}

/// `access(2)` modes.
pub const ACCESS_MODES: Table = &[(4, "R_OK"), (2, "W_OK"), (1, "X_OK")];

/// `F_OK` or `R_OK|W_OK|X_OK`.
pub fn access_mode(v: u64) -> String {
    flags_ex(v, ACCESS_MODES, "F_OK", None)
}

/// The `AT_FDCWD` value (-100).
pub const AT_FDCWD: i64 = -100;

/// A directory file descriptor: `AT_FDCWD` or the number.
pub fn dirfd(v: u64) -> String {
    let fd = v as i32;
    if fd == AT_FDCWD as i32 {
        "AT_FDCWD".to_string()
    } else {
        fd.to_string()
    }
}

/// Generic `AT_*` flags.
pub const AT_FLAGS: Table = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
    (0x8000, "AT_RECURSIVE"),
];

/// `faccessat2` flags (`AT_EACCESS` shares its value with `AT_REMOVEDIR`).
pub const FACCESSAT_FLAGS: Table = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_EACCESS"),
    (0x1000, "AT_EMPTY_PATH"),
];

/// `AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH`, `0`.
pub fn at_flags(v: u64) -> String {
    flags(v & 0xffff_ffff, AT_FLAGS)
}

/// `faccessat2` flags: `AT_SYMLINK_NOFOLLOW|AT_EACCESS`.
pub fn faccessat_flags(v: u64) -> String {
    flags(v & 0xffff_ffff, FACCESSAT_FLAGS)
}

/// `statx` flags: the sync type first, then the other `AT_*` bits
/// (`AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH`).
pub fn statx_flags(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let sync = match v & 0x6000 {
        0 => "AT_STATX_SYNC_AS_STAT",
        0x2000 => "AT_STATX_FORCE_SYNC",
        0x4000 => "AT_STATX_DONT_SYNC",
        _ => "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC",
    };
    let rest = v & !0x6000;
    if rest == 0 {
        sync.to_string()
    } else {
        format!("{sync}|{}", flags(rest, AT_FLAGS))
    }
}

/// `statx` mask bits.
pub const STATX_MASK: Table = &[
    (0xfff, "STATX_ALL"),
    (0x7ff, "STATX_BASIC_STATS"),
    (0x1, "STATX_TYPE"),
    (0x2, "STATX_MODE"),
    (0x4, "STATX_NLINK"),
    (0x8, "STATX_UID"),
    (0x10, "STATX_GID"),
    (0x20, "STATX_ATIME"),
    (0x40, "STATX_MTIME"),
    (0x80, "STATX_CTIME"),
    (0x100, "STATX_INO"),
    (0x200, "STATX_SIZE"),
    (0x400, "STATX_BLOCKS"),
    (0x800, "STATX_BTIME"),
    (0x1000, "STATX_MNT_ID"),
    (0x2000, "STATX_DIOALIGN"),
    (0x4000, "STATX_MNT_ID_UNIQUE"),
    (0x8000, "STATX_SUBVOL"),
    (0x10000, "STATX_WRITE_ATOMIC"),
];

/// `STATX_ALL`, `STATX_TYPE|STATX_SIZE`.
pub fn statx_mask(v: u64) -> String {
    flags(v & 0xffff_ffff, STATX_MASK)
}

/// `renameat2` flags.
pub const RENAME_FLAGS: Table = &[
    (1, "RENAME_NOREPLACE"),
    (2, "RENAME_EXCHANGE"),
    (4, "RENAME_WHITEOUT"),
];

/// `lseek` whence values.
pub const WHENCE: Table = &[
    (0, "SEEK_SET"),
    (1, "SEEK_CUR"),
    (2, "SEEK_END"),
    (3, "SEEK_DATA"),
    (4, "SEEK_HOLE"),
];

/// `SEEK_SET` ... `SEEK_HOLE`.
pub fn whence(v: u64) -> String {
    enum_hex(v & 0xffff_ffff, WHENCE, "SEEK")
}

/// `flock` operations.
pub const FLOCK_OPS: Table = &[
    (1, "LOCK_SH"),
    (2, "LOCK_EX"),
    (4, "LOCK_NB"),
    (8, "LOCK_UN"),
    (32, "LOCK_MAND"),
    (64, "LOCK_READ"),
    (128, "LOCK_WRITE"),
];

// ------------------------------------------------------------------ mmap

/// `mmap`/`mprotect` protection bits.
pub const MMAP_PROT: Table = &[
    (0x1, "PROT_READ"),
    (0x2, "PROT_WRITE"),
    (0x4, "PROT_EXEC"),
    (0x8, "PROT_SEM"),
    (0x0100_0000, "PROT_GROWSDOWN"),
    (0x0200_0000, "PROT_GROWSUP"),
];

/// `PROT_NONE`, `PROT_READ|PROT_WRITE`.
pub fn mmap_prot(v: u64) -> String {
    flags_ex(v & 0xffff_ffff, MMAP_PROT, "PROT_NONE", Some("PROT"))
}

/// `mmap` flag bits other than the mapping type and the huge page size.
pub const MMAP_FLAGS: Table = &[
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x40, "MAP_32BIT"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x80000, "MAP_SYNC"),
    (0x100000, "MAP_FIXED_NOREPLACE"),
];

/// `MAP_PRIVATE|MAP_ANONYMOUS`, `MAP_SHARED|MAP_HUGETLB|21<<MAP_HUGE_SHIFT`.
pub fn mmap_flags(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let mut out = match v & 0xf {
        1 => "MAP_SHARED".to_string(),
        2 => "MAP_PRIVATE".to_string(),
        3 => "MAP_SHARED_VALIDATE".to_string(),
        t => format!("{} /* MAP_??? */", hex(t)),
    };
    let huge = (v >> 26) & 0x3f;
    let rest = v & !0xf & !(0x3f << 26);
    if rest != 0 {
        out.push('|');
        out.push_str(&flags(rest, MMAP_FLAGS));
    }
    if huge != 0 {
        out.push_str(&format!("|{huge}<<MAP_HUGE_SHIFT"));
    }
    out
}

/// `mremap` flags.
pub const MREMAP_FLAGS: Table = &[
    (1, "MREMAP_MAYMOVE"),
    (2, "MREMAP_FIXED"),
    (4, "MREMAP_DONTUNMAP"),
];

/// `msync` flags.
pub const MSYNC_FLAGS: Table = &[(4, "MS_SYNC"), (1, "MS_ASYNC"), (2, "MS_INVALIDATE")];

/// `madvise` advice values.
pub const MADVISE_ADVICE: Table = &[
    (0, "MADV_NORMAL"),
    (1, "MADV_RANDOM"),
    (2, "MADV_SEQUENTIAL"),
    (3, "MADV_WILLNEED"),
    (4, "MADV_DONTNEED"),
    (8, "MADV_FREE"),
    (9, "MADV_REMOVE"),
    (10, "MADV_DONTFORK"),
    (11, "MADV_DOFORK"),
    (12, "MADV_MERGEABLE"),
    (13, "MADV_UNMERGEABLE"),
    (14, "MADV_HUGEPAGE"),
    (15, "MADV_NOHUGEPAGE"),
    (16, "MADV_DONTDUMP"),
    (17, "MADV_DODUMP"),
    (18, "MADV_WIPEONFORK"),
    (19, "MADV_KEEPONFORK"),
    (20, "MADV_COLD"),
    (21, "MADV_PAGEOUT"),
    (22, "MADV_POPULATE_READ"),
    (23, "MADV_POPULATE_WRITE"),
    (24, "MADV_DONTNEED_LOCKED"),
    (25, "MADV_COLLAPSE"),
    (100, "MADV_HWPOISON"),
    (101, "MADV_SOFT_OFFLINE"),
    (102, "MADV_GUARD_INSTALL"),
    (103, "MADV_GUARD_REMOVE"),
];

// ----------------------------------------------------------------- fcntl

/// `fcntl` commands.
pub const FCNTL_CMDS: Table = &[
    (0, "F_DUPFD"),
    (1, "F_GETFD"),
    (2, "F_SETFD"),
    (3, "F_GETFL"),
    (4, "F_SETFL"),
    (5, "F_GETLK"),
    (6, "F_SETLK"),
    (7, "F_SETLKW"),
    (8, "F_SETOWN"),
    (9, "F_GETOWN"),
    (10, "F_SETSIG"),
    (11, "F_GETSIG"),
    (15, "F_SETOWN_EX"),
    (16, "F_GETOWN_EX"),
    (17, "F_GETOWNER_UIDS"),
    (36, "F_OFD_GETLK"),
    (37, "F_OFD_SETLK"),
    (38, "F_OFD_SETLKW"),
    (1024, "F_SETLEASE"),
    (1025, "F_GETLEASE"),
    (1026, "F_NOTIFY"),
    (1029, "F_CANCELLK"),
    (1030, "F_DUPFD_CLOEXEC"),
    (1031, "F_SETPIPE_SZ"),
    (1032, "F_GETPIPE_SZ"),
    (1033, "F_ADD_SEALS"),
    (1034, "F_GET_SEALS"),
    (1035, "F_GET_RW_HINT"),
    (1036, "F_SET_RW_HINT"),
    (1037, "F_GET_FILE_RW_HINT"),
    (1038, "F_SET_FILE_RW_HINT"),
    (1039, "F_DUPFD_QUERY"),
];

/// `F_GETFD`, `0x999 /* F_??? */`.
pub fn fcntl_cmd(v: u64) -> String {
    enum_hex(v & 0xffff_ffff, FCNTL_CMDS, "F")
}

/// `FD_CLOEXEC` flag table.
pub const FD_FLAGS: Table = &[(1, "FD_CLOEXEC")];

/// `F_ADD_SEALS` seal bits.
pub const SEALS: Table = &[
    (1, "F_SEAL_SEAL"),
    (2, "F_SEAL_SHRINK"),
    (4, "F_SEAL_GROW"),
    (8, "F_SEAL_WRITE"),
    (16, "F_SEAL_FUTURE_WRITE"),
    (32, "F_SEAL_EXEC"),
];

/// Lock types in `struct flock` and `F_SETLEASE`.
pub const LOCK_TYPES: Table = &[(0, "F_RDLCK"), (1, "F_WRLCK"), (2, "F_UNLCK")];

// --------------------------------------------------------------- signals

const SIGNAL_NAMES: [&str; 32] = [
    "0",
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// A signal number: `SIGCHLD`, `SIGRTMIN` (32), `SIGRT_2` (34), else decimal.
pub fn signal_name(sig: u64) -> String {
    let s = sig as i64 as i32;
    match s {
        1..=31 => SIGNAL_NAMES[s as usize].to_string(),
        32 => "SIGRTMIN".to_string(),
        33..=64 => format!("SIGRT_{}", s - 32),
        _ => s.to_string(),
    }
}

/// A signal set as strace prints it: `[]`, `[INT TERM]`, or the complement
/// `~[KILL STOP]` when more than half of the 64 signals are set.
pub fn sigset(bits: u64) -> String {
    let (prefix, bits) = if bits.count_ones() > 32 {
        ("~", !bits)
    } else {
        ("", bits)
    };
    let names: Vec<String> = (0..64)
        .filter(|i| bits & (1u64 << i) != 0)
        .map(|i| {
            let name = signal_name(i + 1);
            name.strip_prefix("SIG")
                .map_or(name.clone(), str::to_string)
        })
        .collect();
    format!("{prefix}[{}]", names.join(" "))
}

/// `rt_sigprocmask` how values.
pub const SIG_HOW: Table = &[(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")];

/// `sa_flags` bits.
pub const SA_FLAGS: Table = &[
    (0x0400_0000, "SA_RESTORER"),
    (0x0800_0000, "SA_ONSTACK"),
    (0x1000_0000, "SA_RESTART"),
    (0x4000_0000, "SA_NODEFER"),
    (0x8000_0000, "SA_RESETHAND"),
    (0x1, "SA_NOCLDSTOP"),
    (0x2, "SA_NOCLDWAIT"),
    (0x4, "SA_SIGINFO"),
    (0x400, "SA_UNSUPPORTED"),
    (0x800, "SA_EXPOSE_TAGBITS"),
];

/// `SA_RESTORER` flag value.
pub const SA_RESTORER: u64 = 0x0400_0000;

/// `sigaltstack` `ss_flags`.
pub const SS_FLAGS: Table = &[
    (1, "SS_ONSTACK"),
    (2, "SS_DISABLE"),
    (1 << 31, "SS_AUTODISARM"),
];

// ---------------------------------------------------------- clocks, time

/// Clock ids.
pub const CLOCK_IDS: Table = &[
    (0, "CLOCK_REALTIME"),
    (1, "CLOCK_MONOTONIC"),
    (2, "CLOCK_PROCESS_CPUTIME_ID"),
    (3, "CLOCK_THREAD_CPUTIME_ID"),
    (4, "CLOCK_MONOTONIC_RAW"),
    (5, "CLOCK_REALTIME_COARSE"),
    (6, "CLOCK_MONOTONIC_COARSE"),
    (7, "CLOCK_BOOTTIME"),
    (8, "CLOCK_REALTIME_ALARM"),
    (9, "CLOCK_BOOTTIME_ALARM"),
    (10, "CLOCK_SGI_CYCLE"),
    (11, "CLOCK_TAI"),
];

/// `CLOCK_MONOTONIC`, `0x63 /* CLOCK_??? */`.
pub fn clock_id(v: u64) -> String {
    enum_hex(v & 0xffff_ffff, CLOCK_IDS, "CLOCK")
}

/// `clock_nanosleep`/`timerfd_settime` flags.
pub const TIMER_FLAGS: Table = &[(1, "TIMER_ABSTIME")];

/// `arch_prctl` codes.
pub const ARCH_PRCTL_CODES: Table = &[
    (0x1001, "ARCH_SET_GS"),
    (0x1002, "ARCH_SET_FS"),
    (0x1003, "ARCH_GET_FS"),
    (0x1004, "ARCH_GET_GS"),
    (0x1011, "ARCH_GET_CPUID"),
    (0x1012, "ARCH_SET_CPUID"),
    (0x1021, "ARCH_GET_XCOMP_SUPP"),
    (0x1022, "ARCH_GET_XCOMP_PERM"),
    (0x1023, "ARCH_REQ_XCOMP_PERM"),
    (0x1024, "ARCH_GET_XCOMP_GUEST_PERM"),
    (0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"),
    (0x2001, "ARCH_MAP_VDSO_X32"),
    (0x2002, "ARCH_MAP_VDSO_32"),
    (0x2003, "ARCH_MAP_VDSO_64"),
    (0x4001, "ARCH_GET_UNTAG_MASK"),
    (0x4002, "ARCH_ENABLE_TAGGED_ADDR"),
    (0x4003, "ARCH_GET_MAX_TAG_BITS"),
    (0x4004, "ARCH_FORCE_TAGGED_SVA"),
    (0x5001, "ARCH_SHSTK_ENABLE"),
    (0x5002, "ARCH_SHSTK_DISABLE"),
    (0x5003, "ARCH_SHSTK_LOCK"),
    (0x5004, "ARCH_SHSTK_UNLOCK"),
    (0x5005, "ARCH_SHSTK_STATUS"),
];

/// Resource limits.
pub const RESOURCES: Table = &[
    (0, "RLIMIT_CPU"),
    (1, "RLIMIT_FSIZE"),
    (2, "RLIMIT_DATA"),
    (3, "RLIMIT_STACK"),
    (4, "RLIMIT_CORE"),
    (5, "RLIMIT_RSS"),
    (6, "RLIMIT_NPROC"),
    (7, "RLIMIT_NOFILE"),
    (8, "RLIMIT_MEMLOCK"),
    (9, "RLIMIT_AS"),
    (10, "RLIMIT_LOCKS"),
    (11, "RLIMIT_SIGPENDING"),
    (12, "RLIMIT_MSGQUEUE"),
    (13, "RLIMIT_NICE"),
    (14, "RLIMIT_RTPRIO"),
    (15, "RLIMIT_RTTIME"),
];

/// `RLIMIT_NOFILE`, `0x10 /* RLIMIT_??? */`.
pub fn resource(v: u64) -> String {
    enum_hex(v & 0xffff_ffff, RESOURCES, "RLIMIT")
}

/// A limit value: `RLIM64_INFINITY`, `8192*1024`, `1024`.
pub fn rlim(v: u64) -> String {
    if v == u64::MAX {
        "RLIM64_INFINITY".to_string()
    } else if v > 1024 && v.is_multiple_of(1024) {
        format!("{}*1024", v / 1024)
    } else {
        v.to_string()
    }
}

/// `getrusage` who.
pub const RUSAGE_WHO: Table = &[
    (0, "RUSAGE_SELF"),
    (u64::MAX, "RUSAGE_CHILDREN"),
    (1, "RUSAGE_THREAD"),
];

// ----------------------------------------------------------------- futex

/// Futex commands (without the private/clock bits).
pub const FUTEX_CMDS: Table = &[
    (0, "FUTEX_WAIT"),
    (1, "FUTEX_WAKE"),
    (2, "FUTEX_FD"),
    (3, "FUTEX_REQUEUE"),
    (4, "FUTEX_CMP_REQUEUE"),
    (5, "FUTEX_WAKE_OP"),
    (6, "FUTEX_LOCK_PI"),
    (7, "FUTEX_UNLOCK_PI"),
    (8, "FUTEX_TRYLOCK_PI"),
    (9, "FUTEX_WAIT_BITSET"),
    (10, "FUTEX_WAKE_BITSET"),
    (11, "FUTEX_WAIT_REQUEUE_PI"),
    (12, "FUTEX_CMP_REQUEUE_PI"),
    (13, "FUTEX_LOCK_PI2"),
];

/// `FUTEX_PRIVATE_FLAG`.
pub const FUTEX_PRIVATE_FLAG: u64 = 128;
/// `FUTEX_CLOCK_REALTIME`.
pub const FUTEX_CLOCK_REALTIME: u64 = 256;

/// `FUTEX_WAIT_PRIVATE`, `FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME`.
pub fn futex_op(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let cmd = v & 0x7f;
    let mut out = match lookup(cmd, FUTEX_CMDS) {
        Some(name) if v & FUTEX_PRIVATE_FLAG != 0 => format!("{name}_PRIVATE"),
        Some(name) => name.to_string(),
        None => {
            return flags(
                v,
                &[
                    (FUTEX_PRIVATE_FLAG, "FUTEX_PRIVATE_FLAG"),
                    (FUTEX_CLOCK_REALTIME, "FUTEX_CLOCK_REALTIME"),
                ],
            );
        }
    };
    if v & FUTEX_CLOCK_REALTIME != 0 {
        out.push_str("|FUTEX_CLOCK_REALTIME");
    }
    let rest = v & !(0x7f | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    if rest != 0 {
        out.push_str(&format!("|{rest:#x}"));
    }
    out
}

// ----------------------------------------------------------------- ioctl

/// Terminal and generic file ioctl request codes.
pub const IOCTL_REQS: Table = &[
    (0x5401, "TCGETS"),
    (0x5402, "TCSETS"),
    (0x5403, "TCSETSW"),
    (0x5404, "TCSETSF"),
    (0x5405, "TCGETA"),
    (0x5406, "TCSETA"),
    (0x5407, "TCSETAW"),
    (0x5408, "TCSETAF"),
    (0x5409, "TCSBRK"),
    (0x540a, "TCXONC"),
    (0x540b, "TCFLSH"),
    (0x540c, "TIOCEXCL"),
    (0x540d, "TIOCNXCL"),
    (0x540e, "TIOCSCTTY"),
    (0x540f, "TIOCGPGRP"),
    (0x5410, "TIOCSPGRP"),
    (0x5411, "TIOCOUTQ"),
    (0x5412, "TIOCSTI"),
    (0x5413, "TIOCGWINSZ"),
    (0x5414, "TIOCSWINSZ"),
    (0x5415, "TIOCMGET"),
    (0x5416, "TIOCMBIS"),
    (0x5417, "TIOCMBIC"),
    (0x5418, "TIOCMSET"),
    (0x5419, "TIOCGSOFTCAR"),
    (0x541a, "TIOCSSOFTCAR"),
    (0x541b, "FIONREAD"),
    (0x541c, "TIOCLINUX"),
    (0x541d, "TIOCCONS"),
    (0x541e, "TIOCGSERIAL"),
    (0x541f, "TIOCSSERIAL"),
    (0x5420, "TIOCPKT"),
    (0x5421, "FIONBIO"),
    (0x5422, "TIOCNOTTY"),
    (0x5423, "TIOCSETD"),
    (0x5424, "TIOCGETD"),
    (0x5425, "TCSBRKP"),
    (0x5427, "TIOCSBRK"),
    (0x5428, "TIOCCBRK"),
    (0x5429, "TIOCGSID"),
    (0x542a, "TCGETS2"),
    (0x542b, "TCSETS2"),
    (0x542c, "TCSETSW2"),
    (0x542d, "TCSETSF2"),
    (0x80045430, "TIOCGPTN"),
    (0x40045431, "TIOCSPTLCK"),
    (0x80045432, "TIOCGDEV"),
    (0x5441, "TIOCGPTPEER"),
    (0x5450, "FIONCLEX"),
    (0x5451, "FIOCLEX"),
    (0x5452, "FIOASYNC"),
    (0x5453, "TIOCSERCONFIG"),
    (0x5454, "TIOCSERGWILD"),
    (0x5455, "TIOCSERSWILD"),
    (0x5456, "TIOCGLCKTRMIOS"),
    (0x5457, "TIOCSLCKTRMIOS"),
    (0x5458, "TIOCSERGSTRUCT"),
    (0x5459, "TIOCSERGETLSR"),
    (0x545a, "TIOCSERGETMULTI"),
    (0x545b, "TIOCSERSETMULTI"),
    (0x545c, "TIOCMIWAIT"),
    (0x545d, "TIOCGICOUNT"),
    (0x5460, "FIOQSIZE"),
    (0x80086601, "FS_IOC_GETFLAGS"),
    (0x40086602, "FS_IOC_SETFLAGS"),
    (0x8008_7601, "FS_IOC_GETVERSION"),
    (0x4008_7602, "FS_IOC_SETVERSION"),
];

/// An ioctl request: `TCGETS`, or strace's generic
/// `_IOC(_IOC_READ|_IOC_WRITE, 0x54, 0x1, 0x10)` decomposition.
pub fn ioctl_req(v: u64) -> String {
    let v = v & 0xffff_ffff;
    if let Some(name) = lookup(v, IOCTL_REQS) {
        return name.to_string();
    }
    let dir = match (v >> 30) & 3 {
        0 => "_IOC_NONE",
        1 => "_IOC_WRITE",
        2 => "_IOC_READ",
        _ => "_IOC_READ|_IOC_WRITE",
    };
    format!(
        "_IOC({dir}, {:#x}, {:#x}, {})",
        (v >> 8) & 0xff,
        v & 0xff,
        hex((v >> 16) & 0x3fff)
    )
}

// ----------------------------------------------------------------- misc

/// `getrandom` flags.
pub const GRND_FLAGS: Table = &[
    (1, "GRND_NONBLOCK"),
    (2, "GRND_RANDOM"),
    (4, "GRND_INSECURE"),
];

/// `clone` flag bits (the low byte is the exit signal).
pub const CLONE_FLAGS: Table = &[
    (0x100, "CLONE_VM"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"),
    (0x1000, "CLONE_PIDFD"),
    (0x2000, "CLONE_PTRACE"),
    (0x4000, "CLONE_VFORK"),
    (0x8000, "CLONE_PARENT"),
    (0x10000, "CLONE_THREAD"),
    (0x20000, "CLONE_NEWNS"),
    (0x40000, "CLONE_SYSVSEM"),
    (0x80000, "CLONE_SETTLS"),
    (0x100000, "CLONE_PARENT_SETTID"),
    (0x200000, "CLONE_CHILD_CLEARTID"),
    (0x800000, "CLONE_UNTRACED"),
    (0x1000000, "CLONE_CHILD_SETTID"),
    (0x2000000, "CLONE_NEWCGROUP"),
    (0x4000000, "CLONE_NEWUTS"),
    (0x8000000, "CLONE_NEWIPC"),
    (0x10000000, "CLONE_NEWUSER"),
    (0x20000000, "CLONE_NEWPID"),
    (0x40000000, "CLONE_NEWNET"),
    (0x80000000, "CLONE_IO"),
    (0x1_0000_0000, "CLONE_CLEAR_SIGHAND"),
    (0x2_0000_0000, "CLONE_INTO_CGROUP"),
    (0x4_0000_0000, "CLONE_NEWTIME"),
];

/// `CLONE_VM|CLONE_VFORK|SIGCHLD`: flag bits, then the exit signal from the
/// low byte (a signal name, or decimal when it is not a valid signal).
pub fn clone_flags(v: u64) -> String {
    let sig = v & 0xff;
    let rest = v & !0xff;
    let mut parts = Vec::new();
    if rest != 0 {
        parts.push(flags(rest, CLONE_FLAGS));
    }
    if sig != 0 {
        parts.push(if (1..=64).contains(&sig) {
            signal_name(sig)
        } else {
            sig.to_string()
        });
    }
    if parts.is_empty() {
        "0".to_string()
    } else {
        parts.join("|")
    }
}

/// `wait4`/`waitid` options.
pub const WAIT_OPTIONS: Table = &[
    (1, "WNOHANG"),
    (4, "WEXITED"),
    (2, "WSTOPPED"),
    (8, "WCONTINUED"),
    (0x0100_0000, "WNOWAIT"),
    (0x8000_0000, "__WCLONE"),
    (0x4000_0000, "__WALL"),
    (0x2000_0000, "__WNOTHREAD"),
];

/// Address families.
pub const SOCK_DOMAINS: Table = &[
    (0, "AF_UNSPEC"),
    (1, "AF_UNIX"),
    (2, "AF_INET"),
    (3, "AF_AX25"),
    (4, "AF_IPX"),
    (5, "AF_APPLETALK"),
    (6, "AF_NETROM"),
    (7, "AF_BRIDGE"),
    (8, "AF_ATMPVC"),
    (9, "AF_X25"),
    (10, "AF_INET6"),
    (11, "AF_ROSE"),
    (12, "AF_DECnet"),
    (13, "AF_NETBEUI"),
    (14, "AF_SECURITY"),
    (15, "AF_KEY"),
    (16, "AF_NETLINK"),
    (17, "AF_PACKET"),
    (18, "AF_ASH"),
    (19, "AF_ECONET"),
    (20, "AF_ATMSVC"),
    (21, "AF_RDS"),
    (22, "AF_SNA"),
    (23, "AF_IRDA"),
    (24, "AF_PPPOX"),
    (25, "AF_WANPIPE"),
    (26, "AF_LLC"),
    (27, "AF_IB"),
    (28, "AF_MPLS"),
    (29, "AF_CAN"),
    (30, "AF_TIPC"),
    (31, "AF_BLUETOOTH"),
    (32, "AF_IUCV"),
    (33, "AF_RXRPC"),
    (34, "AF_ISDN"),
    (35, "AF_PHONET"),
    (36, "AF_IEEE802154"),
    (37, "AF_CAIF"),
    (38, "AF_ALG"),
    (39, "AF_NFC"),
    (40, "AF_VSOCK"),
    (41, "AF_KCM"),
    (42, "AF_QIPCRTR"),
    (43, "AF_SMC"),
    (44, "AF_XDP"),
    (45, "AF_MCTP"),
];

/// `AF_INET`, `0x63 /* AF_??? */`.
pub fn sock_domain(v: u64) -> String {
    enum_hex(v & 0xffff_ffff, SOCK_DOMAINS, "AF")
}

/// Base socket types.
pub const SOCK_TYPES: Table = &[
    (1, "SOCK_STREAM"),
    (2, "SOCK_DGRAM"),
    (3, "SOCK_RAW"),
    (4, "SOCK_RDM"),
    (5, "SOCK_SEQPACKET"),
    (6, "SOCK_DCCP"),
    (10, "SOCK_PACKET"),
];

/// `SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK`.
pub fn sock_type(v: u64) -> String {
    let v = v & 0xffff_ffff;
    let base = v & 0xf;
    let extra = flags(
        v & !0xf,
        &[(0x80000, "SOCK_CLOEXEC"), (0x800, "SOCK_NONBLOCK")],
    );
    match lookup(base, SOCK_TYPES) {
        Some(name) if v & !0xf == 0 => name.to_string(),
        Some(name) => format!("{name}|{extra}"),
        None if v & !0xf == 0 => format!("{} /* SOCK_??? */", hex(base)),
        None => {
            // Unknown base type: its bits join the leftover hex, as strace does.
            let known = v & 0x80800;
            let mut s = flags(
                known,
                &[(0x80000, "SOCK_CLOEXEC"), (0x800, "SOCK_NONBLOCK")],
            );
            let rest = v & !0x80800;
            if known == 0 {
                return format!("{rest:#x} /* SOCK_??? */");
            }
            if rest != 0 {
                s.push_str(&format!("|{rest:#x}"));
            }
            s
        }
    }
}

/// IP protocol numbers used with `AF_INET`/`AF_INET6`.
pub const IP_PROTOS: Table = &[
    (0, "IPPROTO_IP"),
    (1, "IPPROTO_ICMP"),
    (2, "IPPROTO_IGMP"),
    (6, "IPPROTO_TCP"),
    (17, "IPPROTO_UDP"),
    (41, "IPPROTO_IPV6"),
    (58, "IPPROTO_ICMPV6"),
    (132, "IPPROTO_SCTP"),
    (136, "IPPROTO_UDPLITE"),
    (255, "IPPROTO_RAW"),
    (262, "IPPROTO_MPTCP"),
];

/// Netlink protocol families.
pub const NETLINK_PROTOS: Table = &[
    (0, "NETLINK_ROUTE"),
    (2, "NETLINK_USERSOCK"),
    (4, "NETLINK_SOCK_DIAG"),
    (6, "NETLINK_XFRM"),
    (7, "NETLINK_SELINUX"),
    (9, "NETLINK_AUDIT"),
    (10, "NETLINK_FIB_LOOKUP"),
    (12, "NETLINK_NETFILTER"),
    (15, "NETLINK_KOBJECT_UEVENT"),
    (16, "NETLINK_GENERIC"),
];

/// The protocol argument of `socket`, decoded according to the domain.
pub fn sock_proto(domain: u64, proto: u64) -> String {
    let p = proto & 0xffff_ffff;
    match domain & 0xffff_ffff {
        2 | 10 => enum_name(p, IP_PROTOS),
        16 => enum_name(p, NETLINK_PROTOS),
        _ => p.to_string(),
    }
}

/// `SOCK_CLOEXEC|SOCK_NONBLOCK` (`accept4`).
pub const SOCK_FLAGS: Table = &[(0x80000, "SOCK_CLOEXEC"), (0x800, "SOCK_NONBLOCK")];

/// `eventfd2` flags.
pub const EFD_FLAGS: Table = &[
    (1, "EFD_SEMAPHORE"),
    (0x80000, "EFD_CLOEXEC"),
    (0x800, "EFD_NONBLOCK"),
];

/// `epoll_create1` flags.
pub const EPOLL_CREATE_FLAGS: Table = &[(0x80000, "EPOLL_CLOEXEC")];

/// `epoll_ctl` operations.
pub const EPOLL_CTL_OPS: Table = &[
    (1, "EPOLL_CTL_ADD"),
    (2, "EPOLL_CTL_DEL"),
    (3, "EPOLL_CTL_MOD"),
];

/// `epoll_event.events` bits.
pub const EPOLL_EVENTS: Table = &[
    (0x1, "EPOLLIN"),
    (0x2, "EPOLLPRI"),
    (0x4, "EPOLLOUT"),
    (0x8, "EPOLLERR"),
    (0x10, "EPOLLHUP"),
    (0x20, "EPOLLNVAL"),
    (0x40, "EPOLLRDNORM"),
    (0x80, "EPOLLRDBAND"),
    (0x100, "EPOLLWRNORM"),
    (0x200, "EPOLLWRBAND"),
    (0x400, "EPOLLMSG"),
    (0x2000, "EPOLLRDHUP"),
    (0x1000_0000, "EPOLLEXCLUSIVE"),
    (0x2000_0000, "EPOLLWAKEUP"),
    (0x4000_0000, "EPOLLONESHOT"),
    (0x8000_0000, "EPOLLET"),
];

/// `poll` event bits.
pub const POLL_EVENTS: Table = &[
    (0x1, "POLLIN"),
    (0x2, "POLLPRI"),
    (0x4, "POLLOUT"),
    (0x8, "POLLERR"),
    (0x10, "POLLHUP"),
    (0x20, "POLLNVAL"),
    (0x40, "POLLRDNORM"),
    (0x80, "POLLRDBAND"),
    (0x100, "POLLWRNORM"),
    (0x200, "POLLWRBAND"),
    (0x400, "POLLMSG"),
    (0x2000, "POLLRDHUP"),
];

/// `prctl` options.
pub const PRCTL_OPTIONS: Table = &[
    (1, "PR_SET_PDEATHSIG"),
    (2, "PR_GET_PDEATHSIG"),
    (3, "PR_GET_DUMPABLE"),
    (4, "PR_SET_DUMPABLE"),
    (5, "PR_GET_UNALIGN"),
    (6, "PR_SET_UNALIGN"),
    (7, "PR_GET_KEEPCAPS"),
    (8, "PR_SET_KEEPCAPS"),
    (9, "PR_GET_FPEMU"),
    (10, "PR_SET_FPEMU"),
    (11, "PR_GET_FPEXC"),
    (12, "PR_SET_FPEXC"),
    (13, "PR_GET_TIMING"),
    (14, "PR_SET_TIMING"),
    (15, "PR_SET_NAME"),
    (16, "PR_GET_NAME"),
    (19, "PR_GET_ENDIAN"),
    (20, "PR_SET_ENDIAN"),
    (21, "PR_GET_SECCOMP"),
    (22, "PR_SET_SECCOMP"),
    (23, "PR_CAPBSET_READ"),
    (24, "PR_CAPBSET_DROP"),
    (25, "PR_GET_TSC"),
    (26, "PR_SET_TSC"),
    (27, "PR_GET_SECUREBITS"),
    (28, "PR_SET_SECUREBITS"),
    (29, "PR_SET_TIMERSLACK"),
    (30, "PR_GET_TIMERSLACK"),
    (31, "PR_TASK_PERF_EVENTS_DISABLE"),
    (32, "PR_TASK_PERF_EVENTS_ENABLE"),
    (33, "PR_MCE_KILL"),
    (34, "PR_MCE_KILL_GET"),
    (35, "PR_SET_MM"),
    (36, "PR_SET_CHILD_SUBREAPER"),
    (37, "PR_GET_CHILD_SUBREAPER"),
    (38, "PR_SET_NO_NEW_PRIVS"),
    (39, "PR_GET_NO_NEW_PRIVS"),
    (40, "PR_GET_TID_ADDRESS"),
    (41, "PR_SET_THP_DISABLE"),
    (42, "PR_GET_THP_DISABLE"),
    (43, "PR_MPX_ENABLE_MANAGEMENT"),
    (44, "PR_MPX_DISABLE_MANAGEMENT"),
    (45, "PR_SET_FP_MODE"),
    (46, "PR_GET_FP_MODE"),
    (47, "PR_CAP_AMBIENT"),
    (50, "PR_SVE_SET_VL"),
    (51, "PR_SVE_GET_VL"),
    (52, "PR_GET_SPECULATION_CTRL"),
    (53, "PR_SET_SPECULATION_CTRL"),
    (54, "PR_PAC_RESET_KEYS"),
    (55, "PR_SET_TAGGED_ADDR_CTRL"),
    (56, "PR_GET_TAGGED_ADDR_CTRL"),
    (57, "PR_SET_IO_FLUSHER"),
    (58, "PR_GET_IO_FLUSHER"),
    (59, "PR_SET_SYSCALL_USER_DISPATCH"),
    (60, "PR_PAC_SET_ENABLED_KEYS"),
    (61, "PR_PAC_GET_ENABLED_KEYS"),
    (62, "PR_SCHED_CORE"),
    (63, "PR_SME_SET_VL"),
    (64, "PR_SME_GET_VL"),
    (65, "PR_SET_MDWE"),
    (66, "PR_GET_MDWE"),
    (67, "PR_SET_MEMORY_MERGE"),
    (68, "PR_GET_MEMORY_MERGE"),
    (74, "PR_GET_SHADOW_STACK_STATUS"),
    (75, "PR_SET_SHADOW_STACK_STATUS"),
    (76, "PR_LOCK_SHADOW_STACK_STATUS"),
    (0x5356_4d41, "PR_SET_VMA"),
];

/// `socket`-level `MSG_*` flags for send/recv.
pub const MSG_FLAGS: Table = &[
    (0x1, "MSG_OOB"),
    (0x2, "MSG_PEEK"),
    (0x4, "MSG_DONTROUTE"),
    (0x8, "MSG_CTRUNC"),
    (0x10, "MSG_PROXY"),
    (0x20, "MSG_TRUNC"),
    (0x40, "MSG_DONTWAIT"),
    (0x80, "MSG_EOR"),
    (0x100, "MSG_WAITALL"),
    (0x200, "MSG_FIN"),
    (0x400, "MSG_SYN"),
    (0x800, "MSG_CONFIRM"),
    (0x1000, "MSG_RST"),
    (0x2000, "MSG_ERRQUEUE"),
    (0x4000, "MSG_NOSIGNAL"),
    (0x8000, "MSG_MORE"),
    (0x10000, "MSG_WAITFORONE"),
    (0x4000_0000, "MSG_CMSG_CLOEXEC"),
];

/// `shutdown` how.
pub const SHUT_HOW: Table = &[(0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR")];

/// `umount2` flags.
pub const UMOUNT_FLAGS: Table = &[
    (1, "MNT_FORCE"),
    (2, "MNT_DETACH"),
    (4, "MNT_EXPIRE"),
    (8, "UMOUNT_NOFOLLOW"),
];

/// `memfd_create` flags.
pub const MFD_FLAGS: Table = &[
    (1, "MFD_CLOEXEC"),
    (2, "MFD_ALLOW_SEALING"),
    (4, "MFD_HUGETLB"),
    (8, "MFD_NOEXEC_SEAL"),
    (16, "MFD_EXEC"),
];

/// `timerfd_create`/`signalfd4`/`inotify_init1` style `*_CLOEXEC|*_NONBLOCK`.
pub const TFD_FLAGS: Table = &[(0x80000, "TFD_CLOEXEC"), (0x800, "TFD_NONBLOCK")];

/// `sched_setscheduler` policies.
pub const SCHED_POLICIES: Table = &[
    (0, "SCHED_OTHER"),
    (1, "SCHED_FIFO"),
    (2, "SCHED_RR"),
    (3, "SCHED_BATCH"),
    (5, "SCHED_IDLE"),
    (6, "SCHED_DEADLINE"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_helpers() {
        assert_eq!(flags(0, ACCESS_MODES), "0");
        assert_eq!(flags(6, ACCESS_MODES), "R_OK|W_OK");
        assert_eq!(flags(0x18, ACCESS_MODES), "0x18");
        assert_eq!(flags(0x1c, ACCESS_MODES), "R_OK|0x18");
        assert_eq!(enum_name(1, WHENCE), "SEEK_CUR");
        assert_eq!(enum_name(77, WHENCE), "77");
        assert_eq!(enum_hex(7, WHENCE, "SEEK"), "0x7 /* SEEK_??? */");
        assert_eq!(
            enum_hex(0, EPOLL_CTL_OPS, "EPOLL_CTL"),
            "0 /* EPOLL_CTL_??? */"
        );
    }

    #[test]
    fn open_flag_rendering() {
        assert_eq!(open_flags(0), "O_RDONLY");
        assert_eq!(open_flags(0o2000000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(open_flags(0o1101), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(open_flags(3), "O_ACCMODE");
        assert_eq!(open_flags(2 | O_TMPFILE), "O_RDWR|O_TMPFILE");
        assert_eq!(open_flags(0o4010002), "O_RDWR|O_SYNC");
        assert_eq!(open_flags(0o10000), "O_RDONLY|O_DSYNC");
        assert_eq!(
            open_flags(2 | 0o2000 | 0o4000 | 0o4010000 | 0o400000 | 0o200000 | 0x4000000),
            "O_RDWR|O_APPEND|O_NONBLOCK|O_SYNC|O_NOFOLLOW|O_DIRECTORY|0x4000000"
        );
        assert_eq!(
            open_flags(0o200 | 0o400 | 0o10000 | 0o1000000 | 0o10000000 | 0o20000),
            "O_RDONLY|O_EXCL|O_NOCTTY|O_DSYNC|O_NOATIME|O_PATH|FASYNC"
        );
        assert_eq!(
            open_flags(0xfffffffc),
            "O_RDONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|\
             O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003c"
        );
        assert_eq!(open_flags_noacc(0o2004000), "O_NONBLOCK|O_CLOEXEC");
        assert!(open_has_mode(0o100) && open_has_mode(O_TMPFILE) && !open_has_mode(0o200000));
    }

    #[test]
    fn modes() {
        assert_eq!(mode(0o644), "0644");
        assert_eq!(mode(0), "000");
        assert_eq!(mode(0o22), "022");
        assert_eq!(mode(0o4755), "04755");
        assert_eq!(mode(7), "007");
        assert_eq!(mode_with_type(0o100644), "S_IFREG|0644");
        assert_eq!(mode_with_type(0o020600), "S_IFCHR|0600");
        assert_eq!(mode_with_type(0o010644), "S_IFIFO|0644");
        assert_eq!(makedev(0x103), "makedev(0x1, 0x3)");
        assert_eq!(makedev(0x8801), "makedev(0x88, 0x1)");
        assert_eq!(access_mode(0), "F_OK");
        assert_eq!(access_mode(7), "R_OK|W_OK|X_OK");
        assert_eq!(access_mode(0xff), "R_OK|W_OK|X_OK|0xf8");
        assert_eq!(dirfd((-100i64) as u64), "AT_FDCWD");
        assert_eq!(dirfd(0xffff_ff9c), "AT_FDCWD");
        assert_eq!(dirfd(3), "3");
    }

    #[test]
    fn at_and_statx() {
        assert_eq!(at_flags(0x1000), "AT_EMPTY_PATH");
        assert_eq!(
            at_flags(0xffffffff),
            "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|\
             AT_RECURSIVE|0xffff60ff"
        );
        assert_eq!(faccessat_flags(0x300), "AT_SYMLINK_NOFOLLOW|AT_EACCESS");
        assert_eq!(statx_flags(0), "AT_STATX_SYNC_AS_STAT");
        assert_eq!(
            statx_flags(0x100),
            "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW"
        );
        assert_eq!(statx_flags(0x2000), "AT_STATX_FORCE_SYNC");
        assert_eq!(statx_mask(0xfff), "STATX_ALL");
        assert_eq!(statx_mask(0x7ff), "STATX_BASIC_STATS");
        assert_eq!(statx_mask(0x201), "STATX_TYPE|STATX_SIZE");
        assert_eq!(statx_mask(0x1fff), "STATX_ALL|STATX_MNT_ID");
        assert_eq!(
            statx_mask(0x173f),
            "STATX_TYPE|STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_ATIME|STATX_INO|\
             STATX_SIZE|STATX_BLOCKS|STATX_MNT_ID"
        );
        assert_eq!(
            flags(7, RENAME_FLAGS),
            "RENAME_NOREPLACE|RENAME_EXCHANGE|RENAME_WHITEOUT"
        );
        assert_eq!(whence(3), "SEEK_DATA");
        assert_eq!(whence(7), "0x7 /* SEEK_??? */");
    }

    #[test]
    fn mmap_family() {
        assert_eq!(mmap_prot(0), "PROT_NONE");
        assert_eq!(mmap_prot(3), "PROT_READ|PROT_WRITE");
        assert_eq!(mmap_prot(0x100), "0x100 /* PROT_??? */");
        assert_eq!(mmap_prot(0x0100_0001), "PROT_READ|PROT_GROWSDOWN");
        assert_eq!(mmap_flags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(mmap_flags(0x812), "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
        assert_eq!(
            mmap_flags(0x2 | 0x20 | 0x4000 | 0x100000 | (16 << 26)),
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE|MAP_FIXED_NOREPLACE|16<<MAP_HUGE_SHIFT"
        );
        assert_eq!(
            mmap_flags(3 | 0x80000 | 0x40000 | (21 << 26)),
            "MAP_SHARED_VALIDATE|MAP_HUGETLB|MAP_SYNC|21<<MAP_HUGE_SHIFT"
        );
        assert_eq!(
            mmap_flags(0x03ff_ffff),
            "0xf /* MAP_??? */|MAP_FIXED|MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|MAP_POPULATE|\
             MAP_NONBLOCK|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_STACK|\
             MAP_HUGETLB|MAP_SYNC|MAP_FIXED_NOREPLACE|0x3e00680"
        );
        assert_eq!(
            flags(0xff, MSYNC_FLAGS),
            "MS_SYNC|MS_ASYNC|MS_INVALIDATE|0xf8"
        );
        assert_eq!(flags(1, MREMAP_FLAGS), "MREMAP_MAYMOVE");
        assert_eq!(enum_hex(14, MADVISE_ADVICE, "MADV"), "MADV_HUGEPAGE");
        assert_eq!(enum_hex(26, MADVISE_ADVICE, "MADV"), "0x1a /* MADV_??? */");
    }

    #[test]
    fn signals() {
        assert_eq!(signal_name(17), "SIGCHLD");
        assert_eq!(signal_name(32), "SIGRTMIN");
        assert_eq!(signal_name(34), "SIGRT_2");
        assert_eq!(signal_name(64), "SIGRT_32");
        assert_eq!(signal_name(65), "65");
        assert_eq!(signal_name(0), "0");
        assert_eq!(sigset(0), "[]");
        assert_eq!(sigset((1 << 14) | (1 << 33)), "[TERM RT_2]");
        assert_eq!(
            sigset(!((1 << 8) | (1 << 31) | (1 << 32))),
            "~[KILL RTMIN RT_1]"
        );
        assert_eq!(
            sigset((1 << 16) | (1 << 34) | (1 << 63)),
            "[CHLD RT_3 RT_32]"
        );
        assert_eq!(
            flags(0x1400_0004, SA_FLAGS),
            "SA_RESTORER|SA_RESTART|SA_SIGINFO"
        );
        assert_eq!(enum_hex(3, SIG_HOW, "SIG"), "0x3 /* SIG_??? */");
    }

    #[test]
    fn misc_enums() {
        assert_eq!(clock_id(11), "CLOCK_TAI");
        assert_eq!(clock_id(9), "CLOCK_BOOTTIME_ALARM");
        assert_eq!(clock_id(0x63), "0x63 /* CLOCK_??? */");
        assert_eq!(enum_hex(0x1002, ARCH_PRCTL_CODES, "ARCH"), "ARCH_SET_FS");
        assert_eq!(resource(7), "RLIMIT_NOFILE");
        assert_eq!(resource(16), "0x10 /* RLIMIT_??? */");
        assert_eq!(rlim(8192 * 1024), "8192*1024");
        assert_eq!(rlim(1024), "1024");
        assert_eq!(rlim(u64::MAX), "RLIM64_INFINITY");
        assert_eq!(futex_op(0), "FUTEX_WAIT");
        assert_eq!(futex_op(0x81), "FUTEX_WAKE_PRIVATE");
        assert_eq!(futex_op(0x100), "FUTEX_WAIT|FUTEX_CLOCK_REALTIME");
        assert_eq!(
            futex_op(0x189),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"
        );
        assert_eq!(fcntl_cmd(1030), "F_DUPFD_CLOEXEC");
        assert_eq!(fcntl_cmd(0x999), "0x999 /* F_??? */");
        assert_eq!(ioctl_req(0x5401), "TCGETS");
        assert_eq!(ioctl_req(0x5413), "TIOCGWINSZ");
        assert_eq!(ioctl_req(0x5451), "FIOCLEX");
        assert_eq!(ioctl_req(0x1234), "_IOC(_IOC_NONE, 0x12, 0x34, 0)");
        assert_eq!(
            ioctl_req(0xc0105401),
            "_IOC(_IOC_READ|_IOC_WRITE, 0x54, 0x1, 0x10)"
        );
        assert_eq!(flags(5, GRND_FLAGS), "GRND_NONBLOCK|GRND_INSECURE");
    }

    #[test]
    fn process_and_sockets() {
        assert_eq!(
            clone_flags(0x1200011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(clone_flags(0x4111), "CLONE_VM|CLONE_VFORK|SIGCHLD");
        assert_eq!(clone_flags(0), "0");
        assert_eq!(clone_flags(0x4f0), "CLONE_FILES|240");
        assert_eq!(flags(0x40000001, WAIT_OPTIONS), "WNOHANG|__WALL");
        assert_eq!(sock_domain(1), "AF_UNIX");
        assert_eq!(sock_domain(0x63), "0x63 /* AF_??? */");
        assert_eq!(sock_type(0x80801), "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
        assert_eq!(sock_type(2), "SOCK_DGRAM");
        assert_eq!(sock_type(7), "0x7 /* SOCK_??? */");
        assert_eq!(
            sock_type(0xffffffff),
            "SOCK_CLOEXEC|SOCK_NONBLOCK|0xfff7f7ff"
        );
        assert_eq!(sock_proto(2, 17), "IPPROTO_UDP");
        assert_eq!(sock_proto(16, 15), "NETLINK_KOBJECT_UEVENT");
        assert_eq!(sock_proto(1, 0), "0");
        assert_eq!(flags(0x80000001, EPOLL_EVENTS), "EPOLLIN|EPOLLET");
        assert_eq!(
            flags(0x80801, EFD_FLAGS),
            "EFD_SEMAPHORE|EFD_CLOEXEC|EFD_NONBLOCK"
        );
    }
}
