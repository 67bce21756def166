// Reading the node's answers with a bound: the bytes are counted while they arrive, and reading stops at the
// limit, so an oversized answer is never held whole in memory.

/** How long the browser waits for one of the node's answers, body included, before saying it did not answer. */
export const ANSWER_TIMEOUT_MS = 20_000;

/**
 * GET `url` (same origin) as text: `{ status, text }`, at most `max` bytes counted while read, the request and the
 * reading together bounded by `ms`; past it, throws an Error saying the node did not answer in time, so that a
 * check waiting on the node always ends with a verdict.
 */
export async function getBounded(url, max, accept = "application/json", ms = ANSWER_TIMEOUT_MS) {
  try {
    const response = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(ms) });
    return { status: response.status, text: await readBounded(response, max, `the answer of ${url}`) };
  } catch (e) {
    if (e?.name === "TimeoutError") throw new Error(`the node did not answer ${url} within ${ms / 1000} s; try again`);
    throw e;
  }
}

/** An answer larger than the limit it was read with. */
export class TooLargeError extends Error {}

/**
 * The text of `response` (a fetch Response), at most `max` bytes, counted while reading; throws TooLargeError past
 * the limit. A response without a readable body (a test's stand-in) is read whole and then measured.
 */
export async function readBounded(response, max, what) {
  const tooLarge = () => new TooLargeError(`${what} is larger than ${max} bytes`);
  if (Number(response.headers?.get?.("content-length") ?? 0) > max) throw tooLarge();
  const reader = response.body?.getReader?.();
  if (!reader) {
    const text = await response.text();
    if (new TextEncoder().encode(text).length > max) throw tooLarge();
    return text;
  }
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
