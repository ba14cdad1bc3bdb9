use super::persist::MAX_STORED;
use super::*;
use alloc::{format, vec};
use std::collections::HashSet;

const T0: f64 = 1_700_000_000_000.0;
const HOUR: f64 = 3_600_000.0;

fn hit(n: u64) -> String {
    format!("?idsite=1&rec=1&_id=0123456789abcdef&cid=0123456789abcdef&n={n}")
}

fn policy(max_hits: usize) -> Policy {
    Policy { max_hits, ..Policy::default() }
}

/// The request strings of a body, checking the body's shape and size on the way.
fn requests(b: &Batch) -> Vec<&str> {
    assert!(b.body.len() < MAX_BODY_BYTES, "body of {} bytes", b.body.len());
    let inner = b.body.strip_prefix("{\"requests\":[\"").and_then(|s| s.strip_suffix("\"]}")).expect("bulk body");
    let reqs: Vec<&str> = inner.split("\",\"").collect();
    assert_eq!(reqs.len(), b.hits);
    reqs
}

/// The `n` of each hit of a batch.
fn ns(b: &Batch) -> Vec<u64> {
    requests(b).iter().map(|r| n_of(r)).collect()
}

fn n_of(r: &str) -> u64 {
    let tail = &r[r.find("&n=").expect("n") + 3..];
    tail[..tail.find('&').unwrap_or(tail.len())].parse().unwrap()
}

fn push_n(q: &mut Queue, range: core::ops::Range<u64>, now: f64) {
    for n in range {
        q.push(hit(n), now, now);
    }
}

/// Forces everything out and delivers it; returns the hits in wire order.
fn drain(q: &mut Queue, now: f64) -> Vec<u64> {
    let mut out = Vec::new();
    while let Some(b) = q.poll_transmit(now, true) {
        out.extend(ns(&b));
        q.on_result(b.id, Outcome::Delivered, now, 0.5);
    }
    out
}

/// `snapshot` into a fresh String.
fn snap(q: &Queue) -> String {
    let mut s = String::new();
    q.snapshot(&mut s);
    s
}

fn status(code: u16) -> Outcome {
    Outcome::Status { code, retry_after_ms: None }
}

#[test]
fn batches_by_count() {
    let mut q = Queue::new(policy(3));
    push_n(&mut q, 0..2, T0);
    assert_eq!(q.poll_transmit(T0, false), None);
    push_n(&mut q, 2..3, T0);
    assert_eq!(q.next_deadline(), Some(0.0));
    let b = q.poll_transmit(T0, false).unwrap();
    assert_eq!(ns(&b), [0, 1, 2]);
    assert_eq!(q.len(), 3, "in flight still counts");
    assert_eq!(q.next_deadline(), None);
}

#[test]
fn batches_by_delay() {
    let mut q = Queue::new(policy(50));
    push_n(&mut q, 0..1, T0);
    push_n(&mut q, 1..2, T0 + 300.0);
    assert_eq!(q.next_deadline(), Some(T0 + 1000.0));
    assert_eq!(q.poll_transmit(T0 + 999.0, false), None);
    assert_eq!(ns(&q.poll_transmit(T0 + 1000.0, false).unwrap()), [0, 1]);
}

#[test]
fn force_sends_everything_even_with_a_batch_in_flight() {
    let mut q = Queue::new(policy(50));
    push_n(&mut q, 0..120, T0);
    let sizes: Vec<usize> = core::iter::from_fn(|| q.poll_transmit(T0, true)).map(|b| b.hits).collect();
    assert_eq!(sizes, [50, 50, 20]);
    assert_eq!(q.len(), 120);
    // max_hits is clamped to 1..=50.
    let mut q = Queue::new(policy(0));
    push_n(&mut q, 0..2, T0);
    assert_eq!(q.poll_transmit(T0, true).unwrap().hits, 1);
    let mut q = Queue::new(policy(80));
    push_n(&mut q, 0..80, T0);
    assert_eq!(q.poll_transmit(T0, false).unwrap().hits, 50);
}

#[test]
fn fifty_events_and_a_page_view_take_at_most_three_requests() {
    let mut q = Queue::new(Policy::default());
    push_n(&mut q, 0..51, T0);
    let mut now = T0;
    let mut seen = Vec::new();
    let mut requests = 0;
    while let Some(d) = q.next_deadline() {
        now = now.max(d);
        let b = q.poll_transmit(now, false).unwrap();
        requests += 1;
        seen.extend(ns(&b));
        q.on_result(b.id, Outcome::Delivered, now, 0.5);
    }
    assert!(requests <= 3, "{requests} requests");
    assert_eq!(seen, (0..51).collect::<Vec<_>>());
    assert!(q.is_empty());
}

#[test]
fn bodies_are_split_by_size() {
    let mut q = Queue::new(Policy::default());
    let pad = "x".repeat(2000);
    for n in 0..300 {
        q.push(format!("{}&e_n={pad}", hit(n)), T0, T0);
    }
    let mut batches = 0;
    let seen = core::iter::from_fn(|| {
        let b = q.poll_transmit(T0, true)?;
        batches += 1;
        q.on_result(b.id, Outcome::Delivered, T0, 0.5);
        Some(ns(&b)) // checks body < 60,000
    })
    .flatten()
    .collect::<Vec<_>>();
    assert_eq!(seen, (0..300).collect::<Vec<_>>(), "every hit once, in order");
    assert!(batches >= 11, "{batches} batches of ~2 KB hits");
    // Also full by size for the non-forced path: 30 such hits cannot wait for 50.
    let mut q = Queue::new(Policy::default());
    for n in 0..30 {
        q.push(format!("{}&e_n={pad}", hit(n)), T0, T0);
    }
    assert_eq!(q.next_deadline(), Some(0.0));
}

#[test]
fn an_oversized_hit_is_shortened_longest_values_first() {
    let mut q = Queue::new(Policy::default());
    let long = "%C3%A9".repeat(20_000); // 120,000 bytes
    let mid = "y".repeat(30_000);
    let big = format!("{}&url=https%3A%2F%2Fa.example%2F&action_name={long}&e_n={mid}&e_c=short", hit(7));
    let warning = format!("hush: shortened a hit of {} bytes to fit one request (longest values cut first)", big.len());
    q.push(big, T0, T0);
    assert_eq!(q.take_warnings(), [warning]);
    let b = q.poll_transmit(T0, true).unwrap();
    let r = requests(&b)[0];
    assert!(r.starts_with("?idsite=1&rec=1&_id=0123456789abcdef&cid=0123456789abcdef&n=7&url=https%3A%2F%2Fa.example%2F&action_name=%C3%A9"));
    assert!(r.ends_with("&e_c=short"));
    let value = |k: &str| r.split('&').find_map(|p| p.strip_prefix(k)).unwrap();
    let (a, e) = (value("action_name="), value("e_n="));
    assert!(a.len() % 6 == 0, "whole characters only");
    assert!(a.len().abs_diff(e.len()) <= 6, "both cut to one common length: {} {}", a.len(), e.len());
    assert!(r.len() <= MAX_QUERY_BYTES && r.len() > MAX_QUERY_BYTES - 20);
}

#[test]
fn cuts_never_split_escapes_or_characters() {
    assert_eq!(fit::fit("?idsite=1&a=%C3%A9%C3%A9", 19), Some("?idsite=1&a=%C3%A9".into()));
    assert_eq!(fit::fit("?idsite=1&a=%C3%A9%C3%A9", 23), Some("?idsite=1&a=%C3%A9".into()));
    assert_eq!(fit::fit("?idsite=1&a=ab%20cd", 16), Some("?idsite=1&a=ab".into()));
    assert_eq!(fit::fit("?idsite=1&a=abcdef&b=xyz", 21), Some("?idsite=1&a=abc&b=xyz".into()));
    assert_eq!(fit::fit("?idsite=1&a=abcdef&b=xyz", 19), Some("?idsite=1&a=ab&b=xy".into()));
    assert_eq!(fit::fit("?idsite=1&a=abcdef&b=xyz", 18), Some("?idsite=1&a=a&b=x".into()));
    // Raw UTF-8 (only from a tampered snapshot) is cut on a character boundary.
    assert_eq!(fit::fit("?idsite=1&a=ééé", 17), Some("?idsite=1&a=éé".into()));
    // Protected values and keys are kept: if that is not enough, None.
    assert_eq!(fit::fit("?idsite=123456&a=bc", 14), None);
    let mut q = Queue::new(Policy::default());
    q.push(format!("?idsite=1&{}=1", "k".repeat(70_000)), T0, T0);
    assert_eq!(q.take_warnings(), ["hush: dropped 1 hit too large to send"]);
    assert!(q.is_empty());
}

#[test]
fn three_503_then_200_delivers_once_in_order() {
    let mut q = Queue::new(policy(10));
    push_n(&mut q, 0..5, T0);
    let mut now = T0;
    let mut sent = 0;
    let mut deadlines = Vec::new();
    let mut delivered = Vec::new();
    while let Some(d) = q.next_deadline() {
        now = now.max(d);
        let b = q.poll_transmit(now, false).unwrap();
        assert_eq!(ns(&b), [0, 1, 2, 3, 4]);
        sent += 1;
        if sent <= 3 {
            q.on_result(b.id, status(503), now, 0.5);
            deadlines.push(q.next_deadline().unwrap() - now);
        } else {
            q.on_result(b.id, Outcome::Delivered, now, 0.5);
            delivered.extend(ns(&b));
        }
        q.on_result(b.id, Outcome::Delivered, now, 0.5); // a duplicate result is ignored
    }
    assert_eq!(deadlines, [500.0, 1000.0, 2000.0], "half of 1 s, 2 s, 4 s");
    assert_eq!(delivered, [0, 1, 2, 3, 4]);
    assert!(q.is_empty() && q.take_warnings().is_empty());
}

#[test]
fn a_network_error_mid_stream_keeps_order() {
    let mut q = Queue::new(policy(5));
    push_n(&mut q, 0..10, T0);
    let b1 = q.poll_transmit(T0, false).unwrap();
    push_n(&mut q, 10..12, T0 + 10.0);
    q.on_result(b1.id, Outcome::NetworkError, T0 + 3000.0, 0.0);
    let b2 = q.poll_transmit(T0 + 3000.0, false).unwrap();
    assert_eq!(ns(&b2), [0, 1, 2, 3, 4]);
    assert!(requests(&b2).iter().all(|r| r.ends_with("&cdt=1700000000")), "late hits carry cdt");
    q.on_result(b2.id, Outcome::Delivered, T0 + 3000.0, 0.0);
    assert_eq!(drain(&mut q, T0 + 3000.0), [5, 6, 7, 8, 9, 10, 11]);
}

#[test]
fn a_failed_batch_goes_back_before_later_ones_even_when_forced() {
    let mut q = Queue::new(policy(50));
    push_n(&mut q, 0..60, T0);
    let a = q.poll_transmit(T0, true).unwrap();
    let b = q.poll_transmit(T0, true).unwrap();
    push_n(&mut q, 60..62, T0);
    q.on_result(b.id, status(502), T0, 0.0);
    q.on_result(a.id, Outcome::NetworkError, T0, 0.0);
    assert_eq!(drain(&mut q, T0), (0..62).collect::<Vec<_>>());
}

#[test]
fn retry_after_is_honoured_on_429() {
    let mut q = Queue::new(policy(1));
    push_n(&mut q, 0..1, T0);
    let b = q.poll_transmit(T0, false).unwrap();
    q.on_result(b.id, Outcome::Status { code: 429, retry_after_ms: Some(30_000.0) }, T0, 0.1);
    assert_eq!(q.next_deadline(), Some(T0 + 30_000.0));
    assert_eq!(q.poll_transmit(T0 + 29_999.0, false), None);
    let b = q.poll_transmit(T0 + 30_000.0, false).unwrap();
    // Without the header: backoff (second failure: up to 2 s).
    q.on_result(b.id, status(429), T0 + 30_000.0, 0.25);
    assert_eq!(q.next_deadline(), Some(T0 + 30_500.0));
    // 408 is retried too.
    let b = q.poll_transmit(T0 + 30_500.0, false).unwrap();
    q.on_result(b.id, status(408), T0 + 30_500.0, 0.0);
    assert_eq!(q.len(), 1);
}

#[test]
fn a_4xx_drops_the_batch_with_a_warning() {
    let mut q = Queue::new(policy(3));
    push_n(&mut q, 0..4, T0);
    let b = q.poll_transmit(T0, false).unwrap();
    q.on_result(b.id, status(400), T0, 0.5);
    assert_eq!(q.take_warnings(), ["hush: dropped 3 hits: the collector refused them (HTTP 400)"]);
    assert_eq!(drain(&mut q, T0), [3]);
}

#[test]
fn retries_are_bounded() {
    let mut q = Queue::new(Policy { max_attempts: 3, ..policy(2) });
    push_n(&mut q, 0..2, T0);
    let mut now = T0;
    for _ in 0..3 {
        now = now.max(q.next_deadline().unwrap());
        let b = q.poll_transmit(now, false).unwrap();
        q.on_result(b.id, status(500), now, 1.0);
    }
    assert_eq!(q.take_warnings(), ["hush: dropped 2 hits after 3 failed attempts"]);
    assert!(q.is_empty() && q.next_deadline().is_none());
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let mut q = Queue::new(Policy { max_attempts: 100, ..policy(1) });
    push_n(&mut q, 0..1, T0);
    let mut now = T0;
    let mut waits = Vec::new();
    for _ in 0..9 {
        now = q.next_deadline().unwrap().max(now);
        let b = q.poll_transmit(now, false).unwrap();
        q.on_result(b.id, Outcome::NetworkError, now, 1.0);
        waits.push(q.next_deadline().unwrap() - now);
    }
    assert_eq!(waits, [1e3, 2e3, 4e3, 8e3, 16e3, 32e3, 60e3, 60e3, 60e3]);
    // Any success resets it.
    let b = q.poll_transmit(now + 60e3, false).unwrap();
    q.on_result(b.id, Outcome::Delivered, now, 1.0);
    assert_eq!(q.backoff(1.0), 1e3);
    assert_eq!(q.backoff(f64::NAN), 1e3, "garbage jitter waits the whole window");
}

#[test]
fn cdt_only_when_late_and_never_past_24_hours() {
    let mut q = Queue::new(policy(50));
    q.push(hit(0), T0 - 25.0 * HOUR, T0);
    q.push(hit(1), T0 - 23.0 * HOUR, T0);
    q.push(hit(2), T0 - 2000.0, T0);
    q.push(hit(3), T0 - 1999.0, T0);
    q.push(hit(4), f64::NAN, T0);
    let b = q.poll_transmit(T0, true).unwrap();
    let r = requests(&b);
    assert_eq!(ns(&b), [1, 2, 3, 4]);
    assert!(r[0].ends_with("&n=1&cdt=1699917200"));
    assert!(r[1].ends_with("&n=2&cdt=1699999998"));
    assert!(r[2].ends_with("&n=3") && r[3].ends_with("&n=4"));
    assert_eq!(q.take_warnings(), ["hush: dropped 1 hit older than 24 hours (Matomo refuses a late cdt without a token)"]);
}

#[test]
fn offline_pauses_and_online_resumes_at_once() {
    let mut q = Queue::new(Policy { max_attempts: 1, ..policy(50) });
    q.set_online(false);
    push_n(&mut q, 0..60, T0);
    assert_eq!(q.next_deadline(), None);
    assert_eq!(q.poll_transmit(T0 + 5000.0, false), None);
    // Page hide while offline: still handed out, so a beacon can try.
    let b = q.poll_transmit(T0 + 5000.0, true).unwrap();
    // A network error while offline is expected: it does not spend the only attempt.
    q.on_result(b.id, Outcome::NetworkError, T0 + 5000.0, 1.0);
    assert!(q.take_warnings().is_empty());
    assert_eq!(q.len(), 60);
    q.set_online(true);
    assert_eq!(q.next_deadline(), Some(0.0), "now: no delay, no backoff");
    assert_eq!(drain(&mut q, T0 + 6000.0), (0..60).collect::<Vec<_>>());
    // Online with a short queue: one kick, then back to the batch delay.
    q.set_online(false);
    push_n(&mut q, 60..61, T0 + 7000.0);
    q.set_online(true);
    assert_eq!(ns(&q.poll_transmit(T0 + 7000.0, false).unwrap()), [60]);
}

#[test]
fn the_memory_bound_drops_the_oldest() {
    let mut q = Queue::new(policy(50));
    q.set_online(false);
    push_n(&mut q, 0..510, T0);
    assert_eq!(q.len(), MAX_WAITING);
    assert_eq!(q.take_warnings(), ["hush: dropped 10 hits: more than 500 waiting"]);
    assert_eq!(drain(&mut q, T0)[0], 10);
}

#[test]
fn snapshot_and_restore_round_trip() {
    let mut q = Queue::new(policy(2));
    push_n(&mut q, 0..3, T0);
    let _in_flight = q.poll_transmit(T0, false).unwrap();
    let s = snap(&q);
    assert_eq!(s.lines().count(), 3);
    assert!(s.starts_with("1700000000000\t?idsite=1&rec=1&"));
    let mut r = Queue::new(policy(50));
    r.restore(&s, T0 + 60_000.0);
    r.push(hit(99), T0 + 60_000.0, T0 + 60_000.0);
    let b = r.poll_transmit(T0 + 60_000.0, true).unwrap();
    assert_eq!(ns(&b), [0, 1, 2, 99]);
    assert!(requests(&b)[0].ends_with("&cdt=1700000000"));
    assert_eq!(snap(&r).lines().count(), 4);
}

#[test]
fn snapshots_are_bounded_and_restore_survives_garbage() {
    let mut q = Queue::new(policy(50));
    push_n(&mut q, 0..250, T0);
    let s = snap(&q);
    assert_eq!(s.lines().count(), MAX_STORED);
    let mut r = Queue::new(policy(50));
    r.restore(&s, T0);
    assert_eq!(drain(&mut r, T0), (50..250).collect::<Vec<_>>(), "the newest 200");

    let old = (T0 - 25.0 * HOUR) as u64;
    let junk = format!(
        "garbage\n\n{old}\t{}\n-5\t?x\n1700000000000\t?a=\"b\n1700000000000\tnot-a-query\n\t\n1700000000000\t{}\n\u{0}\t\t\n1e3\t?y\n",
        hit(1),
        hit(2)
    );
    let mut r = Queue::new(policy(50));
    r.restore(&junk, T0);
    r.restore("\u{1F600}\t?é\n99999999999999999999999\t?z", T0);
    assert_eq!(drain(&mut r, T0), [2]);
    assert_eq!(r.take_warnings(), ["hush: dropped 1 hit saved before the reload: older than 24 hours"]);
}

/// A snapshot hush did not write itself (an older version, an edited store) may hold more
/// readable lines than MAX_STORED: exactly the newest MAX_STORED are taken, garbage between
/// them not counted.
#[test]
fn restore_takes_the_newest_lines_at_the_bound() {
    for extra in [0, 1, 2] {
        let mut s = String::new();
        for n in 0..MAX_STORED + extra {
            s += &format!("1700000000000\t{}\ngarbage\n", hit(n as u64));
        }
        let mut r = Queue::new(policy(50));
        r.restore(&s, T0);
        assert_eq!(drain(&mut r, T0), (extra..MAX_STORED + extra).map(|n| n as u64).collect::<Vec<_>>(), "{extra} over");
    }
}

#[test]
fn clear_forgets_batches_in_flight() {
    let mut q = Queue::new(policy(2));
    push_n(&mut q, 0..4, T0);
    let a = q.poll_transmit(T0, true).unwrap();
    let b = q.poll_transmit(T0, true).unwrap();
    q.clear();
    assert!(q.is_empty());
    q.on_result(a.id, status(503), T0, 0.5);
    q.on_result(b.id, Outcome::Delivered, T0, 0.5);
    assert!(q.is_empty() && q.next_deadline().is_none() && q.take_warnings().is_empty());
    push_n(&mut q, 4..5, T0);
    let c = q.poll_transmit(T0 + 1000.0, false).unwrap();
    assert!(c.id != a.id && c.id != b.id);
    assert_eq!(ns(&c), [4]);
}

// ---- property test: a seeded random collector ------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64
        self.0 = crate::test_rng::step(self.0);
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Model {
    q: Queue,
    r: Rng,
    now: f64,
    created: Vec<f64>,
    delivered: Vec<bool>,
    cleared: Vec<bool>,
    /// (batch id, hits, hits of the other batches in flight when it was sent)
    flying: Vec<(u32, Vec<u64>, HashSet<u64>)>,
    dropped: usize,
    max_hits: usize,
}

impl Model {
    fn held(&self) -> HashSet<u64> {
        self.q.held().iter().map(|e| n_of(&e.query)).collect()
    }

    fn push(&mut self) {
        let n = self.created.len() as u64;
        let age = if self.r.below(60) == 0 { 23.0 * HOUR + self.r.below(2 * HOUR as u64) as f64 } else { self.r.below(3000) as f64 };
        let c = self.now - age;
        let pad = if self.r.below(40) == 0 { "p".repeat(self.r.below(20_000) as usize) } else { String::new() };
        self.created.push(c);
        self.delivered.push(false);
        self.cleared.push(false);
        self.q.push(format!("{}&pad={pad}", hit(n)), c, self.now);
    }

    fn poll(&mut self, force: bool) -> bool {
        let Some(b) = self.q.poll_transmit(self.now, force) else { return false };
        assert!(b.hits <= self.max_hits);
        let hits = ns(&b);
        for (r, &n) in requests(&b).iter().zip(&hits) {
            let c = self.created[n as usize];
            assert!(!self.delivered[n as usize], "hit {n} sent again after a 2xx");
            assert!(self.now - c <= MAX_AGE_MS);
            let cdt = format!("&cdt={}", (c / 1000.0) as u64);
            assert_eq!(r.ends_with(&cdt), self.now - c >= LATE_MS, "cdt on {r}");
        }
        assert!(hits.windows(2).all(|w| w[0] < w[1]), "order within a batch");
        let others = self.flying.iter().flat_map(|f| f.1.iter().copied()).collect();
        self.flying.push((b.id, hits, others));
        true
    }

    fn deliver(&mut self, i: usize) {
        let (id, hits, others) = self.flying.swap_remove(i);
        let held = self.held();
        let first = hits.first().copied().unwrap_or(0);
        for j in 0..first {
            // An earlier hit still queued must have been in flight alongside (forced).
            assert!(self.delivered[j as usize] || !held.contains(&j) || others.contains(&j), "hit {j} overtaken by {first}");
        }
        for &n in &hits {
            assert!(!self.delivered[n as usize], "hit {n} delivered twice");
            self.delivered[n as usize] = true;
        }
        let jitter = self.r.unit();
        self.q.on_result(id, Outcome::Delivered, self.now, jitter);
    }

    fn fail(&mut self, i: usize) {
        let id = self.flying.swap_remove(i).0;
        let outcome = match self.r.below(6) {
            0 => Outcome::NetworkError,
            1 => Outcome::Status { code: 429, retry_after_ms: Some(self.r.below(5000) as f64) },
            2 => status(408),
            3 if self.r.below(4) == 0 => status(400),
            _ => status(500 + self.r.below(5) as u16),
        };
        let jitter = self.r.unit();
        self.q.on_result(id, outcome, self.now, jitter);
    }

    fn count_warnings(&mut self) {
        for w in self.q.take_warnings() {
            if let Some(rest) = w.strip_prefix("hush: dropped ") {
                self.dropped += rest[..rest.find(' ').unwrap()].parse::<usize>().unwrap();
            }
        }
    }
}

fn scenario(seed: u64) {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let policy = Policy {
        max_hits: r.below(60) as usize,
        max_delay_ms: r.below(3000) as f64,
        retry_base_ms: 1.0 + r.below(2000) as f64,
        retry_cap_ms: 1000.0 + r.below(60_000) as f64,
        max_attempts: 1 + r.below(10) as u32,
    };
    let max_hits = policy.max_hits.clamp(1, 50);
    let mut m = Model { q: Queue::new(policy), r, now: T0, created: vec![], delivered: vec![], cleared: vec![], flying: vec![], dropped: 0, max_hits };
    let steps = 20 + m.r.below(200);
    for _ in 0..steps {
        match m.r.below(100) {
            0..=29 => m.push(),
            30..=49 => {
                let force = m.r.below(6) == 0;
                m.poll(force);
            }
            50..=74 if !m.flying.is_empty() => {
                let i = m.r.below(m.flying.len() as u64) as usize;
                if m.r.below(2) == 0 {
                    m.deliver(i)
                } else {
                    m.fail(i)
                }
            }
            75..=91 => m.now += if m.r.below(25) == 0 { HOUR * m.r.below(30) as f64 } else { m.r.below(4000) as f64 },
            92..=95 => {
                let online = m.r.below(2) == 0;
                m.q.set_online(online);
            }
            96 if m.r.below(5) == 0 => {
                for n in m.held() {
                    m.cleared[n as usize] = true;
                }
                m.q.clear();
            }
            _ => {
                let len = m.q.len();
                m.q.on_result(u32::MAX - 7, Outcome::Delivered, m.now, 0.5);
                assert_eq!(m.q.len(), len, "unknown ids are ignored");
            }
        }
        m.count_warnings();
    }
    // Enough successful rounds: the collector answers 2xx from now on.
    m.q.set_online(true);
    while !m.flying.is_empty() {
        let i = m.r.below(m.flying.len() as u64) as usize;
        m.deliver(i);
    }
    for _ in 0..10_000 {
        let Some(d) = m.q.next_deadline() else { break };
        m.now = m.now.max(d);
        if m.poll(false) {
            m.deliver(0);
        }
    }
    m.count_warnings();
    assert!(m.q.is_empty(), "stuck with {} hits", m.q.len());
    let lost = (0..m.created.len()).filter(|&n| !m.delivered[n] && !m.cleared[n]).count();
    assert_eq!(lost, m.dropped, "every hit is delivered, cleared, or dropped with a warning");
}

#[test]
fn random_collectors_never_duplicate_reorder_or_lose_silently() {
    for seed in 0..5_000 {
        scenario(seed);
    }
}

/// `full` (one length test, then a plain byte sum) answers as the counting loop it replaced,
/// on queues of generated sizes, hit lengths and batch limits (0 and over 50 included).
#[test]
fn full_equals_the_old_version() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut below = |n: u64| {
        x = crate::test_rng::step(x);
        x % n
    };
    let (mut fulls, mut not) = (0, 0);
    for _ in 0..20_000 {
        let mut q = Queue::new(policy(below(60) as usize));
        for _ in 0..below(60) {
            let mut h = hit(below(1000));
            for _ in 0..below(4) {
                h.push_str(&"x".repeat(below(MAX_QUERY_BYTES as u64 / 3) as usize));
            }
            q.hits.push(Entry { created: T0, queued: T0, attempts: 0, flight: WAITING, query: h });
        }
        let want = q.full_old();
        if want {
            fulls += 1;
        } else {
            not += 1;
        }
        // Nothing in flight, no backoff, no kick: due at once exactly when full.
        assert_eq!(q.deadline() == 0.0, want, "{} hits, max {}", q.hits.len(), q.policy.max_hits);
    }
    assert!(fulls > 1_000 && not > 1_000, "{fulls} {not}");
}

/// The one-walk memory bound in `push` drops the same hits as the old loop (count the
/// waiting hits, remove the first waiting one, again), with hits in flight interleaved.
#[test]
fn the_memory_bound_drops_what_the_old_loop_dropped() {
    let mut x: u64 = 0x0DDB_A11C_AFE5_EED5;
    let mut below = |n: u64| {
        x = crate::test_rng::step(x);
        x % n
    };
    let (mut total, mut several) = (0, 0);
    for _ in 0..200 {
        let mut q = Queue::new(Policy::default());
        // Up to ~100 over the bound (more than one goes at once, as after a failed batch).
        let n = MAX_WAITING as u64 - 20 + below(140);
        for k in 0..n {
            let flight = if below(8) == 0 { 7 } else { WAITING };
            q.hits.push(Entry { created: T0, queued: T0, attempts: 0, flight, query: hit(k) });
        }
        // The old loop, on a copy of the list.
        let mut old: Vec<(u32, String)> = q.hits.iter().map(|e| (e.flight, e.query.clone())).collect();
        old.push((WAITING, hit(n)));
        let mut dropped = 0;
        while old.iter().filter(|e| e.0 == WAITING).count() > MAX_WAITING {
            let i = old.iter().position(|e| e.0 == WAITING).unwrap();
            old.remove(i);
            dropped += 1;
        }
        q.push(hit(n), T0, T0);
        let new: Vec<(u32, String)> = q.hits.iter().map(|e| (e.flight, e.query.clone())).collect();
        assert_eq!(new, old);
        assert_eq!(q.overflow, dropped);
        total += dropped;
        several += (dropped > 1) as u32;
    }
    assert!(total > 1_000 && several > 50, "{total} {several}");
}

/// The countdown in `backoff` waits as the Range loop it replaced, odd policies included.
#[test]
fn backoff_equals_the_old_version() {
    fn old(q: &Queue, jitter: f64) -> f64 {
        let (base, cap) = (q.policy.retry_base_ms, q.policy.retry_cap_ms);
        let mut d = base;
        for _ in 0..q.failures.min(64) {
            if d >= cap {
                break;
            }
            d += d;
        }
        let j = if (0.0..=1.0).contains(&jitter) { jitter } else { 1.0 };
        d.min(cap).max(0.0) * j
    }
    let values = [0.0, -1.0, 1.0, 3.5, 1000.0, 60_000.0, 1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut below = |n: u64| {
        x = crate::test_rng::step(x);
        x % n
    };
    for _ in 0..100_000 {
        let mut q = Queue::new(Policy { retry_base_ms: values[below(10) as usize], retry_cap_ms: values[below(10) as usize], ..Policy::default() });
        q.failures = [0, 1, 2, 5, 63, 64, 65, 1000, u32::MAX][below(9) as usize];
        let jitter = [0.0, 0.5, 1.0, 2.0, f64::NAN][below(5) as usize];
        let (a, b) = (q.backoff(jitter), old(&q, jitter));
        assert!(a == b || (a.is_nan() && b.is_nan()), "{:?} {} {a} {b}", q.policy, q.failures);
    }
}
