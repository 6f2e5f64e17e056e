// The TypeScript side of the C# ↔ TS cross tests (tests/Nnrp.Client.Tests/CrossLanguage):
//   node dist/test-support/cross.js <command> '<json argument>'
// prints one JSON line. Commands:
//   keys  {seed, index, spend, view, relays}            → {private_key, public_key, tag, uri, nnym}
//   seal  {public_key, R, tx_hash, amount_raw?, memo?, timestamp, ttl} → {notification (§12 JSON), hash}
//   open  {private_key, notification (§12 JSON)}        → {hash, event (§7.1 JSON names)}
//   work  {root, threshold, workers}                    → {work, value}
// Not part of the package's published files.
import {
  contentHash, deriveNotificationKey, encodeNanoNym, formatNotificationJson, formatNotificationUri, formatWork, fromHex, generateWork, open,
  parseNotificationJson, parseWork, paymentEvent, seal, toHex,
} from '../src/core.js';

type Args = Record<string, unknown>;
const str = (a: Args, k: string): string => {
  const v = a[k];
  if (typeof v !== 'string') throw new Error(`argument ${k} is a string`);
  return v;
};

async function run(command: string, a: Args): Promise<unknown> {
  switch (command) {
    case 'keys': {
      const k = deriveNotificationKey(fromHex(str(a, 'seed')), Number(a.index));
      const uri = formatNotificationUri(k.publicKey, (a.relays as string[] | undefined) ?? []);
      return {
        private_key: toHex(k.privateKey), public_key: toHex(k.publicKey), tag: toHex(k.tag), uri,
        nnym: encodeNanoNym({ spendPublicKey: fromHex(str(a, 'spend'), 32), viewPublicKey: fromHex(str(a, 'view'), 32), notificationUri: uri }),
      };
    }
    case 'seal': {
      const event = paymentEvent({
        R: str(a, 'R'), txHash: str(a, 'tx_hash'),
        ...(typeof a.amount_raw === 'string' ? { amountRaw: a.amount_raw } : {}),
        ...(typeof a.memo === 'string' ? { memo: a.memo } : {}),
      });
      const n = await seal(fromHex(str(a, 'public_key'), 32), event, { timestamp: BigInt(Number(a.timestamp)), ttl: Number(a.ttl) });
      return { notification: formatNotificationJson(n), hash: toHex(contentHash(n)) };
    }
    case 'open': {
      const n = parseNotificationJson(str(a, 'notification'));
      const e = await open({ privateKey: fromHex(str(a, 'private_key'), 32) }, n);
      return { hash: toHex(contentHash(n)), event: { version: e.version, protocol: e.protocol, R: e.R, tx_hash: e.txHash, amount_raw: e.amountRaw ?? null, memo: e.memo ?? null } };
    }
    case 'work': {
      const r = await generateWork(fromHex(str(a, 'root'), 32), parseWork(str(a, 'threshold')), { workers: Number(a.workers ?? 1) });
      return { work: formatWork(r.work), value: formatWork(r.value) };
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

const [command = '', argument = '{}'] = process.argv.slice(2);
try {
  process.stdout.write(JSON.stringify(await run(command, JSON.parse(argument) as Args)) + '\n');
} catch (e) {
  process.stderr.write(`cross: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
