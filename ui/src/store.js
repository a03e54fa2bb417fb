// Live copies of server collections, filled once by a query and kept current by core.subscribe
// events (never by polling). Views listen for 'change'.

export class Collection extends EventTarget {
  constructor(rpc, queryMethod, { eventName = queryMethod, filters = [], options = {} } = {}) {
    super();
    this.rpc = rpc;
    this.queryMethod = queryMethod;
    this.eventName = eventName;
    this.filters = filters;
    this.options = options;
    this.items = new Map();
    this.unsubscribe = null;
  }

  async load() {
    // Subscribe first so nothing that happens between the query and the subscription is lost.
    this.unsubscribe = await this.rpc.subscribe(this.eventName, (kind, id, fields) => this.apply(kind, id, fields));
    const rows = await this.rpc.call(this.queryMethod, [this.filters, this.options]);
    for (const row of rows) if (!this.items.has(row.id)) this.items.set(row.id, row);
    this.changed();
    return this;
  }

  apply(kind, id, fields) {
    if (kind === 'removed') this.items.delete(id);
    else if (fields && this.accepts(fields)) this.items.set(id, { ...(this.items.get(id) || {}), ...fields, id });
    else return;
    this.changed(id);
  }

  // Only equality filters on top-level fields are needed here (devices of one VM).
  accepts(row) {
    return this.filters.every(([field, op, value]) => op !== '=' || row[field] === undefined || row[field] === value);
  }

  changed(id) {
    this.dispatchEvent(new CustomEvent('change', { detail: { id } }));
  }

  list() {
    return [...this.items.values()].sort((a, b) => a.id - b.id);
  }

  async close() {
    if (this.unsubscribe) await this.unsubscribe();
  }
}
