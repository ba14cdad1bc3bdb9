// Script-tag loader, appended to wasm-bindgen's no-modules glue inside one function.
// It never throws into the page: if WebAssembly cannot run, `_paq` stays a plain array
// and one console warning says why.
var paq = (window._paq = window._paq || []);
function warn(msg) {
  try { console.warn('hush: ' + msg); } catch (e) { /* console may be missing */ }
}
function run(item) {
  try { return wasm_bindgen.hush(0, item); } catch (e) { warn('command failed: ' + e); }
}
if (typeof WebAssembly !== 'object' || typeof Proxy !== 'function' || !Array.isArray(paq)) {
  warn('WebAssembly is not available here; not tracking');
} else {
  // `this` of `_paq.push([function () { this.getVisitorId() }])`: any method name runs
  // the command of that name, as on a matomo.js tracker.
  var api = new Proxy({}, {
    get: function (_, name) {
      return function () { return run([name].concat([].slice.call(arguments))); };
    }
  });
  wasm_bindgen().then(function () {
    var queued = paq.splice(0, paq.length);
    wasm_bindgen.hush(1, queued, api);
    // Later pushes run at once. The array object stays the same, so every reference
    // the page holds to it keeps working.
    paq.push = function () {
      var result;
      for (var i = 0; i < arguments.length; i++) result = run(arguments[i]);
      return result;
    };
  }).catch(function (e) {
    var why = String(e && e.message || e);
    // The CSP hint only when the CSP is the cause (not for a 404 or a broken file).
    var csp = /Content.Security|unsafe-eval/i.test(why) ?
      ' A Content-Security-Policy needs script-src \'wasm-unsafe-eval\'.' : '';
    warn('WebAssembly could not start (' + why + '); not tracking.' + csp);
  });
}
