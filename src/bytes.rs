//! Splitting at one ASCII byte. `str::split(char)` / `split_once(char)` pull core's
//! `CharSearcher` and `memchr` into the wasm; these plain byte scans do the same job for
//! ASCII separators (a UTF-8 continuation byte never equals an ASCII byte, so every cut
//! lands on a character boundary).

/// `(before, after)` the first `sep`, like `s.split_once(sep as char)`.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == sep {
            return Some((s.get(..i)?, s.get(i + 1..)?));
        }
        i += 1;
    }
    None
}

/// The pieces between `sep`s, like `s.split(sep as char)`.
pub fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

#[derive(Clone)]
pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let r = self.rest.take()?;
        match split_once(r, self.sep) {
            Some((a, b)) => {
                self.rest = Some(b);
                Some(a)
            }
            None => Some(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn matches_str_split() {
        for s in ["", "a", "|", "a|b", "|a||b|", "é|ü|", "pdf|zip"] {
            assert_eq!(split(s, b'|').collect::<Vec<_>>(), s.split('|').collect::<Vec<_>>());
            assert_eq!(split_once(s, b'|'), s.split_once('|'));
        }
    }

    /// `shorten` keeps the longest prefix of at most `n` bytes that ends on a character
    /// boundary: what the boundary walk plus `String::truncate` it replaced gave.
    #[test]
    fn shorten_matches_boundary_walk_and_truncate() {
        for s in ["", "a", "abc", "é", "aé😀b", "😀😀", "€x€"] {
            for n in 0..=s.len() + 2 {
                let mut want = alloc::string::String::from(s);
                let mut cut = n.min(want.len());
                while !want.is_char_boundary(cut) {
                    cut -= 1;
                }
                want.truncate(cut);
                let mut got = alloc::string::String::from(s);
                shorten(&mut got, n);
                assert_eq!(got, want, "{s:?} to {n}");
            }
        }
    }
}

/// Cuts `s` to its longest prefix of at most `n` bytes that ends on a character boundary.
/// `String::truncate` asserts the boundary and so keeps core's panic machinery (and its
/// message and location strings) in the wasm; popping whole characters cannot panic. Used
/// where the cut is short (a mark just pushed, a policy text) or rare (a full batch body).
pub fn shorten(s: &mut alloc::string::String, n: usize) {
    while s.len() > n {
        s.pop();
    }
}

/// Whether `b` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above
/// U+10FFFF): the same answer as `core::str::from_utf8(b).is_ok()`, in a tenth of its code.
/// The wasm boundary checks its input with it (src/export.rs).
// Used by the slim wasm build only (and native tests).
#[cfg_attr(not(all(target_arch = "wasm32", feature = "slim")), allow(dead_code))]
pub fn is_utf8(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&lead) = b.get(i) {
        let (extra, min) = match lead {
            0x00..=0x7f => {
                i += 1;
                continue;
            }
            0xc2..=0xdf => (1, 0x80),
            0xe0..=0xef => (2, 0x800),
            0xf0..=0xf4 => (3, 0x1_0000),
            _ => return false,
        };
        let mut cp = (lead & (0x3f >> extra)) as u32;
        for k in 1..=extra {
            match b.get(i + k) {
                Some(&c) if c & 0xc0 == 0x80 => cp = cp << 6 | (c & 0x3f) as u32,
                _ => return false,
            }
        }
        if cp < min || (0xd800..0xe000).contains(&cp) || cp > 0x10_ffff {
            return false;
        }
        i += extra + 1;
    }
    true
}

#[cfg(test)]
mod utf8_tests {
    use super::is_utf8;
    use alloc::vec::Vec;

    #[test]
    fn agrees_with_core_on_edges() {
        let cases: &[&[u8]] = &[
            b"", b"plain", "é😀€\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}".as_bytes(),
            b"\x80", b"\xc0\x80", b"\xc1\xbf", b"\xc2", b"\xc2\x7f", b"\xe0\x80\x80", b"\xe0\x9f\xbf",
            b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xee\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xf4\x90\x80\x80",
            b"\xf5\x80\x80\x80", b"\xff", b"\xe2\x82", b"a\xf0\x9f\x98", b"\xf0\x9f\x98\x80",
        ];
        for c in cases {
            assert_eq!(is_utf8(c), core::str::from_utf8(c).is_ok(), "{c:?}");
        }
    }

    #[test]
    fn agrees_with_core_on_random_bytes() {
        // Bytes drawn mostly from the lead/continuation ranges, where the cases are.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let pick = b"\x00\x41\x7f\x80\x8f\x90\x9f\xa0\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xec\xed\xee\xef\xf0\xf1\xf3\xf4\xf5\xff";
        for _ in 0..300_000 {
            let mut v = Vec::new();
            x = crate::test_rng::step(x);
            for k in 0..(x % 9) {
                v.push(pick[((x >> (8 + 5 * k)) % pick.len() as u64) as usize]);
            }
            assert_eq!(is_utf8(&v), core::str::from_utf8(&v).is_ok(), "{v:x?}");
        }
    }
}
