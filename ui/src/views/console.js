// The console of one VM: its VNC display through the daemon's /vm/display/<device id>/ proxy
// (noVNC), and its serial console over the shell WebSocket (xterm.js).
import RFB from '@novnc/novnc';
import { Terminal } from '@xterm/xterm';
import { h } from '../dom.js';
import { apiUrl } from '../rpc.js';
import { failed } from '../toast.js';
import { lifecycleButtons } from './vm_actions.js';

export async function consoleView(root, app, vmId) {
  const { rpc, session, vms } = app;
  const vm = await rpc.call('vm.get_instance', [vmId]);
  const displayStatus = h('p', { class: 'muted', id: 'display-status', role: 'status' }, 'Looking for a display…');
  const screen = h('div', { class: 'vnc-screen', id: 'vnc-screen', tabindex: 0, 'aria-label': `Display of ${vm.name}` });
  const serialStatus = h('p', { class: 'muted', id: 'serial-status', role: 'status' }, 'Connecting…');
  const term = h('div', { class: 'serial-term', id: 'serial-term', 'aria-label': `Serial console of ${vm.name}` });
  const state = h('span', { class: 'state', 'data-state': '' });
  // Power buttons here too: starting from the console shows the guest's boot from its first line.
  const power = h('div', { class: 'actions' });
  const act = async (v, label, method, params) => {
    try {
      await rpc.call(method, params);
    } catch (e) {
      failed(`${label} '${v.name}'`, e);
    }
  };
  root.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/vms' }, 'Virtual machines'), ' / ',
      h('a', { href: `#/vms/${vm.id}` }, vm.name)),
    h('div', { class: 'toolbar' }, h('h1', {}, `Console of ${vm.name}`, ' ', state), power),
    h('section', { class: 'card', 'aria-labelledby': 'display-title' }, h('h2', { id: 'display-title' }, 'Display'), displayStatus, screen),
    h('section', { class: 'card', 'aria-labelledby': 'serial-title' }, h('h2', { id: 'serial-title' }, 'Serial console'), serialStatus, term));

  // Both consoles attach only to an active VM, and attach by themselves when it starts.
  let detach = [];
  let attached = false;
  const showState = async () => {
    const s = (vms.items.get(vmId)?.status?.state) || 'STOPPED';
    state.textContent = s;
    state.className = `state state-${s.toLowerCase()}`;
    state.dataset.state = s;
    const current = vms.items.get(vmId);
    if (current) power.replaceChildren(...lifecycleButtons(app, current, act, false));
    const active = s === 'RUNNING' || s === 'SUSPENDED';
    if (active && !attached) {
      attached = true;
      const fresh = await rpc.call('vm.get_instance', [vmId]).catch(() => vm);
      detach = [await openDisplay(rpc, session, fresh, screen, displayStatus), await openSerial(session, fresh, term, serialStatus)];
    } else if (!active && attached) {
      attached = false;
      detach.forEach((c) => c && c());
      detach = [];
    }
    if (!active) {
      screen.hidden = true;
      term.hidden = true;
      displayStatus.textContent = 'The VM is not running; start it to see its screen.';
      serialStatus.textContent = 'The VM is not running.';
    }
  };
  vms.addEventListener('change', showState);
  await showState();
  return () => {
    vms.removeEventListener('change', showState);
    detach.forEach((c) => c && c());
  };
}

async function openDisplay(rpc, session, vm, screen, status) {
  // The daemon says where the VM's web display is (and hands out the proxy's token) exactly as it
  // does for TrueNAS's own UI: vm.get_display_web_uri. Its noVNC page URL carries the WebSocket
  // path in `path`; the dashboard connects its bundled noVNC to that path directly.
  const scheme = location.protocol === 'https:' ? 'HTTPS' : 'HTTP';
  let answer;
  try {
    answer = await rpc.call('vm.get_display_web_uri', [vm.id, location.host, { protocol: scheme }]);
  } catch (e) {
    status.textContent = `Cannot open the display: ${e.message}`;
    screen.hidden = true;
    return null;
  }
  if (!answer.uri) {
    status.textContent = `${answer.error}.`;
    screen.hidden = true;
    return null;
  }
  const devices = vm.devices || [];
  const display = devices.find((d) => d.attributes && d.attributes.dtype === 'DISPLAY' && d.attributes.web);
  screen.hidden = false;
  status.textContent = 'Connecting…';
  let rfb;
  try {
    const path = new URL(answer.uri).searchParams.get('path');
    rfb = new RFB(screen, apiUrl(`/${path}`), { credentials: { password: (display && display.attributes.password) || '' } });
    rfb.scaleViewport = true;
    rfb.resizeSession = false;
    rfb.addEventListener('connect', () => { status.textContent = 'Connected.'; screen.dataset.connected = 'true'; });
    rfb.addEventListener('disconnect', (e) => {
      screen.dataset.connected = 'false';
      status.textContent = e.detail.clean ? 'Disconnected.' : 'The display connection failed or was closed.';
    });
    rfb.addEventListener('securityfailure', (e) => { status.textContent = `Display authentication failed: ${e.detail.reason || e.detail.status}`; });
    rfb.addEventListener('credentialsrequired', () => { status.textContent = 'The display asks for a password the dashboard does not have.'; });
  } catch (e) {
    status.textContent = `Cannot open the display: ${e.message}`;
  }
  return () => { try { rfb && rfb.disconnect(); } catch { /* already closed */ } };
}

// Tries the public path first (behind nginx it is /websocket/shell), then the daemon's own /_shell.
async function openSerial(session, vm, el, status) {
  el.hidden = false;
  status.textContent = 'Connecting…';
  const terminal = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, rows: 24, cols: 80 });
  terminal.open(el);
  let ws = null;
  let closed = false;
  const encoder = new TextEncoder();
  terminal.onData((d) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(encoder.encode(d)); });

  const attempt = (path) => new Promise((resolve) => {
    session.oneTimeToken().then((token) => {
      const sock = new WebSocket(apiUrl(path));
      sock.binaryType = 'arraybuffer';
      let connected = false;
      sock.onopen = () => sock.send(JSON.stringify({ token, options: { vm_id: vm.id } }));
      sock.onmessage = (ev) => {
        if (!connected) {
          let msg = null;
          try { msg = typeof ev.data === 'string' ? JSON.parse(ev.data) : null; } catch { /* raw bytes */ }
          if (msg && msg.msg === 'connected') {
            connected = true;
            ws = sock;
            status.textContent = 'Connected.';
            el.dataset.connected = 'true';
            resolve(true);
            return;
          }
          if (msg && msg.msg === 'failed') {
            status.textContent = `Serial console refused: ${(msg.error && msg.error.reason) || 'unknown reason'}`;
            resolve('refused');
            sock.close();
            return;
          }
        }
        terminal.write(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data));
      };
      sock.onclose = () => {
        if (!connected) resolve(false);
        else if (!closed) { status.textContent = 'Serial console closed.'; el.dataset.connected = 'false'; }
      };
    }, (e) => { status.textContent = `Serial console unavailable: ${e.message}`; resolve('refused'); });
  });

  const first = await attempt('/websocket/shell');
  if (first === false) {
    const second = await attempt('/_shell');
    if (second === false) status.textContent = 'The serial console is not available on this server yet.';
  }
  return () => { closed = true; if (ws) ws.close(); terminal.dispose(); };
}
