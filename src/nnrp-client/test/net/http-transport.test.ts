// HttpNodeTransport against a real `nnrp node` (NNRP.md §12): status, publish and its receipt,
// duplicates, refusals read back as reasons, and mailbox paging by cursor.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../src/bytes.js';
import { contentHash } from '../../src/notification/hash.js';
import { HttpNodeTransport } from '../../src/net/http-transport.js';
import { NodeRefusedError, NodeUnreachableError } from '../../src/net/errors.js';
import { notificationFor, publishMany, randomTag, readAllPages } from './fixtures.js';
import { NnrpNodeProcess, TEST_BASE_THRESHOLD } from './nnrp-node.js';

describe('HttpNodeTransport against a real node', () => {
  let node: NnrpNodeProcess;
  let http: HttpNodeTransport;
  before(async () => {
    node = await NnrpNodeProcess.start();
    http = new HttpNodeTransport(node.httpUrl, { timeoutMs: 10_000 });
  });
  after(async () => {
    await node?.stop();
  });

  it('reads the status with the peer id and addresses', async () => {
    const status = await http.status();
    assert.equal(status.protocolVersion, 1);
    assert.equal(status.baseThreshold, TEST_BASE_THRESHOLD);
    assert.ok(status.currentThreshold >= status.baseThreshold);
    assert.equal(status.peerId, node.peerId);
    assert.ok(status.addresses?.some((a) => a.endsWith(`/p2p/${node.peerId}`)), JSON.stringify(status.addresses));
  });

  it('publishes: 202 stored with a receipt for the hash, then 200 duplicate', async () => {
    const n = notificationFor(randomTag());
    const first = await http.publish(n);
    assert.equal(first.reason, 'ok', first.message);
    assert.deepEqual(first.hash, contentHash(n));
    assert.ok(first.receipt);
    assert.deepEqual(first.receipt.hash, contentHash(n));
    assert.equal(first.receipt.expiresAt, n.timestamp + BigInt(n.ttl));
    const again = await http.publish(n);
    assert.equal(again.reason, 'duplicate');
    assert.ok(again.receipt);
  });

  it('reads a refusal for short work as insufficient_work with the required threshold', async () => {
    const n = notificationFor(randomTag(), { meets: false });
    const outcome = await http.publish(n);
    assert.equal(outcome.reason, 'insufficient_work');
    assert.equal(outcome.requiredThreshold, TEST_BASE_THRESHOLD);
    assert.equal(outcome.receipt, undefined);
    assert.ok(outcome.message && outcome.message.length > 0);
  });

  it('reads a notification stamped an hour ahead as future', async () => {
    const n = notificationFor(randomTag(), { timestamp: BigInt(Math.floor(Date.now() / 1000) + 3600) });
    assert.equal((await http.publish(n)).reason, 'future');
  });

  it('pages a mailbox by cursor until next_cursor is null', async () => {
    const tag = randomTag();
    const sent = await publishMany(http, tag, 5);
    const { hashes, pages } = await readAllPages(http, { tag, limit: 2 });
    assert.ok(pages >= 3, `5 items in pages of 2 took ${pages} pages`);
    assert.deepEqual([...hashes].sort(), [...sent].sort());
  });

  it('fetches by an 8-bit prefix and the node returns the tag among its neighbours', async () => {
    const tag = randomTag();
    const n = notificationFor(tag);
    assert.equal((await http.publish(n)).reason, 'ok');
    const page = await http.fetch({ prefix: { bits: 8, bytes: tag.subarray(0, 1) } });
    assert.ok(page.notifications.some((m) => toHex(m.recipientTag) === toHex(tag)));
    assert.ok(page.notifications.every((m) => m.recipientTag[0] === tag[0]));
  });

  it('reads a prefix wider than the node serves as over_capacity with min_prefix_bits', async () => {
    const error = await http.fetch({ prefix: { bits: 4, bytes: new Uint8Array([0x10]) } }).catch((e: unknown) => e);
    assert.ok(error instanceof NodeRefusedError, String(error));
    assert.equal(error.reason, 'over_capacity');
    assert.equal(error.details.minPrefixBits, 8);
  });

  it('reports a closed port as unreachable, not as a refusal', async () => {
    const dead = new HttpNodeTransport('http://127.0.0.1:9', { timeoutMs: 5_000 });
    const error = await dead.status().catch((e: unknown) => e);
    assert.ok(error instanceof NodeUnreachableError, String(error));
  });
});
