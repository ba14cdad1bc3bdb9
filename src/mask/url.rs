//! URL masking. The input is an absolute URL as the browser's URL parser serialises it
//! (`scheme://host[:port]/path?query#fragment`, percent-encoded, host punycoded), so it is
//! split structurally here; relative resolution and IDN were done by the browser.
//!
//! Every component is percent-decoded before detection and each finding's *raw* bytes are
//! replaced by a URL-safe placeholder, so bytes outside findings stay exactly as they were.

use super::detect::{at, class, is, run, scan, Kind, Span, ALNUM, ALPHA, DASH, DIGIT, DOT, HEX, PLUS, UPPER};
use super::{keys, push_masked, UrlRules};
use alloc::string::String;
use alloc::vec::Vec;

pub fn mask_url(url: &str, rules: &UrlRules) -> String {
    let b = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    let mut k = 0;
    if let Some(colon) = scheme_end(b) {
        push(&mut out, url, 0, colon + 1);
        k = colon + 1;
        if b.get(k..k + 2) == Some(b"//") {
            let end = authority_end(b, k + 2);
            // Drop `user:password@`: credentials never leave the page.
            let mut host = k + 2;
            for j in k + 2..end {
                if b.get(j) == Some(&b'@') {
                    host = j + 1; // after the last `@`
                }
            }
            out.push_str("//");
            push(&mut out, url, host, end);
            k = end;
        }
    }
    let (rest, fragment) = cut(url.get(k..).unwrap_or(""), b'#');
    let (path, query) = cut(rest, b'?');
    mask_pieces(&mut out, path, false, rules);
    if let Some(q) = query {
        mask_section(&mut out, '?', q, rules);
    }
    if let Some(f) = fragment.filter(|_| !rules.discard_hash) {
        mask_section(&mut out, '#', f, rules);
    }
    out
}

/// Index of the `:` ending a scheme (`[A-Za-z][A-Za-z0-9+.-]*:`), if the URL has one.
fn scheme_end(b: &[u8]) -> Option<usize> {
    if !is(b, 0, ALPHA) {
        return None;
    }
    let n = run(b, 0, ALNUM | PLUS | DOT | DASH);
    (at(b, n) == b':').then_some(n)
}

/// First index at or after `from` that ends an authority (`/`, `?` or `#`), or the length.
/// (A plain loop rather than `str::find`: that pulls in memchr and char searchers.)
fn authority_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(c) = b.get(i) {
        if matches!(c, b'/' | b'?' | b'#') {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// `s` cut at the first `sep`: before, and after (without `sep`) if it was found.
/// (Inlined: out of line, its four-word answer goes through memory at each of five calls.)
#[inline(always)]
fn cut(s: &str, sep: u8) -> (&str, Option<&str>) {
    match crate::bytes::split_once(s, sep) {
        Some((before, after)) => (before, Some(after)),
        None => (s, None),
    }
}

fn push(out: &mut String, s: &str, a: usize, b: usize) {
    out.push_str(s.get(a..b).unwrap_or(""));
}

/// After a secret-context segment, an ID-like segment (8+ bytes with a digit or an upper-case
/// letter, no dot, so not a word, a slug or a file name) is taken for a secret.
fn id_like(seg: &[u8]) -> bool {
    // (one loop for both tests)
    let mut marked = false;
    for &c in seg {
        if c == b'.' {
            return false;
        }
        marked |= class(c) & (DIGIT | UPPER) != 0;
    }
    seg.len() >= 8 && marked
}

/// A path (`/`-separated segments) or, with `params`, a query (`&`-separated `key=value`
/// pairs): each piece masked, parameters with a dropped key left out with their `&`.
fn mask_pieces(out: &mut String, s: &str, params: bool, rules: &UrlRules) {
    let sep = if params { b'&' } else { b'/' };
    let (mut armed, mut first) = (false, true);
    for piece in crate::bytes::split(s, sep) {
        let (key, value) = if params { cut(piece, b'=') } else { (piece, None) };
        if !params || keep_key(key, rules) {
            if !first {
                out.push(sep as char);
            }
            first = false;
            // (`armed` only in a path: after a secret-context segment, an ID-like one goes)
            if armed && id_like(piece.as_bytes()) {
                super::push_placeholder(out, Kind::Token, true);
            } else {
                mask_component(out, key, params);
                if let Some(v) = value {
                    out.push('=');
                    mask_component(out, v, true);
                }
                armed |= !params && keys::is_secret_context(piece.as_bytes());
            }
        }
    }
}

/// `?query` or `#fragment` with its mark; the mark goes too when masking emptied a
/// non-empty section. Query-like fragments (`#access_token=…&state=…`, OAuth implicit flow)
/// and hash-router queries (`#/reset?token=…`) get the query rules; the rest is a path.
fn mask_section(out: &mut String, mark: char, s: &str, rules: &UrlRules) {
    let start = out.len();
    out.push(mark);
    if mark == '?' {
        mask_pieces(out, s, true, rules);
    } else {
        let (path, query) = cut(s, b'?');
        let params = query.is_none() && cut(s, b'=').1.is_some();
        mask_pieces(out, path, params, rules);
        if let Some(q) = query {
            mask_section(out, '?', q, rules);
        }
    }
    if out.len() == start + 1 && !s.is_empty() {
        crate::bytes::shorten(out, start);
    }
}

fn keep_key(raw: &str, rules: &UrlRules) -> bool {
    let key = decode(raw.as_bytes(), true);
    let listed = |list: &[String]| list.iter().any(|x| x.as_bytes().eq_ignore_ascii_case(&key));
    if listed(&rules.excluded) {
        return false;
    }
    match &rules.allowed {
        // An explicit allow-list is the site's choice and wins over the built-in deny-list.
        Some(allowed) => listed(allowed),
        None => !keys::is_denied(&key),
    }
}

/// Value of a hex digit (`0-9`, `a-f`, `A-F`; the low nibble, plus 9 for letters).
fn hex_digit(c: u8) -> u8 {
    (c & 0xf) + if c > b'9' { 9 } else { 0 }
}

/// How many raw bytes the decoded byte at raw index `i` takes: 3 for a `%XX` escape, else 1.
fn width_at(raw: &[u8], i: usize) -> usize {
    // past the end reads as 0, not a hex digit
    if at(raw, i) == b'%' && is(raw, i + 1, HEX) && is(raw, i + 2, HEX) {
        3
    } else {
        1
    }
}

/// Percent-decodes `raw` (and `+` to space when `plus`).
/// (Into a copy of `raw`, written in place behind the reader and cut to length: no `push`
/// and its growth code.)
fn decode(raw: &[u8], plus: bool) -> Vec<u8> {
    let mut dec = raw.to_vec();
    let (mut i, mut len) = (0, 0);
    while i < raw.len() {
        let n = width_at(raw, i);
        let c = if n == 3 { hex_digit(at(raw, i + 1)) * 16 + hex_digit(at(raw, i + 2)) } else { at(raw, i) };
        if let Some(slot) = dec.get_mut(len) {
            *slot = if plus && n == 1 && c == b'+' { b' ' } else { c };
        }
        len += 1;
        i += n;
    }
    dec.truncate(len);
    dec
}

/// Raw index of decoded byte `j` (the raw length for the end or past it). Walked again per
/// finding instead of keeping an index map of the whole component: findings are few.
fn raw_offset(raw: &[u8], j: usize) -> usize {
    let mut i = 0;
    for _ in 0..j {
        if i >= raw.len() {
            break;
        }
        i += width_at(raw, i);
    }
    i
}

/// Masks one component (path segment, query key or value): decode, detect, replace the raw
/// bytes of each finding. Query components are scanned twice when they hold a `+`: as a
/// literal plus (`jane+news@…`) and as an encoded space (`+44+20+7946+0958`).
/// (No fast path for components without escapes: decoding copies them as they are.)
fn mask_component(out: &mut String, raw: &str, query: bool) {
    let mut spans = Vec::new();
    let rb = raw.as_bytes();
    let mut dec = decode(rb, false);
    scan(&dec, &mut spans);
    // Second reading, `+` as a space: rewritten in place (no second buffer).
    let mut plus = false;
    for c in dec.iter_mut() {
        if query && *c == b'+' {
            *c = b' ';
            plus = true;
        }
    }
    if plus {
        let mut more = Vec::new();
        scan(&dec, &mut more);
        for &sp in &more {
            add_span(&mut spans, sp); // (by reference: no IntoIter and its drop code)
        }
    }
    for sp in spans.iter_mut() {
        sp.start = raw_offset(rb, sp.start);
        sp.end = raw_offset(rb, sp.end);
    }
    push_masked(out, raw, &spans, true);
}

/// Inserts `sp` keeping `spans` sorted and non-overlapping (overlaps are merged, the kind
/// taken from the last span merged). Rebuilt into a new list rather than `remove`/`insert`
/// in place: no element-shifting code for `Span`.
fn add_span(spans: &mut Vec<Span>, mut sp: Span) {
    let mut kept = Vec::new();
    let mut placed = false;
    for &cur in spans.iter() {
        if cur.end <= sp.start {
            kept.push(cur);
        } else if sp.end <= cur.start {
            if !placed {
                kept.push(sp);
                placed = true;
            }
            kept.push(cur);
        } else {
            sp.start = sp.start.min(cur.start);
            sp.end = sp.end.max(cur.end);
            sp.kind = cur.kind;
        }
    }
    if !placed {
        kept.push(sp);
    }
    *spans = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn m(url: &str) -> String {
        mask_url(url, &UrlRules::default())
    }

    #[test]
    fn drops_denied_query_keys() {
        assert_eq!(m("https://a.example/reset?token=abc&lang=en"), "https://a.example/reset?lang=en");
        assert_eq!(m("https://a.example/cb?code=x&state=y"), "https://a.example/cb");
        assert_eq!(m("https://a.example/?Email=a&PASSWORD=b&page=2#top"), "https://a.example/?page=2#top");
        assert_eq!(m("https://a.example/x?a=1&&b=2&sid=9"), "https://a.example/x?a=1&&b=2");
        assert_eq!(m("https://a.example/x?user%5Bemail%5D=z&q=shoes"), "https://a.example/x?q=shoes");
    }

    #[test]
    fn excluded_and_allowed() {
        let rules = UrlRules { excluded: vec!["Ref".to_string()], ..UrlRules::default() };
        assert_eq!(mask_url("https://a.example/?ref=x&q=1", &rules), "https://a.example/?q=1");
        let rules = UrlRules { allowed: Some(vec!["q".to_string(), "code".to_string()]), ..UrlRules::default() };
        assert_eq!(
            mask_url("https://a.example/?q=shoes&utm_source=x&code=SUMMER24&token=t", &rules),
            "https://a.example/?q=shoes&code=SUMMER24"
        );
        // allowed values are still scanned
        assert_eq!(mask_url("https://a.example/?q=jane%40x.example", &rules), "https://a.example/?q=_email_");
    }

    #[test]
    fn fragments() {
        assert_eq!(
            m("https://app.example/cb#access_token=eyJx&token_type=Bearer&state=abc&expires_in=3600"),
            "https://app.example/cb#expires_in=3600"
        );
        assert_eq!(m("https://app.example/#id_token=x&state=y"), "https://app.example/");
        assert_eq!(m("https://app.example/#/reset?token=abc&x=1"), "https://app.example/#/reset?x=1");
        assert_eq!(m("https://app.example/#/account?token=abc"), "https://app.example/#/account");
        assert_eq!(m("https://app.example/#/users/jane@x.example"), "https://app.example/#/users/_email_");
        let rules = UrlRules { discard_hash: true, ..UrlRules::default() };
        assert_eq!(mask_url("https://a.example/p?q=1#section-2", &rules), "https://a.example/p?q=1");
    }

    #[test]
    fn values_and_segments() {
        assert_eq!(
            m("https://a.example/search?q=john.doe%40example.com&page=2"),
            "https://a.example/search?q=_email_&page=2"
        );
        assert_eq!(m("https://a.example/u/jane%2Bnews%40x.example/edit"), "https://a.example/u/_email_/edit");
        assert_eq!(m("https://a.example/s?q=call+%2B44+20+7946+0958"), "https://a.example/s?q=call+_phone_");
        assert_eq!(m("https://a.example/s?q=%2B44+20+7946+0958+now"), "https://a.example/s?q=_phone_+now");
        assert_eq!(m("https://a.example/s?q=jane+tag@x.example"), "https://a.example/s?q=_email_");
        assert_eq!(
            m("https://a.example/login?next=%2Faccount%3Ftoken%3DAbc123%26tab%3D1"),
            "https://a.example/login?next=%2Faccount%3Ftoken%3D_redacted_%26tab%3D1"
        );
        assert_eq!(m("https://a.example/p/4111-1111-1111-1111"), "https://a.example/p/_card_");
    }

    #[test]
    fn secret_context_segments() {
        assert_eq!(m("https://shop.example/account/reset/1234567/Xk9dQ2aB"), "https://shop.example/account/reset/1234567/_token_");
        assert_eq!(m("https://a.example/password/reset/success"), "https://a.example/password/reset/success");
        assert_eq!(m("https://a.example/blog/how-to-reset-your-router/2024"), "https://a.example/blog/how-to-reset-your-router/2024");
    }

    #[test]
    fn userinfo_and_opaque() {
        assert_eq!(m("https://jane:s3cret@a.example:8443/x"), "https://a.example:8443/x");
        assert_eq!(m("mailto:jane.doe@example.com?subject=Hi"), "mailto:_email_?subject=Hi");
        assert_eq!(m("tel:+33612345678"), "tel:_phone_");
    }

    #[test]
    fn untouched_when_clean() {
        for u in [
            "https://example.com/",
            "https://example.com/blog/2024/05/my-first-post",
            "https://example.com/orders/3f2b8c1e-9a4d-4c7e-8f00-1b2c3d4e5f60?tab=items",
            "https://example.com/p?q=caf%C3%A9&sort=price-asc&page=2#reviews",
            "https://example.com/search?",
            "https://example.com/#",
            "https://xn--caf-dma.example/men%C3%BC/",
            "http://[2001:db8::1]:8080/status",
            "http://192.168.1.10/admin",
            "",
        ] {
            assert_eq!(m(u), u);
        }
    }

    #[test]
    fn decode_map() {
        let raw = b"a%40b+c%zz";
        assert_eq!(decode(raw, true), b"a@b c%zz");
        let map: Vec<usize> = (0..=8).map(|j| raw_offset(raw, j)).collect();
        assert_eq!(map, vec![0, 1, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(raw_offset(raw, 12), 10);
    }

    /// Components built from escapes (also broken ones), `+`, findings and plain words.
    fn random_component(x: &mut u64) -> String {
        const PIECES: &[&str] = &[
            "%40", "%2B", "%2b", "%20", "%3D", "%26", "%", "%4", "%zz", "%C3%A9", "+", "@", ".", "-", "a", "jane",
            "example", "com", "x.example", "44", "20", "7946", "0958", "4111", "1111", "token", "=", "&", "Xk9dQ2aB",
            "7fLmN0pRsT4vWy8z", "192.168.1.10", "é", " ", "0612345678", "DE89", "3704", "0044", "0532", "0130", "00",
        ];
        let mut c = String::new();
        for _ in 0..next(x) % 12 {
            c.push_str(PIECES[(next(x) % PIECES.len() as u64) as usize]);
        }
        c
    }

    fn next(x: &mut u64) -> u64 {
        *x = crate::test_rng::step(*x);
        *x
    }

    #[test]
    fn hex_digit_as_hex_val() {
        for c in 0..=255u8 {
            let want = old::hex_val(c);
            assert_eq!(is(&[c], 0, HEX), want < 16, "{c}");
            if want < 16 {
                assert_eq!(hex_digit(c), want, "{c}");
            }
        }
    }

    #[test]
    fn add_span_as_before() {
        let mut x = 0x0123_4567_89ab_cdef;
        let kinds = [Kind::Email, Kind::Phone, Kind::Token, Kind::Ip];
        for _ in 0..100_000 {
            // sorted, non-overlapping spans (some empty), then one more anywhere
            let (mut spans, mut at) = (Vec::new(), 0);
            for _ in 0..next(&mut x) % 5 {
                let start = at + (next(&mut x) % 4) as usize;
                let end = start + (next(&mut x) % 4) as usize;
                spans.push(Span { start, end, kind: kinds[(next(&mut x) % 4) as usize] });
                at = end;
            }
            let start = (next(&mut x) % 20) as usize;
            let sp = Span { start, end: start + (next(&mut x) % 8) as usize, kind: Kind::Card };
            let mut old = spans.clone();
            old::add_span_old(&mut old, sp);
            add_span(&mut spans, sp);
            assert_eq!(spans, old, "{sp:?}");
        }
    }

    #[test]
    fn mask_component_as_before() {
        let mut x = 0x2545_f491_4f6c_dd1d;
        let (mut spans, mut changed) = (Vec::new(), 0);
        for n in 0..60_000 {
            let raw = random_component(&mut x);
            let query = n % 2 == 0;
            let (mut new, mut old) = (String::new(), String::new());
            mask_component(&mut new, &raw, query);
            old::mask_component_old(&mut old, &raw, query, &mut spans);
            assert_eq!(new, old, "{raw:?} query {query}");
            changed += (new != raw) as u32;
        }
        assert!(changed > 10_000, "{changed}"); // findings are common, so their offsets are compared
    }
}

/// Decoding with an index map, as before `raw_offset`, and span merging in place (references
/// for the equality tests).
#[cfg(test)]
mod old {
    use super::*;

    /// Value of a hex digit, 16 for anything else.
    pub fn hex_val(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 16,
        }
    }

    /// Inserts `sp` keeping `spans` sorted and non-overlapping (overlaps are merged).
    pub fn add_span_old(spans: &mut Vec<Span>, mut sp: Span) {
        let mut i = 0;
        while let Some(cur) = spans.get(i).copied() {
            if cur.end <= sp.start {
                i += 1;
            } else if sp.end <= cur.start {
                break;
            } else {
                sp.start = sp.start.min(cur.start);
                sp.end = sp.end.max(cur.end);
                sp.kind = cur.kind;
                spans.remove(i);
            }
        }
        spans.insert(i, sp);
    }

    /// Percent-decodes `raw` (and `+` to space when `plus`); `map[j]` is the raw index of decoded
    /// byte `j`, with one extra entry for the end.
    fn decode_old(raw: &[u8], plus: bool) -> (Vec<u8>, Vec<usize>) {
        let mut dec = Vec::with_capacity(raw.len());
        let mut map = Vec::with_capacity(raw.len() + 1);
        let mut i = 0;
        while let Some(&c) = raw.get(i) {
            map.push(i);
            // past the end reads as 0, not a hex digit
            let hi = hex_val(raw.get(i + 1).copied().unwrap_or(0));
            let lo = hex_val(raw.get(i + 2).copied().unwrap_or(0));
            if c == b'%' && hi < 16 && lo < 16 {
                dec.push(hi * 16 + lo);
                i += 3;
            } else {
                dec.push(if plus && c == b'+' { b' ' } else { c });
                i += 1;
            }
        }
        map.push(raw.len());
        (dec, map)
    }

    /// Masks one component (path segment, query key or value): decode, detect, replace the raw
    /// bytes of each finding. Query components are scanned twice when they hold a `+`: as a
    /// literal plus (`jane+news@…`) and as an encoded space (`+44+20+7946+0958`).
    pub fn mask_component_old(out: &mut String, raw: &str, query: bool, spans: &mut Vec<Span>) {
        spans.clear();
        let rb = raw.as_bytes();
        if !rb.iter().any(|&c| c == b'%' || c == b'+') {
            scan(rb, spans); // fast path: nothing to decode, offsets are raw offsets
        } else {
            let (mut dec, map) = decode_old(rb, false);
            scan(&dec, spans);
            // Second reading, `+` as a space: rewritten in place (no second buffer).
            let mut plus = false;
            for c in dec.iter_mut() {
                if query && *c == b'+' {
                    *c = b' ';
                    plus = true;
                }
            }
            if plus {
                let mut more = Vec::new();
                scan(&dec, &mut more);
                for &sp in &more {
                    add_span(spans, sp); // (by reference: no IntoIter and its drop code)
                }
            }
            for sp in spans.iter_mut() {
                sp.start = map.get(sp.start).copied().unwrap_or(rb.len());
                sp.end = map.get(sp.end).copied().unwrap_or(rb.len());
            }
        }
        push_masked(out, raw, spans, true);
    }
}

/// URL masking against `old_url` (before the shared `mask_section`/`mask_pieces`) on
/// generated URLs: paths, queries and fragments of every shape, under each kind of rules.
#[cfg(test)]
mod equal {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn mask_url_as_before() {
        const PIECES: &[&str] = &[
            "https://", "mailto:", "a.example", "jane:pw@", ":8443", "/", "/", "?", "?", "#", "#", "&", "&", "=", "=",
            "token", "code", "state", "q", "ref", "page", "utm_source", "reset", "verify", "account", "Xk9dQ2aB",
            "1234567", "jane%40x.example", "jane@x.example", "%2B44+20+7946+0958", "+", "%", "%26", "%3D", "a.b",
            "eyJx", "4111-1111-1111-1111", "access_token", "user%5Bemail%5D", "x", "2", "é", "",
        ];
        let rule_sets = [
            UrlRules::default(),
            UrlRules { excluded: vec!["Ref".to_string(), "q".to_string()], ..UrlRules::default() },
            UrlRules { allowed: Some(vec!["q".to_string(), "code".to_string()]), ..UrlRules::default() },
            UrlRules { discard_hash: true, ..UrlRules::default() },
        ];
        let mut x: u64 = 0x0fed_cba9_8765_4321;
        let mut changed = 0;
        for n in 0..40_000 {
            let mut url = String::new();
            for _ in 0..4 + crate::test_rng::step(x) % 12 {
                x = crate::test_rng::step(x);
                url.push_str(PIECES[(x % PIECES.len() as u64) as usize]);
            }
            let rules = &rule_sets[n % rule_sets.len()];
            let new = mask_url(&url, rules);
            assert_eq!(new, super::super::old_url::mask_url(&url, rules), "{url:?} {rules:?}");
            changed += (new != url) as u32;
        }
        assert!(changed > 10_000, "{changed}"); // masking is common, so its output is compared
    }
}
