//! Encoders of the x86_64 user structures the handlers copy out (`struct
//! stat`, `struct statx`, `linux_dirent64`, timespec, timeval).

use sentry::vfs::{DirEntry, Stat, Timespec};

/// The major number of a Linux device number.
pub fn dev_major(dev: u64) -> u32 {
    (((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff)) as u32
}

/// The minor number of a Linux device number.
pub fn dev_minor(dev: u64) -> u32 {
    ((dev & 0xff) | ((dev >> 12) & !0xff)) as u32
}

/// `struct stat` (144 bytes).
pub fn encode_stat(s: &Stat) -> [u8; 144] {
    let mut b = [0u8; 144];
    put(&mut b, 0, s.dev);
    put(&mut b, 8, s.ino);
    put(&mut b, 16, s.nlink);
    b[24..28].copy_from_slice(&s.mode.to_ne_bytes());
    b[28..32].copy_from_slice(&s.uid.to_ne_bytes());
    b[32..36].copy_from_slice(&s.gid.to_ne_bytes());
    put(&mut b, 40, s.rdev);
    put(&mut b, 48, s.size);
    put(&mut b, 56, s.blksize);
    put(&mut b, 64, s.blocks);
    put_ts(&mut b, 72, s.atime);
    put_ts(&mut b, 88, s.mtime);
    put_ts(&mut b, 104, s.ctime);
    b
}

/// STATX_BASIC_STATS.
pub const STATX_BASIC_STATS: u32 = 0x7ff;

/// `struct statx` (256 bytes) with the basic stats.
pub fn encode_statx(s: &Stat) -> [u8; 256] {
    let mut b = [0u8; 256];
    b[0..4].copy_from_slice(&STATX_BASIC_STATS.to_ne_bytes());
    b[4..8].copy_from_slice(&(s.blksize as u32).to_ne_bytes());
    b[16..20].copy_from_slice(&(s.nlink as u32).to_ne_bytes());
    b[20..24].copy_from_slice(&s.uid.to_ne_bytes());
    b[24..28].copy_from_slice(&s.gid.to_ne_bytes());
    b[28..30].copy_from_slice(&(s.mode as u16).to_ne_bytes());
    put(&mut b, 32, s.ino);
    put(&mut b, 40, s.size);
    put(&mut b, 48, s.blocks);
    let ts = |b: &mut [u8; 256], off: usize, t: Timespec| {
        b[off..off + 8].copy_from_slice(&t.sec.to_ne_bytes());
        b[off + 8..off + 12].copy_from_slice(&(t.nsec as u32).to_ne_bytes());
    };
    ts(&mut b, 64, s.atime);
    ts(&mut b, 96, s.ctime);
    ts(&mut b, 112, s.mtime);
    b[128..132].copy_from_slice(&dev_major(s.rdev).to_ne_bytes());
    b[132..136].copy_from_slice(&dev_minor(s.rdev).to_ne_bytes());
    b[136..140].copy_from_slice(&dev_major(s.dev).to_ne_bytes());
    b[140..144].copy_from_slice(&dev_minor(s.dev).to_ne_bytes());
    b
}

fn put(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
}

fn put_ts(b: &mut [u8], off: usize, t: Timespec) {
    b[off..off + 8].copy_from_slice(&t.sec.to_ne_bytes());
    b[off + 8..off + 16].copy_from_slice(&t.nsec.to_ne_bytes());
}

/// Appends one `linux_dirent64` if it fits in `cap`; false when it does not.
pub fn push_dirent64(out: &mut Vec<u8>, cap: usize, e: &DirEntry, next_off: u64) -> bool {
    let reclen = (19 + e.name.len() + 1).div_ceil(8) * 8;
    if out.len() + reclen > cap {
        return false;
    }
    let start = out.len();
    out.extend_from_slice(&e.ino.to_ne_bytes());
    out.extend_from_slice(&next_off.to_ne_bytes());
    out.extend_from_slice(&(reclen as u16).to_ne_bytes());
    out.push(e.kind.dirent_type());
    out.extend_from_slice(&e.name);
    out.resize(start + reclen, 0);
    true
}

/// A `struct timespec`.
pub fn encode_timespec(sec: i64, nsec: i64) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&sec.to_ne_bytes());
    b[8..].copy_from_slice(&nsec.to_ne_bytes());
    b
}

/// Decodes a `struct timespec`.
pub fn decode_timespec(b: [u8; 16]) -> (i64, i64) {
    let mut s = [0u8; 8];
    let mut n = [0u8; 8];
    s.copy_from_slice(&b[..8]);
    n.copy_from_slice(&b[8..]);
    (i64::from_ne_bytes(s), i64::from_ne_bytes(n))
}

/// A `struct rusage` with CPU times `times` (ns, truncated to
/// microseconds as Linux does); the other counters are not kept and read
/// zero.
pub fn encode_rusage(times: sentry::kernel::cputime::CpuTimes) -> [u8; 144] {
    let mut b = [0u8; 144];
    for (i, ns) in [times.user, times.sys].into_iter().enumerate() {
        let us = ns / 1000;
        b[i * 16..i * 16 + 8].copy_from_slice(&((us / 1_000_000) as i64).to_ne_bytes());
        b[i * 16 + 8..i * 16 + 16].copy_from_slice(&((us % 1_000_000) as i64).to_ne_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentry::vfs::FileType;

    #[test]
    fn dirent_is_aligned_and_bounded() {
        let e = DirEntry {
            name: b"abc".to_vec(),
            ino: 7,
            kind: FileType::Regular,
        };
        let mut v = Vec::new();
        assert!(push_dirent64(&mut v, 24, &e, 1));
        assert_eq!(v.len(), 24);
        assert_eq!(u16::from_ne_bytes([v[16], v[17]]), 24);
        assert_eq!(v[18], 8);
        assert!(!push_dirent64(&mut v, 40, &e, 2));
    }

    #[test]
    fn stat_layout_matches_libc() {
        let s = Stat {
            dev: 0x803,
            ino: 42,
            mode: 0o100644,
            nlink: 1,
            size: 99,
            ..Stat::default()
        };
        let b = encode_stat(&s);
        // SAFETY-free check through libc's own struct layout.
        assert_eq!(std::mem::size_of::<libc::stat>(), 144);
        assert_eq!(u64::from_ne_bytes(b[8..16].try_into().unwrap()), 42);
        assert_eq!(u32::from_ne_bytes(b[24..28].try_into().unwrap()), 0o100644);
        assert_eq!(i64::from_ne_bytes(b[48..56].try_into().unwrap()), 99);
        assert_eq!(dev_major(0x803), 8);
        assert_eq!(dev_minor(0x803), 3);
    }
}
