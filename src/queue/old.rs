//! The queue as it was before the size pass (test-only): `equiv` runs it side by side with
//! the new one on generated operations.
#![allow(dead_code)]

use crate::numfmt::push_u64;
use crate::wire::{body_cost, body_end, body_next, MAX_BODY_BYTES, MAX_HITS_PER_REQUEST};
use super::{fit, Batch, Outcome, Policy, LATE_MS, MAX_AGE_MS, MAX_QUERY_BYTES, MAX_WAITING};
use alloc::string::String;
use alloc::vec::Vec;

/// `{"requests":[` + `]}`, minus the comma `body_cost` counts for the last hit.
const EMPTY_BODY: usize = 14;
/// Warnings kept until `take_warnings`, so an owner that never reads them stays bounded.
const MAX_WARNINGS: usize = 32;
/// `Entry::flight` of a hit not in flight: batch ids skip it.
const WAITING: u32 = 0;

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
        // The oldest waiting hits beyond the bound go, in one walk (not a count and a search
        // per hit).
        let mut excess = self.waiting().count().saturating_sub(MAX_WAITING);
        self.overflow += excess;
        let mut i = 0;
        while excess > 0 {
            let Some(e) = self.hits.get(i) else { break };
            if e.flight == WAITING {
                self.hits.remove(i);
                excess -= 1;
            } else {
                i += 1;
            }
        }
    }

    /// The next batch to send now, if the policy says so (`force` = flush / page hide).
    pub fn poll_transmit(&mut self, now_ms: f64, force: bool) -> Option<Batch> {
        if !force && !self.next_deadline().is_some_and(|d| d <= now_ms) {
            return None;
        }
        self.take(now_ms)
    }

    /// Result of sending batch `id`; `jitter` is uniform in [0, 1). Unknown ids (cleared
    /// batches, beacons the owner did not get from here) are ignored.
    pub fn on_result(&mut self, id: u32, outcome: Outcome, now_ms: f64, jitter: f64) {
        if id == WAITING || !self.hits.iter().any(|e| e.flight == id) {
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
            408 | 429 => self.retry(id, after, now_ms, jitter, true),
            // The collector read and refused them: sending them again cannot help.
            400..=499 => {
                let n = self.land(id, 0, 0);
                self.warn(n, ": the collector refused them (HTTP ", code as u64, ")");
            }
            // 5xx, network errors, and odd statuses (1xx, 3xx): transient until the bound.
            // A network error while offline is expected and does not spend an attempt.
            _ => self.retry(id, after, now_ms, jitter, code != 0 || !self.offline),
        }
    }

    /// When the owner should call `poll_transmit` again (flush delay or retry backoff end).
    /// None when nothing waits, while offline, and while a batch is in flight (its result
    /// comes first): never a deadline that `poll_transmit` would not honour, so no busy loop.
    pub fn next_deadline(&self) -> Option<f64> {
        // With nothing in flight every hit waits: the first is the oldest waiting.
        let front = self.hits.first()?;
        if self.offline || self.hits.iter().any(|e| e.flight != WAITING) {
            return None;
        }
        let due = if self.kick || self.full() { 0.0 } else { front.queued + self.policy.max_delay_ms.max(0.0) };
        Some(due.max(self.retry_at))
    }

    /// Offline pauses the non-forced path; back online, what waits goes at once and the
    /// backoff restarts (the outage was the client's, not the collector's).
    pub fn set_online(&mut self, online: bool) {
        if online && self.offline {
            (self.failures, self.retry_at, self.kick) = (0, 0.0, self.waiting().next().is_some());
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
        // Batch by batch: `land` is the one removal loop (no `retain` code for this).
        while let Some(e) = self.hits.iter().find(|e| e.flight != WAITING) {
            let id = e.flight;
            self.land(id, 0, 0);
        }
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

    fn max_hits(&self) -> usize {
        self.policy.max_hits.clamp(1, MAX_HITS_PER_REQUEST)
    }

    /// A full batch waits: by count, or by size. Only asked with nothing in flight, when
    /// every hit waits.
    /// (Enough hits for a batch is one length test; the bytes are summed only when fewer
    /// wait, so the sum covers every hit: no counter in the loop.)
    fn full(&self) -> bool {
        if self.hits.len() >= self.max_hits() {
            return true;
        }
        let mut bytes = EMPTY_BODY;
        for e in &self.hits {
            bytes += body_cost(&e.query);
        }
        bytes >= MAX_BODY_BYTES
    }

    fn waiting(&self) -> impl Iterator<Item = &Entry> {
        self.hits.iter().filter(|e| e.flight == WAITING)
    }

    /// The hits of batch `id` come back from flight with `spend` more failed attempts; those
    /// that reach `max` attempts are removed (all of them for `max` = 0: delivered or
    /// refused). Returns how many were removed.
    fn land(&mut self, id: u32, spend: u32, max: u32) -> usize {
        let (mut i, mut removed) = (0, 0);
        while let Some(e) = self.hits.get_mut(i) {
            if e.flight == id {
                e.flight = WAITING;
                e.attempts += spend;
                if e.attempts >= max {
                    self.hits.remove(i);
                    removed += 1;
                    continue;
                }
            }
            i += 1;
        }
        removed
    }

    /// Takes the longest prefix of the waiting hits that fits one request.
    fn take(&mut self, now: f64) -> Option<Batch> {
        let (max, mut expired) = (self.max_hits(), 0);
        // Skips WAITING when the count wraps (after 2^32 batches).
        let id = self.next_id.wrapping_add(1).max(1);
        let (mut n, mut body, mut i) = (0, String::new(), 0);
        while let Some(e) = self.hits.get_mut(i) {
            if e.flight != WAITING {
                i += 1;
                continue;
            }
            if n >= max {
                break;
            }
            if now - e.created > MAX_AGE_MS {
                self.hits.remove(i);
                expired += 1;
                continue;
            }
            let mark = body.len();
            push_line(&mut body, e, now);
            // What the body would weigh closed (each hit counted with a comma, as in `full`).
            // Queries are bounded at push, so a first hit always fits.
            if body.len() + 1 >= MAX_BODY_BYTES && n > 0 {
                body.truncate(mark);
                break;
            }
            e.flight = id;
            n += 1;
            i += 1;
        }
        self.warn(expired, " older than 24 hours (Matomo refuses a late cdt without a token)", 0, "");
        if n == 0 {
            return None;
        }
        self.next_id = id;
        self.kick = false;
        body_end(&mut body);
        Some(Batch { id, body, hits: n })
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

/// Hits kept in a snapshot and accepted by `restore`.
const MAX_STORED: usize = 200;

impl Queue {
    /// Unsent hits (waiting and in flight: the page may die before their result),
    /// serialised for first-party storage.
    pub fn snapshot(&self) -> String {
        let mut out = String::new();
        // The newest MAX_STORED as a subslice (no Skip adapter).
        let newest = self.hits.get(self.hits.len().saturating_sub(MAX_STORED)..).unwrap_or_default();
        for e in newest {
            push_u64(&mut out, e.created as u64);
            out.push('\t');
            out.push_str(&e.query);
            out.push('\n');
        }
        out
    }

    /// Appends the hits of a snapshot, in their order, after what is queued. Hits too old
    /// for `cdt` are dropped with a warning.
    pub fn restore(&mut self, snapshot: &str, now_ms: f64) {
        let lines = || crate::bytes::split(snapshot, b'\n');
        // Only the newest MAX_STORED readable lines count.
        let mut skip = lines().filter(|l| parse_line(l).is_some()).count().saturating_sub(MAX_STORED);
        let mut old = 0;
        for line in lines() {
            let Some((created, query)) = parse_line(line) else { continue };
            if skip > 0 {
                skip -= 1;
            } else if now_ms - created > MAX_AGE_MS {
                old += 1;
            } else {
                self.push(query.into(), created, now_ms);
            }
        }
        self.warn(old, " saved before the reload: older than 24 hours", 0, "");
    }
}

fn parse_line(line: &str) -> Option<(f64, &str)> {
    let (t, q) = crate::bytes::split_once(line, b'\t')?;
    let t = parse_u64(t)?;
    let plain = q.bytes().all(|b| b > b' ' && b < 0x7f && b != b'"' && b != b'\\');
    // A byte compare, not `starts_with(char)`.
    (q.as_bytes().first().copied() == Some(b'?') && plain).then_some((t as f64, q))
}

/// `str::parse::<u64>` without core's generic integer parser: optional `+`, then digits,
/// None on overflow.
fn parse_u64(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        // One division for the overflow test: `checked_mul` spells out a 128-bit product.
        let d = b.wrapping_sub(b'0') as u64;
        if d > 9 || n > (u64::MAX - d) / 10 {
            return None;
        }
        n = n * 10 + d;
    }
    Some(n)
}


#[cfg(test)]
mod equiv {
    use super::super as new;
    use super::Queue as Old;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    const T0: f64 = 1_700_000_000_000.0;

    struct Pair {
        old: Old,
        new: new::Queue,
    }

    impl Pair {
        fn check(&mut self, now: f64) {
            assert_eq!(self.new.len(), self.old.len());
            assert_eq!(self.new.deadline().to_bits(), self.old.next_deadline().unwrap_or(f64::INFINITY).to_bits());
            let mut snap = String::new();
            self.new.snapshot(&mut snap);
            assert_eq!(snap, self.old.snapshot());
            let _ = now;
        }

        fn warnings(&mut self) {
            assert_eq!(self.new.take_warnings(), self.old.take_warnings());
        }
    }

    fn query(r: &mut impl FnMut(u64) -> u64, n: u64) -> String {
        let mut q = format!("?idsite={}&rec=1&_id=0123456789abcdef&n={n}", r(3));
        match r(400) {
            0 => q.push_str(&"%C3%A9x".repeat(9_000)),
            1 => q = format!("?idsite=1&{}=1", "k".repeat(61_000)),
            2..=30 => q.push_str(&"v".repeat(r(20_000) as usize)),
            _ => {}
        }
        q
    }

    fn run(seed: u64) -> (usize, usize) {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut r = move |n: u64| {
            x = crate::test_rng::step(x);
            x % n
        };
        let policy = new::Policy {
            max_hits: r(60) as usize,
            max_delay_ms: r(3000) as f64 - 100.0,
            retry_base_ms: r(2000) as f64,
            retry_cap_ms: r(60_000) as f64,
            max_attempts: r(10) as u32,
        };
        let mut p = Pair { old: Old::new(policy.clone()), new: new::Queue::new(policy) };
        let (mut now, mut n, mut ids, mut sent) = (T0, 0, Vec::new(), 0);
        for _ in 0..300 {
            match r(100) {
                0..=29 => {
                    let reps = if r(40) == 0 { 400 + r(200) } else { 1 };
                    for _ in 0..reps {
                        n += 1;
                        let q = query(&mut r, n);
                        let created = match r(10) {
                            0 => f64::NAN,
                            1 => now - r(30) as f64 * 3_600_000.0,
                            2 => now - r(10_000) as f64,
                            _ => now,
                        };
                        p.new.push(q.clone(), created, now);
                        p.old.push(q, created, now);
                    }
                }
                30..=49 => {
                    let force = r(4) == 0;
                    let b = p.new.poll_transmit(now, force);
                    assert_eq!(b, p.old.poll_transmit(now, force));
                    if let Some(b) = b {
                        ids.push(b.id);
                        sent += 1;
                    }
                }
                50..=74 if !ids.is_empty() => {
                    let id = ids.swap_remove(r(ids.len() as u64) as usize);
                    let outcome = match r(8) {
                        0 | 1 => new::Outcome::Delivered,
                        2 => new::Outcome::NetworkError,
                        _ => {
                            let code = [100, 204, 301, 400, 404, 408, 429, 499, 500, 503, 599, 0][r(12) as usize];
                            let retry_after_ms = match r(3) {
                                0 => Some(r(5000) as f64 - 1000.0),
                                1 => Some(f64::NAN),
                                _ => None,
                            };
                            new::Outcome::Status { code, retry_after_ms }
                        }
                    };
                    let jitter = [0.0, 0.5, 0.999, 1.0, 1.5, -1.0, f64::NAN][r(7) as usize];
                    p.new.on_result(id, outcome, now, jitter);
                    p.old.on_result(id, outcome, now, jitter);
                }
                75..=89 => now += if r(20) == 0 { 3_600_000.0 * r(30) as f64 } else { r(4000) as f64 },
                90..=93 => {
                    let online = r(2) == 0;
                    p.new.set_online(online);
                    p.old.set_online(online);
                }
                94 => {
                    p.new.clear();
                    p.old.clear();
                }
                95 => {
                    p.new.hand_over_in_flight();
                    p.old.hand_over_in_flight();
                }
                96..=97 => {
                    // A reload: the snapshot (sometimes damaged) restored into the queue.
                    let mut s = p.old.snapshot();
                    if r(2) == 0 && !s.is_empty() {
                        let at = r(s.len() as u64) as usize;
                        if s.is_char_boundary(at) {
                            s.insert_str(at, ["\n", "\t", "x", "\"", "99999999999999999999\t?a\n", "+5\t?b=1\n", "é"][r(7) as usize]);
                        }
                    }
                    p.new.restore(&s, now);
                    p.old.restore(&s, now);
                }
                _ => {
                    let id = (r(5) as u32).wrapping_add(if r(2) == 0 { u32::MAX - 3 } else { 0 });
                    p.new.on_result(id, new::Outcome::Delivered, now, 0.5);
                    p.old.on_result(id, new::Outcome::Delivered, now, 0.5);
                }
            }
            if r(4) == 0 {
                p.check(now);
            }
            if r(3) == 0 {
                p.warnings();
            }
        }
        p.warnings();
        (sent, n as usize)
    }

    #[test]
    fn parse_line_equals_the_old_version() {
        const PIECES: &[&str] = &["1", "0", "9", "+", "\t", "?", "a", "=", "&", " ", "\"", "\\", "é", "\u{7f}", "18446744073709551615", "18446744073709551616"];
        let mut x: u64 = 0x5851_F42D_4C95_7F2D;
        let mut below = |n: usize| {
            x = crate::test_rng::step(x);
            (x % n as u64) as usize
        };
        let mut read = 0;
        for _ in 0..200_000 {
            // Most lines start as a readable one would, then anything may follow.
            let mut line = String::from(["", "1700000000000\t?", "+12\t?idsite=1", "\t?"][below(4)]);
            for _ in 0..below(5) {
                line.push_str(PIECES[below(PIECES.len())]);
            }
            let old = super::parse_line(&line);
            read += old.is_some() as u32;
            assert_eq!(new::persist::parse_line(&line), old, "{line:?}");
        }
        assert!(read > 20_000, "{read}");
    }

    #[test]
    fn the_queue_behaves_as_the_old_one() {
        let (mut sent, mut pushed) = (0, 0);
        for seed in 0..100 {
            let (s, n) = run(seed);
            sent += s;
            pushed += n;
        }
        assert!(sent > 2_000 && pushed > 30_000, "{sent} {pushed}");
    }
}
