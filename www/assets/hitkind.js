// What kind of Matomo hit a decoded parameter object is. Shared by the demo's live panel
// (browser) and the test harness (Node), so both name hits the same way.
export function kindOf(hit) {
  if (hit.ping === '1') return 'ping';
  if (hit.idgoal === '0') return hit.ec_id ? 'order' : 'cart';
  if (hit.idgoal !== undefined) return 'goal';
  if (hit.e_c !== undefined || hit.e_a !== undefined) return 'event';
  if (hit.search !== undefined) return 'search';
  if (hit.download !== undefined) return 'download';
  if (hit.link !== undefined) return 'outlink';
  if (hit.c_n !== undefined) return 'content';
  return 'pageview';
}
