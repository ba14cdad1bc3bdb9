//! Personal-data detectors: one forward scanner over bytes, no regex engine.
//!
//! The scanner only tries a match where a "word" starts (an ASCII letter, digit, `+` or `(`
//! not preceded by a letter or digit), so a detector never fires in the middle of a word,
//! and each detector returns the end of its match. Every match starts and ends on an ASCII
//! byte, so replacing it never splits a multi-byte UTF-8 character.

use super::keys;
use alloc::vec::Vec;

/// What a finding was; the placeholder says it (`[email]`, `_email_`).
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum Kind {
    Email,
    Phone,
    Card,
    Iban,
    Jwt,
    Token,
    Ip,
    /// The value after a deny-listed key inside text or a nested URL (`token=…`).
    Secret,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Jwt => "jwt",
            Kind::Token => "token",
            Kind::Ip => "ip",
            Kind::Secret => "redacted",
        }
    }
}

/// A finding: bytes `start..end` of the scanned input.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

/// Byte at `i`, or 0 past either end (so look-arounds need no bounds checks).
/// A call in the wasm: inlined, its bounds check and select were copied to every look-around
/// of every detector (−280 B gzip); native builds inline it (the benchmark is native).
#[cfg_attr(target_arch = "wasm32", inline(never))]
pub(super) fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

// ---- byte classes ------------------------------------------------------------------
// One table of class bits for every detector: each look-around is a lookup and a mask test
// instead of its own range checks (and `run` takes a mask, not a function pointer).

pub(super) const UPPER: u8 = 1;
pub(super) const LOWER: u8 = 2;
pub(super) const DIGIT: u8 = 4;
pub(super) const HEX: u8 = 8;
pub(super) const DASH: u8 = 16;
pub(super) const UNDER: u8 = 32;
pub(super) const DOT: u8 = 64;
pub(super) const PLUS: u8 = 128;
pub(super) const ALPHA: u8 = UPPER | LOWER;
pub(super) const ALNUM: u8 = ALPHA | DIGIT;
/// base64url alphabet (also the alphabet of slugs: letters, digits, `-`, `_`).
pub(super) const B64: u8 = ALNUM | DASH | UNDER;

static CLASSES: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut t = [0; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match b {
            b'A'..=b'Z' => UPPER,
            b'a'..=b'z' => LOWER,
            b'0'..=b'9' => DIGIT,
            b'-' => DASH,
            b'_' => UNDER,
            b'.' => DOT,
            b'+' => PLUS,
            _ => 0,
        } | if b.is_ascii_hexdigit() { HEX } else { 0 };
        c += 1;
    }
    t
}

/// Byte `i` is `c` (never past either end).
#[cfg_attr(target_arch = "wasm32", inline(never))]
fn byte_is(s: &[u8], i: usize, c: u8) -> bool {
    at(s, i) == c
}

/// Class bits of byte `c`.
pub(super) fn class(c: u8) -> u8 {
    CLASSES[c as usize]
}

/// Byte `i` is in one of the classes of `mask` (never past either end: it reads as 0).
#[cfg_attr(target_arch = "wasm32", inline(never))]
pub(super) fn is(s: &[u8], i: usize, mask: u8) -> bool {
    class(at(s, i)) & mask != 0
}

/// End of the run of `mask` bytes from `k`.
pub(super) fn run(s: &[u8], mut k: usize, mask: u8) -> usize {
    while is(s, k, mask) {
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
        let starts = (is(s, i, ALNUM | PLUS) || byte_is(s, i, b'(')) && word_edge(s, i);
        if starts {
            if uuid(s, i) {
                i += 36; // resource IDs stay readable
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
    !is(s, i.wrapping_sub(1), ALNUM) || (byte_is(s, i.wrapping_sub(3), b'%') && is(s, i.wrapping_sub(2), HEX))
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
    } else if let Some(end) = ipv6(s, i) {
        Some((end, Kind::Ip))
    } else {
        // (an IPv4 address is never an IPv6 one: that needs 2+ groups, IPv4's first ends at a `.`)
        digit_groups(s, i)
    };
    if let Some((end, kind)) = found {
        return Some(Span { start: i, end, kind });
    }
    if i >= *judged {
        let (end, token) = token_run(s, i);
        *judged = end;
        if token {
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
    while key_end < i + MAX_KEY && (is(s, key_end, B64 | DOT) || matches!(at(s, key_end), b'[' | b']')) {
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
        if c == b'%' && is(s, k + 1, HEX) && is(s, k + 2, HEX) {
            if byte_is(s, k + 1, b'4') && byte_is(s, k + 2, b'0') && k > i {
                return domain(s, k + 3);
            }
            k += 3;
        } else if is(s, k, ALNUM | DOT | UNDER | PLUS | DASH) {
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
        k = run(s, k, ALNUM | DASH);
        if k == start {
            return end;
        }
        labels += 1;
        if labels >= 2 && (start..k).any(|j| is(s, j, ALPHA)) {
            end = Some(k);
        }
        if !byte_is(s, k, b'.') {
            return end;
        }
        k += 1;
    }
}

// ---- JWT ---------------------------------------------------------------------------

/// `eyJ….….…`: three (JWS) to five (JWE) base64url segments, the header JSON-shaped.
fn jwt(s: &[u8], i: usize) -> Option<usize> {
    if !(byte_is(s, i, b'e') && byte_is(s, i + 1, b'y') && byte_is(s, i + 2, b'J')) {
        return None;
    }
    let mut k = run(s, i, B64);
    if k - i < 10 {
        return None;
    }
    let mut segs = 1;
    while byte_is(s, k, b'.') && segs < 5 {
        let e = run(s, k + 1, B64);
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
    if !(is(s, i, ALPHA) && is(s, i + 1, ALPHA) && is(s, i + 2, DIGIT) && is(s, i + 3, DIGIT)) {
        return None;
    }
    let mut end = run(s, i, ALNUM);
    if end - i == 4 {
        // grouped form: full groups of 4 continue, a shorter one ends it
        while byte_is(s, end, b' ') && is(s, end + 1, ALNUM) {
            let e = run(s, end + 1, ALNUM);
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
    // Mod 97 of the digits with the first four characters moved to the end, in one pass:
    // the rest is read into `r`, the first four into `head` while `shift` gathers 10^(their
    // digits); letters count as 10..35 (two digits). The length (15–34 without spaces) is
    // checked at the end.
    let (mut r, mut head, mut shift, mut idx) = (0u32, 0u32, 1u32, 0);
    for &c in v {
        if c == b' ' {
            continue;
        }
        idx += 1;
        let x = if class(c) & DIGIT != 0 { (c - b'0') as u32 } else { c.to_ascii_uppercase().wrapping_sub(b'A') as u32 + 10 };
        if x > 35 {
            return false;
        }
        let scale = if x > 9 { 100 } else { 10 };
        if idx <= 4 {
            head = (head * scale + x) % 97;
            shift = shift * scale % 97;
        } else {
            r = (r * scale + x) % 97;
        }
    }
    matches!(idx, 15..=34) && (r * shift + head) % 97 == 1
}

// ---- IP addresses (IPv4 is read with the other digit groups, below) ------------------

/// Colon-hex groups: eight of them, or fewer around one `::` (then at least two and a
/// digit somewhere, so `std::vec` or `abc::def` are not addresses, nor `12:30:45`).
fn ipv6(s: &[u8], i: usize) -> Option<usize> {
    // Groups are counted while the run is walked. (A trailing single colon, cut off below,
    // changes none of the counts: the group before it is counted at the end anyway.)
    let (mut groups, mut doubles, mut len, mut has_digit, mut prev_colon) = (0, 0, 0, false, false);
    let mut end = i;
    loop {
        let c = at(s, end);
        if c == b':' {
            groups += (len > 0) as u32;
            doubles += prev_colon as u32;
            prev_colon = true;
            len = 0;
        } else if class(c) & HEX != 0 {
            has_digit |= class(c) & DIGIT != 0;
            prev_colon = false;
            len += 1;
        } else {
            break;
        }
        if len > 4 {
            return None;
        }
        end += 1;
    }
    if is(s, end, ALNUM) {
        return None;
    }
    if byte_is(s, end.wrapping_sub(1), b':') && !byte_is(s, end.wrapping_sub(2), b':') {
        end -= 1; // a trailing single colon is punctuation
    }
    groups += (len > 0) as u32;
    let ok = (doubles == 0 && groups == 8) || (doubles == 1 && matches!(groups, 2..=7) && has_digit);
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
    /// Lengths of the last three groups, a hex digit each: `0x334` for 3-3-4. (Only read
    /// for 10–11 digits in all, so no group is longer than 15.)
    last3: usize,
    paren: bool,
    mixed_seps: bool,
    /// Groups that so far make a dotted quad: 1–3 digits, value at most 255, single dots between.
    quad: usize,
    /// End of the fourth group of a dotted quad.
    quad_end: usize,
    /// Where a card number would end (0: none). A card has only spaces or dashes between its
    /// groups, so it is judged at the last group read before any other separator:
    /// 13–19 digits, Luhn-valid.
    card: usize,
}

/// Reads digit groups separated by runs of at most two separator bytes (space `-` `.` `(` `)`,
/// and `+` after a leading `+`: `+44+20+7946+0958`). One walk serves the
/// IPv4, card and phone rules: each shape is a prefix of the walk, tracked as it goes.
fn digits(s: &[u8], mut k: usize, intl: bool) -> Digits {
    let mut d = Digits::default();
    let mut sep0 = 0u8;
    // Luhn sums with the digits at even (0) or odd (1) places doubled: the doubled ones are
    // those of the count's parity (from the last digit, every second one before it).
    let mut luhn = [0u32; 2];
    let mut clean = true;
    loop {
        let (start, mut sep, mut paren) = (k, 0u8, false);
        loop {
            let c = at(s, k); // (read once, not once per separator tried)
            let separator = matches!(c, b' ' | b'-' | b'.' | b'(' | b')') || (intl && c == b'+');
            if k - start >= 2 || !separator {
                break;
            }
            if c == b'(' || c == b')' {
                paren = true;
            } else {
                sep = c;
            }
            clean &= c == b' ' || c == b'-';
            k += 1;
        }
        if !is(s, k, DIGIT) {
            return d; // trailing separators (a full stop, a space) are not part of it
        }
        // a dotted quad starts at the first digit and has single dots between its parts
        let quad_sep = if d.groups == 0 { k == start } else { k == start + 1 && sep == b'.' };
        d.paren |= paren;
        if sep != 0 {
            d.mixed_seps |= sep0 != 0 && sep0 != sep;
            sep0 = sep;
        }
        let (g, mut value) = (k, 0u32);
        while is(s, k, DIGIT) {
            let x = (at(s, k) - b'0') as u32;
            value = value.wrapping_mul(10).wrapping_add(x); // (judged only for 1–3 digits)
            let doubled = if x > 4 { 2 * x - 9 } else { 2 * x }; // digits of 2x summed
            let odd = d.count & 1;
            luhn[odd] += doubled;
            luhn[odd ^ 1] += x;
            d.count += 1;
            k += 1;
        }
        if quad_sep && d.quad == d.groups && d.quad < 4 && k - g <= 3 && value <= 255 {
            d.quad += 1;
            d.quad_end = k;
        }
        d.groups += 1;
        if d.groups == 1 {
            d.first_len = k - g;
        }
        d.last3 = (d.last3 << 4 | (k - g)) & 0xfff;
        d.end = k;
        if clean {
            let valid = matches!(d.count, 13..=19) && luhn[d.count & 1] % 10 == 0;
            d.card = if valid { k } else { 0 };
        }
        if d.count > 19 {
            return d;
        }
    }
}

/// Numbers read as digit groups, the more specific shape first: an IPv4 dotted quad (not
/// part of a longer dotted number), a card (13–19 digits, single spaces or dashes between
/// groups, issuer digit 2–6, Luhn-valid), a phone number.
fn digit_groups(s: &[u8], i: usize) -> Option<(usize, Kind)> {
    let intl = byte_is(s, i, b'+');
    let d = digits(s, i + intl as usize, intl);
    let e = d.quad_end;
    if !intl
        && d.quad == 4
        && !byte_is(s, i.wrapping_sub(1), b'.')
        && !is(s, e, ALNUM)
        && !(byte_is(s, e, b'.') && is(s, e + 1, DIGIT))
    {
        return Some((e, Kind::Ip));
    }
    if matches!(at(s, i), b'2'..=b'6') && d.card != 0 && !is(s, d.card, ALNUM) {
        return Some((d.card, Kind::Card));
    }
    phone(s, i, intl, &d).map(|end| (end, Kind::Phone))
}

/// Phone numbers; see the module docs of `mask` for the exact line.
fn phone(s: &[u8], i: usize, intl: bool, d: &Digits) -> Option<usize> {
    if intl && !matches!(at(s, i + 1), b'1'..=b'9') {
        return None;
    }
    if d.count == 0 || is(s, d.end, ALNUM) || byte_is(s, d.end, b':') {
        return None; // glued to a word, or a time / port / label
    }
    // Without a country code, parentheses only around a leading area code: `(555) 123-4567`.
    let area_code = byte_is(s, i, b'(') && byte_is(s, i + 1 + d.first_len, b')') && matches!(d.first_len, 2..=5);
    // (Below, without `+` or `(`, the number starts at `i`: its first digits are read there.)
    let ok = if intl {
        matches!(d.count, 8..=15)
    } else if d.paren {
        area_code && matches!(d.count, 9..=12)
    } else if d.last3 == 0x334 && (d.count == 10 || (d.count == 11 && byte_is(s, i, b'1'))) {
        true // North American 555-123-4567, 1-800-555-1234
    } else if byte_is(s, i, b'0') && d.first_len >= 2 && !d.mixed_seps {
        let double_zero = byte_is(s, i + 1, b'0');
        match (d.groups, double_zero) {
            (1, true) => matches!(d.count, 11..=15),
            (1, false) => matches!(d.count, 10..=11),
            _ => matches!(d.count, 9..=13),
        }
    } else {
        false
    };
    ok.then_some(d.end)
}

// ---- resource IDs and secret-like tokens -------------------------------------------

/// A UUID (8-4-4-4-12 hex, 36 bytes) starts at `i`, not glued to more b64 bytes.
fn uuid(s: &[u8], i: usize) -> bool {
    // (byte reads past the end are 0, which fails both tests: no slice needed)
    // Dashes at 8, 13, 18, 23: bits of one mask (the shift wraps past 31, where bits 0–3 are 0).
    for n in 0..36 {
        if !is(s, i + n, if 0x84_2100u32.wrapping_shr(n as u32) & 1 != 0 { DASH } else { HEX }) {
            return false;
        }
    }
    !is(s, i + 36, B64)
}

/// Run of b64 bytes from `i`, stopping before a UUID that starts a piece: its end, and
/// whether it is a secret-like token. One walk both finds the run and judges it.
///
/// Secret-like token: 32+ hex, or 20+ bytes (16+ letters/digits) of at least two classes
/// that look random rather than like words. Words (slugs, CamelCase, `iphone15`, `HDMI`)
/// change class only at word edges and have vowels; random base64 changes class on about
/// every other byte and piles up consonants. We count "irregular" bytes (a letter/digit
/// switch, a lone upper-case letter inside lower case, a 4th consonant in a row) and call it
/// a token when at least one letter/digit in four is irregular. Measured on random strings:
/// ~3% of 20-byte, ~2.5% of 24-byte and ~1% of 32-byte base64url tokens stay below the bar.
fn token_run(s: &[u8], i: usize) -> (usize, bool) {
    let (mut letters_digits, mut classes, mut irregular) = (0u32, 0u8, 0u32);
    let (mut hex_run, mut max_hex, mut consonants) = (0, 0, 0);
    // class of the byte before (0 before the start), carried instead of read again
    let mut prev = 0;
    let mut k = i;
    while is(s, k, B64) {
        if is(s, k, DASH | UNDER) && uuid(s, k + 1) {
            break;
        }
        let c = at(s, k);
        k += 1;
        let t = class(c);
        hex_run = if t & HEX != 0 { hex_run + 1 } else { 0 };
        max_hex = max_hex.max(hex_run);
        let kind = t & ALNUM; // UPPER, LOWER, DIGIT or 0
        let before = prev;
        prev = kind;
        if kind == 0 {
            consonants = 0;
            continue;
        }
        letters_digits += 1;
        classes |= kind;
        // `c | 0x20` lower-cases a letter
        let vowel = kind == DIGIT || matches!(c | 0x20, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
        consonants = if vowel { 0 } else { consonants + 1 };
        // (the byte after the run is never lower case: not b64, or the `-`/`_` before a UUID)
        let next_lower = is(s, k, LOWER);
        irregular += match (before, kind) {
            (UPPER | LOWER, DIGIT) | (DIGIT, UPPER | LOWER) => 1,
            (LOWER, UPPER) if !next_lower => 1,
            _ => (consonants >= 4) as u32,
        };
    }
    let len = k - i;
    let token = if len < 20 {
        false
    } else if max_hex == len {
        len >= 32 // all hex: IDs shorter than 128 bits (ObjectIds, short SHAs) stay
    } else {
        max_hex >= 32 || (letters_digits >= 16 && classes.count_ones() >= 2 && irregular * 4 >= letters_digits)
    };
    (k, token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn kinds(s: &str) -> Vec<(Kind, &str)> {
        let mut v = Vec::new();
        scan(s.as_bytes(), &mut v);
        v.iter().map(|sp| (sp.kind, &s[sp.start..sp.end])).collect()
    }

    fn one(s: &str, kind: Kind, found: &str) {
        assert_eq!(kinds(s), vec![(kind, found)], "{s}");
    }

    fn none(s: &str) {
        assert_eq!(kinds(s), vec![], "{s}");
    }

    #[test]
    fn emails() {
        one("mail John.Doe+news@Example.CO.uk now", Kind::Email, "John.Doe+news@Example.CO.uk");
        one("to=john%40example.com&x", Kind::Email, "john%40example.com");
        one("john%2Btag%40example.com", Kind::Email, "john%2Btag%40example.com");
        one("(a_b-c@mail.example.org).", Kind::Email, "a_b-c@mail.example.org");
        none("@handle and foo@bar and a @ b.com");
        none("user@localhost");
    }

    #[test]
    fn phones() {
        for p in [
            "+44 20 7946 0958", "+1 (555) 123-4567", "06 12 34 56 78", "(555) 123-4567",
            "555-123-4567", "555.123.4567", "1-800-555-1234", "0612345678", "020 7946 0958",
            "+33 (0)6 12 34 56 78", "+44+20+7946+0958", "0033612345678", "030 12345678",
            "+4915112345678", "06.12.34.56.78",
        ] {
            let text = ["Call ", p, " today"].concat();
            one(&text, Kind::Phone, p);
        }
    }

    #[test]
    fn not_phones() {
        for s in [
            "2024-05-17", "17.05.2024", "19.99", "1 299,00 €", "ORD-10023", "#45812", "2024",
            "1.2.3", "75008 Paris", "10115", "01.02.2024 10:30", "2024-05-17T10:30:00Z",
            "Population 8 336 817", "0.1234567890", "v12.4.1", "ISBN 978-3-16-148410-0",
            "1715950000", "12:30:45", "+20%", "555 1234", "Order 100000123456",
            "v1.2.3 (2024-05-17)", "Population 8 336 817 (2023)", "(2024) 123 456 789",
        ] {
            none(s);
        }
    }

    #[test]
    fn cards() {
        one("card 4111 1111 1111 1111 ok", Kind::Card, "4111 1111 1111 1111");
        one("4111-1111-1111-1111", Kind::Card, "4111-1111-1111-1111");
        one("pan=5500005555555559", Kind::Card, "5500005555555559");
        one("amex 3782 822463 10005", Kind::Card, "3782 822463 10005");
        // Luhn failure, or an issuer digit cards never use: not a card (and not a phone).
        none("4111 1111 1111 1112");
        none("9111111111111111111");
    }

    #[test]
    fn ibans() {
        one("IBAN DE89 3704 0044 0532 0130 00 please", Kind::Iban, "DE89 3704 0044 0532 0130 00");
        one("GB82WEST12345698765432", Kind::Iban, "GB82WEST12345698765432");
        one("fr1420041010050500013m02606", Kind::Iban, "fr1420041010050500013m02606");
        none("GB00WEST12345698765432");
        none("SW1A 1AA");
    }

    #[test]
    fn jwts_and_tokens() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        one(&["Bearer ", jwt].concat(), Kind::Jwt, jwt);
        one("t Xk9dQ2aB7fLmN0pRsT4vWy8z t", Kind::Token, "Xk9dQ2aB7fLmN0pRsT4vWy8z");
        one("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Kind::Token,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        one("k3j5h2g8f9d7s6a1q0w2x9", Kind::Token, "k3j5h2g8f9d7s6a1q0w2x9");
    }

    #[test]
    fn not_tokens() {
        for s in [
            "my-first-post-about-rust-programming", "Top-10-Tips-For-Summer-2024",
            "How-To-Do-It-In-5-Steps-2024", "iphone15promax256gb", "ThisIsMyFirstPostTitle",
            "ThisIsAnOkTitleForMe", "getHTTPResponseCode2024Final", "507f1f77bcf86cd799439011",
            "3f2b8c1e-9a4d-4c7e-8f00-1b2c3d4e5f60", "order-3f2b8c1e-9a4d-4c7e-8f00-1b2c3d4e5f60",
            "2024-05-17-my-first-post-about-rust", "internationalization-guide-2024",
            "samsung-galaxy-s24-ultra-512gb-black", "Donaudampfschifffahrtsgesellschaft",
            "USB-C-HDMI-Adapter-4K-60Hz", "NVMe-SSD-2TB-PCIe4-M2-2280", "getHTTPResponseCode2024Final",
            "Apple-iPhone-15-Pro-Max-256GB-Natural-Titanium", "Strengths-And-Weaknesses-2024",
            "JavaScriptFrameworksCompared2024", "WPF-MVVM-DataGrid-Example-2023",
        ] {
            none(s);
        }
    }

    #[test]
    fn ips() {
        one("from 192.168.1.10.", Kind::Ip, "192.168.1.10");
        one("ip 2001:db8:85a3::8a2e:370:7334 x", Kind::Ip, "2001:db8:85a3::8a2e:370:7334");
        one("fe80::1", Kind::Ip, "fe80::1");
        one("2001:0db8:0000:0000:0000:ff00:0042:8329", Kind::Ip, "2001:0db8:0000:0000:0000:ff00:0042:8329");
        for s in ["1.2.3", "v1.2.3.4.5", "256.1.1.1", "12:30:45", "std::vec", "abc::def", "Chrome/124.0.6367.91"] {
            none(s);
        }
    }

    #[test]
    fn secrets_after_keys() {
        one("see /reset?token=abc123&x=1", Kind::Secret, "abc123");
        assert_eq!(
            kinds("next=%2Fcb%3Fcode%3DSplx%26state%3D1"),
            vec![(Kind::Secret, "Splx"), (Kind::Secret, "1")]
        );
        one("password=hunter2 ok", Kind::Secret, "hunter2");
        none("page=2&sort=asc");
    }

    #[test]
    fn multibyte_neighbours() {
        one("Zoë – john@example.com – Café", Kind::Email, "john@example.com");
        none("日本語のタイトル 2024年5月17日");
    }
}

/// The IBAN check as before the length moved to the end (reference for the equality test).
#[cfg(test)]
mod old {
    pub fn iban_valid(v: &[u8]) -> bool {
        // (Plain loops over the bytes, spaces skipped: filter/enumerate chains cost more code.)
        let mut n = 0;
        for &c in v {
            n += (c != b' ') as usize;
        }
        if !(15..=34).contains(&n) {
            return false;
        }
        // Move the first four characters to the end (second pass); letters count as 10..35.
        let mut r = 0u32;
        for pass in 0..2 {
            let mut idx = 0;
            for &c in v {
                if c == b' ' {
                    continue;
                }
                idx += 1;
                if (idx <= 4) != (pass == 1) {
                    continue;
                }
                let x = if c.is_ascii_digit() { (c - b'0') as u32 } else { c.to_ascii_uppercase().wrapping_sub(b'A') as u32 + 10 };
                if x > 35 {
                    return false;
                }
                r = (r * if x > 9 { 100 } else { 10 } + x) % 97;
            }
        }
        r == 1
    }
}

#[cfg(test)]
mod iban_equal {
    #[test]
    fn iban_valid_as_before() {
        // Real IBANs with one byte changed, and random alphanumerics with spaces.
        const PICK: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz -";
        let mut x: u64 = 0x5851_f42d_4c95_7f2d;
        let mut valid = 0;
        for n in 0..200_000 {
            x = crate::test_rng::step(x);
            let mut v = if n % 2 == 0 { b"DE89 3704 0044 0532 0130 00".to_vec() } else { b"GB82WEST12345698765432".to_vec() };
            let pos = (x % 40) as usize;
            let c = PICK[((x >> 8) % PICK.len() as u64) as usize];
            if n % 3 == 0 {
                v.truncate(pos % v.len());
            } else if let Some(slot) = v.get_mut(pos) {
                *slot = c;
            } else {
                v.push(c);
            }
            valid += super::iban_valid(&v) as u32;
            assert_eq!(super::iban_valid(&v), super::old::iban_valid(&v), "{:?}", core::str::from_utf8(&v));
        }
        assert!(valid > 1_000, "{valid}"); // both answers are compared
    }
}

/// The scanner against the detectors as they were before the byte-class table
/// (`old_detect`), on generated text: findings of every kind, near misses, escapes and
/// random bytes around them.
#[cfg(test)]
mod equal {
    use alloc::vec::Vec;

    #[test]
    fn scan_as_before() {
        const PIECES: &[&str] = &[
            "jane.doe+x@", "example.com", "%40", "%2B", "%20", "%3D", "%", "@", ".", "-", "_", "+", "(", ")", " ",
            ":", "::", "=", "&", "#", "[", "]", "token", "email=", "password", "+44 20 7946 0958", "(555) ",
            "123-4567", "06 12 34 56 78", "0033", "4111 1111 1111 1111", "5500005555555559", "DE89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432", "eyJhbGciOiJIUzI1NiJ9", ".eyJzdWIiOiIxIn0", ".c2lnbmF0dXJl", "Xk9dQ2aB",
            "7fLmN0pRsT4vWy8z", "9f86d081884c7d659a2feaa0c55ad015", "192.168.1.10", "2001:db8::1", "fe80",
            "3f2b8c1e-9a4d-4c7e-8f00-1b2c3d4e5f60", "é", "日本", "2024-05-17", "19.99", "a", "Z", "0", "9", "12",
        ];
        const BYTES: &[u8] = b"aeiouxyzAEQXZ0123456789fF-_.+()%@:= &#[]'\"<>\t";
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let mut next = || {
            x = crate::test_rng::step(x);
            x
        };
        let (mut found, mut old_found) = (Vec::new(), Vec::new());
        let mut with_findings = 0;
        for _ in 0..40_000 {
            let mut s = Vec::new();
            for _ in 0..next() % 10 {
                let r = next();
                if r % 3 == 0 {
                    for _ in 0..(r >> 8) % 6 {
                        s.push(BYTES[(next() % BYTES.len() as u64) as usize]);
                    }
                } else {
                    s.extend_from_slice(PIECES[((r >> 8) % PIECES.len() as u64) as usize].as_bytes());
                }
            }
            found.clear();
            old_found.clear();
            super::scan(&s, &mut found);
            super::super::old_detect::scan(&s, &mut old_found);
            assert_eq!(found, old_found, "{:?}", alloc::string::String::from_utf8_lossy(&s));
            with_findings += !found.is_empty() as u32;
        }
        assert!(with_findings > 8_000, "{with_findings}"); // findings are common, so they are compared
    }

    /// Every byte's class bits are the range checks they replace.
    #[test]
    fn classes_as_range_checks() {
        use super::*;
        for c in 0..=255u8 {
            let t = class(c);
            assert_eq!(t & ALNUM != 0, c.is_ascii_alphanumeric());
            assert_eq!(t & ALPHA != 0, c.is_ascii_alphabetic());
            assert_eq!(t & UPPER != 0, c.is_ascii_uppercase());
            assert_eq!(t & LOWER != 0, c.is_ascii_lowercase());
            assert_eq!(t & DIGIT != 0, c.is_ascii_digit());
            assert_eq!(t & HEX != 0, c.is_ascii_hexdigit());
            assert_eq!(t & B64 != 0, c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
            assert_eq!(t & (DASH | UNDER | DOT | PLUS), match c {
                b'-' => DASH,
                b'_' => UNDER,
                b'.' => DOT,
                b'+' => PLUS,
                _ => 0,
            });
        }
    }
}
