// The browser shell: reads the page, moves bytes, runs timers, and decides nothing. Every
// event goes to the core (src/bridge/mod.rs documents the protocol) as one text; the
// core answers with the reply and the actions to carry out. Nothing here throws into
// the page: every call into page code or the core is caught.
import { connectBanner } from './banners.js';
import { enableForms } from './forms.js';

const FS = '\x1f';
const RS = '\x1e';
/** Storage keys the core reads at start-up, in the order of the `b` op. */
const STORED = ['hush_consent', 'hush_optout', 'hush_id', 'hush_queue'];
/** A stalled collector must not hold the queue forever. */
const TIMEOUT_MS = 15000;
export const NAMELESS = 'hush: a _paq command starts with its name (a string); ignored';
/** An item or property whose read threw (a hostile getter or Proxy): a symbol, so its token is 'o'. */
const UNREADABLE = Symbol();

/** `f()`, or what `onError(error)` gives when it throws (undefined without onError): page
 * code, missing or refused browser APIs. */
export function attempt(f, onError) {
  try {
    return f();
  } catch (e) {
    return onError && onError(e);
  }
}

/** A console warning (none when there is no console); undefined, whatever a page's console.warn returns. */
export const warn = (msg) => attempt(() => void console.warn(msg));

/** `localStorage[method](key, value)`; undefined when storage is missing or refused. */
const storage = (method, key, value) => attempt(() => localStorage[method](key, value));

/** addEventListener; what the listener throws never reaches the page. `capture`: 1 for the
 * capture phase (a non-object option is read as a boolean; 1 is shorter than true). */
export function listen(target, kind, f, capture) {
  target.addEventListener(kind, (e) => attempt(() => f(e)), capture);
}

/** `v[k]`, or UNREADABLE when the read throws. */
const read = (v, k) => attempt(() => v[k], () => UNREADABLE);

/** The first `max` items of an array (UNREADABLE where reading threw); falsy if not an
 * array or unreadable (a revoked Proxy, a throwing length). */
export const items = (v, max) =>
  attempt(() => Array.isArray(v) && Array.from({ length: Math.min(v.length >>> 0, max) }, (_, i) => read(v, i)));

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const hex8 = (x) => x.toString(16).padStart(8, 0);

/** One `_paq` argument as bridge tokens, bounded in depth, items and length. */
function encode(v, depth, out) {
  const t = typeof v;
  if (t === 'object' && depth < 3) {
    // null: neither an array nor a prototype to read, so 'z' below.
    const list = items(v, 64);
    if (list) {
      out.push('l' + list.length);
      for (const item of list) encode(item, depth + 1, out);
      return;
    }
    try {
      // Plain `{…}` objects only (not DOM nodes, dates, class instances).
      if ([null, Object.prototype].includes(Object.getPrototypeOf(v))) {
        // Only Object.keys and the prototype read can throw here, before anything is pushed.
        const keys = Object.keys(v).slice(0, 64);
        out.push('m' + keys.length);
        for (const k of keys) {
          out.push(k.slice(0, 4096));
          encode(read(v, k), depth + 1, out);
        }
        return;
      }
    } catch (e) {
      // unreadable: a token below
    }
  }
  // A number as its f64's bits: exact, and the wasm needs no float parser.
  out.push(v === undefined ? 'u' : v === null ? 'z' : v === true ? 'T' : v === false ? 'F' :
    t === 'number' ? (f64[0] = v, 'n' + hex8(u32[1]) + hex8(u32[0])) : t === 'string' ? 's' + v.slice(0, 4096) : 'o');
}

/** A command's name and argument tokens. */
export function command(list) {
  const out = [list[0]];
  for (const v of list.slice(1, 9)) encode(v, 0, out);
  return out;
}

/** The shell around one core. `core(text) -> text` is the wasm export; `consentChanged`
 * (npm module only) gets the consent JSON on every change. */
export function createShell(core, consentChanged) {
  const w = window;
  const doc = document;
  let maskSelectors = [];
  let timer;

  /** Runs one op in the core and carries out its actions; returns the reply. What each
   * action returns goes to `sends` when given: flush waits for the send promises (the
   * other actions' undefined resolves at once in Promise.all). */
  function call(op, args = [], sends) {
    const fields = [op, Date.now(), new Date().getTimezoneOffset(), doc.URL, doc.title, doc.referrer, ...args];
    // A core that traps (a bug) gives one warning, no reply and no actions.
    const [r, ...records] = attempt(() => core(fields.map((f) => String(f).replace(/[\x1e\x1f]/g, ' ')).join(FS)).split(RS),
      (e) => [warn('hush: internal error (' + e + '); ignored')]);
    for (const record of records) {
      attempt(() => {
        const a = record.split(FS);
        const p = actions[a[0]](a);
        if (sends) sends.push(p);
      }, (e) => warn('hush: ' + e));
    }
    return r ? r === 't' || (r !== 'f' && r.slice(1)) : undefined;
  }

  /** What each output record does, by its first field; a send returns its promise. */
  const actions = {
    S: send,
    T: (a) => storage('setItem', a[1], a[2]),
    R: (a) => storage('removeItem', a[1]),
    W: (a) => warn(a[1]),
    K: (a) => {
      clearTimeout(timer);
      timer = setTimeout(() => call('t'), Math.min(Math.max(a[1] - Date.now(), 0), 2147483647));
    },
    E: enable,
    M: (a) => {
      maskSelectors = a.slice(1);
    },
    C: (a) => connectBanner(a[1], a[2], call, 1),
    N: (a) => consentChanged && consentChanged(a[1]),
  };

  /** The `S` record: fetch (no credentials, text/plain: no preflight, no cookies);
   * sendBeacon when leaving. The body is undefined when absent (a GET). */
  function send([, id, url, leaving, body]) {
    const done = (status, retryAfter) => call('r', [id, status, retryAfter || '']);
    // A queued beacon cannot be observed further; the browser owns it now. No beacon (or
    // one that throws): fetch keepalive.
    if (attempt(() => leaving === '1' && navigator.sendBeacon(url, body))) return done(200);
    // Older browsers have no AbortSignal.timeout: no signal (an undefined member is an absent one).
    // A fetch that throws at once (a page's replacement) counts as a network error.
    return attempt(() => fetch(url, { method: body === undefined ? 'GET' : 'POST', body, credentials: 'omit', keepalive: 1,
      signal: attempt(() => AbortSignal.timeout(TIMEOUT_MS)) })
      .then((r) => done(r.status, r.headers.get('Retry-After')), () => done(0)), () => void done(0));
  }

  /** The `E` record: the core asks once per feature. */
  function enable([, feature]) {
    if (feature === '0') {
      // One delegated listener: links added later are covered; auxclick = middle button.
      listen(doc, 'click', onClick, 1);
      listen(doc, 'auxclick', onClick, 1);
    } else if (feature === '1') {
      trackHistory();
    } else {
      enableForms(call, () => maskSelectors);
    }
  }

  const onClick = (e) => {
    if (typeof e.button !== 'number' || (e.type === 'auxclick' && e.button !== 1)) return;
    const link = e.target.closest('a[href],area[href]');
    // SVG links have no string href: not followed (a string href means an HTML <a> or
    // <area>, whose className is a string too). The core classifies the parts the browser
    // has parsed (it does not parse the href again); IPv6 hosts without brackets.
    if (link && typeof link.href === 'string') {
      call('l', [link.href, link.className, +link.hasAttribute('download'),
        link.protocol, link.hostname.replace(/[[\]]/g, ''), link.pathname, location.hostname.replace(/[[\]]/g, '')]);
    }
  };

  /** pushState / replaceState wrapped, popstate listened to. The page view is taken after
   * the page's own handlers ran (setTimeout 0), so a router has set the new title. */
  function trackHistory() {
    const h = w.history;
    const navigated = () => setTimeout(() => call('u'));
    for (const name of ['pushState', 'replaceState']) {
      const original = h[name];
      if (typeof original !== 'function') continue;
      h[name] = function (...args) {
        try {
          return original.apply(h, args);
        } finally {
          navigated();
        }
      };
    }
    listen(w, 'popstate', navigated);
  }

  // `this` of `_paq.push([function () { this.getVisitorId() }])`: any method name runs
  // the command of that name, as on a matomo.js tracker.
  const api = new Proxy({}, { get: (_, name) => (...args) => run([name, ...args]) });

  /** One `_paq` item; what a getter returns, else undefined. */
  function run(item) {
    const list = items(item, 64);
    if (!list) return warn("hush: _paq.push expects an array like ['trackPageView']; ignored");
    if (typeof list[0] === 'function') {
      return attempt(() => list[0].apply(api, list.slice(1)), () => warn('hush: a function pushed to _paq threw; ignored'));
    }
    if (typeof list[0] !== 'string') return warn(NAMELESS);
    return call('c', command(list));
  }

  function boot(queue) {
    const nav = navigator;
    const dnt = nav.doNotTrack || w.doNotTrack;
    call('b', [+(nav.globalPrivacyControl === true), +(dnt === '1' || dnt === 'yes'),
      ...STORED.map((k) => storage('getItem', k) || '')]);
    // matomo.js's apply-first commands run first, in its order (the core knows which).
    const names = queue.map((item) => {
      const list = items(item, 1);
      return list && typeof list[0] === 'string' ? list[0] : '';
    });
    const order = call('o', names);
    if (order) for (const i of order.split(',')) run(queue[i]);
    listen(doc, 'visibilitychange', () => call(doc.hidden ? 'h' : 'v'));
    // pagehide rather than unload, which would keep the page out of the back-forward cache.
    listen(w, 'pagehide', () => call('h'));
    listen(w, 'pageshow', (e) => e.persisted && call('v'));
    listen(w, 'online', () => call('n', [1]));
    listen(w, 'offline', () => call('n', [0]));
  }

  // Only what hush.js needs: the npm module's extras (option checks, flush, consent) are
  // built on `call` in js/index.js, so they stay out of hush.js.
  // An array, not an object: its names would be kept in hush.js (−12 B gzip).
  return [boot, run, call];
}
