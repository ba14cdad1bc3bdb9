//! The browser build (`--features slim` on wasm32) links with a 64 KiB stack instead of
//! Rust's default 1 MiB: the core never recurses deeper than a few levels (bounded
//! `_paq` arguments), and every visitor's page would otherwise reserve 1 MiB of wasm
//! memory for nothing. The stack sits below the data, so an overflow traps (caught by the
//! shell) rather than overwriting anything.
fn main() {
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    if wasm && std::env::var_os("CARGO_FEATURE_SLIM").is_some() {
        println!("cargo:rustc-cdylib-link-arg=-zstack-size=65536");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
