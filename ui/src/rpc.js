// JSON-RPC 2.0 over one WebSocket to /api/current: calls matched by id, collection_update events
// routed to listeners by collection name.

/** A JSON-RPC error with the server's TrueNAS error object kept for the UI. */
export class RpcError extends Error {
  constructor(method, error) {
    const data = error && error.data;
    super((data && data.reason) || (error && error.message) || 'Unknown error');
    this.method = method;
    this.code = error && error.code;
    this.errname = data && data.errname;
    this.data = data;
  }

  /** Validation triples [attribute, message, errno] from a -32602 error (empty otherwise). */
  get fieldErrors() {
    const extra = this.data && this.data.extra;
    if (!Array.isArray(extra)) return [];
    return extra.filter((t) => Array.isArray(t) && t.length >= 2).map(([attribute, message, errno]) => ({
      attribute: String(attribute ?? ''),
      message: String(message),
      errno,
    }));
  }
}

export function apiUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

export class Rpc extends EventTarget {
  constructor(url = apiUrl('/api/current')) {
    super();
    this.url = url;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.ws = null;
  }

  /** Opens the socket; resolves when it is open. */
  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        resolve();
      };
      ws.onerror = () => {
        if (!opened) reject(new Error(`Cannot connect to ${this.url}`));
      };
      ws.onclose = (ev) => {
        for (const { reject: fail, method } of this.pending.values())
          fail(new RpcError(method, { message: `Connection closed while calling ${method}` }));
        this.pending.clear();
        if (this.ws === ws) this.dispatchEvent(new CustomEvent('close', { detail: { code: ev.code, reason: ev.reason } }));
      };
      ws.onmessage = (ev) => this.onMessage(ev.data);
    });
  }

  close() {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
  }

  get connected() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  call(method, params = []) {
    if (!this.connected) return Promise.reject(new RpcError(method, { message: 'Not connected to the server' }));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Subscribes to an event source; `fn(msg, id, fields)` runs for each collection_update. */
  async subscribe(collection, fn) {
    if (!this.listeners.has(collection)) this.listeners.set(collection, new Set());
    this.listeners.get(collection).add(fn);
    const subId = await this.call('core.subscribe', [collection]);
    return async () => {
      this.listeners.get(collection)?.delete(fn);
      if (this.connected) await this.call('core.unsubscribe', [subId]).catch(() => {});
    };
  }

  onMessage(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.method === 'collection_update' && msg.params) {
      const { collection, msg: kind, id, fields } = msg.params;
      for (const fn of this.listeners.get(collection) ?? []) fn(kind, id, fields);
      return;
    }
    if (msg.id == null || !this.pending.has(msg.id)) return;
    const { resolve, reject, method } = this.pending.get(msg.id);
    this.pending.delete(msg.id);
    if ('error' in msg) reject(new RpcError(method, msg.error));
    else resolve(msg.result);
  }
}
