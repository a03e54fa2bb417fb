// Error and info toasts; errors stay until read (or 10 s), and are announced to screen readers.
import { h } from './dom.js';

export function toast(text, kind = 'error') {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { text }),
    h('button', { class: 'link', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 10000 : 4000);
}

/** "Start 'vm1' failed: [EFAULT] VM 'vm1' is already running" */
export function failed(what, error) {
  toast(`${what} failed: ${error && error.message ? error.message : error}`);
}

/** A modal yes/no question; resolves true when confirmed. */
export function confirmDialog(question, confirmLabel = 'Delete', extra = null) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-label': question },
      h('form', { method: 'dialog' },
        h('p', { text: question }),
        extra,
        h('div', { class: 'actions' },
          h('button', { value: 'cancel', class: 'secondary' }, 'Cancel'),
          h('button', { value: 'ok', class: 'danger', 'data-confirm': '' }, confirmLabel))));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[value=cancel]').focus();
  });
}
