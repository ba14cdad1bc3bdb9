// Type-checked (never run) against the shipped dist/index.d.ts: what an npm user writes.
// tsc --noEmit must pass: the good calls type-check and each @ts-expect-error line really is
// an error (tsc reports an unused @ts-expect-error).
import { createTracker } from 'hush-analytics';
import type { Tracker, TrackerOptions, ConsentState, Command } from 'hush-analytics';

const options: TrackerOptions = {
  trackerUrl: '/matomo.php',
  siteId: 1,
  requireConsent: true,
  batch: { maxHits: 20, maxDelayMs: 500 },
  allowedQueryParams: ['q', 'page'],
  consentManager: { name: 'tcf' },
};

export async function main(): Promise<void> {
  const tracker: Tracker = await createTracker(options);
  tracker.trackPageView();
  tracker.trackPageView('Custom title');
  tracker.trackEvent('video', 'play', 'intro', 3);
  tracker.trackSiteSearch('wool socks', 'Clothing', 12);
  tracker.trackGoal(3, 19.99);
  tracker.trackLink('https://example.org/file.zip', 'download');
  tracker.setCustomDimension(1, 'blue');
  tracker.trackEcommerceOrder('A-1', 49.9, 45, 4.9);
  const command: Command = ['setConsentGiven'];
  tracker.push(command);
  tracker.push(['trackEvent', 'video', 'pause']);
  tracker.push([function (this: Tracker) { this.trackPageView(); }]);
  const state: ConsentState = tracker.consent();
  const measured: boolean = state.measurement;
  tracker.onConsentChange((s) => { const stored: boolean = s.storage; void stored; });
  const visitor: string = tracker.getVisitorId();
  const opted: boolean = tracker.isUserOptedOut();
  await tracker.flush();
  void measured; void visitor; void opted;

  await createTracker({ siteId: '7', wasmUrl: new URL('https://cdn.example/hush_bg.wasm') });
  await createTracker();

  // @ts-expect-error category must be a string
  tracker.trackEvent(1, 'play');
  // @ts-expect-error action is required
  tracker.trackEvent('video');
  // @ts-expect-error value is a number
  tracker.trackEvent('video', 'play', 'intro', '3');
  // @ts-expect-error unknown option (a typo of siteId)
  await createTracker({ trackerUrl: '/matomo.php', sitId: 1 });
  // @ts-expect-error siteId is a number or a string
  await createTracker({ siteId: true });
  // @ts-expect-error not a consent manager hush knows
  await createTracker({ consentManager: { name: 'onetrust' } });
  // @ts-expect-error trackLink type is 'link' or 'download'
  tracker.trackLink('https://example.org', 'outlink');
  // @ts-expect-error flush resolves to nothing
  const n: number = await tracker.flush();
  void n;
  // @ts-expect-error no such method
  tracker.trackEverything();
}
