// Form analytics, the page side (src/forms.rs decides names and events). hush never reads
// a field's value, checked state or selection: only its tag and its `name`, `id`, `type`,
// `autocomplete` attributes, and whether it lies inside a masked area.

import { attempt, listen } from './shell.js';

export function enableForms(call, maskSelectors) {
  const doc = document;
  /** Forms seen, by slot (the core keeps each slot's state). */
  const forms = [];
  const attr = (el, name) => el.getAttribute(name) || '';

  /** Inside `[data-matomo-mask]`, `[data-hush-mask]` or a setMaskSelectors selector (an invalid one matches nothing). */
  const masked = (el) => +['[data-matomo-mask],[data-hush-mask]', ...maskSelectors()].some((selector) => attempt(() => el.closest(selector)));

  function send(ev, form, field = []) {
    // A form's slot is its index in `forms`; a new form gets the next one (push gives the new length).
    call('f', [ev, (forms.indexOf(form) + 1 || forms.push(form)) - 1, masked(form), attr(form, 'name'), attr(form, 'id'), [].indexOf.call(doc.forms, form), ...field]);
  }

  const viewAll = () => { for (const form of doc.forms) send('v', form); };
  // One listener per event (capture, on the document: fields added later are covered),
  // for events on a fillable field of a form.
  for (const [kind, ev] of [['focusin', 'i'], ['focusout', 'o'], ['input', 'c'], ['change', 'c']]) {
    listen(doc, kind, (e) => {
      const el = e.target;
      const tag = el.tagName;
      // The form of a fillable field (not buttons or hidden inputs; `form` follows
      // `form="id"`), falsy when there is none.
      const form = (tag === 'INPUT' ? !/^(hidden|submit|button|reset|image)$/i.test(attr(el, 'type')) :
        tag === 'SELECT' || tag === 'TEXTAREA') && el.form;
      if (form) send(ev, form, ev === 'i' ? [masked(el), attr(el, 'type'), attr(el, 'name'), attr(el, 'id'),
        attr(el, 'autocomplete').trim().replace(/\s+/g, ' ')] : []);
    }, 1);
  }
  listen(doc, 'submit', (e) => {
    const el = e.target;
    if (el.tagName === 'FORM') send('s', el);
  }, 1);
  // Capture on the window runs before hush's own hide handling flushes the queue.
  const left = (e) => (e.type === 'pagehide' || doc.hidden) && call('f', ['a']);
  listen(window, 'pagehide', left, 1);
  listen(window, 'visibilitychange', left, 1);
  if (doc.readyState === 'loading') listen(doc, 'DOMContentLoaded', viewAll);
  else viewAll();
}
