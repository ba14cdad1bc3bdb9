//! Reads of the page and the host services the core needs (clock, Web Crypto, URL parser),
//! plus first-party storage. Every call that the browser may refuse is allowed to fail.

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
        let d = js_sys::Date::new(&JsValue::from_f64(epoch_ms));
        [d.get_hours() as u8, d.get_minutes() as u8, d.get_seconds() as u8]
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
        Page { url: doc.url().unwrap_or_default(), title: doc.title(), referrer: doc.referrer() }
    }

    fn resolve_url(&self, input: &str, base: &str) -> Option<String> {
        web_sys::Url::new_with_base(input, base).ok().map(|u| u.href())
    }
}

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

pub fn document() -> Option<web_sys::Document> {
    window()?.document()
}

pub fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(msg));
}

fn local_storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok()?
}

pub fn storage_get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok()?
}

pub fn storage_set(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn storage_remove(key: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(key);
    }
}

/// Global Privacy Control and Do Not Track, as the browser reports them.
pub fn privacy_signals() -> (bool, bool) {
    let Some(w) = window() else { return (false, false) };
    let nav = w.navigator();
    let gpc = js_sys::Reflect::get(&nav, &JsValue::from_str("globalPrivacyControl")).ok() == Some(JsValue::TRUE);
    let dnt_of = |v: &JsValue| js_sys::Reflect::get(v, &JsValue::from_str("doNotTrack")).ok().and_then(|d| d.as_string());
    let dnt = [dnt_of(&nav), dnt_of(&w)].iter().flatten().any(|d| d == "1" || d == "yes");
    (gpc, dnt)
}
