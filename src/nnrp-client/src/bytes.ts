// Byte helpers on Uint8Array (no Buffer: the same code runs in browsers).
import { NnrpFormatError } from './errors.js';

const HEX = '0123456789abcdef';

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Hex of either case; `size` (bytes) is checked when given. */
export function fromHex(text: string, size?: number, field = 'hex'): Uint8Array {
  if (text.length % 2 !== 0 || (size !== undefined && text.length !== size * 2)) {
    throw new NnrpFormatError(size === undefined
      ? `${field} must have an even number of hex digits`
      : `${field} must be ${size * 2} hex digits`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(text.charCodeAt(2 * i));
    const lo = hexNibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new NnrpFormatError(`${field} must be hex digits`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Lexicographic order of byte strings. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

export function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, false);
  return out;
}

export function u64be(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, value), false);
  return out;
}

export const utf8 = {
  encode: (text: string): Uint8Array => new TextEncoder().encode(text),
  /** Strict: invalid UTF-8 throws. */
  decode: (bytes: Uint8Array, field = 'text', keepBom = false): string => {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: keepBom }).decode(bytes);
    } catch {
      throw new NnrpFormatError(`${field} is not UTF-8`);
    }
  },
};

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62; // base64url
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

/** RFC 4648 §4 base64 with padding (url: §5, no padding). */
export function toBase64(bytes: Uint8Array, url = false): string {
  const alphabet = url ? B64.slice(0, 62) + '-_' : B64;
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]!;
    s += rest === 2 ? alphabet[(n >> 6) & 63]! : '';
    if (!url) s += rest === 2 ? '=' : '==';
  }
  return s;
}

/**
 * Base64 (standard with padding, or base64url with or without padding; `url` picks the
 * alphabet). Refuses other characters, bad lengths and non-zero padding bits.
 */
export function fromBase64(text: string, url = false, field = 'base64'): Uint8Array {
  let end = text.length;
  if (!url || end % 4 === 0) {
    while (end > 0 && text[end - 1] === '=' && text.length - end < 2) end--;
  }
  const padded = text.length - end;
  if (!url && text.length % 4 !== 0) throw new NnrpFormatError(`${field} must be padded base64`);
  if (padded > 0 && text.length % 4 !== 0) throw new NnrpFormatError(`${field} has bad padding`);
  if (end % 4 === 1) throw new NnrpFormatError(`${field} has a bad length`);
  const out = new Uint8Array(Math.floor((end * 6) / 8));
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    const urlChar = c === 45 || c === 95;
    const stdChar = c === 43 || c === 47;
    if (v < 0 || (url && stdChar) || (!url && urlChar)) throw new NnrpFormatError(`${field} has a character outside its alphabet`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new NnrpFormatError(`${field} has non-zero padding bits`);
  return out;
}
