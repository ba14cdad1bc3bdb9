//! Klaro (`klaro`, option `service`, default `hush`: the name of the service in the
//! site's Klaro config that stands for analytics).
//!
//! - `klaro.getManager().watch({update(manager, eventType)})`: on `saveConsents` (the
//!   visitor clicked accept, decline or saved the modal) `manager.getConsent(service)`
//!   true → measurement + storage granted; false → both refused.
//! - At connect, if the manager holds a confirmed decision (`manager.confirmed`, read from
//!   Klaro's own cookie), that decision is applied.
//! - Not followed: the toggles in the modal before it is saved (Klaro's `consents` event),
//!   services marked `optOut` or `default: true` (hush waits for a confirmed decision), and
//!   a service name missing from the config (Klaro reports it as not consented, so it
//!   reads as refused).

use super::{both, call, get, global, hook, is_true, set, Hook};
use wasm_bindgen::JsValue;

pub fn attach(service: &JsValue) -> bool {
    // getManager() throws until Klaro has read its config.
    let Some(manager) = call(&global("klaro"), "getManager", &[]).filter(|m| m.is_object()) else { return false };
    let watcher = js_sys::Object::new();
    set(&watcher, "update", &hook(Hook::Klaro(service.clone())));
    call(&manager, "watch", &[&watcher]);
    if is_true(&get(&manager, "confirmed")) {
        read(&manager, service);
    }
    true
}

/// The watcher's `update(manager, eventType, data)`.
pub fn on_update(manager: &JsValue, event: &JsValue, service: &JsValue) {
    if event.as_string().as_deref() == Some("saveConsents") {
        read(manager, service);
    }
}

fn read(manager: &JsValue, service: &JsValue) {
    both(call(manager, "getConsent", &[service]).is_some_and(|v| is_true(&v)));
}
