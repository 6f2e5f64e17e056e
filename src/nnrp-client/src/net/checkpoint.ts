// Where the last complete fetch of one key's mailbox ended, so the next asks only for what is
// new — the C# SDK's FetchCheckpoint (src/Nnrp.Client/Mailbox/FetchCheckpoint.cs), same rule and
// same JSON, so a wallet can move its checkpoint between the two:
//
//   {"version": 1, "recipient_tag": "<64 hex>", "since": <unix s>, "seen": {"<hash hex>": <timestamp>, …}}
//
// A notification can reach a node well after its timestamp (the sender stamps it before
// computing work; sync between nodes lags), so the next fetch starts OVERLAP_SECONDS before the
// last one began, and the hashes already delivered in that window are remembered and skipped.
import { fromHex, toHex } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';

export const CHECKPOINT_VERSION = 1;
/** The §5 future window (600 s) plus the time a slow sender spends on work and nodes on sync. */
export const OVERLAP_SECONDS = 3600n;
/** Remembered hashes are bounded so a flooded mailbox cannot grow the checkpoint without end. */
export const MAX_SEEN = 100_000;
/** A checkpoint document is bounded accordingly (≈ 80 bytes per remembered hash). */
export const MAX_CHECKPOINT_LENGTH = MAX_SEEN * 80 + 4096;

export class FetchCheckpoint {
  private constructor(readonly tag: Uint8Array, readonly since: bigint, private readonly seen: ReadonlyMap<string, bigint>) {}

  /** A fresh checkpoint: the next fetch asks for everything. */
  static start(tag: Uint8Array): FetchCheckpoint {
    return new FetchCheckpoint(tag, 0n, new Map());
  }

  /** True when `hashHex` (lowercase) was delivered by an earlier fetch. */
  has(hashHex: string): boolean {
    return this.seen.has(hashHex);
  }

  /** The checkpoint after a complete fetch that began at `startedAt` (unix s) and delivered `delivered`. */
  advance(delivered: readonly { hash: string; timestamp: bigint }[], startedAt: bigint, overlap = OVERLAP_SECONDS): FetchCheckpoint {
    const start = startedAt - overlap;
    const since = start > this.since ? start : this.since;
    const seen = new Map(this.seen);
    for (const d of delivered) seen.set(d.hash, d.timestamp);
    const kept = [...seen.entries()]
      .filter(([, timestamp]) => timestamp >= since)
      .sort(([, a], [, b]) => (a === b ? 0 : a > b ? -1 : 1))
      .slice(0, MAX_SEEN);
    return new FetchCheckpoint(this.tag, since, new Map(kept));
  }

  toJson(): string {
    const seen = [...this.seen.entries()].sort(([ha, a], [hb, b]) => (a === b ? (ha < hb ? -1 : 1) : a < b ? -1 : 1));
    // Built by hand: JSON.stringify has no u64 numbers.
    const entries = seen.map(([hash, timestamp]) => `${JSON.stringify(hash)}:${timestamp}`).join(',');
    return `{"version":${CHECKPOINT_VERSION},"recipient_tag":"${toHex(this.tag)}","since":${this.since},"seen":{${entries}}}`;
  }

  /** Parses a checkpoint document (NnrpFormatError when malformed). */
  static parse(json: string): FetchCheckpoint {
    if (json.length > MAX_CHECKPOINT_LENGTH) throw new NnrpFormatError(`a checkpoint is at most ${MAX_CHECKPOINT_LENGTH} characters`);
    let doc: unknown;
    try {
      doc = JSON.parse(json);
    } catch {
      throw new NnrpFormatError('a checkpoint is JSON');
    }
    if (typeof doc !== 'object' || doc === null || (doc as Record<string, unknown>).version !== CHECKPOINT_VERSION) {
      throw new NnrpFormatError(`a checkpoint is a JSON object with "version": ${CHECKPOINT_VERSION}`);
    }
    const d = doc as Record<string, unknown>;
    if (typeof d.recipient_tag !== 'string') throw new NnrpFormatError('a checkpoint names its recipient_tag');
    const tag = fromHex(d.recipient_tag, 32, 'recipient_tag');
    const since = unixSeconds(d.since, 'since');
    if (typeof d.seen !== 'object' || d.seen === null || Array.isArray(d.seen)) throw new NnrpFormatError('a checkpoint has a "seen" object');
    const seen = new Map<string, bigint>();
    for (const [hash, timestamp] of Object.entries(d.seen)) {
      if (seen.size === MAX_SEEN) break;
      seen.set(toHex(fromHex(hash, 32, 'a seen hash')), unixSeconds(timestamp, 'a seen timestamp'));
    }
    return new FetchCheckpoint(tag, since, seen);
  }
}

function unixSeconds(value: unknown, field: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new NnrpFormatError(`${field} is unix seconds`);
  return BigInt(value);
}
