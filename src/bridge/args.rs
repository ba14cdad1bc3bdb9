//! `_paq` arguments as the shell encodes them (one token per field, see `bridge`), back
//! into [`Arg`]s. Bounded like the shell: depth, items per list, bytes per string.

use crate::bytes::Split;
use crate::command::Arg;
use alloc::vec::Vec;

/// Arguments read per command (more than any command takes; the rest are dropped).
pub const MAX_ARGS: usize = 8;
const MAX_DEPTH: u8 = 3;
const MAX_ITEMS: usize = 64;
/// Longer strings are cut at a character boundary: no tracking field needs more.
const MAX_BYTES: usize = 4096;

/// The next argument, `None` when the tokens have run out (or a list or map announced
/// more items than follow).
pub fn read<'a>(it: &mut Split<'a>, depth: u8) -> Option<Arg<'a>> {
    let tok = it.next()?;
    let rest = tok.get(1..).unwrap_or("");
    Some(match tok.as_bytes().first() {
        Some(b'u') => Arg::Undefined,
        Some(b'z') => Arg::Null,
        Some(b'T') => Arg::Bool(true),
        Some(b'F') => Arg::Bool(false),
        Some(b'n') => Arg::Num(f64::from_bits(hex_u64(rest))),
        Some(b's') => Arg::Str(cut(rest)),
        Some(b'l') => {
            let mut list = Vec::new();
            for _ in 0..count(rest) {
                let a = read(it, depth + 1)?;
                if list.len() < MAX_ITEMS {
                    list.push(a);
                }
            }
            if depth >= MAX_DEPTH { Arg::Other } else { Arg::List(list) }
        }
        Some(b'm') => {
            let mut map = Vec::new();
            for _ in 0..count(rest) {
                let key = it.next()?;
                let value = read(it, depth + 1)?;
                if map.len() < MAX_ITEMS {
                    map.push((cut(key), value));
                }
            }
            if depth >= MAX_DEPTH { Arg::Other } else { Arg::Map(map) }
        }
        _ => Arg::Other,
    })
}

/// A list or map length (bounded: the shell never sends more than 64).
fn count(s: &str) -> u32 {
    let mut n: u32 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() || n > 1000 {
            break;
        }
        n = n * 10 + (b - b'0') as u32;
    }
    n
}

/// 16 hex digits, the bits of an f64 (non-digits read as 0: the shell never sends them).
fn hex_u64(s: &str) -> u64 {
    let mut v: u64 = 0;
    for b in s.bytes().take(16) {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => 0,
        };
        v = v << 4 | d as u64;
    }
    v
}

fn cut(s: &str) -> &str {
    let mut end = s.len().min(MAX_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::split;
    use alloc::string::String;
    use alloc::vec;

    fn all(s: &str) -> Vec<Arg<'_>> {
        let mut it = split(s, 0x1f);
        let mut out = Vec::new();
        while let Some(a) = read(&mut it, 0) {
            out.push(a);
        }
        out
    }

    fn num(x: f64) -> String {
        let mut s = String::from("n");
        for i in (0..16).rev() {
            s.push(char::from_digit((x.to_bits() >> (i * 4) & 15) as u32, 16).unwrap());
        }
        s
    }

    #[test]
    fn reads_every_kind() {
        let input = ["u", "z", "T", "F", &num(3.5), "sh\u{e9}llo", "l2", "sa", &num(-0.0), "m1", "maxHits", &num(5.0), "o"].join("\u{1f}");
        assert_eq!(
            all(&input),
            vec![
                Arg::Undefined,
                Arg::Null,
                Arg::Bool(true),
                Arg::Bool(false),
                Arg::Num(3.5),
                Arg::Str("h\u{e9}llo".into()),
                Arg::List(vec![Arg::Str("a".into()), Arg::Num(-0.0)]),
                Arg::Map(vec![("maxHits".into(), Arg::Num(5.0))]),
                Arg::Other,
            ]
        );
    }

    #[test]
    fn numbers_are_exact() {
        for x in [0.1, 1e21, f64::NAN, f64::INFINITY, -f64::INFINITY, 5e-324, 19.99, 2.0f64.powi(60)] {
            match all(&num(x)).as_slice() {
                [Arg::Num(y)] => assert_eq!(x.to_bits(), y.to_bits()),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn hostile_shapes_are_bounded() {
        // A list announcing more items than follow ends the arguments.
        assert_eq!(all("l99999999\u{1f}sa"), vec![]);
        // Strings are cut at 4096 bytes, on a character boundary.
        let long = ["s", &"é".repeat(5000)].concat();
        match all(&long).as_slice() {
            [Arg::Str(s)] => assert_eq!(s.len(), 4096),
            other => panic!("{other:?}"),
        }
        // Lists keep 64 items; deeper than 3 levels is Other.
        let many = ["l100".to_string(), vec!["T"; 100].join("\u{1f}")].join("\u{1f}");
        assert!(matches!(all(&many).as_slice(), [Arg::List(l)] if l.len() == 64));
        assert_eq!(all("l1\u{1f}l1\u{1f}l1\u{1f}l1\u{1f}T"), vec![Arg::List(vec![Arg::List(vec![Arg::List(vec![Arg::Other])])])]);
        assert_eq!(all(""), vec![Arg::Other]);
    }
}
