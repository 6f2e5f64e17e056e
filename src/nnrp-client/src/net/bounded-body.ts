// Reads an HTTP answer without trusting its size: a node's body is taken chunk by chunk and the
// read stops at `limit` bytes, so a hostile or broken node cannot make a wallet buffer more.
import { NodeUnreachableError } from './errors.js';

export async function readBoundedText(response: Response, limit: number, endpoint: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw new NodeUnreachableError(endpoint, `an answer of ${declared} bytes is over the ${limit}-byte limit`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new NodeUnreachableError(endpoint, `an answer over the ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch {
    throw new NodeUnreachableError(endpoint, 'an answer that is not UTF-8');
  }
}
