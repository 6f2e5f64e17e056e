// A js-libp2p GossipSub peer driven by the NNRP interop tests, same line protocol as peer.mjs:
// one JSON command per stdin line, one JSON answer per stdout line, plus event lines
// ({"event":"message", topic, data (hex), from}). Configured as NNRP runs GossipSub:
// StrictNoSign and message id = SHA-256 of the data. A topic validator rejects messages whose
// first byte is 0x00, the same rule the C# side of the tests uses.
// Start: node --import ./js/polyfill.mjs js/gossip-peer.mjs
import { out, serve } from './driver.mjs'
import { createHash } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, StrictNoSign, TopicValidatorResult } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'

const sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest())

const node = await createLibp2p({
  addresses: { listen: [process.env.LISTEN ?? '/ip4/127.0.0.1/tcp/0'] },
  // LISTEN picks the transport peers reach us on (…/tcp/N or …/tcp/N/ws); both dial out.
  transports: [tcp(), webSockets()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify({ agentVersion: 'js-gossip-peer/1.0' }),
    pubsub: gossipsub({
      globalSignaturePolicy: StrictNoSign,
      msgIdFn: (msg) => sha256(msg.data),
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      heartbeatInterval: Number(process.env.HEARTBEAT_MS ?? 1000)
    })
  },
  connectionManager: { maxConnections: 1000 }
})

const pubsub = node.services.pubsub
const hex = (bytes) => Buffer.from(bytes).toString('hex')

pubsub.addEventListener('message', (evt) => {
  const msg = evt.detail
  out({ event: 'message', topic: msg.topic, data: hex(msg.data) })
})

const rejected = { count: 0 }

const commands = {
  async info () {
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) }
  },
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString() }
  },
  async subscribe ({ topic }) {
    pubsub.topicValidators.set(topic, (_peer, msg) => {
      if (msg.data.length > 0 && msg.data[0] === 0) { rejected.count++; return TopicValidatorResult.Reject }
      return TopicValidatorResult.Accept
    })
    pubsub.subscribe(topic)
    return {}
  },
  async publish ({ topic, data }) {
    const result = await pubsub.publish(topic, Buffer.from(data, 'hex'))
    return { recipients: result.recipients.map((p) => p.toString()) }
  },
  async peers ({ topic }) {
    return {
      subscribers: pubsub.getSubscribers(topic).map((p) => p.toString()),
      mesh: pubsub.getMeshPeers(topic).map((p) => p.toString())
    }
  },
  async score ({ peer }) {
    return { score: pubsub.score.score(peer) }
  },
  async stats () {
    return { rejected: rejected.count }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

serve(node, commands)
