//! The tracker state machine: fed commands and page events, it decides what to measure,
//! masks it, and queues actions (send, store, warn, wake me at…) for the shell to carry out.

use crate::command::{Category, CmpKind, Item, LinkKind, ListSetting, Order, TextSetting};
#[cfg(any(test, not(target_arch = "wasm32")))]
use crate::command::Command;
use crate::consent::{Consent, ConsentEvent, Effects, Gate};
use crate::hit::Hit;
use crate::host::Host;
use crate::identity::{Identity, VISITOR_KEY};
use crate::links::{classify, Click, LinkRules};
use crate::mask::{digest_id, mask_text, mask_url, UrlRules};
use crate::numfmt::{push_f64, push_u64};
use crate::wire::push_encoded;
use crate::queue::{Outcome, Policy, Queue};
use crate::wire::push_json_str;
use crate::bridge::{push_field, push_text, FS, RS};
use alloc::string::String;
use alloc::vec::Vec;

/// Unsent hits kept across page loads (storage consent only).
pub const QUEUE_KEY: &str = "hush_queue";
/// Hits made before consent under requireConsent are held in memory up to this bound.
pub const MAX_HELD: usize = 100;

pub use actions::Action;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    LinkTracking,
    HistoryTracking,
    FormAnalytics,
}

/// What a getter command returns to the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Nothing,
    Text(String),
    Bool(bool),
}

/// Slots of `Config::text`: a `TextSetting` is its slot.
const TRACKER_URL: usize = TextSetting::TrackerUrl as usize;
const SITE_ID: usize = TextSetting::SiteId as usize;
const USER_ID: usize = TextSetting::UserId as usize;
const SALT: usize = TextSetting::UserIdSalt as usize;
const CUSTOM_URL: usize = TextSetting::CustomUrl as usize;
const REFERRER: usize = TextSetting::ReferrerUrl as usize;
const TITLE: usize = TextSetting::DocumentTitle as usize;

struct Config {
    /// The text settings, one slot each (see the consts above): set by one generic path.
    /// Empty means not set: the parser never hands over an empty text.
    text: [String; 7],
    url_rules: UrlRules,
    link_rules: LinkRules,
    mask_selectors: Vec<String>,
    /// `&dimensionN=value…`, the masked values encoded: rendered when set (masking is
    /// pure), a keyed list (see `put`) that a hit takes as it is.
    dimensions: String,
    use_get: bool,
    /// Features turned on: bit `1 << feature`.
    enabled: u8,
}

pub struct Tracker {
    cfg: Config,
    consent: Consent,
    identity: Identity,
    queue: Queue,
    held: Vec<Hit>,
    /// `&sku=item…`, the SKU and the item's JSON array encoded: rendered when added (a
    /// keyed list, see `put`).
    cart: String,
    /// `&_pkc=…&_pkp=…&_pks=…&_pkn=…` for the next page view (a Hit for its setters,
    /// written in place).
    product_view: Hit,
    /// What the shell must do, in order: one protocol record per action (`RS letter
    /// (FS field)*`, listed in `crate::bridge`), written where the action is decided.
    /// (An `Action` enum built, moved, then encoded by the bridge cost 0.6 KB of wasm.)
    records: String,
    /// Exact wake-up times, for `take_actions` (the record has whole milliseconds).
    #[cfg(test)]
    wakes: Vec<f64>,
    wake_at: f64,
    visible: bool,
    /// Last hit that was not a heartbeat ping (pings stop after 30 idle minutes).
    last_activity_ms: f64,
    /// Heartbeat interval; infinite while off, so `heartbeat_at` stays infinite too.
    heartbeat_ms: f64,
    heartbeat_at: f64,
    /// URL of the last page view, for single-page-app referrers.
    /// Empty before the first one (a page URL is never empty: it is `location.href`).
    current_url: String,
    /// The last delivery failed: on leaving, persist instead of beaconing into an outage.
    outage: bool,
    /// A snapshot of the queue is in storage (written on hide): kept in step with results,
    /// so hits delivered from a background tab are not replayed by the next page.
    persisted: bool,
    /// Hits an earlier page stored, read before this page's consent commands ran: taken
    /// into the queue once storage is allowed on this page.
    stored_queue: Option<String>,
    warned_unconfigured: bool,
    warned_held: bool,
}

impl Tracker {
    pub fn new(host: &mut dyn Host) -> Self {
        Tracker {
            cfg: CONFIG,
            consent: Consent::new(),
            identity: Identity::new(host),
            queue: Queue::new(Policy::default()),
            held: Vec::new(),
            cart: String::new(),
            product_view: Hit::new(0.0),
            records: String::new(),
            #[cfg(test)]
            wakes: Vec::new(),
            wake_at: f64::INFINITY,
            visible: true,
            last_activity_ms: f64::NEG_INFINITY,
            heartbeat_ms: f64::INFINITY,
            heartbeat_at: f64::INFINITY,
            current_url: String::new(),
            outage: false,
            persisted: false,
            stored_queue: None,
            warned_unconfigured: false,
            warned_held: false,
        }
    }

    /// Start-up: the browser's privacy signals and what hush stored on earlier pages.
    pub fn restore(&mut self, stored: Stored, host: &mut dyn Host) {
        let now = host.now_ms();
        self.consent_event(ConsentEvent::Signals { gpc: stored.gpc, dnt: stored.dnt }, now);
        self.consent_event(ConsentEvent::Restore { consent: stored.consent.as_deref(), optout: stored.optout.as_deref() }, now);
        if self.consent.may_store(now) {
            if let Some(v) = &stored.visitor {
                self.identity.restore(v, now);
            }
        }
        // A grant given by a command of this page (setCookieConsentGiven in the snippet)
        // comes after start-up: the stored hits wait for it (see `take_stored_queue`).
        self.stored_queue = stored.queue;
        self.take_stored_queue(now);
        self.pump(host, false);
    }

    /// The protocol records of the actions since the last take. A `N` record (consent
    /// changed) has no field yet: the bridge adds the consent state as the call ends.
    pub fn take_records(&mut self) -> String {
        core::mem::take(&mut self.records)
    }

    /// The records written so far, read in place (the bridge copies them into its answer,
    /// then clears them through `records`): no String taken and dropped per call.
    pub(crate) fn written(&self) -> &str {
        &self.records
    }

    /// Where the bridge writes a record of its own (`M`, a command's `W`) before the
    /// tracker's: the buffer is empty at the start of each call.
    pub(crate) fn records(&mut self) -> &mut String {
        &mut self.records
    }

    /// The records decoded (tests and tools; the wasm reads the records).
    pub fn take_actions(&mut self) -> Vec<Action> {
        let records = self.take_records();
        #[cfg(test)]
        let wakes = core::mem::take(&mut self.wakes);
        #[cfg(not(test))]
        let wakes = Vec::new();
        let decoded = actions::decode(&records, &wakes);
        #[cfg(test)]
        assert_eq!(actions::encode_as_before(&decoded), records, "records and actions differ");
        decoded
    }

    pub fn mask_selectors(&self) -> &[String] {
        &self.cfg.mask_selectors
    }

    pub fn consent_state(&self, now_ms: f64) -> String {
        self.consent.describe(now_ms)
    }

    /// A parsed command, as the tests and tools write them: each variant runs the
    /// tracker's method for it, as `command::run` does for the shell's commands (the wasm
    /// builds no `Command`).
    #[cfg(any(test, not(target_arch = "wasm32")))]
    pub fn handle(&mut self, cmd: Command, host: &mut dyn Host) -> Reply {
        use Command as C;
        let now = host.now_ms();
        let mut reply = Reply::Nothing;
        let force = matches!(cmd, C::Flush);
        match cmd {
            C::GetVisitorId => reply = Reply::Text(String::from(self.identity.visit_id(now, host))),
            C::GetPageViewId => reply = Reply::Text(String::from(self.identity.page_view_id())),
            C::HasConsent => reply = Reply::Bool(self.consent.has_consent(now)),
            C::IsUserOptedOut => reply = Reply::Bool(self.consent.is_opted_out()),
            C::Consent(ev) => self.consent_event(ev, now),
            C::Ignored(why) => self.warn(why),
            C::ConnectConsentManager(kind, key) => self.connect(kind, key),
            C::Enable(f) => self.enable(f),
            C::SetBatchOptions { max_hits, max_delay_ms } => self.set_batch_options(max_hits, max_delay_ms),
            C::EnableHeartBeatTimer(secs) => self.set_heartbeat(secs, now),
            C::TrackPageView(title) => self.track_page_view(title, host),
            C::TrackEvent { category, action, name, value } => {
                self.catch_up_navigation(host);
                self.track_event(category, action, name, value, host)
            }
            C::TrackSiteSearch { keyword, category, count } => {
                self.catch_up_navigation(host);
                self.track_site_search(keyword, category, count, host)
            }
            C::TrackGoal { id, revenue } => {
                self.catch_up_navigation(host);
                self.track_goal(id, revenue, host)
            }
            C::TrackLink { url, kind } => {
                self.catch_up_navigation(host);
                self.track_link(url, kind, host)
            }
            C::Ping => {
                self.catch_up_navigation(host);
                self.ping(host)
            }
            C::TrackEcommerce(order) => {
                self.catch_up_navigation(host);
                self.track_ecommerce(&order, host)
            }
            C::SetText(slot, text) => self.set_text(slot, text),
            C::SetList(which, list) => self.set_list(which, core::mem::take(list)),
            C::SetCustomDimension(i, v) => self.set_dimension(i, v),
            C::DiscardHashTag(on) => self.set_discard_hash(on),
            C::SetRequestMethod(get) => self.set_request_method(get),
            C::AddEcommerceItem(item) => self.add_item(&item),
            C::RemoveEcommerceItem(sku) => self.remove_item(sku),
            C::ClearEcommerceCart => self.clear_cart(),
            C::SetEcommerceView { sku, name, category, price } => self.set_product_view(sku, name, &category, price),
            C::Flush => {}
        }
        self.pump(host, force);
        reply
    }

    /// What every command ends with: send what may go (everything for flush).
    pub(crate) fn finish(&mut self, host: &mut dyn Host, force: bool) {
        self.pump(host, force);
    }

    pub(crate) fn visitor_id(&mut self, host: &mut dyn Host) -> Reply {
        Reply::Text(String::from(self.identity.visit_id(host.now_ms(), host)))
    }

    pub(crate) fn page_view_id(&self) -> Reply {
        Reply::Text(String::from(self.identity.page_view_id()))
    }

    pub(crate) fn has_consent(&self, host: &dyn Host) -> Reply {
        Reply::Bool(self.consent.has_consent(host.now_ms()))
    }

    pub(crate) fn is_opted_out(&self) -> Reply {
        Reply::Bool(self.consent.is_opted_out())
    }

    /// A consent command or a banner's decision. Out of line: 23 B gzip smaller than
    /// inlined into `command::run` and the bridge.
    #[inline(never)]
    pub(crate) fn consent(&mut self, ev: ConsentEvent, host: &dyn Host) {
        self.consent_event(ev, host.now_ms())
    }

    pub(crate) fn connect(&mut self, kind: CmpKind, key: &str) {
        let out = self.record('C');
        push_digit(out, kind as u8);
        push_field(out, key);
    }

    pub(crate) fn set_batch_options(&mut self, max_hits: f64, max_delay_ms: f64) {
        let p = &mut self.queue.policy;
        if !max_hits.is_nan() {
            // Not clamped here: the queue clamps it to 1..=MAX_HITS_PER_REQUEST where
            // it reads it (`Queue::max_hits`).
            p.max_hits = max_hits as usize;
        }
        if !max_delay_ms.is_nan() {
            p.max_delay_ms = max_delay_ms;
        }
    }

    pub(crate) fn set_heartbeat(&mut self, secs: f64, now: f64) {
        self.heartbeat_ms = secs * 1000.0;
        self.heartbeat_at = now + secs * 1000.0;
    }

    pub(crate) fn set_text(&mut self, slot: TextSetting, text: &str) {
        // Written over in place: no new String, no drop of the old one.
        let t = &mut self.cfg.text[slot as usize];
        t.clear();
        t.push_str(text);
    }

    pub(crate) fn set_list(&mut self, which: ListSetting, list: Vec<String>) {
        set_list(&mut self.cfg, which, list)
    }

    /// An empty value (deleteCustomDimension) removes the dimension.
    pub(crate) fn set_dimension(&mut self, i: u32, v: &str) {
        let dims = &mut self.cfg.dimensions;
        let key = dimension_key(i);
        if v.is_empty() {
            remove(dims, &key);
        } else {
            put(dims, &key, &mask_text(v));
        }
    }

    pub(crate) fn set_discard_hash(&mut self, on: bool) {
        self.cfg.url_rules.discard_hash = on;
    }

    pub(crate) fn set_request_method(&mut self, get: bool) {
        self.cfg.use_get = get;
    }

    pub(crate) fn add_item(&mut self, item: &Item) {
        put(&mut self.cart, &sku_key(item.sku), &item_json(item));
    }

    pub(crate) fn remove_item(&mut self, sku: &str) {
        remove(&mut self.cart, &sku_key(sku))
    }

    pub(crate) fn clear_cart(&mut self) {
        self.cart.clear();
    }

    pub(crate) fn set_product_view(&mut self, sku: &str, name: &str, category: &Category, price: f64) {
        let view = &mut self.product_view;
        view.q.clear();
        // One category as text, several as a JSON array (matomo.js does the same).
        match category {
            Category::One(c) => set_given_text(view, "_pkc", c),
            Category::Many(_) => {
                let mut json = String::new();
                push_category_json(&mut json, category);
                view.set("_pkc", &json);
            }
        }
        set_num(view, "_pkp", price);
        set_text(view, "_pks", sku);
        set_text(view, "_pkn", name);
    }

    pub(crate) fn enable(&mut self, f: Feature) {
        if self.cfg.enabled & 1 << f as u8 == 0 {
            self.cfg.enabled |= 1 << f as u8;
            push_digit(self.record('E'), f as u8);
        }
    }

    /// A page view: the command's title, else setDocumentTitle's, else the page's.
    pub(crate) fn track_page_view(&mut self, title: &str, host: &mut dyn Host) {
        let mut p = Hit::new(host.now_ms());
        self.identity.new_page_view(host);
        let page = host.page();
        let title = if title.is_empty() { self.cfg.opt(TITLE).unwrap_or(page.title) } else { title };
        set_text(&mut p, "action_name", title);
        p.q.push_str(&self.product_view.q);
        self.product_view.q.clear();
        self.current_url.clear();
        self.current_url.push_str(page.url);
        self.emit(p, false, host);
    }

    // The tracking commands below send after `catch_up_navigation` (a hit right after
    // pushState belongs to the new page: its page view goes first), called by the caller.

    pub(crate) fn track_event(&mut self, category: &str, action: &str, name: &str, value: f64, host: &mut dyn Host) {
        let mut p = Hit::new(host.now_ms());
        set_text(&mut p, "e_c", category);
        set_text(&mut p, "e_a", action);
        set_given_text(&mut p, "e_n", name);
        set_num(&mut p, "e_v", value);
        self.emit(p, false, host);
    }

    pub(crate) fn track_site_search(&mut self, keyword: &str, category: &str, count: f64, host: &mut dyn Host) {
        let mut p = Hit::new(host.now_ms());
        set_text(&mut p, "search", keyword);
        set_given_text(&mut p, "search_cat", category);
        set_num(&mut p, "search_count", count);
        self.emit(p, false, host);
    }

    pub(crate) fn track_goal(&mut self, id: u32, revenue: f64, host: &mut dyn Host) {
        let mut p = Hit::new(host.now_ms());
        p.int("idgoal", id as u64);
        set_num(&mut p, "revenue", revenue);
        self.emit(p, false, host);
    }

    pub(crate) fn track_link(&mut self, url: &str, kind: LinkKind, host: &mut dyn Host) {
        let mut p = Hit::new(host.now_ms());
        let key = if kind == LinkKind::Download { "download" } else { "link" };
        if !self.set_url(&mut p, key, Some(url), "", false, host) {
            return self.warn("hush: trackLink: not an http(s) URL; ignored");
        }
        self.emit(p, false, host);
    }

    pub(crate) fn ping(&mut self, host: &mut dyn Host) {
        let mut p = Hit::new(host.now_ms());
        p.set("ping", "1");
        self.emit(p, true, host);
    }

    pub(crate) fn track_ecommerce(&mut self, order: &Order, host: &mut dyn Host) {
        let mut p = Hit::new(host.now_ms());
        self.ecommerce(&mut p, order);
        self.emit(p, false, host);
    }

    /// A cart update (no order) or an order, one path: matomo.js's parameters in its order.
    /// An order empties the cart.
    // Out of line: 23 B gzip smaller than inlined.
    #[inline(never)]
    fn ecommerce(&mut self, p: &mut Hit, o: &Order) {
        // A cart update is an order without an ID, and has none of the order's parameters
        // (its other amounts are NaN, which `set_num` skips).
        let is_order = !o.id.is_empty();
        p.set("idgoal", "0");
        if is_order {
            p.set("ec_id", &digest_id(o.id, &self.cfg.text[SALT]));
        }
        p.num("revenue", o.grand_total);
        set_num(p, "ec_st", o.sub_total);
        set_num(p, "ec_tx", o.tax);
        set_num(p, "ec_sh", o.shipping);
        set_num(p, "ec_dt", o.discount);
        self.push_cart_json(p.key("ec_items"));
        if is_order {
            self.cart.clear();
        }
    }

    /// `[["sku","name","category",price,quantity],…]` as matomo.js sends it, percent-encoded
    /// (encoding is byte by byte, so the items encoded when added and the encoded brackets
    /// and commas are the encoding of the whole).
    fn push_cart_json(&self, out: &mut String) {
        out.push_str("%5B");
        // The piece before the first `&` is empty and has no item.
        for (n, entry) in crate::bytes::split(&self.cart, b'&').enumerate() {
            if n > 1 {
                out.push_str("%2C");
            }
            if let Some((_, item)) = crate::bytes::split_once(entry, b'=') {
                out.push_str(item);
            }
        }
        out.push_str("%5D");
    }

    /// Adds the parameters every hit carries, then sends, holds or drops it per consent.
    // Out of line (and `common_params` in it): measured 20–26 B gzip smaller than inlined
    // into `track`.
    #[inline(never)]
    fn emit(&mut self, kind: Hit, is_ping: bool, host: &mut dyn Host) {
        let now = kind.at_ms;
        // A remembered consent may have expired since the last hit.
        self.consent_event(ConsentEvent::Tick, now);
        let gate = self.consent.gate(now);
        if gate == Gate::Drop {
            return;
        }
        if self.cfg.text[TRACKER_URL].is_empty() || self.cfg.text[SITE_ID].is_empty() {
            if !self.warned_unconfigured {
                self.warned_unconfigured = true;
                self.warn("hush: setTrackerUrl and setSiteId must come before tracking; hit ignored");
            }
            return;
        }
        let hit = self.common_params(kind, host);
        if !is_ping {
            self.last_activity_ms = now;
        }
        self.heartbeat_at = now + self.heartbeat_ms;
        if gate == Gate::Hold {
            return self.hold(hit);
        }
        self.queue.push(hit.q, now, now);
        self.store_identity(now);
    }

    fn common_params(&mut self, kind: Hit, host: &mut dyn Host) -> Hit {
        let now = kind.at_ms;
        let mut hit = Hit::new(now);
        hit.q.push_str("?idsite=");
        push_encoded(&mut hit.q, &self.cfg.text[SITE_ID]);
        hit.q.push_str("&rec=1&apiv=1");
        let mut r = [0u8; 4];
        host.random(&mut r);
        hit.int("rand", u32::from_le_bytes(r) as u64);
        let id = self.identity.visit_id_for_hit(now, host);
        hit.set("_id", id);
        hit.set("cid", id);
        let page = host.page();
        self.set_url(&mut hit, "url", self.cfg.opt(CUSTOM_URL), page.url, true, host);
        self.set_url(&mut hit, "urlref", self.cfg.opt(REFERRER), page.referrer, false, host);
        let [h, m, s] = host.local_hms(now);
        hit.int("h", h as u64);
        hit.int("m", m as u64);
        hit.int("s", s as u64);
        hit.set("pv_id", self.identity.page_view_id());
        if let Some(uid) = self.cfg.opt(USER_ID) {
            hit.set("uid", &digest_id(uid, &self.cfg.text[SALT]));
        }
        hit.q.push_str(&self.cfg.dimensions);
        hit.q.push_str(&kind.q);
        hit
    }

    /// `&key=` and the masked URL: `custom` resolved when it is an http(s) URL, else
    /// `fallback`; an empty one only when `keep_empty` (the url always goes, the referrer
    /// only when there is one, a link never falls back). Tells whether `custom` was taken.
    /// One path for the url, the referrer and trackLink's link instead of three copies.
    fn set_url(&self, hit: &mut Hit, key: &str, custom: Option<&str>, fallback: &str, keep_empty: bool, host: &dyn Host) -> bool {
        let resolved = custom.and_then(|u| self.resolve(u, host));
        let url = resolved.as_deref().unwrap_or(fallback);
        if keep_empty || !url.is_empty() {
            hit.set(key, &mask_url(url, &self.cfg.url_rules));
        }
        resolved.is_some()
    }

    fn hold(&mut self, hit: Hit) {
        if self.held.len() < MAX_HELD {
            self.held.push(hit);
        } else if !self.warned_held {
            self.warned_held = true;
            self.warn("hush: 100 hits are waiting for consent; later ones are dropped");
        }
    }

    fn store_identity(&mut self, now: f64) {
        if self.consent.may_store(now) {
            let out = start_record(&mut self.records, 'T');
            push_field(out, VISITOR_KEY);
            out.push(FS);
            self.identity.push_stored_value(out);
        }
    }

    /// An absolute http(s) URL, or None: Matomo refuses a whole bulk request when one hit's
    /// url, urlref, link or download is anything else (`javascript:`, `data:` …).
    fn resolve(&self, url: &str, host: &dyn Host) -> Option<String> {
        let abs = host.resolve_url(url, host.page().url)?;
        (abs.starts_with("https://") || abs.starts_with("http://")).then_some(abs)
    }

    /// `now` from the caller (the host's clock, read once per call): no clock read here.
    fn consent_event(&mut self, ev: ConsentEvent, now: f64) {
        let mut fx = Effects::default();
        self.consent.handle_into(ev, now, &mut fx);
        self.apply_effects(fx, now);
    }

    /// Unsent hits of an earlier page join the queue once this page may use storage.
    fn take_stored_queue(&mut self, now: f64) {
        // may_store is a pure query: asking it first spares a second test of the Option.
        if self.consent.may_store(now) {
            if let Some(q) = &self.stored_queue {
                self.queue.restore(q, now);
                self.stored_queue = None;
                self.remove(QUEUE_KEY);
            }
        }
    }

    // Out of line: measured 12 B gzip smaller than inlined into `consent_event`.
    #[inline(never)]
    fn apply_effects(&mut self, fx: Effects, now: f64) {
        if fx.erase_storage {
            // Nothing below pushes an action when storage is erased (no stored queue to take).
            self.stored_queue = None;
            self.persisted = false;
            self.remove(VISITOR_KEY);
            self.remove(QUEUE_KEY);
        }
        self.take_stored_queue(now);
        // The held list is replaced, not cleared: its drop is in the wasm anyway (the
        // tracker's drop glue), clear() is one more instantiation.
        if fx.drop_held {
            self.held = Vec::new();
            self.queue.clear();
        }
        if fx.release_held {
            // By reference, then cleared: no IntoIter<Hit> instantiation.
            for hit in &mut self.held {
                self.queue.push(core::mem::take(&mut hit.q), hit.at_ms, now);
            }
            self.held = Vec::new();
        }
        // `Removals` is a one-byte Copy iterator of at most two keys; `Write` is borrowed (no IntoIter and drop).
        for key in fx.remove {
            self.remove(key);
        }
        for (key, value) in &fx.write {
            self.store(key, value);
        }
        if fx.changed {
            self.store_identity(now);
            self.record('N');
        }
    }

    /// A link the visitor clicked (left, middle or keyboard): `href` resolved by the browser,
    /// `link` its parts as the browser parsed them.
    pub fn on_link_click(&mut self, href: &str, link: &Click, host: &mut dyn Host) {
        if let Some(kind) = classify(link, &self.cfg.link_rules) {
            self.catch_up_navigation(host);
            self.track_link(href, kind, host);
            self.pump(host, false);
        }
    }

    /// The URL changed without a page load (pushState, replaceState, popstate).
    pub fn on_url_change(&mut self, host: &mut dyn Host) {
        self.catch_up_navigation(host);
        self.pump(host, false);
    }

    pub(crate) fn catch_up_navigation(&mut self, host: &mut dyn Host) {
        // Checked before reading the page: every event passes here, and a page read is three
        // calls into the browser.
        if self.cfg.enabled & 1 << Feature::HistoryTracking as u8 == 0 {
            return;
        }
        let url = host.page().url;
        if self.current_url.is_empty() || self.current_url == url {
            return;
        }
        self.cfg.text[REFERRER] = core::mem::take(&mut self.current_url);
        self.cfg.text[CUSTOM_URL].clear();
        self.track_page_view("", host);
    }

    /// Form analytics: an event about a form or a field, by name only (never a value).
    /// `name` is never empty (`crate::forms` names a form `form<n>` when it has none), so it
    /// is always sent.
    pub fn on_form_event(&mut self, action: &str, name: &str, ms: Option<f64>, host: &mut dyn Host) {
        self.catch_up_navigation(host);
        self.track_event("Form", action, name, ms.unwrap_or(f64::NAN), host);
        self.pump(host, false);
    }

    pub fn on_result(&mut self, id: u32, outcome: Outcome, host: &mut dyn Host) {
        let mut r = [0u8; 2];
        host.random(&mut r);
        let jitter = u16::from_le_bytes(r) as f64 / 65536.0;
        let now = host.now_ms();
        self.outage = outcome != Outcome::Delivered;
        self.queue.on_result(id, outcome, now, jitter);
        if self.persisted {
            self.persist(now);
        }
        self.pump(host, false);
    }

    pub fn on_timer(&mut self, host: &mut dyn Host) {
        let now = host.now_ms();
        self.wake_at = f64::INFINITY;
        self.consent_event(ConsentEvent::Tick, now);
        if now >= self.heartbeat_at {
            self.heartbeat_at = now + self.heartbeat_ms;
            let active = now - self.last_activity_ms < crate::identity::VISIT_IDLE_MS;
            if self.visible && active {
                self.ping(host);
            }
        }
        self.pump(host, false);
    }

    pub fn on_online(&mut self, online: bool, host: &mut dyn Host) {
        self.queue.set_online(online);
        self.pump(host, false);
    }

    /// Page hidden (tab switch, navigation, close): everything queued leaves now by beacon,
    /// unless the collector is failing and storage is allowed: then it is kept for the next page.
    pub fn on_page_hidden(&mut self, host: &mut dyn Host) {
        let now = host.now_ms();
        self.visible = false;
        if self.outage && self.consent.may_store(now) && !self.queue.is_empty() {
            self.persist(now);
            return;
        }
        self.queue.hand_over_in_flight();
        self.pump(host, true);
    }

    /// Page visible again (tab back, bfcache restore): hits are in memory again, so a
    /// snapshot written on hide must not be replayed by another page.
    pub fn on_page_visible(&mut self, host: &mut dyn Host) {
        self.visible = true;
        if self.persisted || self.consent.may_store(host.now_ms()) {
            self.persisted = false;
            self.remove(QUEUE_KEY);
        }
        self.pump(host, false);
    }

    /// Writes the unsent hits to storage (or removes the snapshot when none are left).
    fn persist(&mut self, now: f64) {
        if self.queue.is_empty() || !self.consent.may_store(now) {
            self.persisted = false;
            self.remove(QUEUE_KEY);
        } else {
            self.persisted = true;
            // The snapshot is written in place as the stored value: queries are encoded ASCII
            // and never hold the framing characters `push_field` would replace.
            self.store(QUEUE_KEY, "");
            self.queue.snapshot(&mut self.records);
        }
    }

    /// Sends what the batching policy allows (everything when `force`), then asks for
    /// a wake-up at the next deadline.
    fn pump(&mut self, host: &mut dyn Host, force: bool) {
        let now = host.now_ms();
        self.queue_warnings();
        let mut next = self.heartbeat_at;
        // Without a tracker URL nothing can be sent: waking up for the queue would spin.
        if !self.cfg.text[TRACKER_URL].is_empty() {
            while let Some(batch) = self.queue.poll_transmit(now, force) {
                self.send(batch.id, &batch.body, force && !self.visible);
            }
            self.queue_warnings();
            next = self.queue.deadline().min(next);
        }
        if next != self.wake_at && next.is_finite() {
            self.wake_at = next;
            #[cfg(test)]
            self.wakes.push(next);
            let out = self.record('K');
            out.push(FS);
            // `as` saturates: a deadline in the past is written 0 (no max(0.0), no fmax call).
            push_u64(out, next as u64);
        }
    }

    /// `S, id, url, leaving[, body]`: POST the bulk body, or with setRequestMethod('GET')
    /// one GET per hit (its query appended to the url field, no body).
    // Inlined into `pump`, its one caller: 5-9 B gzip smaller than out of line since the
    // record helpers are inlined.
    #[inline(always)]
    fn send(&mut self, id: u32, body: &str, leaving: bool) {
        let get = if self.cfg.use_get { crate::wire::single_query(body) } else { None };
        let out = start_record(&mut self.records, 'S');
        out.push(FS);
        push_u64(out, id as u64);
        push_field(out, &self.cfg.text[TRACKER_URL]);
        // GET: the query joins the url field; POST: the body follows the leaving flag.
        if let Some(q) = get {
            push_text(out, q);
        }
        push_digit(out, leaving as u8);
        if get.is_none() {
            push_field(out, body);
        }
    }

    fn queue_warnings(&mut self) {
        for w in &self.queue.take_warnings() {
            self.warn(w);
        }
    }

    pub(crate) fn warn(&mut self, msg: &str) {
        push_field(self.record('W'), msg);
    }

    /// Starts an action record: `RS` and its letter; the caller appends the fields.
    // Inlined (a call to `start_record`): with `push_digit` inlined too, 8 B gzip smaller.
    #[inline(always)]
    fn record(&mut self, letter: char) -> &mut String {
        start_record(&mut self.records, letter)
    }

    fn store(&mut self, key: &str, value: &str) {
        let out = self.record('T');
        push_field(out, key);
        push_field(out, value);
    }

    fn remove(&mut self, key: &str) {
        push_field(self.record('R'), key);
    }
}

/// What the shell read from the browser and from first-party storage at start.
#[derive(Default)]
pub struct Stored {
    pub gpc: bool,
    pub dnt: bool,
    pub consent: Option<String>,
    pub optout: Option<String>,
    pub visitor: Option<String>,
    pub queue: Option<String>,
}

/// The configuration before any command: a constant, so `Tracker::new` copies it from the
/// data section in one go (65 B gzip smaller than a derived Default's field by field stores).
const CONFIG: Config = Config {
    text: [const { String::new() }; 7],
    url_rules: UrlRules { excluded: Vec::new(), allowed: None, discard_hash: false },
    link_rules: LinkRules { domains: Vec::new(), extensions: None, link_classes: Vec::new(), download_classes: Vec::new(), ignore_classes: Vec::new() },
    mask_selectors: Vec::new(),
    dimensions: String::new(),
    use_get: false,
    enabled: 0,
};

impl Config {
    /// A text setting, None when not set.
    fn opt(&self, slot: usize) -> Option<&str> {
        Some(self.text[slot].as_str()).filter(|t| !t.is_empty())
    }
}

fn set_list(cfg: &mut Config, which: ListSetting, list: Vec<String>) {
    use ListSetting as L;
    match which {
        L::Domains => cfg.link_rules.domains = list,
        L::ExcludedQueryParams => cfg.url_rules.excluded = list,
        L::AllowedQueryParams => cfg.url_rules.allowed = Some(list),
        L::MaskSelectors => cfg.mask_selectors = list,
        L::DownloadExtensions => cfg.link_rules.extensions = Some(list),
        L::LinkClasses => cfg.link_rules.link_classes = list,
        L::DownloadClasses => cfg.link_rules.download_classes = list,
        L::IgnoreClasses => cfg.link_rules.ignore_classes = list,
    }
}

/// Sets `key` (`name=`) to `value` percent-encoded, last in the keyed list (a key moves
/// to the end, as matomo.js's do). A keyed list is one String of `&name=value` entries,
/// name and value percent-encoded, so neither holds an `&` and the name no `=`: the
/// dimensions are then the hit's parameters as they are, and no Vec of pairs (its push,
/// search, removal and drop code) is needed.
fn put(list: &mut String, key: &str, value: &str) {
    remove(list, key);
    list.push('&');
    list.push_str(key);
    push_encoded(list, value);
}

/// Removes the entry of `key` (`name=`; a name is in the list at most once) by copying
/// the others: no cut in place with its boundary checks. The empty piece before the first
/// `&` is passed over by a test, not by `skip(1)` (a Skip adapter costs wasm: 73 B gzip in
/// `push_cart_json`).
fn remove(list: &mut String, key: &str) {
    let mut kept = String::new();
    for entry in crate::bytes::split(list, b'&') {
        if !entry.is_empty() && !entry.starts_with(key) {
            kept.push('&');
            kept.push_str(entry);
        }
    }
    *list = kept;
}

/// `dimensionN=`: the key of dimension N, its parameter's name.
fn dimension_key(i: u32) -> String {
    let mut key = String::from("dimension");
    push_u64(&mut key, i as u64);
    key.push('=');
    key
}

/// `sku=`: the key of a cart item, the SKU encoded (encoding is one to one).
fn sku_key(sku: &str) -> String {
    let mut key = String::new();
    push_encoded(&mut key, sku);
    key.push('=');
    key
}

/// `["sku","name","category",price,quantity]` as matomo.js sends a cart item.
fn item_json(item: &Item) -> String {
    let mut out = String::from("[");
    push_json_masked(&mut out, item.sku);
    out.push(',');
    push_json_masked(&mut out, item.name);
    out.push(',');
    push_category_json(&mut out, &item.category);
    out.push(',');
    push_f64(&mut out, item.price);
    out.push(',');
    push_f64(&mut out, item.quantity);
    out.push(']');
    out
}

/// `&key=` and the masked text: every free-text parameter goes through here.
fn set_text(p: &mut Hit, key: &str, text: &str) {
    p.set(key, &mask_text(text));
}

/// `set_text`, unless the text was not given (empty: see `Command`).
fn set_given_text(p: &mut Hit, key: &str, text: &str) {
    if !text.is_empty() {
        set_text(p, key, text);
    }
}

/// `&key=value`, unless the number was not given (NaN).
fn set_num(p: &mut Hit, key: &str, v: f64) {
    if !v.is_nan() {
        p.num(key, v);
    }
}

/// `RS` and the letter of an action record in `out` (a field of the tracker borrowed
/// alone, so the caller may read other fields while writing).
fn start_record(out: &mut String, letter: char) -> &mut String {
    out.push(RS);
    out.push(letter);
    out
}

/// `FS` and the digit of a small enum (`E` features, `C` banner kinds, `S` leaving flags).
// Inlined: two pushes cost less than a call at each of its four sites (6 B gzip).
#[inline(always)]
fn push_digit(out: &mut String, n: u8) {
    out.push(FS);
    out.push((b'0' + n) as char);
}

fn push_json_masked(out: &mut String, text: &str) {
    push_json_str(out, &mask_text(text));
}

fn push_category_json(out: &mut String, c: &Category) {
    match c {
        Category::One(s) => push_json_masked(out, s),
        Category::Many(list) => {
            out.push('[');
            for (i, s) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_masked(out, s);
            }
            out.push(']');
        }
    }
}

mod actions;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod equivalence;
