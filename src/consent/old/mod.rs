//! The consent module as it was before the size pass (test-only): `equiv.rs` runs it and
//! the new one side by side over generated event sequences.
#![allow(dead_code)]

pub mod banners;
pub mod record;

pub use record::{Record, MAX_LIFETIME_MS};

use crate::numfmt::push_u64;
use alloc::string::String;
use record::{clip_policy, push_bool, push_json_str};

use super::{ConsentEvent, Gate, Requirement};

/// Side effects of one event, for the tracker to carry out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// Held hits may now be sent.
    pub release_held: bool,
    /// Held and queued hits must be dropped.
    pub drop_held: bool,
    /// Delete every identifier and queued hit hush stored. The consent and opt-out records
    /// are NOT part of it: they come and go only through `write` / `remove`.
    pub erase_storage: bool,
    /// (key, value) records to write to first-party storage.
    pub write: Write,
    /// keys to remove from storage.
    pub remove: Removals,
    /// the decision changed (the npm API emits an event).
    pub changed: bool,
}

/// The (key, value) record an event writes. One event writes at most one (a consent record
/// or an opt-out record), so this is an Option with the Vec methods its users call: no Vec
/// push, IntoIter and drop code for it in the wasm.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Write(Option<(&'static str, String)>);

impl Write {
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn iter(&self) -> core::option::Iter<'_, (&'static str, String)> {
        self.0.iter()
    }

    fn push(&mut self, record: (&'static str, String)) {
        debug_assert!(self.0.is_none(), "one write per event");
        self.0 = Some(record);
    }
}

impl IntoIterator for Write {
    type Item = (&'static str, String);
    type IntoIter = core::option::IntoIter<(&'static str, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Write {
    type Item = &'a (&'static str, String);
    type IntoIter = core::option::Iter<'a, (&'static str, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The keys an event removes, in order. One event removes at most two (the opt-out record,
/// or an unreadable consent record, then an expired one), so they are two 2-bit codes in
/// one byte, the first in the low bits (`REMOVE_*`; 0 ends the list): no Vec, and no array
/// of string slices with its Take<IntoIter> loop in the wasm.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Removals(u8);

const REMOVE_OPTOUT: u8 = 1;
const REMOVE_CONSENT: u8 = 2;

impl Removals {
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    fn push(&mut self, code: u8) {
        debug_assert!(self.0 < 4, "two removals per event at most");
        self.0 |= code << if self.0 == 0 { 0 } else { 2 };
    }

    #[cfg(test)]
    pub fn contains(&self, key: &&str) -> bool {
        self.into_iter().any(|k| k == *key)
    }
}

#[cfg(test)]
impl<const N: usize> PartialEq<[&str; N]> for Removals {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.into_iter().eq(other.iter().copied())
    }
}

/// Iterated by value (it is Copy): `for key in fx.remove`.
impl Iterator for Removals {
    type Item = &'static str;
    fn next(&mut self) -> Option<&'static str> {
        let code = self.0 & 3;
        self.0 >>= 2;
        match code {
            0 => None,
            REMOVE_OPTOUT => Some(OPTOUT_KEY),
            _ => Some(CONSENT_KEY),
        }
    }
}

pub const CONSENT_KEY: &str = "hush_consent";
pub const OPTOUT_KEY: &str = "hush_optout";

/// A decision about one purpose made on this page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    Unset,
    Yes,
    No,
}

/// Where the current decision came from, as `describe` names it: the name itself is kept
/// (no enum to map to it).
type Source = &'static str;
const FROM_COMMAND: Source = "command";
const FROM_RECORD: Source = "record";
const FROM_CMP: Source = "cmp";

/// What the tracker saw after the previous event, in one byte (compared and diffed as a
/// whole): the gate (`Gate as u8`) in the low bits, then the SNAP_ flags.
type Snap = u8;
const SNAP_GATE: u8 = 3;
const SNAP_STORE: u8 = 4;
const SNAP_OUT: u8 = 8;
const SNAP_BLOCKED: u8 = 16;

#[derive(Clone, Debug)]
pub struct Consent {
    req: Requirement,
    meas: Tri,
    store: Tri,
    rec: Option<Record>,
    opted_out: bool,
    honor_gpc: bool,
    honor_dnt: bool,
    gpc: bool,
    dnt: bool,
    no_cookies: bool,
    policy: String,
    source: Source,
    last: Snap,
}

impl Default for Consent {
    fn default() -> Self {
        Self::new()
    }
}

impl Consent {
    pub fn new() -> Self {
        Consent {
            req: Requirement::None,
            meas: Tri::Unset,
            store: Tri::Unset,
            rec: None,
            opted_out: false,
            honor_gpc: true,
            honor_dnt: true,
            gpc: false,
            dnt: false,
            no_cookies: false,
            policy: String::from("1"),
            source: FROM_COMMAND,
            last: Gate::Send as u8,
        }
    }

    pub fn handle(&mut self, ev: ConsentEvent, now_ms: f64) -> Effects {
        let mut fx = Effects::default();
        self.apply(ev, now_ms, &mut fx);
        self.expire_record(now_ms, &mut fx);
        self.settle(now_ms, &mut fx);
        fx
    }

    // Kept out of line, like `settle`: inlined into the tracker's consent_event the pair
    // measured 7 B gzip larger.
    #[inline(never)]
    fn apply(&mut self, ev: ConsentEvent, now: f64, fx: &mut Effects) {
        use ConsentEvent as E;
        match ev {
            E::Require(r) if r as u8 > self.req as u8 => self.req = r,
            E::Require(_) | E::Tick => {}
            E::ConsentGiven { remember_hours } => self.give(true, remember_hours, now, fx),
            E::CookieConsentGiven { remember_hours } => self.give(false, remember_hours, now, fx),
            E::ConsentForgotten => self.forget_consent(fx),
            E::CookieConsentForgotten => self.forget_storage(now, fx),
            E::OptOut => self.opt_out(now, fx),
            E::ForgetOptOut => {
                self.opted_out = false;
                fx.remove.push(REMOVE_OPTOUT); // also clears a record this page never restored
            }
            E::HonorDoNotTrack(b) => self.honor_dnt = b,
            E::HonorGpc(b) => self.honor_gpc = b,
            E::Signals { gpc, dnt } => (self.gpc, self.dnt) = (gpc, dnt),
            E::DisableCookies => {
                // As matomo.js's disableCookies: what was stored goes too.
                self.no_cookies = true;
                fx.erase_storage = true;
            }
            E::Cmp { measurement, storage } => self.cmp(measurement, storage, now, fx),
            E::PolicyVersion(p) => {
                self.policy = String::from(p);
                clip_policy(&mut self.policy);
            }
            E::Restore { consent, optout } => self.restore(consent, optout, fx),
        }
    }

    /// setConsentGiven (`full`) or setCookieConsentGiven, remembered when `hours` is given.
    fn give(&mut self, full: bool, hours: Option<f64>, now: f64, fx: &mut Effects) {
        self.source = FROM_COMMAND;
        // Under disableCookies, an opt-out or an honoured signal nothing is written (as
        // matomo.js, which cannot set its consent cookie then); the grant holds for this page.
        let mut grant = Tri::Yes;
        if let Some(h) = hours.filter(|_| !self.no_cookies && !self.blocked()) {
            let keep_meas = self.live_record(now).is_some_and(|r| r.measurement);
            let given_at = ms(now);
            // Built in its place (`insert`), then written: no copy of the record.
            let rec = self.rec.insert(Record {
                measurement: full || keep_meas,
                storage: true,
                given_at,
                expires_at: given_at.saturating_add(lifetime_ms(h)),
                policy: self.policy.clone(),
            });
            fx.write.push((CONSENT_KEY, rec.serialise()));
            // The grant now lives in the record, so that it lapses with it.
            grant = Tri::Unset;
        }
        // Set once, after the record (which reads neither): not Yes and then back to Unset.
        if full {
            self.meas = grant;
        }
        self.store = grant;
    }

    /// forgetConsentGiven: as matomo.js, consent becomes required and is refused.
    fn forget_consent(&mut self, fx: &mut Effects) {
        self.source = FROM_COMMAND;
        self.req = Requirement::Consent;
        self.meas = Tri::No;
        self.store = Tri::No;
        self.drop_record(fx);
        fx.erase_storage = true;
    }

    /// forgetCookieConsentGiven: storage off; a remembered measurement grant holds for the page.
    fn forget_storage(&mut self, now: f64, fx: &mut Effects) {
        self.source = FROM_COMMAND;
        self.keep_measurement(now);
        self.store = Tri::No;
        self.drop_record(fx);
        fx.erase_storage = true;
    }

    fn cmp(&mut self, m: Option<bool>, s: Option<bool>, now: f64, fx: &mut Effects) {
        if m.is_none() && s.is_none() {
            return;
        }
        self.source = FROM_CMP;
        if m == Some(true) {
            self.meas = Tri::Yes;
        }
        if s == Some(true) {
            self.store = Tri::Yes;
        }
        if m != Some(false) && s != Some(false) {
            return;
        }
        // A withdrawal: the record goes, the purpose not withdrawn carries on for this page.
        self.keep_measurement(now);
        if m == Some(false) {
            self.meas = Tri::No;
        }
        self.store = Tri::No;
        self.drop_record(fx);
        fx.erase_storage = true;
    }

    fn opt_out(&mut self, now: f64, fx: &mut Effects) {
        self.opted_out = true;
        // Earlier grants die with the opt-out: forgetting it later starts from the default.
        self.meas = Tri::Unset;
        self.store = Tri::Unset;
        self.drop_record(fx);
        // Written even under disableCookies: the objection must hold on every page (SPEC §5).
        let mut v = String::from("v1|optout|at=");
        push_u64(&mut v, ms(now));
        fx.write.push((OPTOUT_KEY, v));
        fx.erase_storage = true;
    }

    fn restore(&mut self, consent: Option<&str>, optout: Option<&str>, fx: &mut Effects) {
        // Fail closed: only hush writes this key, so any value there means "opted out".
        if optout.is_some_and(|v| !v.is_empty()) {
            self.opted_out = true;
        }
        let Some(v) = consent.filter(|v| !v.is_empty()) else { return };
        match Record::parse(v) {
            // Expiry and policy version are checked by expire_record, whatever the order.
            Some(r) => {
                self.rec = Some(r);
                self.source = FROM_RECORD;
                fx.changed = true;
            }
            None => {
                // Unreadable: no consent, and nothing stored under it may stay.
                fx.remove.push(REMOVE_CONSENT);
                fx.erase_storage = true;
            }
        }
    }

    /// A record past its expiry or written under another policy version is deleted, with
    /// whatever it allowed hush to store.
    fn expire_record(&mut self, now: f64, fx: &mut Effects) {
        let Some(r) = &self.rec else { return };
        if r.live(now, &self.policy) {
            return;
        }
        fx.erase_storage |= r.storage;
        self.drop_record(fx);
    }

    fn drop_record(&mut self, fx: &mut Effects) {
        fx.remove.push(REMOVE_CONSENT);
        // Dropped in place (`take` would copy the record out first).
        fx.changed |= self.rec.is_some();
        self.rec = None;
    }

    /// Before the record goes: its measurement grant becomes a decision of this page.
    /// (`meas_at` is exactly that: Unset becomes Yes when the live record grants it.)
    fn keep_measurement(&mut self, now: f64) {
        self.meas = self.meas_at(now);
    }

    /// Effects are what changed since the previous event, as the tracker saw it.
    #[inline(never)]
    fn settle(&mut self, now: f64, fx: &mut Effects) {
        let s = self.snap(now);
        let l = self.last;
        let (lg, sg) = (l & SNAP_GATE, s & SNAP_GATE);
        fx.release_held = lg == Gate::Hold as u8 && sg == Gate::Send as u8;
        fx.drop_held = sg == Gate::Drop as u8 && lg != Gate::Drop as u8;
        // Storage allowed before and not now, or blocked now and not before.
        fx.erase_storage |= (l & !s & SNAP_STORE) | (s & !l & SNAP_BLOCKED) != 0;
        fx.changed |= s != l || !fx.write.is_empty();
        self.last = s;
    }

    fn snap(&self, now: f64) -> Snap {
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        self.gate(now) as u8
            | flag(self.may_store(now), SNAP_STORE)
            | flag(self.is_opted_out(), SNAP_OUT)
            | flag(self.blocked(), SNAP_BLOCKED)
    }

    fn blocked(&self) -> bool {
        // Non-short-circuit `|` and `&` on bools: straight-line code, no branch per flag.
        self.opted_out | (self.gpc & self.honor_gpc) | (self.dnt & self.honor_dnt)
    }

    fn live_record(&self, now: f64) -> Option<&Record> {
        self.rec.as_ref().filter(|r| r.live(now, &self.policy))
    }

    fn meas_at(&self, now: f64) -> Tri {
        match self.meas {
            Tri::Unset if self.live_record(now).is_some_and(|r| r.measurement) => Tri::Yes,
            t => t,
        }
    }

    fn store_at(&self, now: f64) -> Tri {
        match self.store {
            Tri::Unset if self.live_record(now).is_some_and(|r| r.storage) => Tri::Yes,
            t => t,
        }
    }

    pub fn gate(&self, now_ms: f64) -> Gate {
        if self.blocked() {
            return Gate::Drop;
        }
        let need = self.req == Requirement::Consent;
        match self.meas_at(now_ms) {
            Tri::Yes => Gate::Send,
            Tri::No if need => Gate::Drop,
            Tri::Unset if need => Gate::Hold,
            _ => Gate::Send,
        }
    }

    /// Identifiers and queues may be persisted: hits are being sent, storage was granted
    /// explicitly, and cookies are not disabled.
    pub fn may_store(&self, now_ms: f64) -> bool {
        !self.no_cookies && self.gate(now_ms) == Gate::Send && self.store_at(now_ms) == Tri::Yes
    }

    /// matomo.js's hasConsent: hits may be sent now (true when consent is not required).
    pub fn has_consent(&self, now_ms: f64) -> bool {
        self.gate(now_ms) == Gate::Send
    }

    /// A "no" is in force: opt-out, honoured GPC or DNT, or consent refused / forgotten under
    /// requireConsent. Unlike matomo.js (`!hasConsent`) an undecided visitor is not counted:
    /// `!has_consent(now)` gives that meaning.
    pub fn is_opted_out(&self) -> bool {
        self.blocked() || (self.req == Requirement::Consent && self.meas == Tri::No)
    }

    pub fn requirement(&self) -> Requirement {
        self.req
    }

    /// JSON object describing the current decision and record (for the npm API).
    pub fn describe(&self, now_ms: f64) -> String {
        let gate = self.gate(now_ms);
        let mut o = String::from("{\"requirement\":");
        push_json_str(&mut o, req_name(self.req));
        o.push_str(",\"gate\":");
        push_json_str(&mut o, gate_name(gate));
        push_bool(&mut o, ",\"measurement\":", gate == Gate::Send);
        push_bool(&mut o, ",\"storage\":", self.may_store(now_ms));
        push_bool(&mut o, ",\"optedOut\":", self.is_opted_out());
        push_bool(&mut o, ",\"cookiesDisabled\":", self.no_cookies);
        o.push_str(",\"source\":");
        push_json_str(&mut o, self.source_name(now_ms));
        o.push_str(",\"policy\":");
        push_json_str(&mut o, &self.policy);
        o.push_str(",\"record\":");
        match self.live_record(now_ms) {
            Some(r) => r.push_json(&mut o),
            None => o.push_str("null"),
        }
        o.push('}');
        o
    }

    fn source_name(&self, now: f64) -> &'static str {
        if self.opted_out {
            "optout"
        } else if self.gpc & self.honor_gpc {
            "gpc"
        } else if self.dnt & self.honor_dnt {
            "dnt"
        } else if self.meas_at(now) == Tri::Unset && self.store_at(now) == Tri::Unset {
            "default"
        } else {
            self.source
        }
    }
}

fn req_name(r: Requirement) -> &'static str {
    match r {
        Requirement::None => "none",
        Requirement::CookieConsent => "cookieConsent",
        Requirement::Consent => "consent",
    }
}

fn gate_name(g: Gate) -> &'static str {
    match g {
        Gate::Send => "send",
        Gate::Hold => "hold",
        Gate::Drop => "drop",
    }
}

/// Unix milliseconds as stored (negative and NaN clocks count as 0).
/// (`as` saturates: NaN and negatives are 0 without a branch.)
fn ms(now: f64) -> u64 {
    now as u64
}

/// rememberConsentGiven's hours as a lifetime: the default is the maximum; NaN, zero,
/// negative and too-long values get it too; anything positive lasts at least 1 ms.
fn lifetime_ms(hours: f64) -> u64 {
    let ms = hours * 3_600_000.0;
    // One negated range test (NaN fails every compare).
    if !(ms > 0.0 && ms < MAX_LIFETIME_MS as f64) {
        return MAX_LIFETIME_MS;
    }
    (ms as u64).max(1)
}
