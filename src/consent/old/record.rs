//! The remembered-consent record: its storage form, its parser, and its JSON for the npm API.
//!
//! Storage form (one line, no `core::fmt`):
//! `v1|m=1|s=1|at=1700000000000|exp=1733955200000|p=<policy version>`
//! m/s = measurement/storage granted, at/exp = given-at/expires-at in Unix milliseconds.
//! The policy comes last and runs to the end of the value, so it may contain any character.
//! The parser accepts only what `serialise` writes: anything else is "no record".

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
    pub measurement: bool,
    pub storage: bool,
    pub given_at: u64,
    pub expires_at: u64,
    pub policy: String,
}

impl Record {
    pub fn serialise(&self) -> String {
        // The flags as the numbers 0 and 1: push_u64 calls like the two below.
        let mut s = String::from("v1|m=");
        push_u64(&mut s, self.measurement as u64);
        s.push_str("|s=");
        push_u64(&mut s, self.storage as u64);
        s.push_str("|at=");
        push_u64(&mut s, self.given_at);
        s.push_str("|exp=");
        push_u64(&mut s, self.expires_at);
        s.push_str("|p=");
        s.push_str(&self.policy);
        s
    }

    /// `None` for anything `serialise` could not have written, including records that grant
    /// nothing or claim a lifetime past the maximum (tampered or from a buggy writer).
    pub fn parse(v: &str) -> Option<Record> {
        let mut c = Cursor(v);
        c.eat("v1|m=")?;
        let measurement = c.flag()?;
        c.eat("|s=")?;
        let storage = c.flag()?;
        c.eat("|at=")?;
        let given_at = c.num()?;
        c.eat("|exp=")?;
        let expires_at = c.num()?;
        c.eat("|p=")?;
        // Non-short-circuit `&` (straight-line code); the wrapping difference only counts
        // when expires_at > given_at.
        let sane = (measurement | storage)
            & (expires_at > given_at)
            & (expires_at.wrapping_sub(given_at) <= MAX_LIFETIME_MS)
            & (c.0.len() <= MAX_POLICY_BYTES);
        if !sane {
            return None;
        }
        Some(Record { measurement, storage, given_at, expires_at, policy: String::from(c.0) })
    }

    /// In force at `now` under the site's current policy version.
    pub fn live(&self, now: f64, policy: &str) -> bool {
        now < self.expires_at as f64 && self.policy == policy
    }

    pub fn push_json(&self, o: &mut String) {
        push_bool(o, "{\"measurement\":", self.measurement);
        push_bool(o, ",\"storage\":", self.storage);
        o.push_str(",\"givenAt\":");
        push_u64(o, self.given_at);
        o.push_str(",\"expiresAt\":");
        push_u64(o, self.expires_at);
        o.push_str(",\"policy\":");
        push_json_str(o, &self.policy);
        o.push('}');
    }
}

/// Reads the storage form left to right; every step is `None` on a mismatch (never panics).
struct Cursor<'a>(&'a str);

impl Cursor<'_> {
    fn eat(&mut self, prefix: &str) -> Option<()> {
        self.0 = self.0.strip_prefix(prefix)?;
        Some(())
    }
    fn flag(&mut self) -> Option<bool> {
        if self.eat("1").is_some() {
            return Some(true);
        }
        self.eat("0").map(|_| false)
    }
    fn num(&mut self) -> Option<u64> {
        // One byte loop (no TakeWhile/Take/Fold adapters): 1 to MAX_DIGITS digits.
        let (mut n, mut v) = (0, 0u64);
        while let Some(d) = self.0.as_bytes().get(n).filter(|d| d.is_ascii_digit()) {
            if n == MAX_DIGITS {
                return None;
            }
            v = v * 10 + u64::from(d - b'0');
            n += 1;
        }
        if n == 0 {
            return None;
        }
        self.0 = self.0.get(n..)?;
        Some(v)
    }
}

/// Cuts `p` to at most MAX_POLICY_BYTES on a character boundary (in place: no String
/// moved in and out).
pub fn clip_policy(p: &mut String) {
    let mut n = p.len().min(MAX_POLICY_BYTES);
    while !p.is_char_boundary(n) {
        n -= 1; // terminates: 0 is always a boundary
    }
    p.truncate(n);
}

pub fn push_bool(o: &mut String, key: &str, v: bool) {
    o.push_str(key);
    o.push_str(if v { "true" } else { "false" });
}

pub use crate::wire::push_json_str;

