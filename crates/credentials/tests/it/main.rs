//! Integration tests of `publica-credentials`: JOSE, SD-JWT VCs, status lists, and the cross-check with
//! independent implementations.

mod interop;
mod jose;
mod request;
mod sdjwt;
mod status_list;

use publica_credentials::jose::{sign_compact, Alg};
use publica_credentials::json::{b64_decode, b64_encode};
use publica_credentials::{issue, Claim, CredentialContent, Form, Issuer, StatusReference};
use publica_crypto::{Keypair, PublicKey};
use serde_json::{json, Map, Value};

/// The verifier's clock in tests.
pub const NOW: u64 = 1_800_000_000;
/// The issuer's DID in tests.
pub const ISSUER_DID: &str = "did:publica:test:0x1111111111111111111111111111111111111111";

/// A deterministic key pair for test number `n`.
pub fn keypair(n: u8) -> Keypair {
    Keypair::from_seed(&[n; 32])
}

/// The issuer key pair (1) and the holder key pair (2), with each call deterministic.
pub struct Parties {
    pub issuer: Keypair,
    pub holder: Keypair,
}

impl Default for Parties {
    fn default() -> Self {
        Parties { issuer: keypair(1), holder: keypair(2) }
    }
}

impl Parties {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn issuer(&self) -> Issuer<'_> {
        Issuer {
            keypair: &self.issuer,
            did: ISSUER_DID,
            kid_ml_dsa_65: "did:publica:test:0x1111111111111111111111111111111111111111#ml-dsa-65",
            kid_ed25519: "did:publica:test:0x1111111111111111111111111111111111111111#ed25519",
        }
    }

    pub fn issuer_key(&self) -> &PublicKey {
        self.issuer.public_key()
    }

    /// A diploma with three disclosable claims, one plain claim, a status reference and two decoys.
    pub fn content(&self) -> CredentialContent {
        let claim = |name: &str, value: Value, disclosable| Claim { name: name.into(), value, disclosable };
        CredentialContent {
            vct: "https://publica.example/vct/diploma/v1".into(),
            iat: NOW - 3600,
            nbf: NOW - 3600,
            exp: NOW + 86_400,
            holder: self.holder.public_key().clone(),
            status: Some(StatusReference { idx: 42, uri: "https://publica.example/v1/status/issuer-1/0".into() }),
            claims: vec![
                claim("given_name", json!("Ada"), true),
                claim("family_name", json!("Lovelace"), true),
                claim("degree", json!({"type": "MSc", "field": "Mathematics"}), true),
                claim("institution", json!("University of Malta"), false),
            ],
            decoys: 2,
        }
    }

    pub fn issue(&self, form: Form) -> String {
        issue(&self.issuer(), &self.content(), form).unwrap()
    }
}

/// Signs an arbitrary SD-JWT VC payload in compact form with the test issuer (for payloads `issue` never makes).
pub fn compact_jwt_with_payload(issuer: &Keypair, payload: &Value) -> String {
    let header = Map::from_iter([("typ".to_string(), json!("dc+sd-jwt"))]);
    sign_compact(Alg::EdDsa, header, &serde_json::to_vec(payload).unwrap(), issuer)
}

/// Replaces the header of a compact JWT by `header` (the signature no longer matters for header checks).
pub fn with_header(jwt_and_rest: &str, header: &str) -> String {
    let dot = jwt_and_rest.find('.').unwrap();
    format!("{}{}", b64_encode(header.as_bytes()), &jwt_and_rest[dot..])
}

/// Decodes a base64url JSON object segment.
pub fn decode_segment(segment: &str) -> Value {
    serde_json::from_slice(&b64_decode("test", segment).unwrap()).unwrap()
}

/// Flips one bit in the middle of a base64url-encoded signature.
pub fn flip_b64(signature: &str) -> String {
    let mut bytes = b64_decode("test", signature).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    b64_encode(&bytes)
}
