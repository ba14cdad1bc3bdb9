// Loads hush_bg.wasm and speaks its three-function ABI (src/export.rs documents it): one
// string in, one string out, and the import `h.u`, the browser's URL parser.
import { hushResolveUrl } from './resolve.js';

var encoder = new TextEncoder();
var decoder = new TextDecoder();

/** Resolves to `core(text) -> text`; rejects (with the reason) when the wasm cannot start. */
export function loadCore(url) {
  var wasm;
  var bytes = function () { return new Uint8Array(wasm.memory.buffer); };
  var text = function (ptr, len) { return decoder.decode(bytes().subarray(ptr, ptr + len)); };
  var imports = {
    h: {
      u: function (input, inputLen, base, baseLen, out, outCap) {
        var href = hushResolveUrl(text(input, inputLen), text(base, baseLen));
        if (href === undefined) return -1;
        var b = encoder.encode(href);
        if (b.length <= outCap) bytes().set(b, out);
        return b.length;
      },
    },
  };
  return fetch(url).then(function (response) {
    if (!response.ok) throw new Error(url + ' answered HTTP ' + response.status);
    // Streaming compilation needs the application/wasm type; other servers get the bytes path.
    var streaming = WebAssembly.instantiateStreaming && /^application\/wasm/.test(response.headers.get('Content-Type'));
    return streaming ? WebAssembly.instantiateStreaming(response, imports) :
      response.arrayBuffer().then(function (b) { return WebAssembly.instantiate(b, imports); });
  }).then(function (result) {
    wasm = result.instance.exports;
    return function core(input) {
      var b = encoder.encode(input);
      var ptr = wasm.m(b.length);
      bytes().set(b, ptr);
      var len = wasm.c(ptr, b.length);
      return text(wasm.p(), len);
    };
  });
}
