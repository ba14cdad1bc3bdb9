//! Outbound queue, batching and retry policy: sans-IO. The owner pushes encoded hits,
//! asks `poll_transmit` for batches, sends them, and reports each result with `on_result`.
//!
//! Contract for the owner:
//! - every batch returned by `poll_transmit` gets exactly one `on_result` (a fetch needs a
//!   timeout that reports `NetworkError`; a `sendBeacon` that returned true is `Delivered`,
//!   the browser owns it from then on; false is `NetworkError`). A batch that never gets a
//!   result blocks the non-forced path, which sends one batch at a time.
//! - call `poll_transmit(now, false)` at `next_deadline()` and after every `on_result`,
//!   `push` and `set_online(true)`; a deadline at or before `now` means "now".
//! - `poll_transmit(now, true)` (flush, page hide) hands out everything waiting, batch after
//!   batch, ignoring the delay, the backoff, the batch in flight and offline state (a
//!   beacon may still get through when `navigator.onLine` is wrong).
//!
//! Order: waiting and in-flight hits share one list in push order; a hit in flight keeps its
//! place, so a batch that fails is back where it was (before hits pushed since). With one
//! batch in flight (the normal path) the collector sees hits in push order. Forced batches
//! may overlap: if an earlier one fails and a later one succeeds, the failed hits arrive
//! later, with `cdt`.

mod fit;
mod persist;
#[cfg(test)]
mod old;
#[cfg(test)]
mod tests;

pub use persist::MAX_STORED;

use crate::numfmt::push_u64;
use crate::wire::{body_cost, body_end, body_next, MAX_BODY_BYTES, MAX_HITS_PER_REQUEST};
use alloc::string::String;
use alloc::vec::Vec;

/// Waiting hits kept in memory; beyond it the oldest are dropped (with a warning).
pub const MAX_WAITING: usize = 500;
/// A hit sent this long after it happened carries `cdt`.
pub const LATE_MS: f64 = 2_000.0;
/// Matomo refuses (HTTP 400, whole bulk request) a `cdt` older than 24 h without a token.
/// Five minutes of margin cover the trip and a server clock slightly ahead of the browser's.
pub const MAX_AGE_MS: f64 = 86_400_000.0 - 300_000.0;
/// Longest query kept: leaves room in one body for the brackets, quotes and `&cdt=…`.
pub const MAX_QUERY_BYTES: usize = MAX_BODY_BYTES - 100;
/// `{"requests":[` + `]}`, minus the comma `body_cost` counts for the last hit.
const EMPTY_BODY: usize = 14;
/// Warnings kept until `take_warnings`, so an owner that never reads them stays bounded.
const MAX_WARNINGS: usize = 32;
/// `Entry::flight` of a hit not in flight: batch ids skip it.
const WAITING: u32 = 0;
/// `Entry::flight` of a hit marked for removal by `sweep` (never a batch id either).
const GONE: u32 = u32::MAX;
/// `land`'s id for every batch in flight (GONE: no batch has it, no hit is GONE then).
const EVERY_BATCH: u32 = GONE;

#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub id: u32,
    /// `{"requests":[…]}`
    pub body: String,
    /// Hits in the body (only the tests read it: the owner sends the body as it is).
    #[cfg(test)]
    pub hits: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// 2xx
    Delivered,
    /// HTTP status other than 2xx; `retry_after_ms` from a Retry-After header.
    Status { code: u16, retry_after_ms: Option<f64> },
    /// network error, timeout, aborted
    NetworkError,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Hits per batch (clamped to 1..=50).
    pub max_hits: usize,
    /// How long the oldest waiting hit may wait for companions.
    pub max_delay_ms: f64,
    /// Backoff before retry n (from 0): jitter × min(cap, base × 2^n).
    pub retry_base_ms: f64,
    pub retry_cap_ms: f64,
    /// Failed sends of one hit before it is dropped.
    pub max_attempts: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_hits: 50, max_delay_ms: 1000.0, retry_base_ms: 1000.0, retry_cap_ms: 60_000.0, max_attempts: 8 }
    }
}

/// One hit and what the queue knows about it.
struct Entry {
    created: f64,
    /// When it entered the queue: starts the batch delay.
    queued: f64,
    /// Failed sends so far.
    attempts: u32,
    /// The batch it is in flight with; `WAITING` (0, never a batch id) while it waits.
    /// A bare u32, not an Option: one compare at each test instead of tag and value.
    flight: u32,
    query: String,
}

#[derive(Default)]
pub struct Queue {
    pub policy: Policy,
    /// Waiting and in-flight hits in one list in push order: a failed batch is already in
    /// its place, and a snapshot is the list as it is. A plain Vec (removals move at most a
    /// few hundred small entries): no VecDeque code in the wasm.
    hits: Vec<Entry>,
    warnings: Vec<String>,
    /// Never reset (not even by `clear`), so a late result cannot match a newer batch.
    next_id: u32,
    /// Consecutive failed sends: the backoff exponent.
    failures: u32,
    /// No non-forced send before this.
    retry_at: f64,
    offline: bool,
    /// Back online: send what waits without waiting for the batch delay.
    kick: bool,
    /// Hits dropped by `MAX_WAITING` since the last `take_warnings` (one warning, not 500).
    overflow: usize,
}

impl Queue {
    pub fn new(policy: Policy) -> Self {
        Queue { policy, ..Default::default() }
    }

    /// Adds an encoded hit (`?idsite=…`) made at `created_ms`. A query too long for one
    /// request is shortened (see `fit`) with a warning.
    pub fn push(&mut self, query: String, created_ms: f64, now_ms: f64) {
        let query = if query.len() <= MAX_QUERY_BYTES {
            query
        } else if let Some(short) = fit::fit(&query, MAX_QUERY_BYTES) {
            let mut w = String::from("hush: shortened a hit of ");
            push_u64(&mut w, query.len() as u64);
            w.push_str(" bytes to fit one request (longest values cut first)");
            self.note(w);
            short
        } else {
            return self.warn(1, " too large to send", 0, "");
        };
        let created = if created_ms.is_finite() { created_ms } else { now_ms };
        self.hits.push(Entry { created, queued: now_ms, attempts: 0, flight: WAITING, query });
        // The oldest waiting hits beyond the bound go: one walk from the newest, counting the
        // waiting ones (not a count, then a search).
        let mut waiting = 0;
        for e in self.hits.iter_mut().rev() {
            if e.flight == WAITING {
                waiting += 1;
                if waiting > MAX_WAITING {
                    e.flight = GONE;
                    self.overflow += 1;
                }
            }
        }
        self.sweep();
    }

    /// The next batch to send now, if the policy says so (`force` = flush / page hide).
    pub fn poll_transmit(&mut self, now_ms: f64, force: bool) -> Option<Batch> {
        // Negated, not `>`: a NaN deadline is not due.
        if !force && !(self.deadline() <= now_ms) {
            return None;
        }
        self.take(now_ms)
    }

    /// Result of sending batch `id`; `jitter` is uniform in [0, 1). Unknown ids (cleared
    /// batches, beacons the owner did not get from here) are ignored.
    pub fn on_result(&mut self, id: u32, outcome: Outcome, now_ms: f64, jitter: f64) {
        // (No hit is GONE between calls: `sweep` runs before each returns.)
        if id == WAITING || !self.any_in(id) {
            return;
        }
        let (code, after) = match outcome {
            Outcome::Delivered => (200, None),
            Outcome::Status { code, retry_after_ms } => (code, retry_after_ms),
            Outcome::NetworkError => (0, None),
        };
        match code {
            // Delivered: the hits are gone for good, and the collector is up again.
            200..=299 => {
                self.land(id, 0, 0);
                (self.failures, self.retry_at) = (0, 0.0);
            }
            // The collector read and refused them: sending them again cannot help (408 and
            // 429 excepted: retried below).
            400..=499 if code != 408 && code != 429 => {
                let n = self.land(id, 0, 0);
                self.warn(n, ": the collector refused them (HTTP ", code as u64, ")");
            }
            // 408, 429, 5xx, network errors, and odd statuses (1xx, 3xx): transient until the
            // bound. A network error while offline is expected and does not spend an attempt
            // (every status does: one retry call for all).
            _ => self.retry(id, after, now_ms, jitter, code != 0 || !self.offline),
        }
    }

    /// When the owner should call `poll_transmit` again (flush delay or retry backoff end).
    /// Infinity (never) when nothing waits, while offline, and while a batch is in flight (its
    /// result comes first): never a deadline that `poll_transmit` would not honour, so no busy
    /// loop. A plain f64, not an Option: the owner takes the earliest of its deadlines.
    pub fn deadline(&self) -> f64 {
        // With nothing in flight every hit waits: the first is the oldest waiting.
        let Some(front) = self.hits.first() else { return f64::INFINITY };
        if self.offline {
            return f64::INFINITY;
        }
        // One walk: looks for a hit in flight and weighs the body of them all.
        let mut bytes = EMPTY_BODY;
        for e in &self.hits {
            if e.flight != WAITING {
                return f64::INFINITY;
            }
            bytes += body_cost(&e.query);
        }
        // A full batch waits (by count or by size): no delay.
        let full = self.hits.len() >= self.max_hits() || bytes >= MAX_BODY_BYTES;
        let due = if self.kick || full { 0.0 } else { front.queued + self.policy.max_delay_ms.max(0.0) };
        due.max(self.retry_at)
    }

    /// `deadline` as an Option (None for never), as the tests ask it.
    #[cfg(test)]
    pub fn next_deadline(&self) -> Option<f64> {
        Some(self.deadline()).filter(|d| *d != f64::INFINITY)
    }

    /// Offline pauses the non-forced path; back online, what waits goes at once and the
    /// backoff restarts (the outage was the client's, not the collector's).
    pub fn set_online(&mut self, online: bool) {
        if online && self.offline {
            (self.failures, self.retry_at, self.kick) = (0, 0.0, self.any_in(WAITING));
        }
        self.offline = !online;
    }

    /// Drops everything (consent withdrawn), in flight included: results arriving later
    /// for those batches are ignored.
    pub fn clear(&mut self) {
        self.hits.clear();
        (self.failures, self.retry_at, self.kick) = (0, 0.0, false);
    }

    /// The page is leaving: batches in flight are keepalive requests the browser carries on
    /// without us, and their promises may be rejected by the unload itself. Retrying them
    /// would deliver them twice, so they count as handed over (results are ignored).
    pub fn hand_over_in_flight(&mut self) {
        self.land(EVERY_BATCH, 0, 0);
    }

    /// Hits not yet delivered: waiting and in flight.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Console warnings produced (hits dropped after the retry bound, refused, older than
    /// 24 h, over the memory bound; hits shortened).
    pub fn take_warnings(&mut self) -> Vec<String> {
        let n = core::mem::take(&mut self.overflow);
        self.warn(n, ": more than ", MAX_WAITING as u64, " waiting");
        core::mem::take(&mut self.warnings)
    }

    /// Some hit is in `flight` (a batch id, or WAITING): one loop for both questions.
    fn any_in(&self, flight: u32) -> bool {
        self.hits.iter().any(|e| e.flight == flight)
    }

    fn max_hits(&self) -> usize {
        self.policy.max_hits.clamp(1, MAX_HITS_PER_REQUEST)
    }

    /// The hits of batch `id` (of every batch in flight for EVERY_BATCH) come back from
    /// flight with `spend` more failed attempts; those that reach `max` attempts are removed
    /// (all of them for `max` = 0: delivered, refused or handed over). Returns how many were
    /// removed.
    fn land(&mut self, id: u32, spend: u32, max: u32) -> usize {
        let mut removed = 0;
        for e in &mut self.hits {
            if e.flight == id || (id == EVERY_BATCH) & (e.flight != WAITING) {
                e.attempts += spend;
                e.flight = if e.attempts >= max {
                    removed += 1;
                    GONE
                } else {
                    WAITING
                };
            }
        }
        self.sweep();
        removed
    }

    /// Removes the hits marked GONE: the one removal in the queue (no `Vec::remove`
    /// shifting the tail once per hit).
    #[inline(never)]
    fn sweep(&mut self) {
        self.hits.retain(|e| e.flight != GONE);
    }

    /// Takes the longest prefix of the waiting hits that fits one request.
    fn take(&mut self, now: f64) -> Option<Batch> {
        let (max, mut expired) = (self.max_hits(), 0);
        // Skips WAITING and GONE when the count wraps (after 2^32 - 2 batches).
        let id = self.next_id % (GONE - 1) + 1;
        let (mut n, mut body) = (0, String::new());
        for e in &mut self.hits {
            if e.flight != WAITING {
                continue;
            }
            if n >= max {
                break;
            }
            if now - e.created > MAX_AGE_MS {
                e.flight = GONE;
                expired += 1;
                continue;
            }
            let mark = body.len();
            push_line(&mut body, e, now);
            // What the body would weigh closed (each hit counted with a comma, as in `deadline`).
            // Queries are bounded at push, so a first hit always fits.
            if body.len() + 1 >= MAX_BODY_BYTES && n > 0 {
                crate::bytes::shorten(&mut body, mark);
                break;
            }
            e.flight = id;
            n += 1;
        }
        self.sweep();
        self.warn(expired, " older than 24 hours (Matomo refuses a late cdt without a token)", 0, "");
        if n == 0 {
            return None;
        }
        self.next_id = id;
        self.kick = false;
        body_end(&mut body);
        Some(Batch {
            id,
            body,
            #[cfg(test)]
            hits: n,
        })
    }

    /// Puts a failed batch back in its place, minus the hits that reached the bound, and
    /// sets when to try again.
    fn retry(&mut self, id: u32, after: Option<f64>, now: f64, jitter: f64, spend: bool) {
        let max = self.policy.max_attempts.max(1);
        let spent = self.land(id, spend as u32, max);
        self.warn(spent, " after ", max as u64, " failed attempts");
        let wait = match after {
            Some(ms) if ms >= 0.0 => ms,
            _ => self.backoff(jitter),
        };
        self.retry_at = now + wait;
        self.failures = self.failures.saturating_add(1);
    }

    /// Full jitter: jitter × min(cap, base × 2^failures). Doubling instead of `powi`, which
    /// needs libm in no_std; it stops at the cap, so it never overflows.
    fn backoff(&self, jitter: f64) -> f64 {
        let (base, cap) = (self.policy.retry_base_ms, self.policy.retry_cap_ms);
        // A countdown, not a Range iterator.
        let (mut d, mut n) = (base, self.failures.min(64));
        while n > 0 && !(d >= cap) {
            d += d;
            n -= 1;
        }
        // Out-of-range jitter (NaN included) waits the whole window rather than none.
        let j = if (0.0..=1.0).contains(&jitter) { jitter } else { 1.0 };
        d.min(cap).max(0.0) * j
    }

    /// The loop `full` replaced, and `full` in turn the walk in `deadline` (kept for its
    /// equivalence test).
    #[cfg(test)]
    fn full_old(&self) -> bool {
        let (n, mut count, mut bytes) = (self.max_hits(), 0, EMPTY_BODY);
        for e in &self.hits {
            if count == n {
                return true;
            }
            count += 1;
            bytes += body_cost(&e.query);
        }
        count == n || bytes >= MAX_BODY_BYTES
    }

    /// Waiting and in-flight hits in push order.
    #[cfg(test)]
    fn held(&self) -> Vec<&Entry> {
        self.hits.iter().collect()
    }

    /// `hush: dropped <n> hit(s)<why><num><tail>`, nothing when n = 0. `num` = 0 is "no
    /// number" (every number said is an HTTP status, an attempt bound ≥ 1 or MAX_WAITING:
    /// never 0), which spares the Option at each call.
    fn warn(&mut self, n: usize, why: &str, num: u64, tail: &str) {
        if n == 0 {
            return;
        }
        let mut w = String::from("hush: dropped ");
        push_u64(&mut w, n as u64);
        w.push_str(" hit");
        if n != 1 {
            w.push('s');
        }
        w.push_str(why);
        if num != 0 {
            push_u64(&mut w, num);
        }
        w.push_str(tail);
        self.note(w);
    }

    fn note(&mut self, w: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        }
    }
}

/// Appends the hit as sent to a bulk body: with `&cdt=<unix seconds>` when it is late.
fn push_line(s: &mut String, e: &Entry, now: f64) {
    body_next(s);
    s.push_str(&e.query);
    if now - e.created >= LATE_MS {
        s.push_str("&cdt=");
        push_u64(s, (e.created / 1000.0) as u64);
    }
    s.push('"');
}
