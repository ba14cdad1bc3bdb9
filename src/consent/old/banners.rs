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

use crate::consent::ConsentEvent;
use crate::bridge::Fields;

pub fn decision(mut f: Fields) -> Option<ConsentEvent> {
    let (measurement, storage) = match f.next_str() {
        "0" => {
            let ok = f.next_flag();
            let status = f.next_str();
            let applies = f.next_str();
            if !ok || !(status == "tcloaded" || status == "useractioncomplete") || applies == "0" {
                return None;
            }
            let p1 = f.next_flag();
            (f.next_flag() & f.next_flag() & f.next_flag(), p1)
        }
        "1" => {
            let update = f.next_str() == "update";
            let region = f.next_flag();
            let granted = match f.next_str() {
                "granted" if update || !region => true,
                "denied" if update => false,
                _ => return None,
            };
            (granted, granted)
        }
        "2" | "3" => {
            let yes = f.next_flag();
            (yes, yes)
        }
        _ => return None,
    };
    Some(ConsentEvent::Cmp { measurement: Some(measurement), storage: Some(storage) })
}

