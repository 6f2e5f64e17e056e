// The proof-of-work worker script: a Web Worker ({type: 'module'}) in browsers, a
// worker_threads Worker in Node. It gets {root, threshold, start} (hex strings, as bigints do
// not cross every structured-clone path the same way), hashes batch after batch, posts
// {type: 'progress', hashes} after each batch and {type: 'found', work, value, hashes, engine} when
// done. The owner stops it with terminate(), so no message is needed to cancel.
import { randomStart, searchBatch, searchEngine, type SearchJob } from './work-search.js';

interface StartMessage { root: number[]; threshold: string; start?: string }
type Post = (message: unknown) => void;

function run(message: StartMessage, post: Post): void {
  const job: SearchJob = {
    root: Uint32Array.from(message.root),
    threshold: BigInt('0x' + message.threshold),
    start: message.start === undefined ? randomStart() : BigInt('0x' + message.start),
  };
  const out = new Uint32Array(2);
  let next = job.start;
  for (;;) {
    const r = searchBatch(job, next, out);
    if (typeof r !== 'number') {
      post({ type: 'found', work: r.work.toString(16), value: r.value.toString(16), hashes: r.hashes, engine: searchEngine() });
      return;
    }
    post({ type: 'progress', hashes: r });
    next = BigInt.asUintN(64, next + BigInt(r));
  }
}

// Browser (DedicatedWorkerGlobalScope) or Node (worker_threads). The Node module is named
// through a variable so that bundlers do not try to resolve it for the browser build.
const scope = globalThis as unknown as { WorkerGlobalScope?: unknown; postMessage?: Post; onmessage?: unknown };
if (typeof scope.WorkerGlobalScope !== 'undefined') {
  scope.onmessage = (e: MessageEvent<StartMessage>) => run(e.data, (m) => scope.postMessage!(m));
} else {
  const nodeWorkerThreads = 'node:worker_threads';
  const { parentPort } = (await import(nodeWorkerThreads)) as typeof import('node:worker_threads');
  parentPort?.once('message', (m: StartMessage) => run(m, (x) => parentPort.postMessage(x)));
}
