//! Initial stack layout: decode the produced image back and check every pointer.

use loader::auxv::*;
use loader::error::errno::*;
use loader::{LoadError, StackImage, StackParams, build_stack, build_stack_with_rlimit};

const TOP: u64 = 0x7fff_ffff_f000;

struct View<'a>(&'a StackImage);

impl View<'_> {
    fn u64(&self, addr: u64) -> u64 {
        let off = (addr - self.0.start) as usize;
        u64::from_le_bytes(self.0.bytes[off..off + 8].try_into().unwrap())
    }
    fn cstr(&self, addr: u64) -> Vec<u8> {
        let off = (addr - self.0.start) as usize;
        let s = &self.0.bytes[off..];
        s[..s.iter().position(|&c| c == 0).unwrap()].to_vec()
    }
    fn bytes(&self, addr: u64, n: usize) -> &[u8] {
        let off = (addr - self.0.start) as usize;
        &self.0.bytes[off..off + n]
    }
}

struct Decoded {
    argv: Vec<(u64, Vec<u8>)>,
    envp: Vec<(u64, Vec<u8>)>,
    auxv: Vec<(u64, u64)>,
}

fn decode(img: &StackImage) -> Decoded {
    let v = View(img);
    let mut a = img.sp;
    let argc = v.u64(a);
    a += 8;
    let mut argv = vec![];
    for _ in 0..argc {
        let p = v.u64(a);
        argv.push((p, v.cstr(p)));
        a += 8;
    }
    assert_eq!(v.u64(a), 0, "argv NULL terminator");
    a += 8;
    let mut envp = vec![];
    loop {
        let p = v.u64(a);
        a += 8;
        if p == 0 {
            break;
        }
        envp.push((p, v.cstr(p)));
    }
    let mut auxv = vec![];
    loop {
        let (k, val) = (v.u64(a), v.u64(a + 8));
        a += 16;
        auxv.push((k, val));
        if k == AT_NULL {
            break;
        }
    }
    Decoded { argv, envp, auxv }
}

fn strs(v: &[&str]) -> Vec<Vec<u8>> {
    v.iter().map(|s| s.as_bytes().to_vec()).collect()
}

fn params<'a>(argv: &'a [Vec<u8>], envp: &'a [Vec<u8>], auxv: &'a [(u64, u64)]) -> StackParams<'a> {
    StackParams {
        stack_top: TOP,
        argv,
        envp,
        execfn: b"/usr/bin/prog",
        platform: b"x86_64",
        random: *b"0123456789abcdef",
        auxv,
    }
}

#[test]
fn round_trip() {
    let argv = strs(&["prog", "-l", "", "a b c"]);
    let envp = strs(&["PATH=/bin", "HOME=/root", "X="]);
    let aux = [
        (AT_PAGESZ, 4096),
        (AT_PHDR, 0x5555_5555_4040),
        (AT_ENTRY, 0x5555_5555_5000),
        (AT_SECURE, 0),
    ];
    let img = build_stack(&params(&argv, &envp, &aux)).unwrap();
    let v = View(&img);

    assert_eq!(img.sp % 16, 0);
    assert_eq!(img.start, img.sp);
    assert_eq!(img.start + img.bytes.len() as u64, TOP);
    // Top 8 bytes are zero.
    assert_eq!(v.u64(TOP - 8), 0);

    let d = decode(&img);
    assert_eq!(d.argv.iter().map(|a| a.1.clone()).collect::<Vec<_>>(), argv);
    assert_eq!(d.envp.iter().map(|a| a.1.clone()).collect::<Vec<_>>(), envp);

    // Strings are contiguous, ascending, argv below envp, and the ranges match.
    assert_eq!(d.argv[0].0, img.argv_start);
    assert_eq!(img.argv_end, img.envp_start);
    assert_eq!(d.envp[0].0, img.envp_start);
    let cmdline: Vec<u8> = argv
        .iter()
        .flat_map(|a| a.iter().copied().chain([0]))
        .collect();
    assert_eq!(v.bytes(img.argv_start, cmdline.len()), &cmdline[..]);
    assert_eq!(img.argv_end - img.argv_start, cmdline.len() as u64);
    let environ: Vec<u8> = envp
        .iter()
        .flat_map(|a| a.iter().copied().chain([0]))
        .collect();
    assert_eq!(v.bytes(img.envp_start, environ.len()), &environ[..]);
    assert_eq!(img.envp_end - img.envp_start, environ.len() as u64);

    // auxv: caller entries in order, then RANDOM, EXECFN, PLATFORM, NULL.
    assert_eq!(&d.auxv[..4], &aux[..]);
    let keys: Vec<u64> = d.auxv[4..].iter().map(|e| e.0).collect();
    assert_eq!(keys, vec![AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL]);
    assert_eq!(d.auxv, img.auxv);
    let random = d.auxv[4].1;
    assert_eq!(v.bytes(random, 16), b"0123456789abcdef");
    let execfn = d.auxv[5].1;
    assert_eq!(v.cstr(execfn), b"/usr/bin/prog");
    assert!(execfn >= img.envp_end, "execfn is above the env strings");
    assert_eq!(execfn + b"/usr/bin/prog\0".len() as u64, TOP - 8);
    let platform = d.auxv[6].1;
    assert_eq!(v.cstr(platform), b"x86_64");
    // Order of the blobs: random < platform < argv strings.
    assert!(random + 16 <= platform && platform + 7 <= img.argv_start);
}

#[test]
fn alignment_for_all_small_shapes() {
    for na in 0..5usize {
        for ne in 0..4usize {
            for extra in 0..3usize {
                let argv: Vec<Vec<u8>> = (0..na).map(|i| vec![b'a'; i + extra]).collect();
                let envp: Vec<Vec<u8>> = (0..ne).map(|i| vec![b'e'; 2 * i + extra]).collect();
                let aux: Vec<(u64, u64)> = (0..extra as u64).map(|i| (AT_UID + i, i)).collect();
                let mut p = params(&argv, &envp, &aux);
                if extra == 2 {
                    p.platform = b"";
                }
                let img = build_stack(&p).unwrap();
                assert_eq!(img.sp % 16, 0);
                let d = decode(&img);
                // Empty argv becomes [""] like Linux >= 5.18.
                let want: Vec<Vec<u8>> = if na == 0 { vec![vec![]] } else { argv.clone() };
                assert_eq!(d.argv.iter().map(|a| a.1.clone()).collect::<Vec<_>>(), want);
                assert_eq!(d.envp.len(), ne);
                assert_eq!(d.auxv.iter().any(|e| e.0 == AT_PLATFORM), extra != 2);
            }
        }
    }
}

#[test]
fn limits() {
    let env: Vec<Vec<u8>> = vec![];
    // Single string limit: 131072 including the NUL.
    let ok = vec![vec![b'x'; 131071]];
    assert!(build_stack(&params(&ok, &env, &[])).is_ok());
    let big = vec![vec![b'x'; 131072]];
    let e = build_stack(&params(&big, &env, &[])).unwrap_err();
    assert!(matches!(e, LoadError::ArgTooLong { .. }));
    assert_eq!(e.errno(), E2BIG);
    let mut p = params(&ok, &env, &[]);
    let long_execfn = vec![b'/'; 200_000];
    p.execfn = &long_execfn;
    assert_eq!(build_stack(&p).unwrap_err().errno(), E2BIG);

    // Total limit: 2 MiB with the default 8 MiB rlimit.
    let many = vec![vec![b'y'; 100_000]; 21];
    let e = build_stack(&params(&many, &env, &[])).unwrap_err();
    assert!(matches!(e, LoadError::ArgsTooBig { .. }), "{e:?}");
    assert_eq!(e.errno(), E2BIG);
    let fits = vec![vec![b'y'; 100_000]; 20];
    assert!(build_stack(&params(&fits, &env, &[])).is_ok());
    // Bigger rlimit allows more (capped at 6 MiB); smaller never below ARG_MAX.
    assert!(build_stack_with_rlimit(&params(&many, &env, &[]), 64 << 20).is_ok());
    let small = vec![vec![b'z'; 60_000]; 2];
    assert!(build_stack_with_rlimit(&params(&small, &env, &[]), 4096).is_ok());
    let e = build_stack_with_rlimit(&params(&many, &env, &[]), 4096).unwrap_err();
    assert_eq!(e.errno(), E2BIG);
}

#[test]
fn bad_inputs() {
    let argv = strs(&["a"]);
    let mut p = params(&argv, &[], &[]);
    for top in [0, 0x1234, TOP + 0x1000, !0xfffu64] {
        p.stack_top = top;
        let e = build_stack(&p).unwrap_err();
        assert!(matches!(e, LoadError::BadStackTop(_)), "{top:#x}");
        assert_eq!(e.errno(), EINVAL);
    }
    p.stack_top = 0x1000;
    assert_eq!(build_stack(&p).unwrap_err().errno(), ENOMEM);
    p.stack_top = 0x2000;
    assert!(build_stack(&p).is_ok());

    for at in [AT_NULL, AT_RANDOM, AT_EXECFN, AT_PLATFORM] {
        let aux = [(AT_PAGESZ, 4096), (at, 1)];
        let e = build_stack(&params(&argv, &[], &aux)).unwrap_err();
        assert!(matches!(e, LoadError::ReservedAuxv(a) if a == at));
        assert_eq!(e.errno(), EINVAL);
    }

    // Embedded NULs: C-string semantics.
    let argv = vec![b"ab\0cd".to_vec()];
    let img = build_stack(&params(&argv, &[], &[])).unwrap();
    assert_eq!(decode(&img).argv[0].1, b"ab");
    assert_eq!(img.argv_end - img.argv_start, 3);
}
