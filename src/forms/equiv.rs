//! `Forms::step` (events sent as they happen) gives the same events, in the same order, as
//! the version it replaced (events collected in a Vec first, kept here as `Old`), on
//! generated shell event sequences.

use super::{is_sensitive, name_or_id, Fields, Forms, ENDED, MAX_FORMS, STARTED};
use alloc::string::String;
use alloc::vec::Vec;

/// The old `field_name` (an owned name, a match on both attributes).
fn field_name_old(f: &mut Fields) -> String {
    let masked = f.next_flag();
    let kind = f.next_str();
    let name = f.next_str();
    let id = f.next_str();
    let autocomplete = f.next_str();
    if masked || is_sensitive(kind, name, id, autocomplete) {
        return String::from("masked");
    }
    String::from(match (name, id) {
        ("", "") => "field",
        ("", id) => id,
        (name, _) => name,
    })
}

fn ms(d: f64) -> f64 {
    (d.max(0.0) + 0.5) as u64 as f64
}

struct OldForm {
    name: String,
    flags: u8,
    start_ms: f64,
}

#[derive(Default)]
struct Old {
    forms: Vec<OldForm>,
    focused: Option<(usize, String, f64)>,
}

type Out = Vec<(&'static str, String, f64)>;

impl Old {
    /// The old `on_event` up to the point where it handed `out` to the tracker.
    fn on_event(&mut self, mut f: Fields, now: f64) -> Vec<(&'static str, String, Option<f64>)> {
        let mut out: Out = Vec::new();
        let ev = f.next_str().as_bytes().first().copied().unwrap_or(0);
        let slot = crate::command::parse_number(f.next_str()).unwrap_or(f64::NAN);
        if ev == b'a' {
            for i in 0..self.forms.len() {
                self.end(i, "abandon", now, &mut out);
            }
        } else if let Some(i) = self.form(slot, &mut f, &mut out) {
            match ev {
                b'i' => {
                    self.touch(i, now, &mut out);
                    self.leave(now, &mut out);
                    self.focused = Some((i, field_name_old(&mut f), now));
                }
                b'o' => self.leave(now, &mut out),
                b'c' => self.touch(i, now, &mut out),
                b's' => {
                    self.touch(i, now, &mut out);
                    self.end(i, "submit", now, &mut out);
                }
                _ => {}
            }
        }
        out.into_iter().map(|(a, n, ms)| (a, n, Some(ms).filter(|m| !m.is_nan()))).collect()
    }

    fn form(&mut self, slot: f64, f: &mut Fields, out: &mut Out) -> Option<usize> {
        let i = slot as usize;
        if slot.is_nan() || slot < 0.0 || i > self.forms.len() || i >= MAX_FORMS {
            return None;
        }
        let masked = f.next_flag();
        let named = name_or_id(f);
        let index = crate::command::parse_number(f.next_str()).unwrap_or(0.0).max(0.0);
        if i < self.forms.len() {
            return Some(i);
        }
        let mut name = String::from(if masked { "masked" } else { named });
        if name.is_empty() {
            name.push_str("form");
            crate::numfmt::push_u64(&mut name, index as u64);
        }
        out.push(("view", name.clone(), f64::NAN));
        self.forms.push(OldForm { name, flags: 0, start_ms: 0.0 });
        Some(i)
    }

    fn touch(&mut self, i: usize, now: f64, out: &mut Out) {
        let Some(f) = self.forms.get_mut(i) else { return };
        if f.flags & STARTED == 0 || f.flags & ENDED != 0 {
            f.flags = STARTED;
            f.start_ms = now;
            out.push(("start", f.name.clone(), f64::NAN));
        }
    }

    fn leave(&mut self, now: f64, out: &mut Out) {
        if let Some((i, field, since)) = self.focused.take() {
            if let Some(f) = self.forms.get(i) {
                let mut name = f.name.clone();
                name.push('/');
                name.push_str(&field);
                out.push(("field", name, ms(now - since)));
            }
        }
    }

    fn end(&mut self, i: usize, action: &'static str, now: f64, out: &mut Out) {
        if self.focused.as_ref().is_some_and(|f| f.0 == i) {
            self.leave(now, out);
        }
        let Some(f) = self.forms.get_mut(i) else { return };
        if f.flags & STARTED != 0 && f.flags & ENDED == 0 {
            f.flags |= ENDED;
            out.push((action, f.name.clone(), ms(now - f.start_ms)));
        }
    }
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

#[test]
fn step_sends_what_the_old_version_collected() {
    let mut r = Rng(0x51_7CC1_B727_220A);
    let mut events = [0usize; 5];
    for _ in 0..400 {
        let (mut new, mut old) = (Forms::default(), Old::default());
        let mut now = 1_700_000_000_000.0;
        for _ in 0..60 {
            let fields = [
                r.pick(&["v", "i", "o", "c", "s", "a", "x", ""]),
                r.pick(&["0", "1", "2", "3", "-1", "x", "", "1.5", "300"]),
                r.pick(&["0", "1", ""]),
                r.pick(&["", "login", "search"]),
                r.pick(&["", "f", "checkout"]),
                r.pick(&["0", "4", "", "-2", "x"]),
                r.pick(&["0", "1"]),
                r.pick(&["text", "password", "EMAIL", ""]),
                r.pick(&["", "q", "email", "card_number"]),
                r.pick(&["", "fid", "otp"]),
                r.pick(&["", "cc-number", "tel-national", "name", "one-time-code"]),
            ];
            let line = fields[..r.below(fields.len() + 1)].join("|");
            now += [0.0, 1.0, 250.4, 9_000.0, -5.0][r.below(5)];
            let mut sent = Vec::new();
            new.step(Fields::of(&line), now, &mut |a, n, ms| sent.push((a, String::from(n), ms)));
            assert_eq!(sent, old.on_event(Fields::of(&line), now), "{line:?}");
            for (a, _, _) in &sent {
                events[["view", "start", "field", "submit", "abandon"].iter().position(|x| x == a).unwrap()] += 1;
            }
        }
    }
    // Every kind of event was compared, many times.
    assert!(events.iter().all(|&n| n > 100), "{events:?}");
}

#[test]
fn ms_equals_the_old_version() {
    let mut x: u64 = 0xA076_1D64_78BD_642F;
    let special = [0.0, -0.0, 0.49, 0.5, -0.5, -0.49, -0.51, -1.0, 1e300, -1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1.8e19, 1.9e19];
    for i in 0..200_000 {
        x = crate::test_rng::step(x);
        let d = match i % 3 {
            0 => special[(x % special.len() as u64) as usize],
            1 => f64::from_bits(x),
            _ => (x % 2_000_000) as f64 / 100.0 - 10_000.0,
        };
        assert_eq!(super::ms(d).to_bits(), ms(d).to_bits(), "{d:?}");
    }
}
