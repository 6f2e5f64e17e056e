// Builds the wallet page into dist/ (index.html, wallet.css, wallet.js and the PoW benchmark
// page): esbuild bundles src/*.ts with nnrp-client's sources for browsers (ESM, no Node APIs).
// esbuild is nnrp-client's pinned devDependency, so the wallet has no package.json of its own.
//   node src/nnrp-wallet/build.mjs          (after `npm ci` in src/nnrp-client; `make wallet`)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const client = join(here, '..', 'nnrp-client');
const require = createRequire(join(client, 'package.json'));
const esbuild = require('esbuild');
const dist = join(here, 'dist');

// Type-check first (esbuild only strips types), with nnrp-client's pinned TypeScript.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
for (const file of ['index.html', 'wallet.css', 'pow-bench.html']) {
  copyFileSync(join(here, file), join(dist, file));
}
await esbuild.build({
  entryPoints: {
    wallet: join(here, 'src', 'main.ts'),
    'pow-bench': join(here, 'src', 'pow-bench.ts'),
    // The SDK starts its PoW workers from `work-worker.js` beside the bundle (new URL(…, import.meta.url)).
    'work-worker': join(client, 'src', 'work', 'work-worker.ts'),
  },
  outdir: dist,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  // The SDK from source (as tsconfig.json's paths); its dependencies from its own node_modules.
  alias: { 'nnrp-client': join(client, 'src', 'index.ts') },
  nodePaths: [join(client, 'node_modules')],
  // The libp2p stack is a chunk of its own, loaded when a WebSocket door is first dialed.
  splitting: true,
  // Chunks beside the entries: the SDK finds work-worker.js relative to the module that spawns it.
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`wallet page built in ${dist}`);
