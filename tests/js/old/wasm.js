// Loads hush_bg.wasm and speaks its three-function ABI (src/export.rs documents it): one
// string in, one string out, and the import `h.u`, the browser's URL parser.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Resolves to `core(text) -> text`; rejects (with the reason) when the wasm cannot start. */
export async function loadCore(url) {
  let wasm;
  const bytes = () => new Uint8Array(wasm.memory.buffer);
  const text = (ptr, len) => decoder.decode(bytes().subarray(ptr, ptr + len));
  const imports = {
    h: {
      /** The import: the browser's URL parser, so URLs are masked in the form the browser
       * itself would request them. The href's UTF-8 length (written when it fits), -1 when
       * the URL does not parse. */
      u(input, inputLen, base, baseLen, out, outCap) {
        let b;
        try {
          b = encoder.encode(new URL(text(input, inputLen), text(base, baseLen)).href);
        } catch (e) {
          return -1;
        }
        if (b.length <= outCap) bytes().set(b, out);
        return b.length;
      },
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
    bytes().set(b, ptr);
    const len = wasm.c(ptr, b.length);
    return text(wasm.p(), len);
  };
}
