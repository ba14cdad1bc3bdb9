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

/// A clicked link as the browser has already parsed it (the `HTMLAnchorElement` URL
/// getters), so the core compares parts instead of parsing the href again.
pub struct Click<'a> {
    /// The link's `className`.
    pub classes: &'a str,
    /// The `download` attribute is on the link.
    pub download_attr: bool,
    /// `protocol`: the scheme and its colon, `https:`.
    pub protocol: &'a str,
    /// `hostname` (no port, no credentials), an IPv6 address without its brackets (the
    /// shell strips them, as the core did when it parsed the href).
    pub host: &'a str,
    /// `pathname`: no query, no fragment.
    pub path: &'a str,
    /// The page's `location.hostname`, also without brackets.
    pub page_host: &'a str,
}

pub fn classify(link: &Click, rules: &LinkRules) -> Option<LinkKind> {
    let has_class = |own: &[String], builtin: &str| has_class(link.classes, own, builtin);
    let web = is_one_of(link.protocol, &["http:", "https:", "ftp:"]);
    if !web || has_class(&rules.ignore_classes, "ignore") {
        return None;
    }
    if has_class(&rules.download_classes, "download") {
        return Some(LinkKind::Download);
    }
    if has_class(&rules.link_classes, "link") {
        return Some(LinkKind::Link);
    }
    if link.download_attr || is_download(link.path, rules) {
        return Some(LinkKind::Download);
    }
    (!is_site_host(link.host, link.page_host, &rules.domains)).then_some(LinkKind::Link)
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
                if matches!(c.strip_suffix(builtin), Some("matomo_" | "piwik_")) || own.iter().any(|o| o.as_str() == c) {
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

/// `s` after the last ASCII byte `sep`, if there is one.
fn after_last(s: &str, sep: u8) -> Option<&str> {
    let i = s.as_bytes().iter().rposition(|&b| b == sep)?;
    s.get(i + 1..)
}

/// The last segment of `path` ends in a download extension.
fn is_download(path: &str, rules: &LinkRules) -> bool {
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
        let d = crate::bytes::split_once(d, b'/').map_or(d.as_str(), |(d, _)| d);
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

#[cfg(any(test, not(target_arch = "wasm32")))]
mod parse;

#[cfg(test)]
mod tests {
    use super::parse::{host_of, split_scheme};
    use super::*;
    use alloc::vec;

    /// `href` as the browser's anchor would give its parts, on a page at `page_url`.
    fn classify_href(href: &str, classes: &str, download_attr: bool, page_url: &str, rules: &LinkRules) -> Option<LinkKind> {
        classify(&Click::from_href(href, classes, download_attr, page_url), rules)
    }

    fn kind(href: &str, classes: &str) -> Option<LinkKind> {
        classify_href(href, classes, false, "https://shop.example/", &LinkRules::default())
    }

    #[test]
    fn outlinks_downloads_and_internal_links() {
        assert_eq!(kind("https://other.example/page", ""), Some(LinkKind::Link));
        assert_eq!(kind("https://shop.example/files/brochure.PDF?v=2", ""), Some(LinkKind::Download));
        assert_eq!(kind("https://shop.example/files/brochure?v=2.pdf#x.zip", ""), None);
        assert_eq!(kind("https://shop.example/about", ""), None);
        assert_eq!(kind("https://SHOP.example:443/about", ""), None);
        assert_eq!(kind("mailto:someone@example.com", ""), None);
        assert_eq!(kind("javascript:void(0)", ""), None);
        let parts = |protocol, host| Click { classes: "", download_attr: false, protocol, host, path: "/", page_host: "shop.example" };
        assert_eq!(classify(&parts("tel:", ""), &LinkRules::default()), None);
        assert_eq!(classify(&parts("HTTP:", "other.example"), &LinkRules::default()), Some(LinkKind::Link));
        assert_eq!(classify(&parts("ftp:", "other.example"), &LinkRules::default()), Some(LinkKind::Link));
        assert_eq!(classify(&parts("ftps:", "other.example"), &LinkRules::default()), None);
    }

    #[test]
    fn classes_win() {
        assert_eq!(kind("https://other.example/", "x matomo_ignore"), None);
        assert_eq!(kind("https://shop.example/about", "piwik_download"), Some(LinkKind::Download));
        assert_eq!(kind("https://shop.example/about", "matomo_link"), Some(LinkKind::Link));
        let rules = LinkRules { ignore_classes: vec!["no-track".into()], ..Default::default() };
        assert_eq!(classify_href("https://other.example/", "no-track", false, "https://shop.example/", &rules), None);
    }

    #[test]
    fn domains_and_extensions_are_configurable() {
        let rules = LinkRules { domains: vec!["*.example.org".into()], extensions: Some(vec!["dat".into()]), ..Default::default() };
        let page = "https://example.org/";
        assert_eq!(classify_href("https://www.example.org/x", "", false, page, &rules), None);
        assert_eq!(classify_href("https://example.org/x", "", false, page, &rules), None);
        assert_eq!(classify_href("https://evil-example.org/x", "", false, page, &rules), Some(LinkKind::Link));
        assert_eq!(classify_href("https://example.org/a.dat", "", false, page, &rules), Some(LinkKind::Download));
        assert_eq!(classify_href("https://example.org/a.pdf", "", false, page, &rules), None);
        assert_eq!(classify_href("https://example.org/report", "", true, page, &rules), Some(LinkKind::Download));
        let ipv6 = LinkRules { domains: vec!["::1".into()], ..Default::default() };
        assert_eq!(classify_href("http://[::1]:8080/x", "", false, page, &ipv6), None);
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

    /// The classifier before hosts were compared in the case they were written (hosts lowered
    /// into Strings), fed as the tracker did with the old `host_of_url` (lowered too).
    fn classify_lowered(href: &str, classes: &str, has_download_attr: bool, page_url: &str, rules: &LinkRules) -> Option<LinkKind> {
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
        if has_download_attr || is_download_href(rest, rules) {
            return Some(LinkKind::Download);
        }
        let host = host_of(rest).to_ascii_lowercase();
        (!is_site_host_href(&host, &page_host, &rules.domains)).then_some(LinkKind::Link)
    }

    /// The classifier that parsed the href in the wasm, before the shell sent the browser's
    /// parts (`parse` keeps its helpers as they were).
    fn classify_parsed(href: &str, classes: &str, has_download_attr: bool, page_url: &str, rules: &LinkRules) -> Option<LinkKind> {
        let page_host = split_scheme(page_url).map_or("", |(_, rest)| host_of(rest));
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
        if has_download_attr || is_download_href(rest, rules) {
            return Some(LinkKind::Download);
        }
        (!is_site_host_href(host_of(rest), page_host, &rules.domains)).then_some(LinkKind::Link)
    }

    /// The old `is_download`, on `host/path?query#fragment`.
    fn is_download_href(rest: &str, rules: &LinkRules) -> bool {
        let path = super::parse::until(rest, b"?#");
        let last = after_last(path, b'/').unwrap_or(path);
        let Some(ext) = after_last(last, b'.') else { return false };
        match &rules.extensions {
            Some(list) => list.iter().any(|e| e.eq_ignore_ascii_case(ext)),
            None => DEFAULT_EXTENSIONS.split('|').any(|e| e.eq_ignore_ascii_case(ext)),
        }
    }

    /// The old `is_site_host`, on hosts without IPv6 brackets.
    fn is_site_host_href(host: &str, page_host: &str, domains: &[String]) -> bool {
        if domains.is_empty() {
            return host.eq_ignore_ascii_case(page_host);
        }
        domains.iter().any(|d| {
            let d = super::parse::until(d, b"/");
            match d.strip_prefix("*.") {
                Some(base) => host.eq_ignore_ascii_case(base) || is_subdomain(host.as_bytes(), base.as_bytes()),
                None => host.eq_ignore_ascii_case(d),
            }
        })
    }

    /// Generated links as the browser resolves them (`scheme://[user@]host[:port]/path?query#fragment`),
    /// on generated pages, with generated rules: `classify` on the browser's parts answers
    /// as `old` did on the href. Each kind must come out often enough.
    fn equals_over_generated_links(seed: u64, old: fn(&str, &str, bool, &str, &LinkRules) -> Option<LinkKind>) {
        let mut x = seed;
        let mut next = |n: usize| {
            x = crate::test_rng::step(x);
            (x % n as u64) as usize
        };
        let schemes = ["https", "HTTP", "http", "ftp", "Ftp", "ftps", "file", "blob:https", "mailto", "x-http"];
        let users = ["", "", "", "u:p@", "a@b@", "u:p%40x@"];
        let hosts = ["shop.example", "SHOP.Example", "www.Shop.EXAMPLE", "other.example", "[::1]", "[2001:DB8::a]", "127.0.0.1", "xn--vil-bma.example", "Example.ORG", "sub.example.org", "example.org", ""];
        let ports = ["", "", ":8080", ":"];
        let paths = ["/", "/a.PDF", "/x/y.zip", "/report", "/a.DaT", "/a.b/c", "/.pdf", "/x.tar.gz", "/dir.zip/", "/a%2Fb.pdf", "/é.pdf"];
        let tails = ["", "", "?q=1", "?f=a.pdf", "?a/b.zip#c", "#x.pdf", "#/a.dat", "?#", "?x=http://o.example/a.pdf"];
        let domain_lists: [&[&str]; 7] = [&[], &["*.Example.org"], &["SHOP.example/path", "other.EXAMPLE"], &["*.shop.example"], &["::1", "*.0.0.1"], &["[::1]", "2001:db8::A/x"], &["/", "*.", ""]];
        let mut kinds = [0usize; 3];
        for _ in 0..100_000 {
            let href = alloc::format!("{}://{}{}{}{}{}", schemes[next(schemes.len())], users[next(users.len())], hosts[next(hosts.len())], ports[next(ports.len())], paths[next(paths.len())], tails[next(tails.len())]);
            let page = match next(8) {
                0 => String::from("about:blank"),
                1 => String::from("file:///home/a.html"),
                _ => alloc::format!("https://{}{}{}/page?x#y", users[next(users.len())], hosts[next(hosts.len())], ports[next(ports.len())]),
            };
            let rules = LinkRules {
                domains: domain_lists[next(domain_lists.len())].iter().map(|d| String::from(*d)).collect(),
                extensions: [None, Some(vec![String::from("dat"), String::from("B"), String::from("b/c")])][next(2)].clone(),
                ignore_classes: [vec![], vec![String::from("no-track")]][next(2)].clone(),
                link_classes: [vec![], vec![String::from("_link")]][next(2)].clone(),
                download_classes: [vec![], vec![String::from("xmatomo_link")]][next(2)].clone(),
            };
            let all = ["", "matomo_link", "x piwik_download", "matomo_piwik_ignore", "piwik_ignore", "matomo_ignore", "MATOMO_link", "xmatomo_link", "matomo_", "piwik_download\tx", "no-track", "a\n\x0cmatomo_download  ", "piwik_matomo_link", "_link"];
            let classes = all[next(all.len())];
            let attr = next(8) == 0;
            let new = classify_href(&href, classes, attr, &page, &rules);
            assert_eq!(new, old(&href, classes, attr, &page, &rules), "{href} {page} {rules:?}");
            kinds[match new {
                None => 0,
                Some(LinkKind::Link) => 1,
                Some(LinkKind::Download) => 2,
            }] += 1;
        }
        assert!(kinds.iter().all(|&n| n > 5_000), "{kinds:?}");
    }

    /// The browser's parts classify every link as the href parsed in the wasm did.
    #[test]
    fn classify_on_parts_equals_classify_on_the_href() {
        equals_over_generated_links(0x9E37_79B9_7F4A_7C15, classify_parsed);
    }

    /// Hosts compared in the case they were written classify every link as lowered ones did.
    #[test]
    fn classify_equals_the_old_version_whatever_the_case() {
        equals_over_generated_links(0x0DDB_A11C_AFE5_EED5, classify_lowered);
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
