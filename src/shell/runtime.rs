//! The one tracker of this page and the loop that carries out its actions.
//!
//! The tracker is borrowed only while the core runs; actions are taken out and carried
//! out after the borrow ends, so callbacks into page code (consent listeners, fetch
//! handlers) can safely call back into hush.

use super::browser::{self, BrowserHost};
use super::{listeners, transport};
use crate::command::Command;
use crate::consent::{CONSENT_KEY, OPTOUT_KEY};
use crate::identity::VISITOR_KEY;
use crate::tracker::{Action, Reply, Stored, Tracker, QUEUE_KEY};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

struct State {
    tracker: Tracker,
    api: JsValue,
    consent_listeners: Vec<Function>,
    timer: Option<f64>,
}

struct Global(RefCell<Option<State>>);
// wasm32 without threads: one page, one thread.
unsafe impl Sync for Global {}
static STATE: Global = Global(RefCell::new(None));

pub fn is_started() -> bool {
    STATE.0.try_borrow().map(|s| s.is_some()).unwrap_or(true)
}

pub fn start(api: JsValue) {
    let mut host = BrowserHost;
    let mut tracker = Tracker::new(&mut host);
    let (gpc, dnt) = browser::privacy_signals();
    let stored = Stored {
        gpc,
        dnt,
        consent: browser::storage_get(CONSENT_KEY),
        optout: browser::storage_get(OPTOUT_KEY),
        visitor: browser::storage_get(VISITOR_KEY),
        queue: browser::storage_get(QUEUE_KEY),
    };
    tracker.restore(stored, &mut host);
    if let Ok(mut slot) = STATE.0.try_borrow_mut() {
        *slot = Some(State { tracker, api, consent_listeners: Vec::new(), timer: None });
    }
    drain();
}

pub fn api() -> JsValue {
    STATE.0.try_borrow().ok().and_then(|s| s.as_ref().map(|s| s.api.clone())).unwrap_or(JsValue::UNDEFINED)
}

/// Runs `f` on the tracker, then carries out the actions it produced.
pub fn with<R>(f: impl FnOnce(&mut Tracker, &mut BrowserHost) -> R) -> Option<R> {
    let out = {
        let mut slot = STATE.0.try_borrow_mut().ok()?;
        let state = slot.as_mut()?;
        f(&mut state.tracker, &mut BrowserHost)
    };
    drain();
    Some(out)
}

pub fn handle(cmd: Command) -> Reply {
    with(|t, host| t.handle(cmd, host)).unwrap_or(Reply::Nothing)
}

pub fn flush() -> Promise {
    let sends = with(|t, host| {
        t.handle(Command::Flush, host);
        t.take_actions()
    })
    .unwrap_or_default();
    let promises = js_sys::Array::new();
    for action in sends {
        if let Some(p) = perform(action) {
            promises.push(&p);
        }
    }
    Promise::all(&promises)
}

pub fn consent_state() -> String {
    with(|t, host| t.consent_state(crate::host::Host::now_ms(host))).unwrap_or_default()
}

pub fn on_consent_change(callback: Function) {
    if let Ok(mut slot) = STATE.0.try_borrow_mut() {
        if let Some(s) = slot.as_mut() {
            s.consent_listeners.push(callback);
        }
    }
}

/// Carries out pending actions until the tracker has none left.
fn drain() {
    loop {
        let actions = match STATE.0.try_borrow_mut() {
            Ok(mut slot) => match slot.as_mut() {
                Some(s) => s.tracker.take_actions(),
                None => return,
            },
            Err(_) => return,
        };
        if actions.is_empty() {
            return;
        }
        for a in actions {
            perform(a);
        }
    }
}

/// Carries out one action; a send returns the promise of its completion.
fn perform(action: Action) -> Option<Promise> {
    match action {
        Action::Send { id, url, body, leaving } => return Some(transport::send(id, &url, body.as_deref(), leaving)),
        Action::Store(key, value) => browser::storage_set(key, &value),
        Action::Remove(key) => browser::storage_remove(key),
        Action::Warn(msg) => browser::warn(&msg),
        Action::Wake(at) => set_timer(at),
        Action::Enable(feature) => listeners::enable(feature),
        Action::ConnectConsentManager(kind, options) => super::cmp::connect(kind, options),
        Action::ConsentChanged => notify_consent(),
    }
    None
}

fn notify_consent() {
    let state = consent_state();
    let listeners = STATE.0.try_borrow().ok().and_then(|s| s.as_ref().map(|s| s.consent_listeners.clone())).unwrap_or_default();
    for f in listeners {
        let _ = f.apply(&JsValue::UNDEFINED, &super::cmp::list(&[&JsValue::from_str(&state)]));
    }
}

/// One timer for the tracker's next deadline; a new deadline replaces the old one.
fn set_timer(at: f64) {
    let delay = (at - js_sys::Date::now()).clamp(0.0, 2_147_483_647.0) as i32;
    let Some(id) = browser::set_timeout(&super::cmp::hook(super::cmp::Hook::Timer), delay) else { return };
    if let Ok(mut slot) = STATE.0.try_borrow_mut() {
        if let Some(s) = slot.as_mut() {
            if let Some(old) = s.timer.replace(id) {
                if let Some(w) = browser::window() {
                    super::cmp::call(&w, "clearTimeout", &[&JsValue::from_f64(old)]);
                }
            }
        }
    }
}

/// The wake-up timer fired.
pub fn on_timer() {
    if let Ok(mut slot) = STATE.0.try_borrow_mut() {
        if let Some(s) = slot.as_mut() {
            s.timer = None;
        }
    }
    with(|t, host| t.on_timer(host));
}
