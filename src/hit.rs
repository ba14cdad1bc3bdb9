//! A tracking hit: Matomo Tracking API parameters written straight into the query string,
//! in the order they will be sent.

use crate::numfmt::{push_f64, push_u64};
use crate::wire::push_encoded;
use alloc::string::String;

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// When the hit happened (epoch ms); becomes `cdt` if it is sent late.
    pub at_ms: f64,
    /// `&k=v…` (the full `?k=v&…` once the common parameters lead it).
    pub q: String,
}

impl Hit {
    pub fn new(at_ms: f64) -> Self {
        Hit { at_ms, q: String::new() }
    }

    /// Starts `&key=`. Keys are ASCII letters, digits and `_`: they need no encoding.
    pub fn key(&mut self, key: &str) -> &mut String {
        self.q.push('&');
        self.q.push_str(key);
        self.q.push('=');
        &mut self.q
    }

    pub fn set(&mut self, key: &str, value: &str) {
        push_encoded(self.key(key), value)
    }

    /// Numbers are digits, `-` and `.`: never encoded.
    pub fn num(&mut self, key: &str, value: f64) {
        push_f64(self.key(key), value)
    }

    pub fn int(&mut self, key: &str, value: u64) {
        push_u64(self.key(key), value)
    }
}
