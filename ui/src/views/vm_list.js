// The VM list: live state from the vm.query subscription, and the lifecycle actions.
import { clear, formatMiB, h } from '../dom.js';
import { sparkline } from '../chart.js';
import { confirmDialog, failed, toast } from '../toast.js';
import { lifecycleButtons } from './vm_actions.js';

const ACTIVE = new Set(['RUNNING', 'SUSPENDED']);

export function vmListView(root, app) {
  const { rpc, vms, methods, jobs } = app;
  const body = h('tbody');
  const table = h('table', { class: 'vms', 'aria-labelledby': 'vms-title' },
    h('thead', {}, h('tr', {}, ['Name', 'State', 'CPU', 'vCPUs', 'Memory', 'Autostart', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    body);
  const empty = h('p', { class: 'muted' }, 'No virtual machines yet.');
  root.append(
    h('div', { class: 'toolbar' },
      h('h1', { id: 'vms-title' }, 'Virtual machines'),
      h('a', { class: 'button', href: '#/vms/new' }, 'Create VM')),
    table, empty);

  const busy = new Set();

  async function act(vm, label, method, params) {
    busy.add(vm.id);
    render();
    try {
      await rpc.call(method, params);
    } catch (e) {
      failed(`${label} '${vm.name}'`, e);
    } finally {
      busy.delete(vm.id);
      render();
    }
  }

  async function remove(vm) {
    const force = h('input', { type: 'checkbox', id: 'delete-force' });
    const extra = ACTIVE.has(vm.status && vm.status.state)
      ? h('label', { for: 'delete-force' }, force, ' Stop it first (force)') : null;
    if (!(await confirmDialog(`Delete virtual machine '${vm.name}' and its devices?`, 'Delete', extra))) return;
    await act(vm, 'Delete', 'vm.delete', [vm.id, { zvols: false, force: force.checked }]);
    if (!vms.items.has(vm.id)) toast(`Deleted '${vm.name}'`, 'info');
  }

  function actions(vm) {
    const out = lifecycleButtons(app, vm, act, busy.has(vm.id));
    out.push(h('a', { class: 'button secondary', href: `#/vms/${vm.id}/console`, 'aria-label': `Console of ${vm.name}` }, 'Console'));
    out.push(h('a', { class: 'button secondary', href: `#/vms/${vm.id}/devices`, 'aria-label': `Devices of ${vm.name}` }, 'Devices'));
    out.push(h('a', { class: 'button secondary', href: `#/vms/${vm.id}/edit`, 'aria-label': `Edit ${vm.name}` }, 'Edit'));
    out.push(h('button', {
      class: 'danger', type: 'button', 'data-action': 'vm.delete', disabled: busy.has(vm.id),
      'aria-label': `Delete ${vm.name}`, onclick: () => remove(vm),
    }, 'Delete'));
    return out;
  }

  function progressOf(vm) {
    const job = jobs.activeFor('vm.stop', vm.id) || jobs.activeFor('vm.restart', vm.id);
    if (!job) return null;
    const p = Math.trunc((job.progress && job.progress.percent) || 0);
    return h('div', { class: 'row-progress' },
      h('progress', { max: 100, value: p, 'aria-label': `${job.method} ${vm.name}` }),
      h('span', { class: 'small muted' }, (job.progress && job.progress.description) || `${job.method} ${p}%`));
  }

  // The last ten minutes of CPU % from vm.stats, for running VMs.
  function cpuCell(vm, state) {
    if (state !== 'RUNNING') return h('span', { class: 'muted small' }, '–');
    const points = app.stats.of(vm.id).map((p) => p.cpu);
    const last = [...points].reverse().find((v) => typeof v === 'number');
    return h('span', { class: 'spark-cell', 'data-cpu-spark': vm.id },
      sparkline(points, { max: 100 * Math.max(1, (vm.vcpus || 1) * (vm.cores || 1) * (vm.threads || 1)), floor: 5, label: `CPU of ${vm.name}` }),
      h('span', { class: 'small muted' }, last === undefined ? '' : ` ${last.toFixed(0)}%`));
  }

  function render() {
    clear(body);
    const list = vms.list();
    empty.hidden = list.length > 0;
    table.hidden = list.length === 0;
    for (const vm of list) {
      const state = (vm.status && vm.status.state) || 'STOPPED';
      body.append(h('tr', { 'data-vm-id': vm.id, 'data-vm-name': vm.name },
        h('th', { scope: 'row', 'data-label': 'Name' }, h('a', { href: `#/vms/${vm.id}`, 'aria-label': `Open ${vm.name}` }, vm.name), vm.description ? h('div', { class: 'muted small' }, vm.description) : null),
        h('td', { 'data-label': 'State' }, h('span', { class: `state state-${state.toLowerCase()}`, 'data-state': state }, state), progressOf(vm)),
        h('td', { 'data-label': 'CPU', class: 'spark' }, cpuCell(vm, state)),
        h('td', { 'data-label': 'vCPUs' }, String((vm.vcpus || 1) * (vm.cores || 1) * (vm.threads || 1))),
        h('td', { 'data-label': 'Memory' }, formatMiB(vm.memory)),
        h('td', { 'data-label': 'Autostart' }, vm.autostart ? 'Yes' : 'No'),
        h('td', { class: 'actions', 'data-label': 'Actions' }, actions(vm))));
    }
  }

  const onChange = () => render();
  vms.addEventListener('change', onChange);
  jobs.jobs.addEventListener('change', onChange);
  // Only the sparkline cells redraw, at most once a second: the rows (and their buttons) stay put.
  let pending = null;
  const redrawSparks = () => {
    pending = null;
    for (const cell of body.querySelectorAll('td.spark')) {
      const vm = vms.items.get(Number(cell.closest('tr').dataset.vmId));
      if (vm) clear(cell).append(cpuCell(vm, (vm.status && vm.status.state) || 'STOPPED'));
    }
  };
  const onStats = () => { if (!pending) pending = setTimeout(redrawSparks, 1000); };
  app.stats.addEventListener('change', onStats);
  const release = app.stats.use();
  render();
  return async () => {
    vms.removeEventListener('change', onChange);
    jobs.jobs.removeEventListener('change', onChange);
    app.stats.removeEventListener('change', onStats);
    clearTimeout(pending);
    await (await release)();
  };
}
