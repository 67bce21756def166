//! Outcomes: a committed transaction reports what it created, in the form the OpenAPI document declares.

use axum::http::StatusCode;
use publica_registry::call::{ApplicationAction, NewParcel, RegistryCall, Share};
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::outcome::AccessDecision;
use publica_types::RecordId;
use publica_types::{Keypair, Role};
use serde_json::{json, Value};

use crate::{agency, key, TestNet};

/// Whether `value` matches `schema` of the OpenAPI document: the subset of JSON Schema the document uses for
/// outcomes and statuses (`$ref`, `oneOf`, `const`, `type`, `required`, `properties`, `additionalProperties`).
fn conforms(doc: &Value, schema: &Value, value: &Value) -> bool {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.strip_prefix("#/components/schemas/").expect("a local schema reference");
        return conforms(doc, &doc["components"]["schemas"][name], value);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        return options.iter().filter(|s| conforms(doc, s, value)).count() == 1;
    }
    if let Some(constant) = schema.get("const") {
        return constant == value;
    }
    match schema["type"].as_str() {
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64(),
        Some("object") => {
            let Some(object) = value.as_object() else { return false };
            let properties = &schema["properties"];
            let required = schema["required"].as_array().into_iter().flatten();
            required.filter_map(Value::as_str).all(|k| object.contains_key(k))
                && object.iter().all(|(k, v)| match properties.get(k) {
                    Some(s) => conforms(doc, s, v),
                    None => schema["additionalProperties"] != json!(false),
                })
        }
        _ => true,
    }
}

/// The status of committed `tx`, checked against the document's `TxStatus`; returns its outcome.
async fn committed_outcome(net: &TestNet, tx: &Transaction) -> Value {
    let reply = net.get(&format!("/v1/transactions/{}", tx.id())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let status = reply.json();
    assert_eq!(status["status"], "committed", "{status}");
    let doc: Value = serde_json::from_str(publica_api::openapi::DOCUMENT).unwrap();
    assert!(conforms(&doc, &json!({"$ref": "#/components/schemas/TxStatus"}), &status), "{status}");
    status["outcome"].clone()
}

async fn submit(net: &TestNet, tx: &Transaction) {
    let reply = net.post_raw("/v1/transactions", tx.encode()).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
}

/// A square parcel of about 11 m, as GeoJSON.
fn parcel(id: &str) -> NewParcel {
    let ring = "[[44.8000000,41.7000000],[44.8001000,41.7000000],[44.8001000,41.7001000],[44.8000000,41.7001000],\
                [44.8000000,41.7000000]]";
    NewParcel { parcel: RecordId::new(id).unwrap(), geojson: format!(r#"{{"type":"Polygon","coordinates":[{ring}]}}"#) }
}

fn whole(owner: &Keypair) -> Vec<Share> {
    vec![Share { owner: owner.address(), numerator: 1, denominator: 1 }]
}

#[tokio::test]
async fn registrations_report_the_account_and_applications_their_number_while_other_calls_report_none() {
    let net = TestNet::new();
    // A registrar who is also a notary, and the parcel's owner.
    let (officer, owner) = (key(10), key(11));
    let register = |nonce, official: &Keypair, roles: &[&str]| {
        let roles = roles.iter().map(|r| Role::new(*r).unwrap()).collect();
        let call =
            AccountsCall::RegisterOfficial { public_key: official.public_key().clone(), agency: agency(), roles };
        net.body(&net.admin, nonce, Call::Accounts(call)).sign(&net.admin)
    };
    let officer_tx = register(0, &officer, &["registrar", "notary"]);
    let owner_tx = register(1, &owner, &["registrar"]);
    for tx in [&officer_tx, &owner_tx] {
        submit(&net, tx).await;
    }
    net.commit_block();
    let expected = json!({"type": "account", "address": officer.address().to_string()});
    assert_eq!(committed_outcome(&net, &officer_tx).await, expected);

    // A parcel names its own id: nothing new to report.
    let call = RegistryCall::RegisterParcel { parcel: parcel("P-1"), owners: whole(&owner) };
    let parcel_tx = net.body(&officer, 0, Call::Registry(call)).sign(&officer);
    submit(&net, &parcel_tx).await;
    net.commit_block();
    assert_eq!(committed_outcome(&net, &parcel_tx).await, json!({"type": "none"}));

    // The notary opens the transfer: its number is reported, twice in a row.
    for (nonce, id) in [(1, 1), (2, 2)] {
        let action =
            ApplicationAction::Transfer { parcel: RecordId::new("P-1").unwrap(), new_owners: whole(&net.admin) };
        let call = RegistryCall::OpenApplication { action, deadline_ms: publica_node::shared::now_ms() + 3_600_000 };
        let open_tx = net.body(&officer, nonce, Call::Registry(call)).sign(&officer);
        submit(&net, &open_tx).await;
        net.commit_block();
        assert_eq!(committed_outcome(&net, &open_tx).await, json!({"type": "application", "id": id}));
    }
}

#[test]
fn every_outcome_variant_matches_the_document() {
    let doc: Value = serde_json::from_str(publica_api::openapi::DOCUMENT).unwrap();
    let schema = json!({"$ref": "#/components/schemas/TxOutcome"});
    let variants = [
        publica_types::TxOutcome::None,
        publica_types::TxOutcome::Account { address: key(3).address() },
        publica_types::TxOutcome::Proposal { id: 4 },
        publica_types::TxOutcome::Application { id: 5 },
        publica_types::TxOutcome::Encumbrance { id: 6 },
        publica_types::TxOutcome::Company { number: "1000007".into() },
        publica_types::TxOutcome::Accreditation { id: 8 },
        publica_types::TxOutcome::StatusList { number: 0 },
        publica_types::TxOutcome::Consent { id: 9 },
        publica_types::TxOutcome::Election { id: 10 },
        publica_types::TxOutcome::Allocation { id: 11 },
        publica_types::TxOutcome::Commitment { id: 12 },
        publica_types::TxOutcome::Payment { id: 13 },
        publica_types::TxOutcome::Programme { id: 14 },
        publica_types::TxOutcome::SealingKey { id: 15 },
        publica_types::TxOutcome::Tender { id: 16 },
        publica_types::TxOutcome::Question { number: 17 },
        publica_types::TxOutcome::Bid { number: 18 },
        publica_types::TxOutcome::Complaint { number: 19 },
        publica_types::TxOutcome::Contract { id: 20 },
        publica_types::TxOutcome::DataRecord { id: 21 },
        publica_types::TxOutcome::DataConsent { id: 22 },
        publica_types::TxOutcome::Access { id: 23, state: AccessDecision::Pending },
        publica_types::TxOutcome::Access { id: 24, state: AccessDecision::Refused { code: "consent_revoked".into() } },
        publica_types::TxOutcome::CourtOrder { id: 25 },
        publica_types::TxOutcome::Emergency { id: 26 },
        publica_types::TxOutcome::Study { id: 27 },
    ];
    // One documented variant per kind: an access's two states share one.
    let documented = doc["components"]["schemas"]["TxOutcome"]["oneOf"].as_array().unwrap().len();
    assert_eq!(documented, variants.len() - 1, "the document declares every variant, and only those");
    for variant in variants {
        let value = serde_json::to_value(&variant).unwrap();
        assert!(conforms(&doc, &schema, &value), "{value} does not match the document");
        let back: publica_types::TxOutcome = serde_json::from_value(value).unwrap();
        assert_eq!(back, variant);
    }
    // An outcome of another shape, or with a field the document does not declare, does not match.
    for wrong in [json!({"type": "parcel", "id": 1}), json!({"type": "application"}), json!({"type": "none", "id": 1})]
    {
        assert!(!conforms(&doc, &schema, &wrong), "{wrong} should not match");
    }
}
