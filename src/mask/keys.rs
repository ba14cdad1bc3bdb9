//! Which query keys carry secrets or personal data (the built-in deny-list), and which path
//! segments a secret usually follows.
//!
//! A key is first split into lower-case words (at `_ - . [ ]` and other punctuation, and at
//! camelCase humps: `resetPasswordToken` → reset, password, token), so one short table
//! covers `access_token`, `X-Amz-Signature`, `user[email]`, `customerEmail` and friends.

/// Entry flags, by how an entry matches.
/// Anywhere in the key, words joined (`newpassword`, `phpsessid`).
const ANYWHERE: u8 = 1;
/// One word of the key exactly (`api_key`, but not `keyword` or `hotel`).
const WORD: u8 = 2;
/// The whole key only: common words that are harmless inside other keys (`code` but not
/// `promo_code`, `state` but not `us_state_filter`).
const WHOLE: u8 = 4;
/// Anywhere in a path segment, any case: a secret usually follows such a segment
/// (`/password/reset/<token>`, `/verify/<id>/<hash>`).
const CONTEXT: u8 = 8;
const KEY: u8 = ANYWHERE | WORD | WHOLE;

/// The entries in groups, each group behind its flag byte `b'@' + flags` (`A` anywhere, `B`
/// word, `D` whole, `H` context, `I` anywhere + context, `L` whole + context), entries
/// `|`-separated. One list with flags instead of four lists: words in two lists are stored
/// once, and one match loop serves all four rules.
const LIST: &[u8] = b"\
    Itoken|passw|sessionLlogin\
    Asecret|signature|credential|sessid|email|phone|apikey|authoriz|nonce|cardnumber|ccnum|iban\
    Bauth|pwd|pass|mail|tel|mobile|fax|sid|key|otp|pin|sig|jwt|bearer|cvv|cvc|ssn|passcode\
    Dcode|state|user|username|userid|uid|firstname|lastname|fullname|surname|address|dob|\
    birthdate|birthday|cc|verificationcode|confirmationcode|activationcode|resetcode|smscode|hash\
    Hreset|verif|confirm|activat|invit|magic|unsubscribe|recover|signin|oauth";

const MAX: usize = 64;

/// Lower-cased words of `key`, joined, in `buf`; returns the joined length and the word
/// edges before it as bits (bit `j` set: a word starts at `j`; bit 0 always; the end is the
/// last edge). Keys longer than 64 letters are judged on their first 64 (no allocation).
/// (A u64, not a u128 with the end in it: 128-bit shifts cost far more code.)
fn words(key: &[u8], buf: &mut [u8; MAX]) -> (usize, u64) {
    let (mut n, mut edges) = (0usize, 1u64);
    let mut prev_lower = false;
    for &c in key {
        let upper = c.is_ascii_uppercase();
        if !c.is_ascii_alphanumeric() || (prev_lower && upper) {
            // (an empty word sets a bit already set; so does n = 64, which wraps to bit 0)
            edges |= 1u64.wrapping_shl(n as u32);
        }
        if !c.is_ascii_alphanumeric() {
            prev_lower = false;
            continue;
        }
        prev_lower = !upper;
        match buf.get_mut(n) {
            Some(b) => *b = c.to_ascii_lowercase(),
            None => break,
        }
        n += 1;
    }
    (n, edges)
}

/// True when an entry whose flags meet `rules` matches `text` (ignoring ASCII case) the way
/// its flags say. `edges` are the word edges of `text` (from [`words`]; unused for context).
fn listed(rules: u8, text: &[u8], edges: u64) -> bool {
    let (mut k, mut flag) = (0, 0);
    while let Some(&c) = LIST.get(k) {
        if c < b'a' {
            flag = c; // (`|` keeps the group's)
        }
        let start = k + 1;
        k = start;
        while LIST.get(k).is_some_and(|c| c.is_ascii_lowercase()) {
            k += 1;
        }
        let entry = LIST.get(start..k).unwrap_or(&[]);
        let f = flag & rules;
        if f == 0 {
            continue; // (also the speed: the other rules' entries are not tried)
        }
        for i in 0..text.len() {
            if !text.get(i..i + entry.len()).is_some_and(|w| w.eq_ignore_ascii_case(entry)) {
                continue;
            }
            if f & (ANYWHERE | CONTEXT) != 0
                || (f & WORD != 0 && one_word(edges, i, entry.len(), text.len()))
                || (f & WHOLE != 0 && i == 0 && entry.len() == text.len())
            {
                return true;
            }
        }
    }
    false
}

/// `i..i + len` of a key of `n` letters is one whole word: an edge at `i`, none inside, the
/// next at its end (or the key's). Only for keys: `i + len <= n <= 64`.
fn one_word(edges: u64, i: usize, len: usize, n: usize) -> bool {
    let end = i + len;
    (edges >> i) & ((1 << len) - 1) == 1 && (end == n || edges >> end & 1 == 1)
}

/// True when the built-in deny-list removes this (already percent-decoded) key.
pub fn is_denied(key: &[u8]) -> bool {
    let mut buf = [0u8; MAX];
    let (n, edges) = words(key, &mut buf);
    listed(KEY, buf.get(..n).unwrap_or(&[]), edges)
}

/// True when a secret usually follows this path segment (`reset`, `verify`, `login`, …).
pub fn is_secret_context(segment: &[u8]) -> bool {
    listed(CONTEXT, segment, 0)
}

/// The deny-list as it was before the single flagged list (reference for the equality test).
#[cfg(test)]
mod old {
    /// Denied when they appear anywhere in the key, words joined (`newpassword`, `phpsessid`).
    const ANYWHERE: &[u8] = b"\
        token|passw|secret|signature|credential|session|sessid|email|phone|apikey|authoriz|\
        nonce|cardnumber|ccnum|iban";

    /// Denied when one word of the key is exactly this (`api_key`, but not `keyword` or `hotel`).
    const WORDS: &[u8] = b"\
        auth|pwd|pass|mail|tel|mobile|fax|sid|key|otp|pin|sig|jwt|bearer|cvv|cvc|ssn|passcode";

    /// Denied only as the whole key: common words that are harmless inside other keys
    /// (`code` but not `promo_code`, `state` but not `us_state_filter`).
    const WHOLE: &[u8] = b"\
        code|state|login|user|username|userid|uid|firstname|lastname|fullname|surname|address|\
        dob|birthdate|birthday|cc|verificationcode|confirmationcode|activationcode|resetcode|\
        smscode|hash";

    const MAX: usize = 64;

    /// Lower-cased words of `key`, joined, in `buf`; `ends[..w]` marks where each word ends.
    /// Keys longer than 64 letters are judged on their first 64 (no allocation).
    fn words(key: &[u8], buf: &mut [u8; MAX], ends: &mut [u8; MAX]) -> (usize, usize) {
        let (mut n, mut w) = (0usize, 0usize);
        let mut prev_lower = false;
        for &c in key {
            if !c.is_ascii_alphanumeric() {
                close_word(ends, &mut w, n);
                prev_lower = false;
                continue;
            }
            if prev_lower && c.is_ascii_uppercase() {
                close_word(ends, &mut w, n);
            }
            prev_lower = !c.is_ascii_uppercase();
            match buf.get_mut(n) {
                Some(b) => *b = c.to_ascii_lowercase(),
                None => break,
            }
            n += 1;
        }
        close_word(ends, &mut w, n);
        (n, w)
    }

    /// Ends the current word at `n` unless it is empty.
    fn close_word(ends: &mut [u8; MAX], w: &mut usize, n: usize) {
        let last = ends.get(w.wrapping_sub(1)).map_or(0, |&e| e as usize);
        if let Some(e) = ends.get_mut(*w).filter(|_| n > last) {
            *e = n as u8;
            *w += 1;
        }
    }

    /// True when `word` equals (or, with `anywhere`, contains) one entry of the `|`-separated
    /// `list`, ignoring ASCII case. One string per list, not a table of `&str`: less data and no
    /// pointer table. (The deny-lists are lower case and so are the words they are matched with.)
    pub fn listed(list: &[u8], word: &[u8], anywhere: bool) -> bool {
        list.split(|&c| c == b'|').any(|x| {
            if anywhere {
                // every window of x.len() bytes (entries are never empty); `windows` costs more code
                (0..word.len()).any(|i| word.get(i..i + x.len()).is_some_and(|w| w.eq_ignore_ascii_case(x)))
            } else {
                word.eq_ignore_ascii_case(x)
            }
        })
    }

    /// True when the built-in deny-list removes this (already percent-decoded) key.
    pub fn is_denied(key: &[u8]) -> bool {
        let mut buf = [0u8; MAX];
        let mut ends = [0u8; MAX];
        let (n, w) = words(key, &mut buf, &mut ends);
        let joined = buf.get(..n).unwrap_or(&[]);
        if n == 0 {
            return false;
        }
        if listed(WHOLE, joined, false) || listed(ANYWHERE, joined, true) {
            return true;
        }
        let mut start = 0usize;
        for &e in ends.get(..w).unwrap_or(&[]) {
            let word = buf.get(start..e as usize).unwrap_or(&[]);
            if listed(WORDS, word, false) {
                return true;
            }
            start = e as usize;
        }
        false
    }

    /// Path segments a secret usually follows (was in url.rs).
    pub const SECRET_CONTEXT: &[u8] =
        b"reset|verif|confirm|activat|invit|magic|token|passw|unsubscribe|recover|login|signin|oauth|session";
}

#[cfg(test)]
mod tests {
    use super::{is_denied, is_secret_context};
    use alloc::string::String;
    use alloc::vec::Vec;

    #[test]
    fn denied_keys() {
        for k in [
            "token", "password", "passwd", "pwd", "pass", "secret", "auth", "authorization", "code",
            "state", "session", "sessionid", "sid", "phpsessid", "jsessionid", "email", "e-mail",
            "mail", "phone", "tel", "mobile", "key", "apikey", "api_key", "access_token", "id_token",
            "refresh_token", "client_secret", "otp", "nonce", "signature", "sig", "TOKEN", "Email",
            "resetPasswordToken", "X-Amz-Signature", "X-Amz-Credential", "user[email]",
            "customer_email", "billing_phone", "oauth_token", "authenticity_token", "_token",
            "apiKey", "session_state", "login", "user_name", "first_name", "new_password",
            "verification_code", "license_key", "auth_code", "wpnonce", "_wpnonce", "cc",
        ] {
            assert!(is_denied(k.as_bytes()), "{k}");
        }
    }

    #[test]
    fn kept_keys() {
        for k in [
            "q", "page", "sort", "utm_source", "utm_campaign", "mtm_campaign", "pk_kwd", "keyword",
            "hotel", "promo_code", "zip_code", "country_code", "author", "authuser", "lang", "ref",
            "id", "product_id", "variant", "category", "s", "p", "orderby", "color", "size", "",
            "pinterest", "monkey", "statement", "codec", "us_state",
        ] {
            assert!(!is_denied(k.as_bytes()), "{k}");
        }
    }

    /// Small deterministic PRNG (xorshift64).
    fn next(x: &mut u64) -> u64 {
        *x = crate::test_rng::step(*x);
        *x
    }

    /// Keys built from list words, their case variants, fragments and separators.
    fn random_key(x: &mut u64) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "token", "Token", "TOKEN", "pass", "Pass", "passw", "passcode", "code", "Code", "state", "login",
            "user", "name", "Name", "mail", "e", "key", "Key", "api", "sid", "sess", "id", "pa", "ss", "ok",
            "a", "B", "7", "_", "-", ".", "[", "]", " ", "%", "é", "reset", "verif", "Confirm", "magic",
            "session", "oauth", "SignIn", "cc", "hash", "iban", "x", "Q", "zz", "pin", "pinterest",
        ];
        let mut k = Vec::new();
        for _ in 0..next(x) % 7 {
            k.extend_from_slice(PIECES[(next(x) % PIECES.len() as u64) as usize].as_bytes());
        }
        if next(x) % 50 == 0 {
            k.extend_from_slice(&b"abcdefghij".repeat(7)); // past the 64-letter cut
            k.extend_from_slice(b"_key");
        }
        k
    }

    #[test]
    fn same_decisions_as_the_four_lists() {
        let mut x = 0x9e37_79b9_7f4a_7c15;
        let (mut denied, mut context) = (0, 0);
        for _ in 0..50_000 {
            let k = random_key(&mut x);
            denied += is_denied(&k) as u32;
            context += is_secret_context(&k) as u32;
            assert_eq!(is_denied(&k), super::old::is_denied(&k), "{:?}", String::from_utf8_lossy(&k));
            assert_eq!(
                is_secret_context(&k),
                super::old::listed(super::old::SECRET_CONTEXT, &k, true),
                "{:?}",
                String::from_utf8_lossy(&k)
            );
        }
        // both answers are common, so both are compared
        assert!((10_000..40_000).contains(&denied) && (5_000..45_000).contains(&context), "{denied} {context}");
    }
}
