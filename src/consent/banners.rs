//! What a consent banner's state means for hush (`connectConsentManager`). The shell reads
//! the banner (src: `js/banners.js`) and passes its raw state through bridge op `m`; the
//! decision is made here:
//!
//! | banner (first field) | fields | granted | refused / withdrawn |
//! | --- | --- | --- | --- |
//! | `0` tcf (IAB TCF v2.2) | call succeeded, eventStatus, gdprApplies (`1`/`0`/empty), consent to purposes 1, 7, 8, 9 | purpose 1: storage; purposes 7, 8 and 9 all: measurement | each purpose without consent: refused |
//! | `1` google-consent-mode | `default` or `update`, has `region`, `analytics_storage` | `granted` (default or update): measurement + storage | `update` with `denied`: both refused |
//! | `2` klaro, `3` cookieconsent | the service / category consented (`1`/`0`) | measurement + storage | both refused |
//!
//! - TCF: only `tcloaded` (a stored TC string was loaded) and `useractioncomplete` (the
//!   visitor decided) count; `cmpuishown` changes nothing. `gdprApplies === false` →
//!   nothing (the site's requirement mode decides, as without a banner). Conservative on
//!   purpose: only `purpose.consents` counts, never legitimate interest; vendor consents
//!   and publisher restrictions are not read (hush runs first-party for the site).
//! - Consent Mode: `default` with `denied` is "not decided yet" (sites set it on every page
//!   before the visitor chooses), so it changes nothing; a `default` limited to some
//!   `region`s is skipped (only Google's servers know where the visitor is).
//! - Klaro and cookieconsent: the shell reports only confirmed decisions (Klaro's
//!   `saveConsents` or a confirmed manager; cookieconsent's `cc:onConsent` / `cc:onChange`
//!   or a valid stored decision).

use super::ConsentEvent;
use crate::bridge::Fields;

pub fn decision(mut f: Fields) -> Option<ConsentEvent> {
    // One-character fields are matched as bytes: a length and a byte test, no memcmp.
    let (measurement, storage) = match f.next_str().as_bytes() {
        b"0" => {
            let ok = f.next_flag();
            let status = f.next_str();
            let applies = f.next_str().as_bytes();
            if !ok || !(status == "tcloaded" || status == "useractioncomplete") || applies == b"0" {
                return None;
            }
            let p1 = f.next_flag();
            (f.next_flag() & f.next_flag() & f.next_flag(), p1)
        }
        b"1" => {
            let update = f.next_str() == "update";
            let region = f.next_flag();
            let value = f.next_str();
            let granted = value == "granted";
            // A grant counts unless it is a default for some regions; a refusal only as an update.
            if !(granted && (update || !region) || update && value == "denied") {
                return None;
            }
            (granted, granted)
        }
        b"2" | b"3" => {
            let yes = f.next_flag();
            (yes, yes)
        }
        _ => return None,
    };
    Some(ConsentEvent::Cmp { measurement: Some(measurement), storage: Some(storage) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::Fields;

    fn d(s: &str) -> Option<(Option<bool>, Option<bool>)> {
        match decision(Fields::of(s))? {
            ConsentEvent::Cmp { measurement, storage } => Some((measurement, storage)),
            _ => None,
        }
    }

    #[test]
    fn tcf_purposes() {
        assert_eq!(d("0|1|useractioncomplete|1|1|1|1|1"), Some((Some(true), Some(true))));
        assert_eq!(d("0|1|tcloaded||1|1|1|0"), Some((Some(false), Some(true))));
        assert_eq!(d("0|1|tcloaded|1|0|1|1|1"), Some((Some(true), Some(false))));
        assert_eq!(d("0|1|cmpuishown|1|1|1|1|1"), None);
        assert_eq!(d("0|0|tcloaded|1|1|1|1|1"), None);
        assert_eq!(d("0|1|tcloaded|0|1|1|1|1"), None);
    }

    #[test]
    fn consent_mode() {
        assert_eq!(d("1|default|0|granted"), Some((Some(true), Some(true))));
        assert_eq!(d("1|update|0|granted"), Some((Some(true), Some(true))));
        assert_eq!(d("1|update|1|denied"), Some((Some(false), Some(false))));
        assert_eq!(d("1|default|0|denied"), None);
        assert_eq!(d("1|default|1|granted"), None);
        assert_eq!(d("1|update|0|"), None);
    }

    #[test]
    fn klaro_and_cookieconsent() {
        assert_eq!(d("2|1"), Some((Some(true), Some(true))));
        assert_eq!(d("3|0"), Some((Some(false), Some(false))));
        assert_eq!(d("4|1"), None);
    }
}

#[cfg(test)]
mod equiv {
    use crate::bridge::Fields;
    use alloc::string::String;

    /// Any line of banner fields decides as the old `decision` did.
    #[test]
    fn decision_equals_the_old_version() {
        let words = ["", "0", "1", "2", "3", "4", "00", "tcloaded", "useractioncomplete", "cmpuishown", "default", "update", "granted", "denied", "x"];
        let mut x: u64 = 0x5DEE_CE66_D1CE_4E5B;
        let mut decided = 0;
        for _ in 0..100_000 {
            x = crate::test_rng::step(x);
            let mut line = String::new();
            let (mut r, n) = (x, x % 10);
            for i in 0..n {
                r /= 16;
                if i > 0 {
                    line.push('|');
                }
                // The first field is mostly a known banner, so the later ones get read.
                let w = if i == 0 { (r % 6) as usize } else { (r % words.len() as u64) as usize };
                line.push_str(words[w]);
            }
            let new = super::decision(Fields::of(&line));
            decided += new.is_some() as u32;
            assert_eq!(new, crate::consent::old::banners::decision(Fields::of(&line)), "{line}");
        }
        assert!(decided > 5_000, "{decided}");
    }
}
