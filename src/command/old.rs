//! The command parser as it was before arguments were read in place from their tokens
//! (a tree of `Arg`s built by `read`, then typed readers over it): kept to prove the new
//! one gives the same command or the same warning for every input.

use super::*;
use crate::bytes::Split;
use crate::consent::{ConsentEvent, Requirement};
use crate::tracker::Feature;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

// The command types as they were, owning their texts (they shadow `super::*`): the new
// parser's commands borrow theirs, and the two are compared by their `Debug` text, which
// is the same for a `String` and a `&str`, a `Vec` and a slice.

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub sku: String,
    pub name: String,
    pub category: Category,
    pub price: f64,
    pub quantity: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: String,
    pub grand_total: f64,
    pub sub_total: f64,
    pub tax: f64,
    pub shipping: f64,
    pub discount: f64,
}

impl Order {
    pub fn cart_update(grand_total: f64) -> Self {
        let nan = f64::NAN;
        Order { id: String::new(), grand_total, sub_total: nan, tax: nan, shipping: nan, discount: nan }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Category {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    SetText(TextSetting, String),
    SetList(ListSetting, Vec<String>),
    SetCustomDimension(u32, String),
    DiscardHashTag(bool),
    Enable(crate::tracker::Feature),
    EnableHeartBeatTimer(f64),
    SetRequestMethod(bool),
    SetBatchOptions { max_hits: f64, max_delay_ms: f64 },
    ConnectConsentManager(CmpKind, String),
    Consent(ConsentEvent<'static>),
    Flush,
    TrackPageView(String),
    TrackEvent { category: String, action: String, name: String, value: f64 },
    TrackSiteSearch { keyword: String, category: String, count: f64 },
    TrackGoal { id: u32, revenue: f64 },
    TrackLink { url: String, kind: LinkKind },
    Ping,
    AddEcommerceItem(Item),
    RemoveEcommerceItem(String),
    ClearEcommerceCart,
    SetEcommerceView { sku: String, name: String, category: Category, price: f64 },
    TrackEcommerce(Order),
    GetVisitorId,
    GetPageViewId,
    HasConsent,
    IsUserOptedOut,
    Ignored(&'static str),
}

/// The old bridge side: the tokens after the name into the argument list.
pub fn read_all<'a>(it: &mut Split<'a>) -> Vec<Arg<'a>> {
    let mut list = Vec::new();
    while let Some(a) = read(it, 0) {
        if list.len() < 8 {
            list.push(a);
        }
    }
    list
}

const MAX_DEPTH: u8 = 3;
const MAX_ITEMS: usize = 64;
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

pub fn parse_tree(name: &str, args: &[Arg<'_>]) -> Result<Command, String> {
    let a = Args { name, args, err: Cell::new(None) };
    let c = build(&a);
    match (a.err.get(), c) {
        (Some((i, want)), _) => Err(a.bad(i, want)),
        (None, Some(c)) => Ok(c),
        (None, None) => {
            let mut w = String::from("hush: unknown command \"");
            push_clipped(&mut w, name, 64);
            w.push_str("\"; ignored");
            Err(w)
        }
    }
}

/// The opcode order this parser was written for (`super::NAMES` has since been reordered).
const OLD_NAMES: &str = "setTrackerUrl setSiteId setUserId resetUserId setUserIdSalt \
setDomains setExcludedQueryParams setAllowedQueryParams setMaskSelectors setDownloadExtensions \
setLinkClasses setDownloadClasses setIgnoreClasses \
setCustomUrl setReferrerUrl setDocumentTitle setCustomDimension deleteCustomDimension discardHashTag \
enableLinkTracking enableHistoryTracking enableFormAnalytics enableHeartBeatTimer setRequestMethod \
setBatchOptions connectConsentManager flush trackPageView trackEvent trackSiteSearch trackGoal trackLink ping \
addEcommerceItem removeEcommerceItem clearEcommerceCart setEcommerceView trackEcommerceCartUpdate \
trackEcommerceOrder getVisitorId getPageViewId hasConsent isUserOptedOut setCustomRequestProcessing \
requireConsent requireCookieConsent setConsentGiven rememberConsentGiven forgetConsentGiven \
setCookieConsentGiven rememberCookieConsentGiven forgetCookieConsentGiven optUserOut forgetUserOptOut \
setDoNotTrack setHonorGlobalPrivacyControl disableCookies setConsentPolicyVersion";

const OLD_LISTS: [ListSetting; 8] = [
    ListSetting::Domains,
    ListSetting::ExcludedQueryParams,
    ListSetting::AllowedQueryParams,
    ListSetting::MaskSelectors,
    ListSetting::DownloadExtensions,
    ListSetting::LinkClasses,
    ListSetting::DownloadClasses,
    ListSetting::IgnoreClasses,
];

fn old_opcode(name: &str) -> Option<usize> {
    crate::bytes::split(OLD_NAMES, b' ').position(|n| n == name)
}

fn build(a: &Args) -> Option<Command> {
    use self::Command as C;
    use TextSetting as T;
    use ConsentEvent as E;
    let op = old_opcode(a.name)?;
    Some(match op {
        0 => C::SetText(T::TrackerUrl, a.text(0)),
        1 => C::SetText(T::SiteId, a.site_id(0)),
        2 => C::SetText(T::UserId, a.id_text(0)),
        3 => C::SetText(T::UserId, String::new()),
        4 => C::SetText(T::UserIdSalt, a.text(0)),
        5..=12 => C::SetList(OLD_LISTS[op - 5], a.list(0)),
        13 => C::SetText(T::CustomUrl, a.text(0)),
        14 => C::SetText(T::ReferrerUrl, a.text(0)),
        15 => C::SetText(T::DocumentTitle, a.text(0)),
        16 => C::SetCustomDimension(a.index(0), a.text(1)),
        17 => C::SetCustomDimension(a.index(0), String::new()),
        18 => C::DiscardHashTag(a.flag(0)),
        19 => C::Enable(Feature::LinkTracking),
        20 => C::Enable(Feature::HistoryTracking),
        21 => C::Enable(Feature::FormAnalytics),
        22 => C::EnableHeartBeatTimer(a.opt_num(0, 15.0).max(5.0)),
        23 => C::SetRequestMethod(a.method(0)),
        24 => a.batch_options(0),
        25 => {
            let kind = a.cmp(0);
            C::ConnectConsentManager(kind, a.banner_key(1, kind))
        }
        26 => C::Flush,
        27 => C::TrackPageView(a.opt_text(0).unwrap_or_default()),
        28 => C::TrackEvent { category: a.text(0), action: a.text(1), name: a.opt_text(2).unwrap_or_default(), value: a.opt_num(3, f64::NAN) },
        29 => C::TrackSiteSearch { keyword: a.text(0), category: a.opt_text(1).unwrap_or_default(), count: a.opt_num(2, f64::NAN) },
        30 => C::TrackGoal { id: a.index(0), revenue: a.opt_num(1, f64::NAN) },
        31 => C::TrackLink { url: a.text(0), kind: a.link_kind(1) },
        32 => C::Ping,
        33 => C::AddEcommerceItem(Item {
            sku: a.id_text(0),
            name: if a.is_unset(1) { String::new() } else { a.text(1) },
            category: a.category(2),
            price: a.opt_num(3, 0.0),
            quantity: a.opt_num(4, 1.0),
        }),
        34 => C::RemoveEcommerceItem(a.id_text(0)),
        35 => C::ClearEcommerceCart,
        36 => C::SetEcommerceView { sku: a.opt_text(0).unwrap_or_default(), name: a.opt_text(1).unwrap_or_default(), category: a.category(2), price: a.opt_num(3, f64::NAN) },
        37 => C::TrackEcommerce(Order::cart_update(a.num(0))),
        38 => C::TrackEcommerce(Order {
            id: a.id_text(0),
            grand_total: a.num(1),
            sub_total: a.opt_num(2, f64::NAN),
            tax: a.opt_num(3, f64::NAN),
            shipping: a.opt_num(4, f64::NAN),
            discount: a.opt_num(5, f64::NAN),
        }),
        39 => C::GetVisitorId,
        40 => C::GetPageViewId,
        41 => C::HasConsent,
        42 => C::IsUserOptedOut,
        43 => C::Ignored("hush: setCustomRequestProcessing is not supported (requests are built and masked by hush); ignored"),
        // Consent and opt-out commands map one to one onto consent events.
        _ => C::Consent(match op {
            44 => E::Require(Requirement::Consent),
            45 => E::Require(Requirement::CookieConsent),
            46 => E::ConsentGiven { remember_hours: None },
            47 => E::ConsentGiven { remember_hours: Some(a.opt_num(0, 0.0)) },
            48 => E::ConsentForgotten,
            49 => E::CookieConsentGiven { remember_hours: None },
            50 => E::CookieConsentGiven { remember_hours: Some(a.opt_num(0, 0.0)) },
            51 => E::CookieConsentForgotten,
            52 => E::OptOut,
            53 => E::ForgetOptOut,
            54 => E::HonorDoNotTrack(a.flag(0)),
            55 => E::HonorGpc(a.flag(0)),
            56 => E::DisableCookies,
            _ => E::PolicyVersion(a.text(0).leak()),
        }),
    })
}

/// Typed access to the arguments of one command, with warnings that name it.
struct Args<'a> {
    name: &'a str,
    args: &'a [Arg<'a>],
    /// The first bad argument: its index and what it should have been.
    err: Cell<Option<(usize, &'static str)>>,
}

impl Args<'_> {
    /// Argument `i` (`undefined` past the end). Not inlined: every reader starts with it,
    /// and one call is smaller than the bounds check and fallback repeated in each.
    #[inline(never)]
    fn get(&self, i: usize) -> &Arg<'_> {
        self.args.get(i).unwrap_or(&Arg::Undefined)
    }

    fn bad(&self, i: usize, want: &str) -> String {
        let mut s = String::from("hush: ");
        s.push_str(self.name);
        s.push_str(": argument ");
        crate::numfmt::push_u64(&mut s, i as u64 + 1);
        s.push_str(" should be ");
        s.push_str(want);
        s.push_str("; command ignored");
        s
    }

    /// Notes that argument `i` is bad (only the first bad one counts).
    #[inline(never)]
    fn fail(&self, i: usize, want: &'static str) {
        if self.err.get().is_none() {
            self.err.set(Some((i, want)));
        }
    }

    /// `v`, or a default after noting that argument `i` should have been `want`.
    fn or<T: Default>(&self, v: Option<T>, i: usize, want: &'static str) -> T {
        match v {
            Some(v) => v,
            None => {
                self.fail(i, want);
                T::default()
            }
        }
    }

    /// matomo.js callers pass `false` (or null) for "not given", e.g.
    /// `trackSiteSearch(keyword, false, false)`.
    fn is_absent(&self, i: usize) -> bool {
        matches!(self.get(i), Arg::Undefined | Arg::Null | Arg::Bool(false))
    }

    /// Absent, or an empty string.
    fn is_unset(&self, i: usize) -> bool {
        self.is_absent(i) || matches!(self.get(i), Arg::Str(s) if s.is_empty())
    }

    /// A non-empty string (numbers are accepted and written as Matomo would), else a
    /// warning that it should have been `want`. The empty string stands for "none": a
    /// valid one never is (cheaper than an `Option<String>` in the wasm).
    fn text_as(&self, i: usize, want: &'static str) -> String {
        let t = match self.get(i) {
            Arg::Str(s) if !s.trim().is_empty() => String::from(*s),
            Arg::Num(n) if n.is_finite() => crate::numfmt::f64_str(*n),
            _ => String::new(),
        };
        if t.is_empty() {
            self.fail(i, want);
        }
        t
    }

    fn text(&self, i: usize) -> String {
        self.text_as(i, "a non-empty string")
    }

    fn opt_text(&self, i: usize) -> Option<String> {
        (!self.is_unset(i)).then(|| self.text(i))
    }

    /// User IDs, SKUs and order IDs: strings or integers.
    fn id_text(&self, i: usize) -> String {
        self.text_as(i, "a non-empty string or a number")
    }

    /// A finite number (numeric strings too), or NaN: NaN rather than `Option` because a
    /// given number is always finite, and an f64 is cheaper to pass around in the wasm.
    fn num_of(&self, i: usize) -> f64 {
        let n = match self.get(i) {
            Arg::Num(n) => *n,
            Arg::Str(s) => parse_number(s.trim()).unwrap_or(f64::NAN),
            _ => f64::NAN,
        };
        if n.is_finite() {
            n
        } else {
            f64::NAN
        }
    }

    fn num(&self, i: usize) -> f64 {
        let n = self.num_of(i);
        if n.is_nan() {
            self.fail(i, "a number");
        }
        n
    }

    /// An optional number: `default` when not given (NaN for most: see `Command`).
    fn opt_num(&self, i: usize, default: f64) -> f64 {
        if self.is_unset(i) {
            default
        } else {
            self.num(i)
        }
    }

    /// A positive whole number below 2^31: goal IDs, custom dimension indexes, site IDs.
    fn index_of(&self, i: usize) -> Option<u32> {
        let n = self.num_of(i);
        ((1.0..2_147_483_648.0).contains(&n) && n == (n as u32) as f64).then_some(n as u32)
    }

    fn index(&self, i: usize) -> u32 {
        self.index_of(i).unwrap_or_else(|| {
            self.fail(i, "a positive whole number");
            0
        })
    }

    fn site_id(&self, i: usize) -> String {
        let mut s = String::new();
        match self.index_of(i) {
            Some(n) => crate::numfmt::push_u64(&mut s, n as u64),
            None => self.fail(i, "a positive site ID"),
        }
        s
    }

    /// `undefined` counts as true (matomo.js's `setDoNotTrack()` means true).
    fn flag(&self, i: usize) -> bool {
        match self.get(i) {
            Arg::Undefined => true,
            Arg::Bool(b) => *b,
            Arg::Num(n) => *n != 0.0,
            _ => {
                self.fail(i, "true or false");
                false
            }
        }
    }

    /// A string list: an array of strings, or one string ("pdf|zip" style for extensions).
    fn list(&self, i: usize) -> Vec<String> {
        let mut out = Vec::new();
        match self.get(i) {
            Arg::Str(s) => {
                let sep = if self.name == "setDownloadExtensions" { b'|' } else { 0 };
                for p in crate::bytes::split(s, sep) {
                    push_trimmed(&mut out, p);
                }
            }
            Arg::List(items) => {
                for item in items {
                    match item {
                        Arg::Str(s) if push_trimmed(&mut out, s) => {}
                        _ => {
                            self.fail(i, "a list of non-empty strings");
                            break;
                        }
                    }
                }
            }
            _ => self.fail(i, "a string or a list of strings"),
        }
        out
    }

    /// Ecommerce categories: a string or a list of up to five.
    fn category(&self, i: usize) -> Category {
        match self.get(i) {
            Arg::List(_) => {
                let mut l = self.list(i);
                l.truncate(5);
                Category::Many(l)
            }
            // (Not given: since the empty text.)
            _ if self.is_unset(i) => Category::One(String::new()),
            _ => Category::One(self.text(i)),
        }
    }

    fn str_arg(&self, i: usize) -> &str {
        match self.get(i) {
            Arg::Str(s) => s,
            _ => "",
        }
    }

    fn link_kind(&self, i: usize) -> LinkKind {
        let v = match self.str_arg(i) {
            "link" => Some(LinkKind::Link),
            "download" => Some(LinkKind::Download),
            _ => None,
        };
        self.or(v, i, "\"link\" or \"download\"")
    }

    /// true = GET (one hit per request), false = POST.
    fn method(&self, i: usize) -> bool {
        let s = self.str_arg(i);
        let v = if s.eq_ignore_ascii_case("GET") {
            Some(true)
        } else if s.eq_ignore_ascii_case("POST") {
            Some(false)
        } else {
            None
        };
        self.or(v, i, "\"GET\" or \"POST\"")
    }

    /// connectConsentManager's options: only the banner's key option is read (no copy of
    /// the whole options object, whose clone code cost 0.5 KB).
    fn banner_key(&self, i: usize, kind: CmpKind) -> String {
        let (option, default) = match kind {
            CmpKind::CookieConsent => ("category", "analytics"),
            CmpKind::Klaro => ("service", "hush"),
            _ => ("", ""),
        };
        match self.get(i) {
            _ if self.is_absent(i) => {}
            Arg::Map(m) => {
                for (k, v) in m {
                    if let Arg::Str(s) = v {
                        if *k == option && !s.is_empty() {
                            return String::from(*s);
                        }
                    }
                }
            }
            _ => self.fail(i, "an options object"),
        }
        String::from(default)
    }

    fn cmp(&self, i: usize) -> CmpKind {
        let v = match self.str_arg(i) {
            "tcf" => Some(CmpKind::Tcf),
            "google-consent-mode" => Some(CmpKind::GoogleConsentMode),
            "klaro" => Some(CmpKind::Klaro),
            "cookieconsent" => Some(CmpKind::CookieConsent),
            _ => None,
        };
        self.or(v, i, "tcf, google-consent-mode, klaro or cookieconsent")
    }

    fn batch_options(&self, i: usize) -> Command {
        let mut max_hits = f64::NAN;
        let mut max_delay_ms = f64::NAN;
        match self.get(i) {
            Arg::Map(m) => {
                for (k, v) in m {
                    let n = match v {
                        Arg::Num(n) if n.is_finite() && *n >= 0.0 => *n,
                        _ => {
                            self.fail(i, "an object of non-negative numbers {maxHits, maxDelayMs}");
                            break;
                        }
                    };
                    match *k {
                        "maxHits" if n >= 1.0 => max_hits = n,
                        "maxDelayMs" => max_delay_ms = n,
                        _ => {
                            self.fail(i, "an object {maxHits: 1..50, maxDelayMs}");
                            break;
                        }
                    }
                }
            }
            _ => self.fail(i, "an object {maxHits, maxDelayMs}"),
        }
        Command::SetBatchOptions { max_hits, max_delay_ms }
    }
}

/// Pushes `s` trimmed unless that is empty; tells whether it did.
fn push_trimmed(out: &mut Vec<String>, s: &str) -> bool {
    let t = s.trim();
    let keep = !t.is_empty();
    if keep {
        out.push(String::from(t));
    }
    keep
}

