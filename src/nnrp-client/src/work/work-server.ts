// An optional Nano work server (nano-node RPC `work_generate`, nano-work-server, a GPU box):
//   POST {"action": "work_generate", "hash": "<root hex>", "difficulty": "<threshold, 16 hex>"}
//   →    {"work": "<16 hex>", ...}  or  {"error": "..."}
// NNRP work is Nano work over the content hash (NNRP.md §6.1), so any of them can make it. The
// answer is untrusted: the caller verifies it before use.
import { toHex } from '../bytes.js';
import { formatWork, parseWork } from './thresholds.js';

/** A work server gets this long before the local generator takes over (ms). */
export const DEFAULT_WORK_SERVER_TIMEOUT_MS = 30_000;
/** Bytes of a work server answer read at most (it is a few dozen). */
const MAX_ANSWER = 4096;

/** The caller's signal, aborted also after `ms` (AbortSignal.any where it exists). */
function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  if (!signal) return timeout;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([signal, timeout]);
  const both = new AbortController();
  const abort = (): void => both.abort();
  signal.addEventListener('abort', abort, { once: true });
  timeout.addEventListener('abort', abort, { once: true });
  if (signal.aborted) both.abort();
  return both.signal;
}

export async function requestServerWork(
  url: string, root: Uint8Array, threshold: bigint,
  options: { signal?: AbortSignal; timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<bigint> {
  const signal = withTimeout(options.signal, options.timeoutMs ?? DEFAULT_WORK_SERVER_TIMEOUT_MS);
  const response = await (options.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'work_generate', hash: toHex(root).toUpperCase(), difficulty: formatWork(threshold) }),
    signal,
  });
  const text = await response.text();
  if (text.length > MAX_ANSWER) throw new Error(`work server answer over ${MAX_ANSWER} bytes`);
  if (!response.ok) throw new Error(`work server answered HTTP ${response.status}`);
  const body = JSON.parse(text) as { work?: unknown; error?: unknown };
  if (typeof body.work !== 'string') throw new Error(`work server answered no work${typeof body.error === 'string' ? ': ' + body.error.slice(0, 200) : ''}`);
  return parseWork(body.work);
}
