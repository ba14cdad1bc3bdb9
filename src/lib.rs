//! hush: a privacy-first Matomo-compatible tracker.
//!
//! The crate is split in two:
//! - a sans-IO core (every module but `shell`): plain Rust, no browser, no clock, no
//!   randomness of its own. It is fed commands and events, and hands back actions.
//!   It only needs `alloc`, so the browser build can drop `std`.
//! - `bridge`: the text protocol the JavaScript shell (`js/`) speaks with the core; `export`
//!   (wasm32 only) is the one wasm export that hands it the shell's text. The shell reads
//!   the page, moves bytes, runs timers, and decides nothing.
#![cfg_attr(all(feature = "slim", target_arch = "wasm32"), no_std)]

extern crate alloc;

pub mod bridge;
mod bytes;
pub mod command;
pub mod consent;
pub mod forms;
pub mod host;
pub mod hit;
pub mod identity;
pub mod links;
pub mod mask;
pub mod numfmt;
pub mod queue;
#[cfg(test)]
mod test_rng;
pub mod tracker;
pub mod wire;

/// The wasm export (wasm32 only): the shell's text into the bridge.
#[cfg(target_arch = "wasm32")]
pub mod export;

#[cfg(all(feature = "slim", target_arch = "wasm32"))]
mod slim {
    //! Release-build runtime: a small free-list allocator (single-threaded wasm) and a
    //! panic handler that traps without formatting anything.
    #[global_allocator]
    static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
        unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}
