// The browser's way in, from Node: the client with its default libp2p transports (WebSockets
// only, as the browser build has) against a real node listening on /ws, found through the node's
// own status addresses.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../src/bytes.js';
import { NnrpClient } from '../../src/client.js';
import { keyPairFromPrivateKey } from '../../src/keys/notification-keys.js';
import { endpointsOf } from '../../src/net/endpoints.js';
import { HttpNodeTransport } from '../../src/net/http-transport.js';
import { NnrpNodeProcess, TEST_BASE_THRESHOLD } from './nnrp-node.js';

describe('libp2p over WebSockets against real nodes', () => {
  let nodes: NnrpNodeProcess[] = [];
  const wsAddresses: string[] = [];
  before(async () => {
    nodes = await NnrpNodeProcess.startMany(2, { extraArgs: ['--listen', '/ip4/127.0.0.1/tcp/0/ws'] });
    for (const node of nodes) {
      const status = await new HttpNodeTransport(node.httpUrl).status();
      const ws = endpointsOf(status.addresses ?? [], status.peerId).find((e) => e.kind === 'libp2p');
      assert.ok(ws && ws.kind === 'libp2p', `the node advertises a /ws door: ${JSON.stringify(status.addresses)}`);
      wsAddresses.push(ws.multiaddr);
    }
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('sends to and fetches from two nodes with the default (WebSocket) transport', async () => {
    const client = new NnrpClient({ nodes: wsAddresses, publishTo: 2, work: { workers: 1 } });
    assert.equal(client.nodes.length, 2);
    const key = keyPairFromPrivateKey(new Uint8Array(randomBytes(32)));
    const sent = await client.send(toHex(key.publicKey), { R: toHex(new Uint8Array(randomBytes(32))), txHash: toHex(new Uint8Array(randomBytes(32))) });
    assert.deepEqual(new Set(sent.receipts.map((r) => r.peerId)), new Set(nodes.map((n) => n.peerId)));
    const got = await client.fetch(key, { minimumWork: TEST_BASE_THRESHOLD });
    assert.deepEqual(got.events.map((e) => e.hash), [sent.hash]);
    await client.close();
  });
});
