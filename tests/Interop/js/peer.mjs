// A js-libp2p peer driven by the NNRP interop tests: one JSON command per stdin line, one
// JSON answer per stdout line ({"id":…, "ok":true, …} or {"id":…, "ok":false, "error":"…"}),
// plus event lines ({"event":…}). Start: node --import ./js/polyfill.mjs js/peer.mjs
import { out, serve } from './driver.mjs'
import { createHash, randomBytes } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { PERF_PROTOCOL, perfHandler, perfClient } from './perf.mjs'

const ECHO_PROTOCOL = '/nnrp-interop/echo/1.0.0'
const STREAM_LIMITS = { maxInboundStreams: 512, maxOutboundStreams: 512 }

const node = await createLibp2p({
  addresses: { listen: [process.env.LISTEN ?? '/ip4/127.0.0.1/tcp/0'] },
  // LISTEN picks the transport peers reach us on (…/tcp/N or …/tcp/N/ws); both dial out.
  transports: [tcp(), webSockets()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // js-libp2p 3 takes the identify agentVersion from nodeInfo.userAgent.
  nodeInfo: { userAgent: 'js-interop-peer/1.0' },
  services: {
    identify: identify(),
    identifyPush: identifyPush(),
    ping: ping()
  },
  connectionManager: { maxConnections: 1000 }
})


async function echoHandler (stream) {
  for await (const buf of stream) {
    if (!stream.send(buf)) {
      await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
    }
  }
  await stream.close()
}

await node.handle(ECHO_PROTOCOL, echoHandler, STREAM_LIMITS)
await node.handle(PERF_PROTOCOL, perfHandler, STREAM_LIMITS)

node.addEventListener('peer:connect', (evt) => out({ event: 'peer:connect', peer: evt.detail.toString() }))
node.addEventListener('peer:disconnect', (evt) => out({ event: 'peer:disconnect', peer: evt.detail.toString() }))
node.addEventListener('peer:identify', (evt) => out({
  event: 'peer:identify',
  peer: evt.detail.peerId.toString(),
  agentVersion: evt.detail.agentVersion,
  protocols: evt.detail.protocols,
  listenAddrs: evt.detail.listenAddrs.map((a) => a.toString()),
  observedAddr: evt.detail.observedAddr?.toString()
}))

// Sends `size` random bytes on a fresh echo stream and checks that the same bytes return.
async function echoOnce (target, size) {
  const stream = await node.dialProtocol(target, ECHO_PROTOCOL, STREAM_LIMITS)
  const data = randomBytes(size)
  const reading = (async () => {
    const hash = createHash('sha256')
    let got = 0
    for await (const buf of stream) { hash.update(buf.subarray()); got += buf.byteLength }
    return { got, digest: hash.digest('hex') }
  })()
  const CHUNK = 64 * 1024
  for (let i = 0; i < size; i += CHUNK) {
    if (!stream.send(data.subarray(i, Math.min(size, i + CHUNK)))) {
      await new Promise((resolve) => stream.addEventListener('drain', resolve, { once: true }))
    }
  }
  await stream.close()
  const { got, digest } = await reading
  const want = createHash('sha256').update(data).digest('hex')
  if (got !== size || digest !== want) throw new Error(`echo mismatch: sent ${size}, got ${got}`)
}

const commands = {
  async info () {
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) }
  },
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString() }
  },
  async peerInfo ({ peer }) {
    const p = await node.peerStore.get(peerIdOf(peer))
    const agent = p.metadata.get('AgentVersion')
    return {
      protocols: p.protocols,
      agentVersion: agent ? new TextDecoder().decode(agent) : null,
      addrs: p.addresses.map((a) => a.multiaddr.toString())
    }
  },
  async ping ({ addr }) {
    const rtt = await node.services.ping.ping(multiaddr(addr))
    return { rtt }
  },
  async echo ({ addr, streams = 1, size = 65536 }) {
    const target = multiaddr(addr)
    await Promise.all(Array.from({ length: streams }, () => echoOnce(target, size)))
    return {}
  },
  async perf ({ addr, upload, download }) {
    const stream = await node.dialProtocol(multiaddr(addr), PERF_PROTOCOL, STREAM_LIMITS)
    return await perfClient(stream, upload, download)
  },
  async hangup ({ peer }) {
    await node.hangUp(peerIdOf(peer))
    return {}
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

function peerIdOf (text) {
  return peerIdFromString(text)
}

serve(node, commands)
