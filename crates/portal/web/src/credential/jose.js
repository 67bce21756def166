// JOSE pieces a credential verifier needs: canonical base64url, JSON objects without duplicate members, the two
// JWK kinds of a Publica key (AKP for ML-DSA-65, OKP for Ed25519), the header allow-list, and compact JWS checks.
// Every refusal is a CheckFailure naming its check, so a report can say which check failed.
import { ed25519Verify, mlDsa65Verify } from "../verify/crypto.js";
import { fail } from "../verify/report.js";
import { utf8 } from "../bytes.js";
import { ML_DSA_65_PUBLIC_KEY_LEN } from "../verify/types.js";

/** Deepest JSON nesting accepted in a header, payload or disclosure. */
const MAX_JSON_DEPTH = 128;
/** The two algorithms of a Publica key; nothing else is ever accepted. */
export const ALG_ML_DSA_65 = "ML-DSA-65";
export const ALG_EDDSA = "EdDSA";

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64URL_INDEX = new Map([...B64URL].map((c, i) => [c, i]));

/** base64url (RFC 4648 §5) of `bytes`, without padding. */
export function b64urlEncode(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += B64URL[n & 63];
  }
  return out;
}

/**
 * Bytes of canonical unpadded base64url: no `=`, nothing outside the alphabet, no impossible length, no non-zero
 * trailing bits. Raises a failed `format` check naming `what` otherwise.
 */
export function b64urlDecode(text, what) {
  if (typeof text !== "string" || text.length % 4 === 1 || ![...text].every((c) => B64URL_INDEX.has(c))) {
    fail("format", `${what} is not base64url without padding`);
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const chunk = text.slice(i, i + 4);
    let n = 0;
    for (let j = 0; j < 4; j++) n = (n << 6) | (B64URL_INDEX.get(chunk[j]) ?? 0);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  if (b64urlEncode(out) !== text) fail("format", `${what} is not canonical base64url (stray trailing bits)`);
  return out;
}

/** Index just past the JSON string literal starting at `i` (a `"`). */
function skipString(text, i) {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

/** Skip whitespace from `i`. */
function skipSpace(text, i) {
  while (i < text.length && " \t\n\r".includes(text[i])) i++;
  return i;
}

/**
 * Scan syntactically valid JSON text for an object with a member twice, or nesting deeper than MAX_JSON_DEPTH.
 * Returns the duplicated name, or null. (JSON.parse keeps the last of two members silently; a verifier must not.)
 */
function duplicateMember(text) {
  const stack = [];
  let i = 0;
  while (i < text.length) {
    i = skipSpace(text, i);
    const c = text[i];
    if (c === "{" || c === "[") {
      stack.push(c === "{" ? new Set() : null);
      if (stack.length > MAX_JSON_DEPTH) return `(nesting deeper than ${MAX_JSON_DEPTH})`;
      i++;
    } else if (c === "}" || c === "]") {
      stack.pop();
      i++;
    } else if (c === '"') {
      const end = skipString(text, i);
      const top = stack[stack.length - 1];
      const after = skipSpace(text, end);
      if (top instanceof Set && text[after] === ":") {
        const name = JSON.parse(text.slice(i, end));
        if (top.has(name)) return name;
        top.add(name);
        i = after + 1;
      } else {
        i = end;
      }
    } else {
      i++;
    }
  }
  return null;
}

/** Parse JSON text (a string) strictly: valid JSON, no member twice, bounded nesting. `what` names it. */
export function parseStrictJson(text, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail("format", `${what} is not JSON (${e.message})`);
  }
  const dup = duplicateMember(text);
  if (dup !== null) fail("format", `${what} has the member ${JSON.stringify(dup)} twice (or nests too deep): refused, as a duplicate could hide a claim`);
  return value;
}

/** Decode UTF-8 bytes strictly; a failed `format` check naming `what` when they are not UTF-8. */
export function decodeUtf8(bytes, what) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail("format", `${what} is not UTF-8`);
  }
}

/** A JSON object from a base64url segment (a JWS header or payload), strictly parsed. */
export function b64urlObject(segment, what) {
  const value = parseStrictJson(decodeUtf8(b64urlDecode(segment, what), what), what);
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail("format", `${what} is not a JSON object`);
  return value;
}

/** Whether `v` is a plain JSON object (not an array, not null). */
export function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * A public JWK of a Publica key half: `{ alg, key }` with `alg` "ML-DSA-65" (AKP, 1952-byte `pub`) or "EdDSA"
 * (OKP Ed25519, 32-byte `x`). Refuses a private key and any other kind; `check` names the failed check.
 */
export function parseJwk(jwk, what, check = "format") {
  if (!isObject(jwk)) fail(check, `${what} is not a JSON object`);
  if (jwk.kty === "AKP") {
    if ("priv" in jwk) fail(check, `${what} is a private key (it has \`priv\`): refused`);
    if (jwk.alg !== ALG_ML_DSA_65) fail(check, `${what} is an AKP key for ${JSON.stringify(jwk.alg)}, not ML-DSA-65`);
    const key = b64urlDecode(jwk.pub, `${what}'s \`pub\``);
    if (key.length !== ML_DSA_65_PUBLIC_KEY_LEN) fail(check, `${what} must be a ${ML_DSA_65_PUBLIC_KEY_LEN}-byte ML-DSA-65 key, it has ${key.length} bytes`);
    return { alg: ALG_ML_DSA_65, key };
  }
  if (jwk.kty === "OKP") {
    if ("d" in jwk) fail(check, `${what} is a private key (it has \`d\`): refused`);
    if (jwk.crv !== "Ed25519") fail(check, `${what} is an OKP key on ${JSON.stringify(jwk.crv)}, not Ed25519`);
    const key = b64urlDecode(jwk.x, `${what}'s \`x\``);
    if (key.length !== 32) fail(check, `${what} must be a 32-byte Ed25519 key, it has ${key.length} bytes`);
    return { alg: ALG_EDDSA, key };
  }
  return fail(check, `${what} has \`kty\` ${JSON.stringify(jwk.kty)}, neither AKP (ML-DSA-65) nor OKP (Ed25519)`);
}

/** The name of a key half in words. */
export function halfName(alg) {
  return alg === ALG_ML_DSA_65 ? "ML-DSA-65" : "Ed25519";
}

/**
 * Check a protected header against the allow-list: `alg` exactly `expectedAlg` (never `none`, never HS*), no
 * `crit`, `typ` exactly `typ`. Failures are `format` checks naming `what`.
 */
export function checkHeader(header, expectedAlg, typ, what) {
  const alg = header.alg;
  if (typeof alg !== "string") fail("format", `${what} has no \`alg\``);
  if (alg.toLowerCase() === "none") fail("format", `${what} says \`alg\` none (unsigned): refused`);
  if (alg.startsWith("HS")) fail("format", `${what} asks for the symmetric algorithm ${alg}, which a public key cannot check: refused`);
  if (alg !== expectedAlg) fail("format", `${what} has \`alg\` ${alg} where ${expectedAlg} is expected: refused`);
  if ("crit" in header) fail("format", `${what} has a \`crit\` header: no extension is understood, refused`);
  if (header.typ !== typ) fail("format", `${what} has \`typ\` ${JSON.stringify(header.typ ?? "")}, expected ${typ}`);
}

/** Verify `signature` over the ASCII `input` with a parsed JWK half. */
export function verifyWith(jwk, input, signature) {
  const message = utf8(input);
  return jwk.alg === ALG_ML_DSA_65 ? mlDsa65Verify(signature, message, jwk.key) : ed25519Verify(signature, message, jwk.key);
}

/**
 * Verify a compact JWS `text` with a parsed JWK half and the expected `typ`; returns `{ header, payload }` (the
 * payload as a decoded object). A bad signature fails check `signatureCheck`, naming the half.
 */
export function verifyCompact(text, jwk, typ, what, signatureCheck) {
  const parts = typeof text === "string" ? text.split(".") : [];
  if (parts.length !== 3) fail("format", `${what} is not a compact JWS (three \`.\`-separated parts)`);
  const header = b64urlObject(parts[0], `${what}'s header`);
  checkHeader(header, jwk.alg, typ, what);
  const payload = b64urlObject(parts[1], `${what}'s payload`);
  const signature = b64urlDecode(parts[2], `${what}'s signature`);
  if (!verifyWith(jwk, `${parts[0]}.${parts[1]}`, signature)) {
    fail(signatureCheck, `the ${halfName(jwk.alg)} signature of ${what} does not verify: it was altered or signed by another key`);
  }
  return { header, payload };
}
