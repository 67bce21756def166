// A credential presentation checked with the ledger's proofs, in the browser: is it genuine, was its issuer entitled
// to issue it, and is it still in force? The checks run in this order and stop at the first that fails:
//   format, issuer-key, issuer-signature, disclosures, validity, key-binding, accreditation, schema, status.
import { toHex } from "../bytes.js";
import { Report, fail } from "../verify/report.js";
import { checkAccreditation, checkSchema, checkStatus, issuerKey } from "./ledger.js";
import { checkPresentation, peekPresentation } from "./sdjwt.js";

/** The status values of a list entry, as words. */
const STATUS_NAMES = ["valid", "revoked", "suspended"];

/**
 * Check `text` (a presentation) with `bundle` (`{ issuer, accreditation, schema, status? }`: the node answers a
 * `publica credential bundle` holds) against verified validator sets `sets`. `policy`: `{ audience, nonce, now
 * (seconds), acceptCompact, maxKeyBindingAge, skew, maxStatusAge, trustedRoots }`; an audience or nonce left empty
 * is not compared, and the key-binding check's detail says so.
 *
 * Returns `{ ok, checks: [{ id, ok, detail }], claims, issuer, type, status, digest }`: `claims` (the disclosed
 * claims and those in the clear) only when every check passed; `status` is "valid", "revoked", "suspended",
 * "none" (the credential cannot be revoked) or null (not established).
 */
export function verifyCredential(text, bundle, sets, policy) {
  const facts = { issuer: null, type: null, status: null };
  const r = new Report();
  const result = r.run(() => run(r, text, bundle, sets, policy, facts));
  return { ...result, issuer: facts.issuer, type: facts.type, status: facts.status };
}

/** The checks, recording what they establish in `facts`. */
function run(r, text, bundle, sets, policy, facts) {
  const claimed = peekPresentation(text);
  r.pass("format", `a ${claimed.parsed.form === "hybrid" ? "post-quantum (hybrid)" : "classical (compact)"} SD-JWT VC presentation of type ${claimed.vct}`);
  if (claimed.iat === null) fail("issuer-key", "the credential has no `iat`: its issuer's key cannot be dated");
  const issuer = issuerKey(bundle?.issuer, claimed.iss, claimed.iat, sets);
  r.pass("issuer-key", `the ledger proves the key of ${issuer.did} in force at the issuance (${new Date(claimed.iat * 1000).toISOString()}), as of block ${issuer.height}`);
  const c = checkPresentation(r, text, issuer.key, policy);
  facts.issuer = c.iss;
  facts.type = c.vct;
  const { accreditation, links } = checkAccreditation(bundle?.accreditation, issuer.address, c.vct, c.iat, sets, policy.trustedRoots ?? null);
  r.pass("accreditation", `accreditation ${accreditation.id} entitled the issuer to issue ${c.vct} at the issuance, ${links === 1 ? "granted by a trust root" : `through ${links} links up to a trust root`}`);
  const schema = checkSchema(bundle?.schema, accreditation, c.claims, sets);
  r.pass("schema", `the claims follow version ${schema.version} of the type's registered schema`);
  if (c.status === null) {
    facts.status = "none";
    r.pass("status", "the credential has no status entry: it cannot be revoked");
  } else {
    if (!bundle?.status) fail("status", "the credential has a status entry, but no status proof was given");
    const s = checkStatus(bundle.status, c.status, issuer.address, sets, policy.now, policy.maxStatusAge);
    facts.status = STATUS_NAMES[s.value] ?? null;
    const where = `entry ${s.index} of list ${s.list}, as of block ${s.height} at ${new Date(s.timeMs).toISOString()}`;
    if (s.value === 1) fail("status", `REVOKED by its issuer (${where}): do not rely on this credential`);
    if (s.value === 2) fail("status", `SUSPENDED by its issuer (${where}): do not rely on it unless it is reinstated`);
    r.pass("status", `in force: not revoked or suspended (${where})`);
  }
  return { claims: c.claims, digest: toHex(c.digest) };
}
