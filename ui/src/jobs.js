// The jobs panel: recent jobs from core.get_jobs and its events, with progress bars; a failed job
// raises a toast naming the method and its error.
import { Collection } from './store.js';
import { clear, h } from './dom.js';
import { toast } from './toast.js';

const FINAL = new Set(['SUCCESS', 'FAILED', 'ABORTED']);

export class JobsPanel {
  constructor(rpc, root, describe) {
    this.jobs = new Collection(rpc, 'core.get_jobs', { options: { order_by: ['-id'], limit: 20 } });
    this.root = root;
    this.describe = describe;
    this.seen = new Map();
    this.jobs.addEventListener('change', (ev) => {
      this.notify(ev.detail.id);
      this.render();
    });
  }

  async load() {
    await this.jobs.load();
    for (const job of this.jobs.list()) this.seen.set(job.id, job.state);
    this.render();
  }

  /** The running job of `method` whose first argument is `id`, if any. */
  activeFor(method, id) {
    return this.jobs.list().find((j) => j.method === method && j.arguments && j.arguments[0] === id && !FINAL.has(j.state));
  }

  /** Resolves with job `id`'s result once it succeeds; rejects with its error otherwise. */
  wait(id) {
    return new Promise((resolve, reject) => {
      const settled = () => {
        const job = this.jobs.items.get(id);
        if (!job || !FINAL.has(job.state)) return false;
        this.jobs.removeEventListener('change', settled);
        if (job.state === 'SUCCESS') resolve(job.result);
        else reject(new Error(job.error || `job ${id} ${String(job.state).toLowerCase()}`));
        return true;
      };
      if (!settled()) this.jobs.addEventListener('change', settled);
    });
  }

  notify(id) {
    const job = id !== undefined && this.jobs.items.get(id);
    if (!job || this.seen.get(id) === job.state) return;
    this.seen.set(id, job.state);
    if (job.state === 'FAILED') toast(`${this.describe(job)} failed: ${job.error || 'unknown error'}`);
  }

  render() {
    const list = this.jobs.list().reverse().slice(0, 20);
    clear(this.root);
    this.root.append(h('h2', { id: 'jobs-title' }, 'Jobs'));
    if (!list.length) {
      this.root.append(h('p', { class: 'muted' }, 'No jobs yet.'));
      return;
    }
    this.root.append(h('ul', { class: 'jobs', 'aria-labelledby': 'jobs-title' }, list.map((job) => {
      const percent = Math.max(0, Math.min(100, Math.trunc((job.progress && job.progress.percent) || 0)));
      return h('li', { class: `job job-${String(job.state).toLowerCase()}`, 'data-job-id': job.id },
        h('div', { class: 'job-head' },
          h('span', { class: 'job-title' }, this.describe(job)),
          h('span', { class: 'badge' }, job.state)),
        h('progress', { max: 100, value: job.state === 'SUCCESS' ? 100 : percent, 'aria-label': `${this.describe(job)} progress` }),
        job.progress && job.progress.description ? h('div', { class: 'muted small' }, job.progress.description) : null,
        job.error ? h('div', { class: 'error small' }, job.error) : null);
    })));
  }
}
