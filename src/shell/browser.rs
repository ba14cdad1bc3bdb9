//! Reads of the page and the host services the core needs (clock, Web Crypto, URL parser),
//! plus first-party storage. Every call that the browser may refuse is allowed to fail.

use super::cmp::{call, get};
use crate::host::{Host, Page};
use alloc::string::String;
use wasm_bindgen::JsValue;

/// The core's window onto the browser. Stateless: it reads the page on every call.
pub struct BrowserHost;

impl Host for BrowserHost {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn local_hms(&self, epoch_ms: f64) -> [u8; 3] {
        let d: JsValue = js_sys::Date::new(&JsValue::from_f64(epoch_ms)).into();
        ["getHours", "getMinutes", "getSeconds"].map(|m| call(&d, m, &[]).and_then(|v| v.as_f64()).unwrap_or(0.0) as u8)
    }

    fn random(&mut self, buf: &mut [u8]) {
        // Web Crypto through getrandom; if it is missing the page has no secure random
        // source, and hush would rather send nothing than weak IDs.
        if getrandom::fill(buf).is_err() {
            core::arch::wasm32::unreachable();
        }
    }

    fn page(&self) -> Page {
        let Some(doc) = document() else { return Page::default() };
        let text = |key| get(&doc, key).as_string().unwrap_or_default();
        Page { url: text("URL"), title: text("title"), referrer: text("referrer") }
    }

    fn resolve_url(&self, input: &str, base: &str) -> Option<String> {
        web_sys::Url::new_with_base(input, base).ok().and_then(|u| get(&u, "href").as_string())
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `globalThis`: the window of the page hush runs in. One import, where web-sys's
    /// `window()` costs four global accessors and an `instanceof Window`.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL: JsValue;
}

pub fn window() -> Option<JsValue> {
    Some(GLOBAL.with(JsValue::clone)).filter(|w| w.is_object())
}

/// `window.document` (reads of the page go through `Reflect.get`: one import for all).
pub fn document() -> Option<JsValue> {
    Some(get(&window()?, "document")).filter(|d| d.is_object())
}

/// `document.hidden`.
pub fn hidden() -> bool {
    document().is_some_and(|d| get(&d, "hidden") == JsValue::TRUE)
}

/// `target.addEventListener(kind, f, capture)`.
pub fn listen(target: &JsValue, kind: &str, f: &JsValue, capture: bool) {
    call(target, "addEventListener", &[&JsValue::from_str(kind), f, &JsValue::from_bool(capture)]);
}

/// `setTimeout(f, ms)`: the timer's id.
pub fn set_timeout(f: &JsValue, ms: i32) -> Option<f64> {
    call(&window()?, "setTimeout", &[f, &JsValue::from_f64(ms as f64)])?.as_f64()
}

pub fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

/// `localStorage.method(key[, value])`; `None` if storage is missing, refused or throws.
fn storage(method: &str, args: &[&JsValue]) -> Option<JsValue> {
    let s = get(&window()?, "localStorage");
    if !s.is_object() {
        return None;
    }
    call(&s, method, args)
}

pub fn storage_get(key: &str) -> Option<String> {
    storage("getItem", &[&JsValue::from_str(key)])?.as_string()
}

pub fn storage_set(key: &str, value: &str) {
    storage("setItem", &[&JsValue::from_str(key), &JsValue::from_str(value)]);
}

pub fn storage_remove(key: &str) {
    storage("removeItem", &[&JsValue::from_str(key)]);
}

/// Global Privacy Control and Do Not Track, as the browser reports them.
pub fn privacy_signals() -> (bool, bool) {
    let Some(w) = window() else { return (false, false) };
    let nav = get(&w, "navigator");
    let gpc = get(&nav, "globalPrivacyControl") == JsValue::TRUE;
    let dnt_of = |v: &JsValue| get(v, "doNotTrack").as_string();
    let dnt = [dnt_of(&nav), dnt_of(&w)].iter().flatten().any(|d| d == "1" || d == "yes");
    (gpc, dnt)
}
