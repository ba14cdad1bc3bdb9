use super::*;
use crate::command::{parse, Arg, Scratch};
use crate::host::fake::FakeHost;
use alloc::vec;

fn s(v: &str) -> Arg<'_> {
    Arg::Str(v.into())
}

fn run(t: &mut Tracker, host: &mut FakeHost, name: &str, args: &[Arg]) -> Reply {
    t.handle(parse(name, args, &mut Scratch::default()).expect("valid command"), host)
}

fn configured() -> (Tracker, FakeHost) {
    let mut host = FakeHost::new();
    let mut t = Tracker::new(&mut host);
    t.restore(Stored::default(), &mut host);
    run(&mut t, &mut host, "setTrackerUrl", &[s("https://stats.example/matomo.php")]);
    run(&mut t, &mut host, "setSiteId", &[Arg::Num(3.0)]);
    t.take_actions();
    (t, host)
}

/// Every hit of every Send action, decoded into (key, value) pairs.
fn sent(actions: &[Action]) -> Vec<Vec<(String, String)>> {
    let mut hits = Vec::new();
    for a in actions {
        if let Action::Send { body: Some(body), .. } = a {
            let inner = body.strip_prefix("{\"requests\":[\"").unwrap().strip_suffix("\"]}").unwrap();
            for q in inner.split("\",\"") {
                hits.push(q.trim_start_matches('?').split('&').map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (String::from(k), decode(v))
                }).collect());
            }
        }
    }
    hits
}

fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn get<'a>(hit: &'a [(String, String)], key: &str) -> Option<&'a str> {
    hit.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn flush(t: &mut Tracker, host: &mut FakeHost) -> Vec<Vec<(String, String)>> {
    t.handle(Command::Flush, host);
    sent(&t.take_actions())
}

#[test]
fn page_view_carries_the_matomo_base_parameters() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "trackPageView", &[]);
    let hits = flush(&mut t, &mut host);
    assert_eq!(hits.len(), 1);
    let h = &hits[0];
    assert_eq!(get(h, "idsite"), Some("3"));
    assert_eq!(get(h, "rec"), Some("1"));
    assert_eq!(get(h, "apiv"), Some("1"));
    assert_eq!(get(h, "action_name"), Some("Products"));
    assert_eq!(get(h, "url"), Some("https://shop.example/products?ref=home"));
    assert_eq!(get(h, "urlref"), Some("https://search.example/"));
    let id = get(h, "_id").unwrap();
    assert!(crate::identity::is_visit_id(id));
    assert_eq!(get(h, "cid"), Some(id));
    assert_eq!(get(h, "pv_id").unwrap().len(), 6);
    for key in ["h", "m", "s", "rand"] {
        assert!(get(h, key).is_some(), "{key}");
    }
    for key in ["res", "cookie", "uadata", "cdt", "uid"] {
        assert_eq!(get(h, key), None, "{key}");
    }
}

#[test]
fn events_search_and_goals_have_their_parameters() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "trackEvent", &[s("video"), s("play"), s("intro"), Arg::Num(3.5)]);
    run(&mut t, &mut host, "trackSiteSearch", &[s("wool socks"), s("Clothing"), Arg::Num(12.0)]);
    run(&mut t, &mut host, "trackGoal", &[Arg::Num(2.0), Arg::Num(19.99)]);
    let hits = flush(&mut t, &mut host);
    assert_eq!(hits.len(), 3);
    assert_eq!((get(&hits[0], "e_c"), get(&hits[0], "e_a"), get(&hits[0], "e_n"), get(&hits[0], "e_v")), (Some("video"), Some("play"), Some("intro"), Some("3.5")));
    assert_eq!((get(&hits[1], "search"), get(&hits[1], "search_cat"), get(&hits[1], "search_count")), (Some("wool socks"), Some("Clothing"), Some("12")));
    assert_eq!((get(&hits[2], "idgoal"), get(&hits[2], "revenue")), (Some("2"), Some("19.99")));
    assert_eq!(get(&hits[0], "_id"), get(&hits[2], "_id"), "one visit ID per page");
}

#[test]
fn tracking_before_configuration_warns_once_and_sends_nothing() {
    let mut host = FakeHost::new();
    let mut t = Tracker::new(&mut host);
    run(&mut t, &mut host, "trackPageView", &[]);
    run(&mut t, &mut host, "trackPageView", &[]);
    let actions = t.take_actions();
    let warnings = actions.iter().filter(|a| matches!(a, Action::Warn(_))).count();
    assert_eq!(warnings, 1);
    assert!(sent(&actions).is_empty());
}

#[test]
fn require_consent_holds_hits_until_consent_then_releases_them() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "requireConsent", &[]);
    run(&mut t, &mut host, "trackPageView", &[]);
    assert!(flush(&mut t, &mut host).is_empty(), "nothing leaves before consent");
    host.now += 5_000.0;
    run(&mut t, &mut host, "setConsentGiven", &[]);
    let hits = flush(&mut t, &mut host);
    assert_eq!(hits.len(), 1);
    assert!(get(&hits[0], "cdt").is_some(), "a held hit says when it happened");
}

#[test]
fn refusal_drops_held_hits() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "requireConsent", &[]);
    run(&mut t, &mut host, "trackPageView", &[]);
    run(&mut t, &mut host, "forgetConsentGiven", &[]);
    run(&mut t, &mut host, "setConsentGiven", &[]);
    assert!(flush(&mut t, &mut host).is_empty());
}

#[test]
fn no_storage_writes_without_consent_and_identity_stored_with_it() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "trackPageView", &[]);
    t.handle(Command::Flush, &mut host);
    assert!(!t.take_actions().iter().any(|a| matches!(a, Action::Store(..))));
    run(&mut t, &mut host, "setCookieConsentGiven", &[]);
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("b")]);
    let actions = t.take_actions();
    assert!(actions.iter().any(|a| matches!(a, Action::Store(k, _) if *k == VISITOR_KEY)));
}

#[test]
fn ecommerce_order_sends_items_and_a_digest_of_the_order_id() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "addEcommerceItem", &[s("SKU1"), s("Socks"), Arg::List(vec![s("Clothing"), s("Wool")]), Arg::Num(9.5), Arg::Num(2.0)]);
    run(&mut t, &mut host, "trackEcommerceOrder", &[s("ORDER-1001"), Arg::Num(19.0), Arg::Num(17.0), Arg::Num(2.0)]);
    let hits = flush(&mut t, &mut host);
    let h = &hits[0];
    assert_eq!(get(h, "idgoal"), Some("0"));
    assert_eq!(get(h, "revenue"), Some("19"));
    assert_eq!(get(h, "ec_st"), Some("17"));
    assert_eq!(get(h, "ec_tx"), Some("2"));
    assert_eq!(get(h, "ec_items"), Some("[[\"SKU1\",\"Socks\",[\"Clothing\",\"Wool\"],9.5,2]]"));
    let ec_id = get(h, "ec_id").unwrap();
    assert_ne!(ec_id, "ORDER-1001");
    assert_eq!(ec_id.len(), 64);
    run(&mut t, &mut host, "trackEcommerceCartUpdate", &[Arg::Num(0.0)]);
    assert_eq!(get(&flush(&mut t, &mut host)[0], "ec_items"), Some("[]"), "the order empties the cart");
}

#[test]
fn user_id_is_sent_only_as_a_digest() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "setUserId", &[s("jane@example.com")]);
    run(&mut t, &mut host, "trackPageView", &[]);
    let hits = flush(&mut t, &mut host);
    let uid = get(&hits[0], "uid").unwrap();
    assert_eq!(uid.len(), 64);
    assert!(!uid.contains("jane"));
}

#[test]
fn get_method_sends_one_hit_per_request_in_the_url() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "setRequestMethod", &[s("GET")]);
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("b")]);
    t.handle(Command::Flush, &mut host);
    let actions = t.take_actions();
    let gets: Vec<_> = actions.iter().filter_map(|a| match a {
        Action::Send { url, body: None, .. } => Some(url.clone()),
        _ => None,
    }).collect();
    assert_eq!(gets.len(), 1);
    assert!(gets[0].starts_with("https://stats.example/matomo.php?idsite=3&rec=1"));
}

#[test]
fn batches_wait_for_the_delay_then_go() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("b")]);
    let actions = t.take_actions();
    assert!(sent(&actions).is_empty(), "one hit waits for company");
    let wake = actions.iter().find_map(|a| if let Action::Wake(at) = a { Some(*at) } else { None }).expect("a wake-up");
    host.now = wake;
    t.on_timer(&mut host);
    assert_eq!(sent(&t.take_actions()).len(), 1);
}

#[test]
fn leaving_the_page_sends_everything_by_beacon() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("b")]);
    t.take_actions();
    t.on_page_hidden(&mut host);
    let actions = t.take_actions();
    assert!(matches!(actions.first(), Some(Action::Send { leaving: true, .. })));
}

#[test]
fn heartbeat_pings_while_visible() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "enableHeartBeatTimer", &[Arg::Num(15.0)]);
    run(&mut t, &mut host, "trackPageView", &[]);
    flush(&mut t, &mut host);
    host.now += 15_000.0;
    t.on_timer(&mut host);
    let hits = flush(&mut t, &mut host);
    assert_eq!(hits.len(), 1);
    assert_eq!(get(&hits[0], "ping"), Some("1"));
}

#[test]
fn history_navigation_makes_a_page_view_with_the_previous_url_as_referrer() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "enableHistoryTracking", &[]);
    run(&mut t, &mut host, "trackPageView", &[]);
    let first = flush(&mut t, &mut host);
    host.page.url = String::from("https://shop.example/cart");
    run(&mut t, &mut host, "trackEvent", &[s("cart"), s("open")]);
    let hits = flush(&mut t, &mut host);
    assert_eq!(hits.len(), 2, "the page view comes first, then the event");
    assert_eq!(get(&hits[0], "urlref"), Some("https://shop.example/products?ref=home"));
    assert_eq!(get(&hits[0], "url"), Some("https://shop.example/cart"));
    assert_ne!(get(&hits[0], "pv_id"), get(&first[0], "pv_id"));
    assert_eq!(get(&hits[1], "pv_id"), get(&hits[0], "pv_id"));
}

#[test]
fn getters_reply() {
    let (mut t, mut host) = configured();
    let Reply::Text(id) = run(&mut t, &mut host, "getVisitorId", &[]) else { panic!() };
    assert!(crate::identity::is_visit_id(&id));
    assert_eq!(run(&mut t, &mut host, "hasConsent", &[]), Reply::Bool(true));
    run(&mut t, &mut host, "optUserOut", &[]);
    assert_eq!(run(&mut t, &mut host, "isUserOptedOut", &[]), Reply::Bool(true));
    run(&mut t, &mut host, "trackPageView", &[]);
    assert!(flush(&mut t, &mut host).is_empty(), "opted out: nothing is sent");
}

/// The ids of the Send actions, in order.
fn send_ids(actions: &[Action]) -> Vec<u32> {
    actions.iter().filter_map(|a| if let Action::Send { id, .. } = a { Some(*id) } else { None }).collect()
}

#[test]
fn a_stored_queue_waits_for_the_storage_grant_of_the_page() {
    // The snippet's setCookieConsentGiven runs after start-up has read storage.
    let mut host = FakeHost::new();
    let mut t = Tracker::new(&mut host);
    let stored = Stored { queue: Some(String::from("1699999990000\t?idsite=3&rec=1&e_c=a&e_a=old\n")), ..Stored::default() };
    t.restore(stored, &mut host);
    run(&mut t, &mut host, "setTrackerUrl", &[s("https://stats.example/matomo.php")]);
    run(&mut t, &mut host, "setSiteId", &[Arg::Num(3.0)]);
    assert!(flush(&mut t, &mut host).is_empty(), "not taken without storage consent");
    run(&mut t, &mut host, "setCookieConsentGiven", &[]);
    assert!(t.take_actions().iter().any(|a| matches!(a, Action::Remove(k) if *k == QUEUE_KEY)));
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("new")]);
    let hits = flush(&mut t, &mut host);
    assert_eq!(hits.iter().map(|h| get(h, "e_a").unwrap()).collect::<Vec<_>>(), ["old", "new"]);
    assert_eq!(get(&hits[0], "cdt"), Some("1699999990"));
}

#[test]
fn a_snapshot_written_on_hide_is_removed_once_its_hits_are_delivered() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "setCookieConsentGiven", &[]);
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("b")]);
    t.handle(Command::Flush, &mut host);
    let id = send_ids(&t.take_actions())[0];
    t.on_result(id, Outcome::Status { code: 503, retry_after_ms: Some(0.0) }, &mut host);
    host.now += 1000.0;
    t.on_timer(&mut host);
    let retry = send_ids(&t.take_actions());
    // Hidden during the outage: stored, not beaconed.
    t.on_page_hidden(&mut host);
    let actions = t.take_actions();
    assert!(actions.iter().any(|a| matches!(a, Action::Store(k, _) if *k == QUEUE_KEY)));
    assert!(send_ids(&actions).is_empty());
    // The retry gets through from the background tab: the snapshot must go.
    t.on_result(retry[0], Outcome::Delivered, &mut host);
    assert!(t.take_actions().iter().any(|a| matches!(a, Action::Remove(k) if *k == QUEUE_KEY)));
}

#[test]
fn non_http_custom_url_referrer_and_link_are_not_sent() {
    // Matomo refuses the whole bulk request for one such value: the other hits would be lost.
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "setReferrerUrl", &[s("javascript:alert(1)")]);
    run(&mut t, &mut host, "setCustomUrl", &[s("data:text/html,hi")]);
    run(&mut t, &mut host, "trackLink", &[s("javascript:void(0)"), s("link")]);
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("b")]);
    let hits = flush(&mut t, &mut host);
    assert_eq!(hits.len(), 1, "the link is not tracked");
    assert_eq!(get(&hits[0], "url"), Some("https://shop.example/products?ref=home"));
    assert_eq!(get(&hits[0], "urlref"), Some("https://search.example/"));
}

#[test]
fn a_batch_in_flight_when_the_page_leaves_is_never_sent_again() {
    let (mut t, mut host) = configured();
    run(&mut t, &mut host, "setBatchOptions", &[Arg::Map(vec![("maxHits".into(), Arg::Num(2.0))])]);
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("1")]);
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("2")]);
    let first = t.take_actions();
    let Some(Action::Send { id, .. }) = first.iter().find(|a| matches!(a, Action::Send { .. })) else { panic!("a full batch goes") };
    run(&mut t, &mut host, "trackEvent", &[s("a"), s("3")]);
    t.take_actions();
    t.on_page_hidden(&mut host);
    let leaving = sent(&t.take_actions());
    assert_eq!(leaving.len(), 1, "only the waiting hit leaves by beacon");
    // The unload rejects the keepalive fetch's promise although the request goes on.
    t.on_result(*id, Outcome::NetworkError, &mut host);
    host.now += 120_000.0;
    t.on_timer(&mut host);
    t.on_page_visible(&mut host);
    assert!(flush(&mut t, &mut host).is_empty(), "the in-flight batch is not sent twice");
}

/// The keyed lists (one String of `&name=value` entries) hold what the Vec of (key, value)
/// pairs they replaced held, with `retain` as the removal, for random sequences of `put`
/// and `remove` over SKU and dimension keys (SKUs holding `&`, `=`, `%`, none at all…).
#[test]
fn keyed_lists_match_a_vec_of_pairs() {
    let skus = ["a", "b", "a&b=c", "%26", "", "é", "dimension1="];
    let mut keys: Vec<String> = skus.iter().map(|s| sku_key(s)).collect();
    keys.extend([dimension_key(1), dimension_key(12), dimension_key(2)]);
    let values = ["", "x", "a&b=c", "[\"sku\",\"n\",\"\",1,2]", "é"];
    let (mut new, mut old) = (String::new(), Vec::<(String, String)>::new());
    let mut x = 9u64;
    for _ in 0..20_000 {
        x = crate::test_rng::step(x);
        let key = &keys[(x >> 33) as usize % keys.len()];
        old.retain(|(k, _)| k != key);
        if x >> 62 == 0 {
            remove(&mut new, key);
        } else {
            let value = values[(x >> 20) as usize % values.len()];
            put(&mut new, key, value);
            old.push((key.clone(), String::from(value)));
        }
        let mut want = String::new();
        for (k, v) in &old {
            want.push('&');
            want.push_str(k);
            crate::wire::push_encoded(&mut want, v);
        }
        assert_eq!(new, want);
    }
}
