//! Positional reads: the [`ReadAt`] trait through which the loader sees file contents.
//!
//! The sentry implements it for its own file objects; impls are provided here
//! for byte slices, `Vec<u8>`, `std::fs::File` and references/boxes thereof.

use std::io;

/// Random-access, read-only view of an executable file.
pub trait ReadAt {
    /// Read up to `buf.len()` bytes starting at `offset`. Returns the number
    /// of bytes read; `0` means end of file. Short reads are allowed.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// Current length of the file in bytes.
    fn len(&self) -> u64;

    /// `true` if the file is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        let Some(src) = self.get(start..) else {
            return Ok(0);
        };
        let n = buf.len().min(src.len());
        buf[..n].copy_from_slice(&src[..n]);
        Ok(n)
    }

    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.as_slice().read_at(offset, buf)
    }

    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
}

impl ReadAt for std::fs::File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }

    /// The file's size from `fstat`; `0` if that fails.
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }

    fn len(&self) -> u64 {
        (**self).len()
    }
}

impl<T: ReadAt + ?Sized> ReadAt for Box<T> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }

    fn len(&self) -> u64 {
        (**self).len()
    }
}

/// Read exactly `buf.len()` bytes at `offset` or fail with
/// [`LoadError::Truncated`](crate::LoadError::Truncated) (EOF) / `Io`.
pub(crate) fn read_exact_at<R: ReadAt + ?Sized>(
    file: &R,
    offset: u64,
    buf: &mut [u8],
    what: &'static str,
) -> Result<(), crate::LoadError> {
    let want = buf.len() as u64;
    let truncated = || crate::LoadError::Truncated {
        what,
        offset,
        len: want,
        file_len: file.len(),
    };
    let mut done = 0usize;
    while done < buf.len() {
        let Some(off) = offset.checked_add(done as u64) else {
            return Err(truncated());
        };
        match file.read_at(off, &mut buf[done..]) {
            Ok(0) => return Err(truncated()),
            // Guard against a misbehaving impl claiming more than it was given.
            Ok(n) => done = done.saturating_add(n).min(buf.len()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(crate::LoadError::Io(e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_reads() {
        let data: &[u8] = b"hello";
        let mut buf = [0u8; 3];
        assert_eq!(data.read_at(0, &mut buf).unwrap(), 3);
        assert_eq!(&buf, b"hel");
        assert_eq!(data.read_at(3, &mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"lo");
        assert_eq!(data.read_at(5, &mut buf).unwrap(), 0);
        assert_eq!(data.read_at(u64::MAX, &mut buf).unwrap(), 0);
        assert_eq!(ReadAt::len(data), 5);
        let v = data.to_vec();
        assert_eq!(ReadAt::len(&v), 5);
        assert!(!ReadAt::is_empty(&v));
    }

    #[test]
    fn file_reads() {
        let f = std::fs::File::open("/proc/self/exe").unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(ReadAt::read_at(&f, 0, &mut buf).unwrap(), 4);
        assert_eq!(&buf, b"\x7fELF");
        assert!(ReadAt::len(&f) > 64);
    }

    #[test]
    fn exact_read_truncates() {
        let data: &[u8] = b"abc";
        let mut buf = [0u8; 4];
        let e = read_exact_at(&data, 0, &mut buf, "x").unwrap_err();
        assert_eq!(e.errno(), crate::error::errno::ENOEXEC);
        let e = read_exact_at(&data, u64::MAX, &mut buf, "x").unwrap_err();
        assert!(matches!(e, crate::LoadError::Truncated { .. }));
    }
}
