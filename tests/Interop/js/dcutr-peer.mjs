// A js-libp2p peer for the DCUtR interop tests (@libp2p/dcutr), driven over stdin/stdout like
// peer.mjs (driver.mjs). It listens on loopback TCP, dials circuit addresses, runs identify and
// DCUtR. Environment:
//   RELAY_LISTEN=<addr>     reserve on the relay at <addr> (…/p2p/<relay>) and listen through it
//   NO_LISTEN=1             no TCP listener (a peer that can only dial out, as most wallets)
// Note: @libp2p/dcutr dials only addresses it takes for public (a DNS name counts), so the C#
// side announces /dns4/localhost/… for it. Start: node --import ./js/polyfill.mjs js/dcutr-peer.mjs
import { out, serve } from './driver.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { dcutr } from '@libp2p/dcutr'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { multiaddr } from '@multiformats/multiaddr'

const listen = process.env.NO_LISTEN === '1' ? [] : ['/ip4/127.0.0.1/tcp/0']
if (process.env.RELAY_LISTEN) listen.push(process.env.RELAY_LISTEN + '/p2p-circuit')

const node = await createLibp2p({
  addresses: { listen },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  nodeInfo: { userAgent: 'js-interop-dcutr-peer/1.0' },
  services: { identify: identify(), dcutr: dcutr() },
  connectionManager: { maxConnections: 1000 }
})

node.addEventListener('peer:connect', (evt) => out({ event: 'peer:connect', peer: evt.detail.toString() }))

const circuitAddrs = () => node.getMultiaddrs().map((a) => a.toString()).filter((a) => a.includes('/p2p-circuit/'))
const describe = (c) => ({ limited: c.limits != null, remoteAddr: c.remoteAddr.toString(), direction: c.direction, status: c.status })

const commands = {
  async info () {
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) }
  },
  // Waits (up to 20 s) until the reservation made for RELAY_LISTEN shows as a circuit address.
  async circuitAddrs () {
    const deadline = Date.now() + 20_000
    while (circuitAddrs().length === 0) {
      if (Date.now() > deadline) throw new Error('no circuit address after 20 s')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return { addrs: circuitAddrs() }
  },
  // Opens a connection to `addr` (a circuit address: a limited connection).
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return describe(conn)
  },
  // Waits (up to `ms`) until an open connection to `peer` is not limited (not relayed).
  async waitDirect ({ peer, ms = 30_000 }) {
    const deadline = Date.now() + ms
    while (true) {
      const conns = node.getConnections().filter((c) => c.remotePeer.toString() === peer && c.status === 'open')
      const direct = conns.find((c) => c.limits == null)
      if (direct != null) return { ...describe(direct), connections: conns.map(describe) }
      if (Date.now() > deadline) throw new Error(`no direct connection to ${peer}: ${JSON.stringify(conns.map(describe))}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

serve(node, commands)
