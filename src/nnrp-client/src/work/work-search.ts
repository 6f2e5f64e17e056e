// The search loop a worker runs (NNRP.md §6.1): from a random start, batch after batch of the
// specialised BLAKE2b-8, no allocation per attempt. Two engines compute the same function:
// WebAssembly with native 64-bit words (scripts/gen-work-wasm.mjs; ~30× the JS one in V8) and
// plain JS on int32 halves (scripts/gen-work-hash.mjs), used where WebAssembly is missing or
// refused (a CSP without 'wasm-unsafe-eval', a main thread that may not compile synchronously).
import { fromBase64 } from '../bytes.js';
import { WORK_WASM_BASE64 } from './blake2b-work-wasm.generated.js';
import { searchWork } from './blake2b-work.generated.js';

/** Attempts per batch: between batches a worker reports progress (a few ms to tens of ms). */
export const BATCH = 1 << 16;

export type SearchEngine = 'wasm' | 'js';

export interface SearchJob {
  root: Uint32Array;          // 8 LE u32 words of the 32-byte root
  threshold: bigint;
  start: bigint;              // first work tried
}

export interface SearchFound { work: bigint; value: bigint; hashes: number }

interface WasmSearch {
  search(start: bigint, count: number, threshold: bigint): number;
  memory: WebAssembly.Memory;
}

let wasm: WasmSearch | null | undefined;

function wasmSearch(): WasmSearch | null {
  if (wasm === undefined) {
    try {
      const module = new WebAssembly.Module(fromBase64(WORK_WASM_BASE64) as Uint8Array<ArrayBuffer>);
      wasm = new WebAssembly.Instance(module, {}).exports as unknown as WasmSearch;
    } catch {
      wasm = null;
    }
  }
  return wasm;
}

/** The engine this thread hashes with. */
export function searchEngine(): SearchEngine {
  return wasmSearch() ? 'wasm' : 'js';
}

/**
 * Searches one batch of at most BATCH works from `start`. Returns the work found or the count
 * tried. The JS engine keeps the high word fixed within a batch (it stops at a 2^32 boundary);
 * the WebAssembly one adds in 64 bits.
 */
export function searchBatch(job: SearchJob, start: bigint, out: Uint32Array, engine: SearchEngine = searchEngine()): SearchFound | number {
  const w = engine === 'wasm' ? wasmSearch() : null;
  if (w) {
    new Uint32Array(w.memory.buffer, 0, 8).set(job.root);
    const i = w.search(BigInt.asIntN(64, start), BATCH, BigInt.asIntN(64, job.threshold));
    if (i < 0) return BATCH;
    const value = new BigUint64Array(w.memory.buffer, 32, 1)[0]!;
    return { work: BigInt.asUintN(64, start + BigInt(i)), value, hashes: i + 1 };
  }
  const lo = Number(start & 0xffffffffn);
  const hi = Number((start >> 32n) & 0xffffffffn);
  const count = Math.min(BATCH, 2 ** 32 - lo);
  const t = job.threshold;
  const i = searchWork(job.root, lo, hi, count, Number(t & 0xffffffffn), Number(t >> 32n), out);
  if (i < 0) return count;
  return { work: BigInt.asUintN(64, start + BigInt(i)), value: (BigInt(out[1]!) << 32n) | BigInt(out[0]!), hashes: i + 1 };
}

/** A random u64 start (crypto.getRandomValues exists in browsers, workers and Node ≥ 19). */
export function randomStart(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(words[1]!) << 32n) | BigInt(words[0]!);
}
