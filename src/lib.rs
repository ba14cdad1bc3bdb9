//! hush: a privacy-first Matomo-compatible tracker.
//!
//! The crate is split in two:
//! - a sans-IO core (every module but `shell`): plain Rust, no browser, no clock, no
//!   randomness of its own. It is fed commands and events, and hands back actions.
//!   It only needs `alloc`, so the browser build can drop `std`.
//! - `shell` (wasm32 only): reads the page, moves bytes, runs timers, and feeds the core.
#![cfg_attr(all(feature = "slim", target_arch = "wasm32"), no_std)]

extern crate alloc;

mod bytes;
pub mod command;
pub mod consent;
pub mod host;
pub mod hit;
pub mod identity;
pub mod links;
pub mod mask;
pub mod numfmt;
pub mod queue;
pub mod tracker;
pub mod wire;

/// Public only so the browser tests in `tests/browser.rs` can reach it.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod shell;

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
