// Builds dist/: one hashed JS bundle and one CSS file under dist/assets, and dist/index.html naming
// them. Run with `npm run build`; the output is committed so the daemon's build needs no network.
import { build } from 'esbuild';
import { readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outdir: join(dist, 'assets'),
  splitting: true,
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file', '.svg': 'file' },
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.startsWith('main-') && f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
if (!js || !css) throw new Error(`unexpected build outputs: ${outputs.join(', ')}`);
const html = readFileSync(join(here, 'src', 'index.html'), 'utf8').replace('%JS%', js).replace('%CSS%', css);
writeFileSync(join(dist, 'index.html'), html);
// The bundled libraries' licences travel with the bundle.
const licences = [['@novnc/novnc', 'LICENSE.txt'], ['@xterm/xterm', 'LICENSE']].map(([pkg, file]) =>
  `== ${pkg} ==\n${readFileSync(join(here, 'node_modules', pkg, file), 'utf8')}`);
writeFileSync(join(dist, 'THIRD-PARTY-LICENSES.txt'), licences.join('\n'));
console.log(`dist/index.html, dist/assets/${js}, dist/assets/${css}`);
