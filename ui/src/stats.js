// Live per-VM figures from the vm.stats event (the daemon samples once a second, and only while
// someone subscribes): the last ten minutes per VM, for the graphs. No polling.

const WINDOW = 600; // samples: ten minutes at one a second

export class StatsFeed extends EventTarget {
  constructor(rpc) {
    super();
    this.rpc = rpc;
    this.series = new Map(); // vm id -> [{time, cpu, balloon, rss, read, write, rx, tx}]
    this.unsubscribe = null;
    this.users = 0;
  }

  /** Starts the subscription for one more view; the returned function releases it. */
  async use() {
    this.users++;
    if (!this.unsubscribe) this.unsubscribe = this.rpc.subscribe('vm.stats', (kind, id, f) => this.add(id, f)).catch(() => null);
    await this.unsubscribe;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (--this.users > 0) return;
      const un = await this.unsubscribe;
      this.unsubscribe = null;
      if (un) await un();
    };
  }

  add(id, f) {
    if (!f) return;
    const list = this.series.get(id) || [];
    list.push({
      time: f.time,
      cpu: f.cpu_percent,
      balloon: f.memory && f.memory.balloon_actual,
      rss: f.memory && f.memory.rss,
      read: f.disk && f.disk.read_bytes_per_second,
      write: f.disk && f.disk.write_bytes_per_second,
      rx: f.net && f.net.receive_bytes_per_second,
      tx: f.net && f.net.transmit_bytes_per_second,
    });
    if (list.length > WINDOW) list.splice(0, list.length - WINDOW);
    this.series.set(id, list);
    this.dispatchEvent(new CustomEvent('change', { detail: { id } }));
  }

  of(id) {
    return this.series.get(id) || [];
  }
}
