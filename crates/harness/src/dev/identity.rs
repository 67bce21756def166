//! The demo's credential issuers, through ordinary signed transactions: trust roots register the credential types'
//! schemas and accredit the issuers, each issuer opens a status list. The credentials themselves are issued with
//! `publica credential issue` (the README's round trip): their contents never touch the ledger.
//!
//! - The Ministry of Education (a trust root) accredits the University of Nordvik's registrar for diplomas.
//! - The Maritime Authority (a trust root) accredits the Nordic Classification Society's surveyor for ship-safety
//!   certificates.
//! - The civil registry's trust officer accredits its clerk for residence and age-over-18 credentials, and the demo
//!   bank's officer for KYC credentials (which a citizen may let another bank rely on, with consent).

use std::time::Duration;

use anyhow::Result;
use publica_identity::call::IdentityCall;
use publica_node::NodeHandle;
use publica_types::{sha256, TxId};

use super::{demo_key, DemoSigners};

/// The claims of a demo schema: name and JSON type.
pub type Claims = &'static [(&'static str, &'static str)];

/// The credential types of the demo: type name (`vct`), the trust root that registers and accredits it, the
/// issuer accredited, and the claims of its schema (name, JSON type).
pub const TYPES: &[(&str, &str, &str, Claims)] = &[
    (
        "https://publica.example/vct/diploma",
        "education-trust",
        "university-registrar",
        &[
            ("given_name", "string"),
            ("family_name", "string"),
            ("degree", "string"),
            ("field", "string"),
            ("awarded", "string"),
        ],
    ),
    (
        "https://publica.example/vct/ship-safety",
        "maritime-trust",
        "class-surveyor",
        &[("vessel_name", "string"), ("imo_number", "string"), ("certificate", "string"), ("survey_date", "string")],
    ),
    (
        "https://publica.example/vct/residence",
        "civil-trust",
        "civil-clerk",
        &[("municipality", "string"), ("address", "string"), ("since", "string")],
    ),
    ("https://publica.example/vct/age-over-18", "civil-trust", "civil-clerk", &[("age_over_18", "boolean")]),
    (
        "https://publica.example/vct/kyc",
        "civil-trust",
        "bank-officer",
        &[
            ("given_name", "string"),
            ("family_name", "string"),
            ("birthdate", "string"),
            ("nationality", "string"),
            ("kyc_level", "string"),
            ("verified_on", "string"),
        ],
    ),
];

/// Entries of each issuer's demo status list: a million, as a national issuer's list holds.
pub const STATUS_LIST_ENTRIES: u32 = 1_000_000;

/// How long the demo's accreditations last: ten years from the network's start.
const ACCREDITATION_MS: u64 = 10 * 365 * 24 * 3_600_000;

/// The JSON Schema 2020-12 document of a demo type: an object with the claims, every one required.
pub fn schema_document(claims: &[(&str, &str)]) -> Vec<u8> {
    let properties: serde_json::Map<String, serde_json::Value> =
        claims.iter().map(|(name, kind)| (name.to_string(), serde_json::json!({ "type": kind }))).collect();
    let required: Vec<&str> = claims.iter().map(|(name, _)| *name).collect();
    let schema = serde_json::json!({
        "$schema": publica_identity::call::SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
    });
    serde_json::to_vec(&schema).expect("a JSON value always serialises")
}

/// Register what is not there yet: the schemas, the accreditations and one status list per issuer. Returns how
/// many transactions it committed.
pub(super) fn seed(node: &NodeHandle, signers: &mut DemoSigners<'_>) -> Result<usize> {
    let view = node.live_state();
    let wait = |ids: &[TxId]| crate::node::wait_committed(node, ids, Duration::from_secs(120));
    let mut committed = 0;
    let mut ids = Vec::new();
    for (type_name, root, _, claims) in TYPES {
        if publica_identity::query::schema_by_version(&view, type_name, 1).value.is_none() {
            let call = IdentityCall::RegisterSchema {
                type_name: type_name.to_string(),
                version: 1,
                document: schema_document(claims),
            };
            ids.push(signers.send(root, call)?);
        }
    }
    wait(&ids)?;
    committed += ids.len();
    let view = node.live_state();
    let start = node.genesis().genesis_time_ms;
    let mut ids = Vec::new();
    for (type_name, root, issuer, claims) in TYPES {
        let issuer = demo_key(issuer).public_key().address();
        if !publica_identity::query::issuer_accreditations(&view, &issuer, type_name).value.is_empty() {
            continue;
        }
        let call = IdentityCall::Accredit {
            issuer,
            credential_type: type_name.to_string(),
            schema: sha256(&schema_document(claims)),
            valid_from_ms: start,
            valid_until_ms: start + ACCREDITATION_MS,
        };
        ids.push(signers.send(root, call)?);
    }
    let mut issuers: Vec<&str> = TYPES.iter().map(|(_, _, issuer, _)| *issuer).collect();
    issuers.dedup();
    for issuer in issuers {
        let owner = demo_key(issuer).public_key().address();
        if publica_identity::query::status_list(&view, &owner, 0).value.is_none() {
            ids.push(signers.send(issuer, IdentityCall::CreateStatusList { bits: 2, capacity: STATUS_LIST_ENTRIES })?);
        }
    }
    wait(&ids)?;
    committed += ids.len();
    Ok(committed)
}
