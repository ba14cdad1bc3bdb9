//! Moving bytes: fetch (keepalive, no credentials, CORS-safelisted text/plain body, so no
//! preflight and no cookies sent to the collector) and sendBeacon when the page is leaving.

use super::cmp::{call, get, hook, set, Hook};
use super::{browser, runtime};
use crate::queue::Outcome;
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;


/// A stalled collector must not hold the queue forever.
const TIMEOUT_MS: u32 = 15_000;

/// Sends one request and reports its outcome to the tracker; the promise settles then.
pub fn send(id: u32, url: &str, body: Option<&str>, leaving: bool) -> Promise {
    if leaving && beacon(url, body) {
        // A queued beacon cannot be observed further; the browser owns it now.
        report(id, Outcome::Delivered);
        return Promise::resolve(&JsValue::UNDEFINED);
    }
    let Some(w) = browser::window() else { return Promise::resolve(&JsValue::UNDEFINED) };
    // A plain object rather than web-sys's RequestInit setters: `set` is one import for all.
    let init: JsValue = Object::new().into();
    set(&init, "method", &JsValue::from_str(if body.is_some() { "POST" } else { "GET" }));
    if let Some(b) = body {
        set(&init, "body", &JsValue::from_str(b));
    }
    set(&init, "credentials", &JsValue::from_str("omit"));
    // keepalive lets the request outlive the page.
    set(&init, "keepalive", &JsValue::TRUE);
    set(&init, "signal", &web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS));
    let on_answer = hook(Hook::Answer(id));
    let on_error = hook(Hook::Failed(id));
    let Some(pending) = call(&w, "fetch", &[&JsValue::from_str(url), &init]) else {
        // fetch itself threw (it rejects rather than throws in every current browser).
        report(id, Outcome::NetworkError);
        return Promise::resolve(&JsValue::UNDEFINED);
    };
    then(pending.unchecked_ref(), &on_answer, &on_error)
}

/// `promise.then(a, b)` with closures that free themselves when called.
fn then(promise: &Promise, on_ok: &JsValue, on_err: &JsValue) -> Promise {
    call(promise, "then", &[on_ok, on_err]).map_or_else(|| Promise::resolve(&JsValue::UNDEFINED), JsCast::unchecked_into)
}

fn beacon(url: &str, body: Option<&str>) -> bool {
    let Some(w) = browser::window() else { return false };
    let body = body.map_or(JsValue::UNDEFINED, JsValue::from_str);
    call(&get(&w, "navigator"), "sendBeacon", &[&JsValue::from_str(url), &body]) == Some(JsValue::TRUE)
}

fn outcome_of(resp: &JsValue) -> Outcome {
    let code = get(resp, "status").as_f64().unwrap_or(0.0) as u16;
    if (200..300).contains(&code) {
        return Outcome::Delivered;
    }
    let retry_after_ms = call(&get(resp, "headers"), "get", &[&JsValue::from_str("Retry-After")])
        .and_then(|v| v.as_string())
        .and_then(|v| crate::command::parse_number(v.trim()))
        .map(|secs| secs * 1000.0);
    Outcome::Status { code, retry_after_ms }
}

fn report(id: u32, outcome: Outcome) {
    runtime::with(|t, host| t.on_result(id, outcome, host));
}

pub fn on_answer(id: u32, resp: JsValue) {
    report(id, outcome_of(&resp));
}

pub fn on_failed(id: u32) {
    report(id, Outcome::NetworkError);
}
