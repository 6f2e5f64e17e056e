// NNRP.md §6.1–§6.2: thresholds, multipliers and the text form of work (Nano's arithmetic,
// nano-node nano/lib/numbers.cpp difficulty::to_multiplier / from_multiplier), in bigint.
//   multiplier(threshold) = (2^64 − base) / (2^64 − threshold)
//   threshold(multiplier) = 2^64 − ⌊(2^64 − base) / multiplier⌋     (clamped to 0 … 2^64−1)
import { NnrpFormatError } from '../errors.js';

/** Nano's epoch-2 receive threshold, 2^23 hashes on average. */
export const BASE_THRESHOLD = 0xfffffe0000000000n;
/** Nano's epoch-2 send threshold, 64 × base (for reference). */
export const NANO_SEND_THRESHOLD = 0xfffffff800000000n;
export const U64_MAX = 0xffffffffffffffffn;
const TWO_POW_64 = 1n << 64n;

function distance(threshold: bigint): bigint {
  return TWO_POW_64 - threshold; // threshold 0 → 2^64
}

/** How much harder `threshold` is than `base`. */
export function toMultiplier(threshold: bigint, base = BASE_THRESHOLD): number {
  return Number(distance(base)) / Number(distance(threshold));
}

/**
 * The threshold `multiplier` times harder than `base`. The distance 2^64 − threshold is
 * ⌊(2^64 − base) / multiplier⌋, truncated to an integer as Nano does; too large a multiplier
 * clamps to 2^64 − 1, too small to 0.
 */
export function fromMultiplier(multiplier: number, base = BASE_THRESHOLD): bigint {
  if (!(multiplier > 0) || !Number.isFinite(multiplier)) throw new NnrpFormatError('a work multiplier is a positive finite number');
  const d = Number(distance(base)) / multiplier;
  if (d < 1) return U64_MAX;
  if (d >= 2 ** 64) return 0n;
  return TWO_POW_64 - BigInt(Math.floor(d));
}

/** Expected hashes to meet `threshold`: 2^64 / (2^64 − threshold). */
export function expectedHashes(threshold: bigint): number {
  return 2 ** 64 / Number(distance(threshold));
}

/** §6.1 text form: 16 lowercase hex digits of the u64, big-endian. */
export function formatWork(work: bigint): string {
  if (work < 0n || work > U64_MAX) throw new NnrpFormatError('work is a u64');
  return work.toString(16).padStart(16, '0');
}

/** Exactly 16 hex digits (either case), big-endian. */
export function parseWork(text: string): bigint {
  if (!/^[0-9a-fA-F]{16}$/.test(text)) throw new NnrpFormatError('work must be exactly 16 hex digits (big-endian u64)');
  return BigInt('0x' + text);
}
