//! Consent state machine (sans-IO): what may be sent and what may be stored.
//!
//! Facts go in as events (Matomo consent commands, a consent banner's decision, browser
//! signals, records read from storage); the tracker asks `gate(now)` for each hit and
//! `may_store(now)` before touching storage, and carries out the `Effects` of each event.
//! Every query is computed from the facts at `now`, so the order in which settings arrive
//! does not matter and a remembered consent lapses mid-visit without any event.
//!
//! Two purposes: measurement (hits may be sent) and storage (identifiers and queues may be
//! persisted). Precedence, strongest first:
//! 1. opt-out (command or stored record) and honoured GPC / DNT: drop everything, store nothing;
//! 2. decisions made on this page (commands, CMP), newest wins per purpose;
//! 3. the remembered record, while unexpired and written under the current policy version;
//! 4. the requirement mode's default: measurement Send (none, cookie consent) or Hold
//!    (consent); storage never (hush is cookieless until an explicit grant, SPEC §4).
//!
//! A measurement refusal only stops hits where measurement needs consent (requireConsent):
//! under the other modes the site has chosen cookieless measurement without consent, so a
//! refusal keeps hits cookieless (SPEC §5, Consent Mode "denied → cookieless or nothing").
//! Matomo's `forgetConsentGiven` calls `requireConsent`, and so does ours: it stops hits in
//! every mode. A measurement refusal also refuses storage: identifiers serve only measurement.
//!
//! CMP mapping, `Cmp { measurement, storage }` (None = that purpose unchanged):
//! - measurement Some(true): hits sent; under requireConsent held hits are released.
//!   Under the other modes it changes nothing visible (hits were already sent).
//! - storage Some(true): storage allowed once hits are sent (under requireConsent a storage
//!   grant alone keeps hits held and stores nothing).
//! - measurement Some(false): requireConsent → Drop (held hits dropped); other modes → still
//!   sent, cookieless. Storage refused too.
//! - storage Some(false): storage off. Any Some(false) removes the remembered record (the
//!   purpose it still grants carries on for this page) and erases hush's storage.
//!
//! The banner keeps its own record and re-announces it on every page, so a CMP decision is
//! never written by hush.

pub mod banners;
mod record;
#[cfg(test)]
mod equiv;
#[cfg(test)]
mod old;
#[cfg(test)]
mod tests;

pub use record::{Record, MAX_LIFETIME_MS, MAX_POLICY_BYTES};

use crate::numfmt::push_u64;
use alloc::string::String;
use record::{clip_policy, push_bool, push_json_str};

/// Declared weakest first: the discriminant is the strength (`Require` compares `as u8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    None,
    CookieConsent,
    Consent,
}

/// What to do with a hit made now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    Send,
    /// requireConsent and no decision yet: keep it in memory (bounded) until consent.
    Hold,
    /// opted out, refused, withdrawn, GPC/DNT: the hit is discarded.
    Drop,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConsentEvent<'a> {
    /// The strictest requirement seen wins (Consent > CookieConsent > None): matomo.js has
    /// no way to lift a requirement, and this keeps the order of commands irrelevant.
    Require(Requirement),
    /// setConsentGiven (`None`) / rememberConsentGiven(hours): measurement and storage.
    ConsentGiven { remember_hours: Option<f64> },
    ConsentForgotten,
    /// setCookieConsentGiven / rememberCookieConsentGiven(hours): storage only.
    CookieConsentGiven { remember_hours: Option<f64> },
    CookieConsentForgotten,
    OptOut,
    ForgetOptOut,
    HonorDoNotTrack(bool),
    HonorGpc(bool),
    /// Browser signals read once at start.
    Signals { gpc: bool, dnt: bool },
    DisableCookies,
    /// A consent banner's decision; `None` leaves that purpose unchanged.
    Cmp { measurement: Option<bool>, storage: Option<bool> },
    /// Borrowed, as the record texts below: a consent event owns nothing, so neither it nor
    /// the `Command` carrying it has drop code.
    PolicyVersion(&'a str),
    /// Records read from storage at start (`hush_consent`, `hush_optout` values).
    Restore { consent: Option<&'a str>, optout: Option<&'a str> },
    /// Time passed: reports (and removes) a remembered consent that expired since the last
    /// event. Queries are right without it; it only brings the effects and `changed`.
    Tick,
}

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
/// or an opt-out record), so this is one pair, written in place (`start`), with the Vec
/// methods its users call; an empty key means "nothing to write". No Option to drop and
/// refill, no String built elsewhere and moved in, no Vec code in the wasm.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Write((&'static str, String));

impl Write {
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }

    pub fn iter(&self) -> core::option::IntoIter<&(&'static str, String)> {
        Some(&self.0).filter(|_| !self.is_empty()).into_iter()
    }

    /// The value to write under `key`, to be filled in by the caller.
    fn start(&mut self, key: &'static str) -> &mut String {
        debug_assert!(self.is_empty(), "one write per event");
        self.0 .0 = key;
        &mut self.0 .1
    }
}

impl<'a> IntoIterator for &'a Write {
    type Item = &'a (&'static str, String);
    type IntoIter = core::option::IntoIter<&'a (&'static str, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
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

/// A set of purposes, as bits: what a decision or a record grants (or refuses). One byte
/// instead of a pair of flags or of three-way decisions: "measurement and storage" is one
/// mask, and a purpose is tested, set or cleared with one `&`, `|` or `& !`.
pub type Grant = u8;
pub const MEASUREMENT: Grant = 1;
pub const STORAGE: Grant = 2;
pub const BOTH: Grant = MEASUREMENT | STORAGE;

/// Where the current decision came from, as a one-byte code (`source_name` names it): each
/// setter stores one byte, not a (pointer, length) pair.
type Source = u8;
const FROM_COMMAND: Source = 0;
const FROM_RECORD: Source = 1;
const FROM_CMP: Source = 2;

/// What the tracker saw after the previous event, in one byte (compared and diffed as a
/// whole): the gate (`Gate as u8`) in the low bits, then the SNAP_ flags.
type Snap = u8;
const SNAP_GATE: u8 = 3;
const SNAP_STORE: u8 = 4;
const SNAP_BLOCKED: u8 = 8;
// No opt-out flag: `is_opted_out()` is exactly `gate == Drop` (a refusal is never a grant,
// see `granted`), which the gate bits already hold.

#[derive(Clone, Debug)]
pub struct Consent {
    req: Requirement,
    /// The purposes granted / refused by decisions of this page (never both for one
    /// purpose; neither = no decision of this page, the record or the default decides).
    yes: Grant,
    no: Grant,
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
            yes: 0,
            no: 0,
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
        self.handle_into(ev, now_ms, &mut fx);
        fx
    }

    /// `handle` writing into the caller's `fx` (a default one): the effects are built where
    /// the tracker reads them, not built here and copied out.
    pub fn handle_into(&mut self, ev: ConsentEvent, now_ms: f64, fx: &mut Effects) {
        self.apply(ev, now_ms, fx);
        self.expire_record(now_ms, fx);
        self.settle(now_ms, fx);
    }

    // Not marked #[inline(never)] as `settle` is: since the Grant rewrite that measured
    // 10 B gzip larger (same raw size: wasm-opt inlines it either way).
    fn apply(&mut self, ev: ConsentEvent, now: f64, fx: &mut Effects) {
        use ConsentEvent as E;
        // The decisions (consent commands and CMP) as data: (granted, refused, source,
        // remembered hours), carried out by one `decide`.
        let (yes, no, from, hours) = match ev {
            E::ConsentGiven { remember_hours } => (BOTH, 0, FROM_COMMAND, remember_hours),
            E::CookieConsentGiven { remember_hours } => (STORAGE, 0, FROM_COMMAND, remember_hours),
            E::ConsentForgotten => {
                // As matomo.js: consent becomes required and is refused.
                self.req = Requirement::Consent;
                (0, BOTH, FROM_COMMAND, None)
            }
            // Storage off; a remembered measurement grant holds for the page.
            E::CookieConsentForgotten => (0, STORAGE, FROM_COMMAND, None),
            // A CMP decision: `Some(true)` grants, `Some(false)` refuses (see the module doc).
            E::Cmp { measurement: m, storage: s } => {
                if m.is_none() && s.is_none() {
                    return;
                }
                let said = |v: Option<bool>, answer: bool, purpose: Grant| if v == Some(answer) { purpose } else { 0 };
                // Any refusal ends storage: identifiers serve only measurement.
                let refused = said(m, false, MEASUREMENT) | said(s, false, STORAGE);
                let no = if refused != 0 { refused | STORAGE } else { 0 };
                (said(m, true, MEASUREMENT) | said(s, true, STORAGE), no, FROM_CMP, None)
            }
            other => return self.apply_setting(other, now, fx),
        };
        self.decide(yes, no, from, hours, now, fx);
    }

    /// The events that are not decisions.
    fn apply_setting(&mut self, ev: ConsentEvent, now: f64, fx: &mut Effects) {
        use ConsentEvent as E;
        match ev {
            E::Require(r) if r as u8 > self.req as u8 => self.req = r,
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
            E::PolicyVersion(p) => {
                self.policy.clear();
                self.policy.push_str(p);
                clip_policy(&mut self.policy);
            }
            E::Restore { consent, optout } => self.restore(consent, optout, fx),
            _ => {}
        }
    }

    /// A decision of this page: `yes` granted, then `no` refused (the record goes, and with
    /// it what hush stored; a measurement grant of the record not refused here carries on for
    /// this page); a grant given with `hours` is remembered in a record.
    #[inline(never)]
    fn decide(&mut self, yes: Grant, no: Grant, from: Source, hours: Option<f64>, now: f64, fx: &mut Effects) {
        self.source = from;
        self.no &= !yes;
        self.yes |= yes;
        if no != 0 {
            self.yes = ((self.granted(now) & MEASUREMENT) | self.yes) & !no;
            self.no |= no;
            self.drop_record(fx);
            fx.erase_storage = true;
        }
        // Under disableCookies, an opt-out or an honoured signal nothing is written (as
        // matomo.js, which cannot set its consent cookie then); the grant holds for this page.
        if let Some(h) = hours.filter(|_| !self.no_cookies && !self.blocked()) {
            // A remembered measurement grant stays in the new record.
            let grant = yes | (self.live_grant(now) & MEASUREMENT);
            let given_at = ms(now);
            // Built in its place (`insert`), then written where the tracker reads it.
            let rec = self.rec.insert(Record {
                grant,
                given_at,
                expires_at: given_at.saturating_add(lifetime_ms(h)),
                policy: self.policy.clone(),
            });
            rec.serialise_into(fx.write.start(CONSENT_KEY));
            // The grant now lives in the record, so that it lapses with it.
            self.yes &= !yes;
        }
    }

    fn opt_out(&mut self, now: f64, fx: &mut Effects) {
        self.opted_out = true;
        // Earlier grants die with the opt-out: forgetting it later starts from the default.
        self.yes = 0;
        self.no = 0;
        self.drop_record(fx);
        // Written even under disableCookies: the objection must hold on every page (SPEC §5).
        let v = fx.write.start(OPTOUT_KEY);
        v.push_str("v1|optout|at=");
        push_u64(v, ms(now));
        fx.erase_storage = true;
    }

    fn restore(&mut self, consent: Option<&str>, optout: Option<&str>, fx: &mut Effects) {
        // Fail closed: only hush writes this key, so any value there means "opted out".
        if optout.is_some_and(|v| !v.is_empty()) {
            self.opted_out = true;
        }
        let Some(v) = consent.filter(|v| !v.is_empty()) else { return };
        // Expiry and policy version are checked by expire_record, whatever the order.
        if Record::parse_into(v, &mut self.rec) {
            self.source = FROM_RECORD;
            fx.changed = true;
        } else {
            // Unreadable: no consent, and nothing stored under it may stay.
            fx.remove.push(REMOVE_CONSENT);
            fx.erase_storage = true;
        }
    }

    /// A record past its expiry or written under another policy version is deleted, with
    /// whatever it allowed hush to store.
    fn expire_record(&mut self, now: f64, fx: &mut Effects) {
        let Some(r) = &self.rec else { return };
        if r.live(now) & (r.policy == self.policy) {
            return;
        }
        fx.erase_storage |= r.grant & STORAGE != 0;
        self.drop_record(fx);
    }

    fn drop_record(&mut self, fx: &mut Effects) {
        fx.remove.push(REMOVE_CONSENT);
        // Dropped in place (`take` would copy the record out first).
        fx.changed |= self.rec.is_some();
        self.rec = None;
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
            | flag(self.blocked(), SNAP_BLOCKED)
    }

    fn blocked(&self) -> bool {
        // Non-short-circuit `|` and `&` on bools: straight-line code, no branch per flag.
        self.opted_out | (self.gpc & self.honor_gpc) | (self.dnt & self.honor_dnt)
    }

    fn live_record(&self, now: f64) -> Option<&Record> {
        // No policy test: after every event the record left (if any) has the current policy
        // version (`expire_record`), and within an event no query follows a change of either.
        self.rec.as_ref().filter(|r| r.live(now))
    }

    fn live_grant(&self, now: f64) -> Grant {
        self.live_record(now).map_or(0, |r| r.grant)
    }

    /// The purposes granted at `now`: by this page, else by the live record.
    fn granted(&self, now: f64) -> Grant {
        self.yes | (self.live_grant(now) & !self.no)
    }

    pub fn gate(&self, now_ms: f64) -> Gate {
        if self.blocked() {
            return Gate::Drop;
        }
        if self.granted(now_ms) & MEASUREMENT != 0 || self.req != Requirement::Consent {
            return Gate::Send;
        }
        if self.no & MEASUREMENT != 0 {
            Gate::Drop
        } else {
            Gate::Hold
        }
    }

    /// Identifiers and queues may be persisted: hits are being sent, storage was granted
    /// explicitly, and cookies are not disabled.
    pub fn may_store(&self, now_ms: f64) -> bool {
        !self.no_cookies && self.gate(now_ms) == Gate::Send && self.granted(now_ms) & STORAGE != 0
    }

    /// matomo.js's hasConsent: hits may be sent now (true when consent is not required).
    pub fn has_consent(&self, now_ms: f64) -> bool {
        self.gate(now_ms) == Gate::Send
    }

    /// A "no" is in force: opt-out, honoured GPC or DNT, or consent refused / forgotten under
    /// requireConsent. Unlike matomo.js (`!hasConsent`) an undecided visitor is not counted:
    /// `!has_consent(now)` gives that meaning.
    pub fn is_opted_out(&self) -> bool {
        self.blocked() || (self.req == Requirement::Consent && self.no & MEASUREMENT != 0)
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
        } else if self.granted(now) | self.no == 0 {
            "default"
        } else {
            match self.source {
                FROM_COMMAND => "command",
                FROM_RECORD => "record",
                _ => "cmp",
            }
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
