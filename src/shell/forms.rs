//! Form analytics (`enableFormAnalytics`): how forms are used, by form and field *names*
//! only. hush never reads a field's value, checked state or selection, not even into memory:
//! only the element's tag and its `name`, `id`, `type`, `autocomplete` attributes, and the
//! elements around it.
//!
//! Every event is a Matomo event with category `Form` (e_c), so it reads as-is in Matomo's
//! Events report:
//!
//! | e_a       | e_n            | e_v                                   | when                                   |
//! |-----------|----------------|---------------------------------------|----------------------------------------|
//! | `view`    | `form`         |                                       | each form on the page when enabled (forms added later: at first interaction) |
//! | `start`   | `form`         |                                       | first focus or input in the form       |
//! | `field`   | `form/field`   | ms the field had focus                | the field loses focus (or the form is submitted / abandoned while it has it) |
//! | `submit`  | `form`         | ms since `start`                      | `submit` event                         |
//! | `abandon` | `form`         | ms since `start`                      | page hidden / pagehide after `start` without `submit` (once per start) |
//!
//! `form` is the form's `name` or `id` attribute, else `form<n>` (n = its index in
//! `document.forms`); `field` is the field's `name` or `id`, else `field`. A field (or a whole
//! form) is named `masked` when it is a password, e-mail, phone, payment or one-time-code
//! field (by `type`, `autocomplete` or a deny-listed name such as `email` or `card_number`),
//! or lies inside `[data-matomo-mask]`, `[data-hush-mask]` or a setMaskSelectors selector.
//! Names still pass the tracker's text masking like any event string.

use super::{browser, runtime};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use super::cmp::{call, get};
use web_sys::Element;

const VIEWED: u8 = 1;
const STARTED: u8 = 2;
const ENDED: u8 = 4;

struct Form {
    el: Element,
    name: String,
    flags: u8,
    start_ms: f64,
}

#[derive(Default)]
struct State {
    forms: Vec<Form>,
    /// The field that has focus: its form's index in `forms`, its name, since when.
    focused: Option<(usize, String, f64)>,
    on: bool,
}

struct Global(RefCell<State>);
// wasm32 without threads: one page, one thread.
unsafe impl Sync for Global {}
static STATE: Global = Global(RefCell::new(State { forms: Vec::new(), focused: None, on: false }));

/// (action, name, ms) events to send, collected while the state is borrowed.
type Out = Vec<(&'static str, String, Option<f64>)>;

pub fn enable() {
    let Some(doc) = browser::document() else { return };
    match STATE.0.try_borrow_mut() {
        Ok(mut s) if !s.on => s.on = true,
        _ => return,
    }
    let f = &super::cmp::hook(super::cmp::Hook::Form);
    for kind in ["focusin", "focusout", "input", "change", "submit"] {
        browser::listen(&doc, kind, f, true);
    }
    // Capture on the window runs before hush's own hide handling flushes the queue.
    if let Some(w) = browser::window() {
        browser::listen(&w, "pagehide", f, true);
        browser::listen(&w, "visibilitychange", f, true);
    }
    if get(&doc, "readyState").as_string().as_deref() == Some("loading") {
        browser::listen(&doc, "DOMContentLoaded", f, false);
    } else {
        view_all();
    }
}

pub fn on_event(e: JsValue) {
    let kind = get(&e, "type").as_string().unwrap_or_default();
    let mut out: Out = Vec::new();
    match kind.as_str() {
        "DOMContentLoaded" => return view_all(),
        "pagehide" | "visibilitychange" => {
            if kind == "visibilitychange" && !browser::hidden() {
                return;
            }
            let Ok(mut s) = STATE.0.try_borrow_mut() else { return };
            let now = js_sys::Date::now();
            for i in 0..s.forms.len() {
                end(&mut s, i, "abandon", now, &mut out);
            }
        }
        _ => {
            let Ok(el) = get(&e, "target").dyn_into::<Element>() else { return };
            if kind == "submit" {
                let Ok(mut s) = STATE.0.try_borrow_mut() else { return };
                let i = form_index(&mut s, &el, &mut out);
                touch(&mut s, i, &mut out);
                end(&mut s, i, "submit", js_sys::Date::now(), &mut out);
            } else {
                let Some(form) = field_form(&el) else { return };
                let Ok(mut s) = STATE.0.try_borrow_mut() else { return };
                let i = form_index(&mut s, &form, &mut out);
                let now = js_sys::Date::now();
                match kind.as_str() {
                    "focusin" => {
                        touch(&mut s, i, &mut out);
                        leave(&mut s, now, &mut out);
                        s.focused = Some((i, field_name(&el), now));
                    }
                    "focusout" => leave(&mut s, now, &mut out),
                    _ => touch(&mut s, i, &mut out),
                }
            }
        }
    }
    for (action, name, ms) in out {
        runtime::with(|t, host| t.on_form_event(action, &name, ms, host));
    }
}

/// Sends `view` for every form in the document not seen yet.
fn view_all() {
    let Some(doc) = browser::document() else { return };
    let Ok(mut s) = STATE.0.try_borrow_mut() else { return };
    let mut out: Out = Vec::new();
    for f in forms(&doc).iter() {
        if let Ok(el) = f.dyn_into::<Element>() {
            form_index(&mut s, &el, &mut out);
        }
    }
    drop(s);
    for (action, name, ms) in out {
        runtime::with(|t, host| t.on_form_event(action, &name, ms, host));
    }
}

fn forms(doc: &JsValue) -> Array {
    Reflect::get(doc, &JsValue::from_str("forms")).map(|f| Array::from(&f)).unwrap_or_default()
}

/// The form's slot, registering it (and sending its `view`) the first time it is seen.
fn form_index(s: &mut State, el: &Element, out: &mut Out) -> usize {
    if let Some(i) = s.forms.iter().position(|f| f.el == *el) {
        return i;
    }
    let mut name = if is_masked(el) { String::from("masked") } else { attr_name(el) };
    if name.is_empty() {
        let n = browser::document().map(|d| forms(&d).index_of(el, 0)).unwrap_or(-1).max(0);
        name = String::from("form");
        crate::numfmt::push_u64(&mut name, n as u64);
    }
    out.push(("view", name.clone(), None));
    s.forms.push(Form { el: el.clone(), name, flags: VIEWED, start_ms: 0.0 });
    s.forms.len() - 1
}

/// First interaction with a form (again, after it was submitted or abandoned): `start`.
fn touch(s: &mut State, i: usize, out: &mut Out) {
    let Some(f) = s.forms.get_mut(i) else { return };
    if f.flags & STARTED == 0 || f.flags & ENDED != 0 {
        f.flags = VIEWED | STARTED;
        f.start_ms = js_sys::Date::now();
        out.push(("start", f.name.clone(), None));
    }
}

/// The focused field loses focus: `field` with the time it had it.
fn leave(s: &mut State, now: f64, out: &mut Out) {
    if let Some((i, field, since)) = s.focused.take() {
        if let Some(f) = s.forms.get(i) {
            out.push(("field", [f.name.as_str(), "/", &field].concat(), Some(ms(now - since))));
        }
    }
}

/// `submit` or `abandon` of a started form (its focused field is left first).
fn end(s: &mut State, i: usize, action: &'static str, now: f64, out: &mut Out) {
    if s.focused.as_ref().is_some_and(|f| f.0 == i) {
        leave(s, now, out);
    }
    let Some(f) = s.forms.get_mut(i) else { return };
    if f.flags & STARTED != 0 && f.flags & ENDED == 0 {
        f.flags |= ENDED;
        out.push((action, f.name.clone(), Some(ms(now - f.start_ms))));
    }
}

fn ms(d: f64) -> f64 {
    (d.max(0.0) + 0.5) as u64 as f64
}

/// The form of a fillable field (input other than buttons/hidden, select, textarea);
/// `form` also follows the `form="id"` attribute.
fn field_form(el: &Element) -> Option<Element> {
    let tag = get(el, "tagName").as_string().unwrap_or_default();
    match tag.as_str() {
        "INPUT" => {
            let t = lower_attr(el, "type");
            if matches!(t.as_str(), "hidden" | "submit" | "button" | "reset" | "image") {
                return None;
            }
        }
        "SELECT" | "TEXTAREA" => {}
        _ => return None,
    }
    Reflect::get(el, &JsValue::from_str("form")).ok()?.dyn_into::<Element>().ok()
}

fn field_name(el: &Element) -> String {
    if is_masked(el) || is_sensitive(el) {
        return String::from("masked");
    }
    let n = attr_name(el);
    if n.is_empty() {
        String::from("field")
    } else {
        n
    }
}

/// `name`, else `id`, else empty.
fn attr_name(el: &Element) -> String {
    let n = attr(el, "name");
    if n.is_empty() {
        attr(el, "id")
    } else {
        n
    }
}

/// `el.getAttribute(name)`, empty when missing.
fn attr(el: &Element, name: &str) -> String {
    call(el, "getAttribute", &[&JsValue::from_str(name)]).and_then(|v| v.as_string()).unwrap_or_default()
}

/// `el.closest(selector)` matched (an invalid selector matches nothing).
fn inside(el: &Element, selector: &str) -> bool {
    call(el, "closest", &[&JsValue::from_str(selector)]).is_some_and(|v| v.is_object())
}

fn lower_attr(el: &Element, name: &str) -> String {
    let mut v = attr(el, name);
    v.make_ascii_lowercase();
    v
}

/// Inside a masked area: the attributes or a setMaskSelectors selector (an invalid
/// selector matches nothing).
fn is_masked(el: &Element) -> bool {
    if inside(el, "[data-matomo-mask],[data-hush-mask]") {
        return true;
    }
    let selectors = runtime::with(|t, _| t.mask_selectors().to_vec()).unwrap_or_default();
    selectors.iter().any(|sel| inside(el, sel))
}

/// Password, e-mail, phone, payment and one-time-code fields, by type, autocomplete token
/// or a deny-listed name (`email`, `password`, `card_number`, `otp` …).
fn is_sensitive(el: &Element) -> bool {
    if matches!(lower_attr(el, "type").as_str(), "password" | "email" | "tel") {
        return true;
    }
    let ac = lower_attr(el, "autocomplete");
    let ac_hit = ac.split_ascii_whitespace().any(|t| {
        t.starts_with("cc-") || t.starts_with("tel") || matches!(t, "email" | "one-time-code" | "current-password" | "new-password")
    });
    ac_hit || crate::mask::is_denied_key(&attr(el, "name")) || crate::mask::is_denied_key(&attr(el, "id"))
}
