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

/// The one export (each export costs glue in the wasm and in hush.js): `op` picks the entry
/// point, `a` and `b` are its arguments. `js/loader.js` and `js/index.js` name them.
#[wasm_bindgen]
pub fn hush(op: u32, a: JsValue, b: JsValue) -> JsValue {
    match op {
        0 => return push(a),
        1 => boot(a.unchecked_into(), b),
        2 => return check(a).map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s)),
        3 => return flush().into(),
        4 => return JsValue::from_str(&consent_state()),
        5 => on_consent_change(a.unchecked_into()),
        _ => {}
    }
    JsValue::UNDEFINED
}

/// Starts hush with the commands queued before it loaded (`window._paq` or npm options).
/// `api` is the object a function command gets as `this`.
pub fn boot(queue: Array, api: JsValue) {
    if runtime::is_started() {
        return;
    }
    runtime::start(api);
    let mut first = Vec::new();
    let mut rest = Vec::new();
    for item in queue.iter() {
        match args::name_of(&item).and_then(|n| command::apply_first_rank(&n)) {
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
pub fn push(item: JsValue) -> JsValue {
    // Read once, through catching bindings: a hostile array (Proxy, throwing getters) can
    // neither throw here nor show different items to two reads.
    let Some(list) = args::items(&item, FUNCTION_ARGS) else {
        browser::warn("hush: _paq.push expects an array like ['trackPageView']; ignored");
        return JsValue::UNDEFINED;
    };
    if let Some(f) = list.first().cloned().flatten().and_then(|h| h.dyn_into::<Function>().ok()) {
        // The function form: `this` is the tracker API. It runs outside any tracker
        // borrow; what it throws is caught here and reported.
        let rest: Array = list.iter().skip(1).map(|v| v.clone().unwrap_or(JsValue::UNDEFINED)).collect();
        return f.apply(&runtime::api(), &rest).unwrap_or_else(|_| {
            browser::warn("hush: a function pushed to _paq threw; ignored");
            JsValue::UNDEFINED
        });
    }
    match parse(&list) {
        Ok(cmd) => reply_value(runtime::handle(cmd)),
        Err(warning) => {
            browser::warn(&warning);
            JsValue::UNDEFINED
        }
    }
}

/// For the npm API: the warning `item` would produce, or `undefined` if it is valid.
pub fn check(item: JsValue) -> Option<alloc::string::String> {
    parse(&args::items(&item, FUNCTION_ARGS)?).err()
}

/// Sends everything queued now; resolves when those requests have completed.
pub fn flush() -> js_sys::Promise {
    runtime::flush()
}

/// The current consent decision and record, as JSON text.
pub fn consent_state() -> alloc::string::String {
    runtime::consent_state()
}

/// Registers a callback run with the consent state (JSON text) whenever it changes.
pub fn on_consent_change(callback: Function) {
    runtime::on_consent_change(callback);
}

/// Items read from one pushed array: arguments for a function command, and more than
/// any command takes.
const FUNCTION_ARGS: u32 = 64;

fn parse(list: &[Option<JsValue>]) -> Result<Command, alloc::string::String> {
    let Some(name) = list.first().cloned().flatten().and_then(|n| n.as_string()) else {
        return Err(alloc::string::String::from("hush: a _paq command starts with its name (a string); ignored"));
    };
    let values: Vec<_> = list.iter().skip(1).take(args::MAX_ARGS).map(|v| args::item_arg(v.as_ref(), 0)).collect();
    command::parse(&name, &values)
}

fn reply_value(r: Reply) -> JsValue {
    match r {
        Reply::Nothing => JsValue::UNDEFINED,
        Reply::Text(s) => JsValue::from_str(&s),
        Reply::Bool(b) => JsValue::from_bool(b),
    }
}
