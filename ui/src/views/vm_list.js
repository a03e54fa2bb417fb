// The VM list: live state from the vm.query subscription, and the lifecycle actions.
import { clear, formatMiB, h } from '../dom.js';
import { confirmDialog, failed, toast } from '../toast.js';

const ACTIVE = new Set(['RUNNING', 'SUSPENDED']);

export function vmListView(root, app) {
  const { rpc, vms, methods, jobs } = app;
  const body = h('tbody');
  const table = h('table', { class: 'vms', 'aria-labelledby': 'vms-title' },
    h('thead', {}, h('tr', {}, ['Name', 'State', 'vCPUs', 'Memory', 'Autostart', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
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

  function button(vm, label, method, params, cls = 'secondary') {
    const available = methods.has(method);
    return h('button', {
      class: cls, type: 'button', 'data-action': method,
      disabled: !available || busy.has(vm.id),
      title: available ? `${label} ${vm.name}` : `${method} is not available on this server`,
      'aria-label': `${label} ${vm.name}`,
      onclick: () => act(vm, label, method, params),
    }, label);
  }

  function actions(vm) {
    const state = (vm.status && vm.status.state) || 'STOPPED';
    const out = [];
    if (state === 'STOPPED' || state === 'ERROR') out.push(button(vm, 'Start', 'vm.start', [vm.id, { overcommit: false }], 'primary'));
    if (state === 'RUNNING' || state === 'STARTING') {
      out.push(button(vm, 'Stop', 'vm.stop', [vm.id, { force: false, force_after_timeout: true }]));
      out.push(button(vm, 'Restart', 'vm.restart', [vm.id]));
      out.push(button(vm, 'Suspend', 'vm.suspend', [vm.id]));
    }
    if (state === 'SUSPENDED') out.push(button(vm, 'Resume', 'vm.resume', [vm.id], 'primary'));
    if (state !== 'STOPPED') out.push(button(vm, 'Power off', 'vm.poweroff', [vm.id], 'danger'));
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

  function render() {
    clear(body);
    const list = vms.list();
    empty.hidden = list.length > 0;
    table.hidden = list.length === 0;
    for (const vm of list) {
      const state = (vm.status && vm.status.state) || 'STOPPED';
      body.append(h('tr', { 'data-vm-id': vm.id, 'data-vm-name': vm.name },
        h('th', { scope: 'row', 'data-label': 'Name' }, vm.name, vm.description ? h('div', { class: 'muted small' }, vm.description) : null),
        h('td', { 'data-label': 'State' }, h('span', { class: `state state-${state.toLowerCase()}`, 'data-state': state }, state), progressOf(vm)),
        h('td', { 'data-label': 'vCPUs' }, String((vm.vcpus || 1) * (vm.cores || 1) * (vm.threads || 1))),
        h('td', { 'data-label': 'Memory' }, formatMiB(vm.memory)),
        h('td', { 'data-label': 'Autostart' }, vm.autostart ? 'Yes' : 'No'),
        h('td', { class: 'actions', 'data-label': 'Actions' }, actions(vm))));
    }
  }

  const onChange = () => render();
  vms.addEventListener('change', onChange);
  jobs.jobs.addEventListener('change', onChange);
  render();
  return () => {
    vms.removeEventListener('change', onChange);
    jobs.jobs.removeEventListener('change', onChange);
  };
}
