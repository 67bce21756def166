//! Every call round-trips through borsh (canonically) and JSON, and the JSON form is the documented one.

use publica_identity::call::IdentityCall;
use publica_types::{codec, Address, MAX_TX_BYTES};

fn calls() -> Vec<IdentityCall> {
    vec![
        IdentityCall::RegisterSchema { type_name: "urn:x".into(), version: 2, document: b"{}".to_vec() },
        IdentityCall::Accredit {
            issuer: Address([1; 20]),
            credential_type: "urn:x".into(),
            schema: [2; 32],
            valid_from_ms: 5,
            valid_until_ms: 6,
        },
        IdentityCall::RevokeAccreditation { id: 3 },
        IdentityCall::CreateStatusList { bits: 2, capacity: 1_000_000 },
        IdentityCall::UpdateStatus { list: 1, status: 2, indices: vec![1, 2] },
        IdentityCall::GrantConsent {
            grantee: Address([3; 20]),
            credential: [4; 32],
            claims: vec!["kyc_level".into()],
            purpose: "account".into(),
            until_ms: 9,
        },
        IdentityCall::RevokeConsent { id: 4 },
        IdentityCall::RecordConsentUse { id: 4 },
    ]
}

#[test]
fn calls_round_trip_in_borsh_and_json_with_one_method_tag_each() {
    let calls = calls();
    for (i, call) in calls.iter().enumerate() {
        let bytes = codec::encode(call);
        assert_eq!(usize::from(bytes[0]), i, "variants keep their order: {call:?}");
        let back: IdentityCall = codec::decode_canonical("call", &bytes, MAX_TX_BYTES).unwrap();
        assert_eq!(&back, call);
        let json = serde_json::to_value(call).unwrap();
        assert_eq!(json["method"], call.method());
        assert_eq!(&serde_json::from_value::<IdentityCall>(json).unwrap(), call);
    }
    let json = serde_json::to_string(&calls[0]).unwrap();
    assert_eq!(json, r#"{"method":"register_schema","type_name":"urn:x","version":2,"document":"7b7d"}"#);
    let json = serde_json::to_value(&calls[1]).unwrap();
    assert_eq!(json["schema"], "02".repeat(32));
    assert_eq!(json["issuer"], "01".repeat(20));
}
