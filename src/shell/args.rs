//! JavaScript values to [`Arg`]s, bounded so hostile input (huge strings, deep or cyclic
//! nesting, exotic objects) costs little and cannot recurse without end.

use crate::command::Arg;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

pub const MAX_ARGS: usize = 8;
const MAX_DEPTH: u8 = 3;
const MAX_ITEMS: u32 = 64;
/// Longer strings are cut (at a character boundary): no tracking field needs more, and
/// the queue would truncate them anyway.
const MAX_CHARS: usize = 4096;

pub fn to_arg(v: &JsValue, depth: u8) -> Arg {
    if v.is_undefined() {
        return Arg::Undefined;
    }
    if v.is_null() {
        return Arg::Null;
    }
    if let Some(b) = v.as_bool() {
        return Arg::Bool(b);
    }
    if let Some(n) = v.as_f64() {
        return Arg::Num(n);
    }
    if let Some(s) = v.as_string() {
        return Arg::Str(cut(s));
    }
    if depth >= MAX_DEPTH || v.is_function() {
        return Arg::Other;
    }
    if let Some(list) = v.dyn_ref::<Array>() {
        return Arg::List(list.iter().take(MAX_ITEMS as usize).map(|i| to_arg(&i, depth + 1)).collect());
    }
    match v.dyn_ref::<Object>() {
        Some(obj) if is_plain(obj) => Arg::Map(entries(obj, depth)),
        _ => Arg::Other,
    }
}

/// Only plain `{…}` objects are read as option maps (not DOM nodes, dates, class instances).
fn is_plain(obj: &Object) -> bool {
    let proto = Object::get_prototype_of(obj);
    proto.is_null() || proto == Object::get_prototype_of(&Object::new())
}

fn entries(obj: &Object, depth: u8) -> Vec<(String, Arg)> {
    Object::entries(obj)
        .iter()
        .take(MAX_ITEMS as usize)
        .filter_map(|pair| {
            let pair: Array = pair.dyn_into().ok()?;
            Some((cut(pair.get(0).as_string()?), to_arg(&pair.get(1), depth + 1)))
        })
        .collect()
}

fn cut(mut s: String) -> String {
    if s.len() > MAX_CHARS {
        let mut end = MAX_CHARS;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}
