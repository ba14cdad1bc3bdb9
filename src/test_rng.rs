//! The tests' one pseudo-random step: xorshift64 (13, 7, 17). Deterministic from a seed, so
//! every generated-input test sees the same inputs on every run.

/// The next state after `x` (never 0 for a non-zero `x`).
pub fn step(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// The bridge's random source in native tests (the browser's is `crypto.getRandomValues`):
/// xorshift64 bytes, deterministic per test thread.
pub fn fill(buf: &mut [u8]) {
    std::thread_local!(static STATE: core::cell::Cell<u64> = const { core::cell::Cell::new(0x9e37_79b9_7f4a_7c15) });
    STATE.with(|s| {
        for b in buf.iter_mut() {
            s.set(step(s.get()));
            *b = (s.get() >> 24) as u8;
        }
    });
}
