//! The tests' one pseudo-random step: xorshift64 (13, 7, 17). Deterministic from a seed, so
//! every generated-input test sees the same inputs on every run.

/// The next state after `x` (never 0 for a non-zero `x`).
pub fn step(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}
