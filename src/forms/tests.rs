use super::*;
use crate::bridge::Bridge;

/// Drives the bridge as the shell would and returns the Form events it sends
/// (e_a / e_n / e_v of each hit), decoded from the bulk body.
struct Page {
    bridge: Bridge,
    now: u64,
    /// Everything the bridge answered so far.
    sent: String,
}

fn resolve(input: &str, _base: &str) -> Option<String> {
    Some(String::from(input))
}

impl Page {
    fn new() -> Self {
        let mut p = Page { bridge: Bridge::default(), now: 1_700_000_000_000, sent: String::new() };
        p.call(&["b", "0", "0", "", "", "", ""]);
        p.call(&["c", "setTrackerUrl", "s/matomo.php"]);
        p.call(&["c", "setSiteId", "s1"]);
        p.call(&["c", "enableFormAnalytics"]);
        p
    }

    fn call(&mut self, fields: &[&str]) -> String {
        let now = self.now.to_string();
        let mut all = alloc::vec![fields[0], &now, "0", "https://shop.example/checkout", "Checkout", ""];
        all.extend_from_slice(&fields[1..]);
        let out = self.bridge.call(&all.join("\u{1f}"), resolve, crate::test_rng::fill);
        self.sent.push_str(&out);
        out
    }

    fn wait(&mut self, ms: u64) {
        self.now += ms;
    }

    /// Flushes and returns `action name value` of each Form event sent.
    fn events(&mut self) -> Vec<String> {
        self.call(&["c", "flush"]);
        let out = core::mem::take(&mut self.sent);
        let mut events = Vec::new();
        for hit in out.split("&e_c=Form").skip(1) {
            let get = |k: &str| hit.split('&').find_map(|p| p.strip_prefix(k)).unwrap_or("-").split('"').next().unwrap().to_string();
            events.push([get("e_a="), get("e_n="), get("e_v=")].join(" "));
        }
        events
    }
}

const FORM: [&str; 5] = ["0", "0", "signup", "", "0"];

fn field<'a>(masked: &'a str, kind: &'a str, name: &'a str, id: &'a str, ac: &'a str) -> [&'a str; 5] {
    [masked, kind, name, id, ac]
}

fn ev(p: &mut Page, e: &str, form: [&str; 5], field: Option<[&str; 5]>) {
    let mut f = alloc::vec!["f", e];
    f.extend_from_slice(&form);
    if let Some(x) = field {
        f.extend_from_slice(&x);
    }
    p.call(&f);
}

#[test]
fn view_start_field_submit_by_name_only() {
    let mut p = Page::new();
    ev(&mut p, "v", FORM, None);
    ev(&mut p, "i", FORM, Some(field("0", "text", "nickname", "", "")));
    p.wait(1500);
    ev(&mut p, "c", FORM, None);
    ev(&mut p, "o", FORM, None);
    p.wait(500);
    ev(&mut p, "s", FORM, None);
    assert_eq!(p.events(), ["view signup -", "start signup -", "field signup%2Fnickname 1500", "submit signup 2000"]);
}

#[test]
fn sensitive_and_masked_fields_are_never_named() {
    let cases = [
        field("0", "password", "secret_word", "", ""),
        field("0", "EMAIL", "contact", "", ""),
        field("0", "tel", "x", "", ""),
        field("0", "text", "x", "", "shipping cc-number"),
        field("0", "text", "x", "", "one-time-code"),
        field("0", "text", "x", "", "TEL-national"),
        field("0", "text", "email", "", ""),
        field("0", "text", "", "card_number", ""),
        field("1", "text", "nickname", "", ""),
    ];
    for c in cases {
        let mut p = Page::new();
        ev(&mut p, "i", FORM, Some(c));
        ev(&mut p, "o", FORM, None);
        let events = p.events();
        assert_eq!(events[2], "field signup%2Fmasked 0", "{c:?}: {events:?}");
    }
}

#[test]
fn names_fall_back_to_id_then_index() {
    let mut p = Page::new();
    ev(&mut p, "v", ["0", "0", "", "login-box", "0"], None);
    ev(&mut p, "v", ["1", "0", "", "", "3"], None);
    ev(&mut p, "v", ["2", "1", "newsletter", "", "4"], None);
    ev(&mut p, "i", ["0", "0", "", "login-box", "0"], Some(field("0", "text", "", "", "")));
    ev(&mut p, "o", ["0", "0", "", "login-box", "0"], None);
    assert_eq!(p.events(), ["view login-box -", "view form3 -", "view masked -", "start login-box -", "field login-box%2Ffield 0"]);
}

#[test]
fn abandon_once_per_start_and_not_after_submit() {
    let mut p = Page::new();
    ev(&mut p, "c", FORM, None);
    p.wait(700);
    ev(&mut p, "a", FORM, None);
    ev(&mut p, "a", FORM, None);
    ev(&mut p, "c", FORM, None);
    ev(&mut p, "s", FORM, None);
    ev(&mut p, "a", FORM, None);
    assert_eq!(p.events(), ["view signup -", "start signup -", "abandon signup 700", "start signup -", "submit signup 0"]);
}

#[test]
fn slots_out_of_order_are_ignored() {
    let mut p = Page::new();
    ev(&mut p, "v", ["5", "0", "late", "", "0"], None);
    ev(&mut p, "v", ["-1", "0", "neg", "", "0"], None);
    ev(&mut p, "v", ["x", "0", "nan", "", "0"], None);
    assert!(p.events().is_empty());
}
