//! Requests and answers of an agency vault's HTTP interface (`/vault/v1/…`), served by `publica-vault` beside the
//! agency's node. The vault holds the agency's records of personal data, encrypted; the ledger holds only their
//! salted commitments (`publica_data`).
//!
//! | route | body / answer |
//! |---|---|
//! | `POST /vault/v1/records` | [`SignedIngest`] → [`IngestResponse`] (201 once registered, 202 while the registration is still on its way) |
//! | `GET /vault/v1/releases/{access}` | the sealed release, `publica_crypto::kem::HybridSealed` JSON; 404 before `fulfil_access` is committed, 410 when none will ever be served (the record was erased, the access lapsed or was declined) |
//! | `GET /vault/v1/records/{id}` | [`RecordStatusResponse`]: held, or erased with its tombstone; 404 for a record the vault never held |
//! | `GET /vault/v1/status` | [`VaultStatusResponse`] |
//!
//! Errors are [`super::ErrorEnvelope`]s, as the node's.
//!
//! **Ingest.** An official of the vault's agency holding `data-controller` signs an [`IngestRequest`] (the agency,
//! the record's owner and category, its fields as one JSON object, the official and the time) over
//! [`IngestRequest::signing_message`]: [`publica_types::signing_message`] with the tag [`INGEST_TAG`], the chain id
//! and the borsh bytes of the request's signed form, where the fields are listed sorted by name, each with its
//! value's JSON text as [`RecordFields::texts`] writes it (compact, as `serde_json` writes it). That text is what
//! the vault stores and commits to: a field's value bytes in the record's commitment
//! (`publica_data::verify::leaf`).

use std::collections::BTreeSet;

use borsh::BorshSerialize;
use publica_data::call::ErasureOrder;
use publica_types::{Address, AgencyId, ChainId, Hash, TxId};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The tag of an ingest request's signing message ([`publica_types::signing_message`]).
pub const INGEST_TAG: &str = "vault-ingest";
/// Most fields of one record (the data module's bound, `publica_data::call::MAX_FIELDS`).
pub const MAX_RECORD_FIELDS: usize = publica_data::call::MAX_FIELDS;
/// Largest body of `POST /vault/v1/records`: the whole JSON document, signature included (1 MiB).
pub const MAX_INGEST_BODY_BYTES: usize = 1024 * 1024;
/// How far an ingest request's `at_ms` may be from the vault's clock, either way (5 minutes).
pub const INGEST_MAX_SKEW_MS: u64 = 5 * 60 * 1000;

/// A record's fields: names (`[a-z0-9_]`, 1 to 64 bytes, unique) with their JSON values, kept sorted by name.
///
/// JSON: one object, `{"blood_type": "O+", "allergies": ["penicillin"]}`. Decoding refuses a name given twice and
/// stops at the [`MAX_RECORD_FIELDS`]th + 1 member; the names' form and the record's sizes are the vault's to
/// check (`publica_vault` says which rules fail).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordFields(Vec<(String, serde_json::Value)>);

impl RecordFields {
    /// Fields from `(name, value)` pairs in any order; a name given twice is refused (naming it).
    pub fn new(fields: impl IntoIterator<Item = (String, serde_json::Value)>) -> Result<RecordFields, String> {
        let mut fields: Vec<(String, serde_json::Value)> = fields.into_iter().collect();
        fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        if let Some(pair) = fields.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(format!("the field {:?} is given twice; a record names each field once", pair[0].0));
        }
        Ok(RecordFields(fields))
    }

    /// The fields, sorted by name (bytewise).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }

    /// How many fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each field's name with its value's JSON text, sorted by name: the text the vault stores and commits to
    /// (`serde_json`'s compact form, which parses back to the same value and is written again the same way).
    pub fn texts(&self) -> Vec<(String, String)> {
        self.0.iter().map(|(name, value)| (name.clone(), value.to_string())).collect()
    }
}

impl Serialize for RecordFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for RecordFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;

        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = RecordFields;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "a JSON object of at most {MAX_RECORD_FIELDS} fields")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RecordFields, A::Error> {
                let mut fields = Vec::new();
                let mut names = BTreeSet::new();
                while let Some(name) = map.next_key::<String>()? {
                    if fields.len() == MAX_RECORD_FIELDS {
                        return Err(serde::de::Error::custom(format!(
                            "a record has at most {MAX_RECORD_FIELDS} fields; this one has more"
                        )));
                    }
                    if !names.insert(name.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "the field {name:?} is given twice; a record names each field once"
                        )));
                    }
                    let value: serde_json::Value = map.next_value()?;
                    fields.push((name, value));
                }
                RecordFields::new(fields).map_err(serde::de::Error::custom)
            }
        }

        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// What an official signs to put a record into the vault (`POST /vault/v1/records`, in a [`SignedIngest`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestRequest {
    /// The vault's agency: a request for another agency's vault is refused.
    pub agency: AgencyId,
    /// The citizen the record is about: an active citizen of the ledger.
    pub owner: Address,
    /// The record's category (`[a-z0-9.-]`, 1 to 64 bytes, e.g. `health.summary`).
    pub category: String,
    /// The record's fields.
    pub fields: RecordFields,
    /// The official who signs: holds `data-controller` in `agency` on the ledger.
    pub controller: Address,
    /// When the request was made, Unix milliseconds: the vault accepts it within [`INGEST_MAX_SKEW_MS`] of its
    /// clock.
    pub at_ms: u64,
}

/// The borsh form an ingest request is signed in.
#[derive(BorshSerialize)]
struct SignedForm {
    agency: AgencyId,
    owner: Address,
    category: String,
    fields: Vec<(String, String)>,
    controller: Address,
    at_ms: u64,
}

impl IngestRequest {
    /// The bytes the official's key signs: [`publica_types::signing_message`] with [`INGEST_TAG`], the chain id and
    /// the borsh bytes of (agency, owner, category, the fields' `(name, JSON text)` sorted by name, controller,
    /// at_ms).
    pub fn signing_message(&self, chain_id: &str) -> Vec<u8> {
        let form = SignedForm {
            agency: self.agency.clone(),
            owner: self.owner,
            category: self.category.clone(),
            fields: self.fields.texts(),
            controller: self.controller,
            at_ms: self.at_ms,
        };
        publica_types::signing_message(INGEST_TAG, chain_id, &borsh::to_vec(&form).expect("a request encodes"))
    }
}

/// Body of `POST /vault/v1/records`: an ingest request and its official's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedIngest {
    /// What is signed.
    pub request: IngestRequest,
    /// The official's hybrid signature over `request.signing_message(chain_id)`, standard padded base64.
    pub signature: String,
}

/// The answer of `POST /vault/v1/records`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestResponse {
    /// The record's salted commitment, as registered on the ledger.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub commitment: Hash,
    /// The record's number on the ledger, once its registration is committed; `null` while it is on its way (the
    /// vault finishes it: ask `GET /vault/v1/records/{id}` later, or read the ledger by commitment).
    pub record: Option<u64>,
    /// The `register_record` transaction, once submitted.
    pub tx: Option<TxId>,
}

/// Whether the vault holds a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordHolding {
    /// The vault holds the record (encrypted) and answers accesses to it.
    Held,
    /// The vault destroyed the record's data key and ciphertext: it can no longer answer for it.
    Erased {
        /// When the vault destroyed them, by its clock, Unix milliseconds.
        erased_at_ms: u64,
        /// On whose order.
        order: ErasureOrder,
        /// The vault's statement of what it destroyed (JSON text): its SHA-256 is the tombstone's
        /// `statement_sha256`.
        statement: String,
        /// SHA-256 of `statement`.
        #[serde(with = "publica_types::codec::hex_hash")]
        statement_sha256: Hash,
        /// The `record_erasure` transaction that wrote the tombstone; `null` until it is committed.
        tx: Option<TxId>,
    },
}

/// The answer of `GET /vault/v1/records/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordStatusResponse {
    /// The record's number on the ledger.
    pub record: u64,
    /// Whether the vault holds it.
    pub state: RecordHolding,
}

/// Where the vault stands in its agency's queue on the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueuePosition {
    /// The last access the vault answered (released or declined); `null` before the first.
    pub last_access: Option<u64>,
    /// Pending accesses in the queue at its last reading.
    pub pending_accesses: u64,
    /// Records whose erasure was ordered, at its last reading.
    pub pending_erasures: u64,
    /// When the vault last read the queue, by its clock, Unix milliseconds; `null` before the first reading.
    pub read_at_ms: Option<u64>,
}

/// The answer of `GET /vault/v1/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultStatusResponse {
    /// The agency whose records the vault holds.
    pub agency: AgencyId,
    /// The chain it registers them on.
    pub chain_id: ChainId,
    /// The account the vault signs its transactions and reads with (an official holding `data-controller`).
    pub controller: Address,
    /// Whether the node answered the vault's last request.
    pub node_reachable: bool,
    /// Its queue on the ledger.
    pub queue: QueuePosition,
    /// The height of the last queue reading the vault processed; `null` before the first.
    pub last_height: Option<u64>,
    /// Records held (registered or on their way); this and the two counts below are exact up to 10,000, which
    /// stands for "at least 10,000".
    pub records_held: u64,
    /// Records erased.
    pub records_erased: u64,
    /// Sealed releases stored whose `fulfil_access` is not committed yet.
    pub releases_waiting: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request() -> IngestRequest {
        let fields = serde_json::from_value(json!({"blood_type": "O+", "allergies": ["penicillin"], "age": 42}));
        IngestRequest {
            agency: "hospital".parse().unwrap(),
            owner: Address([3; 20]),
            category: "health.summary".into(),
            fields: fields.unwrap(),
            controller: Address([9; 20]),
            at_ms: 1_000,
        }
    }

    #[test]
    fn fields_are_one_object_sorted_by_name_with_compact_texts() {
        let fields = request().fields;
        assert_eq!(fields.iter().map(|(n, _)| n).collect::<Vec<_>>(), ["age", "allergies", "blood_type"]);
        assert_eq!(
            fields.texts(),
            [
                ("age".into(), "42".into()),
                ("allergies".into(), r#"["penicillin"]"#.into()),
                ("blood_type".into(), r#""O+""#.into())
            ]
        );
        let text = serde_json::to_string(&fields).unwrap();
        assert_eq!(text, r#"{"age":42,"allergies":["penicillin"],"blood_type":"O+"}"#);
        assert_eq!(serde_json::from_str::<RecordFields>(&text).unwrap(), fields);
    }

    #[test]
    fn a_field_given_twice_or_one_too_many_is_refused_while_decoding() {
        let e = serde_json::from_str::<RecordFields>(r#"{"a":1,"b":2,"a":3}"#).unwrap_err().to_string();
        assert!(e.contains("\"a\" is given twice"), "{e}");
        let many: String = (0..=MAX_RECORD_FIELDS).map(|i| format!("\"f{i}\":{i}")).collect::<Vec<_>>().join(",");
        let e = serde_json::from_str::<RecordFields>(&format!("{{{many}}}")).unwrap_err().to_string();
        assert!(e.contains("at most 64 fields"), "{e}");
        assert!(serde_json::from_str::<RecordFields>("[1,2]").is_err());
        assert!(RecordFields::new([("x".into(), json!(1)), ("x".into(), json!(2))]).is_err());
    }

    #[test]
    fn a_request_is_signed_over_its_sorted_texts_for_one_chain() {
        let request = request();
        let message = request.signing_message("chain-a");
        assert_ne!(message, request.signing_message("chain-b"));
        // The same fields given in another order sign the same bytes; another value does not.
        let reordered: RecordFields =
            serde_json::from_value(json!({"blood_type": "O+", "age": 42, "allergies": ["penicillin"]})).unwrap();
        assert_eq!(IngestRequest { fields: reordered, ..request.clone() }.signing_message("chain-a"), message);
        let changed: RecordFields =
            serde_json::from_value(json!({"blood_type": "A-", "age": 42, "allergies": ["penicillin"]})).unwrap();
        assert_ne!(IngestRequest { fields: changed, ..request.clone() }.signing_message("chain-a"), message);
        let mut json = serde_json::to_value(SignedIngest { request, signature: "AA==".into() }).unwrap();
        json["request"]["extra"] = json!(1);
        assert!(serde_json::from_value::<SignedIngest>(json).is_err());
    }

    #[test]
    fn a_record_state_keeps_its_json_form() {
        let held = RecordStatusResponse { record: 3, state: RecordHolding::Held };
        assert_eq!(serde_json::to_value(&held).unwrap(), json!({"record": 3, "state": "held"}));
        let erased = RecordStatusResponse {
            record: 3,
            state: RecordHolding::Erased {
                erased_at_ms: 5,
                order: ErasureOrder::Owner,
                statement: "{}".into(),
                statement_sha256: [1; 32],
                tx: None,
            },
        };
        let json = serde_json::to_value(&erased).unwrap();
        assert_eq!(json["state"]["erased"]["order"], "owner");
        assert_eq!(serde_json::from_value::<RecordStatusResponse>(json).unwrap(), erased);
    }
}
