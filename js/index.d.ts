// Types for hush-analytics. Every method is also reachable through `push`, with the
// same names and argument order as the `_paq` commands of matomo.js.

export type Command = [string, ...unknown[]] | [(this: Tracker, ...args: unknown[]) => void, ...unknown[]];

export type ConsentManagerName = 'tcf' | 'google-consent-mode' | 'klaro' | 'cookieconsent';

export interface TrackerOptions {
  /** Collector endpoint speaking the Matomo Tracking HTTP API, e.g. `/matomo.php`. */
  trackerUrl?: string;
  /** Matomo site ID (positive integer). */
  siteId?: number | string;
  /** Sent only as a SHA-256 digest (`uid`), salted with `userIdSalt`. */
  userId?: string;
  userIdSalt?: string;
  domains?: string[];
  excludedQueryParams?: string[];
  /** Allow-list mode: only these query parameters are kept in URLs. */
  allowedQueryParams?: string[];
  /** Extra elements whose text and values are never read. */
  maskSelectors?: string[];
  downloadExtensions?: string[];
  linkClasses?: string[];
  downloadClasses?: string[];
  ignoreClasses?: string[];
  batch?: { maxHits?: number; maxDelayMs?: number };
  requestMethod?: 'GET' | 'POST';
  /** Honour Do Not Track (default true). */
  doNotTrack?: boolean;
  /** Honour Global Privacy Control (default true). */
  honorGlobalPrivacyControl?: boolean;
  consentPolicyVersion?: string;
  /** Heartbeat ping interval in seconds. */
  heartBeatTimer?: number;
  requireConsent?: boolean;
  requireCookieConsent?: boolean;
  disableCookies?: boolean;
  discardHashTag?: boolean;
  /** Track outlinks and downloads (enableLinkTracking). */
  linkTracking?: boolean;
  /** Page views on pushState / replaceState / popstate. */
  historyTracking?: boolean;
  formAnalytics?: boolean;
  consentManager?: { name: ConsentManagerName; options?: Record<string, unknown> };
  /** Where to fetch hush_bg.wasm from (default: next to index.js). */
  wasmUrl?: string | URL;
}

/** A remembered consent decision, as stored in first-party storage (proof of consent). */
export interface ConsentRecord {
  measurement: boolean;
  storage: boolean;
  /** Unix milliseconds. */
  givenAt: number;
  /** Unix milliseconds; at most 13 months after givenAt. */
  expiresAt: number;
  policy: string;
}

export interface ConsentState {
  requirement: 'none' | 'consent' | 'cookieConsent';
  /** What happens to a hit made now. */
  gate: 'send' | 'hold' | 'drop';
  /** Hits may be sent. */
  measurement: boolean;
  /** Identifiers and queues may be kept in first-party storage. */
  storage: boolean;
  optedOut: boolean;
  cookiesDisabled: boolean;
  /** Where the decision in force comes from. */
  source: 'default' | 'command' | 'record' | 'cmp' | 'optout' | 'gpc' | 'dnt';
  policy: string;
  record: ConsentRecord | null;
}

export interface Tracker {
  push(command: Command): unknown;
  /** Sends everything queued now; resolves when those requests completed. */
  flush(): Promise<void>;
  /** The current consent decision and stored record. */
  consent(): ConsentState;
  onConsentChange(callback: (state: ConsentState) => void): void;
  trackPageView(customTitle?: string): void;
  trackEvent(category: string, action: string, name?: string, value?: number): void;
  trackSiteSearch(keyword: string, category?: string | false, resultsCount?: number | false): void;
  trackGoal(idGoal: number | string, customRevenue?: number): void;
  trackLink(url: string, linkType: 'link' | 'download'): void;
  ping(): void;
  setCustomUrl(url: string): void;
  setReferrerUrl(url: string): void;
  setDocumentTitle(title: string): void;
  setUserId(userId: string): void;
  resetUserId(): void;
  setCustomDimension(id: number, value: string): void;
  deleteCustomDimension(id: number): void;
  addEcommerceItem(sku: string, name?: string, category?: string | string[], price?: number, quantity?: number): void;
  removeEcommerceItem(sku: string): void;
  clearEcommerceCart(): void;
  setEcommerceView(sku?: string | false, name?: string | false, category?: string | string[], price?: number): void;
  trackEcommerceCartUpdate(grandTotal: number): void;
  trackEcommerceOrder(orderId: string, grandTotal: number, subTotal?: number, tax?: number, shipping?: number, discount?: number): void;
  requireConsent(): void;
  setConsentGiven(): void;
  rememberConsentGiven(hoursToExpire?: number): void;
  forgetConsentGiven(): void;
  requireCookieConsent(): void;
  setCookieConsentGiven(): void;
  rememberCookieConsentGiven(hoursToExpire?: number): void;
  forgetCookieConsentGiven(): void;
  optUserOut(): void;
  forgetUserOptOut(): void;
  isUserOptedOut(): boolean;
  hasConsent(): boolean;
  getVisitorId(): string;
  getPageViewId(): string;
}

export function createTracker(options?: TrackerOptions): Promise<Tracker>;
