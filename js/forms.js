// Form analytics, the page side (src/forms.rs decides names and events). hush never reads
// a field's value, checked state or selection: only its tag and its `name`, `id`, `type`,
// `autocomplete` attributes, and whether it lies inside a masked area.

export function enableForms(call, mask, listen) {
  var doc = document;
  /** Forms seen, by slot (the core keeps each slot's state). */
  var forms = [];

  function attr(el, name) {
    return el.getAttribute(name) || '';
  }

  /** Inside `[data-matomo-mask]`, `[data-hush-mask]` or a setMaskSelectors selector. */
  function masked(el) {
    if (el.closest('[data-matomo-mask],[data-hush-mask]')) return 1;
    for (var i = 0; i < mask.selectors.length; i++) {
      try {
        if (el.closest(mask.selectors[i])) return 1;
      } catch (e) {
        // an invalid selector matches nothing
      }
    }
    return 0;
  }

  function send(ev, form, field) {
    var slot = forms.indexOf(form);
    if (slot < 0) slot = forms.push(form) - 1;
    var index = [].indexOf.call(doc.forms, form);
    call('f', [ev, slot, masked(form), attr(form, 'name'), attr(form, 'id'), index].concat(field || []));
  }

  /** The form of a fillable field (not buttons or hidden inputs); `form` follows `form="id"`. */
  function formOf(el) {
    var tag = el && el.tagName;
    if (tag === 'INPUT') {
      if (/^(hidden|submit|button|reset|image)$/i.test(attr(el, 'type'))) return undefined;
    } else if (tag !== 'SELECT' && tag !== 'TEXTAREA') {
      return undefined;
    }
    return el.form || undefined;
  }

  function viewAll() {
    for (var i = 0; i < doc.forms.length; i++) send('v', doc.forms[i]);
  }

  function onEvent(e) {
    var kind = e.type;
    var el = e.target;
    if (kind === 'DOMContentLoaded') return viewAll();
    if (kind === 'pagehide' || kind === 'visibilitychange') {
      if (kind === 'pagehide' || doc.hidden) call('f', ['a']);
      return;
    }
    if (kind === 'submit') {
      if (el && el.tagName === 'FORM') send('s', el);
      return;
    }
    var form = formOf(el);
    if (!form) return;
    if (kind === 'focusin') {
      var ac = attr(el, 'autocomplete').trim().split(/\s+/).join(' ');
      send('i', form, [masked(el), attr(el, 'type'), attr(el, 'name'), attr(el, 'id'), ac]);
    } else {
      send(kind === 'focusout' ? 'o' : 'c', form);
    }
  }

  ['focusin', 'focusout', 'input', 'change', 'submit'].forEach(function (k) { listen(doc, k, onEvent, true); });
  // Capture on the window runs before hush's own hide handling flushes the queue.
  listen(window, 'pagehide', onEvent, true);
  listen(window, 'visibilitychange', onEvent, true);
  if (doc.readyState === 'loading') listen(doc, 'DOMContentLoaded', onEvent);
  else viewAll();
}
