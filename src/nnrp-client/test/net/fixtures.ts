// Notifications for transport tests: a random tag and payload (a node never opens payloads),
// the current time, and real work at the test nodes' threshold (core's hash and work value).
import { randomBytes } from 'node:crypto';
import type { FetchQuery, NodeTransport, Notification } from '../../src/api.js';
import { toHex } from '../../src/bytes.js';
import { contentHash } from '../../src/notification/hash.js';
import { workValueReference as workValue } from '../../src/work/work-value.js';
import { TEST_BASE_THRESHOLD } from './nnrp-node.js';

export function randomTag(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** A notification for `tag` whose work meets `threshold` (or, with `meets: false`, does not). */
export function notificationFor(tag: Uint8Array, options: { threshold?: bigint; meets?: boolean; timestamp?: bigint; payloadSize?: number } = {}): Notification {
  const threshold = options.threshold ?? TEST_BASE_THRESHOLD;
  const meets = options.meets ?? true;
  const n: Notification = {
    version: 1,
    recipientTag: tag,
    timestamp: options.timestamp ?? BigInt(Math.floor(Date.now() / 1000)),
    ttl: 3600,
    payload: new Uint8Array(randomBytes(options.payloadSize ?? 80)),
    work: 0n,
  };
  const hash = contentHash(n);
  for (let work = randomBytes(8).readBigUInt64LE(); ; work = BigInt.asUintN(64, work + 1n)) {
    if ((workValue(hash, work) >= threshold) === meets) return { ...n, work };
  }
}

/** A random tag whose first byte is `first` (so prefix fetches find it among its neighbours). */
export function tagStartingWith(first: number): Uint8Array {
  const tag = randomTag();
  tag[0] = first;
  return tag;
}

/** Publishes `count` fresh notifications for `tag` through `transport`; their hashes (hex). */
export async function publishMany(transport: NodeTransport, tag: Uint8Array, count: number): Promise<string[]> {
  const sent: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = notificationFor(tag);
    const outcome = await transport.publish(n);
    if (outcome.reason !== 'ok') throw new Error(`publish refused: ${outcome.reason} ${outcome.message ?? ''}`);
    sent.push(toHex(contentHash(n)));
  }
  return sent;
}

/** Follows the cursor of `query` to the end; the hashes (hex) of every page and the page count. */
export async function readAllPages(transport: NodeTransport, query: FetchQuery, maxPages = 50): Promise<{ hashes: string[]; pages: number }> {
  const hashes: string[] = [];
  let cursor: Uint8Array | undefined;
  let pages = 0;
  do {
    const page = await transport.fetch({ ...query, ...(cursor ? { cursor } : {}) });
    if (query.limit !== undefined && page.notifications.length > query.limit) throw new Error('a page over its limit');
    hashes.push(...page.notifications.map((n) => toHex(contentHash(n))));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && cursor.length > 0 && pages < maxPages);
  return { hashes, pages };
}
