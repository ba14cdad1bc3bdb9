// Form analytics, the page side (src/forms.rs decides names and events). hush never reads
// a field's value, checked state or selection: only its tag and its `name`, `id`, `type`,
// `autocomplete` attributes, and whether it lies inside a masked area.

export function enableForms(call, maskSelectors, listen) {
  const doc = document;
  /** Forms seen, by slot (the core keeps each slot's state). */
  const forms = [];
  const attr = (el, name) => el.getAttribute(name) || '';

  /** Inside `[data-matomo-mask]`, `[data-hush-mask]` or a setMaskSelectors selector. */
  const masked = (el) => +['[data-matomo-mask],[data-hush-mask]', ...maskSelectors()].some((selector) => {
    try {
      return el.closest(selector);
    } catch (e) {
      // an invalid selector matches nothing
    }
  });

  function send(ev, form, field = []) {
    let slot = forms.indexOf(form);
    if (slot < 0) slot = forms.push(form) - 1;
    call('f', [ev, slot, masked(form), attr(form, 'name'), attr(form, 'id'), [].indexOf.call(doc.forms, form), ...field]);
  }

  /** The form of a fillable field (not buttons or hidden inputs); `form` follows `form="id"`. */
  function formOf(el) {
    const tag = el && el.tagName;
    // Falsy when there is none (callers only test it).
    return (tag === 'INPUT' ? !/^(hidden|submit|button|reset|image)$/i.test(attr(el, 'type')) :
      tag === 'SELECT' || tag === 'TEXTAREA') && el.form;
  }

  const viewAll = () => { for (const form of doc.forms) send('v', form); };
  /** A listener that runs `f(field, form)` for events on a fillable field of a form. */
  const onField = (f) => (e) => {
    const form = formOf(e.target);
    if (form) f(e.target, form);
  };
  const changed = onField((el, form) => send('c', form));
  // One listener per event (capture, on the document: fields added later are covered).
  listen(doc, 'focusin', onField((el, form) => send('i', form, [masked(el), attr(el, 'type'), attr(el, 'name'), attr(el, 'id'),
    attr(el, 'autocomplete').trim().split(/\s+/).join(' ')])), true);
  listen(doc, 'focusout', onField((el, form) => send('o', form)), true);
  listen(doc, 'input', changed, true);
  listen(doc, 'change', changed, true);
  listen(doc, 'submit', (e) => {
    const el = e.target;
    if (el && el.tagName === 'FORM') send('s', el);
  }, true);
  // Capture on the window runs before hush's own hide handling flushes the queue.
  const left = (e) => (e.type === 'pagehide' || doc.hidden) && call('f', ['a']);
  listen(window, 'pagehide', left, true);
  listen(window, 'visibilitychange', left, true);
  if (doc.readyState === 'loading') listen(doc, 'DOMContentLoaded', viewAll);
  else viewAll();
}
