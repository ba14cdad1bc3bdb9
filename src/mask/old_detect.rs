//! The detectors as before the byte-class table (test-only reference for `detect::equal`).
#![allow(dead_code)]

use super::detect::{Kind, Span};
use super::keys;
use alloc::vec::Vec;

/// Byte at `i`, or 0 past either end (so look-arounds need no bounds checks).
/// A call in the wasm: inlined, its bounds check and select were copied to every look-around
/// of every detector (−280 B gzip); native builds inline it (the benchmark is native).
#[cfg_attr(target_arch = "wasm32", inline(never))]
pub(super) fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// (Like `at`, a call in the wasm: −28 B gzip with `hex`.)
#[cfg_attr(target_arch = "wasm32", inline(never))]
fn digit(c: u8) -> bool {
    c.is_ascii_digit()
}

#[cfg_attr(target_arch = "wasm32", inline(never))]
fn hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

/// base64url alphabet (also the alphabet of slugs: letters, digits, `-`, `_`).
fn b64(c: u8) -> bool {
    alnum(c) || c == b'-' || c == b'_'
}

fn run(s: &[u8], mut k: usize, class: fn(u8) -> bool) -> usize {
    while class(at(s, k)) {
        k += 1;
    }
    k
}

/// Appends every finding in `s` to `out`, in order, non-overlapping.
pub fn scan(s: &[u8], out: &mut Vec<Span>) {
    let mut i = 0;
    // The token test judges a whole run of b64 bytes once; later starts inside it skip it.
    let mut judged = 0;
    while i < s.len() {
        let c = at(s, i);
        let starts = (alnum(c) || c == b'+' || c == b'(') && word_edge(s, i);
        if starts {
            if let Some(end) = uuid(s, i) {
                i = end; // resource IDs stay readable
                continue;
            }
            if let Some(sp) = detect_at(s, i, &mut judged) {
                out.push(sp);
                i = sp.end.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
}

/// `i` starts a word: nothing alphanumeric before it, or a %XX escape (encoded space,
/// slash, `?` …) right before it.
fn word_edge(s: &[u8], i: usize) -> bool {
    !alnum(at(s, i.wrapping_sub(1))) || (at(s, i.wrapping_sub(3)) == b'%' && hex(at(s, i.wrapping_sub(2))))
}

/// Order matters: the more specific shape wins (a card before a phone, an IP before both).
fn detect_at(s: &[u8], i: usize, judged: &mut usize) -> Option<Span> {
    if let Some((start, end)) = secret_value(s, i) {
        return Some(Span { start, end, kind: Kind::Secret });
    }
    let found = if let Some(end) = email(s, i) {
        Some((end, Kind::Email))
    } else if let Some(end) = jwt(s, i) {
        Some((end, Kind::Jwt))
    } else if let Some(end) = iban(s, i) {
        Some((end, Kind::Iban))
    } else if let Some(end) = ipv4(s, i).or_else(|| ipv6(s, i)) {
        Some((end, Kind::Ip))
    } else if let Some(end) = card(s, i) {
        Some((end, Kind::Card))
    } else {
        phone(s, i).map(|end| (end, Kind::Phone))
    };
    if let Some((end, kind)) = found {
        return Some(Span { start: i, end, kind });
    }
    if i >= *judged {
        let end = token_run(s, i);
        *judged = end;
        if end > i && is_token(s.get(i..end)?) {
            return Some(Span { start: i, end, kind: Kind::Token });
        }
    }
    None
}

// ---- key=value secrets -------------------------------------------------------------

/// Byte that ends a value: the next parameter, fragment, quote or white space.
fn value_end(s: &[u8], k: usize) -> bool {
    match at(s, k) {
        0 => k >= s.len(),
        b'&' | b'#' | b';' | b'"' | b'\'' | b'<' | b'>' => true,
        c if c.is_ascii_whitespace() => true,
        // percent-encoded & # space, as in a URL nested inside a query value
        b'%' => matches!((at(s, k + 1), at(s, k + 2) | 0x20), (b'2', b'6') | (b'2', b'3') | (b'2', b'0')),
        _ => false,
    }
}

/// `token=…`, `email%3D…` in text or inside a nested URL: the value after a deny-listed key.
/// Longest query-like key looked for in free text.
const MAX_KEY: usize = 48;

fn secret_value(s: &[u8], i: usize) -> Option<(usize, usize)> {
    // Keys are short: bounding the look-ahead keeps the scan linear on long dotted text
    // ("a.a.a.a…" would otherwise rescan to the end from every word start).
    let mut key_end = i;
    while key_end < i + MAX_KEY && (b64(at(s, key_end)) || matches!(at(s, key_end), b'.' | b'[' | b']')) {
        key_end += 1;
    }
    let start = match (at(s, key_end), at(s, key_end + 1), at(s, key_end + 2) | 0x20) {
        (b'=', _, _) => key_end + 1,
        (b'%', b'3', b'd') => key_end + 3,
        _ => return None,
    };
    if !keys::is_denied(s.get(i..key_end)?) {
        return None;
    }
    let mut end = start;
    while !value_end(s, end) {
        end += 1;
    }
    (end > start).then_some((start, end))
}

// ---- e-mail ------------------------------------------------------------------------

/// `local@domain.tld`, also `local%40domain.tld` and %-escaped local parts (`a%2Bb`).
fn email(s: &[u8], i: usize) -> Option<usize> {
    let mut k = i;
    loop {
        let c = at(s, k);
        if c == b'@' && k > i {
            return domain(s, k + 1);
        }
        if c == b'%' && hex(at(s, k + 1)) && hex(at(s, k + 2)) {
            if at(s, k + 1) == b'4' && at(s, k + 2) == b'0' && k > i {
                return domain(s, k + 3);
            }
            k += 3;
        } else if alnum(c) || matches!(c, b'.' | b'_' | b'+' | b'-') {
            k += 1;
        } else {
            return None;
        }
        if k - i > 64 {
            return None; // RFC 5321 local-part limit; also bounds the work per start
        }
    }
}

/// At least two dot-separated labels, the last with a letter; returns the end of the last.
fn domain(s: &[u8], mut k: usize) -> Option<usize> {
    let (mut labels, mut end) = (0, None);
    loop {
        let start = k;
        k = run(s, k, |c| alnum(c) || c == b'-');
        if k == start {
            return end;
        }
        labels += 1;
        if labels >= 2 && (start..k).any(|j| at(s, j).is_ascii_alphabetic()) {
            end = Some(k);
        }
        if at(s, k) != b'.' {
            return end;
        }
        k += 1;
    }
}

// ---- JWT ---------------------------------------------------------------------------

/// `eyJ….….…`: three (JWS) to five (JWE) base64url segments, the header JSON-shaped.
fn jwt(s: &[u8], i: usize) -> Option<usize> {
    if s.get(i..i + 3)? != b"eyJ" {
        return None;
    }
    let mut k = run(s, i, b64);
    if k - i < 10 {
        return None;
    }
    let mut segs = 1;
    while at(s, k) == b'.' && segs < 5 {
        let e = run(s, k + 1, b64);
        if segs == 1 && e - (k + 1) < 2 {
            break;
        }
        k = e;
        segs += 1;
    }
    (segs >= 3).then_some(k)
}

// ---- IBAN --------------------------------------------------------------------------

/// Country, two check digits, then up to 30 letters/digits, contiguous or in groups of
/// four separated by single spaces; accepted only if the ISO 13616 mod-97 check passes.
fn iban(s: &[u8], i: usize) -> Option<usize> {
    let head = s.get(i..i + 4)?;
    if !(head[0].is_ascii_alphabetic() && head[1].is_ascii_alphabetic() && digit(head[2]) && digit(head[3])) {
        return None;
    }
    let mut end = run(s, i, alnum);
    if end - i == 4 {
        // grouped form: full groups of 4 continue, a shorter one ends it
        while at(s, end) == b' ' && alnum(at(s, end + 1)) {
            let e = run(s, end + 1, alnum);
            if e - (end + 1) > 4 {
                break;
            }
            let full = e - (end + 1) == 4;
            end = e;
            if !full {
                break;
            }
        }
    }
    iban_valid(s.get(i..end)?).then_some(end)
}

fn iban_valid(v: &[u8]) -> bool {
    // (Plain loops over the bytes, spaces skipped: filter/enumerate chains cost more code.)
    // Move the first four characters to the end (second pass); letters count as 10..35.
    // The length (15–34 without spaces) is checked at the end: one loop less, same answer.
    let (mut r, mut idx) = (0u32, 0);
    for pass in 0..2 {
        idx = 0;
        for &c in v {
            if c == b' ' {
                continue;
            }
            idx += 1;
            if (idx <= 4) != (pass == 1) {
                continue;
            }
            let x = if digit(c) { (c - b'0') as u32 } else { c.to_ascii_uppercase().wrapping_sub(b'A') as u32 + 10 };
            if x > 35 {
                return false;
            }
            r = (r * if x > 9 { 100 } else { 10 } + x) % 97;
        }
    }
    (15..=34).contains(&idx) && r == 1
}

// ---- IP addresses ------------------------------------------------------------------

/// Dotted quad with every part 0..=255, not part of a longer dotted number.
fn ipv4(s: &[u8], i: usize) -> Option<usize> {
    if at(s, i.wrapping_sub(1)) == b'.' {
        return None;
    }
    let mut k = i;
    for part in 0..4 {
        if part > 0 {
            if at(s, k) != b'.' {
                return None;
            }
            k += 1;
        }
        let start = k;
        let mut v = 0u32;
        while digit(at(s, k)) && k - start < 3 {
            v = v * 10 + (at(s, k) - b'0') as u32;
            k += 1;
        }
        if k == start || v > 255 || digit(at(s, k)) {
            return None;
        }
    }
    let next = at(s, k);
    if alnum(next) || (next == b'.' && digit(at(s, k + 1))) {
        return None;
    }
    Some(k)
}

/// Colon-hex groups: eight of them, or fewer around one `::` (then at least two and a
/// digit somewhere, so `std::vec` or `abc::def` are not addresses, nor `12:30:45`).
fn ipv6(s: &[u8], i: usize) -> Option<usize> {
    let mut end = run(s, i, |c| hex(c) || c == b':');
    if alnum(at(s, end)) {
        return None;
    }
    if at(s, end.wrapping_sub(1)) == b':' && at(s, end.wrapping_sub(2)) != b':' {
        end -= 1; // a trailing single colon is punctuation
    }
    let (mut groups, mut doubles, mut len, mut has_digit, mut prev_colon) = (0, 0, 0, false, false);
    for &c in s.get(i..end)? {
        if c == b':' {
            groups += (len > 0) as u32;
            doubles += prev_colon as u32;
            prev_colon = true;
            len = 0;
        } else {
            has_digit |= digit(c);
            prev_colon = false;
            len += 1;
        }
        if len > 4 {
            return None;
        }
    }
    groups += (len > 0) as u32;
    let ok = (doubles == 0 && groups == 8) || (doubles == 1 && (2..=7).contains(&groups) && has_digit);
    ok.then_some(end)
}

// ---- digit groups: cards and phones ------------------------------------------------

/// Digit groups read from `i`: count, group lengths, separators seen.
#[derive(Default)]
struct Digits {
    end: usize,
    count: usize,
    groups: usize,
    first_len: usize,
    last3: [usize; 3],
    paren: bool,
    mixed_seps: bool,
    digits: [u8; 20],
}

/// Reads digit groups separated by runs of at most two bytes of `seps`.
fn digits(s: &[u8], mut k: usize, seps: &[u8]) -> Digits {
    let mut d = Digits::default();
    let mut sep0 = 0u8;
    loop {
        let (start, mut sep, mut paren) = (k, 0u8, false);
        // `iter().any` rather than `slice::contains` (memchr code, 0.4 KB, for a 4-byte set).
        loop {
            let c = at(s, k); // (read once, not once per separator tried)
            if k - start >= 2 || !seps.iter().any(|&x| x == c) {
                break;
            }
            if c == b'(' || c == b')' {
                paren = true;
            } else {
                sep = c;
            }
            k += 1;
        }
        if !digit(at(s, k)) {
            return d; // trailing separators (a full stop, a space) are not part of it
        }
        d.paren |= paren;
        if sep != 0 {
            d.mixed_seps |= sep0 != 0 && sep0 != sep;
            sep0 = sep;
        }
        let g = k;
        while digit(at(s, k)) {
            if let Some(slot) = d.digits.get_mut(d.count) {
                *slot = at(s, k) - b'0';
            }
            d.count += 1;
            k += 1;
        }
        d.groups += 1;
        if d.groups == 1 {
            d.first_len = k - g;
        }
        d.last3 = [d.last3[1], d.last3[2], k - g];
        d.end = k;
        if d.count > 19 {
            return d;
        }
    }
}

fn luhn(ds: &[u8]) -> bool {
    // From the last digit: every second one doubled (digits of the product summed).
    let (mut sum, mut double) = (0u32, false);
    for &x in ds.iter().rev() {
        let v = if double { x as u32 * 2 } else { x as u32 };
        sum += if v > 9 { v - 9 } else { v };
        double = !double;
    }
    sum.is_multiple_of(10)
}

/// 13–19 digits (single spaces or dashes between groups), issuer digit 2–6, Luhn-valid.
fn card(s: &[u8], i: usize) -> Option<usize> {
    if !matches!(at(s, i), b'2'..=b'6') {
        return None;
    }
    let d = digits(s, i, b" -");
    let ok = (13..=19).contains(&d.count) && !alnum(at(s, d.end)) && luhn(d.digits.get(..d.count)?);
    ok.then_some(d.end)
}

/// Phone numbers; see the module docs of `mask` for the exact line.
fn phone(s: &[u8], i: usize) -> Option<usize> {
    let intl = at(s, i) == b'+';
    if intl && !matches!(at(s, i + 1), b'1'..=b'9') {
        return None;
    }
    let d = if intl { digits(s, i + 1, b" -.()+") } else { digits(s, i, b" -.()") };
    let next = at(s, d.end);
    if d.count == 0 || alnum(next) || next == b':' {
        return None; // glued to a word, or a time / port / label
    }
    let first = d.digits[0];
    // Without a country code, parentheses only around a leading area code: `(555) 123-4567`.
    let area_code = at(s, i) == b'(' && at(s, i + 1 + d.first_len) == b')' && (2..=5).contains(&d.first_len);
    let ok = if intl {
        (8..=15).contains(&d.count)
    } else if d.paren {
        area_code && (9..=12).contains(&d.count)
    } else if d.last3 == [3, 3, 4] && (d.count == 10 || (d.count == 11 && first == 1)) {
        true // North American 555-123-4567, 1-800-555-1234
    } else if first == 0 && d.first_len >= 2 && !d.mixed_seps {
        let double_zero = d.digits[1] == 0;
        match (d.groups, double_zero) {
            (1, true) => (11..=15).contains(&d.count),
            (1, false) => (10..=11).contains(&d.count),
            _ => (9..=13).contains(&d.count),
        }
    } else {
        false
    };
    ok.then_some(d.end)
}

// ---- resource IDs and secret-like tokens -------------------------------------------

/// A UUID (8-4-4-4-12 hex) starting at `i` and not glued to more b64 bytes.
fn uuid(s: &[u8], i: usize) -> Option<usize> {
    // (byte reads past the end are 0, which fails both tests: no slice needed)
    for n in 0..36 {
        let c = at(s, i + n);
        let ok = if matches!(n, 8 | 13 | 18 | 23) { c == b'-' } else { hex(c) };
        if !ok {
            return None;
        }
    }
    (!b64(at(s, i + 36))).then_some(i + 36)
}

/// Run of b64 bytes from `i`, stopping before a UUID that starts a piece.
fn token_run(s: &[u8], i: usize) -> usize {
    let mut k = i;
    while b64(at(s, k)) {
        let c = at(s, k);
        if (c == b'-' || c == b'_') && uuid(s, k + 1).is_some() {
            break;
        }
        k += 1;
    }
    k
}

/// Character class for the randomness test: 1 upper, 2 lower, 3 digit, 0 separator.
fn class(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => 1,
        b'a'..=b'z' => 2,
        b'0'..=b'9' => 3,
        _ => 0,
    }
}

/// Secret-like token: 32+ hex, or 20+ bytes (16+ letters/digits) of at least two classes
/// that look random rather than like words. Words (slugs, CamelCase, `iphone15`, `HDMI`)
/// change class only at word edges and have vowels; random base64 changes class on about
/// every other byte and piles up consonants. We count "irregular" bytes (a letter/digit
/// switch, a lone upper-case letter inside lower case, a 4th consonant in a row) and call it
/// a token when at least one letter/digit in four is irregular. Measured on random strings:
/// ~3% of 20-byte, ~2.5% of 24-byte and ~1% of 32-byte base64url tokens stay below the bar.
fn is_token(v: &[u8]) -> bool {
    if v.len() < 20 {
        return false;
    }
    let (mut letters_digits, mut classes, mut irregular) = (0u32, 0u8, 0u32);
    let (mut hex_run, mut max_hex, mut consonants) = (0, 0, 0);
    // class of the byte before (0 before the start), carried instead of read again
    let mut prev = 0;
    for (n, &c) in v.iter().enumerate() {
        hex_run = if hex(c) { hex_run + 1 } else { 0 };
        max_hex = max_hex.max(hex_run);
        let k = class(c);
        let before = prev;
        prev = k;
        if k == 0 {
            consonants = 0;
            continue;
        }
        letters_digits += 1;
        classes |= 1 << k;
        // `c | 0x20` lower-cases a letter (and k == 3 covers digits)
        let vowel = k == 3 || matches!(c | 0x20, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        consonants = if vowel { 0 } else { consonants + 1 };
        let next_lower = class(at(v, n + 1)) == 2;
        irregular += match (before, k) {
            (1 | 2, 3) | (3, 1 | 2) => 1,
            (2, 1) if !next_lower => 1,
            _ => (consonants >= 4) as u32,
        };
    }
    if max_hex == v.len() {
        return v.len() >= 32; // all hex: IDs shorter than 128 bits (ObjectIds, short SHAs) stay
    }
    max_hex >= 32 || (letters_digits >= 16 && classes.count_ones() >= 2 && irregular * 4 >= letters_digits)
}

