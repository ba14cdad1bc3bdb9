//! The `_paq` command layer: every pushed array is read once, here, its arguments checked
//! against the command's signature, and [`run`] calls the tracker's method for it. Bad
//! input becomes one warning string; nothing here can panic or throw.
//!
//! The wasm builds no [`Command`] value: building one per command and matching it again
//! in the tracker cost two matches over ~60 commands (160 B gzip more). Tests and tools
//! still write commands as values (`parse`, `Tracker::handle`).

use crate::bridge::args::{self, Tokens};
use crate::bytes::Split;
use crate::consent::{ConsentEvent, Requirement};
use crate::host::Host;
use crate::tracker::{Feature, Reply, Tracker};
use alloc::string::String;
use alloc::vec::Vec;

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
pub struct Item<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub category: Category<'a>,
    pub price: f64,
    pub quantity: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Order<'a> {
    pub id: &'a str,
    pub grand_total: f64,
    /// NaN when not given (as every optional number of a command).
    pub sub_total: f64,
    pub tax: f64,
    pub shipping: f64,
    pub discount: f64,
}

impl Order<'_> {
    /// trackEcommerceCartUpdate's total as an order: no ID (a given one is never empty),
    /// no other amounts.
    pub fn cart_update(grand_total: f64) -> Self {
        let nan = f64::NAN;
        Order { id: "", grand_total, sub_total: nan, tax: nan, shipping: nan, discount: nan }
    }
}

/// An ecommerce category: Matomo takes one string or a list of up to five. Not given:
/// the empty text (a given one never is), as every optional text of a command.
#[derive(Clone, Debug, PartialEq)]
pub enum Category<'a> {
    One(&'a str),
    Many(&'a [String]),
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

/// A parsed command, for tests and tools (the wasm runs commands without building one,
/// see [`run`]). Its texts and lists are borrowed from the [`Scratch`] it was read into.
#[derive(Debug, PartialEq)]
pub enum Command<'a> {
    /// setTrackerUrl, setSiteId, setUserId, setUserIdSalt, setCustomUrl, setReferrerUrl,
    /// setDocumentTitle; resetUserId sets the user ID to the empty text (not set). One
    /// variant rather than eight: one arm in the parser and the tracker.
    SetText(TextSetting, &'a str),
    /// The list is the scratch's: the tracker takes it (`mem::take`), no copy.
    SetList(ListSetting, &'a mut Vec<String>),
    /// An empty value: deleteCustomDimension (a given value is never empty).
    SetCustomDimension(u32, &'a str),
    DiscardHashTag(bool),
    /// enableLinkTracking, enableHistoryTracking, enableFormAnalytics.
    Enable(crate::tracker::Feature),
    EnableHeartBeatTimer(f64),
    SetRequestMethod(bool),
    /// NaN: that option not given.
    SetBatchOptions { max_hits: f64, max_delay_ms: f64 },
    /// The banner and its key option: the Klaro service (`service`, default `hush`) or the
    /// cookieconsent category (`category`, default `analytics`); empty for the others.
    ConnectConsentManager(CmpKind, &'a str),
    Consent(ConsentEvent<'a>),
    Flush,
    /// An optional text is empty when not given (a given one never is): cheaper than an
    /// `Option<&str>` to build and match.
    TrackPageView(&'a str),
    TrackEvent { category: &'a str, action: &'a str, name: &'a str, value: f64 },
    TrackSiteSearch { keyword: &'a str, category: &'a str, count: f64 },
    TrackGoal { id: u32, revenue: f64 },
    TrackLink { url: &'a str, kind: LinkKind },
    Ping,
    AddEcommerceItem(Item<'a>),
    RemoveEcommerceItem(&'a str),
    ClearEcommerceCart,
    SetEcommerceView { sku: &'a str, name: &'a str, category: Category<'a>, price: f64 },
    /// trackEcommerceOrder, or trackEcommerceCartUpdate: an order without an ID (see
    /// `Order::cart_update`). One variant: one arm in the parser and the tracker.
    TrackEcommerce(Order<'a>),
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

/// The opcode of setMaskSelectors (its selectors also go to the shell).
pub(crate) const SET_MASK_SELECTORS: usize = 11;

/// How many ranks the apply-first set has.
pub const APPLY_FIRST_RANKS: usize = APPLY_FIRST.len();

/// Rank of a command name in the apply-first set, if it belongs to it.
pub fn apply_first_rank(name: &str) -> Option<usize> {
    let (op, _) = lookup(NAMES, name)?;
    APPLY_FIRST.iter().position(|&o| o as usize == op)
}

/// Reads `[name, ...args]`, the arguments as the shell's tokens, into `got`: `Ok` holds
/// the command's opcode (for [`run`]), `Err` the one console warning to print. The `k` op
/// (check only) stops here.
///
/// Every command's arguments are read the same way: its signature (in `NAMES`) names
/// the kind of each argument, one generic reader (`Scratch::read`) checks and stores them in
/// slots by position, and `run` hands the slots to the tracker. Reading stops at the
/// first bad argument, whose warning is the command's.
pub(crate) fn read_tokens(name: &str, mut toks: Tokens, got: &mut Scratch) -> Result<usize, String> {
    let Some((op, signature)) = lookup(NAMES, name) else {
        let mut w = String::from("hush: unknown command \"");
        push_clipped(&mut w, name, 64);
        w.push_str("\"; ignored");
        return Err(w);
    };
    for (i, kind) in signature.bytes().enumerate() {
        if let Err(want) = got.read(i, kind, toks.next_arg()) {
            return Err(bad(name, i, want));
        }
    }
    Ok(op)
}

/// [`read_tokens`], the command built from its arguments (tests: the wasm runs them).
#[cfg(any(test, not(target_arch = "wasm32")))]
pub(crate) fn parse_tokens<'s>(name: &str, toks: Tokens, got: &'s mut Scratch) -> Result<Command<'s>, String> {
    let op = read_tokens(name, toks, got)?;
    Ok(build(op, got))
}

/// The warning for argument `i` of command `name`, which should have been `want`.
fn bad(name: &str, i: usize, want: &str) -> String {
    let mut s = String::from("hush: ");
    s.push_str(name);
    s.push_str(": argument ");
    // One digit: no command has more than 9 arguments.
    s.push((b'1' + i as u8) as char);
    s.push_str(" should be ");
    s.push_str(want);
    s.push_str("; command ignored");
    s
}

/// Parses `[name, ...args]` given as values: they are encoded as the shell does
/// (js/shell.js) and parsed as the bridge parses them. For tests (the wasm has no use
/// for it).
#[cfg(any(test, not(target_arch = "wasm32")))]
pub fn parse<'s>(name: &str, args: &[Arg<'_>], got: &'s mut Scratch) -> Result<Command<'s>, String> {
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
    parse_tokens(name, Tokens(it), got)
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

/// Every command, space-separated, in opcode order (`run` and `build` match on the position):
/// its name, then `:` and its signature if it takes arguments. One scan over one string
/// is much smaller in the wasm than a `match` on 58 strings.
///
/// A signature has one letter per argument, its kind, as `Scratch::read` reads it:
/// `t` text, `i` ID text (a text or a number), `o` optional text, `s` site ID, `L` string
/// list, `P` string list or one "pdf|zip" string, `c` ecommerce category, `x` positive
/// whole number, `f` flag, `n` number, `N` / `z` / `1` / `h` optional number (not given:
/// NaN / 0 / 1 / 15), `g` request method, `k` consent manager, `b` its options (after a
/// `k`), `l` link kind, `B` batch options. One table and one reader are smaller in the
/// wasm than a reader call per argument in a match arm per command.
const NAMES: &str = "setTrackerUrl:t setSiteId:s setUserId:i setUserIdSalt:t setCustomUrl:t setReferrerUrl:t \
setDocumentTitle:t resetUserId setDomains:L setExcludedQueryParams:L setAllowedQueryParams:L \
setMaskSelectors:L setDownloadExtensions:P setLinkClasses:L setDownloadClasses:L \
setIgnoreClasses:L setCustomDimension:xt deleteCustomDimension:x discardHashTag:f \
enableLinkTracking enableHistoryTracking enableFormAnalytics enableHeartBeatTimer:h \
setRequestMethod:g setBatchOptions:B connectConsentManager:kb flush trackPageView:o \
trackEvent:ttoN trackSiteSearch:toN trackGoal:xN trackLink:tl ping addEcommerceItem:iocz1 \
removeEcommerceItem:i clearEcommerceCart setEcommerceView:oocN trackEcommerceCartUpdate:n \
trackEcommerceOrder:inNNNN getVisitorId getPageViewId hasConsent isUserOptedOut \
setCustomRequestProcessing requireConsent requireCookieConsent setConsentGiven \
rememberConsentGiven:z forgetConsentGiven setCookieConsentGiven rememberCookieConsentGiven:z \
forgetCookieConsentGiven optUserOut forgetUserOptOut setDoNotTrack:f \
setHonorGlobalPrivacyControl:f disableCookies setConsentPolicyVersion:t";

/// The text settings of opcodes 0..=7 (resetUserId sets the user ID to the empty text),
/// in `NAMES` order.
const TEXTS: [TextSetting; 8] = [
    TextSetting::TrackerUrl,
    TextSetting::SiteId,
    TextSetting::UserId,
    TextSetting::UserIdSalt,
    TextSetting::CustomUrl,
    TextSetting::ReferrerUrl,
    TextSetting::DocumentTitle,
    TextSetting::UserId,
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

/// The consent managers, in the order of their names in `Scratch::read`.
const CMPS: [CmpKind; 4] = [CmpKind::Tcf, CmpKind::GoogleConsentMode, CmpKind::Klaro, CmpKind::CookieConsent];

/// Position of `name` among the space-separated `entries` (NAMES, or a choice's words),
/// and what follows its `:` (a command's signature).
fn lookup(entries: &'static str, name: &str) -> Option<(usize, &'static str)> {
    for (op, entry) in crate::bytes::split(entries, b' ').enumerate() {
        // `name`, then the end or `:` and the signature.
        if let Some(rest) = entry.strip_prefix(name) {
            match rest.as_bytes().first() {
                None => return Some((op, "")),
                Some(b':') => return Some((op, rest.get(1..).unwrap_or(""))),
                _ => {}
            }
        }
    }
    None
}

/// Position of `s` among the space-separated `words`.
// Inlined into its callers, as `index_of`, `str_of` and `list`: the four measured
// 107 B gzip smaller together (once `command::run` replaced `build`).
#[inline(always)]
fn pick(words: &'static str, s: &str) -> Option<usize> {
    lookup(words, s).map(|(i, _)| i)
}

/// The arguments of one command as read: argument `i` in slot `i` of the kind it has
/// (texts, numbers; flags and choices as numbers), a list argument in `list` (a category
/// given as a list: its number slot is 1). A slot not read stays empty (texts) or 0.
/// Fresh for each command (`Default`): the command borrows its texts and lists from it.
#[derive(Default)]
pub struct Scratch {
    texts: [String; 3],
    nums: [f64; 6],
    list: Vec<String>,
}

impl Scratch {
    /// The list argument read (setMaskSelectors' selectors for the bridge's `M` record).
    pub(crate) fn list(&self) -> &[String] {
        &self.list
    }

    /// Reads argument `i`, `v`, as a `kind` of a signature (see `NAMES`); `Err`: what it
    /// should be. Out of line, as `run` (inlined measured 15 B gzip larger).
    #[inline(never)]
    fn read(&mut self, i: usize, kind: u8, v: Val) -> Result<(), &'static str> {
        // The slots of argument `i` (a slot is empty until its argument is read).
        let text = &mut self.texts[i % 3];
        let num = &mut self.nums[i % 6];
        match kind {
            b't' | b'i' | b'o' | b'c' => {
                if kind == b'c' && matches!(v, Val::List(..)) {
                    // Its number slot tells it came as a list (in `list`), not a text.
                    *num = 1.0;
                    return list(&mut self.list, v, 0, 5);
                }
                if kind != b't' && kind != b'i' && is_unset(&v) {
                    return Ok(());
                }
                match v {
                    Val::Str(s) if !trim(s).is_empty() => text.push_str(s),
                    Val::Num(n) if n.is_finite() => crate::numfmt::push_f64(text, n),
                    _ => return Err(if kind == b'i' { "a non-empty string or a number" } else { "a non-empty string" }),
                }
            }
            b's' => {
                let n = index_of(&v).ok_or("a positive site ID")?;
                crate::numfmt::push_u64(text, n as u64);
            }
            b'L' | b'P' => return list(&mut self.list, v, if kind == b'P' { b'|' } else { 0 }, usize::MAX),
            b'x' => *num = index_of(&v).ok_or("a positive whole number")? as f64,
            // `undefined` counts as true (matomo.js's `setDoNotTrack()` means true).
            b'f' => {
                *num = match v {
                    Val::Undefined => 1.0,
                    Val::Bool(b) => b as u8 as f64,
                    Val::Num(n) => (n != 0.0) as u8 as f64,
                    _ => return Err("true or false"),
                }
            }
            b'n' | b'N' | b'z' | b'1' | b'h' => {
                *num = match kind {
                    _ if kind == b'n' || !is_unset(&v) => {
                        let n = num_of(&v);
                        if n.is_nan() {
                            return Err("a number");
                        }
                        n
                    }
                    b'N' => f64::NAN,
                    b'z' => 0.0,
                    b'1' => 1.0,
                    _ => 15.0,
                }
            }
            // true = GET (one hit per request), false = POST.
            b'g' => {
                let s = str_of(&v);
                *num = if s.eq_ignore_ascii_case("GET") {
                    1.0
                } else if s.eq_ignore_ascii_case("POST") {
                    0.0
                } else {
                    return Err("\"GET\" or \"POST\"");
                }
            }
            b'k' => {
                let k = pick("tcf google-consent-mode klaro cookieconsent", str_of(&v));
                *num = k.ok_or("tcf, google-consent-mode, klaro or cookieconsent")? as f64;
            }
            // `b` follows the `k` of argument 0 (connectConsentManager).
            b'b' => text.push_str(banner_key(v, CMPS[self.nums[0] as usize & 3])?),
            b'l' => *num = pick("link download", str_of(&v)).ok_or("\"link\" or \"download\"")? as f64,
            _ => return batch_options(v, &mut self.nums),
        }
        Ok(())
    }
}

/// Runs command `op` with its arguments read into `got` (see `build` for what each
/// opcode means): the tracker's method for it, then its pump (forced for flush). Out of
/// line: inlined into the bridge's call, measured 64 B gzip larger (225 raw).
#[inline(never)]
pub(crate) fn run(op: usize, got: &mut Scratch, t: &mut Tracker, host: &mut dyn Host) -> Reply {
    let [n0, n1, n2, n3, n4, n5] = got.nums;
    let Scratch { texts, list, .. } = got;
    let [t0, t1, t2] = texts;
    let (t0, t1, t2) = (t0.as_str(), t1.as_str(), t2.as_str());
    let category = if n2 != 0.0 { Category::Many(list) } else { Category::One(t2) };
    // A hit right after pushState belongs to the new page: its page view goes first.
    if matches!(op, 28..=32 | 37 | 38) {
        t.catch_up_navigation(host);
    }
    let reply = match op {
        39 => t.visitor_id(host),
        40 => t.page_view_id(),
        41 => t.has_consent(host),
        42 => t.is_opted_out(),
        _ => Reply::Nothing,
    };
    match op {
        0..=7 => t.set_text(TEXTS[op], t0),
        8..=15 => t.set_list(LISTS[op - 8], core::mem::take(list)),
        16 | 17 => t.set_dimension(n0 as u32, t1),
        18 => t.set_discard_hash(n0 != 0.0),
        19..=21 => t.enable([Feature::LinkTracking, Feature::HistoryTracking, Feature::FormAnalytics][op - 19]),
        22 => t.set_heartbeat(n0.max(5.0), host.now_ms()),
        23 => t.set_request_method(n0 != 0.0),
        24 => t.set_batch_options(n0, n1),
        25 => t.connect(CMPS[n0 as usize & 3], t1),
        26 => {}
        27 => t.track_page_view(t0, host),
        28 => t.track_event(t0, t1, t2, n3, host),
        29 => t.track_site_search(t0, t1, n2, host),
        30 => t.track_goal(n0 as u32, n1, host),
        31 => t.track_link(t0, if n1 != 0.0 { LinkKind::Download } else { LinkKind::Link }, host),
        32 => t.ping(host),
        33 => t.add_item(&Item { sku: t0, name: t1, category, price: n3, quantity: n4 }),
        34 => t.remove_item(t0),
        35 => t.clear_cart(),
        36 => t.set_product_view(t0, t1, &category, n3),
        37 => t.track_ecommerce(&Order::cart_update(n0), host),
        38 => t.track_ecommerce(&Order { id: t0, grand_total: n1, sub_total: n2, tax: n3, shipping: n4, discount: n5 }, host),
        39..=42 => {}
        43 => t.warn("hush: setCustomRequestProcessing is not supported (requests are built and masked by hush); ignored"),
        _ => t.consent(consent_event(op, n0, t0), host),
    }
    // flush is the pump every command ends with, forced (a second, unforced pump after a
    // forced one would have nothing left to send and the same wake-up).
    t.finish(host, op == 26);
    reply
}

/// The command of opcode `op` from its arguments.
#[cfg(any(test, not(target_arch = "wasm32")))]
fn build<'s>(op: usize, got: &'s mut Scratch) -> Command<'s> {
    use Command as C;
    let [n0, n1, n2, n3, n4, n5] = got.nums;
    let Scratch { texts, list, .. } = got;
    let [t0, t1, t2] = texts;
    let (t0, t1, t2) = (t0.as_str(), t1.as_str(), t2.as_str());
    // Ecommerce categories: a string or a list of up to five, argument 2.
    let category = |list: &'s [String]| if n2 != 0.0 { Category::Many(list) } else { Category::One(t2) };
    match op {
        0..=7 => C::SetText(TEXTS[op], t0),
        8..=15 => C::SetList(LISTS[op - 8], list),
        // deleteCustomDimension: the empty value.
        16 | 17 => C::SetCustomDimension(n0 as u32, t1),
        18 => C::DiscardHashTag(n0 != 0.0),
        19 => C::Enable(Feature::LinkTracking),
        20 => C::Enable(Feature::HistoryTracking),
        21 => C::Enable(Feature::FormAnalytics),
        22 => C::EnableHeartBeatTimer(n0.max(5.0)),
        23 => C::SetRequestMethod(n0 != 0.0),
        24 => C::SetBatchOptions { max_hits: n0, max_delay_ms: n1 },
        25 => C::ConnectConsentManager(CMPS[n0 as usize & 3], t1),
        26 => C::Flush,
        27 => C::TrackPageView(t0),
        28 => C::TrackEvent { category: t0, action: t1, name: t2, value: n3 },
        29 => C::TrackSiteSearch { keyword: t0, category: t1, count: n2 },
        30 => C::TrackGoal { id: n0 as u32, revenue: n1 },
        31 => C::TrackLink { url: t0, kind: if n1 != 0.0 { LinkKind::Download } else { LinkKind::Link } },
        32 => C::Ping,
        33 => C::AddEcommerceItem(Item { sku: t0, name: t1, category: category(list), price: n3, quantity: n4 }),
        34 => C::RemoveEcommerceItem(t0),
        35 => C::ClearEcommerceCart,
        36 => C::SetEcommerceView { sku: t0, name: t1, category: category(list), price: n3 },
        37 => C::TrackEcommerce(Order::cart_update(n0)),
        38 => C::TrackEcommerce(Order { id: t0, grand_total: n1, sub_total: n2, tax: n3, shipping: n4, discount: n5 }),
        39 => C::GetVisitorId,
        40 => C::GetPageViewId,
        41 => C::HasConsent,
        42 => C::IsUserOptedOut,
        43 => C::Ignored("hush: setCustomRequestProcessing is not supported (requests are built and masked by hush); ignored"),
        _ => C::Consent(consent_event(op, n0, t0)),
    }
}

/// Consent and opt-out commands (opcodes 44 and up) map one to one onto consent events;
/// `n0` is their number argument (hours, or a flag), `t0` the policy version. Shared by
/// `run` (the wasm) and `build` (tests and native), so the mapping is written once.
#[inline(always)]
fn consent_event(op: usize, n0: f64, t0: &str) -> ConsentEvent<'_> {
    use ConsentEvent as E;
    match op {
        44 => E::Require(Requirement::Consent),
        45 => E::Require(Requirement::CookieConsent),
        46 => E::ConsentGiven { remember_hours: None },
        47 => E::ConsentGiven { remember_hours: Some(n0) },
        48 => E::ConsentForgotten,
        49 => E::CookieConsentGiven { remember_hours: None },
        50 => E::CookieConsentGiven { remember_hours: Some(n0) },
        51 => E::CookieConsentForgotten,
        52 => E::OptOut,
        53 => E::ForgetOptOut,
        54 => E::HonorDoNotTrack(n0 != 0.0),
        55 => E::HonorGpc(n0 != 0.0),
        56 => E::DisableCookies,
        _ => E::PolicyVersion(t0),
    }
}

/// Appends at most `max` bytes of `s` (at a character boundary), `…` marking a cut: a
/// warning never echoes a megabyte the page pushed as a command name.
// Out of line: 17 B gzip smaller than inlined into `read_tokens`.
#[inline(never)]
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

/// Not given: matomo.js callers pass `false` (or null) for that, e.g.
/// `trackSiteSearch(keyword, false, false)`; an empty string counts too.
fn is_unset(v: &Val) -> bool {
    matches!(v, Val::Undefined | Val::Null | Val::Bool(false) | Val::Str(""))
}

/// A finite number (numeric strings too), or NaN: NaN rather than `Option` because a
/// given number is always finite, and an f64 is cheaper to pass around in the wasm.
fn num_of(v: &Val) -> f64 {
    let n = match *v {
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

/// A positive whole number below 2^31: goal IDs, custom dimension indexes, site IDs.
// Inlined: see `pick`.
#[inline(always)]
fn index_of(v: &Val) -> Option<u32> {
    let n = num_of(v);
    ((1.0..2_147_483_648.0).contains(&n) && n == (n as u32) as f64).then_some(n as u32)
}

/// The string, or the empty one (which no choice accepts).
// Inlined: see `pick`.
#[inline(always)]
fn str_of<'a>(v: &Val<'a>) -> &'a str {
    match *v {
        Val::Str(s) => s,
        _ => "",
    }
}

/// A string list into `out`: an array of strings, or one string cut at `sep` ("pdf|zip"
/// style for extensions; the others pass 0). Every item is checked, the first `max` kept
/// (no truncate afterwards: its drop loop cost more).
// Inlined: see `pick`.
#[inline(always)]
fn list(out: &mut Vec<String>, v: Val, sep: u8, max: usize) -> Result<(), &'static str> {
    match v {
        Val::Str(s) => {
            for p in crate::bytes::split(s, sep) {
                push_trimmed(out, p, max);
            }
        }
        Val::List(mut it, n) => {
            for _ in 0..n {
                match args::item(&mut it, false).1 {
                    Val::Str(s) if push_trimmed(out, s, max) => {}
                    _ => return Err("a list of non-empty strings"),
                }
            }
        }
        _ => return Err("a string or a list of strings"),
    }
    Ok(())
}

/// connectConsentManager's options: only the banner's key option is read (no copy of
/// the whole options object, whose clone code cost 0.5 KB): the Klaro service (default
/// `hush`) or the cookieconsent category (default `analytics`); empty for the others.
fn banner_key<'a>(v: Val<'a>, kind: CmpKind) -> Result<&'a str, &'static str> {
    let (option, default) = match kind {
        CmpKind::CookieConsent => ("category", "analytics"),
        CmpKind::Klaro => ("service", "hush"),
        _ => ("", ""),
    };
    match v {
        // Not given (as in `is_unset`, where an empty string also counts).
        Val::Undefined | Val::Null | Val::Bool(false) => {}
        Val::Map(mut it, n) => {
            for _ in 0..n {
                if let (k, Val::Str(s)) = args::item(&mut it, true) {
                    if k == option && !s.is_empty() {
                        return Ok(s);
                    }
                }
            }
        }
        _ => return Err("an options object"),
    }
    Ok(default)
}

/// setBatchOptions' `{maxHits, maxDelayMs}` into `nums[0]`, `nums[1]` (NaN: not given).
fn batch_options(v: Val, nums: &mut [f64; 6]) -> Result<(), &'static str> {
    nums[0] = f64::NAN;
    nums[1] = f64::NAN;
    let Val::Map(mut it, count) = v else {
        return Err("an object {maxHits, maxDelayMs}");
    };
    for _ in 0..count {
        let (k, v) = args::item(&mut it, true);
        let n = match v {
            Val::Num(n) if n.is_finite() && n >= 0.0 => n,
            _ => return Err("an object of non-negative numbers {maxHits, maxDelayMs}"),
        };
        match k {
            "maxHits" if n >= 1.0 => nums[0] = n,
            "maxDelayMs" => nums[1] = n,
            _ => return Err("an object {maxHits: 1..50, maxDelayMs}"),
        }
    }
    Ok(())
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

    /// `parse` into a scratch of its own (leaked: a test's few commands).
    fn p(name: &str, args: &[Arg<'_>]) -> Result<Command<'static>, String> {
        parse(name, args, alloc::boxed::Box::leak(alloc::boxed::Box::default()))
    }

    /// The command names, in opcode order.
    fn names() -> Vec<&'static str> {
        crate::bytes::split(NAMES, b' ').map(|e| crate::bytes::split_once(e, b':').map_or(e, |(n, _)| n)).collect()
    }

    fn s(v: &str) -> Arg<'_> {
        Arg::Str(v)
    }

    #[test]
    fn parses_tracking_commands() {
        assert_eq!(
            p("trackEvent", &[s("video"), s("play"), s("intro"), Arg::Num(3.0)]),
            Ok(Command::TrackEvent { category: "video", action: "play", name: "intro", value: 3.0 })
        );
        assert_eq!(p("trackPageView", &[]), Ok(Command::TrackPageView("")));
        // A number not given is NaN (never equal to itself, so matched rather than compared).
        assert!(matches!(
            p("trackSiteSearch", &[s("socks"), Arg::Bool(false), Arg::Bool(false)]),
            Ok(Command::TrackSiteSearch { keyword, category, count }) if keyword == "socks" && category.is_empty() && count.is_nan()
        ));
        assert_eq!(p("setSiteId", &[s("7")]), Ok(Command::SetText(TextSetting::SiteId, "7")));
        assert_eq!(p("setSiteId", &[Arg::Num(7.0)]), Ok(Command::SetText(TextSetting::SiteId, "7")));
        assert_eq!(p("trackGoal", &[Arg::Num(2.0), s("9.5")]), Ok(Command::TrackGoal { id: 2, revenue: 9.5 }));
        assert_eq!(
            p("setDownloadExtensions", &[s("pdf|zip")]),
            Ok(Command::SetList(ListSetting::DownloadExtensions, &mut vec!["pdf".into(), "zip".into()]))
        );
    }

    #[test]
    fn bad_arguments_warn_once_with_the_command_name() {
        let w = p("trackEvent", &[s("video")]).unwrap_err();
        assert_eq!(w, "hush: trackEvent: argument 2 should be a non-empty string; command ignored");
        assert!(p("setSiteId", &[s("abc")]).unwrap_err().contains("setSiteId"));
        assert!(p("trackGoal", &[Arg::Num(1.5)]).is_err());
        assert!(p("trackEvent", &[s("a"), s("b"), s("c"), s("NaN")]).is_err());
        assert!(p("trackEvent", &[Arg::Other, s("b")]).is_err());
        assert_eq!(p("fooBar", &[]).unwrap_err(), "hush: unknown command \"fooBar\"; ignored");
    }

    #[test]
    fn consent_commands_map_to_events() {
        assert_eq!(p("requireConsent", &[]), Ok(Command::Consent(ConsentEvent::Require(Requirement::Consent))));
        assert_eq!(p("setDoNotTrack", &[Arg::Bool(false)]), Ok(Command::Consent(ConsentEvent::HonorDoNotTrack(false))));
        assert_eq!(
            p("rememberConsentGiven", &[Arg::Num(24.0)]),
            Ok(Command::Consent(ConsentEvent::ConsentGiven { remember_hours: Some(24.0) }))
        );
    }

    #[test]
    fn every_name_has_its_opcode() {
        let names = names();
        assert_eq!(names.len(), 58);
        assert_eq!(names[SET_MASK_SELECTORS], "setMaskSelectors");
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
        let names = names();
        match r.below(10) {
            0 => ["", "fooBar", "trackevent", " ping"][r.below(4)],
            _ => names[r.below(names.len())],
        }
    }

    /// The outcome as text: `Command` holds NaNs, which never compare equal (and the old
    /// parser's commands own their texts: see `old`).
    fn outcome(r: &Result<impl core::fmt::Debug, String>) -> String {
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
            assert_eq!(outcome(&parse_tokens(name, Tokens(it), &mut Scratch::default())), outcome(&old), "{text:?}");
            ok += old.is_ok() as u32;
        }
        // Both sides are reached, or the comparison proves little.
        assert!((20_000..80_000).contains(&ok), "{ok} parsed");
    }

    /// `run` does what `build` and `Tracker::handle` did (the command as a value, kept
    /// for tests, whose behaviour the tracker's equivalence hash pins): the same actions
    /// and replies, for sessions of random commands from random tokens, on two trackers.
    #[test]
    fn run_does_what_the_built_command_did() {
        use crate::host::fake::FakeHost;
        let toks = ["u", "z", "T", "F", "n4008000000000000", "n3ff0000000000000", "n4049000000000000", "nfff8000000000000",
            "n12", "sa", "s", "s12", "s19.99", "sGET", "spost", "slink", "sdownload", "sklaro", "scookieconsent", "stcf",
            "spdf|zip", "shttps://other.example/x.pdf", "s/path?q=1", "sjavascript:x", "s#top", "l0", "l1", "l2", "m0", "m1",
            "maxHits", "maxDelayMs", "service", "category", "sjane.doe@example.com", "s.example", "o"];
        let names = names();
        let mut r = Lcg(17);
        let (mut ran, mut replies) = (0, 0);
        for _ in 0..1500 {
            let (mut h1, mut h2) = (FakeHost::new(), FakeHost::new());
            let mut old = Tracker::new(&mut h1);
            let mut new = Tracker::new(&mut h2);
            for step in 0..40 {
                let name = match step {
                    0 => "setTrackerUrl",
                    1 => "setSiteId",
                    _ => names[r.below(names.len())],
                };
                let mut text = String::from(name);
                for _ in 0..r.below(6) {
                    text.push('\u{1f}');
                    text.push_str(if step < 2 { "s7" } else { toks[r.below(toks.len())] });
                }
                if step == 0 {
                    text = String::from("setTrackerUrl\u{1f}shttps://stats.example/m.php");
                }
                if r.below(8) == 0 {
                    let page = alloc::format!("https://shop.example/{}", r.below(3));
                    h1.page.url.clone_from(&page);
                    h2.page.url = page;
                    h1.now += 40_000.0;
                    h2.now += 40_000.0;
                }
                let mut it = crate::bytes::split(&text, 0x1f);
                it.next();
                let mut got = Scratch::default();
                let want = parse_tokens(name, Tokens(it.clone()), &mut got).map(|cmd| old.handle(cmd, &mut h1));
                let mut got = Scratch::default();
                let have = read_tokens(name, Tokens(it), &mut got).map(|op| run(op, &mut got, &mut new, &mut h2));
                assert_eq!(have, want, "{text:?}");
                assert_eq!(alloc::format!("{:?}", new.take_actions()), alloc::format!("{:?}", old.take_actions()), "{text:?}");
                ran += have.is_ok() as u32;
                replies += matches!(have, Ok(Reply::Text(_) | Reply::Bool(_))) as u32;
            }
        }
        assert!(ran > 15_000 && replies > 500, "{ran} ran, {replies} replied");
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
            assert_eq!(outcome(&parse(name, &args, &mut Scratch::default())), outcome(&old), "{name} {args:?}");
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
        let opts = Arg::Map(vec![("maxHits", Arg::Num(10.0)), ("maxDelayMs", Arg::Num(500.0))]);
        assert_eq!(p("setBatchOptions", &[opts]), Ok(Command::SetBatchOptions { max_hits: 10.0, max_delay_ms: 500.0 }));
        let bad = Arg::Map(vec![("maxHit", Arg::Num(10.0))]);
        assert!(p("setBatchOptions", &[bad]).is_err());
    }
}
