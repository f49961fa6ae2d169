//! Extended attributes (`getxattr(2)`, `listxattr(2)`, `setxattr(2)`,
//! `removexattr(2)`). None of the sandbox's file systems stores extended
//! attributes yet, so a file has none: get fails with ENODATA, list is
//! empty, and set fails with EOPNOTSUPP, as on a file system without xattr
//! support. The path or fd is still checked first.

use sentry::kernel::{SyscallArgs, Task};
use sentry::{Errno, KResult};

/// The longest attribute name (XATTR_NAME_MAX).
const XATTR_NAME_MAX: usize = 255;

fn check_path(t: &Task, addr: u64, follow: bool) -> KResult<()> {
    let path = t.read_path(addr)?;
    t.resolve_at(-100, &path, follow)?;
    Ok(())
}

fn check_name(t: &Task, addr: u64) -> KResult<()> {
    let name = t.mm.read_cstring(addr, XATTR_NAME_MAX).map_err(|e| {
        if e == Errno::ENAMETOOLONG {
            Errno::ERANGE
        } else {
            e
        }
    })?;
    if name.is_empty() {
        return Err(Errno::ERANGE);
    }
    Ok(())
}

/// getxattr(2) / lgetxattr(2).
pub fn sys_getxattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    check_path(t, a.a[0], a.nr == 191)?;
    check_name(t, a.a[1])?;
    Err(Errno::ENODATA)
}

/// fgetxattr(2).
pub fn sys_fgetxattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.file(a.a[0] as i32)?;
    check_name(t, a.a[1])?;
    Err(Errno::ENODATA)
}

/// listxattr(2) / llistxattr(2): no attributes.
pub fn sys_listxattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    check_path(t, a.a[0], a.nr == 194)?;
    Ok(0)
}

/// flistxattr(2).
pub fn sys_flistxattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.file(a.a[0] as i32)?;
    Ok(0)
}

/// setxattr(2) / lsetxattr(2).
pub fn sys_setxattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    check_path(t, a.a[0], a.nr == 188)?;
    check_name(t, a.a[1])?;
    Err(Errno::EOPNOTSUPP.why("no file system stores extended attributes yet"))
}

/// fsetxattr(2).
pub fn sys_fsetxattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.file(a.a[0] as i32)?;
    check_name(t, a.a[1])?;
    Err(Errno::EOPNOTSUPP.why("no file system stores extended attributes yet"))
}

/// removexattr(2) / lremovexattr(2).
pub fn sys_removexattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    check_path(t, a.a[0], a.nr == 197)?;
    check_name(t, a.a[1])?;
    Err(Errno::ENODATA)
}

/// fremovexattr(2).
pub fn sys_fremovexattr(t: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    t.file(a.a[0] as i32)?;
    check_name(t, a.a[1])?;
    Err(Errno::ENODATA)
}
