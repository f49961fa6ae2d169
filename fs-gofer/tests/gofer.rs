//! End-to-end tests: a server thread on a temporary tree, driven through
//! `GoferClient` (and, for hostile input, through the raw socket).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixDatagram;
use std::sync::Arc;
use std::thread::JoinHandle;

use common::{BIG, HELLO, Tree, big_name, snapshot};
use fs_gofer::wire::{self, Reply, Request};
use fs_gofer::{GoferClient, GoferError, PROTOCOL_VERSION, Stat, serve, spawn_pair};

type Server = JoinHandle<Result<(), GoferError>>;

fn start(tree: &Tree) -> (OwnedFd, Server) {
    let (client, server) = spawn_pair().unwrap();
    let root = tree.root_fd();
    let h = std::thread::spawn(move || serve(root, server));
    (client, h)
}

fn connect(tree: &Tree) -> (GoferClient, Server) {
    let (sock, h) = start(tree);
    (GoferClient::connect(sock).unwrap(), h)
}

fn errno<T: std::fmt::Debug>(r: Result<T, GoferError>) -> i32 {
    match r {
        Err(GoferError::Remote(e)) => e,
        other => panic!("expected a remote errno, got {other:?}"),
    }
}

fn assert_matches_host(st: &Stat, md: &fs::Metadata) {
    assert_eq!(st.dev, md.dev());
    assert_eq!(st.ino, md.ino());
    assert_eq!(st.mode, md.mode());
    assert_eq!(st.nlink, md.nlink());
    assert_eq!(st.uid, md.uid());
    assert_eq!(st.gid, md.gid());
    assert_eq!(st.rdev, md.rdev());
    assert_eq!(st.size as u64, md.size());
    assert_eq!(st.blksize as u64, md.blksize());
    assert_eq!(st.blocks as u64, md.blocks());
    assert_eq!((st.mtime_sec, st.mtime_nsec), (md.mtime(), md.mtime_nsec()));
    assert_eq!((st.ctime_sec, st.ctime_nsec), (md.ctime(), md.ctime_nsec()));
    assert_eq!((st.atime_sec, st.atime_nsec), (md.atime(), md.atime_nsec()));
}

fn finish(client: GoferClient, h: Server) {
    drop(client);
    h.join().expect("server panicked").expect("server failed");
}

#[test]
fn client_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<GoferClient>();
}

#[test]
fn lstat_matches_symlink_metadata() {
    let tree = Tree::new("lstat");
    let (c, h) = connect(&tree);
    for p in [
        "hello.txt",
        "dir",
        "dir/sub",
        "dir/sub/deep.txt",
        "escape",
        "rel",
        "dirlink",
        "fifo",
        "big",
        "./hello.txt",
    ] {
        let st = c.lstat(p.as_bytes()).unwrap();
        assert_matches_host(&st, &fs::symlink_metadata(tree.path(p)).unwrap());
    }
    // "" is the root itself.
    let st = c.lstat(b"").unwrap();
    assert_matches_host(&st, &fs::symlink_metadata(&tree.root).unwrap());
    assert_eq!(errno(c.lstat(b"missing")), libc::ENOENT);
    assert_eq!(errno(c.lstat(b"hello.txt/x")), libc::ENOTDIR);
    finish(c, h);
}

#[test]
fn open_donates_working_fd() {
    let tree = Tree::new("open");
    let (c, h) = connect(&tree);
    let (fd, st) = c.open(b"hello.txt", libc::O_RDONLY).unwrap();
    assert_matches_host(&st, &fs::metadata(tree.path("hello.txt")).unwrap());
    let mut f = fs::File::from(fd);
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).unwrap();
    assert_eq!(buf, HELLO);

    let (fd, _) = c
        .open(
            b"dir/sub/deep.txt",
            libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOFOLLOW,
        )
        .unwrap();
    let mut s = String::new();
    fs::File::from(fd).read_to_string(&mut s).unwrap();
    assert_eq!(s, "deep");

    // Directories, O_DIRECTORY and the root.
    let (_, st) = c.open(b"dir", libc::O_RDONLY | libc::O_DIRECTORY).unwrap();
    assert_eq!(st.mode & libc::S_IFMT, libc::S_IFDIR);
    let (_, st) = c.open(b"", libc::O_DIRECTORY).unwrap();
    assert_eq!(st.ino, fs::metadata(&tree.root).unwrap().ino());
    assert_eq!(
        errno(c.open(b"hello.txt", libc::O_DIRECTORY)),
        libc::ENOTDIR
    );

    // A fifo is never really opened (that could block the gofer) ...
    assert_eq!(errno(c.open(b"fifo", libc::O_RDONLY)), libc::ENXIO);
    // ... but an O_PATH handle is fine.
    let (_, st) = c.open(b"fifo", libc::O_PATH).unwrap();
    assert_eq!(st.mode & libc::S_IFMT, libc::S_IFIFO);
    assert!(
        fs::symlink_metadata(tree.path("fifo"))
            .unwrap()
            .file_type()
            .is_fifo()
    );
    finish(c, h);
}

#[test]
fn symlinks_are_never_followed() {
    let tree = Tree::new("symlinks");
    let (c, h) = connect(&tree);
    // Intermediate components that are symlinks: ELOOP, in or out of root.
    for p in [
        "escape/passwd",
        "escape/hostname",
        "rel/etc",
        "dirlink/sub",
        "dirlink/sub/deep.txt",
    ] {
        assert_eq!(errno(c.lstat(p.as_bytes())), libc::ELOOP, "lstat {p}");
        assert_eq!(
            errno(c.open(p.as_bytes(), libc::O_RDONLY)),
            libc::ELOOP,
            "open {p}"
        );
        assert_eq!(errno(c.read_dir(p.as_bytes())), libc::ELOOP, "read_dir {p}");
        assert_eq!(errno(c.stat_fs(p.as_bytes())), libc::ELOOP, "stat_fs {p}");
    }
    // A final symlink is not followed by open either.
    assert_eq!(errno(c.open(b"escape", libc::O_RDONLY)), libc::ELOOP);
    assert_eq!(
        errno(c.open(b"escape", libc::O_RDONLY | libc::O_NOFOLLOW)),
        libc::ELOOP
    );
    assert_eq!(errno(c.read_dir(b"escape")), libc::ELOOP);
    // O_PATH|O_NOFOLLOW gives a handle on the link itself.
    let (_, st) = c.open(b"escape", libc::O_PATH | libc::O_NOFOLLOW).unwrap();
    assert_eq!(st.mode & libc::S_IFMT, libc::S_IFLNK);
    // lstat and read_link of the link itself work.
    for (p, target) in [("escape", "/etc"), ("rel", "../.."), ("dirlink", "dir")] {
        let st = c.lstat(p.as_bytes()).unwrap();
        assert_eq!(st.mode & libc::S_IFMT, libc::S_IFLNK);
        assert_eq!(st.size as usize, target.len());
        assert_eq!(c.read_link(p.as_bytes()).unwrap(), target.as_bytes());
    }
    assert_eq!(errno(c.read_link(b"hello.txt")), libc::EINVAL);
    assert_eq!(errno(c.read_link(b"missing")), libc::ENOENT);
    finish(c, h);
}

#[test]
fn bad_paths_are_rejected() {
    let tree = Tree::new("badpaths");
    let (c, h) = connect(&tree);
    for p in [
        &b".."[..],
        b"../etc",
        b"dir/..",
        b"dir/../hello.txt",
        b"/etc",
        b"/",
        b"dir//sub",
        b"dir/",
        b"hello\0.txt",
    ] {
        assert_eq!(errno(c.lstat(p)), libc::EINVAL, "{p:?}");
        assert_eq!(errno(c.open(p, libc::O_RDONLY)), libc::EINVAL, "{p:?}");
        assert_eq!(errno(c.read_dir(p)), libc::EINVAL, "{p:?}");
        assert_eq!(errno(c.read_link(p)), libc::EINVAL, "{p:?}");
        assert_eq!(errno(c.stat_fs(p)), libc::EINVAL, "{p:?}");
    }
    let long = vec![b'a'; 5000];
    assert_eq!(errno(c.lstat(&long)), libc::ENAMETOOLONG);
    // The connection is still healthy afterwards.
    assert!(c.lstat(b"hello.txt").is_ok());
    finish(c, h);
}

#[test]
fn write_intent_is_erofs_and_nothing_changes() {
    let tree = Tree::new("erofs");
    let before = snapshot(&tree.root);
    let (c, h) = connect(&tree);
    let write_flags = [
        libc::O_WRONLY,
        libc::O_RDWR,
        libc::O_RDONLY | libc::O_TRUNC,
        libc::O_RDONLY | libc::O_APPEND,
        libc::O_RDONLY | libc::O_CREAT,
        libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL,
        libc::O_TMPFILE | libc::O_RDWR,
    ];
    for f in write_flags {
        assert_eq!(errno(c.open(b"hello.txt", f)), libc::EROFS, "{f:#x}");
        assert_eq!(errno(c.open(b"newfile", f)), libc::EROFS, "{f:#x}");
        assert_eq!(errno(c.open(b"", f)), libc::EROFS, "{f:#x}");
    }
    for f in [
        libc::O_NONBLOCK,
        libc::O_NOATIME,
        libc::O_DIRECT,
        0x4000_0000,
        libc::O_ACCMODE,
    ] {
        assert_eq!(errno(c.open(b"hello.txt", f)), libc::EINVAL, "{f:#x}");
    }
    // The donated fd of a read-only open cannot write.
    let (fd, _) = c.open(b"hello.txt", libc::O_RDONLY).unwrap();
    assert!(std::io::Write::write(&mut fs::File::from(fd), b"x").is_err());
    finish(c, h);
    assert_eq!(snapshot(&tree.root), before);
    assert_eq!(fs::read(tree.path("hello.txt")).unwrap(), HELLO);
}

#[test]
fn read_dir_lists_everything() {
    let tree = Tree::new("readdir");
    let (c, h) = connect(&tree);
    let root: BTreeSet<Vec<u8>> = c
        .read_dir(b"")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    let expect: BTreeSet<Vec<u8>> = [
        "hello.txt",
        "dir",
        "empty",
        "big",
        "escape",
        "rel",
        "dirlink",
        "fifo",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    assert_eq!(root, expect);
    assert!(c.read_dir(b"empty").unwrap().is_empty());
    for e in c.read_dir(b"").unwrap() {
        let md =
            fs::symlink_metadata(tree.root.join(std::str::from_utf8(&e.name).unwrap())).unwrap();
        assert_eq!(e.ino, md.ino());
        let want = match md.mode() & libc::S_IFMT {
            libc::S_IFDIR => libc::DT_DIR,
            libc::S_IFREG => libc::DT_REG,
            libc::S_IFLNK => libc::DT_LNK,
            libc::S_IFIFO => libc::DT_FIFO,
            _ => unreachable!(),
        };
        assert!(e.d_type == want || e.d_type == libc::DT_UNKNOWN);
    }
    assert_eq!(errno(c.read_dir(b"hello.txt")), libc::ENOTDIR);

    // The big directory needs several pages ...
    let first = c.read_dir_page(b"big", 0).unwrap();
    assert!(first.next.is_some(), "5000 entries should not fit one page");
    assert!(!first.entries.is_empty() && first.entries.len() < BIG);
    // ... and read_dir follows the continuations to get all of them once.
    let all = c.read_dir(b"big").unwrap();
    assert_eq!(all.len(), BIG);
    let names: BTreeSet<Vec<u8>> = all.into_iter().map(|e| e.name).collect();
    let expect: BTreeSet<Vec<u8>> = (0..BIG).map(|i| big_name(i).into_bytes()).collect();
    assert_eq!(names, expect);
    finish(c, h);
}

#[test]
fn stat_fs_reports_host_fs() {
    let tree = Tree::new("statfs");
    let (c, h) = connect(&tree);
    let s = c.stat_fs(b"").unwrap();
    assert!(s.bsize > 0 && s.namelen > 0);
    assert_eq!(c.stat_fs(b"dir/sub").unwrap().fs_type, s.fs_type);
    assert!(
        c.stat_fs(b"escape").is_ok(),
        "statfs of the link itself is fine"
    );
    finish(c, h);
}

#[test]
fn concurrent_callers_share_one_client() {
    let tree = Tree::new("concurrent");
    let (c, h) = connect(&tree);
    let c = Arc::new(c);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let (fd, _) = c.open(b"hello.txt", libc::O_RDONLY).unwrap();
                    let mut s = Vec::new();
                    fs::File::from(fd).read_to_end(&mut s).unwrap();
                    assert_eq!(s, HELLO);
                    assert_eq!(
                        c.lstat(b"dir/sub").unwrap().mode & libc::S_IFMT,
                        libc::S_IFDIR
                    );
                    if i == 0 {
                        assert_eq!(c.read_dir(b"dir").unwrap().len(), 1);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let c = Arc::try_unwrap(c).unwrap();
    finish(c, h);
}

fn raw(tree: &Tree) -> (UnixDatagram, Server) {
    let (sock, h) = start(tree);
    (UnixDatagram::from(sock), h)
}

fn hello(sock: &UnixDatagram) {
    let m = wire::encode_request(
        1,
        &Request::Hello {
            version: PROTOCOL_VERSION,
        },
    )
    .unwrap();
    sock.send(&m).unwrap();
    let mut buf = vec![0; 1024];
    let n = sock.recv(&mut buf).unwrap();
    assert_eq!(
        wire::decode_reply(&buf[..n]).unwrap(),
        (
            1,
            Reply::Hello {
                version: PROTOCOL_VERSION
            }
        )
    );
}

/// Waits for the server to hang up (recv returns 0 = EOF).
fn assert_closed(sock: &UnixDatagram) {
    let mut buf = vec![0; wire::MAX_MESSAGE_SIZE];
    assert_eq!(
        sock.recv(&mut buf).unwrap(),
        0,
        "server should close the connection"
    );
}

#[test]
fn garbage_closes_connection_without_panic() {
    let tree = Tree::new("garbage");
    let mut x: u64 = 0x0123_4567_89ab_cdef;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    };
    // Garbage as the very first message, and garbage after a valid Hello.
    for greet in [false, true] {
        for len in [1usize, 9, 10, 64, 5000] {
            let (sock, h) = raw(&tree);
            if greet {
                hello(&sock);
            }
            sock.send(&noise(len)).unwrap();
            assert_closed(&sock);
            let r = h.join().expect("server panicked");
            assert!(matches!(r, Err(GoferError::Protocol(_))), "{r:?}");
        }
    }
    // A well-formed request before Hello, a second Hello, an oversized one.
    let lstat = wire::encode_request(
        2,
        &Request::Lstat {
            path: b"hello.txt".to_vec(),
        },
    )
    .unwrap();
    let (sock, h) = raw(&tree);
    sock.send(&lstat).unwrap();
    assert_closed(&sock);
    assert!(matches!(h.join().unwrap(), Err(GoferError::Protocol(_))));

    let (sock, h) = raw(&tree);
    hello(&sock);
    sock.send(&wire::encode_request(3, &Request::Hello { version: 1 }).unwrap())
        .unwrap();
    assert_closed(&sock);
    assert!(matches!(h.join().unwrap(), Err(GoferError::Protocol(_))));

    let (sock, h) = raw(&tree);
    hello(&sock);
    sock.send(&vec![0u8; wire::MAX_MESSAGE_SIZE + 100]).unwrap();
    assert_closed(&sock);
    assert!(matches!(h.join().unwrap(), Err(GoferError::Protocol(_))));
}

#[test]
fn version_mismatch_and_hangups() {
    let tree = Tree::new("version");
    let (sock, h) = raw(&tree);
    sock.send(&wire::encode_request(9, &Request::Hello { version: 77 }).unwrap())
        .unwrap();
    let mut buf = vec![0; 1024];
    let n = sock.recv(&mut buf).unwrap();
    assert_eq!(
        wire::decode_reply(&buf[..n]).unwrap(),
        (
            9,
            Reply::Hello {
                version: PROTOCOL_VERSION
            }
        )
    );
    assert_closed(&sock);
    assert!(matches!(
        h.join().unwrap(),
        Err(GoferError::VersionMismatch {
            ours: 1,
            theirs: 77
        })
    ));

    // Client hangs up before Hello, and right after it: both are clean.
    let (sock, h) = raw(&tree);
    drop(sock);
    h.join().unwrap().unwrap();
    let (sock, h) = raw(&tree);
    hello(&sock);
    drop(sock);
    h.join().unwrap().unwrap();

    // A client whose server vanished gets an error, not a hang or panic.
    let (sock, server) = spawn_pair().unwrap();
    drop(server);
    assert!(GoferClient::connect(sock).is_err());
}
