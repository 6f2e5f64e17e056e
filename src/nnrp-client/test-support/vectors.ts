// Reads the repository's test vectors (protocols/vectors/*.json, NNRP.md §16) from the
// package at src/nnrp-client. A missing file fails the test that needs it (never a skip).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// dist/test-support/vectors.js → the package is two folders up, the repository four.
const folder = new URL('../../../../protocols/vectors/', import.meta.url);

export interface VectorFile<T> { family: string; spec: string; vectors: T[] }

export function loadVectors<T = Record<string, unknown>>(name: string): T[] {
  const path = fileURLToPath(new URL(name, folder));
  const file = JSON.parse(readFileSync(path, 'utf8')) as VectorFile<T>;
  if (!Array.isArray(file.vectors) || file.vectors.length === 0) throw new Error(`${path} has no vectors`);
  return file.vectors;
}

export const hex = (s: string): Uint8Array => Uint8Array.from((s.match(/../g) ?? []).map((x) => parseInt(x, 16)));
export const seed00to1f = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
