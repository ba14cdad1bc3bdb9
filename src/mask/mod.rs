//! Personal-data masking (STUB: being written; API is the contract).

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlRules {
    /// setExcludedQueryParams: removed on top of the built-in deny-list.
    pub excluded: Vec<String>,
    /// setAllowedQueryParams: when set, only these query keys are kept.
    pub allowed: Option<Vec<String>>,
    /// discardHashTag: drop the fragment.
    pub discard_hash: bool,
}

/// Masks an absolute, browser-serialised URL.
pub fn mask_url(url: &str, rules: &UrlRules) -> String {
    let _ = rules;
    String::from(url)
}

/// Replaces personal data in free text (titles, event strings, dimensions, search keywords).
pub fn mask_text(text: &str) -> String {
    String::from(text)
}

/// SHA-256 hex of `salt` + `id` (user ID, order ID); never the raw value.
pub fn digest_id(id: &str, salt: &str) -> String {
    let _ = salt;
    String::from(id)
}
