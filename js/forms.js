// Form analytics, the page side (src/forms.rs decides names and events). hush never reads
// a field's value, checked state or selection: only its tag and its `name`, `id`, `type`,
// `autocomplete` attributes, and whether it lies inside a masked area.

export function enableForms(call, mask, listen) {
  const doc = document;
  /** Forms seen, by slot (the core keeps each slot's state). */
  const forms = [];
  const attr = (el, name) => el.getAttribute(name) || '';

  /** Inside `[data-matomo-mask]`, `[data-hush-mask]` or a setMaskSelectors selector. */
  function masked(el) {
    if (el.closest('[data-matomo-mask],[data-hush-mask]')) return 1;
    for (const selector of mask.selectors) {
      try {
        if (el.closest(selector)) return 1;
      } catch (e) {
        // an invalid selector matches nothing
      }
    }
    return 0;
  }

  function send(ev, form, field = []) {
    let slot = forms.indexOf(form);
    if (slot < 0) slot = forms.push(form) - 1;
    call('f', [ev, slot, masked(form), attr(form, 'name'), attr(form, 'id'), [].indexOf.call(doc.forms, form), ...field]);
  }

  /** The form of a fillable field (not buttons or hidden inputs); `form` follows `form="id"`. */
  function formOf(el) {
    const tag = el && el.tagName;
    if (tag === 'INPUT') {
      if (/^(hidden|submit|button|reset|image)$/i.test(attr(el, 'type'))) return undefined;
    } else if (tag !== 'SELECT' && tag !== 'TEXTAREA') {
      return undefined;
    }
    return el.form || undefined;
  }

  const viewAll = () => { for (const form of doc.forms) send('v', form); };

  function onEvent(e) {
    const kind = e.type;
    const el = e.target;
    if (kind === 'DOMContentLoaded') return viewAll();
    if (kind === 'pagehide' || kind === 'visibilitychange') {
      if (kind === 'pagehide' || doc.hidden) call('f', ['a']);
      return;
    }
    if (kind === 'submit') {
      if (el && el.tagName === 'FORM') send('s', el);
      return;
    }
    const form = formOf(el);
    if (!form) return;
    if (kind === 'focusin') {
      const autocomplete = attr(el, 'autocomplete').trim().split(/\s+/).join(' ');
      send('i', form, [masked(el), attr(el, 'type'), attr(el, 'name'), attr(el, 'id'), autocomplete]);
    } else {
      send(kind === 'focusout' ? 'o' : 'c', form);
    }
  }

  for (const kind of ['focusin', 'focusout', 'input', 'change', 'submit']) listen(doc, kind, onEvent, true);
  // Capture on the window runs before hush's own hide handling flushes the queue.
  listen(window, 'pagehide', onEvent, true);
  listen(window, 'visibilitychange', onEvent, true);
  if (doc.readyState === 'loading') listen(doc, 'DOMContentLoaded', onEvent);
  else viewAll();
}
