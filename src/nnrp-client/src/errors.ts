// Errors the core throws. Every refusal of bad input is one of these, with a message that names
// the rule broken (never a stack trace of a parser).

/** NNRP.md §3.1: the rule a notification breaks (the reference node's `NotificationRule`). */
export type NotificationRule =
  | 'Version' | 'RecipientTagLength' | 'TtlRange' | 'PayloadSize'
  | 'TimestampInFuture' | 'Expired' | 'InsufficientWork' | 'Encoding';

/** Text, bytes or JSON that does not follow the rule of NNRP.md cited in the message. */
export class NnrpFormatError extends Error {
  override name = 'NnrpFormatError';
}

/** A notification that breaks one of the §3.1 / §5 / §6 rules. */
export class NotificationRuleError extends NnrpFormatError {
  override name = 'NotificationRuleError';
  constructor(readonly rule: NotificationRule, message: string) {
    super(message);
  }
}

/** A payload that does not open with this key, or was tampered with (§7). */
export class SealingError extends Error {
  override name = 'SealingError';
}

/** Proof-of-work generation was cancelled through its AbortSignal. */
export class WorkCancelledError extends Error {
  override name = 'AbortError';
  constructor() {
    super('work generation was cancelled');
  }
}
