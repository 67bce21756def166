// The credential checker (src/credential), run under Node against real presentations and ledger proofs of a demo
// network, and against tampered copies made here, each of which must fail the check that names the tampering.
//
// Fixtures (test/fixtures/credential/) were made on `publica dev --home H --api 127.0.0.1:PORT` (B = its URL):
//
//   curl -s $B/v1/genesis > genesis.json;  curl -s $B/v1/validators/history > history.json
//   publica credential issue --key H/keys/university-registrar.json --passphrase-file H/dev-passphrase \
//     --holder <citizen Ada's address> --type https://publica.example/vct/diploma --claim given_name=Ada \
//     --claim family_name=Lovelace --claim degree=MSc --claim field=Mathematics --claim awarded=2026-06-12 \
//     --status-list 0 --status-index 11 --out good.sdjwt --api $B
//   (the same with degree=BSc, field=Physics, awarded=2024-06-12 and --status-index 12: revoked.sdjwt)
//   publica wallet store good.sdjwt; publica wallet store revoked.sdjwt
//   publica wallet present <good's id> --key H/keys/citizen-ada.json --disclose given_name,family_name,degree \
//     --aud https://bank.example --nonce n-0001 --out good.presentation
//   publica wallet present <revoked's id> ... --disclose given_name,degree --aud https://bank.example --nonce n-0002 \
//     --out revoked.presentation
//   publica identity set-status --key H/keys/university-registrar.json --list 0 --status revoked --index 12
//   publica credential bundle good.presentation --out good.bundle.json   (and revoked; JSON compacted)
//
// `publica credential verify` accepts good.presentation with its bundle and refuses revoked.presentation as revoked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyHistory } from "../src/verify/history.js";
import { verifyCredential } from "../src/credential/verify.js";
import { fetchBundle, accreditationFor } from "../src/credential/api.js";
import { claimsError, chainError, parseStatusUri, statusEntry } from "../src/credential/ledger.js";
import { MAX_PRESENTATION_BYTES, peekPresentation, sdHash } from "../src/credential/sdjwt.js";
import { b64urlDecode, b64urlEncode, parseStrictJson } from "../src/credential/jose.js";
import { CheckFailure } from "../src/verify/report.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "credential");
const read = (name) => readFileSync(join(dir, name), "utf8");
const SETS = verifyHistory(read("genesis.json"), read("history.json")).sets;
const GOOD = read("good.presentation");
const GOOD_BUNDLE = JSON.parse(read("good.bundle.json"));
const REVOKED = read("revoked.presentation");
const REVOKED_BUNDLE = JSON.parse(read("revoked.bundle.json"));
const AUD = "https://bank.example";

/** The `iat` of a presentation's key-binding JWT: the fixtures are checked as if shortly after it was made. */
function kbIat(text) {
  const kb = JSON.parse(text).signatures[0].header.kb_jwt.split(".")[1];
  return JSON.parse(Buffer.from(kb, "base64url").toString("utf8")).iat;
}
const NOW = kbIat(GOOD) + 20;

/** Check `text` with `bundle` (default: the good one's) and the policy's fields overridden by `over`. */
function check(text, over = {}, bundle = GOOD_BUNDLE) {
  return verifyCredential(text, structuredClone(bundle), SETS, { audience: AUD, nonce: "n-0001", now: NOW, ...over });
}

/** The failed check of a report (its last), asserting the report failed. */
function failed(report) {
  assert.equal(report.ok, false, JSON.stringify(report.checks));
  const last = report.checks[report.checks.length - 1];
  assert.equal(last.ok, false);
  return last;
}

/** The presentation as a JSON object, changed by `edit`, back to text. */
function edited(text, edit) {
  const json = JSON.parse(text);
  edit(json);
  return JSON.stringify(json);
}

/** base64url text with one byte of its decoded bytes flipped. */
function flipByte(b64, at) {
  const bytes = b64urlDecode(b64, "test input");
  bytes[at] ^= 1;
  return b64urlEncode(bytes);
}

test("the fixtures' validator sets verify from the genesis", () => {
  assert.ok(SETS, "verifyHistory should accept the fixtures");
});

test("a presentation with its bundle passes every check and gives exactly the disclosed claims", () => {
  const r = check(GOOD);
  assert.equal(r.ok, true, JSON.stringify(r.checks));
  assert.deepEqual(r.checks.map((c) => c.id), ["format", "issuer-key", "issuer-signature", "disclosures", "validity", "key-binding", "accreditation", "schema", "status"]);
  assert.deepEqual(r.claims, { given_name: "Ada", family_name: "Lovelace", degree: "MSc" });
  assert.equal(r.type, "https://publica.example/vct/diploma");
  assert.match(r.issuer, /^did:publica:publica-dev-[0-9a-f]+:5a13ef3d2c20ccf2a3a1084bbe814fc431ca8bdd$/);
  assert.equal(r.status, "valid");
  assert.equal(r.digest, "7a3ae088c2630b816d032b71ec83f474b8058764d261b93ef703a61398f911cd");
});

test("a revoked credential fails the status check and says revoked", () => {
  const r = check(REVOKED, { nonce: "n-0002", now: kbIat(REVOKED) + 20 }, REVOKED_BUNDLE);
  const last = failed(r);
  assert.equal(last.id, "status");
  assert.match(last.detail, /REVOKED/);
  assert.equal(r.status, "revoked");
  assert.equal(r.claims, undefined);
});

test("a changed disclosure fails the disclosures check", () => {
  const text = edited(GOOD, (j) => {
    const d = j.signatures[0].header.disclosures;
    const [salt, name] = JSON.parse(Buffer.from(d[0], "base64url").toString("utf8"));
    d[0] = Buffer.from(JSON.stringify([salt, name, "Grace"])).toString("base64url");
  });
  const last = failed(check(text));
  assert.equal(last.id, "disclosures");
  assert.match(last.detail, /nowhere in the credential/);
});

test("a disclosure removed after signing fails the key binding's sd_hash", () => {
  const text = edited(GOOD, (j) => j.signatures[0].header.disclosures.pop());
  const last = failed(check(text));
  assert.equal(last.id, "key-binding");
  assert.match(last.detail, /sd_hash/);
});

test("another nonce or another audience fails the key binding, naming which", () => {
  let last = failed(check(GOOD, { nonce: "n-9999" }));
  assert.equal(last.id, "key-binding");
  assert.match(last.detail, /nonce/);
  last = failed(check(GOOD, { audience: "https://other.example" }));
  assert.equal(last.id, "key-binding");
  assert.match(last.detail, /audience/);
});

test("an empty audience and nonce are not compared: the key binding is not performed, and the check says so", () => {
  const r = check(GOOD, { audience: "", nonce: "" });
  assert.equal(r.ok, true, JSON.stringify(r.checks));
  assert.equal(r.pending, true);
  const kb = r.checks.find((c) => c.id === "key-binding");
  assert.equal(kb.ok, false);
  assert.equal(kb.pending, true);
  const onlyNonce = check(GOOD, { audience: "" });
  assert.equal(onlyNonce.checks.find((c) => c.id === "key-binding").pending, true);
  assert.match(kb.detail, /you gave no audience to compare/);
  assert.match(kb.detail, /n-0001/);
});

test("a stale key binding fails its freshness", () => {
  const last = failed(check(GOOD, { now: kbIat(GOOD) + 1000 }));
  assert.equal(last.id, "key-binding");
  assert.match(last.detail, /outside the 300 s/);
});

test("a flipped byte in either issuer signature fails the issuer-signature check, naming the half", () => {
  let last = failed(check(edited(GOOD, (j) => { j.signatures[0].signature = flipByte(j.signatures[0].signature, 100); })));
  assert.equal(last.id, "issuer-signature");
  assert.match(last.detail, /ML-DSA-65/);
  last = failed(check(edited(GOOD, (j) => { j.signatures[1].signature = flipByte(j.signatures[1].signature, 5); })));
  assert.equal(last.id, "issuer-signature");
  assert.match(last.detail, /Ed25519/);
});

test("a changed payload fails the issuer signature", () => {
  const text = edited(GOOD, (j) => {
    const payload = JSON.parse(Buffer.from(j.payload, "base64url").toString("utf8"));
    payload.exp += 86400 * 365;
    j.payload = Buffer.from(JSON.stringify(payload)).toString("base64url");
  });
  const last = failed(check(text));
  assert.equal(last.id, "issuer-signature");
});

test("a flipped byte in a key-binding JWT's signature, or a missing post-quantum one, fails the key binding", () => {
  let last = failed(check(edited(GOOD, (j) => {
    const [h, p, s] = j.signatures[0].header.pq_kb_jwt.split(".");
    j.signatures[0].header.pq_kb_jwt = `${h}.${p}.${flipByte(s, 7)}`;
  })));
  assert.equal(last.id, "key-binding");
  assert.match(last.detail, /ML-DSA-65 signature/);
  last = failed(check(edited(GOOD, (j) => { delete j.signatures[0].header.pq_kb_jwt; })));
  assert.equal(last.id, "key-binding");
  assert.match(last.detail, /pq_kb_jwt/);
});

test("the Ed25519 half alone as a compact credential is refused by default, and its key binding fails when accepted", () => {
  const j = JSON.parse(GOOD);
  const h = j.signatures[0].header;
  const compact = `${j.signatures[1].protected}.${j.payload}.${j.signatures[1].signature}~${h.disclosures.map((d) => `${d}~`).join("")}${h.kb_jwt}`;
  let last = failed(check(compact));
  assert.equal(last.id, "issuer-signature");
  assert.match(last.detail, /classical/);
  last = failed(check(compact, { acceptCompact: true }));
  assert.equal(last.id, "key-binding");
  assert.match(last.detail, /sd_hash/);
});

test("a duplicate member, an unknown member or an oversized presentation fails the format check", () => {
  const dup = GOOD.replace('{"payload":', '{"payload":"eyJ9","payload":');
  assert.equal(failed(check(dup)).id, "format");
  assert.equal(failed(check(edited(GOOD, (j) => { j.extra = 1; }))).id, "format");
  assert.equal(failed(check("x".repeat(MAX_PRESENTATION_BYTES + 1))).id, "format");
  assert.equal(failed(check("")).id, "format");
  assert.throws(() => parseStrictJson('{"a":1,"b":{"c":2,"c":3}}', "t"), CheckFailure);
  assert.deepEqual(parseStrictJson('{"a":{"c":2},"b":{"c":3}}', "t"), { a: { c: 2 }, b: { c: 3 } });
});

test("base64url must be canonical", () => {
  assert.deepEqual([...b64urlDecode("AQI", "t")], [1, 2]);
  assert.throws(() => b64urlDecode("AQJ", "t"), CheckFailure); // non-zero trailing bits
  assert.throws(() => b64urlDecode("AQI=", "t"), CheckFailure); // padding
  assert.throws(() => b64urlDecode("A+I", "t"), CheckFailure); // outside the alphabet
});

test("a DID document showing another key than the proven account state fails the issuer-key check", () => {
  const bundle = structuredClone(GOOD_BUNDLE);
  const jwk = bundle.issuer.didDocument.verificationMethod[1].publicKeyJwk;
  jwk.x = flipByte(jwk.x, 0);
  const last = failed(check(GOOD, {}, bundle));
  assert.equal(last.id, "issuer-key");
  assert.match(last.detail, /proven account state/);
});

test("a changed proven value in the bundle fails the ledger proof", () => {
  const bundle = structuredClone(GOOD_BUNDLE);
  const proof = bundle.issuer.proofs[0];
  proof.value = proof.value.slice(0, 100) + (proof.value[100] === "0" ? "1" : "0") + proof.value.slice(101);
  const last = failed(check(GOOD, {}, bundle));
  assert.equal(last.id, "ledger-proof");
  assert.match(last.detail, /altered/);
});

test("a status proof without the entry's chunk, or an old one, fails the status check", () => {
  const bundle = structuredClone(GOOD_BUNDLE);
  const chunk = bundle.status.proofs.find((p) => p.key.startsWith("69646e2f6c632f")); // idn/lc/
  bundle.status.proofs = bundle.status.proofs.filter((p) => p !== chunk);
  let last = failed(check(GOOD, {}, bundle));
  assert.equal(last.id, "status");
  const statusTime = Math.floor(GOOD_BUNDLE.status.certified.header.time_ms / 1000);
  last = failed(check(GOOD, { now: statusTime + 100, maxKeyBindingAge: 3600, maxStatusAge: 50 }));
  assert.equal(last.id, "status");
  assert.match(last.detail, /older than the 50 s/);
});

test("a bundle whose accreditation part proves no accreditation fails the accreditation check", () => {
  const last = failed(check(GOOD, {}, { ...GOOD_BUNDLE, accreditation: GOOD_BUNDLE.issuer }));
  assert.equal(last.id, "accreditation");
  assert.match(last.detail, /no accreditation of 5a13ef3d/);
});

test("a schema that forbids a disclosed claim fails the schema check", () => {
  assert.equal(claimsError({ properties: { degree: { type: "string" } }, additionalProperties: false }, { degree: "MSc" }), null);
  assert.match(claimsError({ properties: { degree: { type: "string" } }, additionalProperties: false }, { given_name: "Ada" }), /not one the type's schema allows/);
  assert.match(claimsError({ properties: { degree: { enum: ["BSc", "MSc"] } } }, { degree: "PhD" }), /not one of the values/);
  assert.match(claimsError({ properties: { age: { type: "integer", minimum: 18 } } }, { age: 17 }), /below the schema's minimum/);
  assert.match(claimsError({ properties: { a: { type: "object", required: ["b"] } } }, { a: {} }), /lacks the required member/);
  assert.match(claimsError({ properties: { a: { type: "array", items: { type: "string" } } } }, { a: ["x", 1] }), /a\[1\]/);
});

test("accreditation chains: each rule refuses with its reason", () => {
  const link = (id, issuer, by, parent, more = {}) => ({ id, issuer, accreditedBy: by, parent, credentialType: "T", validFromMs: 0, validUntilMs: 1e13, revokedAtMs: null, ...more });
  const chain = [link(2, "aa", "bb", 1), link(1, "bb", "root", null)];
  assert.equal(chainError(chain, "aa", "T", 1000), null);
  assert.match(chainError(chain, "cc", "T", 1000), /names issuer/);
  assert.match(chainError(chain, "aa", "U", 1000), /is for T/);
  assert.match(chainError([chain[0]], "aa", "T", 1000), /does not reach a root/);
  assert.match(chainError(chain, "aa", "T", 1000, ["other"]), /not a root you trust/);
  assert.match(chainError([chain[0], link(1, "bb", "root", null, { revokedAtMs: 500 })], "aa", "T", 1000), /revoked/);
  assert.match(chainError([link(2, "aa", "bb", 1, { validFromMs: 2000 }), chain[1]], "aa", "T", 1000), /valid only from/);
});

test("status entries are read as the Token Status List packs them, 1 and 2 bits", () => {
  const two = { bits: 2, capacity: 1000000 };
  const chunk = new Uint8Array(1024);
  chunk[3] = 0b0100_0000; // entry 15: bits 6-7 of byte 3
  assert.equal(statusEntry(two, 15, chunk), 1);
  assert.equal(statusEntry(two, 14, chunk), 0);
  assert.equal(statusEntry(two, 15, null), 0);
  const one = { bits: 1, capacity: 16 };
  assert.equal(statusEntry(one, 0, new Uint8Array([0xb9, 0xa3])), 1);
  assert.equal(statusEntry(one, 1, new Uint8Array([0xb9, 0xa3])), 0);
  assert.throws(() => statusEntry(one, 16, new Uint8Array(2)), CheckFailure);
  assert.throws(() => statusEntry(one, 0, new Uint8Array(3)), CheckFailure);
  assert.deepEqual(parseStatusUri("http://x/v1/identity/status-lists/5a13ef3d2c20ccf2a3a1084bbe814fc431ca8bdd/0"), { owner: "5a13ef3d2c20ccf2a3a1084bbe814fc431ca8bdd", list: 0 });
  assert.throws(() => parseStatusUri("http://x/status/1"), CheckFailure);
});

test("peeking reads the registered claims unverified, and sd_hash is the KB-JWT's", () => {
  const p = peekPresentation(GOOD);
  assert.equal(p.iss.endsWith("5a13ef3d2c20ccf2a3a1084bbe814fc431ca8bdd"), true);
  assert.equal(p.status.idx, 11);
  const kb = JSON.parse(Buffer.from(JSON.parse(GOOD).signatures[0].header.kb_jwt.split(".")[1], "base64url").toString("utf8"));
  assert.equal(sdHash(p.parsed), kb.sd_hash);
});

test("the bundle is fetched from the routes `publica credential bundle` uses", async () => {
  const p = peekPresentation(GOOD);
  const address = "5a13ef3d2c20ccf2a3a1084bbe814fc431ca8bdd";
  const listed = { accreditations: [{ id: 1, schema: "8bf0d653583472fb0fa116b67d68d0666e29e4bab0cd5b0412b56a114247134f", valid_from_ms: 0, valid_until_ms: 1e15, revoked_at_ms: null }] };
  const routes = new Map([
    ["/v1/status", { last_block_time_ms: p.iat * 1000 + 1 }],
    [`/v1/dids/${encodeURIComponent(p.iss)}?versionTime=${p.iat * 1000}`, GOOD_BUNDLE.issuer],
    [`/v1/identity/issuers/${address}/accreditations?type=${encodeURIComponent(p.vct)}`, listed],
    ["/v1/identity/accreditations/1", GOOD_BUNDLE.accreditation],
    [`/v1/identity/schemas/${listed.accreditations[0].schema}`, GOOD_BUNDLE.schema],
    [`/v1/identity/status-lists/${address}/0/entries/11`, GOOD_BUNDLE.status],
  ]);
  const asked = [];
  const fetcher = async (path) => {
    asked.push(path);
    const body = routes.get(path);
    return { ok: body !== undefined, status: body ? 200 : 404, text: async () => JSON.stringify(body ?? { error: "not found" }) };
  };
  const bundle = await fetchBundle(GOOD, fetcher, async () => {});
  assert.deepEqual(asked, [...routes.keys()]);
  assert.deepEqual(bundle, GOOD_BUNDLE);
  routes.delete("/v1/identity/accreditations/1");
  await assert.rejects(fetchBundle(GOOD, fetcher, async () => {}), (e) => e instanceof CheckFailure && e.id === "ledger-proof" && /404/.test(e.message));
});

test("the accreditation fetched is the latest in force at issuance, else the latest", () => {
  const a = (id, from, until, revoked = null) => ({ id, valid_from_ms: from, valid_until_ms: until, revoked_at_ms: revoked });
  assert.equal(accreditationFor([a(1, 0, 100), a(2, 0, 100, 50)], 60).id, 1);
  assert.equal(accreditationFor([a(1, 0, 10), a(2, 0, 20)], 60).id, 2);
  assert.equal(accreditationFor([], 60), null);
});
