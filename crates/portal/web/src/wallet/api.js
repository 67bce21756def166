// The node's REST API (docs/api.md), on the page's own origin, as the wallet uses it: bounded reads, the node's
// error body kept whole, u64 numbers the wallet needs read exactly.

import { toBase64, toHex } from "../bytes.js";
import { WalletError } from "./errors.js";

/** Largest answer read from the node, in bytes. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** How often a pending transaction is asked about, and for how long at most. */
export const POLL_INTERVAL_MS = 500;
export const POLL_TIMEOUT_MS = 120_000;
/** How long one request waits for the node's answer, body included. */
export const REQUEST_TIMEOUT_MS = 30_000;

const ADDRESS = /^[0-9a-f]{40}$/;
const TX_ID = /^[0-9a-f]{64}$/;
const NUMBER = /^\d{1,20}$/;

/** Reads an answer's text, refusing one over the limit. */
async function boundedText(response) {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_ANSWER_BYTES) throw new WalletError("node_unreachable", `an answer of ${declared} bytes is too large`);
  const text = await response.text();
  if (text.length > MAX_ANSWER_BYTES) throw new WalletError("node_unreachable", `an answer of ${text.length} bytes is too large`);
  return text;
}

/** The node's error as a WalletError carrying its `code`, `number` and `message` (docs/api.md, "Errors"). */
function nodeError(status, text) {
  let error = null;
  try {
    error = JSON.parse(text)?.error ?? null;
  } catch {
    error = null;
  }
  const code = typeof error?.code === "string" ? error.code : `http_${status}`;
  const message = typeof error?.message === "string" ? error.message : text.slice(0, 300);
  const e = new WalletError("node_refused", `${code}: ${message}`);
  e.nodeCode = code;
  e.nodeMessage = message;
  e.status = status;
  return e;
}

/** Sends a request to the node and returns `{status, text}` of a 2xx answer; throws the node's error otherwise. */
async function request(base, path, init = {}) {
  let response;
  let text;
  try {
    response = await fetch(`${base}${path}`, {
      ...init,
      headers: { accept: "application/json", ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await boundedText(response);
  } catch (e) {
    if (e instanceof WalletError) throw e;
    const reason = e?.name === "TimeoutError" ? `no answer to ${path} within ${REQUEST_TIMEOUT_MS / 1000} s` : String(e?.message ?? e);
    throw new WalletError("node_unreachable", reason);
  }
  if (!response.ok) throw nodeError(response.status, text);
  return { status: response.status, text };
}

/** Parses JSON text from the node, refusing anything else. */
function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new WalletError("node_unreachable", "the node's answer is not JSON");
  }
}

/** Reads a top-level unsigned 64-bit field exactly from the answer's text (JSON numbers may exceed 2^53). */
export function exactU64(text, name) {
  const match = new RegExp(`"${name}"\\s*:\\s*(\\d{1,20})\\s*[,}]`).exec(text);
  if (!match) throw new WalletError("node_unreachable", `the node's answer has no ${name}`);
  const value = BigInt(match[1]);
  if (value >= 1n << 64n) throw new WalletError("node_unreachable", `${name} is not a 64-bit number`);
  return value;
}

/** `GET /v1/status`: the chain id and the last block's time. */
export async function fetchStatus(base = "") {
  const { text } = await request(base, "/v1/status");
  const status = parse(text);
  const lastBlockTimeMs = status.last_block_time_ms === null ? null : exactU64(text, "last_block_time_ms");
  return { chainId: status.chain_id, height: status.height, lastBlockTimeMs };
}

/**
 * `GET /v1/accounts/{address}`: the account record and its next nonce (exact). An unregistered address is null.
 */
export async function fetchAccount(address, base = "") {
  if (!ADDRESS.test(address)) throw new WalletError("invalid_argument", "an address is 40 lowercase hex digits");
  try {
    const { text } = await request(base, `/v1/accounts/${address}`);
    const answer = parse(text);
    return { account: answer.account, height: answer.height, nextNonce: exactU64(text, "next_nonce") };
  } catch (e) {
    if (e.nodeCode === "not_found") return null;
    throw e;
  }
}

/**
 * The account a key signs for, from the ledger's index `acc/k/` ‖ key address (docs/keys.md): the key's own address
 * unless the key was rotated in for another account. Null when the key signs for no account. The node's word is
 * taken here; a wrong answer only makes the node refuse the signature.
 */
export async function fetchSignerAccount(keyAddress, base = "") {
  if (!ADDRESS.test(keyAddress)) throw new WalletError("invalid_argument", "an address is 40 lowercase hex digits");
  const stateKey = toHex(new TextEncoder().encode("acc/k/")) + keyAddress;
  const answer = parse((await request(base, `/v1/state/${stateKey}`)).text);
  if (answer.value === null || answer.value === undefined) return null;
  if (typeof answer.value !== "string" || !ADDRESS.test(answer.value)) {
    throw new WalletError("node_unreachable", "the key index holds something other than an address");
  }
  return answer.value;
}

/** `POST /v1/transactions`: submits signed bytes; returns the node's transaction id. */
export async function submitTransaction(bytes, base = "") {
  const { text } = await request(base, "/v1/transactions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tx: toBase64(bytes) }),
  });
  const answer = parse(text);
  if (!TX_ID.test(answer.tx_id ?? "")) throw new WalletError("node_unreachable", "the node's answer has no transaction id");
  return answer.tx_id;
}

/** `GET /v1/transactions/{id}`: `{status: pending|committed|rejected, height?, outcome?, error?}`. */
export async function fetchTransaction(id, base = "") {
  if (!TX_ID.test(id)) throw new WalletError("invalid_argument", "a transaction id is 64 lowercase hex digits");
  return parse((await request(base, `/v1/transactions/${id}`)).text);
}

/**
 * Asks about transaction `id` until it is committed or rejected (or `timeoutMs` passes), calling `onPending` each
 * time it is still pending. Returns the final answer.
 */
export async function waitForTransaction(id, { base = "", onPending, timeoutMs = POLL_TIMEOUT_MS, intervalMs = POLL_INTERVAL_MS } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let answer = null;
    try {
      answer = await fetchTransaction(id, base);
    } catch (e) {
      // Just after submission a node behind a load balancer may not know the id yet.
      if (e.nodeCode !== "not_found") throw e;
    }
    if (answer && (answer.status === "committed" || answer.status === "rejected")) return answer;
    if (Date.now() > deadline) throw new WalletError("wait_timeout", id);
    onPending?.(answer);
    await new Promise((ok) => setTimeout(ok, intervalMs));
  }
}

/** `GET /v1/registry/applications/{id}`: the application's latest version, its action and where it stands. */
export async function fetchApplication(id, base = "") {
  const text = String(id).trim();
  if (!NUMBER.test(text) || BigInt(text) >= 1n << 64n) {
    throw new WalletError("invalid_argument", "an application number is a whole number");
  }
  return parse((await request(base, `/v1/registry/applications/${text}`)).text);
}
