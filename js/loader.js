// Script-tag entry (bundled into dist/hush.js as one classic, async-safe script). It
// never throws into the page: if WebAssembly cannot run, `_paq` stays a plain array and
// one console warning says why.
import { loadCore } from './wasm.js';
import { createShell, warn } from './shell.js';

var paq = (window._paq = window._paq || []);
var script = document.currentScript;
// hush_bg.wasm sits next to hush.js.
var wasmUrl = new URL('hush_bg.wasm', (script && script.src) || location.href);

if (typeof WebAssembly !== 'object' || typeof Proxy !== 'function' || !Array.isArray(paq)) {
  warn('hush: WebAssembly is not available here; not tracking');
} else {
  // `this` of `_paq.push([function () { this.getVisitorId() }])`: any method name runs
  // the command of that name, as on a matomo.js tracker.
  var api = new Proxy({}, {
    get: function (_, name) {
      return function () { return shell.run([name].concat([].slice.call(arguments))); };
    },
  });
  var shell;
  loadCore(wasmUrl).then(function (core) {
    shell = createShell(core, api);
    shell.boot(paq.splice(0, paq.length));
    // Later pushes run at once. The array object stays the same, so every reference
    // the page holds to it keeps working.
    paq.push = function () {
      var result;
      for (var i = 0; i < arguments.length; i++) result = shell.run(arguments[i]);
      return result;
    };
  }).catch(function (e) {
    var why = String((e && e.message) || e);
    // The CSP hint only when the CSP is the cause (not for a 404 or a broken file).
    var csp = /Content.Security|unsafe-eval/i.test(why) ?
      " A Content-Security-Policy needs script-src 'wasm-unsafe-eval'." : '';
    warn('hush: WebAssembly could not start (' + why + '); not tracking.' + csp);
  });
}
