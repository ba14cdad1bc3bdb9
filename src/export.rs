//! The wasm's boundary: one call that takes the shell's text and returns the core's
//! answer (the protocol is in [`crate::bridge`]), and two imports: the browser's URL
//! parser and its secure random source.
//!
//! The release build (`slim`) speaks a three-function ABI by hand rather than through
//! wasm-bindgen: a string in and a string out is all that crosses, and wasm-bindgen's
//! glue for it (TextEncoder/Decoder caches, an externref table, malloc/realloc/free
//! shims) cost ≈1.5 KB gzip of JavaScript and wasm that every visitor downloads.
//!
//! | export | what |
//! | --- | --- |
//! | `m(len) -> ptr` | room for `len` bytes of input (UTF-8), owned by the next `c` |
//! | `c(ptr, len) -> len` | runs one call; the answer (UTF-8) is `len` bytes at `p()` |
//! | `p() -> ptr` | where the last answer is (valid until the next `c`) |
//!
//! Import `h.u(input, input_len, base, base_len, out, out_cap) -> n`: `new URL(input,
//! base).href` written as UTF-8 to `out` when it fits; `n` is its length in bytes (the
//! caller asks again with room for `n` when `n > out_cap`), or -1 when it does not parse.
//!
//! Import `h.r(out, len)`: `crypto.getRandomValues` (as it was when hush loaded) over those
//! `len` bytes. Should it ever throw, the exception leaves the call and the state stays
//! borrowed: hush answers nothing for the rest of the page rather than make weak IDs.

use crate::bridge::{Bridge, Random, Resolve};
use alloc::string::String;
use core::cell::RefCell;

struct Global(RefCell<(Option<Bridge>, String)>);
// wasm32 without threads: one page, one thread.
unsafe impl Sync for Global {}
static STATE: Global = Global(RefCell::new((None, String::new())));

/// One call of the shell, with the URL parser to use. The bridge never calls page code,
/// so this is never re-entered; if it somehow were, the call answers nothing.
pub fn hush(input: &str, resolve: Resolve, random: Random) -> String {
    let Ok(mut state) = STATE.0.try_borrow_mut() else { return String::new() };
    state.0.get_or_insert_with(Bridge::default).call(input, resolve, random)
}

#[cfg(feature = "slim")]
mod abi {
    use crate::bridge::Bridge;
    use alloc::string::String;
    use alloc::vec::Vec;

    #[link(wasm_import_module = "h")]
    extern "C" {
        #[link_name = "u"]
        fn url(input: *const u8, input_len: usize, base: *const u8, base_len: usize, out: *mut u8, out_cap: usize) -> isize;
        #[link_name = "r"]
        fn fill_random(out: *mut u8, len: usize);
    }

    fn random(buf: &mut [u8]) {
        // SAFETY: the shell writes exactly `len` bytes at `out`.
        unsafe { fill_random(buf.as_mut_ptr(), buf.len()) }
    }

    fn resolve(input: &str, base: &str) -> Option<String> {
        // Percent-encoding triples a byte at most; a longer answer asks again.
        let mut cap = (input.len() + base.len()) * 3 + 16;
        loop {
            let mut out = Vec::<u8>::with_capacity(cap);
            // SAFETY: the shell writes at most `cap` bytes into `out`'s spare capacity.
            let n = unsafe { url(input.as_ptr(), input.len(), base.as_ptr(), base.len(), out.as_mut_ptr(), cap) };
            let n = usize::try_from(n).ok()?;
            if n <= cap {
                // SAFETY: the shell wrote `n` bytes.
                unsafe { out.set_len(n) };
                return text(out);
            }
            cap = n;
        }
    }

    /// The shell's bytes come from TextEncoder, but a page may have replaced TextEncoder:
    /// checked by `bytes::is_utf8` (core's own check is 0.8 KB of wasm).
    fn text(bytes: Vec<u8>) -> Option<String> {
        // SAFETY: checked just before.
        crate::bytes::is_utf8(&bytes).then(|| unsafe { String::from_utf8_unchecked(bytes) })
    }

    #[no_mangle]
    extern "C" fn m(len: usize) -> *mut u8 {
        // with_capacity(n) allocates exactly n (Vec's documented guarantee); `c` takes it back.
        let mut v = Vec::<u8>::with_capacity(len);
        let p = v.as_mut_ptr();
        core::mem::forget(v);
        p
    }

    #[no_mangle]
    extern "C" fn c(ptr: *mut u8, len: usize) -> usize {
        // SAFETY: `ptr` came from `m(len)` and the shell filled all `len` bytes.
        let input = unsafe { Vec::from_raw_parts(ptr, len, len) };
        // One borrow for the call and its answer (not `hush` then a second borrow).
        let Ok(mut state) = super::STATE.0.try_borrow_mut() else { return 0 };
        let (bridge, answer) = &mut *state;
        match text(input) {
            Some(t) => bridge.get_or_insert_with(Bridge::default).call_into(&t, resolve, random, answer),
            None => answer.clear(),
        }
        answer.len()
    }

    #[no_mangle]
    extern "C" fn p() -> *const u8 {
        super::STATE.0.try_borrow().map_or(core::ptr::null(), |s| s.1.as_ptr())
    }
}
