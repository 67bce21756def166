//! Schemas: registered by trust roots, once per document and once per type and version.

use publica_identity::call::{IdentityCall, MAX_SCHEMA_DOCUMENT_BYTES, MAX_TYPE_NAME_BYTES};
use publica_identity::error as codes;
use publica_identity::query;
use publica_identity::schema::{schema_key, schema_version_key};
use publica_types::{sha256, ErrorCode};

use crate::{schema_document, World, DIPLOMA};

fn register(type_name: &str, version: u32, document: Vec<u8>) -> IdentityCall {
    IdentityCall::RegisterSchema { type_name: type_name.into(), version, document }
}

#[test]
fn a_trust_root_registers_a_schema_found_by_hash_and_by_version_with_its_keys() {
    let mut w = World::new();
    let hash = w.schema(DIPLOMA, 1);
    let by_hash = query::schema(&w.state, &hash);
    let record = by_hash.value.expect("the schema is registered");
    assert_eq!((record.type_name.as_str(), record.version, record.registered_by), (DIPLOMA, 1, w.minister));
    assert_eq!(record.hash, sha256(&record.document));
    assert_eq!(by_hash.keys, vec![schema_key(&hash)]);
    let by_version = query::schema_by_version(&w.state, DIPLOMA, 1);
    assert_eq!(by_version.value.as_ref(), Some(&record));
    assert_eq!(by_version.keys, vec![schema_version_key(DIPLOMA, 1), schema_key(&hash)]);
    let absent = query::schema_by_version(&w.state, DIPLOMA, 2);
    assert_eq!((absent.value, absent.keys), (None, vec![schema_version_key(DIPLOMA, 2)]));
}

#[test]
fn only_a_trust_root_of_an_agency_that_may_grant_the_role_registers_schemas() {
    let mut w = World::new();
    let stranger = w.stranger;
    w.refused(stranger, register(DIPLOMA, 1, schema_document(DIPLOMA, 1)), ErrorCode::MissingRole, "trust-root");
    let pretender = w.pretender;
    w.refused(
        pretender,
        register(DIPLOMA, 1, schema_document(DIPLOMA, 1)),
        publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY,
        "may not grant",
    );
    let alice = w.alice;
    w.refused(alice, register(DIPLOMA, 1, schema_document(DIPLOMA, 1)), ErrorCode::MissingRole, "trust-root");
}

#[test]
fn a_document_and_a_type_version_are_registered_once() {
    let mut w = World::new();
    w.schema(DIPLOMA, 1);
    let minister = w.minister;
    // The same document again, even under another version: refused.
    w.refused(minister, register(DIPLOMA, 2, schema_document(DIPLOMA, 1)), codes::SCHEMA_ALREADY_REGISTERED, "already");
    // Another document under a version taken.
    w.refused(minister, register(DIPLOMA, 1, schema_document(DIPLOMA, 9)), codes::SCHEMA_VERSION_TAKEN, "version 1");
    // A new version is fine.
    w.ok(minister, register(DIPLOMA, 2, schema_document(DIPLOMA, 2)));
}

#[test]
fn oversized_non_json_and_foreign_dialect_documents_are_refused() {
    let mut w = World::new();
    let minister = w.minister;
    let mut big = schema_document(DIPLOMA, 1);
    big.truncate(big.len() - 1);
    big.extend(format!(r#","description":"{}"}}"#, "x".repeat(MAX_SCHEMA_DOCUMENT_BYTES)).into_bytes());
    w.refused(minister, register(DIPLOMA, 1, big), codes::SCHEMA_DOCUMENT_TOO_LARGE, "at most 16384");
    let refusals: [(&[u8], &str); 5] = [
        (b"not json", "not JSON"),
        (b"{\"$schema\": ", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (br#"{"$schema":"http://json-schema.org/draft-07/schema#"}"#, "2020-12"),
        (br#"{"type":"object"}"#, "2020-12"),
    ];
    for (document, text) in refusals {
        w.refused(minister, register(DIPLOMA, 1, document.to_vec()), codes::SCHEMA_DOCUMENT_INVALID, text);
    }
    // A document exactly at the limit is accepted.
    let mut exact = schema_document(DIPLOMA, 1);
    exact.truncate(exact.len() - 1);
    let pad = MAX_SCHEMA_DOCUMENT_BYTES - exact.len() - r#","description":""}"#.len();
    exact.extend(format!(r#","description":"{}"}}"#, "x".repeat(pad)).into_bytes());
    assert_eq!(exact.len(), MAX_SCHEMA_DOCUMENT_BYTES);
    w.ok(minister, register(DIPLOMA, 1, exact));
}

#[test]
fn type_names_are_bounded_uri_strings() {
    let mut w = World::new();
    let minister = w.minister;
    let long = format!("https://publica.example/{}", "a".repeat(MAX_TYPE_NAME_BYTES));
    for name in ["", "diploma with spaces", "https://publica.example/vct/é", long.as_str(), "line\nbreak"] {
        w.refused(minister, register(name, 1, schema_document(name, 1)), codes::TYPE_NAME_INVALID, "type name");
    }
    let exact = "u".repeat(MAX_TYPE_NAME_BYTES);
    w.ok(minister, register(&exact, 1, schema_document(&exact, 1)));
    w.ok(minister, register("urn:eu.europa.ec.eudi:pid:1", 1, schema_document("pid", 1)));
}

#[test]
fn a_schema_using_a_keyword_no_verifier_checks_offline_is_refused() {
    let mut w = World::new();
    let minister = w.minister;
    let dialect = publica_identity::call::SCHEMA_DIALECT;
    for (document, needle) in [
        (
            serde_json::json!({"$schema": dialect, "properties": {"id": {"type": "string", "pattern": "^[0-9]+$"}}}),
            "pattern",
        ),
        (serde_json::json!({"$schema": dialect, "$ref": "https://elsewhere.example/schema"}), "$ref"),
        (serde_json::json!({"$schema": dialect, "type": "colour"}), "type"),
        (serde_json::json!({"$schema": dialect, "required": "name"}), "required"),
        (serde_json::json!({"$schema": dialect, "additionalProperties": {"type": "string"}}), "additionalProperties"),
    ] {
        let bytes = serde_json::to_vec(&document).unwrap();
        w.refused(minister, register(DIPLOMA, 1, bytes), codes::SCHEMA_DOCUMENT_INVALID, needle);
    }
    // Nested deeper than a verifier walks.
    let mut deep = serde_json::json!({"type": "string"});
    for _ in 0..10 {
        deep = serde_json::json!({"type": "array", "items": deep});
    }
    let document = serde_json::json!({"$schema": dialect, "properties": {"deep": deep}});
    w.refused(
        minister,
        register(DIPLOMA, 1, serde_json::to_vec(&document).unwrap()),
        codes::SCHEMA_DOCUMENT_INVALID,
        "deep",
    );
}

#[test]
fn disclosed_claims_are_checked_against_the_schema_and_undisclosed_required_ones_are_not_asked_for() {
    use publica_identity::verify::{check_claims, check_schema_subset};
    let schema = serde_json::json!({
        "$schema": publica_identity::call::SCHEMA_DIALECT,
        "type": "object",
        "properties": {
            "degree": {"type": "string", "enum": ["BSc", "MSc", "PhD"]},
            "credits": {"type": "integer", "minimum": 0, "maximum": 400},
            "name": {"type": "string", "minLength": 1, "maxLength": 8},
            "address": {"type": "object", "required": ["city"], "additionalProperties": false,
                        "properties": {"city": {"type": "string"}, "street": {"type": "string"}}},
            "languages": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
        },
        "required": ["degree", "name"],
        "additionalProperties": false
    });
    check_schema_subset(&schema).unwrap();
    let claims = |v: serde_json::Value| v.as_object().unwrap().clone();
    // A presentation disclosing only some claims: the undisclosed required `name` is not asked for.
    check_claims(&schema, &claims(serde_json::json!({"degree": "MSc", "credits": 120}))).unwrap();
    check_claims(&schema, &claims(serde_json::json!({"address": {"city": "Nordvik"}, "languages": ["sv"]}))).unwrap();
    for (bad, needle) in [
        (serde_json::json!({"degree": "MBA"}), "not one of"),
        (serde_json::json!({"degree": 3}), "not of type string"),
        (serde_json::json!({"credits": 12.5}), "integer"),
        (serde_json::json!({"credits": 401}), "maximum"),
        (serde_json::json!({"name": ""}), "minLength"),
        (serde_json::json!({"name": "Ada Augusta"}), "maxLength"),
        (serde_json::json!({"address": {"street": "Harbour Street 4"}}), "required member \"city\""),
        (serde_json::json!({"address": {"city": "Nordvik", "zip": "1"}}), "\"zip\""),
        (serde_json::json!({"languages": ["sv", "en", "fi"]}), "maxItems"),
        (serde_json::json!({"languages": ["sv", 7]}), "languages[1]"),
        (serde_json::json!({"nickname": "Ada"}), "not one the type's schema allows"),
    ] {
        let error = check_claims(&schema, &claims(bad.clone())).unwrap_err();
        assert!(error.contains(needle), "{bad}: {error}");
    }
}
