// NNRP.md §3 (hash, relay address, limits, protobuf encoding), §5 (clock) and §11 (messages),
// against notifications.json and §13; every decoder gets truncated, oversized and random bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contentHash, decodeNotification, decodeRequest, decodeResponse, encodeNotification, encodeRequest, encodeResponse, hashPreimage,
  lengthPrefixed, NnrpFormatError, NotificationRuleError, readLengthPrefixed, relayAddressOf, toHex, validateNotification,
  type Notification, type Response,
} from '../src/index.js';
import { hex, loadVectors } from '../test-support/vectors.js';

interface NV { description: string; version: number; recipient_tag: string; timestamp: number; ttl: number; payload: string; work: string;
  preimage?: string; hash: string; relay_address: string; expires_at: number; work_value: string; protobuf: string; size: number }

const fromVector = (v: NV): Notification => ({
  version: v.version, recipientTag: hex(v.recipient_tag), timestamp: BigInt(v.timestamp), ttl: v.ttl, payload: hex(v.payload), work: BigInt('0x' + v.work),
});
const vectors = loadVectors<NV>('notifications.json');
const example = fromVector(vectors[0]!);

describe('content hash and relay address (§3.2, §3.3)', () => {
  for (const v of vectors) {
    it(v.description, () => {
      const n = fromVector(v);
      if (v.preimage) assert.equal(toHex(hashPreimage(n)), v.preimage);
      assert.equal(toHex(contentHash(n)), v.hash);
      assert.equal(relayAddressOf(n), v.relay_address);
    });
  }
  it('work is not hashed', () => {
    const noWork: Notification = { ...example, work: 0n };
    assert.deepEqual(contentHash(noWork), contentHash(example));
  });
});

describe('protobuf encoding (§3.4)', () => {
  for (const v of vectors) {
    it(`${v.description}: standard encoding, size, and back`, () => {
      const bytes = encodeNotification(fromVector(v));
      assert.equal(toHex(bytes), v.protobuf);
      assert.equal(bytes.length, v.size);
      assert.deepEqual(decodeNotification(hex(v.protobuf)), fromVector(v));
    });
  }
  it('ignores unknown fields and refuses what §3.4 refuses', () => {
    const withUnknown = new Uint8Array([...hex(vectors[0]!.protobuf), 0x78, 0x05, 0x82, 0x01, 0x02, 0xab, 0xcd]);
    assert.deepEqual(decodeNotification(withUnknown), example);
    assert.throws(() => decodeNotification(new Uint8Array(2305)), /2304/);
    assert.throws(() => decodeNotification(encodeNotification({ ...example, recipientTag: new Uint8Array(31) })), /recipient_tag/);
    assert.throws(() => decodeNotification(encodeNotification({ ...example, payload: new Uint8Array(2049) })), NnrpFormatError);
    assert.throws(() => decodeNotification(new Uint8Array([0x0b])), NnrpFormatError, 'group wire type');
    assert.throws(() => decodeNotification(new Uint8Array([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), NnrpFormatError);
  });
  it('every truncation of a valid encoding is refused or decodes to something else, never crashes', () => {
    const bytes = hex(vectors[0]!.protobuf);
    for (let i = 0; i < bytes.length; i++) {
      try {
        decodeNotification(bytes.subarray(0, i));
      } catch (e) {
        assert.ok(e instanceof NnrpFormatError, `cut at ${i}: ${String(e)}`);
      }
    }
  });
  it('random bytes only ever throw NnrpFormatError', () => {
    let seed = 12345;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed & 0xff; };
    for (let round = 0; round < 2000; round++) {
      const bytes = Uint8Array.from({ length: rnd() % 200 }, rnd);
      for (const decode of [decodeNotification, decodeRequest, decodeResponse]) {
        try {
          decode(bytes);
        } catch (e) {
          assert.ok(e instanceof NnrpFormatError, String(e));
        }
      }
    }
  });
});

describe('form and clock rules (§3.1, §5, §6.1)', () => {
  const now = 1767225600n;
  it('the §13 notification passes at the base threshold', () => {
    assert.equal(toHex(validateNotification(example, { now, threshold: 0xfffffe0000000000n })), vectors[0]!.hash);
  });
  const cases: [string, Partial<Notification>, string][] = [
    ['version 2', { version: 2 }, 'Version'],
    ['a 31-byte tag', { recipientTag: new Uint8Array(31) }, 'RecipientTagLength'],
    ['ttl 59', { ttl: 59 }, 'TtlRange'],
    ['ttl 90 days + 1 s', { ttl: 7_776_001 }, 'TtlRange'],
    ['a 2049-byte payload', { payload: new Uint8Array(2049) }, 'PayloadSize'],
    ['timestamp now + 601', { timestamp: now + 601n }, 'TimestampInFuture'],
    ['timestamp + ttl = now', { timestamp: now - 7_776_000n }, 'Expired'],
    ['work 0', { work: 0n }, 'InsufficientWork'],
  ];
  for (const [name, change, rule] of cases) {
    it(`refuses ${name} as ${rule}`, () => {
      assert.throws(() => validateNotification({ ...example, ...change }, { now, threshold: 0xfffffe0000000000n }),
        (e: unknown) => e instanceof NotificationRuleError && e.rule === rule);
    });
  }
  it('accepts the edges: ttl 60 and 7 776 000, now + 600, expiry one second ahead', () => {
    for (const change of [{ ttl: 60 }, { ttl: 7_776_000 }, { timestamp: now + 600n }, { timestamp: now - 7_775_999n }]) {
      assert.doesNotThrow(() => validateNotification({ ...example, ...change }, { now }));
    }
  });
});

describe('/nnrp/1.0 messages (§11)', () => {
  it('requests round-trip: publish, fetch by tag and by prefix, status', () => {
    const requests = [
      { publish: example },
      { fetch: { tag: example.recipientTag, since: 5n, limit: 500, cursor: new Uint8Array([1, 2]) } },
      { fetch: { prefix: { bits: 12, bytes: new Uint8Array([0xab, 0xc0]) } } },
      { status: true as const },
    ];
    for (const r of requests) assert.deepEqual(decodeRequest(encodeRequest(r)), r);
    assert.equal(toHex(encodeRequest({ status: true })), '1a00');
  });
  it('refuses fetches §11.5 forbids', () => {
    assert.throws(() => encodeRequest({ fetch: {} }), /exactly one/);
    assert.throws(() => encodeRequest({ fetch: { tag: new Uint8Array(31) } }), /32/);
    assert.throws(() => encodeRequest({ fetch: { prefix: { bits: 12, bytes: new Uint8Array([0xab, 0xc1]) } } }), /low bits/);
    assert.throws(() => encodeRequest({ fetch: { prefix: { bits: 9, bytes: new Uint8Array([0xab]) } } }), /bytes/);
    assert.throws(() => encodeRequest({ fetch: { tag: example.recipientTag, limit: 501 } }), /limit/);
    assert.throws(() => encodeRequest({ fetch: { tag: example.recipientTag, cursor: new Uint8Array(65) } }), /cursor/);
  });
  it('responses round-trip with every body', () => {
    const responses: Response[] = [
      { reason: 'ok', publish: { hash: contentHash(example), receipt: { hash: contentHash(example), expiresAt: 1775001600n, nodePublicKey: new Uint8Array(32).fill(7), signature: new Uint8Array(64).fill(9) } } },
      { reason: 'insufficient_work', message: 'more work', requiredThreshold: 0xffffff0000000000n },
      { reason: 'rate_limited', retryAfterSeconds: 3 },
      { reason: 'wrong_shard', message: 'the tag is outside this node\'s shards' },
      { reason: 'ok', fetch: { notifications: [example, example], nextCursor: new Uint8Array([4, 5, 6]) } },
      { reason: 'ok', statusInfo: { agent: 'nnrp-dotnet/0.1.0', protocolVersion: 1, baseThreshold: 0xfffffe0000000000n, currentThreshold: 0xffffff0000000000n,
        stored: 42n, now: 1767225600n, maxPayload: 2048, minTtl: 60, maxTtl: 7_776_000, maxPage: 500, shards: [{ bits: 0, index: 0 }, { bits: 8, index: 200 }] } },
    ];
    for (const r of responses) assert.deepEqual(decodeResponse(encodeResponse(r)), r);
  });
  it('a response without a status (UNSPECIFIED) or with an unknown one is malformed', () => {
    assert.throws(() => decodeResponse(new Uint8Array(0)), /UNSPECIFIED/);
    assert.equal(decodeResponse(new Uint8Array([0x08, 0x0a])).reason, 'wrong_shard');
    assert.throws(() => decodeResponse(new Uint8Array([0x08, 0x0b])), /not defined/);
  });
  it('length prefixes: framing, partial input, and the limit checked before buffering', () => {
    const framed = lengthPrefixed(new Uint8Array(300).fill(1));
    assert.deepEqual(Array.from(framed.subarray(0, 2)), [0xac, 0x02]);
    assert.equal(readLengthPrefixed(framed.subarray(0, 100), 4096), undefined);
    assert.equal(readLengthPrefixed(framed.subarray(0, 1), 4096), undefined);
    assert.deepEqual(readLengthPrefixed(framed, 4096), { message: framed.subarray(2), consumed: 302 });
    assert.throws(() => readLengthPrefixed(new Uint8Array([0x81, 0x20]), 4096), /limit/);
    assert.throws(() => readLengthPrefixed(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 4096), /5 bytes/);
  });
});
