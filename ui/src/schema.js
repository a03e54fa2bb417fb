// Method schemas from core.get_methods: which methods exist, and client-side checks of form values
// against a method's JSON Schema (the server re-checks everything; this only saves a round trip).

export class Methods {
  constructor(table) {
    this.table = table || {};
  }

  static async load(rpc) {
    return new Methods(await rpc.call('core.get_methods'));
  }

  has(name) {
    return Object.prototype.hasOwnProperty.call(this.table, name);
  }

  /** The schema of positional argument `index` of `method`, or null. */
  argument(method, index) {
    const accepts = this.table[method] && this.table[method].accepts;
    if (!accepts) return null;
    const items = Array.isArray(accepts) ? accepts : accepts.items;
    return (Array.isArray(items) ? items[index] : items) || null;
  }
}

export function typesOf(schema) {
  if (!schema) return [];
  if (schema.type) return Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.enum) return [...new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)))];
  return [];
}

/** The first problem with `value` under `schema` (null when fine). Messages follow pydantic's. */
export function checkValue(schema, value) {
  if (!schema) return null;
  const types = typesOf(schema);
  if (value === null) return types.length === 0 || types.includes('null') ? null : 'Field required';
  if (schema.enum && !schema.enum.includes(value))
    return `Input should be ${schema.enum.filter((v) => v !== null).map((v) => `'${v}'`).join(' or ')}`;
  if (types.includes('integer') && typeof value === 'number') {
    if (!Number.isInteger(value)) return 'Input should be a valid integer';
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return `Input should be greater than or equal to ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `Input should be less than or equal to ${schema.maximum}`;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return `String should have at least ${schema.minLength} character${schema.minLength === 1 ? '' : 's'}`;
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      return `String should have at most ${schema.maxLength} characters`;
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) return `String should match pattern '${schema.pattern}'`;
  }
  return null;
}

/** "vm_create.memory" → "memory"; "vm_device_create.attributes.DISPLAY.port" → "port". */
export function fieldOfAttribute(attribute, dtype) {
  let parts = String(attribute || '').split('.').filter(Boolean);
  if (parts.length && /^(vm_create|vm_update|vm_device_create|vm_device_update|vm\.device\.\w+)$/.test(parts[0])) parts = parts.slice(1);
  if (parts[0] === 'attributes') parts = parts.slice(1);
  if (dtype && parts[0] === dtype) parts = parts.slice(1);
  return parts.join('.');
}
