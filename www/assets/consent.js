// The demo's consent banner: vanilla-cookieconsent v3 from npm (served from node_modules at
// /vendor/vanilla-cookieconsent/ by tools/site.mjs). hush follows it through
// `_paq.push(['connectConsentManager', 'cookieconsent'])` with `requireConsent`: nothing is
// sent until "Accept all"; "Reject all" (or withdrawing later in the settings) sends nothing
// and erases what hush stored. The banner keeps its own decision in its `cc_cookie`.
window.addEventListener('DOMContentLoaded', function () {
  CookieConsent.run({
    // The banner hides itself from bots, and takes headless test browsers for bots
    // (navigator.webdriver): the demo shows it to them too.
    hideFromBots: false,
    categories: { necessary: { enabled: true, readOnly: true }, analytics: {} },
    language: { default: 'en', translations: { en: {
      consentModal: {
        title: 'May we measure your visit?',
        description: 'Fjord & Pine uses hush, a cookieless analytics tool, to count visits. Nothing is sent until you agree, and you can change your mind at any time.',
        acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', showPreferencesBtn: 'Settings',
      },
      preferencesModal: {
        title: 'Privacy settings', acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', savePreferencesBtn: 'Save',
        sections: [
          { title: 'Strictly necessary', description: 'The banner remembers your choice.', linkedCategory: 'necessary' },
          { title: 'Analytics', description: 'Anonymous visit statistics by hush (Matomo-compatible).', linkedCategory: 'analytics' },
        ],
      },
    } } },
  });
});
