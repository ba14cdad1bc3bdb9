//! The browser shell in real headless Chromium (wasm-bindgen-test):
//! `cargo test --target wasm32-unknown-unknown --tests`.
#![cfg(target_arch = "wasm32")]

use hush::command::Arg;
use hush::host::Host;
use hush::shell::{args::to_arg, browser::BrowserHost};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn arr(items: &[JsValue]) -> JsValue {
    items.iter().collect::<Array>().into()
}

#[wasm_bindgen_test]
fn host_reads_the_page_and_uses_the_browsers_url_parser() {
    let host = BrowserHost;
    let doc = web_sys::window().unwrap().document().unwrap();
    assert_eq!(host.page().url, doc.url().unwrap());
    assert_eq!(host.page().title, doc.title());
    assert_eq!(host.resolve_url("../a/b?x=1#f", "https://shop.example/p/q/r").as_deref(), Some("https://shop.example/p/a/b?x=1#f"));
    assert_eq!(host.resolve_url("https://BÜCHER.example/ä", "https://x.example/").as_deref(), Some("https://xn--bcher-kva.example/%C3%A4"));
    assert_eq!(host.resolve_url("http://[::1", "https://x.example/"), None);
}

#[wasm_bindgen_test]
fn host_randomness_comes_from_web_crypto() {
    let mut host = BrowserHost;
    let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
    host.random(&mut a);
    host.random(&mut b);
    assert_ne!(a, b);
    assert_ne!(a, [0u8; 16]);
}

#[wasm_bindgen_test]
fn local_time_matches_the_date_object() {
    let host = BrowserHost;
    let d = js_sys::Date::new_0();
    let [h, m, _] = host.local_hms(d.get_time());
    assert_eq!((h as u32, m as u32), (d.get_hours(), d.get_minutes()));
}

#[wasm_bindgen_test]
fn hostile_values_become_bounded_args() {
    let huge = "x".repeat(1 << 20);
    assert!(matches!(to_arg(&JsValue::from_str(&huge), 0), Arg::Str(s) if s.len() == 4096));
    let mut deep = arr(&[]);
    for _ in 0..50 {
        deep = arr(&[deep]);
    }
    let mut depth = 0;
    let mut cur = to_arg(&deep, 0);
    while let Arg::List(mut items) = cur {
        depth += 1;
        cur = items.pop().unwrap_or(Arg::Undefined);
    }
    assert!(depth <= 3, "nesting is cut at depth 3, got {depth}");
    let body: JsValue = web_sys::window().unwrap().document().unwrap().body().unwrap().into();
    assert_eq!(to_arg(&body, 0), Arg::Other, "DOM nodes are not option maps");
    let f = Closure::<dyn Fn()>::new(|| {}).into_js_value();
    assert_eq!(to_arg(&f, 0), Arg::Other);
    let obj = Object::new();
    Reflect::set(&obj, &"maxHits".into(), &JsValue::from_f64(5.0)).unwrap();
    let got = to_arg(&obj, 0);
    assert_eq!(got, Arg::Map(vec![("maxHits".into(), Arg::Num(5.0))]), "{got:?}");
    assert!(matches!(to_arg(&JsValue::from_f64(f64::NAN), 0), Arg::Num(n) if n.is_nan()), "NaN is left to the parser to refuse");
}

#[wasm_bindgen_test]
fn push_never_throws_and_getters_answer() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let before = storage.length().unwrap();
    hush::shell::boot(Array::new(), Object::new().into());
    for garbage in [JsValue::NULL, JsValue::from_f64(5.0), arr(&[JsValue::NULL]), arr(&["trackEvent".into(), Object::new().into()]), arr(&["noSuchCommand".into()])] {
        assert!(hush::shell::push(garbage).is_undefined());
    }
    let id = hush::shell::push(arr(&["getVisitorId".into()])).as_string().unwrap();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(hush::shell::push(arr(&["hasConsent".into()])), JsValue::TRUE);
    assert!(hush::shell::check(arr(&["setSiteId".into(), "abc".into()])).unwrap().contains("setSiteId"));
    assert_eq!(hush::shell::check(arr(&["setSiteId".into(), "4".into()])), None);
    assert_eq!(storage.length().unwrap(), before, "no storage written without consent");
}
