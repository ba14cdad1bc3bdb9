//! Outbound queue, batching and retry policy (STUB: being written; API is the contract).

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub id: u32,
    /// `{"requests":[…]}`
    pub body: String,
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
    pub max_hits: usize,
    pub max_delay_ms: f64,
    pub retry_base_ms: f64,
    pub retry_cap_ms: f64,
    pub max_attempts: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_hits: 50, max_delay_ms: 1000.0, retry_base_ms: 1000.0, retry_cap_ms: 60_000.0, max_attempts: 8 }
    }
}

#[derive(Default)]
pub struct Queue {
    pub policy: Policy,
    pending: Vec<(String, f64)>,
    next_id: u32,
}

impl Queue {
    pub fn new(policy: Policy) -> Self {
        Queue { policy, ..Default::default() }
    }
    /// Adds an encoded hit (`?idsite=…`) made at `created_ms`.
    pub fn push(&mut self, query: String, created_ms: f64, _now_ms: f64) {
        self.pending.push((query, created_ms));
    }
    /// The next batch to send now, if the policy says so (`force` = flush / page hide).
    pub fn poll_transmit(&mut self, _now_ms: f64, force: bool) -> Option<Batch> {
        if self.pending.is_empty() || !(force || self.pending.len() >= self.policy.max_hits) {
            return None;
        }
        let n = self.pending.len().min(self.policy.max_hits);
        let hits: Vec<_> = self.pending.drain(..n).collect();
        self.next_id += 1;
        Some(Batch { id: self.next_id, body: crate::wire::bulk_body(hits.iter().map(|h| h.0.as_str())), hits: n })
    }
    /// Result of sending batch `id`; `jitter` is uniform in [0, 1).
    pub fn on_result(&mut self, _id: u32, _outcome: Outcome, _now_ms: f64, _jitter: f64) {}
    /// When the owner should call `poll_transmit` again (flush delay or retry backoff).
    pub fn next_deadline(&self) -> Option<f64> {
        None
    }
    pub fn set_online(&mut self, _online: bool) {}
    /// Drops everything (consent withdrawn).
    pub fn clear(&mut self) {
        self.pending.clear();
    }
    pub fn len(&self) -> usize {
        self.pending.len()
    }
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
    /// Console warnings produced (hits dropped after the retry bound, or older than 24 h).
    pub fn take_warnings(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// Unsent hits, serialised for first-party storage (only with storage consent).
    pub fn snapshot(&self) -> String {
        String::new()
    }
    pub fn restore(&mut self, _snapshot: &str, _now_ms: f64) {}
}
