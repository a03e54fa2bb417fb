// The dashboard end to end: starts the real daemon on a temporary state dir, makes an API key for
// root over the unix socket with midclt, then drives /ui/ in headless Chromium: log in, create a
// VM with the full form (after a server validation error shown next to its field), add a NIC and a
// VNC display, start it and see RUNNING without reloading, open the console, stop it. Then the
// path a new user takes: upload a small bootable ISO (built at test time from Debian packages by
// make_iso.sh) in the create wizard, see a failing step undone with its error next to its field,
// create the VM with a new RAW disk and the ISO, start it and see the guest's own boot on the
// serial console, see its CPU graph move, stop it, download its log; delete both VMs.
// Screenshots of each page go to --out. Steps whose methods the daemon does not offer yet are
// skipped with a reason.
// Exit codes: 0 pass, 1 fail, 77 skipped (no Chromium / no playwright-core).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
for (const k of ['daemon', 'midclt', 'ui', 'out']) if (!args[k]) { console.error(`missing --${k}`); process.exit(2); }
const chromiumPath = args.chromium || '/usr/bin/chromium';
const here = new URL('.', import.meta.url).pathname;

function skip(reason) {
  console.log(`SKIP: ${reason}`);
  process.exit(77);
}
if (!existsSync(chromiumPath)) skip(`${chromiumPath} not found (apt-get install chromium)`);
let chromium;
try {
  chromium = createRequire(join(args.ui, 'package.json'))('playwright-core').chromium;
} catch {
  skip(`playwright-core is not installed in ${args.ui}/node_modules (run npm ci in ui/)`);
}
if (!existsSync(join(args.ui, 'dist', 'index.html'))) throw new Error(`${args.ui}/dist/index.html missing: run npm run build in ui/`);

const started = Date.now();
const out = args.out;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const state = mkdtempSync(join(tmpdir(), 'mw-e2e-ui-'));
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

// Every QEMU whose command line names a path under `dir`: VMs are the daemon's children, not
// ours, so a daemon killed mid-test would leave them running. Returns the pids it killed.
function endQemuUnder(dir) {
  const killed = [];
  for (const pid of readdirSync('/proc').filter((n) => /^[0-9]+$/.test(n))) {
    let argv;
    try { argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0'); } catch { continue; }
    if (!/(^|\/)qemu-system-[^/]*$/.test(argv[0]) || !argv.some((a) => a.includes(`${dir}/`))) continue;
    try { process.kill(Number(pid), 'SIGKILL'); killed.push(pid); } catch { /* already gone */ }
  }
  return killed;
}

// --- the daemon -----------------------------------------------------------------------------
// VMs stop with the daemon, and TCG is forced: it runs on every host, whatever its /dev/kvm is.
const storage = join(state, 'storage');
mkdirSync(join(storage, 'iso'), { recursive: true });
writeFileSync(join(state, 'middlewared.conf'),
  `[ui]\nroot = ${join(args.ui, 'dist')}\n[vm]\nstop_vms_on_shutdown = true\nstorage_roots = ${storage}\n`);
const daemon = spawn(args.daemon, ['--check-results', '--state-dir', state, '--listen', '127.0.0.1:0', '--config', join(state, 'middlewared.conf'),
  '--log-level', 'debug', '--accelerator', 'tcg'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
const daemonLog = [];
daemon.stdout.on('data', (d) => daemonLog.push(d));
daemon.stderr.on('data', (d) => daemonLog.push(d));
let daemonExit = null;
daemon.on('exit', (code, sig) => { daemonExit = { code, sig }; });

const socket = join(state, 'run', 'middlewared.sock');
function midclt(...callArgs) {
  return execFileSync(args.midclt, ['-u', `ws+unix://${socket}`, 'call', ...callArgs], { encoding: 'utf8', timeout: 20000 }).trim();
}

let browser = null;
let isoDir = null;
let failedStep = null;
const skipped = [];
const shots = [];
try {
  const address = await until('the daemon to write its TCP address', () => {
    if (daemonExit) throw new Error(`middlewared exited during start-up (${JSON.stringify(daemonExit)})`);
    const f = join(state, 'run', 'middlewared.tcp');
    const text = existsSync(f) ? readFileSync(f, 'utf8').trim() : '';
    return text || null;
  }, 20000);
  const base = `http://${address}`;
  log(`daemon listening on ${address}`);
  await until('the daemon to answer over its unix socket', () => {
    try { return midclt('core.ping') === '"pong"' || midclt('core.ping') === 'pong'; } catch { return false; }
  }, 20000);
  const methods = new Set(Object.keys(JSON.parse(midclt('core.get_methods'))));
  const key = JSON.parse(midclt('api_key.create', JSON.stringify({ name: 'e2e-dashboard', username: 'root' }))).key;
  log('API key for root created over the unix socket');
  if (!/^\d+-[A-Za-z0-9]+$/.test(key)) throw new Error(`unexpected API key format: ${key}`);

  // --- static files, before a browser is involved -------------------------------------------
  // node:http sends the path as written (fetch would normalise %2e%2e away before the daemon sees it).
  const get = (path) => new Promise((resolve, reject) => {
    const [host, port] = address.split(':');
    httpGet({ host, port, path }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: { get: (k) => res.headers[k.toLowerCase()] ?? null }, text: async () => Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
  const index = await get('/ui/');
  const html = await index.text();
  const expect = (what, ok) => { if (!ok) throw new Error(`static files: ${what}`); };
  expect(`/ui/ answered ${index.status} ${index.headers.get('content-type')}`, index.status === 200 && index.headers.get('content-type').startsWith('text/html'));
  expect(`/ui/ cache-control ${index.headers.get('cache-control')}`, index.headers.get('cache-control') === 'no-cache');
  expect('/ui/ has no Content-Security-Policy', /default-src 'self'/.test(index.headers.get('content-security-policy') || ''));
  const bundle = /assets\/(main-[A-Z0-9]+\.js)/.exec(html);
  expect('index.html names no bundle', bundle);
  const js = await get(`/ui/assets/${bundle[1]}`);
  expect(`bundle answered ${js.status} ${js.headers.get('content-type')}`, js.status === 200 && js.headers.get('content-type').startsWith('text/javascript'));
  expect(`bundle cache-control ${js.headers.get('cache-control')}`, /immutable/.test(js.headers.get('cache-control') || ''));
  const bare = await get('/ui');
  expect(`/ui answered ${bare.status} → ${bare.headers.get('location')}`, bare.status === 301 && bare.headers.get('location') === '/ui/');
  for (const bad of ['/ui/%2e%2e/%2e%2e/CMakeLists.txt', '/ui/..%2f..%2fCMakeLists.txt', '/ui/assets/', '/ui/missing.js', '/ui/%00', '/ui/%zz'])
    expect(`${bad} answered ${(await get(bad)).status}, not 404`, (await get(bad)).status === 404);
  log('static files: types, cache headers, CSP, redirect and traversal checks passed');

  // --- the install ISO: a kernel and busybox behind ISOLINUX, from Debian packages -------------
  isoDir = mkdtempSync(join(tmpdir(), 'mw-e2e-iso-'));
  let iso = join(isoDir, 'tiny.iso');
  try {
    execFileSync('sh', [join(here, 'make_iso.sh'), iso, args.tinyguest || join(isoDir, 'tinyguest')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 240000 });
    log(`install ISO built (${readFileSync(iso).length} bytes)`);
  } catch (e) {
    iso = null;
    skipped.push(`install media steps: make_iso.sh failed: ${String(e.stderr || e.message).trim().split('\n').pop()}`);
    log(`SKIP install media steps: make_iso.sh failed`);
  }

  // --- the browser ---------------------------------------------------------------------------
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  log(`chromium ${browser.version()} started`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const foreign = [];
  const pageErrors = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith(base.replace('http', 'ws')) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  page.on('websocket', (ws) => { if (!ws.url().startsWith(base.replace('http', 'ws'))) foreign.push(ws.url()); });
  page.on('pageerror', (e) => pageErrors.push(e.message));

  let n = 0;
  const shot = async (name) => {
    const file = join(out, `${String(++n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
  };
  const step = async (name, fn) => {
    failedStep = name;
    const t = Date.now();
    try {
      await fn();
    } catch (e) {
      await shot('failure').catch(() => {});
      const toasts = await page.locator('#toasts').textContent().catch(() => '');
      if (toasts) log(`     toasts: ${toasts}`);
      throw e;
    }
    log(`ok   ${name} (${Date.now() - t} ms)`);
  };
  const needs = (name, ...required) => {
    const missing = required.filter((m) => !methods.has(m));
    if (missing.length) {
      skipped.push(`${name}: ${missing.join(', ')} not in core.get_methods yet`);
      log(`SKIP ${name}: ${missing.join(', ')} not in core.get_methods yet`);
      return false;
    }
    return true;
  };
  const row = () => page.locator('tr[data-vm-name="e2evm"]');

  await step('login page', async () => {
    await page.goto(`${base}/ui/`);
    await page.getByLabel('Username').waitFor();
    await shot('login');
  });
  await step('a wrong password is refused with a message', async () => {
    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-error', { hasText: 'Wrong username, password or API key.' }).waitFor();
  });
  await step('log in with an API key', async () => {
    await page.getByRole('button', { name: 'Use an API key instead' }).click();
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    if (stored.includes(key) || stored.includes('not-the-password')) throw new Error('a secret was written to sessionStorage');
    if (!stored.includes('token')) throw new Error('no session token in sessionStorage');
    await shot('vm-list-empty');
  });
  await step('a reload keeps the session (token login)', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
  });
  await step('server validation error shown next to its field', async () => {
    await page.getByRole('link', { name: 'Create VM' }).click();
    await page.getByRole('link', { name: 'All settings (advanced form)' }).click();
    await page.getByLabel('Name', { exact: true }).fill('bad name!');
    await page.getByLabel('Memory (MiB)', { exact: true }).fill('64');
    await page.getByRole('button', { name: 'Create' }).click();
    const err = page.locator('[data-field="name"] .field-error');
    await until('the name field error', async () => (await err.textContent()).trim().length > 0);
    const text = (await err.textContent()).trim();
    if (!/alphanumeric/i.test(text)) throw new Error(`name error says: ${text}`);
    const invalid = await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid');
    if (invalid !== 'true') throw new Error('the name input is not marked aria-invalid');
    await shot('create-form-error');
  });
  await step('client-side schema check (memory below the minimum)', async () => {
    await page.getByLabel('Memory (MiB)', { exact: true }).fill('10');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('[data-field="memory"] .field-error', { hasText: 'greater than or equal to 20' }).waitFor();
  });
  await step('create a VM', async () => {
    await page.getByLabel('Name', { exact: true }).fill('e2evm');
    await page.getByLabel('Memory (MiB)', { exact: true }).fill('64');
    await page.getByLabel('Autostart').uncheck();
    await page.getByLabel('Shutdown timeout (s)').fill('5');
    await page.getByRole('button', { name: 'Create' }).click();
    await row().waitFor();
    await shot('vm-list');
  });
  await step('add a NIC and a VNC display', async () => {
    await row().getByRole('link', { name: 'Devices of e2evm' }).click();
    await page.getByRole('heading', { name: 'Devices of e2evm' }).waitFor();
    await page.locator('#add-dtype').selectOption('NIC');
    await page.getByRole('button', { name: 'Add device' }).click();
    await page.getByLabel('Adapter').selectOption('VIRTIO');
    await page.getByRole('button', { name: 'Add NIC' }).click();
    await page.locator('tr[data-dtype="NIC"]').waitFor();
    await page.locator('#add-dtype').selectOption('DISPLAY');
    await page.getByRole('button', { name: 'Add device' }).click();
    await page.getByLabel('Protocol').selectOption('VNC');
    await page.getByLabel('Web access (browser console)').check();
    // A port the server refuses: its message lands next to the Port field.
    await page.getByLabel('Port', { exact: true }).fill('80');
    await page.getByRole('button', { name: 'Add DISPLAY' }).click();
    const portError = page.locator('[data-field="port"] .field-error');
    await until('the port field error', async () => (await portError.textContent()).trim().length > 0);
    if (!/5900/.test(await portError.textContent())) throw new Error(`port error says: ${await portError.textContent()}`);
    await shot('device-form-error');
    await page.getByLabel('Port', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Add DISPLAY' }).click();
    await page.locator('tr[data-dtype="DISPLAY"]').waitFor();
    await shot('devices');
    await page.getByRole('link', { name: 'Virtual machines' }).first().click();
    await row().waitFor();
  });
  let running = false;
  if (needs('start and see RUNNING', 'vm.start')) {
    await step('start it and see RUNNING without reload', async () => {
      await row().getByRole('button', { name: 'Start e2evm' }).click();
      await row().locator('[data-state="RUNNING"]').waitFor({ timeout: 20000 });
      running = true;
      await shot('vm-running');
    });
  }
  await step('open the console', async () => {
    await row().getByRole('link', { name: 'Console of e2evm' }).click();
    await page.getByRole('heading', { name: 'Console of e2evm' }).waitFor();
    // Both panes settle on an outcome (connected, refused, not available, not running).
    const pending = new Set(['Connecting…', 'Looking for a display…']);
    await until('the serial console status', async () => !pending.has(await page.locator('#serial-status').textContent()));
    await until('the display status', async () => !pending.has(await page.locator('#display-status').textContent()));
    log(`     display: ${await page.locator('#display-status').textContent()} / serial: ${await page.locator('#serial-status').textContent()}`);
    if (!running && !/not running/.test(await page.locator('#display-status').textContent())) throw new Error('a stopped VM should say it is not running');
    if (running) {
      if (await page.locator('#display-status').textContent() !== 'Connected.') throw new Error('the VNC display did not connect');
      // The guest draws its screen (the firmware boot logo under TCG) and it reaches the canvas: more lit
      // pixels than QEMU's own "Guest has not initialized the display (yet)." (about 1000).
      const lit = await until('the guest screen on the canvas', () => page.evaluate(() => {
        const c = document.querySelector('#vnc-screen canvas');
        if (!c || !c.width || !c.height) return 0;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 16 || d[i + 1] > 16 || d[i + 2] > 16) n++;
        return n >= 3000 ? `${n} lit pixels on a ${c.width}x${c.height} canvas shown at ${c.clientWidth}x${c.clientHeight}` : 0;
      }), 30000);
      log(`     display: ${lit}`);
      await page.locator('#vnc-screen canvas').screenshot({ path: join(out, 'guest-screen.png') });
    }
    await shot('console');
    await page.getByRole('link', { name: 'Virtual machines' }).first().click();
    await row().waitFor();
  });
  if (running && needs('stop with job progress', 'vm.stop')) {
    await step('stop it (job in the jobs panel) and see STOPPED', async () => {
      await row().getByRole('button', { name: 'Stop e2evm' }).click();
      await page.locator('#jobs li[data-job-id]', { hasText: 'vm.stop' }).first().waitFor();
      await shot('vm-stopping');
      await row().locator('[data-state="STOPPED"]').waitFor({ timeout: 20000 });
    });
  }

  // --- what a new user does: install media, the wizard, a guest that boots from it --------------
  const isoRow = () => page.locator('tr[data-vm-name="isovm"]');
  const haveIsoPath = iso && needs('install media, wizard, graphs', 'filesystem.put', 'filesystem.listdir', 'vm.start');
  if (haveIsoPath) {
    const uploaded = join(storage, 'iso', 'tiny.iso');
    await step('wizard: upload the install ISO with a progress bar', async () => {
      await page.getByRole('link', { name: 'Virtual machines' }).first().click();
      await page.getByRole('link', { name: 'Create VM' }).click();
      await page.getByRole('heading', { name: 'Create virtual machine' }).waitFor();
      await page.getByLabel('Guest operating system').selectOption('Other');
      await page.getByLabel('Name', { exact: true }).fill('isovm');
      await page.getByLabel('Memory (MiB)', { exact: true }).fill('128');
      await page.getByLabel('Disk size (GiB)').fill('1');
      await page.getByLabel('Network', { exact: true }).selectOption('NAT');
      await page.getByLabel('VNC display (browser console)').uncheck();
      // Into the iso folder of the storage root, chosen in the file browser.
      await page.locator('[data-field="media"]').getByRole('button', { name: 'Browse…' }).click();
      await page.locator('[data-field="media"] .picker').getByRole('button', { name: `📁 ${storage}` }).click();
      await page.locator('[data-field="media"] .picker').getByRole('button', { name: '📁 iso' }).click();
      // A slow link, so that the progress bar is seen moving.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 << 20 });
      await page.getByLabel('Upload a file for Install media (ISO)').setInputFiles(iso);
      const bar = page.getByLabel('Upload progress for Install media (ISO)');
      await bar.waitFor();
      await until('the upload under way', async () => (await bar.evaluate((b) => b.value)) > 0.05, 20000).catch(() => {});
      await shot('wizard-uploading');
      await page.locator('[data-field="media"]', { hasText: 'Uploaded tiny.iso' }).waitFor({ timeout: 60000 });
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      const value = await page.getByLabel('Install media (ISO)', { exact: true }).inputValue();
      if (value !== uploaded) throw new Error(`the media field says ${value}`);
      if (!existsSync(uploaded) || readFileSync(uploaded).compare(readFileSync(iso)) !== 0) throw new Error('the uploaded ISO differs from the original');
      if (readdirSync(join(storage, 'iso')).length !== 1) throw new Error(`left in the folder: ${readdirSync(join(storage, 'iso'))}`);
      await shot('wizard-uploaded');
    });
    await step('wizard: a failing step is undone and its error shown next to its field', async () => {
      await page.getByLabel('Disk image path', { exact: true }).fill('/etc/isovm.img');
      await page.getByRole('button', { name: 'Create VM' }).click();
      const err = page.locator('[data-field="disk_path"] .field-error');
      await until('the disk path error', async () => (await err.textContent()).trim().length > 0, 20000);
      if (!/storage root/.test(await err.textContent())) throw new Error(`disk path error says: ${await err.textContent()}`);
      await page.locator('#wizard-errors', { hasText: 'nothing was kept' }).waitFor();
      if (JSON.parse(midclt('vm.query', '[["name", "=", "isovm"]]')).length) throw new Error('the half-created VM is still there');
      await shot('wizard-error');
    });
    await step('wizard: create the VM with a new RAW disk and the ISO', async () => {
      await page.getByLabel('Disk image path', { exact: true }).fill(join(storage, 'isovm.img'));
      await page.getByRole('button', { name: 'Create VM' }).click();
      await page.locator('#vm-title', { hasText: 'isovm' }).waitFor({ timeout: 20000 });
      const vm = JSON.parse(midclt('vm.query', '[["name", "=", "isovm"]]', '{"get": true}'));
      const types = vm.devices.map((d) => d.attributes.dtype).sort().join(',');
      if (types !== 'CDROM,NIC,RAW') throw new Error(`isovm has devices ${types}`);
      if (!existsSync(join(storage, 'isovm.img'))) throw new Error('the RAW disk file was not created');
      await shot('vm-page');
    });
    await step('start it from the console: the guest boots from the ISO on the serial console', async () => {
      await page.getByRole('link', { name: 'Console', exact: true }).click();
      await page.getByRole('heading', { name: 'Console of isovm' }).waitFor();
      await page.getByRole('button', { name: 'Start isovm' }).click();
      await until('the guest\'s boot on the serial console', async () =>
        /TINYGUEST-READY/.test(await page.locator('#serial-term').textContent()), 120000);
      const text = await page.locator('#serial-term').textContent();
      if (!/Linux version/.test(text)) log('     (the kernel banner scrolled out of the terminal)');
      await shot('serial-boot');
    });
    await step('the CPU graph moves, on the VM page and in the list', async () => {
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'isovm' }).click();
      await page.locator('#vm-title', { hasText: 'isovm' }).waitFor();
      const cpu = page.locator('[data-chart="CPU %"] path[data-series="CPU"]');
      const points = async () => ((await cpu.getAttribute('d')) || '').split(/[ML]/).filter(Boolean).map((p) => Number(p.split(',')[1]));
      await until('six CPU samples', async () => (await points()).length >= 6, 20000);
      const ys = await points();
      if (new Set(ys.map((y) => y.toFixed(1))).size < 2 && ys.every((y) => y >= 139)) throw new Error(`the CPU line is flat at 0: ${ys}`);
      const inUse = await page.locator('#memory-in-use').textContent();
      if (!/resident/.test(inUse)) throw new Error(`memory in use says ${inUse}`);
      await shot('vm-page-graphs');
      await page.getByRole('link', { name: 'Virtual machines' }).first().click();
      await until('the CPU sparkline in the list', async () => ((await isoRow().locator('svg.sparkline path').getAttribute('d')) || '').includes('L'), 10000);
      await shot('vm-list-sparklines');
      await isoRow().getByRole('link', { name: 'Open isovm' }).click();
      await page.locator('#vm-title', { hasText: 'isovm' }).waitFor();
    });
    await step('stop it (the guest powers off on the ACPI button)', async () => {
      await page.getByRole('button', { name: 'Stop isovm' }).click();
      await page.locator('#vm-title [data-state="STOPPED"]').waitFor({ timeout: 30000 });
    });
    await step('autostart toggle and clone', async () => {
      await page.getByLabel('Autostart').check();
      await until('autostart stored', () => JSON.parse(midclt('vm.query', '[["name", "=", "isovm"]]', '{"get": true}')).autostart === true);
      await page.getByLabel('Autostart').uncheck();
      await until('autostart cleared', () => JSON.parse(midclt('vm.query', '[["name", "=", "isovm"]]', '{"get": true}')).autostart === false);
      await page.getByRole('button', { name: 'Clone…' }).click();
      await page.getByLabel('Name of the clone').fill('isovmclone');
      await page.getByRole('button', { name: 'Clone now' }).click();
      const clone = await until('the clone', () => JSON.parse(midclt('vm.query', '[["name", "=", "isovmclone"]]'))[0], 20000);
      midclt('vm.delete', String(clone.id), '{"zvols": false, "force": true}');
    });
    await step('download its log', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download log' }).click()]);
      const file = join(out, 'isovm-serial.log');
      await download.saveAs(file);
      if (!/TINYGUEST-READY/.test(readFileSync(file, 'latin1'))) throw new Error('the downloaded log lacks the boot of the guest');
      log(`     log: ${readFileSync(file).length} bytes`);
      await shot('vm-page-stopped');
      await page.getByRole('link', { name: 'Virtual machines' }).first().click();
    });
  }
  await step('phone-sized layout', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('phone-vm-list');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
  await step('delete it after confirmation', async () => {
    await row().getByRole('button', { name: 'Delete e2evm' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).waitFor();
    if (running && !methods.has('vm.stop')) await page.getByLabel('Stop it first (force)').check();
    await shot('delete-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row().waitFor({ state: 'detached' });
    if (haveIsoPath) {
      await isoRow().getByRole('button', { name: 'Delete isovm' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await isoRow().waitFor({ state: 'detached' });
    }
    await shot('vm-list-after-delete');
  });
  await step('no requests left the daemon, no script errors', async () => {
    if (foreign.length) throw new Error(`requests to other hosts: ${foreign.join(', ')}`);
    if (pageErrors.length) throw new Error(`page errors: ${pageErrors.join(' | ')}`);
  });
  failedStep = null;
} catch (e) {
  console.error(`FAIL${failedStep ? ` in step "${failedStep}"` : ''}: ${e.stack || e}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (!daemonExit) {
    daemon.kill('SIGTERM');
    await until('the daemon to stop', () => daemonExit, 15000).catch(() => daemon.kill('SIGKILL'));
  }
  writeFileSync(join(out, 'daemon.log'), Buffer.concat(daemonLog));
  if (process.exitCode) console.error(`daemon log: ${join(out, 'daemon.log')}`);
  for (const pid of endQemuUnder(state)) log(`ended QEMU pid ${pid} that outlived the daemon`);
  rmSync(state, { recursive: true, force: true });
  if (isoDir) rmSync(isoDir, { recursive: true, force: true });
  for (const s of skipped) console.log(`skipped: ${s}`);
  console.log(`screenshots: ${shots.length} in ${out}`);
  log(process.exitCode ? 'FAILED' : 'PASSED');
}
