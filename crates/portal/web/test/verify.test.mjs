// The portal's in-browser verifier (src/verify), run under Node against real artifacts of a demo network.
//
// Fixtures (test/fixtures/verify/) were made from `publica dev --home H --api 127.0.0.1:PORT` (B = its URL):
//
//   curl -s $B/v1/genesis                        > genesis.json
//   curl -s $B/v1/validators/history             > history.json
//   publica anchor document.txt --key H/keys/notary.json --passphrase-file H/dev-passphrase --receipts R --api $B
//   (two more files anchored after it, so that its receipt carries an inclusion proof of two hashes)
//   curl -s $B/v1/notary/receipts/$(sha256sum document.txt | cut -c1-64) > document.txt.tlog-proof
//   curl -s $B/v1/accounts/b74d22a67e83017f50f00b3f79a5f87031d23b58      > account.json
//   curl -s "$B/v1/land/parcels/NV-A1-101/owners?at=1796346178000"      > owners-asof.json  (with `following`)
//   curl -s $B/v1/permits/BP-2026-0002/status                         > permit-status.json
//   curl -s $B/v1/blocks/3                                            > block.json
//
// and, from a second `publica dev` network (another home, so another chain id and other validator keys):
//
//   curl -s $B2/v1/genesis > other-genesis.json (trimmed to one agency, which verification does not read)
//   curl -s $B2/v1/accounts/b74d…3b58 > other-account.json
//
// `publica verify FILE --genesis genesis.json` accepts each of them. Tampered copies are made below, in memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  verifyDocument, verifyHistory, verifyOwnershipAsOf, verifyPermitStatusAsOf, verifyReceipt,
} from "../src/verify/index.js";
import { parseTimeMs } from "../src/verify/when.js";
import { canonicalGenesis } from "../src/verify/trust.js";
import { addressOf } from "../src/verify/types.js";
import { toBase64, toHex } from "../src/bytes.js";
import { ml_dsa44, ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { ed25519 } from "@noble/curves/ed25519.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "verify");
const read = (name) => readFileSync(join(dir, name), "utf8");
const GENESIS = read("genesis.json");
const HISTORY = read("history.json");
const DOCUMENT = readFileSync(join(dir, "document.txt"));
const RECEIPT = read("document.txt.tlog-proof");
const DOC_HASH = createHash("sha256").update(DOCUMENT).digest("hex");
const SETS = verifyHistory(GENESIS, HISTORY).sets;

/** A validator set of one validator with freshly made keys: a set no network here ever had. */
function freshSet() {
  const hybrid = new Uint8Array([...ml_dsa65.keygen().publicKey, ...ed25519.getPublicKey(ed25519.utils.randomSecretKey())]);
  return {
    validators: [{
      address: toHex(addressOf(hybrid)),
      public_key: toBase64(hybrid),
      voting_power: 1,
      log_keys: { ed25519: toHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey())), ml_dsa_44: toHex(ml_dsa44.keygen().publicKey) },
    }],
  };
}
const FRESH_SET = freshSet();
/** This network's genesis with other validators: what a forger would hand a visitor. */
const IMPOSTOR_GENESIS = JSON.stringify({ ...JSON.parse(GENESIS), validators: FRESH_SET });

/** The id of the report's failed check (the last one), asserting the report failed. */
function failedId(report) {
  assert.equal(report.ok, false, JSON.stringify(report.checks));
  const failed = report.checks.filter((c) => !c.ok);
  assert.equal(failed.length, 1, "exactly one check fails");
  assert.equal(report.checks[report.checks.length - 1], failed[0], "the failed check is the last");
  assert.ok(failed[0].detail.length > 20, "the failure says what happened");
  return failed[0].id;
}

/** Assert a report passed, every check ok. */
function passed(report) {
  assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  assert.ok(report.checks.every((c) => c.ok && typeof c.detail === "string"));
  return report;
}

/** A copy of `text` with the base64 character at `index` replaced by another. */
function flipBase64(text, index) {
  const c = text[index];
  return text.slice(0, index) + (c === "A" ? "B" : "A") + text.slice(index + 1);
}

/** A copy of a hex string with its first digit changed. */
function flipHex(hex) {
  return (hex[0] === "0" ? "1" : "0") + hex.slice(1);
}

test("the validator history verifies from the genesis", () => {
  const r = passed(verifyHistory(GENESIS, HISTORY));
  assert.deepEqual(r.checks.map((c) => c.id), ["format", "chain", "history"]);
  assert.equal(r.sets.list.length, 1);
  assert.equal(r.sets.chainId, JSON.parse(GENESIS).chain_id);
});

test("a history of another network, or with a forged change, is refused", () => {
  const other = JSON.stringify({ chain_id: JSON.parse(read("other-genesis.json")).chain_id, changes: [] });
  assert.equal(failedId(verifyHistory(GENESIS, other)), "chain");
  // A change certified by the genesis set whose header does not name the set it brings.
  const block = JSON.parse(read("block.json"));
  const forged = { chain_id: SETS.chainId, changes: [{ header: block.header, certificate: block.certificate, validators: FRESH_SET }] };
  assert.equal(failedId(verifyHistory(GENESIS, JSON.stringify(forged))), "history");
  // The same change signed by validators that were not in force: its certificate does not verify.
  const otherBlock = JSON.parse(read("other-account.json")).proof;
  const foreign = { chain_id: SETS.chainId, changes: [{ header: { ...otherBlock.header, chain_id: SETS.chainId }, certificate: otherBlock.certificate, validators: FRESH_SET }] };
  assert.equal(failedId(verifyHistory(GENESIS, JSON.stringify(foreign))), "history");
});

test("a receipt verifies with its document, every check in order", () => {
  const r = passed(verifyReceipt(RECEIPT, SETS, { documentHash: DOC_HASH }));
  assert.deepEqual(r.checks.map((c) => c.id), ["format", "origin", "entry", "document", "inclusion", "validator-signature", "validator-quorum", "witness-quorum"]);
  assert.equal(r.entry.hash, DOC_HASH);
  assert.equal(r.treeSize, 3);
  assert.equal(r.index, 0);
});

test("a changed document fails the document check", () => {
  const changed = Buffer.from(DOCUMENT);
  changed[0] ^= 1;
  const hash = createHash("sha256").update(changed).digest("hex");
  assert.equal(failedId(verifyReceipt(RECEIPT, SETS, { documentHash: hash })), "document");
});

test("a tampered receipt fails the right check", () => {
  const lines = RECEIPT.split("\n");
  // The first inclusion-proof hash (line 3, after the header, extra and index lines).
  const proofLine = lines.findIndex((l) => l.startsWith("index ")) + 1;
  const badProof = lines.map((l, i) => (i === proofLine ? flipBase64(l, 5) : l)).join("\n");
  assert.equal(failedId(verifyReceipt(badProof, SETS, { documentHash: DOC_HASH })), "inclusion");
  // The entry: another document's hash in the extra data (the leaf changes, so inclusion fails).
  const extraLine = lines.findIndex((l) => l.startsWith("extra "));
  const badEntry = lines.map((l, i) => (i === extraLine ? flipBase64(l, 12) : l)).join("\n");
  assert.equal(failedId(verifyReceipt(badEntry, SETS)), "inclusion");
  // A validator's signature line: one byte of the ML-DSA-44 cosignature.
  const sigLine = lines.findIndex((l) => l.startsWith("\u2014 ") && l.length > 1000);
  const badSig = lines.map((l, i) => (i === sigLine ? flipBase64(l, 400) : l)).join("\n");
  assert.equal(failedId(verifyReceipt(badSig, SETS, { documentHash: DOC_HASH })), "validator-signature");
  // The checkpoint's root hash: the inclusion proof no longer leads to it.
  const rootLine = lines.findIndex((l, i) => i > proofLine && /^[A-Za-z0-9+/]{43}=$/.test(l) && lines[i - 1] && /^\d+$/.test(lines[i - 1]));
  const badRoot = lines.map((l, i) => (i === rootLine ? flipBase64(l, 3) : l)).join("\n");
  assert.equal(failedId(verifyReceipt(badRoot, SETS, { documentHash: DOC_HASH })), "inclusion");
  // Without any signature line of a validator.
  const unsigned = lines.filter((l) => !l.startsWith("\u2014 ")).join("\n") + "\u2014 someone AAAAAAAAAAAA\n";
  assert.equal(failedId(verifyReceipt(unsigned, SETS, { documentHash: DOC_HASH })), "validator-signature");
  // Not a receipt at all.
  assert.equal(failedId(verifyReceipt("hello\n\nworld\n", SETS)), "format");
  assert.equal(failedId(verifyReceipt(RECEIPT.replace("index 0", "index 00"), SETS)), "format");
  assert.equal(failedId(verifyReceipt(RECEIPT.split("\n").filter((l) => !l.startsWith("extra ")).join("\n"), SETS)), "entry");
});

test("a receipt is refused under another network's genesis, or a policy that cannot be met", () => {
  const other = verifyHistory(read("other-genesis.json"), JSON.stringify({ chain_id: JSON.parse(read("other-genesis.json")).chain_id, changes: [] })).sets;
  assert.equal(failedId(verifyReceipt(RECEIPT, other, { documentHash: DOC_HASH })), "origin");
  assert.equal(failedId(verifyReceipt(RECEIPT, SETS, { minWitnesses: 1 })), "policy");
  // The right network name but other validators: no line of theirs is on the checkpoint.
  const impostor = verifyHistory(IMPOSTOR_GENESIS, HISTORY).sets;
  assert.equal(failedId(verifyReceipt(RECEIPT, impostor, { documentHash: DOC_HASH })), "validator-signature");
});

test("an account answer's proof verifies to the certified state root", () => {
  const r = passed(verifyDocument(read("account.json"), SETS));
  assert.deepEqual(r.checks.map((c) => c.id), ["format", "chain", "certificate", "validator-set", "signatures", "state-proof"]);
  assert.equal(r.reads.length, 1);
});

test("tampered account answers fail the right check", () => {
  const base = JSON.parse(read("account.json"));
  const copy = () => structuredClone(base);
  let d = copy();
  d.proof.header.state_root = flipHex(d.proof.header.state_root);
  assert.equal(failedId(verifyDocument(JSON.stringify(d), SETS)), "certificate");
  d = copy();
  d.proof.certificate.signatures[0].signature = flipBase64(d.proof.certificate.signatures[0].signature, 100);
  assert.equal(failedId(verifyDocument(JSON.stringify(d), SETS)), "signatures");
  d = copy();
  const sig = d.proof.certificate.signatures[0].signature;
  d.proof.certificate.signatures[0].signature = flipBase64(sig, sig.length - 10);
  const edBad = verifyDocument(JSON.stringify(d), SETS);
  assert.equal(failedId(edBad), "signatures");
  assert.match(edBad.checks.at(-1).detail, /Ed25519/);
  d = copy();
  d.proof.value = flipHex(d.proof.value);
  assert.equal(failedId(verifyDocument(JSON.stringify(d), SETS)), "state-proof");
  d = copy();
  d.proof.proof.siblings[0] = flipHex(d.proof.proof.siblings[0]);
  assert.equal(failedId(verifyDocument(JSON.stringify(d), SETS)), "state-proof");
  d = copy();
  d.proof.extra = 1;
  assert.equal(failedId(verifyDocument(JSON.stringify(d), SETS)), "format");
  d = copy();
  d.proof.certificate.signatures = [];
  assert.equal(failedId(verifyDocument(JSON.stringify(d), SETS)), "signatures");
  assert.equal(failedId(verifyDocument(JSON.stringify({ nothing: "here" }), SETS)), "format");
  assert.equal(failedId(verifyDocument("{not json", SETS)), "format");
});

test("a proof from another genesis fails the network check; a set not in the history fails the set check", () => {
  assert.equal(failedId(verifyDocument(read("other-account.json"), SETS)), "chain");
  const otherGenesis = JSON.parse(read("other-genesis.json"));
  const otherChain = otherGenesis.chain_id;
  passed(verifyDocument(read("other-account.json"), verifyHistory(read("other-genesis.json"), JSON.stringify({ chain_id: otherChain, changes: [] })).sets));
  // This network's name with another set of validators: the headers name a set the history does not reach.
  const sets = verifyHistory(IMPOSTOR_GENESIS, HISTORY).sets;
  assert.equal(failedId(verifyDocument(read("account.json"), sets)), "validator-set");
});

test("a block answer verifies, tied to the block the page shows", () => {
  const block = JSON.parse(read("block.json"));
  passed(verifyDocument(read("block.json"), SETS));
  const r = passed(verifyDocument(read("block.json"), SETS, `block:${block.height}`));
  assert.deepEqual(r.facts, { kind: "block", id: String(block.height), height: block.height, hash: block.hash, timeMs: block.header.time_ms, proposer: block.header.proposer });
  assert.equal(failedId(verifyDocument(read("block.json"), SETS, `block:${block.height + 1}`)), "record");
  assert.equal(failedId(verifyDocument(read("account.json"), SETS, `block:${block.height}`)), "record");
  assert.equal(failedId(verifyDocument(JSON.stringify({ ...block, hash: flipHex(block.hash) }), SETS)), "block");
  block.certificate.height += 1;
  assert.equal(failedId(verifyDocument(JSON.stringify(block), SETS)), "certificate");
});

test("an as-of ownership answer is re-decided from its proven versions", () => {
  const text = read("owners-asof.json");
  const answer = JSON.parse(text);
  const r = passed(verifyOwnershipAsOf(text, SETS, answer.at_ms));
  assert.deepEqual(r.decision, answer.decision);
  assert.ok(r.checks.some((c) => c.id === "coverage" && /in force/.test(c.detail)));
  // Another time than the one asked.
  assert.equal(failedId(verifyOwnershipAsOf(text, SETS, answer.at_ms + 1)), "question");
  // A claimed decision its versions do not give.
  const lie = structuredClone(answer);
  lie.decision.owners[0].account = flipHex(lie.decision.owners[0].account);
  assert.equal(failedId(verifyOwnershipAsOf(JSON.stringify(lie), SETS)), "decision");
  // The following header dropped: the proofs no longer cover the time asked.
  const { following, ...short } = answer;
  assert.ok(following);
  const nc = verifyOwnershipAsOf(JSON.stringify(short), SETS);
  assert.equal(failedId(nc), "coverage");
  assert.equal(nc.notCovered.height, answer.certified.header.height);
  assert.equal(nc.notCovered.decision.type, "owned");
  // Only the version in force proven (the next one hidden): the keys are not the ones the question needs.
  const hidden = structuredClone(answer);
  hidden.proofs = [hidden.proofs[1]];
  assert.equal(failedId(verifyOwnershipAsOf(JSON.stringify(hidden), SETS)), "keys");
  // A following header that is not the child of the proofs' header.
  const wrongChild = structuredClone(answer);
  wrongChild.following.header.parent_hash = flipHex(wrongChild.following.header.parent_hash);
  assert.equal(failedId(verifyOwnershipAsOf(JSON.stringify(wrongChild), SETS)), "coverage");
  // A tampered version value.
  const altered = structuredClone(answer);
  altered.proofs[0].value = altered.proofs[0].value.slice(0, -2) + "02";
  assert.equal(failedId(verifyOwnershipAsOf(JSON.stringify(altered), SETS)), "state-proof");
});

test("a permit status answer verifies, and a tampered one does not", () => {
  const text = read("permit-status.json");
  const answer = JSON.parse(text);
  const r = passed(verifyPermitStatusAsOf(text, SETS));
  assert.deepEqual(r.decision, answer.decision);
  const lie = { ...answer, decision: { type: "valid" } };
  assert.equal(failedId(verifyPermitStatusAsOf(JSON.stringify(lie), SETS)), "decision");
  // A title answer is not a permit answer: its proven value is of another record kind.
  assert.notEqual(verifyPermitStatusAsOf(read("owners-asof.json"), SETS).ok, true);
});

test("no input makes a verifier throw", () => {
  const inputs = [null, undefined, 0, "", "null", "[]", "{}", "\u0000", "x".repeat(100), { certified: 1 }, [{ key: "00", proof: {} }]];
  for (const input of inputs) {
    for (const run of [
      () => verifyDocument(input, SETS),
      () => verifyReceipt(input, SETS),
      () => verifyOwnershipAsOf(input, SETS),
      () => verifyPermitStatusAsOf(input, SETS),
      () => verifyDocument(input, SETS, "parcel:NV-A1-101"),
      () => verifyHistory(input, input),
    ]) {
      const r = run();
      assert.equal(r.ok, false);
      assert.ok(r.checks.length >= 1);
    }
  }
  assert.equal(failedId(verifyDocument("x".repeat((8 << 20) + 1), SETS)), "format");
});

test("the genesis hash is the node's: SHA-256 of its compact JSON", () => {
  const pretty = JSON.stringify(JSON.parse(GENESIS), null, 2);
  assert.equal(canonicalGenesis(pretty).hash, createHash("sha256").update(GENESIS).digest("hex"));
  assert.throws(() => canonicalGenesis("{}"));
});

/** A witness with a fresh ML-DSA-44 key: its vkey, and a function that cosigns a receipt's checkpoint. */
function freshWitness(name) {
  const keys = ml_dsa44.keygen();
  const material = Buffer.concat([Buffer.from([0x06]), Buffer.from(keys.publicKey)]);
  const id = createHash("sha256").update(Buffer.concat([Buffer.from(`${name}\n`), material])).digest().subarray(0, 4);
  const vkey = `${name}+${id.toString("hex")}+${material.toString("base64")}`;
  /** The receipt with this witness's cosignature line (C2SP tlog-cosignature, subtree/v1) appended. */
  const cosign = (receipt, timestamp = 1796346300) => {
    const body = receipt.slice(receipt.indexOf("\n\n") + 2);
    const [origin, size, root] = body.split("\n");
    const u64 = (v) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(v));
      return b;
    };
    const message = Buffer.concat([
      Buffer.from("subtree/v1\n\0"), Buffer.from([name.length]), Buffer.from(name), u64(timestamp),
      Buffer.from([origin.length]), Buffer.from(origin), u64(0), u64(size), Buffer.from(root, "base64"),
    ]);
    const signature = ml_dsa44.sign(message, keys.secretKey);
    const line = `\u2014 ${name} ${Buffer.concat([id, u64(timestamp), Buffer.from(signature)]).toString("base64")}\n`;
    return receipt + line;
  };
  return { vkey, cosign };
}

test("witnesses: a cosigning witness counts, a forged or missing cosignature fails its check", () => {
  const witness = freshWitness("witness.example.org/w1");
  const cosigned = witness.cosign(RECEIPT);
  const policy = { documentHash: DOC_HASH, witnesses: [{ name: "witness.example.org/w1", vkeys: [witness.vkey] }], minWitnesses: 1 };
  const r = passed(verifyReceipt(cosigned, SETS, policy));
  assert.deepEqual(r.witnesses, ["witness.example.org/w1"]);
  assert.deepEqual(r.checks.slice(-2).map((c) => c.id), ["witness-signature", "witness-quorum"]);
  assert.equal(failedId(verifyReceipt(RECEIPT, SETS, policy)), "witness-quorum");
  const lines = cosigned.split("\n");
  const last = lines.length - 2;
  const forged = lines.map((l, i) => (i === last ? flipBase64(l, 300) : l)).join("\n");
  assert.equal(failedId(verifyReceipt(forged, SETS, policy)), "witness-signature");
  // A witness the policy does not list is ignored, as C2SP signed notes require.
  passed(verifyReceipt(freshWitness("someone.else").cosign(RECEIPT), SETS, { documentHash: DOC_HASH }));
  // A policy that takes the log's own name for a witness is refused.
  const own = freshWitness(`publica/${SETS.chainId}/notary`);
  assert.equal(failedId(verifyReceipt(RECEIPT, SETS, { witnesses: [own.vkey], minWitnesses: 0 })), "policy");
});

// Answers tied to the record a page shows, from the network of `fixtures/verify/record/` (its genesis trimmed to one
// agency, which verification does not read):
//   curl -s $B/v1/genesis > genesis.json; curl -s $B/v1/validators/history > history.json
//   curl -s $B/v1/land/parcels/NV-A1-101 > parcel-101.json; curl -s $B/v1/land/parcels/NV-A1-104 > parcel-104.json (mortgaged)
//   curl -s $B/v1/accounts/b74d22a67e83017f50f00b3f79a5f87031d23b58 > account.json
//   curl -s $B/v1/business/companies/10000020 > company.json   (Nordvik Sawmill AB)
//   curl -s $B/v1/registry/applications/1 > application.json
//   publica identity grant-consent (citizen-ada to coastal-officer, claims given_name,family_name,kyc_level),
//   publica identity use-consent 1 (coastal-officer), then curl -s "$B/v1/identity/consents/1" > consent.json
const RECORD_SETS = verifyHistory(read("record/genesis.json"), read("record/history.json")).sets;
const P101 = JSON.parse(read("record/parcel-101.json"));
const P104 = JSON.parse(read("record/parcel-104.json"));
const ACCOUNT = JSON.parse(read("record/account.json"));
const ADDRESS = "b74d22a67e83017f50f00b3f79a5f87031d23b58";

test("a parcel's answer is tied to the parcel shown, and its proven owners, encumbrances and area returned", () => {
  const r = passed(verifyDocument(JSON.stringify(P101), RECORD_SETS, "parcel:NV-A1-101"));
  assert.deepEqual(r.checks.slice(-3).map((c) => c.id), ["record", "keys", "answer"]);
  assert.deepEqual(r.facts.owners, P101.title.value.owners.map((o) => ({ account: o.account, share: `${o.numerator}/${o.denominator}` })));
  assert.equal(r.facts.areaM2, String(P101.parcel.value.area_m2));
  assert.deepEqual(r.facts.encumbrances, []);
  // Fixed texts come in Swedish too.
  assert.match(r.checks.find((c) => c.id === "signatures").sv, /validerare signerade/);
  assert.match(r.checks.find((c) => c.id === "record").sv, /varje bevis gäller fastigheten NV-A1-101/);
});

test("a parcel's answer with an owner changed fails the answer check, naming the field", () => {
  const a = structuredClone(P101);
  a.title.value.owners[0].account = "00".repeat(20);
  const r = verifyDocument(JSON.stringify(a), RECORD_SETS, "parcel:NV-A1-101");
  assert.equal(failedId(r), "answer");
  assert.match(r.checks.at(-1).detail, /owners/);
  const b = structuredClone(P101);
  b.parcel.value.area_m2 += 1;
  assert.equal(failedId(verifyDocument(JSON.stringify(b), RECORD_SETS, "parcel:NV-A1-101")), "answer");
  const c = structuredClone(P101);
  c.title.value.owners[0].numerator = 2;
  c.title.value.owners[0].denominator = 2;
  assert.equal(failedId(verifyDocument(JSON.stringify(c), RECORD_SETS, "parcel:NV-A1-101")), "answer");
});

test("a parcel's answer carrying another parcel's proofs fails the record check", () => {
  const a = { ...structuredClone(P101), certified: P104.certified, proofs: P104.proofs };
  assert.equal(failedId(verifyDocument(JSON.stringify(a), RECORD_SETS, "parcel:NV-A1-101")), "record");
  // The whole answer of another parcel, on this parcel's page.
  assert.equal(failedId(verifyDocument(JSON.stringify(P104), RECORD_SETS, "parcel:NV-A1-101")), "record");
});

test("a mortgaged parcel's encumbrances are proven, shown as proven, and a changed one fails", () => {
  const r = passed(verifyDocument(JSON.stringify(P104), RECORD_SETS, "parcel:NV-A1-104"));
  assert.deepEqual(r.facts.encumbrances, [{ id: "1", kind: "mortgage", agency: P104.encumbrances[0].value.agency, reference: P104.encumbrances[0].value.reference, released: false }]);
  const a = structuredClone(P104);
  a.encumbrances[0].value.released_by = "0".repeat(40);
  assert.equal(failedId(verifyDocument(JSON.stringify(a), RECORD_SETS, "parcel:NV-A1-104")), "answer");
  assert.equal(failedId(verifyDocument(JSON.stringify({ ...P104, encumbrances: [] }), RECORD_SETS, "parcel:NV-A1-104")), "answer");
  const dropped = P104.proofs.filter((p) => !Buffer.from(p.key, "hex").toString("latin1").startsWith("reg/enc/"));
  assert.equal(failedId(verifyDocument(JSON.stringify({ ...P104, proofs: dropped }), RECORD_SETS, "parcel:NV-A1-104")), "keys");
});

test("a parcel's answer with proofs left out fails the keys check", () => {
  for (let keep = 0; keep < P101.proofs.length; keep++) {
    const a = { ...structuredClone(P101), proofs: [P101.proofs[keep]] };
    assert.equal(failedId(verifyDocument(JSON.stringify(a), RECORD_SETS, "parcel:NV-A1-101")), "keys");
  }
});

test("an account's answer is tied to the account shown; a changed field fails the answer check", () => {
  const r = passed(verifyDocument(JSON.stringify(ACCOUNT), RECORD_SETS, `account:${ADDRESS}`));
  assert.deepEqual(r.facts, { kind: "account", id: ADDRESS, accountKind: ACCOUNT.account.kind.type, agency: ACCOUNT.account.kind.registered_by_agency, roles: [], active: ACCOUNT.account.active });
  const a = structuredClone(ACCOUNT);
  a.account.active = !a.account.active;
  const bad = verifyDocument(JSON.stringify(a), RECORD_SETS, `account:${ADDRESS}`);
  assert.equal(failedId(bad), "answer");
  assert.match(bad.checks.at(-1).detail, /active/);
  assert.equal(failedId(verifyDocument(JSON.stringify(ACCOUNT), RECORD_SETS, `account:${"11".repeat(20)}`)), "record");
  assert.equal(failedId(verifyDocument(JSON.stringify(P101), RECORD_SETS, `account:${ADDRESS}`)), "record");
});

test("a company's answer is tied to the company shown; a changed shareholding or name fails the answer check", () => {
  const company = JSON.parse(read("record/company.json"));
  const r = passed(verifyDocument(JSON.stringify(company), RECORD_SETS, "company:10000020"));
  assert.equal(r.facts.name, "Nordvik Sawmill AB");
  assert.deepEqual(r.facts.shareholders.map((s) => s.shares), company.company.value.shareholders.map((s) => String(s.shares)));
  const a = structuredClone(company);
  a.company.value.shareholders[0].shares += 1;
  const bad = verifyDocument(JSON.stringify(a), RECORD_SETS, "company:10000020");
  assert.equal(failedId(bad), "answer");
  assert.match(bad.checks.at(-1).detail, /shareholders/);
  const b = structuredClone(company);
  b.company.value.name = "Another Sawmill AB";
  assert.equal(failedId(verifyDocument(JSON.stringify(b), RECORD_SETS, "company:10000020")), "answer");
  assert.equal(failedId(verifyDocument(JSON.stringify(company), RECORD_SETS, "company:10000012")), "record");
  assert.equal(failedId(verifyDocument(JSON.stringify({ ...company, proofs: company.proofs.slice(0, 1) }), RECORD_SETS, "company:10000020")), "keys");
});

test("an application's answer is tied to the application shown; its approvals and status are the proven ones", () => {
  const app = JSON.parse(read("record/application.json"));
  const r = passed(verifyDocument(JSON.stringify(app), RECORD_SETS, "application:1"));
  assert.equal(r.facts.status, "approved");
  assert.equal(r.facts.approvals.length, app.application.value.approvals.length);
  const a = structuredClone(app);
  a.application.value.approvals.pop();
  const bad = verifyDocument(JSON.stringify(a), RECORD_SETS, "application:1");
  assert.equal(failedId(bad), "answer");
  assert.match(bad.checks.at(-1).detail, /approvals/);
  assert.equal(failedId(verifyDocument(JSON.stringify({ ...app, state: { type: "rejected" } }), RECORD_SETS, "application:1")), "answer");
  assert.equal(failedId(verifyDocument(JSON.stringify(app), RECORD_SETS, "application:2")), "record");
  assert.equal(failedId(verifyDocument(JSON.stringify({ ...app, proofs: app.proofs.slice(0, 2) }), RECORD_SETS, "application:1")), "keys");
});

test("a consent's answer is tied to the consent shown; its parties, claims and uses are the proven ones", () => {
  const consent = JSON.parse(read("record/consent.json"));
  const r = passed(verifyDocument(JSON.stringify(consent), RECORD_SETS, "consent:1"));
  assert.deepEqual([r.facts.grantor, r.facts.grantee, r.facts.uses], [consent.consent.grantor, consent.consent.grantee, consent.consent.uses]);
  const a = structuredClone(consent);
  a.consent.claims.push("birthdate");
  assert.equal(failedId(verifyDocument(JSON.stringify(a), RECORD_SETS, "consent:1")), "answer");
  const b = structuredClone(consent);
  b.uses[0].by = "0".repeat(40);
  assert.equal(failedId(verifyDocument(JSON.stringify(b), RECORD_SETS, "consent:1")), "answer");
  assert.equal(failedId(verifyDocument(JSON.stringify({ ...consent, proofs: consent.proofs.slice(0, 1) }), RECORD_SETS, "consent:1")), "keys");
  assert.equal(failedId(verifyDocument(JSON.stringify(consent), RECORD_SETS, "consent:2")), "record");
});

test("a record kind whose fields are not compared leaves the answer check pending, never passed", () => {
  const r = verifyDocument(JSON.stringify(P101), RECORD_SETS, "permit:BP-2026-0002");
  assert.equal(r.ok, true);
  assert.equal(r.pending, true);
  const last = r.checks.at(-1);
  assert.deepEqual([last.id, last.ok, last.pending], ["answer", false, true]);
  assert.equal(failedId(verifyDocument(JSON.stringify(P101), RECORD_SETS, "nonsense")), "format");
});

test("an as-of answer must be about the record shown; without a time asked it says what time it is proven for", () => {
  const owners = JSON.parse(read("owners-asof.json"));
  passed(verifyOwnershipAsOf(read("owners-asof.json"), SETS, owners.at_ms, "NV-A1-101"));
  assert.equal(failedId(verifyOwnershipAsOf(read("owners-asof.json"), SETS, owners.at_ms, "NV-A1-102")), "record");
  const permit = JSON.parse(read("permit-status.json"));
  const r = passed(verifyPermitStatusAsOf(read("permit-status.json"), SETS, undefined, permit.record));
  const last = r.checks.at(-1);
  assert.equal(last.id, "proven-time");
  assert.match(last.detail, new RegExp(new Date(permit.certified.header.time_ms).toISOString().slice(0, 19).replace("T", " ")));
  assert.ok(!/\bnow\b/.test(last.detail));
  assert.equal(failedId(verifyPermitStatusAsOf(read("permit-status.json"), SETS, undefined, "BP-2026-0001")), "record");
  // A status "now" for an earlier moment than its block (before a suspension, say) is refused.
  const earlier = { ...permit, at_ms: permit.at_ms - 1 };
  assert.equal(failedId(verifyPermitStatusAsOf(JSON.stringify(earlier), SETS, undefined, permit.record)), "proven-time");
  const asked = verifyPermitStatusAsOf(read("permit-status.json"), SETS, permit.at_ms, permit.record);
  assert.ok(!asked.checks.some((c) => c.id === "proven-time"));
});

test("times are read as the node reads them", () => {
  assert.equal(parseTimeMs("1767225600000"), 1767225600000);
  assert.equal(parseTimeMs("2026-01-01"), Date.UTC(2026, 0, 1));
  assert.equal(parseTimeMs(" 2026-01-01T01:00:00.250+01:00 "), Date.UTC(2026, 0, 1, 0, 0, 0, 250));
  assert.equal(parseTimeMs("2026-01-01t12:00:00z"), Date.UTC(2026, 0, 1, 12));
  assert.equal(parseTimeMs("2026-01-01 12:00:00.123456Z"), Date.UTC(2026, 0, 1, 12, 0, 0, 123));
  assert.equal(parseTimeMs("2016-12-31T23:59:60Z"), Date.UTC(2016, 11, 31, 23, 59, 59));
  for (const bad of ["", "2026-02-30", "2026-13-01", "1969-12-31", "2026-01-01T12:00", "2026-01-01T12:00:00", "2026-01-01T24:00:00Z", "x".repeat(41), "99999999999999999999"]) {
    assert.throws(() => parseTimeMs(bad), /is not a time/, bad);
  }
});

test("witnesses from the node's own list leave the witness check pending, never passed", () => {
  const r = verifyReceipt(RECEIPT, SETS, { documentHash: DOC_HASH, witnesses: [], minWitnesses: 0, witnessesPinned: false });
  assert.equal(r.ok, true);
  assert.equal(r.pending, true);
  const last = r.checks.at(-1);
  assert.deepEqual([last.id, last.ok, last.pending], ["witness-quorum", false, true]);
  assert.match(last.detail, /not pinned/);
});

test("an answer is bounded while it is read: an endless answer stops at the limit", async () => {
  const { readBounded, TooLargeError } = await import("../src/verify/fetch.js");
  assert.equal(await readBounded(new Response("é".repeat(10)), 20, "an answer"), "é".repeat(10));
  await assert.rejects(readBounded(new Response("é".repeat(11)), 20, "an answer"), TooLargeError);
  let pulled = 0;
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new Uint8Array(1024));
    },
  });
  await assert.rejects(readBounded(new Response(endless), 64 * 1024, "an endless answer"), /larger than 65536 bytes/);
  assert.ok(pulled <= 66, `read ${pulled} chunks of 1 KiB for a 64 KiB limit`);
});

test("an answer is bounded in time: a node that never answers, or stops midway, gets a verdict that says so", async () => {
  const { getBounded } = await import("../src/verify/fetch.js");
  const { createServer } = await import("node:http");
  // One route that never answers, one that sends its head and a first chunk and then nothing.
  const server = createServer((request, response) => {
    if (request.url === "/midway") {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{\"a\":");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    for (const path of ["/silent", "/midway"]) {
      await assert.rejects(getBounded(`${base}${path}`, 1024, "application/json", 300),
        new RegExp(`the node did not answer ${base}${path} within 0.3 s; try again`));
    }
    server.removeAllListeners("request");
    server.on("request", (request, response) => response.end("{\"ok\":true}"));
    assert.deepEqual(await getBounded(`${base}/answers`, 1024), { status: 200, text: "{\"ok\":true}" });
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
