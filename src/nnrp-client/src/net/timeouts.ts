// Every network wait of the SDK ends: the caller's AbortSignal, combined with a per-request timeout.

/** Default time one node gets to answer one request. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** The caller's signal (if any) and a timeout, whichever fires first. */
export function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

