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

/// Where the value of `seg` (`key=value`) starts, after its first `=`, when that value may
/// be shortened: every one but the routing and identity ones (leading `?`s of the key
/// ignored). None too for a segment without `=`. One byte walk, no `split_once`.
fn value_start(seg: &str) -> Option<usize> {
    let b = seg.as_bytes();
    let mut i = 0;
    while b.get(i).copied() == Some(b'?') {
        i += 1;
    }
    let name_start = i;
    // The name's bytes packed in one integer: four integer compares instead of a byte
    // compare chain per name (with its length on top once known: no prefix confusions).
    let mut packed: u64 = 0;
    loop {
        match b.get(i).copied() {
            None => return None,
            Some(b'=') => break,
            Some(c) => packed = packed << 8 | c as u64,
        }
        i += 1;
    }
    let len = i - name_start;
    // Names over 7 bytes cannot be kept ones (and would overflow the packing).
    let kept = len < 8 && matches!(packed | (len as u64) << 56, IDSITE | REC | UNDERSCORE_ID | CID);
    (!kept).then_some(i + 1)
}

/// What `value_start` compares: the name's bytes, its length in the top byte.
const fn pack(name: &[u8]) -> u64 {
    let mut packed = (name.len() as u64) << 56;
    let mut i = 0;
    while i < name.len() {
        packed |= (name[i] as u64) << (8 * (name.len() - 1 - i));
        i += 1;
    }
    packed
}
const IDSITE: u64 = pack(b"idsite");
const REC: u64 = pack(b"rec");
const UNDERSCORE_ID: u64 = pack(b"_id");
const CID: u64 = pack(b"cid");

/// The cuttable value of `seg` and where it starts, if any.
fn cuttable_value(seg: &str) -> Option<(usize, &str)> {
    let at = value_start(seg)?;
    Some((at, seg.get(at..).unwrap_or_default()))
}

/// `q` shortened to at most `max` bytes, or None if even empty values would not fit.
pub(super) fn fit(q: &str, max: usize) -> Option<String> {
    let excess = q.len().checked_sub(max)?;
    let mut out = String::new();
    // Largest cap that removes enough: removed(lo) >= excess > removed(hi), if any cap does
    // (removed(0) is the most any cap removes; when it is not enough the search ends at 0
    // and the written walk says so: no walk of its own to ask first).
    let (mut lo, mut hi) = (0, q.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if shorten(q, mid, &mut out, false) >= excess {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (shorten(q, lo, &mut out, true) >= excess).then_some(out)
}

/// One walk for both jobs: returns the bytes removed by cutting every cuttable value to
/// `cap` (the measure the search uses), and when `write`, appends the shortened query to
/// `out` (each segment out is a prefix of the segment in: its key, `=` and the cut value).
fn shorten(q: &str, cap: usize, out: &mut String, write: bool) -> usize {
    let (mut removed, mut first) = (0, true);
    for seg in crate::bytes::split(q, b'&') {
        let mut keep = seg.len();
        if let Some((at, v)) = cuttable_value(seg) {
            removed += v.len().saturating_sub(cap);
            if v.len() > cap {
                keep = at + cut(v, cap);
            }
        }
        if write {
            if !first {
                out.push('&');
            }
            first = false;
            out.push_str(seg.get(..keep).unwrap_or_default());
        }
    }
    removed
}

/// How many of the first `cap` bytes of an encoded value to keep, or a little less: backs
/// off while the cut would split a `%XX` escape, a UTF-8 sequence (next byte is a
/// continuation `%80`–`%BF`), or a raw multi-byte character. A length, not the slice: the
/// cut is on a character boundary by then (no checked `get` to take it).
fn cut(v: &str, cap: usize) -> usize {
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
    c
}
