// A js-libp2p Kad-DHT peer for the NNRP interop tests: @libp2p/kad-dht on NNRP's protocol id
// /nnrp/kad/1.0 in server mode, driven like peer.mjs (one JSON command per stdin line, one
// JSON answer per stdout line, plus {"event":…} lines).
// Start: node --import ./js/polyfill.mjs js/kad-peer.mjs
import { out, serve } from './driver.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'

const node = await createLibp2p({
  addresses: { listen: [process.env.LISTEN ?? '/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify({ agentVersion: 'js-interop-kad-peer/1.0' }),
    ping: ping(),
    // Loopback testnet: keep private addresses (the default mapper for a custom protocol).
    dht: kadDHT({ protocol: '/nnrp/kad/1.0', clientMode: false, peerInfoMapper: passthroughMapper, allowQueryWithZeroPeers: true })
  },
  connectionManager: { maxConnections: 1000 }
})

const dht = node.services.dht
const signal = (ms) => AbortSignal.timeout(ms ?? 30000)

node.addEventListener('peer:identify', (evt) => out({
  event: 'peer:identify', peer: evt.detail.peerId.toString(), protocols: evt.detail.protocols
}))

const commands = {
  async info () {
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) }
  },
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString() }
  },
  async routingTable () {
    return { peers: [...dht.routingTable.kb.toIterable()].map((p) => p.peerId.toString()) }
  },
  async provide ({ cid }) {
    let sent = 0
    for await (const e of dht.provide(CID.parse(cid), { signal: signal() })) {
      if (e.name === 'PEER_RESPONSE' && e.messageName === 'ADD_PROVIDER') sent++
    }
    return { sent }
  },
  async findProviders ({ cid, count = 1, timeout }) {
    const found = new Map()
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), timeout ?? 30000)
    try {
      for await (const e of dht.findProviders(CID.parse(cid), { signal: controller.signal })) {
        if (e.name !== 'PROVIDER') continue
        for (const p of e.providers) found.set(p.id.toString(), p.multiaddrs.map((a) => a.toString()))
        if (found.size >= count) break
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err
    } finally {
      clearTimeout(timer)
    }
    return { providers: [...found].map(([id, addrs]) => ({ id, addrs })) }
  },
  async findPeer ({ peer }) {
    const info = await node.peerRouting.findPeer(peerIdFromString(peer), { signal: signal() })
    return { peer: info.id.toString(), addrs: info.multiaddrs.map((a) => a.toString()) }
  },
  async getClosestPeers ({ peer }) {
    const peers = new Set()
    for await (const e of dht.getClosestPeers(peerIdFromString(peer).toMultihash().bytes, { signal: signal() })) {
      if (e.name === 'FINAL_PEER') peers.add(e.peer.id.toString())
    }
    return { peers: [...peers] }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

serve(node, commands)
