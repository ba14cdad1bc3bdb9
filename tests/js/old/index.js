// hush-analytics: the npm entry point. A thin layer over the same wasm core as hush.js.
import { loadCore } from './wasm.js';
import { createShell, items, command, warn, NAMELESS } from './shell.js';

// One shell for the page, over the same wasm core as hush.js (src/bridge/mod.rs).
let tracker;
/** createShell's [boot, run, call]. */
let shell;
const consentListeners = [];
const run = (item) => shell[1](item);
const call = (...args) => shell[2](...args);
/** The warning a command would give, undefined when it is valid (option checks). */
function check(item) {
  const list = items(item, 64);
  if (!list || typeof list[0] !== 'string') return NAMELESS;
  return call('k', command(list)) || undefined;
}

// option name -> [command, kind]; kind says how the value becomes arguments.
const OPTIONS = {
  trackerUrl: ['setTrackerUrl', 'value'],
  siteId: ['setSiteId', 'value'],
  userId: ['setUserId', 'value'],
  userIdSalt: ['setUserIdSalt', 'value'],
  domains: ['setDomains', 'value'],
  excludedQueryParams: ['setExcludedQueryParams', 'value'],
  allowedQueryParams: ['setAllowedQueryParams', 'value'],
  maskSelectors: ['setMaskSelectors', 'value'],
  downloadExtensions: ['setDownloadExtensions', 'value'],
  linkClasses: ['setLinkClasses', 'value'],
  downloadClasses: ['setDownloadClasses', 'value'],
  ignoreClasses: ['setIgnoreClasses', 'value'],
  batch: ['setBatchOptions', 'value'],
  requestMethod: ['setRequestMethod', 'value'],
  doNotTrack: ['setDoNotTrack', 'bool'],
  honorGlobalPrivacyControl: ['setHonorGlobalPrivacyControl', 'bool'],
  consentPolicyVersion: ['setConsentPolicyVersion', 'value'],
  heartBeatTimer: ['enableHeartBeatTimer', 'value'],
  requireConsent: ['requireConsent', 'flag'],
  requireCookieConsent: ['requireCookieConsent', 'flag'],
  disableCookies: ['disableCookies', 'flag'],
  discardHashTag: ['discardHashTag', 'flag'],
  linkTracking: ['enableLinkTracking', 'flag'],
  historyTracking: ['enableHistoryTracking', 'flag'],
  formAnalytics: ['enableFormAnalytics', 'flag'],
  consentManager: ['connectConsentManager', 'cmp'],
};

const METHODS = [
  'trackPageView', 'trackEvent', 'trackSiteSearch', 'trackGoal', 'trackLink', 'ping',
  'setCustomUrl', 'setReferrerUrl', 'setDocumentTitle', 'setUserId', 'resetUserId',
  'setCustomDimension', 'deleteCustomDimension', 'addEcommerceItem', 'removeEcommerceItem',
  'clearEcommerceCart', 'setEcommerceView', 'trackEcommerceCartUpdate', 'trackEcommerceOrder',
  'requireConsent', 'setConsentGiven', 'rememberConsentGiven', 'forgetConsentGiven',
  'requireCookieConsent', 'setCookieConsentGiven', 'rememberCookieConsentGiven',
  'forgetCookieConsentGiven', 'optUserOut', 'forgetUserOptOut', 'isUserOptedOut', 'hasConsent',
  'getVisitorId', 'getPageViewId',
];

function optionError(name, why) {
  return new TypeError(`hush: option "${name}": ${why}`);
}

/** Turns one option into a `_paq` command, or throws naming the option. */
function toCommand(name, value) {
  const spec = OPTIONS[name];
  if (!spec) throw optionError(name, `unknown option (known: ${Object.keys(OPTIONS).join(', ')})`);
  const [command, kind] = spec;
  if ((kind === 'flag' || kind === 'bool') && typeof value !== 'boolean') {
    throw optionError(name, `must be true or false, got ${typeof value}`);
  }
  if (kind === 'flag') return value ? [command] : null;
  if (kind === 'cmp') {
    const { name: cmp, options, ...rest } = Object(value);
    if (Object.keys(rest).length) throw optionError(name, `unknown key "${Object.keys(rest)[0]}" (expected name, options)`);
    return [command, cmp, options];
  }
  return [command, value];
}

function commandsOf(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('hush: createTracker expects an options object');
  }
  const commands = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const command = toCommand(name, value);
    if (!command) continue;
    const problem = check(command);
    if (problem) throw optionError(name, problem.replace(/^hush: /, ''));
    commands.push(command);
  }
  return commands;
}

let started = null;

/**
 * Creates the page's tracker. Options mirror the `_paq` commands; a bad option rejects
 * with an error that names it. `wasmUrl` overrides where hush_bg.wasm is fetched from.
 */
export async function createTracker(options = {}) {
  const { wasmUrl, ...rest } = options ?? {};
  started ??= loadCore(wasmUrl ?? new URL('./hush_bg.wasm', import.meta.url));
  shell ??= createShell(await started, (state) => {
    for (const f of consentListeners) {
      try {
        f(JSON.parse(state));
      } catch (e) {
        warn('hush: a consent listener threw; ignored');
      }
    }
  });
  const commands = commandsOf(rest);
  if (tracker) {
    // A second createTracker on the same page configures the same tracker.
    for (const c of commands) run(c);
  } else {
    tracker = makeTracker();
    shell[0](commands);
  }
  return tracker;
}

function makeTracker() {
  const t = {
    push: (item) => run(item),
    // Sends everything queued now; resolves when those requests have completed.
    flush: () => {
      const sends = [];
      call('c', ['flush'], sends);
      return Promise.all(sends).then(() => undefined);
    },
    consent: () => JSON.parse(call('g') || '{}'),
    onConsentChange: (callback) => consentListeners.push(callback),
  };
  for (const name of METHODS) t[name] = (...args) => run([name, ...args]);
  return t;
}
