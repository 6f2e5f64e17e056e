// Which door of a node a wallet uses: multiaddrs of the HTTP API become URLs, WebSocket
// multiaddrs go to libp2p (with /p2p/), plain TCP only where a TCP transport exists, the rest is
// skipped; relay hints and status addresses are read the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointsOf, parseNodeEndpoint, preferredOrder } from '../../src/net/endpoints.js';

const ID = '12D3KooWJT9ZveKs4PccTXLDoFKDYKzH63W3RHjcugjg5oEVBxWo';

describe('node endpoints', () => {
  it('maps HTTP multiaddrs to URLs, default ports left out', () => {
    assert.deepEqual(parseNodeEndpoint('/ip4/127.0.0.1/tcp/8080/http'), { kind: 'http', url: 'http://127.0.0.1:8080' });
    assert.deepEqual(parseNodeEndpoint('/dns4/node.example.org/tcp/443/tls/http'), { kind: 'http', url: 'https://node.example.org' });
    assert.deepEqual(parseNodeEndpoint('/dns/node.example.org/tcp/8443/https'), { kind: 'http', url: 'https://node.example.org:8443' });
    assert.deepEqual(parseNodeEndpoint('/ip6/::1/tcp/80/http'), { kind: 'http', url: 'http://[::1]' });
    assert.deepEqual(parseNodeEndpoint(`/dns4/n.example.org/tcp/443/tls/sni/n.example.org/http/p2p/${ID}`), { kind: 'http', url: 'https://n.example.org', peerId: ID });
  });

  it('keeps http(s) URLs, without a trailing slash, and refuses ones with credentials or queries', () => {
    assert.deepEqual(parseNodeEndpoint('https://node.example.org/'), { kind: 'http', url: 'https://node.example.org' });
    assert.deepEqual(parseNodeEndpoint('http://127.0.0.1:8080/nnrp/'), { kind: 'http', url: 'http://127.0.0.1:8080/nnrp' });
    assert.equal(parseNodeEndpoint('https://user:pw@node.example.org'), undefined);
    assert.equal(parseNodeEndpoint('https://node.example.org/?x=1'), undefined);
  });

  it('sends WebSocket multiaddrs with /p2p/ to libp2p', () => {
    for (const a of [`/ip4/1.2.3.4/tcp/4002/ws/p2p/${ID}`, `/dns4/n.example.org/tcp/443/tls/ws/p2p/${ID}`, `/dns4/n.example.org/tcp/443/wss/p2p/${ID}`]) {
      assert.deepEqual(parseNodeEndpoint(a), { kind: 'libp2p', multiaddr: a, peerId: ID });
    }
    assert.equal(parseNodeEndpoint('/ip4/1.2.3.4/tcp/4002/ws'), undefined, 'a libp2p door must name its node');
  });

  it('uses plain TCP only when asked (Node.js), and never QUIC or relays', () => {
    const tcp = `/ip4/1.2.3.4/tcp/4001/p2p/${ID}`;
    assert.equal(parseNodeEndpoint(tcp), undefined);
    assert.deepEqual(parseNodeEndpoint(tcp, { dialTcp: true }), { kind: 'libp2p', multiaddr: tcp, peerId: ID });
    assert.equal(parseNodeEndpoint(`/ip4/1.2.3.4/udp/4001/quic-v1/p2p/${ID}`, { dialTcp: true }), undefined);
    assert.equal(parseNodeEndpoint('not an address'), undefined);
    assert.equal(parseNodeEndpoint('/ip4/999.1.1.1/tcp/1/http'), undefined);
  });

  it('adds the node id to a status address list and orders secure doors first', () => {
    const found = endpointsOf(['/ip4/1.2.3.4/tcp/4001', '/ip4/1.2.3.4/tcp/4002/ws', '/ip4/1.2.3.4/tcp/8080/http', '/dns4/n.example.org/tcp/443/tls/ws', '/dns4/n.example.org/tcp/443/tls/http'], ID);
    assert.deepEqual(preferredOrder(found).map((e) => (e.kind === 'http' ? e.url : e.multiaddr)), [
      'https://n.example.org',
      `/dns4/n.example.org/tcp/443/tls/ws/p2p/${ID}`,
      'http://1.2.3.4:8080',
      `/ip4/1.2.3.4/tcp/4002/ws/p2p/${ID}`,
    ]);
    assert.ok(found.every((e) => e.peerId === ID));
  });
});
