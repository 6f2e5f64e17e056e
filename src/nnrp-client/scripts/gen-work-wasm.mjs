// Emits src/work/blake2b-work-wasm.generated.ts: the same specialised BLAKE2b-8 as
// gen-work-hash.mjs (NNRP.md §6.1), as a WebAssembly module with native i64 words — one
// compression per attempt, twelve rounds unrolled, the zero message words' additions elided.
// The module is written byte by byte here (no toolchain needed) and embedded as base64.
//   export memory: bytes 0..31 the root (4 LE u64 words), bytes 32..39 the value found
//   export search(start: i64, count: i32, threshold: i64) -> i32   index of the first work
//     start + i with value ≥ threshold (its value stored at 32), or −1
// Run: node scripts/gen-work-wasm.mjs (the output is checked in).
import { writeFileSync } from 'node:fs';

const IV = [0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4], [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13], [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11], [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5], [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const M64 = (1n << 64n) - 1n;

const uleb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const sleb64 = (v) => { // v: BigInt, signed LEB128 of its two's complement i64 value
  let x = BigInt.asIntN(64, v); const out = [];
  for (;;) { const b = Number(x & 0x7fn); x >>= 7n; const done = (x === 0n && !(b & 0x40)) || (x === -1n && (b & 0x40)); out.push(done ? b : b | 0x80); if (done) return out; }
};
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const str = (s) => vec([...Buffer.from(s)].map((b) => [b]));

// Locals: params 0 start (i64), 1 count (i32), 2 threshold (i64); v0..v15 = 3..18,
// m1..m4 = 19..22, w = 23 (i64); i = 24 (i32).
const V = (k) => 3 + k, MW = (k) => 19 + (k - 1), W = 23, I = 24;
const code = [];
const get = (l) => code.push(0x20, ...uleb(l));
const set = (l) => code.push(0x21, ...uleb(l));
const i64c = (v) => code.push(0x42, ...sleb64(v));
const ADD = 0x7c, XOR = 0x85, ROTR = 0x8a;
const msgLocal = (i) => (i === 0 ? W : i <= 4 ? MW(i) : null);
function addTo(a, b, x) { get(a); get(b); code.push(ADD); if (x !== null) { get(x); code.push(ADD); } set(a); }
function xorRot(d, a, n) { get(d); get(a); code.push(XOR); i64c(BigInt(n)); code.push(ROTR); set(d); }
function G(a, b, c, d, x, y) {
  addTo(V(a), V(b), x); xorRot(V(d), V(a), 32); addTo(V(c), V(d), null); xorRot(V(b), V(c), 24);
  addTo(V(a), V(b), y); xorRot(V(d), V(a), 16); addTo(V(c), V(d), null); xorRot(V(b), V(c), 63);
}
// m1..m4 from memory 0..31
for (let k = 1; k <= 4; k++) { code.push(0x41, 0x00, 0x29, 0x03, ...uleb((k - 1) * 8)); set(MW(k)); }
const h0 = IV[0] ^ 0x01010008n;
code.push(0x02, 0x40, 0x03, 0x40); // block, loop
get(I); get(1); code.push(0x4f, 0x0d, 0x01); // i >= count → br_if 1 (out of the block)
get(0); get(I); code.push(0xad, ADD); set(W); // w = start + u64(i)
for (let k = 0; k < 16; k++) {
  let v = k === 0 ? h0 : IV[k % 8];
  if (k === 12) v ^= 40n;
  if (k === 14) v ^= M64;
  i64c(v); set(V(k));
}
for (let r = 0; r < 12; r++) {
  const s = SIGMA[r % 10];
  const m = (j) => msgLocal(s[j]);
  G(0, 4, 8, 12, m(0), m(1)); G(1, 5, 9, 13, m(2), m(3)); G(2, 6, 10, 14, m(4), m(5)); G(3, 7, 11, 15, m(6), m(7));
  G(0, 5, 10, 15, m(8), m(9)); G(1, 6, 11, 12, m(10), m(11)); G(2, 7, 8, 13, m(12), m(13)); G(3, 4, 9, 14, m(14), m(15));
}
// value = h0 ^ v0 ^ v8 → w (reused); if value >= threshold: store at 32, return i
i64c(h0); get(V(0)); code.push(XOR); get(V(8)); code.push(XOR); set(W);
get(W); get(2); code.push(0x5a, 0x04, 0x40); // i64.ge_u, if
code.push(0x41, 0x00); get(W); code.push(0x37, 0x03, 0x20); // i64.store offset 32
get(I); code.push(0x0f, 0x0b); // return i; end if
get(I); code.push(0x41, 0x01, 0x6a); set(I); // i++
code.push(0x0c, 0x00, 0x0b, 0x0b); // br 0 (loop); end loop; end block
code.push(0x41, 0x7f, 0x0b); // return -1; end function

const body = [...vec([[...uleb(21), 0x7e], [...uleb(1), 0x7f]]), ...code];
const module = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...vec([[0x7e], [0x7f], [0x7e]]), ...vec([[0x7f]])]])),
  ...section(3, vec([[0x00]])),
  ...section(5, vec([[0x00, 0x01]])),
  ...section(7, vec([[...str('search'), 0x00, 0x00], [...str('memory'), 0x02, 0x00]])),
  ...section(10, vec([[...uleb(body.length), ...body]])),
];
const base64 = Buffer.from(module).toString('base64');
writeFileSync(new URL('../src/work/blake2b-work-wasm.generated.ts', import.meta.url), `// GENERATED by scripts/gen-work-wasm.mjs — do not edit. NNRP.md §6.1 work search as a
// WebAssembly module (${module.length} bytes): memory[0..32) = root, memory[32..40) = value found;
// search(start: i64, count: i32, threshold: i64) -> i32 (index found, or -1).
export const WORK_WASM_BASE64 =
  '${base64.match(/.{1,96}/g).join("' +\n  '")}';
`);
console.log(`wasm module: ${module.length} bytes`);
