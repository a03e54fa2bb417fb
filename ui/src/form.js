// Accessible form fields with inline error slots, and the mapping of server validation errors
// (attribute paths in -32602 `extra`) back onto those fields.
import { h } from './dom.js';
import { checkValue, fieldOfAttribute } from './schema.js';

let uid = 0;

/**
 * A labelled field. kind: 'text' | 'number' | 'checkbox' | 'select' | 'password' | 'textarea'.
 * `nullable` fields read back null when blank. Options: [[value, label]] or {group: [[v, l]]}.
 */
export function field(name, { label, kind = 'text', value, options, nullable = false, hint, schema, required, list } = {}) {
  const id = `f${++uid}-${name}`;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  let input;
  if (kind === 'select') {
    input = h('select', { id, name });
    if (nullable) input.append(h('option', { value: '' }, '(none)'));
    appendOptions(input, options || []);
    input.value = value === null || value === undefined ? '' : String(value);
  } else if (kind === 'checkbox') {
    input = h('input', { id, name, type: 'checkbox' });
    input.checked = !!value;
  } else if (kind === 'textarea') {
    input = h('textarea', { id, name, rows: 2 });
    input.value = value ?? '';
  } else {
    input = h('input', { id, name, type: kind, autocomplete: 'off', list });
    if (kind === 'number') input.step = '1';
    if (schema && schema.minimum !== undefined) input.min = String(schema.minimum);
    if (schema && schema.maximum !== undefined) input.max = String(schema.maximum);
    input.value = value === null || value === undefined ? '' : String(value);
  }
  if (required) input.required = true;
  input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
  const error = h('div', { class: 'field-error', id: errorId, 'aria-live': 'polite' });
  const wrapper = h('div', { class: `field field-${kind}`, 'data-field': name },
    kind === 'checkbox' ? h('label', { for: id }, input, ' ', label || name) : [h('label', { for: id }, label || name), input],
    hint ? h('div', { class: 'hint', id: hintId }, hint) : null,
    error);
  return {
    name, input, wrapper, schema, kind,
    read() {
      if (kind === 'checkbox') return input.checked;
      const raw = input.value.trim();
      if (raw === '') return nullable ? null : kind === 'number' ? undefined : '';
      if (kind === 'number') return Number(raw);
      return kind === 'textarea' || kind === 'password' ? input.value : raw;
    },
    setError(message) {
      error.textContent = message || '';
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

function appendOptions(select, options) {
  if (Array.isArray(options)) {
    for (const [v, l] of options) select.append(h('option', { value: String(v) }, l ?? String(v)));
    return;
  }
  for (const [group, items] of Object.entries(options)) {
    const og = h('optgroup', { label: group });
    for (const [v, l] of items) og.append(h('option', { value: String(v) }, l ?? String(v)));
    select.append(og);
  }
}

/** Client-side schema checks; returns true when every field passed. */
export function checkFields(fields) {
  let ok = true;
  for (const f of fields) {
    const value = f.read();
    const message = value === undefined ? (f.input.required ? 'Field required' : null) : checkValue(f.schema, value);
    f.setError(message);
    if (message) ok = false;
  }
  return ok;
}

/**
 * Shows a failed call's validation errors next to their fields; whatever matches no field goes to
 * `summary`. Returns how many went to fields.
 */
export function showServerErrors(error, fields, summary, dtype) {
  for (const f of fields) f.setError('');
  summary.textContent = '';
  const triples = error.fieldErrors || [];
  const loose = [];
  let placed = 0;
  for (const { attribute, message } of triples) {
    const name = fieldOfAttribute(attribute, dtype);
    const f = fields.find((x) => x.name === name || x.name === name.split('.')[0]);
    if (f) {
      f.setError(message);
      placed++;
    } else loose.push(attribute ? `${attribute}: ${message}` : message);
  }
  if (!triples.length) loose.push(error.message);
  if (loose.length) summary.append(...loose.map((t) => h('div', {}, t)));
  const first = fields.find((f) => f.input.getAttribute('aria-invalid'));
  if (first) first.input.focus();
  return placed;
}
