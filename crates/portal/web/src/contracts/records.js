// The contracts module's records as the ledger stores them (`crates/modules/contracts/src/schema.rs`, borsh), decoded
// here exactly, so that the browser compares what a contracts page shows with the proven values and says what the
// proofs establish.
//
// State keys: numbers (instances, events, days) are u64 big-endian, hashes and transaction ids their 32 bytes,
// agencies and names their text.
//
//   con/next                      the next instance's number (u64 little-endian; absent: none deployed)
//   con/i/<id>                    Instance           con/n/<name>          the instance's number (u64 LE)
//   con/s/<id>/<key bytes>        the bytes the contract wrote under its key
//   con/ec/<id>                   the instance's event count (u64 LE; absent: 0)
//   con/e/<id>/<seq>              Event
//   con/r/<transaction id>        Receipt
//   con/policy/<agency>           Policy             con/b/<agency>/<day>  the fuel the agency used that UTC day (u64 LE)
import { FormatError, Reader, concat, equalBytes, fromHex, sha256, toHex, utf8 } from "../bytes.js";
import { fail } from "../verify/report.js";
import { bigEndian, canonical, printable, readOf, requireKeys, sameFields } from "../verify/records.js";
import { CONTRACT_KIND_IDS } from "./kinds.js";

/** Limits of the records' fields (`crates/modules/contracts/src/call.rs`, `schema.rs`, the runtime's). */
const LIMITS = { name: 64, agency: 64, role: 64, roles: 16, history: 64, codeHashes: 64, bytes: 65536, kind: 64, message: 1024 };
/** One UTC day, in milliseconds (`schema::DAY_MS`). */
const DAY_MS = 86_400_000;
/** Most instances or events one page of the API lists. */
const MAX_PAGE = 100;
const SLASH = utf8("/");

// ---------------------------------------------------------------------------------------------------------------
// Keys

/** `con/next`. */
export const counterKey = () => utf8("con/next");
/** `con/i/` ‖ id. */
export const instanceKey = (id) => concat(utf8("con/i/"), bigEndian(id));
/** `con/n/` ‖ name. */
export const nameKey = (name) => utf8(`con/n/${name}`);
/** `con/s/` ‖ id ‖ `/` ‖ key. */
export const stateKey = (id, key) => concat(utf8("con/s/"), bigEndian(id), SLASH, key);
/** `con/ec/` ‖ id. */
export const eventCountKey = (id) => concat(utf8("con/ec/"), bigEndian(id));
/** `con/e/` ‖ id ‖ `/` ‖ seq. */
export const eventKey = (id, seq) => concat(utf8("con/e/"), bigEndian(id), SLASH, bigEndian(seq));
/** `con/r/` ‖ transaction id. */
export const receiptKey = (tx) => concat(utf8("con/r/"), fromHex(tx, "a transaction id", 32));
/** `con/policy/` ‖ agency. */
export const policyKey = (agency) => utf8(`con/policy/${agency}`);
/** `con/b/` ‖ agency ‖ `/` ‖ day. */
export const budgetKey = (agency, day) => concat(utf8(`con/b/${agency}/`), bigEndian(day));

// ---------------------------------------------------------------------------------------------------------------
// Decoding

const hash = (r, field) => toHex(r.take(32, field));
/** A borsh `Vec<u8>` of at most LIMITS.bytes, as hex. */
function bytes(r, field) {
  const n = r.u32(`${field}'s length`);
  if (n > LIMITS.bytes) throw new FormatError(`${r.what}: ${field} is ${n} bytes, more than ${LIMITS.bytes}`);
  return toHex(r.take(n, field));
}

/** Decode `bytes` with `read(reader)`, every byte used. */
function decodeWith(value, what, read) {
  const r = new Reader(value, what);
  const out = read(r);
  r.end();
  return out;
}

/** Decode a proven instance, in the API's JSON shape. */
export function decodeInstance(value) {
  return decodeWith(value, "the proven instance", (r) => ({
    id: r.u64("id"),
    name: r.string("name", LIMITS.name),
    agency: r.string("agency", LIMITS.agency),
    code_hash: hash(r, "code hash"),
    fuel_per_call: r.u64("fuel per call"),
    fuel_per_sender_day: r.u64("fuel per sender and day"),
    roles: r.vec("roles", LIMITS.roles, () => r.string("role", LIMITS.role)),
    frozen: r.bool("frozen"),
    history: r.vec("history", LIMITS.history, () => ({
      code_hash: hash(r, "version's code hash"),
      height: r.u64("version's height"),
      authority: authority(r),
    })),
    deployed_at_height: r.u64("deployment height"),
  }));
}

/** Who put a code version in force: `{by: "proposal", id}` or `{by: "admin", address}`. */
function authority(r) {
  const tag = r.u8("authority");
  if (tag === 0) return { by: "proposal", id: r.u64("proposal") };
  if (tag === 1) return { by: "admin", address: toHex(r.take(20, "administrator")) };
  throw new FormatError(`${r.what}: authority has variant ${tag}, of 2`);
}

/** Decode a proven event, in the API's JSON shape. */
export function decodeEvent(value) {
  return decodeWith(value, "the proven event", (r) => ({
    topic: bytes(r, "topic"),
    data: bytes(r, "data"),
    height: r.u64("height"),
    tx_id: hash(r, "transaction"),
  }));
}

/** Decode a proven receipt, in the API's JSON shape. */
export function decodeReceipt(value) {
  return decodeWith(value, "the proven receipt", (r) => ({
    instance: r.u64("instance"),
    status: r.option("status", () => r.u32("status") | 0),
    output: bytes(r, "output"),
    output_len: r.u32("output length"),
    fuel_used: r.u64("fuel used"),
    failure: r.option("failure", () => ({ kind: r.string("failure kind", LIMITS.kind), message: r.string("failure message", LIMITS.message) })),
    events: r.u32("events"),
  }));
}

/** Decode a proven policy, in the API's JSON shape. */
export function decodePolicy(value) {
  return decodeWith(value, "the proven policy", (r) => ({
    admin_deploy: r.bool("admin deploy"),
    code_hashes: r.vec("code hashes", LIMITS.codeHashes, () => hash(r, "code hash")),
    any_agency_code: r.bool("any agency code"),
    max_fuel_per_call: r.u64("most fuel per call"),
    fuel_per_day: r.u64("fuel per day"),
    max_instances: r.u32("most instances"),
  }));
}

/** A proven counter (u64 little-endian), 0 when proven absent. */
export function decodeCounter(value, what) {
  if (value === null) return 0;
  return decodeWith(value, what, (r) => r.u64(what));
}

// ---------------------------------------------------------------------------------------------------------------
// Tying answers to the record a page shows

/** `decode(read.value)`, a value that does not decode failing `answer`. */
function proven(decode, read) {
  try {
    return decode(read.value);
  } catch (e) {
    if (e instanceof FormatError) fail("answer", `a proven value cannot be read: ${e.message}`, `ett bevisat värde kan inte läsas: ${e.message}`);
    throw e;
  }
}

/** Fail `keys` unless `key` is proven, present or absent; its read. */
function requireProven(reads, key, what) {
  const read = readOf(reads, key);
  if (!read) {
    fail("keys", `the answer carries no proof of key ${printable(key)} (${what}): a proof was left out, so the page cannot be tied to the ledger`,
      `svaret saknar bevis för nyckeln ${printable(key)}: ett bevis har utelämnats, så sidan kan inte knytas till registret`);
  }
  return read;
}

/** Fail `record` unless every proven key is one of `allowed`. */
function onlyKeys(reads, allowed, what) {
  for (const read of reads) {
    if (!allowed.some((k) => equalBytes(k, read.key))) {
      fail("record", `the answer carries a proof of key ${printable(read.key)}, which is not about ${what}: the proofs are another record's`,
        `svaret har ett bevis för nyckeln ${printable(read.key)}, som inte gäller ${what}: bevisen hör till en annan post`);
    }
  }
}

/** The answer's list, failing `answer` when it is not one of at most MAX_PAGE items. */
function listed(json, field) {
  const list = json?.[field];
  if (!Array.isArray(list) || list.length > MAX_PAGE) fail("answer", `the answer's ${field} is not a list of at most ${MAX_PAGE}`);
  return list;
}

/**
 * A page's `next`: after `shown` items from `from` of `count`, the next page starts at `from + shown` when some are
 * left, and there is none when none are left; an empty page before the end leaves items out.
 */
function checkNext(json, from, shown, count, what) {
  const end = from + shown;
  if (shown === 0 && from < count) fail("keys", `the answer shows no ${what} from ${from}, but the proofs count ${count}: ${what} were left out`);
  const next = end < count ? end : null;
  if (canonical(json.next) !== canonical(next)) {
    fail("answer", `the answer shows next = ${canonical(json.next)}, but after ${shown} ${what} from ${from} of the proven ${count} it is ${canonical(next)}: the answer was altered; do not rely on this page`,
      `svaret visar next = ${canonical(json.next)}, men bevisen ger ${canonical(next)}: svaret har ändrats; lita inte på sidan`);
  }
}

/** The number in a record id's part (already checked by its kind's form). */
const number = (text) => Number(text);

/** A page of the instance list: the counter, then each instance shown, every field compared. */
function instancesRecord(r, ref, json, reads) {
  const from = number(ref.id);
  const list = listed(json, "instances");
  const keys = list.map((_, i) => instanceKey(from + i));
  onlyKeys(reads, [counterKey(), ...keys], `the instances from ${from}`);
  r.pass("record", `every proof is of the instance counter or an instance from ${from}`, `varje bevis gäller räknaren eller en instans från ${from}`);
  const count = proven((v) => decodeCounter(v, "the instance counter"), requireProven(reads, counterKey(), "the instance counter"));
  requireKeys(reads, keys, "the instances listed");
  if (from + list.length > count) fail("keys", `the answer lists instances up to ${from + list.length - 1}, but the proven counter says ${count} were deployed`);
  r.pass("keys", `the instance counter (${count}) and the ${list.length} instances listed are proven`, `räknaren (${count}) och de ${list.length} listade instanserna är bevisade`);
  sameFields("the list's", { count }, json, ["count"]);
  const instances = keys.map((k) => proven(decodeInstance, readOf(reads, k)));
  instances.forEach((inst, i) => {
    if (inst.id !== from + i) fail("answer", `the proven instance under number ${from + i} says it is ${inst.id}`);
    sameFields(`instance ${inst.id}'s`, inst, list[i], Object.keys(inst));
  });
  checkNext(json, from, list.length, count, "instances");
  r.pass("answer", "the instances shown are the proven ones, none left out", "instanserna som visas är de bevisade, ingen utelämnad");
  return { kind: "contracts", count, instances: instances.map((i) => ({ id: i.id, name: i.name, agency: i.agency, frozen: i.frozen })) };
}

/** An instance: its record (and, by name, the name's index), every field compared. */
function instanceRecord(r, ref, json, reads) {
  const id = number(ref.id);
  if (String(json?.instance?.id) !== ref.id) fail("record", `the answer is about instance ${json?.instance?.id}, not ${ref.id}: it is another instance's`, `svaret gäller instans ${json?.instance?.id}, inte ${ref.id}`);
  const key = instanceKey(id);
  const name = typeof json.instance.name === "string" && /^[a-z0-9-]{1,64}$/.test(json.instance.name) ? json.instance.name : null;
  onlyKeys(reads, [key, ...(name ? [nameKey(name)] : [])], `instance ${id}`);
  r.pass("record", `every proof is of instance ${id}`, `varje bevis gäller instans ${id}`);
  requireKeys(reads, [key], `instance ${id}`);
  const inst = proven(decodeInstance, readOf(reads, key));
  const byName = name ? readOf(reads, nameKey(name)) : undefined;
  if (byName && (byName.value === null || proven((v) => decodeCounter(v, "the name's index"), byName) !== id)) {
    fail("keys", `the proven name index of ${name} does not lead to instance ${id}`);
  }
  r.pass("keys", "the instance's record is proven", "instansens post är bevisad");
  if (inst.id !== id) fail("answer", `the proven instance under number ${id} says it is ${inst.id}`);
  sameFields("the instance's", inst, json.instance, Object.keys(inst));
  r.pass("answer", "the instance and its code history shown are the proven ones", "instansen och dess kodhistorik som visas är de bevisade");
  return { kind: "instance", ...inst };
}

/** A page of an instance's events: the instance, the count, each event shown, every field compared. */
function eventsRecord(r, ref, json, reads) {
  const [idText, fromText] = ref.id.split(":");
  const id = number(idText);
  const from = number(fromText);
  if (String(json?.instance) !== idText) fail("record", `the answer is about instance ${json?.instance}'s events, not ${idText}'s`, `svaret gäller instans ${json?.instance}, inte ${idText}`);
  const list = listed(json, "events");
  const keys = list.map((_, i) => eventKey(id, from + i));
  onlyKeys(reads, [instanceKey(id), eventCountKey(id), ...keys], `instance ${id}'s events from ${from}`);
  r.pass("record", `every proof is of instance ${id} and its events from ${from}`, `varje bevis gäller instans ${id} och dess händelser från ${from}`);
  requireKeys(reads, [instanceKey(id)], `instance ${id}`);
  const count = proven((v) => decodeCounter(v, "the event count"), requireProven(reads, eventCountKey(id), "the event count"));
  requireKeys(reads, keys, `instance ${id}'s events`);
  if (from + list.length > count) fail("keys", `the answer lists events up to ${from + list.length - 1}, but the proven count is ${count}`);
  r.pass("keys", `the instance, its event count (${count}) and the ${list.length} events listed are proven`, `instansen, antalet händelser (${count}) och de ${list.length} listade händelserna är bevisade`);
  sameFields("the page's", { count }, json, ["count"]);
  const events = keys.map((k) => proven(decodeEvent, readOf(reads, k)));
  events.forEach((e, i) => {
    sameFields(`event ${from + i}'s`, { seq: from + i }, list[i], ["seq"]);
    sameFields(`event ${from + i}'s`, e, list[i]?.event, Object.keys(e));
  });
  checkNext(json, from, list.length, count, "events");
  r.pass("answer", "the events shown are the proven ones, none left out", "händelserna som visas är de bevisade, ingen utelämnad");
  return { kind: "contractevents", id, count, from, events: events.map((e, i) => ({ seq: from + i, ...e })) };
}

/** One key of an instance's state: the key asked (by its SHA-256), present or proven absent. */
function stateRecord(r, ref, json, reads) {
  const [idText, keyHash] = ref.id.split(":");
  const id = number(idText);
  if (String(json?.instance) !== idText) fail("record", `the answer is about instance ${json?.instance}'s state, not ${idText}'s`, `svaret gäller instans ${json?.instance}, inte ${idText}`);
  let key;
  try {
    key = fromHex(json.key, "the key");
  } catch {
    fail("record", "the answer's key is not hex");
  }
  if (toHex(sha256(key)) !== keyHash) fail("record", `the answer is about key ${printable(key)}, not the key the page asked for`, `svaret gäller en annan nyckel än den sidan frågade efter`);
  const sk = stateKey(id, key);
  onlyKeys(reads, [instanceKey(id), sk], `instance ${id}'s key ${printable(key)}`);
  r.pass("record", `every proof is of instance ${id} and the key asked`, `varje bevis gäller instans ${id} och nyckeln som efterfrågades`);
  requireKeys(reads, [instanceKey(id)], `instance ${id}`);
  const read = requireProven(reads, sk, "the key asked");
  r.pass("keys", read.value === null ? "the key is proven absent" : "the key's value is proven", read.value === null ? "nyckeln är bevisat frånvarande" : "nyckelns värde är bevisat");
  sameFields("the key's", { value: read.value === null ? null : toHex(read.value) }, json, ["value"]);
  r.pass("answer", "the value shown is the proven one", "värdet som visas är det bevisade");
  return { kind: "contractstate", id, key: toHex(key), value: read.value === null ? null : toHex(read.value) };
}

/** A call's receipt, every field compared. */
function receiptRecord(r, ref, json, reads) {
  const tx = ref.id;
  if (String(json?.tx_id).toLowerCase() !== tx) fail("record", `the answer is the receipt of ${json?.tx_id}, not of ${tx}`, `svaret är kvittot för ${json?.tx_id}, inte för ${tx}`);
  const key = receiptKey(tx);
  onlyKeys(reads, [key], `the receipt of ${tx}`);
  r.pass("record", `the proof is of the receipt of transaction ${tx}`, `beviset gäller kvittot för transaktion ${tx}`);
  requireKeys(reads, [key], `the receipt of ${tx}`);
  r.pass("keys", "the receipt is proven", "kvittot är bevisat");
  const receipt = proven(decodeReceipt, readOf(reads, key));
  sameFields("the receipt's", receipt, json.receipt, Object.keys(receipt));
  r.pass("answer", "the receipt shown is the proven one", "kvittot som visas är det bevisade");
  return { kind: "callreceipt", tx, ...receipt };
}

/** An agency's policy and the fuel its instances used on the certified block's UTC day. */
function policyRecord(r, ref, json, found) {
  const agency = ref.id;
  const reads = found.reads;
  if (json?.agency !== agency) fail("record", `the answer is about agency ${json?.agency}'s policy, not ${agency}'s`, `svaret gäller ${json?.agency}, inte ${agency}`);
  const timeMs = found.headers[0]?.timeMs;
  const day = Math.floor(Number(timeMs) / DAY_MS);
  onlyKeys(reads, [policyKey(agency), budgetKey(agency, day)], `agency ${agency}'s policy on day ${day}`);
  r.pass("record", `every proof is of agency ${agency}'s policy and its fuel on the certified block's day`, `varje bevis gäller myndighetens policy och dess bränsle under det certifierade blockets dag`);
  requireKeys(reads, [policyKey(agency)], `agency ${agency}'s policy`);
  const used = proven((v) => decodeCounter(v, "the day's fuel"), requireProven(reads, budgetKey(agency, day), "the day's fuel"));
  r.pass("keys", "the policy and the day's fuel are proven", "policyn och dagens bränsle är bevisade");
  const policy = proven(decodePolicy, readOf(reads, policyKey(agency)));
  sameFields("the policy's", policy, json.policy, Object.keys(policy));
  sameFields("the answer's", { day, fuel_used: used }, json, ["day", "fuel_used"]);
  r.pass("answer", "the policy and the fuel used shown are the proven ones", "policyn och bränslet som visas är de bevisade");
  return { kind: "contractpolicy", agency, ...policy, day, fuelUsed: used };
}

/**
 * Tie a verified answer to the contracts record `ref` the page shows (`contracts:FROM`, `instance:ID`,
 * `contractevents:ID:FROM`, `contractstate:ID:SHA256`, `callreceipt:TX`, `contractpolicy:AGENCY`), recording the
 * checks `record`, `keys`, `answer`. Returns the facts the proofs establish, or null for a kind of another module.
 */
export function tieContractRecord(r, ref, json, found) {
  if (!(ref.kind in CONTRACT_KIND_IDS)) return null;
  if (ref.kind === "contracts") return instancesRecord(r, ref, json, found.reads);
  if (ref.kind === "instance") return instanceRecord(r, ref, json, found.reads);
  if (ref.kind === "contractevents") return eventsRecord(r, ref, json, found.reads);
  if (ref.kind === "contractstate") return stateRecord(r, ref, json, found.reads);
  if (ref.kind === "callreceipt") return receiptRecord(r, ref, json, found.reads);
  return policyRecord(r, ref, json, found);
}
