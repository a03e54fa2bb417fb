// The create wizard, in one flow like TrueNAS's: an OS preset (bootloader, disk bus, NIC model),
// name, CPUs and memory, a new RAW disk or an existing image, install media (uploaded or picked),
// a NIC (a bridge or NAT) and a display. It creates the VM and then its devices; if a step fails,
// it removes what it created and shows the error next to that step's field.
import { h } from '../dom.js';
import { field } from '../form.js';
import { pathField } from '../path_picker.js';
import { fieldOfAttribute } from '../schema.js';
import { failed, toast } from '../toast.js';

const PRESETS = {
  Linux: { bootloader: 'UEFI', bus: 'VIRTIO', nic: 'VIRTIO', memory: 2048, vcpus: 2 },
  Windows: { bootloader: 'UEFI', bus: 'AHCI', nic: 'E1000', memory: 4096, vcpus: 2 },
  FreeBSD: { bootloader: 'UEFI', bus: 'VIRTIO', nic: 'VIRTIO', memory: 2048, vcpus: 2 },
  Other: { bootloader: 'UEFI_CSM', bus: 'AHCI', nic: 'E1000', memory: 1024, vcpus: 1 },
};
const GiB = 1024 ** 3;

function bridges(choices) {
  if (!choices) return [];
  // v26+ answers {"BRIDGE": [...], "MACVLAN": [...]}; older servers {iface: iface}.
  if (Object.values(choices).every(Array.isArray)) return Object.values(choices).flat();
  return Object.keys(choices);
}

export async function wizardView(root, app) {
  const { rpc, methods } = app;
  const [bootloaders, nicChoices, roots] = await Promise.all([
    methods.has('vm.bootloader_options') ? rpc.call('vm.bootloader_options').catch(() => null) : null,
    methods.has('vm.device.nic_attach_choices') ? rpc.call('vm.device.nic_attach_choices').catch(() => null) : null,
    methods.has('filesystem.storage_roots') ? rpc.call('filesystem.storage_roots').catch(() => []) : [],
  ]);
  const root0 = (roots[0] || '/mnt').replace(/\/$/, '');

  const os = field('os', { label: 'Guest operating system', kind: 'select', options: Object.keys(PRESETS).map((k) => [k, k]), value: 'Linux' });
  const name = field('name', { label: 'Name', required: true, hint: 'Letters, digits and _ only' });
  const description = field('description', { label: 'Description' });
  const vcpus = field('vcpus', { label: 'Virtual CPUs', kind: 'number', value: PRESETS.Linux.vcpus });
  const memory = field('memory', { label: 'Memory (MiB)', kind: 'number', value: PRESETS.Linux.memory });
  const bootloader = field('bootloader', {
    label: 'Boot method', kind: 'select',
    options: bootloaders ? Object.entries(bootloaders) : [['UEFI', 'UEFI'], ['UEFI_CSM', 'Legacy BIOS']], value: PRESETS.Linux.bootloader,
  });
  const diskMode = field('disk_mode', {
    label: 'Disk', kind: 'select', value: 'new',
    options: [['new', 'A new disk image'], ['existing', 'An existing image'], ['none', 'No disk']],
  });
  const diskSize = field('disk_size', { label: 'Disk size (GiB)', kind: 'number', value: 20, hint: 'A sparse file: space is used as the guest writes' });
  diskSize.input.step = 'any';
  const diskPath = pathField(app, 'disk_path', { label: 'Disk image path', hint: `Inside a storage root (${roots.join(', ')})`, accept: '.img,.raw,.qcow2' });
  const bus = field('disk_bus', { label: 'Disk bus', kind: 'select', options: [['VIRTIO', 'VIRTIO'], ['AHCI', 'AHCI']], value: PRESETS.Linux.bus });
  const media = pathField(app, 'media', { label: 'Install media (ISO)', nullable: true, accept: '.iso', hint: 'Upload an ISO or pick one; blank for none' });
  const nicAttach = field('nic_attach', {
    label: 'Network', kind: 'select', value: 'NAT',
    options: [['NAT', 'NAT (user-mode networking)'], ...bridges(nicChoices).map((b) => [b, `Bridge ${b}`]), ['none', 'No network']],
  });
  const nicModel = field('nic_model', { label: 'NIC model', kind: 'select', options: [['VIRTIO', 'VIRTIO'], ['E1000', 'E1000']], value: PRESETS.Linux.nic });
  const display = field('display', { label: 'VNC display (browser console)', kind: 'checkbox', value: true });
  const all = [os, name, description, vcpus, memory, bootloader, diskMode, diskSize, diskPath, bus, media, nicAttach, nicModel, display];

  let pathTouched = false;
  const suggestPath = () => {
    if (!pathTouched && diskMode.input.value === 'new') diskPath.input.value = `${root0}/${name.input.value.trim() || 'vm'}.img`;
  };
  diskPath.input.addEventListener('input', () => { pathTouched = true; });
  name.input.addEventListener('input', suggestPath);
  const applyPreset = () => {
    const p = PRESETS[os.input.value];
    bootloader.input.value = p.bootloader;
    bus.input.value = p.bus;
    nicModel.input.value = p.nic;
    memory.input.value = String(p.memory);
    vcpus.input.value = String(p.vcpus);
  };
  os.input.addEventListener('change', applyPreset);
  const showDisk = () => {
    const mode = diskMode.input.value;
    diskSize.wrapper.hidden = mode !== 'new';
    diskPath.wrapper.hidden = mode === 'none';
    bus.wrapper.hidden = mode === 'none';
    if (mode === 'existing' && !pathTouched) diskPath.input.value = '';
    suggestPath();
  };
  diskMode.input.addEventListener('change', showDisk);
  suggestPath();
  showDisk();

  const summary = h('div', { class: 'error', role: 'alert', id: 'wizard-errors' });
  const progress = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create VM');
  const section = (title, ...fields) => h('fieldset', {}, h('legend', {}, title), h('div', { class: 'grid' }, fields.map((f) => f.wrapper)));
  root.append(h('form', { class: 'card wizard', novalidate: true, 'aria-labelledby': 'wizard-title', onsubmit: create },
    h('div', { class: 'toolbar' }, h('h1', { id: 'wizard-title' }, 'Create virtual machine'),
      h('a', { href: '#/vms/new/form' }, 'All settings (advanced form)')),
    section('1. Operating system', os, bootloader),
    section('2. Name and resources', name, description, vcpus, memory),
    section('3. Disk', diskMode, diskSize, diskPath, bus),
    section('4. Install media', media),
    section('5. Network and display', nicAttach, nicModel, display),
    summary, progress,
    h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: '#/vms' }, 'Cancel'))));
  name.input.focus();

  // Places a failed call's errors: validation attributes onto their fields, else onto `fallback`.
  function place(error, fallback, byAttribute = {}) {
    const triples = error.fieldErrors || [];
    if (!triples.length) {
      fallback.setError(error.message);
      return;
    }
    for (const { attribute, message } of triples) {
      const key = fieldOfAttribute(attribute, null).split('.').pop();
      (byAttribute[key] || fallback).setError(message);
    }
  }

  async function create(ev) {
    ev.preventDefault();
    for (const f of all) f.setError('');
    summary.textContent = '';
    if (!name.read()) {
      name.setError('Field required');
      name.input.focus();
      return;
    }
    const mode = diskMode.input.value;
    const sizeGiB = Number(diskSize.input.value);
    if (mode === 'new' && !(sizeGiB > 0)) {
      diskSize.setError('Give the new disk a size');
      return;
    }
    submit.disabled = true;
    const made = { vm: null, devices: [] };
    let step = null;
    try {
      step = { what: 'the VM', fallback: name };
      progress.textContent = 'Creating the VM…';
      const vm = await rpc.call('vm.create', [{
        name: name.read(), description: description.read() || '', vcpus: vcpus.read(), memory: memory.read(),
        bootloader: bootloader.input.value, autostart: false, ensure_display_device: false,
      }]);
      made.vm = vm;
      const device = async (what, fallback, attributes, order) => {
        step = { what, fallback };
        progress.textContent = `Adding ${what}…`;
        const d = await rpc.call('vm.device.create', [{ vm: vm.id, attributes, order }]);
        made.devices.push({ id: d.id, rawFile: attributes.dtype === 'RAW' && !attributes.exists });
      };
      const isoPath = media.read();
      if (isoPath) await device('the install media', media, { dtype: 'CDROM', path: isoPath }, 1000);
      if (mode === 'new') {
        const bytes = Math.max(1, Math.round(sizeGiB * 1024)) * 1024 * 1024;
        await device('the disk', diskPath, { dtype: 'RAW', path: diskPath.read(), type: bus.input.value, size: bytes, exists: false, boot: !isoPath }, 1001);
      } else if (mode === 'existing') {
        await device('the disk', diskPath, { dtype: 'RAW', path: diskPath.read(), type: bus.input.value, exists: true, boot: !isoPath }, 1001);
      }
      if (nicAttach.input.value !== 'none')
        await device('the NIC', nicAttach, { dtype: 'NIC', type: nicModel.input.value, nic_attach: nicAttach.input.value === 'NAT' ? null : nicAttach.input.value }, 1002);
      if (display.read()) await device('the display', display, { dtype: 'DISPLAY', type: 'VNC', web: true }, 1003);
      toast(`Created '${vm.name}'`, 'info');
      location.hash = `#/vms/${vm.id}`;
    } catch (e) {
      place(e, step.fallback, { name, description, vcpus, memory, bootloader, path: step.fallback === media ? media : diskPath, size: diskSize, nic_attach: nicAttach });
      summary.textContent = `Creating ${step.what} failed${made.vm ? '; what was created is being removed' : ''}.`;
      await rollback(made);
      summary.textContent = `Creating ${step.what} failed${made.vm ? '; nothing was kept' : ''}.`;
      (all.find((f) => f.input.getAttribute('aria-invalid')) || name).input.focus();
    } finally {
      progress.textContent = '';
      submit.disabled = false;
    }
  }

  async function rollback(made) {
    try {
      for (const d of made.devices.reverse())
        await rpc.call('vm.device.delete', [d.id, { force: true, raw_file: d.rawFile, zvol: false }]);
      if (made.vm) await rpc.call('vm.delete', [made.vm.id, { zvols: false, force: true }]);
    } catch (e) {
      failed('Removing the half-created VM', e);
    }
  }
}
