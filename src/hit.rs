//! A tracking hit: Matomo Tracking API parameters in the order they will be sent.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// When the hit happened (epoch ms); becomes `cdt` if it is sent late.
    pub at_ms: f64,
    /// Keys are static except `dimensionN`, so most cost no allocation.
    pub params: Vec<(Cow<'static, str>, String)>,
}

impl Hit {
    pub fn new(at_ms: f64) -> Self {
        Hit { at_ms, params: Vec::new() }
    }

    pub fn set(&mut self, key: &'static str, value: String) {
        self.put(Cow::Borrowed(key), value)
    }

    pub fn put(&mut self, key: Cow<'static, str>, value: String) {
        match self.params.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.params.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }
}
