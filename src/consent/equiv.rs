//! Size rewrites in this module equal what they replaced (kept here).

use super::{lifetime_ms, ms, Requirement, MAX_LIFETIME_MS};

/// The old strength of a requirement; `Require` now compares discriminants.
fn rank_old(r: Requirement) -> u8 {
    match r {
        Requirement::None => 0,
        Requirement::CookieConsent => 1,
        Requirement::Consent => 2,
    }
}

#[test]
fn requirement_order_is_the_old_rank() {
    let all = [Requirement::None, Requirement::Consent, Requirement::CookieConsent];
    for a in all {
        for b in all {
            assert_eq!(a as u8 > b as u8, rank_old(a) > rank_old(b), "{a:?} {b:?}");
        }
    }
}

fn ms_old(now: f64) -> u64 {
    if now > 0.0 {
        now as u64
    } else {
        0
    }
}

fn lifetime_ms_old(hours: f64) -> u64 {
    let ms = hours * 3_600_000.0;
    if ms.is_nan() || ms <= 0.0 || ms >= MAX_LIFETIME_MS as f64 {
        return MAX_LIFETIME_MS;
    }
    (ms as u64).max(1)
}

#[test]
fn ms_and_lifetime_equal_the_old_versions() {
    let mut x: u64 = 0x3C6E_F372_FE94_F82B;
    let special = [0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5, 9431.9, 9432.0, 9432.1, 1.7e12, -1.7e12, 2e19, f64::MAX, f64::MIN, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, f64::EPSILON];
    for i in 0..200_000 {
        x = crate::test_rng::step(x);
        let v = match i % 3 {
            0 => special[(x % special.len() as u64) as usize],
            1 => f64::from_bits(x),
            _ => (x % 20_000_000) as f64 / 1000.0 - 100.0,
        };
        assert_eq!(ms(v), ms_old(v), "{v:?}");
        assert_eq!(lifetime_ms(v), lifetime_ms_old(v), "{v:?}");
    }
}

fn serialise_old(r: &super::Record) -> alloc::string::String {
    let mut s = alloc::string::String::from("v1|m=");
    s.push(if r.grant & super::MEASUREMENT != 0 { '1' } else { '0' });
    s.push_str("|s=");
    s.push(if r.grant & super::STORAGE != 0 { '1' } else { '0' });
    s.push_str("|at=");
    crate::numfmt::push_u64(&mut s, r.given_at);
    s.push_str("|exp=");
    crate::numfmt::push_u64(&mut s, r.expires_at);
    s.push_str("|p=");
    s.push_str(&r.policy);
    s
}

#[test]
fn serialise_equals_the_old_version() {
    for (i, policy) in ["", "1", "x|y\"é"].iter().enumerate() {
        for flags in 0..4u64 {
            let r = super::Record {
                grant: flags as u8,
                given_at: [0, 1_700_000_000_000, u64::MAX][i],
                expires_at: [1, 1_733_955_200_000, u64::MAX][i],
                policy: alloc::string::String::from(*policy),
            };
            assert_eq!(r.serialise(), serialise_old(&r));
        }
    }
}

// ---- the whole module against its pre-size-pass copy (`old/`) ----

use super::tests::{random_event, random_step, Rng};
use super::{old, Consent, ConsentEvent as E, Effects};
use alloc::string::String;
use alloc::vec::Vec;

type FxView = (bool, bool, bool, Vec<(&'static str, String)>, Vec<&'static str>, bool);

fn view(fx: &Effects) -> FxView {
    let write = fx.write.iter().cloned().collect();
    (fx.release_held, fx.drop_held, fx.erase_storage, write, fx.remove.collect(), fx.changed)
}

fn view_old(fx: &old::Effects) -> FxView {
    let write = fx.write.iter().cloned().collect();
    (fx.release_held, fx.drop_held, fx.erase_storage, write, fx.remove.collect(), fx.changed)
}

/// Every query of the two machines agrees at `now`.
fn same_answers(c: &Consent, o: &old::Consent, now: f64, ev: &E) {
    assert_eq!(c.gate(now), o.gate(now), "{ev:?}");
    assert_eq!(c.may_store(now), o.may_store(now), "{ev:?}");
    assert_eq!(c.has_consent(now), o.has_consent(now), "{ev:?}");
    assert_eq!(c.is_opted_out(), o.is_opted_out(), "{ev:?}");
    assert_eq!(c.requirement(), o.requirement(), "{ev:?}");
    assert_eq!(c.describe(now), o.describe(now), "{ev:?}");
}

/// Extra inputs the property test's generator rarely makes: long and non-ASCII policy
/// versions, damaged records.
fn event(rng: &mut Rng, now: f64) -> E<'static> {
    match rng.below(8) {
        0 => {
            let p = ["", "é", "x|y\"\\\n", "2024-05"][rng.below(4) as usize];
            E::PolicyVersion(p.repeat(rng.below(40) as usize).leak())
        }
        1 => {
            let mut s = super::tests::random_record(rng, now).serialise().into_bytes();
            let i = rng.below(s.len() as u64) as usize;
            s[i] = b"0123456789|=p1"[rng.below(14) as usize];
            E::Restore { consent: String::from_utf8(s).ok().map(|s| &*s.leak()), optout: None }
        }
        _ => random_event(rng, now),
    }
}

#[test]
fn module_equals_the_old_version_over_event_sequences() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut writes = 0u32;
    for _ in 0..10_000 {
        let (mut c, mut o) = (Consent::new(), old::Consent::new());
        let mut now = 1_700_000_000_000.0;
        for _ in 0..rng.below(40) + 1 {
            now += random_step(&mut rng);
            let ev = event(&mut rng, now);
            let fx = c.handle(ev.clone(), now);
            let fo = o.handle(ev.clone(), now);
            writes += !fx.write.is_empty() as u32;
            assert_eq!(view(&fx), view_old(&fo), "{ev:?}");
            same_answers(&c, &o, now, &ev);
            same_answers(&c, &o, now + random_step(&mut rng), &ev);
        }
    }
    assert!(writes > 5_000, "{writes}");
}
