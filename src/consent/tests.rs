use super::*;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
// Test events live for the whole test run: texts built at run time are leaked.
type E = ConsentEvent<'static>;
use Requirement as R;

const T0: f64 = 1_700_000_000_000.0;
const HOUR: f64 = 3_600_000.0;

fn given() -> E {
    E::ConsentGiven { remember_hours: None }
}
fn remembered(h: f64) -> E {
    E::ConsentGiven { remember_hours: Some(h) }
}
fn cookie_given() -> E {
    E::CookieConsentGiven { remember_hours: None }
}
fn cmp(m: Option<bool>, s: Option<bool>) -> E {
    E::Cmp { measurement: m, storage: s }
}
fn restore(consent: Option<&str>, optout: Option<&str>) -> E {
    E::Restore { consent: consent.map(|s| &*String::from(s).leak()), optout: optout.map(|s| &*String::from(s).leak()) }
}
pub(super) fn grant_of(measurement: bool, storage: bool) -> Grant {
    (measurement as Grant * MEASUREMENT) | (storage as Grant * STORAGE)
}

fn record(m: bool, s: bool, at: f64, hours: f64, policy: &str) -> String {
    let rec = Record {
        grant: grant_of(m, s),
        given_at: at as u64,
        expires_at: (at + hours * HOUR) as u64,
        policy: String::from(policy),
    };
    rec.serialise()
}

/// Runs events at T0 and returns the machine and the effects of the last one.
fn run(evs: Vec<E>) -> (Consent, Effects) {
    let mut c = Consent::new();
    let mut fx = Effects::default();
    for ev in evs {
        fx = c.handle(ev, T0);
    }
    (c, fx)
}

fn written(fx: &Effects, key: &str) -> Option<String> {
    fx.write.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
}

// ---- requirement none (default) ----

#[test]
fn default_sends_cookieless() {
    let c = Consent::new();
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(!c.may_store(T0));
    assert!(c.has_consent(T0));
    assert!(!c.is_opted_out());
    assert_eq!(c.requirement(), R::None);
}

#[test]
fn default_stores_only_after_an_explicit_grant() {
    for ev in [given(), cookie_given(), cmp(None, Some(true)), cmp(Some(true), Some(true))] {
        let (c, fx) = run(vec![ev.clone()]);
        assert!(c.may_store(T0), "{ev:?}");
        assert!(fx.changed && !fx.release_held && fx.write.is_empty(), "{ev:?}");
    }
    let (c, _) = run(vec![cmp(Some(true), None)]);
    assert!(!c.may_store(T0), "measurement alone does not allow storage");
}

#[test]
fn forget_consent_without_requirement_requires_it_as_matomo() {
    let (mut c, fx) = run(vec![given(), E::ConsentForgotten]);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert_eq!(c.requirement(), R::Consent);
    assert!(fx.drop_held && fx.erase_storage && fx.remove.contains(&CONSENT_KEY));
    assert!(c.is_opted_out() && !c.has_consent(T0));
    let fx = c.handle(given(), T0);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(!fx.release_held, "nothing was held: refused hits were dropped");
}

// ---- requireConsent ----

#[test]
fn require_consent_holds_until_given() {
    let (mut c, fx) = run(vec![E::Require(R::Consent)]);
    assert_eq!(c.gate(T0), Gate::Hold);
    assert!(fx.changed && !fx.drop_held);
    assert!(!c.has_consent(T0) && !c.is_opted_out() && !c.may_store(T0));
    let fx = c.handle(given(), T0);
    assert!(fx.release_held && fx.changed && !fx.drop_held);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(c.may_store(T0) && c.has_consent(T0));
}

#[test]
fn consent_given_before_required() {
    let (c, fx) = run(vec![given(), E::Require(R::Consent)]);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(!fx.changed && !fx.release_held);
}

#[test]
fn require_consent_refused_drops_and_erases() {
    let (mut c, fx) = run(vec![E::Require(R::Consent), E::ConsentForgotten]);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(fx.drop_held && fx.erase_storage && fx.changed && fx.remove == [CONSENT_KEY]);
    let fx = c.handle(given(), T0);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(!fx.release_held);
}

#[test]
fn withdrawn_after_sending_drops_queue() {
    let (c, fx) = run(vec![E::Require(R::Consent), given(), E::ConsentForgotten]);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(fx.drop_held && fx.erase_storage);
}

#[test]
fn strictest_requirement_wins_in_any_order() {
    for evs in [
        vec![E::Require(R::Consent), E::Require(R::CookieConsent)],
        vec![E::Require(R::CookieConsent), E::Require(R::Consent)],
        vec![E::Require(R::Consent), E::Require(R::None)],
    ] {
        let (c, _) = run(evs);
        assert_eq!(c.requirement(), R::Consent);
        assert_eq!(c.gate(T0), Gate::Hold);
    }
}

#[test]
fn cookie_consent_alone_keeps_hits_held_under_require_consent() {
    let (mut c, _) = run(vec![E::Require(R::Consent), cookie_given()]);
    assert_eq!(c.gate(T0), Gate::Hold);
    assert!(!c.may_store(T0));
    let fx = c.handle(given(), T0);
    assert!(fx.release_held && c.may_store(T0));
}

// ---- requireCookieConsent ----

#[test]
fn cookie_consent_mode() {
    let (mut c, fx) = run(vec![E::Require(R::CookieConsent)]);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(!c.may_store(T0) && !fx.changed);
    let fx = c.handle(cookie_given(), T0);
    assert!(c.may_store(T0) && fx.changed && !fx.release_held);
    let fx = c.handle(E::CookieConsentForgotten, T0);
    assert!(!c.may_store(T0) && fx.erase_storage && fx.changed && fx.remove == [CONSENT_KEY]);
    assert_eq!(c.gate(T0), Gate::Send, "cookieless hits go on");
    assert!(!c.is_opted_out());
}

#[test]
fn consent_given_grants_storage_under_cookie_mode() {
    let (c, _) = run(vec![E::Require(R::CookieConsent), given()]);
    assert!(c.may_store(T0));
}

#[test]
fn cookie_forget_keeps_remembered_measurement_for_the_page() {
    let (mut c, _) = run(vec![E::Require(R::Consent), remembered(24.0)]);
    let fx = c.handle(E::CookieConsentForgotten, T0 + HOUR);
    assert_eq!(fx.remove, [CONSENT_KEY]);
    assert!(fx.erase_storage && !fx.drop_held);
    assert_eq!(c.gate(T0 + 100.0 * HOUR), Gate::Send, "page decision, no longer expiring");
    assert!(!c.may_store(T0 + HOUR));
}

// ---- remembered records ----

#[test]
fn remember_writes_a_record() {
    let (c, fx) = run(vec![E::PolicyVersion("2024-05"), remembered(24.0)]);
    let v = written(&fx, CONSENT_KEY).unwrap();
    let r = Record::parse(&v).unwrap();
    assert_eq!(
        r,
        Record {
            grant: BOTH,
            given_at: T0 as u64,
            expires_at: (T0 + 24.0 * HOUR) as u64,
            policy: String::from("2024-05")
        }
    );
    assert_eq!(v, "v1|m=1|s=1|at=1700000000000|exp=1700086400000|p=2024-05");
    assert!(fx.changed && c.may_store(T0));
}

#[test]
fn remember_cookie_consent_records_storage_only() {
    let (c, fx) = run(vec![E::CookieConsentGiven { remember_hours: Some(1.0) }]);
    let r = Record::parse(&written(&fx, CONSENT_KEY).unwrap()).unwrap();
    assert_eq!(r.grant, STORAGE);
    assert!(c.may_store(T0));
}

#[test]
fn remember_cookie_consent_keeps_remembered_measurement() {
    let (_, fx) = run(vec![remembered(1.0), E::CookieConsentGiven { remember_hours: Some(2.0) }]);
    let r = Record::parse(&written(&fx, CONSENT_KEY).unwrap()).unwrap();
    assert_eq!(r.grant, BOTH);
    assert_eq!(r.expires_at, (T0 + 2.0 * HOUR) as u64);
}

#[test]
fn lifetime_defaults_and_caps_at_13_months() {
    for h in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e9, 9432.0] {
        let (_, fx) = run(vec![remembered(h)]);
        let r = Record::parse(&written(&fx, CONSENT_KEY).unwrap()).unwrap();
        assert_eq!(r.expires_at - r.given_at, MAX_LIFETIME_MS, "hours {h}");
    }
    assert_eq!(MAX_LIFETIME_MS, 393 * 86_400_000);
    let (_, fx) = run(vec![remembered(1e-12)]);
    let r = Record::parse(&written(&fx, CONSENT_KEY).unwrap()).unwrap();
    assert_eq!(r.expires_at - r.given_at, 1, "tiny but positive: at least 1 ms");
}

#[test]
fn restore_unexpired_record_decides() {
    let v = record(true, true, T0 - HOUR, 24.0, "1");
    let (c, fx) = run(vec![E::Require(R::Consent), restore(Some(&v), None)]);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(c.may_store(T0) && fx.release_held && fx.changed && fx.remove.is_empty());
    assert!(c.describe(T0).contains("\"source\":\"record\""));
    // Restored before the requirement: same outcome.
    let (c, _) = run(vec![restore(Some(&v), None), E::Require(R::Consent)]);
    assert_eq!(c.gate(T0), Gate::Send);
}

#[test]
fn restore_expired_record_is_removed() {
    let v = record(true, true, T0 - 48.0 * HOUR, 24.0, "1");
    let (c, fx) = run(vec![E::Require(R::Consent), restore(Some(&v), None)]);
    assert_eq!(c.gate(T0), Gate::Hold);
    assert!(!c.may_store(T0));
    assert!(fx.remove == [CONSENT_KEY] && fx.erase_storage && !fx.release_held);
}

#[test]
fn restore_malformed_records_is_no_record() {
    let good = record(true, true, T0, 1.0, "1");
    let cases = [
        "garbage",
        "v1|m=1|s=1",
        "v2|m=1|s=1|at=1|exp=2|p=1",
        "v1|m=2|s=1|at=1700000000000|exp=1700000001000|p=1",
        "v1|m=0|s=0|at=1700000000000|exp=1700000001000|p=1", // grants nothing
        "v1|m=1|s=1|at=1700000001000|exp=1700000000000|p=1", // expires before given
        "v1|m=1|s=1|at=1700000000000|exp=1800000000000|p=1", // longer than 13 months
        "v1|m=1|s=1|at=99999999999999999999|exp=1|p=1",      // overflow
        "v1|m=1|s=1|at=-5|exp=1700000001000|p=1",
        "v1|m=1|s=1|at=1700000000000|exp=1700000001000",     // no policy field
        "V1|M=1|S=1|AT=1700000000000|EXP=1700000001000|P=1",
        " v1|m=1|s=1|at=1700000000000|exp=1700000001000|p=1",
        "v1|m=é|s=1|at=1|exp=2|p=1",
    ];
    for bad in cases.iter().map(|s| s.to_string()).chain((1..good.len() - 3).map(|n| String::from(&good[..n]))) {
        let (c, fx) = run(vec![E::Require(R::Consent), restore(Some(&bad), None)]);
        assert_eq!(c.gate(T0), Gate::Hold, "{bad}");
        assert!(fx.remove == [CONSENT_KEY] && fx.erase_storage, "{bad}");
    }
    let (_, fx) = run(vec![restore(Some(""), None)]);
    assert!(fx.remove.is_empty() && !fx.erase_storage, "empty = nothing stored");
}

#[test]
fn record_round_trips_with_any_policy() {
    for p in ["", "1", "a|p=b|exp=3", "ünïcode ✓", "quote\"back\\slash\n"] {
        let r = Record { grant: STORAGE, given_at: 0, expires_at: 5, policy: String::from(p) };
        assert_eq!(Record::parse(&r.serialise()), Some(r));
    }
}

#[test]
fn long_policy_is_clipped_on_a_char_boundary() {
    let long = "é".repeat(40); // 80 bytes
    let (_, fx) = run(vec![E::PolicyVersion(long.leak()), remembered(1.0)]);
    let r = Record::parse(&written(&fx, CONSENT_KEY).unwrap()).unwrap();
    assert_eq!(r.policy, "é".repeat(32));
}

#[test]
fn expiry_mid_visit_reverts_to_undecided() {
    let (mut c, _) = run(vec![E::Require(R::Consent), remembered(1.0)]);
    assert_eq!(c.gate(T0 + 0.99 * HOUR), Gate::Send);
    assert_eq!(c.gate(T0 + 1.01 * HOUR), Gate::Hold, "queries see the expiry at once");
    assert!(!c.may_store(T0 + 1.01 * HOUR));
    let fx = c.handle(E::Tick, T0 + 1.01 * HOUR);
    assert!(fx.changed && fx.erase_storage && fx.remove == [CONSENT_KEY] && !fx.release_held);
    assert!(c.describe(T0 + 2.0 * HOUR).contains("\"record\":null"));
    let fx = c.handle(E::Tick, T0 + 2.0 * HOUR);
    assert_eq!(fx, Effects::default(), "reported once");
}

#[test]
fn expiry_mid_visit_under_cookie_mode_stops_storage_only() {
    let (mut c, _) = run(vec![E::Require(R::CookieConsent), E::CookieConsentGiven { remember_hours: Some(1.0) }]);
    let fx = c.handle(E::Tick, T0 + 2.0 * HOUR);
    assert_eq!(c.gate(T0 + 2.0 * HOUR), Gate::Send);
    assert!(!c.may_store(T0 + 2.0 * HOUR) && fx.erase_storage && !fx.drop_held);
}

#[test]
fn page_consent_outlives_a_lapsed_record() {
    let v = record(true, true, T0, 1.0, "1");
    let (mut c, _) = run(vec![E::Require(R::Consent), restore(Some(&v), None), given()]);
    c.handle(E::Tick, T0 + 2.0 * HOUR);
    assert_eq!(c.gate(T0 + 2.0 * HOUR), Gate::Send);
}

#[test]
fn other_policy_version_voids_the_record_in_any_order() {
    let v = record(true, true, T0, 24.0, "1");
    for evs in [
        vec![E::Require(R::Consent), restore(Some(&v), None), E::PolicyVersion("2")],
        vec![E::Require(R::Consent), E::PolicyVersion("2"), restore(Some(&v), None)],
    ] {
        let (c, fx) = run(evs);
        assert_eq!(c.gate(T0), Gate::Hold);
        assert!(fx.remove == [CONSENT_KEY] && fx.erase_storage);
    }
}

// ---- opt-out ----

#[test]
fn opt_out_then_consent_stays_dropped() {
    let (mut c, fx) = run(vec![E::OptOut]);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(fx.drop_held && fx.erase_storage && fx.changed && c.is_opted_out());
    assert_eq!(written(&fx, OPTOUT_KEY).as_deref(), Some("v1|optout|at=1700000000000"));
    assert_eq!(fx.remove, [CONSENT_KEY]);
    let fx = c.handle(remembered(24.0), T0);
    assert!(fx.write.is_empty(), "no consent record while opted out");
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(!c.may_store(T0));
    let fx = c.handle(E::ForgetOptOut, T0);
    assert!(fx.remove == [OPTOUT_KEY] && fx.changed);
    assert_eq!(c.gate(T0), Gate::Send, "the consent given after the opt-out applies");
}

#[test]
fn consent_then_opt_out() {
    let (mut c, fx) = run(vec![E::Require(R::Consent), remembered(24.0), E::OptOut]);
    assert!(fx.remove == [CONSENT_KEY] && fx.drop_held && fx.erase_storage);
    assert_eq!(c.gate(T0), Gate::Drop);
    c.handle(E::ForgetOptOut, T0);
    assert_eq!(c.gate(T0), Gate::Hold, "earlier grants died with the opt-out");
    assert!(!c.is_opted_out());
}

#[test]
fn restored_opt_out_fails_closed() {
    for v in ["v1|optout|at=1", "whatever"] {
        let (c, fx) = run(vec![restore(None, Some(v)), given()]);
        assert_eq!(c.gate(T0), Gate::Drop);
        assert!(c.is_opted_out() && !c.may_store(T0) && fx.write.is_empty());
    }
    let (c, _) = run(vec![restore(None, Some(""))]);
    assert!(!c.is_opted_out());
}

#[test]
fn opt_out_is_written_even_with_cookies_disabled() {
    let (_, fx) = run(vec![E::DisableCookies, E::OptOut]);
    assert!(written(&fx, OPTOUT_KEY).is_some());
}

// ---- GPC / DNT ----

#[test]
fn gpc_is_honoured_by_default_and_writes_nothing() {
    let (mut c, fx) = run(vec![E::Signals { gpc: true, dnt: false }]);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(fx.drop_held && fx.erase_storage && fx.write.is_empty() && c.is_opted_out());
    let fx = c.handle(remembered(24.0), T0);
    assert!(fx.write.is_empty() && !c.may_store(T0));
    assert!(c.describe(T0).contains("\"source\":\"gpc\""));
}

#[test]
fn signal_and_honour_settings_commute() {
    let sig = E::Signals { gpc: true, dnt: true };
    for (a, b) in [
        (E::HonorGpc(false), E::HonorDoNotTrack(false)),
        (E::HonorDoNotTrack(false), E::HonorGpc(false)),
    ] {
        for evs in [
            vec![sig.clone(), a.clone(), b.clone()],
            vec![a.clone(), sig.clone(), b.clone()],
            vec![a.clone(), b.clone(), sig.clone()],
        ] {
            let (c, _) = run(evs);
            assert_eq!(c.gate(T0), Gate::Send);
            assert!(!c.is_opted_out());
        }
    }
    // Only one of the two turned off: the other still drops.
    for evs in [vec![sig.clone(), E::HonorGpc(false)], vec![E::HonorGpc(false), sig.clone()]] {
        assert_eq!(run(evs).0.gate(T0), Gate::Drop);
    }
}

#[test]
fn dnt_honour_toggles() {
    let (mut c, _) = run(vec![E::Signals { gpc: false, dnt: true }]);
    assert_eq!(c.gate(T0), Gate::Drop);
    let fx = c.handle(E::HonorDoNotTrack(false), T0);
    assert!(fx.changed);
    assert_eq!(c.gate(T0), Gate::Send);
    let fx = c.handle(E::HonorDoNotTrack(true), T0);
    assert!(fx.drop_held && fx.erase_storage);
    assert!(c.describe(T0).contains("\"source\":\"dnt\""));
}

#[test]
fn unchanged_events_report_no_change() {
    let (_, fx) = run(vec![E::HonorGpc(true)]);
    assert_eq!(fx, Effects::default());
    let (_, fx) = run(vec![E::Signals { gpc: false, dnt: false }]);
    assert_eq!(fx, Effects::default());
}

// ---- disableCookies ----

#[test]
fn disable_cookies_wins_over_consent_in_any_order() {
    let (c, fx) = run(vec![E::DisableCookies, E::Require(R::Consent), remembered(24.0)]);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(!c.may_store(T0) && fx.write.is_empty() && fx.release_held);
    let (c, fx) = run(vec![remembered(24.0), E::DisableCookies]);
    assert!(!c.may_store(T0) && fx.erase_storage && fx.changed);
    let (c, _) = run(vec![E::DisableCookies, cmp(Some(true), Some(true))]);
    assert!(!c.may_store(T0));
}

// ---- consent banners ----

#[test]
fn cmp_under_no_requirement() {
    let (mut c, _) = run(vec![cmp(Some(true), Some(true))]);
    assert!(c.may_store(T0));
    let fx = c.handle(cmp(Some(false), None), T0);
    assert_eq!(c.gate(T0), Gate::Send, "cookieless measurement needs no consent here");
    assert!(!c.may_store(T0) && fx.erase_storage && !fx.drop_held);
    let (mut c, _) = run(vec![cmp(None, Some(true))]);
    let fx = c.handle(cmp(None, Some(false)), T0);
    assert!(!c.may_store(T0) && fx.erase_storage);
}

#[test]
fn cmp_under_require_consent() {
    let (mut c, _) = run(vec![E::Require(R::Consent)]);
    let fx = c.handle(cmp(Some(true), None), T0);
    assert!(fx.release_held);
    assert_eq!(c.gate(T0), Gate::Send);
    assert!(!c.may_store(T0));
    c.handle(cmp(None, Some(true)), T0);
    assert!(c.may_store(T0));
    assert!(c.describe(T0).contains("\"source\":\"cmp\""));
    let fx = c.handle(cmp(Some(false), None), T0);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(fx.drop_held && fx.erase_storage && c.is_opted_out());
    let fx = c.handle(cmp(Some(true), Some(true)), T0);
    assert_eq!(c.gate(T0), Gate::Send, "a new grant in the banner");
    assert!(c.may_store(T0) && !fx.release_held);
}

#[test]
fn cmp_storage_only_under_require_consent_stores_nothing() {
    let (c, _) = run(vec![E::Require(R::Consent), cmp(None, Some(true))]);
    assert_eq!(c.gate(T0), Gate::Hold);
    assert!(!c.may_store(T0));
    let (c, fx) = run(vec![E::Require(R::Consent), cmp(Some(false), Some(true))]);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(!c.may_store(T0) && fx.drop_held);
}

#[test]
fn cmp_under_cookie_consent() {
    let (mut c, _) = run(vec![E::Require(R::CookieConsent), cmp(None, Some(true))]);
    assert!(c.may_store(T0));
    let fx = c.handle(cmp(None, Some(false)), T0);
    assert!(!c.may_store(T0) && fx.erase_storage);
    assert_eq!(c.gate(T0), Gate::Send);
    let fx = c.handle(cmp(Some(false), Some(false)), T0);
    assert_eq!(c.gate(T0), Gate::Send, "cookieless");
    assert!(!fx.drop_held);
}

#[test]
fn cmp_withdrawal_removes_the_remembered_record() {
    let (mut c, _) = run(vec![E::Require(R::Consent), remembered(24.0)]);
    let fx = c.handle(cmp(None, Some(false)), T0);
    assert!(fx.remove == [CONSENT_KEY] && fx.erase_storage);
    assert_eq!(c.gate(T0), Gate::Send, "measurement still granted for the page");
    let fx = c.handle(cmp(Some(false), None), T0);
    assert!(fx.drop_held);
    assert_eq!(c.gate(T0), Gate::Drop);
}

#[test]
fn cmp_grant_does_not_lift_an_opt_out() {
    let (c, _) = run(vec![E::OptOut, cmp(Some(true), Some(true))]);
    assert_eq!(c.gate(T0), Gate::Drop);
    assert!(!c.may_store(T0));
}

#[test]
fn empty_cmp_decision_changes_nothing() {
    let (c, fx) = run(vec![E::Require(R::Consent), cmp(None, None)]);
    assert_eq!(c.gate(T0), Gate::Hold);
    assert!(!fx.changed);
}

// ---- describe ----

#[test]
fn describe_default() {
    assert_eq!(
        Consent::new().describe(T0),
        "{\"requirement\":\"none\",\"gate\":\"send\",\"measurement\":true,\"storage\":false,\
         \"optedOut\":false,\"cookiesDisabled\":false,\"source\":\"default\",\"policy\":\"1\",\"record\":null}"
    );
}

#[test]
fn describe_record_and_escapes() {
    let (c, _) = run(vec![
        E::PolicyVersion("v\"2\\\n"),
        E::Require(R::Consent),
        remembered(1.0),
    ]);
    assert_eq!(
        c.describe(T0),
        "{\"requirement\":\"consent\",\"gate\":\"send\",\"measurement\":true,\"storage\":true,\
         \"optedOut\":false,\"cookiesDisabled\":false,\"source\":\"command\",\"policy\":\"v\\\"2\\\\\\u000a\",\
         \"record\":{\"measurement\":true,\"storage\":true,\"givenAt\":1700000000000,\
         \"expiresAt\":1700003600000,\"policy\":\"v\\\"2\\\\\\u000a\"}}"
    );
    assert!(c.describe(T0 + 2.0 * HOUR).contains("\"gate\":\"hold\""));
}

// ---- property test ----

/// xorshift64*: deterministic, no dependency.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = crate::test_rng::step(self.0);
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub(super) fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
    pub(super) fn opt_bool(&mut self) -> Option<bool> {
        match self.below(3) {
            0 => None,
            1 => Some(false),
            _ => Some(true),
        }
    }
}

pub(super) fn random_record(rng: &mut Rng, now: f64) -> Record {
    let m = rng.coin();
    let given_at = (now as u64).saturating_sub(rng.below(2 * MAX_LIFETIME_MS));
    Record {
        grant: grant_of(m, !m || rng.coin()),
        given_at,
        expires_at: given_at + 1 + rng.below(MAX_LIFETIME_MS),
        policy: String::from(["1", "2", "x|y\"é"][rng.below(3) as usize]),
    }
}

pub(super) fn random_stored(rng: &mut Rng, now: f64) -> Option<String> {
    match rng.below(4) {
        0 => None,
        1 => Some(random_record(rng, now).serialise()),
        2 => {
            let s = random_record(rng, now).serialise();
            let cut = rng.below(s.len() as u64) as usize;
            Some(String::from(s.get(..cut).unwrap_or("")))
        }
        _ => Some(String::from(["", "v1|optout|at=1", "{}", "v1|m=1|s=1|at=9|exp=5|p=1"][rng.below(4) as usize])),
    }
}

pub(super) fn random_hours(rng: &mut Rng) -> Option<f64> {
    match rng.below(6) {
        0 => None,
        1 => Some(0.0),
        2 => Some(f64::NAN),
        3 => Some(-3.0),
        4 => Some(1e7),
        _ => Some((rng.below(48) + 1) as f64 / 4.0),
    }
}

pub(super) fn random_event(rng: &mut Rng, now: f64) -> E {
    let reqs = [R::None, R::Consent, R::CookieConsent];
    match rng.below(17) {
        0 => E::Require(reqs[rng.below(3) as usize]),
        1 => E::ConsentGiven { remember_hours: random_hours(rng) },
        2 => E::ConsentForgotten,
        3 => E::CookieConsentGiven { remember_hours: random_hours(rng) },
        4 => E::CookieConsentForgotten,
        5 => E::OptOut,
        6 => E::ForgetOptOut,
        7 => E::HonorDoNotTrack(rng.coin()),
        8 => E::HonorGpc(rng.coin()),
        9 => E::Signals { gpc: rng.below(4) == 0, dnt: rng.below(4) == 0 },
        10 if rng.below(4) == 0 => E::DisableCookies,
        11 | 12 => E::Cmp { measurement: rng.opt_bool(), storage: rng.opt_bool() },
        13 => E::PolicyVersion(["1", "2"][rng.below(2) as usize]),
        14 => E::Restore { consent: random_stored(rng, now).map(|s| &*s.leak()), optout: random_stored(rng, now).filter(|_| rng.below(3) == 0).map(|s| &*s.leak()) },
        _ => E::Tick,
    }
}

pub(super) fn random_step(rng: &mut Rng) -> f64 {
    match rng.below(5) {
        0 => 0.0,
        1 => rng.below(1000) as f64,
        2 => rng.below(2 * HOUR as u64) as f64,
        3 => rng.below(30 * 24) as f64 * HOUR,
        _ => rng.below(MAX_LIFETIME_MS + 10 * HOUR as u64) as f64 * rng.below(2) as f64,
    }
}

/// What the test itself knows from the events, without the machine's internals.
#[derive(Default)]
struct Shadow {
    consent_required: bool,
    /// A measurement grant was given since the last refusal (an over-approximation: it
    /// ignores expiry and policy versions, so "not granted" is certain).
    granted: bool,
    opted_out: bool,
    dont_honor_gpc: bool,
    dont_honor_dnt: bool,
    gpc: bool,
    dnt: bool,
    no_cookies: bool,
}

impl Shadow {
    fn blocked(&self) -> bool {
        self.opted_out || (self.gpc && !self.dont_honor_gpc) || (self.dnt && !self.dont_honor_dnt)
    }

    fn observe(&mut self, ev: &E) {
        match ev {
            E::Require(r) => self.consent_required |= *r == R::Consent,
            E::ConsentGiven { .. } | E::Cmp { measurement: Some(true), .. } => self.granted = true,
            E::ConsentForgotten => (self.consent_required, self.granted) = (true, false),
            E::Cmp { measurement: Some(false), .. } => self.granted = false,
            E::OptOut => (self.opted_out, self.granted) = (true, false),
            E::ForgetOptOut => self.opted_out = false,
            E::HonorDoNotTrack(b) => self.dont_honor_dnt = !b,
            E::HonorGpc(b) => self.dont_honor_gpc = !b,
            E::Signals { gpc, dnt } => (self.gpc, self.dnt) = (*gpc, *dnt),
            E::DisableCookies => self.no_cookies = true,
            E::Restore { consent, optout } => {
                self.opted_out |= optout.as_ref().is_some_and(|v| !v.is_empty());
                let rec = consent.as_deref().and_then(Record::parse);
                self.granted |= rec.is_some_and(|r| r.grant & MEASUREMENT != 0);
            }
            _ => {}
        }
    }
}

fn check_writes(ev: &E, fx: &Effects, sh: &Shadow) {
    for (k, v) in &fx.write {
        if *k == OPTOUT_KEY {
            assert_eq!(*ev, E::OptOut);
            continue;
        }
        assert_eq!(*k, CONSENT_KEY);
        let remembered = matches!(
            ev,
            E::ConsentGiven { remember_hours: Some(_) } | E::CookieConsentGiven { remember_hours: Some(_) }
        );
        assert!(remembered, "consent record written on {ev:?}");
        assert!(!sh.no_cookies && !sh.blocked(), "record written while storage is barred");
        let r = Record::parse(v).expect("written record parses");
        assert_eq!(Record::parse(&r.serialise()).as_ref(), Some(&r));
    }
}

fn check_state(c: &Consent, sh: &Shadow, now: f64) {
    let gate = c.gate(now);
    if sh.consent_required && !sh.granted {
        assert_ne!(gate, Gate::Send, "(1) sent without measurement consent");
    }
    if sh.blocked() {
        assert_eq!(gate, Gate::Drop, "(2) opted out / signal");
        assert!(!c.may_store(now) && c.is_opted_out());
    }
    if sh.no_cookies {
        assert!(!c.may_store(now), "(3) stored after disableCookies");
    }
    if gate == Gate::Hold {
        assert_eq!(c.requirement(), R::Consent);
    }
    assert_eq!(c.has_consent(now), gate == Gate::Send);
    assert_eq!(c.is_opted_out(), gate == Gate::Drop, "the snapshot keeps no opt-out flag");
    assert!(!c.may_store(now) || gate == Gate::Send);
    let d = c.describe(now);
    assert!(d.starts_with("{\"requirement\":") && d.ends_with('}'));
}

#[test]
fn property_random_event_sequences() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut events = 0u32;
    for _ in 0..12_000 {
        let mut c = Consent::new();
        let mut sh = Shadow::default();
        let mut now = T0;
        let mut prev_gate = Gate::Send;
        for _ in 0..rng.below(40) + 1 {
            now += random_step(&mut rng);
            let ev = random_event(&mut rng, now);
            let fx = c.handle(ev.clone(), now);
            sh.observe(&ev);
            events += 1;
            let gate = c.gate(now);
            assert_eq!(fx.release_held, prev_gate == Gate::Hold && gate == Gate::Send, "{ev:?}");
            assert_eq!(fx.drop_held, gate == Gate::Drop && prev_gate != Gate::Drop, "{ev:?}");
            assert!(fx.changed || gate == prev_gate, "{ev:?}");
            check_writes(&ev, &fx, &sh);
            check_state(&c, &sh, now);
            // Queries between events (time passing without any event) keep the invariants.
            check_state(&c, &sh, now + random_step(&mut rng));
            prev_gate = gate;
        }
    }
    assert!(events > 200_000);
}

#[test]
fn property_records_round_trip_and_parser_never_panics() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    for _ in 0..20_000 {
        let r = random_record(&mut rng, T0);
        let s = r.serialise();
        assert_eq!(Record::parse(&s).as_ref(), Some(&r), "(5) {s}");
        // Random byte damage: must parse to None or to something that re-serialises the same.
        let mut b = s.into_bytes();
        let i = rng.below(b.len() as u64) as usize;
        b[i] = (rng.below(95) + 32) as u8;
        let damaged = String::from_utf8(b).unwrap_or_default();
        if let Some(p) = Record::parse(&damaged) {
            assert_eq!(p.serialise(), damaged);
        }
    }
}
