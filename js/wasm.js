// Loads hush_bg.wasm and speaks its three-function ABI (src/export.rs documents it): one
// string in, one string out, and the imports `h.u`, the browser's URL parser, and `h.r`,
// its secure random source.
import { attempt } from './shell.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Resolves to `core(text) -> text`; rejects (with the reason) when the wasm cannot start. */
export async function loadCore(url) {
  let wasm;
  // Taken now: no Web Crypto, no start (hush would rather send nothing than weak IDs).
  const random = crypto.getRandomValues.bind(crypto);
  /** Copies bytes into the wasm's memory (a fresh view: memory.grow replaces the buffer). */
  const write = (b, ptr) => new Uint8Array(wasm.memory.buffer).set(b, ptr);
  // The wasm only names ranges inside its memory (a view past the end would throw).
  const text = (ptr, len) => decoder.decode(new Uint8Array(wasm.memory.buffer, ptr, len));
  const imports = {
    h: {
      /** The import: the browser's URL parser, so URLs are masked in the form the browser
       * itself would request them. The href's UTF-8 length (written when it fits), -1 when
       * the URL does not parse. */
      u(input, inputLen, base, baseLen, out, outCap) {
        const b = attempt(() => encoder.encode(new URL(text(input, inputLen), text(base, baseLen)).href));
        if (!b) return -1;
        if (b.length <= outCap) write(b, out);
        return b.length;
      },
      /** The import: `len` secure random bytes at `ptr`, for visit and page-view IDs. */
      r: (ptr, len) => void random(new Uint8Array(wasm.memory.buffer, ptr, len)),
    },
  };
  const response = await fetch(url);
  if (!response.ok) throw new Error(url + ' answered HTTP ' + response.status);
  // Streaming compilation needs the application/wasm type; other servers get the bytes path.
  const { instance } = /^application\/wasm/.test(response.headers.get('Content-Type')) ?
    await WebAssembly.instantiateStreaming(response, imports) :
    await WebAssembly.instantiate(await response.arrayBuffer(), imports);
  wasm = instance.exports;
  return (input) => {
    const b = encoder.encode(input);
    const ptr = wasm.m(b.length);
    write(b, ptr);
    const len = wasm.c(ptr, b.length);
    return text(wasm.p(), len);
  };
}
