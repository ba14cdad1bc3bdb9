// Script-tag entry (bundled into dist/hush.js as one classic, async-safe script). It
// never throws into the page: if WebAssembly cannot run, `_paq` stays a plain array and
// one console warning says why.
import { loadCore } from './wasm.js';
import { createShell, warn } from './shell.js';

const paq = (window._paq = window._paq || []);
const script = document.currentScript;

// No Proxy check: every engine shipped Proxy before WebAssembly.
if (typeof WebAssembly !== 'object' || !Array.isArray(paq)) {
  warn('hush: WebAssembly is not available here; not tracking');
} else {
  // hush_bg.wasm sits next to hush.js.
  loadCore(new URL('hush_bg.wasm', (script && script.src) || location.href)).then((core) => {
    // hush.js included twice (a plugin and a hand-written tag): the copy that started
    // first owns `_paq`; a second tracker would take later pushes without the first's setup.
    if ({}.hasOwnProperty.call(paq, 'push')) return warn('hush: hush.js is included twice on this page; this copy does nothing');
    const [boot, run] = createShell(core);
    boot(paq.splice(0));
    // Later pushes run at once. The array object stays the same, so every reference
    // the page holds to it keeps working.
    // push(a, b) runs both and returns what the last returned (undefined for none); run
    // reads only its first argument, so map's index and array are ignored.
    paq.push = (...items) => items.map(run).pop();
  }).catch((e) => {
    const why = String((e && e.message) || e);
    // The CSP hint only when the CSP is the cause (not for a 404 or a broken file).
    const csp = /Content.Security|unsafe-eval/i.test(why) ?
      " A Content-Security-Policy needs script-src 'wasm-unsafe-eval'." : '';
    warn('hush: WebAssembly could not start (' + why + '); not tracking.' + csp);
  });
}
