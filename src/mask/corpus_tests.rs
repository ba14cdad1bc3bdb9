//! Corpus tests: `tests/corpus/leaks.json` (every marker must disappear) and
//! `tests/corpus/keep.json` (every input must come out unchanged), plus the native benchmark.
//! The same files feed the browser end-to-end tests.

use super::{mask_text, mask_url, UrlRules};
use alloc::string::String;
use alloc::vec::Vec;
use std::{format, println};

const LEAKS: &str = include_str!("../../tests/corpus/leaks.json");
const KEEP: &str = include_str!("../../tests/corpus/keep.json");

// ---- minimal JSON reader (test-only; the crate has no dependencies) ------------------

#[derive(Debug)]
enum Json {
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    Other,
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a string: {self:?}"),
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(self.b[self.i], c, "JSON: expected {} at byte {}", c as char, self.i);
        self.i += 1;
    }
    fn value(&mut self) -> Json {
        self.ws();
        match self.b[self.i] {
            b'"' => Json::Str(self.string()),
            b'[' => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(v);
                }
                loop {
                    v.push(self.value());
                    self.ws();
                    self.i += 1;
                    if self.b[self.i - 1] == b']' {
                        return Json::Arr(v);
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut v = Vec::new();
                self.ws();
                if self.b[self.i] == b'}' {
                    self.i += 1;
                    return Json::Obj(v);
                }
                loop {
                    self.ws();
                    let k = self.string();
                    self.eat(b':');
                    v.push((k, self.value()));
                    self.ws();
                    self.i += 1;
                    if self.b[self.i - 1] == b'}' {
                        return Json::Obj(v);
                    }
                }
            }
            _ => {
                while !matches!(self.b[self.i], b',' | b']' | b'}') {
                    self.i += 1;
                }
                Json::Other
            }
        }
    }
    fn hex4(&mut self) -> u32 {
        let s = core::str::from_utf8(&self.b[self.i..self.i + 4]).unwrap();
        self.i += 4;
        u32::from_str_radix(s, 16).unwrap()
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = Vec::new();
        loop {
            let c = self.b[self.i];
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).unwrap(),
                b'\\' => {
                    let e = self.b[self.i];
                    self.i += 1;
                    let ch = match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let mut u = self.hex4();
                            if (0xd800..0xdc00).contains(&u) {
                                self.i += 2; // \u of the low surrogate
                                u = 0x10000 + ((u - 0xd800) << 10) + (self.hex4() - 0xdc00);
                            }
                            char::from_u32(u).unwrap()
                        }
                        other => other as char,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }
}

fn cases(src: &str) -> Vec<Json> {
    let root = Reader { b: src.as_bytes(), i: 0 }.value();
    assert!(root.get("_doc").is_some(), "corpus needs a _doc line");
    match root {
        Json::Obj(mut fields) => match fields.pop() {
            Some((k, Json::Arr(v))) if k == "cases" => v,
            _ => panic!("root must end with \"cases\": [...]"),
        },
        _ => panic!("root must be an object"),
    }
}

/// Masks one corpus case the way the tracker would for its kind.
fn mask_case(case: &Json) -> String {
    let input = case.get("input").expect("input").str();
    match case.get("kind").expect("kind").str() {
        "url" | "referrer" => mask_url(input, &UrlRules::default()),
        "title" | "event" | "search" | "dimension" => mask_text(input),
        k => panic!("unknown kind {k}"),
    }
}

/// Percent-decoding and `+`-as-space, as any reader of the hit could apply.
fn decode_loose(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i + 1..i + 3).and_then(|h| core::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn corpus_has_no_leaks() {
    let all = cases(LEAKS);
    assert!(all.len() >= 110, "corpus has {} cases", all.len());
    let mut markers = std::collections::HashSet::new();
    let mut leaks = Vec::new();
    for case in &all {
        let input = case.get("input").unwrap().str();
        let marker = case.get("marker").expect("marker").str();
        assert!(input.contains(marker), "marker {marker} not in its input {input}");
        assert!(markers.insert(marker), "duplicate marker {marker}");
        let out = mask_case(case);
        let twice = decode_loose(&decode_loose(&out));
        let plain_marker = decode_loose(marker);
        if out.contains(marker) || decode_loose(&out).contains(&plain_marker) || twice.contains(&plain_marker) {
            leaks.push(format!("{marker}\n    in:  {input}\n    out: {out}"));
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    println!("leak corpus: {} cases, 0 leaks", all.len());
}

#[test]
fn keep_list_is_unchanged() {
    let all = cases(KEEP);
    assert!(all.len() >= 40, "keep list has {} cases", all.len());
    let changed: Vec<String> = all
        .iter()
        .filter_map(|case| {
            let input = case.get("input").unwrap().str();
            let out = mask_case(case);
            (out != input).then(|| format!("    in:  {input}\n    out: {out}"))
        })
        .collect();
    assert!(changed.is_empty(), "{} false positives:\n{}", changed.len(), changed.join("\n"));
}

#[test]
fn masking_is_idempotent() {
    for case in cases(LEAKS).iter().chain(cases(KEEP).iter()) {
        let once = mask_case(case);
        let again = match case.get("kind").unwrap().str() {
            "url" | "referrer" => mask_url(&once, &UrlRules::default()),
            _ => mask_text(&once),
        };
        assert_eq!(once, again);
    }
}

/// `cargo test --release -- --ignored --nocapture bench_`
#[test]
#[ignore]
fn bench_mask_typical() {
    let url = "https://shop.example.com/collections/summer-2024/products/linen-shirt-blue?variant=40123456789&utm_source=newsletter&utm_medium=email#reviews";
    let title = "Linen Shirt – Blue | Summer 2024 Collection | Example Shop";
    let rules = UrlRules::default();
    let n = 100_000u32;
    let mut sink = 0usize;
    let t = std::time::Instant::now();
    for _ in 0..n {
        sink += mask_url(core::hint::black_box(url), &rules).len();
        sink += mask_text(core::hint::black_box(title)).len();
    }
    let ns = t.elapsed().as_nanos() / n as u128;
    println!("bench_mask_typical: {ns} ns/op (mask_url + mask_text, {} bytes in)", url.len() + title.len());
    assert!(sink > 0);
}
#[test]
#[ignore]
fn dump_corpus() {
    for case in cases(LEAKS) {
        println!("{}\n  -> {}", case.get("input").unwrap().str(), mask_case(&case));
    }
}
