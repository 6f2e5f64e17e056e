// What a broken or hostile node can do to a wallet, and what the wallet makes of it: answers
// over their size bound, bodies that are not JSON, documents missing fields, a node that never
// answers, a forged receipt, and over libp2p a length prefix over 2 MiB or a stream that ends
// mid-answer. Every one is a clear NodeUnreachableError (or a named publish failure), never a
// hang, a crash or an unbounded buffer. The "nodes" here are small servers written to misbehave.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { tcp } from '@libp2p/tcp';
import { createLibp2p, type Libp2p } from 'libp2p';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { toHex } from '../../src/bytes.js';
import { NnrpClient } from '../../src/client.js';
import { keyPairFromPrivateKey } from '../../src/keys/notification-keys.js';
import { NodeUnreachableError } from '../../src/net/errors.js';
import { HttpNodeTransport, MAX_HTTP_RESPONSE } from '../../src/net/http-transport.js';
import { Libp2pDialer } from '../../src/net/libp2p-dialer.js';
import { Libp2pNodeTransport, NNRP_PROTOCOL } from '../../src/net/libp2p-transport.js';
import { encodeUvarint } from '../../src/notification/protobuf.js';
import { notificationFor, randomTag } from './fixtures.js';
import { TEST_BASE_HEX } from './nnrp-node.js';

const STATUS = {
  peer_id: '12D3KooWJT9ZveKs4PccTXLDoFKDYKzH63W3RHjcugjg5oEVBxWo', agent: 'hostile', protocol_version: 1,
  base_threshold: TEST_BASE_HEX, current_threshold: TEST_BASE_HEX, stored: 0, now: Math.floor(Date.now() / 1000),
  max_payload: 2048, min_ttl: 60, max_ttl: 7776000, max_page: 500,
};

describe('a hostile HTTP node', () => {
  let server: Server;
  let url = '';
  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/v1/notifications?')) {
        // An endless page: the client must stop reading at its bound.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"notifications":[');
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (res.write(chunk)) { /* until the socket pushes back */ }
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      } else if (path === '/v1/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"agent": "no thresholds"}');
      } else if (path === '/v1/peers') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>');
      } else if (path === '/slow/v1/status') {
        // Never answers.
      } else if (path === '/forger/v1/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(STATUS));
      } else if (path === '/forger/v1/notifications' && req.method === 'POST') {
        // "Stored", with a receipt whose signature is random bytes.
        let body = '';
        req.on('data', (d: Buffer) => { body += d.toString(); });
        req.on('end', () => {
          res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({
            hash: '00'.repeat(32), address: 'nr_1', receipt: { hash: '00'.repeat(32), expires_at: 1, node_public_key: toHex(new Uint8Array(randomBytes(32))), signature: toHex(new Uint8Array(randomBytes(64))) },
          }));
        });
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it(`stops reading a page at ${MAX_HTTP_RESPONSE} bytes`, async () => {
    const error = await new HttpNodeTransport(url).fetch({ tag: randomTag() }).catch((e: unknown) => e);
    assert.ok(error instanceof NodeUnreachableError, String(error));
    assert.match(error.message, /limit/);
  });

  it('reads a status without its fields, and a body that is not JSON, as malformed answers', async () => {
    const http = new HttpNodeTransport(url);
    const status = await http.status().catch((e: unknown) => e);
    assert.ok(status instanceof NodeUnreachableError && /malformed/.test(status.message), String(status));
    const peers = await http.peers().catch((e: unknown) => e);
    assert.ok(peers instanceof NodeUnreachableError && /not JSON/.test(peers.message), String(peers));
  });

  it('gives up on a node that never answers after its timeout', async () => {
    const error = await new HttpNodeTransport(`${url}/slow`, { timeoutMs: 300 }).status().catch((e: unknown) => e);
    assert.ok(error instanceof NodeUnreachableError && /within 300 ms/.test(error.message), String(error));
  });

  it('does not count a forged receipt', async () => {
    const client = new NnrpClient({ nodes: [`${url}/forger`], publishTo: 1, work: { workers: 1 } });
    const key = keyPairFromPrivateKey(new Uint8Array(randomBytes(32)));
    const error = await client.send(toHex(key.publicKey), { R: toHex(new Uint8Array(32)), txHash: toHex(new Uint8Array(32)) }).catch((e: unknown) => e);
    assert.ok(error instanceof Error && error.name === 'SendFailedError', String(error));
    assert.match(error.message, /invalid_receipt/);
    await client.close();
  });
});

describe('a hostile libp2p node', () => {
  let peer: Libp2p;
  let dialer: Libp2pDialer;
  let address = '';
  before(async () => {
    peer = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    });
    await peer.handle(NNRP_PROTOCOL, async (stream) => {
      // Reads the request, then answers by the mode its first payload byte picks.
      let first: number | undefined;
      for await (const chunk of stream) {
        const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
        first ??= bytes[bytes.length - 1];
        if (stream.remoteWriteStatus !== 'writable') break;
      }
      if (first === undefined || first % 2 === 0) {
        stream.send(encodeUvarint(3 * 1024 * 1024)); // a 3 MiB answer announced
        stream.send(new Uint8Array(1024));
      } else {
        stream.send(encodeUvarint(1000)); // 1000 bytes announced, 10 sent, then the end
        stream.send(new Uint8Array(10));
      }
      await stream.close();
    });
    address = peer.getMultiaddrs()[0]!.toString();
    dialer = new Libp2pDialer({ transports: [tcp()] });
  });
  after(async () => {
    await dialer?.stop();
    await peer?.stop();
  });

  it('refuses an answer announced over 2 MiB and a stream that ends mid-answer', async () => {
    const p2p = new Libp2pNodeTransport(address, dialer, { timeoutMs: 10_000 });
    const seen = new Set<string>();
    // The request's last byte (the work's top byte) picks the misbehaviour; try until both were seen.
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const error = await p2p.publish(notificationFor(randomTag())).catch((e: unknown) => e);
      assert.ok(error instanceof NodeUnreachableError, String(error));
      if (/over the 2097152-byte limit/.test(error.message)) seen.add('oversized');
      else if (/ended before the whole answer/.test(error.message)) seen.add('truncated');
      else assert.fail(`unexpected: ${error.message}`);
    }
    assert.deepEqual([...seen].sort(), ['oversized', 'truncated']);
  });
});
