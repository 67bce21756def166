//! base64url, JWKs, the allow-list and both JWS serialisations.

use publica_credentials::jose::{self, hybrid_jwks, Alg, HybridJws, Jwk};
use publica_credentials::json::{b64_decode, b64_encode, parse_strict};
use publica_credentials::CredentialError;
use publica_crypto::Half;
use serde_json::{json, Map};

use crate::{flip_b64, keypair, with_header};

fn header() -> Map<String, serde_json::Value> {
    Map::from_iter([("typ".to_string(), json!("test+jwt"))])
}

fn bad(half: Half) -> CredentialError {
    CredentialError::IssuerSignature { half }
}

#[test]
fn base64url_is_strict() {
    assert_eq!(b64_encode(&[0xfb, 0xff]), "-_8");
    assert_eq!(b64_decode("t", "-_8").unwrap(), vec![0xfb, 0xff]);
    for bad_text in ["-_8=", "+/8", "-_8 ", "-_9", "a"] {
        let error = b64_decode("t", bad_text).unwrap_err();
        assert_eq!(error.check(), "malformed", "{bad_text:?} was accepted");
    }
}

#[test]
fn duplicate_json_members_are_refused_at_any_depth() {
    assert!(parse_strict("t", br#"{"a":1,"b":{"c":1,"d":2}}"#).is_ok());
    for text in [r#"{"a":1,"a":2}"#, r#"{"x":[{"c":1,"c":1}]}"#] {
        match parse_strict("t", text.as_bytes()) {
            Err(CredentialError::DuplicateMember { name, .. }) => assert!(name == "a" || name == "c"),
            other => panic!("{text}: {other:?}"),
        }
    }
    assert_eq!(parse_strict("t", b"{\"a\":1} x").unwrap_err().check(), "malformed");
}

#[test]
fn jwks_round_trip_and_refuse_private_or_foreign_keys() {
    let key = keypair(3);
    let (akp, okp) = hybrid_jwks(key.public_key());
    assert_eq!(Jwk::from_json(&akp.to_json()).unwrap(), akp);
    assert_eq!(Jwk::from_json(&okp.to_json()).unwrap(), okp);
    assert_eq!(akp.to_json()["kty"], "AKP");
    assert_eq!(akp.to_json()["alg"], "ML-DSA-65");
    assert_eq!(b64_decode("t", akp.to_json()["pub"].as_str().unwrap()).unwrap().len(), 1952);
    assert_eq!(okp.to_json()["crv"], "Ed25519");
    let mut private = okp.to_json();
    private["d"] = json!("AAAA");
    assert!(Jwk::from_json(&private).is_err());
    let mut private = akp.to_json();
    private["priv"] = json!("AAAA");
    assert!(Jwk::from_json(&private).is_err());
    let mut x25519 = okp.to_json();
    x25519["crv"] = json!("X25519");
    assert!(Jwk::from_json(&x25519).is_err());
    let mut short = okp.to_json();
    short["x"] = json!("AAAA");
    assert!(Jwk::from_json(&short).is_err());
}

#[test]
fn compact_jws_round_trip_and_allow_list() {
    let key = keypair(4);
    let okp = Jwk::Okp(*key.public_key().ed25519());
    let jws = jose::sign_compact(Alg::EdDsa, header(), b"{\"a\":1}", &key);
    let verified = jose::verify_compact("t", &jws, &okp, "test+jwt", bad).unwrap();
    assert_eq!(verified.payload, b"{\"a\":1}");
    assert_eq!(verified.header["alg"], "EdDSA");

    let cases = [
        (r#"{"alg":"none","typ":"test+jwt"}"#, "alg_none"),
        (r#"{"alg":"HS256","typ":"test+jwt"}"#, "alg_symmetric"),
        (r#"{"alg":"ES256","typ":"test+jwt"}"#, "alg_not_allowed"),
        (r#"{"alg":"ML-DSA-65","typ":"test+jwt"}"#, "alg_not_allowed"),
        (r#"{"alg":"EdDSA","typ":"test+jwt","crit":["exp"],"exp":1}"#, "crit_not_understood"),
        (r#"{"alg":"EdDSA","typ":"other"}"#, "wrong_typ"),
        (r#"{"alg":"EdDSA","alg":"EdDSA","typ":"test+jwt"}"#, "duplicate_member"),
    ];
    for (bad_header, check) in cases {
        let error = jose::verify_compact("t", &with_header(&jws, bad_header), &okp, "test+jwt", bad).unwrap_err();
        assert_eq!(error.check(), check, "{bad_header}: {error}");
    }
    // The original header with a re-signed body: the signature no longer matches.
    let mut parts: Vec<&str> = jws.split('.').collect();
    let other_payload = b64_encode(b"{\"a\":2}");
    parts[1] = &other_payload;
    let error = jose::verify_compact("t", &parts.join("."), &okp, "test+jwt", bad).unwrap_err();
    assert_eq!(error, CredentialError::IssuerSignature { half: Half::Ed25519 });
    assert_eq!(jose::verify_compact("t", "a.b", &okp, "test+jwt", bad).unwrap_err().check(), "malformed");
}

#[test]
fn hybrid_jws_needs_both_signatures() {
    let key = keypair(5);
    let jws = HybridJws::sign(&header(), ["k#1", "k#2"], b"{\"p\":true}", &key);
    let parsed = HybridJws::parse("t", &jws.to_json()).unwrap();
    assert_eq!(parsed, jws);
    assert_eq!(parsed.verify("t", key.public_key(), "test+jwt", bad).unwrap().payload, b"{\"p\":true}");

    for (index, half) in [(0, Half::MlDsa65), (1, Half::Ed25519)] {
        let mut tampered = jws.clone();
        tampered.signatures[index].signature = flip_b64(&tampered.signatures[index].signature);
        let error = tampered.verify("t", key.public_key(), "test+jwt", bad).unwrap_err();
        assert_eq!(error, CredentialError::IssuerSignature { half });
    }
    let mut swapped = jws.clone();
    swapped.signatures.swap(0, 1);
    assert_eq!(swapped.verify("t", key.public_key(), "test+jwt", bad).unwrap_err().check(), "alg_not_allowed");
    let other = keypair(6);
    assert_eq!(
        jws.verify("t", other.public_key(), "test+jwt", bad).unwrap_err(),
        CredentialError::IssuerSignature { half: Half::MlDsa65 }
    );
    let mut one = serde_json::from_str::<serde_json::Value>(&jws.to_json()).unwrap();
    one["signatures"].as_array_mut().unwrap().pop();
    assert_eq!(HybridJws::parse("t", &one.to_string()).unwrap_err().check(), "malformed");
}
