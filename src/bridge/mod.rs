//! The one door between the JavaScript shell (`js/`) and the core: one text in, one text
//! out. Plain Rust, tested natively; `src/export.rs` only hands it the browser's text.
//!
//! Why text: every value that crosses wasm-bindgen costs glue in the wasm and in hush.js
//! (a JsValue table, one shim per type). A string in and a string out is the cheapest
//! boundary there is, and the shell builds and reads it with `join` / `split`.
//!
//! ## Input: fields separated by U+001F (unit separator)
//! `op, now_ms, tz_offset_min, page_url, page_title, page_referrer, args…`
//! (`now_ms` is `Date.now()`, `tz_offset_min` is `new Date().getTimezoneOffset()`). The
//! shell replaces U+001E/U+001F inside any text it passes with a space: they are framing.
//!
//! | op | args | what |
//! | --- | --- | --- |
//! | `b` | gpc, dnt (`1`/`0`), stored consent, opt-out, visitor, queue (empty = none) | start-up |
//! | `o` | the name of each queued `_paq` item (empty: not a name) | reply: the order to run them in (matomo.js's apply-first order), indices joined by `,` |
//! | `c` | command name, then its arguments as tokens (below) | run one `_paq` command |
//! | `k` | same as `c` | reply: the warning the command would give, empty if valid (npm option check); changes nothing |
//! | `g` | — | reply: the consent state as JSON |
//! | `t` | — | the wake-up timer fired |
//! | `r` | request id, HTTP status (0 = network error), Retry-After header (may be empty) | a request finished |
//! | `h` / `v` | — | page hidden (visibilitychange, pagehide) / visible again |
//! | `n` | `1` online, `0` offline | connectivity changed |
//! | `l` | href (resolved by the browser), class names, has `download` attribute (`1`/`0`), the link's `protocol`, `hostname`, `pathname`, the page's `location.hostname` | link clicked |
//! | `u` | — | the URL may have changed (pushState, replaceState, popstate) |
//! | `f` | see [`crate::forms`] | a form event |
//! | `m` | see [`crate::consent::banners`] | a consent banner's state |
//!
//! Argument tokens (a bounded JS value): `u` undefined, `z` null, `T` / `F`, `n` + 16 hex
//! digits of the f64's bits (exact, and no float parser in the wasm), `s` + text,
//! `l` + count (that many tokens follow), `m` + count (that many key, value pairs follow;
//! a key is plain text), `o` anything else (function, DOM node, symbol…).
//!
//! ## Output: records separated by U+001E, fields by U+001F
//! The first record is the reply: empty, `s` + text, `t` (true) or `f` (false). Then one
//! record per action, in order:
//!
//! | record | action |
//! | --- | --- |
//! | `S`, id, url, leaving (`1`/`0`)[, body] | send: POST body to url (no body: GET url); `leaving`: sendBeacon; report with `r` |
//! | `T`, key, value / `R`, key | localStorage set / remove |
//! | `W`, text | console warning |
//! | `K`, epoch ms | call `t` then (replaces the earlier wake-up) |
//! | `E`, `0` links / `1` history / `2` forms | start listening |
//! | `M`, selectors… | setMaskSelectors changed: elements inside these are `masked` for form analytics |
//! | `C`, `0` tcf / `1` google-consent-mode / `2` klaro / `3` cookieconsent, key | connect to a banner (key: the Klaro service or cookieconsent category) |
//! | `N`, consent JSON | the consent state changed |

pub mod args;

use crate::command::{self, Scratch};
use crate::forms::Forms;
use crate::host::{Host, Page};
use crate::links::Click;
use crate::queue::Outcome;
use crate::tracker::{Reply, Stored, Tracker};
use alloc::string::String;

pub const FS: char = '\u{1f}';
pub const RS: char = '\u{1e}';

/// The browser's URL parser: `new URL(input, base).href`.
pub type Resolve = fn(&str, &str) -> Option<String>;

/// The browser's secure random source: `crypto.getRandomValues`. Asked for each ID (a few
/// bytes per hit), so hush runs no random generator of its own: an HMAC-DRBG seeded at
/// start-up cost 0.27 KB gzip of wasm and was one more piece of crypto to audit.
pub type Random = fn(&mut [u8]);

#[derive(Default)]
pub struct Bridge {
    tracker: Option<Tracker>,
    forms: Forms,
}

/// The host the core sees during one call: what the shell sent in the call's header.
struct CallHost<'a> {
    now: f64,
    tz_offset_min: f64,
    page: Page<'a>,
    random: Random,
    resolve: Resolve,
}

impl Host for CallHost<'_> {
    fn now_ms(&self) -> f64 {
        self.now
    }
    fn local_hms(&self, epoch_ms: f64) -> [u8; 3] {
        // getTimezoneOffset() is UTC minus local, in minutes.
        let local_s = (epoch_ms / 1000.0 - self.tz_offset_min * 60.0).max(0.0) as u64;
        [((local_s / 3600) % 24) as u8, ((local_s / 60) % 60) as u8, (local_s % 60) as u8]
    }
    fn random(&mut self, buf: &mut [u8]) {
        (self.random)(buf)
    }
    fn page(&self) -> Page<'_> {
        self.page
    }
    fn resolve_url(&self, input: &str, base: &str) -> Option<String> {
        (self.resolve)(input, base)
    }
}

/// The fields of one call, read front to back; a missing field reads as empty.
pub struct Fields<'a>(crate::bytes::Split<'a>);

impl<'a> Fields<'a> {
    /// Test input with `|` as the separator.
    #[cfg(test)]
    pub fn of(s: &'a str) -> Self {
        Fields(crate::bytes::split(s, b'|'))
    }
    pub fn next_str(&mut self) -> &'a str {
        self.0.next().unwrap_or("")
    }
    fn next_num(&mut self) -> f64 {
        command::parse_number(self.next_str()).unwrap_or(0.0)
    }
    pub fn next_flag(&mut self) -> bool {
        // A one-byte slice pattern: measured smaller than a str `==` (also for `N` below).
        self.next_str().as_bytes() == [b'1']
    }
    fn next_stored(&mut self) -> Option<String> {
        Some(self.next_str()).filter(|s| !s.is_empty()).map(String::from)
    }
}

impl Bridge {
    /// One call from the shell; the answer is the reply record and the actions.
    pub fn call(&mut self, input: &str, resolve: Resolve, random: Random) -> String {
        let mut answer = String::new();
        self.call_into(input, resolve, random, &mut answer);
        answer
    }

    /// [`Bridge::call`] writing its answer into `answer` (emptied first): the wasm export
    /// keeps one answer buffer for the page instead of a new String per call.
    pub fn call_into(&mut self, input: &str, resolve: Resolve, random: Random, answer: &mut String) {
        answer.clear();
        let mut f = Fields(crate::bytes::split(input, FS as u8));
        // Ops are one ASCII letter: matched as a byte, not as a string.
        let op = f.next_str().as_bytes().first().copied().unwrap_or(0);
        let now = f.next_num();
        let tz_offset_min = f.next_num();
        let page = Page { url: f.next_str(), title: f.next_str(), referrer: f.next_str() };
        let Bridge { tracker, forms } = self;
        let mut host = CallHost { now, tz_offset_min, page, random, resolve };
        let reply = match (op, tracker.as_mut()) {
            (b'b', None) => {
                let stored = Stored {
                    gpc: f.next_flag(),
                    dnt: f.next_flag(),
                    consent: f.next_stored(),
                    optout: f.next_stored(),
                    visitor: f.next_stored(),
                    queue: f.next_stored(),
                };
                // The slot is empty here (matched None): the old value, None, is
                // forgotten rather than dropped (`*tracker = Some(t)` or
                // get_or_insert_with keep the tracker's drop code, 0.3 KB, in the wasm).
                core::mem::forget(tracker.replace(Tracker::new(&mut host)));
                if let Some(t) = tracker {
                    t.restore(stored, &mut host);
                }
                Reply::Nothing
            }
            (b'o', _) => Reply::Text(apply_first_order(f)),
            (b'c' | b'k', t) => run_command(op == b'k', &mut f, t, &mut host),
            (_, None) => Reply::Nothing,
            (_, Some(t)) => event(op, f, t, forms, &mut host),
        };
        match reply {
            Reply::Nothing => {}
            Reply::Text(s) => {
                answer.push('s');
                push_text(answer, &s);
            }
            Reply::Bool(b) => answer.push(if b { 't' } else { 'f' }),
        }
        if let Some(t) = tracker.as_mut() {
            // The tracker wrote its records; a consent change (`N`) gets the state the
            // consent has at the end of the call.
            // Every record has its letter: the one empty piece is the one before the first RS.
            for rec in crate::bytes::split(t.written(), RS as u8).filter(|r| !r.is_empty()) {
                answer.push(RS);
                answer.push_str(rec);
                if rec.as_bytes() == [b'N'] {
                    push_field(answer, &t.consent_state(now));
                }
            }
            t.records().clear();
        }
    }

}

/// Every op that needs a started tracker. Inlined into `call`: out of line measured 16 B
/// gzip larger (earlier rounds found both ways: a layout-sensitive choice).
fn event(op: u8, mut f: Fields, t: &mut Tracker, forms: &mut Forms, host: &mut CallHost) -> Reply {
    {
        match op {
            b'g' => return Reply::Text(t.consent_state(host.now)),
            b't' => t.on_timer(host),
            b'r' => {
                let id = f.next_num() as u32;
                let code = f.next_num() as u16;
                let retry = command::parse_number(f.next_str().trim_ascii()).map(|s| s * 1000.0);
                let outcome = match code {
                    0 => Outcome::NetworkError,
                    200..=299 => Outcome::Delivered,
                    _ => Outcome::Status { code, retry_after_ms: retry },
                };
                t.on_result(id, outcome, host);
            }
            b'h' => t.on_page_hidden(host),
            b'v' => t.on_page_visible(host),
            b'n' => t.on_online(f.next_flag(), host),
            b'l' => {
                let href = f.next_str();
                // Fields are read in the order written.
                let link = Click { classes: f.next_str(), download_attr: f.next_flag(), protocol: f.next_str(), host: f.next_str(), path: f.next_str(), page_host: f.next_str() };
                t.on_link_click(href, &link, host);
            }
            b'u' => t.on_url_change(host),
            b'f' => forms.on_event(f, t, host),
            b'm' => {
                if let Some(ev) = crate::consent::banners::decision(f) {
                    t.consent(ev, host);
                    t.finish(host, false);
                }
            }
            _ => {}
        }
        Reply::Nothing
    }
}

/// `c` (run) and `k` (check) share one parse: one `Scratch` and its drop code, not two.
/// A check replies the warning (empty when valid) and changes nothing; a run before boot
/// does nothing. Out of line, as `apply_first_order`: each measured about 20 B gzip
/// smaller than inlined into `call` (once `command::run` was out of line).
#[inline(never)]
fn run_command(check: bool, f: &mut Fields, t: Option<&mut Tracker>, host: &mut CallHost) -> Reply {
    let mut got = Scratch::default();
    let parsed = command::read_tokens(f.next_str(), args::Tokens(f.0.clone()), &mut got);
    if check {
        return Reply::Text(parsed.err().unwrap_or_default());
    }
    let Some(t) = t else { return Reply::Nothing };
    // Records of the bridge's own go first among the tracker's (no buffer of their own).
    let out = t.records();
    match parsed {
        Ok(op) => {
            if op == command::SET_MASK_SELECTORS {
                out.push(RS);
                out.push('M');
                for s in got.list() {
                    push_field(out, s);
                }
            }
            command::run(op, &mut got, t, host)
        }
        Err(warning) => {
            out.push(RS);
            out.push('W');
            push_field(out, &warning);
            Reply::Nothing
        }
    }
}

/// matomo.js's apply-first commands by rank (equal ranks in push order), then the rest.
/// A rank scan rather than a sort (the slice sort code costs kilobytes of wasm), walking
/// the names again for each rank rather than keeping a list of ranks (its collect and
/// iterator code cost 0.6 KB of wasm; a queue holds a few commands, and this runs once
/// a page).
#[inline(never)]
fn apply_first_order(f: Fields) -> String {
    let mut out = String::new();
    let last = command::APPLY_FIRST_RANKS;
    for rank in 0..last + 1 {
        for (i, name) in f.0.clone().enumerate() {
            if command::apply_first_rank(name).unwrap_or(last) == rank {
                if !out.is_empty() {
                    out.push(',');
                }
                crate::numfmt::push_u64(&mut out, i as u64);
            }
        }
    }
    out
}

/// `FS` and a text field.
pub(crate) fn push_field(out: &mut String, s: &str) {
    out.push(FS);
    push_text(out, s);
}

/// Text into a field: the two framing characters become spaces (they mean nothing in
/// any tracking value, and a page must not be able to forge an action).
pub(crate) fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        out.push(if c == FS || c == RS { ' ' } else { c });
    }
}

#[cfg(test)]
mod tests;
