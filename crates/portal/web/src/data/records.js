// The personal-data module's records as the ledger stores them (`crates/modules/data/src/schema.rs`, borsh) and the
// signed read requests of `POST /v1/data/read` (`crates/client/src/api/data.rs`): decoded and encoded here exactly,
// so that the browser compares what a page shows with the proven values, and signs the bytes the node checks.
//
// State keys: numbers are u64 big-endian, addresses their 20 bytes, agencies and categories their text.
//
//   dat/a/<access>        Access                  dat/oa/<owner>(/<access>)   the citizen's log (a list)
//   dat/r/<record>        Record                  dat/or/<owner>(/<record>)   the owner's records
//   dat/c/<consent>       Consent                 dat/oc/<owner>(/<consent>)  the owner's consents
//   dat/o/<order>         CourtOrder              dat/oo/<owner>(/<order>)    the court orders about the owner
//   dat/rl/<citizen>      Vec<Address>            dat/rep/<citizen>/<representative>  Representation
//   dat/s/<study>         Study                   dat/sa/<study>              StudyCounters (absent: zeros)
//   dat/e/<emergency>     Emergency               dat/next/e                  the next emergency's number (u64 LE)
//   dat/ret/<agency>/<category>  RetentionRule   acc/g/<agency>              the agency (accounts module)
//
// A list is a head (ListHead: first, last, count) under its key and one node (Link: prev, next) per member under
// the key, `/`, the member's number; a page is proven by the head, the nodes it walks and each member's record.
import { FormatError, Reader, Writer, concat, fromHex, toBase64, toHex, utf8 } from "../bytes.js";
import { fail } from "../verify/report.js";
import { DATA_KIND_IDS } from "./kinds.js";
import { bigEndian, canonical, printable, readOf, requireKeys, sameFields } from "../verify/records.js";

/** The tag of a read request's signing message. */
export const DATA_READ_TAG = "data-read";
/** The domain prefix of every Publica signing message (`docs/signatures.md`). */
const SIGNING_PREFIX = "PUBLICA-SIG-V1";
/** Most members one page of a signed read carries. */
export const MAX_DATA_PAGE = 200;
/** Longest text field the module stores (titles, purposes, categories are far shorter). */
const MAX_TEXT = 4096;
/** Most items of a stored vector (fields, categories, agencies). */
const MAX_ITEMS = 1024;
/** The ML-KEM-768 encapsulation key of a recipient key, bytes. */
const ML_KEM_768_KEY_BYTES = 1184;

/** Refusal codes, in the ledger's variant order (`schema::Refusal`). */
export const REFUSALS = [
  "record_erased", "erasure_ordered", "basis_not_found", "other_owner", "consent_revoked", "expired", "wrong_grantee",
  "wrong_category", "wrong_purpose", "emergency_ended", "study_not_approved", "study_ended",
  "not_owner_or_representative", "record_queue_full",
];
/** Query variants, in the API's order (`DataQuery`): their borsh tag is the index. */
const QUERIES = ["record", "access", "owner_log", "owner_records", "owner_bases", "agency_queue", "record_by_commitment"];

const ADDRESS = /^[0-9a-f]{40}$/;

// ---------------------------------------------------------------------------------------------------------------
// Decoding

const address = (r, field) => toHex(r.take(20, field));
const hash = (r, field) => toHex(r.take(32, field));
const text = (r, field) => r.string(field, MAX_TEXT);
const act = (r, field) => ({ by: address(r, `${field} by`), at_ms: r.u64(`${field} time`) });

/** A borsh enum tag, refused beyond `count` variants. */
function tag(r, field, count) {
  const t = r.u8(field);
  if (t >= count) throw new FormatError(`${r.what}: ${field} has variant ${t}, of ${count}`);
  return t;
}

/** A refusal code by its borsh tag. */
function refusal(r, field) {
  return REFUSALS[tag(r, field, REFUSALS.length)];
}

/** Decode `bytes` with `read(reader)`, every byte used. */
function decodeWith(bytes, what, read) {
  const r = new Reader(bytes, what);
  const value = read(r);
  r.end();
  return value;
}

/** A list's head `{first, last, count}`. */
export function decodeListHead(bytes) {
  return decodeWith(bytes, "a proven list head", (r) => ({
    first: r.option("first", () => r.u64("first")),
    last: r.option("last", () => r.u64("last")),
    count: r.u64("count"),
  }));
}

/** A list member's node `{prev, next}`. */
export function decodeLink(bytes) {
  return decodeWith(bytes, "a proven list node", (r) => ({
    prev: r.option("prev", () => r.u64("prev")),
    next: r.option("next", () => r.u64("next")),
  }));
}

/** An access's basis, in the API's JSON form: `{consent: n}`, `{court_order: n}`, `{emergency: n}` or `"owner"`. */
function basis(r) {
  const t = tag(r, "basis", 4);
  if (t === 0) return { consent: r.u64("consent") };
  if (t === 1) return { court_order: r.u64("court order") };
  if (t === 2) return { emergency: r.u64("emergency") };
  return "owner";
}

/** An access's state, in the API's JSON form. */
function accessState(r) {
  const t = tag(r, "state", 5);
  if (t === 0) return "pending";
  if (t === 1) return { refused: { code: refusal(r, "refusal") } };
  if (t === 2) {
    return { released: { by: address(r, "releaser"), at_ms: r.u64("release time"), release_sha256: hash(r, "release hash"), release_bytes: r.u64("release size") } };
  }
  if (t === 3) return { declined: { by: address(r, "decliner"), at_ms: r.u64("decline time"), reason_code: text(r, "decline reason") } };
  return { lapsed: { at_ms: r.u64("lapse time"), reason: refusal(r, "lapse reason") } };
}

/** A recipient key: its X25519 half and its ML-KEM-768 half (a borsh Vec of exactly 1,184 bytes), in base64. */
function recipientKey(r) {
  const x25519 = toBase64(r.take(32, "recipient X25519 key"));
  const length = r.u32("recipient ML-KEM key length");
  if (length !== ML_KEM_768_KEY_BYTES) throw new FormatError(`${r.what}: the recipient's ML-KEM-768 key is ${length} bytes, not ${ML_KEM_768_KEY_BYTES}`);
  return { x25519, ml_kem: toBase64(r.take(length, "recipient ML-KEM key")) };
}

/** A proven access request (`dat/a/`), in the API's JSON shape. */
export function decodeAccess(bytes) {
  return decodeWith(bytes, "the proven access", (r) => ({
    id: r.u64("id"),
    record: r.u64("record"),
    owner: address(r, "owner"),
    agency: text(r, "agency"),
    requester: address(r, "requester"),
    requester_agency: r.option("requester agency", () => text(r, "requester agency")),
    purpose: text(r, "purpose"),
    basis: basis(r),
    study: r.option("study", () => r.u64("study")),
    fields: r.option("fields", () => r.vec("fields", MAX_ITEMS, () => text(r, "field"))),
    recipient: recipientKey(r),
    requested_at_ms: r.u64("request time"),
    height: r.u64("height"),
    state: accessState(r),
  }));
}

/** A record's state, in the API's JSON form. */
function recordState(r) {
  const t = tag(r, "state", 3);
  if (t === 0) return "active";
  if (t === 1) return { erasure_ordered: { at_ms: r.u64("order time"), by: address(r, "ordered by") } };
  return {
    erased: {
      ordered_at_ms: r.u64("order time"),
      ordered_by: r.option("ordered by", () => address(r, "ordered by")),
      erased_at_ms: r.u64("erasure time"),
      order: ["owner", "retention"][tag(r, "erasure order", 2)],
      by: address(r, "erased by"),
      statement_sha256: hash(r, "statement hash"),
    },
  };
}

/** A proven record's ledger entry (`dat/r/`), in the API's JSON shape. */
export function decodeRecord(bytes) {
  return decodeWith(bytes, "the proven record", (r) => ({
    id: r.u64("id"),
    agency: text(r, "agency"),
    owner: address(r, "owner"),
    category: text(r, "category"),
    commitment: hash(r, "commitment"),
    fields: Number(r.uint(2, "fields")),
    registered_by: address(r, "registered by"),
    registered_at_ms: r.u64("registration time"),
    height: r.u64("height"),
    state: recordState(r),
  }));
}

/** A consent's grantee: `{agency}`, `{account}` or `{study}`. */
function grantee(r) {
  const t = tag(r, "grantee", 3);
  if (t === 0) return { agency: text(r, "grantee agency") };
  if (t === 1) return { account: address(r, "grantee account") };
  return { study: r.u64("grantee study") };
}

/** A proven consent (`dat/c/`), in the API's JSON shape. */
export function decodeConsent(bytes) {
  return decodeWith(bytes, "the proven consent", (r) => ({
    id: r.u64("id"),
    owner: address(r, "owner"),
    grantee: grantee(r),
    category: text(r, "category"),
    purpose: text(r, "purpose"),
    until_ms: r.u64("until"),
    granted: act(r, "granted"),
    height: r.u64("height"),
    revoked: r.option("revoked", () => act(r, "revoked")),
  }));
}

/** A proven court order (`dat/o/`), in the API's JSON shape. */
export function decodeCourtOrder(bytes) {
  return decodeWith(bytes, "the proven court order", (r) => ({
    id: r.u64("id"),
    owner: address(r, "owner"),
    category: text(r, "category"),
    grantee: text(r, "grantee"),
    purpose: text(r, "purpose"),
    until_ms: r.u64("until"),
    order_sha256: hash(r, "order hash"),
    court: text(r, "court"),
    issued: act(r, "issued"),
    height: r.u64("height"),
  }));
}

/** A proven representation (`dat/rep/`), in the API's JSON shape. */
export function decodeRepresentation(bytes) {
  return decodeWith(bytes, "the proven representation", (r) => ({
    citizen: address(r, "citizen"),
    representative: address(r, "representative"),
    until_ms: r.u64("until"),
    court: text(r, "court"),
    appointed: act(r, "appointed"),
    ended: r.option("ended", () => act(r, "ended")),
  }));
}

/** A citizen's representatives on record (`dat/rl/`): addresses. */
function decodeAddresses(bytes) {
  return decodeWith(bytes, "the proven list of representatives", (r) => r.vec("representatives", MAX_ITEMS, () => address(r, "representative")));
}

/** A proven study (`dat/s/`), in the API's JSON shape. */
export function decodeStudy(bytes) {
  return decodeWith(bytes, "the proven study", (r) => ({
    id: r.u64("id"),
    agency: text(r, "agency"),
    title: text(r, "title"),
    categories: r.vec("categories", MAX_ITEMS, () => text(r, "category")),
    fields: r.vec("fields", MAX_ITEMS, () => text(r, "field")),
    purpose: text(r, "purpose"),
    until_ms: r.u64("until"),
    protocol_sha256: hash(r, "protocol hash"),
    proposed: act(r, "proposed"),
    height: r.u64("height"),
    approval: r.option("approval", () => ({ board: text(r, "board"), approved: act(r, "approved") })),
  }));
}

/** A study's proven counters (`dat/sa/`), in the API's JSON shape. */
export function decodeStudyCounters(bytes) {
  return decodeWith(bytes, "the proven study counters", (r) => ({
    requests: r.u64("requests"),
    refused: r.u64("refused"),
    released: r.u64("released"),
    citizens: r.u64("citizens"),
    by_category: r.vec("categories", MAX_ITEMS, () => ({ category: text(r, "category"), released: r.u64("released") })),
  }));
}

/** A proven public-health emergency (`dat/e/`), in the API's JSON shape. */
export function decodeEmergency(bytes) {
  return decodeWith(bytes, "the proven emergency", (r) => ({
    id: r.u64("id"),
    categories: r.vec("categories", MAX_ITEMS, () => text(r, "category")),
    grantees: r.vec("grantees", MAX_ITEMS, () => text(r, "grantee")),
    purpose: text(r, "purpose"),
    until_ms: r.u64("until"),
    declaration_sha256: hash(r, "declaration hash"),
    authority: text(r, "authority"),
    declared: act(r, "declared"),
    height: r.u64("height"),
    ended: r.option("ended", () => act(r, "ended")),
  }));
}

/** A proven retention rule (`dat/ret/`), in the API's JSON shape. */
export function decodeRetentionRule(bytes) {
  return decodeWith(bytes, "the proven retention rule", (r) => ({
    agency: text(r, "agency"),
    category: text(r, "category"),
    keep_days: r.u32("keep days"),
    set: act(r, "set"),
  }));
}

/** A proven counter (`dat/next/…`): a u64, little-endian. */
function decodeCounter(bytes) {
  return decodeWith(bytes, "the proven counter", (r) => r.u64("counter"));
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

const datKey = (...parts) => concat(utf8("dat/"), ...parts);
const SLASH = utf8("/");
const addressBytes = (hex) => fromHex(hex, "an address", 20);

export const accessKey = (id) => datKey(utf8("a/"), bigEndian(id));
export const recordKey = (id) => datKey(utf8("r/"), bigEndian(id));
export const consentKey = (id) => datKey(utf8("c/"), bigEndian(id));
export const courtOrderKey = (id) => datKey(utf8("o/"), bigEndian(id));
export const studyKey = (id) => datKey(utf8("s/"), bigEndian(id));
export const studyCountersKey = (id) => datKey(utf8("sa/"), bigEndian(id));
export const emergencyKey = (id) => datKey(utf8("e/"), bigEndian(id));
export const representativesKey = (owner) => datKey(utf8("rl/"), addressBytes(owner));
export const representationKey = (owner, rep) => datKey(utf8("rep/"), addressBytes(owner), SLASH, addressBytes(rep));
export const retentionKey = (agency, category) => datKey(utf8(`ret/${agency}/${category}`));
export const agencyKey = (agency) => utf8(`acc/g/${agency}`);
const emergencyCounterKey = () => datKey(utf8("next/e"));
/** A list's head key: `dat/<kind>/<owner>`. */
const listKey = (kind, owner) => datKey(utf8(`${kind}/`), addressBytes(owner));
/** A list member's node key. */
const nodeKey = (head, id) => concat(head, SLASH, bigEndian(id));

// ---------------------------------------------------------------------------------------------------------------
// Signed read requests

/** Checks a 40-hex-digit address, returning it in lower case. */
function checkAddress(value, name) {
  const text = typeof value === "string" ? value.toLowerCase() : "";
  if (!ADDRESS.test(text)) throw new FormatError(`${name} must be 40 hex digits`);
  return text;
}

/** A u64 given as a safe integer or a bigint. */
function u64(value, name) {
  const ok = (typeof value === "bigint" && value >= 0n && value < 1n << 64n) || (Number.isSafeInteger(value) && value >= 0);
  if (!ok) throw new FormatError(`${name} must be a whole number from 0 to 2^64 - 1`);
  return value;
}

/** A query of the owner's log, records or bases, in the API's JSON form. */
export function ownerQuery(kind, owner, { after = null, limit = MAX_DATA_PAGE } = {}) {
  const o = checkAddress(owner, "the owner");
  if (kind === "owner_bases") return { owner_bases: { owner: o } };
  if (kind !== "owner_log" && kind !== "owner_records") throw new FormatError(`${kind} is not an owner's query`);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DATA_PAGE) throw new FormatError(`a page holds 1 to ${MAX_DATA_PAGE}`);
  return { [kind]: { owner: o, ...(after === null || after === undefined ? {} : { after: u64(after, "after") }), limit } };
}

/**
 * The borsh bytes of a read request `{query, reader, at_ms}` in the API's JSON form. Only the owner's queries
 * (log, records, bases), the record and the access queries are written: the page signs nothing else.
 */
export function encodeReadRequest(request) {
  const w = new Writer();
  const entries = Object.entries(request?.query ?? {});
  if (entries.length !== 1) throw new FormatError("a query names exactly one kind");
  const [kind, q] = entries[0];
  const index = QUERIES.indexOf(kind);
  if (index < 0 || index === 5 || index === 6) throw new FormatError(`the query ${kind} is not one this page signs`);
  w.u8(index);
  if (kind === "record" || kind === "access") {
    w.u64(u64(q.id, "the id"));
  } else {
    w.fixed(addressBytes(checkAddress(q.owner, "the owner")), 20);
    if (kind !== "owner_bases") {
      w.option(q.after ?? null, (ww, a) => ww.u64(u64(a, "after")));
      w.u32(q.limit);
    }
  }
  w.fixed(addressBytes(checkAddress(request.reader, "the reader")), 20);
  w.u64(u64(request.at_ms, "the time"));
  return w.done();
}

/** The exact bytes a reader signs: the signing message with tag "data-read", the chain id and the request's bytes. */
export function readSigningMessage(chainId, request) {
  if (typeof chainId !== "string" || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(chainId)) throw new FormatError("the chain id is not 1 to 64 characters of a-z, 0-9 and '-'");
  const tagBytes = utf8(DATA_READ_TAG);
  const chain = utf8(chainId);
  return concat(utf8(SIGNING_PREFIX), new Uint8Array([tagBytes.length]), tagBytes, new Uint8Array([chain.length]), chain, encodeReadRequest(request));
}

// ---------------------------------------------------------------------------------------------------------------
// Tying answers to the proofs

/** Decode a proven value, a bad one failing `answer`. */
function proven(decode, read) {
  try {
    return decode(read.value);
  } catch (e) {
    if (e instanceof FormatError) fail("answer", `a proven value cannot be read: ${e.message}`, `ett bevisat värde går inte att läsa: ${e.message}`);
    throw e;
  }
}

/** Fail `record` unless every proven key is one of `allowed` (a predicate on the key's bytes). */
function onlyKeys(reads, allowed, what) {
  for (const read of reads) {
    if (!allowed(read.key)) {
      fail("record", `the answer carries a proof of key ${printable(read.key)}, which is not about ${what}: the proofs are another's`,
        `svaret har ett bevis för nyckeln ${printable(read.key)}, som inte gäller ${what}: bevisen hör till någon annan`);
    }
  }
}

const startsWith = (key, prefix) => key.length >= prefix.length && prefix.every((b, i) => key[i] === b);
const sameKey = (a, b) => a.length === b.length && startsWith(a, b);

/**
 * Walk one page of a proven list and return its members' decoded values: the head (absent: an empty list), from
 * `after`'s node (or the end `order` names), each node proven and followed, exactly `listing.items.length`
 * members, and the page's `next` and `total` the proven ones. Each member's record is compared with the shown
 * item field by field (`what(id)` names it), and must satisfy `belongs(value)`.
 */
function provenPage(reads, head, listing, { after, order, memberKey, decode, what, belongs }) {
  if (listing === null || typeof listing !== "object" || !Array.isArray(listing.items)) fail("answer", "the answer carries no page of the list");
  if (listing.items.length > MAX_DATA_PAGE) fail("answer", `the page lists ${listing.items.length} members, more than ${MAX_DATA_PAGE}`);
  const headRead = readOf(reads, head);
  if (!headRead) fail("keys", `the answer carries no proof of the list's head ${printable(head)}: a proof was left out`, `svaret saknar bevis för listans huvud ${printable(head)}: ett bevis har utelämnats`);
  const h = headRead.value === null ? { first: null, last: null, count: 0 } : proven(decodeListHead, headRead);
  const step = (link) => (order === "newest" ? link.prev : link.next);
  const linkOf = (id) => {
    const read = readOf(reads, nodeKey(head, id));
    if (!read || read.value === null) fail("keys", `the answer carries no proof that ${id} is in the list ${printable(head)}: a member was left out or added`, `svaret saknar bevis för att ${id} finns i listan: en post har utelämnats eller lagts till`);
    return proven(decodeLink, read);
  };
  let cursor = after === null || after === undefined ? (order === "newest" ? h.last : h.first) : step(linkOf(after));
  const values = [];
  for (const [i, shown] of listing.items.entries()) {
    if (cursor === null) fail("answer", `the page shows ${listing.items.length} members, but the proven list ends after ${i}: a member was added`, `sidan visar ${listing.items.length} poster, men den bevisade listan slutar efter ${i}: en post har lagts till`);
    const link = linkOf(cursor);
    const key = memberKey(cursor);
    requireKeys(reads, [key], what(cursor));
    const value = proven(decode, readOf(reads, key));
    if (!belongs(value)) fail("record", `${what(cursor)} is not about the owner asked about: the proofs are another's`, `${what(cursor)} gäller inte den som frågan gäller: bevisen hör till någon annan`);
    sameFields(`${what(cursor)}'s`, value, shown, Object.keys(value));
    if (canonical(Object.keys(shown ?? {}).sort()) !== canonical(Object.keys(value).sort())) {
      fail("answer", `the answer shows ${what(cursor)} with fields ${Object.keys(shown ?? {}).join(", ")}, not those of the proven record: it was altered`);
    }
    values.push(value);
    cursor = step(link);
  }
  const next = cursor === null ? null : values.length ? values[values.length - 1].id : null;
  if (canonical(listing.next ?? null) !== canonical(next)) {
    fail("answer", `the answer says the next page starts after ${canonical(listing.next ?? null)}, but the proven list gives ${canonical(next)}: members were left out`,
      `svaret säger att nästa sida börjar efter ${canonical(listing.next ?? null)}, men den bevisade listan ger ${canonical(next)}: poster har utelämnats`);
  }
  if (canonical(listing.total) !== canonical(h.count)) {
    fail("answer", `the answer says the list holds ${canonical(listing.total)}, but its proven head counts ${canonical(h.count)}`, `svaret säger att listan har ${canonical(listing.total)} poster, men dess bevisade huvud räknar ${canonical(h.count)}`);
  }
  return { values, total: h.count, next };
}

/** The owner's signed answer: the reader and query as asked; the standing the node gives. */
function ownerAnswer(ref, json, query) {
  const owner = ref.owner;
  if (json?.answer?.query !== query) fail("record", `the answer is to a ${json?.answer?.query} query, not ${query}`, `svaret gäller frågan ${json?.answer?.query}, inte ${query}`);
  if (typeof json.reader !== "string" || !ADDRESS.test(json.reader)) fail("answer", "the answer does not name its reader");
  return owner;
}

/**
 * The citizen's log (`log:OWNER` or `log:OWNER:AFTER`): the page of accesses, each proven under the log's list and
 * compared field by field. Facts: each access as proven.
 */
function logRecord(r, ref, json, reads) {
  const owner = ownerAnswer(ref, json, "owner_log");
  const head = listKey("oa", owner);
  onlyKeys(reads, (k) => sameKey(k, head) || startsWith(k, concat(head, SLASH)) || startsWith(k, datKey(utf8("a/"))), `the log of ${owner}`);
  r.pass("record", `every proof is of the log of ${owner} and its accesses`, `varje bevis gäller loggen för ${owner} och dess åtkomster`);
  const page = provenPage(reads, head, json.answer.accesses, {
    after: ref.after, order: "oldest", memberKey: accessKey, decode: decodeAccess, what: (id) => `access ${id}`, belongs: (a) => a.owner === owner,
  });
  r.pass("keys", `the log's head and the ${page.values.length} accesses of this page are proven, none left out`, `loggens huvud och sidans ${page.values.length} åtkomster är bevisade, ingen utelämnad`);
  r.pass("answer", "every access shown is the proven one", "varje åtkomst som visas är den bevisade");
  return { kind: "log", id: owner, accesses: page.values, total: page.total, next: page.next };
}

/** The owner's records (`records:OWNER`): the page of records, proven like the log. Facts: each record as proven. */
function recordsRecord(r, ref, json, reads) {
  const owner = ownerAnswer(ref, json, "owner_records");
  const head = listKey("or", owner);
  onlyKeys(reads, (k) => sameKey(k, head) || startsWith(k, concat(head, SLASH)) || startsWith(k, datKey(utf8("r/"))), `the records of ${owner}`);
  r.pass("record", `every proof is of the records of ${owner}`, `varje bevis gäller uppgifterna om ${owner}`);
  const page = provenPage(reads, head, json.answer.records, {
    after: ref.after, order: "oldest", memberKey: recordKey, decode: decodeRecord, what: (id) => `record ${id}`, belongs: (x) => x.owner === owner,
  });
  r.pass("keys", `the list's head and the ${page.values.length} records of this page are proven, none left out`, `listans huvud och sidans ${page.values.length} uppgifter är bevisade, ingen utelämnad`);
  r.pass("answer", "every record shown is the proven one", "varje uppgift som visas är den bevisade");
  return { kind: "records", id: owner, records: page.values, total: page.total, next: page.next };
}

/**
 * The legal bases naming the owner (`bases:OWNER`): their consents and court orders (newest first) and their
 * representatives. Facts: each as proven.
 */
function basesRecord(r, ref, json, reads) {
  const owner = ownerAnswer(ref, json, "owner_bases");
  const consents = listKey("oc", owner);
  const orders = listKey("oo", owner);
  const reps = representativesKey(owner);
  const under = (k, p) => sameKey(k, p) || startsWith(k, concat(p, SLASH));
  onlyKeys(reads, (k) => under(k, consents) || under(k, orders) || sameKey(k, reps) || startsWith(k, concat(datKey(utf8("rep/")), addressBytes(owner)))
    || startsWith(k, datKey(utf8("c/"))) || startsWith(k, datKey(utf8("o/"))), `the legal bases of ${owner}`);
  r.pass("record", `every proof is of the legal bases naming ${owner}`, `varje bevis gäller rättsliga grunder som avser ${owner}`);
  const c = provenPage(reads, consents, json.answer.consents, {
    after: null, order: "newest", memberKey: consentKey, decode: decodeConsent, what: (id) => `consent ${id}`, belongs: (x) => x.owner === owner,
  });
  const o = provenPage(reads, orders, json.answer.court_orders, {
    after: null, order: "newest", memberKey: courtOrderKey, decode: decodeCourtOrder, what: (id) => `court order ${id}`, belongs: (x) => x.owner === owner,
  });
  const listRead = readOf(reads, reps);
  if (!listRead) fail("keys", `the answer carries no proof of the list of representatives ${printable(reps)}`);
  const listed = listRead.value === null ? [] : proven(decodeAddresses, listRead);
  const shownReps = Array.isArray(json.answer.representatives) ? json.answer.representatives : [];
  if (shownReps.length !== listed.length) fail("answer", `the answer shows ${shownReps.length} representatives, but the ledger lists ${listed.length}`, `svaret visar ${shownReps.length} företrädare, men registret har ${listed.length}`);
  const representatives = listed.map((rep, i) => {
    const key = representationKey(owner, rep);
    requireKeys(reads, [key], `the representation by ${rep}`);
    const value = proven(decodeRepresentation, readOf(reads, key));
    sameFields(`representative ${i + 1}'s`, value, shownReps[i], Object.keys(value));
    return value;
  });
  r.pass("keys", `${c.values.length} consents, ${o.values.length} court orders and ${representatives.length} representatives are proven, none left out`,
    `${c.values.length} samtycken, ${o.values.length} domstolsbeslut och ${representatives.length} företrädare är bevisade, inget utelämnat`);
  r.pass("answer", "every basis shown is the proven one", "varje grund som visas är den bevisade");
  return { kind: "bases", id: owner, consents: c.values, courtOrders: o.values, representatives };
}

/** A study (`study:ID`): its record and its counters (absent: zeros). Facts: title, approval, counters. */
function studyRecord(r, ref, json, reads) {
  const id = ref.id;
  const key = studyKey(id);
  const counters = studyCountersKey(id);
  onlyKeys(reads, (k) => sameKey(k, key) || sameKey(k, counters), `study ${id}`);
  if (String(json?.study?.id) !== id) fail("record", `the answer is about study ${json?.study?.id}, not ${id}`, `svaret gäller studie ${json?.study?.id}, inte ${id}`);
  r.pass("record", `every proof is of study ${id}`, `varje bevis gäller studie ${id}`);
  requireKeys(reads, [key], `study ${id}`);
  const countersRead = readOf(reads, counters);
  if (!countersRead) fail("keys", `the answer carries no proof of study ${id}'s counters`, `svaret saknar bevis för studiens räknare`);
  r.pass("keys", "the study and its counters are proven", "studien och dess räknare är bevisade");
  const study = proven(decodeStudy, readOf(reads, key));
  const count = countersRead.value === null ? { requests: 0, refused: 0, released: 0, citizens: 0, by_category: [] } : proven(decodeStudyCounters, countersRead);
  sameFields("the study's", study, json.study, Object.keys(study));
  sameFields("the study's counters'", count, json.counters, Object.keys(count));
  r.pass("answer", "the study and its counters shown are the proven ones", "studien och räknarna som visas är de bevisade");
  return { kind: "study", id, title: study.title, approved: study.approval !== null, fields: study.fields, counters: count };
}

/**
 * The emergencies (`emergencies:all`): the counter and each emergency listed, newest first from the count, and
 * whether each is in force at the certified block's time. Facts: how many, and which are in force.
 */
function emergenciesRecord(r, ref, json, found) {
  const reads = found.reads;
  const counter = emergencyCounterKey();
  onlyKeys(reads, (k) => sameKey(k, counter) || startsWith(k, datKey(utf8("e/"))), "the emergencies");
  r.pass("record", "every proof is of the public-health emergencies", "varje bevis gäller folkhälsokriser");
  const counterRead = readOf(reads, counter);
  if (!counterRead) fail("keys", "the answer carries no proof of how many emergencies were declared", "svaret saknar bevis för hur många kriser som utlysts");
  const total = counterRead.value === null ? 0 : Number(proven(decodeCounter, counterRead)) - 1;
  if (canonical(json?.total) !== canonical(total)) fail("answer", `the answer says ${canonical(json?.total)} emergencies were declared, but the proofs establish ${total}`, `svaret säger att ${canonical(json?.total)} kriser utlysts, men bevisen fastställer ${total}`);
  const shown = Array.isArray(json.emergencies) ? json.emergencies : [];
  const atMs = found.headers[0]?.timeMs;
  if (canonical(json.at_ms) !== canonical(atMs)) fail("answer", `the answer judges the emergencies at ${json.at_ms}, not at the certified block's time ${atMs}`);
  const first = shown.length ? Number(shown[0]?.emergency?.id) : 0;
  if (shown.length && first !== total) fail("answer", `the answer's newest emergency is ${first}, but ${total} were declared: the newest were left out`, `svarets senaste kris är ${first}, men ${total} har utlysts: de senaste har utelämnats`);
  const current = [];
  shown.forEach((s, i) => {
    const id = total - i;
    const key = emergencyKey(id);
    requireKeys(reads, [key], `emergency ${id}`);
    const e = proven(decodeEmergency, readOf(reads, key));
    sameFields(`emergency ${id}'s`, e, s?.emergency, Object.keys(e));
    const inForce = e.ended === null && atMs < e.until_ms;
    if (s.current !== inForce) fail("answer", `the answer says emergency ${id} is ${s.current ? "" : "not "}in force, but by its proven record it is ${inForce ? "" : "not "}at the certified block's time`, `svaret säger att kris ${id} ${s.current ? "" : "inte "}gäller, men enligt den bevisade posten gör den ${inForce ? "det" : "inte det"}`);
    if (inForce) current.push(id);
  });
  r.pass("keys", `the count and the ${shown.length} emergencies listed are proven`, `antalet och de ${shown.length} kriserna i listan är bevisade`);
  r.pass("answer", "every emergency shown, and whether it is in force, is the proven one", "varje kris som visas, och om den gäller, är den bevisade");
  return { kind: "emergencies", id: "all", total, shown: shown.length, current, atMs };
}

/** An agency's retention rules (`retention:AGENCY`): each rule shown is proven, each proven rule is shown. */
function retentionRecord(r, ref, json, reads) {
  const agency = ref.id;
  const prefix = utf8(`dat/ret/${agency}/`);
  onlyKeys(reads, (k) => sameKey(k, agencyKey(agency)) || startsWith(k, prefix), `agency ${agency}'s retention rules`);
  if (json?.agency !== agency) fail("record", `the answer is about agency ${json?.agency}, not ${agency}`, `svaret gäller myndigheten ${json?.agency}, inte ${agency}`);
  r.pass("record", `every proof is of agency ${agency}'s retention rules`, `varje bevis gäller myndigheten ${agency}s gallringsregler`);
  if (!readOf(reads, agencyKey(agency))) fail("keys", `the answer carries no proof of agency ${agency}'s record`, `svaret saknar bevis för myndigheten ${agency}`);
  const shown = Array.isArray(json.rules) ? json.rules : [];
  const rules = reads.filter((x) => startsWith(x.key, prefix) && x.value !== null).map((x) => proven(decodeRetentionRule, x));
  if (shown.length !== rules.length) fail("answer", `the answer shows ${shown.length} rules, but ${rules.length} are proven`, `svaret visar ${shown.length} regler, men ${rules.length} är bevisade`);
  rules.forEach((rule) => {
    const match = shown.find((s) => s?.category === rule.category);
    if (!match) fail("answer", `the proven rule for ${rule.category} is not shown`, `den bevisade regeln för ${rule.category} visas inte`);
    sameFields(`the rule for ${rule.category}'s`, rule, match, Object.keys(rule));
  });
  r.pass("keys", `the agency and its ${rules.length} rules are proven`, `myndigheten och dess ${rules.length} regler är bevisade`);
  r.pass("answer", "every rule shown is the proven one", "varje regel som visas är den bevisade");
  return { kind: "retention", id: agency, rules: rules.map((x) => ({ category: x.category, keepDays: x.keep_days })) };
}

/** Tie an answer to the data record its page names; null for a kind of another module. */
export function tieDataRecord(r, ref, json, found) {
  if (!(ref.kind in DATA_KIND_IDS)) return null;
  const [owner, after] = ref.id.split(":");
  const owned = { ...ref, owner, after: after === undefined ? null : Number(after) };
  if (ref.kind === "log") return logRecord(r, owned, json, found.reads);
  if (ref.kind === "records") return recordsRecord(r, owned, json, found.reads);
  if (ref.kind === "bases") return basesRecord(r, owned, json, found.reads);
  if (ref.kind === "study") return studyRecord(r, ref, json, found.reads);
  if (ref.kind === "emergencies") return emergenciesRecord(r, ref, json, found);
  return retentionRecord(r, ref, json, found.reads);
}
