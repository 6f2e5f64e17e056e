// Libp2pNodeTransport against a real `nnrp node` over TCP (NNRP.md §11; the browser build dials
// /ws and /tls/ws with the same code): status, publish with the node's receipt, refusals as
// reasons, cursor paging, and a page larger than the yamux window consumed as it arrives (§11.5).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tcp } from '@libp2p/tcp';
import { toHex } from '../../src/bytes.js';
import { contentHash } from '../../src/notification/hash.js';
import { NodeRefusedError, NodeUnreachableError } from '../../src/net/errors.js';
import { HttpNodeTransport } from '../../src/net/http-transport.js';
import { Libp2pDialer } from '../../src/net/libp2p-dialer.js';
import { Libp2pNodeTransport } from '../../src/net/libp2p-transport.js';
import { notificationFor, publishMany, randomTag, readAllPages, tagStartingWith } from './fixtures.js';
import { NnrpNodeProcess, TEST_BASE_THRESHOLD } from './nnrp-node.js';

describe('Libp2pNodeTransport over TCP against a real node', () => {
  let node: NnrpNodeProcess;
  let dialer: Libp2pDialer;
  let p2p: Libp2pNodeTransport;
  before(async () => {
    node = await NnrpNodeProcess.start({ extraArgs: ['--http-rate-limit', '100000'] });
    dialer = new Libp2pDialer({ transports: [tcp()] });
    p2p = new Libp2pNodeTransport(node.multiaddr, dialer, { timeoutMs: 20_000 });
  });
  after(async () => {
    await dialer?.stop();
    await node?.stop();
  });

  it('reads the status and names the dialed peer', async () => {
    const status = await p2p.status();
    assert.equal(status.protocolVersion, 1);
    assert.equal(status.baseThreshold, TEST_BASE_THRESHOLD);
    assert.equal(status.peerId, node.peerId);
    assert.equal(p2p.peerId, node.peerId);
  });

  it('publishes and gets a receipt, then duplicate', async () => {
    const n = notificationFor(randomTag());
    const outcome = await p2p.publish(n);
    assert.equal(outcome.reason, 'ok', outcome.message);
    assert.deepEqual(outcome.hash, contentHash(n));
    assert.deepEqual(outcome.receipt?.hash, contentHash(n));
    assert.equal(outcome.receipt?.expiresAt, n.timestamp + BigInt(n.ttl));
    assert.equal((await p2p.publish(n)).reason, 'duplicate');
  });

  it('reads short work as insufficient_work with the required threshold', async () => {
    const outcome = await p2p.publish(notificationFor(randomTag(), { meets: false }));
    assert.equal(outcome.reason, 'insufficient_work');
    assert.equal(outcome.requiredThreshold, TEST_BASE_THRESHOLD);
  });

  it('reads a prefix under 8 bits as an over_capacity refusal', async () => {
    const error = await p2p.fetch({ prefix: { bits: 0, bytes: new Uint8Array(0) } }).catch((e: unknown) => e);
    assert.ok(error instanceof NodeRefusedError, String(error));
    assert.equal(error.reason, 'over_capacity');
  });

  it('pages by cursor and sees what HTTP published', async () => {
    const tag = randomTag();
    const sent = await publishMany(new HttpNodeTransport(node.httpUrl), tag, 5);
    const { hashes, pages } = await readAllPages(p2p, { prefix: { bits: 256, bytes: tag }, limit: 2 });
    assert.ok(pages >= 3, `5 items in pages of 2 took ${pages} pages`);
    assert.deepEqual([...hashes].sort(), [...sent].sort());
  });

  it('consumes a 500-item page (over the 256 KiB stream window) as it arrives', async () => {
    // 500 tags under one 8-bit prefix, ~700 bytes each: one answer of ~360 KB.
    const http = new HttpNodeTransport(node.httpUrl);
    const first = 0xa5;
    const all = Array.from({ length: 500 }, () => notificationFor(tagStartingWith(first), { payloadSize: 600 }));
    for (let i = 0; i < all.length; i += 25) {
      const outcomes = await Promise.all(all.slice(i, i + 25).map((n) => http.publish(n)));
      assert.ok(outcomes.every((o) => o.reason === 'ok'), JSON.stringify(outcomes.find((o) => o.reason !== 'ok')));
    }
    const page = await p2p.fetch({ prefix: { bits: 8, bytes: new Uint8Array([first]) }, limit: 500 });
    assert.equal(page.notifications.length, 500);
  });

  it('reports a peer that is not listening as unreachable', async () => {
    // Another node's id: with this node's id, libp2p would reuse the open connection.
    const dead = new Libp2pNodeTransport('/ip4/127.0.0.1/tcp/9/p2p/12D3KooWJT9ZveKs4PccTXLDoFKDYKzH63W3RHjcugjg5oEVBxWo', dialer, { timeoutMs: 5_000 });
    const error = await dead.status().catch((e: unknown) => e);
    assert.ok(error instanceof NodeUnreachableError, String(error));
  });
});
