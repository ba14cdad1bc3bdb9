//! Consent state machine (STUB: being written; the API below is the contract the tracker uses).

use alloc::string::String;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    None,
    Consent,
    CookieConsent,
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
pub enum ConsentEvent {
    Require(Requirement),
    ConsentGiven { remember_hours: Option<f64> },
    ConsentForgotten,
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
    PolicyVersion(String),
    /// Records read from storage at start (`hush_consent`, `hush_optout` values).
    Restore { consent: Option<String>, optout: Option<String> },
}

/// Side effects of one event, for the tracker to carry out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// Held hits may now be sent.
    pub release_held: bool,
    /// Held and queued hits must be dropped.
    pub drop_held: bool,
    /// Delete every identifier and queued hit hush stored.
    pub erase_storage: bool,
    /// (key, value) records to write to first-party storage.
    pub write: alloc::vec::Vec<(&'static str, String)>,
    /// keys to remove from storage.
    pub remove: alloc::vec::Vec<&'static str>,
    /// the decision changed (the npm API emits an event).
    pub changed: bool,
}

pub const CONSENT_KEY: &str = "hush_consent";
pub const OPTOUT_KEY: &str = "hush_optout";

#[derive(Clone, Debug, Default)]
pub struct Consent {
    measurement: bool,
    storage: bool,
}

impl Consent {
    pub fn new() -> Self {
        Consent { measurement: true, storage: false }
    }
    pub fn handle(&mut self, _ev: ConsentEvent, _now_ms: f64) -> Effects {
        Effects::default()
    }
    pub fn gate(&self, _now_ms: f64) -> Gate {
        if self.measurement { Gate::Send } else { Gate::Drop }
    }
    pub fn may_store(&self, _now_ms: f64) -> bool {
        self.storage
    }
    pub fn has_consent(&self, _now_ms: f64) -> bool {
        self.measurement
    }
    pub fn is_opted_out(&self) -> bool {
        false
    }
    /// JSON object describing the current decision and record (for the npm API).
    pub fn describe(&self, _now_ms: f64) -> String {
        String::from("{}")
    }
}
