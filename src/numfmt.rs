//! Number to text without `core::fmt` (which would cost kilobytes of wasm).

use alloc::string::String;

/// Appends the decimal form of `n`.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

pub fn u64_str(n: u64) -> String {
    let mut s = String::new();
    push_u64(&mut s, n);
    s
}

/// Appends `x` with at most 6 decimals, trailing zeros trimmed ("3", "19.99", "-0.5").
/// Non-finite values are written as "0": Matomo rejects NaN and Infinity.
pub fn push_f64(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push('0');
        return;
    }
    let neg = x < 0.0;
    let a = if neg { -x } else { x };
    if a >= 1e15 {
        // Beyond exact integers: write the integer part only (still a valid number).
        if neg {
            out.push('-');
        }
        push_u64(out, a as u64);
        return;
    }
    let scaled = (a * 1e6 + 0.5) as u64;
    let int = scaled / 1_000_000;
    let mut frac = scaled % 1_000_000;
    if neg && scaled != 0 {
        out.push('-');
    }
    push_u64(out, int);
    if frac != 0 {
        out.push('.');
        let mut digits = 6;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        let mut tmp = String::new();
        push_u64(&mut tmp, frac);
        for _ in tmp.len()..digits {
            out.push('0');
        }
        out.push_str(&tmp);
    }
}

pub fn f64_str(x: f64) -> String {
    let mut s = String::new();
    push_f64(&mut s, x);
    s
}

/// Lower-case hex of `bytes`.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(u64_str(0), "0");
        assert_eq!(u64_str(42), "42");
        assert_eq!(u64_str(u64::MAX), "18446744073709551615");
    }

    #[test]
    fn floats() {
        assert_eq!(f64_str(3.0), "3");
        assert_eq!(f64_str(19.99), "19.99");
        assert_eq!(f64_str(-0.5), "-0.5");
        assert_eq!(f64_str(0.000001), "0.000001");
        assert_eq!(f64_str(1.05), "1.05");
        assert_eq!(f64_str(-0.0), "0");
        assert_eq!(f64_str(f64::NAN), "0");
        assert_eq!(f64_str(1e16), "10000000000000000");
    }

    #[test]
    fn hex() {
        let mut s = String::new();
        push_hex(&mut s, &[0, 15, 255]);
        assert_eq!(s, "000fff");
    }
}
