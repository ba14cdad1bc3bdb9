// Leak scan shared by the privacy tests: every request the collector received (path, body,
// headers), decoded every way a reader could (percent, UTF-8, JSON, base64 at any offset),
// searched for markers that must never leave the page.

const pct = (s) => s.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
function utf8(s) {
  try { return decodeURIComponent(escape(s)); } catch { return s; }
}
function jsonStrings(v, out) {
  if (typeof v === 'string') out.push(v);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) jsonStrings(x, out);
}

/** Every text a reader of `s` could get: raw, percent-decoded, JSON-parsed, base64-decoded. */
export function decodings(s, depth = 0, out = new Set()) {
  if (out.has(s) || depth > 3) return out;
  out.add(s);
  const next = [pct(s), utf8(pct(s))];
  try { jsonStrings(JSON.parse(s), next); } catch { /* not JSON */ }
  if (depth < 3) {
    for (const run of s.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []) {
      for (let skip = 0; skip < 4; skip++) next.push(Buffer.from(run.slice(skip), 'base64').toString('latin1'));
    }
  }
  for (const n of next) decodings(n, depth + 1, out);
  return out;
}

/** All decodings of everything the collector received, lower-cased, as one text. */
export function haystack(collector) {
  const texts = [];
  for (const r of collector.requests) for (const s of [r.path ?? '', r.body ?? '', JSON.stringify(r.headers ?? {})]) texts.push(...decodings(s));
  return texts.join('\n').toLowerCase();
}

/** Markers (case-insensitive) found in any request the collector received. */
export function leaksIn(collector, markers) {
  const hay = haystack(collector);
  return markers.filter((m) => hay.includes(m.toLowerCase()));
}
