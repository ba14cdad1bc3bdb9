//! Hostile input against the `_paq` command layer and the tracker behind it (issue 5).
//! A seeded xorshift makes 120,000 random commands for the parser and about 140,000 more
//! for the tracker: known and unknown names, argument trees of every `Arg` variant,
//! NaN / ±Infinity, huge (up to 1 MB) and unicode strings. The parser never panics and
//! every warning starts with "hush: "; the tracker, fed the parsed commands interleaved
//! with random page events, network results and clock jumps (backwards too), never
//! panics, warns only with "hush: …", sends well-formed bodies under 60 KB, and a valid
//! hit made after the garbage is still correct.
#![cfg(not(target_arch = "wasm32"))]

use hush::command::{parse, Arg, Command, Scratch};
use hush::host::{Host, Page};
use hush::queue::Outcome;
use hush::tracker::{Action, Stored, Tracker};

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// xorshift64*: deterministic, so a failure names its seed and case number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const KNOWN: &[&str] = &[
    "setTrackerUrl", "setSiteId", "setUserId", "resetUserId", "setUserIdSalt", "setDomains", "setExcludedQueryParams",
    "setAllowedQueryParams", "setMaskSelectors", "setDownloadExtensions", "setLinkClasses", "setDownloadClasses",
    "setIgnoreClasses", "setCustomUrl", "setReferrerUrl", "setDocumentTitle", "setCustomDimension", "deleteCustomDimension",
    "discardHashTag", "enableLinkTracking", "enableHistoryTracking", "enableFormAnalytics", "enableHeartBeatTimer",
    "setRequestMethod", "setBatchOptions", "connectConsentManager", "flush", "trackPageView", "trackEvent",
    "trackSiteSearch", "trackGoal", "trackLink", "ping", "addEcommerceItem", "removeEcommerceItem", "clearEcommerceCart",
    "setEcommerceView", "trackEcommerceCartUpdate", "trackEcommerceOrder", "getVisitorId", "getPageViewId", "hasConsent",
    "isUserOptedOut", "setCustomRequestProcessing", "requireConsent", "requireCookieConsent", "setConsentGiven",
    "rememberConsentGiven", "forgetConsentGiven", "setCookieConsentGiven", "rememberCookieConsentGiven",
    "forgetCookieConsentGiven", "optUserOut", "forgetUserOptOut", "setDoNotTrack", "setHonorGlobalPrivacyControl",
    "disableCookies", "setConsentPolicyVersion",
];

const WORDS: &[&str] = &[
    "", " ", "\t\n", "0", "1", "-1", "12", "-3.5", "19.99", "1e3", "NaN", "Infinity", "0x10", ".", "-", "1.2.3",
    "GET", "post", "POST", "link", "download", "tcf", "klaro", "cookieconsent", "google-consent-mode", "pdf|zip||",
    "maxHits", "maxDelayMs", "https://stats.example/matomo.php", "/relative/path?x=1#h", "?q=1", "#frag",
    "javascript:alert(1)", "data:text/html,<b>", "http://[::1", "mailto:jane.doe@example.com", "jane.doe@example.com",
    "+33 6 12 34 56 78", "4111 1111 1111 1111", "FR76 3000 6000 0112 3456 7890 189", "a&b=c%zz%", "\"quoted\\\"",
    "Ωmega", "日本語のタイトル", "👩‍👩‍👧‍👦", "e\u{301}", "\u{202E}rtl", "\u{0}nul", "\u{FEFF}bom", "<script>x</script>",
    "%00", "%E2%82", "\r\n\r\n", "trackEvent", "__proto__", "constructor",
];

const NUMBERS: &[f64] = &[
    0.0, -0.0, 1.0, -1.0, 1.5, 3.0, 50.0, 51.0, 2_147_483_647.0, 2_147_483_648.0, 4_294_967_296.0, 9_007_199_254_740_993.0,
    1e308, -1e308, f64::MAX, f64::MIN, f64::MIN_POSITIVE, 5e-324, f64::EPSILON, f64::NAN, f64::INFINITY,
    f64::NEG_INFINITY, 0.1, 1e21, -1e-7, 86_400_000.0,
];

fn string(r: &mut Rng) -> String {
    match r.below(10) {
        0..=4 => String::from(*r.pick(WORDS)),
        5 => {
            // Random code points, surrogates excluded (a Rust String cannot hold them).
            let n = r.below(40);
            (0..n).filter_map(|_| char::from_u32(r.below(0x11_0000) as u32)).collect()
        }
        6 => {
            let n = r.below(200);
            (0..n).map(|_| (b' ' + r.below(95) as u8) as char).collect()
        }
        7 if r.chance(50) => {
            // Huge: up to 1 MB.
            let unit = r.pick(WORDS);
            let unit = if unit.is_empty() { "x" } else { unit };
            unit.repeat((r.below(1 << 20) / unit.len()).max(1))
        }
        7 => "ab".repeat(r.below(5000)),
        _ => [*r.pick(WORDS), *r.pick(WORDS)].concat(),
    }
}

/// An owned argument tree: `Arg` borrows its strings from the shell's text, so the
/// generated values live here and are lent out by `Val::arg`.
enum Val {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Val>),
    Map(Vec<(String, Val)>),
    Other,
}

impl Val {
    fn arg(&self) -> Arg<'_> {
        match self {
            Val::Undefined => Arg::Undefined,
            Val::Null => Arg::Null,
            Val::Bool(b) => Arg::Bool(*b),
            Val::Num(n) => Arg::Num(*n),
            Val::Str(s) => Arg::Str(s),
            Val::List(l) => Arg::List(l.iter().map(Val::arg).collect()),
            Val::Map(m) => Arg::Map(m.iter().map(|(k, v)| (k.as_str(), v.arg())).collect()),
            Val::Other => Arg::Other,
        }
    }
}

fn lend(vals: &[Val]) -> Vec<Arg<'_>> {
    vals.iter().map(Val::arg).collect()
}

fn arg(r: &mut Rng, depth: u32) -> Val {
    let leaf = depth >= 4 || r.chance(2);
    match r.below(if leaf { 6 } else { 8 }) {
        0 => Val::Undefined,
        1 => Val::Null,
        2 => Val::Bool(r.chance(2)),
        3 => Val::Num(if r.chance(3) { f64::from_bits(r.next()) } else { *r.pick(NUMBERS) }),
        4 => Val::Str(string(r)),
        5 => Val::Other,
        6 => Val::List((0..r.below(7)).map(|_| arg(r, depth + 1)).collect()),
        _ => Val::Map(
            (0..r.below(5))
                .map(|_| (if r.chance(2) { String::from(*r.pick(&["maxHits", "maxDelayMs", "purposes", ""])) } else { string(r) }, arg(r, depth + 1)))
                .collect(),
        ),
    }
}

fn name(r: &mut Rng) -> String {
    match r.below(10) {
        0..=6 => String::from(*r.pick(KNOWN)),
        7 => r.pick(KNOWN).to_uppercase(),
        8 => [" ", *r.pick(KNOWN)].concat(),
        _ => string(r),
    }
}

fn args(r: &mut Rng) -> Vec<Val> {
    let n = if r.chance(20) { r.below(40) } else { r.below(6) };
    (0..n).map(|_| arg(r, 0)).collect()
}

/// Arguments of the right shape more often: strings and numbers, so more commands get
/// through the parser and the tracker sees many hits.
fn plausible_args(r: &mut Rng) -> Vec<Val> {
    (0..r.below(6)).map(|_| if r.chance(2) { Val::Str(string(r)) } else { Val::Num(*r.pick(NUMBERS)) }).collect()
}

/// A random string no longer than what the shell passes on (page reads included).
fn short(r: &mut Rng) -> String {
    let Val::Str(s) = as_shell_gives(Val::Str(string(r))) else { unreachable!() };
    s
}

/// What the browser shell hands the core: strings cut to 4096 bytes (src/shell/args.rs).
/// The parser above also gets the uncut ones.
fn as_shell_gives(a: Val) -> Val {
    match a {
        Val::Str(mut s) => {
            let mut end = s.len().min(4096);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s.truncate(end);
            Val::Str(s)
        }
        Val::List(l) => Val::List(l.into_iter().map(as_shell_gives).collect()),
        Val::Map(m) => Val::Map(m.into_iter().map(|(k, v)| (k, as_shell_gives(v))).collect()),
        other => other,
    }
}

#[test]
fn the_parser_survives_random_commands() {
    let mut r = Rng(SEED);
    let (mut ok, mut err) = (0, 0);
    for case in 0..120_000 {
        let (name, args) = (name(&mut r), args(&mut r));
        match parse(&name, &lend(&args), &mut Scratch::default()) {
            Ok(_) => ok += 1,
            Err(w) => {
                assert!(w.starts_with("hush: "), "case {case}: warning {:?} for {name:?}", &w[..w.len().min(80)]);
                assert!(w.len() < 300, "case {case}: a {}-byte warning", w.len());
                err += 1;
            }
        }
    }
    // The generator must reach both sides, or the test proves little.
    assert!(ok > 20_000 && err > 20_000, "ok {ok}, err {err}");
}

/// A tiny deterministic host (the crate's FakeHost is `#[cfg(test)]` only).
struct TestHost {
    now: f64,
    seed: u64,
    page: OwnedPage,
}

/// The page the test host owns (`Page` only borrows).
struct OwnedPage {
    url: String,
    title: String,
    referrer: String,
}

impl Host for TestHost {
    fn now_ms(&self) -> f64 {
        self.now
    }
    fn local_hms(&self, epoch_ms: f64) -> [u8; 3] {
        let s = (epoch_ms / 1000.0) as u64;
        [((s / 3600) % 24) as u8, ((s / 60) % 60) as u8, (s % 60) as u8]
    }
    fn random(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.seed = self.seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *b = (self.seed >> 33) as u8;
        }
    }
    fn page(&self) -> Page<'_> {
        Page { url: &self.page.url, title: &self.page.title, referrer: &self.page.referrer }
    }
    fn resolve_url(&self, input: &str, _base: &str) -> Option<String> {
        (input.starts_with("http://") || input.starts_with("https://")).then(|| String::from(input))
    }
}

fn host() -> TestHost {
    TestHost {
        now: 1_700_000_000_000.0,
        seed: 7,
        page: OwnedPage { url: String::from("https://shop.example/p?id=1"), title: String::from("Shop"), referrer: String::new() },
    }
}

/// Decoded hits of the Send actions.
fn sent_hits(actions: &[Action]) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for a in actions {
        let Action::Send { url, body, .. } = a else { continue };
        let queries: Vec<&str> = match body {
            Some(b) => b.strip_prefix("{\"requests\":[\"").and_then(|b| b.strip_suffix("\"]}")).map(|b| b.split("\",\"").collect()).unwrap_or_default(),
            None => url.split_once('?').map(|(_, q)| vec![q]).unwrap_or_default(),
        };
        for q in queries {
            out.push(q.trim_start_matches('?').split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect());
        }
    }
    out
}

fn get<'a>(hit: &'a [(String, String)], key: &str) -> Option<&'a str> {
    hit.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Checks the actions of one step: warnings are hush's, sends are well-formed.
fn check(actions: &[Action], case: usize, ids: &mut Vec<u32>) {
    for a in actions {
        match a {
            Action::Warn(w) => assert!(w.starts_with("hush: "), "case {case}: warning {:?}", &w[..w.len().min(80)]),
            Action::Send { id, url, body, .. } => {
                assert!(!url.is_empty(), "case {case}: send without a URL");
                if let Some(b) = body {
                    assert!(b.starts_with("{\"requests\":[\"?") && b.ends_with("\"]}"), "case {case}: body {:?}", &b[..b.len().min(80)]);
                    assert!(b.len() < 60_000, "case {case}: body of {} bytes", b.len());
                }
                ids.push(*id);
            }
            _ => {}
        }
    }
}

#[test]
fn the_tracker_survives_random_commands_and_events_then_still_tracks_correctly() {
    let mut r = Rng(SEED ^ 0xDEAD_BEEF);
    let mut h = host();
    let mut t = Tracker::new(&mut h);
    let stored = Stored { queue: Some(String::from("garbage\n12\t?ok=1\n\t\t\n99999999999999999999\t?x")), visitor: Some(string(&mut r)), consent: Some(string(&mut r)), ..Stored::default() };
    t.restore(stored, &mut h);
    let mut in_flight: Vec<u32> = Vec::new();
    let mut parsed = 0;
    for case in 0..200_000usize {
        match r.below(20) {
            // Mostly commands, the way the shell feeds them.
            0..=13 => {
                let name = name(&mut r);
                let args = if r.chance(2) { plausible_args(&mut r) } else { args(&mut r) };
                let args: Vec<Val> = args.into_iter().map(as_shell_gives).collect();
                if let Ok(cmd) = parse(&name, &lend(&args), &mut Scratch::default()) {
                    parsed += 1;
                    t.handle(cmd, &mut h);
                }
            }
            14 => {
                // Results for batches in flight, or for ids never handed out.
                let id = if !in_flight.is_empty() && r.chance(2) { in_flight.remove(r.below(in_flight.len())) } else { r.next() as u32 };
                let outcome = match r.below(4) {
                    0 => Outcome::Delivered,
                    1 => Outcome::NetworkError,
                    _ => Outcome::Status {
                        code: *r.pick(&[0, 100, 204, 301, 400, 404, 408, 429, 500, 503, 599, 999, u16::MAX]),
                        retry_after_ms: r.chance(2).then(|| *r.pick(NUMBERS)),
                    },
                };
                t.on_result(id, outcome, &mut h);
            }
            15 => t.on_timer(&mut h),
            16 => if r.chance(2) { t.on_page_hidden(&mut h) } else { t.on_page_visible(&mut h) },
            17 => t.on_online(r.chance(2), &mut h),
            18 => {
                h.page.url = if r.chance(2) { format!("https://shop.example/{}", r.below(100)) } else { short(&mut r) };
                h.page.title = short(&mut r);
                match r.below(3) {
                    0 => t.on_url_change(&mut h),
                    1 => {
                        let (href, classes, page) = (short(&mut r), short(&mut r), h.page.url.clone());
                        t.on_link_click(&href, &hush::links::Click::from_href(&href, &classes, r.chance(2), &page), &mut h)
                    }
                    _ => t.on_form_event(&short(&mut r), &short(&mut r), r.chance(2).then(|| *r.pick(NUMBERS)), &mut h),
                }
            }
            // The clock: small steps, long sleeps, and now and then backwards (NTP, a changed clock).
            _ => {
                h.now += match r.below(10) {
                    0 => -(r.below(120_000) as f64),
                    1 => r.below(90_000_000) as f64,
                    _ => r.below(5_000) as f64,
                };
            }
        }
        check(&t.take_actions(), case, &mut in_flight);
    }
    assert!(parsed > 40_000, "only {parsed} commands parsed");

    // After the garbage: a valid configuration, consent, and one marked event.
    let valid: &[(&str, Vec<Arg>)] = &[
        ("forgetUserOptOut", vec![]),
        ("setDoNotTrack", vec![Arg::Bool(false)]),
        ("setHonorGlobalPrivacyControl", vec![Arg::Bool(false)]),
        ("setConsentGiven", vec![]),
        ("setTrackerUrl", vec![Arg::Str("https://stats.example/matomo.php")]),
        ("setSiteId", vec![Arg::Num(7.0)]),
        ("setRequestMethod", vec![Arg::Str("POST")]),
        ("trackEvent", vec![Arg::Str("after"), Arg::Str("fuzz"), Arg::Str("still-correct"), Arg::Num(42.0)]),
    ];
    h.page.url = String::from("https://shop.example/final");
    t.on_online(true, &mut h);
    t.on_page_visible(&mut h);
    for (name, args) in valid {
        let mut got = Scratch::default();
        let cmd = parse(name, args, &mut got).unwrap_or_else(|w| panic!("{name}: {w}"));
        t.handle(cmd, &mut h);
    }
    t.handle(Command::Flush, &mut h);
    let actions = t.take_actions();
    check(&actions, usize::MAX, &mut Vec::new());
    let hits = sent_hits(&actions);
    let marked: Vec<_> = hits.iter().filter(|hit| get(hit, "e_a") == Some("fuzz")).collect();
    assert_eq!(marked.len(), 1, "the valid event is sent exactly once ({} hits in the flush)", hits.len());
    let hit = marked[0];
    for (k, v) in [("idsite", "7"), ("rec", "1"), ("apiv", "1"), ("e_c", "after"), ("e_n", "still-correct"), ("e_v", "42")] {
        assert_eq!(get(hit, k), Some(v), "{k}");
    }
    assert_eq!(get(hit, "_id").map(str::len), Some(16));
    assert_eq!(get(hit, "_id"), get(hit, "cid"));
    assert!(get(hit, "url").is_some_and(|u| u.starts_with("https")), "url {:?}", get(hit, "url"));
}
