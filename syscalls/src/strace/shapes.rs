//! Per-syscall argument shapes: how each argument of a syscall is printed.
//!
//! [`shape`] gives the nominal list; a few syscalls whose visible arguments
//! depend on other arguments (`open` without `O_CREAT`, `fcntl`, `ioctl`,
//! `futex`, `prctl`, `arch_prctl`, `clone`) are adjusted by the formatter.

use super::flags::{
    EFD_FLAGS, EPOLL_CREATE_FLAGS, EPOLL_CTL_OPS, FLOCK_OPS, GRND_FLAGS, MADVISE_ADVICE, MFD_FLAGS,
    MREMAP_FLAGS, MSG_FLAGS, MSYNC_FLAGS, RENAME_FLAGS, RUSAGE_WHO, SCHED_POLICIES, SHUT_HOW,
    SIG_HOW, TFD_FLAGS, TIMER_FLAGS, Table, UMOUNT_FLAGS, WAIT_OPTIONS,
};

/// How one syscall argument is rendered.
///
/// `*In` variants (and all scalar ones) are rendered at syscall entry, before
/// the kernel can change user memory; `*Out` variants are rendered at exit and
/// only when the call succeeded (otherwise the pointer is printed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Signed 64-bit decimal.
    Int,
    /// Signed 32-bit decimal (an `int` argument).
    Int32,
    /// Unsigned decimal.
    UInt,
    /// `0x...` (`0` for zero).
    Hex,
    /// `NULL` or `0x...`.
    Ptr,
    /// File descriptor (signed 32-bit decimal).
    Fd,
    /// Directory fd: `AT_FDCWD` or the number.
    DirFd,
    /// NUL-terminated path in user memory, quoted, up to 4096 bytes.
    Path,
    /// Input bytes of length `args[len_arg]`, quoted, first 32 bytes.
    InBuf {
        /// Index of the length argument.
        len_arg: usize,
    },
    /// Output bytes; length is the return value (printed after the call).
    OutBuf {
        /// Index of the buffer-size argument (unused for printing).
        len_arg: usize,
    },
    /// Like `OutBuf` but every byte is hex-escaped (`getrandom`).
    OutBufHex,
    /// Output NUL-terminated string, not truncated (`getcwd`).
    OutPath,
    /// Input NUL-terminated string printed with the 32-byte limit.
    Str,
    /// `O_RDONLY|O_CLOEXEC`.
    OpenFlags,
    /// Open flags without the access mode (`pipe2`, `dup3`).
    OpenFlagsNoAcc,
    /// Octal permission bits (`0644`).
    Mode,
    /// Mode with file type (`S_IFCHR|0600`).
    ModeType,
    /// Device number (`makedev(0x1, 0x3)`).
    Dev,
    /// `F_OK`, `R_OK|W_OK`.
    AccessMode,
    /// Generic `AT_*` flags.
    AtFlags,
    /// `faccessat2` flags (`AT_EACCESS`).
    FaccessatFlags,
    /// `statx` flags (`AT_STATX_SYNC_AS_STAT|...`).
    StatxFlags,
    /// `statx` mask.
    StatxMask,
    /// `PROT_*`.
    MmapProt,
    /// `MAP_*`.
    MmapFlags,
    /// `lseek` whence.
    Whence,
    /// A signal number.
    Signal,
    /// Input `sigset_t` pointer (`[INT TERM]`).
    SigSetIn,
    /// Output `sigset_t` pointer.
    SigSetOut,
    /// Input `struct sigaction` pointer.
    SigActionIn,
    /// Output `struct sigaction` pointer.
    SigActionOut,
    /// Input `stack_t` pointer.
    StackIn,
    /// Output `stack_t` pointer.
    StackOut,
    /// Clock id.
    ClockId,
    /// `arch_prctl` code.
    ArchPrctlCode,
    /// Resource limit id.
    Resource,
    /// Input `struct rlimit` pointer.
    RlimitIn,
    /// Output `struct rlimit` pointer.
    RlimitOut,
    /// Futex operation.
    FutexOp,
    /// ioctl request code.
    IoctlReq,
    /// fcntl command.
    FcntlCmd,
    /// `clone` flags with the exit signal.
    CloneFlags,
    /// `wait4` status pointer (`[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`).
    WaitStatus,
    /// Address family.
    SockDomain,
    /// Socket type.
    SockType,
    /// Socket protocol (decoded using `args[0]` as the domain).
    SockProto,
    /// Input `struct sockaddr` with length `args[len_arg]`.
    SockAddrIn {
        /// Index of the address-length argument.
        len_arg: usize,
    },
    /// `argv`: `["a", "b"]`.
    StrArray,
    /// `envp`: `0x7ffd... /* 35 vars */`.
    EnvArray,
    /// Input `struct timespec` pointer.
    TimespecIn,
    /// Output `struct timespec` pointer.
    TimespecOut,
    /// Input `struct timeval` pointer.
    TimevalIn,
    /// Output `struct timeval` pointer.
    TimevalOut,
    /// Output `struct stat` pointer.
    StatOut,
    /// Output `struct statx` pointer.
    StatxOut,
    /// Output `struct utsname` pointer.
    UtsnameOut,
    /// Output `struct rusage` pointer.
    RusageOut,
    /// Output `int[2]` (`pipe`, `pipe2`): `[3, 4]`.
    PipeFds,
    /// Input iovec array with count `args[cnt_arg]`.
    IovecIn {
        /// Index of the iovec count argument.
        cnt_arg: usize,
    },
    /// Output iovec array (filled up to the return value).
    IovecOut {
        /// Index of the iovec count argument.
        cnt_arg: usize,
    },
    /// `struct pollfd` array with count `args[cnt_arg]`.
    PollFds {
        /// Index of the nfds argument.
        cnt_arg: usize,
    },
    /// Input `fd_set` with `args[0]` as nfds.
    FdSet,
    /// `getdents64` buffer: `0x... /* 7 entries */`.
    Dirents,
    /// `sched_getaffinity` mask: `[0 1]`.
    CpuSetOut,
    /// `mincore` vector: `[1, 1]` (pages from `args[1]`).
    MincoreVec,
    /// Input `int *`: `[50]`.
    IntPtrIn,
    /// Output `int *`: `[50]`.
    IntPtrOut,
    /// Output `unsigned long *` as hex: `[0x7f...]`.
    UlongPtrOut,
    /// Input `struct epoll_event` pointer.
    EpollEventIn,
    /// Output `struct epoll_event` array (count = return value).
    EpollEventsOut,
    /// Input `struct flock` pointer.
    FlockIn,
    /// Output `struct flock` pointer.
    FlockOut,
    /// Input `struct winsize` pointer.
    WinsizeIn,
    /// Output `struct winsize` pointer.
    WinsizeOut,
    /// Input `struct termios` pointer.
    TermiosIn,
    /// Output `struct termios` pointer.
    TermiosOut,
    /// `time_t *` output: `[1700000000]`.
    TimeOut,
    /// A bit set decoded with a table.
    Flags(Table),
    /// An enumeration decoded with a table; unknown values print as
    /// `0x... /* PREFIX_??? */`.
    Enum(Table, &'static str),
    /// A `prctl` option.
    PrctlOption,
    /// `clone3`'s `struct clone_args` (size in `args[1]`).
    CloneArgs,
}

impl Arg {
    /// True when the argument is rendered after the call (an output).
    pub fn is_out(self) -> bool {
        matches!(
            self,
            Arg::OutBuf { .. }
                | Arg::OutBufHex
                | Arg::OutPath
                | Arg::SigSetOut
                | Arg::SigActionOut
                | Arg::StackOut
                | Arg::RlimitOut
                | Arg::WaitStatus
                | Arg::TimespecOut
                | Arg::TimevalOut
                | Arg::StatOut
                | Arg::StatxOut
                | Arg::UtsnameOut
                | Arg::RusageOut
                | Arg::PipeFds
                | Arg::IovecOut { .. }
                | Arg::Dirents
                | Arg::CpuSetOut
                | Arg::MincoreVec
                | Arg::IntPtrOut
                | Arg::UlongPtrOut
                | Arg::EpollEventsOut
                | Arg::FlockOut
                | Arg::WinsizeOut
                | Arg::TermiosOut
                | Arg::TimeOut
        )
    }
}

/// How the return value of a syscall is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// Signed decimal.
    Dec,
    /// `0x...` (addresses: `mmap`, `brk`, ...).
    Hex,
    /// Octal (`umask`).
    Oct,
    /// Never returns on success (`exit`, `exit_group`): `?`.
    NoReturn,
}

/// The return-value style of syscall `nr`.
pub fn ret_kind(nr: u64) -> Ret {
    match nr {
        9 | 12 | 25 | 30 => Ret::Hex, // mmap, brk, mremap, shmat
        95 => Ret::Oct,               // umask
        60 | 231 => Ret::NoReturn,    // exit, exit_group
        _ => Ret::Dec,
    }
}

use Arg::*;

const FD: &[Arg] = &[Fd];
const NONE: &[Arg] = &[];
const PATH: &[Arg] = &[Path];
const PATH2: &[Arg] = &[Path, Path];
const FD_FD: &[Arg] = &[Fd, Fd];
const RW: &[Arg] = &[Fd, InBuf { len_arg: 2 }, UInt];

/// The nominal argument shape of syscall `nr`, or `None` when this table has
/// no entry (the formatter then prints six hex arguments, see
/// [`fallback_arity`]).
pub fn shape_of(nr: u64) -> Option<&'static [Arg]> {
    Some(match nr {
        0 => &[Fd, OutBuf { len_arg: 2 }, UInt],          // read
        1 => RW,                                          // write
        2 => &[Path, OpenFlags, Mode],                    // open
        3 => FD,                                          // close
        4 | 6 => &[Path, StatOut],                        // stat, lstat
        5 => &[Fd, StatOut],                              // fstat
        7 => &[PollFds { cnt_arg: 1 }, UInt, Int32],      // poll
        8 => &[Fd, Int, Whence],                          // lseek
        9 => &[Ptr, UInt, MmapProt, MmapFlags, Fd, Hex],  // mmap
        10 => &[Ptr, UInt, MmapProt],                     // mprotect
        11 => &[Ptr, UInt],                               // munmap
        12 => &[Ptr],                                     // brk
        13 => &[Signal, SigActionIn, SigActionOut, UInt], // rt_sigaction
        14 => &[Enum(SIG_HOW, "SIG"), SigSetIn, SigSetOut, UInt], // rt_sigprocmask
        15 => NONE,                                       // rt_sigreturn
        16 => &[Fd, IoctlReq, Hex],                       // ioctl
        17 => &[Fd, OutBuf { len_arg: 2 }, UInt, Int],    // pread64
        18 => &[Fd, InBuf { len_arg: 2 }, UInt, Int],     // pwrite64
        19 => &[Fd, IovecOut { cnt_arg: 2 }, Int32],      // readv
        20 => &[Fd, IovecIn { cnt_arg: 2 }, Int32],       // writev
        21 => &[Path, AccessMode],                        // access
        22 => &[PipeFds],                                 // pipe
        23 => &[Int32, FdSet, FdSet, FdSet, TimevalIn],   // select
        24 => NONE,                                       // sched_yield
        25 => &[Ptr, UInt, UInt, Flags(MREMAP_FLAGS), Ptr], // mremap
        26 => &[Ptr, UInt, Flags(MSYNC_FLAGS)],           // msync
        27 => &[Ptr, UInt, MincoreVec],                   // mincore
        28 => &[Ptr, UInt, Enum(MADVISE_ADVICE, "MADV")], // madvise
        32 => FD,                                         // dup
        33 => FD_FD,                                      // dup2
        34 => NONE,                                       // pause
        35 => &[TimespecIn, TimespecOut],                 // nanosleep
        37 => &[UInt],                                    // alarm
        39 | 57 | 58 | 102 | 104 | 107 | 108 | 110 | 111 | 112 | 186 => NONE,
        41 => &[SockDomain, SockType, SockProto], // socket
        42 | 49 => &[Fd, SockAddrIn { len_arg: 2 }, UInt], // connect, bind
        43 => &[Fd, Ptr, Ptr],                    // accept
        288 => &[Fd, Ptr, Ptr, Flags(super::flags::SOCK_FLAGS)], // accept4
        44 => &[
            Fd,
            InBuf { len_arg: 2 },
            UInt,
            Flags(MSG_FLAGS),
            SockAddrIn { len_arg: 5 },
            UInt,
        ],
        45 => &[Fd, OutBuf { len_arg: 2 }, UInt, Flags(MSG_FLAGS), Ptr, Ptr],
        46 | 47 => &[Fd, Ptr, Flags(MSG_FLAGS)], // sendmsg, recvmsg
        48 => &[Fd, Enum(SHUT_HOW, "SHUT")],     // shutdown
        50 => &[Fd, Int32],                      // listen
        51 | 52 => &[Fd, Ptr, Ptr],              // getsockname, getpeername
        53 => &[SockDomain, SockType, SockProto, PipeFds], // socketpair
        54 => &[Fd, Int32, Int32, Ptr, UInt],    // setsockopt
        55 => &[Fd, Int32, Int32, Ptr, Ptr],     // getsockopt
        56 => &[CloneFlags, Ptr, Ptr, Ptr, Hex], // clone (reordered)
        59 => &[Path, StrArray, EnvArray],       // execve
        60 | 231 => &[Int32],                    // exit, exit_group
        61 => &[Int32, WaitStatus, Flags(WAIT_OPTIONS), RusageOut], // wait4
        62 => &[Int32, Signal],                  // kill
        63 => &[UtsnameOut],                     // uname
        72 => &[Fd, FcntlCmd, Hex],              // fcntl
        73 => &[Fd, Flags(FLOCK_OPS)],           // flock
        74 | 75 | 81 => FD,                      // fsync, fdatasync, fchdir
        76 => &[Path, Int],                      // truncate
        77 => &[Fd, Int],                        // ftruncate
        79 => &[OutPath, UInt],                  // getcwd
        80 | 84 | 87 | 161 | 163 => PATH,        // chdir, rmdir, unlink, chroot, acct
        82 | 86 | 88 => PATH2,                   // rename, link, symlink
        83 => &[Path, Mode],                     // mkdir
        85 => &[Path, Mode],                     // creat
        89 => &[Path, OutBuf { len_arg: 2 }, UInt], // readlink
        90 => &[Path, Mode],                     // chmod
        91 => &[Fd, Mode],                       // fchmod
        92 | 94 => &[Path, Int32, Int32],        // chown, lchown
        93 => &[Fd, Int32, Int32],               // fchown
        95 => &[Mode],                           // umask
        96 => &[TimevalOut, Ptr],                // gettimeofday
        97 => &[Resource, RlimitOut],            // getrlimit
        98 => &[Enum(RUSAGE_WHO, "RUSAGE"), RusageOut], // getrusage
        99 => &[Ptr],                            // sysinfo
        105 | 106 => &[Int32],                   // setuid, setgid
        109 => &[Int32, Int32],                  // setpgid
        113 | 114 => &[Int32, Int32],            // setreuid, setregid
        115 => &[Int32, Ptr],                    // getgroups
        116 => &[Int32, Ptr],                    // setgroups
        121 | 124 => &[Int32],                   // getpgid, getsid
        131 => &[StackIn, StackOut],             // sigaltstack
        132 => &[Path, Ptr],                     // utime
        133 => &[Path, ModeType, Dev],           // mknod
        137 => &[Path, Ptr],                     // statfs
        138 => &[Fd, Ptr],                       // fstatfs
        157 => &[PrctlOption, Hex, Hex, Hex, Hex], // prctl
        158 => &[ArchPrctlCode, Hex],            // arch_prctl
        160 => &[Resource, RlimitIn],            // setrlimit
        165 => &[Str, Path, Str, Hex, Ptr],      // mount
        166 => &[Path, Flags(UMOUNT_FLAGS)],     // umount2
        170 => &[InBuf { len_arg: 1 }, UInt],    // sethostname
        200 => &[Int32, Signal],                 // tkill
        201 => &[TimeOut],                       // time
        202 => &[Ptr, FutexOp, Int32, TimespecIn, Ptr, Hex], // futex
        203 => &[Int32, UInt, Ptr],              // sched_setaffinity
        204 => &[Int32, UInt, CpuSetOut],        // sched_getaffinity
        213 => &[Int32],                         // epoll_create
        217 => &[Fd, Dirents, UInt],             // getdents64
        218 => &[Ptr],                           // set_tid_address
        219 => NONE,                             // restart_syscall
        228 => &[ClockId, TimespecOut],          // clock_gettime
        227 => &[ClockId, TimespecIn],           // clock_settime
        229 => &[ClockId, TimespecOut],          // clock_getres
        230 => &[ClockId, Flags(TIMER_FLAGS), TimespecIn, TimespecOut], // clock_nanosleep
        232 => &[Fd, EpollEventsOut, Int32, Int32], // epoll_wait
        233 => &[Fd, Enum(EPOLL_CTL_OPS, "EPOLL_CTL"), Fd, EpollEventIn], // epoll_ctl
        234 => &[Int32, Int32, Signal],          // tgkill
        247 => &[Int32, Int32, Ptr, Flags(WAIT_OPTIONS), RusageOut], // waitid
        253 => NONE,                             // inotify_init
        257 => &[DirFd, Path, OpenFlags, Mode],  // openat
        258 => &[DirFd, Path, Mode],             // mkdirat
        259 => &[DirFd, Path, ModeType, Dev],    // mknodat
        260 => &[DirFd, Path, Int32, Int32, AtFlags], // fchownat
        262 => &[DirFd, Path, StatOut, AtFlags], // newfstatat
        263 => &[DirFd, Path, AtFlags],          // unlinkat
        264 => &[DirFd, Path, DirFd, Path],      // renameat
        265 => &[DirFd, Path, DirFd, Path, AtFlags], // linkat
        266 => &[Path, DirFd, Path],             // symlinkat
        267 => &[DirFd, Path, OutBuf { len_arg: 3 }, UInt], // readlinkat
        268 => &[DirFd, Path, Mode],             // fchmodat
        269 => &[DirFd, Path, AccessMode],       // faccessat
        270 => &[Int32, FdSet, FdSet, FdSet, TimespecIn, Ptr], // pselect6
        271 => &[PollFds { cnt_arg: 1 }, UInt, TimespecIn, SigSetIn, UInt], // ppoll
        273 => &[Ptr, UInt],                     // set_robust_list
        274 => &[Int32, Ptr, Ptr],               // get_robust_list
        280 => &[DirFd, Path, Ptr, AtFlags],     // utimensat
        281 => &[Fd, EpollEventsOut, Int32, Int32, SigSetIn, UInt], // epoll_pwait
        283 => &[ClockId, Flags(TFD_FLAGS)],     // timerfd_create
        284 => &[UInt],                          // eventfd
        290 => &[UInt, Flags(EFD_FLAGS)],        // eventfd2
        291 => &[Flags(EPOLL_CREATE_FLAGS)],     // epoll_create1
        292 => &[Fd, Fd, OpenFlagsNoAcc],        // dup3
        293 => &[PipeFds, OpenFlagsNoAcc],       // pipe2
        294 => &[Flags(TFD_FLAGS)],              // inotify_init1
        295 => &[Fd, IovecOut { cnt_arg: 2 }, Int32, Int], // preadv
        296 => &[Fd, IovecIn { cnt_arg: 2 }, Int32, Int], // pwritev
        302 => &[Int32, Resource, RlimitIn, RlimitOut], // prlimit64
        309 => &[OutBuf { len_arg: 1 }, Ptr, Ptr], // getcpu (as ptrs)
        316 => &[DirFd, Path, DirFd, Path, Flags(RENAME_FLAGS)], // renameat2
        318 => &[OutBufHex, UInt, Flags(GRND_FLAGS)], // getrandom
        319 => &[Str, Flags(MFD_FLAGS)],         // memfd_create
        322 => &[DirFd, Path, StrArray, EnvArray, AtFlags], // execveat
        332 => &[DirFd, Path, StatxFlags, StatxMask, StatxOut], // statx
        334 => &[Ptr, Hex, Hex, Hex],            // rseq
        424 => &[Int32, Int32, Signal, Ptr, UInt], // pidfd_send_signal
        434 => &[Int32, UInt],                   // pidfd_open
        435 => &[CloneArgs, UInt],               // clone3
        436 => &[UInt, UInt, UInt],              // close_range
        439 => &[DirFd, Path, AccessMode, FaccessatFlags], // faccessat2
        441 => &[Fd, EpollEventsOut, Int32, TimespecIn, SigSetIn, UInt], // epoll_pwait2
        452 => &[DirFd, Path, Mode, AtFlags],    // fchmodat2
        144 => &[Int32, Enum(SCHED_POLICIES, "SCHED"), Ptr], // sched_setscheduler
        145 => &[Int32],                         // sched_getscheduler
        _ => return None,
    })
}

/// The argument shape of syscall `nr`; syscalls without an entry get six
/// [`Arg::Hex`] arguments.
pub fn shape(nr: u64) -> &'static [Arg] {
    const SIX_HEX: &[Arg] = &[Hex, Hex, Hex, Hex, Hex, Hex];
    shape_of(nr).unwrap_or(&SIX_HEX[..fallback_arity(nr)])
}

/// Number of arguments printed for a syscall without a shape entry: 6 (the
/// raw registers), as strace does for syscalls it cannot decode.
pub fn fallback_arity(_nr: u64) -> usize {
    6
}
