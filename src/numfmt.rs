//! Number to text without `core::fmt` (which would cost kilobytes of wasm).

use alloc::string::String;

/// Appends the decimal form of `n`.
// Inlined: a call of `push_digits` with width 1 in place of a call of this wrapper
// (9 B gzip smaller).
#[inline(always)]
pub fn push_u64(out: &mut String, n: u64) {
    push_digits(out, n, 1);
}

/// Appends `n` in decimal, zero-padded to at least `width` digits (1..=20). Digits are
/// written from the highest power of ten down: no buffer, no slice, no panic path.
fn push_digits(out: &mut String, n: u64, width: u32) {
    let mut p: u64 = 1;
    for _ in 1..width {
        p *= 10;
    }
    // checked_div: `p` is never 0, but the compiler cannot see it (no panic path).
    while n.checked_div(p).unwrap_or(0) >= 10 {
        p *= 10;
    }
    loop {
        out.push((b'0' + (n.checked_div(p).unwrap_or(0) % 10) as u8) as char);
        if p == 1 {
            break;
        }
        p /= 10;
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
    let a = x.abs();
    // Integer part, then the fraction in micro-units: a - trunc(a) is exact in f64, so
    // large values keep their fraction (scaling the whole value by 1e6 first lost it above
    // 9e9 and saturated the u64 above 1.8e13).
    // From 2^53 on every f64 is an integer (and the u64 saturates past 1.8e19).
    let int = a as u64;
    let micro = if a < 9_007_199_254_740_992.0 { ((a - int as f64) * 1e6 + 0.5) as u64 } else { 0 };
    let (int, mut frac) = if micro >= 1_000_000 { (int + 1, 0) } else { (int, micro) };
    // No "-0": a negative that rounds to zero is written "0".
    if x < 0.0 && (int != 0 || frac != 0) {
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
        push_digits(out, frac, digits);
    }
}

pub fn f64_str(x: f64) -> String {
    let mut s = String::new();
    push_f64(&mut s, x);
    s
}

/// Lower-case hex of `bytes`.
// Inlined (a short loop, a constant length at each site): 7 B gzip smaller than a call.
#[inline(always)]
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
    fn large_numbers_keep_their_digits() {
        // Micro-units above u64::MAX once saturated: 999999999999999 became 18446744073709.551615.
        assert_eq!(f64_str(999_999_999_999_999.0), "999999999999999");
        assert_eq!(f64_str(20_000_000_000_000.0), "20000000000000");
        assert_eq!(f64_str(-12_345_678_901_234.5), "-12345678901234.5");
        assert_eq!(f64_str(1e300), "18446744073709551615");
        assert_eq!(f64_str(9_999_999_999_999.5), "9999999999999.5");
        for e in 0..19 {
            let x = 10f64.powi(e);
            assert_eq!(f64_str(x), alloc::format!("{x}"), "1e{e}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(u64_str(0), "0");
        assert_eq!(u64_str(42), "42");
        assert_eq!(u64_str(u64::MAX), "18446744073709551615");
        // Every digit count and carry, against core::fmt.
        let mut n = 1u64;
        for _ in 0..200_000 {
            n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let m = n >> (n % 64);
            assert_eq!(u64_str(m), alloc::format!("{m}"));
        }
    }

    #[test]
    fn floats() {
        assert_eq!(f64_str(3.0), "3");
        assert_eq!(f64_str(19.99), "19.99");
        assert_eq!(f64_str(-0.5), "-0.5");
        assert_eq!(f64_str(0.000001), "0.000001");
        assert_eq!(f64_str(1.05), "1.05");
        assert_eq!(f64_str(2.0005), "2.0005");
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
