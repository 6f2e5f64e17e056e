// Node 20 lacks Promise.withResolvers (ES2024), which js-libp2p 3 uses. Loaded with
// `node --import ./js/polyfill.mjs`; a no-op on Node ≥ 22.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}

// @libp2p/websockets dials with the global WebSocket: Node 22 has it, Node 20 only with
// --experimental-websocket, which Harness/JsPeer.cs passes (the `ws` package's client is no
// substitute: it hands out data that arrives with the 101 before js-libp2p listens for it).
