// A certified header: a block header and the commit certificate that decided it. Checking it against a validator
// set: it is this network's; the certificate is for this header; the header names this set; and distinct members
// holding more than two thirds of the voting power signed the precommit with both halves of their hybrid keys.
import { toHex, equalBytes } from "../bytes.js";
import { hybridVerify } from "./crypto.js";
import { fail } from "./report.js";
import { member, precommitBytes } from "./types.js";

/**
 * Check a parsed certified header `c` against `chainId` and `set`, recording the checks `chain`, `certificate`,
 * `validator-set` and `signatures` in `r` (a Report); throws a CheckFailure at the first that fails. `label` names
 * the header in the details.
 */
export function checkCertified(r, c, chainId, set, label = `block ${c.header.height}`) {
  const { header: h, certificate: cert } = c;
  if (h.chain_id !== chainId) {
    fail("chain", `${label} is of network ${h.chain_id}, not of ${chainId}: the document comes from another network; verify it with that network's genesis`,
      `${label} tillhör nätverket ${h.chain_id}, inte ${chainId}: dokumentet kommer från ett annat nätverk; kontrollera det med det nätverkets genesisdokument`);
  }
  r.pass("chain", `${label} is of network ${chainId}`, `${label} tillhör nätverket ${chainId}`);
  if (cert.height !== h.height) fail("certificate", `the certificate is for height ${cert.height}, ${label} is at height ${h.height}`);
  if (!equalBytes(cert.block_hash, h.hash)) {
    fail("certificate", `the certificate signs block hash ${toHex(cert.block_hash)}, but ${label} hashes to ${toHex(h.hash)}: the header was altered`,
      `certifikatet signerar blockhashen ${toHex(cert.block_hash)}, men ${label} har hashen ${toHex(h.hash)}: blockhuvudet har ändrats`);
  }
  r.pass("certificate", `the certificate is for ${label} (hash ${toHex(h.hash)})`, `certifikatet gäller ${label} (hash ${toHex(h.hash)})`);
  if (!equalBytes(h.validator_set_hash, set.hash)) {
    fail("validator-set", `${label} names validator set ${toHex(h.validator_set_hash)}, but the verified validators at that height form set ${toHex(set.hash)}: the validators changed and the history given does not reach it, or the header is not genuine`);
  }
  r.pass("validator-set", `${label} names the validator set verified from the genesis (${set.validators.length} validators)`,
    `${label} anger validerarmängden som kontrollerats från genesisdokumentet (${set.validators.length} validerare)`);
  checkSignatures(cert, chainId, set, label);
  r.pass("signatures", `${cert.signatures.length} of ${set.validators.length} validators signed ${label} with both ML-DSA-65 and Ed25519, ${powerOf(cert, set)} of ${set.total} voting power (more than two thirds is ${set.quorum})`,
    `${cert.signatures.length} av ${set.validators.length} validerare signerade ${label} med både ML-DSA-65 och Ed25519, ${powerOf(cert, set)} av ${set.total} i röststyrka (mer än två tredjedelar är ${set.quorum})`);
}

/** The voting power of a certificate's signers (all members, checked before). */
function powerOf(cert, set) {
  return cert.signatures.reduce((sum, s) => sum + member(set, s.validator).power, 0);
}

/** The certificate's signers are distinct members, hold a quorum, and every hybrid signature verifies. */
function checkSignatures(cert, chainId, set, label) {
  if (cert.signatures.length > set.validators.length) {
    fail("signatures", `the certificate of ${label} has ${cert.signatures.length} signatures for a set of ${set.validators.length} validators`);
  }
  const seen = new Set();
  let power = 0;
  for (const s of cert.signatures) {
    const v = member(set, s.validator);
    const who = toHex(s.validator);
    if (!v) fail("signatures", `signer ${who} of ${label} is not in the validator set`);
    if (seen.has(who)) fail("signatures", `validator ${who} signed ${label} twice`);
    seen.add(who);
    power += v.power;
  }
  if (power < set.quorum) {
    fail("signatures", `the signers of ${label} hold ${power} of ${set.total} voting power; more than two thirds (${set.quorum}) is needed`,
      `de som signerade ${label} har ${power} av ${set.total} i röststyrka; mer än två tredjedelar (${set.quorum}) krävs`);
  }
  for (const s of cert.signatures) {
    const v = member(set, s.validator);
    const message = precommitBytes(chainId, cert.height, cert.round, cert.block_hash, s.validator);
    const bad = hybridVerify(s.signature, message, v.publicKey);
    if (bad) {
      fail("signatures", `the ${bad} half of validator ${toHex(s.validator)}'s signature on ${label} does not verify: the certificate was altered or forged`,
        `${bad}-delen av validerare ${toHex(s.validator)}s signatur på ${label} håller inte: certifikatet har ändrats eller förfalskats`);
    }
  }
}
