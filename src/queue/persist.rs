//! Unsent hits across a reload (only with storage consent; the owner decides).
//!
//! Format: one line per hit, oldest first: `<created_ms as integer>\t<query>\n`. Queries are
//! percent-encoded, so they never hold a tab or a newline. At most `MAX_STORED` hits, the
//! newest. The stored text is untrusted on the way back (any script of the origin can write
//! it): lines that do not parse, or whose query is not plain encoded ASCII (a `"` or `\`
//! would break the JSON body), are skipped.

use super::{Queue, MAX_AGE_MS};
use crate::numfmt::push_u64;
use alloc::string::String;

/// Hits kept in a snapshot and accepted by `restore`.
pub const MAX_STORED: usize = 200;

impl Queue {
    /// Unsent hits (waiting and in flight: the page may die before their result),
    /// serialised for first-party storage, appended to `out` (the owner's output buffer:
    /// no String of its own to allocate, copy and free).
    pub fn snapshot(&self, out: &mut String) {
        // The newest MAX_STORED as a subslice (no Skip adapter).
        let newest = self.hits.get(self.hits.len().saturating_sub(MAX_STORED)..).unwrap_or_default();
        for e in newest {
            push_u64(out, e.created as u64);
            out.push('\t');
            out.push_str(&e.query);
            out.push('\n');
        }
    }

    /// Appends the hits of a snapshot, in their order, after what is queued. Hits too old
    /// for `cdt` are dropped with a warning.
    pub fn restore(&mut self, snapshot: &str, now_ms: f64) {
        // Only the newest MAX_STORED readable lines count: a first walk counts them, the
        // second takes them (one loop over the lines for both: one parse_line call site).
        let (mut readable, mut skip, mut old) = (0usize, 0, 0);
        for pass in 0..2 {
            let taking = pass == 1;
            for line in crate::bytes::split(snapshot, b'\n') {
                let Some((created, query)) = parse_line(line) else { continue };
                if !taking {
                    readable += 1;
                } else if skip > 0 {
                    skip -= 1;
                } else if now_ms - created > MAX_AGE_MS {
                    old += 1;
                } else {
                    self.push(query.into(), created, now_ms);
                }
            }
            skip = readable.saturating_sub(MAX_STORED);
        }
        self.warn(old, " saved before the reload: older than 24 hours", 0, "");
    }
}

/// `<created_ms>\t<query>`: the time as an optional `+` and decimal digits (None on u64
/// overflow), the query plain encoded ASCII starting with `?`. One walk: the digits are
/// read up to the tab (no `split_once`, no separate number parser).
pub(super) fn parse_line(line: &str) -> Option<(f64, &str)> {
    let b = line.as_bytes();
    let start = (b.first().copied() == Some(b'+')) as usize;
    let (mut i, mut n) = (start, 0u64);
    while let Some(c) = b.get(i).copied() {
        if c == b'\t' {
            break;
        }
        // One division for the overflow test: `checked_mul` spells out a 128-bit product.
        let d = c.wrapping_sub(b'0') as u64;
        if d > 9 || n > (u64::MAX - d) / 10 {
            return None;
        }
        n = n * 10 + d;
        i += 1;
    }
    // No digits, or no tab (then `i + 1` is past the end).
    let q = line.get(i + 1..).filter(|_| i > start)?;
    let plain = q.bytes().all(|b| b > b' ' && b < 0x7f && b != b'"' && b != b'\\');
    // A byte compare, not `starts_with(char)`.
    (q.as_bytes().first().copied() == Some(b'?') && plain).then_some((n as f64, q))
}

#[cfg(test)]
mod parse_tests {
    /// The time `parse_line` reads from `<s>\t?a`.
    fn time_of(s: &str) -> Option<f64> {
        let line = alloc::format!("{s}\t?a");
        super::parse_line(&line).map(|(t, q)| {
            assert_eq!(q, "?a");
            t
        })
    }

    #[test]
    fn the_time_reads_as_str_parse() {
        for s in ["", "+", "-1", "0", "+7", "0012", "1.5", " 1", "18446744073709551615", "18446744073709551616", "99999999999999999999", "é"] {
            assert_eq!(time_of(s), s.parse::<u64>().ok().map(|n| n as f64), "{s:?}");
        }
    }

    /// The overflow test by division equals `str::parse` on generated numbers around 2^64.
    #[test]
    fn the_time_reads_as_str_parse_on_generated_numbers() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x = crate::test_rng::step(x);
            let mut s = alloc::string::ToString::to_string(&(x >> (x % 64)));
            match x % 7 {
                0 => s.push(char::from(b'0' + (x >> 8) as u8 % 10)),
                1 => s.insert(0, '+'),
                2 => s = alloc::format!("1844674407370955{:04}", x % 10_000),
                3 => s.insert(((x >> 9) as usize) % (s.len() + 1), ['/', ':', '0', '9', '-'][(x >> 3) as usize % 5]),
                _ => {}
            }
            assert_eq!(time_of(&s), s.parse::<u64>().ok().map(|n| n as f64), "{s:?}");
        }
    }
}
