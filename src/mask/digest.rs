//! Compact SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), used to send user and order IDs
//! as digests. Own code instead of a crate: it is ~100 lines and keeps the wasm free of
//! dependencies. Speed does not matter here (IDs are short, hashed once per call).

use alloc::string::String;

/// The round constants and initial hash value are, by the standard's definition, the first
/// 32 fraction bits of the cube roots of the first 64 primes and of the square roots of the
/// first 8. Computing them (f64 Newton steps, exact here: `tests::constants_match_fips`
/// checks all 72 against FIPS 180-4) is less code than 288 bytes of incompressible tables.
struct Constants {
    k: [u32; 64],
    h0: [u32; 8],
}

impl Constants {
    fn new() -> Constants {
        let mut c = Constants { k: [0; 64], h0: [0; 8] };
        let (mut p, mut n) = (2u32, 0usize);
        while n < 64 {
            if (2..p).all(|d| p % d != 0) {
                if let Some(h) = c.h0.get_mut(n) {
                    *h = root_fraction(p, 2);
                }
                c.k[n] = root_fraction(p, 3);
                n += 1;
            }
            p += 1;
        }
        c
    }
}

/// First 32 fraction bits of the `e`-th root of `p` (e = 2 or 3, p < 320).
fn root_fraction(p: u32, e: u32) -> u32 {
    let p = p as f64;
    let mut x = p;
    for _ in 0..40 {
        // Newton: x − (xᵉ − p) / (e·xᵉ⁻¹)
        let xe1 = if e == 2 { x } else { x * x };
        x = ((e - 1) as f64 * x + p / xe1) / e as f64;
    }
    // x < 2^3, so x·2^32 < 2^35 is exact; its low 32 bits are the fraction bits.
    (x * 4294967296.0) as u64 as u32
}

/// One 64-byte block into the state.
fn compress(h: &mut [u32; 8], block: &[u8; 64], k: &[u32; 64]) {
    let mut w = [0u32; 64];
    for (i, &b) in block.iter().enumerate() {
        w[i / 4] = w[i / 4] << 8 | b as u32; // big-endian words
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
    }
    let mut v = *h;
    for i in 0..64 {
        let [a, b, c, d, e, f, g, hh] = v;
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(k[i]).wrapping_add(w[i]);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
    }
    for (x, y) in h.iter_mut().zip(v) {
        *x = x.wrapping_add(y);
    }
}

/// SHA-256 of `pad` (a 64-byte HMAC pad: an HMAC key XOR `x`, or empty) followed by `msg`:
/// HMAC needs no padded copy of its key, and plain SHA-256 is the same code without the pad.
/// One loop feeds pad, message and the standard's padding (0x80, zeros up to 56 bytes into a
/// block, the length in bits big-endian in its last 8 bytes) byte by byte into the block, so
/// there is no separate padding code and one call of `compress`.
fn sha256_padded(pad: &[u8], x: u8, msg: &[u8]) -> [u8; 32] {
    let consts = Constants::new();
    let mut h = consts.h0;
    let mut block = [0u8; 64];
    let total = pad.len() + msg.len();
    let padded = (total + 8) / 64 * 64 + 64; // room for 0x80 and the 8 length bytes
    let bits = (total as u64).wrapping_mul(8);
    for j in 0..padded {
        block[j % 64] = if let Some(&b) = pad.get(j) {
            b ^ x
        } else if let Some(&b) = msg.get(j - pad.len()) {
            b
        } else if j == total {
            0x80
        } else if padded - j <= 8 {
            (bits >> (8 * (padded - 1 - j))) as u8
        } else {
            0
        };
        if j % 64 == 63 {
            compress(&mut h, &block, &consts.k);
        }
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (h[i / 4] >> (24 - 8 * (i % 4))) as u8; // big-endian words
    }
    out
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    sha256_padded(&[], 0, data)
}

/// HMAC-SHA256 (RFC 2104): the standard keyed hash, reproducible with any library
/// (`openssl dgst -sha256 -hmac SALT`), so a site can join digests with its own records.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sha256(key));
    } else {
        for (d, s) in k.iter_mut().zip(key) {
            *d = *s;
        }
    }
    let inner = sha256_padded(&k, 0x36, msg);
    sha256_padded(&k, 0x5c, &inner)
}

/// Digest sent instead of a user ID or order ID: 64 lower-case hex chars.
/// - `salt` empty: `sha256(id)` (UTF-8 bytes, no trimming or case folding);
/// - otherwise: `HMAC-SHA256(key = salt, message = id)`.
pub fn digest_id(id: &str, salt: &str) -> String {
    let d = if salt.is_empty() {
        sha256(id.as_bytes())
    } else {
        hmac_sha256(salt.as_bytes(), id.as_bytes())
    };
    let mut out = String::with_capacity(64);
    crate::numfmt::push_hex(&mut out, &d);
    out
}

/// Hex of a raw digest.
#[cfg(test)]
fn hex32(d: &[u8; 32]) -> String {
    let mut out = String::with_capacity(64);
    crate::numfmt::push_hex(&mut out, d);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    fn hex(data: &[u8]) -> String {
        hex32(&sha256(data))
    }

    #[test]
    fn constants_match_fips() {
        const K: [u32; 64] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ];
        const H0: [u32; 8] =
            [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
        let c = Constants::new();
        assert_eq!(c.k, K);
        assert_eq!(c.h0, H0);
    }

    // FIPS 180-4 / NIST CSHS example vectors.
    #[test]
    fn nist_vectors() {
        assert_eq!(hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(hex(&million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    #[test]
    fn padding_boundaries() {
        // 55, 56, 63, 64, 65 bytes cross the one/two padding-block boundary
        // (expected digests from Python's hashlib).
        for (n, want) in [
            (55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"),
            (56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"),
            (63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"),
            (64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"),
            (65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"),
            (119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"),
            (120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"),
        ] {
            assert_eq!(hex(&vec![b'x'; n]), want, "{n} bytes");
        }
        assert_eq!(
            hex(&[b'a'; 56]),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"
        );
        // With an HMAC pad in front: the same as hashing pad and message as one buffer.
        let key = [0x17u8; 64];
        for n in [0usize, 55, 56, 63, 64, 65, 120] {
            let msg = vec![b'x'; n];
            let mut whole: Vec<u8> = key.iter().map(|b| b ^ 0x36).collect();
            whole.extend_from_slice(&msg);
            assert_eq!(sha256_padded(&key, 0x36, &msg), sha256(&whole), "{n} bytes");
        }
    }

    // RFC 4231 test cases 2 and 6 (short key, key longer than a block).
    #[test]
    fn hmac_rfc4231() {
        assert_eq!(
            hex32(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let key = [0xaau8; 131];
        assert_eq!(
            hex32(&hmac_sha256(&key, b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn digest_id_forms() {
        assert_eq!(digest_id("abc", ""), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            digest_id("what do ya want for nothing?", "Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let d = digest_id("user@example.com", "s");
        assert_eq!(d.len(), 64);
        assert!(d.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_ne!(d, digest_id("user@example.com", ""));
        assert_ne!(d, digest_id("user@example.com", "t"));
    }
}

/// Hashing through a byte-appending `State` as before the single loop (reference for the
/// equality test).
#[cfg(test)]
mod old {
    use super::{compress, Constants};

    /// Running state: chained value and the partly filled block.
    pub struct State {
        consts: Constants,
        h: [u32; 8],
        block: [u8; 64],
        fill: usize,
    }

    impl State {
        /// Appends one byte, compressing each full block. Message and padding go through this
        /// one path (no separate padding code).
        fn byte(&mut self, b: u8) {
            if let Some(slot) = self.block.get_mut(self.fill) {
                *slot = b;
            }
            self.fill += 1;
            if self.fill == 64 {
                compress(&mut self.h, &self.block, &self.consts.k);
                self.fill = 0;
            }
        }
    }

    /// SHA-256 of an optional 64-byte HMAC pad (`key` XOR `x`) followed by `msg`: HMAC needs no
    /// padded copies of its key, and plain SHA-256 is the same code without the pad.
    pub fn sha256_padded(pad: Option<(&[u8; 64], u8)>, msg: &[u8]) -> [u8; 32] {
        let consts = Constants::new();
        let mut st = State { h: consts.h0, consts, block: [0; 64], fill: 0 };
        let mut total = msg.len() as u64;
        if let Some((key, x)) = pad {
            for &b in key {
                st.byte(b ^ x);
            }
            total += 64;
        }
        for &b in msg {
            st.byte(b);
        }
        // Padding: 0x80, zeros up to 56 bytes into a block, then the message length in bits
        // (big-endian) in its last 8 bytes.
        st.byte(0x80);
        while st.fill != 56 {
            st.byte(0);
        }
        let bits = total.wrapping_mul(8);
        for j in (0..8).rev() {
            st.byte((bits >> (8 * j)) as u8);
        }
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = (st.h[i / 4] >> (24 - 8 * (i % 4))) as u8; // big-endian words
        }
        out
    }
}

#[cfg(test)]
mod equal {
    use alloc::vec::Vec;

    #[test]
    fn sha256_padded_as_before() {
        let mut x: u64 = 0x6a09_e667_f3bc_c908;
        let mut next = || {
            x = crate::test_rng::step(x);
            x
        };
        for n in 0..3_000 {
            let len = (next() % 200) as usize;
            let msg: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut key = [0u8; 64];
            for k in key.iter_mut() {
                *k = next() as u8;
            }
            let xor = next() as u8;
            if n % 2 == 0 {
                assert_eq!(super::sha256_padded(&[], 0, &msg), super::old::sha256_padded(None, &msg), "{len}");
            } else {
                assert_eq!(super::sha256_padded(&key, xor, &msg), super::old::sha256_padded(Some((&key, xor)), &msg), "{len}");
            }
        }
    }
}
