//! Wire forms: the calls' JSON, which calls are private, the stable refusal codes and access states, the public keys.

use publica_data::call::*;
use publica_data::schema::{self, AccessState, Refusal};
use publica_types::{codec, Address};

use crate::recipient;

fn every_call() -> Vec<DataCall> {
    let a = Address([1; 20]);
    vec![
        DataCall::RegisterRecord { owner: a, category: "c".into(), commitment: [0; 32], fields: 1 },
        DataCall::SetRetention { category: "c".into(), keep_days: 1 },
        DataCall::GrantConsent {
            owner: a,
            grantee: Grantee::Study(1),
            category: "c".into(),
            purpose: "p".into(),
            until_ms: 1,
        },
        DataCall::RevokeConsent { consent: 1 },
        DataCall::AppointRepresentative { citizen: a, representative: a, until_ms: 1 },
        DataCall::EndRepresentation { citizen: a, representative: a },
        DataCall::IssueCourtOrder {
            owner: a,
            category: "c".into(),
            grantee: "court".parse().unwrap(),
            purpose: "p".into(),
            until_ms: 1,
            order_sha256: [0; 32],
        },
        DataCall::DeclareEmergency {
            categories: vec![],
            grantees: vec![],
            purpose: "p".into(),
            until_ms: 1,
            declaration_sha256: [0; 32],
        },
        DataCall::EndEmergency { emergency: 1 },
        DataCall::ProposeStudy {
            title: "t".into(),
            categories: vec![],
            fields: vec![],
            purpose: "p".into(),
            until_ms: 1,
            protocol_sha256: [0; 32],
        },
        DataCall::ApproveStudy { study: 1 },
        DataCall::RequestAccess { record: 1, purpose: "p".into(), basis: Basis::Owner, recipient: recipient() },
        DataCall::FulfilAccess { access: 1, release_sha256: [0; 32], release_bytes: 1 },
        DataCall::DeclineAccess { access: 1, reason_code: "r".into() },
        DataCall::OrderErasure { record: 1 },
        DataCall::RecordErasure { record: 1, order: ErasureOrder::Retention, statement_sha256: [0; 32] },
    ]
}

#[test]
fn every_call_round_trips_and_only_public_acts_are_not_private() {
    let public = ["set_retention", "declare_emergency", "end_emergency", "propose_study", "approve_study"];
    for (index, call) in every_call().into_iter().enumerate() {
        let bytes = codec::encode(&call);
        assert_eq!(usize::from(bytes[0]), index, "{} keeps its variant index", call.method());
        assert_eq!(codec::decode_canonical::<DataCall>("call", &bytes, 1 << 20).unwrap(), call);
        let json = serde_json::to_value(&call).unwrap();
        assert_eq!(json["method"], call.method());
        assert_eq!(serde_json::from_value::<DataCall>(json).unwrap(), call);
        assert_eq!(call.is_private(), !public.contains(&call.method()), "{}", call.method());
    }
}

#[test]
fn a_request_reads_as_json_with_its_basis_and_its_key_in_base64() {
    let call = DataCall::RequestAccess {
        record: 3,
        purpose: "treatment".into(),
        basis: Basis::Consent(4),
        recipient: RecipientKey { x25519: [1; 32], ml_kem: vec![2; ML_KEM_768_KEY_BYTES] },
    };
    let json = serde_json::to_value(&call).unwrap();
    assert_eq!(json["basis"], serde_json::json!({"consent": 4}));
    assert_eq!(json["recipient"]["x25519"], "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=");
    assert_eq!(json["recipient"]["ml_kem"].as_str().unwrap().len(), 1580);
    assert_eq!(serde_json::from_value::<DataCall>(json.clone()).unwrap(), call);
    let owner = serde_json::to_value(Basis::Owner).unwrap();
    assert_eq!(owner, "owner");
    let grantee = serde_json::to_value(Grantee::Agency("hospital".parse().unwrap())).unwrap();
    assert_eq!(grantee, serde_json::json!({"agency": "hospital"}));
    // A key's text far longer than a key is refused unread; a short X25519 half is refused.
    let mut long = json.clone();
    long["recipient"]["ml_kem"] = "A".repeat(4 * ML_KEM_768_KEY_BYTES).into();
    assert!(serde_json::from_value::<DataCall>(long).is_err());
    let mut short = json;
    short["recipient"]["x25519"] = "AQEB".into();
    assert!(serde_json::from_value::<DataCall>(short).is_err());
}

#[test]
fn refusal_codes_and_access_states_keep_their_names() {
    let names: Vec<&str> = Refusal::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        names,
        [
            "record_erased",
            "erasure_ordered",
            "basis_not_found",
            "other_owner",
            "consent_revoked",
            "expired",
            "wrong_grantee",
            "wrong_category",
            "wrong_purpose",
            "emergency_ended",
            "study_not_approved",
            "study_ended",
            "not_owner_or_representative",
            "record_queue_full",
        ]
    );
    for (index, refusal) in Refusal::ALL.iter().enumerate() {
        assert_eq!(codec::encode(refusal), vec![index as u8]);
        assert_eq!(serde_json::to_value(refusal).unwrap(), refusal.as_str());
    }
    assert_eq!(serde_json::to_value(AccessState::Pending).unwrap(), "pending");
    assert_eq!(
        serde_json::to_value(AccessState::Refused { code: Refusal::ConsentRevoked }).unwrap(),
        serde_json::json!({"refused": {"code": "consent_revoked"}})
    );
}

#[test]
fn only_emergencies_studies_their_counters_and_retention_rules_are_public_keys() {
    let owner = Address([4; 20]);
    let public = [
        schema::emergency_key(1),
        schema::study_key(1),
        schema::study_counters_key(1),
        schema::retention_key(&"hospital".parse().unwrap(), "health.summary"),
    ];
    let private = [
        schema::record_key(1),
        schema::commitment_key(&[0; 32]),
        schema::consent_key(1),
        schema::access_key(1),
        schema::court_order_key(1),
        schema::representation_key(&owner, &owner),
        schema::representatives_key(&owner),
        schema::study_citizen_key(1, &owner),
        schema::owner_accesses(&owner).head_key(),
        schema::owner_accesses(&owner).node_key(1),
        schema::agency_pending(&"hospital".parse().unwrap()).node_key(1),
        schema::agency_erasures(&"hospital".parse().unwrap()).head_key(),
        schema::pending_request_key(1, &owner),
        schema::next_key("a"),
    ];
    for key in public {
        assert!(schema::is_public_key(&key), "{key:?}");
    }
    for key in private {
        assert!(!schema::is_public_key(&key), "{key:?}");
    }
}
