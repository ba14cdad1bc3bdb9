use super::*;

fn resolve(input: &str, base: &str) -> Option<String> {
    if input.starts_with("http") {
        Some(String::from(input))
    } else {
        Some([base.split('?').next().unwrap_or(base), input].concat())
    }
}

fn call(b: &mut Bridge, fields: &[&str]) -> String {
    let mut all = alloc::vec![fields[0], "1700000000000", "-60", "https://shop.example/a?b=1", "Shop", ""];
    all.extend_from_slice(&fields[1..]);
    b.call(&all.join("\u{1f}"), resolve, crate::test_rng::fill)
}

fn records(out: &str) -> Vec<Vec<&str>> {
    out.split(RS).map(|r| r.split(FS).collect()).collect()
}

fn booted() -> Bridge {
    let mut b = Bridge::default();
    call(&mut b, &["b", "0", "0", "", "", "", ""]);
    b
}

#[test]
fn nothing_runs_before_boot() {
    let mut b = Bridge::default();
    assert_eq!(call(&mut b, &["c", "getVisitorId"]), "");
    call(&mut b, &["b", "0", "0", "", "", "", ""]);
    let id = call(&mut b, &["c", "getVisitorId"]);
    assert!(id.starts_with('s') && id.len() == 17, "{id}");
}

/// Every ID comes from the random source the shell hands in (crypto.getRandomValues in
/// the browser), not from anything hush derives itself.
#[test]
fn ids_come_from_the_random_source() {
    fn zeros(buf: &mut [u8]) {
        buf.fill(0);
    }
    let mut b = Bridge::default();
    let call0 = |b: &mut Bridge, f: &[&str]| {
        let mut all = alloc::vec![f[0], "1700000000000", "0", "https://shop.example/", "Shop", ""];
        all.extend_from_slice(&f[1..]);
        b.call(&all.join("\u{1f}"), resolve, zeros)
    };
    call0(&mut b, &["b", "0", "0", "", "", "", ""]);
    assert_eq!(call0(&mut b, &["c", "getVisitorId"]), "s0000000000000000");
    let (x, y) = (call(&mut booted(), &["c", "getVisitorId"]), call(&mut booted(), &["c", "getVisitorId"]));
    assert_ne!(x, y, "another draw, another ID");
}

#[test]
fn a_page_view_is_sent_on_flush_with_local_time() {
    let mut b = booted();
    call(&mut b, &["c", "setTrackerUrl", "s/matomo.php"]);
    call(&mut b, &["c", "setSiteId", "s3"]);
    call(&mut b, &["c", "trackPageView"]);
    let out = call(&mut b, &["c", "flush"]);
    let recs = records(&out);
    assert_eq!(recs[0], [""]);
    let send = recs.iter().find(|r| r[0] == "S").expect("a send");
    assert_eq!(send[2], "/matomo.php");
    assert_eq!(send[3], "0");
    // 1700000000000 is 22:13:20 UTC; getTimezoneOffset -60 is UTC+1.
    assert!(send[4].contains("&h=23&m=13&s=20"), "{}", send[4]);
    assert!(send[4].starts_with("{\"requests\":[\"?idsite=3&rec=1"), "{}", send[4]);
}

#[test]
fn replies_and_warnings() {
    let mut b = booted();
    assert_eq!(call(&mut b, &["c", "hasConsent"]), "t");
    assert_eq!(call(&mut b, &["c", "isUserOptedOut"]), "f");
    let out = call(&mut b, &["c", "noSuchCommand\u{1e}W"]);
    let recs = records(&out);
    assert_eq!(recs.len(), 2, "{out:?}");
    assert_eq!(recs[1][0], "W");
    let warning = call(&mut b, &["k", "trackEvent", "n0000000000000000"]);
    assert!(warning.starts_with("shush: trackEvent"), "{warning}");
    assert_eq!(call(&mut b, &["k", "trackEvent", "sa", "sb"]), "s");
}

/// The order as it was computed before: ranks collected once, then a scan per rank.
fn old_apply_first_order(f: Fields) -> String {
    let ranks: Vec<Option<usize>> = f.0.map(command::apply_first_rank).collect();
    let mut out = String::new();
    let mut add = |i: usize| {
        if !out.is_empty() {
            out.push(',');
        }
        crate::numfmt::push_u64(&mut out, i as u64);
    };
    let top = ranks.iter().flatten().max().map_or(0, |m| m + 1);
    for rank in 0..top {
        for (i, r) in ranks.iter().enumerate() {
            if *r == Some(rank) {
                add(i);
            }
        }
    }
    for (i, r) in ranks.iter().enumerate() {
        if r.is_none() {
            add(i);
        }
    }
    out
}

#[test]
fn apply_first_order_is_the_old_one() {
    let names = ["trackPageView", "setSiteId", "", "setTrackerUrl", "requireConsent", "connectConsentManager",
        "forgetCookieConsentGiven", "setUserIdSalt", "fooBar", "ping", "setRequestMethod", "disableCookies"];
    let mut x = 9u64;
    for _ in 0..2_000 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let n = (x >> 40) as usize % 14;
        let picked: Vec<&str> = (0..n)
            .map(|k| names[(x >> (k * 4 % 60)) as usize % names.len()])
            .collect();
        let text = picked.join("|");
        assert_eq!(super::apply_first_order(Fields::of(&text)), old_apply_first_order(Fields::of(&text)), "{text}");
    }
}

#[test]
fn apply_first_order() {
    let mut b = Bridge::default();
    let out = call(&mut b, &["o", "trackPageView", "setSiteId", "", "setTrackerUrl", "requireConsent", "setSiteId"]);
    // setTrackerUrl, setSiteId ×2 (push order), requireConsent, then the rest in push order.
    assert_eq!(out, "s3,1,5,4,0,2");
}

#[test]
fn actions_are_framed_and_cannot_be_forged() {
    let mut b = booted();
    let out = call(&mut b, &["c", "setMaskSelectors", "l2", "s.secret", "s#x\u{1e}Tevil"]);
    assert_eq!(records(&out), [alloc::vec![""], alloc::vec!["M", ".secret", "#x Tevil"]]);
    let out = call(&mut b, &["c", "connectConsentManager", "sklaro", "m1", "service", "smatomo"]);
    assert_eq!(records(&out)[1], ["C", "2", "matomo"]);
    let out = call(&mut b, &["c", "connectConsentManager", "scookieconsent"]);
    assert_eq!(records(&out)[1], ["C", "3", "analytics"]);
    let out = call(&mut b, &["c", "enableLinkTracking"]);
    assert_eq!(records(&out)[1], ["E", "0"]);
}

#[test]
fn storage_consent_stores_and_notifies() {
    let mut b = booted();
    let out = call(&mut b, &["c", "rememberCookieConsentGiven"]);
    let recs = records(&out);
    assert!(recs.iter().any(|r| r[0] == "T" && r[1] == "hush_consent"), "{out:?}");
    assert!(recs.iter().any(|r| r[0] == "N" && r[1].starts_with("{\"requirement\"")), "{out:?}");
}

#[test]
fn results_drive_the_queue() {
    let mut b = booted();
    call(&mut b, &["c", "setTrackerUrl", "shttps://c.example/m.php"]);
    call(&mut b, &["c", "setSiteId", "s1"]);
    call(&mut b, &["c", "trackEvent", "sa", "sb"]);
    let out = call(&mut b, &["c", "flush"]);
    let id = records(&out).iter().find(|r| r[0] == "S").map(|r| String::from(r[1])).unwrap();
    // A 503 asks for a retry later: a wake-up, not an immediate send.
    let out = call(&mut b, &["r", &id, "503", " 2 "]);
    assert!(records(&out).iter().any(|r| r[0] == "K"), "{out:?}");
    assert!(!records(&out).iter().any(|r| r[0] == "S"), "{out:?}");
}

#[test]
fn banner_decisions_reach_consent() {
    let mut b = booted();
    call(&mut b, &["c", "requireConsent"]);
    assert_eq!(call(&mut b, &["c", "hasConsent"]), "f");
    let out = call(&mut b, &["m", "3", "1"]);
    assert!(out.contains("\"source\":\"cmp\""), "{out:?}");
    assert_eq!(call(&mut b, &["c", "hasConsent"]), "t");
}
