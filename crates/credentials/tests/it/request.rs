//! A holder's signed request for a credential: accepted when both signatures verify under the holder's key, it is
//! addressed to this issuer and recent; refused, naming why, otherwise.

use publica_credentials::{peek_request, sign_request, verify_request, CredentialRequest};

use crate::{keypair, NOW};

const ISSUER: &str = "did:publica:test:1111111111111111111111111111111111111111";
const HOLDER: &str = "did:publica:test:2222222222222222222222222222222222222222";

fn request(iat: u64) -> CredentialRequest {
    CredentialRequest {
        holder: HOLDER.into(),
        issuer: ISSUER.into(),
        vct: "https://publica.example/vct/diploma".into(),
        iat,
        nonce: "0f1e2d3c".into(),
    }
}

fn signed(iat: u64) -> String {
    sign_request(&request(iat), &keypair(2), [&format!("{HOLDER}#ml-dsa-65"), &format!("{HOLDER}#ed25519")])
}

#[test]
fn a_request_signed_by_the_holder_for_this_issuer_is_accepted_and_reads_back() {
    let text = signed(NOW - 10);
    assert_eq!(peek_request(&text).unwrap(), request(NOW - 10));
    assert_eq!(verify_request(&text, keypair(2).public_key(), ISSUER, NOW, 60).unwrap(), request(NOW - 10));
}

#[test]
fn a_request_by_another_key_for_another_issuer_stale_or_altered_is_refused() {
    let text = signed(NOW - 10);
    let check = |r: Result<CredentialRequest, publica_credentials::CredentialError>| r.unwrap_err().check();
    assert_eq!(check(verify_request(&text, keypair(3).public_key(), ISSUER, NOW, 60)), "key_binding_signature");
    let other = ISSUER.replace('1', "4");
    assert_eq!(check(verify_request(&text, keypair(2).public_key(), &other, NOW, 60)), "malformed");
    assert_eq!(check(verify_request(&signed(NOW - 2 * 86_400), keypair(2).public_key(), ISSUER, NOW, 60)), "expired");
    assert_eq!(check(verify_request(&signed(NOW + 3_600), keypair(2).public_key(), ISSUER, NOW, 60)), "malformed");
    // The payload changed after signing (another type asked for): both signatures fail, the first one reported.
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let payload = publica_credentials::json::b64_encode(
        serde_json::to_string(&serde_json::json!({"aud": ISSUER, "iat": NOW - 10, "iss": HOLDER, "nonce": "0f1e2d3c",
            "vct": "https://publica.example/vct/kyc"}))
        .unwrap()
        .as_bytes(),
    );
    json["payload"] = serde_json::Value::String(payload);
    let altered = json.to_string();
    assert_eq!(check(verify_request(&altered, keypair(2).public_key(), ISSUER, NOW, 60)), "key_binding_signature");
}
