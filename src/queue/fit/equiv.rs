//! The size rewrite of `cut` gives the same answers as the version it replaced (kept
//! here) on generated inputs.

use super::{cut, value_start};
use alloc::string::String;

fn cut_old(v: &str, cap: usize) -> &str {
    let b = v.as_bytes();
    let mut c = cap.min(b.len());
    while c > 0 {
        let in_escape = b.get(c - 1) == Some(&b'%') || (c >= 2 && b.get(c - 2) == Some(&b'%'));
        let mid_char = b.get(c) == Some(&b'%') && matches!(b.get(c + 1), Some(b'8' | b'9' | b'A' | b'B' | b'a' | b'b'));
        if !(in_escape || mid_char || !v.is_char_boundary(c)) {
            break;
        }
        c -= 1;
    }
    v.get(..c).unwrap_or("")
}

#[test]
fn cut_equals_the_old_version() {
    const PIECES: &[&str] = &["%", "8", "9", "A", "b", "B", "c", "F", "é", "€", "x", "%C3", "%A9", "%2", "&", "="];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut below = |n: usize| {
        x = crate::test_rng::step(x);
        (x % n as u64) as usize
    };
    for _ in 0..200_000 {
        let mut s = String::new();
        for _ in 0..below(10) {
            s.push_str(PIECES[below(PIECES.len())]);
        }
        let cap = below(s.len() + 3);
        assert_eq!(&s[..cut(&s, cap)], cut_old(&s, cap), "{s:?} {cap}");
    }
}

fn cuttable_old(seg: &str) -> Option<(&str, &str)> {
    let (k, v) = crate::bytes::split_once(seg, b'=')?;
    (!matches!(k.trim_start_matches('?'), "idsite" | "rec" | "_id" | "cid")).then_some((k, v))
}

#[test]
fn cuttable_equals_the_old_version() {
    const PIECES: &[&str] = &["?", "??", "=", "idsite", "rec", "_id", "cid", "id", "site", "é", "x", "&", "c", "\0", "idsitex"];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut below = |n: usize| {
        x = crate::test_rng::step(x);
        (x % n as u64) as usize
    };
    let mut kept = 0;
    for _ in 0..200_000 {
        let mut s = String::new();
        for _ in 0..below(5) {
            s.push_str(PIECES[below(PIECES.len())]);
        }
        let old = cuttable_old(&s);
        kept += (old.is_none() && s.contains('=')) as u32;
        let new = value_start(&s).map(|at| (&s[..at - 1], &s[at..]));
        assert_eq!(new, old, "{s:?}");
    }
    assert!(kept > 1_000, "{kept}");
}

/// `fit` before `value_start`: splits each segment into key and value and writes them back.
fn fit_old(q: &str, max: usize) -> Option<String> {
    let excess = q.len().checked_sub(max)?;
    let removed = |cap: usize| {
        let mut n = 0;
        for seg in crate::bytes::split(q, b'&') {
            if let Some((_, v)) = cuttable_old(seg) {
                n += v.len().saturating_sub(cap);
            }
        }
        n
    };
    if removed(0) < excess {
        return None;
    }
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
        match cuttable_old(seg) {
            Some((k, v)) if v.len() > lo => {
                out.push_str(k);
                out.push('=');
                out.push_str(cut_old(v, lo));
            }
            _ => out.push_str(seg),
        }
    }
    Some(out)
}

#[test]
fn fit_equals_the_old_version() {
    const PIECES: &[&str] = &["?", "idsite", "rec", "_id", "cid", "=", "&", "%", "%C3%A9", "%2", "é", "abcdefgh", "x", "9"];
    let mut x: u64 = 0xD1B5_4A32_D192_ED03;
    let mut below = |n: usize| {
        x = crate::test_rng::step(x);
        (x % n as u64) as usize
    };
    let (mut cut_some, mut none) = (0, 0);
    for _ in 0..100_000 {
        let mut q = String::new();
        for _ in 0..below(24) {
            q.push_str(PIECES[below(PIECES.len())]);
        }
        let max = below(q.len() + 4);
        let old = fit_old(&q, max);
        cut_some += old.as_ref().is_some_and(|o| *o != q) as u32;
        none += old.is_none() as u32;
        assert_eq!(super::fit(&q, max), old, "{q:?} {max}");
    }
    assert!(cut_some > 10_000 && none > 10_000, "{cut_some} {none}");
}
