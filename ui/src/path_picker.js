// A path field with a file browser limited to the storage roots (filesystem.listdir) and an
// upload button (POST /_upload), for the DISK, RAW and CDROM devices and the create wizard.
import { formatBytes } from './chart.js';
import { clear, h } from './dom.js';
import { field } from './form.js';
import { failed } from './toast.js';
import { uploadFile } from './upload.js';

const dirOf = (path) => path.replace(/\/[^/]*$/, '') || '/';

/**
 * A `field()` for `name` plus Browse and Upload buttons. `accept` is the upload dialog's filter
 * (e.g. '.iso'). The uploaded file lands in the browsed directory (else the first storage root).
 */
export function pathField(app, name, { label, value, hint, accept = '', upload = true, nullable = false } = {}) {
  const f = field(name, { label, value, hint, nullable });
  const { rpc, methods } = app;
  if (!methods.has('filesystem.listdir')) return f;
  let roots = null;
  let dir = null;
  const browser = h('div', { class: 'picker', hidden: true, role: 'region', 'aria-label': `Files for ${label}` });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': `Upload progress for ${label}` });
  const status = h('span', { class: 'small muted', 'aria-live': 'polite' });

  async function storageRoots() {
    if (!roots) roots = await rpc.call('filesystem.storage_roots', []);
    return roots;
  }

  async function show(path) {
    clear(browser);
    browser.hidden = false;
    const top = await storageRoots();
    if (!path) {
      dir = null;
      browser.append(h('div', { class: 'picker-path' }, 'Storage roots'),
        h('ul', {}, top.map((r) => h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => show(r) }, `📁 ${r}`)))));
      return;
    }
    let entries;
    try {
      entries = await rpc.call('filesystem.listdir', [path, [], { order_by: ['-type', 'name'] }]);
    } catch (e) {
      browser.append(h('div', { class: 'error' }, e.message));
      return;
    }
    dir = path;
    const atRoot = top.includes(path);
    browser.append(
      h('div', { class: 'picker-path' },
        h('button', { type: 'button', class: 'link', onclick: () => show(atRoot ? null : dirOf(path)) }, '⬑ Up'), ' ', path),
      h('ul', {}, entries.length ? entries.map((e) => h('li', {},
        e.type === 'DIRECTORY'
          ? h('button', { type: 'button', class: 'link', onclick: () => show(e.path) }, `📁 ${e.name}`)
          : h('button', {
            type: 'button', class: 'link', 'data-path': e.path,
            onclick: () => {
              f.input.value = e.path;
              f.input.dispatchEvent(new Event('change'));
              browser.hidden = true;
            },
          }, `${e.name}`, h('span', { class: 'muted small' }, ` ${formatBytes(e.size)}`)))) : h('li', { class: 'muted' }, 'Empty')));
  }

  const fileInput = h('input', {
    type: 'file', accept, hidden: true, 'aria-label': `Upload a file for ${label}`,
    onchange: async () => {
      const file = fileInput.files[0];
      if (!file) return;
      const target = `${(dir || (await storageRoots())[0]).replace(/\/$/, '')}/${file.name}`;
      progress.hidden = false;
      progress.value = 0;
      status.textContent = `Uploading ${file.name}…`;
      try {
        await uploadFile(app, file, target, (p) => { progress.value = p; });
        f.input.value = target;
        f.input.dispatchEvent(new Event('change'));
        status.textContent = `Uploaded ${file.name} (${formatBytes(file.size)})`;
        if (!browser.hidden && dir) show(dir);
      } catch (e) {
        status.textContent = '';
        f.setError(`Upload failed: ${e.message}`);
        failed(`Uploading ${file.name}`, e);
      } finally {
        progress.hidden = true;
        fileInput.value = '';
      }
    },
  });
  f.wrapper.append(
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary small', onclick: () => (browser.hidden ? show(f.input.value ? dirOf(f.input.value) : null).catch((e) => failed('Browsing', e)) : (browser.hidden = true)) }, 'Browse…'),
      upload && methods.has('filesystem.put') ? h('button', { type: 'button', class: 'secondary small', onclick: () => fileInput.click() }, 'Upload…') : null,
      fileInput, status),
    progress, browser);
  return f;
}
