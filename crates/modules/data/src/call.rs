//! The data module's calls: their wire form (borsh for signing, JSON for the API), owned by the module and gathered
//! into the transaction envelope by `publica-tx`. Variant order is part of the encoding: new variants are only ever
//! appended.
//!
//! No call carries personal data: a record is named by its salted commitment, its owner by their account, its
//! contents by a category (`health.summary`) and a number of fields. Purposes, categories and field names are short
//! machine names, never free text about a person.

use base64::Engine as _;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{Address, AgencyId, Hash};

/// Longest category (`[a-z0-9.-]`, e.g. `health.summary`), in bytes.
pub const MAX_CATEGORY_BYTES: usize = 64;
/// Longest purpose (`[a-z0-9.-]`, e.g. `treatment`), in bytes.
pub const MAX_PURPOSE_BYTES: usize = 64;
/// Longest field name (`[a-z0-9_]`, e.g. `blood_type`), in bytes.
pub const MAX_FIELD_NAME_BYTES: usize = 64;
/// Most fields of one record (and of one study's declaration).
pub const MAX_FIELDS: usize = 64;
/// Longest kept retention, in days (100 years).
pub const MAX_RETENTION_DAYS: u32 = 36_500;
/// Most categories one emergency or one study names.
pub const MAX_CATEGORIES: usize = 16;
/// Most agencies one emergency lets read.
pub const MAX_EMERGENCY_GRANTEES: usize = 32;
/// Longest study title, in bytes.
pub const MAX_TITLE_BYTES: usize = 200;
/// Longest reason code of a declined access (`[a-z0-9_]`, e.g. `record_unreadable`), in bytes.
pub const MAX_REASON_CODE_BYTES: usize = 64;
/// Largest sealed release a vault reports, in bytes: a plaintext of at most 16 MiB with its sealing's overhead.
pub const MAX_RELEASE_BYTES: u64 = 16 * 1024 * 1024 + 4096;
/// One day, in milliseconds (retention is counted in days).
pub const DAY_MS: u64 = 86_400_000;
/// How far ahead a consent, a court order, an emergency, a study or a representation may end: ten years, leap days
/// included.
pub const MAX_AHEAD_MS: u64 = 3_653 * DAY_MS;
/// Length of a recipient key's X25519 half, in bytes.
pub const X25519_KEY_BYTES: usize = 32;
/// Length of a recipient key's ML-KEM-768 encapsulation key, in bytes (FIPS 203).
pub const ML_KEM_768_KEY_BYTES: usize = 1184;

/// Who a consent lets read: an agency (any of its `data-requester` officials), one account (a doctor), or the
/// researchers of an approved study (who then get only the study's declared fields).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    /// Every `data-requester` of this agency.
    Agency(AgencyId),
    /// This account only (it must hold `data-requester`).
    Account(Address),
    /// The `researcher`s of this study's agency, while the study is approved and running.
    Study(u64),
}

/// The legal basis an access request names.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The owner's consent of this number.
    Consent(u64),
    /// The court order of this number.
    CourtOrder(u64),
    /// The public-health emergency of this number.
    Emergency(u64),
    /// The record's owner (or their legal representative) asks for their own record.
    Owner,
}

/// On whose order a record is erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureOrder {
    /// The owner's (or their representative's) `order_erasure`.
    Owner,
    /// The agency's retention rule for the record's category, once its time has passed.
    Retention,
}

/// A requester's recipient key, to which the vault seals the release: an X25519 public key and an ML-KEM-768
/// encapsulation key (the hybrid KEM of `publica_crypto::kem`, which the vault converts it to). JSON: both halves
/// in standard padded base64.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct RecipientKey {
    /// The X25519 public key.
    #[serde(with = "base64_x25519")]
    pub x25519: [u8; X25519_KEY_BYTES],
    /// The ML-KEM-768 encapsulation key, [`ML_KEM_768_KEY_BYTES`] bytes.
    #[serde(with = "base64_ml_kem")]
    pub ml_kem: Vec<u8>,
}

impl RecipientKey {
    /// Check the key's shape: an ML-KEM-768 key of exactly [`ML_KEM_768_KEY_BYTES`] bytes and an X25519 key that
    /// is not all zeros. Whether the halves are valid points and keys is the vault's to find out when it seals.
    pub fn check(&self) -> Result<(), String> {
        if self.ml_kem.len() != ML_KEM_768_KEY_BYTES {
            return Err(format!(
                "a recipient key's ML-KEM-768 half has {ML_KEM_768_KEY_BYTES} bytes, this one {}",
                self.ml_kem.len()
            ));
        }
        if self.x25519 == [0; X25519_KEY_BYTES] {
            return Err("a recipient key's X25519 half is all zeros; make a new recipient key".into());
        }
        Ok(())
    }
}

/// Calls of the data module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum DataCall {
    /// A `data-controller` registers a record its agency's vault holds: its owner, category, salted commitment and
    /// number of fields; numbered by the chain. A commitment is registered once.
    RegisterRecord {
        /// The record's owner: an active citizen.
        owner: Address,
        /// Its category.
        category: String,
        /// The commitment to its fields (`crate::verify::commitment`).
        #[serde(with = "publica_types::codec::hex_hash")]
        commitment: Hash,
        /// How many fields it has, 1 to [`MAX_FIELDS`].
        fields: u16,
    },
    /// A `data-controller` sets how long its agency keeps records of a category, or clears the rule.
    SetRetention {
        /// The category.
        category: String,
        /// Days from a record's registration after which it is erased, 1 to [`MAX_RETENTION_DAYS`]; 0 clears the
        /// rule.
        keep_days: u32,
    },
    /// The owner, or their legal representative, lets a grantee read the owner's records of a category for a
    /// purpose until a time; numbered by the chain.
    GrantConsent {
        /// The citizen whose records it covers.
        owner: Address,
        /// Who may read.
        grantee: Grantee,
        /// The category covered.
        category: String,
        /// The purpose covered.
        purpose: String,
        /// End (exclusive), Unix milliseconds: after the block's time, at most [`MAX_AHEAD_MS`] ahead.
        until_ms: u64,
    },
    /// The owner, or their legal representative, revokes a consent.
    RevokeConsent {
        /// The consent's number.
        consent: u64,
    },
    /// A `court` appoints a legal representative, who may then do what the citizen may.
    AppointRepresentative {
        /// The represented citizen.
        citizen: Address,
        /// The representative: an active account other than the citizen.
        representative: Address,
        /// End (exclusive), Unix milliseconds.
        until_ms: u64,
    },
    /// A `court` ends a representation.
    EndRepresentation {
        /// The represented citizen.
        citizen: Address,
        /// The representative.
        representative: Address,
    },
    /// A `court` orders that an agency may read a citizen's records of a category; numbered by the chain and
    /// visible to the citizen.
    IssueCourtOrder {
        /// The citizen.
        owner: Address,
        /// The category.
        category: String,
        /// The agency that may read.
        grantee: AgencyId,
        /// The purpose.
        purpose: String,
        /// End (exclusive), Unix milliseconds.
        until_ms: u64,
        /// SHA-256 of the order's document.
        #[serde(with = "publica_types::codec::hex_hash")]
        order_sha256: Hash,
    },
    /// A `health-authority` declares a public-health emergency letting agencies read categories for a purpose;
    /// numbered by the chain, public.
    DeclareEmergency {
        /// The categories, 1 to [`MAX_CATEGORIES`].
        categories: Vec<String>,
        /// The agencies that may read, 1 to [`MAX_EMERGENCY_GRANTEES`].
        grantees: Vec<AgencyId>,
        /// The purpose.
        purpose: String,
        /// End (exclusive), Unix milliseconds.
        until_ms: u64,
        /// SHA-256 of the declaration's document.
        #[serde(with = "publica_types::codec::hex_hash")]
        declaration_sha256: Hash,
    },
    /// An official of the declaring health authority ends an emergency.
    EndEmergency {
        /// The emergency's number.
        emergency: u64,
    },
    /// A `researcher` proposes a study: the categories and fields it reads, for a purpose, until a time; numbered
    /// by the chain, public.
    ProposeStudy {
        /// Its title.
        title: String,
        /// The categories, 1 to [`MAX_CATEGORIES`].
        categories: Vec<String>,
        /// The declared fields, 1 to [`MAX_FIELDS`]: all the study's researchers ever get of a record.
        fields: Vec<String>,
        /// The purpose.
        purpose: String,
        /// End (exclusive), Unix milliseconds.
        until_ms: u64,
        /// SHA-256 of the protocol's document.
        #[serde(with = "publica_types::codec::hex_hash")]
        protocol_sha256: Hash,
    },
    /// A `research-ethics-board` of another agency than the study's approves it.
    ApproveStudy {
        /// The study's number.
        study: u64,
    },
    /// A `data-requester` (or, with the basis [`Basis::Owner`], the owner or their representative) asks for a
    /// record. Numbered by the chain and always written, with the state `pending` when the basis holds at the
    /// block's time and `refused` (with the reason) when it does not.
    RequestAccess {
        /// The record's number.
        record: u64,
        /// The purpose.
        purpose: String,
        /// The legal basis.
        basis: Basis,
        /// The key the release is sealed to.
        recipient: RecipientKey,
    },
    /// A `data-controller` of the record's agency reports that its vault released a pending access: the basis is
    /// checked again first, and an access whose basis no longer holds lapses instead.
    FulfilAccess {
        /// The access's number.
        access: u64,
        /// SHA-256 of the sealed release the vault serves.
        #[serde(with = "publica_types::codec::hex_hash")]
        release_sha256: Hash,
        /// Its length, 1 to [`MAX_RELEASE_BYTES`].
        release_bytes: u64,
    },
    /// A `data-controller` of the record's agency declines a pending access (its vault cannot serve it).
    DeclineAccess {
        /// The access's number.
        access: u64,
        /// Why, as a machine name (`[a-z0-9_]`, e.g. `record_unreadable`).
        reason_code: String,
    },
    /// The owner, or their representative, orders a record erased.
    OrderErasure {
        /// The record's number.
        record: u64,
    },
    /// A `data-controller` of the record's agency records that its vault erased the record (destroyed its data key
    /// and ciphertext): the record becomes a tombstone that keeps its commitment.
    RecordErasure {
        /// The record's number.
        record: u64,
        /// On whose order.
        order: ErasureOrder,
        /// SHA-256 of the vault's statement of what it destroyed.
        #[serde(with = "publica_types::codec::hex_hash")]
        statement_sha256: Hash,
    },
}

impl DataCall {
    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Self::RegisterRecord { .. } => "register_record",
            Self::SetRetention { .. } => "set_retention",
            Self::GrantConsent { .. } => "grant_consent",
            Self::RevokeConsent { .. } => "revoke_consent",
            Self::AppointRepresentative { .. } => "appoint_representative",
            Self::EndRepresentation { .. } => "end_representation",
            Self::IssueCourtOrder { .. } => "issue_court_order",
            Self::DeclareEmergency { .. } => "declare_emergency",
            Self::EndEmergency { .. } => "end_emergency",
            Self::ProposeStudy { .. } => "propose_study",
            Self::ApproveStudy { .. } => "approve_study",
            Self::RequestAccess { .. } => "request_access",
            Self::FulfilAccess { .. } => "fulfil_access",
            Self::DeclineAccess { .. } => "decline_access",
            Self::OrderErasure { .. } => "order_erasure",
            Self::RecordErasure { .. } => "record_erasure",
        }
    }

    /// Whether the call's body is withheld from public answers: every call that names a citizen, a record, a
    /// consent, a representation, a court order or an access. Retention rules, emergencies and studies are public.
    pub fn is_private(&self) -> bool {
        !matches!(
            self,
            Self::SetRetention { .. }
                | Self::DeclareEmergency { .. }
                | Self::EndEmergency { .. }
                | Self::ProposeStudy { .. }
                | Self::ApproveStudy { .. }
        )
    }
}

/// Check a machine name of `[a-z0-9.-]`, 1 to `max_bytes` bytes (a category or a purpose).
pub fn check_label(what: &str, text: &str, max_bytes: usize) -> Result<(), String> {
    check_name(what, text, max_bytes, "a-z, 0-9, '.' and '-'", |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'
    })
}

/// Check a category: `[a-z0-9.-]`, 1 to [`MAX_CATEGORY_BYTES`] bytes.
pub fn check_category(category: &str) -> Result<(), String> {
    check_label("category", category, MAX_CATEGORY_BYTES)
}

/// Check a purpose: `[a-z0-9.-]`, 1 to [`MAX_PURPOSE_BYTES`] bytes.
pub fn check_purpose(purpose: &str) -> Result<(), String> {
    check_label("purpose", purpose, MAX_PURPOSE_BYTES)
}

/// Check a field name: `[a-z0-9_]`, 1 to [`MAX_FIELD_NAME_BYTES`] bytes.
pub fn check_field_name(name: &str) -> Result<(), String> {
    check_name("field name", name, MAX_FIELD_NAME_BYTES, "a-z, 0-9 and '_'", |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
    })
}

/// Check a decline's reason code: `[a-z0-9_]`, 1 to [`MAX_REASON_CODE_BYTES`] bytes.
pub fn check_reason_code(code: &str) -> Result<(), String> {
    check_name("reason code", code, MAX_REASON_CODE_BYTES, "a-z, 0-9 and '_'", |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
    })
}

/// Check a study's title: 1 to [`MAX_TITLE_BYTES`] bytes, no control characters.
pub fn check_title(title: &str) -> Result<(), String> {
    if title.is_empty() || title.len() > MAX_TITLE_BYTES {
        return Err(format!("a study's title has 1 to {MAX_TITLE_BYTES} bytes, this one has {}", title.len()));
    }
    if title.chars().any(char::is_control) {
        return Err("a study's title may not contain control characters".into());
    }
    Ok(())
}

fn check_name(
    what: &str,
    text: &str,
    max_bytes: usize,
    rule: &str,
    allowed: impl Fn(u8) -> bool,
) -> Result<(), String> {
    if text.is_empty() || text.len() > max_bytes {
        return Err(format!("a {what} has 1 to {max_bytes} bytes, this one has {}", text.len()));
    }
    if let Some(c) = text.chars().find(|c| !c.is_ascii() || !allowed(*c as u8)) {
        return Err(format!("a {what} is made of {rule}; {c:?} in {:?} is not", truncated(text)));
    }
    Ok(())
}

/// The start of a text for an error message.
fn truncated(text: &str) -> String {
    text.chars().take(80).collect()
}

/// Base64 of a recipient key's ML-KEM half; the text's length is checked before it is decoded.
mod base64_ml_kem {
    use super::*;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <String as Deserialize>::deserialize(d)?;
        // A little more than the key's base64 length: a key of the wrong length still decodes, and is refused by
        // `RecipientKey::check` with its length, while anything far larger is refused here unread.
        if text.len() > 2 * ML_KEM_768_KEY_BYTES {
            return Err(serde::de::Error::custom(format!(
                "an ML-KEM-768 key is {ML_KEM_768_KEY_BYTES} bytes; this base64 text has {} characters",
                text.len()
            )));
        }
        base64::engine::general_purpose::STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}

/// Base64 of a recipient key's X25519 half.
mod base64_x25519 {
    use super::*;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8; X25519_KEY_BYTES], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[u8; X25519_KEY_BYTES], D::Error> {
        let text = <String as Deserialize>::deserialize(d)?;
        if text.len() != 44 {
            return Err(serde::de::Error::custom(format!(
                "an X25519 key is 32 bytes, 44 base64 characters; this text has {}",
                text.len()
            )));
        }
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)?;
        bytes
            .try_into()
            .map_err(|b: Vec<u8>| serde::de::Error::custom(format!("an X25519 key is 32 bytes, this one {}", b.len())))
    }
}
