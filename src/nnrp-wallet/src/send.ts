// A payment notification to three nodes over both doors a browser has. NnrpClient sends it over
// libp2p secure WebSockets (/nnrp/1.0): sealed to the recipient (NNRP.md §7), worked in Web
// Workers to the nodes' current threshold (§6), published with every receipt checked (signature,
// hash, expiry, signer = the peer id dialed; §11.6). The very same notification then goes to the
// same nodes over HTTPS (POST /v1/notifications), each answer ('ok' or 'duplicate') checked the
// same way, so each row of the page says which transport its receipt came through.
import { checkReceipt, HttpNodeTransport, NnrpClient, SendFailedError, type Notification, type SendResult } from 'nnrp-client';
import type { PageNode } from './nodes.js';

export type Transport = 'wss' | 'https';

export interface PublishRow {
  peerId: string;
  transport: Transport;
  /** 'ok' or 'duplicate' (an HTTPS answer), 'stored' (NnrpClient counted it: ok or duplicate), else why not. */
  reason: string;
  verified: boolean;
  expiresAt?: bigint;
  message?: string;
}

export interface EventFields {
  txHash: string;
  amountRaw?: string;
  memo?: string;
}

export interface SendHooks {
  onWork?: () => void;
  onRow?: (row: PublishRow) => void;
}

// NnrpClient's send over one kind of door of the targets; the notification it made and published.
async function sendOnce(recipient: string, fields: EventFields, targets: PageNode[], transport: Transport, rows: PublishRow[], hooks: SendHooks): Promise<Notification> {
  const byEndpoint = new Map(targets.map((t) => [transport === 'wss' ? t.wss : t.https, t.peerId] as const)
    .filter((e): e is [string, string] => e[0] !== undefined));
  const client = new NnrpClient({ nodes: [...byEndpoint.keys()], publishTo: byEndpoint.size });
  let result: SendResult;
  try {
    result = await client.send(recipient, {
      // A NanoNym wallet puts the payment's ephemeral key here; this page makes a random one.
      R: Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join(''),
      ...fields,
    });
  } catch (e) {
    if (!(e instanceof SendFailedError)) throw e;
    result = e.result;
  } finally {
    await client.close();
  }
  hooks.onWork?.();
  const added: PublishRow[] = [
    ...result.receipts.map((r): PublishRow => ({ peerId: r.peerId, transport, reason: 'stored', verified: true, expiresAt: r.expiresAt })),
    ...result.failures.map((f): PublishRow => ({ peerId: byEndpoint.get(f.endpoint) ?? f.endpoint, transport, reason: f.reason, verified: false, message: f.message })),
  ];
  rows.push(...added);
  added.forEach((row) => hooks.onRow?.(row));
  return result.notification;
}

async function overHttps(notification: Notification, node: PageNode): Promise<PublishRow> {
  const door = new HttpNodeTransport(node.https!);
  try {
    const outcome = await door.publish(notification);
    const stored = outcome.reason === 'ok' || outcome.reason === 'duplicate';
    const problems = outcome.receipt ? checkReceipt(outcome.receipt, notification, node.peerId) : ['missing'];
    return {
      peerId: node.peerId,
      transport: 'https',
      reason: outcome.reason,
      verified: stored && problems.length === 0,
      ...(outcome.receipt ? { expiresAt: outcome.receipt.expiresAt } : {}),
      ...(outcome.message ? { message: outcome.message } : problems.length > 0 && stored ? { message: `receipt ${problems.join(', ')} wrong` } : {}),
    };
  } catch (e) {
    return { peerId: node.peerId, transport: 'https', reason: 'unreachable', verified: false, message: e instanceof Error ? e.message : String(e) };
  } finally {
    await door.close();
  }
}

/**
 * Sends over WebSockets, then the same notification over HTTPS; every receipt row, in order.
 * Without any WebSocket door it sends over HTTPS alone.
 */
export async function sendOverBothDoors(recipient: string, fields: EventFields, targets: PageNode[], hooks: SendHooks = {}): Promise<PublishRow[]> {
  const rows: PublishRow[] = [];
  if (!targets.some((t) => t.wss)) {
    await sendOnce(recipient, fields, targets, 'https', rows, hooks);
    return rows;
  }
  const notification = await sendOnce(recipient, fields, targets, 'wss', rows, hooks);
  const https = await Promise.all(targets.filter((t) => t.https).map(async (t) => {
    const row = await overHttps(notification, t);
    hooks.onRow?.(row);
    return row;
  }));
  return [...rows, ...https];
}
