// The JSON-lines protocol every interop peer speaks with its C# driver (Harness/JsPeer.cs):
// one command per stdin line {"id", "cmd", …}; one answer per stdout line {"id", "ok": true, …}
// or {"id", "ok": false, "error"}; event lines {"event", …}, first of all "ready".
import { createInterface } from 'node:readline'

export const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

// Announces the node, then serves `commands` until stdin closes, then stops the node.
export function serve (node, commands) {
  out({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) })
  const rl = createInterface({ input: process.stdin })
  rl.on('line', async (line) => {
    let cmd
    try { cmd = JSON.parse(line) } catch { out({ ok: false, error: 'bad json' }); return }
    const fn = commands[cmd.cmd]
    if (!fn) { out({ id: cmd.id, ok: false, error: `unknown command ${cmd.cmd}` }); return }
    try {
      out({ id: cmd.id, ok: true, ...(await fn(cmd)) })
    } catch (err) {
      out({ id: cmd.id, ok: false, error: `${err.name}: ${err.message}` })
    }
  })
  rl.on('close', async () => { await node.stop(); process.exit(0) })
}
