//! URL masking as before the shared `mask_section`/`mask_pieces` (test-only reference for
//! `url::equal`).
#![allow(dead_code)]

use super::detect::{at, scan, Kind, Span};
use super::{keys, push_masked, UrlRules};
use alloc::string::String;
use alloc::vec::Vec;

pub fn mask_url(url: &str, rules: &UrlRules) -> String {
    let b = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    let mut spans = Vec::new();
    let mut k = 0;
    if let Some(colon) = scheme_end(b) {
        push(&mut out, url, 0, colon + 1);
        k = colon + 1;
        if b.get(k..k + 2) == Some(b"//") {
            let end = find_any(b, k + 2, b"/?#");
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
    let q = find_any(b, k, b"?#");
    mask_path(&mut out, url.get(k..q).unwrap_or(""), &mut spans);
    let f = find_any(b, q, b"#");
    if b.get(q) == Some(&b'?') {
        mask_query(&mut out, url.get(q + 1..f).unwrap_or(""), rules, &mut spans);
    }
    if f < b.len() && !rules.discard_hash {
        mask_fragment(&mut out, url.get(f + 1..).unwrap_or(""), rules, &mut spans);
    }
    out
}

/// Index of the `:` ending a scheme (`[A-Za-z][A-Za-z0-9+.-]*:`), if the URL has one.
fn scheme_end(b: &[u8]) -> Option<usize> {
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let mut n = 0;
    while let Some(&c) = b.get(n) {
        if !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-')) {
            return (c == b':').then_some(n);
        }
        n += 1;
    }
    None
}

/// First index at or after `from` holding one of `set`, or the length.
/// (Plain loops rather than `str::split`/`find`: they pull in memchr and char searchers.)
fn find_any(b: &[u8], from: usize, set: &[u8]) -> usize {
    let mut i = from;
    while let Some(c) = b.get(i) {
        if set.iter().any(|x| x == c) {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// `s` cut at the first `sep`: before, and after (without `sep`) if it was found.
fn cut(s: &str, sep: u8) -> (&str, Option<&str>) {
    let at = find_any(s.as_bytes(), 0, &[sep]);
    (s.get(..at).unwrap_or(""), s.get(at + 1..))
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
        marked |= c.is_ascii_digit() || c.is_ascii_uppercase();
    }
    seg.len() >= 8 && marked
}

fn mask_path(out: &mut String, path: &str, spans: &mut Vec<Span>) {
    let b = path.as_bytes();
    let (mut armed, mut from) = (false, 0);
    // Segment by segment (an index loop: a splitting iterator costs more code).
    loop {
        let end = find_any(b, from, b"/");
        let seg = path.get(from..end).unwrap_or("");
        if armed && id_like(seg.as_bytes()) {
            super::push_placeholder(out, Kind::Token, true);
        } else {
            mask_component(out, seg, false, spans);
            armed |= keys::is_secret_context(seg.as_bytes());
        }
        if end >= b.len() {
            return;
        }
        out.push('/');
        from = end + 1;
    }
}

/// `key=value&…` (query, or query-like fragment): drops denied keys, masks the rest.
/// Writes nothing when every parameter was dropped.
fn mask_params(out: &mut String, q: &str, rules: &UrlRules, spans: &mut Vec<Span>) {
    let b = q.as_bytes();
    let (mut first, mut from) = (true, 0);
    loop {
        let end = find_any(b, from, b"&");
        let (key, value) = cut(q.get(from..end).unwrap_or(""), b'=');
        if keep_key(key, rules) {
            if !first {
                out.push('&');
            }
            first = false;
            mask_component(out, key, true, spans);
            if let Some(v) = value {
                out.push('=');
                mask_component(out, v, true, spans);
            }
        }
        if end >= b.len() {
            return;
        }
        from = end + 1;
    }
}

/// Query with its `?`; the `?` goes too when masking emptied a non-empty query.
fn mask_query(out: &mut String, q: &str, rules: &UrlRules, spans: &mut Vec<Span>) {
    let mark = out.len();
    out.push('?');
    mask_params(out, q, rules, spans);
    if out.len() == mark + 1 && !q.is_empty() {
        out.truncate(mark);
    }
}

/// Fragment with its `#`. Query-like fragments (`#access_token=…&state=…`, OAuth implicit
/// flow) and hash-router queries (`#/reset?token=…`) get the query rules; the rest is a path.
fn mask_fragment(out: &mut String, frag: &str, rules: &UrlRules, spans: &mut Vec<Span>) {
    let mark = out.len();
    out.push('#');
    if let (path, Some(query)) = cut(frag, b'?') {
        mask_path(out, path, spans);
        mask_query(out, query, rules, spans);
    } else if find_any(frag.as_bytes(), 0, b"=") < frag.len() {
        mask_params(out, frag, rules, spans);
    } else {
        mask_path(out, frag, spans);
    }
    if out.len() == mark + 1 && !frag.is_empty() {
        out.truncate(mark);
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

/// Value of a hex digit, 16 for anything else.
fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 16,
    }
}

/// Decoded byte at raw index `i` and how many raw bytes it takes (3 for a `%XX` escape).
fn decoded_at(raw: &[u8], i: usize) -> (u8, usize) {
    let c = at(raw, i);
    // past the end reads as 0, not a hex digit
    let (hi, lo) = (hex_val(at(raw, i + 1)), hex_val(at(raw, i + 2)));
    if c == b'%' && hi < 16 && lo < 16 {
        (hi * 16 + lo, 3)
    } else {
        (c, 1)
    }
}

/// Percent-decodes `raw` (and `+` to space when `plus`).
/// (Into a copy of `raw`, written in place behind the reader and cut to length: no `push`
/// and its growth code.)
fn decode(raw: &[u8], plus: bool) -> Vec<u8> {
    let mut dec = raw.to_vec();
    let (mut i, mut len) = (0, 0);
    while i < raw.len() {
        let (c, n) = decoded_at(raw, i);
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
        i += decoded_at(raw, i).1;
    }
    i
}

/// Masks one component (path segment, query key or value): decode, detect, replace the raw
/// bytes of each finding. Query components are scanned twice when they hold a `+`: as a
/// literal plus (`jane+news@…`) and as an encoded space (`+44+20+7946+0958`).
/// (No fast path for components without escapes: decoding copies them as they are.)
fn mask_component(out: &mut String, raw: &str, query: bool, spans: &mut Vec<Span>) {
    spans.clear();
    let rb = raw.as_bytes();
    let mut dec = decode(rb, false);
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
        sp.start = raw_offset(rb, sp.start);
        sp.end = raw_offset(rb, sp.end);
    }
    push_masked(out, raw, spans, true);
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

