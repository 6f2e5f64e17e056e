// NNRP.md §12: the HTTP JSON form of notifications, receipts, pages and problems.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fetchPageFromJson, formatCursor, formatNotificationJson, NnrpFormatError, parseNotificationJson, problemFromJson,
  publishAnswerFromJson, receiptFromJson, receiptToJson, toHex, type Notification,
} from '../src/index.js';
import { hex, loadVectors } from '../test-support/vectors.js';

interface NV { json?: string; recipient_tag: string; timestamp: number; ttl: number; payload: string; work: string; version: number }
const v = loadVectors<NV>('notifications.json').find((x) => x.json !== undefined)!;
const n: Notification = { version: v.version, recipientTag: hex(v.recipient_tag), timestamp: BigInt(v.timestamp), ttl: v.ttl, payload: hex(v.payload), work: BigInt('0x' + v.work) };

describe('notification JSON (§12)', () => {
  it('writes the vector byte for byte and reads it back', () => {
    assert.ok(v.json);
    assert.equal(formatNotificationJson(n), v.json);
    assert.deepEqual(parseNotificationJson(v.json), n);
  });
  it('reads either hex case and ignores unknown fields', () => {
    const doc = JSON.parse(v.json!) as Record<string, unknown>;
    doc.recipient_tag = (doc.recipient_tag as string).toUpperCase();
    doc.extra = { a: 1 };
    assert.deepEqual(parseNotificationJson(JSON.stringify(doc)), n);
  });
  const refusals: [string, (doc: Record<string, unknown>) => string][] = [
    ['a missing field', (d) => { delete d.work; return JSON.stringify(d); }],
    ['a repeated field', (d) => JSON.stringify(d).replace('"ttl":', '"ttl":60,"ttl":')],
    ['a 63-digit tag', (d) => JSON.stringify({ ...d, recipient_tag: (d.recipient_tag as string).slice(1) })],
    ['unpadded base64', (d) => JSON.stringify({ ...d, payload: (d.payload as string).replace(/=+$/, '') })],
    ['base64url characters', (d) => JSON.stringify({ ...d, payload: (d.payload as string).replace('+', '-').replace('/', '_') })],
    ['15-digit work', (d) => JSON.stringify({ ...d, work: '00000000046d662' })],
    ['a fractional timestamp', (d) => JSON.stringify({ ...d, timestamp: 1.5 })],
    ['a string ttl', (d) => JSON.stringify({ ...d, ttl: '60' })],
    ['a document over 8 KiB', (d) => JSON.stringify({ ...d, pad: 'x'.repeat(8200) })],
    ['not an object', () => '[1]'],
    ['not JSON', () => '{"version":'],
  ];
  for (const [name, make] of refusals) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseNotificationJson(make(JSON.parse(v.json!) as Record<string, unknown>)), NnrpFormatError);
    });
  }
});

describe('receipts, publish answers, problems and pages (§12)', () => {
  const receipt = { hash: new Uint8Array(32).fill(1), expiresAt: 1775001600n, nodePublicKey: new Uint8Array(32).fill(2), signature: new Uint8Array(64).fill(3) };
  it('receipt JSON round-trips with lowercase hex', () => {
    const json = receiptToJson(receipt);
    assert.equal(json.signature, '03'.repeat(64));
    assert.deepEqual(receiptFromJson(JSON.parse(JSON.stringify(json))), receipt);
    assert.throws(() => receiptFromJson({ ...json, signature: 'ab' }), NnrpFormatError);
  });
  it('202 is stored now, 200 already stored', () => {
    const body = { hash: toHex(receipt.hash), address: 'nr_x', receipt: receiptToJson(receipt) };
    assert.equal(publishAnswerFromJson(body, 202).reason, 'ok');
    assert.equal(publishAnswerFromJson(body, 200).reason, 'duplicate');
    assert.deepEqual(publishAnswerFromJson(body, 202).receipt, receipt);
  });
  it('problem details read back as the §11.4 words', () => {
    const p = problemFromJson({ type: 'x', title: 'Insufficient work', reason: 'insufficient_work', required_threshold: 'ffffff0000000000' }, 400);
    assert.deepEqual(p, { reason: 'insufficient_work', requiredThreshold: 0xffffff0000000000n, message: 'Insufficient work' });
    assert.deepEqual(problemFromJson({ reason: 'rate_limited' }, 429, '7'), { reason: 'rate_limited', retryAfterSeconds: 7 });
    assert.equal(problemFromJson('not an object', 503).reason, 'internal');
    assert.equal(problemFromJson({ reason: 'made_up' }, 429).reason, 'rate_limited');
    assert.equal(problemFromJson({ reason: 'wrong_shard', title: 'Not a holder of this shard' }, 421).reason, 'wrong_shard');
    assert.equal(problemFromJson({}, 421).reason, 'wrong_shard');
  });
  it('mailbox pages: notifications and a base64url cursor or null', () => {
    const item = JSON.parse(v.json!) as unknown;
    const cursor = new Uint8Array([0xfb, 0xff, 0x01]);
    const page = fetchPageFromJson({ notifications: [item], next_cursor: formatCursor(cursor) });
    assert.deepEqual(page, { notifications: [n], nextCursor: cursor });
    assert.equal(formatCursor(cursor), '-_8B');
    assert.deepEqual(fetchPageFromJson({ notifications: [], next_cursor: null }), { notifications: [] });
    assert.throws(() => fetchPageFromJson({ notifications: {} }), NnrpFormatError);
  });
});
