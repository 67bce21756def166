// The node answers a presentation is checked with (the same as `publica credential bundle` fetches): the issuer's
// DID resolved at issuance, the accreditation it relies on with its chain, the schema that accreditation names, and
// the status list entry. Nothing here is trusted: verify.js checks every proof.
import { fail } from "../verify/report.js";
import { readBounded } from "../verify/fetch.js";
import { parseDid, parseStatusUri } from "./ledger.js";
import { peekPresentation } from "./sdjwt.js";

/** Largest node answer read, bytes (an answer with proofs and its certificate is tens of KB). */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** How long to wait for the network to commit a block after the issuance, milliseconds. */
const MAX_BLOCK_WAIT_MS = 15000;

/** Percent-encode a path segment or query value (RFC 3986 unreserved characters stay). */
function encode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** GET a same-origin JSON answer (bounded); fails check `ledger-proof` naming the route when the node refuses. */
async function getJson(fetcher, path) {
  let response;
  try {
    response = await fetcher(path, { headers: { accept: "application/json" } });
  } catch (e) {
    return fail("ledger-proof", `the node could not be asked for ${path} (${e.message}); check the connection and try again`);
  }
  let text;
  try {
    text = await readBounded(response, MAX_ANSWER_BYTES, `the node's answer to ${path}`);
  } catch (e) {
    fail("ledger-proof", `${e.message}; it is not an answer this page checks`);
  }
  if (!response.ok) {
    let reason = text.slice(0, 300);
    try {
      reason = JSON.parse(text).error ?? reason;
    } catch {
      // not JSON: the text itself
    }
    fail("ledger-proof", `the node answered ${response.status} to ${path}: ${reason}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    return fail("ledger-proof", `the node's answer to ${path} is not JSON`);
  }
}

/** Wait until the node has a block at or after `ms`, so that its proofs cover the issuance. */
async function waitForBlockAfter(fetcher, ms, sleep) {
  const deadline = Date.now() + MAX_BLOCK_WAIT_MS;
  for (;;) {
    const status = await getJson(fetcher, "/v1/status");
    if (Number(status.last_block_time_ms) >= ms) return;
    if (Date.now() >= deadline) fail("ledger-proof", "the node has no block since the credential's issuance yet: its proofs could not cover the issuance; try again in a moment");
    await sleep(300);
  }
}

/**
 * Fetch the bundle of `text` (a presentation) from the node: `{ issuer, accreditation, schema, status? }`.
 * `fetcher` is `fetch` (same origin). Throws a CheckFailure (`format` or `ledger-proof`) when it cannot.
 */
export async function fetchBundle(text, fetcher = globalThis.fetch, sleep = (ms) => new Promise((r) => setTimeout(r, ms))) {
  const claimed = peekPresentation(text);
  if (claimed.iat === null) fail("issuer-key", "the credential has no `iat`: it cannot be checked against the ledger");
  const did = parseDid(claimed.iss);
  const atMs = claimed.iat * 1000;
  await waitForBlockAfter(fetcher, atMs, sleep);
  const issuer = await getJson(fetcher, `/v1/dids/${encode(claimed.iss)}?versionTime=${atMs}`);
  const listed = await getJson(fetcher, `/v1/identity/issuers/${did.address}/accreditations?type=${encode(claimed.vct)}`);
  const chosen = accreditationFor(Array.isArray(listed.accreditations) ? listed.accreditations : [], atMs);
  if (!chosen) fail("accreditation", `the ledger has no accreditation of ${claimed.iss} for ${claimed.vct}`);
  const accreditation = await getJson(fetcher, `/v1/identity/accreditations/${chosen.id}`);
  const schema = await getJson(fetcher, `/v1/identity/schemas/${encode(String(chosen.schema))}`);
  const bundle = { issuer, accreditation, schema };
  if (claimed.status) {
    const { owner, list } = parseStatusUri(claimed.status.uri);
    bundle.status = await getJson(fetcher, `/v1/identity/status-lists/${owner}/${list}/entries/${claimed.status.idx}`);
  }
  return bundle;
}

/**
 * Which of the issuer's accreditations for the type (in the order made) the credential relies on: the latest in
 * force at `atMs`, else the latest, so that the check says why it fails. Only a choice of what to fetch; the
 * chosen record is verified from its proofs.
 */
export function accreditationFor(records, atMs) {
  const inForce = (r) => r.valid_from_ms <= atMs && atMs < r.valid_until_ms && (r.revoked_at_ms === null || r.revoked_at_ms > atMs);
  const valid = records.filter((r) => r && Number.isSafeInteger(r.id));
  return [...valid].reverse().find(inForce) ?? valid[valid.length - 1] ?? null;
}
