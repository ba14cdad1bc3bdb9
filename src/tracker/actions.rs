//! The tracker's output decoded back into actions, for tests and tools only: the tracker
//! writes each action straight into its answer as a protocol record (`crate::bridge`
//! documents them), so the wasm never builds, moves or encodes an action value. Nothing in
//! the wasm calls this decoder; it is dropped from the release build.

use crate::command::CmpKind;
use alloc::string::String;
use alloc::vec::Vec;

use super::Feature;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// POST `body` to `url` (or GET `url` when `body` is None); report with `on_result(id, …)`.
    /// `leaving`: the page is going away: use sendBeacon, else fetch keepalive.
    Send { id: u32, url: String, body: Option<String>, leaving: bool },
    Store(String, String),
    Remove(String),
    Warn(String),
    /// Call `on_timer` at this epoch time (replaces any earlier wake-up).
    Wake(f64),
    Enable(Feature),
    /// Connect to this banner (the key option as `Command::ConnectConsentManager`).
    ConnectConsentManager(CmpKind, String),
    /// The consent decision changed (npm API event).
    ConsentChanged,
}

/// Decodes the tracker's records (each `RS letter (FS field)*`). A wake-up time travels as
/// whole milliseconds; `exact_wakes`, when given, are the times the tracker asked for, in
/// order (checked against the text), so a test sees them with their fraction.
pub fn decode(records: &str, exact_wakes: &[f64]) -> Vec<Action> {
    let mut wakes = exact_wakes.iter();
    let mut out = Vec::new();
    for rec in records.split(crate::bridge::RS).skip(1) {
        let f: Vec<&str> = rec.split(crate::bridge::FS).collect();
        let text = |i: usize| String::from(f[i]);
        let digit = |i: usize| f[i].as_bytes()[0] - b'0';
        out.push(match f[0] {
            "S" => Action::Send { id: f[1].parse().expect("send id"), url: text(2), body: f.get(4).map(|b| String::from(*b)), leaving: f[3] == "1" },
            "T" => Action::Store(text(1), text(2)),
            "R" => Action::Remove(text(1)),
            "W" => Action::Warn(text(1)),
            "K" => {
                let ms: u64 = f[1].parse().expect("wake time");
                Action::Wake(match wakes.next() {
                    Some(&at) => {
                        assert_eq!(at.max(0.0) as u64, ms, "wake record");
                        at
                    }
                    None => ms as f64,
                })
            }
            "E" => Action::Enable([Feature::LinkTracking, Feature::HistoryTracking, Feature::FormAnalytics][digit(1) as usize]),
            "C" => {
                let kinds = [CmpKind::Tcf, CmpKind::GoogleConsentMode, CmpKind::Klaro, CmpKind::CookieConsent];
                Action::ConnectConsentManager(kinds[digit(1) as usize], text(2))
            }
            "N" => Action::ConsentChanged,
            other => panic!("unknown record {other:?}"),
        });
    }
    out
}

/// The bridge's encoder from before the tracker wrote records itself (an `N` record
/// without its field, which the bridge adds): `take_actions` checks under test that
/// re-encoding the decoded actions gives back the tracker's text byte for byte, so the
/// equivalence hash over decoded actions also pins the records.
#[cfg(test)]
pub fn encode_as_before(actions: &[Action]) -> String {
    use crate::bridge::{FS, RS};
    let mut out = String::new();
    let field = |out: &mut String, s: &str| {
        out.push(FS);
        out.push_str(&s.replace([FS, RS], " "));
    };
    for action in actions {
        out.push(RS);
        match action {
            Action::Send { id, url, body, leaving } => {
                out.push('S');
                out.push(FS);
                out.push_str(&std::format!("{id}"));
                field(&mut out, url);
                field(&mut out, if *leaving { "1" } else { "0" });
                if let Some(b) = body {
                    field(&mut out, b);
                }
            }
            Action::Store(key, value) => {
                out.push('T');
                field(&mut out, key);
                field(&mut out, value);
            }
            Action::Remove(key) => {
                out.push('R');
                field(&mut out, key);
            }
            Action::Warn(msg) => {
                out.push('W');
                field(&mut out, msg);
            }
            Action::Wake(at) => {
                out.push('K');
                out.push(FS);
                out.push_str(&std::format!("{}", at.max(0.0) as u64));
            }
            Action::Enable(feature) => {
                out.push('E');
                out.push(FS);
                out.push((b'0' + *feature as u8) as char);
            }
            Action::ConnectConsentManager(kind, key) => {
                out.push('C');
                out.push(FS);
                out.push((b'0' + *kind as u8) as char);
                field(&mut out, key);
            }
            Action::ConsentChanged => out.push('N'),
        }
    }
    out
}
