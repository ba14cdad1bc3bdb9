// Live panel: shows every hit that reached the development collector (Server-Sent Events
// from its /events), as decoded Matomo parameters, newest first. Stores nothing: the demo
// has to show a page without cookies or web storage.
import { kindOf } from './hitkind.js';

// Parameters every hit carries: shown dimmed so the ones that differ stand out.
const QUIET = new Set(['idsite', 'rec', 'apiv', 'rand', 'h', 'm', 's', '_id', 'cid', 'pv_id', 'send_image']);
const META = new Set(['_received', '_request']);

const trackerUrl = window.HUSH_COLLECTOR;
const base = trackerUrl && trackerUrl.replace(/\/[^/]*$/, '');

function el(tag, attrs = {}, ...children) {
  const e = Object.assign(document.createElement(tag), attrs);
  e.append(...children);
  return e;
}

function buildPanel() {
  const status = el('span', { className: 'status', textContent: 'connecting…' });
  const count = el('span', { textContent: '0 hits' });
  const toggle = el('button', { type: 'button', textContent: 'Hide' });
  const clear = el('button', { type: 'button', textContent: 'Clear', title: 'Forget every hit the collector holds' });
  const consent = el('span', { className: 'consent', textContent: 'consent: …' });
  const settings = el('button', { type: 'button', textContent: 'Cookie settings', title: 'Open the consent banner\'s settings' });
  settings.onclick = () => window.CookieConsent?.showPreferences();
  const rows = el('tbody');
  const table = el('table', {}, el('thead', {}, el('tr', {}, ...['#', 'time', 'kind', 'parameters'].map((h) => el('th', { textContent: h })))), rows);
  const panel = el('aside', { id: 'hush-panel', ariaLabel: 'Hits received by the collector' },
    el('header', {}, el('strong', { textContent: 'hush · live hits' }), status, count, consent, el('span', { className: 'spacer' }), settings, clear, toggle),
    el('div', { className: 'scroll' }, table));
  toggle.onclick = () => {
    const collapsed = panel.classList.toggle('collapsed');
    document.body.classList.toggle('panel-collapsed', collapsed);
    toggle.textContent = collapsed ? 'Show' : 'Hide';
  };
  clear.onclick = () => fetch(`${base}/reset`, { method: 'POST' });
  document.body.append(panel);
  return { status, count, rows, consent };
}

// hush's consent state, read through the tracker itself (the function form of _paq.push,
// `this` = tracker), so the panel shows what hush decided, not what the banner shows.
function readConsent() {
  const paq = window._paq;
  // Until hush has loaded, _paq is a plain array: do not queue a question a second.
  if (!paq || paq.push === Array.prototype.push) return Promise.resolve('hush is loading…');
  return new Promise((resolve) => {
    paq.push([function () {
      resolve(this.isUserOptedOut() ? 'refused: nothing is sent'
        : this.hasConsent() ? 'given: hits are sent'
          : 'not decided: hits are held in memory');
    }]);
  });
}

function watchConsent(span) {
  let last = '';
  const refresh = () => readConsent().then((text) => {
    if (text === last) return;
    last = text;
    span.textContent = `consent: ${text}`;
    span.className = `consent ${text.split(':')[0]}`;
  });
  // The banner's events say when it decided; the interval also catches expiry and opt-out.
  for (const e of ['cc:onConsent', 'cc:onChange']) window.addEventListener(e, () => setTimeout(refresh, 0));
  setInterval(refresh, 1000);
}

function paramCell(hit) {
  const td = el('td');
  const entries = Object.entries(hit).filter(([k]) => !META.has(k));
  // What makes this hit different first, the parameters every hit carries after.
  const ordered = [...entries.filter(([k]) => !QUIET.has(k)), ...entries.filter(([k]) => QUIET.has(k))];
  for (const [k, v] of ordered) {
    td.append(el('span', { className: QUIET.has(k) ? 'p quiet' : 'p' }, el('b', { textContent: k }), '=', el('i', { textContent: v })));
  }
  return td;
}

function row(n, hit, kind, extra) {
  const time = new Date(hit._received ?? Date.now()).toLocaleTimeString();
  const cell = paramCell(hit);
  if (extra) cell.prepend(el('div', { className: 'reason', textContent: extra }));
  return el('tr', {}, el('td', { className: 'n', textContent: String(n) }), el('td', { className: 't', textContent: time }),
    el('td', {}, el('span', { className: `kind ${kind}`, textContent: kind })), cell);
}

function start() {
  const ui = buildPanel();
  let n = 0;
  const empty = () => ui.rows.replaceChildren(el('tr', { className: 'empty' }, el('td', { colSpan: 4, textContent: 'No hits yet: click around.' })));
  const add = (tr) => {
    if (n === 0) ui.rows.replaceChildren();
    n += 1;
    ui.count.textContent = `${n} hit${n === 1 ? '' : 's'}`;
    ui.rows.prepend(tr);
  };
  empty();
  watchConsent(ui.consent);
  if (!base) {
    ui.status.textContent = 'no collector configured (window.HUSH_COLLECTOR)';
    return;
  }
  const events = new EventSource(`${base}/events`);
  events.onopen = () => { ui.status.className = 'status live'; ui.status.textContent = `live · ${base}`; };
  events.onerror = () => { ui.status.className = 'status down'; ui.status.textContent = 'collector unreachable, retrying…'; };
  events.addEventListener('hit', (e) => { const hit = JSON.parse(e.data); add(row(n + 1, hit, kindOf(hit))); });
  events.addEventListener('invalid', (e) => { const { reason, params } = JSON.parse(e.data); add(row(n + 1, params, 'invalid', `refused: ${reason}`)); });
  events.addEventListener('reset', () => { n = 0; ui.count.textContent = '0 hits'; empty(); });
}

start();
