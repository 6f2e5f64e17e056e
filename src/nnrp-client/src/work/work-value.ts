// NNRP.md §6.1: value = BLAKE2b-8( work:u64 LE ‖ hash:32 ) read as u64 LE; valid ⇔ value ≥ threshold.
import { NnrpFormatError } from '../errors.js';
import { blake2b } from '../encoding/hashing.js';
import { searchWork } from './blake2b-work.generated.js';

/** The root as 8 little-endian u32 words, the form the specialised hash reads. */
export function rootWords(root: Uint8Array): Uint32Array {
  if (root.length !== 32) throw new NnrpFormatError(`a PoW root is 32 bytes, not ${root.length}`);
  const words = new Uint32Array(8);
  const view = new DataView(root.buffer, root.byteOffset, 32);
  for (let i = 0; i < 8; i++) words[i] = view.getUint32(i * 4, true);
  return words;
}

/** The work value with the specialised BLAKE2b-8 (the one the generator runs). */
export function workValue(root: Uint8Array, work: bigint): bigint {
  const out = new Uint32Array(2);
  const w = BigInt.asUintN(64, work);
  // Threshold 0: every work meets it, so the first attempt returns with its value.
  searchWork(rootWords(root), Number(w & 0xffffffffn), Number(w >> 32n), 1, 0, 0, out);
  return (BigInt(out[1]!) << 32n) | BigInt(out[0]!);
}

/** The work value with the general-purpose BLAKE2b (the reference the fast one is tested against). */
export function workValueReference(root: Uint8Array, work: bigint): bigint {
  if (root.length !== 32) throw new NnrpFormatError(`a PoW root is 32 bytes, not ${root.length}`);
  const message = new Uint8Array(40);
  new DataView(message.buffer).setBigUint64(0, BigInt.asUintN(64, work), true);
  message.set(root, 8);
  return new DataView(blake2b(message, 8).buffer).getBigUint64(0, true);
}

export function isValidWork(root: Uint8Array, work: bigint, threshold: bigint): boolean {
  return workValue(root, work) >= threshold;
}
