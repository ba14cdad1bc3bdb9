//! The Matomo Tracking HTTP API on the wire: percent-encoded query strings and the bulk
//! body `{"requests":["?…","?…"]}`.

use alloc::string::String;

/// Matomo's limits on one bulk request, from SPEC §6.
pub const MAX_HITS_PER_REQUEST: usize = 50;
/// Bodies stay under this many bytes (sendBeacon and keepalive fetch allow 64 KiB in all).
pub const MAX_BODY_BYTES: usize = 60_000;

/// Appends `s` percent-encoded exactly as `encodeURIComponent` does, which is what
/// matomo.js sends and what every Matomo-compatible collector decodes.
pub fn push_encoded(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')');
        if keep {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// Length in bytes that `query` adds to a bulk body: the quoted string and a comma.
pub fn body_cost(query: &str) -> usize {
    query.len() + 3
}

/// Opens the next query of a bulk body being written: `{"requests":["` first, then `,"`.
/// The caller writes the query and its closing `"` (see `body_end`). Encoded queries hold
/// only unreserved ASCII, `%`, `=`, `&` and `?`, so no JSON escaping is needed.
pub fn body_next(body: &mut String) {
    body.push_str(if body.is_empty() { "{\"requests\":[\"" } else { ",\"" });
}

/// Closes a body `body_next` opened: `{"requests":[…]}`.
pub fn body_end(body: &mut String) {
    if body.is_empty() {
        body.push_str("{\"requests\":[");
    }
    body.push_str("]}");
}

/// `{"requests":[…]}` in one go.
#[cfg(test)]
pub fn bulk_body<'a>(queries: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for q in queries {
        body_next(&mut out);
        out.push_str(q);
        out.push('"');
    }
    body_end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_encode_uri_component() {
        let mut s = String::new();
        push_encoded(&mut s, "a b&c=d/é?#+%\"\\'()*~!");
        assert_eq!(s, "a%20b%26c%3Dd%2F%C3%A9%3F%23%2B%25%22%5C'()*~!");
    }

    #[test]
    fn query_and_body() {
        let mut h = crate::hit::Hit::new(0.0);
        h.set("idsite", "1");
        h.set("action_name", "Home & Garden");
        h.num("revenue", -0.5);
        h.int("h", 7);
        assert_eq!(h.q, "&idsite=1&action_name=Home%20%26%20Garden&revenue=-0.5&h=7");
        let q = String::from("?idsite=1&action_name=Home%20%26%20Garden");
        assert_eq!(bulk_body([q.as_str(), "?idsite=2"].into_iter()), "{\"requests\":[\"?idsite=1&action_name=Home%20%26%20Garden\",\"?idsite=2\"]}");
        assert_eq!(body_cost(&q), q.len() + 3);
        assert_eq!(bulk_body([].into_iter()), "{\"requests\":[]}");
    }
}

/// Appends `s` as a JSON string literal (ecommerce `ec_items`, `_pkc`).
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        // Quote, backslash and control characters take a backslash; a control character
        // is then written `u00XX`.
        let control = c < ' ';
        if control || c == '"' || c == '\\' {
            out.push('\\');
        }
        if control {
            out.push_str("u00");
            crate::numfmt::push_hex(out, &[c as u8]);
        } else {
            out.push(c);
        }
    }
    out.push('"');
}

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\nd");
        assert_eq!(s, "\"a\\\"b\\\\c\\u000ad\"");
    }

    /// `push_json_str` before the size pass (one match arm per escape).
    fn push_json_str_old(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => {
                    out.push_str("\\u00");
                    crate::numfmt::push_hex(out, &[c as u8]);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    #[test]
    fn json_strings_as_before() {
        // Controls, the two escaped characters, ASCII, DEL, 2-, 3- and 4-byte characters.
        const POOL: &[char] = &['\0', '\n', '\u{1f}', ' ', '"', '\\', '/', 'a', '~', '\u{7f}', 'é', '\u{2028}', '日', '😀'];
        let mut x = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            x = crate::test_rng::step(x);
            let text: String = (0..x % 9).map(|i| POOL[(x >> (8 + 4 * i)) as usize % POOL.len()]).collect();
            let (mut new, mut old) = (String::from("x"), String::from("x"));
            push_json_str(&mut new, &text);
            push_json_str_old(&mut old, &text);
            assert_eq!(new, old, "{text:?}");
        }
    }
}

/// The one query of a one-hit bulk body (for GET requests).
pub fn single_query(body: &str) -> Option<&str> {
    let q = body.strip_prefix("{\"requests\":[\"")?.strip_suffix("\"]}")?;
    (!q.bytes().any(|b| b == b'"')).then_some(q)
}
