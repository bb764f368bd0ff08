//! Links the binaries with their relative relocations packed (DT_RELR,
//! `-z pack-relative-relocs`) where the C library they are built against
//! reads that form.
//!
//! The binary is position-independent, so the dynamic loader adjusts some
//! 47,000 pointers as it starts. Written out one by one (24 bytes each)
//! they were 1.1 MB of the file that every start read and kept resident;
//! packed they are 15 KB, and `deling serve` idles in 19.2-19.9 MiB
//! instead of 20.3-20.9 (docs/PERFORMANCE.md, "Fourteenth pass").
//!
//! glibc reads packed relocations from 2.36 on, and a packed binary
//! names the `GLIBC_ABI_DT_RELR` version, which older ones lack: linked
//! against glibc 2.35 (Ubuntu 22.04, whose linker knows the option) it
//! would not start on the very machine that built it. So the flag is
//! passed only for a native build on Linux with glibc 2.36 or later
//! (Debian 12, Ubuntu 24.04, RHEL 10). `crates/bench/build.rs` includes
//! this file as a module, so that the bench measures the same binary.

use std::process::Command;

/// Prints the link argument where it applies.
pub fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let native = var("HOST") == var("TARGET");
    if native
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && glibc_reads_relr()
    {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether `getconf GNU_LIBC_VERSION` says glibc 2.36 or later.
fn glibc_reads_relr() -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 36)
}
