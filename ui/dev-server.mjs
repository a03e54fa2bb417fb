// Development only: serves dist/ at /ui/ and passes every other request (HTTP and WebSocket
// upgrades, byte for byte) to a running daemon, so the dashboard can be tried against any build.
//   node dev-server.mjs --daemon 127.0.0.1:6000 [--port 8080]
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const opt = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const [dhost, dport] = opt('daemon', '127.0.0.1:6000').split(':');
const dist = join(fileURLToPath(new URL('.', import.meta.url)), 'dist');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.txt': 'text/plain' };

function rawRequest(req) {
  return `${req.method} ${req.url} HTTP/1.1\r\n${Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(req.url.split('?')[0]);
  if (path.startsWith('/ui/')) {
    const rel = normalize(path.slice(4) || 'index.html');
    if (rel.startsWith('..')) { res.writeHead(404).end(); return; }
    try {
      const body = await readFile(join(dist, rel === '.' ? 'index.html' : rel));
      res.writeHead(200, { 'content-type': types[extname(rel)] || 'application/octet-stream', 'cache-control': 'no-cache' }).end(body);
    } catch { res.writeHead(404).end(); }
    return;
  }
  const up = connect(Number(dport), dhost, () => up.write(rawRequest(req)));
  req.on('data', (d) => up.write(d));
  up.pipe(req.socket);
  up.on('error', () => res.destroy());
});
server.on('upgrade', (req, socket, head) => {
  const up = connect(Number(dport), dhost, () => { up.write(rawRequest(req)); if (head.length) up.write(head); up.pipe(socket); socket.pipe(up); });
  up.on('error', () => socket.destroy());
  socket.on('error', () => up.destroy());
});
server.listen(Number(opt('port', '8080')), '127.0.0.1', () => console.log(`dashboard on http://127.0.0.1:${server.address().port}/ui/`));
