// NNRP.md §3.1 (form), §5 (clock window), §6.1 (work): what a node checks, so a wallet can refuse
// a bad notification before sending it or after fetching it.
import type { Notification } from '../api.js';
import { NotificationRuleError } from '../errors.js';
import { workValue } from '../work/work-value.js';
import { contentHash } from './hash.js';
import { MAX_CLOCK_SKEW_SECONDS, MAX_PAYLOAD, MAX_TTL, MIN_TTL, NOTIFICATION_VERSION, TAG_SIZE } from './limits.js';

/** §3.1 form rules (version, tag length, ttl range, payload size, u64 ranges). */
export function checkForm(n: Notification): void {
  if (n.version !== NOTIFICATION_VERSION) throw new NotificationRuleError('Version', `version must be ${NOTIFICATION_VERSION}, not ${n.version}`);
  if (n.recipientTag.length !== TAG_SIZE) throw new NotificationRuleError('RecipientTagLength', `recipient_tag must be ${TAG_SIZE} bytes, not ${n.recipientTag.length}`);
  if (!Number.isInteger(n.ttl) || n.ttl < MIN_TTL || n.ttl > MAX_TTL) throw new NotificationRuleError('TtlRange', `ttl must be ${MIN_TTL}..${MAX_TTL} seconds, not ${n.ttl}`);
  if (n.payload.length > MAX_PAYLOAD) throw new NotificationRuleError('PayloadSize', `payload must be at most ${MAX_PAYLOAD} bytes, not ${n.payload.length}`);
  if (n.timestamp < 0n || n.timestamp > 0xffffffffffffffffn) throw new NotificationRuleError('Encoding', 'timestamp must be a u64');
  if (n.work < 0n || n.work > 0xffffffffffffffffn) throw new NotificationRuleError('Encoding', 'work must be a u64');
}

/** §5: refuses FUTURE (`timestamp > now + 600`) and EXPIRED (`timestamp + ttl ≤ now`). */
export function checkClock(n: Pick<Notification, 'timestamp' | 'ttl'>, now: bigint): void {
  if (n.timestamp > now + BigInt(MAX_CLOCK_SKEW_SECONDS)) throw new NotificationRuleError('TimestampInFuture', `timestamp ${n.timestamp} is more than ${MAX_CLOCK_SKEW_SECONDS} s ahead of ${now}`);
  if (n.timestamp + BigInt(n.ttl) <= now) throw new NotificationRuleError('Expired', `expired at ${n.timestamp + BigInt(n.ttl)} (now ${now})`);
}

/** The current unix time in seconds. */
export function unixNow(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

/** Every rule a node applies to a publish, in its order: form, clock, work ≥ `threshold`. Returns the hash. */
export function validateNotification(n: Notification, options: { now?: bigint; threshold?: bigint } = {}): Uint8Array {
  checkForm(n);
  checkClock(n, options.now ?? unixNow());
  const hash = contentHash(n);
  if (options.threshold !== undefined) {
    const value = workValue(hash, n.work);
    if (value < options.threshold) {
      throw new NotificationRuleError('InsufficientWork', `work value ${value.toString(16)} is below the threshold ${options.threshold.toString(16)}`);
    }
  }
  return hash;
}
