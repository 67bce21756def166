//! SD-JWT VC issuance, presentation and verification: each rule and each bad input by its own test.

use publica_credentials::json::b64_encode;
use publica_credentials::sdjwt::CNF_PQ_JWK;
use publica_credentials::{
    credential_digest, issue, issuer_of, parse_issued, present, verify_presentation, Claim, CredentialError, Form,
    HolderKey, VerifiedPresentation, VerifyPolicy, MAX_CREDENTIAL_BYTES,
};
use publica_crypto::Half;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{compact_jwt_with_payload, decode_segment, flip_b64, keypair, with_header, Parties, ISSUER_DID, NOW};

const AUD: &str = "did:publica:test:0x2222222222222222222222222222222222222222";
const NONCE: &str = "n-0S6_WzA2Mj";

fn policy(form: Form) -> VerifyPolicy {
    match form {
        Form::Hybrid => VerifyPolicy::default(),
        Form::Compact => VerifyPolicy::accepting_compact(),
    }
}

fn verify(parties: &Parties, text: &str, form: Form) -> Result<VerifiedPresentation, CredentialError> {
    verify_presentation(text, parties.issuer_key(), AUD, NONCE, NOW, &policy(form))
}

fn presentation(parties: &Parties, form: Form, disclose: &[&str]) -> String {
    present(&parties.issue(form), &parties.holder, disclose, AUD, NONCE, NOW - 10).unwrap()
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn both_forms_round_trip_with_every_registered_claim() {
    let parties = Parties::new();
    for form in [Form::Hybrid, Form::Compact] {
        let text = presentation(&parties, form, &["given_name", "family_name", "degree"]);
        let verified = verify(&parties, &text, form).unwrap();
        let credential = &verified.credential;
        assert_eq!(credential.form, form);
        assert_eq!(credential.iss, ISSUER_DID);
        assert_eq!(issuer_of(&text).unwrap(), ISSUER_DID, "read before verifying, to resolve the issuer's key");
        assert_eq!(credential.vct, "https://publica.example/vct/diploma/v1");
        assert_eq!(
            (credential.iat, credential.nbf, credential.exp),
            (Some(NOW - 3600), Some(NOW - 3600), Some(NOW + 86_400))
        );
        assert_eq!(credential.status, parties.content().status);
        match (&credential.holder, form) {
            (HolderKey::Hybrid(key), Form::Hybrid) => assert_eq!(key, parties.holder.public_key()),
            (HolderKey::Ed25519(key), Form::Compact) => assert_eq!(key, parties.holder.public_key().ed25519()),
            other => panic!("holder key {other:?}"),
        }
        let expected = json!({
            "given_name": "Ada", "family_name": "Lovelace",
            "degree": {"type": "MSc", "field": "Mathematics"}, "institution": "University of Malta",
        });
        assert_eq!(Value::Object(verified.claims), expected);
    }
}

#[test]
fn selective_disclosure_shows_only_the_chosen_claims() {
    let parties = Parties::new();
    for form in [Form::Hybrid, Form::Compact] {
        let text = presentation(&parties, form, &["family_name"]);
        // Every base64url token of the presentation (payloads, disclosures, signatures), decoded: none may carry
        // the undisclosed value. (The raw text can hold "Ada" by chance inside random base64.)
        let leaked = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .filter(|token| token.len() >= 4)
            .filter_map(|token| publica_credentials::json::b64_decode("token", token).ok())
            .any(|bytes| bytes.windows(5).any(|w| w == b"\"Ada\""));
        assert!(!leaked, "an undisclosed value leaked into the presentation");
        let claims = verify(&parties, &text, form).unwrap().claims;
        assert_eq!(Value::Object(claims), json!({"family_name": "Lovelace", "institution": "University of Malta"}));
        let none = presentation(&parties, form, &[]);
        assert_eq!(verify(&parties, &none, form).unwrap().claims.len(), 1);
    }
}

#[test]
fn the_issued_payload_has_the_documented_shape() {
    let parties = Parties::new();
    let hybrid = json_of(&parties.issue(Form::Hybrid));
    let signatures = hybrid["signatures"].as_array().unwrap();
    let first = decode_segment(signatures[0]["protected"].as_str().unwrap());
    let second = decode_segment(signatures[1]["protected"].as_str().unwrap());
    assert_eq!(first, json!({"alg": "ML-DSA-65", "typ": "dc+sd-jwt", "kid": parties.issuer().kid_ml_dsa_65}));
    assert_eq!(second, json!({"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": parties.issuer().kid_ed25519}));
    assert_eq!(signatures[0]["header"]["disclosures"].as_array().unwrap().len(), 3);
    let payload = decode_segment(hybrid["payload"].as_str().unwrap());
    assert_eq!(payload["_sd_alg"], "sha-256");
    assert_eq!(payload["_sd"].as_array().unwrap().len(), 5, "three disclosures and two decoys");
    assert_eq!(payload["cnf"]["jwk"]["kty"], "OKP");
    assert_eq!(payload["cnf"][CNF_PQ_JWK]["kty"], "AKP");
    assert_eq!(
        payload["status"],
        json!({"status_list": {"idx": 42, "uri": "https://publica.example/v1/status/issuer-1/0"}})
    );
    assert!(payload.get("given_name").is_none());
    let compact = parties.issue(Form::Compact);
    assert!(compact.ends_with('~'));
    let payload = decode_segment(compact.split('.').nth(1).unwrap());
    assert!(payload["cnf"].get(CNF_PQ_JWK).is_none());
}

#[test]
fn the_holder_lists_what_it_can_disclose() {
    let parties = Parties::new();
    let issued = parse_issued(&parties.issue(Form::Hybrid)).unwrap();
    let mut names: Vec<&String> = issued.disclosable.keys().collect();
    names.sort();
    assert_eq!(names, ["degree", "family_name", "given_name"]);
    assert_eq!(issued.plain["institution"], "University of Malta");
    let presented = presentation(&parties, Form::Hybrid, &["degree"]);
    assert_eq!(
        parse_issued(&presented).unwrap_err().check(),
        "malformed",
        "a presentation is not an issued credential"
    );
}

#[test]
fn credential_digest_names_one_credential_in_all_its_presentations() {
    let parties = Parties::new();
    for form in [Form::Hybrid, Form::Compact] {
        let issued = parties.issue(form);
        let digest = credential_digest(&issued).unwrap();
        let payload_segment = match form {
            Form::Hybrid => json_of(&issued)["payload"].as_str().unwrap().to_string(),
            Form::Compact => issued.split('.').nth(1).unwrap().to_string(),
        };
        assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(payload_segment.as_bytes())));
        let presented = present(&issued, &parties.holder, &["given_name"], AUD, NONCE, NOW).unwrap();
        assert_eq!(credential_digest(&presented).unwrap(), digest);
        assert_eq!(verify(&parties, &presented, form).unwrap().credential.digest, digest);
        assert_ne!(credential_digest(&parties.issue(form)).unwrap(), digest, "fresh salts make a new credential");
        assert_eq!(credential_digest("abc~").unwrap_err().check(), "malformed");
        assert_eq!(credential_digest("a.b.c~").unwrap_err().check(), "malformed");
    }
}

#[test]
fn the_compact_form_is_refused_unless_the_policy_accepts_it() {
    let parties = Parties::new();
    let text = presentation(&parties, Form::Compact, &["given_name"]);
    let error =
        verify_presentation(&text, parties.issuer_key(), AUD, NONCE, NOW, &VerifyPolicy::default()).unwrap_err();
    assert_eq!(error.check(), "classical_form_refused");
}

#[test]
fn a_tampered_payload_breaks_the_issuer_signature() {
    let parties = Parties::new();
    let compact = presentation(&parties, Form::Compact, &["given_name"]);
    let parts: Vec<&str> = compact.splitn(3, '.').collect();
    let mut payload = decode_segment(parts[1]);
    payload["institution"] = json!("Another University");
    let tampered = format!("{}.{}.{}", parts[0], b64_encode(&serde_json::to_vec(&payload).unwrap()), parts[2]);
    assert_eq!(
        verify(&parties, &tampered, Form::Compact).unwrap_err(),
        CredentialError::IssuerSignature { half: Half::Ed25519 }
    );

    let mut hybrid = json_of(&presentation(&parties, Form::Hybrid, &["given_name"]));
    let mut payload = decode_segment(hybrid["payload"].as_str().unwrap());
    payload["institution"] = json!("Another University");
    hybrid["payload"] = json!(b64_encode(&serde_json::to_vec(&payload).unwrap()));
    let error = verify(&parties, &hybrid.to_string(), Form::Hybrid).unwrap_err();
    assert_eq!(error, CredentialError::IssuerSignature { half: Half::MlDsa65 });
}

#[test]
fn each_issuer_signature_half_is_required_alone() {
    let parties = Parties::new();
    for (index, half) in [(0, Half::MlDsa65), (1, Half::Ed25519)] {
        let mut hybrid = json_of(&presentation(&parties, Form::Hybrid, &["given_name"]));
        let signature = hybrid["signatures"][index]["signature"].as_str().unwrap().to_string();
        hybrid["signatures"][index]["signature"] = json!(flip_b64(&signature));
        assert_eq!(
            verify(&parties, &hybrid.to_string(), Form::Hybrid).unwrap_err(),
            CredentialError::IssuerSignature { half }
        );
        let mut stripped = json_of(&presentation(&parties, Form::Hybrid, &["given_name"]));
        stripped["signatures"].as_array_mut().unwrap().remove(index);
        assert_eq!(verify(&parties, &stripped.to_string(), Form::Hybrid).unwrap_err().check(), "malformed");
    }
    let compact = presentation(&parties, Form::Compact, &[]);
    let (jwt, rest) = compact.split_once('~').unwrap();
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let tampered = format!("{input}.{}~{rest}", flip_b64(signature));
    assert_eq!(
        verify(&parties, &tampered, Form::Compact).unwrap_err(),
        CredentialError::IssuerSignature { half: Half::Ed25519 }
    );
    let other_issuer = keypair(7);
    let error =
        verify_presentation(&compact, other_issuer.public_key(), AUD, NONCE, NOW, &policy(Form::Compact)).unwrap_err();
    assert_eq!(error, CredentialError::IssuerSignature { half: Half::Ed25519 });
}

#[test]
fn forbidden_algorithms_in_the_issuer_header_are_refused() {
    let parties = Parties::new();
    let compact = presentation(&parties, Form::Compact, &["given_name"]);
    for (header, check) in [
        (r#"{"alg":"none","typ":"dc+sd-jwt"}"#, "alg_none"),
        (r#"{"alg":"HS256","typ":"dc+sd-jwt"}"#, "alg_symmetric"),
        (r#"{"alg":"RS256","typ":"dc+sd-jwt"}"#, "alg_not_allowed"),
        (r#"{"alg":"EdDSA","typ":"vc+sd-jwt"}"#, "wrong_typ"),
        (r#"{"alg":"EdDSA","typ":"dc+sd-jwt","crit":["x"],"x":1}"#, "crit_not_understood"),
        (r#"{"alg":"EdDSA","typ":"dc+sd-jwt","typ":"dc+sd-jwt"}"#, "duplicate_member"),
    ] {
        let error = verify(&parties, &with_header(&compact, header), Form::Compact).unwrap_err();
        assert_eq!(error.check(), check, "{header}: {error}");
    }
    // An unsigned token: `alg: none` and an empty signature.
    let (jwt, rest) = compact.split_once('~').unwrap();
    let (input, _) = jwt.rsplit_once('.').unwrap();
    let unsigned = with_header(&format!("{input}.~{rest}"), r#"{"alg":"none","typ":"dc+sd-jwt"}"#);
    assert_eq!(verify(&parties, &unsigned, Form::Compact).unwrap_err().check(), "alg_none");
}

#[test]
fn a_tampered_disclosure_is_not_in_the_payload() {
    let parties = Parties::new();
    let compact = presentation(&parties, Form::Compact, &["given_name"]);
    let parts: Vec<&str> = compact.split('~').collect();
    let forged = b64_encode(br#"["c2FsdHNhbHRzYWx0","given_name","Eve"]"#);
    let tampered = format!("{}~{forged}~{}", parts[0], parts[2]);
    assert_eq!(verify(&parties, &tampered, Form::Compact).unwrap_err().check(), "disclosure_not_in_payload");
}

#[test]
fn a_disclosure_of_another_credential_is_not_in_the_payload() {
    let parties = Parties::new();
    let mine = presentation(&parties, Form::Hybrid, &["given_name"]);
    let other = json_of(&presentation(&parties, Form::Hybrid, &["family_name"]));
    let mut text = json_of(&mine);
    text["signatures"][0]["header"]["disclosures"]
        .as_array_mut()
        .unwrap()
        .push(other["signatures"][0]["header"]["disclosures"][0].clone());
    assert_eq!(verify(&parties, &text.to_string(), Form::Hybrid).unwrap_err().check(), "disclosure_not_in_payload");
}

#[test]
fn a_duplicated_disclosure_is_refused() {
    let parties = Parties::new();
    let compact = presentation(&parties, Form::Compact, &["given_name"]);
    let parts: Vec<&str> = compact.split('~').collect();
    let doubled = format!("{}~{}~{}~{}", parts[0], parts[1], parts[1], parts[2]);
    assert_eq!(verify(&parties, &doubled, Form::Compact).unwrap_err().check(), "duplicate_disclosure");
}

/// A compact credential from an arbitrary payload with the given disclosures, presented by the holder.
fn crafted(parties: &Parties, payload: Value, disclosures: &[String]) -> String {
    let jwt = compact_jwt_with_payload(&parties.issuer, &payload);
    let mut issued = format!("{jwt}~");
    for disclosure in disclosures {
        issued.push_str(disclosure);
        issued.push('~');
    }
    issued
}

fn crafted_payload(parties: &Parties, digests: Vec<String>) -> Value {
    let okp = publica_credentials::jose::Jwk::Okp(*parties.holder.public_key().ed25519()).to_json();
    json!({"iss": ISSUER_DID, "vct": "t", "iat": NOW, "exp": NOW + 10, "cnf": {"jwk": okp}, "_sd_alg": "sha-256", "_sd": digests})
}

fn digest_of(disclosure: &str) -> String {
    b64_encode(&Sha256::digest(disclosure.as_bytes()))
}

#[test]
fn a_digest_twice_in_the_payload_is_refused() {
    let parties = Parties::new();
    let disclosure = b64_encode(br#"["c2FsdA","name","x"]"#);
    let digest = digest_of(&disclosure);
    let issued =
        crafted(&parties, crafted_payload(&parties, vec![digest.clone(), digest]), std::slice::from_ref(&disclosure));
    let error = verify(&parties, &issued, Form::Compact).map(|_| ()).unwrap_err();
    // Without key binding the digest check still comes first.
    assert_eq!(error.check(), "duplicate_digest");
}

#[test]
fn reserved_claim_names_cannot_be_disclosed() {
    let parties = Parties::new();
    for name in ["_sd", "...", "iss", "cnf", "status"] {
        let disclosure = b64_encode(format!(r#"["c2FsdA","{name}","x"]"#).as_bytes());
        let issued = crafted(&parties, crafted_payload(&parties, vec![digest_of(&disclosure)]), &[disclosure]);
        let error = verify(&parties, &issued, Form::Compact).unwrap_err();
        assert_eq!(error.check(), "reserved_claim_disclosed", "{name}: {error}");
    }
}

#[test]
fn issuance_refuses_registered_and_repeated_claim_names() {
    let parties = Parties::new();
    for name in ["iss", "cnf", "_sd", "...", "status", ""] {
        let mut content = parties.content();
        content.claims.push(Claim { name: name.into(), value: json!(1), disclosable: true });
        assert_eq!(issue(&parties.issuer(), &content, Form::Hybrid).unwrap_err().check(), "claim", "{name:?}");
    }
    let mut content = parties.content();
    content.claims.push(content.claims[0].clone());
    assert_eq!(issue(&parties.issuer(), &content, Form::Hybrid).unwrap_err().check(), "claim");
    let mut content = parties.content();
    content.decoys = 10_000;
    assert_eq!(issue(&parties.issuer(), &content, Form::Hybrid).unwrap_err().check(), "too_large");
}

#[test]
fn expired_and_not_yet_valid_credentials_are_refused() {
    let parties = Parties::new();
    let text = presentation(&parties, Form::Hybrid, &[]);
    let late = NOW + 86_400 + 61;
    let error =
        verify_presentation(&text, parties.issuer_key(), AUD, NONCE, late, &VerifyPolicy::default()).unwrap_err();
    assert_eq!(error.check(), "expired");

    let mut content = parties.content();
    content.nbf = NOW + 3600;
    let issued = issue(&parties.issuer(), &content, Form::Hybrid).unwrap();
    let text = present(&issued, &parties.holder, &[], AUD, NONCE, NOW).unwrap();
    assert_eq!(
        verify(&parties, &text, Form::Hybrid).unwrap_err(),
        CredentialError::NotYetValid { nbf: NOW + 3600, now: NOW }
    );
}

#[test]
fn a_missing_key_binding_is_refused() {
    let parties = Parties::new();
    let issued = parties.issue(Form::Compact);
    assert_eq!(verify(&parties, &issued, Form::Compact).unwrap_err().check(), "key_binding_missing");
    let issued = parties.issue(Form::Hybrid);
    assert_eq!(verify(&parties, &issued, Form::Hybrid).unwrap_err().check(), "key_binding_missing");
    for member in ["kb_jwt", "pq_kb_jwt"] {
        let mut text = json_of(&presentation(&parties, Form::Hybrid, &[]));
        text["signatures"][0]["header"].as_object_mut().unwrap().remove(member);
        assert_eq!(
            verify(&parties, &text.to_string(), Form::Hybrid).unwrap_err().check(),
            "key_binding_missing",
            "{member}"
        );
    }
}

#[test]
fn wrong_nonce_and_replay_for_another_nonce_are_refused() {
    let parties = Parties::new();
    for form in [Form::Hybrid, Form::Compact] {
        let text = presentation(&parties, form, &["given_name"]);
        let replayed = verify_presentation(&text, parties.issuer_key(), AUD, "a-fresh-nonce", NOW, &policy(form));
        assert_eq!(replayed.unwrap_err(), CredentialError::KeyBindingNonce);
    }
}

#[test]
fn wrong_audience_is_refused() {
    let parties = Parties::new();
    for form in [Form::Hybrid, Form::Compact] {
        let text = presentation(&parties, form, &["given_name"]);
        let error =
            verify_presentation(&text, parties.issuer_key(), "did:publica:test:other", NONCE, NOW, &policy(form))
                .unwrap_err();
        assert_eq!(error.check(), "key_binding_audience");
    }
}

#[test]
fn an_old_or_future_key_binding_is_refused() {
    let parties = Parties::new();
    let issued = parties.issue(Form::Hybrid);
    for iat in [NOW - 301, NOW + 61] {
        let text = present(&issued, &parties.holder, &[], AUD, NONCE, iat).unwrap();
        assert_eq!(
            verify(&parties, &text, Form::Hybrid).unwrap_err(),
            CredentialError::KeyBindingTime { iat, now: NOW }
        );
    }
}

#[test]
fn sd_hash_binds_the_presented_disclosures() {
    let parties = Parties::new();
    let compact = presentation(&parties, Form::Compact, &["given_name", "family_name"]);
    let parts: Vec<&str> = compact.split('~').collect();
    let fewer = format!("{}~{}~{}", parts[0], parts[1], parts[3]);
    assert_eq!(verify(&parties, &fewer, Form::Compact).unwrap_err(), CredentialError::SdHashMismatch);

    let mut hybrid = json_of(&presentation(&parties, Form::Hybrid, &["given_name", "family_name"]));
    hybrid["signatures"][0]["header"]["disclosures"].as_array_mut().unwrap().pop();
    assert_eq!(verify(&parties, &hybrid.to_string(), Form::Hybrid).unwrap_err(), CredentialError::SdHashMismatch);
}

#[test]
fn each_key_binding_signature_is_required() {
    let parties = Parties::new();
    for (member, half) in [("pq_kb_jwt", Half::MlDsa65), ("kb_jwt", Half::Ed25519)] {
        let mut hybrid = json_of(&presentation(&parties, Form::Hybrid, &[]));
        let kb = hybrid["signatures"][0]["header"][member].as_str().unwrap().to_string();
        let (input, signature) = kb.rsplit_once('.').unwrap();
        hybrid["signatures"][0]["header"][member] = json!(format!("{input}.{}", flip_b64(signature)));
        assert_eq!(
            verify(&parties, &hybrid.to_string(), Form::Hybrid).unwrap_err(),
            CredentialError::KeyBindingSignature { half }
        );
    }
    // A key-binding JWT of another holder's presentation.
    let mut content = parties.content();
    content.holder = keypair(8).public_key().clone();
    let other = issue(&parties.issuer(), &content, Form::Compact).unwrap();
    let other_kb = present(&other, &keypair(8), &[], AUD, NONCE, NOW).unwrap();
    let mine = presentation(&parties, Form::Compact, &[]);
    let spliced = format!("{}{}", &mine[..=mine.rfind('~').unwrap()], &other_kb[other_kb.rfind('~').unwrap() + 1..]);
    assert_eq!(
        verify(&parties, &spliced, Form::Compact).unwrap_err(),
        CredentialError::KeyBindingSignature { half: Half::Ed25519 }
    );
}

#[test]
fn the_holder_must_use_the_bound_key_and_existing_claims() {
    let parties = Parties::new();
    let issued = parties.issue(Form::Hybrid);
    assert_eq!(present(&issued, &keypair(9), &[], AUD, NONCE, NOW).unwrap_err(), CredentialError::HolderKeyMismatch);
    assert_eq!(present(&issued, &parties.holder, &["salary"], AUD, NONCE, NOW).unwrap_err().check(), "claim");
}

#[test]
fn oversized_and_malformed_input_is_refused() {
    let parties = Parties::new();
    let text = presentation(&parties, Form::Compact, &[]);
    let huge = format!("{text}{}", "A".repeat(MAX_CREDENTIAL_BYTES));
    assert_eq!(verify(&parties, &huge, Form::Compact).unwrap_err().check(), "too_large");
    for garbage in ["", "~", "{}", "{\"payload\":1}", "a.b.c~~", "not a token", "[1,2]"] {
        let error = verify(&parties, garbage, Form::Compact).unwrap_err();
        assert_eq!(error.check(), "malformed", "{garbage:?}: {error}");
    }
    let mut content = parties.content();
    content.claims.push(Claim {
        name: "blob".into(),
        value: json!("x".repeat(MAX_CREDENTIAL_BYTES)),
        disclosable: true,
    });
    assert_eq!(issue(&parties.issuer(), &content, Form::Hybrid).unwrap_err().check(), "too_large");
}

#[test]
fn no_single_character_change_verifies_or_panics() {
    use rand::{Rng, SeedableRng};
    let parties = Parties::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(9901);
    for form in [Form::Hybrid, Form::Compact] {
        let text = presentation(&parties, form, &["given_name", "degree"]);
        verify(&parties, &text, form).unwrap();
        for _ in 0..300 {
            let mut bytes = text.clone().into_bytes();
            let index = rng.gen_range(0..bytes.len());
            let replacement = loop {
                let candidate = rng.gen_range(0x20u8..0x7f);
                if candidate != bytes[index] {
                    break candidate;
                }
            };
            bytes[index] = replacement;
            let mutated = String::from_utf8(bytes).unwrap();
            assert!(verify(&parties, &mutated, form).is_err(), "{form:?}: a change at byte {index} still verifies");
        }
    }
}
