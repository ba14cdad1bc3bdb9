//! The href parsing the core did before the shell sent the browser's parts of a clicked
//! link. Not in the wasm: kept for native callers that have an href but no browser (the
//! tracker's tests, the command fuzzer) and as the reference of the equivalence test.

use super::Click;

impl<'a> Click<'a> {
    /// What the browser's anchor getters give for `href` on a page at `page_url`, both
    /// absolute and as the browser serializes them (`scheme://authority/path…`; the
    /// browser also lowers the scheme and host, which `classify` does not need).
    pub fn from_href(href: &'a str, classes: &'a str, download_attr: bool, page_url: &'a str) -> Self {
        // No "://": a mailto:, tel:, javascript: … link, never a web protocol.
        let (protocol, host, path) = match split_scheme(href) {
            Some((scheme, rest)) => (&href[..scheme.len() + 1], host_of(rest), pathname(rest)),
            None => ("", "", ""),
        };
        let page_host = split_scheme(page_url).map_or("", |(_, rest)| host_of(rest));
        Click { classes, download_attr, protocol, host, path, page_host }
    }
}

// split_scheme, until, after_last and host_of as they were in the wasm.

/// `(scheme, rest)` around the first "://" (a byte scan: no substring searcher in the wasm).
pub(super) fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let b = url.as_bytes();
    let mut i = 0;
    while b.get(i..i + 3)? != b"://" {
        i += 1;
    }
    Some((url.get(..i)?, url.get(i + 3..)?))
}

/// `s` up to the first ASCII byte in `stops` (all of `s` if none).
pub(super) fn until<'a>(s: &'a str, stops: &[u8]) -> &'a str {
    let b = s.as_bytes();
    let mut end = 0;
    'scan: while end < b.len() {
        for &stop in stops {
            if b[end] == stop {
                break 'scan;
            }
        }
        end += 1;
    }
    s.get(..end).unwrap_or(s)
}

/// `s` after the last ASCII byte `sep`, if there is one.
fn after_last(s: &str, sep: u8) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = b.len();
    while i > 0 {
        if b[i - 1] == sep {
            return s.get(i..);
        }
        i -= 1;
    }
    None
}

/// Host (no port, no credentials) from `host/path…`, in the case it was written; an IPv6
/// address without its brackets (as the shell sends `hostname`).
pub(super) fn host_of(rest: &str) -> &str {
    let authority = until(rest, b"/?#");
    let host_port = after_last(authority, b'@').unwrap_or(authority);
    match host_port.strip_prefix('[') {
        Some(v6) => until(v6, b"]"),
        None => until(host_port, b":"),
    }
}

/// `pathname`: the path without query and fragment; `/` when there is none.
fn pathname(rest: &str) -> &str {
    let path = until(&rest[until(rest, b"/?#").len()..], b"?#");
    if path.is_empty() { "/" } else { path }
}
