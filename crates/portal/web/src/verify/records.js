// Tying an answer's proofs to the record its page shows. A page names its record (`KIND:ID`); the answer must carry
// the proofs of exactly the keys the node reads for that record, the fields it shows must be the proven values, and
// what the proofs establish is returned for the page to show next to what it says.
import { FormatError, equalBytes, fromHex, toBase64, toHex, utf8 } from "../bytes.js";
import { decodeAccount } from "../credential/ledger.js";
import { fail } from "./report.js";
import { KIND_COMPANY, KIND_PARCEL, KIND_TITLE, decodeHead, decodeVersion, headKey, versionKey } from "./registry.js";

/** The record kinds a page may name, with the API path of their answers. */
const RECORD_KINDS = ["parcel", "account", "company", "application", "consent", "block", "permit"];
const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parse a page's `KIND:ID` record name; throws FormatError when it is not one. */
export function parseRecordRef(text) {
  const m = typeof text === "string" ? /^([a-z]+):(.{1,64})$/.exec(text) : null;
  if (!m || !RECORD_KINDS.includes(m[1]) || !RECORD_ID.test(m[2])) {
    throw new FormatError(`the page names its record ${JSON.stringify(text)}, not KIND:ID with KIND one of ${RECORD_KINDS.join(", ")}`);
  }
  return { kind: m[1], id: m[2] };
}

/** A value for comparison: bigints and numbers as decimal text, objects with sorted keys. */
function canonical(value) {
  if (typeof value === "bigint" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Fail `answer` naming the first of `fields` whose shown value (in `shown`) differs from the proven one. */
function sameFields(what, proven, shown, fields) {
  for (const f of fields) {
    const shownValue = shown !== null && typeof shown === "object" ? shown[f] : undefined;
    if (canonical(proven[f]) !== canonical(shownValue)) {
      fail("answer", `the answer shows ${what} ${f} = ${canonical(shownValue)}, but the proofs establish ${canonical(proven[f])}: the answer was altered; do not rely on this page`);
    }
  }
}

/** The proven read of `key`, or undefined. */
function readOf(reads, key) {
  return reads.find((r) => equalBytes(r.key, key));
}

/** Fail `keys` unless every key in `needed` is proven with a value. */
function requireKeys(reads, needed, what) {
  for (const key of needed) {
    const read = readOf(reads, key);
    if (!read) fail("keys", `the answer carries no proof of key ${toHex(key)} (${printable(key)}), which ${what} is read from: a proof was left out, so the page cannot be tied to the ledger`);
    if (read.value === null) fail("keys", `the proofs show key ${printable(key)} absent: the ledger holds no such ${what}`);
  }
}

/** A state key in readable form (its ASCII prefix, then hex). */
function printable(key) {
  let i = 0;
  while (i < key.length && key[i] >= 0x20 && key[i] < 0x7f) i++;
  const text = new TextDecoder().decode(key.subarray(0, i));
  return i === key.length ? text : `${text}${toHex(key.subarray(i))}`;
}

/** Fail `record` unless every proven key starts with one of `prefixes` (byte strings). */
function keysOfRecord(reads, prefixes, ref) {
  for (const read of reads) {
    if (!prefixes.some((p) => read.key.length >= p.length && equalBytes(read.key.subarray(0, p.length), p))) {
      fail("record", `the answer carries a proof of key ${printable(read.key)}, which is not about ${ref.kind} ${ref.id}: the proofs are another record's`);
    }
  }
}

/** Decode a proven registry version, a bad value failing `answer`. */
function provenVersion(kind, read) {
  try {
    return decodeVersion(kind, read.value);
  } catch (e) {
    if (e instanceof FormatError) fail("answer", `a proven value is not a valid record version: ${e.message}`);
    throw e;
  }
}

/** The latest version of a registry record: its head and that version, both proven. */
function latestVersion(reads, kind, id, what) {
  const head = decodeHead(readOf(reads, headKey(kind, id)).value);
  const key = versionKey(kind, id, head);
  requireKeys(reads, [key], `${what} version ${head}`);
  return provenVersion(kind, readOf(reads, key));
}

const VERSION_FIELDS = ["kind", "id", "version", "height", "time_ms", "tx_id", "application"];

/** A parcel's answer: its parcel and title versions (latest), its boundary. Facts: owners, encumbrances, area. */
function parcelRecord(r, ref, json, reads) {
  const id = ref.id;
  if (json?.parcel?.id !== id || json?.title?.id !== id) {
    fail("record", `the answer is about parcel ${json?.parcel?.id} (title ${json?.title?.id}), not ${id}: it is another parcel's`);
  }
  keysOfRecord(reads, [utf8(`reg/parcel/${id}/`), utf8(`reg/title/${id}/`), utf8(`reg/geom/${id}`), utf8("reg/enc/")], ref);
  r.pass("record", `every proof is of parcel ${id}`);
  requireKeys(reads, [headKey(KIND_PARCEL, id), headKey(KIND_TITLE, id), utf8(`reg/geom/${id}`)], `parcel ${id}`);
  const parcel = latestVersion(reads, KIND_PARCEL, id, "the parcel");
  const title = latestVersion(reads, KIND_TITLE, id, "the title");
  r.pass("keys", `the latest parcel version (${parcel.version}), the latest title version (${title.version}) and the boundary are proven`);
  const parcelShown = { ...parcel, kind: "parcel" };
  const titleShown = { ...title, kind: "title" };
  sameFields("the parcel's", parcelShown, json.parcel, VERSION_FIELDS);
  sameFields("the parcel's", parcel.value, json.parcel.value, ["status", "bbox", "area_m2", "doubled_area", "vertices", "parents", "children"]);
  sameFields("the title's", titleShown, json.title, VERSION_FIELDS);
  sameFields("the title's", title.value, json.title.value, ["owners", "encumbrances", "basis"]);
  r.pass("answer", "the parcel and its title shown are the proven ones");
  return {
    kind: "parcel",
    id,
    owners: title.value.owners.map((o) => ({ account: o.account, share: `${o.numerator}/${o.denominator}` })),
    encumbrances: title.value.encumbrances.map(String),
    areaM2: String(parcel.value.area_m2),
    status: parcel.value.status,
  };
}

/** A company's answer: its latest version. Facts: name, status, officers, shareholders. */
function companyRecord(r, ref, json, reads) {
  const id = ref.id;
  if (json?.company?.id !== id) fail("record", `the answer is about company ${json?.company?.id}, not ${id}: it is another company's`);
  keysOfRecord(reads, [utf8(`reg/company/${id}/`)], ref);
  r.pass("record", `every proof is of company ${id}`);
  requireKeys(reads, [headKey(KIND_COMPANY, id)], `company ${id}`);
  const company = latestVersion(reads, KIND_COMPANY, id, "the company");
  r.pass("keys", `the company's latest version (${company.version}) is proven`);
  sameFields("the company's", { ...company, kind: "company" }, json.company, VERSION_FIELDS);
  sameFields("the company's", company.value, json.company.value, Object.keys(company.value));
  r.pass("answer", "the company shown is the proven one");
  const v = company.value;
  return {
    kind: "company",
    id,
    name: v.name,
    status: v.status.type,
    officers: v.officers,
    shareholders: v.shareholders.map((s) => ({ holder: s.holder, shares: String(s.shares) })),
  };
}

/** An account's answer: its record under `acc/a/`. Facts: kind, agency, roles, active. */
function accountRecord(r, ref, json, reads) {
  const id = ref.id.toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(id)) fail("record", `${ref.id} is not an account address`);
  if (json?.address !== id || json?.account?.address !== id) fail("record", `the answer is about account ${json?.address}, not ${id}`);
  const key = new Uint8Array([...utf8("acc/a/"), ...fromHex(id, "the address", 20)]);
  keysOfRecord(reads, [key], ref);
  r.pass("record", `the proof is of account ${id}`);
  requireKeys(reads, [key], `account ${id}`);
  r.pass("keys", "the account's record is proven");
  let a;
  try {
    a = decodeAccount(readOf(reads, key).value);
  } catch (e) {
    fail("answer", `the proven account record cannot be read: ${e.message}`);
  }
  const proven = {
    address: toHex(a.address),
    public_key: toBase64(a.publicKey),
    kind: a.kind,
    active: a.active,
    created_at_height: a.createdAtHeight,
    registered_by: a.registeredBy,
  };
  sameFields("the account's", proven, json.account, ["address", "public_key", "kind", "active", "created_at_height", "registered_by"]);
  r.pass("answer", "the account shown is the proven one");
  return {
    kind: "account",
    id,
    accountKind: a.kind.type,
    agency: a.kind.agency ?? a.kind.registered_by_agency,
    roles: a.kind.roles ?? [],
    active: a.active,
  };
}

/** A block's answer: the height asked. Facts: height, hash, time, proposer. */
function blockRecord(r, ref, json, headers) {
  const h = headers[0];
  if (String(json?.height) !== ref.id || !h || String(h.height) !== ref.id) {
    fail("record", `the answer is block ${json?.height}, not block ${ref.id}`);
  }
  r.pass("record", `the certified header is block ${ref.id}`);
  return { kind: "block", id: ref.id, height: h.height, hash: toHex(h.hash), timeMs: h.timeMs, proposer: toHex(h.proposer) };
}

/**
 * Tie a verified answer (`json`, its proven `found` reads and headers) to the record `ref` the page shows, recording
 * the checks `record`, `keys`, `answer` in `r`. Returns the facts the proofs establish, or null for a record kind
 * whose fields this browser does not compare (the caller reports it as not performed).
 */
export function tieToRecord(r, ref, json, found) {
  if (ref.kind === "parcel") return parcelRecord(r, ref, json, found.reads);
  if (ref.kind === "account") return accountRecord(r, ref, json, found.reads);
  if (ref.kind === "company") return companyRecord(r, ref, json, found.reads);
  if (ref.kind === "block") return blockRecord(r, ref, json, found.headers);
  return null;
}
