//! Size rewrites in this module equal what they replaced (kept here).

use super::Requirement;

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
