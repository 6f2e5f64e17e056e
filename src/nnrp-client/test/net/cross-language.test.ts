// C# ↔ TypeScript at the network level, both ways, through real nodes: the TS client sends and
// the C# CLI (`nnrp fetch`) opens; the C# CLI (`nnrp send`) sends and the TS client opens. Each
// direction once over HTTP and once over libp2p (/nnrp/1.0 on TCP).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tcp } from '@libp2p/tcp';
import { toHex } from '../../src/bytes.js';
import { NnrpClient } from '../../src/client.js';
import { keyPairFromPrivateKey, notificationUriOf } from '../../src/keys/notification-keys.js';
import { NnrpNodeProcess, runCli, TEST_BASE_HEX, TEST_BASE_THRESHOLD } from './nnrp-node.js';

const hex32 = (): string => toHex(new Uint8Array(randomBytes(32)));

describe('C# and TypeScript clients through real nodes', () => {
  let nodes: NnrpNodeProcess[] = [];
  let dir = '';
  before(async () => {
    nodes = await NnrpNodeProcess.startMany(2);
    dir = mkdtempSync(join(tmpdir(), 'nnrp-sdk-cross-'));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A key made by the C# CLI: its nnrp: URI and key file. */
  async function csharpKey(name: string): Promise<{ uri: string; file: string }> {
    const file = join(dir, `${name}.json`);
    const { stdout } = await runCli(['keygen', '-o', file, '--json']);
    return { uri: (JSON.parse(stdout) as { uri: string }).uri, file };
  }

  /** `nnrp fetch --json` of `file` from the nodes given; one object per opened or rejected item. */
  async function csharpFetch(file: string, nodeArgs: string[]): Promise<{ hash: string; event?: { R: string; tx_hash: string; memo?: string } }[]> {
    const { stdout } = await runCli(['fetch', '--key', file, ...nodeArgs.flatMap((n) => ['--node', n]), '--nodes', '2', '--no-checkpoint', '--no-dht', '--json', '--base-threshold', TEST_BASE_HEX]);
    return stdout.split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l));
  }

  for (const over of ['http', 'libp2p'] as const) {
    it(`TS sends over ${over}, C# nnrp fetch opens`, async () => {
      const key = await csharpKey(`to-csharp-${over}`);
      const client = over === 'http'
        ? new NnrpClient({ nodes: nodes.map((n) => n.httpUrl), publishTo: 2, work: { workers: 1 } })
        : new NnrpClient({ nodes: nodes.map((n) => n.multiaddr), publishTo: 2, work: { workers: 1 }, libp2pTransports: [tcp()], dialTcp: true });
      const fields = { R: hex32(), txHash: hex32(), memo: `from TypeScript over ${over}` };
      const sent = await client.send(key.uri, fields);
      await client.close();
      assert.equal(sent.receipts.length, 2);

      const items = await csharpFetch(key.file, nodes.map((n) => (over === 'http' ? n.multiaddr : n.httpUrl)));
      assert.equal(items.length, 1, JSON.stringify(items));
      assert.equal(items[0]!.hash, sent.hash);
      assert.equal(items[0]!.event?.R, fields.R);
      assert.equal(items[0]!.event?.tx_hash, fields.txHash);
      assert.equal(items[0]!.event?.memo, fields.memo);
    });

    it(`C# nnrp send over ${over}, TS fetch opens`, async () => {
      const key = keyPairFromPrivateKey(new Uint8Array(randomBytes(32)));
      const R = hex32();
      const tx = hex32();
      const nodeArgs = nodes.map((n) => (over === 'http' ? n.httpUrl : n.multiaddr));
      const { stdout } = await runCli(['send', '--to', notificationUriOf(key), '--r', R, '--tx', tx, '--amount', '42', '--memo', 'from C#',
        ...nodeArgs.flatMap((n) => ['--node', n]), '--replicas', '2', '--threshold', TEST_BASE_HEX, '--no-dht', '--json']);
      const sent = JSON.parse(stdout) as { hash: string; met_target: boolean };
      assert.equal(sent.met_target, true, stdout);

      // The TS client reads through the other door than the C# one wrote to.
      const client = over === 'http'
        ? new NnrpClient({ nodes: nodes.map((n) => n.multiaddr), libp2pTransports: [tcp()], dialTcp: true })
        : new NnrpClient({ nodes: nodes.map((n) => n.httpUrl) });
      const got = await client.fetch(key, { minimumWork: TEST_BASE_THRESHOLD });
      await client.close();
      assert.deepEqual(got.events.map((e) => e.hash), [sent.hash]);
      assert.equal(got.events[0]!.event.R, R);
      assert.equal(got.events[0]!.event.txHash, tx);
      assert.equal(got.events[0]!.event.amountRaw, '42');
      assert.equal(got.events[0]!.event.memo, 'from C#');
    });
  }
});
