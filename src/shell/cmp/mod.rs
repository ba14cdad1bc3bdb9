//! Connectors to the consent banners a site already runs (`connectConsentManager`).
//!
//! Each connector listens to its banner and feeds the decision into the core as
//! `ConsentEvent::Cmp { measurement, storage }` (what that does per requirement mode is
//! documented in `crate::consent`). The banner keeps its own record and re-announces it on
//! every page, so hush writes nothing for a banner decision. What each one maps:
//!
//! | banner | granted | refused / withdrawn |
//! | --- | --- | --- |
//! | `cookieconsent` (vanilla-cookieconsent v3) | category (`category`, default `analytics`) accepted: measurement + storage | not accepted: both refused |
//! | `klaro` | service (`service`, default `hush`) consented in a confirmed decision: measurement + storage | not consented: both refused |
//! | `tcf` (IAB TCF v2.2) | purpose 1 consent: storage; purposes 7, 8 and 9 all consented: measurement | each purpose without consent: refused |
//! | `google-consent-mode` (v2) | `analytics_storage: 'granted'` (default or update): measurement + storage | `update` with `'denied'`: both refused |
//!
//! Details and what hush does not follow are in each connector's module doc. A banner
//! that is not on the page yet is looked for again every 500 ms for 5 s; if it never
//! shows up, one console warning, and the consent state is left as it was.
//!
//! Every call into page code happens here, outside the tracker borrow (`runtime::with`
//! borrows only while the core runs), so a banner calling back into `_paq` is safe.

mod consent_mode;
mod cookieconsent;
mod klaro;
mod tcf;

use super::{browser, runtime};
use crate::command::{Arg, CmpKind, Command};
use crate::consent::ConsentEvent;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Attempts to find the banner: at connect, then every `RETRY_MS` (5 s in all).
const TRIES: u8 = 11;
const RETRY_MS: i32 = 500;

pub fn connect(kind: CmpKind, opts: Vec<(String, Arg)>) {
    let (option, default) = match kind {
        CmpKind::CookieConsent => ("category", "analytics"),
        CmpKind::Klaro => ("service", "hush"),
        _ => ("", ""),
    };
    let key = opts
        .into_iter()
        .find_map(|(k, v)| match v {
            Arg::Str(s) if k == option && !s.is_empty() => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| String::from(default));
    attempt(kind, JsValue::from_str(&key), 1);
}

fn attempt(kind: CmpKind, key: JsValue, n: u8) {
    let found = match kind {
        CmpKind::Tcf => tcf::attach(),
        CmpKind::GoogleConsentMode => consent_mode::attach(),
        CmpKind::Klaro => klaro::attach(&key),
        CmpKind::CookieConsent => cookieconsent::attach(&key, n == 1),
    };
    if found {
        return;
    }
    if n >= TRIES {
        let name = match kind {
            CmpKind::Tcf => "tcf (__tcfapi)",
            CmpKind::GoogleConsentMode => "google-consent-mode (dataLayer)",
            CmpKind::Klaro => "klaro",
            CmpKind::CookieConsent => "cookieconsent",
        };
        browser::warn(&["hush: connectConsentManager: no ", name, " banner on this page; consent unchanged"].concat());
        return;
    }
    browser::set_timeout(&hook(Hook::Retry(kind, key, n + 1)), RETRY_MS);
}

/// What a function handed to the page does, for the whole shell (listeners, timers, fetch
/// callbacks, wrappers). Every one is the same Rust closure over this enum: each distinct
/// closure type would cost its own glue in the wasm and in hush.js that every visitor loads.
/// `Fn`, not `FnMut`: the push wrapper is re-entered when a later push calls it back.
pub(super) enum Hook {
    Retry(CmpKind, JsValue, u8),
    /// `cc:onConsent` / `cc:onChange`, with the category.
    CookieConsent(JsValue),
    /// The Klaro watcher's `update`, with the service name.
    Klaro(JsValue),
    /// The `__tcfapi` event listener.
    Tcf,
    /// The `dataLayer.push` proxy's `apply` trap, and the accessor's getter and setter.
    Push(consent_mode::Chain),
    GetPush(JsValue),
    SetPush(Array),
    /// A page event listener (lifecycle, link clicks, popstate).
    Page(super::listeners::Ev),
    /// The form analytics listener.
    Form,
    /// The tracker's wake-up timer.
    Timer,
    /// The page view after a single-page-app navigation.
    Navigated,
    /// `history.pushState` / `replaceState` wrapped: the original and `history`.
    History(Function, JsValue),
    /// A fetch's answer and its failure, for the request with this id.
    Answer(u32),
    Failed(u32),
}

pub(super) fn hook(h: Hook) -> JsValue {
    Closure::<dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(move |a, b, c| run(&h, a, b, c))
        .into_js_value()
}

fn run(h: &Hook, a: JsValue, b: JsValue, c: JsValue) -> Result<JsValue, JsValue> {
    match h {
        Hook::Retry(kind, key, n) => attempt(*kind, key.clone(), *n),
        Hook::CookieConsent(category) => cookieconsent::on_event(&a, category),
        Hook::Klaro(service) => klaro::on_update(&a, &b, service),
        Hook::Tcf => tcf::on_data(&a, &b),
        Hook::Push(chain) => return consent_mode::on_push(chain, b, c),
        Hook::GetPush(wrapper) => return Ok(wrapper.clone()),
        Hook::SetPush(list) => consent_mode::on_set(list, a),
        Hook::Page(ev) => super::listeners::on(*ev, a),
        Hook::Form => super::forms::on_event(a.unchecked_into()),
        Hook::Timer => runtime::on_timer(),
        Hook::Navigated => {
            runtime::with(|t, host| t.on_url_change(host));
        }
        Hook::History(original, history) => {
            let result = original.apply(history, &list(&[&a, &b, &c]));
            super::listeners::after_navigation();
            return result;
        }
        Hook::Answer(id) => super::transport::on_answer(*id, a),
        Hook::Failed(id) => super::transport::on_failed(*id),
    }
    Ok(JsValue::UNDEFINED)
}

/// A banner's decision, into the core (`None`: that purpose unchanged).
fn decide(measurement: Option<bool>, storage: Option<bool>) {
    // runtime::handle (the `with` that `_paq.push` uses) rather than a new `with` closure.
    runtime::handle(Command::Consent(ConsentEvent::Cmp { measurement, storage }));
}

/// Measurement and storage granted together, or both refused.
fn both(yes: bool) {
    decide(Some(yes), Some(yes));
}

/// `target[key]`, `undefined` when it is missing or the getter throws.
pub(super) fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A property of `window`.
fn global(key: &str) -> JsValue {
    browser::window().map_or(JsValue::UNDEFINED, |w| get(&w, key))
}

/// `target[method](...args)`; `None` if it is not a function or it throws.
pub(super) fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Option<JsValue> {
    apply(&get(target, method), target, args)
}

/// `f.apply(this, args)`; `None` if `f` is not a function or it throws.
fn apply(f: &JsValue, this: &JsValue, args: &[&JsValue]) -> Option<JsValue> {
    f.dyn_ref::<Function>()?.apply(this, &list(args)).ok()
}

/// `[...args]` (one `Array` binding for every call with arguments: `Function.apply`).
pub(super) fn list(args: &[&JsValue]) -> Array {
    let list = Array::new();
    for a in args {
        list.push(a);
    }
    list
}

/// `v === true`.
fn is_true(v: &JsValue) -> bool {
    v.as_bool() == Some(true)
}

/// `obj[key] = value`.
pub(super) fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}
