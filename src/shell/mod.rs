//! The browser shell: the only code that touches the page. It converts what the page
//! pushes into commands, reads the page for the core, and carries out the core's actions.
//! Every entry point is called from `js/` inside try/catch, and none holds the tracker
//! borrowed while page code runs, so nothing the page does can wedge or break hush.

pub mod args;
pub mod browser;
mod cmp;
mod forms;
mod listeners;
mod runtime;
mod transport;

use crate::command::{self, Command};
use crate::tracker::Reply;
use alloc::vec::Vec;
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Starts hush with the commands queued before it loaded (`window._paq` or npm options).
/// `api` is the object a function command gets as `this`.
#[wasm_bindgen]
pub fn boot(queue: Array, api: JsValue) {
    if runtime::is_started() {
        return;
    }
    runtime::start(api);
    let mut first = Vec::new();
    let mut rest = Vec::new();
    for item in queue.iter() {
        match item.dyn_ref::<Array>().and_then(|a| a.get(0).as_string()).and_then(|n| command::apply_first_rank(&n)) {
            Some(rank) => first.push((rank, item)),
            None => rest.push(item),
        }
    }
    // Apply-first commands in matomo.js's order, equal ranks in push order (a rank
    // scan rather than a sort: the slice sort code costs kilobytes of wasm).
    let ranks = first.iter().map(|(r, _)| *r).max().map_or(0, |m| m + 1);
    for rank in 0..ranks {
        for (_, item) in first.iter().filter(|(r, _)| *r == rank) {
            push(item.clone());
        }
    }
    for item in rest {
        push(item);
    }
    listeners::watch_page_lifecycle();
}

/// Runs one `_paq` item: `[name, ...args]` or `[function, ...args]`. Returns what a
/// getter returns, `undefined` otherwise.
#[wasm_bindgen]
pub fn push(item: JsValue) -> JsValue {
    let Some(list) = item.dyn_ref::<Array>() else {
        browser::warn("hush: _paq.push expects an array like ['trackPageView']; ignored");
        return JsValue::UNDEFINED;
    };
    let head = list.get(0);
    if let Some(f) = head.dyn_ref::<Function>() {
        // The function form: `this` is the tracker API. Its exceptions stay in the page's
        // own code path (the JS caller catches them), never inside a tracker borrow.
        return f.apply(&runtime::api(), &list.slice(1, list.length())).unwrap_or(JsValue::UNDEFINED);
    }
    match parse(list) {
        Ok(cmd) => reply_value(runtime::handle(cmd)),
        Err(warning) => {
            browser::warn(&warning);
            JsValue::UNDEFINED
        }
    }
}

/// For the npm API: the warning `item` would produce, or `undefined` if it is valid.
#[wasm_bindgen]
pub fn check(item: JsValue) -> Option<alloc::string::String> {
    let list = item.dyn_ref::<Array>()?;
    parse(list).err()
}

/// Sends everything queued now; resolves when those requests have completed.
#[wasm_bindgen]
pub fn flush() -> js_sys::Promise {
    runtime::flush()
}

/// The current consent decision and record, as JSON text.
#[wasm_bindgen(js_name = consentState)]
pub fn consent_state() -> alloc::string::String {
    runtime::consent_state()
}

/// Registers a callback run with the consent state (JSON text) whenever it changes.
#[wasm_bindgen(js_name = onConsentChange)]
pub fn on_consent_change(callback: Function) {
    runtime::on_consent_change(callback);
}

fn parse(list: &Array) -> Result<Command, alloc::string::String> {
    let Some(name) = list.get(0).as_string() else {
        return Err(alloc::string::String::from("hush: a _paq command starts with its name (a string); ignored"));
    };
    let values: Vec<_> = list.iter().skip(1).take(args::MAX_ARGS).map(|v| args::to_arg(&v, 0)).collect();
    command::parse(&name, &values)
}

fn reply_value(r: Reply) -> JsValue {
    match r {
        Reply::Nothing => JsValue::UNDEFINED,
        Reply::Text(s) => JsValue::from_str(&s),
        Reply::Bool(b) => JsValue::from_bool(b),
    }
}
