// /perf/1.0.0 written from libp2p/specs perf/perf.md (js-libp2p's @libp2p/perf is not in
// the registry here). The client sends the number of bytes it wants back as a u64
// big-endian, then uploads its bytes and closes its write side; the server drains the
// upload until EOF, then sends the requested number of bytes and closes.
export const PERF_PROTOCOL = '/perf/1.0.0'
const CHUNK = 64 * 1024

async function sendBytes (stream, count) {
  const chunk = new Uint8Array(CHUNK)
  let left = count
  while (left > 0) {
    const n = Math.min(left, CHUNK)
    if (!stream.send(n === CHUNK ? chunk : chunk.subarray(0, n))) {
      await waitForDrain(stream)
    }
    left -= n
  }
}

function waitForDrain (stream) {
  return new Promise((resolve, reject) => {
    const onDrain = () => { cleanup(); resolve() }
    const onClose = (evt) => { cleanup(); reject(evt.error ?? new Error('stream closed while waiting to send')) }
    const cleanup = () => { stream.removeEventListener('drain', onDrain); stream.removeEventListener('close', onClose) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
  })
}

export { sendBytes, waitForDrain }

export async function perfHandler (stream) {
  let header = new Uint8Array(0)
  let received = 0
  for await (const buf of stream) {
    const bytes = buf.subarray()
    if (header.length < 8) {
      const need = 8 - header.length
      const head = bytes.subarray(0, need)
      const merged = new Uint8Array(header.length + head.length)
      merged.set(header); merged.set(head, header.length)
      header = merged
      received += bytes.length - head.length
    } else {
      received += bytes.length
    }
  }
  if (header.length < 8) {
    stream.abort(new Error('perf: stream ended before the 8-byte header'))
    return
  }
  const toSend = Number(new DataView(header.buffer, header.byteOffset, 8).getBigUint64(0, false))
  await sendBytes(stream, toSend)
  await stream.close()
}

export async function perfClient (stream, upload, download) {
  const start = performance.now()
  const header = new Uint8Array(8)
  new DataView(header.buffer).setBigUint64(0, BigInt(download), false)
  stream.send(header)
  const reading = (async () => {
    let got = 0
    for await (const buf of stream) got += buf.byteLength
    return got
  })()
  await sendBytes(stream, upload)
  await stream.close()
  const uploadDone = performance.now()
  const got = await reading
  const end = performance.now()
  if (got !== download) throw new Error(`perf: expected ${download} bytes back, got ${got}`)
  return { uploadMs: uploadDone - start, totalMs: end - start }
}
