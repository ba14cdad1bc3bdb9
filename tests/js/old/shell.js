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
/** An item or property whose read threw (a hostile getter or Proxy). */
const UNREADABLE = {};

export function warn(msg) {
  try {
    console.warn(msg);
  } catch (e) {
    // no console
  }
}

/** `localStorage[method](key, value)`; undefined when storage is missing or refused. */
function storage(method, key, value) {
  try {
    return localStorage[method](key, value);
  } catch (e) {
    // missing or refused: undefined
  }
}

/** The first `max` items of an array (UNREADABLE where reading threw); undefined if not an array. */
export function items(v, max) {
  try {
    if (Array.isArray(v)) return Array.from({ length: Math.min(v.length >>> 0, max) }, (_, i) => {
      try {
        return v[i];
      } catch (e) {
        return UNREADABLE;
      }
    });
  } catch (e) {
    // unreadable (a revoked Proxy, a throwing length): undefined
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const hex8 = (x) => x.toString(16).padStart(8, 0);

/** Plain `{…}` objects only (not DOM nodes, dates, class instances). */
function isPlain(v) {
  const p = Object.getPrototypeOf(v);
  return !p || p === Object.prototype;
}

/** One `_paq` argument as bridge tokens, bounded in depth, items and length. */
function encode(v, depth, out) {
  const t = typeof v;
  // One push at the end: every case that does not return names its token ('o' by default).
  let token = 'o';
  if (v === undefined) token = 'u';
  else if (v === null) token = 'z';
  else if (t === 'boolean') token = v ? 'T' : 'F';
  else if (t === 'number') {
    // The f64's bits: exact, and the wasm needs no float parser.
    f64[0] = v;
    token = 'n' + hex8(u32[1]) + hex8(u32[0]);
  } else if (t === 'string') token = 's' + v.slice(0, 4096);
  else if (t === 'object' && v !== UNREADABLE && depth < 3) {
    const list = items(v, 64);
    if (list) {
      out.push('l' + list.length);
      for (const item of list) encode(item, depth + 1, out);
      return;
    }
    try {
      if (isPlain(v)) {
        const keys = Object.keys(v).slice(0, 64);
        const pairs = [];
        for (const k of keys) {
          pairs.push(k.slice(0, 4096));
          try {
            encode(v[k], depth + 1, pairs);
          } catch (e) {
            pairs.push('o');
          }
        }
        return out.push('m' + keys.length, ...pairs);
      }
    } catch (e) {
      // unreadable: 'o'
    }
  }
  out.push(token);
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

  /** Runs one op in the core and carries out its actions; returns the reply. The send
   * promises go to `sends` when given (only flush waits for them). */
  function call(op, args = [], sends) {
    const fields = [op, Date.now(), new Date().getTimezoneOffset(), doc.URL, doc.title, doc.referrer, ...args];
    let records;
    try {
      records = core(fields.map((f) => String(f).replace(/[\x1e\x1f]/g, ' ')).join(FS)).split(RS);
    } catch (e) {
      return warn('hush: internal error (' + e + '); ignored');
    }
    const r = records.shift();
    for (const record of records) {
      try {
        const a = record.split(FS);
        const p = actions[a[0]](a);
        if (p && sends) sends.push(p);
      } catch (e) {
        warn('hush: ' + e);
      }
    }
    return r === 't' ? true : r === 'f' ? false : r ? r.slice(1) : undefined;
  }

  /** What each output record does, by its first field; only a send returns (its promise). */
  const actions = {
    S: (a) => send(a[1], a[2], a[3] === '1', a[4]), // a[4]: the body, undefined when absent
    // The others return nothing (setItem, removeItem, warn, enable, connectBanner and the
    // npm module's consent hook all give undefined).
    T: (a) => storage('setItem', a[1], a[2]),
    R: (a) => storage('removeItem', a[1]),
    W: (a) => warn(a[1]),
    K: (a) => {
      clearTimeout(timer);
      timer = setTimeout(() => call('t'), Math.min(Math.max(a[1] - Date.now(), 0), 2147483647));
    },
    E: (a) => enable(a[1]),
    M: (a) => {
      maskSelectors = a.slice(1);
    },
    C: (a) => connectBanner(+a[1], a[2], call, 1),
    N: (a) => consentChanged && consentChanged(a[1]),
  };

  /** fetch (no credentials, text/plain: no preflight, no cookies); sendBeacon when leaving. */
  function send(id, url, leaving, body) {
    const done = (status, retryAfter) => call('r', [id, status, retryAfter || '']);
    try {
      // A queued beacon cannot be observed further; the browser owns it now.
      if (leaving && navigator.sendBeacon(url, body)) return done(200);
    } catch (e) {
      // no beacon: fetch keepalive below
    }
    let signal;
    try {
      signal = AbortSignal.timeout(TIMEOUT_MS);
    } catch (e) {
      // older browsers: no timeout (an undefined member is an absent one)
    }
    try {
      return fetch(url, { method: body === undefined ? 'GET' : 'POST', body, credentials: 'omit', keepalive: true, signal }).then((r) => done(r.status, r.headers.get('Retry-After')), () => done(0));
    } catch (e) {
      done(0);
    }
  }

  function listen(target, kind, f, capture) {
    target.addEventListener(kind, (e) => {
      try {
        f(e);
      } catch (x) {
        // never into the page
      }
    }, capture);
  }

  /** The core asks once per feature. */
  function enable(feature) {
    if (feature === '0') {
      // One delegated listener: links added later are covered; auxclick = middle button.
      listen(doc, 'click', onClick, true);
      listen(doc, 'auxclick', onClick, true);
    } else if (feature === '1') {
      trackHistory();
    } else {
      enableForms(call, () => maskSelectors, listen);
    }
  }

  function onClick(e) {
    if (typeof e.button !== 'number' || (e.type === 'auxclick' && e.button !== 1)) return;
    const link = e.target.closest('a[href],area[href]');
    // SVG links have no string href: not followed.
    if (link && typeof link.href === 'string') {
      // As js/shell.js after the links pass (s-links): the parts the browser parsed go too.
      call('l', [link.href, link.className, +link.hasAttribute('download'),
        link.protocol, link.hostname.replace(/[[\]]/g, ''), link.pathname, location.hostname.replace(/[[\]]/g, '')]);
    }
  }

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
      try {
        return list[0].apply(api, list.slice(1));
      } catch (e) {
        return warn('hush: a function pushed to _paq threw; ignored');
      }
    }
    if (typeof list[0] !== 'string') return warn(NAMELESS);
    return call('c', command(list));
  }

  function boot(queue) {
    // 256 random bits as 64 hex digits (eight words through hex8: no byte helper needed).
    const seed = Array.from(crypto.getRandomValues(new Uint32Array(8)), hex8).join('');
    const nav = navigator;
    const dnt = nav.doNotTrack || w.doNotTrack;
    call('b', [seed, +(nav.globalPrivacyControl === true), +(dnt === '1' || dnt === 'yes'),
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
