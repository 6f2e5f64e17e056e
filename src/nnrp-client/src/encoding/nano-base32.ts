// NNRP.md §10.1: Nano base32, alphabet 13456789abcdefghijkmnopqrstuwxyz, 5 bits per character,
// most significant first. Two paddings:
//   leading  — zero bits before the data (Nano accounts, nr_, nnrp:): 32 bytes → 52 chars
//   trailing — zero bits after the data (nnym_, as @nanomyms/protocol writes it)
// Decoders take either case and require the exact length and zero padding bits.
import { NnrpFormatError } from '../errors.js';

export const NANO_BASE32_ALPHABET = '13456789abcdefghijkmnopqrstuwxyz';

const VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 32; i++) {
    const c = NANO_BASE32_ALPHABET.charCodeAt(i);
    t[c] = i;
    if (c >= 97) t[c - 32] = i; // upper case
  }
  return t;
})();

/** Characters for `byteCount` bytes: ⌈8n/5⌉. */
export function encodedLength(byteCount: number): number {
  return Math.floor((byteCount * 8 + 4) / 5);
}

function encode(bytes: Uint8Array, pad: number): string {
  const chars = encodedLength(bytes.length);
  const totalBits = bytes.length * 8;
  let s = '';
  for (let c = 0; c < chars; c++) {
    let v = 0;
    for (let b = 0; b < 5; b++) {
      const bit = c * 5 + b - pad;
      v = (v << 1) | (bit < 0 || bit >= totalBits ? 0 : (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    s += NANO_BASE32_ALPHABET[v]!;
  }
  return s;
}

function decode(text: string, byteCount: number, pad: number): Uint8Array | undefined {
  const chars = encodedLength(byteCount);
  if (text.length !== chars) return undefined;
  const out = new Uint8Array(byteCount);
  const totalBits = byteCount * 8;
  for (let c = 0; c < chars; c++) {
    const code = text.charCodeAt(c);
    const v = code < 128 ? VALUE[code]! : -1;
    if (v < 0) return undefined;
    for (let b = 0; b < 5; b++) {
      const bit = c * 5 + b - pad;
      const set = (v >> (4 - b)) & 1;
      if (bit < 0 || bit >= totalBits) {
        if (set !== 0) return undefined; // non-zero padding: not the canonical spelling
        continue;
      }
      out[bit >> 3]! |= set << (7 - (bit & 7));
    }
  }
  return out;
}

/** Leading-padded encoding (Nano account style). */
export function encodeLeading(bytes: Uint8Array): string {
  return encode(bytes, encodedLength(bytes.length) * 5 - bytes.length * 8);
}

/** Trailing-padded encoding (`nnym_` style). */
export function encodeTrailing(bytes: Uint8Array): string {
  return encode(bytes, 0);
}

/** Decodes a leading-padded value of exactly `byteCount` bytes, or throws. */
export function decodeLeading(text: string, byteCount: number, field = 'Nano base32'): Uint8Array {
  const out = decode(text, byteCount, encodedLength(byteCount) * 5 - byteCount * 8);
  if (!out) throw new NnrpFormatError(`${field} must be ${encodedLength(byteCount)} Nano base32 characters with zero padding bits`);
  return out;
}

/** Decodes a trailing-padded value; its byte count is ⌊5·length/8⌋ and the length must be canonical. */
export function decodeTrailing(text: string, field = 'Nano base32'): Uint8Array {
  const byteCount = Math.floor((text.length * 5) / 8);
  const out = encodedLength(byteCount) === text.length ? decode(text, byteCount, 0) : undefined;
  if (!out) throw new NnrpFormatError(`${field} must be Nano base32 of a whole number of bytes with zero padding bits`);
  return out;
}
