// The genesis the visitor trusts. A visitor may pin a genesis document (uploaded, or the node's own taken once)
// in this browser's storage; verification then uses the pinned one and says so when the node serves another. Without
// a pin, the node's own genesis is used and marked "not pinned": the page then trusts the node for it.
import { FormatError, sha256, toHex, utf8 } from "../bytes.js";
import { MAX_PROOF_JSON_BYTES, parseJson, verifyHistory } from "./history.js";
import { getBounded } from "./fetch.js";
import { parseGenesis } from "./types.js";
import { parseVerifierKey } from "./tlog.js";

const STORAGE_KEY = "publica.pinnedGenesis";
const WITNESS_KEY = "publica.pinnedWitnesses";
/** Most witness keys a visitor may pin. */
const MAX_PINNED_WITNESSES = 32;
/** Longest witness key (a C2SP vkey of an ML-DSA-44 key is about 1.8 KB). */
const MAX_VKEY_CHARS = 4096;
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

/** Fetch JSON text from the node (same origin), bounded in size and time; throws an Error naming the URL when it fails. */
async function fetchText(url, max) {
  const { status, text } = await getBounded(url, max);
  if (status < 200 || status > 299) throw new Error(`${url} answered ${status}`);
  return text;
}

/** The node's own genesis: `{ text, hash, chainId }`. */
async function nodeGenesis() {
  return canonicalGenesis(await fetchText("/v1/genesis", MAX_GENESIS_BYTES));
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
      checks.push({ id: "genesis", ok: false, detail: `this node serves genesis ${node.hash} (network ${node.chainId}), but you pinned genesis ${trust.hash} (network ${trust.chainId}): this node is of another network, or its validators are not the ones you trust. Use a node of the network you pinned, or unpin to trust this node's genesis`,
        sv: `noden visar genesisdokumentet ${node.hash} (nätverket ${node.chainId}), men du har fäst ${trust.hash} (nätverket ${trust.chainId}): noden tillhör ett annat nätverk, eller så är dess validerare inte de du litar på. Använd en nod i nätverket du fäst, eller lossa för att lita på nodens genesisdokument` });
      return { ok: false, checks };
    }
    checks.push(trust.pinned
      ? { id: "genesis", ok: true, detail: `the node's genesis is the one you pinned (SHA-256 ${trust.hash}, network ${trust.chainId})`,
        sv: `nodens genesisdokument är det du fäst (SHA-256 ${trust.hash}, nätverket ${trust.chainId})` }
      : { id: "genesis", ok: false, pending: true, detail: `not pinned: checked against this node's own keys (genesis SHA-256 ${trust.hash}, network ${trust.chainId}); a node serving a false genesis would pass. Pin a genesis you obtained elsewhere on the /verify page`,
        sv: `inte fäst: kontrollerat mot nodens egna nycklar (genesisdokumentets SHA-256 ${trust.hash}, nätverket ${trust.chainId}); en nod som visar ett falskt genesisdokument skulle godkännas. Fäst ett genesisdokument som du fått på annat håll, på sidan /verify` });
    const history = await fetchText("/v1/validators/history", MAX_PROOF_JSON_BYTES);
    const h = verifyHistory(trust.genesis, history);
    const last = h.checks[h.checks.length - 1];
    checks.push({ id: "history", ok: h.ok, detail: last.detail, ...(last.sv ? { sv: last.sv } : {}) });
    const result = { ok: h.ok, checks, sets: h.sets, trust };
    if (h.ok) cachedSets = result;
    return result;
  } catch (e) {
    checks.push({ id: checks.length ? "history" : "genesis", ok: false, detail: `the node could not be asked (${e.message}); try again`, sv: `noden kunde inte nås (${e.message}); försök igen` });
    return { ok: false, checks };
  }
}

/**
 * Parse pasted witness keys: C2SP vkeys (`name+hex-id+base64`), one a line; blank lines ignored. Throws FormatError
 * naming the first line that is not one.
 */
function parseWitnessKeys(text) {
  const lines = String(text ?? "").split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length > MAX_PINNED_WITNESSES) throw new FormatError(`at most ${MAX_PINNED_WITNESSES} witness keys can be pinned`);
  lines.forEach((line, i) => {
    try {
      if (line.length > MAX_VKEY_CHARS) throw new FormatError("too long");
      parseVerifierKey(line);
    } catch (e) {
      throw new FormatError(`line ${i + 1} is not a witness key (name+key id+base64, a C2SP verifier key): ${e.message}`);
    }
  });
  return lines;
}

/** The witness keys pinned in this browser (vkeys), or null when none are pinned. */
export function pinnedWitnesses() {
  const stored = storage()?.getItem(WITNESS_KEY);
  if (!stored) return null;
  try {
    const keys = parseWitnessKeys(stored);
    return keys.length ? keys : null;
  } catch {
    storage()?.removeItem(WITNESS_KEY);
    return null;
  }
}

/** Pin witness keys (pasted text); returns them. Throws FormatError. Empty text unpins them. */
export function pinWitnesses(text) {
  const keys = parseWitnessKeys(text);
  const s = storage();
  if (!s) throw new FormatError("this browser does not allow the page to store pinned witness keys");
  if (keys.length) s.setItem(WITNESS_KEY, keys.join("\n"));
  else s.removeItem(WITNESS_KEY);
  return keys;
}

/** Forget the cached validator sets (after pinning or unpinning). */
export function resetVerifiedSets() {
  cachedSets = null;
}
