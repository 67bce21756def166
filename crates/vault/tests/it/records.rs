//! A record's rules and its releases: what the vault refuses to take in, and releases of every field or of a
//! study's fields that the data module's check accepts, while a tampered one is refused.

use publica_client::api::vault::RecordFields;
use publica_client::data::{open_release, release_digest};
use publica_crypto::kem::RecipientSecret;
use publica_data::call::{Basis, RecipientKey};
use publica_data::schema::{Access, AccessState, Record, RecordState};
use publica_data::verify::{check_release, Expected, FieldContent};
use publica_data::ReleaseError;
use publica_types::{Address, AgencyId, ChainId};
use publica_vault::record::{build_release, check_fields, seal_release, RecordContent, MAX_FIELD_VALUE_BYTES};
use publica_vault::VaultError;
use serde_json::json;

fn fields(value: serde_json::Value) -> RecordFields {
    serde_json::from_value(value).unwrap()
}

fn summary() -> RecordContent {
    let fields =
        fields(json!({"blood_type": "O+", "allergies": ["penicillin"], "age": 42, "notes": "line\nbreak \"quoted\""}));
    RecordContent::new(Address([3; 20]), "health.summary", &fields).unwrap()
}

/// The ledger's record of `content` as number 5, and an access 8 to it allowing `allowed`.
fn ledger(content: &RecordContent, allowed: Option<Vec<String>>, secret: &RecipientSecret) -> (Record, Access) {
    let record = Record {
        id: 5,
        agency: AgencyId::new("hospital").unwrap(),
        owner: content.owner,
        category: content.category.clone(),
        commitment: content.commitment().unwrap(),
        fields: content.field_count(),
        registered_by: Address([9; 20]),
        registered_at_ms: 1,
        height: 1,
        state: RecordState::Active,
    };
    let access = Access {
        id: 8,
        record: 5,
        owner: content.owner,
        agency: record.agency.clone(),
        requester: Address([4; 20]),
        requester_agency: Some(AgencyId::new("clinic").unwrap()),
        purpose: "treatment".into(),
        basis: Basis::Consent(1),
        study: None,
        fields: allowed,
        recipient: RecipientKey { x25519: secret.public_key().x25519, ml_kem: secret.public_key().ml_kem.clone() },
        requested_at_ms: 2,
        height: 2,
        state: AccessState::Pending,
    };
    (record, access)
}

#[test]
fn a_release_of_every_field_passes_the_requesters_check_and_a_tampered_one_does_not() {
    let content = summary();
    let secret = RecipientSecret::generate();
    let (record, access) = ledger(&content, None, &secret);
    let release = build_release(&content, 5, 8, None).unwrap();
    let expected = Expected::new(&record, &access).unwrap();
    let disclosed = check_release(&release, &expected).unwrap();
    assert_eq!(disclosed.len(), 4);
    assert_eq!(disclosed["age"], "42");
    assert_eq!(disclosed["allergies"], r#"["penicillin"]"#);
    assert_eq!(disclosed["notes"], r#""line\nbreak \"quoted\"""#, "the value's JSON text, as stored");

    // A changed value (with its stated leaf dropped, so only the commitment can catch it).
    let mut forged = release.clone();
    if let FieldContent::Disclosed { value, leaf, .. } = &mut forged.fields[0].content {
        *value = "43".into();
        *leaf = None;
    }
    assert!(matches!(check_release(&forged, &expected), Err(ReleaseError::CommitmentMismatch { .. })));
    // A changed value with the stated leaf kept: the field is named.
    let mut forged = release.clone();
    if let FieldContent::Disclosed { value, .. } = &mut forged.fields[1].content {
        *value = r#"["none"]"#.into();
    }
    assert!(matches!(check_release(&forged, &expected), Err(ReleaseError::LeafMismatch { .. })));
    // A field withheld that the access allows.
    let mut withheld = release.clone();
    let leaf = match &withheld.fields[0].content {
        FieldContent::Disclosed { leaf, .. } => leaf.unwrap(),
        _ => unreachable!(),
    };
    withheld.fields[0].content = FieldContent::Withheld { leaf };
    assert!(matches!(check_release(&withheld, &expected), Err(ReleaseError::AllowedFieldsWithheld(_))));
    // Another access's release.
    let other = build_release(&content, 5, 9, None).unwrap();
    assert!(matches!(check_release(&other, &expected), Err(ReleaseError::WrongSubject { what: "access", .. })));
}

#[test]
fn a_study_release_discloses_only_the_declared_fields_the_record_has() {
    let content = summary();
    let secret = RecipientSecret::generate();
    let declared = vec!["age".to_owned(), "blood_type".to_owned(), "weight".to_owned()];
    let (record, access) = ledger(&content, Some(declared.clone()), &secret);
    let release = build_release(&content, 5, 8, Some(&declared)).unwrap();
    assert_eq!(release.fields.len(), 4, "every field is listed, disclosed or withheld");
    let expected = Expected::new(&record, &access).unwrap();
    let disclosed = check_release(&release, &expected).unwrap();
    assert_eq!(disclosed.keys().collect::<Vec<_>>(), ["age", "blood_type"]);
    let withheld: Vec<&str> = release
        .fields
        .iter()
        .filter(|f| matches!(f.content, FieldContent::Withheld { .. }))
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(withheld, ["allergies", "notes"]);

    // The whole record released to a study's access: refused, naming the fields the study may not see.
    let everything = build_release(&content, 5, 8, None).unwrap();
    let e = check_release(&everything, &expected).unwrap_err();
    assert_eq!(e, ReleaseError::FieldsNotAllowed(vec!["allergies".into(), "notes".into()]));
}

#[test]
fn a_sealed_release_opens_only_for_its_access_with_the_recipient_secret() {
    let content = summary();
    let secret = RecipientSecret::generate();
    let (_, access) = ledger(&content, None, &secret);
    let chain: ChainId = "test".parse().unwrap();
    let release = build_release(&content, 5, 8, None).unwrap();
    let sealed = seal_release(&release, &access.recipient, &chain, 8).unwrap();
    assert_eq!(release_digest(&sealed.sealed), (sealed.sha256, sealed.bytes));
    assert_eq!(open_release(&secret, &chain, 8, &sealed.sealed).unwrap(), release);
    assert!(open_release(&secret, &chain, 9, &sealed.sealed).is_err(), "another access's context");
    assert!(open_release(&secret, &"other".parse().unwrap(), 8, &sealed.sealed).is_err(), "another chain");
    assert!(open_release(&RecipientSecret::generate(), &chain, 8, &sealed.sealed).is_err(), "another key");

    // A recipient key that is not a key: refused by name, nothing sealed.
    let bad = RecipientKey { x25519: [0; 32], ml_kem: access.recipient.ml_kem.clone() };
    let e = seal_release(&release, &bad, &chain, 8).unwrap_err();
    assert!(matches!(e, VaultError::Crypto(_)) && e.to_string().contains("cannot be sealed"), "{e}");
}

#[test]
fn records_that_break_the_rules_are_refused_with_the_rule_named() {
    let code = |category: &str, value: serde_json::Value| match check_fields(category, &fields(value)) {
        Err(VaultError::Invalid { code, message }) => (code.as_str(), message),
        other => panic!("expected a refusal, got {other:?}"),
    };
    let (c, m) = code("health.summary", json!({}));
    assert_eq!(c, "record_field_count_invalid");
    assert!(m.contains("1 to 64 fields"), "{m}");
    let (c, m) = code("Health Summary", json!({"a": 1}));
    assert_eq!(c, "data_category_invalid");
    assert!(m.contains("category"), "{m}");
    let (c, m) = code("health.summary", json!({"Blood-Type": "O+"}));
    assert_eq!(c, "invalid_argument");
    assert!(m.contains("field name"), "{m}");
    let (c, m) = code("health.summary", json!({"": 1}));
    assert_eq!(c, "invalid_argument");
    assert!(m.contains("field name"), "{m}");
    let (c, m) = code("health.summary", json!({"scan": "x".repeat(MAX_FIELD_VALUE_BYTES)}));
    assert_eq!(c, "invalid_argument");
    assert!(m.contains("\"scan\"") && m.contains("at most"), "{m}");
    let big: serde_json::Map<String, serde_json::Value> =
        (0..5).map(|i| (format!("part_{i}"), json!("y".repeat(MAX_FIELD_VALUE_BYTES - 100)))).collect();
    let (c, m) = code("health.summary", serde_json::Value::Object(big));
    assert_eq!(c, "invalid_argument");
    assert!(m.contains("a record holds at most"), "{m}");
    assert!(check_fields("health.summary", &fields(json!({"blood_type": "O+", "x": null}))).is_ok());

    // Fresh salts: the same fields make a new commitment every time.
    let a = RecordContent::new(Address([3; 20]), "health.summary", &fields(json!({"a": 1}))).unwrap();
    let b = RecordContent::new(Address([3; 20]), "health.summary", &fields(json!({"a": 1}))).unwrap();
    assert_ne!(a.commitment().unwrap(), b.commitment().unwrap());
}
