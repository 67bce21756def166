// Independent check of Publica's SD-JWT VCs and status list tokens with the OpenWallet Foundation's sd-jwt-js
// (EdDSA signatures, disclosures, key binding, sd_hash, status lists) and @noble/post-quantum (ML-DSA-65 over the
// JWS signing input). Usage: node check.mjs CASES.json; prints {"results":[{name, accepted, error, claims,
// statuses}]} on stdout. Run by the credentials crate's tests (tests/it/interop.rs).
import { readFileSync } from 'node:fs';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { SDJwtGeneralJSONInstance, GeneralJSON, Jwt } from '@sd-jwt/core';
import { digest } from '@sd-jwt/crypto-nodejs';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';

const REGISTERED = ['iss', 'iat', 'nbf', 'exp', 'vct', 'cnf', 'status', '_sd', '_sd_alg'];
const fromB64 = (text) => new Uint8Array(Buffer.from(text, 'base64url'));
const decodeSegment = (segment) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

// EdDSA (RFC 8037) with Node's own Ed25519, the key given as an OKP JWK.
function ed25519Verify(jwk, data, signature) {
  if (jwk?.kty !== 'OKP' || jwk?.crv !== 'Ed25519') return false;
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
  return nodeVerify(null, Buffer.from(data, 'ascii'), key, Buffer.from(signature, 'base64url'));
}

// ML-DSA-65 (FIPS 204, pure, empty context) with noble, the key given as an AKP JWK (RFC 9964).
function mlDsaVerify(jwk, data, signature) {
  if (jwk?.kty !== 'AKP' || jwk?.alg !== 'ML-DSA-65') return false;
  return ml_dsa65.verify(fromB64(signature), new TextEncoder().encode(data), fromB64(jwk.pub));
}

// A verifier for one issuer that dispatches on the signed header's `alg`: only ML-DSA-65 and EdDSA exist.
function issuerVerifier(issuer) {
  return (data, signature) => {
    const alg = decodeSegment(data.split('.')[0]).alg;
    if (alg === 'ML-DSA-65') return mlDsaVerify(issuer.akp, data, signature);
    if (alg === 'EdDSA') return ed25519Verify(issuer.okp, data, signature);
    return false;
  };
}

const disclosedClaims = (payload) =>
  Object.fromEntries(Object.entries(payload).filter(([name]) => !REGISTERED.includes(name)));

function expectEqual(what, actual, expected) {
  if (actual !== expected) throw new Error(`${what} is ${actual}, expected ${expected}`);
}

async function compactVc(issuer, c) {
  const statuses = [];
  const instance = new SDJwtVcInstance({
    hasher: digest,
    verifier: issuerVerifier(issuer),
    kbVerifier: (data, signature, payload) => ed25519Verify(payload.cnf?.jwk, data, signature),
    statusListFetcher: async () => c.status_list_token,
    statusValidator: async (status) => { statuses.push(status); },
  });
  const result = await instance.verify(c.text, { keyBindingNonce: c.nonce, currentDate: c.now });
  expectEqual('header typ', result.header.typ, 'dc+sd-jwt');
  expectEqual('key binding aud', result.kb?.payload?.aud, c.aud);
  return { claims: disclosedClaims(result.payload), statuses };
}

async function hybridVc(issuer, c) {
  const serialized = JSON.parse(c.text);
  const instance = new SDJwtGeneralJSONInstance({
    hasher: digest,
    verifier: issuerVerifier(issuer),
    kbVerifier: (data, signature, payload) => ed25519Verify(payload.cnf?.jwk, data, signature),
  });
  const result = await instance.verify(GeneralJSON.fromSerialized(serialized), { keyBindingNonce: c.nonce });
  if (result.headers.length !== 2) throw new Error('expected two signatures');
  expectEqual('first alg', result.headers[0].alg, 'ML-DSA-65');
  expectEqual('second alg', result.headers[1].alg, 'EdDSA');
  expectEqual('key binding aud', result.kb?.payload?.aud, c.aud);
  // The post-quantum key binding: the same claims, signed with the holder's ML-DSA-65 key from cnf.pq_jwk.
  const pq = serialized.signatures[0].header?.pq_kb_jwt;
  if (typeof pq !== 'string') throw new Error('no pq_kb_jwt');
  const [h, p, s] = pq.split('.');
  const pqHeader = decodeSegment(h);
  expectEqual('pq_kb_jwt alg', pqHeader.alg, 'ML-DSA-65');
  expectEqual('pq_kb_jwt typ', pqHeader.typ, 'kb+jwt');
  if (!mlDsaVerify(result.payload.cnf?.pq_jwk, `${h}.${p}`, s)) throw new Error('pq_kb_jwt signature is not valid');
  expectEqual('pq_kb_jwt claims', JSON.stringify(decodeSegment(p)), JSON.stringify(result.kb.payload));
  return { claims: disclosedClaims(result.payload), statuses: [] };
}

async function statusCompact(issuer, c) {
  const jwt = Jwt.fromEncode(c.text);
  await jwt.verify(issuerVerifier(issuer), { currentDate: c.now });
  expectEqual('header typ', jwt.header.typ, 'statuslist+jwt');
  expectEqual('sub', jwt.payload.sub, c.uri);
  const list = getListFromStatusListJWT(c.text);
  return { claims: {}, statuses: c.indexes.map((i) => list.getStatus(i)) };
}

async function statusHybrid(issuer, c) {
  const serialized = JSON.parse(c.text);
  if (serialized.signatures.length !== 2) throw new Error('expected two signatures');
  const verify = issuerVerifier(issuer);
  const algs = [];
  for (const entry of serialized.signatures) {
    const data = `${entry.protected}.${serialized.payload}`;
    if (!verify(data, entry.signature)) throw new Error(`signature ${decodeSegment(entry.protected).alg} is not valid`);
    algs.push(decodeSegment(entry.protected).alg);
  }
  expectEqual('algorithms', algs.join(','), 'ML-DSA-65,EdDSA');
  const eddsa = serialized.signatures[1];
  return statusCompact(issuer, { ...c, text: `${eddsa.protected}.${serialized.payload}.${eddsa.signature}` });
}

const KINDS = { compact_vc: compactVc, hybrid_vc: hybridVc, status_compact: statusCompact, status_hybrid: statusHybrid };
const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = [];
for (const c of input.cases) {
  try {
    const { claims, statuses } = await KINDS[c.kind](input.issuer, c);
    results.push({ name: c.name, accepted: true, claims, statuses });
  } catch (error) {
    results.push({ name: c.name, accepted: false, error: String(error?.message ?? error) });
  }
}
console.log(JSON.stringify({ results }));
