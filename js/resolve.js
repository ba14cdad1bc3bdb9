// The wasm's one import (src/export.rs): the browser's URL parser, so URLs are masked in
// the form the browser itself would request them. `undefined` when the URL does not parse.
export function hushResolveUrl(input, base) {
  try {
    return new URL(input, base).href;
  } catch (e) {
    return undefined;
  }
}
