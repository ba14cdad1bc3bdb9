//! Page events hush listens to: lifecycle (hide, show, online), link clicks and
//! single-page-app navigations. Listeners are passive observers: they never cancel,
//! stop or delay the page's own handling.

use super::{browser, runtime};
use crate::tracker::Feature;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventTarget, MouseEvent};

fn listen(target: &EventTarget, kind: &str, capture: bool, f: impl FnMut(Event) + 'static) {
    let c = Closure::<dyn FnMut(Event)>::new(f);
    let _ = target.add_event_listener_with_callback_and_bool(kind, c.as_ref().unchecked_ref(), capture);
    // Listeners live as long as the page.
    c.forget();
}

/// Hidden / shown / online / offline. `pagehide` rather than `unload`, which would make
/// the page ineligible for the back-forward cache.
pub fn watch_page_lifecycle() {
    let (Some(w), Some(doc)) = (browser::window(), browser::document()) else { return };
    listen(&doc, "visibilitychange", false, |_| {
        let hidden = browser::document().map(|d| d.hidden()).unwrap_or(false);
        runtime::with(|t, host| if hidden { t.on_page_hidden(host) } else { t.on_page_visible(host) });
    });
    listen(&w, "pagehide", false, |_| {
        runtime::with(|t, host| t.on_page_hidden(host));
    });
    listen(&w, "pageshow", false, |e| {
        if Reflect::get(&e, &JsValue::from_str("persisted")).ok() == Some(JsValue::TRUE) {
            runtime::with(|t, host| t.on_page_visible(host));
        }
    });
    listen(&w, "online", false, |_| {
        runtime::with(|t, host| t.on_online(true, host));
    });
    listen(&w, "offline", false, |_| {
        runtime::with(|t, host| t.on_online(false, host));
    });
}

pub fn enable(feature: Feature) {
    match feature {
        Feature::LinkTracking => track_links(),
        Feature::HistoryTracking => track_history(),
        Feature::FormAnalytics => super::forms::enable(),
    }
}

/// One delegated listener on the document: links added to the page later are covered.
/// `auxclick` catches the middle button (open in a new tab).
fn track_links() {
    let Some(doc) = browser::document() else { return };
    for kind in ["click", "auxclick"] {
        listen(&doc, kind, true, move |e| {
            let Some(me) = e.dyn_ref::<MouseEvent>() else { return };
            if kind == "auxclick" && me.button() != 1 {
                return;
            }
            if let Some((href, classes, download)) = clicked_link(&e) {
                runtime::with(|t, host| t.on_link_click(&href, &classes, download, host));
            }
        });
    }
}

/// The link under the click: its resolved href, its classes and its `download` attribute.
fn clicked_link(e: &Event) -> Option<(alloc::string::String, alloc::string::String, bool)> {
    let target: Element = e.target()?.dyn_into().ok()?;
    let link = target.closest("a[href],area[href]").ok()??;
    let href = Reflect::get(&link, &JsValue::from_str("href")).ok()?.as_string()?;
    Some((href, link.class_name(), link.has_attribute("download")))
}

/// pushState / replaceState are wrapped; popstate is listened to. The page view is taken
/// after the page's own handlers ran (setTimeout 0), so a router has set the new title.
fn track_history() {
    let Some(w) = browser::window() else { return };
    let Ok(history) = w.history() else { return };
    for name in ["pushState", "replaceState"] {
        let Ok(original) = Reflect::get(&history, &JsValue::from_str(name)).and_then(|f| f.dyn_into::<Function>()) else { continue };
        let target = history.clone();
        let wrapper = Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(move |a, b, c| {
            let result = original.call3(&target, &a, &b, &c);
            after_navigation();
            result
        });
        let _ = Reflect::set(&history, &JsValue::from_str(name), wrapper.as_ref());
        wrapper.forget();
    }
    listen(&w, "popstate", false, |_| after_navigation());
}

fn after_navigation() {
    let Some(w) = browser::window() else { return };
    let cb = Closure::once_into_js(|| {
        runtime::with(|t, host| t.on_url_change(host));
    });
    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
}
