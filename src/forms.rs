//! Form analytics (`enableFormAnalytics`): how forms are used, by form and field *names*
//! only. The shell never reads a field's value, checked state or selection, not even into
//! memory: it passes the element's `name`, `id`, `type`, `autocomplete` attributes and
//! whether it lies in a masked area; this module decides the names and the events.
//!
//! Every event is a Matomo event with category `Form` (e_c), so it reads as-is in Matomo's
//! Events report:
//!
//! | e_a       | e_n            | e_v                    | when                                   |
//! |-----------|----------------|------------------------|----------------------------------------|
//! | `view`    | `form`         |                        | each form on the page when enabled (forms added later: at first interaction) |
//! | `start`   | `form`         |                        | first focus or input in the form       |
//! | `field`   | `form/field`   | ms the field had focus | the field loses focus (or the form is submitted / abandoned while it has it) |
//! | `submit`  | `form`         | ms since `start`       | `submit` event                         |
//! | `abandon` | `form`         | ms since `start`       | page hidden / pagehide after `start` without `submit` (once per start) |
//!
//! `form` is the form's `name` or `id` attribute, else `form<n>` (n = its index in
//! `document.forms`); `field` is the field's `name` or `id`, else `field`. A field (or a whole
//! form) is named `masked` when it is a password, e-mail, phone, payment or one-time-code
//! field (by `type`, `autocomplete` or a deny-listed name such as `email` or `card_number`),
//! or lies inside `[data-matomo-mask]`, `[data-hush-mask]` or a setMaskSelectors selector.
//! Names still pass the tracker's text masking like any event string.
//!
//! Bridge op `f` fields: event (`v` view, `i` focusin, `o` focusout, `c` input/change,
//! `s` submit, `a` abandon every started form), the form's slot in the shell's list of
//! forms, then for the form: masked (`1`/`0`), `name`, `id`, index in `document.forms`;
//! then for the field (focusin only): masked, `type`, `name`, `id`, `autocomplete`.

use crate::bridge::Fields;
use crate::host::Host;
use crate::links::is_one_of;
use crate::tracker::Tracker;
use alloc::string::String;
use alloc::vec::Vec;

const STARTED: u8 = 1;
const ENDED: u8 = 2;
/// Forms followed per page; a page that adds more is not measured further.
const MAX_FORMS: usize = 256;

struct Form {
    name: String,
    flags: u8,
    start_ms: f64,
}

#[derive(Default)]
pub struct Forms {
    forms: Vec<Form>,
    /// The field that has focus: its form's slot, its event name (`form/field`), since when.
    focused: Option<(usize, String, f64)>,
}

impl Forms {
    pub fn on_event(&mut self, f: Fields, t: &mut Tracker, host: &mut dyn Host) {
        let now = host.now_ms();
        self.step(f, now, &mut |action, name, ms| t.on_form_event(action, name, ms, host));
    }

    /// One shell event; each Form event goes to `emit` (action, name, ms) as it happens.
    /// Sending at once, rather than collecting (action, name, ms) triples in a Vec first,
    /// needs no name copies, no Vec of tuples and no drop loop for it (0.4 KB of wasm).
    /// Generic only for the tests: the wasm has the one instantiation of `on_event`.
    fn step(&mut self, mut f: Fields, now: f64, emit: &mut impl FnMut(&'static str, &str, Option<f64>)) {
        let ev = f.next_str().as_bytes().first().copied().unwrap_or(0);
        let slot = crate::command::parse_number(f.next_str()).unwrap_or(f64::NAN);
        if ev == b'a' {
            // A counting loop, not a Range iterator.
            let mut i = 0;
            while i < self.forms.len() {
                self.end(i, "abandon", now, emit);
                i += 1;
            }
        } else if let Some(i) = self.form(slot, &mut f, emit) {
            match ev {
                b'i' => {
                    self.touch(i, now, emit);
                    self.leave(now, emit);
                    self.focus(i, field_name(&mut f), now);
                }
                b'o' => self.leave(now, emit),
                b'c' => self.touch(i, now, emit),
                b's' => {
                    self.touch(i, now, emit);
                    self.end(i, "submit", now, emit);
                }
                _ => {}
            }
        }
    }

    /// The form's slot, registering it (and sending its `view`) the first time it is seen.
    fn form(&mut self, slot: f64, f: &mut Fields, emit: &mut impl FnMut(&'static str, &str, Option<f64>)) -> Option<usize> {
        let i = slot as usize;
        // NaN and negative slots are refused too.
        if !(slot >= 0.0) || i > self.forms.len() || i >= MAX_FORMS {
            return None;
        }
        let masked = f.next_flag();
        let named = name_or_id(f);
        // Only read through `as u64`, which saturates negatives (and NaN) to 0.
        let index = crate::command::parse_number(f.next_str()).unwrap_or(0.0);
        if i < self.forms.len() {
            return Some(i);
        }
        let mut name = String::from(if masked { "masked" } else { named });
        if name.is_empty() {
            name.push_str("form");
            crate::numfmt::push_u64(&mut name, index as u64);
        }
        emit("view", &name, None);
        self.forms.push(Form { name, flags: 0, start_ms: 0.0 });
        Some(i)
    }

    /// First interaction with a form (again, after it was submitted or abandoned): `start`.
    fn touch(&mut self, i: usize, now: f64, emit: &mut impl FnMut(&'static str, &str, Option<f64>)) {
        let Some(f) = self.forms.get_mut(i) else { return };
        // flags is 0, STARTED or STARTED | ENDED: one compare says "not started, or ended".
        if f.flags != STARTED {
            f.flags = STARTED;
            f.start_ms = now;
            emit("start", &f.name, None);
        }
    }

    /// A field of form `i` gets focus. Its event name is made now, once: forms are never
    /// renamed, and `field_name` can then hand out a borrowed name (no second String).
    fn focus(&mut self, i: usize, field: &str, now: f64) {
        if let Some(f) = self.forms.get(i) {
            // push_str rather than concat (whose join code and its panic text cost 0.4 KB);
            // String::from rather than clone (its only other user inlines it: 8 B gzip).
            let mut name = String::from(f.name.as_str());
            name.push('/');
            name.push_str(field);
            self.focused = Some((i, name, now));
        }
    }

    /// The focused field loses focus: `field` with the time it had it.
    fn leave(&mut self, now: f64, emit: &mut impl FnMut(&'static str, &str, Option<f64>)) {
        // Read in place, then dropped in place (`take` would copy it out first).
        if let Some((_, name, since)) = &self.focused {
            emit("field", name, Some(ms(now - since)));
        }
        self.focused = None;
    }

    /// `submit` or `abandon` of a started form (its focused field is left first).
    fn end(&mut self, i: usize, action: &'static str, now: f64, emit: &mut impl FnMut(&'static str, &str, Option<f64>)) {
        if self.focused.as_ref().is_some_and(|f| f.0 == i) {
            self.leave(now, emit);
        }
        let Some(f) = self.forms.get_mut(i) else { return };
        if f.flags == STARTED {
            f.flags |= ENDED;
            emit(action, &f.name, Some(ms(now - f.start_ms)));
        }
    }
}

/// `d` rounded to whole ms; negative and NaN durations are 0 (the cast saturates, so no
/// `max(0.0)` with its NaN handling is needed).
fn ms(d: f64) -> f64 {
    (d + 0.5) as u64 as f64
}

/// Reads `name`, `id` and returns the name, else the id (either may be empty).
fn name_or_id<'a>(f: &mut Fields<'a>) -> &'a str {
    let name = f.next_str();
    let id = f.next_str();
    if name.is_empty() {
        id
    } else {
        name
    }
}

/// masked, type, name, id, autocomplete → the field's name in events.
fn field_name<'a>(f: &mut Fields<'a>) -> &'a str {
    let masked = f.next_flag();
    let kind = f.next_str();
    let name = f.next_str();
    let id = f.next_str();
    let autocomplete = f.next_str();
    if masked || is_sensitive(kind, name, id, autocomplete) {
        return "masked";
    }
    match if name.is_empty() { id } else { name } {
        "" => "field",
        named => named,
    }
}

/// Password, e-mail, phone, payment and one-time-code fields, by type, autocomplete token
/// or a deny-listed name (`email`, `password`, `card_number`, `otp` …).
fn is_sensitive(kind: &str, name: &str, id: &str, autocomplete: &str) -> bool {
    if is_one_of(kind, &["password", "email", "tel"]) {
        return true;
    }
    // The shell passes the autocomplete tokens separated by single spaces.
    let ac_hit = crate::bytes::split(autocomplete, b' ').any(|t| {
        let starts = |p: &str| t.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
        starts("cc-") || starts("tel") || is_one_of(t, &["email", "one-time-code", "current-password", "new-password"])
    });
    ac_hit || crate::mask::is_denied_key(name) || crate::mask::is_denied_key(id)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod equiv;
