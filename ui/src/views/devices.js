// The devices tab of one VM: a live list (vm.device.query events) and add/edit/remove forms per
// dtype, with selects fed by the choices methods.
import { clear, h } from '../dom.js';
import { field, showServerErrors } from '../form.js';
import { pathField } from '../path_picker.js';
import { Collection } from '../store.js';
import { confirmDialog, failed, toast } from '../toast.js';

const DTYPES = ['DISK', 'RAW', 'CDROM', 'NIC', 'DISPLAY'];
const SECTORS = [['512', '512'], ['4096', '4096']];

export async function devicesView(root, app, vmId) {
  const { rpc, methods } = app;
  const vm = await rpc.call('vm.get_instance', [vmId]);
  const devices = await new Collection(rpc, 'vm.device.query', { filters: [['vm', '=', vmId]] }).load();
  const choices = await loadChoices(rpc, methods);

  const list = h('tbody');
  const editor = h('section', { class: 'card', 'aria-label': 'Device form', hidden: true });
  const dtype = h('select', { id: 'add-dtype', 'aria-label': 'Device type' }, DTYPES.map((t) => h('option', { value: t }, t)));
  root.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/vms' }, 'Virtual machines'), ' / ', vm.name),
    h('div', { class: 'toolbar' },
      h('h1', { id: 'dev-title' }, `Devices of ${vm.name}`),
      h('div', { class: 'inline' }, dtype, h('button', { type: 'button', class: 'primary', id: 'add-device', onclick: () => openEditor(null, dtype.value) }, 'Add device'))),
    h('table', { class: 'devices', 'aria-labelledby': 'dev-title' },
      h('thead', {}, h('tr', {}, ['Type', 'Details', 'Order', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      list),
    editor);

  function render() {
    clear(list);
    const rows = devices.list();
    if (!rows.length) list.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No devices.')));
    for (const d of rows) {
      const a = d.attributes || {};
      list.append(h('tr', { 'data-device-id': d.id, 'data-dtype': a.dtype },
        h('th', { scope: 'row', 'data-label': 'Type' }, a.dtype),
        h('td', { 'data-label': 'Details' }, summary(a)),
        h('td', { 'data-label': 'Order' }, String(d.order ?? '')),
        h('td', { class: 'actions', 'data-label': 'Actions' },
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${a.dtype} device ${d.id}`, onclick: () => openEditor(d, a.dtype) }, 'Edit'),
          h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${a.dtype} device ${d.id}`, onclick: () => remove(d) }, 'Remove'))));
    }
  }

  async function remove(d) {
    if (!(await confirmDialog(`Remove the ${d.attributes.dtype} device from '${vm.name}'?`, 'Remove'))) return;
    try {
      await rpc.call('vm.device.delete', [d.id, { force: false, raw_file: false, zvol: false }]);
      toast(`Removed ${d.attributes.dtype} device`, 'info');
    } catch (e) {
      failed(`Removing the ${d.attributes.dtype} device`, e);
    }
  }

  function openEditor(device, type) {
    clear(editor);
    editor.hidden = false;
    const a = device ? device.attributes : {};
    const fields = [...fieldsFor(type, a, choices, app), field('order', { label: 'Boot order', kind: 'number', value: device ? device.order : null, nullable: true, hint: 'Blank for the default' })];
    const summaryBox = h('div', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary' }, device ? 'Save device' : `Add ${type}`);
    editor.append(h('form', {
      novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        const attributes = { dtype: type };
        let order = null;
        for (const f of fields) {
          const v = f.read();
          if (f.name === 'order') order = v === undefined ? null : v;
          // A blank password on edit keeps the stored one (readers only ever see it redacted).
          else if (device && f.name === 'password' && v === null) continue;
          else if (v !== undefined) attributes[f.name] = v;
        }
        submit.disabled = true;
        try {
          if (device) await rpc.call('vm.device.update', [device.id, { attributes, order }]);
          else await rpc.call('vm.device.create', [{ vm: vmId, attributes, order }]);
          toast(`${device ? 'Saved' : 'Added'} ${type} device`, 'info');
          editor.hidden = true;
          clear(editor);
        } catch (e) {
          if (e.code === -32602) showServerErrors(e, fields, summaryBox, type);
          else failed(`${device ? 'Saving' : 'Adding'} the ${type} device`, e);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, device ? `Edit ${type} device` : `New ${type} device`),
    h('div', { class: 'grid' }, fields.map((f) => f.wrapper)),
    summaryBox,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: () => { editor.hidden = true; clear(editor); } }, 'Cancel'))));
    fields[0].input.focus();
  }

  devices.addEventListener('change', render);
  render();
  return () => devices.close();
}

async function loadChoices(rpc, methods) {
  const names = {
    disk: 'vm.device.disk_choices', iotype: 'vm.device.iotype_choices', nic: 'vm.device.nic_attach_choices',
    bind: 'vm.device.bind_choices', resolution: 'vm.resolution_choices',
  };
  const out = {};
  await Promise.all(Object.entries(names).map(async ([key, m]) => {
    if (!methods.has(m)) return;
    try {
      out[key] = await rpc.call(m, []);
    } catch {
      out[key] = null;
    }
  }));
  return out;
}

const pairs = (obj) => Object.entries(obj || {}).map(([k, v]) => [k, typeof v === 'string' ? v : k]);

function nicOptions(nic) {
  if (!nic) return [];
  // v26+ answers {"BRIDGE": [...], "MACVLAN": [...]}; older servers {iface: iface}.
  if (Object.values(nic).every(Array.isArray)) {
    const groups = {};
    for (const [group, items] of Object.entries(nic)) if (items.length) groups[group] = items.map((i) => [i, i]);
    return groups;
  }
  return pairs(nic);
}

function fieldsFor(type, a, c, app) {
  const { rpc } = app;
  // Files inside the storage roots: typed, browsed (filesystem.listdir) or uploaded (/_upload).
  const picked = (name, label, extra = {}) => pathField(app, name, { label, value: a[name], ...extra });
  const text = (name, label, extra = {}) => field(name, { label, value: a[name], ...extra });
  const select = (name, label, options, extra = {}) => field(name, { label, kind: 'select', options, value: a[name], ...extra });
  const check = (name, label) => field(name, { label, kind: 'checkbox', value: a[name] });
  const busTypes = [['AHCI', 'AHCI'], ['VIRTIO', 'VIRTIO']];
  const iotypes = c.iotype ? pairs(c.iotype) : [['THREADS', 'THREADS'], ['NATIVE', 'NATIVE'], ['IO_URING', 'IO_URING']];
  switch (type) {
    case 'DISK': {
      const listId = 'disk-choices';
      if (!document.getElementById(listId)) document.body.append(h('datalist', { id: listId }, Object.keys(c.disk || {}).map((p) => h('option', { value: p }))));
      return [
        (() => {
          const f = picked('path', 'Path (block device)', { hint: 'e.g. /dev/zvol/tank/vm-disk0', upload: false });
          f.input.setAttribute('list', listId);
          return f;
        })(),
        select('type', 'Bus', busTypes),
        select('iotype', 'I/O type', iotypes),
        select('logical_sectorsize', 'Logical sector size', SECTORS, { nullable: true }),
        select('physical_sectorsize', 'Physical sector size', SECTORS, { nullable: true }),
      ].map(numericSelect);
    }
    case 'RAW':
      return [
        picked('path', 'Path (file)', { hint: 'Inside a storage root, e.g. /mnt/tank/vm.img', accept: '.img,.raw' }),
        select('type', 'Bus', busTypes),
        // Stored RAW devices read back exists=false, yet their file is there now (see ).
        field('exists', { label: 'The file already exists', kind: 'checkbox', value: a.exists || !!a.path }),
        field('size', { label: 'Size (bytes)', kind: 'number', value: a.size, nullable: true, hint: 'For a new file; a multiple of 512' }),
        check('boot', 'Boot from this disk'),
        select('iotype', 'I/O type', iotypes),
        select('logical_sectorsize', 'Logical sector size', SECTORS, { nullable: true }),
        select('physical_sectorsize', 'Physical sector size', SECTORS, { nullable: true }),
      ].map(numericSelect);
    case 'CDROM':
      return [picked('path', 'ISO image path', { hint: 'e.g. /mnt/tank/iso/installer.iso', accept: '.iso' })];
    case 'NIC': {
      const mac = text('mac', 'MAC address', { nullable: true, hint: 'Blank for a random one' });
      mac.wrapper.append(h('button', {
        type: 'button', class: 'secondary small', onclick: async () => {
          try {
            mac.input.value = await rpc.call('vm.random_mac');
          } catch (e) {
            failed('Generating a MAC address', e);
          }
        },
      }, 'Random MAC'));
      return [
        select('type', 'Adapter', [['E1000', 'E1000'], ['VIRTIO', 'VIRTIO']]),
        select('nic_attach', 'Attach to', nicOptions(c.nic), { nullable: true, hint: '(none) = the host default-route interface' }),
        mac,
        check('trust_guest_rx_filters', 'Trust guest RX filters (VIRTIO only)'),
      ];
    }
    case 'DISPLAY':
      return [
        select('type', 'Protocol', [['VNC', 'VNC'], ['SPICE', 'SPICE']], { value: a.type || 'VNC' }),
        select('resolution', 'Resolution', c.resolution ? pairs(c.resolution) : [['1024x768', '1024x768']], { value: a.resolution || '1024x768' }),
        select('bind', 'Listen on', c.bind ? pairs(c.bind) : [['127.0.0.1', '127.0.0.1']], { value: a.bind || '127.0.0.1' }),
        field('port', { label: 'Port', kind: 'number', value: a.port, nullable: true, hint: 'Blank picks a free port' }),
        field('web_port', { label: 'Web port', kind: 'number', value: a.web_port, nullable: true }),
        field('password', { label: 'Password', kind: 'password', value: a.password === '********' ? '' : a.password, nullable: true, hint: 'At most 8 characters for VNC; blank generates one' }),
        field('web', { label: 'Web access (browser console)', kind: 'checkbox', value: a.web ?? true }),
        check('wait', 'Wait for a client before booting'),
      ];
    default:
      return [];
  }
}

// Sector sizes are integers on the wire though a select yields text.
function numericSelect(f) {
  if (!/sectorsize$/.test(f.name)) return f;
  const read = f.read;
  f.read = () => {
    const v = read();
    return v === null || v === undefined ? v : Number(v);
  };
  return f;
}

function summary(a) {
  switch (a.dtype) {
    case 'DISK':
    case 'RAW':
      return `${a.path || '(no path)'} · ${a.type || ''}${a.size ? ` · ${Math.round(a.size / 1048576)} MiB` : ''}`;
    case 'CDROM':
      return a.path || '';
    case 'NIC':
      return `${a.type || ''} · ${a.mac || 'random MAC'} · ${a.nic_attach || 'default interface'}`;
    case 'DISPLAY':
      return `${a.type || ''} ${a.bind || ''}:${a.port ?? 'auto'} · ${a.resolution || ''}`;
    default:
      return JSON.stringify(a);
  }
}
