//! The wasm export in real headless Chromium (wasm-bindgen-test):
//! `cargo test --target wasm32-unknown-unknown --tests`. The JavaScript shell around it
//! is tested end to end (tests/e2e/); here: the compiled core, its two imports (the
//! browser's URL parser, and Web Crypto as the random source) and hostile input at the
//! wasm boundary.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = URL)]
    type Url;
    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new(input: &str, base: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn href(this: &Url) -> String;
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// The browser's URL parser, as js/wasm.js hands it to the release wasm.
fn resolve(input: &str, base: &str) -> Option<String> {
    Url::new(input, base).ok().map(|u| u.href())
}

fn hush(input: &str) -> String {
    hush::export::hush(input, resolve, get_random_values)
}


fn call(fields: &[&str]) -> String {
    let mut all = vec![fields[0], "1700000000000", "0", "https://shop.example/p/q/r?email=jane%40example.com", "Order for jane@example.com", ""];
    all.extend_from_slice(&fields[1..]);
    hush(&all.join("\u{1f}"))
}

#[wasm_bindgen_test]
fn the_export_masks_with_the_browsers_url_parser() {
    call(&["b", "0", "0", "", "", "", ""]);
    call(&["c", "setTrackerUrl", "shttps://collector.example/matomo.php"]);
    call(&["c", "setSiteId", "s1"]);
    // A relative custom URL is resolved by the browser's parser, IDN and all.
    call(&["c", "setCustomUrl", "s../a/b?x=1&token=abc#f"]);
    call(&["c", "trackPageView"]);
    call(&["c", "setCustomUrl", "shttps://BÜCHER.example/ä"]);
    call(&["c", "trackPageView"]);
    let out = call(&["c", "flush"]);
    assert!(out.contains("url=https%3A%2F%2Fshop.example%2Fp%2Fa%2Fb%3Fx%3D1"), "{out}");
    assert!(!out.contains("abc"), "deny-listed parameter removed: {out}");
    assert!(out.contains("xn--bcher-kva.example%2F%25C3%25A4"), "{out}");
    assert!(!out.contains("jane"), "no e-mail in any byte: {out}");
    let id = call(&["c", "getVisitorId"]);
    assert!(id.len() == 17 && id[1..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
}

#[wasm_bindgen_test]
fn hostile_input_is_answered_not_trapped() {
    call(&["b", "0", "0", "", "", "", ""]);
    let mut x: u32 = 0x9e37_79b9;
    let alphabet: Vec<char> = "bcokgtrhvnlufm0123456789abcdefnslmTFuzo\u{1f}\u{1e}-.:/?&=%é😀".chars().collect();
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..(x % 64) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            s.push(alphabet[x as usize % alphabet.len()]);
        }
        let _ = hush(&s);
    }
    // Still alive and answering.
    assert_eq!(call(&["c", "hasConsent"]), "t");
}
