// discover(): from one known node to several through /v1/status and /v1/peers of real nodes,
// distinct by peer id, bounded by `want` and by its deadline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tcp } from '@libp2p/tcp';
import { randomBytes } from 'node:crypto';
import { toHex } from '../../src/bytes.js';
import { NnrpClient } from '../../src/client.js';
import { keyPairFromPrivateKey } from '../../src/keys/notification-keys.js';
import { discover } from '../../src/net/discover.js';
import { HttpNodeTransport } from '../../src/net/http-transport.js';
import { Libp2pDialer } from '../../src/net/libp2p-dialer.js';
import { NnrpNodeProcess } from './nnrp-node.js';

/** Polls `condition` every 100 ms until it holds or `timeoutMs` passes. */
async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('discover from one node', () => {
  let seed: NnrpNodeProcess;
  const others: NnrpNodeProcess[] = [];
  before(async () => {
    seed = await NnrpNodeProcess.start();
    others.push(...(await NnrpNodeProcess.startMany(2, { bootstrap: [seed.multiaddr] })));
    const http = new HttpNodeTransport(seed.httpUrl);
    await waitFor('the seed node to list both peers', async () => (await http.peers()).length >= 2);
  });
  after(async () => {
    await Promise.all([seed, ...others].filter(Boolean).map((n) => n.stop()));
  });

  it('finds three nodes from one URL through /v1/peers, each once', async () => {
    const found = await discover(seed.httpUrl, { want: 3 });
    assert.deepEqual(new Set(found.map((n) => n.peerId)), new Set([seed, ...others].map((n) => n.peerId)));
    for (const node of found) {
      assert.equal(node.endpoints[0]?.kind, 'http', 'a browser-usable door first');
      assert.equal(node.status.protocolVersion, 1);
    }
  });

  it('gives NnrpClient.connect the nodes it needs, and the client sends to all three', async () => {
    const client = await NnrpClient.connect(seed.httpUrl, { publishTo: 3, work: { workers: 1 } });
    try {
      assert.equal(client.nodes.length, 3);
      const key = keyPairFromPrivateKey(new Uint8Array(randomBytes(32)));
      const sent = await client.send(toHex(key.publicKey), { R: toHex(new Uint8Array(32).fill(1)), txHash: toHex(new Uint8Array(32).fill(2)) });
      assert.equal(sent.receipts.length, 3);
    } finally {
      await client.close();
    }
  });

  it('stops at want', async () => {
    const found = await discover(seed.httpUrl, { want: 1 });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.peerId, seed.peerId);
  });

  it('counts two doors of one node once', async () => {
    const dialer = new Libp2pDialer({ transports: [tcp()] });
    try {
      const found = await discover([seed.httpUrl, seed.multiaddr], { want: 5, fanOut: 1, dialer, dialTcp: true });
      assert.equal(found.filter((n) => n.peerId === seed.peerId).length, 1);
      assert.equal(new Set(found.map((n) => n.peerId)).size, found.length);
    } finally {
      await dialer.stop();
    }
  });

  it('ends at its deadline when nothing answers', async () => {
    const started = Date.now();
    const found = await discover('http://10.255.255.1:9', { want: 3, timeoutMs: 1_000, requestTimeoutMs: 30_000 });
    assert.deepEqual(found, []);
    assert.ok(Date.now() - started < 10_000);
  });
});
