//! What the core needs from the outside world, passed in so the core stays sans-IO:
//! the clock, a cryptographic random source, a read of the page, and the browser's URL parser.

use alloc::string::String;

/// A read of the page at the moment a hit is made, borrowed from the host: the bridge
/// points into the call's input instead of copying three strings per call.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Page<'a> {
    /// `location.href`, absolute.
    pub url: &'a str,
    pub title: &'a str,
    /// `document.referrer` (may be empty).
    pub referrer: &'a str,
}

pub trait Host {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// Visitor-local hour, minute, second of an epoch time (Matomo's `h`, `m`, `s`).
    fn local_hms(&self, epoch_ms: f64) -> [u8; 3];
    /// Fills `buf` from a cryptographically secure source (Web Crypto in the browser).
    fn random(&mut self, buf: &mut [u8]);
    /// Borrowed: a hit reads the page up to three times; an owned read copied three
    /// strings each time (and the bridge copied them out of its input once more).
    fn page(&self) -> Page<'_>;
    /// Resolves `input` against `base` with the browser's URL semantics and returns the
    /// serialised absolute URL, or `None` when it does not parse.
    fn resolve_url(&self, input: &str, base: &str) -> Option<String>;
}

/// A deterministic host for native tests.
#[cfg(test)]
pub mod fake {
    use super::*;
    use alloc::string::ToString;

    /// The page a test host owns (tests change it between events).
    pub struct OwnedPage {
        pub url: String,
        pub title: String,
        pub referrer: String,
    }

    pub struct FakeHost {
        pub now: f64,
        pub page: OwnedPage,
        pub counter: u64,
    }

    impl FakeHost {
        pub fn new() -> Self {
            FakeHost {
                now: 1_700_000_000_000.0,
                page: OwnedPage {
                    url: "https://shop.example/products?ref=home".to_string(),
                    title: "Products".to_string(),
                    referrer: "https://search.example/".to_string(),
                },
                counter: 0,
            }
        }
    }

    impl Default for FakeHost {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Host for FakeHost {
        fn now_ms(&self) -> f64 {
            self.now
        }
        fn local_hms(&self, epoch_ms: f64) -> [u8; 3] {
            let s = (epoch_ms / 1000.0) as u64;
            [((s / 3600) % 24) as u8, ((s / 60) % 60) as u8, (s % 60) as u8]
        }
        fn random(&mut self, buf: &mut [u8]) {
            for b in buf.iter_mut() {
                self.counter = self.counter.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *b = (self.counter >> 33) as u8;
            }
        }
        fn page(&self) -> Page<'_> {
            Page { url: &self.page.url, title: &self.page.title, referrer: &self.page.referrer }
        }
        /// Absolute http(s) URLs pass through; "/path" and "?q" resolve against the base's origin
        /// or path. Enough for core tests; the browser does the real job.
        fn resolve_url(&self, input: &str, base: &str) -> Option<String> {
            // Any `scheme:` (http, javascript, data, mailto …) is already absolute.
            let scheme = input.split_once(':').map_or("", |(s, _)| s);
            let absolute = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
            if absolute {
                return Some(input.to_string());
            }
            let scheme_end = base.find("://")? + 3;
            let origin_end = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
            if input.starts_with('/') {
                return Some([&base[..origin_end], input].concat());
            }
            let path_end = base.find(['?', '#']).unwrap_or(base.len());
            if input.starts_with('?') || input.starts_with('#') {
                return Some([&base[..path_end], input].concat());
            }
            let dir_end = base[..path_end].rfind('/').map(|i| i + 1).unwrap_or(path_end);
            if dir_end <= origin_end {
                return Some([&base[..origin_end], "/", input].concat());
            }
            Some([&base[..dir_end], input].concat())
        }
    }
}
