// NnrpClient against three real nodes: send lands on publishTo distinct nodes with verified
// receipts, a dead node is replaced, a node demanding more work gets it once; fetch merges two
// nodes' answers, opens, and resumes from its checkpoint without losing or repeating items.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { tcp } from '@libp2p/tcp';
import { NnrpClient, SendFailedError } from '../../src/client.js';
import { keyPairFromPrivateKey } from '../../src/keys/notification-keys.js';
import { toHex } from '../../src/bytes.js';
import { HttpNodeTransport } from '../../src/net/http-transport.js';
import { contentHash } from '../../src/notification/hash.js';
import { notificationFor, tagStartingWith } from './fixtures.js';
import { NnrpNodeProcess, TEST_BASE_THRESHOLD } from './nnrp-node.js';

const hex32 = (): string => toHex(new Uint8Array(randomBytes(32)));
const newKey = () => keyPairFromPrivateKey(new Uint8Array(randomBytes(32)));
/** Nodes of this test accept work at their low base; the fetch floor is lowered to match. */
const testFetch = { minimumWork: TEST_BASE_THRESHOLD };

describe('NnrpClient send and fetch against three real nodes', () => {
  const nodes: NnrpNodeProcess[] = [];
  let demanding: NnrpNodeProcess | undefined;
  before(async () => {
    nodes.push(...(await NnrpNodeProcess.startMany(3)));
    // A node with a higher base: a sender that asked others for the threshold must pay it more.
    demanding = await NnrpNodeProcess.start({ baseThreshold: 'ff00000000000000' });
  });
  after(async () => {
    await Promise.all([...nodes, ...(demanding ? [demanding] : [])].map((n) => n.stop()));
  });

  it('sends to three distinct nodes over HTTP and fetches the event from two', async () => {
    const client = new NnrpClient({ nodes: nodes.map((n) => n.httpUrl), work: { workers: 1 } });
    const key = newKey();
    const fields = { R: hex32(), txHash: hex32(), amountRaw: '1000000000000000000000000', memo: 'coffee' };
    const sent = await client.send(toHex(key.publicKey), fields);
    assert.equal(sent.receipts.length, 3);
    assert.equal(sent.metTarget, true);
    assert.deepEqual(new Set(sent.receipts.map((r) => r.peerId)), new Set(nodes.map((n) => n.peerId)));
    assert.match(sent.address, /^nr_[13]/);

    const got = await client.fetch(key, testFetch);
    assert.equal(got.events.length, 1);
    assert.equal(got.events[0]!.hash, sent.hash);
    assert.equal(got.events[0]!.event.R, fields.R);
    assert.equal(got.events[0]!.event.memo, 'coffee');
    assert.equal(got.nodes.filter((n) => n.complete).length, 2);
    assert.ok(got.nodes.every((n) => n.prefixBits === 8), 'the privacy default asks for an 8-bit prefix');
    await client.close();
  });

  it('resumes from the checkpoint: nothing twice, nothing lost', async () => {
    const client = new NnrpClient({ nodes: nodes.map((n) => n.httpUrl), publishTo: 2, work: { workers: 1 } });
    const key = newKey();
    const first = await client.send(toHex(key.publicKey), { R: hex32(), txHash: hex32() });
    const a = await client.fetch(key, testFetch);
    assert.deepEqual(a.events.map((e) => e.hash), [first.hash]);
    const b = await client.fetch(key, { ...testFetch, checkpoint: a.checkpoint });
    assert.deepEqual(b.events, [], 'an item delivered before is not delivered again');
    const second = await client.send(toHex(key.publicKey), { R: hex32(), txHash: hex32() });
    const c = await client.fetch(key, { ...testFetch, checkpoint: b.checkpoint });
    assert.deepEqual(c.events.map((e) => e.hash), [second.hash]);
    assert.equal(JSON.parse(c.checkpoint).recipient_tag, toHex(key.tag));
    await client.close();
  });

  it('lists an item for our tag that does not open as rejected, and neighbours\' items not at all', async () => {
    const client = new NnrpClient({ nodes: nodes.map((n) => n.httpUrl), fetchFrom: 2 });
    const key = newKey();
    const http = new HttpNodeTransport(nodes[0]!.httpUrl);
    const garbage = notificationFor(key.tag);
    const neighbour = notificationFor(tagStartingWith(key.tag[0]!));
    for (const n of [garbage, neighbour]) assert.equal((await http.publish(n)).reason, 'ok');
    const got = await client.fetch(key, testFetch);
    assert.deepEqual(got.events, []);
    assert.deepEqual(got.rejected.map((r) => [r.hash, r.reason]), [[toHex(contentHash(garbage)), 'undecryptable']]);
    await client.close();
  });

  it('replaces a dead node and pays a demanding node its threshold once', async () => {
    // Status is asked of the first two (dead, live): the start threshold is the low base.
    const dead = 'http://127.0.0.1:9';
    const client = new NnrpClient({ nodes: [dead, nodes[0]!.httpUrl, demanding!.httpUrl], publishTo: 2, work: { workers: 1 }, timeoutMs: 5_000 });
    const key = newKey();
    const sent = await client.send(toHex(key.publicKey), { R: hex32(), txHash: hex32() });
    assert.deepEqual(new Set(sent.receipts.map((r) => r.peerId)), new Set([nodes[0]!.peerId, demanding!.peerId]));
    assert.deepEqual(sent.failures.map((f) => [f.endpoint, f.reason]), [[dead, 'unreachable']]);
    await client.close();
  });

  it('fails when fewer nodes than asked store it, and says who refused', async () => {
    const client = new NnrpClient({ nodes: ['http://127.0.0.1:9', nodes[0]!.httpUrl], publishTo: 2, work: { workers: 1 }, timeoutMs: 5_000 });
    const error = await client.send(toHex(newKey().publicKey), { R: hex32(), txHash: hex32() }).catch((e: unknown) => e);
    assert.ok(error instanceof SendFailedError, String(error));
    assert.equal(error.result.receipts.length, 1);
    assert.equal(error.result.failures[0]!.reason, 'unreachable');
    await client.close();
  });

  it('sends and fetches over libp2p (/nnrp/1.0 on TCP) with the same rules', async () => {
    const client = new NnrpClient({ nodes: nodes.map((n) => n.multiaddr), libp2pTransports: [tcp()], dialTcp: true, work: { workers: 1 } });
    assert.equal(client.nodes.length, 3);
    const key = newKey();
    const sent = await client.send(toHex(key.publicKey), { R: hex32(), txHash: hex32() });
    assert.equal(sent.receipts.length, 3);
    const got = await client.fetch(key, testFetch);
    assert.deepEqual(got.events.map((e) => e.hash), [sent.hash]);
    await client.close();
  });

  it('takes relay hints of an nnrp: URI as nodes', async () => {
    const client = new NnrpClient({ nodes: [], publishTo: 1, work: { workers: 1 } });
    const key = newKey();
    const port = new URL(nodes[1]!.httpUrl).port;
    const { notificationUriOf } = await import('../../src/keys/notification-keys.js');
    const uri = notificationUriOf(key, [`/ip4/127.0.0.1/tcp/${port}/http`]);
    const sent = await client.send(uri, { R: hex32(), txHash: hex32() });
    assert.deepEqual(sent.receipts.map((r) => r.peerId), [nodes[1]!.peerId]);
    await client.close();
  });
});
