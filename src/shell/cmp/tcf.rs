//! IAB TCF v2.2 (`tcf`), through `__tcfapi('addEventListener', 2, callback)`.
//!
//! - On `tcloaded` (a stored TC string was loaded) and `useractioncomplete` (the visitor
//!   decided): `gdprApplies === false` → nothing (the site's requirement mode decides, as
//!   without a banner); otherwise purpose 1 (store and access information on a device)
//!   consented → storage, else storage refused; purposes 7, 8 and 9 (measure advertising
//!   and content performance, understand audiences through statistics) all consented →
//!   measurement, else measurement refused.
//! - Conservative on purpose: only `purpose.consents` counts. Legitimate interest
//!   (`purpose.legitimateInterests`) is never read as consent, and vendor consents are not
//!   required (hush runs first-party for the site, not as a registered vendor), nor are
//!   `publisher` restrictions or publisher purposes read.
//! - `cmpuishown` (banner shown, no decision) changes nothing. A CMP that installs
//!   `__tcfapi` (or its queueing stub) after hush loads is found by the retry loop; the
//!   `__tcfapiLocator` frame of a parent page (hush inside an iframe) is not used.

use super::{apply, decide, get, global, hook, is_true, Hook};
use js_sys::Reflect;
use wasm_bindgen::JsValue;

pub fn attach() -> bool {
    let api = global("__tcfapi");
    if !api.is_function() {
        return false;
    }
    let listener = hook(Hook::Tcf);
    apply(&api, &JsValue::UNDEFINED, &[&JsValue::from_str("addEventListener"), &JsValue::from_f64(2.0), &listener]);
    true
}

/// The listener's `(tcData, success)`.
pub fn on_data(tc: &JsValue, ok: &JsValue) {
    let status = get(tc, "eventStatus").as_string();
    let decided = matches!(status.as_deref(), Some("tcloaded" | "useractioncomplete"));
    if is_true(ok) && decided && get(tc, "gdprApplies").as_bool() != Some(false) {
        let consents = get(&get(tc, "purpose"), "consents");
        let p = |n: u32| Reflect::get_u32(&consents, n).is_ok_and(|v| is_true(&v));
        decide(Some(p(7) && p(8) && p(9)), Some(p(1)));
    }
}
