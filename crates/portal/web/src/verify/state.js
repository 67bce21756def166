// State proofs (a sparse Merkle tree over SHA-256(key), `docs/state-proofs.md`) and proof documents: any API answer
// whose `certified` header scopes `KeyProof`s, or a self-contained `ReadProof`, checked down to the certified root.
import { FormatError, concat, equalBytes, fromHex, sha256, toHex } from "../bytes.js";
import { checkCertified } from "./certified.js";
import { Report, fail, report } from "./report.js";
import { parseJson, setAtHeight } from "./history.js";
import { exactFields, hash32, parseCertified, uint } from "./types.js";
import { parseRecordRef, tieToRecord } from "./records.js";

/** One sibling per bit of a key hash at most. */
const MAX_SIBLINGS = 256;
/** Longest state key, bytes. */
const MAX_KEY_BYTES = 1024;
/** Deepest nesting of a document walked. */
const MAX_DEPTH = 64;
const EMPTY = new Uint8Array(32);

/** Parse a state proof's JSON form `{ siblings, terminal }`. */
export function parseStateProof(json) {
  exactFields(json, "a state proof", ["siblings", "terminal"]);
  if (!Array.isArray(json.siblings) || json.siblings.length > MAX_SIBLINGS) {
    throw new FormatError(`a state proof's siblings must be a list of at most ${MAX_SIBLINGS} hashes`);
  }
  const siblings = json.siblings.map((s, i) => hash32(s, `sibling ${i + 1} of a state proof`));
  const t = json.terminal;
  if (t === null || typeof t !== "object") throw new FormatError("a state proof's terminal must be an object");
  let terminal;
  if (t.kind === "empty") {
    exactFields(t, "an empty terminal", ["kind"]);
    terminal = { kind: "empty" };
  } else if (t.kind === "leaf") {
    exactFields(t, "a leaf terminal", ["kind", "key_hash", "value_hash"]);
    terminal = { kind: "leaf", keyHash: hash32(t.key_hash, "a leaf's key hash"), valueHash: hash32(t.value_hash, "a leaf's value hash") };
  } else {
    throw new FormatError("a state proof's terminal kind must be `empty` or `leaf`");
  }
  return { siblings, terminal };
}

/** Bit `depth` of a hash, most significant bit of byte 0 first. */
function bit(h, depth) {
  return (h[depth >> 3] >> (7 - (depth & 7))) & 1;
}

/** Whether the first `bits` bits of `a` and `b` agree. */
function sharesPrefix(a, b, bits) {
  for (let i = 0; i < bits; i++) if (bit(a, i) !== bit(b, i)) return false;
  return true;
}

/** SHA-256(tag ‖ a ‖ b): a leaf (tag 0) or an internal node (tag 1) of the state tree. */
function node(tag, a, b) {
  return sha256(concat(new Uint8Array([tag]), a, b));
}

/**
 * Check that under `root` the key maps to `value` (bytes), or is absent (`value` null). Returns null when it
 * holds, else the reason in plain words.
 */
export function stateProofError(proof, root, key, value) {
  const keyHash = sha256(key);
  const depth = proof.siblings.length;
  const t = proof.terminal;
  if (t.kind === "leaf" && !sharesPrefix(t.keyHash, keyHash, depth)) {
    return "the proof's leaf is not on the key's path";
  }
  let current = t.kind === "empty" ? EMPTY : node(0, t.keyHash, t.valueHash);
  for (let d = depth - 1; d >= 0; d--) {
    current = bit(keyHash, d) ? node(1, proof.siblings[d], current) : node(1, current, proof.siblings[d]);
  }
  if (!equalBytes(current, root)) return `the proof leads to root ${toHex(current)}, not to the certified state root ${toHex(root)}`;
  if (t.kind === "empty") return value === null ? null : "the proof shows the key absent, but the document gives it a value";
  const same = equalBytes(t.keyHash, keyHash);
  if (value === null) return same ? "the proof shows the key present, but the document says it is absent" : null;
  if (!same) return "the proof shows another key where this key would be: the key is absent";
  return equalBytes(sha256(value), t.valueHash) ? null : "the value does not hash to the proven value hash: the value was altered";
}

/** What a verified certified header establishes: height, hash, time, proposer, number of signers. */
function headerFacts(c) {
  const h = c.header;
  return { height: h.height, hash: h.hash, timeMs: h.time_ms, proposer: h.proposer, signers: c.certificate.signatures.length };
}

/** Parse a KeyProof `{ height, key, value, proof }`. */
function parseKeyProof(json) {
  const key = fromHex(json.key, "a proof's key");
  if (key.length === 0 || key.length > MAX_KEY_BYTES) throw new FormatError(`a proof's key must be 1 to ${MAX_KEY_BYTES} bytes`);
  const value = json.value === null ? null : fromHex(json.value, "a proof's value");
  return { height: uint(json.height ?? 0, "a proof's height"), key, value, proof: parseStateProof(json.proof) };
}

const KEY_PROOF = ["height", "key", "value", "proof"];
const READ_PROOF = ["header", "certificate", "key", "value", "proof"];

/** Whether `obj` has exactly these fields. */
function hasExactly(obj, names) {
  const keys = Object.keys(obj);
  return keys.length === names.length && names.every((n) => n in obj);
}

/** Which proof form an object is: "key", "read", or null; refuses a near-proof (see verifyDocument). */
function proofForm(obj) {
  const inner = obj.proof;
  const holdsAProof = inner !== null && typeof inner === "object" && !Array.isArray(inner) && "key" in inner && "proof" in inner;
  if ("key" in obj && "proof" in obj && !holdsAProof && !hasExactly(obj, KEY_PROOF) && !hasExactly(obj, READ_PROOF)) {
    throw new FormatError(`an object with \`key\` and \`proof\` is a state proof, with exactly the fields ${KEY_PROOF.join(", ")} (or ${READ_PROOF.join(", ")}), but this one has ${Object.keys(obj).join(", ")}: the document was altered or is not a Publica answer`);
  }
  if (hasExactly(obj, KEY_PROOF)) return "key";
  if (hasExactly(obj, READ_PROOF)) return "read";
  return null;
}

/**
 * Walk a proof document and verify every certified header and proof in it, recording checks in `r`. Returns
 * `{ headers: [{height, timeMs, signers}], reads: [{height, timeMs, key, value}] }`.
 */
function walkDocument(r, doc, sets) {
  const found = { headers: [], reads: [] };
  const headerChecks = { done: false };
  const verifyHeader = (c) => {
    // The first header's checks are listed; later ones are checked the same way, their failures reported.
    const target = headerChecks.done ? new Report() : r;
    checkCertified(target, c, sets.chainId, setAtHeight(sets, c.header.height));
    headerChecks.done = true;
    found.headers.push(headerFacts(c));
  };
  const prove = (kp, c) => {
    if (kp.height !== c.header.height) {
      throw new FormatError(`the proof of key ${toHex(kp.key)} names the header of height ${kp.height}, but its certified header is of height ${c.header.height}`);
    }
    const error = stateProofError(kp.proof, c.header.state_root, kp.key, kp.value);
    if (error) fail("state-proof", `key ${toHex(kp.key)}: ${error}`, `nyckeln ${toHex(kp.key)}: beviset leder inte till den certifierade tillståndsroten med detta värde (${error})`);
    found.reads.push({ height: c.header.height, timeMs: c.header.time_ms, key: kp.key, value: kp.value });
  };
  const walk = (value, scope, depth) => {
    if (depth > MAX_DEPTH) throw new FormatError(`the document nests deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) return value.forEach((v) => walk(v, scope, depth + 1));
    if (value === null || typeof value !== "object") return;
    const form = proofForm(value);
    if (form === "key") {
      if (!scope) throw new FormatError(`the proof of key ${value.key} is not inside an object with a \`certified\` header`);
      return prove(parseKeyProof(value), scope);
    }
    if (form === "read") {
      const c = parseCertified({ header: value.header, certificate: value.certificate }, "a proof's certified header");
      verifyHeader(c);
      return prove(parseKeyProof({ ...value, height: c.header.height }), c);
    }
    let inner = scope;
    if (value.certified !== undefined && value.certified !== null) {
      inner = parseCertified(value.certified);
      verifyHeader(inner);
    }
    for (const [k, v] of Object.entries(value)) if (k !== "certified") walk(v, inner, depth + 1);
  };
  walk(doc, null, 0);
  if (found.reads.length === 0) throw new FormatError("the document holds no state proof");
  return found;
}

/** Whether `json` is a block answer (`GET /v1/blocks/{height}`): a header and its certificate, no state proof. */
function isBlockAnswer(json) {
  return json !== null && typeof json === "object" && "header" in json && "certificate" in json && "hash" in json && !("proof" in json);
}

/**
 * A block answer: its certified header verifies, and the `height` and `hash` it shows are the header's. Checks:
 * format, chain, certificate, validator-set, signatures, block.
 */
function verifyBlockAnswer(r, json, sets) {
  const c = parseCertified({ header: json.header, certificate: json.certificate }, "the block's certified header");
  r.pass("format", `a block answer of height ${c.header.height}`, `ett svar om blocket på höjd ${c.header.height}`);
  checkCertified(r, c, sets.chainId, setAtHeight(sets, c.header.height));
  if (json.height !== c.header.height || typeof json.hash !== "string" || json.hash.toLowerCase() !== toHex(c.header.hash)) {
    fail("block", `the answer shows block ${json.height} with hash ${json.hash}, but its certified header is block ${c.header.height} with hash ${toHex(c.header.hash)}`);
  }
  r.pass("block", "the height and hash shown are those of the certified header", "höjden och hashen som visas är det certifierade blockhuvudets");
  return { headers: [headerFacts(c)], reads: [] };
}

/**
 * Verify every proof in an API answer (JSON text or object) against verified validator sets: each object with a
 * `certified` header scopes the KeyProofs inside it, each self-contained ReadProof stands alone, an object that
 * looks like a proof but is not exactly one is refused, and a document with no proof is refused. Checks: format,
 * chain, certificate, validator-set, signatures, state-proof (or block). With `record` (`KIND:ID`, the record the
 * page shows), the answer must also be about that record (`record`), carry the proofs of the keys it is read from
 * (`keys`) and show exactly the proven values (`answer`); the report then carries `facts`, what the proofs
 * establish. A kind whose fields this browser does not compare gets a pending `answer` check.
 */
export function verifyDocument(doc, sets, record) {
  return report((r) => {
    const ref = record === undefined || record === null ? null : parseRecordRef(record);
    const json = parseJson(doc, "the document");
    let found;
    if (isBlockAnswer(json)) {
      found = verifyBlockAnswer(r, json, sets);
    } else {
      if (ref && ref.kind === "block") fail("record", `the page shows block ${ref.id}, but the answer is not a block`);
      r.pass("format", "a JSON document", "ett JSON-dokument");
      found = walkDocument(r, json, sets);
      const heights = [...new Set(found.headers.map((h) => h.height))].join(", ");
      r.pass("state-proof", `${found.reads.length} state ${found.reads.length === 1 ? "proof leads" : "proofs lead"} to the certified state root of block ${heights}`,
        `${found.reads.length} tillståndsbevis leder till den certifierade tillståndsroten i block ${heights}`);
    }
    if (!ref) return found;
    const facts = tieToRecord(r, ref, json, found);
    if (!facts) {
      r.pending("answer", `the proofs are genuine, but this browser does not yet compare the fields of a ${ref.kind} with them: the page's text is the node's word`,
        "bevisen är äkta, men webbläsaren jämför ännu inte postens fält med dem: sidans text är nodens ord");
    }
    return { ...found, facts };
  });
}
