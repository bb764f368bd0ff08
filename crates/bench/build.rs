//! The `deling` binary's link settings (`crates/server/build.rs`), so that
//! `deling-bench memory` measures the binary as shipped.

#[path = "../server/build.rs"]
mod relocations;

fn main() {
    println!("cargo::rerun-if-changed=../server/build.rs");
    relocations::main();
}
