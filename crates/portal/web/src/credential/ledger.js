// What the ledger says about a credential, from state proofs checked in the browser: the issuer's key at issuance
// (its DID resolution), its accreditation chain for the credential's type, the schema the claims must follow, and
// the credential's status entry. Each part of a bundle is a node answer whose proofs are verified against the
// validator sets; only proven values are decoded and used.
import { Reader, equalBytes, fromHex, sha256, toHex, utf8 } from "../bytes.js";
import { fail } from "../verify/report.js";
import { verifyDocument } from "../verify/state.js";
import { ML_DSA_65_PUBLIC_KEY_LEN, PUBLIC_KEY_LEN } from "../verify/types.js";
import { isObject, parseJwk } from "./jose.js";

/** Largest proven record decoded (an account record with its key is about 2 KB). */
const MAX_RECORD_BYTES = 64 * 1024;
/** Longest accreditation chain followed, links. */
const MAX_CHAIN_LINKS = 8;
/** Bytes per status chunk. */
const STATUS_CHUNK_BYTES = 1024;
/** Default age limit of a status proof, seconds (one day). */
const DEFAULT_MAX_STATUS_AGE = 24 * 3600;
/** The path a status list's URI ends with. */
const STATUS_LIST_PATH = "/v1/identity/status-lists/";

/** A state key: an ASCII prefix followed by byte parts. */
function stateKey(prefix, ...parts) {
  const out = [...utf8(prefix)];
  for (const p of parts) out.push(...p);
  return new Uint8Array(out);
}

/** `n` as `size` big-endian bytes. */
function bigEndian(n, size) {
  const out = new Uint8Array(size);
  let v = BigInt(n);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return out;
}

/** Parse `did:publica:<chain>:<address>` into `{ chain, address (hex), addressBytes }`, or fail `issuer-key`. */
export function parseDid(did) {
  const m = typeof did === "string" ? /^did:publica:([A-Za-z0-9._-]{1,64}):([0-9a-f]{40})$/.exec(did) : null;
  if (!m) fail("issuer-key", `the issuer ${JSON.stringify(did)} is not a did:publica identifier (did:publica:<network>:<40 hex digits>)`);
  return { chain: m[1], address: m[2], addressBytes: fromHex(m[2], "an address", 20) };
}

/**
 * Verify every proof of a node answer against the validator sets; returns its proven reads `[{ height, timeMs,
 * key, value }]`. A proof that does not verify fails check `ledger-proof`, naming the part and the reason.
 */
function provenReads(doc, sets, what) {
  if (!isObject(doc)) fail("ledger-proof", `the ${what} answer is missing from the bundle`);
  const result = verifyDocument(doc, sets);
  if (!result.ok) {
    const bad = result.checks[result.checks.length - 1];
    fail("ledger-proof", `the proofs of the ${what} do not verify (${bad.id}): ${bad.detail}`);
  }
  return result.reads;
}

/**
 * Decode a borsh AccountRecord: `{ address, publicKey, kind, active, createdAtHeight, registeredBy }`, `kind` in
 * the API's shape (`{ type: "official", agency, roles }` or `{ type: "citizen", registered_by_agency,
 * id_commitment }`) and `registeredBy` hex or null.
 */
export function decodeAccount(bytes) {
  if (bytes.length > MAX_RECORD_BYTES) fail("issuer-key", "the proven account record is too large");
  const r = new Reader(bytes, "the proven account record");
  const address = r.take(20, "address");
  const publicKey = r.take(PUBLIC_KEY_LEN, "public key");
  const tag = r.u8("kind");
  let kind;
  if (tag === 0) {
    kind = { type: "official", agency: r.string("agency", 256), roles: r.vec("roles", 64, () => r.string("role", 256)) };
  } else if (tag === 1) {
    kind = { type: "citizen", registered_by_agency: r.string("registering agency", 256), id_commitment: toHex(r.take(32, "id commitment")) };
  } else {
    fail("issuer-key", `the proven account record has an unknown kind ${tag}`);
  }
  const active = r.bool("active");
  const createdAtHeight = r.u64("creation height");
  const by = r.option("registered by", () => r.take(20, "registered by"));
  r.end();
  return { address, publicKey, kind, active, createdAtHeight, registeredBy: by ? toHex(by) : null };
}

/** Decode a borsh RetiredKey: `{ publicKey, fromHeight, fromMs, untilHeight, untilMs }`. */
function decodeRetiredKey(bytes) {
  const r = new Reader(bytes, "the proven retired key");
  const out = {
    publicKey: r.take(PUBLIC_KEY_LEN, "public key"),
    fromHeight: r.u64("from height"),
    fromMs: r.option("from time", () => r.u64("from time")),
    untilHeight: r.u64("until height"),
    untilMs: r.u64("until time"),
  };
  r.end();
  return out;
}

/** An 8-byte little-endian count (absent: 0). */
function decodeCount(bytes) {
  if (bytes === null) return 0;
  if (bytes.length !== 8) fail("issuer-key", "the proven count of retired keys is not 8 bytes");
  return new Reader(bytes, "the count of retired keys").u64("count");
}

/**
 * Check 1, the issuer's key: the DID resolution's proofs verify; they are of the issuer's account record, its count
 * of retired keys and (after a rotation) the retired key of the version; the version's key was the account's at the
 * credential's issuance `iat` (seconds); the document lists exactly that key. Returns `{ did, address, key: {
 * mlDsa, ed25519 }, height, active }`.
 */
export function issuerKey(resolution, iss, iat, sets) {
  const did = parseDid(iss);
  if (did.chain !== sets.chainId) fail("issuer-key", `the issuer is on network ${did.chain}, but the genesis you trust is of network ${sets.chainId}`);
  if (!isObject(resolution) || !isObject(resolution.didDocument) || !isObject(resolution.didDocumentMetadata)) {
    fail("issuer-key", "the bundle's issuer part is not a DID resolution");
  }
  if (resolution.didDocument.id !== iss) fail("issuer-key", `the bundle resolves ${resolution.didDocument.id}, but the credential's issuer is ${iss}`);
  const reads = provenReads(resolution, sets, "issuer's DID resolution");
  const [record, count, ...rest] = reads;
  if (!record || !count || !equalBytes(record.key, stateKey("acc/a/", did.addressBytes)) || !equalBytes(count.key, stateKey("acc/r/", did.addressBytes))) {
    fail("issuer-key", "the resolution's first two proofs are not of the issuer's account record and its count of retired keys");
  }
  if (record.value === null) fail("issuer-key", `the proofs show no account ${did.address}`);
  const account = decodeAccount(record.value);
  if (!equalBytes(account.address, did.addressBytes)) fail("issuer-key", "the proven account record is of another address");
  const retired = decodeCount(count.value);
  if (rest.length > 1) fail("issuer-key", "a resolution proves at most one retired key");
  const entry = rest.length ? retiredEntry(rest[0], did.addressBytes, retired) : null;
  const past = resolution.didDocumentMetadata.nextVersionId !== undefined;
  const { key, fromMs, untilMs } = versionKey(account, retired, entry, past);
  const second = (ms) => Math.floor(ms / 1000);
  if ((fromMs !== null && iat < second(fromMs)) || (untilMs !== null && iat >= second(untilMs))) {
    fail("issuer-key", "the resolved version of the issuer's key was not its key when the credential was issued; resolve the DID at the issuance time");
  }
  const split = { mlDsa: key.subarray(0, ML_DSA_65_PUBLIC_KEY_LEN), ed25519: key.subarray(ML_DSA_65_PUBLIC_KEY_LEN) };
  checkDocumentKeys(resolution.didDocument, split);
  return { did: iss, address: did.address, key: split, height: record.height, active: account.active };
}

/** The retired key a proof shows, numbered below the count: `{ number, key }`. */
function retiredEntry(read, addressBytes, retired) {
  const prefix = stateKey("acc/h/", addressBytes);
  const ok = read.key.length === prefix.length + 8 && equalBytes(read.key.subarray(0, prefix.length), prefix);
  if (!ok) fail("issuer-key", "the third proof of the resolution is not of one of the issuer's retired keys");
  const number = new Reader(read.key.slice(prefix.length).reverse(), "a key number").u64("number");
  if (number >= retired) fail("issuer-key", `retired key ${number} is proven, but the account retired only ${retired}`);
  if (read.value === null) fail("issuer-key", `retired key ${number} is proven absent`);
  return { number, key: decodeRetiredKey(read.value) };
}

/**
 * The key of the version and its window in milliseconds (null: open), from the proven account state, under the
 * accounts module's rules: a past version is a retired key; the current one follows the last retired key.
 */
function versionKey(account, retired, entry, past) {
  if (past) {
    if (!entry) fail("issuer-key", "a past version of a DID document needs the retired key it was built from");
    return { key: entry.key.publicKey, fromMs: entry.key.fromMs, untilMs: entry.key.untilMs };
  }
  if (!entry) {
    if (retired > 0) fail("issuer-key", `the account retired ${retired} keys, but the resolution does not prove the last one`);
    return { key: account.publicKey, fromMs: null, untilMs: null };
  }
  if (entry.number + 1 !== retired) fail("issuer-key", "the current version needs the last retired key, not an earlier one");
  return { key: account.publicKey, fromMs: entry.key.untilMs, untilMs: null };
}

/** The document must list exactly the proven key's two halves (ML-DSA-65 and Ed25519). */
function checkDocumentKeys(document, key) {
  const methods = Array.isArray(document.verificationMethod) ? document.verificationMethod : [];
  const halves = methods.map((m, i) => parseJwk(m?.publicKeyJwk, `verification method ${i + 1} of the DID document`, "issuer-key"));
  const ml = halves.filter((h) => h.alg === "ML-DSA-65");
  const ed = halves.filter((h) => h.alg === "EdDSA");
  if (halves.length !== 2 || ml.length !== 1 || ed.length !== 1 || !equalBytes(ml[0].key, key.mlDsa) || !equalBytes(ed[0].key, key.ed25519)) {
    fail("issuer-key", "the DID document does not list the key the proven account state gives: the node altered it");
  }
}

/** Decode a borsh Accreditation. */
function decodeAccreditation(bytes) {
  const r = new Reader(bytes, "a proven accreditation");
  const out = {
    id: r.u64("id"),
    issuer: toHex(r.take(20, "issuer")),
    credentialType: r.string("credential type", 4096),
    schema: toHex(r.take(32, "schema")),
    validFromMs: r.u64("valid from"),
    validUntilMs: r.u64("valid until"),
    accreditedBy: toHex(r.take(20, "accredited by")),
    parent: r.option("parent", () => r.u64("parent")),
    createdAtMs: r.u64("created at"),
    height: r.u64("height"),
    revokedAtMs: r.option("revoked at", () => r.u64("revoked at")),
  };
  r.end();
  return out;
}

/** Why `link` is not in force at `atMs`, or null. */
function notInForce(link, atMs) {
  const when = (ms) => new Date(ms).toISOString();
  if (atMs < link.validFromMs) return `accreditation ${link.id} is valid only from ${when(link.validFromMs)}, after the issuance`;
  if (atMs >= link.validUntilMs) return `accreditation ${link.id} had expired at ${when(link.validUntilMs)}, before the issuance`;
  if (link.revokedAtMs !== null && link.revokedAtMs <= atMs) return `accreditation ${link.id} was revoked at ${when(link.revokedAtMs)}, before the issuance`;
  return null;
}

/**
 * Whether `chain` (from the issuer's accreditation up) accredits `issuer` for `vct` at `atMs`: every link of the
 * type, joined to the next, the last made by a root (one of `trustedRoots` when given), every link in force.
 * Returns null when it does, else the reason.
 */
export function chainError(chain, issuer, vct, atMs, trustedRoots = null) {
  if (!chain.length) return `no accreditation of ${issuer} for ${vct}`;
  if (chain.length > MAX_CHAIN_LINKS) return `the chain has ${chain.length} links, more than ${MAX_CHAIN_LINKS}`;
  if (chain[0].issuer !== issuer) return `accreditation ${chain[0].id} names issuer ${chain[0].issuer}, not ${issuer}`;
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i];
    const up = chain[i + 1];
    if (link.credentialType !== vct) return `accreditation ${link.id} is for ${link.credentialType}, not ${vct}`;
    if (link.parent !== null && (!up || up.id !== link.parent || link.accreditedBy !== up.issuer)) {
      return `accreditation ${link.id} was made under accreditation ${link.parent}, which the proofs do not give: the chain does not reach a root`;
    }
    if (link.parent === null && up) return `accreditation ${link.id} was made by a root, yet accreditation ${up.id} follows it`;
    if (link.parent === null && trustedRoots && !trustedRoots.includes(link.accreditedBy)) return `the chain ends at ${link.accreditedBy}, not a root you trust`;
    const why = notInForce(link, atMs);
    if (why) return why;
  }
  return null;
}

/**
 * Check 3, accreditation: the proven records chain from the issuer up to a root for the credential's type, in force
 * at `iat`, and the proofs are of a block at or after the issuance. Returns `{ accreditation, links }`.
 */
export function checkAccreditation(doc, issuer, vct, iat, sets, trustedRoots = null) {
  const reads = provenReads(doc, sets, "accreditation");
  const atMs = iat * 1000;
  const prefix = utf8("idn/a/");
  const records = [];
  for (const read of reads) {
    if (read.value === null || read.key.length !== prefix.length + 8 || !equalBytes(read.key.subarray(0, prefix.length), prefix)) continue;
    const record = decodeAccreditation(read.value);
    if (!equalBytes(read.key, stateKey("idn/a/", bigEndian(record.id, 8)))) fail("accreditation", `accreditation ${record.id} is proven under another number's key`);
    if (read.timeMs < atMs) fail("accreditation", `the accreditation proofs are of block ${read.height}, before the credential's issuance: a revocation before issuance could be missing; check again in a few seconds`);
    records.push(record);
  }
  let first = null;
  for (const leaf of records.filter((r) => r.issuer === issuer && r.credentialType === vct)) {
    const chain = [leaf];
    while (chain.length <= MAX_CHAIN_LINKS && chain[chain.length - 1].parent !== null) {
      const up = records.find((r) => r.id === chain[chain.length - 1].parent);
      if (!up) break;
      chain.push(up);
    }
    const why = chainError(chain, issuer, vct, atMs, trustedRoots);
    if (!why) return { accreditation: leaf, links: chain.length };
    first ??= why;
  }
  return fail("accreditation", first ?? `the proofs show no accreditation of ${issuer} for ${vct}`);
}

/** Decode a borsh SchemaRecord: `{ hash, typeName, version, document (bytes) }`. */
function decodeSchema(bytes) {
  const r = new Reader(bytes, "the proven schema record");
  const hash = r.take(32, "hash");
  const typeName = r.string("type name", 4096);
  const version = r.u32("version");
  const length = r.u32("document length");
  if (length > MAX_RECORD_BYTES) fail("schema", "the proven schema document is too large");
  const document = r.take(length, "document");
  r.take(20, "registered by");
  r.u64("registered at");
  r.u64("height");
  r.end();
  return { hash, typeName, version, document };
}

/** Check 3b, schema: the proven schema the accreditation names, and the disclosed claims against it. */
export function checkSchema(doc, accreditation, claims, sets) {
  const reads = provenReads(doc, sets, "schema");
  const key = stateKey("idn/s/", fromHex(accreditation.schema, "a schema hash", 32));
  const read = reads.find((x) => equalBytes(x.key, key));
  if (!read) fail("schema", `the bundle does not prove schema ${accreditation.schema}`);
  if (read.value === null) fail("schema", "the accreditation's schema is proven absent");
  const record = decodeSchema(read.value);
  if (!equalBytes(sha256(record.document), record.hash) || toHex(record.hash) !== accreditation.schema) fail("schema", "the proven schema document does not hash to the schema the accreditation names");
  if (record.typeName !== accreditation.credentialType) fail("schema", `the schema is registered for ${record.typeName}, not for the credential's type`);
  let schema;
  try {
    schema = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(record.document));
  } catch {
    fail("schema", "the registered schema is not JSON");
  }
  const why = claimsError(schema, claims);
  if (why) fail("schema", why);
  return { version: record.version };
}

/**
 * Check the shown claims against a credential schema (the offline JSON Schema subset: type, enum, const,
 * min/maxLength, minimum/maximum, items, min/maxItems, properties, required, additionalProperties false). A claim
 * not shown is never required at the top level. Returns null or the reason.
 */
export function claimsError(schema, claims) {
  const properties = isObject(schema?.properties) ? schema.properties : {};
  const closed = schema?.additionalProperties === false;
  for (const [name, value] of Object.entries(claims)) {
    if (Object.hasOwn(properties, name)) {
      const why = valueError(properties[name], value, name, 0);
      if (why) return why;
    } else if (closed) {
      return `claim ${JSON.stringify(name)} is not one the type's schema allows`;
    }
  }
  return null;
}

/** Whether `value` is of the JSON Schema type `name`. */
function isType(name, value) {
  switch (name) {
    case "string": return typeof value === "string";
    case "number": return typeof value === "number";
    case "integer": return Number.isInteger(value);
    case "boolean": return typeof value === "boolean";
    case "object": return isObject(value);
    case "array": return Array.isArray(value);
    case "null": return value === null;
    default: return false;
  }
}

/** Deep equality of JSON values. */
function sameJson(a, b) {
  if (Array.isArray(a) || isObject(a)) {
    if (Array.isArray(a) !== Array.isArray(b) || !(Array.isArray(b) || isObject(b))) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
  }
  return a === b;
}

/** Why `value` at `at` breaks `schema`, or null. */
function valueError(schema, value, at, depth) {
  if (schema === true || depth > 16) return null;
  if (schema === false) return `${at}: the schema allows no value here`;
  if (!isObject(schema)) return null;
  if (schema.type !== undefined) {
    const names = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!names.some((n) => isType(n, value))) return `${at} is ${JSON.stringify(value)}, not of type ${names.join(" or ")}`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((v) => sameJson(v, value))) return `${at}: ${JSON.stringify(value)} is not one of the values the schema lists`;
  if ("const" in schema && !sameJson(schema.const, value)) return `${at} is ${JSON.stringify(value)}, the schema requires ${JSON.stringify(schema.const)}`;
  if (typeof value === "string") {
    const length = [...value].length;
    if (Number.isInteger(schema.minLength) && length < schema.minLength) return `${at} is shorter than the schema's minLength`;
    if (Number.isInteger(schema.maxLength) && length > schema.maxLength) return `${at} is longer than the schema's maxLength`;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return `${at}: ${value} is below the schema's minimum`;
    if (typeof schema.maximum === "number" && value > schema.maximum) return `${at}: ${value} is above the schema's maximum`;
  }
  if (Array.isArray(value)) {
    if ((Number.isInteger(schema.minItems) && value.length < schema.minItems) || (Number.isInteger(schema.maxItems) && value.length > schema.maxItems)) {
      return `${at} has ${value.length} items, outside the schema's minItems..maxItems`;
    }
    if (schema.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const why = valueError(schema.items, value[i], `${at}[${i}]`, depth + 1);
        if (why) return why;
      }
    }
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const name of Array.isArray(schema.required) ? schema.required : []) {
      if (!Object.hasOwn(value, name)) return `${at} lacks the required member ${JSON.stringify(name)}`;
    }
    for (const [name, member] of Object.entries(value)) {
      if (Object.hasOwn(properties, name)) {
        const why = valueError(properties[name], member, `${at}.${name}`, depth + 1);
        if (why) return why;
      } else if (schema.additionalProperties === false) {
        return `${at} has the member ${JSON.stringify(name)}, which the schema does not allow`;
      }
    }
  }
  return null;
}

/** The owner (hex) and list number of a status list URI ending with `/v1/identity/status-lists/<owner>/<list>`. */
export function parseStatusUri(uri) {
  const at = typeof uri === "string" ? uri.lastIndexOf(STATUS_LIST_PATH) : -1;
  const m = at < 0 ? null : /^([0-9a-f]{40})\/([0-9]{1,10})$/.exec(uri.slice(at + STATUS_LIST_PATH.length));
  if (!m || Number(m[2]) > 0xffffffff) fail("status", `the status list URI ${JSON.stringify(uri)} does not end with ${STATUS_LIST_PATH}<owner>/<list>`);
  return { owner: m[1], list: Number(m[2]) };
}

/** Decode a borsh StatusListHeader: `{ owner, number, bits, capacity }`. */
function decodeStatusHeader(bytes) {
  const r = new Reader(bytes, "the proven status list header");
  const out = { owner: toHex(r.take(20, "owner")), number: r.u32("number"), bits: r.u8("bits"), capacity: r.u32("capacity") };
  r.u64("created at");
  r.u64("height");
  r.end();
  return out;
}

/** The status of entry `index` from its proven chunk (null: absent, every entry valid): 0, 1 or 2. */
export function statusEntry(header, index, chunk) {
  if (index >= header.capacity) fail("status", `entry ${index} is out of range: the list has ${header.capacity} entries`);
  if (header.bits !== 1 && header.bits !== 2) fail("status", `a list has 1 or 2 bits per entry, not ${header.bits}`);
  if (chunk === null) return 0;
  const perChunk = (STATUS_CHUNK_BYTES * 8) / header.bits;
  const chunkNumber = Math.floor(index / perChunk);
  const listBytes = Math.ceil((header.capacity * header.bits) / 8);
  const expected = Math.min(STATUS_CHUNK_BYTES, Math.max(0, listBytes - chunkNumber * STATUS_CHUNK_BYTES));
  if (chunk.length !== expected) fail("status", `chunk ${chunkNumber} of the list has ${expected} bytes, the proven one ${chunk.length}`);
  const within = (index % perChunk) * header.bits;
  return (chunk[within >> 3] >> (within & 7)) & (header.bits === 2 ? 3 : 1);
}

/**
 * Check 4, status: the list named by the credential is the issuer's own, its proven header and the chunk holding
 * the entry are of one block no older than `maxAge` seconds before `now`. Returns `{ value (0 valid, 1 revoked,
 * 2 suspended), height, timeMs, list, index }`; the caller turns 1 and 2 into a failed check.
 */
export function checkStatus(doc, reference, issuer, sets, now, maxAge = DEFAULT_MAX_STATUS_AGE) {
  const { owner, list } = parseStatusUri(reference.uri);
  if (owner !== issuer) fail("status", `the status list belongs to ${owner}, not to the credential's issuer ${issuer}`);
  if (reference.idx > 0xffffffff) fail("status", `entry ${reference.idx} is out of range`);
  const reads = provenReads(doc, sets, "status");
  const ownerBytes = fromHex(owner, "an owner", 20);
  const headerRead = reads.find((x) => equalBytes(x.key, stateKey("idn/l/", ownerBytes, bigEndian(list, 4))));
  if (!headerRead) fail("status", `the bundle does not prove status list ${list} of ${owner}`);
  if (headerRead.value === null) fail("status", `status list ${list} of ${owner} is proven absent`);
  const header = decodeStatusHeader(headerRead.value);
  if (reference.idx >= header.capacity) fail("status", `entry ${reference.idx} is out of range: the list has ${header.capacity} entries`);
  const chunkNumber = Math.floor(reference.idx / ((STATUS_CHUNK_BYTES * 8) / (header.bits === 2 ? 2 : 1)));
  const chunkRead = reads.find((x) => equalBytes(x.key, stateKey("idn/lc/", ownerBytes, bigEndian(list, 4), bigEndian(chunkNumber, 4))));
  if (!chunkRead) fail("status", `the bundle does not prove the chunk holding entry ${reference.idx}`);
  if (chunkRead.height !== headerRead.height) fail("status", "the list header and the chunk are proven under different blocks");
  const age = now - Math.floor(chunkRead.timeMs / 1000);
  if (age > maxAge) fail("status", `the status proof is of block ${chunkRead.height} (${age} s old), older than the ${maxAge} s accepted: fetch a fresh one`);
  const value = statusEntry(header, reference.idx, chunkRead.value);
  return { value, height: chunkRead.height, timeMs: chunkRead.timeMs, list, index: reference.idx };
}
