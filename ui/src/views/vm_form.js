// Create and edit forms built from the vm.create / vm.update schemas, checked against them before
// sending, with the server's validation errors placed next to their fields.
import { h } from '../dom.js';
import { checkFields, field, showServerErrors } from '../form.js';
import { typesOf } from '../schema.js';
import { failed, toast } from '../toast.js';

const BASIC = ['name', 'description', 'vcpus', 'cores', 'threads', 'memory', 'min_memory', 'autostart', 'bootloader', 'bootloader_ovmf', 'time', 'shutdown_timeout'];
const LABELS = {
  vcpus: 'Virtual CPUs (sockets)', memory: 'Memory (MiB)', min_memory: 'Minimum memory (MiB)', cores: 'Cores per socket',
  threads: 'Threads per core', shutdown_timeout: 'Shutdown timeout (s)', bootloader_ovmf: 'UEFI firmware',
  cpu_mode: 'CPU mode', cpu_model: 'CPU model', command_line_args: 'Extra QEMU arguments',
};
// Fields fed by choices methods: name → [method, params].
const CHOICES = {
  bootloader: ['vm.bootloader_options', []],
  bootloader_ovmf: ['vm.bootloader_ovmf_choices', []],
  cpu_model: ['vm.cpu_model_choices', []],
};

export async function vmFormView(root, app, vmId) {
  const { rpc, methods } = app;
  const editing = vmId !== undefined;
  const method = editing ? 'vm.update' : 'vm.create';
  const schema = methods.argument(method, editing ? 1 : 0);
  if (!schema || !schema.properties) {
    root.append(h('p', { class: 'error' }, `${method} is not available on this server.`));
    return;
  }
  const current = editing ? await rpc.call('vm.get_instance', [vmId]) : null;
  const choices = {};
  await Promise.all(Object.entries(CHOICES).filter(([name]) => schema.properties[name]).map(async ([name, [m, p]]) => {
    if (!methods.has(m)) return;
    try {
      choices[name] = Object.entries(await rpc.call(m, p));
    } catch {
      /* a missing choice list leaves the field free text */
    }
  }));

  const required = new Set(schema.required || []);
  const names = Object.keys(schema.properties);
  const ordered = [...BASIC.filter((n) => names.includes(n)), ...names.filter((n) => !BASIC.includes(n))];
  const fields = ordered.map((name) => makeField(name, schema.properties[name], current, choices[name], required.has(name)));
  const summary = h('div', { class: 'error', role: 'alert', id: 'form-errors' });
  const submit = h('button', { type: 'submit', class: 'primary' }, editing ? 'Save' : 'Create');
  const basic = fields.filter((f) => BASIC.includes(f.name));
  const advanced = fields.filter((f) => !BASIC.includes(f.name));

  const form = h('form', { class: 'card vm-form', novalidate: true, 'aria-labelledby': 'form-title', onsubmit: save },
    h('h1', { id: 'form-title' }, editing ? `Edit ${current.name}` : 'Create virtual machine'),
    h('div', { class: 'grid' }, basic.map((f) => f.wrapper)),
    h('details', {}, h('summary', {}, 'Advanced'), h('div', { class: 'grid' }, advanced.map((f) => f.wrapper))),
    summary,
    h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: '#/vms' }, 'Cancel')));
  root.append(form);
  fields[0].input.focus();

  async function save(ev) {
    ev.preventDefault();
    summary.textContent = '';
    if (!checkFields(fields)) {
      summary.textContent = 'Please correct the marked fields.';
      fields.find((f) => f.input.getAttribute('aria-invalid'))?.input.focus();
      return;
    }
    const body = {};
    for (const f of fields) {
      const value = f.read();
      if (value === undefined) continue;
      const before = current ? current[f.name] : f.schema.default;
      if (required.has(f.name) || JSON.stringify(value) !== JSON.stringify(before === undefined ? null : before)) body[f.name] = value;
    }
    submit.disabled = true;
    try {
      const entry = await rpc.call(method, editing ? [vmId, body] : [body]);
      toast(`${editing ? 'Saved' : 'Created'} '${entry.name}'`, 'info');
      location.hash = '#/vms';
    } catch (e) {
      if (e.code === -32602) showServerErrors(e, fields, summary);
      else failed(`${editing ? 'Saving' : 'Creating'} the VM`, e);
    } finally {
      submit.disabled = false;
    }
  }
}

function makeField(name, prop, current, choices, required) {
  const types = typesOf(prop);
  const nullable = types.includes('null');
  const value = current ? current[name] : prop.default;
  const label = LABELS[name] || name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  const common = { label, value, schema: prop, nullable, required, hint: prop.description };
  if (choices) return field(name, { ...common, kind: 'select', options: choices });
  if (prop.enum) return field(name, { ...common, kind: 'select', options: prop.enum.filter((v) => v !== null).map((v) => [v, v]) });
  if (types.includes('boolean')) return field(name, { ...common, kind: 'checkbox' });
  if (types.includes('integer') || types.includes('number')) return field(name, { ...common, kind: 'number' });
  return field(name, { ...common, kind: 'text' });
}
