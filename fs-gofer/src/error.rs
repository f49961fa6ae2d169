//! The crate's single error type.

/// Everything that can go wrong talking to (or being) the gofer.
#[derive(Debug, thiserror::Error)]
pub enum GoferError {
    /// The server answered the request with this (positive) errno; hand it
    /// to the guest unchanged. The client also produces `ENAMETOOLONG`
    /// locally for a path longer than [`crate::wire::MAX_PATH_LEN`], which
    /// could not even be put on the wire.
    #[error("gofer: remote errno {0}")]
    Remote(i32),
    /// A local system call (socket I/O, file system access) failed.
    #[error("gofer: I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer sent something malformed; the string names what.
    #[error("gofer: protocol error: {0}")]
    Protocol(&'static str),
    /// The Hello exchange found different protocol versions.
    #[error("gofer: protocol version mismatch (ours {ours}, theirs {theirs})")]
    VersionMismatch {
        /// Our [`crate::wire::PROTOCOL_VERSION`].
        ours: u32,
        /// The version the peer announced.
        theirs: u32,
    },
}

impl GoferError {
    /// The errno a sentry should report to the guest for this error:
    /// the remote errno for [`GoferError::Remote`], the OS errno of an I/O
    /// error when there is one, and `EIO` otherwise.
    pub fn errno(&self) -> i32 {
        match self {
            GoferError::Remote(e) => *e,
            GoferError::Io(e) => e.raw_os_error().unwrap_or(libc::EIO),
            GoferError::Protocol(_) | GoferError::VersionMismatch { .. } => libc::EIO,
        }
    }
}
