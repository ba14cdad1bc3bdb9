//! Link classification for enableLinkTracking: is a clicked link an outlink, a download,
//! or neither? Same rules as matomo.js: classes first, then the download extension list,
//! then whether the host belongs to the site.

use crate::command::LinkKind;
use alloc::string::String;
use alloc::vec::Vec;

/// matomo.js's default download extensions.
const DEFAULT_EXTENSIONS: &str = "7z|aac|apk|arc|arj|asf|asx|avi|azw3|bin|csv|deb|dmg|doc|docx|epub|exe|flv|gif|gz|gzip|hqx|ibooks|jar|jpg|jpeg|js|md5|mobi|mp2|mp3|mp4|mpg|mpeg|mov|movie|msi|msp|odb|odf|odg|ods|odt|ogg|ogv|pdf|phps|png|ppt|pptx|qt|qtm|ra|ram|rar|rpm|rtf|sea|sha|sha1|sha256|sit|tar|tbz|tbz2|bz|bz2|tgz|torrent|txt|wav|wma|wmv|wpd|xls|xlsx|xml|xz|z|zip";

#[derive(Clone, Debug, Default)]
pub struct LinkRules {
    /// setDomains; empty = the page's own host.
    pub domains: Vec<String>,
    /// setDownloadExtensions; None = matomo.js's default list.
    pub extensions: Option<Vec<String>>,
    pub link_classes: Vec<String>,
    pub download_classes: Vec<String>,
    pub ignore_classes: Vec<String>,
}

/// `href` is absolute (resolved by the browser); `page_host` is the current page's host.
/// `has_download_attr` is the `download` attribute on the link.
pub fn classify(href: &str, classes: &str, has_download_attr: bool, page_host: &str, rules: &LinkRules) -> Option<LinkKind> {
    let has_class = |own: &[String], builtin: &str| has_class(classes, own, builtin);
    let (scheme, rest) = split_scheme(href)?;
    let web = is_one_of(scheme, &["http", "https", "ftp"]);
    if !web || has_class(&rules.ignore_classes, "ignore") {
        return None;
    }
    if has_class(&rules.download_classes, "download") {
        return Some(LinkKind::Download);
    }
    if has_class(&rules.link_classes, "link") {
        return Some(LinkKind::Link);
    }
    if has_download_attr || is_download(rest, rules) {
        return Some(LinkKind::Download);
    }
    (!is_site_host(host_of(rest), page_host, &rules.domains)).then_some(LinkKind::Link)
}

/// One of the space-separated `classes` is `matomo_<builtin>`, `piwik_<builtin>` or in
/// `own`. The classes are cut by a byte loop: `split_ascii_whitespace` is a Filter over a
/// Split with its own predicate code.
fn has_class(classes: &str, own: &[String], builtin: &str) -> bool {
    let b = classes.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i <= b.len() {
        if b.get(i).is_none_or(|c| c.is_ascii_whitespace()) {
            if let Some(c) = classes.get(start..i).filter(|c| !c.is_empty()) {
                // `matomo_<builtin>` or `piwik_<builtin>`: one strip and one match, not two strips.
                if matches!(c.strip_suffix(builtin), Some("matomo_" | "piwik_")) || own.iter().any(|o| o == c) {
                    return true;
                }
            }
            start = i + 1;
        }
        i += 1;
    }
    false
}

/// `s` is one of `words`, ASCII case aside. One loop for every such test here and in
/// `forms` (each `iter().any` with its own closure is its own code in the wasm).
pub(crate) fn is_one_of(s: &str, words: &[&str]) -> bool {
    for w in words {
        if s.eq_ignore_ascii_case(w) {
            return true;
        }
    }
    false
}

/// `(scheme, rest)` around the first "://" (a byte scan: no substring searcher in the wasm).
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let b = url.as_bytes();
    let mut i = 0;
    while b.get(i..i + 3)? != b"://" {
        i += 1;
    }
    Some((url.get(..i)?, url.get(i + 3..)?))
}

/// `s` up to the first ASCII byte in `stops` (all of `s` if none). Plain byte loops
/// here and below: iterator adapters and `slice::contains` cost more in the wasm.
fn until<'a>(s: &'a str, stops: &[u8]) -> &'a str {
    let b = s.as_bytes();
    let mut end = 0;
    'scan: while end < b.len() {
        for &stop in stops {
            if b[end] == stop {
                break 'scan;
            }
        }
        end += 1;
    }
    s.get(..end).unwrap_or(s)
}

/// `s` after the last ASCII byte `sep`, if there is one.
fn after_last(s: &str, sep: u8) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = b.len();
    while i > 0 {
        if b[i - 1] == sep {
            return s.get(i..);
        }
        i -= 1;
    }
    None
}

/// Host (no port, no credentials) from `host/path…`, in the case it was written: every
/// comparison of hosts ignores ASCII case, so no lowered copy is made.
fn host_of(rest: &str) -> &str {
    let authority = until(rest, b"/?#");
    let host_port = after_last(authority, b'@').unwrap_or(authority);
    match host_port.strip_prefix('[') {
        Some(v6) => until(v6, b"]"),
        None => until(host_port, b":"),
    }
}

fn is_download(rest: &str, rules: &LinkRules) -> bool {
    let path = until(rest, b"?#");
    let last = after_last(path, b'/').unwrap_or(path);
    let Some(ext) = after_last(last, b'.') else { return false };
    // Any ASCII case matches (the default list is lower case): no lowered copy needed.
    match &rules.extensions {
        Some(list) => list.iter().any(|e| e.eq_ignore_ascii_case(ext)),
        None => crate::bytes::split(DEFAULT_EXTENSIONS, b'|').any(|e| e.eq_ignore_ascii_case(ext)),
    }
}

/// setDomains entries may be "example.com", "*.example.com" or carry a path (ignored here).
/// Every comparison ignores ASCII case (as lowered copies would, without the copies).
fn is_site_host(host: &str, page_host: &str, domains: &[String]) -> bool {
    if domains.is_empty() {
        return host.eq_ignore_ascii_case(page_host);
    }
    domains.iter().any(|d| {
        let d = until(d, b"/");
        match d.strip_prefix("*.") {
            Some(base) => host.eq_ignore_ascii_case(base) || is_subdomain(host.as_bytes(), base.as_bytes()),
            None => host.eq_ignore_ascii_case(d),
        }
    })
}

/// `host` is `….base` (ASCII case aside). (`copied`: an Option<u8> compare, where an
/// Option<&u8> one is a call in the wasm.)
fn is_subdomain(host: &[u8], base: &[u8]) -> bool {
    let Some(dot) = host.len().checked_sub(base.len() + 1) else { return false };
    host.get(dot).copied() == Some(b'.') && host.get(dot + 1..).is_some_and(|tail| tail.eq_ignore_ascii_case(base))
}

/// The page's host for `classify` (no port, no credentials; empty without "://"), in the
/// case it was written: `classify` compares hosts without regard to ASCII case.
pub fn host_of_url(url: &str) -> String {
    String::from(split_scheme(url).map_or("", |(_, rest)| host_of(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn kind(href: &str, classes: &str) -> Option<LinkKind> {
        classify(href, classes, false, "shop.example", &LinkRules::default())
    }

    #[test]
    fn outlinks_downloads_and_internal_links() {
        assert_eq!(kind("https://other.example/page", ""), Some(LinkKind::Link));
        assert_eq!(kind("https://shop.example/files/brochure.PDF?v=2", ""), Some(LinkKind::Download));
        assert_eq!(kind("https://shop.example/about", ""), None);
        assert_eq!(kind("https://SHOP.example:443/about", ""), None);
        assert_eq!(kind("mailto:someone@example.com", ""), None);
        assert_eq!(kind("javascript:void(0)", ""), None);
    }

    #[test]
    fn classes_win() {
        assert_eq!(kind("https://other.example/", "x matomo_ignore"), None);
        assert_eq!(kind("https://shop.example/about", "piwik_download"), Some(LinkKind::Download));
        assert_eq!(kind("https://shop.example/about", "matomo_link"), Some(LinkKind::Link));
        let rules = LinkRules { ignore_classes: vec!["no-track".into()], ..Default::default() };
        assert_eq!(classify("https://other.example/", "no-track", false, "shop.example", &rules), None);
    }

    #[test]
    fn domains_and_extensions_are_configurable() {
        let rules = LinkRules { domains: vec!["*.example.org".into()], extensions: Some(vec!["dat".into()]), ..Default::default() };
        assert_eq!(classify("https://www.example.org/x", "", false, "example.org", &rules), None);
        assert_eq!(classify("https://example.org/x", "", false, "example.org", &rules), None);
        assert_eq!(classify("https://evil-example.org/x", "", false, "example.org", &rules), Some(LinkKind::Link));
        assert_eq!(classify("https://example.org/a.dat", "", false, "example.org", &rules), Some(LinkKind::Download));
        assert_eq!(classify("https://example.org/a.pdf", "", false, "example.org", &rules), None);
        assert_eq!(classify("https://example.org/report", "", true, "example.org", &rules), Some(LinkKind::Download));
    }

    /// The old `is_subdomain` (Option<&u8> compare) and the new one agree on generated hosts.
    #[test]
    fn is_subdomain_equals_the_old_version() {
        fn old(host: &[u8], base: &[u8]) -> bool {
            let Some(dot) = host.len().checked_sub(base.len() + 1) else { return false };
            host.get(dot) == Some(&b'.') && host.get(dot + 1..).is_some_and(|tail| tail.eq_ignore_ascii_case(base))
        }
        let pieces: [&[u8]; 6] = [b".", b"a", b"B", b"ex", b"-", b"\xc3\xa9"];
        let mut x: u64 = 0x1234_5678_9ABC_DEF1;
        let mut next = |n: usize| {
            x = crate::test_rng::step(x);
            (x % n as u64) as usize
        };
        let mut hits = 0;
        for _ in 0..100_000 {
            let mut make = |max| (0..next(max)).flat_map(|_| pieces[next(pieces.len())].iter().copied()).collect::<Vec<u8>>();
            let base = make(3);
            let mut host = make(4);
            host.extend_from_slice(&base);
            hits += old(&host, &base) as u32;
            assert_eq!(is_subdomain(&host, &base), old(&host, &base), "{host:?} {base:?}");
        }
        assert!(hits > 5_000, "{hits}");
    }

    /// The old `classify` (hosts lowered into Strings before comparing), fed as the tracker
    /// did with the old `host_of_url` (lowered too).
    fn classify_old(href: &str, classes: &str, has_download_attr: bool, page_url: &str, rules: &LinkRules) -> Option<LinkKind> {
        let page_host = split_scheme(page_url).map(|(_, rest)| host_of(rest).to_ascii_lowercase()).unwrap_or_default();
        let has_class = |own: &[String], builtin: &str| {
            classes.split_ascii_whitespace().any(|c| {
                let rest = c.strip_prefix("matomo_").or_else(|| c.strip_prefix("piwik_"));
                rest == Some(builtin) || own.iter().any(|o| o == c)
            })
        };
        let (scheme, rest) = split_scheme(href)?;
        let web = ["http", "https", "ftp"].iter().any(|w| scheme.eq_ignore_ascii_case(w));
        if !web || has_class(&rules.ignore_classes, "ignore") {
            return None;
        }
        if has_class(&rules.download_classes, "download") {
            return Some(LinkKind::Download);
        }
        if has_class(&rules.link_classes, "link") {
            return Some(LinkKind::Link);
        }
        if has_download_attr || is_download(rest, rules) {
            return Some(LinkKind::Download);
        }
        let host = host_of(rest).to_ascii_lowercase();
        (!is_site_host(&host, &page_host, &rules.domains)).then_some(LinkKind::Link)
    }

    /// Hosts compared in the case they were written classify every link as before.
    #[test]
    fn classify_equals_the_old_version_whatever_the_case() {
        let mut x: u64 = 0x0DDB_A11C_AFE5_EED5;
        let mut next = |n: usize| {
            x = crate::test_rng::step(x);
            (x % n as u64) as usize
        };
        let hosts = ["shop.example", "SHOP.Example", "www.Shop.EXAMPLE", "other.example", "[::1]", "u:p@Shop.example:8080", "évil.example", "Example.ORG", "sub.example.org"];
        let paths = ["", "/", "/a.PDF", "/x/y.zip?q=1", "?a#b", "/report", "/a.DaT"];
        let domain_lists: [&[&str]; 4] = [&[], &["*.Example.org"], &["SHOP.example/path", "other.EXAMPLE"], &["*.shop.example"]];
        let mut kinds = [0usize; 3];
        for _ in 0..100_000 {
            let href = alloc::format!("{}://{}{}", ["https", "HTTP", "ftp", "mailto"][next(4)], hosts[next(hosts.len())], paths[next(paths.len())]);
            let page = alloc::format!("https://{}/page", hosts[next(hosts.len())]);
            let rules = LinkRules {
                domains: domain_lists[next(4)].iter().map(|d| String::from(*d)).collect(),
                extensions: [None, Some(vec![String::from("dat")])][next(2)].clone(),
                ignore_classes: [vec![], vec![String::from("no-track")]][next(2)].clone(),
                link_classes: [vec![], vec![String::from("_link")]][next(2)].clone(),
                download_classes: [vec![], vec![String::from("xmatomo_link")]][next(2)].clone(),
            };
            let all = ["", "matomo_link", "x piwik_download", "matomo_piwik_ignore", "piwik_ignore", "matomo_ignore", "MATOMO_link", "xmatomo_link", "matomo_", "piwik_download\tx", "no-track", "a\n\x0cmatomo_download  ", "piwik_matomo_link", "_link"];
            let classes = all[next(all.len())];
            let attr = next(8) == 0;
            let new = classify(&href, classes, attr, &host_of_url(&page), &rules);
            assert_eq!(new, classify_old(&href, classes, attr, &page, &rules), "{href} {page} {rules:?}");
            kinds[match new {
                None => 0,
                Some(LinkKind::Link) => 1,
                Some(LinkKind::Download) => 2,
            }] += 1;
        }
        assert!(kinds.iter().all(|&n| n > 2_000), "{kinds:?}");
    }

    /// The byte-loop `has_class` answers as the `split_ascii_whitespace` closure it replaced.
    #[test]
    fn has_class_equals_the_old_version() {
        fn old(classes: &str, own: &[String], builtin: &str) -> bool {
            classes.split_ascii_whitespace().any(|c| {
                let prefix = c.strip_suffix(builtin);
                matches!(prefix, Some("matomo_" | "piwik_")) || own.iter().any(|o| o == c)
            })
        }
        let pieces = [" ", "\t", "\n", "\x0c", "\r", "\x0b", "matomo_", "piwik_", "link", "ignore", "x", "é", "\u{a0}", "no-track"];
        let owns = [vec![], vec![String::from("no-track")], vec![String::from("x"), String::new()]];
        let mut x: u64 = 0x5DEE_CE66_D1CE_4E5B;
        let mut next = |n: usize| {
            x = crate::test_rng::step(x);
            (x % n as u64) as usize
        };
        let mut hits = 0;
        for _ in 0..200_000 {
            let classes: String = (0..next(6)).map(|_| pieces[next(pieces.len())]).collect();
            let own = &owns[next(owns.len())];
            let builtin = ["link", "ignore", "download"][next(3)];
            let want = old(&classes, own, builtin);
            hits += want as u32;
            assert_eq!(has_class(&classes, own, builtin), want, "{classes:?} {own:?} {builtin}");
        }
        assert!(hits > 5_000, "{hits}");
    }

    /// `is_one_of` answers as the `iter().any(eq_ignore_ascii_case)` it replaced.
    #[test]
    fn is_one_of_equals_iter_any() {
        let lists: [&[&str]; 3] = [&["http", "https", "ftp"], &["password", "email", "tel"], &[]];
        for s in ["", "HTTP", "https", "ftps", "Email", "tel", "TEL ", "pass", "é"] {
            for list in lists {
                assert_eq!(is_one_of(s, list), list.iter().any(|w| s.eq_ignore_ascii_case(w)), "{s:?}");
            }
        }
    }
}
