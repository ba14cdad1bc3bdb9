//! vanilla-cookieconsent v3 (`cookieconsent`, option `category`, default `analytics`).
//!
//! - `cc:onConsent` (first decision, and again on every page load while the banner's own
//!   record is valid) and `cc:onChange` (the visitor changed the preferences) are window
//!   events whose `detail.cookie.categories` lists the accepted categories: the category
//!   accepted → measurement + storage granted; not accepted → both refused (under
//!   requireConsent nothing is sent; otherwise hits stay cookieless; hush's storage is
//!   erased either way).
//! - At connect, if the banner already ran and holds a valid decision
//!   (`CookieConsent.validConsent()`), `CookieConsent.acceptedCategory(category)` is read.
//!   The listeners are added at connect even before the banner is found, so the ES-module
//!   build (no `window.CookieConsent` global, but `window._ccRun`) is followed too.
//! - Not followed: the banner's per-service toggles inside a category (only the category
//!   counts), and its "opt-out" mode's implicit consent before any click (hush waits for
//!   `cc:onConsent`, which that mode fires only after a decision).

use super::{both, call, get, global, hook, is_true, Hook};
use crate::shell::browser;
use wasm_bindgen::JsValue;

pub fn attach(category: &JsValue, first: bool) -> bool {
    if first {
        let Some(w) = browser::window() else { return false };
        for kind in ["cc:onConsent", "cc:onChange"] {
            call(&w, "addEventListener", &[&JsValue::from_str(kind), &hook(Hook::CookieConsent(category.clone()))]);
        }
    }
    let cc = global("CookieConsent");
    if let Some(valid) = call(&cc, "validConsent", &[]) {
        if is_true(&valid) {
            both(call(&cc, "acceptedCategory", &[category]).is_some_and(|v| is_true(&v)));
        }
        return true;
    }
    // The ES-module build sets only this flag when it runs.
    is_true(&global("_ccRun"))
}

/// `detail.cookie.categories` lists the accepted categories.
pub fn on_event(event: &JsValue, category: &JsValue) {
    let categories = get(&get(&get(event, "detail"), "cookie"), "categories");
    both(call(&categories, "includes", &[category]).is_some_and(|v| is_true(&v)));
}
