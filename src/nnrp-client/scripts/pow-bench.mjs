// PoW hash rate of the TypeScript SDK in Node (1 worker thread, then one per core) side by side
// with the C# generator (the `pow` harness of tests/Nnrp.Benchmarks) in the same run.
//   npm run bench:pow [-- seconds]          (from src/nnrp-client; needs `npm run build`)
//   NNRP_BENCH_NO_DOTNET=1 skips the C# side.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { generateWork } from '../dist/src/index.js';
import { searchBatch } from '../dist/src/work/work-search.js';
import { rootWords } from '../dist/src/work/work-value.js';

const seconds = Number(process.argv[2] ?? 5);
const root = Uint8Array.from(Buffer.from('bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de', 'hex'));
const cores = availableParallelism();

// Hashes per second of `workers` workers searching for an unreachable threshold.
async function workerRate(workers) {
  const controller = new AbortController();
  let first, last;
  const run = generateWork(root, 0xffffffffffffffffn, {
    workers, signal: controller.signal,
    onProgress: (h) => {
      const now = performance.now();
      first ??= { t: now, h };        // from the first report: worker start-up is not hashing
      last = { t: now, h };
      if (now - first.t >= seconds * 1000) controller.abort();
    },
  });
  await run.catch(() => {});
  return Number(last.h - first.h) / ((last.t - first.t) / 1000);
}

// One engine's loop in this thread, no workers (the specialised BLAKE2b-8 alone).
function inThreadRate(engine) {
  const job = { root: rootWords(root), threshold: 0xffffffffffffffffn, start: 0n };
  const out = new Uint32Array(2);
  for (let i = 0; i < 20; i++) searchBatch(job, BigInt(i) << 16n, out, engine); // warm-up and tier-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) n += searchBatch(job, BigInt(n), out, engine);
  return n / ((performance.now() - t0) / 1000);
}

const dotnet = !process.env.NNRP_BENCH_NO_DOTNET;
// Build the C# harness before timing anything, so both sides run back to back.
if (dotnet) spawnSync('dotnet', ['build', '-c', 'Release', '../../tests/Nnrp.Benchmarks'], { stdio: 'ignore' });

function dotnetRows() {
  if (!dotnet) return [];
  const r = spawnSync('dotnet', ['run', '--no-build', '-c', 'Release', '--project', '../../tests/Nnrp.Benchmarks', '--', 'pow', String(Math.min(seconds, 3))], { encoding: 'utf8' });
  if (r.status !== 0) return [`(C# harness failed: ${r.stderr.slice(0, 200)})`];
  return r.stdout.split('\n').filter((l) => /^\| (plain|PoW)|^Generator/.test(l));
}

const mh = (x) => (x / 1e6).toFixed(2);
const ts = { wasm: inThreadRate('wasm'), js: inThreadRate('js'), one: await workerRate(1), all: await workerRate(cores) };
const cs = dotnetRows();
console.log(`Node ${process.version}, ${cores} logical cores, ${seconds} s per row`);
console.log('');
console.log('| TypeScript SDK (Node)                       |   MH/s | MH/s per core |');
console.log('|---------------------------------------------|-------:|--------------:|');
console.log(`| WebAssembly engine, in thread               | ${mh(ts.wasm).padStart(6)} | ${mh(ts.wasm).padStart(13)} |`);
console.log(`| JS engine (int32 halves), in thread         | ${mh(ts.js).padStart(6)} | ${mh(ts.js).padStart(13)} |`);
console.log(`| generateWork, 1 worker_thread               | ${mh(ts.one).padStart(6)} | ${mh(ts.one).padStart(13)} |`);
console.log(`| generateWork, ${cores} worker_threads (every core) | ${mh(ts.all).padStart(6)} | ${mh(ts.all / cores).padStart(13)} |`);
console.log('');
if (cs.length) {
  console.log('C# (tests/Nnrp.Benchmarks `pow`, same run):');
  console.log('');
  for (const l of cs) console.log(l);
  const gen = cs.find((l) => l.startsWith('Generator'));
  const perCore = gen && /\(([\d.]+) MH\/s per core\)/.exec(gen);
  if (perCore) console.log(`\nTS per core / C# generator per core: ${((ts.all / cores / 1e6) / Number(perCore[1]) * 100).toFixed(1)} %`);
}
