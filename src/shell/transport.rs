//! Moving bytes: fetch (keepalive, no credentials, CORS-safelisted text/plain body, so no
//! preflight and no cookies sent to the collector) and sendBeacon when the page is leaving.

use super::cmp::{hook, Hook};
use super::{browser, runtime};
use crate::queue::Outcome;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{RequestCredentials, RequestInit, Response};

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
    let init = RequestInit::new();
    init.set_method(if body.is_some() { "POST" } else { "GET" });
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    init.set_credentials(RequestCredentials::Omit);
    // Not in web-sys's RequestInit yet: keepalive lets the request outlive the page.
    let _ = Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    let on_answer = hook(Hook::Answer(id));
    let on_error = hook(Hook::Failed(id));
    let pending = w.fetch_with_str_and_init(url, &init);
    then(&pending, &on_answer, &on_error)
}

/// `promise.then(a, b)` with closures that free themselves when called.
fn then(promise: &Promise, on_ok: &JsValue, on_err: &JsValue) -> Promise {
    Reflect::get(promise, &JsValue::from_str("then"))
        .and_then(|f| f.unchecked_into::<js_sys::Function>().call2(promise, on_ok, on_err))
        .map(JsCast::unchecked_into)
        .unwrap_or_else(|_| Promise::resolve(&JsValue::UNDEFINED))
}

fn beacon(url: &str, body: Option<&str>) -> bool {
    let Some(w) = browser::window() else { return false };
    w.navigator().send_beacon_with_opt_str(url, body).unwrap_or(false)
}

fn outcome_of(resp: &Response) -> Outcome {
    let code = resp.status();
    if (200..300).contains(&code) {
        return Outcome::Delivered;
    }
    let retry_after_ms = resp
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|v| crate::command::parse_number(v.trim()))
        .map(|secs| secs * 1000.0);
    Outcome::Status { code, retry_after_ms }
}

fn report(id: u32, outcome: Outcome) {
    runtime::with(|t, host| t.on_result(id, outcome, host));
}

pub fn on_answer(id: u32, resp: JsValue) {
    report(id, outcome_of(&resp.unchecked_into()));
}

pub fn on_failed(id: u32) {
    report(id, Outcome::NetworkError);
}
