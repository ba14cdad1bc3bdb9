//! Google Consent Mode v2 (`google-consent-mode`): `gtag('consent', 'default' | 'update',
//! {analytics_storage: 'granted' | 'denied', …})`, read from `window.dataLayer`, where
//! gtag() pushes its `arguments` objects.
//!
//! - `analytics_storage: 'granted'` (default or update) → measurement + storage granted.
//! - `update` with `'denied'` → both refused (the visitor said no or withdrew): under
//!   requireConsent nothing is sent, otherwise hits stay cookieless; hush's storage is erased.
//! - `default` with `'denied'` is the banner's "not decided yet" (sites set it on every
//!   page before the visitor chooses), so it changes nothing: under requireConsent hits are
//!   held until an `update`, otherwise they go cookieless. A `default` limited to some
//!   `region`s is skipped: only Google's servers know where the visitor is.
//! - Entries already in the dataLayer are replayed at connect; later ones are seen by
//!   wrapping `dataLayer.push`. The wrapper is a Proxy of the push in place (variadic,
//!   same name and length), installed as an accessor property: when gtag.js or Tag
//!   Manager later assign their own `dataLayer.push`, the setter keeps their function and
//!   the getter still hands out the wrapper, which calls theirs. If theirs calls the push
//!   it found (ours) again, the nested call goes one step down the chain of assigned
//!   pushes, ending at the original one, so every function in the chain runs once and
//!   hush reads each command once, after the page's own push has run.
//! - Not followed: replacing the whole `window.dataLayer` array after connect, consent set
//!   only inside Tag Manager's template API (`setDefaultConsentState`), and the other
//!   Consent Mode types (`ad_storage`, `ad_user_data`, …), which are not about analytics.

use super::{both, get, global, hook, set, Hook};
use alloc::rc::Rc;
use core::cell::Cell;
use js_sys::{Array, Function, Object, Proxy, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Every push assigned so far, oldest first, and how deep the current call is nested.
pub struct Chain {
    pushes: Array,
    depth: Rc<Cell<u32>>,
}

pub fn attach() -> bool {
    let layer = global("dataLayer");
    if !crate::shell::args::is_array(&layer).unwrap_or(false) {
        return false;
    }
    for entry in layer.unchecked_ref::<Array>().iter() {
        read(&entry);
    }
    let current = get(&layer, "push");
    if !current.is_function() {
        return true;
    }
    let pushes = Array::new();
    pushes.push(&current);
    let handler = Object::new();
    set(&handler, "apply", &hook(Hook::Push(Chain { pushes: pushes.clone(), depth: Rc::new(Cell::new(0)) })));
    let wrapper: JsValue = Proxy::new(&current, &handler).into();
    let desc = Object::new();
    set(&desc, "get", &hook(Hook::GetPush(wrapper)));
    set(&desc, "set", &hook(Hook::SetPush(pushes)));
    set(&desc, "configurable", &JsValue::TRUE);
    let _ = Reflect::define_property(layer.unchecked_ref::<Object>(), &JsValue::from_str("push"), &desc);
    true
}

/// The proxy's `apply(target, this, args)`: a call nested `depth` deep runs the push
/// `depth` steps below the newest; the outermost one then reads what was pushed.
pub fn on_push(chain: &Chain, this: JsValue, args: JsValue) -> Result<JsValue, JsValue> {
    let n = chain.depth.get();
    let args: Array = args.unchecked_into();
    let f = match chain.pushes.length().checked_sub(n + 1) {
        Some(i) => Reflect::get_u32(&chain.pushes, i).unwrap_or(JsValue::UNDEFINED),
        // Deeper than the chain (a push calling itself): the array's own push.
        None => get(&Array::new(), "push"),
    };
    chain.depth.set(n + 1);
    let result = f.unchecked_ref::<Function>().apply(&this, &args);
    chain.depth.set(n);
    if n == 0 {
        for entry in args.iter() {
            read(&entry);
        }
    }
    result
}

/// The accessor's setter: a push the page (gtag.js, Tag Manager) assigns joins the chain.
pub fn on_set(pushes: &Array, f: JsValue) {
    if f.is_function() {
        pushes.push(&f);
    }
}

/// One dataLayer entry: `['consent', 'default' | 'update', {analytics_storage, region…}]`.
fn read(entry: &JsValue) {
    let at = |i: u32| Reflect::get_u32(entry, i).unwrap_or(JsValue::UNDEFINED);
    if at(0).as_string().as_deref() != Some("consent") {
        return;
    }
    let update = at(1).as_string().as_deref() == Some("update");
    let params = at(2);
    if !update && !get(&params, "region").is_undefined() {
        return;
    }
    match get(&params, "analytics_storage").as_string().as_deref() {
        Some("granted") => both(true),
        Some("denied") if update => both(false),
        _ => {}
    }
}
