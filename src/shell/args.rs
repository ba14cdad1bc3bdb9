//! JavaScript values to [`Arg`]s, bounded so hostile input (huge strings, deep or cyclic
//! nesting, exotic objects) costs little and cannot recurse without end.
//!
//! Every read of a page object goes through a binding that catches: a getter or a Proxy
//! trap that throws (or a revoked Proxy) becomes `Arg::Other`, never an exception
//! unwinding through wasm (which would skip the rest of `boot`, or escape an npm method).

use crate::command::Arg;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// Throws for a revoked Proxy, hence `catch`.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    pub(crate) fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    /// Own enumerable string keys; runs a Proxy's `ownKeys` trap.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(v: &JsValue) -> Result<Array, JsValue>;
}

/// The first `max` items of an array, each `None` where reading it threw; `None` when `v`
/// is not an array (or not even that can be asked without an exception).
pub fn items(v: &JsValue, max: u32) -> Option<Vec<Option<JsValue>>> {
    if !is_array(v).unwrap_or(false) {
        return None;
    }
    let len = Reflect::get(v, &JsValue::from_str("length")).ok()?.as_f64()?;
    // NaN and negative lengths cast to 0.
    let n = (len as u32).min(max);
    Some((0..n).map(|i| Reflect::get_u32(v, i).ok()).collect())
}

/// The name of a `[name, ...]` item, if it has a readable string one.
pub fn name_of(item: &JsValue) -> Option<String> {
    items(item, 1)?.pop()??.as_string()
}

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
    if let Some(list) = items(v, MAX_ITEMS) {
        return Arg::List(list.iter().map(|i| item_arg(i.as_ref(), depth + 1)).collect());
    }
    match v.dyn_ref::<Object>() {
        Some(obj) if is_plain(obj) => entries(obj, depth).map_or(Arg::Other, Arg::Map),
        _ => Arg::Other,
    }
}

/// An item or property that could not be read (its getter threw) is `Other`.
pub fn item_arg(v: Option<&JsValue>, depth: u8) -> Arg {
    v.map_or(Arg::Other, |v| to_arg(v, depth))
}

/// Only plain `{…}` objects are read as option maps (not DOM nodes, dates, class instances).
fn is_plain(obj: &Object) -> bool {
    match Reflect::get_prototype_of(obj) {
        Ok(proto) => proto.is_null() || Reflect::get_prototype_of(&Object::new()).ok() == Some(proto),
        Err(_) => false,
    }
}

/// Own enumerable properties; None if even their names cannot be read.
fn entries(obj: &Object, depth: u8) -> Option<Vec<(String, Arg)>> {
    let keys = object_keys(obj).ok()?;
    let out = keys
        .iter()
        .take(MAX_ITEMS as usize)
        .filter_map(|k| {
            let value = Reflect::get(obj, &k).ok();
            Some((cut(k.as_string()?), item_arg(value.as_ref(), depth + 1)))
        })
        .collect();
    Some(out)
}

pub fn cut(mut s: String) -> String {
    if s.len() > MAX_CHARS {
        let mut end = MAX_CHARS;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}
