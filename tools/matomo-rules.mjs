// Matomo Tracking HTTP API rules for one hit, as a Matomo server applies them (or, where
// Matomo is lenient, as a privacy-first browser tracker must behave). Pure functions:
// the development collector and its unit tests share them.

const DAY_MS = 24 * 60 * 60 * 1000;
// A `cdt` a little in the future is clock skew; far in the future is a bug (e.g. ms for s).
const FUTURE_SLACK_MS = 10 * 60 * 1000;

const HEX16 = /^[0-9a-f]{16}$/i;
// PHP is_numeric without leading/trailing blanks: what Matomo casts money and event values with.
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATETIME = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/;

const ok = true;
const isAbsoluteHttp = (v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};
const absoluteHttp = (v) => isAbsoluteHttp(v) || `'${clip(v)}' is not an absolute http(s) URL`;
const one = (v) => v === '1' || `'${clip(v)}' must be 1`;
const numeric = (v) => NUMERIC.test(v) || `'${clip(v)}' is not a number`;
const natural = (v) => /^\d+$/.test(v) || `'${clip(v)}' is not a non-negative integer`;
const nonEmpty = (v) => v.trim() !== '' || 'is empty';
const intIn = (lo, hi) => (v) =>
  (/^\d+$/.test(v) && +v >= lo && +v <= hi) || `'${clip(v)}' is not an integer in ${lo}–${hi}`;

function clip(v) {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}

// Matomo: [[sku, name, category, price, quantity], …]; category may be up to 5 strings.
function ecItems(v) {
  let items;
  try {
    items = JSON.parse(v);
  } catch {
    return 'is not valid JSON';
  }
  if (!Array.isArray(items)) return 'must be a JSON array of items';
  for (const [i, item] of items.entries()) {
    if (!Array.isArray(item) || item.length < 1 || item.length > 5) return `item ${i} must be [sku, name, category, price, quantity]`;
    const [sku, name = '', category = '', price = 0, quantity = 1] = item;
    if (typeof sku !== 'string' && typeof sku !== 'number') return `item ${i}: sku must be a string`;
    if (String(sku) === '') return `item ${i}: sku is empty`;
    if (typeof name !== 'string') return `item ${i}: name must be a string`;
    const cats = Array.isArray(category) ? category : [category];
    if (cats.length > 5 || cats.some((c) => typeof c !== 'string')) return `item ${i}: category must be a string or up to 5 strings`;
    if (!NUMERIC.test(String(price))) return `item ${i}: price '${price}' is not a number`;
    if (!NUMERIC.test(String(quantity))) return `item ${i}: quantity '${quantity}' is not a number`;
  }
  return ok;
}

// Unix seconds or "YYYY-MM-DD HH:MM:SS" in UTC; Matomo refuses anything older than 24 h
// without token_auth, and a browser tracker must never hold a token.
function cdt(v, nowMs) {
  let ms;
  const dt = DATETIME.exec(v);
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else if (dt) ms = Date.UTC(dt[1], dt[2] - 1, dt[3], dt[4], dt[5], dt[6]);
  else return `'${clip(v)}' is neither unix seconds nor 'YYYY-MM-DD HH:MM:SS'`;
  if (ms > nowMs + FUTURE_SLACK_MS) return `'${v}' is in the future (milliseconds instead of seconds?)`;
  if (ms < nowMs - DAY_MS) return `'${v}' is older than 24 hours: Matomo needs token_auth for that`;
  return ok;
}

/** Per-parameter rules; each returns true or a reason. */
const RULES = {
  idsite: (v) => /^[1-9]\d*$/.test(v) || `'${clip(v)}' is not a positive integer`,
  rec: one,
  apiv: one,
  url: absoluteHttp,
  urlref: (v) => v === '' || isAbsoluteHttp(v) || `'${clip(v)}' is not an absolute http(s) URL`,
  link: absoluteHttp,
  download: absoluteHttp,
  _id: (v) => HEX16.test(v) || `'${clip(v)}' is not 16 hex characters`,
  cid: (v) => HEX16.test(v) || `'${clip(v)}' is not 16 hex characters`,
  h: intIn(0, 23),
  m: intIn(0, 59),
  s: intIn(0, 59),
  pv_id: (v) => /^[A-Za-z0-9]{6}$/.test(v) || `'${clip(v)}' is not 6 alphanumeric characters`,
  e_c: nonEmpty,
  e_a: nonEmpty,
  e_v: numeric,
  idgoal: natural,
  revenue: numeric,
  ec_id: nonEmpty,
  ec_items: ecItems,
  ec_st: numeric,
  ec_tx: numeric,
  ec_sh: numeric,
  ec_dt: numeric,
  _pkp: numeric,
  search_count: natural,
  ping: one,
  ca: one,
  new_visit: one,
  send_image: (v) => v === '0' || v === '1' || `'${clip(v)}' must be 0 or 1`,
  gt_ms: natural,
  res: (v) => /^\d+x\d+$/.test(v) || `'${clip(v)}' is not WIDTHxHEIGHT`,
  token_auth: () => 'must never be sent by a browser tracker',
};

/** Rules between parameters. Each returns true or `[param, reason]`. */
const CROSS = [
  (p) => p.idsite !== undefined || ['idsite', 'missing'],
  (p) => p.rec !== undefined || ['rec', 'missing (must be 1)'],
  (p) => p.url !== undefined || ['url', 'missing'],
  (p) => !['e_n', 'e_v', 'e_c', 'e_a'].some((k) => k in p) || (p.e_c !== undefined && p.e_a !== undefined) ||
    [p.e_c === undefined ? 'e_c' : 'e_a', 'events need both e_c and e_a'],
  (p) => !['search_cat', 'search_count'].some((k) => k in p) || p.search !== undefined || ['search', 'missing (search_cat/search_count without a keyword)'],
  (p) => !['ec_id', 'ec_items', 'ec_st', 'ec_tx', 'ec_sh', 'ec_dt'].some((k) => k in p) || p.idgoal === '0' ||
    ['idgoal', 'ecommerce parameters need idgoal=0'],
  (p) => p.ec_id === undefined || p.revenue !== undefined || ['revenue', 'missing (an ecommerce order needs its grand total)'],
];

/**
 * Checks one decoded hit. Returns null when Matomo would track it, else `{param, reason}`.
 * @param {Record<string,string>} p decoded parameters
 * @param {number} nowMs the collector's clock
 */
export function validateHit(p, nowMs = Date.now()) {
  for (const rule of CROSS) {
    const r = rule(p);
    if (r !== true) return { param: r[0], reason: r[1] };
  }
  for (const [k, v] of Object.entries(p)) {
    const r = k === 'cdt' ? cdt(v, nowMs) : dimension(k) ?? RULES[k]?.(v) ?? ok;
    if (r !== true) return { param: k, reason: r };
  }
  return null;
}

// Custom dimensions are `dimension<N>` with N ≥ 1; anything else starting so is a typo
// Matomo would silently ignore, so the development collector refuses it.
function dimension(k) {
  if (!k.startsWith('dimension')) return undefined;
  return /^dimension[1-9]\d*$/.test(k) || `custom dimension keys are dimension<N> with N ≥ 1`;
}

/** Decodes one query string ("?a=1&b=2", "/matomo.php?a=1" or "a=1") the way PHP does (last key wins). */
export function decodeQuery(q) {
  const i = q.indexOf('?');
  return Object.fromEntries(new URLSearchParams(i >= 0 ? q.slice(i + 1) : q));
}
