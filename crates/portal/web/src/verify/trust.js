// The genesis the visitor trusts. A visitor may pin a genesis document (uploaded, or the node's own taken once)
// in this browser's storage; verification then uses the pinned one and says so when the node serves another. Without
// a pin, the node's own genesis is used and marked "not pinned": the page then trusts the node for it.
import { FormatError, sha256, toHex, utf8 } from "../bytes.js";
import { parseJson, verifyHistory } from "./history.js";
import { parseGenesis } from "./types.js";

const STORAGE_KEY = "publica.pinnedGenesis";
/** Largest genesis document accepted, bytes. */
export const MAX_GENESIS_BYTES = 4 * 1024 * 1024;
let cachedSets = null;

/** The browser's storage, or null when it is unavailable (private mode, a test). */
function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * A genesis document's canonical text (compact JSON, fields in document order) and its SHA-256 in hex: the hash
 * the node itself gives its genesis. Throws FormatError when the text is not a valid genesis document.
 */
export function canonicalGenesis(text) {
  if (typeof text !== "string" || text.length > MAX_GENESIS_BYTES) throw new FormatError("a genesis document is JSON text of at most 4 MiB");
  const json = parseJson(text, "the genesis document");
  const parsed = parseGenesis(json);
  const canonical = JSON.stringify(json);
  return { text: canonical, hash: toHex(sha256(utf8(canonical))), chainId: parsed.chainId };
}

/** Fetch JSON text from the node (same origin); throws an Error naming the URL and status when it fails. */
async function fetchText(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}

/** The node's own genesis: `{ text, hash, chainId }`. */
async function nodeGenesis() {
  return canonicalGenesis(await fetchText("/v1/genesis"));
}

/**
 * The trusted genesis: `{ genesis (canonical text), hash (hex), chainId, pinned }`: the pinned one when there is
 * one, else the node's (not pinned).
 */
export async function getTrust() {
  const stored = storage()?.getItem(STORAGE_KEY);
  if (stored) {
    try {
      const g = canonicalGenesis(stored);
      return { genesis: g.text, hash: g.hash, chainId: g.chainId, pinned: true };
    } catch {
      storage()?.removeItem(STORAGE_KEY);
    }
  }
  const g = await nodeGenesis();
  return { genesis: g.text, hash: g.hash, chainId: g.chainId, pinned: false };
}

/** Validate a genesis document (text) and pin it; returns what `getTrust` will return. Throws FormatError. */
export function pinGenesis(text) {
  const g = canonicalGenesis(text);
  const s = storage();
  if (!s) throw new FormatError("this browser does not allow the page to store a pinned genesis");
  s.setItem(STORAGE_KEY, g.text);
  cachedSets = null;
  return { genesis: g.text, hash: g.hash, chainId: g.chainId, pinned: true };
}

/** Forget the pinned genesis. */
export function unpin() {
  storage()?.removeItem(STORAGE_KEY);
  cachedSets = null;
}

/**
 * The validator sets to verify with: the node's `/v1/validators/history` verified from the trusted genesis, once
 * per page. Returns a report whose checks are `genesis` (the node's genesis is the pinned one, or it is used
 * unpinned) and `history` (the validator history verified from it, as `verifyHistory` found); on success it carries `sets` and `trust`. Never throws.
 */
export async function verifiedSets() {
  if (cachedSets) return cachedSets;
  const checks = [];
  let trust;
  try {
    trust = await getTrust();
    const node = await nodeGenesis();
    if (trust.pinned && node.hash !== trust.hash) {
      checks.push({ id: "genesis", ok: false, detail: `this node serves genesis ${node.hash} (network ${node.chainId}), but you pinned genesis ${trust.hash} (network ${trust.chainId}): this node is of another network, or its validators are not the ones you trust. Use a node of the network you pinned, or unpin to trust this node's genesis` });
      return { ok: false, checks };
    }
    checks.push({ id: "genesis", ok: true, detail: trust.pinned
      ? `the node's genesis is the one you pinned (SHA-256 ${trust.hash}, network ${trust.chainId})`
      : `the node's own genesis is used, not pinned (SHA-256 ${trust.hash}, network ${trust.chainId}); pin it to be warned if it ever changes` });
    const history = await fetchText("/v1/validators/history");
    const h = verifyHistory(trust.genesis, history);
    const last = h.checks[h.checks.length - 1];
    checks.push({ id: "history", ok: h.ok, detail: last.detail });
    const result = { ok: h.ok, checks, sets: h.sets, trust };
    if (h.ok) cachedSets = result;
    return result;
  } catch (e) {
    checks.push({ id: checks.length ? "history" : "genesis", ok: false, detail: `the node could not be asked (${e.message}); try again` });
    return { ok: false, checks };
  }
}

/** Forget the cached validator sets (after pinning or unpinning). */
export function resetVerifiedSets() {
  cachedSets = null;
}
