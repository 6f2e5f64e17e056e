// BLAKE2b (RFC 7693) through @noble/hashes; NNRP.md §2 "BLAKE2b-n".
import { blake2b as nobleBlake2b } from '@noble/hashes/blake2.js';

/** BLAKE2b with an `outputLength`-byte digest and an optional key (≤ 64 bytes). */
export function blake2b(data: Uint8Array, outputLength: number, key?: Uint8Array): Uint8Array {
  return nobleBlake2b(data, key === undefined ? { dkLen: outputLength } : { dkLen: outputLength, key });
}
