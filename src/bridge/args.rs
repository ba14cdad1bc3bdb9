//! `_paq` arguments as the shell encodes them (one token per field, see `bridge`), read
//! in place: a command asks for argument `i` and gets it decoded from its token, and
//! lists and maps are walked over their tokens. No tree of values is built per command
//! (building it, its `Vec`s and their drop code cost more wasm than these walks).
//! Bounded like the shell: items per list, bytes per string. Nesting needs no bound
//! here: no command reads below the items of an argument, deeper tokens are only skipped.

use crate::bytes::Split;
use crate::command::Val;

/// Items read per list or map (the tokens of the others are skipped).
const MAX_ITEMS: usize = 64;
/// Longer strings are cut at a character boundary: no tracking field needs more.
const MAX_BYTES: usize = 4096;

/// The tokens of one command's arguments, as a cursor at the first one: each read walks
/// from there (a command reads a handful of short arguments).
pub(crate) struct Tokens<'a>(pub(crate) Split<'a>);

impl<'a> Tokens<'a> {
    /// The next argument, moving past it: `undefined` past the end, and from the first
    /// argument whose tokens run out (a list or map announcing more items than follow
    /// ends the arguments: the tokens stay run out).
    pub(crate) fn next_arg(&mut self) -> Val<'a> {
        next(&mut self.0).unwrap_or(Val::Undefined)
    }

    /// Argument `i` (as `next_arg` would read it after `i` others).
    #[cfg(test)]
    pub(crate) fn arg(&self, i: usize) -> Val<'a> {
        let mut t = Tokens(self.0.clone());
        for _ in 0..i {
            t.next_arg();
        }
        t.next_arg()
    }
}

/// The item at `it` of a list (`keyed` false: the key is empty) or a map, moving `it`
/// past it. Only called for items of a complete argument.
// Inlined into its callers (the list and map walks): 28 B gzip smaller than out of line.
#[inline(always)]
pub(crate) fn item<'a>(it: &mut Split<'a>, keyed: bool) -> (&'a str, Val<'a>) {
    let key = if keyed { it.next().unwrap_or("") } else { "" };
    (key, next(it).unwrap_or(Val::Undefined))
}

/// The value at `it`, moving past it (items of lists and maps included); `None` if the
/// tokens run out first. Lists and maps give a cursor at their items and how many to read.
fn next<'a>(it: &mut Split<'a>) -> Option<Val<'a>> {
    let tok = it.next()?;
    let rest = tok.get(1..).unwrap_or("");
    Some(match tok.as_bytes().first() {
        Some(b'u') => Val::Undefined,
        Some(b'z') => Val::Null,
        Some(b'T') => Val::Bool(true),
        Some(b'F') => Val::Bool(false),
        Some(b'n') => Val::Num(f64::from_bits(hex_u64(rest))),
        Some(b's') => Val::Str(cut(rest)),
        Some(&b) if b == b'l' || b == b'm' => {
            let items = it.clone();
            let n = count(rest);
            for _ in 0..n {
                if b == b'm' {
                    it.next()?;
                }
                next(it)?;
            }
            let n = (n as usize).min(MAX_ITEMS);
            if b == b'l' { Val::List(items, n) } else { Val::Map(items, n) }
        }
        _ => Val::Other,
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
    use alloc::vec::Vec;
    use alloc::{format, vec};

    /// A value as text, lists and maps walked: `[a, b]`, `{k: v}`.
    fn show(v: Val) -> String {
        show_at(v, 0)
    }

    /// As `show`, lists and maps from `depth` 3 down shown as `other`, as the old tree
    /// reader built them (no command reads below the items of an argument).
    fn show_at(v: Val, depth: u8) -> String {
        match v {
            Val::List(..) | Val::Map(..) if depth >= 3 => "other".into(),
            Val::Undefined => "undefined".into(),
            Val::Null => "null".into(),
            Val::Bool(b) => format!("{b}"),
            Val::Num(n) => format!("{n:?}"),
            Val::Str(s) => format!("{s:?}"),
            Val::List(mut it, n) => format!("[{}]", (0..n).map(|_| show_at(item(&mut it, false).1, depth + 1)).collect::<Vec<_>>().join(", ")),
            Val::Map(mut it, n) => {
                let pairs: Vec<String> = (0..n).map(|_| item(&mut it, true)).map(|(k, v)| format!("{k}: {}", show_at(v, depth + 1))).collect();
                format!("{{{}}}", pairs.join(", "))
            }
            Val::Other => "other".into(),
        }
    }

    /// The arguments of `s` (tokens joined by U+001F), until they read as `undefined`.
    fn all(s: &str) -> Vec<String> {
        let t = Tokens(split(s, 0x1f));
        (0..20).map(|i| show(t.arg(i))).take_while(|v| v != "undefined").collect()
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
        let input = ["z", "T", "F", &num(3.5), "sh\u{e9}llo", "l2", "sa", &num(-0.0), "m1", "maxHits", &num(5.0), "o", "u", "T"].join("\u{1f}");
        assert_eq!(all(&input), ["null", "true", "false", "3.5", "\"h\u{e9}llo\"", "[\"a\", -0.0]", "{maxHits: 5.0}", "other"]);
        let t = Tokens(split(&input, 0x1f));
        assert!(matches!(t.arg(8), Val::Undefined) && matches!(t.arg(9), Val::Bool(true)));
        assert!(matches!(t.arg(10), Val::Undefined));
    }

    #[test]
    fn numbers_are_exact() {
        for x in [0.1, 1e21, f64::NAN, f64::INFINITY, -f64::INFINITY, 5e-324, 19.99, 2.0f64.powi(60)] {
            let n = num(x);
            match Tokens(split(&n, 0x1f)).arg(0) {
                Val::Num(y) => assert_eq!(x.to_bits(), y.to_bits()),
                other => panic!("{}", show(other)),
            }
        }
    }

    #[test]
    fn hostile_shapes_are_bounded() {
        // A list announcing more items than follow ends the arguments.
        assert_eq!(all("sa\u{1f}l99999999\u{1f}sa"), ["\"a\""]);
        assert_eq!(all("m2\u{1f}k\u{1f}T\u{1f}k"), Vec::<String>::new());
        // Strings are cut at 4096 bytes, on a character boundary.
        let long = ["s", &"é".repeat(5000)].concat();
        match Tokens(split(&long, 0x1f)).arg(0) {
            Val::Str(s) => assert_eq!(s.len(), 4096),
            other => panic!("{}", show(other)),
        }
        // Lists read 64 items; the others are skipped, as is any depth of nesting.
        let many = ["l100".to_string(), vec!["T"; 100].join("\u{1f}"), "sz".into()].join("\u{1f}");
        assert!(matches!(Tokens(split(&many, 0x1f)).arg(0), Val::List(_, 64)));
        assert_eq!(all(&many)[1], "\"z\"");
        let deep = "l1\u{1f}l1\u{1f}m1\u{1f}k\u{1f}l1\u{1f}T\u{1f}F";
        assert_eq!(all(deep), ["[[{k: other}]]", "false"]);
        assert!(matches!(Tokens(split(deep, 0x1f)).arg(0), Val::List(_, 1)));
        assert_eq!(all(""), ["other"]);
    }

    /// The same values as the tree `command::old::read` built, for random token streams.
    #[test]
    fn reads_what_the_old_tree_reader_read() {
        use crate::command::Arg;
        fn show_tree(a: &Arg) -> String {
            match a {
                Arg::Undefined => "undefined".into(),
                Arg::Null => "null".into(),
                Arg::Bool(b) => format!("{b}"),
                Arg::Num(n) => format!("{n:?}"),
                Arg::Str(s) => format!("{s:?}"),
                Arg::List(l) => format!("[{}]", l.iter().map(show_tree).collect::<Vec<_>>().join(", ")),
                Arg::Map(m) => format!("{{{}}}", m.iter().map(|(k, v)| format!("{k}: {}", show_tree(v))).collect::<Vec<_>>().join(", ")),
                Arg::Other => "other".into(),
            }
        }
        let toks = ["u", "z", "T", "F", "n4008000000000000", "nfff8000000000000", "n12", "sa", "s", "s b ", "l0", "l1", "l2", "l3",
            "m0", "m1", "m2", "o", "", "x", "k", "l", "m", "l1x", "l70"];
        let mut x = 3u64;
        for _ in 0..100_000 {
            let mut t = Vec::new();
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            for _ in 0..(x >> 40) % 12 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                t.push(if (x >> 20) % 50 == 0 { "l100" } else { toks[(x >> 33) as usize % toks.len()] });
            }
            let s = t.join("\u{1f}");
            let old: Vec<String> = crate::command::old::read_all(&mut split(&s, 0x1f)).iter().map(show_tree).collect();
            let tokens = Tokens(split(&s, 0x1f));
            for i in 0..10 {
                let new = show(tokens.arg(i));
                match old.get(i) {
                    Some(o) => assert_eq!(&new, o, "{s:?} argument {i}"),
                    None if i >= 8 => {}
                    None => assert_eq!(new, "undefined", "{s:?} argument {i}"),
                }
            }
        }
    }
}
