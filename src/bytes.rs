//! Splitting at one ASCII byte. `str::split(char)` / `split_once(char)` pull core's
//! `CharSearcher` and `memchr` into the wasm; these plain byte scans do the same job for
//! ASCII separators (a UTF-8 continuation byte never equals an ASCII byte, so every cut
//! lands on a character boundary).

/// `(before, after)` the first `sep`, like `s.split_once(sep as char)`.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == sep {
            return Some((s.get(..i)?, s.get(i + 1..)?));
        }
        i += 1;
    }
    None
}

/// The pieces between `sep`s, like `s.split(sep as char)`.
pub fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let r = self.rest.take()?;
        match split_once(r, self.sep) {
            Some((a, b)) => {
                self.rest = Some(b);
                Some(a)
            }
            None => Some(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn matches_str_split() {
        for s in ["", "a", "|", "a|b", "|a||b|", "é|ü|", "pdf|zip"] {
            assert_eq!(split(s, b'|').collect::<Vec<_>>(), s.split('|').collect::<Vec<_>>());
            assert_eq!(split_once(s, b'|'), s.split_once('|'));
        }
    }
}
