//! The x86 FPU and extended (XSAVE) state of application threads: which
//! state components this CPU saves and where, from CPUID leaf 0xD and XCR0,
//! read once. Every platform moves the state in the XSAVE *standard*
//! (non-compacted) format, the one Linux's `NT_X86_XSTATE` regset and
//! signal frames use (`Documentation/arch/x86/xstate.rst`): the 512-byte
//! legacy fxsave area, the 64-byte XSAVE header, then each component at
//! its CPUID offset.
//!
//! Like Linux, a signal frame holds the enabled user features minus the
//! dynamically enabled ones (AMX tile data, which needs
//! `ARCH_REQ_XCOMP_PERM`), so its size is that of the default features.
//! Without XSAVE (no OSXSAVE) the state is the fxsave area alone.

use std::sync::OnceLock;

/// Size of the legacy fxsave area.
pub const FXSAVE_SIZE: usize = 512;
/// Size of the XSAVE header that follows it.
pub const HEADER_SIZE: usize = 64;
/// Offset of XSTATE_BV (the header's first field) in the area.
pub const XSTATE_BV: usize = FXSAVE_SIZE;
/// Offset of MXCSR in the fxsave area.
pub const MXCSR: usize = 24;
/// Offset of the xmm registers in the fxsave area, and their span.
pub const XMM: std::ops::Range<usize> = 160..416;
/// The x87 and SSE components (always in a frame's XSTATE_BV).
pub const FPSSE: u64 = 0b11;
/// The SSE and AVX components, either of which makes XRSTOR load MXCSR.
pub const SSE_YMM: u64 = 0b110;
/// MXCSR and FCW after reset (`fninit`, Linux's `init_fpstate`).
pub const MXCSR_DEFAULT: u32 = 0x1f80;
pub const FCW_DEFAULT: u16 = 0x37f;

/// The XSAVE layout of this CPU.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Whether the host enabled XSAVE (CPUID.1:ECX.OSXSAVE).
    pub xsave: bool,
    /// XCR0: every enabled user feature.
    pub xcr0: u64,
    /// The features a signal frame holds: XCR0 minus the dynamically
    /// enabled ones (Linux's default user features).
    pub features: u64,
    /// Standard-format size of `features` (Linux's `fpstate->user_size`):
    /// the XSAVE area of a signal frame. `FXSAVE_SIZE` without XSAVE.
    pub size: usize,
    /// `(offset, size)` of component `i` (for `i >= 2` in XCR0).
    pub components: [(u32, u32); 64],
}

impl Layout {
    /// The end of the last component of `set` in the standard format: how
    /// much of an area XRSTOR reads for it.
    pub fn extent(&self, set: u64) -> usize {
        let mut end = FXSAVE_SIZE + HEADER_SIZE;
        for i in 2..64 {
            if set & (1 << i) != 0 {
                let (off, size) = self.components[i];
                end = end.max(off as usize + size as usize);
            }
        }
        end
    }

    /// The state after reset, as Linux's `init_fpstate`: x87 and SSE
    /// present with their reset control words, everything else initial.
    pub fn init_state(&self) -> Vec<u8> {
        let mut s = vec![0u8; self.size.max(FXSAVE_SIZE)];
        s[0..2].copy_from_slice(&FCW_DEFAULT.to_le_bytes());
        s[MXCSR..MXCSR + 4].copy_from_slice(&MXCSR_DEFAULT.to_le_bytes());
        if self.xsave {
            s[XSTATE_BV..XSTATE_BV + 8].copy_from_slice(&FPSSE.to_le_bytes());
        }
        s
    }
}

/// The layout, read from the CPU on first use.
pub fn layout() -> &'static Layout {
    static LAYOUT: OnceLock<Layout> = OnceLock::new();
    LAYOUT.get_or_init(read_layout)
}

fn read_layout() -> Layout {
    use std::arch::x86_64::__cpuid_count;
    let mut l = Layout {
        xsave: false,
        xcr0: FPSSE,
        features: FPSSE,
        size: FXSAVE_SIZE,
        components: [(0, 0); 64],
    };
    let max_leaf = __cpuid_count(0, 0).eax;
    const OSXSAVE: u32 = 1 << 27;
    if max_leaf < 0xd || __cpuid_count(1, 0).ecx & OSXSAVE == 0 {
        return l;
    }
    l.xsave = true;
    l.xcr0 = xcr0();
    l.size = FXSAVE_SIZE + HEADER_SIZE;
    let mut features = l.xcr0 & FPSSE;
    for i in 2..64 {
        if l.xcr0 & (1 << i) == 0 {
            continue;
        }
        let c = __cpuid_count(0xd, i as u32);
        l.components[i] = (c.ebx, c.eax);
        // ECX bit 0: a supervisor component (never in XCR0 anyway);
        // bit 2: can be disabled by XFD, i.e. dynamically enabled.
        if c.ecx & 0b101 != 0 {
            continue;
        }
        features |= 1 << i;
        l.size = l.size.max(c.ebx as usize + c.eax as usize);
    }
    l.features = features;
    l
}

/// XCR0, the enabled user state components.
fn xcr0() -> u64 {
    #[target_feature(enable = "xsave")]
    fn read() -> u64 {
        // SAFETY: XGETBV with ECX=0 only reads XCR0.
        unsafe { std::arch::x86_64::_xgetbv(0) }
    }
    // SAFETY: only called once CPUID.1:ECX.OSXSAVE said the OS enabled
    // XSAVE, which makes XGETBV available.
    unsafe { read() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_consistent() {
        let l = layout();
        if !l.xsave {
            assert_eq!(l.size, FXSAVE_SIZE);
            return;
        }
        assert_eq!(l.features & FPSSE, FPSSE);
        assert_eq!(l.features & !l.xcr0, 0);
        assert!(l.size >= FXSAVE_SIZE + HEADER_SIZE);
        assert_eq!(l.extent(l.features), l.size);
        // CPUID's size for the enabled features covers ours.
        let all = std::arch::x86_64::__cpuid_count(0xd, 0).ebx as usize;
        assert!(l.size <= all);
        if l.features == l.xcr0 {
            assert_eq!(l.size, all);
        }
    }

    #[test]
    fn init_state_has_reset_control_words() {
        let s = layout().init_state();
        assert_eq!(u16::from_le_bytes([s[0], s[1]]), FCW_DEFAULT);
        assert_eq!(
            u32::from_le_bytes(s[MXCSR..MXCSR + 4].try_into().unwrap()),
            MXCSR_DEFAULT
        );
    }
}
