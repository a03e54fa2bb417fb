// One VM's page, as TrueNAS's: state and lifecycle actions, autostart, memory in use, its
// devices, clone, the serial log download, and live graphs of the last ten minutes (vm.stats).
import { formatBytes, formatRate, lineChart } from '../chart.js';
import { clear, fill, formatMiB, h } from '../dom.js';
import { Collection } from '../store.js';
import { failed, toast } from '../toast.js';
import { lifecycleButtons } from './vm_actions.js';

const COLORS = { a: '#0a5cc2', b: '#d9480f' };

export async function vmPageView(root, app, vmId) {
  const { rpc, vms, methods } = app;
  if (!vms.items.has(vmId)) throw new Error(`VM ${vmId} does not exist`);
  const devices = await new Collection(rpc, 'vm.device.query', { filters: [['vm', '=', vmId]] }).load();
  const head = h('div');
  const info = h('dl', { class: 'facts' });
  const deviceList = h('ul', { class: 'device-list' });
  const charts = h('div', { class: 'charts', 'aria-live': 'off' });
  const cloneBox = h('div', { class: 'inline', hidden: true });
  let busy = false;

  root.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/vms' }, 'Virtual machines'), ' / ', vms.items.get(vmId).name),
    head,
    h('section', { class: 'card', 'aria-labelledby': 'graphs-title' }, h('h2', { id: 'graphs-title' }, 'Activity (up to the last ten minutes)'), charts),
    h('div', { class: 'columns' },
      h('section', { class: 'card', 'aria-labelledby': 'facts-title' }, h('h2', { id: 'facts-title' }, 'Details'), info),
      h('section', { class: 'card', 'aria-labelledby': 'devs-title' },
        h('div', { class: 'toolbar' }, h('h2', { id: 'devs-title' }, 'Devices'),
          h('a', { class: 'button secondary', href: `#/vms/${vmId}/devices` }, 'Manage devices')),
        deviceList)));

  async function act(vm, label, method, params) {
    busy = true;
    renderHead();
    try {
      await rpc.call(method, params);
    } catch (e) {
      failed(`${label} '${vm.name}'`, e);
    } finally {
      busy = false;
      renderHead();
    }
  }

  async function setAutostart(vm, on) {
    try {
      await rpc.call('vm.update', [vm.id, { autostart: on }]);
      toast(`Autostart ${on ? 'on' : 'off'} for '${vm.name}'`, 'info');
    } catch (e) {
      failed('Changing autostart', e);
    }
  }

  async function downloadLog(vm) {
    try {
      const job = await rpc.call('vm.log_file_download', [vm.id]);
      const offer = await app.jobs.wait(job);
      // Fetched here so that a refusal shows as an error, then handed to the browser as a file.
      const res = await fetch(offer.url);
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `${vm.name}.log` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (e) {
      failed(`Downloading the log of '${vm.name}'`, e);
    }
  }

  async function clone(vm, name) {
    try {
      await rpc.call('vm.clone', [vm.id, name || null]);
      toast(`Cloned '${vm.name}' as '${name || `${vm.name}clone`}'`, 'info');
      cloneBox.hidden = true;
    } catch (e) {
      failed(`Cloning '${vm.name}'`, e);
    }
  }

  function renderHead() {
    const vm = vms.items.get(vmId);
    if (!vm) {
      clear(head).append(h('p', { class: 'muted' }, 'This VM was deleted.'));
      return;
    }
    const state = (vm.status && vm.status.state) || 'STOPPED';
    const cloneName = h('input', { type: 'text', 'aria-label': 'Name of the clone', placeholder: `${vm.name}clone` });
    fill(cloneBox, cloneName,
      h('button', { type: 'button', class: 'primary', onclick: () => clone(vm, cloneName.value.trim()) }, 'Clone now'));
    fill(head,
      h('div', { class: 'toolbar' },
        h('h1', { id: 'vm-title' }, vm.name, ' ', h('span', { class: `state state-${state.toLowerCase()}`, 'data-state': state }, state)),
        h('div', { class: 'actions' },
          lifecycleButtons(app, vm, act, busy),
          h('a', { class: 'button secondary', href: `#/vms/${vm.id}/console` }, 'Console'),
          h('a', { class: 'button secondary', href: `#/vms/${vm.id}/edit` }, 'Edit'),
          methods.has('vm.clone') ? h('button', { type: 'button', class: 'secondary', onclick: () => { cloneBox.hidden = !cloneBox.hidden; } }, 'Clone…') : null,
          methods.has('vm.log_file_download') ? h('button', { type: 'button', class: 'secondary', onclick: () => downloadLog(vm) }, 'Download log') : null)),
      vm.description ? h('p', { class: 'muted' }, vm.description) : null,
      cloneBox,
      vm.status && vm.status.state === 'ERROR' && vm.status.reason ? h('p', { class: 'error' }, vm.status.reason) : null);
    const autostart = h('input', { type: 'checkbox', id: 'autostart-toggle', checked: !!vm.autostart, onchange: () => setAutostart(vm, autostart.checked) });
    const last = [...app.stats.of(vmId)].reverse()[0];
    const vcpus = (vm.vcpus || 1) * (vm.cores || 1) * (vm.threads || 1);
    fill(info, 
      h('dt', {}, 'Virtual CPUs'), h('dd', {}, `${vcpus} (${vm.vcpus} × ${vm.cores} × ${vm.threads})`),
      h('dt', {}, 'Memory'), h('dd', {}, formatMiB(vm.memory), vm.min_memory ? ` (minimum ${formatMiB(vm.min_memory)})` : ''),
      h('dt', {}, 'Memory in use'), h('dd', { id: 'memory-in-use' }, state === 'RUNNING' && last && last.rss
        ? `${formatBytes(last.rss)} resident, guest has ${formatBytes(last.balloon || 0)}` : '–'),
      h('dt', {}, 'Boot'), h('dd', {}, vm.bootloader === 'UEFI_CSM' ? 'Legacy BIOS (UEFI_CSM)' : vm.bootloader || ''),
      h('dt', {}, h('label', { for: 'autostart-toggle' }, 'Autostart')), h('dd', {}, autostart),
      vm.status && vm.status.pid ? [h('dt', {}, 'QEMU process'), h('dd', {}, String(vm.status.pid))] : null);
  }

  function renderDevices() {
    clear(deviceList);
    const rows = devices.list();
    if (!rows.length) deviceList.append(h('li', { class: 'muted' }, 'No devices.'));
    for (const d of rows) {
      const a = d.attributes || {};
      const detail = a.path || (a.dtype === 'NIC' ? `${a.type || ''} ${a.nic_attach || 'NAT'}` : a.dtype === 'DISPLAY' ? `${a.type} :${a.port ?? 'auto'}` : '');
      deviceList.append(h('li', { 'data-dtype': a.dtype }, h('strong', {}, a.dtype), ' ', h('span', { class: 'muted' }, detail)));
    }
  }

  function renderCharts() {
    const points = app.stats.of(vmId);
    const col = (k) => points.map((p) => p[k]);
    const vm = vms.items.get(vmId);
    const vcpus = vm ? (vm.vcpus || 1) * (vm.cores || 1) * (vm.threads || 1) : 1;
    fill(charts, 
      // Scaled to what was seen (at least 5%), so that an idle guest's line still moves; the
      // scale's top value says where it stands against the 100% × vCPUs ceiling.
      lineChart([{ name: 'CPU', values: col('cpu'), color: COLORS.a }],
        { title: 'CPU %', max: Math.min(100 * vcpus, Math.max(5, ...col('cpu').filter((v) => typeof v === 'number')) * 1.1), format: (v) => `${v.toFixed(1)}%` }),
      lineChart([{ name: 'Guest has (balloon)', values: col('balloon'), color: COLORS.a }, { name: 'In use (RSS)', values: col('rss'), color: COLORS.b }],
        { title: 'Memory', format: formatBytes }),
      lineChart([{ name: 'Read', values: col('read'), color: COLORS.a }, { name: 'Write', values: col('write'), color: COLORS.b }],
        { title: 'Disk', format: formatRate }),
      lineChart([{ name: 'Received', values: col('rx'), color: COLORS.a }, { name: 'Sent', values: col('tx'), color: COLORS.b }],
        { title: 'Network (bridged NICs)', format: formatRate }));
  }

  const onVm = (ev) => { if (ev.detail.id === undefined || ev.detail.id === vmId) renderHead(); };
  const onStats = (ev) => {
    if (ev.detail.id !== vmId) return;
    renderCharts();
    const last = [...app.stats.of(vmId)].reverse()[0];
    const cell = document.getElementById('memory-in-use');
    if (cell && last && last.rss) cell.textContent = `${formatBytes(last.rss)} resident, guest has ${formatBytes(last.balloon || 0)}`;
  };
  vms.addEventListener('change', onVm);
  devices.addEventListener('change', renderDevices);
  app.stats.addEventListener('change', onStats);
  const release = await app.stats.use();
  renderHead();
  renderDevices();
  renderCharts();
  return async () => {
    vms.removeEventListener('change', onVm);
    app.stats.removeEventListener('change', onStats);
    await devices.close();
    await release();
  };
}
