//! The wasm's one export and one import. Everything else crosses as text through
//! [`crate::bridge`], so the glue wasm-bindgen writes stays the size of two string copies.

use crate::bridge::Bridge;
use alloc::string::String;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `new URL(input, base).href`, `undefined` when it does not parse. Defined by the
    /// shell (`js/resolve.js`) in the same scope as the glue, so nothing leaks to the page.
    #[wasm_bindgen(js_name = hushResolveUrl)]
    fn resolve_url(input: &str, base: &str) -> Option<String>;
}

fn resolve(input: &str, base: &str) -> Option<String> {
    resolve_url(input, base)
}

struct Global(RefCell<Option<Bridge>>);
// wasm32 without threads: one page, one thread.
unsafe impl Sync for Global {}
static BRIDGE: Global = Global(RefCell::new(None));

/// One call of the shell (the protocol is in `bridge`). The bridge never calls page code,
/// so this is never re-entered; if it somehow were, the call answers nothing.
#[wasm_bindgen]
pub fn hush(input: &str) -> String {
    let Ok(mut slot) = BRIDGE.0.try_borrow_mut() else { return String::new() };
    slot.get_or_insert_with(Bridge::default).call(input, resolve)
}
