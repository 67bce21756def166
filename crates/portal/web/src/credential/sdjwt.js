// SD-JWT VC presentations (RFC 9901, `typ` dc+sd-jwt) as Publica issues them: the hybrid form (JWS JSON with an
// ML-DSA-65 and an EdDSA signature, disclosures and two key-binding JWTs in the first entry's unprotected header)
// and the compact form (`<JWT>~<D1>~…~<KB-JWT>`, EdDSA only, accepted only when asked for).
import { sha256, utf8 } from "../bytes.js";
import { fail } from "../verify/report.js";
import {
  ALG_EDDSA,
  ALG_ML_DSA_65,
  b64urlDecode,
  b64urlEncode,
  b64urlObject,
  checkHeader,
  decodeUtf8,
  halfName,
  isObject,
  parseJwk,
  parseStrictJson,
  verifyCompact,
  verifyWith,
} from "./jose.js";

/** Largest presentation accepted, as text (a hybrid presentation of a few claims is about 15 KB). */
export const MAX_PRESENTATION_BYTES = 65536;
/** Most disclosures a presentation may carry. */
const MAX_DISCLOSURES = 256;
/** How long after its signing a key-binding JWT is accepted, seconds. */
const DEFAULT_MAX_KEY_BINDING_AGE = 300;
/** The clock difference tolerated, seconds. */
const DEFAULT_CLOCK_SKEW = 60;

const TYP_SD_JWT_VC = "dc+sd-jwt";
const TYP_KB_JWT = "kb+jwt";
const REGISTERED = ["iss", "iat", "nbf", "exp", "vct", "vct#integrity", "cnf", "status", "_sd", "_sd_alg"];
const RESERVED = ["_sd", "..."];

/**
 * Split a presentation into its parts, bounded in size and count: `{ form, signed, payloadSegment, disclosures,
 * kbJwt, pqKbJwt }`; `signed` is the compact JWT or the two JSON signature entries. Failed `format` checks otherwise.
 */
function parsePresentation(text) {
  if (typeof text !== "string" || text.length === 0) fail("format", "paste a presentation or choose its file first");
  const size = text.length > MAX_PRESENTATION_BYTES ? text.length : utf8(text).length;
  if (size > MAX_PRESENTATION_BYTES) fail("format", `the presentation is ${size} bytes, more than the ${MAX_PRESENTATION_BYTES} accepted`);
  const trimmed = text.trim();
  return trimmed.startsWith("{") ? parseHybrid(trimmed) : parseCompact(trimmed);
}

/** The hybrid JSON form: exactly `payload` and two `signatures`, extras only in the first entry's header. */
function parseHybrid(text) {
  const top = parseStrictJson(text, "the presentation");
  const what = "the presentation";
  if (!isObject(top)) fail("format", `${what} is not a JSON object`);
  const extra = Object.keys(top).find((k) => k !== "payload" && k !== "signatures");
  if (extra) fail("format", `${what} has the unknown member \`${extra}\``);
  if (typeof top.payload !== "string") fail("format", `${what} has no \`payload\` string`);
  if (!Array.isArray(top.signatures) || top.signatures.length !== 2) {
    fail("format", `${what} must have exactly two signatures (ML-DSA-65, then EdDSA)`);
  }
  const entries = top.signatures.map((entry, i) => parseEntry(entry, i));
  const header = entries[0].header;
  const unknown = Object.keys(header).find((k) => !["disclosures", "kb_jwt", "pq_kb_jwt"].includes(k));
  if (unknown) fail("format", `${what}'s first signature has the unknown unprotected header \`${unknown}\``);
  if (Object.keys(entries[1].header).length) fail("format", `${what}'s second signature must have no unprotected header`);
  const disclosures = header.disclosures ?? [];
  if (!Array.isArray(disclosures) || disclosures.some((d) => typeof d !== "string")) fail("format", "the disclosures must be a list of strings");
  if (disclosures.length > MAX_DISCLOSURES) fail("format", `the presentation has ${disclosures.length} disclosures, more than ${MAX_DISCLOSURES}`);
  for (const name of ["kb_jwt", "pq_kb_jwt"]) {
    if (name in header && typeof header[name] !== "string") fail("format", `\`${name}\` must be a string`);
  }
  return {
    form: "hybrid",
    signed: entries,
    payloadSegment: top.payload,
    disclosures,
    kbJwt: header.kb_jwt ?? null,
    pqKbJwt: header.pq_kb_jwt ?? null,
  };
}

/** One signature entry of the JSON form: `{ protected, header, signature }`. */
function parseEntry(entry, i) {
  const what = `signature ${i + 1} of the presentation`;
  if (!isObject(entry)) fail("format", `${what} is not an object`);
  const extra = Object.keys(entry).find((k) => !["protected", "header", "signature"].includes(k));
  if (extra) fail("format", `${what} has the unknown member \`${extra}\``);
  if (typeof entry.protected !== "string" || typeof entry.signature !== "string") fail("format", `${what} lacks \`protected\` or \`signature\``);
  const header = entry.header ?? {};
  if (!isObject(header)) fail("format", `${what}'s \`header\` is not an object`);
  return { protected: entry.protected, header, signature: entry.signature };
}

/** The compact form `<JWT>~<D1>~…~<Dn>~[<KB-JWT>]`. */
function parseCompact(text) {
  const parts = text.split("~");
  if (parts.length < 2 || parts.length > MAX_DISCLOSURES + 2) {
    fail("format", "the presentation is neither the JSON form nor `<JWT>~<disclosures>~<KB-JWT>` (or it has too many disclosures)");
  }
  const disclosures = parts.slice(1, -1);
  if (disclosures.some((d) => d === "")) fail("format", "the presentation has an empty disclosure (`~~`)");
  const jwt = parts[0].split(".");
  if (jwt.length !== 3) fail("format", "the issuer-signed JWT does not have three `.`-separated parts");
  const last = parts[parts.length - 1];
  return { form: "compact", signed: parts[0], payloadSegment: jwt[1], disclosures, kbJwt: last || null, pqKbJwt: null };
}

/**
 * `sd_hash` the key-binding JWT must carry: SHA-256 of the SD-JWT as presented without its KB-JWT (for the hybrid
 * form the first, ML-DSA-65 entry as a compact JWT), base64url.
 */
export function sdHash(parsed) {
  const jwt = parsed.form === "hybrid"
    ? `${parsed.signed[0].protected}.${parsed.payloadSegment}.${parsed.signed[0].signature}`
    : parsed.signed;
  return b64urlEncode(sha256(utf8(`${jwt}~${parsed.disclosures.map((d) => `${d}~`).join("")}`)));
}

/** The credential digest (docs/credentials.md §5): SHA-256 of the payload segment as signed. */
function credentialDigest(parsed) {
  return sha256(utf8(parsed.payloadSegment));
}

/** The payload, decoded without any signature check. */
function unverifiedPayload(parsed) {
  return b64urlObject(parsed.payloadSegment, "the credential payload");
}

/**
 * Check the issuer's signatures with its two key halves (`{ mlDsa, ed25519 }`, raw bytes): both for the hybrid
 * form, EdDSA alone for the compact form when `acceptCompact`. Returns a description of what verified.
 */
function checkIssuerSignatures(parsed, issuerKey, acceptCompact) {
  const ed = { alg: ALG_EDDSA, key: issuerKey.ed25519 };
  if (parsed.form === "compact") {
    if (!acceptCompact) fail("issuer-signature", "this is the classical compact form, signed with Ed25519 only: it is refused unless you accept classical credentials");
    verifyCompact(parsed.signed, ed, TYP_SD_JWT_VC, "the issuer-signed JWT", "issuer-signature");
    return "the issuer's Ed25519 signature verifies (classical form: no post-quantum signature)";
  }
  const halves = [{ alg: ALG_ML_DSA_65, key: issuerKey.mlDsa }, ed];
  parsed.signed.forEach((entry, i) => {
    const what = `issuer signature ${i + 1}`;
    const header = b64urlObject(entry.protected, `${what}'s protected header`);
    checkHeader(header, halves[i].alg, TYP_SD_JWT_VC, what);
    const both = Object.keys(entry.header).find((k) => k in header);
    if (both) fail("format", `\`${both}\` is in both the protected and the unprotected header of ${what}`);
    const signature = b64urlDecode(entry.signature, `${what}'s signature`);
    if (!verifyWith(halves[i], `${entry.protected}.${parsed.payloadSegment}`, signature)) {
      fail("issuer-signature", `the issuer's ${halfName(halves[i].alg)} signature does not verify: the credential was altered or not signed by this issuer's key`);
    }
  });
  return "both of the issuer's signatures verify (ML-DSA-65 and Ed25519)";
}

/** A decoded disclosure `{ name (or null for an array element), value }`. */
function decodeDisclosure(text) {
  const what = "a disclosure";
  const items = parseStrictJson(decodeUtf8(b64urlDecode(text, what), what), what);
  if (!Array.isArray(items) || typeof items[0] !== "string") fail("disclosures", `${what} is not a JSON array starting with a salt`);
  if (items.length === 2) return { name: null, value: items[1] };
  if (items.length === 3 && typeof items[1] === "string") return { name: items[1], value: items[2] };
  return fail("disclosures", `${what} has ${items.length} elements, not [salt, name, value] or [salt, value]`);
}

/**
 * Replace the payload's digests by the disclosed values (RFC 9901 §7.1, at any depth): every disclosure must be
 * referenced exactly once, every digest appear once, no reserved or existing name be disclosed. Returns the
 * processed claims and the names disclosed.
 */
function processDisclosures(payload, disclosures) {
  if ("_sd_alg" in payload && payload._sd_alg !== "sha-256") fail("disclosures", `the credential uses \`_sd_alg\` ${JSON.stringify(payload._sd_alg)}; only sha-256 is accepted`);
  const table = new Map();
  for (const text of disclosures) {
    const digest = b64urlEncode(sha256(utf8(text)));
    if (table.has(digest)) fail("disclosures", "the same disclosure is presented twice");
    table.set(digest, decodeDisclosure(text));
  }
  const seen = new Set();
  const disclosed = [];
  const take = (digest) => {
    if (typeof digest !== "string") fail("disclosures", "a digest in the payload is not a string");
    if (seen.has(digest)) fail("disclosures", `the digest ${digest} appears twice in the payload`);
    seen.add(digest);
    const found = table.get(digest);
    table.delete(digest);
    return found;
  };
  const object = (map, depth) => {
    if (depth > 64) fail("format", "the payload nests too deep");
    const digests = map._sd ?? [];
    if (!Array.isArray(digests)) fail("disclosures", "`_sd` is not a list");
    const out = {};
    for (const [name, v] of Object.entries(map)) {
      if (name !== "_sd" && !(depth === 0 && name === "_sd_alg")) out[name] = value(v, depth + 1);
    }
    for (const digest of digests) {
      const d = take(digest);
      if (!d) continue;
      if (d.name === null) fail("disclosures", "an array-element disclosure is referenced from `_sd`");
      if (RESERVED.includes(d.name) || (d.name !== "iat" && REGISTERED.includes(d.name))) fail("disclosures", `the claim \`${d.name}\` must stay in the clear; disclosing it is refused`);
      if (Object.hasOwn(out, d.name)) fail("disclosures", `the disclosed claim \`${d.name}\` is already in the credential`);
      out[d.name] = value(d.value, depth + 1);
      if (depth === 0) disclosed.push(d.name);
    }
    return out;
  };
  const value = (v, depth) => {
    if (Array.isArray(v)) {
      const out = [];
      for (const item of v) {
        if (isObject(item) && Object.keys(item).length === 1 && "..." in item) {
          const d = take(item["..."]);
          if (!d) continue;
          if (d.name !== null) fail("disclosures", "a claim disclosure is referenced from an array");
          out.push(value(d.value, depth + 1));
        } else {
          out.push(value(item, depth + 1));
        }
      }
      return out;
    }
    return isObject(v) ? object(v, depth) : v;
  };
  const claims = object(payload, 0);
  if (table.size) fail("disclosures", "a disclosure's digest is nowhere in the credential: the disclosure was altered or belongs to another credential");
  return { claims, disclosed };
}

/** A registered time claim: absent (null) or a non-negative integer of seconds. */
function timeClaim(claims, name) {
  const v = claims[name];
  if (v === undefined) return null;
  if (!Number.isSafeInteger(v) || v < 0) fail("format", `\`${name}\` must be whole seconds since 1970`);
  return v;
}

/**
 * The registered claims and the others: `{ iss, vct, iat, nbf, exp, status: { idx, uri } | null, holder,
 * claims }`. `holder` is `{ ed25519, mlDsa }` (raw keys; `mlDsa` null in the compact form).
 */
function splitRegistered(parsed, processed) {
  if (typeof processed.iss !== "string" || typeof processed.vct !== "string") fail("format", "the credential lacks `iss` or `vct`");
  let status = null;
  if (processed.status !== undefined) {
    const list = processed.status?.status_list;
    if (!isObject(list) || !Number.isSafeInteger(list.idx) || list.idx < 0 || typeof list.uri !== "string") {
      fail("format", "the credential's `status.status_list` must have an `idx` and a `uri`");
    }
    status = { idx: list.idx, uri: list.uri };
  }
  const cnf = processed.cnf;
  if (!isObject(cnf) || !("jwk" in cnf)) fail("holder-key", "the credential names no holder key (`cnf.jwk`)");
  const ed = parseJwk(cnf.jwk, "the holder's key `cnf.jwk`", "holder-key");
  if (ed.alg !== ALG_EDDSA) fail("holder-key", "`cnf.jwk` must be the holder's Ed25519 (OKP) key");
  let mlDsa = null;
  if (parsed.form === "hybrid") {
    if (!("pq_jwk" in cnf)) fail("holder-key", "a hybrid credential must name the holder's ML-DSA-65 key (`cnf.pq_jwk`)");
    const pq = parseJwk(cnf.pq_jwk, "the holder's key `cnf.pq_jwk`", "holder-key");
    if (pq.alg !== ALG_ML_DSA_65) fail("holder-key", "`cnf.pq_jwk` must be the holder's ML-DSA-65 (AKP) key");
    mlDsa = pq.key;
  }
  const claims = {};
  for (const [name, value] of Object.entries(processed)) if (!REGISTERED.includes(name)) claims[name] = value;
  return {
    iss: processed.iss,
    vct: processed.vct,
    iat: timeClaim(processed, "iat"),
    nbf: timeClaim(processed, "nbf"),
    exp: timeClaim(processed, "exp"),
    status,
    holder: { ed25519: ed.key, mlDsa },
    claims,
  };
}

/**
 * Read a presentation's registered claims WITHOUT checking any signature: what is needed to find the issuer's key
 * and the ledger's proofs. Nothing it returns may be trusted before `checkPresentation` succeeds.
 */
export function peekPresentation(text) {
  const parsed = parsePresentation(text);
  const processed = processDisclosures(unverifiedPayload(parsed), parsed.disclosures);
  return { parsed, ...splitRegistered(parsed, processed.claims) };
}

/**
 * Check one key-binding JWT signed by `jwk`: signature, audience, nonce, age, `sd_hash`. Failures are
 * `key-binding` checks saying which.
 */
function checkKeyBinding(kbJwt, jwk, expected) {
  const what = `the ${halfName(jwk.alg)} key-binding JWT`;
  const { payload } = verifyCompact(kbJwt, jwk, TYP_KB_JWT, what, "key-binding");
  if (typeof payload.aud !== "string" || typeof payload.nonce !== "string") fail("key-binding", `${what} lacks its \`aud\` or \`nonce\``);
  if (expected.audience !== null && payload.aud !== expected.audience) {
    fail("key-binding", `the presentation was made for ${JSON.stringify(payload.aud)}, not for the audience you expect (${JSON.stringify(expected.audience)}): it may be a copy shown to someone else`);
  }
  if (expected.nonce !== null && payload.nonce !== expected.nonce) {
    fail("key-binding", `the presentation answers the nonce ${JSON.stringify(payload.nonce)}, not yours (${JSON.stringify(expected.nonce)}): it may be a replay; ask the holder to present again with your nonce`);
  }
  const iat = payload.iat;
  if (!Number.isSafeInteger(iat) || iat < 0) fail("key-binding", `${what} has no valid \`iat\``);
  if (iat + expected.maxAge < expected.now || iat > expected.now + expected.skew) {
    fail("key-binding", `the presentation was made at ${new Date(iat * 1000).toISOString()}, outside the ${expected.maxAge} s accepted before now (${new Date(expected.now * 1000).toISOString()}): ask the holder to present again`);
  }
  if (payload.sd_hash !== expected.sdHash) {
    fail("key-binding", "the key binding's `sd_hash` does not match the credential and disclosures presented: they were changed after the holder signed");
  }
  return { aud: payload.aud, nonce: payload.nonce };
}

/** What a passed key binding establishes, saying what was not compared when no audience or nonce was given. */
function keyBindingDetail(form, bound, expected) {
  const by = `signed by the holder's key${form === "hybrid" ? " (both halves)" : ""} less than ${expected.maxAge} s ago, covering exactly these disclosures`;
  const aud = expected.audience !== null ? `for you (${bound.aud})` : `for ${JSON.stringify(bound.aud)} (you gave no audience to compare: make sure it is you)`;
  const nonce = expected.nonce !== null ? "with your nonce" : `with the nonce ${JSON.stringify(bound.nonce)} (you gave none to compare: without your own nonce a replayed copy cannot be told apart)`;
  return `${by}, ${aud}, ${nonce}`;
}

/**
 * Check a presentation with the issuer's key `{ mlDsa, ed25519 }` (raw bytes), recording passed checks in `r`
 * (a Report): issuer-signature, disclosures, validity, holder-key, key-binding. `policy`: `{ audience, nonce, now
 * (seconds), acceptCompact, maxKeyBindingAge, skew }`; an empty audience or nonce is not compared (the detail says so). Returns the registered claims, disclosed names and claims.
 */
export function checkPresentation(r, text, issuerKey, policy) {
  const skew = policy.skew ?? DEFAULT_CLOCK_SKEW;
  const parsed = parsePresentation(text);
  r.pass("issuer-signature", checkIssuerSignatures(parsed, issuerKey, policy.acceptCompact === true));
  const signedPayload = unverifiedPayload(parsed);
  const processed = processDisclosures(signedPayload, parsed.disclosures);
  r.pass("disclosures", processed.disclosed.length
    ? `${processed.disclosed.length} disclosed ${processed.disclosed.length === 1 ? "claim matches its digest" : "claims match their digests"} in the signed credential (${processed.disclosed.join(", ")})`
    : "nothing is disclosed beyond the claims in the clear");
  const c = splitRegistered(parsed, processed.claims);
  if (c.exp !== null && policy.now >= c.exp + skew) fail("validity", `the credential expired at ${new Date(c.exp * 1000).toISOString()}`);
  if (c.nbf !== null && policy.now + skew < c.nbf) fail("validity", `the credential is valid only from ${new Date(c.nbf * 1000).toISOString()}`);
  r.pass("validity", c.exp !== null ? `valid until ${new Date(c.exp * 1000).toISOString()}` : "no end of validity");
  if (!parsed.kbJwt) fail("key-binding", "the presentation has no key-binding JWT: anyone holding a copy could show it; ask the holder to present it to you");
  const expected = {
    audience: policy.audience || null,
    nonce: policy.nonce || null,
    now: policy.now,
    skew,
    maxAge: policy.maxKeyBindingAge ?? DEFAULT_MAX_KEY_BINDING_AGE,
    sdHash: sdHash(parsed),
  };
  if (parsed.form === "hybrid") {
    if (!parsed.pqKbJwt) fail("key-binding", "a hybrid presentation needs the ML-DSA-65 key-binding JWT (`pq_kb_jwt`), and it is missing");
    checkKeyBinding(parsed.pqKbJwt, { alg: ALG_ML_DSA_65, key: c.holder.mlDsa }, expected);
  }
  const bound = checkKeyBinding(parsed.kbJwt, { alg: ALG_EDDSA, key: c.holder.ed25519 }, expected);
  if (expected.audience === null || expected.nonce === null) {
    r.pending("key-binding", keyBindingDetail(parsed.form, bound, expected),
      `inte utförd: innehavarens signatur håller, men utan din mottagare och nonce att jämföra med (uppvisningen anger ${JSON.stringify(bound.aud)} och ${JSON.stringify(bound.nonce)}) kan den vara en återspelad kopia; ange båda`);
  }
  else r.pass("key-binding", keyBindingDetail(parsed.form, bound, expected));
  return { ...c, disclosed: processed.disclosed, form: parsed.form, digest: credentialDigest(parsed) };
}
