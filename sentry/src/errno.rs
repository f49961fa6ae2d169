//! The one error type of the sentry: a Linux errno, optionally carrying a
//! static note that says why (shown by `--strace` and the log, never to the
//! application, which only sees the number).

use std::fmt;

/// A Linux errno value plus an optional static explanation.
#[derive(Clone, Copy)]
pub struct Errno {
    code: i32,
    why: &'static str,
}

impl PartialEq for Errno {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}
impl Eq for Errno {}

macro_rules! errnos {
    ($($name:ident = $val:expr),* $(,)?) => {
        impl Errno {
            $(pub const $name: Errno = Errno { code: $val, why: "" };)*
        }
    };
}

errnos! {
    EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
    ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
    EFAULT = 14, ENOTBLK = 15, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19,
    ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
    ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31,
    EPIPE = 32, EDOM = 33, ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36,
    ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42,
    ENODATA = 61, ETIME = 62, EOVERFLOW = 75, ELIBBAD = 80, EILSEQ = 84,
    ENOTSOCK = 88, EDESTADDRREQ = 89, EMSGSIZE = 90, EPROTOTYPE = 91,
    ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, EOPNOTSUPP = 95, EAFNOSUPPORT = 97,
    EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENOTCONN = 107, ETIMEDOUT = 110,
    ECONNREFUSED = 111, EALREADY = 114, EINPROGRESS = 115, ENOTSUP = 95,
    ECANCELED = 125,
    // Kernel-internal: the call restarts after any signal handler (never
    // seen by the application).
    ERESTARTNOINTR = 513,
}

impl Errno {
    /// An errno from its number (e.g. one a host call returned).
    pub const fn new(code: i32) -> Errno {
        Errno { code, why: "" }
    }

    /// The same errno with a note saying why it was returned.
    pub const fn why(self, why: &'static str) -> Errno {
        Errno {
            code: self.code,
            why,
        }
    }

    /// The errno number.
    pub const fn code(self) -> i32 {
        self.code
    }

    /// The note, or "" when there is none.
    pub const fn note(self) -> &'static str {
        self.why
    }

    /// The errno of the last failed host call.
    pub fn last_host() -> Errno {
        Errno::new(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }

    /// The raw value a syscall returns for this error (`-errno`).
    pub const fn as_return(self) -> u64 {
        (-(self.code as i64)) as u64
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        Errno::new(e.raw_os_error().unwrap_or(libc::EIO))
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.why.is_empty() {
            write!(f, "errno {}", self.code)
        } else {
            write!(f, "errno {} ({})", self.code, self.why)
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Errno {}

/// The sentry's result type.
pub type KResult<T> = Result<T, Errno>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_value_is_negated_errno() {
        assert_eq!(Errno::ENOENT.as_return() as i64, -2);
        assert_eq!(Errno::ENOSYS.why("x"), Errno::ENOSYS);
        assert_eq!(Errno::EINVAL.why("bad flag").note(), "bad flag");
    }
}
