//! Personal-data masking, applied before anything is queued (SPEC §4). Sans-IO, `alloc` only,
//! no regex engine: one byte scanner ([`detect`]) shared by URLs and free text.
//!
//! # What is removed
//! | finding | in text | in URLs | rule |
//! |---|---|---|---|
//! | e-mail | `[email]` | `_email_` | `local@domain.tld`, also `%40`, `+tags`, any case |
//! | phone | `[phone]` | `_phone_` | see below |
//! | payment card | `[card]` | `_card_` | 13–19 digits, single space/dash between groups, first digit 2–6, Luhn-valid |
//! | IBAN | `[iban]` | `_iban_` | country + 2 check digits + 11–30 alnum, contiguous or in groups of 4, mod-97 valid |
//! | JWT | `[jwt]` | `_jwt_` | `eyJ…` + 3 to 5 base64url segments |
//! | token | `[token]` | `_token_` | 32+ hex, or a random-looking 20+ byte base64url run (see `detect::token_run`) |
//! | IP | `[ip]` | `_ip_` | IPv4 dotted quad (parts ≤ 255), IPv6 (8 groups, or `::` with a digit) |
//! | secret value | `[redacted]` | `_redacted_` | the value after a deny-listed key (`token=…`) inside text or a nested URL |
//!
//! URL placeholders use only unreserved characters, so they need no escaping and read the
//! same after percent-decoding. In URLs, deny-listed query keys (see [`keys`]) and
//! `user:password@` are removed entirely; the host is kept.
//!
//! # The line we draw (false positives)
//! Kept, because they are what analytics is for and rarely personal:
//! - slugs and CamelCase words, also with numbers and acronyms (`/blog/2024/05/my-first-post`,
//!   `USB-C-HDMI-Adapter-4K-60Hz`): words change character class only at word edges;
//! - dates and times (`2024-05-17`, `17.05.2024`, `01.02.2024 10:30`), prices (`19.99`,
//!   `1 299,00 €`), order numbers (`ORD-10023`, `#45812`), years, zip codes, versions (`1.2.3`,
//!   `Chrome/124.0.6367.91`), ISBNs;
//! - UUIDs (resource IDs) and hex IDs shorter than 32 (`507f1f77bcf86cd799439011`).
//!
//! Phone numbers: `+` then 8–15 digits; or a leading parenthesised area code and 9–12 digits;
//! or North American 3-3-4 groups (optionally after `1`); or a national number starting with
//! `0` (first group ≥ 2 digits): 10–11 digits unbroken (11–15 with `00`), 9–13 in groups
//! with one kind of separator. A bare 10-digit number not starting with 0 (`5551234567`)
//! is indistinguishable from an ID and is kept; numbers followed by `:` are times or ports.
//!
//! Masked although sometimes harmless (we err on the side of privacy): 4-part version
//! numbers that are valid IPv4 (`1.2.3.4`), 32+ hex IDs (commit SHAs, UUIDs without dashes),
//! random-looking product codes of 20+ bytes, and, after a path segment such as `reset`,
//! `verify`, `confirm`, `invite`, `token`, `login`, `session`, any later 8+ byte segment with a digit or
//! an upper-case letter (`/account/reset/123/Xk9dQ2aB`).
//!
//! Limits: a random base64url token of 20–24 bytes passes the randomness bar about 97% of
//! the time (measured), lower-case-only letter tokens are not recognised, and e-mail local
//! parts must be ASCII. Query keys on the deny-list are removed whatever their value.

use alloc::string::String;
use alloc::vec::Vec;

mod detect;
mod digest;
mod keys;
mod text;
mod url;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod old_detect;
#[cfg(test)]
mod old_url;

pub use detect::Kind;
pub use digest::{digest_id, hmac_sha256, sha256};
pub use text::mask_text;
pub use url::mask_url;

/// Site rules for URL masking.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlRules {
    /// setExcludedQueryParams: removed on top of the built-in deny-list (case-insensitive).
    pub excluded: Vec<String>,
    /// setAllowedQueryParams: when set, only these keys are kept (case-insensitive); the
    /// site's explicit choice wins over the built-in deny-list. Values are still scanned.
    pub allowed: Option<Vec<String>>,
    /// discardHashTag: drop the fragment.
    pub discard_hash: bool,
}

/// True when the built-in deny-list removes this query key (`token`, `user[email]`, …).
pub fn is_denied_key(key: &str) -> bool {
    keys::is_denied(key.as_bytes())
}

/// `[kind]` in text, `_kind_` in URLs.
fn push_placeholder(out: &mut String, kind: Kind, url: bool) {
    out.push(if url { '_' } else { '[' });
    out.push_str(kind.label());
    out.push(if url { '_' } else { ']' });
}

/// Copies `src` to `out`, replacing each span (sorted, non-overlapping, on ASCII boundaries)
/// by its placeholder.
fn push_masked(out: &mut String, src: &str, spans: &[detect::Span], url: bool) {
    let mut last = 0;
    for sp in spans {
        out.push_str(src.get(last..sp.start).unwrap_or(""));
        push_placeholder(out, sp.kind, url);
        last = sp.end;
    }
    out.push_str(src.get(last..).unwrap_or(""));
}
