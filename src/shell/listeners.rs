//! Page events hush listens to: lifecycle (hide, show, online), link clicks and
//! single-page-app navigations. Listeners are passive observers: they never cancel,
//! stop or delay the page's own handling.

use super::cmp::{call, get, hook, Hook};
use super::{browser, runtime};
use crate::tracker::Feature;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// The page events hush listens to (one shared closure type dispatches on these).
#[derive(Clone, Copy)]
pub enum Ev {
    Visibility,
    PageHide,
    PageShow,
    Online,
    Offline,
    Click,
    AuxClick,
    PopState,
}

fn listen(target: &JsValue, kind: &str, capture: bool, ev: Ev) {
    // Listeners live as long as the page.
    browser::listen(target, kind, &hook(Hook::Page(ev)), capture);
}

/// Hidden / shown / online / offline. `pagehide` rather than `unload`, which would make
/// the page ineligible for the back-forward cache.
pub fn watch_page_lifecycle() {
    let (Some(w), Some(doc)) = (browser::window(), browser::document()) else { return };
    listen(&doc, "visibilitychange", false, Ev::Visibility);
    listen(&w, "pagehide", false, Ev::PageHide);
    listen(&w, "pageshow", false, Ev::PageShow);
    listen(&w, "online", false, Ev::Online);
    listen(&w, "offline", false, Ev::Offline);
}

/// One page event, as the listener for `ev` received it.
pub fn on(ev: Ev, e: JsValue) {
    match ev {
        Ev::Visibility => {
            let hidden = browser::hidden();
            runtime::with(|t, host| if hidden { t.on_page_hidden(host) } else { t.on_page_visible(host) });
        }
        Ev::PageHide => {
            runtime::with(|t, host| t.on_page_hidden(host));
        }
        Ev::PageShow => {
            if Reflect::get(&e, &JsValue::from_str("persisted")).ok() == Some(JsValue::TRUE) {
                runtime::with(|t, host| t.on_page_visible(host));
            }
        }
        Ev::Online | Ev::Offline => {
            let online = matches!(ev, Ev::Online);
            runtime::with(|t, host| t.on_online(online, host));
        }
        Ev::Click | Ev::AuxClick => {
            // Mouse events only (a plain `Event` named click has no `button`).
            let Some(button) = get(&e, "button").as_f64() else { return };
            if matches!(ev, Ev::AuxClick) && button != 1.0 {
                return;
            }
            if let Some((href, classes, download)) = clicked_link(&e) {
                runtime::with(|t, host| t.on_link_click(&href, &classes, download, host));
            }
        }
        Ev::PopState => after_navigation(),
    }
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
    listen(&doc, "click", true, Ev::Click);
    listen(&doc, "auxclick", true, Ev::AuxClick);
}

/// The link under the click: its resolved href, its classes and its `download` attribute.
fn clicked_link(e: &JsValue) -> Option<(alloc::string::String, alloc::string::String, bool)> {
    let target: Element = get(e, "target").dyn_into().ok()?;
    let link = call(&target, "closest", &[&JsValue::from_str("a[href],area[href]")]).filter(|l| l.is_object())?;
    let href = get(&link, "href").as_string()?;
    let classes = get(&link, "className").as_string().unwrap_or_default();
    Some((href, classes, call(&link, "hasAttribute", &[&JsValue::from_str("download")]) == Some(JsValue::TRUE)))
}

/// pushState / replaceState are wrapped; popstate is listened to. The page view is taken
/// after the page's own handlers ran (setTimeout 0), so a router has set the new title.
fn track_history() {
    let Some(w) = browser::window() else { return };
    let history = get(&w, "history");
    if !history.is_object() {
        return;
    }
    for name in ["pushState", "replaceState"] {
        let Ok(original) = Reflect::get(&history, &JsValue::from_str(name)).and_then(|f| f.dyn_into::<Function>()) else { continue };
        let wrapper = hook(Hook::History(original, history.clone()));
        let _ = Reflect::set(&history, &JsValue::from_str(name), &wrapper);
    }
    listen(&w, "popstate", false, Ev::PopState);
}

pub fn after_navigation() {
    browser::set_timeout(&hook(Hook::Navigated), 0);
}
