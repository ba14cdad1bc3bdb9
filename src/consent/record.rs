//! The remembered-consent record: its storage form, its parser, and its JSON for the npm API.
//!
//! Storage form (one line, no `core::fmt`):
//! `v1|m=1|s=1|at=1700000000000|exp=1733955200000|p=<policy version>`
//! m/s = measurement/storage granted, at/exp = given-at/expires-at in Unix milliseconds.
//! The policy comes last and runs to the end of the value, so it may contain any character.
//! The parser accepts only what `serialise` writes: anything else is "no record".

use super::{Grant, MEASUREMENT, STORAGE};
use crate::numfmt::push_u64;
use alloc::string::String;

/// 13 months, counted as the shortest 13-calendar-month span (12 × 365/366 days is at least
/// 365, plus the shortest month, 28 days = 393 days), so a record never outlives 13 months
/// whatever day it was given (CNIL's maximum for a consent and its cookie).
pub const MAX_LIFETIME_MS: u64 = 393 * 24 * 3_600_000;
/// Policy versions are labels ("2024-05"); longer ones are cut so a record stays small.
pub const MAX_POLICY_BYTES: usize = 64;
/// Unix milliseconds fit 13 digits until the year 2286; 15 keeps u64 far from overflow.
const MAX_DIGITS: usize = 15;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// MEASUREMENT and / or STORAGE (never neither).
    pub grant: Grant,
    pub given_at: u64,
    pub expires_at: u64,
    pub policy: String,
}

impl Record {
    #[cfg(test)]
    pub fn serialise(&self) -> String {
        let mut s = String::new();
        self.serialise_into(&mut s);
        s
    }

    /// Appends the storage form to `s`.
    pub fn serialise_into(&self, s: &mut String) {
        // The flags as the numbers 0 and 1: push_u64 calls like the two below.
        s.push_str("v1|m=");
        push_u64(s, self.has(MEASUREMENT));
        s.push_str("|s=");
        push_u64(s, self.has(STORAGE));
        s.push_str("|at=");
        push_u64(s, self.given_at);
        s.push_str("|exp=");
        push_u64(s, self.expires_at);
        s.push_str("|p=");
        s.push_str(&self.policy);
    }

    /// `None` for anything `serialise` could not have written, including records that grant
    /// nothing or claim a lifetime past the maximum (tampered or from a buggy writer).
    #[cfg(test)]
    pub fn parse(v: &str) -> Option<Record> {
        let mut slot = None;
        Self::parse_into(v, &mut slot);
        slot
    }

    /// `parse` into `slot`, built in place there (no copy of the record): false, and `slot`
    /// untouched, for anything `serialise` could not have written.
    pub fn parse_into(v: &str, slot: &mut Option<Record>) -> bool {
        let mut c = Cursor(v);
        // A field that fails reads as NOT_READ, which every test below rejects: no early
        // return per field.
        let m = c.field("v1|m=", 1);
        let s = c.field("|s=", 1);
        let given_at = c.field("|at=", MAX_DIGITS);
        let expires_at = c.field("|exp=", MAX_DIGITS);
        let Some(policy) = c.0.strip_prefix("|p=") else { return false };
        // Non-short-circuit `&` (straight-line code); the wrapping difference only counts
        // when expires_at > given_at.
        let sane = (m <= 1)
            & (s <= 1)
            & (m | s != 0)
            & (expires_at > given_at)
            & (expires_at.wrapping_sub(given_at) <= MAX_LIFETIME_MS)
            & (policy.len() <= MAX_POLICY_BYTES);
        if sane {
            // m and s are 0 or 1 here: the grant's bits.
            let grant = ((m as Grant) * MEASUREMENT) | ((s as Grant) * STORAGE);
            *slot = Some(Record { grant, given_at, expires_at, policy: String::from(policy) });
        }
        sane
    }

    /// 1 when the record grants `purpose`, else 0 (the storage form's digit).
    pub fn has(&self, purpose: Grant) -> u64 {
        u64::from(self.grant & purpose != 0)
    }

    /// Not expired at `now` (the policy version is `expire_record`'s test).
    pub fn live(&self, now: f64) -> bool {
        now < self.expires_at as f64
    }

    pub fn push_json(&self, o: &mut String) {
        push_bool(o, "{\"measurement\":", self.has(MEASUREMENT) != 0);
        push_bool(o, ",\"storage\":", self.has(STORAGE) != 0);
        o.push_str(",\"givenAt\":");
        push_u64(o, self.given_at);
        o.push_str(",\"expiresAt\":");
        push_u64(o, self.expires_at);
        o.push_str(",\"policy\":");
        push_json_str(o, &self.policy);
        o.push('}');
    }
}

/// What `Cursor::field` reads when the key or the digits are not there: more than any
/// field can hold, so every test of `parse` rejects it.
const NOT_READ: u64 = u64::MAX;

/// Reads the storage form left to right (never panics).
struct Cursor<'a>(&'a str);

impl Cursor<'_> {
    /// `key` then 1 to `max_digits` decimal digits (no more): the number, else NOT_READ
    /// (and the cursor stays where it was, so later keys do not match either).
    fn field(&mut self, key: &str, max_digits: usize) -> u64 {
        let Some(rest) = self.0.strip_prefix(key) else { return NOT_READ };
        // One byte loop (no TakeWhile/Take/Fold adapters).
        let (mut n, mut v) = (0, 0u64);
        for d in rest.bytes() {
            if !d.is_ascii_digit() {
                break;
            }
            if n == max_digits {
                return NOT_READ;
            }
            v = v * 10 + u64::from(d - b'0');
            n += 1;
        }
        match rest.get(n..) {
            Some(tail) if n > 0 => {
                self.0 = tail;
                v
            }
            _ => NOT_READ,
        }
    }
}

/// Cuts `p` to at most MAX_POLICY_BYTES on a character boundary (in place: no String
/// moved in and out).
pub fn clip_policy(p: &mut String) {
    crate::bytes::shorten(p, MAX_POLICY_BYTES);
}

pub fn push_bool(o: &mut String, key: &str, v: bool) {
    o.push_str(key);
    o.push_str(if v { "true" } else { "false" });
}

pub use crate::wire::push_json_str;

#[cfg(test)]
mod equiv {
    use super::*;
    use alloc::format;

    /// `parse` as it was before the size passes (eat / flag / num steps, early returns).
    fn parse_old(v: &str) -> Option<Record> {
        let r = crate::consent::old::record::Record::parse(v)?;
        let grant = (r.measurement as Grant * MEASUREMENT) | (r.storage as Grant * STORAGE);
        Some(Record { grant, given_at: r.given_at, expires_at: r.expires_at, policy: r.policy })
    }

    /// The one-field-reader parser accepts exactly what the old one did.
    #[test]
    fn parse_equals_the_old_version() {
        let mut x: u64 = 0x3C6E_F372_FE94_F82B;
        let mut below = |n: u64| {
            x = crate::test_rng::step(x);
            x % n
        };
        let mut accepted = 0;
        for _ in 0..100_000 {
            let at = [0, 1, 1_700_000_000_000, 999_999_999_999_999][below(4) as usize] + below(3);
            let exp = match below(4) {
                0 => at.saturating_sub(below(3)),
                1 => at + MAX_LIFETIME_MS - 1 + below(3),
                2 => below(1_000_000_000_000_000),
                _ => at + below(MAX_LIFETIME_MS),
            };
            let policy = "p".repeat(below(70) as usize);
            let v = format!("v1|m={}|s={}|at={at}|exp={exp}|p={policy}", below(2), below(3));
            let old = parse_old(&v);
            accepted += old.is_some() as u32;
            assert_eq!(Record::parse(&v), old, "{v}");
        }
        assert!(accepted > 10_000, "{accepted}");
    }

    /// Malformed fields (missing, too long, leading zeros, other characters, damage at any
    /// place) are refused exactly where the old parser refused them.
    #[test]
    fn parse_equals_the_old_version_on_malformed_records() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut below = |n: u64| {
            x = crate::test_rng::step(x);
            x % n
        };
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..200_000 {
            let s_flag = below(2);
            let mut field = |normal: u64| match below(30) {
                0 => String::new(),
                1 => format!("0{normal}"),
                2 => String::from("1234567890123456"),
                3 => String::from("123456789012345"),
                4 => format!("{normal}é"),
                5 => String::from("x"),
                _ => format!("{normal}"),
            };
            let (m, s) = (field(1), field(s_flag));
            let (at, exp) = (field(1_700_000_000_000), field(1_700_000_360_000));
            let keys = ["v1|m=", "|s=", "|at=", "|exp=", "|p="];
            let mut v = format!("{}{m}{}{s}{}{at}{}{exp}{}pé", keys[0], keys[1], keys[2], keys[3], keys[4]).into_bytes();
            if below(3) == 0 {
                let i = below(v.len() as u64) as usize;
                v[i] = b"0123456789|=vmsp"[below(16) as usize];
            }
            let Ok(v) = String::from_utf8(v) else { continue };
            let old = parse_old(&v);
            accepted += old.is_some() as u32;
            refused += old.is_none() as u32;
            assert_eq!(Record::parse(&v), old, "{v}");
        }
        assert!(accepted > 10_000 && refused > 10_000, "{accepted} {refused}");
    }
}
