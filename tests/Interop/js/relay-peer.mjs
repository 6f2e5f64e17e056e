// A js-libp2p peer for the circuit relay v2 interop tests (@libp2p/circuit-relay-v2), driven
// over stdin/stdout like peer.mjs (driver.mjs). Environment:
//   RELAY_SERVER=1          serve hop (a js relay) with js's default limits
//   RELAY_LISTEN=<addr>     reserve on the relay at <addr> (…/p2p/<relay>) and listen through it
// It always dials circuit addresses and serves an echo protocol that runs on limited
// (relayed) connections. Start: node --import ./js/polyfill.mjs js/relay-peer.mjs
import { out, serve } from './driver.mjs'
import { createHash, randomBytes } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { multiaddr } from '@multiformats/multiaddr'

const ECHO_PROTOCOL = '/nnrp-interop/echo/1.0.0'
// Relayed connections are limited: js runs a protocol on them only when told to.
const ON_LIMITED = { runOnLimitedConnection: true, maxInboundStreams: 64, maxOutboundStreams: 64 }

const listen = ['/ip4/127.0.0.1/tcp/0']
if (process.env.RELAY_LISTEN) listen.push(process.env.RELAY_LISTEN + '/p2p-circuit')

const services = { identify: identify() }
if (process.env.RELAY_SERVER === '1') services.relay = circuitRelayServer()

const node = await createLibp2p({
  addresses: { listen },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  nodeInfo: { userAgent: 'js-interop-relay-peer/1.0' },
  services,
  connectionManager: { maxConnections: 1000 }
})

await node.handle(ECHO_PROTOCOL, async (stream) => {
  for await (const buf of stream) {
    if (!stream.send(buf)) {
      await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
    }
  }
  await stream.close()
}, ON_LIMITED)

node.addEventListener('peer:connect', (evt) => out({ event: 'peer:connect', peer: evt.detail.toString() }))

const circuitAddrs = () => node.getMultiaddrs().map((a) => a.toString()).filter((a) => a.includes('/p2p-circuit/'))

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
  async reservations () {
    return { count: node.services.relay?.reservations.size ?? 0 }
  },
  // Sends `size` random bytes on an echo stream to `addr` (possibly relayed); checks the echo
  // and tells whether the connection it used is limited.
  async echo ({ addr, size = 4096 }) {
    const stream = await node.dialProtocol(multiaddr(addr), ECHO_PROTOCOL, ON_LIMITED)
    const data = randomBytes(size)
    const reading = (async () => {
      const hash = createHash('sha256')
      let got = 0
      for await (const buf of stream) { hash.update(buf.subarray()); got += buf.byteLength }
      return { got, digest: hash.digest('hex') }
    })()
    stream.send(data)
    await stream.close()
    const { got, digest } = await reading
    if (got !== size || digest !== createHash('sha256').update(data).digest('hex')) {
      throw new Error(`echo mismatch: sent ${size}, got ${got}`)
    }
    const conn = node.getConnections().find((c) => addr.endsWith(c.remotePeer.toString()))
    return { limited: conn?.limits != null, remoteAddr: conn?.remoteAddr.toString() }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

serve(node, commands)
