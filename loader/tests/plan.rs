//! Mapping plans: alignment, bss zeroing, anonymous tails, bias, brk, ET_DYN base.

mod common;

use common::{Ph, build_elf};
use loader::{ELF_ET_DYN_BASE, MapSource, Mapping, Prot, TASK_SIZE, parse, plan};

const R: u32 = 4;
const W: u32 = 2;
const X: u32 = 1;

#[test]
fn constants() {
    assert_eq!(ELF_ET_DYN_BASE, 0x5555_5555_4000);
    assert_eq!(TASK_SIZE, 0x7fff_ffff_f000);
}

#[test]
fn typical_exec_with_bss() {
    // text at 0x400000 (r-x), data at 0x401e10 with 0x200 file bytes and
    // 0x3000 of memory (bss crosses pages).
    let v = build_elf(
        2,
        0x400100,
        None,
        &[
            Ph::load(0, 0x400000, 0xe10, 0xe10, R | X),
            Ph::load(0xe10, 0x401e10, 0x200, 0x3000, R | W),
        ],
        0x2000,
    );
    let img = parse(&v).unwrap();
    assert_eq!(img.min_vaddr, 0x400000);
    assert_eq!(img.max_vaddr, 0x405000);
    let maps = plan(&img, 0).unwrap();
    assert_eq!(
        maps,
        vec![
            Mapping {
                start: 0x400000,
                len: 0x1000,
                prot: Prot::READ | Prot::EXEC,
                source: MapSource::File { offset: 0 },
                zero_from: None
            },
            Mapping {
                start: 0x401000,
                len: 0x2000,
                prot: Prot::READ | Prot::WRITE,
                source: MapSource::File { offset: 0 },
                zero_from: Some(0x402010)
            },
            Mapping {
                start: 0x403000,
                len: 0x2000,
                prot: Prot::READ | Prot::WRITE,
                source: MapSource::Anonymous,
                zero_from: None
            },
        ]
    );
    assert_eq!(loader::brk_start(&img, 0), 0x405000);
    assert_eq!(loader::load_bias(&img, 0xdead_beef), 0);
    assert_eq!(loader::entry_address(&img, 0).unwrap(), 0x400100);
}

#[test]
fn bss_within_last_file_page_only() {
    // memsz ends in the same page as filesz: zero the tail, no anon mapping.
    let v = build_elf(3, 0, None, &[Ph::load(0, 0, 0x100, 0x800, R | W)], 0x1000);
    let maps = plan(&parse(&v).unwrap(), 0x10000).unwrap();
    assert_eq!(maps.len(), 1);
    assert_eq!(maps[0].start, 0x10000);
    assert_eq!(maps[0].len, 0x1000);
    assert_eq!(maps[0].zero_from, Some(0x10100));
}

#[test]
fn filesz_page_aligned_end_needs_no_zeroing() {
    let v = build_elf(3, 0, None, &[Ph::load(0, 0, 0x1000, 0x1800, R | W)], 0x1000);
    let maps = plan(&parse(&v).unwrap(), 0).unwrap();
    assert_eq!(maps.len(), 2);
    assert_eq!(maps[0].zero_from, None);
    assert_eq!(
        (maps[1].start, maps[1].len, maps[1].source),
        (0x1000, 0x1000, MapSource::Anonymous)
    );
}

#[test]
fn pure_bss_segment_and_readonly_bss() {
    // filesz == 0: only an anonymous mapping from page_down(vaddr).
    // A read-only/exec segment's bss is mapped RW(+X) like Linux vm_brk_flags.
    let v = build_elf(
        3,
        0,
        None,
        &[
            Ph::load(0, 0, 0x1000, 0x1000, R),
            Ph::load(0x1000, 0x2100, 0, 0x1000, R | W),
            Ph::load(0x1000, 0x5000, 0x10, 0x2000, R | X),
        ],
        0x2000,
    );
    let maps = plan(&parse(&v).unwrap(), 0).unwrap();
    assert_eq!(
        maps[1],
        Mapping {
            start: 0x2000,
            len: 0x2000,
            prot: Prot::READ | Prot::WRITE,
            source: MapSource::Anonymous,
            zero_from: None
        }
    );
    assert_eq!(maps[2].zero_from, Some(0x5010));
    assert_eq!(maps[3].prot, Prot::READ | Prot::WRITE | Prot::EXEC);
    assert_eq!((maps[3].start, maps[3].len), (0x6000, 0x1000));
}

#[test]
fn zero_size_segment_maps_nothing() {
    let v = build_elf(
        3,
        0,
        None,
        &[
            Ph::load(0, 0, 0x1000, 0x1000, R),
            Ph::load(0, 0x3000, 0, 0, R),
        ],
        0x1000,
    );
    assert_eq!(plan(&parse(&v).unwrap(), 0).unwrap().len(), 1);
}

#[test]
fn pie_bias() {
    let mut phs = [Ph::load(0, 0, 0x1000, 0x1000, R | X)];
    let img = parse(&build_elf(3, 0x100, None, &phs, 0x1000)).unwrap();
    assert_eq!(loader::load_bias(&img, 0), 0x5555_5555_4000);
    // 28 bits of page randomisation; higher bits of `random` ignored.
    assert_eq!(loader::load_bias(&img, 1), 0x5555_5555_5000);
    assert_eq!(loader::load_bias(&img, (1 << 28) | 2), 0x5555_5555_6000);
    let max = loader::load_bias(&img, u64::MAX);
    assert_eq!(max, 0x5555_5555_4000 + ((1 << 28) - 1) * 4096);
    let maps = plan(&img, max).unwrap();
    assert_eq!(maps[0].start, max);
    assert_eq!(loader::entry_address(&img, max).unwrap(), max + 0x100);

    // 2 MiB p_align: base aligned to it.
    phs[0].align = 0x20_0000;
    let img = parse(&build_elf(3, 0, None, &phs, 0x1000)).unwrap();
    let b = loader::load_bias(&img, 0x123);
    assert_eq!(b % 0x20_0000, 0);
    assert!(b <= 0x5555_5555_4000 + 0x123 * 4096);

    // min_vaddr != 0: bias subtracts it so the image starts at the base.
    let img = parse(&build_elf(
        3,
        0,
        None,
        &[Ph::load(0, 0x10000, 0x1000, 0x1000, R)],
        0x1000,
    ))
    .unwrap();
    let b = loader::load_bias(&img, 0);
    assert_eq!(plan(&img, b).unwrap()[0].start, 0x5555_5555_4000);
}

#[test]
fn out_of_address_space() {
    let img = parse(&build_elf(
        3,
        0,
        None,
        &[Ph::load(0, 0, 0x1000, 0x2000, R | W)],
        0x1000,
    ))
    .unwrap();
    assert!(plan(&img, TASK_SIZE - 0x2000).is_ok());
    for bias in [TASK_SIZE - 0x1000, TASK_SIZE, u64::MAX / 2, 1 << 63] {
        let e = plan(&img, bias).unwrap_err();
        assert_eq!(e.errno(), loader::error::errno::ENOMEM, "{bias:#x}");
    }
    assert_eq!(
        loader::entry_address(&img, TASK_SIZE).unwrap_err().errno(),
        loader::error::errno::EINVAL
    );
}
