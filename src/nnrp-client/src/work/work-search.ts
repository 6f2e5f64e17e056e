// The search loop a worker runs (NNRP.md §6.1): from a random start, batch after batch of the
// specialised BLAKE2b-8, no allocation per attempt. Shared by the Web Worker / worker_threads
// script and the in-thread fallback.
import { searchWork } from './blake2b-work.generated.js';

/** Attempts per batch: between batches a worker reports progress (≈ tens of ms of hashing). */
export const BATCH = 1 << 16;

export interface SearchJob {
  root: Uint32Array;          // 8 LE u32 words of the 32-byte root
  threshold: bigint;
  start: bigint;              // first work tried
}

export interface SearchFound { work: bigint; value: bigint; hashes: number }

/**
 * Searches one batch of at most BATCH works from `start`. Returns the work found or the count
 * tried. Within a batch the high word stays fixed (a batch stops at the 2^32 boundary).
 */
export function searchBatch(job: SearchJob, start: bigint, out: Uint32Array): SearchFound | number {
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
