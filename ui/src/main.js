// The dashboard shell: session, live collections, the hash router and the views.
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { clear, h } from './dom.js';
import { JobsPanel } from './jobs.js';
import { Methods } from './schema.js';
import { Session } from './session.js';
import { StatsFeed } from './stats.js';
import { Collection } from './store.js';
import { failed, toast } from './toast.js';
import { devicesView } from './views/devices.js';
import { loginView } from './views/login.js';
import { vmFormView } from './views/vm_form.js';
import { vmListView } from './views/vm_list.js';
import { vmPageView } from './views/vm_page.js';
import { wizardView } from './views/wizard.js';

const view = document.getElementById('view');
const header = document.getElementById('app-header');
const jobsRoot = document.getElementById('jobs');
const session = new Session();
let app = null;
let cleanup = null;

function describeJob(job) {
  const id = Array.isArray(job.arguments) ? job.arguments[0] : undefined;
  if (job.method === 'filesystem.put' && typeof id === 'string') return `Upload of ${id.split('/').pop()}`;
  const vm = app && typeof id === 'number' ? app.vms.items.get(id) : null;
  return vm ? `${job.method} '${vm.name}'` : job.method;
}

async function startApp() {
  const rpc = session.rpc;
  const methods = await Methods.load(rpc);
  const vms = new Collection(rpc, 'vm.query');
  const jobs = new JobsPanel(rpc, jobsRoot, describeJob);
  app = { rpc, session, methods, vms, jobs, stats: new StatsFeed(rpc) };
  // Graphs keep their history while the dashboard is open (the daemon samples only meanwhile).
  await Promise.all([vms.load(), jobs.load(), app.stats.use()]);
  clear(header).append(
    h('a', { class: 'brand', href: '#/vms' }, 'middlewared'),
    h('nav', { 'aria-label': 'Main' }, h('a', { href: '#/vms' }, 'Virtual machines'), h('a', { href: '#jobs' }, 'Jobs')),
    h('span', { class: 'user muted' }, session.user),
    h('button', { type: 'button', class: 'secondary', id: 'logout', onclick: logout }, 'Log out'));
  header.hidden = false;
  jobsRoot.hidden = false;
  session.addEventListener('lost', onLost, { once: true });
}

async function onLost() {
  if (!app) return;
  toast('Connection to the server lost; reconnecting…', 'info');
  app = null;
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** i, 8000)));
    try {
      if (await session.resume()) {
        await startApp();
        route();
        return;
      }
      break;
    } catch {
      /* server still down: try again */
    }
  }
  showLogin();
}

async function logout() {
  app = null;
  await session.logout();
  showLogin();
}

function showLogin() {
  if (cleanup) cleanup();
  cleanup = null;
  header.hidden = true;
  jobsRoot.hidden = true;
  clear(view);
  document.title = 'Log in · middlewared';
  loginView(view, session, async () => {
    await startApp();
    if (!location.hash || location.hash === '#/login') location.hash = '#/vms';
    else route();
  });
}

async function route() {
  if (!app) return;
  if (cleanup) await Promise.resolve(cleanup()).catch(() => {});
  cleanup = null;
  clear(view);
  const hash = location.hash.replace(/^#/, '') || '/vms';
  const parts = hash.split('/').filter(Boolean);
  const id = parts[1] !== undefined ? Number(parts[1]) : undefined;
  try {
    if (parts[0] !== 'vms' || (parts.length === 1)) {
      document.title = 'Virtual machines · middlewared';
      cleanup = vmListView(view, app);
    } else if (parts[1] === 'new' && parts[2] === 'form') {
      document.title = 'Create VM · middlewared';
      await vmFormView(view, app);
    } else if (parts[1] === 'new') {
      document.title = 'Create VM · middlewared';
      await wizardView(view, app);
    } else if (parts[2] === 'edit') {
      document.title = 'Edit VM · middlewared';
      await vmFormView(view, app, id);
    } else if (parts[2] === 'devices') {
      document.title = 'Devices · middlewared';
      cleanup = await devicesView(view, app, id);
    } else if (parts[2] === 'console') {
      document.title = 'Console · middlewared';
      // noVNC and xterm load only when a console is opened, keeping the first page small.
      const { consoleView } = await import('./views/console.js');
      cleanup = await consoleView(view, app, id);
    } else if (parts.length === 2 && Number.isInteger(id)) {
      document.title = 'VM · middlewared';
      cleanup = await vmPageView(view, app, id);
    } else {
      cleanup = vmListView(view, app);
    }
  } catch (e) {
    failed(`Opening ${hash}`, e);
    view.append(h('p', { class: 'error' }, e.message), h('a', { href: '#/vms' }, 'Back to the list'));
  }
  view.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => {
  if (location.hash === '#jobs') {
    jobsRoot.scrollIntoView();
    jobsRoot.focus();
    return;
  }
  route();
});

(async () => {
  try {
    if (await session.resume()) {
      await startApp();
      route();
      return;
    }
  } catch (e) {
    /* no stored session or server down: show the login page */
  }
  showLogin();
})();
