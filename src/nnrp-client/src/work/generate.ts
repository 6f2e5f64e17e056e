// NNRP.md §6: finding work ≥ threshold over a content hash.
// 1. a Nano work server, when `workServerUrl` is set (its answer is verified here);
// 2. otherwise, or when it fails: every core — Web Workers in browsers, worker_threads in Node —
//    each from its own random start; the first valid work wins and every worker is terminated.
// Cancellable through `signal`. `workers: 0` hashes in the calling thread (batches between
// macrotasks), for hosts without workers.
import type { WorkOptions } from '../api.js';
import { WorkCancelledError } from '../errors.js';
import { NnrpFormatError } from '../errors.js';
import { DEFAULT_WORK_SERVER_TIMEOUT_MS, requestServerWork } from './work-server.js';
import { randomStart, searchBatch, searchEngine, type SearchEngine } from './work-search.js';
import { rootWords, workValue } from './work-value.js';

export interface GenerateWorkOptions extends WorkOptions {
  /** Where the worker script is; default `work-worker.js` beside this module (bundlers: copy it). */
  workerUrl?: string | URL;
  /** How long the work server may take before local generation starts (ms). */
  workServerTimeoutMs?: number;
  /** fetch for the work server (tests, proxies). */
  fetch?: typeof fetch;
}

export interface WorkResult {
  work: bigint;
  value: bigint;
  source: 'server' | 'local';
  /** Hashes computed locally (0 when the server answered). */
  hashes: bigint;
  /** The hashing engine of the worker that found it: WebAssembly, or JS where it was refused. */
  engine?: SearchEngine;
  /** Why the work server was not used, when it was set and failed. */
  serverError?: string;
}

interface WorkerHandle {
  post(message: unknown): void;
  onMessage(listener: (data: WorkerMessage) => void): void;
  onError(listener: (error: unknown) => void): void;
  terminate(): void;
}

type WorkerMessage =
  | { type: 'progress'; hashes: number }
  | { type: 'found'; work: string; value: string; hashes: number; engine: SearchEngine };

const isBrowserWorkers = typeof (globalThis as { Worker?: unknown }).Worker === 'function'
  && typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== 'string';

function defaultWorkerUrl(): URL {
  return new URL('./work-worker.js', import.meta.url);
}

async function spawn(url: string | URL): Promise<WorkerHandle> {
  if (isBrowserWorkers) {
    const w = new Worker(url, { type: 'module', name: 'nnrp-work' });
    return {
      post: (m) => w.postMessage(m),
      onMessage: (l) => { w.onmessage = (e: MessageEvent<WorkerMessage>) => l(e.data); },
      onError: (l) => { w.onerror = (e) => { e.preventDefault(); l(new Error(e.message || 'work worker failed')); }; },
      terminate: () => w.terminate(),
    };
  }
  const nodeWorkerThreads = 'node:worker_threads';
  const { Worker: NodeWorker } = (await import(nodeWorkerThreads)) as typeof import('node:worker_threads');
  const w = new NodeWorker(url); // kept referenced: a pending search keeps the process alive
  return {
    post: (m) => w.postMessage(m),
    onMessage: (l) => { w.on('message', l); },
    onError: (l) => { w.on('error', l); },
    terminate: () => { void w.terminate(); },
  };
}

/** Cores to use: navigator.hardwareConcurrency, or Node's os.availableParallelism(). */
export async function defaultWorkerCount(): Promise<number> {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (typeof n === 'number' && n > 0) return n;
  try {
    const nodeOs = 'node:os';
    const os = (await import(nodeOs)) as typeof import('node:os');
    return os.availableParallelism();
  } catch {
    return 1;
  }
}

function checkRoot(root: Uint8Array, threshold: bigint): void {
  if (root.length !== 32) throw new NnrpFormatError(`a PoW root is 32 bytes, not ${root.length}`);
  if (threshold < 0n || threshold > 0xffffffffffffffffn) throw new NnrpFormatError('a threshold is a u64');
}

/** Finds work whose §6.1 value over `root` is ≥ `threshold`. */
export async function generateWork(root: Uint8Array, threshold: bigint, options: GenerateWorkOptions = {}): Promise<WorkResult> {
  checkRoot(root, threshold);
  const { signal } = options;
  if (signal?.aborted) throw new WorkCancelledError();
  let serverError: string | undefined;
  if (options.workServerUrl) {
    try {
      const work = await requestServerWork(options.workServerUrl, root, threshold, {
        timeoutMs: options.workServerTimeoutMs ?? DEFAULT_WORK_SERVER_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      const value = workValue(root, work);
      if (value >= threshold) return { work, value, source: 'server', hashes: 0n };
      serverError = `work server returned work ${work.toString(16)} whose value ${value.toString(16)} is below the threshold`;
    } catch (e) {
      if (signal?.aborted) throw new WorkCancelledError();
      serverError = e instanceof Error ? e.message : String(e);
    }
  }
  const workers = options.workers ?? await defaultWorkerCount();
  const result = workers <= 0
    ? await generateInThread(root, threshold, options)
    : await generateWithWorkers(root, threshold, Math.max(1, Math.floor(workers)), options);
  return serverError === undefined ? result : { ...result, serverError };
}

async function generateWithWorkers(root: Uint8Array, threshold: bigint, count: number, options: GenerateWorkOptions): Promise<WorkResult> {
  const url = options.workerUrl ?? defaultWorkerUrl();
  const words = Array.from(rootWords(root));
  const handles: WorkerHandle[] = [];
  let hashes = 0n;
  let settled = false;
  return new Promise<WorkResult>((resolve, reject) => {
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const h of handles) h.terminate();
      outcome();
    };
    const onAbort = (): void => finish(() => reject(new WorkCancelledError()));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const onMessage = (m: WorkerMessage): void => {
      if (settled) return;
      hashes += BigInt(m.hashes);
      if (m.type === 'progress') {
        options.onProgress?.(hashes);
        return;
      }
      const work = BigInt('0x' + m.work);
      const value = workValue(root, work); // never trust a worker's word for it
      if (value >= threshold) finish(() => resolve({ work, value, source: 'local', hashes, engine: m.engine }));
    };
    (async () => {
      for (let i = 0; i < count && !settled; i++) {
        const h = await spawn(url);
        if (settled) { h.terminate(); return; }
        handles.push(h);
        h.onMessage(onMessage);
        h.onError((e) => finish(() => reject(e instanceof Error ? e : new Error(String(e)))));
        h.post({ root: words, threshold: threshold.toString(16), start: randomStart().toString(16) });
      }
    })().catch((e: unknown) => finish(() => reject(e instanceof Error ? e : new Error(String(e)))));
  });
}

async function generateInThread(root: Uint8Array, threshold: bigint, options: GenerateWorkOptions): Promise<WorkResult> {
  const job = { root: rootWords(root), threshold, start: randomStart() };
  const out = new Uint32Array(2);
  let next = job.start;
  let hashes = 0n;
  for (;;) {
    if (options.signal?.aborted) throw new WorkCancelledError();
    const r = searchBatch(job, next, out);
    if (typeof r !== 'number') return { work: r.work, value: r.value, source: 'local', hashes: hashes + BigInt(r.hashes), engine: searchEngine() };
    hashes += BigInt(r);
    next = BigInt.asUintN(64, next + BigInt(r));
    options.onProgress?.(hashes);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
