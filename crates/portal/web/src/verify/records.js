// Tying an answer's proofs to the record its page shows. A page names its record (`KIND:ID`); the answer must carry
// the proofs of exactly the keys the node reads for that record, the fields it shows must be the proven values, and
// what the proofs establish is returned for the page to show next to what it says.
import { FormatError, Reader, concat, equalBytes, fromHex, sha256, toBase64, toHex, utf8 } from "../bytes.js";
import { decodeAccount } from "../credential/ledger.js";
import { fail } from "./report.js";
import { CONTRACT_KIND_IDS } from "../contracts/kinds.js";
import { tieContractRecord } from "../contracts/records.js";
import { DATA_KIND_IDS } from "../data/kinds.js";
import { tieDataRecord } from "../data/records.js";
import { KIND_APPLICATION, KIND_COMPANY, KIND_ENCUMBRANCE, KIND_PARCEL, KIND_TITLE, decodeHead, decodeVersion, headKey, versionKey } from "./registry.js";

/** The record kinds a page may name. */
const RECORD_KINDS = ["parcel", "account", "company", "application", "consent", "block", "permit", "election", "ballot", "currency", "budget", "line", "payment", "programme", "tender", "contract", ...Object.keys(DATA_KIND_IDS), ...Object.keys(CONTRACT_KIND_IDS)];
const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * Ids of kinds with their own form: an election's number, a ballot's election and SHA-256 (`ID:HASH`), a currency's
 * code, a budget's fiscal year, a budget line's year and code (`YEAR:CODE`), a payment's, a programme's, a tender's and
 * a contract's number.
 */
const KIND_IDS = {
  election: /^\d{1,19}$/,
  ballot: /^\d{1,19}:[0-9a-f]{64}$/,
  currency: /^[A-Z]{3,8}$/,
  budget: /^\d{4}$/,
  line: /^\d{4}:[A-Za-z0-9.-]{1,32}$/,
  payment: /^\d{1,20}$/,
  programme: /^\d{1,20}$/,
  tender: /^\d{1,20}$/,
  contract: /^\d{1,20}$/,
  ...DATA_KIND_IDS,
  ...CONTRACT_KIND_IDS,
};

/** Parse a page's `KIND:ID` record name; throws FormatError when it is not one. */
export function parseRecordRef(text) {
  const m = typeof text === "string" ? /^([a-z]+):(.{1,96})$/.exec(text) : null;
  if (!m || !RECORD_KINDS.includes(m[1]) || !(KIND_IDS[m[1]] ?? RECORD_ID).test(m[2])) {
    throw new FormatError(`the page names its record ${JSON.stringify(text)}, not KIND:ID with KIND one of ${RECORD_KINDS.join(", ")}`);
  }
  return { kind: m[1], id: m[2] };
}

/** A value for comparison: bigints and numbers as decimal text, objects with sorted keys. */
export function canonical(value) {
  if (typeof value === "bigint" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Fail `answer` naming the first of `fields` whose shown value (in `shown`) differs from the proven one. */
export function sameFields(what, proven, shown, fields) {
  for (const f of fields) {
    const shownValue = shown !== null && typeof shown === "object" ? shown[f] : undefined;
    if (canonical(proven[f]) !== canonical(shownValue)) {
      fail("answer", `the answer shows ${what} ${f} = ${canonical(shownValue)}, but the proofs establish ${canonical(proven[f])}: the answer was altered; do not rely on this page`,
        `svaret visar ${f} = ${canonical(shownValue)}, men bevisen fastställer ${canonical(proven[f])}: svaret har ändrats; lita inte på sidan`);
    }
  }
}

/** The proven read of `key`, or undefined. */
export function readOf(reads, key) {
  return reads.find((r) => equalBytes(r.key, key));
}

/** Fail `keys` unless every key in `needed` is proven with a value. */
export function requireKeys(reads, needed, what) {
  for (const key of needed) {
    const read = readOf(reads, key);
    if (!read) {
      fail("keys", `the answer carries no proof of key ${toHex(key)} (${printable(key)}), which ${what} is read from: a proof was left out, so the page cannot be tied to the ledger`,
        `svaret saknar bevis för nyckeln ${printable(key)}, som posten läses från: ett bevis har utelämnats, så sidan kan inte knytas till registret`);
    }
    if (read.value === null) fail("keys", `the proofs show key ${printable(key)} absent: the ledger holds no such ${what}`, `bevisen visar att nyckeln ${printable(key)} saknas: registret har ingen sådan post`);
  }
}

/** A state key in readable form (its ASCII prefix, then hex). */
export function printable(key) {
  let i = 0;
  while (i < key.length && key[i] >= 0x20 && key[i] < 0x7f) i++;
  const text = new TextDecoder().decode(key.subarray(0, i));
  return i === key.length ? text : `${text}${toHex(key.subarray(i))}`;
}

/**
 * Fail `record` unless every proven key starts with one of `prefixes` (byte strings ending with a separator) or is
 * one of `exact` (keys no other record's key extends only because its id is longer).
 */
function keysOfRecord(reads, prefixes, ref, exact = []) {
  for (const read of reads) {
    const under = prefixes.some((p) => read.key.length > p.length && equalBytes(read.key.subarray(0, p.length), p));
    if (!under && !exact.some((k) => equalBytes(read.key, k))) {
      fail("record", `the answer carries a proof of key ${printable(read.key)}, which is not about ${ref.kind} ${ref.id}: the proofs are another record's`,
        `svaret har ett bevis för nyckeln ${printable(read.key)}, som inte gäller ${ref.id}: bevisen hör till en annan post`);
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
    fail("record", `the answer is about parcel ${json?.parcel?.id} (title ${json?.title?.id}), not ${id}: it is another parcel's`,
      `svaret gäller fastigheten ${json?.parcel?.id} (lagfart ${json?.title?.id}), inte ${id}: det hör till en annan fastighet`);
  }
  keysOfRecord(reads, [utf8(`reg/parcel/${id}/`), utf8(`reg/title/${id}/`), utf8("reg/enc/")], ref, [utf8(`reg/geom/${id}`)]);
  r.pass("record", `every proof is of parcel ${id}`, `varje bevis gäller fastigheten ${id}`);
  requireKeys(reads, [headKey(KIND_PARCEL, id), headKey(KIND_TITLE, id), utf8(`reg/geom/${id}`)], `parcel ${id}`);
  const parcel = latestVersion(reads, KIND_PARCEL, id, "the parcel");
  const title = latestVersion(reads, KIND_TITLE, id, "the title");
  const encumbrances = title.value.encumbrances.map((n) => {
    requireKeys(reads, [headKey(KIND_ENCUMBRANCE, String(n))], `encumbrance ${n}`);
    const e = latestVersion(reads, KIND_ENCUMBRANCE, String(n), `encumbrance ${n}`);
    if (e.value.parcel !== id) fail("record", `encumbrance ${n} is on parcel ${e.value.parcel}, not on ${id}`);
    return e;
  });
  const allowed = encumbrances.map((e) => utf8(`reg/enc/${e.id}/`));
  keysOfRecord(reads, [utf8(`reg/parcel/${id}/`), utf8(`reg/title/${id}/`), ...allowed], ref, [utf8(`reg/geom/${id}`)]);
  r.pass("keys", `the latest parcel version (${parcel.version}), the latest title version (${title.version}), the boundary${encumbrances.length ? ` and ${encumbrances.length} ${encumbrances.length === 1 ? "encumbrance" : "encumbrances"}` : ""} are proven`);
  const parcelShown = { ...parcel, kind: "parcel" };
  const titleShown = { ...title, kind: "title" };
  sameFields("the parcel's", parcelShown, json.parcel, VERSION_FIELDS);
  sameFields("the parcel's", parcel.value, json.parcel.value, ["status", "bbox", "area_m2", "doubled_area", "vertices", "parents", "children"]);
  sameFields("the title's", titleShown, json.title, VERSION_FIELDS);
  sameFields("the title's", title.value, json.title.value, ["owners", "encumbrances", "basis"]);
  const shown = Array.isArray(json.encumbrances) ? json.encumbrances : [];
  if (shown.length !== encumbrances.length) fail("answer", `the answer lists ${shown.length} encumbrances, but the proven title has ${encumbrances.length}`);
  encumbrances.forEach((e, i) => {
    sameFields(`encumbrance ${e.id}'s`, { ...e, kind: "encumbrance" }, shown[i], VERSION_FIELDS);
    sameFields(`encumbrance ${e.id}'s`, e.value, shown[i].value, Object.keys(e.value));
  });
  r.pass("answer", "the parcel and its title shown are the proven ones", "fastigheten och lagfarten som visas är de bevisade");
  return {
    kind: "parcel",
    id,
    owners: title.value.owners.map((o) => ({ account: o.account, share: `${o.numerator}/${o.denominator}` })),
    encumbrances: encumbrances.map((e) => ({ id: e.id, kind: e.value.kind, agency: e.value.agency, reference: e.value.reference, released: e.value.released_by !== null })),
    areaM2: String(parcel.value.area_m2),
    status: parcel.value.status,
  };
}

/** A company's answer: its latest version. Facts: name, status, officers, shareholders. */
function companyRecord(r, ref, json, reads) {
  const id = ref.id;
  if (json?.company?.id !== id) {
    fail("record", `the answer is about company ${json?.company?.id}, not ${id}: it is another company's`, `svaret gäller företaget ${json?.company?.id}, inte ${id}: det hör till ett annat företag`);
  }
  keysOfRecord(reads, [utf8(`reg/company/${id}/`)], ref);
  r.pass("record", `every proof is of company ${id}`, `varje bevis gäller företaget ${id}`);
  requireKeys(reads, [headKey(KIND_COMPANY, id)], `company ${id}`);
  const company = latestVersion(reads, KIND_COMPANY, id, "the company");
  r.pass("keys", `the company's latest version (${company.version}) is proven`, `företagets senaste version (${company.version}) är bevisad`);
  sameFields("the company's", { ...company, kind: "company" }, json.company, VERSION_FIELDS);
  sameFields("the company's", company.value, json.company.value, Object.keys(company.value));
  r.pass("answer", "the company shown is the proven one", "företaget som visas är det bevisade");
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

/**
 * An application's answer: its latest version and its action (bound by the version's action hash). Facts: status,
 * approvals. The state shown must follow from the proven status (an open application may show as expired).
 */
function applicationRecord(r, ref, json, reads) {
  const id = ref.id;
  if (!/^\d{1,20}$/.test(id) || json?.application?.id !== id) fail("record", `the answer is about application ${json?.application?.id}, not ${id}: it is another application's`);
  const actionKey = utf8(`reg/appx/${id}`);
  keysOfRecord(reads, [utf8(`reg/app/${id}/`)], ref, [actionKey]);
  r.pass("record", `every proof is of application ${id}`, `varje bevis gäller ärendet ${id}`);
  requireKeys(reads, [headKey(KIND_APPLICATION, id), actionKey], `application ${id}`);
  const app = latestVersion(reads, KIND_APPLICATION, id, "the application");
  if (toHex(sha256(readOf(reads, actionKey).value)) !== app.value.action_hash) {
    fail("keys", `the proven action of application ${id} does not hash to the action hash of its version: the proofs are not of one application`);
  }
  r.pass("keys", `the application's latest version (${app.version}) and its action are proven`);
  sameFields("the application's", { ...app, kind: "application" }, json.application, VERSION_FIELDS);
  sameFields("the application's", app.value, json.application.value, Object.keys(app.value));
  const state = json.state?.type;
  const allowed = app.value.status.type === "open" ? ["open", "expired"] : [app.value.status.type];
  if (!allowed.includes(state)) fail("answer", `the answer shows the application as ${JSON.stringify(state)}, but its proven status is ${app.value.status.type}`);
  r.pass("answer", "the application's status, stages and approvals shown are the proven ones (its action is proven through its hash)");
  return { kind: "application", id, status: app.value.status.type, approvals: app.value.approvals.map((a) => ({ party: a.party, by: a.by, timeMs: a.time_ms })) };
}

/** Most uses of a consent listed in one answer, and most claims a consent names. */
const MAX_LISTED = 1000;

/** `n` as 8 (or `size`) big-endian bytes. */
export function bigEndian(n, size = 8) {
  const out = new Uint8Array(size);
  let v = BigInt(n);
  for (let i = size - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 255n);
  return out;
}

/** Decode a proven consent record, in the API's JSON shape. */
function decodeConsent(bytes) {
  const r = new Reader(bytes, "the proven consent");
  const c = {
    id: r.u64("id"),
    grantor: toHex(r.take(20, "grantor")),
    grantee: toHex(r.take(20, "grantee")),
    credential: toHex(r.take(32, "credential")),
    claims: r.vec("claims", MAX_LISTED, () => r.string("claim", 256)),
    purpose: r.string("purpose", 1024),
    until_ms: r.u64("until"),
    granted_at_ms: r.u64("granted at"),
    height: r.u64("height"),
    revoked_at_ms: r.option("revoked at", () => r.u64("revoked at")),
    uses: r.u32("uses"),
  };
  r.end();
  return c;
}

/** Decode a proven use of a consent, in the API's JSON shape. */
function decodeConsentUse(bytes) {
  const r = new Reader(bytes, "a proven use of the consent");
  const u = { by: toHex(r.take(20, "by")), time_ms: r.u64("time"), height: r.u64("height") };
  r.end();
  return u;
}

/** A consent's answer: its record and each use listed. Facts: parties, claims, number of uses. */
function consentRecord(r, ref, json, reads) {
  const id = ref.id;
  if (!/^\d{1,19}$/.test(id) || String(json?.consent?.id) !== id) fail("record", `the answer is about consent ${json?.consent?.id}, not ${id}: it is another consent's`);
  const key = concat(utf8("idn/c/"), bigEndian(id));
  keysOfRecord(reads, [concat(utf8("idn/cu/"), bigEndian(id))], ref, [key]);
  r.pass("record", `every proof is of consent ${id}`, `varje bevis gäller samtycket ${id}`);
  const listed = Array.isArray(json.uses) ? json.uses : [];
  const from = Number.isSafeInteger(json.from) && json.from >= 0 ? json.from : 0;
  if (listed.length > MAX_LISTED) fail("answer", `the answer lists ${listed.length} uses, more than ${MAX_LISTED}`);
  const useKeys = listed.map((_, i) => concat(utf8("idn/cu/"), bigEndian(id), bigEndian(from + i, 4)));
  requireKeys(reads, [key, ...useKeys], `consent ${id}`);
  let consent;
  let uses;
  try {
    consent = decodeConsent(readOf(reads, key).value);
    uses = useKeys.map((k) => decodeConsentUse(readOf(reads, k).value));
  } catch (e) {
    if (e instanceof FormatError) fail("answer", `a proven value cannot be read: ${e.message}`);
    throw e;
  }
  if (from + listed.length > consent.uses) fail("keys", `the answer lists uses up to ${from + listed.length}, but the consent was used ${consent.uses} times`);
  r.pass("keys", `the consent and the ${listed.length} ${listed.length === 1 ? "use" : "uses"} listed are proven`);
  sameFields("the consent's", consent, json.consent, Object.keys(consent));
  uses.forEach((u, i) => sameFields(`use ${from + i + 1}'s`, u, listed[i], ["by", "time_ms", "height"]));
  r.pass("answer", "the consent and its uses shown are the proven ones", "samtycket och dess användningar som visas är de bevisade");
  return { kind: "consent", id, grantor: consent.grantor, grantee: consent.grantee, claims: consent.claims, uses: consent.uses, revokedAtMs: consent.revoked_at_ms };
}

/** An account's answer: its record under `acc/a/`. Facts: kind, agency, roles, active. */
function accountRecord(r, ref, json, reads) {
  const id = ref.id.toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(id)) fail("record", `${ref.id} is not an account address`);
  if (json?.address !== id || json?.account?.address !== id) fail("record", `the answer is about account ${json?.address}, not ${id}`, `svaret gäller kontot ${json?.address}, inte ${id}`);
  const key = new Uint8Array([...utf8("acc/a/"), ...fromHex(id, "the address", 20)]);
  keysOfRecord(reads, [], ref, [key]);
  r.pass("record", `the proof is of account ${id}`, `beviset gäller kontot ${id}`);
  requireKeys(reads, [key], `account ${id}`);
  r.pass("keys", "the account's record is proven", "kontots post är bevisad");
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
  r.pass("answer", "the account shown is the proven one", "kontot som visas är det bevisade");
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
    fail("record", `the answer is block ${json?.height}, not block ${ref.id}`, `svaret är block ${json?.height}, inte block ${ref.id}`);
  }
  r.pass("record", `the certified header is block ${ref.id}`, `det certifierade blockhuvudet är block ${ref.id}`);
  return { kind: "block", id: ref.id, height: h.height, hash: toHex(h.hash), timeMs: h.timeMs, proposer: toHex(h.proposer) };
}

// Elections (`crates/modules/elections/src/schema.rs`): an election's record under `ele/e/` ‖ id (u64 big-endian);
// a ballot's place on the board under `ele/b/` ‖ id ‖ its SHA-256, the event at that height under `ele/v/` ‖ id ‖
// height, and its credential's record under `ele/c/` ‖ id ‖ SHA-256 of the credential's decimal form.

/** Limits of an election record's fields (`crates/modules/elections/src/call.rs`). */
const ELECTION_LIMITS = { uuid: 64, agency: 64, name: 200, description: 2000, questions: 16, question: 500, answers: 32, answer: 200, trustees: 16, element: 617 };
const ELECTION_STATUSES = ["key_generation", "credentials", "voting", "tallying", "decided"];

/** Key of an election's record. */
function electionKey(id) {
  return concat(utf8("ele/e/"), bigEndian(id));
}

/** Read a 32-byte hash as hex. */
function hashHex(r, field) {
  return toHex(r.take(32, field));
}

/** Decode a proven election record, in the API's JSON shape. */
function decodeElection(bytes) {
  const r = new Reader(bytes, "the proven election record");
  const L = ELECTION_LIMITS;
  const address = (field) => toHex(r.take(20, field));
  const e = {
    id: r.u64("id"),
    uuid: r.string("uuid", L.uuid),
    agency: r.string("agency", L.agency),
    created_by: address("creator"),
    created_at_height: r.u64("creation height"),
    created_at_ms: r.u64("creation time"),
    name: r.string("name", L.name),
    description: r.string("description", L.description),
    questions: r.vec("questions", L.questions, () => ({
      question: r.string("question", L.question),
      answers: r.vec("answers", L.answers, () => r.string("answer", L.answer)),
      min: r.u32("min"),
      max: r.u32("max"),
      blank: r.bool("blank"),
    })),
    opens_at_ms: r.u64("opening"),
    closes_at_ms: r.u64("closing"),
    trustees: r.vec("trustees", L.trustees, () => address("trustee")),
    threshold: r.u32("threshold"),
    credential_authority: address("credential authority"),
    status: (() => {
      const tag = r.u8("status");
      if (tag >= ELECTION_STATUSES.length) throw new FormatError(`the proven election record has status tag ${tag}`);
      return tag === 0 ? { key_generation: { step: r.u8("key generation step") } } : ELECTION_STATUSES[tag];
    })(),
    roll_count: r.u64("roll count"),
    roll_hash: hashHex(r, "roll hash"),
    roll_frozen_at_height: r.option("roll freeze", () => r.u64("roll freeze")),
    credentials_count: r.u64("credentials"),
    credentials_weight: r.u64("credentials' weight"),
    credential_batches: r.u32("credential batches"),
    public_key: r.option("public key", () => r.string("public key", L.element)),
    election_hash: r.option("election hash", () => hashHex(r, "election hash")),
    trustees_hash: r.option("trustees hash", () => hashHex(r, "trustees hash")),
    credentials_hash: r.option("credentials hash", () => hashHex(r, "credentials hash")),
    events: r.u64("events"),
    head: r.option("head", () => hashHex(r, "head")),
    ballots: r.u64("ballots"),
    voters: r.u64("voters"),
    voted_weight: r.u64("voted weight"),
    tally_hash: r.option("tally hash", () => hashHex(r, "tally hash")),
    decrypted_by: r.vec("decrypted by", L.trustees, () => r.u32("trustee")),
    result_hash: r.option("result hash", () => hashHex(r, "result hash")),
  };
  r.end();
  return e;
}

/** Decode a proven ballot entry (where a ballot is on the board), in the API's JSON shape. */
function decodeBallotEntry(bytes) {
  const r = new Reader(bytes, "the proven ballot entry");
  const b = { event_height: r.u64("event height"), block_height: r.u64("block height"), accepted_at_ms: r.u64("acceptance time"), credential: r.string("credential", ELECTION_LIMITS.element) };
  r.end();
  return b;
}

/** Decode a proven credential record, in the API's JSON shape. */
function decodeCredential(bytes) {
  const r = new Reader(bytes, "the proven credential record");
  const c = { weight: r.u64("weight"), ballots: r.u32("ballots"), last_ballot: r.option("last ballot", () => hashHex(r, "last ballot")) };
  r.end();
  return c;
}

/** Belenios' form of a hash (a fingerprint, a tracker): standard base64 without padding. */
function beleniosB64(hex) {
  return toBase64(fromHex(hex, "a hash", 32)).replace(/=+$/, "");
}

/** Decode a proven value with `decode`, a bad value failing `answer`. */
function provenValue(decode, read) {
  try {
    return decode(read.value);
  } catch (e) {
    if (e instanceof FormatError) fail("answer", `a proven value cannot be read: ${e.message}`, `ett bevisat värde kan inte läsas: ${e.message}`);
    throw e;
  }
}

/** Bytes given as hex in an answer that must hash to `want` (hex), or fail `answer` naming `what`. */
function objectOf(hexText, want, what) {
  let bytes;
  try {
    bytes = fromHex(hexText, what);
  } catch {
    fail("answer", `the answer's ${what} is not hex`);
  }
  if (toHex(sha256(bytes)) !== want) {
    fail("answer", `the answer's ${what} does not hash to the proven ${want}: it is not the object the ledger recorded`,
      `svarets ${what} har inte den bevisade hashen ${want}: det är inte objektet som registret lagrade`);
  }
  return bytes;
}

/** The counts of a Belenios result object (`{"result":[[n,…],…]}`, counts as numbers or decimal text), as bigints. */
function resultCounts(bytes) {
  let parsed;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    fail("answer", "the proven result object is not JSON");
  }
  const questions = parsed?.result;
  const count = (c) => (Number.isSafeInteger(c) && c >= 0 ? BigInt(c) : typeof c === "string" && /^(0|[1-9]\d{0,19})$/.test(c) ? BigInt(c) : null);
  if (!Array.isArray(questions) || questions.length > ELECTION_LIMITS.questions || !questions.every((q) => Array.isArray(q) && q.length <= ELECTION_LIMITS.answers + 1 && q.every((c) => count(c) !== null))) {
    fail("answer", "the proven result object is not a list of counts per question");
  }
  return questions.map((q) => q.map(count));
}

/**
 * An election's answer: its record, and the objects it names by their SHA-256 (the election object, whose hash is
 * the fingerprint, and the result, whose counts the page shows). Facts: name, status, roll, ballots, board, result.
 */
function electionRecord(r, ref, json, reads) {
  const id = ref.id;
  if (String(json?.election?.id) !== id) fail("record", `the answer is about election ${json?.election?.id}, not ${id}: it is another election's`, `svaret gäller val ${json?.election?.id}, inte ${id}: det hör till ett annat val`);
  const key = electionKey(id);
  keysOfRecord(reads, [], ref, [key]);
  r.pass("record", `the proof is of election ${id}`, `beviset gäller val ${id}`);
  requireKeys(reads, [key], `election ${id}`);
  r.pass("keys", "the election's record is proven", "valets uppgifter är bevisade");
  const e = provenValue(decodeElection, readOf(reads, key));
  sameFields("the election's", e, json.election, Object.keys(e));
  if (e.election_hash === null) {
    if (json.fingerprint !== null || json.election_object !== null) fail("answer", "the answer shows an election object and fingerprint, but the proven record has none yet");
  } else {
    objectOf(json.election_object, e.election_hash, "election object");
    if (json.fingerprint !== beleniosB64(e.election_hash)) fail("answer", `the answer shows fingerprint ${json.fingerprint}, but the proven election object's is ${beleniosB64(e.election_hash)}`);
  }
  let result = null;
  if (e.result_hash === null) {
    if (json.result !== null || json.result_object !== null) fail("answer", "the answer shows a result, but the proven record has none yet", "svaret visar ett resultat, men den bevisade posten har inget ännu");
  } else {
    result = resultCounts(objectOf(json.result_object, e.result_hash, "result object"));
    if (canonical(result) !== canonical(json.result)) {
      fail("answer", `the answer shows the result ${canonical(json.result)}, but the proven result object says ${canonical(result)}: the answer was altered; do not rely on this page`,
        `svaret visar resultatet ${canonical(json.result)}, men det bevisade resultatobjektet säger ${canonical(result)}: svaret har ändrats; lita inte på sidan`);
    }
  }
  r.pass("answer", `the election shown is the proven one${e.election_hash ? ", its fingerprint that of the proven election object" : ""}${result ? ", and its result the proven result object's" : ""}`,
    `valet som visas är det bevisade${e.election_hash ? ", fingeravtrycket det bevisade valobjektets" : ""}${result ? ", och resultatet det bevisade resultatobjektets" : ""}`);
  return {
    kind: "election",
    id,
    name: e.name,
    status: typeof e.status === "string" ? e.status : "key_generation",
    rollCount: e.roll_count,
    ballots: e.ballots,
    voters: e.voters,
    events: e.events,
    head: e.head,
    questions: e.questions.map((q, i) => ({ question: q.question, answers: q.answers, blank: q.blank, counts: result ? (result[i] ?? []).map(String) : null })),
  };
}

/**
 * A voter's receipt: the ballot's entry, the event at its height (whose hash the answer shows), the election's record
 * and the ballot's credential's record (whose last ballot says whether this one counts). Facts: where the ballot is,
 * whether it is counted.
 */
function ballotRecord(r, ref, json, reads) {
  const [id, hash] = ref.id.split(":");
  if (String(json?.election) !== id || json?.ballot !== hash) {
    fail("record", `the answer is about ballot ${json?.ballot} of election ${json?.election}, not ${hash} of election ${id}: it is another ballot's`,
      `svaret gäller valsedel ${json?.ballot} i val ${json?.election}, inte ${hash} i val ${id}: det hör till en annan valsedel`);
  }
  const ballotKey = concat(utf8("ele/b/"), bigEndian(id), fromHex(hash, "the ballot's hash", 32));
  const key = electionKey(id);
  keysOfRecord(reads, [concat(utf8("ele/v/"), bigEndian(id)), concat(utf8("ele/c/"), bigEndian(id))], ref, [ballotKey, key]);
  requireKeys(reads, [ballotKey, key], `ballot ${hash}`);
  const entry = provenValue(decodeBallotEntry, readOf(reads, ballotKey));
  const eventKey = concat(utf8("ele/v/"), bigEndian(id), bigEndian(entry.event_height));
  const credentialKey = concat(utf8("ele/c/"), bigEndian(id), sha256(utf8(entry.credential)));
  keysOfRecord(reads, [], ref, [ballotKey, key, eventKey, credentialKey]);
  r.pass("record", `every proof is of ballot ${hash} of election ${id}, its event and its credential`, `varje bevis gäller valsedeln ${hash} i val ${id}, dess händelse och dess röstkod`);
  requireKeys(reads, [eventKey, credentialKey], `ballot ${hash}`);
  const election = provenValue(decodeElection, readOf(reads, key));
  const credential = provenValue(decodeCredential, readOf(reads, credentialKey));
  const event = readOf(reads, eventKey).value;
  if (String(election.id) !== id || event.length !== 32 || entry.event_height >= election.events) {
    fail("keys", `the proven records do not fit together: election ${election.id}, event ${entry.event_height} of ${election.events}`);
  }
  r.pass("keys", "the ballot's place on the board, its event, the election and the ballot's credential are proven", "valsedelns plats i valurnan, dess händelse, valet och valsedelns röstkod är bevisade");
  const counted = credential.last_ballot === hash;
  sameFields("the ballot's", entry, json.entry, Object.keys(entry));
  sameFields("the credential's", credential, json.credential, Object.keys(credential));
  sameFields("the ballot's", { event: toHex(event), counted, tracker: beleniosB64(hash) }, json, ["event", "counted", "tracker"]);
  r.pass("answer", `the ballot shown is the proven one: ${counted ? "counted (its credential's last ballot)" : "replaced by a later ballot of its credential"}`,
    `valsedeln som visas är den bevisade: ${counted ? "den räknas (röstkodens senaste valsedel)" : "ersatt av en senare valsedel med samma röstkod"}`);
  return { kind: "ballot", id: ref.id, election: id, name: election.name, counted, eventHeight: entry.event_height, blockHeight: entry.block_height, acceptedAtMs: entry.accepted_at_ms, ballots: credential.ballots };
}

// Public finance (`crates/modules/finance/src/schema.rs`): a currency under `fin/c/` ‖ code and its tiers under
// `fin/t/` ‖ code ‖ `/` ‖ tier (one byte); a budget under `fin/b/` ‖ year (u16 big-endian), its n-th line's code
// under `fin/li/` ‖ year ‖ `/` ‖ n (u32), a line under `fin/l/` ‖ year ‖ `/` ‖ code and its month's totals under
// `fin/m/` ‖ year ‖ `/` ‖ code ‖ `/` ‖ YYYYMM (u32); allocations, commitments, payments and programmes under
// `fin/al/`, `fin/cm/`, `fin/p/`, `fin/g/` ‖ id (u64), and a programme's period under `fin/gp/` ‖ id ‖ `/` ‖ YYYYMM.
// Values are borsh; the decoders give them in the API's JSON shape, so an answer's records compare field by field.

/** Limits of the finance records' fields (`crates/modules/finance/src/call.rs`). */
const FINANCE_LIMITS = { currency: 8, name: 200, reference: 140, agency: 64, company: 32, line: 32, classification: 16, scheme: 64, vct: 200, requires: 8, tiers: 9, periods: 120 };

/** A u16 as a number. */
function u16(r, field) {
  return Number(r.uint(2, field));
}

/** An account's holder (`Holder`): an agency, a citizen's wallet or a company's account, in its JSON shape. */
function decodeHolder(r, field) {
  const tag = r.u8(field);
  if (tag === 0) return { agency: r.string(`${field}'s agency`, FINANCE_LIMITS.agency) };
  if (tag === 1) return { citizen: toHex(r.take(20, `${field}'s citizen`)) };
  if (tag === 2) return { company: r.string(`${field}'s company number`, FINANCE_LIMITS.company) };
  throw new FormatError(`${r.what} has holder tag ${tag} in the ${field}`);
}

/** Decode a proven currency record. */
function decodeCurrency(bytes) {
  const r = new Reader(bytes, "the proven currency record");
  const L = FINANCE_LIMITS;
  const c = {
    code: r.string("code", L.currency),
    name: r.string("name", L.name),
    decimals: r.u8("decimals"),
    issuer: r.string("issuer", L.agency),
    issued: r.u64("issued"),
    redeemed: r.u64("redeemed"),
    public_balances: r.u64("public balances"),
    private_balances: r.u64("private balances"),
    private_accounts: r.u64("private accounts"),
  };
  r.end();
  return c;
}

/** Decode a proven tier's limits. */
function decodeTier(bytes) {
  const r = new Reader(bytes, "the proven tier");
  const t = { balance_cap: r.u64("balance cap"), daily_outflow_cap: r.u64("daily outflow cap") };
  r.end();
  return t;
}

/** Decode a proven budget law. */
function decodeBudget(bytes) {
  const r = new Reader(bytes, "the proven budget");
  const L = FINANCE_LIMITS;
  const b = {
    year: u16(r, "year"),
    currency: r.string("currency", L.currency),
    treasury: r.string("treasury", L.agency),
    reference: r.string("reference", L.reference),
    amendments: r.u32("amendments"),
    last_amendment: r.option("last amendment", () => r.string("last amendment", L.reference)),
    lines: r.u32("lines"),
    appropriated: r.u64("appropriated"),
    enacted_at_height: r.u64("enactment height"),
  };
  r.end();
  return b;
}

/** Decode a proven budget line. */
function decodeLine(bytes) {
  const r = new Reader(bytes, "the proven budget line");
  const L = FINANCE_LIMITS;
  const l = {
    year: u16(r, "year"),
    code: r.string("code", L.line),
    cofog: r.string("COFOG function", L.classification),
    economic: r.string("economic class", L.classification),
    name: r.string("name", L.name),
    appropriation: r.u64("appropriation"),
    allocated: r.u64("allocated"),
    committed: r.u64("committed"),
    paid: r.u64("paid"),
  };
  r.end();
  return l;
}

/** Decode a proven line code (a budget's index entry). */
function decodeLineCode(bytes) {
  const r = new Reader(bytes, "the proven line index entry");
  const code = r.string("code", FINANCE_LIMITS.line);
  r.end();
  return code;
}

/** Decode a line's proven totals of one month. */
function decodeMonthTotals(bytes) {
  const r = new Reader(bytes, "the proven month's totals");
  const m = { allocated: r.u64("allocated"), committed: r.u64("committed"), paid: r.u64("paid") };
  r.end();
  return m;
}

/** Decode a programme's proven totals of one period. */
function decodePeriodTotals(bytes) {
  const r = new Reader(bytes, "the proven period's totals");
  const p = { claims: r.u64("claims"), paid: r.u64("paid") };
  r.end();
  return p;
}

/** Decode a proven allocation. */
function decodeAllocation(bytes) {
  const r = new Reader(bytes, "the proven allocation");
  const L = FINANCE_LIMITS;
  const a = {
    id: r.u64("id"),
    year: u16(r, "year"),
    line: r.string("line", L.line),
    agency: r.string("agency", L.agency),
    amount: r.u64("amount"),
    committed: r.u64("committed"),
    reference: r.string("reference", L.reference),
    by: toHex(r.take(20, "official")),
    height: r.u64("height"),
    time_ms: r.u64("time"),
  };
  r.end();
  return a;
}

/** Decode a proven commitment. */
function decodeCommitment(bytes) {
  const r = new Reader(bytes, "the proven commitment");
  const c = {
    id: r.u64("id"),
    allocation: r.u64("allocation"),
    amount: r.u64("amount"),
    paid: r.u64("paid"),
    payee: r.option("payee", () => decodeHolder(r, "payee")),
    reference: r.string("reference", FINANCE_LIMITS.reference),
    by: toHex(r.take(20, "official")),
    height: r.u64("height"),
    time_ms: r.u64("time"),
  };
  r.end();
  return c;
}

/** Decode a proven payment; its payee is a named holder (`public`) or a commitment to a private one (`private`). */
function decodePayment(bytes) {
  const r = new Reader(bytes, "the proven payment");
  const id = r.u64("id");
  const commitment = r.u64("commitment");
  const amount = r.u64("amount");
  const tag = r.u8("payee");
  let payee;
  if (tag === 0) payee = { public: decodeHolder(r, "payee") };
  else if (tag === 1) payee = { private: hashHex(r, "payee commitment") };
  else throw new FormatError(`the proven payment has payee tag ${tag}`);
  const p = { id, commitment, amount, payee, reference: r.string("reference", FINANCE_LIMITS.reference), height: r.u64("height"), time_ms: r.u64("time") };
  r.end();
  return p;
}

/** Decode a proven welfare programme. */
function decodeProgramme(bytes) {
  const r = new Reader(bytes, "the proven programme");
  const L = FINANCE_LIMITS;
  const g = {
    id: r.u64("id"),
    name: r.string("name", L.name),
    scheme: r.string("scheme", L.scheme),
    agency: r.string("agency", L.agency),
    commitment: r.u64("commitment"),
    amount: r.u64("amount"),
    first_period: r.u32("first period"),
    last_period: r.u32("last period"),
    registered_by: r.option("registering agency", () => r.string("registering agency", L.agency)),
    requires: r.vec("credential types", L.requires, () => r.string("credential type", L.vct)),
    claims: r.u64("claims"),
    paid: r.u64("paid"),
    height: r.u64("height"),
  };
  r.end();
  return g;
}

/** A record's number from a page's record name: decimal, below 2^64; else the record check fails. */
function recordNumber(text, what) {
  if (!/^(0|[1-9]\d{0,19})$/.test(text) || BigInt(text) >= 1n << 64n) {
    fail("record", `the page names ${what} ${JSON.stringify(text)}, which is not a number below 2^64`);
  }
  return text;
}

const finKey = (prefix, ...parts) => concat(utf8(`fin/${prefix}/`), ...parts);
const SLASH = utf8("/");
/** Key of a currency's record. */
const currencyKey = (code) => finKey("c", utf8(code));
/** Key of a currency's tier. */
const tierKey = (code, tier) => finKey("t", utf8(code), SLASH, new Uint8Array([tier]));
/** Key of a fiscal year's budget. */
const budgetKey = (year) => finKey("b", bigEndian(year, 2));
/** Key of a budget line. */
const lineKey = (year, code) => finKey("l", bigEndian(year, 2), SLASH, utf8(code));
/** Key of the code of a budget's `n`-th line. */
const lineIndexKey = (year, n) => finKey("li", bigEndian(year, 2), SLASH, bigEndian(n, 4));
/** Key of a line's totals in one month. */
const lineMonthKey = (year, code, month) => finKey("m", bigEndian(year, 2), SLASH, utf8(code), SLASH, bigEndian(month, 4));
/** Keys of an allocation, a commitment, a payment, a programme. */
const allocationKey = (id) => finKey("al", bigEndian(id));
const commitmentKey = (id) => finKey("cm", bigEndian(id));
const paymentKey = (id) => finKey("p", bigEndian(id));
const programmeKey = (id) => finKey("g", bigEndian(id));
/** Key of a programme's totals in one period. */
const programmePeriodKey = (id, period) => finKey("gp", bigEndian(id), SLASH, bigEndian(period, 4));

/** Fail `keys` unless every key in `needed` is proven, present or absent (a month with nothing is absent). */
function requireProven(reads, needed, what) {
  for (const key of needed) {
    if (!readOf(reads, key)) {
      fail("keys", `the answer carries no proof of key ${printable(key)}, which ${what} is read from: a proof was left out, so what the page says of it cannot be checked`,
        `svaret saknar bevis för nyckeln ${printable(key)}: ett bevis har utelämnats, så det sidan säger kan inte kontrolleras`);
    }
  }
}

/** The month after `YYYYMM`. */
function nextMonth(period) {
  return period % 100 === 12 ? (Math.floor(period / 100) + 1) * 100 + 1 : period + 1;
}

/** The months of a fiscal year and of the next (a line's late payments), `YYYYMM`. */
function monthsOf(year) {
  return Array.from({ length: 24 }, (_, i) => (year + Math.floor(i / 12)) * 100 + (i % 12) + 1);
}

/**
 * A currency's answer: its record and its tiers 1 to 9 (each proven present or absent). Facts: the supply, and
 * whether the double-entry invariant holds, computed here from the proven sums.
 */
function currencyRecord(r, ref, json, reads) {
  const code = ref.id;
  if (json?.currency?.code !== code) fail("record", `the answer is about currency ${json?.currency?.code}, not ${code}: it is another currency's`, `svaret gäller valutan ${json?.currency?.code}, inte ${code}: det hör till en annan valuta`);
  const key = currencyKey(code);
  const tierKeys = Array.from({ length: FINANCE_LIMITS.tiers }, (_, i) => tierKey(code, i + 1));
  keysOfRecord(reads, [], ref, [key, ...tierKeys]);
  r.pass("record", `every proof is of currency ${code} and its tiers`, `varje bevis gäller valutan ${code} och dess nivåer`);
  requireKeys(reads, [key], `currency ${code}`);
  requireProven(reads, tierKeys, `currency ${code}'s tiers`);
  r.pass("keys", "the currency's record and each of its nine tiers (set or not) are proven", "valutans post och var och en av dess nio nivåer (satta eller inte) är bevisade");
  const c = provenValue(decodeCurrency, readOf(reads, key));
  const tiers = [];
  tierKeys.forEach((k, i) => {
    const read = readOf(reads, k);
    if (read.value !== null) tiers.push({ tier: i + 1, ...provenValue(decodeTier, read) });
  });
  sameFields("the currency's", c, json.currency, Object.keys(c));
  if (canonical(tiers) !== canonical(json.tiers)) {
    fail("answer", `the answer shows the tiers ${canonical(json.tiers)}, but the proofs establish ${canonical(tiers)}: the answer was altered; do not rely on this page`,
      `svaret visar nivåerna ${canonical(json.tiers)}, men bevisen fastställer ${canonical(tiers)}: svaret har ändrats; lita inte på sidan`);
  }
  r.pass("answer", "the currency's supply and tiers shown are the proven ones", "valutans mängd och nivåer som visas är de bevisade");
  const issued = BigInt(c.issued);
  const redeemed = BigInt(c.redeemed);
  const held = BigInt(c.public_balances) + BigInt(c.private_balances);
  return {
    kind: "currency",
    id: code,
    name: c.name,
    code,
    decimals: c.decimals,
    issuer: c.issuer,
    issued: String(c.issued),
    redeemed: String(c.redeemed),
    circulating: issued >= redeemed ? String(issued - redeemed) : null,
    publicBalances: String(c.public_balances),
    privateBalances: String(c.private_balances),
    balanced: issued - redeemed === held,
  };
}

/**
 * A budget's answer with a page of its lines: the budget, and for each line shown its place in the budget (whose
 * proven value is its code) and its record, the places consecutive. Facts: the law, its lines, what it appropriated.
 */
function budgetRecord(r, ref, json, reads) {
  const year = Number(ref.id);
  if (json?.budget?.year !== year) fail("record", `the answer is about the budget of ${json?.budget?.year}, not ${year}: it is another year's`, `svaret gäller budgeten för ${json?.budget?.year}, inte ${year}: det hör till ett annat år`);
  const key = budgetKey(year);
  const shown = Array.isArray(json.lines) ? json.lines : [];
  const indexPrefix = finKey("li", bigEndian(year, 2), SLASH);
  const indexReads = reads.filter((x) => x.key.length === indexPrefix.length + 4 && equalBytes(x.key.subarray(0, indexPrefix.length), indexPrefix));
  // The page's first line is the lowest place proven; every line shown must then be proven at its place.
  const places = indexReads.map((x) => new DataView(x.key.buffer, x.key.byteOffset + indexPrefix.length, 4).getUint32(0));
  const from = places.length ? Math.min(...places) : 0;
  const indexKeys = shown.map((_, i) => lineIndexKey(year, from + i));
  requireKeys(reads, [key, ...indexKeys], `the ${year} budget`);
  const codes = indexKeys.map((k) => provenValue(decodeLineCode, readOf(reads, k)));
  const lineKeys = codes.map((code) => lineKey(year, code));
  keysOfRecord(reads, [], ref, [key, ...indexKeys, ...lineKeys]);
  r.pass("record", `every proof is of the ${year} budget and its lines`, `varje bevis gäller budgeten för ${year} och dess anslag`);
  requireKeys(reads, lineKeys, `the ${year} budget's lines`);
  const budget = provenValue(decodeBudget, readOf(reads, key));
  if (from + shown.length > budget.lines) fail("keys", `the answer lists lines up to the ${from + shown.length}th, but the proven budget has ${budget.lines}`);
  r.pass("keys", `the budget and its lines ${shown.length ? `${from + 1} to ${from + shown.length}` : "(none listed)"} of ${budget.lines} are proven`,
    `budgeten och dess anslag ${shown.length ? `${from + 1} till ${from + shown.length}` : "(inga listade)"} av ${budget.lines} är bevisade`);
  sameFields("the budget's", budget, json.budget, Object.keys(budget));
  const lines = lineKeys.map((k) => provenValue(decodeLine, readOf(reads, k)));
  lines.forEach((l, i) => sameFields(`line ${l.code}'s`, l, shown[i], Object.keys(l)));
  r.pass("answer", "the budget and its lines shown are the proven ones", "budgeten och anslagen som visas är de bevisade");
  return {
    kind: "budget",
    id: ref.id,
    year,
    reference: budget.reference,
    currency: budget.currency,
    lines: budget.lines,
    appropriated: String(budget.appropriated),
    amendments: budget.amendments,
    shown: lines.map((l) => ({ code: l.code, name: l.name, appropriation: String(l.appropriation), paid: String(l.paid) })),
  };
}

/**
 * A budget line's answer: the line and its totals for each of the 24 months of its fiscal year and the next (each
 * proven present or absent). Facts: what the line appropriated, allocated, committed and paid, and by month.
 */
function lineRecord(r, ref, json, reads) {
  const sep = ref.id.indexOf(":");
  const year = Number(ref.id.slice(0, sep));
  const code = ref.id.slice(sep + 1);
  if (json?.line?.year !== year || json?.line?.code !== code) {
    fail("record", `the answer is about line ${json?.line?.code} of ${json?.line?.year}, not ${code} of ${year}: it is another line's`,
      `svaret gäller anslaget ${json?.line?.code} för ${json?.line?.year}, inte ${code} för ${year}: det hör till ett annat anslag`);
  }
  const key = lineKey(year, code);
  const months = monthsOf(year);
  const monthKeys = months.map((m) => lineMonthKey(year, code, m));
  keysOfRecord(reads, [], ref, [key, ...monthKeys]);
  r.pass("record", `every proof is of line ${code} of the ${year} budget and its months`, `varje bevis gäller anslaget ${code} i budgeten för ${year} och dess månader`);
  requireKeys(reads, [key], `line ${code}`);
  requireProven(reads, monthKeys, `line ${code}'s months`);
  r.pass("keys", "the line and each of its 24 months (with movements or proven empty) are proven", "anslaget och var och en av dess 24 månader (med rörelser eller bevisat tomma) är bevisade");
  const line = provenValue(decodeLine, readOf(reads, key));
  sameFields("the line's", line, json.line, Object.keys(line));
  const moved = [];
  monthKeys.forEach((k, i) => {
    const read = readOf(reads, k);
    if (read.value !== null) moved.push({ month: months[i], ...provenValue(decodeMonthTotals, read) });
  });
  if (canonical(moved) !== canonical(json.months)) {
    fail("answer", `the answer shows the months ${canonical(json.months)}, but the proofs establish ${canonical(moved)}: the answer was altered; do not rely on this page`,
      `svaret visar månaderna ${canonical(json.months)}, men bevisen fastställer ${canonical(moved)}: svaret har ändrats; lita inte på sidan`);
  }
  r.pass("answer", "the line and its months shown are the proven ones", "anslaget och dess månader som visas är de bevisade");
  return {
    kind: "line",
    id: ref.id,
    year,
    code,
    name: line.name,
    cofog: line.cofog,
    economic: line.economic,
    appropriation: String(line.appropriation),
    allocated: String(line.allocated),
    committed: String(line.committed),
    paid: String(line.paid),
    months: moved.map((m) => ({ month: m.month, allocated: String(m.allocated), committed: String(m.committed), paid: String(m.paid) })),
  };
}

/**
 * A payment's trace: the payment, the commitment it paid against, the allocation the commitment drew on, the
 * budget line allocated and the budget law, each key derived from the proven record before it. The records must fit
 * together (a named payee is the one the commitment names; a private one is paid only from a commitment naming no
 * payee, a programme's). Facts: the amount, the payee, the line and the law.
 */
function paymentRecord(r, ref, json, reads) {
  const id = recordNumber(ref.id, "payment");
  if (String(json?.payment?.id) !== id) fail("record", `the answer is about payment ${json?.payment?.id}, not ${id}: it is another payment's`, `svaret gäller betalning ${json?.payment?.id}, inte ${id}: det hör till en annan betalning`);
  const pKey = paymentKey(id);
  requireKeys(reads, [pKey], `payment ${id}`);
  const payment = provenValue(decodePayment, readOf(reads, pKey));
  const cKey = commitmentKey(payment.commitment);
  requireKeys(reads, [cKey], `payment ${id}'s commitment`);
  const commitment = provenValue(decodeCommitment, readOf(reads, cKey));
  const aKey = allocationKey(commitment.allocation);
  requireKeys(reads, [aKey], `payment ${id}'s allocation`);
  const allocation = provenValue(decodeAllocation, readOf(reads, aKey));
  const lKey = lineKey(allocation.year, allocation.line);
  const bKey = budgetKey(allocation.year);
  keysOfRecord(reads, [], ref, [pKey, cKey, aKey, lKey, bKey]);
  r.pass("record", `every proof is of payment ${id}, its commitment, allocation, budget line and budget`, `varje bevis gäller betalning ${id}, dess åtagande, fördelning, anslag och budget`);
  requireKeys(reads, [lKey, bKey], `payment ${id}'s budget line`);
  const line = provenValue(decodeLine, readOf(reads, lKey));
  const budget = provenValue(decodeBudget, readOf(reads, bKey));
  const payeeFits = payment.payee.public ? canonical(payment.payee.public) === canonical(commitment.payee) : commitment.payee === null;
  if (String(payment.id) !== id || commitment.id !== payment.commitment || allocation.id !== commitment.allocation
    || line.year !== allocation.year || line.code !== allocation.line || budget.year !== allocation.year || !payeeFits) {
    fail("keys", "the proven records do not fit together as a payment's trace (their numbers, line, year or payee differ): the proofs are not of one payment's trace",
      "de bevisade posterna hänger inte ihop som en betalnings spår: bevisen gäller inte en och samma betalning");
  }
  r.pass("keys", "the payment, its commitment, allocation, budget line and budget law are proven, each the one the previous names",
    "betalningen, dess åtagande, fördelning, anslag och budgetlag är bevisade, var och en den som den föregående anger");
  sameFields("the payment's", payment, json.payment, Object.keys(payment));
  sameFields("the commitment's", commitment, json.commitment, Object.keys(commitment));
  sameFields("the allocation's", allocation, json.allocation, Object.keys(allocation));
  sameFields("the line's", line, json.line, Object.keys(line));
  sameFields("the budget's", budget, json.budget, Object.keys(budget));
  r.pass("answer", "the payment and every step of its trace shown are the proven ones: amounts, payee, references, line and law",
    "betalningen och varje steg i dess spår som visas är de bevisade: belopp, mottagare, referenser, anslag och lag");
  return {
    kind: "payment",
    id,
    amount: String(payment.amount),
    payee: payment.payee.public ?? null,
    privatePayee: Boolean(payment.payee.private),
    reference: payment.reference,
    timeMs: payment.time_ms,
    height: payment.height,
    commitment: { id: commitment.id, reference: commitment.reference },
    allocation: { id: allocation.id, agency: allocation.agency, reference: allocation.reference },
    line: { year: line.year, code: line.code, name: line.name },
    budget: { year: budget.year, reference: budget.reference, currency: budget.currency },
  };
}

/**
 * A programme's answer: its record and its totals for each of its periods, from the first to the last (each proven
 * present or absent: a period without claims shows zeros). Facts: the programme and its claims paid by period.
 */
function programmeRecord(r, ref, json, reads) {
  const id = recordNumber(ref.id, "programme");
  if (String(json?.programme?.id) !== id) fail("record", `the answer is about programme ${json?.programme?.id}, not ${id}: it is another programme's`, `svaret gäller program ${json?.programme?.id}, inte ${id}: det hör till ett annat program`);
  const key = programmeKey(id);
  requireKeys(reads, [key], `programme ${id}`);
  const g = provenValue(decodeProgramme, readOf(reads, key));
  const periods = [];
  for (let p = g.first_period; p <= g.last_period && periods.length < FINANCE_LIMITS.periods; p = nextMonth(p)) periods.push(p);
  const periodKeys = periods.map((p) => programmePeriodKey(id, p));
  keysOfRecord(reads, [], ref, [key, ...periodKeys]);
  r.pass("record", `every proof is of programme ${id} and its periods`, `varje bevis gäller program ${id} och dess perioder`);
  requireProven(reads, periodKeys, `programme ${id}'s periods`);
  r.pass("keys", `the programme and each of its ${periods.length} periods (with claims or proven empty) are proven`, `programmet och var och en av dess ${periods.length} perioder (med ansökningar eller bevisat tomma) är bevisade`);
  sameFields("the programme's", g, json.programme, Object.keys(g));
  const totals = periodKeys.map((k, i) => {
    const read = readOf(reads, k);
    return { period: periods[i], ...(read.value === null ? { claims: 0, paid: 0 } : provenValue(decodePeriodTotals, read)) };
  });
  if (canonical(totals) !== canonical(json.periods)) {
    fail("answer", `the answer shows the periods ${canonical(json.periods)}, but the proofs establish ${canonical(totals)}: the answer was altered; do not rely on this page`,
      `svaret visar perioderna ${canonical(json.periods)}, men bevisen fastställer ${canonical(totals)}: svaret har ändrats; lita inte på sidan`);
  }
  r.pass("answer", "the programme and its periods shown are the proven ones", "programmet och dess perioder som visas är de bevisade");
  return {
    kind: "programme",
    id,
    name: g.name,
    scheme: g.scheme,
    agency: g.agency,
    amount: String(g.amount),
    firstPeriod: g.first_period,
    lastPeriod: g.last_period,
    claims: String(g.claims),
    paid: String(g.paid),
    periods: totals.filter((t) => t.claims !== 0).map((t) => ({ period: t.period, claims: String(t.claims), paid: String(t.paid) })),
  };
}

// Procurement (`crates/modules/procurement/src/schema.rs`): a tender under `pro/t/` ‖ id (u64 big-endian), its
// amendments under `pro/ta/` ‖ id ‖ `/` ‖ n (u32), a lot's award of a round under `pro/aw/` ‖ id ‖ `/` ‖ lot (u16) ‖
// `/` ‖ round (u32); a contract under `pro/c/` ‖ id and its amendments under `pro/ca/` ‖ id ‖ `/` ‖ n.

/** Limits of the procurement records' fields (`crates/modules/procurement/src/call.rs`). */
const PROCUREMENT_LIMITS = { title: 200, text: 4000, currency: 8, agency: 64, company: 64, url: 400, items: 100, lots: 50, criteria: 10, documents: 20, evaluators: 9, milestones: 50, changed: 16, ranked: 10000, payments: 10000, commitments: 1000 };
const CATEGORIES = ["goods", "works", "services"];
const CRITERION_KINDS = ["price", "quality"];
const CONTRACT_STATUSES = ["awaiting_supplier", "active"];

const proKey = (prefix, ...parts) => concat(utf8(`pro/${prefix}/`), ...parts);
/** Key of a tender. */
const tenderKey = (id) => proKey("t", bigEndian(id));
/** Key of a tender's amendment. */
const tenderAmendmentKey = (id, n) => proKey("ta", bigEndian(id), SLASH, bigEndian(n, 4));
/** Key of a lot's award in a round. */
const awardKey = (id, lot, round) => proKey("aw", bigEndian(id), SLASH, bigEndian(lot, 2), SLASH, bigEndian(round, 4));
/** Key of a contract. */
const contractKey = (id) => proKey("c", bigEndian(id));
/** Key of a contract's amendment. */
const contractAmendmentKey = (id, n) => proKey("ca", bigEndian(id), SLASH, bigEndian(n, 4));

/** An enum's tag as its JSON name. */
function enumName(r, field, names) {
  const tag = r.u8(field);
  if (tag >= names.length) throw new FormatError(`${r.what} has ${field} tag ${tag}`);
  return names[tag];
}

/** An address (20 bytes) as lowercase hex. */
const addressHex = (r, field) => toHex(r.take(20, field));

/** Decode a proven tender, in the API's JSON shape. */
function decodeTender(bytes) {
  const r = new Reader(bytes, "the proven tender");
  const L = PROCUREMENT_LIMITS;
  const document = () => ({ title: r.string("document title", L.title), sha256: hashHex(r, "document hash"), url: r.string("document URL", L.url) });
  const t = {
    id: r.u64("id"),
    entity: r.string("entity", L.agency),
    published_by: addressHex(r, "publisher"),
    published_ms: r.u64("publication time"),
    spec: {
      title: r.string("title", L.title),
      description: r.string("description", L.text),
      category: enumName(r, "category", CATEGORIES),
      currency: r.string("currency", L.currency),
      items: r.vec("items", L.items, () => ({ description: r.string("item", L.text), cpv: r.string("CPV code", 16), quantity: r.u64("quantity"), unit: r.string("unit", L.title), lot: u16(r, "item's lot") })),
      lots: r.vec("lots", L.lots, () => ({ title: r.string("lot title", L.title), value: r.u64("lot value") })),
      criteria: r.vec("criteria", L.criteria, () => ({ name: r.string("criterion", L.title), weight: u16(r, "weight"), kind: enumName(r, "criterion kind", CRITERION_KINDS) })),
      documents: r.vec("documents", L.documents, document),
      timeline: { clarifications_until_ms: r.u64("clarification deadline"), bid_deadline_ms: r.u64("bid deadline"), opening_ms: r.u64("opening time"), standstill_ms: r.u64("standstill") },
      sealing_key: r.u64("sealing key"),
      evaluators: r.vec("evaluators", L.evaluators, () => addressHex(r, "evaluator")),
      allocation: r.option("allocation", () => r.u64("allocation")),
    },
    amendments: r.u32("amendments"),
    questions: r.u32("questions"),
    bids: r.u32("bids"),
    live_bids: r.u32("live bids"),
    opened: r.u32("opened"),
    complaints: r.u32("complaints"),
    pending_complaints: r.u32("pending complaints"),
    lots: r.vec("lots' state", L.lots, () => ({ round: r.u32("round"), awarded: r.bool("awarded"), contract: r.option("contract", () => r.u64("contract")), pending_complaints: r.u32("lot's pending complaints"), valid_bids: r.u32("lot's valid bids") })),
    cancelled: r.option("cancellation", () => [r.string("cancellation reason", L.text), r.u64("cancellation time")]),
    original_deadline_ms: r.u64("original deadline"),
  };
  r.end();
  return t;
}

/** Decode a proven tender amendment. */
function decodeTenderAmendment(bytes) {
  const r = new Reader(bytes, "the proven tender amendment");
  const L = PROCUREMENT_LIMITS;
  const a = {
    number: r.u32("number"),
    rationale: r.string("rationale", L.text),
    changed: r.vec("changed fields", L.changed, () => r.string("changed field", L.title)),
    old_deadline_ms: r.u64("old deadline"),
    new_deadline_ms: r.u64("new deadline"),
    by: addressHex(r, "official"),
    time_ms: r.u64("time"),
  };
  r.end();
  return a;
}

/** Decode a proven award of a lot. */
function decodeAward(bytes) {
  const r = new Reader(bytes, "the proven award");
  const L = PROCUREMENT_LIMITS;
  const a = {
    round: r.u32("round"),
    bid: r.u32("bid"),
    company: r.string("company", L.company),
    price: r.u64("price"),
    ranking: r.vec("ranking", L.ranked, () => ({ bid: r.u32("ranked bid"), company: r.string("ranked company", L.company), price: r.u64("ranked price"), total_millipoints: r.u64("total") })),
    reason: r.option("reason", () => r.string("reason", L.text)),
    by: addressHex(r, "official"),
    time_ms: r.u64("time"),
    standstill_until_ms: r.u64("standstill"),
    cancelled_by: r.option("cancelling complaint", () => r.u32("cancelling complaint")),
  };
  r.end();
  return a;
}

/** Decode a proven contract. */
function decodeContract(bytes) {
  const r = new Reader(bytes, "the proven contract");
  const L = PROCUREMENT_LIMITS;
  const c = {
    id: r.u64("id"),
    tender: r.u64("tender"),
    lot: u16(r, "lot"),
    round: r.u32("round"),
    supplier: r.string("supplier", L.company),
    entity: r.string("entity", L.agency),
    document: hashHex(r, "document"),
    value: r.u64("value"),
    awarded_price: r.u64("awarded price"),
    milestones: r.vec("milestones", L.milestones, () => ({
      spec: { title: r.string("milestone", L.title), amount: r.u64("milestone amount"), due_ms: r.u64("due") },
      delivered: r.option("delivery", () => [r.u64("delivery time"), r.string("delivery note", L.text)]),
      paid: r.u64("paid"),
      payments: r.vec("payments", L.payments, () => r.u64("payment")),
    })),
    status: enumName(r, "status", CONTRACT_STATUSES),
    signed_by: addressHex(r, "signer"),
    signed_ms: r.u64("signature time"),
    countersigned: r.option("countersignature", () => [addressHex(r, "countersigner"), r.u64("countersignature time")]),
    in_force_ms: r.option("entry into force", () => r.u64("entry into force")),
    amendments: r.u32("amendments"),
    commitments: r.vec("commitments", L.commitments, () => r.u64("commitment")),
  };
  r.end();
  return c;
}

/** Decode a proven contract amendment. */
function decodeContractAmendment(bytes) {
  const r = new Reader(bytes, "the proven contract amendment");
  const a = {
    number: r.u32("number"),
    old_value: r.u64("old value"),
    new_value: r.u64("new value"),
    old_document: hashHex(r, "old document"),
    new_document: hashHex(r, "new document"),
    reason: r.string("reason", PROCUREMENT_LIMITS.text),
    by: addressHex(r, "official"),
    time_ms: r.u64("time"),
  };
  r.end();
  return a;
}

/** Where a proven tender stands at `nowMs` (`publica_procurement::query::status`). */
function tenderStatus(t, nowMs) {
  const now = BigInt(nowMs);
  const tl = t.spec.timeline;
  if (t.cancelled !== null) return "cancelled";
  if (now <= BigInt(tl.clarifications_until_ms)) return "clarification";
  if (now < BigInt(tl.bid_deadline_ms)) return "tendering";
  if (now < BigInt(tl.opening_ms)) return "awaiting_opening";
  if (t.opened !== t.live_bids) return "opening";
  if (t.lots.every((l) => l.contract !== null)) return "contracted";
  if (t.lots.every((l) => l.awarded || l.contract !== null)) return "awarded";
  return "evaluation";
}

/** Fail `answer` unless `shown` is `proven`, naming `what`. */
function sameValue(what, proven, shown) {
  if (canonical(proven) !== canonical(shown)) {
    fail("answer", `the answer shows ${what} ${canonical(shown)}, but the proofs establish ${canonical(proven)}: the answer was altered; do not rely on this page`,
      `svaret visar ${what} ${canonical(shown)}, men bevisen fastställer ${canonical(proven)}: svaret har ändrats; lita inte på sidan`);
  }
}

/**
 * A tender's answer: the tender, each amendment listed, and for each lot ever awarded its current round's award
 * (proven present or absent). The status is computed here from the proven tender at the certified block's time.
 * Facts: the title, entity, status, lots with their estimates and standing awards, the deadlines, the bids' counts.
 */
function tenderRecord(r, ref, json, found) {
  const reads = found.reads;
  const id = recordNumber(ref.id, "tender");
  if (String(json?.tender?.id) !== id) fail("record", `the answer is about tender ${json?.tender?.id}, not ${id}: it is another tender's`, `svaret gäller upphandling ${json?.tender?.id}, inte ${id}: det hör till en annan upphandling`);
  const key = tenderKey(id);
  requireKeys(reads, [key], `tender ${id}`);
  const t = provenValue(decodeTender, readOf(reads, key));
  const listed = Array.isArray(json.amendments) ? json.amendments : [];
  if (listed.length > t.amendments) fail("keys", `the answer lists ${listed.length} amendments, but the proven tender has ${t.amendments}`);
  const amendmentKeys = listed.map((_, i) => tenderAmendmentKey(id, i + 1));
  const awardKeys = t.lots.map((l, i) => (l.round > 0 ? awardKey(id, i, l.round) : null));
  keysOfRecord(reads, [], ref, [key, ...amendmentKeys, ...awardKeys.filter(Boolean)]);
  r.pass("record", `every proof is of tender ${id}, its amendments and its lots' awards`, `varje bevis gäller upphandling ${id}, dess ändringar och delarnas tilldelningar`);
  requireKeys(reads, amendmentKeys, `tender ${id}'s amendments`);
  requireProven(reads, awardKeys.filter(Boolean), `tender ${id}'s awards`);
  r.pass("keys", `the tender, its ${listed.length} amendments listed and the current award of each of its ${t.lots.length} lots (made or not) are proven`,
    `upphandlingen, dess ${listed.length} listade ändringar och den gällande tilldelningen för var och en av dess ${t.lots.length} delar (gjord eller inte) är bevisade`);
  sameFields("the tender's", t, json.tender, Object.keys(t));
  listed.forEach((a, i) => sameFields(`amendment ${i + 1}'s`, provenValue(decodeTenderAmendment, readOf(reads, amendmentKeys[i])), a, ["number", "rationale", "changed", "old_deadline_ms", "new_deadline_ms", "by", "time_ms"]));
  const lots = t.spec.lots.map((spec, i) => {
    const read = awardKeys[i] ? readOf(reads, awardKeys[i]) : null;
    const award = read && read.value !== null ? provenValue(decodeAward, read) : null;
    const standing = award && award.cancelled_by === null
      ? { round: award.round, bid: award.bid, company: award.company, price: award.price, departs_from_ranking: award.reason !== null, time_ms: award.time_ms, standstill_until_ms: award.standstill_until_ms }
      : null;
    return { lot: i, spec, state: t.lots[i], award: standing };
  });
  sameValue("the lots", lots, json.lots);
  const times = [...new Set(found.headers.map((h) => String(h.timeMs)))];
  if (times.length !== 1 || String(json.at_ms) !== times[0]) fail("answer", `the answer gives the status at ${json.at_ms}, not at the certified block's time ${times.join(", ")}`);
  const status = tenderStatus(t, times[0]);
  sameValue("the status", status, json.status);
  r.pass("answer", "the tender, its amendments, its lots' awards and its status at the certified block's time shown are the proven ones",
    "upphandlingen, dess ändringar, delarnas tilldelningar och dess status vid det certifierade blockets tid som visas är de bevisade");
  return {
    kind: "tender",
    id,
    title: t.spec.title,
    entity: t.entity,
    status,
    atMs: Number(times[0]),
    currency: t.spec.currency,
    lots: lots.map((l) => ({ title: l.spec.title, value: String(l.spec.value), award: l.award ? { company: l.award.company, price: String(l.award.price) } : null })),
    bidDeadlineMs: t.spec.timeline.bid_deadline_ms,
    openingMs: t.spec.timeline.opening_ms,
    bids: t.live_bids,
    opened: t.opened,
    documents: t.spec.documents.length,
  };
}

/**
 * A contract's answer: the contract and each amendment listed. Facts: the tender and lot, the supplier, the value
 * and the awarded price, the milestones with what was paid and by which payments.
 */
function contractRecord(r, ref, json, reads) {
  const id = recordNumber(ref.id, "contract");
  if (String(json?.contract?.id) !== id) fail("record", `the answer is about contract ${json?.contract?.id}, not ${id}: it is another contract's`, `svaret gäller avtal ${json?.contract?.id}, inte ${id}: det hör till ett annat avtal`);
  const key = contractKey(id);
  const listed = Array.isArray(json.amendments) ? json.amendments : [];
  const amendmentKeys = listed.map((_, i) => contractAmendmentKey(id, i + 1));
  keysOfRecord(reads, [], ref, [key, ...amendmentKeys]);
  r.pass("record", `every proof is of contract ${id} and its amendments`, `varje bevis gäller avtal ${id} och dess ändringar`);
  requireKeys(reads, [key, ...amendmentKeys], `contract ${id}`);
  const c = provenValue(decodeContract, readOf(reads, key));
  if (listed.length > c.amendments) fail("keys", `the answer lists ${listed.length} amendments, but the proven contract has ${c.amendments}`);
  r.pass("keys", `the contract and its ${listed.length} amendments listed are proven`, `avtalet och dess ${listed.length} listade ändringar är bevisade`);
  sameFields("the contract's", c, json.contract, Object.keys(c));
  listed.forEach((a, i) => sameFields(`amendment ${i + 1}'s`, provenValue(decodeContractAmendment, readOf(reads, amendmentKeys[i])), a, ["number", "old_value", "new_value", "old_document", "new_document", "reason", "by", "time_ms"]));
  r.pass("answer", "the contract, its milestones and its amendments shown are the proven ones", "avtalet, dess delmål och dess ändringar som visas är de bevisade");
  return {
    kind: "contract",
    id,
    tender: String(c.tender),
    lot: c.lot,
    supplier: c.supplier,
    entity: c.entity,
    status: c.status,
    value: String(c.value),
    awardedPrice: String(c.awarded_price),
    milestones: c.milestones.map((m) => ({ title: m.spec.title, amount: String(m.spec.amount), paid: String(m.paid), payments: m.payments.map(String) })),
    amendments: c.amendments,
  };
}

/**
 * Tie a verified answer (`json`, its proven `found` reads and headers) to the record `ref` the page shows, recording
 * the checks `record`, `keys`, `answer` in `r`. Returns the facts the proofs establish, or null for a record kind
 * whose fields this browser does not compare (a permit's answer is an as-of answer, checked by registry.js).
 */
export function tieToRecord(r, ref, json, found) {
  if (ref.kind === "parcel") return parcelRecord(r, ref, json, found.reads);
  if (ref.kind === "account") return accountRecord(r, ref, json, found.reads);
  if (ref.kind === "company") return companyRecord(r, ref, json, found.reads);
  if (ref.kind === "application") return applicationRecord(r, ref, json, found.reads);
  if (ref.kind === "consent") return consentRecord(r, ref, json, found.reads);
  if (ref.kind === "block") return blockRecord(r, ref, json, found.headers);
  if (ref.kind === "election") return electionRecord(r, ref, json, found.reads);
  if (ref.kind === "ballot") return ballotRecord(r, ref, json, found.reads);
  if (ref.kind === "currency") return currencyRecord(r, ref, json, found.reads);
  if (ref.kind === "budget") return budgetRecord(r, ref, json, found.reads);
  if (ref.kind === "line") return lineRecord(r, ref, json, found.reads);
  if (ref.kind === "payment") return paymentRecord(r, ref, json, found.reads);
  if (ref.kind === "programme") return programmeRecord(r, ref, json, found.reads);
  if (ref.kind === "tender") return tenderRecord(r, ref, json, found);
  if (ref.kind === "contract") return contractRecord(r, ref, json, found.reads);
  if (ref.kind in CONTRACT_KIND_IDS) return tieContractRecord(r, ref, json, found);
  return tieDataRecord(r, ref, json, found);
}
