// NNRP.md §6: work values (work.json, §13), thresholds and multipliers, the specialised hash
// against the general BLAKE2b, and generation: worker threads, in-thread, cancellation, and a
// Nano work server whose answer is verified.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  BASE_THRESHOLD, formatWork, fromMultiplier, generateWork, isValidWork, NnrpFormatError, parseWork, toHex, toMultiplier, workValue,
  workValueReference, WorkCancelledError,
} from '../src/index.js';
import { searchBatch, searchEngine } from '../src/work/work-search.js';
import { rootWords } from '../src/work/work-value.js';
import { hex, loadVectors } from '../test-support/vectors.js';

interface WV { kind: string; description: string; hash?: string; work?: string; value?: string; valid_at_base?: boolean; base?: string; multiplier?: number; threshold?: string }
const vectors = loadVectors<WV>('work.json');
const root = hex('bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de');
const EASY = 0xff00000000000000n; // 256 hashes on average

describe('work value (§6.1)', () => {
  for (const v of vectors.filter((x) => x.kind === 'value')) {
    it(v.description, () => {
      const work = parseWork(v.work!);
      assert.equal(formatWork(workValue(hex(v.hash!), work)), v.value);
      assert.equal(formatWork(workValueReference(hex(v.hash!), work)), v.value);
      assert.equal(isValidWork(hex(v.hash!), work, BASE_THRESHOLD), v.valid_at_base);
    });
  }
  it('the specialised BLAKE2b-8 equals the general one on 2000 random roots and works', () => {
    for (let i = 0; i < 2000; i++) {
      const r = crypto.getRandomValues(new Uint8Array(32));
      const words = crypto.getRandomValues(new Uint32Array(2));
      const w = (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
      assert.equal(workValue(r, w), workValueReference(r, w));
    }
  });
  it('both search engines (WebAssembly and JS) compute the reference value and stop at the first valid work', () => {
    assert.equal(searchEngine(), 'wasm', 'Node has WebAssembly: the fast engine must load');
    const out = new Uint32Array(2);
    for (let i = 0; i < 300; i++) {
      const r = crypto.getRandomValues(new Uint8Array(32));
      const words = crypto.getRandomValues(new Uint32Array(2));
      const start = (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
      for (const engine of ['wasm', 'js'] as const) {
        const found = searchBatch({ root: rootWords(r), threshold: 0n, start }, start, out, engine);
        assert.ok(typeof found !== 'number');
        assert.deepEqual([found.work, found.value, found.hashes], [start, workValueReference(r, start), 1], engine);
        const easy = searchBatch({ root: rootWords(r), threshold: EASY, start }, start, out, engine);
        if (typeof easy !== 'number') {
          assert.ok(workValueReference(r, easy.work) >= EASY);
          for (let w = start; w !== easy.work; w = BigInt.asUintN(64, w + 1n)) assert.ok(workValueReference(r, w) < EASY, `${engine} skipped ${w}`);
        }
      }
    }
  });
  it('the WebAssembly engine wraps at 2^64', () => {
    const out = new Uint32Array(2);
    const found = searchBatch({ root: rootWords(root), threshold: EASY, start: 0xffffffffffffff00n }, 0xffffffffffffff00n, out, 'wasm');
    assert.ok(typeof found !== 'number' && workValueReference(root, found.work) >= EASY);
  });
  it('text form: 16 hex digits big-endian, either case in', () => {
    assert.equal(formatWork(0x46d662n), '000000000046d662');
    assert.equal(parseWork('2BF29EF00786A6BC'), 0x2bf29ef00786a6bcn);
    assert.throws(() => parseWork('46d662'), NnrpFormatError);
    assert.throws(() => parseWork('000000000046d66g'), NnrpFormatError);
  });
});

describe('thresholds and multipliers (§6.2)', () => {
  for (const v of vectors.filter((x) => x.kind === 'threshold_from_multiplier')) {
    it(v.description, () => assert.equal(formatWork(fromMultiplier(v.multiplier!, parseWork(v.base!))), v.threshold));
  }
  for (const v of vectors.filter((x) => x.kind === 'multiplier_from_threshold')) {
    it(v.description, () => assert.ok(Math.abs(toMultiplier(parseWork(v.threshold!), parseWork(v.base!)) - v.multiplier!) < 1e-12));
  }
  for (const v of vectors.filter((x) => x.kind === 'required_threshold')) {
    it(`${v.description}: threshold of the multiplier`, () => assert.equal(formatWork(fromMultiplier(v.multiplier!)), v.threshold));
  }
  it('refuses a multiplier that is not positive and finite', () => {
    for (const m of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => fromMultiplier(m), NnrpFormatError);
  });
});

describe('work generation (§6)', () => {
  it('worker threads find valid work and report progress', async () => {
    let progress = 0n;
    const r = await generateWork(root, 0xfff0000000000000n, { workers: 2, onProgress: (h) => { progress = h; } });
    assert.equal(r.source, 'local');
    assert.equal(r.engine, 'wasm');
    assert.ok(r.value >= 0xfff0000000000000n);
    assert.equal(workValueReference(root, r.work), r.value);
    assert.ok(r.hashes > 0n && r.hashes >= progress);
  });
  it('in the calling thread (workers: 0)', async () => {
    const r = await generateWork(root, EASY, { workers: 0 });
    assert.ok(workValueReference(root, r.work) >= EASY);
  });
  it('cancels: an aborted signal ends the search with WorkCancelledError and stops the workers', async () => {
    const controller = new AbortController();
    const running = generateWork(root, 0xffffffffffffffffn, { workers: 2, signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(running, WorkCancelledError);
    await assert.rejects(generateWork(root, EASY, { signal: AbortSignal.abort() }), WorkCancelledError);
    const inThread = new AbortController();
    const p = generateWork(root, 0xffffffffffffffffn, { workers: 0, signal: inThread.signal, onProgress: () => inThread.abort() });
    await assert.rejects(p, WorkCancelledError);
  });
  it('refuses a root that is not 32 bytes', async () => {
    await assert.rejects(generateWork(new Uint8Array(31), EASY), NnrpFormatError);
  });
});

describe('Nano work server (work_generate)', () => {
  async function withServer(answer: (body: Record<string, string>) => unknown, run: (url: string, bodies: Record<string, string>[]) => Promise<void>): Promise<void> {
    const bodies: Record<string, string>[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (c: Buffer) => { text += c.toString(); });
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, string>;
        bodies.push(body);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer(body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
  it('asks with hash and difficulty, and uses a valid answer', async () => {
    const good = await generateWork(root, EASY, { workers: 0 });
    await withServer(() => ({ work: formatWork(good.work) }), async (url, bodies) => {
      const r = await generateWork(root, EASY, { workServerUrl: url, workers: 0 });
      assert.deepEqual({ source: r.source, work: r.work }, { source: 'server', work: good.work });
      assert.deepEqual(bodies, [{ action: 'work_generate', hash: toHex(root).toUpperCase(), difficulty: formatWork(EASY) }]);
    });
  });
  it('verifies the answer: too little work, an error or garbage falls back to local generation', async () => {
    let bad = 0n;
    while (workValue(root, bad) >= EASY) bad++;
    for (const answer of [{ work: formatWork(bad) }, { error: 'Work generation failed' }, { work: 42 }]) {
      await withServer(() => answer, async (url) => {
        const r = await generateWork(root, EASY, { workServerUrl: url, workers: 0 });
        assert.equal(r.source, 'local');
        assert.ok(r.serverError);
        assert.ok(workValueReference(root, r.work) >= EASY);
      });
    }
  });
  it('an unreachable work server falls back too', async () => {
    const r = await generateWork(root, EASY, { workServerUrl: 'http://127.0.0.1:1/', workers: 0 });
    assert.equal(r.source, 'local');
  });
});
