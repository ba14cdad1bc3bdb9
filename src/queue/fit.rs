//! Shortening one hit that is too big for a request on its own.
//!
//! Rule: parameter values are cut, longest first, all down to one common length, the largest
//! that makes the query fit (so short values are untouched and long ones keep as much as
//! possible). Keys are never removed, and the values of `idsite`, `rec`, `_id` and `cid`
//! (routing and visit identity) are never cut. A cut never lands inside a `%XX` escape nor
//! inside a UTF-8 character spelled as several escapes, so the value still decodes.

use alloc::string::String;

#[cfg(test)]
mod equiv;

/// Values that may be shortened: every one but the routing and identity ones.
/// (A byte loop skips the leading `?`s: `trim_start_matches(char)` brings a char searcher.)
fn cuttable(seg: &str) -> Option<(&str, &str)> {
    let (k, v) = crate::bytes::split_once(seg, b'=')?;
    let b = k.as_bytes();
    let mut i = 0;
    while b.get(i).copied() == Some(b'?') {
        i += 1;
    }
    // Slice patterns: a length test and byte compares, no `bcmp` call per name.
    let kept = matches!(b.get(i..), Some([b'i', b'd', b's', b'i', b't', b'e'] | [b'r', b'e', b'c'] | [b'_' | b'c', b'i', b'd']));
    (!kept).then_some((k, v))
}

/// `q` shortened to at most `max` bytes, or None if even empty values would not fit.
pub(super) fn fit(q: &str, max: usize) -> Option<String> {
    let excess = q.len().checked_sub(max)?;
    // Bytes removed by cutting every cuttable value to `cap` (a loop, not an adapter chain).
    let removed = |cap: usize| {
        let mut n = 0;
        for seg in crate::bytes::split(q, b'&') {
            if let Some((_, v)) = cuttable(seg) {
                n += v.len().saturating_sub(cap);
            }
        }
        n
    };
    if removed(0) < excess {
        return None;
    }
    // Largest cap that removes enough: removed(lo) >= excess > removed(hi).
    let (mut lo, mut hi) = (0, q.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if removed(mid) >= excess {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mut out = String::with_capacity(max);
    for (i, seg) in crate::bytes::split(q, b'&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match cuttable(seg) {
            Some((k, v)) if v.len() > lo => {
                out.push_str(k);
                out.push('=');
                out.push_str(cut(v, lo));
            }
            _ => out.push_str(seg),
        }
    }
    Some(out)
}

/// The first `cap` bytes of an encoded value, or a little less: backs off while the cut
/// would split a `%XX` escape, a UTF-8 sequence (next byte is a continuation `%80`–`%BF`),
/// or a raw multi-byte character.
fn cut(v: &str, cap: usize) -> &str {
    let b = v.as_bytes();
    let mut c = cap.min(b.len());
    while c > 0 {
        // Option<u8> compares (`copied`), not Option<&u8> ones: those are calls in the wasm.
        let in_escape = b.get(c - 1).copied() == Some(b'%') || (c >= 2 && b.get(c - 2).copied() == Some(b'%'));
        let mid_char = b.get(c).copied() == Some(b'%') && matches!(b.get(c + 1), Some(b'8' | b'9' | b'A' | b'B' | b'a' | b'b'));
        if !(in_escape || mid_char || !v.is_char_boundary(c)) {
            break;
        }
        c -= 1;
    }
    v.get(..c).unwrap_or("")
}
