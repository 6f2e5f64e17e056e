// A js-libp2p AutoNAT v2 peer for the NNRP interop tests (@libp2p/autonat-v2 2.0.15), driven
// like peer.mjs (one JSON command per stdin line, one JSON answer per stdout line).
//
// ROLE=server (default): the stock autoNATv2() service — its server answers dial requests.
// ROLE=client: the stock js client tests only public addresses (it filters private ones), so on
// loopback it would never ask; this role plays the client's part by hand with the package's own
// protobuf codec (DialRequest, DialDataResponse, the DialBack handler), so the C# server is
// exercised by js-encoded bytes.
// Start: node --import ./js/polyfill.mjs js/autonat-peer.mjs
import { out, serve } from './driver.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { pbStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
// Not exported by the package; the test driver reuses its generated codec on purpose.
import { Message, DialBack, DialBackResponse } from '../node_modules/@libp2p/autonat-v2/dist/src/pb/index.js'

const DIAL_REQUEST = '/libp2p/autonat/2/dial-request'
const DIAL_BACK = '/libp2p/autonat/2/dial-back'
const role = process.env.ROLE ?? 'server'

const node = await createLibp2p({
  addresses: { listen: [process.env.LISTEN ?? '/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify({ agentVersion: `js-interop-autonat-${role}/1.0` }),
    ...(role === 'server' ? { autoNAT: autoNATv2() } : {})
  },
  connectionManager: { maxConnections: 1000 }
})

const signal = (ms) => AbortSignal.timeout(ms ?? 30000)
// Nonces of our own requests, and those a dial back delivered (with the connection it came on).
const asked = new Set()
const dialedBack = new Map()

if (role === 'client') {
  await node.handle(DIAL_BACK, async (stream, connection) => {
    const messages = pbStream(stream)
    const { nonce } = await messages.read(DialBack, { signal: signal(10000) })
    if (!asked.has(nonce)) {
      stream.abort(new Error('a nonce we did not send'))
      return
    }
    dialedBack.set(nonce, { remotePeer: connection.remotePeer.toString(), direction: connection.direction })
    await messages.write({ status: DialBackResponse.DialBackStatus.OK }, DialBackResponse)
    await stream.close()
  })
}

node.addEventListener('peer:identify', (evt) => out({
  event: 'peer:identify', peer: evt.detail.peerId.toString(), protocols: evt.detail.protocols
}))

const commands = {
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString() }
  },
  async protocols () {
    return { protocols: node.getProtocols() }
  },
  // One DialRequest to `server` for `addrs`; pays dial data up to `maxDialData` bytes.
  async ask ({ server, addrs, maxDialData = 200000 }) {
    const nonce = BigInt(Math.floor(Math.random() * Number.MAX_SAFE_INTEGER))
    asked.add(nonce)
    const stream = await node.dialProtocol(multiaddr(server), DIAL_REQUEST, { signal: signal() })
    const messages = pbStream(stream).pb(Message)
    await messages.write({ dialRequest: { addrs: addrs.map((a) => multiaddr(a).bytes), nonce } }, { signal: signal() })
    let response = await messages.read({ signal: signal() })
    let dialDataRequested = 0
    let paid = 0
    if (response.dialDataRequest != null) {
      dialDataRequested = Number(response.dialDataRequest.numBytes)
      if (dialDataRequested > maxDialData) {
        stream.abort(new Error('dial data too expensive'))
        return { dialDataRequested, paid, refused: true }
      }
      const chunk = new Uint8Array(4096)
      while (paid < dialDataRequested) {
        await messages.write({ dialDataResponse: { data: chunk } }, { signal: signal() })
        paid += chunk.byteLength
      }
      response = await messages.read({ signal: signal() })
    }
    await stream.close()
    const r = response.dialResponse
    return {
      status: r.status,
      addrIdx: r.addrIdx,
      dialStatus: r.dialStatus,
      dialDataRequested,
      paid,
      dialBack: dialedBack.get(nonce) ?? null
    }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

serve(node, commands)
