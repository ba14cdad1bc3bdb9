//! The `_paq` command layer: every pushed array is parsed once, here, into a typed
//! [`Command`]. Bad input becomes one warning string; nothing here can panic or throw.

use crate::bridge::args::{self, Tokens};
use crate::bytes::Split;
use crate::consent::{ConsentEvent, Requirement};
use crate::tracker::Feature;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

/// A JavaScript value as tests write a `_paq` argument (see [`parse`]). The bridge does
/// not build these: it reads the shell's tokens in place (see `Val`).
#[derive(Clone, Debug, PartialEq)]
pub enum Arg<'a> {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    List(Vec<Arg<'a>>),
    Map(Vec<(&'a str, Arg<'a>)>),
    /// functions, symbols, DOM nodes…: never accepted as an argument.
    Other,
}

/// One argument as a command reads it, decoded from its token by
/// [`crate::bridge::args::Tokens`]: an `Arg` whose lists and maps stay in the tokens, as
/// a cursor at their items and how many to read.
pub(crate) enum Val<'a> {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    List(Split<'a>, usize),
    Map(Split<'a>, usize),
    Other,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkKind {
    #[default]
    Link,
    Download,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CmpKind {
    #[default]
    Tcf,
    GoogleConsentMode,
    Klaro,
    CookieConsent,
}

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
    /// NaN when not given (as every optional number of a command).
    pub sub_total: f64,
    pub tax: f64,
    pub shipping: f64,
    pub discount: f64,
}

impl Order {
    /// trackEcommerceCartUpdate's total as an order: no ID (a given one is never empty),
    /// no other amounts.
    pub fn cart_update(grand_total: f64) -> Self {
        let nan = f64::NAN;
        Order { id: String::new(), grand_total, sub_total: nan, tax: nan, shipping: nan, discount: nan }
    }
}

/// An ecommerce category: Matomo takes one string or a list of up to five. Not given:
/// the empty text (a given one never is), as every optional text of a command.
#[derive(Clone, Debug, PartialEq)]
pub enum Category {
    One(String),
    Many(Vec<String>),
}

/// Which list-valued setting a command replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListSetting {
    Domains,
    ExcludedQueryParams,
    AllowedQueryParams,
    MaskSelectors,
    DownloadExtensions,
    LinkClasses,
    DownloadClasses,
    IgnoreClasses,
}

/// Which text setting a command replaces: a slot of the tracker's config, in slot order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextSetting {
    TrackerUrl,
    SiteId,
    UserId,
    UserIdSalt,
    CustomUrl,
    ReferrerUrl,
    DocumentTitle,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// setTrackerUrl, setSiteId, setUserId, setUserIdSalt, setCustomUrl, setReferrerUrl,
    /// setDocumentTitle; resetUserId sets the user ID to the empty text (not set). One
    /// variant rather than eight: one arm in the parser and the tracker, one drop.
    SetText(TextSetting, String),
    SetList(ListSetting, Vec<String>),
    /// An empty value: deleteCustomDimension (a given value is never empty).
    SetCustomDimension(u32, String),
    DiscardHashTag(bool),
    /// enableLinkTracking, enableHistoryTracking, enableFormAnalytics.
    Enable(crate::tracker::Feature),
    EnableHeartBeatTimer(f64),
    SetRequestMethod(bool),
    /// NaN: that option not given.
    SetBatchOptions { max_hits: f64, max_delay_ms: f64 },
    /// The banner and its key option: the Klaro service (`service`, default `hush`) or the
    /// cookieconsent category (`category`, default `analytics`); empty for the others.
    ConnectConsentManager(CmpKind, String),
    Consent(ConsentEvent),
    Flush,
    /// An optional text is empty when not given (a given one never is): cheaper than an
    /// `Option<String>` to build, match and drop.
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
    /// trackEcommerceOrder, or trackEcommerceCartUpdate: an order without an ID (see
    /// `Order::cart_update`). One variant: one arm in the parser and the tracker.
    TrackEcommerce(Order),
    GetVisitorId,
    GetPageViewId,
    HasConsent,
    IsUserOptedOut,
    /// Known matomo.js commands hush accepts but deliberately does nothing for (with a reason).
    Ignored(&'static str),
}

/// matomo.js's "apply first" set as opcodes (positions in `NAMES`), in matomo.js's order
/// (it applies them in this order, not in push order), followed by hush's own privacy
/// settings, which must also hold before the first hit of the page. Opcodes rather than
/// names: the names are already in `NAMES` (the test below spells them out).
const APPLY_FIRST: [u8; 20] = [
    51, // forgetCookieConsentGiven
    45, // requireCookieConsent
    56, // disableCookies
    0,  // setTrackerUrl
    8,  // setDomains
    2,  // setUserId
    1,  // setSiteId
    19, // enableLinkTracking
    49, // setCookieConsentGiven
    44, // requireConsent
    46, // setConsentGiven
    9,  // setExcludedQueryParams
    55, // setHonorGlobalPrivacyControl
    54, // setDoNotTrack
    10, // setAllowedQueryParams
    11, // setMaskSelectors
    3,  // setUserIdSalt
    24, // setBatchOptions
    23, // setRequestMethod
    25, // connectConsentManager
];

/// How many ranks the apply-first set has.
pub const APPLY_FIRST_RANKS: usize = APPLY_FIRST.len();

/// Rank of a command name in the apply-first set, if it belongs to it.
pub fn apply_first_rank(name: &str) -> Option<usize> {
    let op = opcode(name)?;
    APPLY_FIRST.iter().position(|&o| o as usize == op)
}

/// Parses `[name, ...args]`, the arguments as the shell's tokens. `Err` holds the one
/// console warning to print.
///
/// The argument readers never fail: they note the first bad argument in `Args::err` and
/// return a placeholder, and the command built around it is dropped here. The warning is
/// the one for the first bad argument, as if each reader had returned early.
pub(crate) fn parse_tokens(name: &str, toks: &Tokens) -> Result<Command, String> {
    let a = Args { name, toks, err: Cell::new(None) };
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

/// Parses `[name, ...args]` given as values: they are encoded as the shell does
/// (js/shell.js) and parsed as the bridge parses them. For tests (the wasm has no use
/// for it).
#[cfg(any(test, not(target_arch = "wasm32")))]
pub fn parse(name: &str, args: &[Arg<'_>]) -> Result<Command, String> {
    let mut toks = Vec::new();
    for a in args {
        encode(a, &mut toks);
    }
    let mut text = String::new();
    for (k, t) in toks.iter().enumerate() {
        if k > 0 {
            text.push('\u{1f}');
        }
        text.push_str(t);
    }
    // No arguments: no token at all (an empty text would be one empty token).
    let mut it = crate::bytes::split(&text, 0x1f);
    if toks.is_empty() {
        it.next();
    }
    parse_tokens(name, &Tokens(it))
}

/// `a` as the shell's tokens (see `bridge`): `u`, `z`, `T`, `F`, `n` + 16 hex digits of
/// the bits, `s` + text, `l` + count then the items, `m` + count then key, value pairs, `o`.
#[cfg(any(test, not(target_arch = "wasm32")))]
fn encode(a: &Arg<'_>, out: &mut Vec<String>) {
    let mut tok = String::new();
    let with_count = |tag: &str, n: usize| {
        let mut t = String::from(tag);
        crate::numfmt::push_u64(&mut t, n as u64);
        t
    };
    match a {
        Arg::Undefined => tok.push('u'),
        Arg::Null => tok.push('z'),
        Arg::Bool(b) => tok.push(if *b { 'T' } else { 'F' }),
        Arg::Num(n) => {
            tok.push('n');
            for k in (0..16).rev() {
                tok.push(char::from_digit((n.to_bits() >> (k * 4) & 15) as u32, 16).unwrap_or('0'));
            }
        }
        Arg::Str(s) => {
            // Cut as the shell does (it is cut again, to the same text, when read).
            let mut end = s.len().min(4096);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            tok.push('s');
            push_text(&mut tok, &s[..end]);
        }
        Arg::List(items) => {
            out.push(with_count("l", items.len()));
            for item in items {
                encode(item, out);
            }
            return;
        }
        Arg::Map(pairs) => {
            out.push(with_count("m", pairs.len()));
            for (k, v) in pairs {
                let mut key = String::new();
                push_text(&mut key, k);
                out.push(key);
                encode(v, out);
            }
            return;
        }
        Arg::Other => tok.push('o'),
    }
    out.push(tok);
}

/// Text as the shell passes it: the bridge's two framing characters become spaces.
#[cfg(any(test, not(target_arch = "wasm32")))]
fn push_text(out: &mut String, s: &str) {
    if s.contains(['\u{1e}', '\u{1f}']) {
        out.extend(s.chars().map(|c| if c == '\u{1e}' || c == '\u{1f}' { ' ' } else { c }));
    } else {
        out.push_str(s);
    }
}

/// Every command name, space-separated, in opcode order: `build` matches on the position.
/// One scan over one string is much smaller in the wasm than a `match` on 58 strings.
const NAMES: &str = "setTrackerUrl setSiteId setUserId setUserIdSalt setCustomUrl setReferrerUrl setDocumentTitle \
resetUserId setDomains setExcludedQueryParams setAllowedQueryParams setMaskSelectors \
setDownloadExtensions setLinkClasses setDownloadClasses setIgnoreClasses setCustomDimension \
deleteCustomDimension discardHashTag enableLinkTracking enableHistoryTracking \
enableFormAnalytics enableHeartBeatTimer setRequestMethod setBatchOptions connectConsentManager \
flush trackPageView trackEvent trackSiteSearch trackGoal trackLink ping addEcommerceItem \
removeEcommerceItem clearEcommerceCart setEcommerceView trackEcommerceCartUpdate \
trackEcommerceOrder getVisitorId getPageViewId hasConsent isUserOptedOut \
setCustomRequestProcessing requireConsent requireCookieConsent setConsentGiven \
rememberConsentGiven forgetConsentGiven setCookieConsentGiven rememberCookieConsentGiven \
forgetCookieConsentGiven optUserOut forgetUserOptOut setDoNotTrack setHonorGlobalPrivacyControl \
disableCookies setConsentPolicyVersion";

/// The text settings of opcodes 0..=6, in `NAMES` order.
const TEXTS: [TextSetting; 7] = [
    TextSetting::TrackerUrl,
    TextSetting::SiteId,
    TextSetting::UserId,
    TextSetting::UserIdSalt,
    TextSetting::CustomUrl,
    TextSetting::ReferrerUrl,
    TextSetting::DocumentTitle,
];

/// The list settings of opcodes 8..=15, in `NAMES` order.
const LISTS: [ListSetting; 8] = [
    ListSetting::Domains,
    ListSetting::ExcludedQueryParams,
    ListSetting::AllowedQueryParams,
    ListSetting::MaskSelectors,
    ListSetting::DownloadExtensions,
    ListSetting::LinkClasses,
    ListSetting::DownloadClasses,
    ListSetting::IgnoreClasses,
];

/// Position of `name` in `NAMES`.
fn opcode(name: &str) -> Option<usize> {
    crate::bytes::split(NAMES, b' ').position(|n| n == name)
}

fn build(a: &Args) -> Option<Command> {
    use Command as C;
    use TextSetting as T;
    use ConsentEvent as E;
    let op = opcode(a.name)?;
    Some(match op {
        0..=6 => C::SetText(TEXTS[op], match op {
            1 => a.site_id(0),
            2 => a.id_text(0),
            _ => a.text(0),
        }),
        7 => C::SetText(T::UserId, String::new()),
        // Download extensions also come as one "pdf|zip" string.
        8..=15 => C::SetList(LISTS[op - 8], a.list(0, if op == 12 { b'|' } else { 0 }, usize::MAX)),
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
        27 => C::TrackPageView(a.opt_text(0)),
        28 => C::TrackEvent { category: a.text(0), action: a.text(1), name: a.opt_text(2), value: a.opt_num(3, f64::NAN) },
        29 => C::TrackSiteSearch { keyword: a.text(0), category: a.opt_text(1), count: a.opt_num(2, f64::NAN) },
        30 => C::TrackGoal { id: a.index(0), revenue: a.opt_num(1, f64::NAN) },
        31 => C::TrackLink { url: a.text(0), kind: a.link_kind(1) },
        32 => C::Ping,
        33 => C::AddEcommerceItem(Item {
            sku: a.id_text(0),
            name: a.opt_text(1),
            category: a.category(2),
            price: a.opt_num(3, 0.0),
            quantity: a.opt_num(4, 1.0),
        }),
        34 => C::RemoveEcommerceItem(a.id_text(0)),
        35 => C::ClearEcommerceCart,
        36 => C::SetEcommerceView { sku: a.opt_text(0), name: a.opt_text(1), category: a.category(2), price: a.opt_num(3, f64::NAN) },
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
            _ => E::PolicyVersion(a.text(0)),
        }),
    })
}

/// Appends at most `max` bytes of `s` (at a character boundary), `…` marking a cut: a
/// warning never echoes a megabyte the page pushed as a command name.
fn push_clipped(out: &mut String, s: &str, max: usize) {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(s.get(..end).unwrap_or(""));
    if end < s.len() {
        out.push('…');
    }
}


/// Typed access to the arguments of one command, with warnings that name it.
struct Args<'a> {
    name: &'a str,
    toks: &'a Tokens<'a>,
    /// The first bad argument: its index and what it should have been.
    err: Cell<Option<(usize, &'static str)>>,
}

impl<'a> Args<'a> {
    /// Argument `i` (`undefined` past the end).
    fn get(&self, i: usize) -> Val<'a> {
        self.toks.arg(i)
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

    /// Not given: matomo.js callers pass `false` (or null) for that, e.g.
    /// `trackSiteSearch(keyword, false, false)`; an empty string counts too.
    fn is_unset(&self, i: usize) -> bool {
        matches!(self.get(i), Val::Undefined | Val::Null | Val::Bool(false) | Val::Str(""))
    }

    /// A non-empty string (numbers are accepted and written as Matomo would), else a
    /// warning that it should have been `want`. The empty string stands for "none": a
    /// valid one never is (cheaper than an `Option<String>` in the wasm).
    fn text_as(&self, i: usize, want: &'static str) -> String {
        let t = match self.get(i) {
            Val::Str(s) if !trim(s).is_empty() => String::from(s),
            Val::Num(n) if n.is_finite() => crate::numfmt::f64_str(n),
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

    /// A text, or the empty text when not given.
    fn opt_text(&self, i: usize) -> String {
        if self.is_unset(i) {
            String::new()
        } else {
            self.text(i)
        }
    }

    /// User IDs, SKUs and order IDs: strings or integers.
    fn id_text(&self, i: usize) -> String {
        self.text_as(i, "a non-empty string or a number")
    }

    /// A finite number (numeric strings too), or NaN: NaN rather than `Option` because a
    /// given number is always finite, and an f64 is cheaper to pass around in the wasm.
    fn num_of(&self, i: usize) -> f64 {
        let n = match self.get(i) {
            Val::Num(n) => n,
            Val::Str(s) => parse_number(trim(s)).unwrap_or(f64::NAN),
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
            Val::Undefined => true,
            Val::Bool(b) => b,
            Val::Num(n) => n != 0.0,
            _ => {
                self.fail(i, "true or false");
                false
            }
        }
    }

    /// A string list: an array of strings, or one string cut at `sep` ("pdf|zip" style
    /// for extensions; the others pass 0). Every item is checked, the first `max` kept (no
    /// truncate afterwards: its drop loop cost more).
    fn list(&self, i: usize, sep: u8, max: usize) -> Vec<String> {
        let mut out = Vec::new();
        match self.get(i) {
            Val::Str(s) => {
                for p in crate::bytes::split(s, sep) {
                    push_trimmed(&mut out, p, max);
                }
            }
            Val::List(mut it, n) => {
                for _ in 0..n {
                    match args::item(&mut it, false).1 {
                        Val::Str(s) if push_trimmed(&mut out, s, max) => {}
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
            Val::List(..) => {
                Category::Many(self.list(i, 0, 5))
            }
            _ => Category::One(self.opt_text(i)),
        }
    }

    fn str_arg(&self, i: usize) -> &'a str {
        match self.get(i) {
            Val::Str(s) => s,
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
            // Not given (as in `is_unset`, where an empty string also counts).
            Val::Undefined | Val::Null | Val::Bool(false) => {}
            Val::Map(mut it, n) => {
                for _ in 0..n {
                    if let (k, Val::Str(s)) = args::item(&mut it, true) {
                        if k == option && !s.is_empty() {
                            return String::from(s);
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
            Val::Map(mut it, count) => {
                for _ in 0..count {
                    let (k, v) = args::item(&mut it, true);
                    let n = match v {
                        Val::Num(n) if n.is_finite() && n >= 0.0 => n,
                        _ => {
                            self.fail(i, "an object of non-negative numbers {maxHits, maxDelayMs}");
                            break;
                        }
                    };
                    match k {
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

/// Pushes `s` trimmed unless that is empty or `out` holds `max` items already; tells
/// whether it was non-empty.
fn push_trimmed(out: &mut Vec<String>, s: &str, max: usize) -> bool {
    let t = trim(s);
    let keep = !t.is_empty();
    if keep && out.len() < max {
        out.push(String::from(t));
    }
    keep
}

/// `s.trim()` in one forward pass: core's `trim` also walks backwards, with its own
/// UTF-8 decoder (0.3 KB of wasm); this one shares the forward decoder.
fn trim(s: &str) -> &str {
    let (mut start, mut end) = (None, 0);
    for (i, c) in s.char_indices() {
        // `char::is_whitespace` (White_Space), spelled out: smaller than core's table lookup.
        let space = matches!(c, '\t'..='\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}');
        if !space {
            start.get_or_insert(i);
            end = i + c.len_utf8();
        }
    }
    s.get(start.unwrap_or(0)..end).unwrap_or("")
}

/// A plain decimal number ("12", "-3.5", "19.99"); no exponents, no hex. Avoids pulling
/// the float parser into the wasm build.
pub fn parse_number(s: &str) -> Option<f64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    // All digits as one integer, then one division: correctly rounded ("19.99" is 19.99).
    // One byte loop (the first '.' splits integer and fraction digits).
    let (mut mantissa, mut int_len, mut frac_len, mut dot) = (0u64, 0, 0, false);
    for b in digits.bytes() {
        if b == b'.' && !dot {
            dot = true;
            continue;
        }
        if !b.is_ascii_digit() {
            return None;
        }
        // Wrapping, as the release build always did: 15 + 9 digits can exceed a u64.
        mantissa = mantissa.wrapping_mul(10).wrapping_add((b - b'0') as u64);
        if dot {
            frac_len += 1;
        } else {
            int_len += 1;
        }
    }
    // More than 19 digits do not fit the u64 (the wrapped value is thrown away here).
    if int_len + frac_len == 0 || int_len > 15 || frac_len > 9 || int_len + frac_len > 19 {
        return None;
    }
    let mut scale = 1.0;
    for _ in 0..frac_len {
        scale *= 10.0;
    }
    let value = mantissa as f64 / scale;
    Some(if neg { -value } else { value })
}

#[cfg(test)]
pub(crate) mod old;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn s(v: &str) -> Arg<'_> {
        Arg::Str(v)
    }

    #[test]
    fn parses_tracking_commands() {
        assert_eq!(
            parse("trackEvent", &[s("video"), s("play"), s("intro"), Arg::Num(3.0)]),
            Ok(Command::TrackEvent { category: "video".into(), action: "play".into(), name: "intro".into(), value: 3.0 })
        );
        assert_eq!(parse("trackPageView", &[]), Ok(Command::TrackPageView(String::new())));
        // A number not given is NaN (never equal to itself, so matched rather than compared).
        assert!(matches!(
            parse("trackSiteSearch", &[s("socks"), Arg::Bool(false), Arg::Bool(false)]),
            Ok(Command::TrackSiteSearch { keyword, category, count }) if keyword == "socks" && category.is_empty() && count.is_nan()
        ));
        assert_eq!(parse("setSiteId", &[s("7")]), Ok(Command::SetText(TextSetting::SiteId, "7".into())));
        assert_eq!(parse("setSiteId", &[Arg::Num(7.0)]), Ok(Command::SetText(TextSetting::SiteId, "7".into())));
        assert_eq!(parse("trackGoal", &[Arg::Num(2.0), s("9.5")]), Ok(Command::TrackGoal { id: 2, revenue: 9.5 }));
        assert_eq!(
            parse("setDownloadExtensions", &[s("pdf|zip")]),
            Ok(Command::SetList(ListSetting::DownloadExtensions, vec!["pdf".into(), "zip".into()]))
        );
    }

    #[test]
    fn bad_arguments_warn_once_with_the_command_name() {
        let w = parse("trackEvent", &[s("video")]).unwrap_err();
        assert_eq!(w, "hush: trackEvent: argument 2 should be a non-empty string; command ignored");
        assert!(parse("setSiteId", &[s("abc")]).unwrap_err().contains("setSiteId"));
        assert!(parse("trackGoal", &[Arg::Num(1.5)]).is_err());
        assert!(parse("trackEvent", &[s("a"), s("b"), s("c"), s("NaN")]).is_err());
        assert!(parse("trackEvent", &[Arg::Other, s("b")]).is_err());
        assert_eq!(parse("fooBar", &[]).unwrap_err(), "hush: unknown command \"fooBar\"; ignored");
    }

    #[test]
    fn consent_commands_map_to_events() {
        assert_eq!(parse("requireConsent", &[]), Ok(Command::Consent(ConsentEvent::Require(Requirement::Consent))));
        assert_eq!(parse("setDoNotTrack", &[Arg::Bool(false)]), Ok(Command::Consent(ConsentEvent::HonorDoNotTrack(false))));
        assert_eq!(
            parse("rememberConsentGiven", &[Arg::Num(24.0)]),
            Ok(Command::Consent(ConsentEvent::ConsentGiven { remember_hours: Some(24.0) }))
        );
    }

    #[test]
    fn every_name_has_its_opcode() {
        let names: alloc::vec::Vec<&str> = crate::bytes::split(NAMES, b' ').collect();
        assert_eq!(names.len(), 58);
        for (i, n) in names.iter().enumerate() {
            assert!(!n.is_empty() && names.iter().position(|m| m == n) == Some(i), "{n}");
        }
        let apply_first = [
            "forgetCookieConsentGiven", "requireCookieConsent", "disableCookies", "setTrackerUrl",
            "setDomains", "setUserId", "setSiteId", "enableLinkTracking", "setCookieConsentGiven",
            "requireConsent", "setConsentGiven", "setExcludedQueryParams",
            "setHonorGlobalPrivacyControl", "setDoNotTrack", "setAllowedQueryParams", "setMaskSelectors",
            "setUserIdSalt", "setBatchOptions", "setRequestMethod", "connectConsentManager",
        ];
        for (rank, n) in apply_first.iter().enumerate() {
            assert_eq!(names[APPLY_FIRST[rank] as usize], *n);
            assert_eq!(apply_first_rank(n), Some(rank), "{n}");
        }
    }

    #[test]
    fn apply_first_follows_matomo_order() {
        assert!(apply_first_rank("requireCookieConsent") < apply_first_rank("setTrackerUrl"));
        assert!(apply_first_rank("setSiteId").is_some());
        assert_eq!(apply_first_rank("trackPageView"), None);
    }

    #[test]
    fn numbers_parse_without_the_float_parser() {
        assert_eq!(parse_number("19.99"), Some(19.99));
        // 20 and more digits overflowed the u64 into a wrong number; now refused.
        assert_eq!(parse_number("123456789012345.123456789"), None);
        assert_eq!(parse_number("12345678901.123456789"), None);
        assert_eq!(parse_number("1234567890.123456789"), "1234567890.123456789".parse().ok());
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("1e3"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("."), None);
        // Up to 15 digits the mantissa and the scale are exact, so the one division is
        // correctly rounded: the same f64 as the standard parser.
        let mut x = 7u64;
        for _ in 0..100_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let all = alloc::format!("{}", x >> 14);
            let digits = all.get(..1 + (x % 15) as usize).unwrap_or(&all);
            let dot = (x >> 8) as usize % (digits.len() + 1);
            if digits.len() - dot > 9 {
                continue; // more decimals than parse_number takes
            }
            let sign = if x & 1 == 1 { "-" } else { "" };
            let s = alloc::format!("{sign}{}.{}", &digits[..dot], &digits[dot..]);
            assert_eq!(parse_number(&s), s.parse::<f64>().ok(), "{s}");
        }
    }

    /// A small deterministic PRNG for the generated inputs below.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) as usize % n
        }
    }

    const WORDS: [&str; 24] = ["", " ", "a", " b ", "12", "-3.5", "19.99", "1e3", "NaN", "GET", "post", "link", "download",
        "klaro", "cookieconsent", "tcf", "pdf|zip||", "maxHits", "maxDelayMs", "service", "category", "é ü", "\u{3000}x", "\u{a0}"];
    const NUMS: [f64; 12] = [0.0, -0.0, 1.0, 1.5, 3.0, 50.0, 2_147_483_648.0, -1.0, 1e21, f64::NAN, f64::INFINITY, 0.1];

    fn name(r: &mut Lcg) -> &'static str {
        let names: Vec<&str> = crate::bytes::split(NAMES, b' ').collect();
        match r.below(10) {
            0 => ["", "fooBar", "trackevent", " ping"][r.below(4)],
            _ => names[r.below(names.len())],
        }
    }

    /// The outcome as text: `Command` holds NaNs, which never compare equal.
    fn outcome(r: &Result<Command, String>) -> String {
        alloc::format!("{r:?}")
    }

    /// The token reader gives the command or warning the old tree parser gave, for random
    /// (often malformed) token streams after random command names.
    #[test]
    fn tokens_parse_as_the_old_tree_did() {
        let toks = ["u", "z", "T", "F", "n4008000000000000", "n3ff0000000000000", "n41e0000000000000", "nfff8000000000000",
            "n7ff0000000000000", "n12", "sa", "s", "s b ", "s12", "s19.99", "sGET", "slink", "sklaro", "scookieconsent",
            "spdf|zip", "l0", "l1", "l2", "l3", "l7", "m0", "m1", "m2", "o", "", "maxHits", "maxDelayMs", "service", "category",
            "l", "m", "l1x"];
        let mut r = Lcg(11);
        let mut ok = 0;
        for _ in 0..100_000 {
            let name = name(&mut r);
            let mut text = String::from(name);
            for _ in 0..r.below(9) {
                text.push('\u{1f}');
                text.push_str(toks[r.below(toks.len())]);
            }
            let mut it = crate::bytes::split(&text, 0x1f);
            it.next();
            let old = old::parse_tree(name, &old::read_all(&mut it.clone()));
            assert_eq!(outcome(&parse_tokens(name, &Tokens(it))), outcome(&old), "{text:?}");
            ok += old.is_ok() as u32;
        }
        // Both sides are reached, or the comparison proves little.
        assert!((20_000..80_000).contains(&ok), "{ok} parsed");
    }

    fn arg(r: &mut Lcg, depth: u32) -> Arg<'static> {
        match r.below(if depth >= 2 { 6 } else { 8 }) {
            0 => Arg::Undefined,
            1 => Arg::Null,
            2 => Arg::Bool(r.below(2) == 0),
            3 => Arg::Num(NUMS[r.below(NUMS.len())]),
            4 | 5 => Arg::Str(WORDS[r.below(WORDS.len())]),
            6 => Arg::List((0..r.below(7)).map(|_| arg(r, depth + 1)).collect()),
            _ => Arg::Map((0..r.below(4)).map(|_| (WORDS[r.below(WORDS.len())], arg(r, depth + 1))).collect()),
        }
    }

    /// Values encoded as the shell does and read from the tokens give what the old parser
    /// gave for the values themselves.
    #[test]
    fn values_parse_as_the_old_tree_did() {
        let mut r = Lcg(5);
        let mut ok = 0;
        for _ in 0..80_000 {
            let name = name(&mut r);
            let args: Vec<Arg> = (0..r.below(7)).map(|_| arg(&mut r, 0)).collect();
            let old = old::parse_tree(name, &args);
            assert_eq!(outcome(&parse(name, &args)), outcome(&old), "{name} {args:?}");
            ok += old.is_ok() as u32;
        }
        assert!((16_000..64_000).contains(&ok), "{ok} parsed");
    }

    #[test]
    fn trim_is_str_trim() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let s = alloc::format!("a{c}");
            assert_eq!(trim(&s).len() == 1, c.is_whitespace(), "{c:?}");
        }
        let pieces = ["", " ", "\t", "\r\n", "a", "é", "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{200a}",
            "\u{200b}", "\u{2028}", "\u{202f}", "\u{205f}", "\u{3000}", "\u{feff}", "日", "x y", "\u{10ffff}"];
        let mut r = Lcg(2);
        for _ in 0..100_000 {
            let s: String = (0..r.below(7)).map(|_| pieces[r.below(pieces.len())]).collect();
            assert_eq!(trim(&s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn batch_options_are_checked() {
        let opts = Arg::Map(vec![("maxHits".into(), Arg::Num(10.0)), ("maxDelayMs".into(), Arg::Num(500.0))]);
        assert_eq!(parse("setBatchOptions", &[opts]), Ok(Command::SetBatchOptions { max_hits: 10.0, max_delay_ms: 500.0 }));
        let bad = Arg::Map(vec![("maxHit".into(), Arg::Num(10.0))]);
        assert!(parse("setBatchOptions", &[bad]).is_err());
    }
}
