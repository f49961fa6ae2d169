//! Rendering of whole syscall lines in strace's format.
//!
//! Two-phase use (input arguments must be read before the kernel runs,
//! outputs after):
//!
//! ```ignore
//! let entry = capture_entry(mem, nr, &args);      // at syscall entry
//! /* ... run the syscall ... */
//! let line = format_call(mem, nr, &args, &entry, result); // at exit
//! // or, for exit/exit_group/a successful execve that never "returns":
//! let line = format_noreturn(mem, nr, &args, &entry);
//! ```

use super::errno::{errno_message, errno_name, is_restart_errno};
use super::flags::{self as fl, hex, ptr};
use super::names::syscall_name;
use super::shapes::{Arg, Ret, ret_kind, shape};

/// Access to the traced program's memory; implemented by the sentry.
pub trait UserMemory {
    /// Reads exactly `len` bytes at `addr`; `None` if any byte is unreadable.
    fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>>;
    /// Reads up to `max` bytes stopping at (and excluding) a NUL byte.
    /// Returns the bytes and whether the NUL was found (`complete`); `None`
    /// if the first byte is unreadable.
    fn read_cstring(&self, addr: u64, max: usize) -> Option<(Vec<u8>, bool)>;
}

/// Argument strings rendered at syscall entry, indexed by argument number.
pub type EntryStrings = [Option<String>; 6];

/// strace's default `-s` limit: bytes of a data string that are printed.
pub const MAX_STRLEN: usize = 32;
/// Longest path printed (`PATH_MAX`).
pub const MAX_PATH: usize = 4096;

// ------------------------------------------------------------ quoting

/// Quotes `data` like strace: `"\177ELF\2\1\1\0"`. With `force_hex` every
/// byte is printed as `\xNN` (strace does this for `getrandom`).
pub fn quote(data: &[u8], force_hex: bool) -> String {
    let mut s = String::with_capacity(data.len() + 2);
    s.push('"');
    for (i, &c) in data.iter().enumerate() {
        if force_hex {
            s.push_str(&format!("\\x{c:02x}"));
            continue;
        }
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\x0c' => s.push_str("\\f"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'\x0b' => s.push_str("\\v"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let next_is_octal_digit =
                    data.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                s.push('\\');
                if next_is_octal_digit {
                    s.push_str(&format!("{c:03o}"));
                } else {
                    s.push_str(&format!("{c:o}"));
                }
            }
        }
    }
    s.push('"');
    s
}

/// A NUL-terminated string at `addr` with at most `limit` bytes shown
/// (`"..."` appended when longer); the pointer when unreadable.
fn cstring(mem: &dyn UserMemory, addr: u64, limit: usize) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match mem.read_cstring(addr, limit + 1) {
        None => ptr(addr),
        Some((bytes, complete)) => {
            if bytes.len() > limit || !complete {
                let n = bytes.len().min(limit);
                format!("{}...", quote(&bytes[..n], false))
            } else {
                quote(&bytes, false)
            }
        }
    }
}

/// `len` bytes of data at `addr`, at most [`MAX_STRLEN`] shown.
fn buffer(mem: &dyn UserMemory, addr: u64, len: u64, force_hex: bool) -> String {
    let n = len.min(MAX_STRLEN as u64) as usize;
    match mem.read_bytes(addr, n) {
        None => ptr(addr),
        Some(bytes) => {
            let mut s = quote(&bytes, force_hex);
            if len > n as u64 {
                s.push_str("...");
            }
            s
        }
    }
}

// ------------------------------------------------------------ readers

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap_or([0; 8]))
}
fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap_or([0; 4]))
}
fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes(b[off..off + 2].try_into().unwrap_or([0; 2]))
}

/// Reads a struct of `size` bytes and renders it with `f`; `NULL` for a null
/// pointer and the address when unreadable.
fn with_struct(
    mem: &dyn UserMemory,
    addr: u64,
    size: usize,
    f: impl FnOnce(&[u8]) -> String,
) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match mem.read_bytes(addr, size) {
        Some(b) => f(&b),
        None => ptr(addr),
    }
}

fn timespec(b: &[u8]) -> String {
    format!(
        "{{tv_sec={}, tv_nsec={}}}",
        u64_at(b, 0) as i64,
        u64_at(b, 8) as i64
    )
}

fn timeval(b: &[u8]) -> String {
    format!(
        "{{tv_sec={}, tv_usec={}}}",
        u64_at(b, 0) as i64,
        u64_at(b, 8) as i64
    )
}

/// `2026-11-25T12:29:30+0000` for a Unix time.
pub fn iso_date(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let sod = secs.rem_euclid(86400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+0000",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

fn stat_struct(b: &[u8]) -> String {
    let mode = u32_at(b, 24) as u64;
    let ty = mode & 0o170000;
    let mut s = format!("{{st_mode={}", fl::mode_with_type(mode));
    if ty == 0o020000 || ty == 0o060000 {
        s.push_str(&format!(", st_rdev={}", fl::makedev(u64_at(b, 40))));
    } else {
        s.push_str(&format!(", st_size={}", u64_at(b, 48) as i64));
    }
    s.push_str(", ...}");
    s
}

/// `statx` `stx_attributes` bits.
const STATX_ATTRS: fl::Table = &[
    (0x4, "STATX_ATTR_COMPRESSED"),
    (0x10, "STATX_ATTR_IMMUTABLE"),
    (0x20, "STATX_ATTR_APPEND"),
    (0x40, "STATX_ATTR_NODUMP"),
    (0x800, "STATX_ATTR_ENCRYPTED"),
    (0x1000, "STATX_ATTR_AUTOMOUNT"),
    (0x2000, "STATX_ATTR_MOUNT_ROOT"),
    (0x100000, "STATX_ATTR_VERITY"),
    (0x200000, "STATX_ATTR_DAX"),
];

fn statx_struct(b: &[u8]) -> String {
    let mode = u16_at(b, 28) as u64;
    let ty = mode & 0o170000;
    let mut s = format!(
        "{{stx_mask={}, stx_attributes={}, stx_mode={}",
        fl::statx_mask(u32_at(b, 0) as u64),
        fl::flags(u64_at(b, 8), STATX_ATTRS),
        fl::mode_with_type(mode)
    );
    if ty == 0o020000 || ty == 0o060000 {
        s.push_str(&format!(
            ", stx_rdev_major={}, stx_rdev_minor={}",
            u32_at(b, 128),
            u32_at(b, 132)
        ));
    } else {
        s.push_str(&format!(", stx_size={}", u64_at(b, 40)));
    }
    s.push_str(", ...}");
    s
}

fn sigaction_struct(b: &[u8]) -> String {
    let handler = u64_at(b, 0);
    let flags = u64_at(b, 8);
    let restorer = u64_at(b, 16);
    let mask = u64_at(b, 24);
    let h = match handler {
        0 => "SIG_DFL".to_string(),
        1 => "SIG_IGN".to_string(),
        u64::MAX => "SIG_ERR".to_string(),
        v => format!("{v:#x}"),
    };
    let mut s = format!(
        "{{sa_handler={h}, sa_mask={}, sa_flags={}",
        fl::sigset(mask),
        fl::flags(flags, fl::SA_FLAGS)
    );
    if flags & fl::SA_RESTORER != 0 {
        s.push_str(&format!(", sa_restorer={}", ptr(restorer)));
    }
    s.push('}');
    s
}

fn wait_status(s: u32) -> String {
    let sig = u64::from(s & 0x7f);
    let inner = if s & 0x7f == 0 {
        format!("WIFEXITED(s) && WEXITSTATUS(s) == {}", (s >> 8) & 0xff)
    } else if s & 0xff == 0x7f {
        format!(
            "WIFSTOPPED(s) && WSTOPSIG(s) == {}",
            fl::signal_name(u64::from((s >> 8) & 0xff))
        )
    } else if s == 0xffff {
        "WIFCONTINUED(s)".to_string()
    } else {
        let core = if s & 0x80 != 0 {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        format!(
            "WIFSIGNALED(s) && WTERMSIG(s) == {}{core}",
            fl::signal_name(sig)
        )
    };
    format!("[{{{inner}}}]")
}

const C_IFLAGS: fl::Table = &[
    (0x1, "IGNBRK"),
    (0x2, "BRKINT"),
    (0x4, "IGNPAR"),
    (0x8, "PARMRK"),
    (0x10, "INPCK"),
    (0x20, "ISTRIP"),
    (0x40, "INLCR"),
    (0x80, "IGNCR"),
    (0x100, "ICRNL"),
    (0x200, "IUCLC"),
    (0x400, "IXON"),
    (0x800, "IXANY"),
    (0x1000, "IXOFF"),
    (0x2000, "IMAXBEL"),
    (0x4000, "IUTF8"),
];
const C_OFLAGS: fl::Table = &[
    (0x1, "OPOST"),
    (0x2, "OLCUC"),
    (0x4, "ONLCR"),
    (0x8, "OCRNL"),
    (0x10, "ONOCR"),
    (0x20, "ONLRET"),
    (0x40, "OFILL"),
    (0x80, "OFDEL"),
];
const C_CFLAGS: fl::Table = &[
    (0x40, "CSTOPB"),
    (0x80, "CREAD"),
    (0x100, "PARENB"),
    (0x200, "PARODD"),
    (0x400, "HUPCL"),
    (0x800, "CLOCAL"),
    (0x4000_0000, "CMSPAR"),
    (0x8000_0000, "CRTSCTS"),
];
const C_LFLAGS: fl::Table = &[
    (0x1, "ISIG"),
    (0x2, "ICANON"),
    (0x4, "XCASE"),
    (0x8, "ECHO"),
    (0x10, "ECHOE"),
    (0x20, "ECHOK"),
    (0x40, "ECHONL"),
    (0x80, "NOFLSH"),
    (0x100, "TOSTOP"),
    (0x8000, "IEXTEN"),
    (0x200, "ECHOCTL"),
    (0x400, "ECHOPRT"),
    (0x800, "ECHOKE"),
    (0x1000, "FLUSHO"),
    (0x4000, "PENDIN"),
    (0x10000, "EXTPROC"),
];
const BAUDS: fl::Table = &[
    (0, "B0"),
    (1, "B50"),
    (2, "B75"),
    (3, "B110"),
    (4, "B134"),
    (5, "B150"),
    (6, "B200"),
    (7, "B300"),
    (8, "B600"),
    (9, "B1200"),
    (10, "B1800"),
    (11, "B2400"),
    (12, "B4800"),
    (13, "B9600"),
    (14, "B19200"),
    (15, "B38400"),
    (0x1001, "B57600"),
    (0x1002, "B115200"),
    (0x1003, "B230400"),
    (0x1004, "B460800"),
    (0x1005, "B500000"),
    (0x1006, "B576000"),
    (0x1007, "B921600"),
    (0x1008, "B1000000"),
    (0x1009, "B1152000"),
    (0x100a, "B1500000"),
    (0x100b, "B2000000"),
    (0x100c, "B2500000"),
    (0x100d, "B3000000"),
    (0x100e, "B3500000"),
    (0x100f, "B4000000"),
];

fn termios_struct(b: &[u8]) -> String {
    let (i, o, c, l) = (
        u64::from(u32_at(b, 0)),
        u64::from(u32_at(b, 4)),
        u64::from(u32_at(b, 8)),
        u64::from(u32_at(b, 12)),
    );
    let delays = format!(
        "NL{}|CR{}|TAB{}|BS{}|VT{}|FF{}",
        (o >> 8) & 1,
        (o >> 9) & 3,
        (o >> 11) & 3,
        (o >> 13) & 1,
        (o >> 14) & 1,
        (o >> 15) & 1
    );
    let orest = o & !0xff00;
    let oflag = if orest == 0 {
        delays
    } else {
        format!("{delays}|{}", fl::flags(orest, C_OFLAGS))
    };
    let mut cflag = fl::enum_name(c & 0x100f, BAUDS);
    let ibaud = (c >> 16) & 0x100f;
    if ibaud != 0 {
        cflag.push_str(&format!("|{}<<IBSHIFT", fl::enum_name(ibaud, BAUDS)));
    }
    cflag.push_str(&format!("|CS{}", 5 + ((c >> 4) & 3)));
    let crest = c & !(0x100f | (0x100f << 16) | 0x30);
    if crest != 0 {
        cflag.push('|');
        cflag.push_str(&fl::flags(crest, C_CFLAGS));
    }
    format!(
        "{{c_iflag={}, c_oflag={oflag}, c_cflag={cflag}, c_lflag={}, ...}}",
        fl::flags(i, C_IFLAGS),
        fl::flags(l, C_LFLAGS)
    )
}

fn sockaddr(b: &[u8]) -> String {
    if b.len() < 2 {
        return "{sa_family=???}".into();
    }
    let fam = u64::from(u16_at(b, 0));
    let fam_s = fl::enum_hex(fam, fl::SOCK_DOMAINS, "AF");
    match fam {
        1 => {
            let path = &b[2..];
            if let Some((&0, rest)) = path.split_first()
                && !rest.is_empty()
            {
                format!("{{sa_family={fam_s}, sun_path=@{}}}", quote(rest, false))
            } else {
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                format!(
                    "{{sa_family={fam_s}, sun_path={}}}",
                    quote(&path[..end], false)
                )
            }
        }
        2 if b.len() >= 8 => format!(
            "{{sa_family={fam_s}, sin_port=htons({}), sin_addr=inet_addr(\"{}\")}}",
            u16::from_be_bytes([b[2], b[3]]),
            std::net::Ipv4Addr::new(b[4], b[5], b[6], b[7])
        ),
        10 if b.len() >= 24 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            let scope = if b.len() >= 28 { u32_at(b, 24) } else { 0 };
            format!(
                "{{sa_family={fam_s}, sin6_port=htons({}), sin6_flowinfo=htonl({}), \
                 inet_pton(AF_INET6, \"{}\", &sin6_addr), sin6_scope_id={scope}}}",
                u16::from_be_bytes([b[2], b[3]]),
                u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
                std::net::Ipv6Addr::from(a)
            )
        }
        16 if b.len() >= 12 => format!(
            "{{sa_family={fam_s}, nl_pid={}, nl_groups={:08x}}}",
            u32_at(b, 4),
            u32_at(b, 8)
        ),
        _ => format!("{{sa_family={fam_s}, sa_data={}}}", quote(&b[2..], false)),
    }
}

fn epoll_event(b: &[u8]) -> String {
    let data = u64_at(b, 4);
    format!(
        "{{events={}, data={{u32={}, u64={}}}}}",
        fl::flags(u64::from(u32_at(b, 0)), fl::EPOLL_EVENTS),
        data as u32,
        data
    )
}

/// Renders up to `limit` array elements, then `...`.
fn array(items: impl Iterator<Item = String>, total: usize, sep: &str) -> String {
    let mut v: Vec<String> = items.take(MAX_STRLEN).collect();
    if total > MAX_STRLEN {
        v.push("...".into());
    }
    format!("[{}]", v.join(sep))
}

// ------------------------------------------------------------ arguments

/// Is `result` a failure (`-4095..=-1`)?
fn is_error(result: i64) -> bool {
    (-4095..0).contains(&result)
}

/// Renders argument `i` of shape `arg`. `result` is `None` at entry.
fn render_arg(
    mem: &dyn UserMemory,
    args: &[u64; 6],
    i: usize,
    arg: Arg,
    result: Option<i64>,
) -> String {
    let v = args[i];
    // Output arguments are shown only after a successful call.
    let ok = match result {
        Some(r) => !is_error(r),
        None => false,
    };
    if arg.is_out() && (!ok || v == 0) {
        return ptr(v);
    }
    let r = result.unwrap_or(0);
    match arg {
        Arg::Int => (v as i64).to_string(),
        Arg::Int32 | Arg::Fd => (v as i32).to_string(),
        Arg::UInt => v.to_string(),
        Arg::Hex => hex(v),
        Arg::Ptr => ptr(v),
        Arg::DirFd => fl::dirfd(v),
        Arg::Path => cstring(mem, v, MAX_PATH),
        Arg::Str => cstring(mem, v, MAX_STRLEN),
        Arg::InBuf { len_arg } => buffer(mem, v, args[len_arg], false),
        Arg::OutBuf { .. } => buffer(mem, v, r as u64, false),
        Arg::OutBufHex => buffer(mem, v, r as u64, true),
        Arg::OutPath => cstring(mem, v, MAX_PATH),
        Arg::OpenFlags => fl::open_flags(v),
        Arg::OpenFlagsNoAcc => fl::open_flags_noacc(v),
        Arg::Mode => fl::mode(v & 0xffff_ffff),
        Arg::ModeType => fl::mode_with_type(v & 0xffff_ffff),
        Arg::Dev => fl::makedev(v),
        Arg::AccessMode => fl::access_mode(v & 0xffff_ffff),
        Arg::AtFlags => fl::at_flags(v),
        Arg::FaccessatFlags => fl::faccessat_flags(v),
        Arg::StatxFlags => fl::statx_flags(v),
        Arg::StatxMask => fl::statx_mask(v),
        Arg::MmapProt => fl::mmap_prot(v),
        Arg::MmapFlags => fl::mmap_flags(v),
        Arg::Whence => fl::whence(v),
        Arg::Signal => fl::signal_name(v as i32 as i64 as u64),
        Arg::SigSetIn | Arg::SigSetOut => with_struct(mem, v, 8, |b| fl::sigset(u64_at(b, 0))),
        Arg::SigActionIn | Arg::SigActionOut => with_struct(mem, v, 32, sigaction_struct),
        Arg::StackIn | Arg::StackOut => with_struct(mem, v, 24, |b| {
            format!(
                "{{ss_sp={}, ss_flags={}, ss_size={}}}",
                ptr(u64_at(b, 0)),
                fl::flags(u64::from(u32_at(b, 8)), fl::SS_FLAGS),
                u64_at(b, 16)
            )
        }),
        Arg::ClockId => fl::clock_id(v),
        Arg::ArchPrctlCode => fl::enum_hex(v & 0xffff_ffff, fl::ARCH_PRCTL_CODES, "ARCH"),
        Arg::Resource => fl::resource(v),
        Arg::RlimitIn | Arg::RlimitOut => with_struct(mem, v, 16, |b| {
            format!(
                "{{rlim_cur={}, rlim_max={}}}",
                fl::rlim(u64_at(b, 0)),
                fl::rlim(u64_at(b, 8))
            )
        }),
        Arg::FutexOp => fl::futex_op(v),
        Arg::IoctlReq => fl::ioctl_req(v),
        Arg::FcntlCmd => fl::fcntl_cmd(v),
        Arg::CloneFlags => fl::clone_flags(v),
        Arg::WaitStatus => {
            if r <= 0 {
                ptr(v)
            } else {
                with_struct(mem, v, 4, |b| wait_status(u32_at(b, 0)))
            }
        }
        Arg::SockDomain => fl::sock_domain(v),
        Arg::SockType => fl::sock_type(v),
        Arg::SockProto => fl::sock_proto(args[0], v),
        Arg::SockAddrIn { len_arg } => {
            let len = (args[len_arg] as usize).min(128);
            if v == 0 {
                "NULL".into()
            } else if len < 2 {
                ptr(v)
            } else {
                with_struct(mem, v, len, sockaddr)
            }
        }
        Arg::StrArray => str_array(mem, v),
        Arg::EnvArray => env_array(mem, v),
        Arg::TimespecIn | Arg::TimespecOut => with_struct(mem, v, 16, timespec),
        Arg::TimevalIn | Arg::TimevalOut => with_struct(mem, v, 16, timeval),
        Arg::StatOut => with_struct(mem, v, 144, stat_struct),
        Arg::StatxOut => with_struct(mem, v, 256, statx_struct),
        Arg::UtsnameOut => with_struct(mem, v, 65 * 2, |b| {
            let field = |f: &[u8]| {
                let end = f.iter().position(|&c| c == 0).unwrap_or(f.len());
                quote(&f[..end], false)
            };
            format!(
                "{{sysname={}, nodename={}, ...}}",
                field(&b[..65]),
                field(&b[65..130])
            )
        }),
        Arg::RusageOut => with_struct(mem, v, 32, |b| {
            format!(
                "{{ru_utime={}, ru_stime={}, ...}}",
                timeval(&b[..16]),
                timeval(&b[16..32])
            )
        }),
        Arg::PipeFds => with_struct(mem, v, 8, |b| {
            format!("[{}, {}]", u32_at(b, 0) as i32, u32_at(b, 4) as i32)
        }),
        Arg::IovecIn { cnt_arg } => iovec(mem, v, args[cnt_arg], None),
        Arg::IovecOut { cnt_arg } => iovec(mem, v, args[cnt_arg], Some(r as u64)),
        Arg::PollFds { cnt_arg } => {
            let n = args[cnt_arg].min(1024) as usize;
            with_struct(mem, v, n * 8, |b| {
                array(
                    (0..n).map(|k| {
                        format!(
                            "{{fd={}, events={}}}",
                            u32_at(b, k * 8) as i32,
                            fl::flags(u64::from(u16_at(b, k * 8 + 4)), fl::POLL_EVENTS)
                        )
                    }),
                    n,
                    ", ",
                )
            })
        }
        Arg::FdSet => {
            let nfds = (args[0] as i32).clamp(0, 1024) as usize;
            let words = nfds.div_ceil(64);
            with_struct(mem, v, words * 8, |b| {
                let set: Vec<String> = (0..nfds)
                    .filter(|fd| u64_at(b, fd / 64 * 8) & (1 << (fd % 64)) != 0)
                    .map(|fd| fd.to_string())
                    .collect();
                format!("[{}]", set.join(" "))
            })
        }
        Arg::Dirents => {
            let len = (r as usize).min(1 << 20);
            match mem.read_bytes(v, len) {
                None => ptr(v),
                Some(b) => {
                    let mut off = 0;
                    let mut count = 0;
                    while off + 19 <= b.len() {
                        let reclen = u16_at(&b, off + 16) as usize;
                        if reclen == 0 {
                            break;
                        }
                        count += 1;
                        off += reclen;
                    }
                    let plural = if count == 1 { "entry" } else { "entries" };
                    format!("{} /* {count} {plural} */", ptr(v))
                }
            }
        }
        Arg::CpuSetOut => {
            let len = (r as usize).min(1024);
            with_struct(mem, v, len, |b| {
                let cpus: Vec<String> = (0..len * 8)
                    .filter(|c| b[c / 8] & (1 << (c % 8)) != 0)
                    .map(|c| c.to_string())
                    .collect();
                format!("[{}]", cpus.join(" "))
            })
        }
        Arg::MincoreVec => {
            let pages = args[1].div_ceil(4096) as usize;
            let n = pages.min(MAX_STRLEN);
            with_struct(mem, v, n, |b| {
                array(b.iter().map(|x| x.to_string()), pages, ", ")
            })
        }
        Arg::IntPtrIn | Arg::IntPtrOut => {
            with_struct(mem, v, 4, |b| format!("[{}]", u32_at(b, 0) as i32))
        }
        Arg::UlongPtrOut => with_struct(mem, v, 8, |b| format!("[{}]", hex(u64_at(b, 0)))),
        Arg::EpollEventIn => with_struct(mem, v, 12, epoll_event),
        Arg::EpollEventsOut => {
            let n = (r as usize).min(1024);
            with_struct(mem, v, n * 12, |b| {
                array(
                    (0..n).map(|k| epoll_event(&b[k * 12..k * 12 + 12])),
                    n,
                    ", ",
                )
            })
        }
        Arg::FlockIn | Arg::FlockOut => with_struct(mem, v, 32, |b| {
            format!(
                "{{l_type={}, l_whence={}, l_start={}, l_len={}, l_pid={}}}",
                fl::enum_hex(u64::from(u16_at(b, 0)), fl::LOCK_TYPES, "F"),
                fl::whence(u64::from(u16_at(b, 2))),
                u64_at(b, 8) as i64,
                u64_at(b, 16) as i64,
                u32_at(b, 24) as i32
            )
        }),
        Arg::WinsizeIn | Arg::WinsizeOut => with_struct(mem, v, 8, |b| {
            format!(
                "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}",
                u16_at(b, 0),
                u16_at(b, 2),
                u16_at(b, 4),
                u16_at(b, 6)
            )
        }),
        Arg::TermiosIn | Arg::TermiosOut => with_struct(mem, v, 36, termios_struct),
        Arg::TimeOut => with_struct(mem, v, 8, |b| {
            let t = u64_at(b, 0) as i64;
            format!("[{t} /* {} */]", iso_date(t))
        }),
        Arg::Flags(table) => fl::flags(v, table),
        Arg::Enum(table, prefix) => fl::enum_hex(v, table, prefix),
        Arg::PrctlOption => fl::enum_hex(v & 0xffff_ffff, fl::PRCTL_OPTIONS, "PR"),
        Arg::CloneArgs => clone_args(mem, v, args[1]),
    }
}

/// Reads a NULL-terminated pointer array (at most `max` entries).
fn pointer_array(mem: &dyn UserMemory, addr: u64, max: usize) -> Option<(Vec<u64>, bool)> {
    let mut out = Vec::new();
    for k in 0..max {
        let p = u64_at(&mem.read_bytes(addr + 8 * k as u64, 8)?, 0);
        if p == 0 {
            return Some((out, true));
        }
        out.push(p);
    }
    Some((out, false))
}

/// `argv`: `["/bin/echo", "a b"]`, at most 32 elements then `...`.
fn str_array(mem: &dyn UserMemory, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match pointer_array(mem, addr, MAX_STRLEN + 1) {
        None => ptr(addr),
        Some((ptrs, _)) => {
            let total = ptrs.len();
            array(
                ptrs.into_iter().map(|p| cstring(mem, p, MAX_STRLEN)),
                total,
                ", ",
            )
        }
    }
}

/// `envp`: `0x7ffd... /* 35 vars */` (strace's default abbreviation).
fn env_array(mem: &dyn UserMemory, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match pointer_array(mem, addr, 1 << 16) {
        None => ptr(addr),
        Some((ptrs, _)) => {
            let n = ptrs.len();
            format!(
                "{} /* {n} var{} */",
                ptr(addr),
                if n == 1 { "" } else { "s" }
            )
        }
    }
}

/// An iovec array; `filled` is the byte count produced by a read-like call.
fn iovec(mem: &dyn UserMemory, addr: u64, count: u64, filled: Option<u64>) -> String {
    let n = count.min(1024) as usize;
    with_struct(mem, addr, n * 16, |b| {
        let mut left = filled.unwrap_or(u64::MAX);
        array(
            (0..n).map(|k| {
                let base = u64_at(b, k * 16);
                let len = u64_at(b, k * 16 + 8);
                let shown = len.min(left);
                left -= shown;
                format!(
                    "{{iov_base={}, iov_len={len}}}",
                    buffer(mem, base, shown, false)
                )
            }),
            n,
            ", ",
        )
    })
}

const CLONE_PIDFD: u64 = 0x1000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;

/// `clone3`'s `struct clone_args` (entry part).
fn clone_args(mem: &dyn UserMemory, addr: u64, size: u64) -> String {
    let size = (size as usize).clamp(64, 88);
    with_struct(mem, addr, size, |b| {
        let flags = u64_at(b, 0);
        let mut s = format!("{{flags={}", fl::flags(flags, fl::CLONE_FLAGS));
        if flags & CLONE_PIDFD != 0 {
            s.push_str(&format!(", pidfd={}", ptr(u64_at(b, 8))));
        }
        if flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
            s.push_str(&format!(", child_tid={}", ptr(u64_at(b, 16))));
        }
        if flags & CLONE_PARENT_SETTID != 0 {
            s.push_str(&format!(", parent_tid={}", ptr(u64_at(b, 24))));
        }
        let sig = u64_at(b, 32);
        let sig_s = if sig == 0 {
            "0".to_string()
        } else {
            fl::signal_name(sig)
        };
        s.push_str(&format!(
            ", exit_signal={sig_s}, stack={}, stack_size={}",
            ptr(u64_at(b, 40)),
            hex(u64_at(b, 48))
        ));
        if flags & CLONE_SETTLS != 0 {
            s.push_str(&format!(", tls={}", ptr(u64_at(b, 56))));
        }
        s.push('}');
        s
    })
}

/// `clone3` exit annotation: ` => {parent_tid=[1235]}`.
fn clone3_exit(mem: &dyn UserMemory, args: &[u64; 6], result: i64) -> String {
    if is_error(result) || args[0] == 0 {
        return String::new();
    }
    let Some(b) = mem.read_bytes(args[0], 32) else {
        return String::new();
    };
    let flags = u64_at(&b, 0);
    let mut parts = Vec::new();
    if flags & CLONE_PIDFD != 0 {
        let p = u64_at(&b, 8);
        parts.push(format!(
            "pidfd={}",
            render_arg(mem, &[p, 0, 0, 0, 0, 0], 0, Arg::IntPtrOut, Some(result))
        ));
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        let p = u64_at(&b, 24);
        parts.push(format!(
            "parent_tid={}",
            render_arg(mem, &[p, 0, 0, 0, 0, 0], 0, Arg::IntPtrOut, Some(result))
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" => {{{}}}", parts.join(", "))
    }
}

// ------------------------------------------------------------ layout

/// One printed argument: register index, shape, and an optional `label=`.
type Slot = (usize, Arg, &'static str);

fn plain(shape: &[Arg]) -> Vec<Slot> {
    shape.iter().enumerate().map(|(i, a)| (i, *a, "")).collect()
}

/// The arguments actually printed for this call, after adjusting for
/// syscalls whose argument list depends on other arguments.
fn layout(nr: u64, args: &[u64; 6]) -> Vec<Slot> {
    use Arg::*;
    let base = shape(nr);
    let mut slots = plain(base);
    match nr {
        // open, openat: the mode is shown only with O_CREAT/O_TMPFILE.
        2 | 257 => {
            let fi = if nr == 2 { 1 } else { 2 };
            if !fl::open_has_mode(args[fi]) {
                slots.truncate(fi + 1);
            }
        }
        // fcntl
        72 => {
            let third = match args[1] & 0xffff_ffff {
                1 | 3 | 9 | 11 | 1025 | 1032 | 1034 => None,
                2 => Some(Flags(fl::FD_FLAGS)),
                4 => Some(OpenFlags),
                5 | 36 => Some(FlockOut),
                6 | 7 | 37 | 38 => Some(FlockIn),
                1024 => Some(Enum(fl::LOCK_TYPES, "F")),
                1033 => Some(Flags(fl::SEALS)),
                0 | 1030 | 1031 | 8 | 10 => Some(Int32),
                15 | 16 | 17 | 1035..=1038 => Some(Ptr),
                _ => Some(Hex),
            };
            slots.truncate(2);
            if let Some(a) = third {
                slots.push((2, a, ""));
            }
        }
        // ioctl
        16 => {
            let third = match args[1] & 0xffff_ffff {
                0x5450 | 0x5451 | 0x5422 | 0x540c | 0x540d | 0x541d | 0x5427 | 0x5428 => None,
                0x5401 | 0x542a => Some(TermiosOut),
                0x5402..=0x5404 | 0x542b..=0x542d => Some(TermiosIn),
                0x5413 => Some(WinsizeOut),
                0x5414 => Some(WinsizeIn),
                0x541b | 0x5411 | 0x540f | 0x5429 | 0x80045430 | 0x5424 => Some(IntPtrOut),
                0x5421 | 0x5410 | 0x5452 | 0x40045431 | 0x5423 | 0x5420 => Some(IntPtrIn),
                0x540e | 0x5409 | 0x5425 | 0x540a | 0x540b => Some(Int32),
                _ => Some(Hex),
            };
            slots.truncate(2);
            if let Some(a) = third {
                slots.push((2, a, ""));
            }
        }
        // futex
        202 => {
            let idx: &[usize] = match args[1] & 0x7f {
                0 => &[0, 1, 2, 3],
                1 | 2 => &[0, 1, 2],
                3 => &[0, 1, 2, 3, 4],
                4 | 5 | 12 => &[0, 1, 2, 3, 4, 5],
                6 | 13 => &[0, 1, 3],
                7 | 8 => &[0, 1],
                9 => &[0, 1, 2, 3, 5],
                10 => &[0, 1, 2, 5],
                11 => &[0, 1, 2, 3, 4],
                _ => &[0, 1, 2, 3, 4, 5],
            };
            let cmd = args[1] & 0x7f;
            slots = idx
                .iter()
                .map(|&i| {
                    let a = match (cmd, i) {
                        (0 | 9 | 11, 3) | (6 | 13, 3) => TimespecIn,
                        (3 | 4 | 12, 3) => Int32,
                        (_, 4) => Ptr,
                        (9 | 10, 5) => {
                            Enum(&[(0xffff_ffff, "FUTEX_BITSET_MATCH_ANY")], "FUTEX_BITSET")
                        }
                        (_, 5) => Int32,
                        _ => base[i],
                    };
                    (i, a, "")
                })
                .collect();
        }
        // prctl
        157 => {
            let opt = args[0] & 0xffff_ffff;
            let rest: &[Arg] = match opt {
                3 | 7 | 13 | 21 | 27 | 30 | 31 | 32 | 42 | 46 => &[],
                15 => &[Str],
                16 => &[OutPath],
                1 => &[Signal],
                2 | 37 => &[IntPtrOut],
                4 | 8 | 29 | 36 => &[UInt],
                22 => &[UInt, Ptr],
                38 | 39 => &[UInt, UInt, UInt, UInt],
                _ => &[Hex, Hex, Hex, Hex],
            };
            slots.truncate(1);
            slots.extend(rest.iter().enumerate().map(|(k, a)| (k + 1, *a, "")));
        }
        // arch_prctl
        158 => {
            if matches!(args[0] & 0xffff_ffff, 0x1003 | 0x1004) {
                slots[1].1 = UlongPtrOut;
            }
        }
        // clone: strace's x86_64 order and labels.
        56 => {
            let f = args[0];
            slots = vec![(1, Ptr, "child_stack"), (0, CloneFlags, "flags")];
            if f & (CLONE_PARENT_SETTID | CLONE_PIDFD) != 0 {
                slots.push((2, IntPtrOut, "parent_tid"));
            }
            if f & CLONE_SETTLS != 0 {
                slots.push((4, Ptr, "tls"));
            }
            if f & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
                slots.push((3, Ptr, "child_tidptr"));
            }
        }
        _ => {}
    }
    slots
}

fn call_name(nr: u64) -> String {
    syscall_name(nr).map_or_else(|| format!("syscall_{nr:#x}"), str::to_string)
}

/// Renders the input arguments of a call at syscall entry. Pass the result
/// to [`format_call`] / [`format_noreturn`] at exit.
pub fn capture_entry(mem: &dyn UserMemory, nr: u64, args: &[u64; 6]) -> EntryStrings {
    let mut out: EntryStrings = Default::default();
    for (i, arg, _) in layout(nr, args) {
        if !arg.is_out() {
            out[i] = Some(render_arg(mem, args, i, arg, None));
        }
    }
    out
}

/// The part of the line known at entry, like strace's `read(3, ` before
/// `<unfinished ...>`: the name and the input arguments up to the first
/// output argument (with a trailing `", "` when more arguments follow).
pub fn format_entry(mem: &dyn UserMemory, nr: u64, args: &[u64; 6]) -> String {
    let slots = layout(nr, args);
    let mut parts = Vec::new();
    let mut more = false;
    for (i, arg, label) in &slots {
        if arg.is_out() {
            more = true;
            break;
        }
        let v = render_arg(mem, args, *i, *arg, None);
        parts.push(if label.is_empty() {
            v
        } else {
            format!("{label}={v}")
        });
    }
    let mut s = format!("{}({}", call_name(nr), parts.join(", "));
    if more {
        s.push_str(", ");
    }
    s
}

/// `name(arg, arg, ...)` with input arguments from `entry` (re-rendered
/// from memory when missing) and outputs rendered now.
fn body(
    mem: &dyn UserMemory,
    nr: u64,
    args: &[u64; 6],
    entry: &EntryStrings,
    result: Option<i64>,
) -> String {
    let parts: Vec<String> = layout(nr, args)
        .into_iter()
        .map(|(i, arg, label)| {
            let v = match (&entry[i], arg.is_out()) {
                (Some(s), false) => s.clone(),
                _ => render_arg(mem, args, i, arg, result),
            };
            if label.is_empty() {
                v
            } else {
                format!("{label}={v}")
            }
        })
        .collect();
    let mut s = format!("{}({}", call_name(nr), parts.join(", "));
    if nr == 435
        && let Some(r) = result
    {
        // clone3: ` => {parent_tid=[N]}` goes inside the struct argument.
        let extra = clone3_exit(mem, args, r);
        if !extra.is_empty()
            && let Some(pos) = s.find("}, ")
        {
            s.insert_str(pos + 1, &extra);
        }
    }
    s.push(')');
    s
}

/// Renders the return value: `3`, `0x7f...`, `-1 ENOENT (No such file or
/// directory)`, `? ERESTARTSYS (To be restarted if SA_RESTART is set)`.
pub fn format_result(mem: &dyn UserMemory, nr: u64, args: &[u64; 6], result: i64) -> String {
    if is_error(result) {
        let e = (-result) as i32;
        return match errno_name(e) {
            Some(name) if is_restart_errno(e) => format!("? {name} ({})", errno_message(e)),
            Some(name) => format!("-1 {name} ({})", errno_message(e)),
            None => format!("-1 ERRNO_{e} (Unknown error {e})"),
        };
    }
    match ret_kind(nr) {
        Ret::Hex => hex(result as u64),
        Ret::Oct => fl::mode(result as u64),
        Ret::NoReturn => "?".into(),
        Ret::Dec => {
            let r = result;
            match nr {
                72 if r > 0 => match args[1] & 0xffff_ffff {
                    1 => format!("{r:#x} (flags {})", fl::flags(r as u64, fl::FD_FLAGS)),
                    3 => format!("{r:#x} (flags {})", fl::open_flags(r as u64)),
                    1034 => format!("{r:#x} (seals {})", fl::flags(r as u64, fl::SEALS)),
                    _ => r.to_string(),
                },
                7 | 23 | 270 | 271 if r == 0 => "0 (Timeout)".into(),
                7 | 271 if r > 0 => {
                    let n = args[1].min(1024) as usize;
                    match mem.read_bytes(args[0], n * 8) {
                        None => r.to_string(),
                        Some(b) => {
                            let ready: Vec<String> = (0..n)
                                .filter(|k| u16_at(&b, k * 8 + 6) != 0)
                                .map(|k| {
                                    format!(
                                        "{{fd={}, revents={}}}",
                                        u32_at(&b, k * 8) as i32,
                                        fl::flags(
                                            u64::from(u16_at(&b, k * 8 + 6)),
                                            fl::POLL_EVENTS
                                        )
                                    )
                                })
                                .collect();
                            format!("{r} ([{}])", ready.join(", "))
                        }
                    }
                }
                201 => format!("{r} ({})", iso_date(r)),
                _ => r.to_string(),
            }
        }
    }
}

/// The complete line body for a finished call, e.g.
/// `openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3`.
/// `entry` comes from [`capture_entry`] at syscall entry; `mem_at_exit`
/// is read for output arguments.
pub fn format_call(
    mem_at_exit: &dyn UserMemory,
    nr: u64,
    args: &[u64; 6],
    entry: &EntryStrings,
    result: i64,
) -> String {
    format!(
        "{} = {}",
        body(mem_at_exit, nr, args, entry, Some(result)),
        format_result(mem_at_exit, nr, args, result)
    )
}

/// The line for a call that does not return (`exit`, `exit_group`, or the
/// thread dying inside the call): `exit_group(0) = ?`.
pub fn format_noreturn(
    mem: &dyn UserMemory,
    nr: u64,
    args: &[u64; 6],
    entry: &EntryStrings,
) -> String {
    format!("{} = ?", body(mem, nr, args, entry, None))
}

/// strace's `-f` line prefix: `[pid     1] `.
pub fn pid_prefix(pid: i32) -> String {
    format!("[pid {pid:>5}] ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Fake user memory: a set of disjoint readable regions.
    #[derive(Default)]
    struct Mem(BTreeMap<u64, Vec<u8>>);

    impl Mem {
        fn put(&mut self, addr: u64, bytes: &[u8]) -> &mut Self {
            self.0.insert(addr, bytes.to_vec());
            self
        }
        fn put_u64s(&mut self, addr: u64, vals: &[u64]) -> &mut Self {
            let b: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
            self.put(addr, &b)
        }
        fn put_str(&mut self, addr: u64, s: &str) -> &mut Self {
            let mut b = s.as_bytes().to_vec();
            b.push(0);
            self.put(addr, &b)
        }
    }

    impl UserMemory for Mem {
        fn read_bytes(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
            let (start, data) = self.0.range(..=addr).next_back()?;
            let off = (addr - start) as usize;
            data.get(off..off.checked_add(len)?).map(<[u8]>::to_vec)
        }
        fn read_cstring(&self, addr: u64, max: usize) -> Option<(Vec<u8>, bool)> {
            let (start, data) = self.0.range(..=addr).next_back()?;
            let off = (addr - start) as usize;
            let rest = data.get(off..).filter(|r| !r.is_empty())?;
            let rest = &rest[..rest.len().min(max)];
            match rest.iter().position(|&c| c == 0) {
                Some(n) => Some((rest[..n].to_vec(), true)),
                None => Some((rest.to_vec(), false)),
            }
        }
    }

    const AT_FDCWD: u64 = (-100i64) as u64;

    /// Runs the two phases (entry capture, exit formatting).
    fn line(mem: &Mem, name: &str, args: &[u64], result: i64) -> String {
        let nr = super::super::names::syscall_number(name).expect("known syscall");
        let mut a = [0u64; 6];
        a[..args.len()].copy_from_slice(args);
        let entry = capture_entry(mem, nr, &a);
        format_call(mem, nr, &a, &entry, result)
    }

    fn err(e: i32) -> i64 {
        -i64::from(e)
    }

    #[test]
    fn quoting() {
        assert_eq!(
            quote(b"hello\n\tworld\"\\ \x01\x7f\xff", false),
            r#""hello\n\tworld\"\\ \1\177\377""#
        );
        assert_eq!(quote(b"\x00\x31", false), r#""\0001""#);
        assert_eq!(quote(b"\x00\x38", false), r#""\08""#);
        assert_eq!(quote(b"\x0b\x0c\r", false), r#""\v\f\r""#);
        assert_eq!(quote(b"\x9d\x5b", true), r#""\x9d\x5b""#);
        assert_eq!(iso_date(1795609770), "2026-11-25T12:29:30+0000");
        assert_eq!(iso_date(0), "1970-01-01T00:00:00+0000");
        assert_eq!(pid_prefix(1), "[pid     1] ");
    }

    #[test]
    fn brief_examples() {
        let mut m = Mem::default();
        m.put_str(0x1000, "/etc/ld.so.cache");
        assert_eq!(
            line(&m, "openat", &[AT_FDCWD, 0x1000, 0o2000000], 3),
            r#"openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3"#
        );
        let mut elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\x90\xa3\x02\x00\x00\x00\x00\x00".to_vec();
        elf.resize(832, 7);
        m.put(0x2000, &elf);
        assert_eq!(
            line(&m, "read", &[3, 0x2000, 832], 832),
            r#"read(3, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\220\243\2\0\0\0\0\0"..., 832) = 832"#
        );
        assert_eq!(
            line(&m, "mmap", &[0, 8192, 3, 0x22, u64::MAX, 0], 0x7f1c2a3b4000),
            "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1c2a3b4000"
        );
        m.put_str(0x3000, "/etc/ld.so.preload");
        assert_eq!(
            line(&m, "access", &[0x3000, 4], err(2)),
            r#"access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)"#
        );
        let entry = capture_entry(&m, 231, &[0; 6]);
        assert_eq!(
            format_noreturn(&m, 231, &[0; 6], &entry),
            "exit_group(0) = ?"
        );
    }

    #[test]
    fn file_calls() {
        let mut m = Mem::default();
        m.put_str(0x1000, "/tmp/ct/f1");
        assert_eq!(
            line(&m, "openat", &[AT_FDCWD, 0x1000, 0o1101, 0o644], 3),
            r#"openat(AT_FDCWD, "/tmp/ct/f1", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3"#
        );
        m.put(0x2000, b"hello\n\tworld\"\\ \x01\x7f\xff");
        assert_eq!(
            line(&m, "write", &[3, 0x2000, 18], 18),
            r#"write(3, "hello\n\tworld\"\\ \1\177\377", 18) = 18"#
        );
        m.put(0x3000, b"0123456789012345678901234567890123456789");
        assert_eq!(
            line(&m, "write", &[3, 0x3000, 40], 40),
            r#"write(3, "01234567890123456789012345678901"..., 40) = 40"#
        );
        assert_eq!(line(&m, "write", &[1, 0x10, 5], 5), "write(1, 0x10, 5) = 5");
        assert_eq!(
            line(&m, "open", &[0x10, 0], err(14)),
            "open(0x10, O_RDONLY) = -1 EFAULT (Bad address)"
        );
        assert_eq!(
            line(&m, "read", &[999, 0x7ffd40bf4700, 10], err(9)),
            "read(999, 0x7ffd40bf4700, 10) = -1 EBADF (Bad file descriptor)"
        );
        // struct stat: st_mode at 24, st_size at 48.
        let mut st = vec![0u8; 144];
        st[24..28].copy_from_slice(&0o100644u32.to_le_bytes());
        st[48..56].copy_from_slice(&58u64.to_le_bytes());
        m.put(0x4000, &st);
        m.put_str(0x5000, "");
        assert_eq!(
            line(&m, "newfstatat", &[6, 0x5000, 0x4000, 0x1000], 0),
            r#"newfstatat(6, "", {st_mode=S_IFREG|0644, st_size=58, ...}, AT_EMPTY_PATH) = 0"#
        );
        let mut dev = vec![0u8; 144];
        dev[24..28].copy_from_slice(&0o020666u32.to_le_bytes());
        dev[40..48].copy_from_slice(&0x103u64.to_le_bytes());
        m.put(0x6000, &dev);
        m.put_str(0x7000, "/dev/null");
        assert_eq!(
            line(&m, "stat", &[0x7000, 0x6000], 0),
            r#"stat("/dev/null", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0"#
        );
        m.put_str(0x8000, "/nonexist");
        assert_eq!(
            line(
                &m,
                "newfstatat",
                &[AT_FDCWD, 0x8000, 0x7ffd40bf4670, 0x100],
                err(2)
            ),
            r#"newfstatat(AT_FDCWD, "/nonexist", 0x7ffd40bf4670, AT_SYMLINK_NOFOLLOW) = -1 ENOENT (No such file or directory)"#
        );
        // statx: mask 0x173f... strace example.
        let mut sx = vec![0u8; 256];
        sx[0..4].copy_from_slice(&0x1fffu32.to_le_bytes());
        sx[28..30].copy_from_slice(&0o100000u16.to_le_bytes());
        sx[40..48].copy_from_slice(&58u64.to_le_bytes());
        m.put(0x9000, &sx);
        assert_eq!(
            line(&m, "statx", &[AT_FDCWD, 0x1000, 0x100, 0xfff, 0x9000], 0),
            r#"statx(AT_FDCWD, "/tmp/ct/f1", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|000, stx_size=58, ...}) = 0"#
        );
        assert_eq!(
            line(&m, "fcntl", &[6, 2, 1], 0),
            "fcntl(6, F_SETFD, FD_CLOEXEC) = 0"
        );
        assert_eq!(
            line(&m, "fcntl", &[6, 1, 0], 1),
            "fcntl(6, F_GETFD) = 0x1 (flags FD_CLOEXEC)"
        );
        assert_eq!(
            line(&m, "fcntl", &[6, 3, 0], 0x8800),
            "fcntl(6, F_GETFL) = 0x8800 (flags O_RDONLY|O_NONBLOCK|O_LARGEFILE)"
        );
        assert_eq!(
            line(&m, "fcntl", &[6, 0x999, 1], err(22)),
            "fcntl(6, 0x999 /* F_??? */, 0x1) = -1 EINVAL (Invalid argument)"
        );
        // getdents64: two records of 24 bytes.
        let mut d = vec![0u8; 48];
        d[16..18].copy_from_slice(&24u16.to_le_bytes());
        d[40..42].copy_from_slice(&24u16.to_le_bytes());
        m.put(0xa000, &d);
        assert_eq!(
            line(&m, "getdents64", &[19, 0xa000, 256], 48),
            "getdents64(19, 0xa000 /* 2 entries */, 256) = 48"
        );
        m.put_u64s(0xb000, &[0, 0]);
        m.put(0xb000, &[7, 0, 0, 0, 8, 0, 0, 0]);
        assert_eq!(
            line(&m, "pipe2", &[0xb000, 0o2004000], 0),
            "pipe2([7, 8], O_NONBLOCK|O_CLOEXEC) = 0"
        );
        assert_eq!(line(&m, "umask", &[0o22], 0o22), "umask(022) = 022");
        m.put(0xc000, b"ello\n\tw");
        m.put_u64s(0xd000, &[0xc000, 3, 0xc003, 4]);
        assert_eq!(
            line(&m, "readv", &[6, 0xd000, 2], 7),
            r#"readv(6, [{iov_base="ell", iov_len=3}, {iov_base="o\n\tw", iov_len=4}], 2) = 7"#
        );
        assert_eq!(
            line(&m, "lseek", &[6, 1, 7], err(22)),
            "lseek(6, 1, 0x7 /* SEEK_??? */) = -1 EINVAL (Invalid argument)"
        );
        m.put_str(0xe000, "f1");
        assert_eq!(
            line(&m, "readlink", &[0x1000, 0xe000, 256], 2),
            r#"readlink("/tmp/ct/f1", "f1", 256) = 2"#
        );
    }

    #[test]
    fn process_calls() {
        let mut m = Mem::default();
        m.put_str(0x1000, "/bin/echo")
            .put_str(0x1100, "a b")
            .put_str(0x1200, "c\n");
        m.put_u64s(0x2000, &[0x1000, 0x1100, 0x1200, 0]);
        m.put_str(0x1300, "A=1").put_str(0x1400, "B=2");
        m.put_u64s(0x7ffd40bf3dd0, &[0x1300, 0x1400, 0]);
        assert_eq!(
            line(&m, "execve", &[0x1000, 0x2000, 0x7ffd40bf3dd0], 0),
            r#"execve("/bin/echo", ["/bin/echo", "a b", "c\n"], 0x7ffd40bf3dd0 /* 2 vars */) = 0"#
        );
        assert_eq!(
            line(&m, "clone", &[0x1200011, 0, 0, 0x7f4a80c69a10, 0], 8939),
            "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f4a80c69a10) = 8939"
        );
        m.put(0x3000, &[0x15, 0x24, 0, 0]);
        assert_eq!(
            line(
                &m,
                "clone",
                &[0x3d0f00, 0x7f00, 0x3000, 0x4000, 0x5000],
                9096
            ),
            "clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[9237], tls=0x5000, child_tidptr=0x4000) = 9096"
        );
        m.put(0x4000, &(3u32 << 8).to_le_bytes());
        assert_eq!(
            line(&m, "wait4", &[8939, 0x4000, 0, 0], 8939),
            "wait4(8939, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 8939"
        );
        m.put(0x4100, &15u32.to_le_bytes());
        assert_eq!(
            line(&m, "wait4", &[8940, 0x4100, 0, 0], 8940),
            "wait4(8940, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], 0, NULL) = 8940"
        );
        assert_eq!(
            line(&m, "wait4", &[8940, 0x4100, 0x40000001, 0], 0),
            "wait4(8940, 0x4100, WNOHANG|__WALL, NULL) = 0"
        );
        assert_eq!(line(&m, "kill", &[8940, 15], 0), "kill(8940, SIGTERM) = 0");
        // clone3 with CLONE_PARENT_SETTID.
        let mut ca = vec![0u64; 11];
        ca[0] = 0x3d0f00;
        ca[2] = 0x7f10;
        ca[3] = 0x3000;
        ca[5] = 0x7e00;
        ca[6] = 0x7fff00;
        ca[7] = 0x7f20;
        m.put_u64s(0x5000, &ca);
        assert_eq!(
            line(&m, "clone3", &[0x5000, 88], 9237),
            "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f10, parent_tid=0x3000, exit_signal=0, stack=0x7e00, stack_size=0x7fff00, tls=0x7f20} => {parent_tid=[9237]}, 88) = 9237"
        );
        let mut uts = vec![0u8; 65 * 6];
        uts[..5].copy_from_slice(b"Linux");
        uts[65..67].copy_from_slice(b"vm");
        m.put(0x6000, &uts);
        assert_eq!(
            line(&m, "uname", &[0x6000], 0),
            r#"uname({sysname="Linux", nodename="vm", ...}) = 0"#
        );
        m.put_u64s(0x7000, &[0x7f4a80c69740]);
        assert_eq!(
            line(&m, "arch_prctl", &[0x1003, 0x7000], 0),
            "arch_prctl(ARCH_GET_FS, [0x7f4a80c69740]) = 0"
        );
        assert_eq!(
            line(&m, "arch_prctl", &[0x1002, 0x7f12a686d740], 0),
            "arch_prctl(ARCH_SET_FS, 0x7f12a686d740) = 0"
        );
        m.put_u64s(0x8000, &[20000, u64::MAX]);
        assert_eq!(
            line(&m, "prlimit64", &[0, 7, 0, 0x8000], 0),
            "prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=20000, rlim_max=RLIM64_INFINITY}) = 0"
        );
        m.put_u64s(0x9000, &[0, 1000]);
        assert_eq!(
            line(
                &m,
                "futex",
                &[0x7ffd40bf3fec, 0x89, 0, 0x9000, 0, 0xffff_ffff],
                err(110)
            ),
            "futex(0x7ffd40bf3fec, FUTEX_WAIT_BITSET_PRIVATE, 0, {tv_sec=0, tv_nsec=1000}, FUTEX_BITSET_MATCH_ANY) = -1 ETIMEDOUT (Connection timed out)"
        );
        assert_eq!(
            line(&m, "futex", &[0x7ffd40bf3fec, 0x81, 1], 0),
            "futex(0x7ffd40bf3fec, FUTEX_WAKE_PRIVATE, 1) = 0"
        );
        assert_eq!(
            line(&m, "futex", &[0x10, 0x80, 0, 0], err(512)),
            "futex(0x10, FUTEX_WAIT_PRIVATE, 0, NULL) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)"
        );
        m.put_str(0xa000, "myname");
        assert_eq!(
            line(&m, "prctl", &[15, 0xa000], 0),
            r#"prctl(PR_SET_NAME, "myname") = 0"#
        );
        assert_eq!(
            line(&m, "prctl", &[38, 1, 0, 0, 0], 0),
            "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0"
        );
        m.put(0xb000, &[3, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            line(&m, "sched_getaffinity", &[0, 128, 0xb000], 8),
            "sched_getaffinity(0, 128, [0 1]) = 8"
        );
        assert_eq!(
            line(&m, "rseq", &[0x7f12a686e060, 0x20, 0, 0x53053053], 0),
            "rseq(0x7f12a686e060, 0x20, 0, 0x53053053) = 0"
        );
        m.put_u64s(0xc000, &[1795609770]);
        assert_eq!(
            line(&m, "time", &[0xc000], 1795609770),
            "time([1795609770 /* 2026-11-25T12:29:30+0000 */]) = 1795609770 (2026-11-25T12:29:30+0000)"
        );
        assert_eq!(line(&m, "getpid", &[], 8938), "getpid() = 8938");
    }

    #[test]
    fn signals_and_ioctls() {
        let mut m = Mem::default();
        m.put_u64s(
            0x1000,
            &[
                0x55b9e8732769,
                0x1400_0004,
                0x7f4a80ca8050,
                (1 << 14) | (1 << 33),
            ],
        );
        assert_eq!(
            line(&m, "rt_sigaction", &[2, 0x1000, 0, 8], 0),
            "rt_sigaction(SIGINT, {sa_handler=0x55b9e8732769, sa_mask=[TERM RT_2], sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO, sa_restorer=0x7f4a80ca8050}, NULL, 8) = 0"
        );
        m.put_u64s(0x2000, &[1, 0x0400_0000, 0x7f4a80ca8050, 0]);
        m.put_u64s(0x3000, &[0, 0, 0, 0]);
        assert_eq!(
            line(&m, "rt_sigaction", &[13, 0x2000, 0x3000, 8], 0),
            "rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x7f4a80ca8050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0"
        );
        m.put_u64s(0x4000, &[!((1 << 8) | (1 << 31) | (1 << 32))]);
        assert_eq!(
            line(&m, "rt_sigprocmask", &[0, 0x4000, 0, 8], 0),
            "rt_sigprocmask(SIG_BLOCK, ~[KILL RTMIN RT_1], NULL, 8) = 0"
        );
        // termios as on a pty.
        let mut t = vec![0u8; 36];
        t[0..4].copy_from_slice(&0x500u32.to_le_bytes());
        t[4..8].copy_from_slice(&0x5u32.to_le_bytes());
        t[8..12].copy_from_slice(&0xbfu32.to_le_bytes());
        t[12..16].copy_from_slice(&0x8a3bu32.to_le_bytes());
        m.put(0x5000, &t);
        assert_eq!(
            line(&m, "ioctl", &[0, 0x5401, 0x5000], 0),
            "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0"
        );
        assert_eq!(
            line(&m, "ioctl", &[1, 0x5401, 0x7ffef191d740], err(25)),
            "ioctl(1, TCGETS, 0x7ffef191d740) = -1 ENOTTY (Inappropriate ioctl for device)"
        );
        m.put(0x6000, &[24, 0, 80, 0, 0, 0, 0, 0]);
        assert_eq!(
            line(&m, "ioctl", &[1, 0x5413, 0x6000], 0),
            "ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0"
        );
        m.put(0x7000, &50u32.to_le_bytes());
        assert_eq!(
            line(&m, "ioctl", &[6, 0x541b, 0x7000], 0),
            "ioctl(6, FIONREAD, [50]) = 0"
        );
        assert_eq!(line(&m, "ioctl", &[6, 0x5451], 0), "ioctl(6, FIOCLEX) = 0");
        assert_eq!(
            line(&m, "ioctl", &[6, 0x1234, 5], err(25)),
            "ioctl(6, _IOC(_IOC_NONE, 0x12, 0x34, 0), 0x5) = -1 ENOTTY (Inappropriate ioctl for device)"
        );
    }

    #[test]
    fn sockets_polls_misc() {
        let mut m = Mem::default();
        assert_eq!(
            line(&m, "socket", &[1, 0x80801, 0], 13),
            "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 13"
        );
        assert_eq!(
            line(&m, "socket", &[2, 2, 17], 14),
            "socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) = 14"
        );
        let mut su = vec![1u8, 0];
        su.extend_from_slice(b"/nonexistent.sock");
        su.resize(110, 0);
        m.put(0x1000, &su);
        assert_eq!(
            line(&m, "connect", &[13, 0x1000, 110], err(2)),
            r#"connect(13, {sa_family=AF_UNIX, sun_path="/nonexistent.sock"}, 110) = -1 ENOENT (No such file or directory)"#
        );
        m.put(0x2000, &[2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            line(&m, "connect", &[99, 0x2000, 16], err(9)),
            r#"connect(99, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EBADF (Bad file descriptor)"#
        );
        let mut s6 = vec![0u8; 28];
        s6[0] = 10;
        s6[2..4].copy_from_slice(&443u16.to_be_bytes());
        s6[23] = 1;
        m.put(0x2100, &s6);
        assert_eq!(
            line(&m, "connect", &[99, 0x2100, 28], err(9)),
            r#"connect(99, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EBADF (Bad file descriptor)"#
        );
        // pollfd {fd, events, revents}; revents filled at exit.
        m.put(0x3000, &[6, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0xc, 0, 4, 0]);
        assert_eq!(
            line(&m, "poll", &[0x3000, 2, 0], 2),
            "poll([{fd=6, events=POLLIN}, {fd=1, events=POLLOUT|POLLERR}], 2, 0) = 2 ([{fd=6, revents=POLLIN}, {fd=1, revents=POLLOUT}])"
        );
        m.put(0x4000, &[0x9d, 0x5b, 0x4f, 0x1b, 0xaf, 0x2b, 0xfe, 0x77]);
        assert_eq!(
            line(&m, "getrandom", &[0x4000, 8, 1], 8),
            r#"getrandom("\x9d\x5b\x4f\x1b\xaf\x2b\xfe\x77", 8, GRND_NONBLOCK) = 8"#
        );
        let mut ev = 0x8000_0001u32.to_le_bytes().to_vec();
        ev.extend_from_slice(&7u64.to_le_bytes());
        m.put(0x5000, &ev);
        assert_eq!(
            line(&m, "epoll_ctl", &[23, 1, 9, 0x5000], 0),
            "epoll_ctl(23, EPOLL_CTL_ADD, 9, {events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}) = 0"
        );
        assert_eq!(
            line(&m, "epoll_wait", &[23, 0x5000, 4, 0], 0),
            "epoll_wait(23, [], 4, 0) = 0"
        );
        assert_eq!(
            line(
                &m,
                "mmap",
                &[
                    0,
                    4096,
                    0x100,
                    0x3 | 0x80000 | 0x40000 | (21 << 26),
                    99,
                    0x1000
                ],
                err(9)
            ),
            "mmap(NULL, 4096, 0x100 /* PROT_??? */, MAP_SHARED_VALIDATE|MAP_HUGETLB|MAP_SYNC|21<<MAP_HUGE_SHIFT, 99, 0x1000) = -1 EBADF (Bad file descriptor)"
        );
        assert_eq!(
            line(&m, "brk", &[0], 0x55ba0e72a000),
            "brk(NULL) = 0x55ba0e72a000"
        );
        let a = [0x7ffd40bf4700, 0xa, 0xffffffffffffff80, 1, 1, 1];
        let entry = capture_entry(&m, 0x3f7, &a);
        assert_eq!(
            format_call(&m, 0x3f7, &a, &entry, err(38)),
            "syscall_0x3f7(0x7ffd40bf4700, 0xa, 0xffffffffffffff80, 0x1, 0x1, 0x1) = -1 ENOSYS (Function not implemented)"
        );
        assert_eq!(format_entry(&m, 0, &[3, 0x10, 832, 0, 0, 0]), "read(3, ");
        assert_eq!(format_entry(&m, 3, &[3, 0, 0, 0, 0, 0]), "close(3");
        assert_eq!(line(&m, "close", &[3], 0), "close(3) = 0");
    }
}
