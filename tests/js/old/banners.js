// Consent banners, the page side (src/consent/banners.rs decides what their state means).
// Each reader follows its banner and passes the banner's raw state to the core (op `m`).
// A banner not on the page yet is looked for again every 500 ms for 5 s; if it never
// shows up, one console warning, and the consent state is left as it was.
import { warn } from './shell.js';

const NAMES = ['tcf (__tcfapi)', 'google-consent-mode (dataLayer)', 'klaro', 'cookieconsent'];
const TRIES = 11;
const RETRY_MS = 500;

export function connectBanner(kind, key, call, n) {
  let found;
  try {
    found = [tcf, consentMode, klaro, cookieConsent][kind](call, key, n === 1);
  } catch (e) {
    // not found
  }
  if (found) return;
  if (n >= TRIES) return warn('hush: connectConsentManager: no ' + NAMES[kind] + ' banner on this page; consent unchanged');
  setTimeout(connectBanner, RETRY_MS, kind, key, call, n + 1);
}

/** Passes banner `kind`'s yes or no to the core: yes only when `read()` gives true, no when
 * it throws. */
function decide(call, kind, read) {
  let yes;
  try {
    yes = read();
  } catch (e) {
    // reads as refused
  }
  call('m', [kind, +(yes === true)]);
}

/** IAB TCF v2.2: `__tcfapi('addEventListener', 2, callback)`. */
function tcf(call) {
  const api = window.__tcfapi;
  if (typeof api !== 'function') return false;
  api('addEventListener', 2, (tc, ok) => {
    try {
      const consents = (tc.purpose || {}).consents || {};
      call('m', [0, +(ok === true), tc.eventStatus, +(tc.gdprApplies !== false),
        ...[1, 7, 8, 9].map((p) => +(consents[p] === true))]);
    } catch (e) {
      // not a TC data object
    }
  });
  return true;
}

/**
 * Google Consent Mode v2: `gtag('consent', 'default' | 'update', {...})` entries in
 * `window.dataLayer`. Entries already there are read at connect; later ones through a
 * wrapper of `dataLayer.push` installed as an accessor: when gtag.js or Tag Manager later
 * assign their own push, the setter keeps their function and the getter still hands out
 * the wrapper, which calls theirs. If theirs calls the push it found (ours) again, the
 * nested call goes one step down the chain of assigned pushes, ending at the original
 * one, so every function in the chain runs once and each entry is read once, after the
 * page's own push has run.
 */
function consentMode(call) {
  const layer = window.dataLayer;
  if (!Array.isArray(layer)) return false;
  const read = (entry) => {
    try {
      if (entry[0] !== 'consent') return;
      const params = entry[2] || {};
      call('m', [1, entry[1], +(params.region !== undefined), params.analytics_storage]);
    } catch (e) {
      // not a consent command
    }
  };
  layer.slice().forEach(read);
  const current = layer.push;
  if (typeof current !== 'function') return true;
  const pushes = [current];
  let depth = 0;
  const wrapper = new Proxy(current, {
    apply(_, self, args) {
      const n = depth++;
      try {
        return (pushes[pushes.length - 1 - n] || [].push).apply(self, args);
      } finally {
        depth = n;
        if (!n) for (const entry of args) read(entry);
      }
    },
  });
  Object.defineProperty(layer, 'push', {
    get: () => wrapper,
    set: (f) => typeof f === 'function' && pushes.push(f),
    configurable: true,
  });
  return true;
}

/** Klaro: `klaro.getManager().watch(...)`; only confirmed decisions count. */
function klaro(call, service) {
  const manager = window.klaro.getManager();
  if (!manager || typeof manager !== 'object') return false;
  const read = (m) => decide(call, 2, () => m.getConsent(service));
  manager.watch({ update: (m, event) => event === 'saveConsents' && read(m) });
  if (manager.confirmed === true) read(manager);
  return true;
}

/** vanilla-cookieconsent v3: `cc:onConsent` / `cc:onChange`, and a valid stored decision. */
function cookieConsent(call, category, first) {
  const w = window;
  if (first) {
    // Added before the banner is found, so the ES-module build (no global) is followed too.
    for (const kind of ['cc:onConsent', 'cc:onChange']) {
      w.addEventListener(kind, (e) => {
        decide(call, 3, () => e.detail.cookie.categories.includes(category));
      });
    }
  }
  let valid;
  try {
    valid = w.CookieConsent.validConsent();
  } catch (e) {
    return w._ccRun === true;
  }
  if (valid === true) decide(call, 3, () => w.CookieConsent.acceptedCategory(category));
  return true;
}
