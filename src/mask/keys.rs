//! Which query keys carry secrets or personal data (the built-in deny-list).
//!
//! A key is first split into lower-case words (at `_ - . [ ]` and other punctuation, and at
//! camelCase humps: `resetPasswordToken` → reset, password, token), so one short table
//! covers `access_token`, `X-Amz-Signature`, `user[email]`, `customerEmail` and friends.

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
pub(super) fn listed(list: &[u8], word: &[u8], anywhere: bool) -> bool {
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

#[cfg(test)]
mod tests {
    use super::is_denied;

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
}
