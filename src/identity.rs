//! Visit identity: a random 16-hex-char visit ID and a 6-char page-view ID.
//!
//! The visit ID comes only from the host's cryptographic random source, never from
//! browser, device or network attributes. It lives in memory for the page's life and is
//! renewed after 30 minutes without a hit. Only with storage consent is it written to
//! first-party storage (with the time of the last hit, so the 30-minute rule holds
//! across page loads).

use crate::host::Host;
use alloc::string::String;

pub const VISIT_IDLE_MS: f64 = 30.0 * 60_000.0;
pub const VISITOR_KEY: &str = "hush_id";

pub struct Identity {
    visit_id: String,
    page_view_id: String,
    last_hit_ms: f64,
}

impl Identity {
    pub fn new(host: &mut dyn Host) -> Self {
        let mut id = Identity { visit_id: String::new(), page_view_id: String::new(), last_hit_ms: f64::NAN };
        random_hex(&mut id.visit_id, host);
        random_pv_id(&mut id.page_view_id, host);
        id
    }

    /// The visit ID for a hit made at `now`, renewing it after 30 idle minutes.
    pub fn visit_id_for_hit(&mut self, now_ms: f64, host: &mut dyn Host) -> &str {
        self.renew_if_idle(now_ms, host);
        self.last_hit_ms = now_ms;
        &self.visit_id
    }

    /// The current visit ID as `getVisitorId` reports it (renewed if the visit expired).
    // Inlined into `apply`, its one caller (5 B gzip).
    #[inline(always)]
    pub fn visit_id(&mut self, now_ms: f64, host: &mut dyn Host) -> &str {
        if self.renew_if_idle(now_ms, host) {
            self.last_hit_ms = f64::NAN;
        }
        &self.visit_id
    }

    /// A new visit ID after 30 minutes without a hit; tells whether it renewed.
    // Inlined into its two callers: measured 15 B gzip smaller than a call.
    #[inline(always)]
    fn renew_if_idle(&mut self, now_ms: f64, host: &mut dyn Host) -> bool {
        let idle = now_ms - self.last_hit_ms > VISIT_IDLE_MS;
        if idle {
            random_hex(&mut self.visit_id, host);
        }
        idle
    }

    pub fn page_view_id(&self) -> &str {
        &self.page_view_id
    }

    pub fn new_page_view(&mut self, host: &mut dyn Host) {
        random_pv_id(&mut self.page_view_id, host);
    }

    /// Appends `id.lastHitMs` for first-party storage (hex and digits: nothing to escape).
    /// Written into the caller's record: no copy of the ID.
    pub fn push_stored_value(&self, out: &mut String) {
        out.push_str(&self.visit_id);
        out.push('.');
        if self.last_hit_ms.is_finite() {
            crate::numfmt::push_u64(out, self.last_hit_ms as u64);
        }
    }

    #[cfg(test)]
    pub fn stored_value(&self) -> String {
        let mut s = String::new();
        self.push_stored_value(&mut s);
        s
    }

    /// Adopts a stored identity if it is well-formed and its visit has not expired.
    pub fn restore(&mut self, stored: &str, now_ms: f64) {
        let (id, last) = crate::bytes::split_once(stored, b'.').unwrap_or((stored, ""));
        let last = crate::command::parse_number(last).unwrap_or(f64::NAN);
        let fresh = now_ms - last <= VISIT_IDLE_MS;
        if is_visit_id(id) && fresh {
            self.visit_id.clear();
            self.visit_id.push_str(id);
            self.last_hit_ms = last;
        }
    }
}

pub fn is_visit_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The ID generators rewrite their String in place: no new allocation and no drop of
/// the old one per ID.
fn random_hex(s: &mut String, host: &mut dyn Host) {
    let mut bytes = [0u8; 8];
    host.random(&mut bytes);
    s.clear();
    crate::numfmt::push_hex(s, &bytes);
}

/// Six characters from [0-9a-zA-Z], as matomo.js's pv_id.
fn random_pv_id(s: &mut String, host: &mut dyn Host) {
    const ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut bytes = [0u8; 6];
    host.random(&mut bytes);
    s.clear();
    for &b in &bytes {
        s.push(ALPHABET[(b % 62) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    #[test]
    fn visit_id_is_16_hex_and_stable_within_a_visit() {
        let mut host = FakeHost::new();
        let mut id = Identity::new(&mut host);
        let first = String::from(id.visit_id_for_hit(0.0, &mut host));
        assert!(is_visit_id(&first));
        assert_eq!(id.visit_id_for_hit(29.0 * 60_000.0, &mut host), first);
        assert_eq!(id.visit_id_for_hit(58.0 * 60_000.0, &mut host), first, "each hit restarts the 30 minutes");
        assert_ne!(id.visit_id_for_hit(89.0 * 60_000.0, &mut host), first, "renewed after 30 idle minutes");
    }

    #[test]
    fn page_view_ids_are_six_alphanumerics_and_change() {
        let mut host = FakeHost::new();
        let mut id = Identity::new(&mut host);
        let a = String::from(id.page_view_id());
        id.new_page_view(&mut host);
        assert_eq!(a.len(), 6);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, id.page_view_id());
    }

    #[test]
    fn restore_keeps_a_fresh_visit_and_ignores_stale_or_bad_ones() {
        let mut host = FakeHost::new();
        let mut id = Identity::new(&mut host);
        id.restore("0123456789abcdef.1000", 1000.0 + 60_000.0);
        assert_eq!(id.visit_id(61_000.0, &mut host), "0123456789abcdef");
        assert_eq!(id.stored_value(), "0123456789abcdef.1000");
        let mut other = Identity::new(&mut host);
        other.restore("0123456789abcdef.1000", 1000.0 + VISIT_IDLE_MS + 1.0);
        assert_ne!(other.visit_id(0.0, &mut host), "0123456789abcdef");
        other.restore("not-an-id.1000", 1000.0);
        other.restore("", 0.0);
        assert!(is_visit_id(other.visit_id(0.0, &mut host)));
    }
}
