// The lifecycle buttons of one VM (start, stop, restart, suspend, resume, power off), shared by
// the VM list and the VM page. `act(vm, label, method, params)` runs the call.
import { h } from '../dom.js';

export function lifecycleButtons(app, vm, act, busy) {
  const state = (vm.status && vm.status.state) || 'STOPPED';
  const button = (label, method, params, cls = 'secondary') => {
    const available = app.methods.has(method);
    return h('button', {
      class: cls, type: 'button', 'data-action': method,
      disabled: !available || busy,
      title: available ? `${label} ${vm.name}` : `${method} is not available on this server`,
      'aria-label': `${label} ${vm.name}`,
      onclick: () => act(vm, label, method, params),
    }, label);
  };
  const out = [];
  if (state === 'STOPPED' || state === 'ERROR') out.push(button('Start', 'vm.start', [vm.id, { overcommit: false }], 'primary'));
  if (state === 'RUNNING' || state === 'STARTING') {
    out.push(button('Stop', 'vm.stop', [vm.id, { force: false, force_after_timeout: true }]));
    out.push(button('Restart', 'vm.restart', [vm.id]));
    out.push(button('Suspend', 'vm.suspend', [vm.id]));
  }
  if (state === 'SUSPENDED') out.push(button('Resume', 'vm.resume', [vm.id], 'primary'));
  if (state !== 'STOPPED') out.push(button('Power off', 'vm.poweroff', [vm.id], 'danger'));
  return out;
}
