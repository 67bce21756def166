//! The identity module's calls: their wire form (borsh for signing, JSON for the API), owned by the module and
//! gathered into the transaction envelope by `publica-tx`. Variant order is part of the encoding: new variants are
//! only ever appended.
//!
//! Credentials themselves never reach the ledger: only the schemas they follow, who may issue them
//! (accreditations), their status bits and holders' consents to rely on them.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{Address, Hash};

/// Largest credential type name (an SD-JWT VC `vct` value), in bytes.
pub const MAX_TYPE_NAME_BYTES: usize = 200;
/// Largest schema document, in bytes.
pub const MAX_SCHEMA_DOCUMENT_BYTES: usize = 16 * 1024;
/// The `$schema` every schema document declares: JSON Schema 2020-12.
pub const SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
/// Most entries a status list holds (2^24).
pub const MAX_STATUS_LIST_ENTRIES: u32 = 1 << 24;
/// Most indices one status update carries.
pub const MAX_STATUS_UPDATE_INDICES: usize = 10_000;
/// Most claim names one consent covers.
pub const MAX_CONSENT_CLAIMS: usize = 32;
/// Largest claim name in a consent, in bytes.
pub const MAX_CLAIM_NAME_BYTES: usize = 64;
/// Largest purpose of a consent, in bytes.
pub const MAX_PURPOSE_BYTES: usize = 256;

/// An entry's status: valid.
pub const STATUS_VALID: u8 = 0;
/// An entry's status: revoked, for good.
pub const STATUS_REVOKED: u8 = 1;
/// An entry's status: suspended (two-bit lists only); may go back to valid.
pub const STATUS_SUSPENDED: u8 = 2;

/// Calls of the identity module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum IdentityCall {
    /// A trust root registers a credential schema: a JSON Schema 2020-12 document (at most
    /// [`MAX_SCHEMA_DOCUMENT_BYTES`]), identified by its SHA-256, for a type name and version, once.
    RegisterSchema {
        /// The credential type (an SD-JWT VC `vct`): see [`check_type_name`].
        type_name: String,
        /// The schema's version for this type.
        version: u32,
        /// The JSON document, as bytes (hex in JSON).
        #[serde(with = "publica_types::codec::hex_bytes")]
        document: Vec<u8>,
    },
    /// "`issuer` may issue `credential_type` following `schema` from `valid_from_ms` until `valid_until_ms`",
    /// by a trust root or by an official accredited for the type; numbered by the chain.
    Accredit {
        /// The accredited official.
        issuer: Address,
        /// The credential type.
        credential_type: String,
        /// The SHA-256 of a schema registered for the type.
        #[serde(with = "publica_types::codec::hex_hash")]
        schema: Hash,
        /// Start of the window (inclusive), Unix milliseconds.
        valid_from_ms: u64,
        /// End of the window (exclusive), Unix milliseconds.
        valid_until_ms: u64,
    },
    /// End an accreditation (and with it every accreditation made under it), by its accreditor or a trust root.
    RevokeAccreditation {
        /// The accreditation's number.
        id: u64,
    },
    /// An official opens a Token Status List of `capacity` entries of `bits` bits (1 or 2); numbered per owner.
    CreateStatusList {
        /// Bits per entry: 1 (valid or revoked) or 2 (also suspended).
        bits: u8,
        /// Number of entries, 1 to [`MAX_STATUS_LIST_ENTRIES`].
        capacity: u32,
    },
    /// The owner of list `list` sets `status` on `indices` (strictly increasing, at most
    /// [`MAX_STATUS_UPDATE_INDICES`]).
    UpdateStatus {
        /// The list's number among the sender's lists.
        list: u32,
        /// The new status: [`STATUS_VALID`], [`STATUS_REVOKED`] or [`STATUS_SUSPENDED`].
        status: u8,
        /// The entries to set.
        indices: Vec<u32>,
    },
    /// A citizen lets `grantee` rely on the credential with digest `credential` for `claims`, for `purpose`, until
    /// `until_ms`; numbered by the chain.
    GrantConsent {
        /// Who may rely on the credential.
        grantee: Address,
        /// A commitment to the credential (its digest), never its contents.
        #[serde(with = "publica_types::codec::hex_hash")]
        credential: Hash,
        /// The claim names the grantee may rely on.
        claims: Vec<String>,
        /// Why (free text, without personal data).
        purpose: String,
        /// End of the consent (exclusive), Unix milliseconds; after the block's time.
        until_ms: u64,
    },
    /// The grantor ends a consent.
    RevokeConsent {
        /// The consent's number.
        id: u64,
    },
    /// The grantee records that it relied on a consent in force.
    RecordConsentUse {
        /// The consent's number.
        id: u64,
    },
}

impl IdentityCall {
    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Self::RegisterSchema { .. } => "register_schema",
            Self::Accredit { .. } => "accredit",
            Self::RevokeAccreditation { .. } => "revoke_accreditation",
            Self::CreateStatusList { .. } => "create_status_list",
            Self::UpdateStatus { .. } => "update_status",
            Self::GrantConsent { .. } => "grant_consent",
            Self::RevokeConsent { .. } => "revoke_consent",
            Self::RecordConsentUse { .. } => "record_consent_use",
        }
    }
}

/// Check a credential type name: 1 to [`MAX_TYPE_NAME_BYTES`] bytes of the characters RFC 3986 allows in a URI
/// (letters, digits and `-._~:/?#[]@!$&'()*+,;=%`), e.g. `https://publica.example/vct/diploma`.
pub fn check_type_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_TYPE_NAME_BYTES {
        return Err(format!(
            "a credential type name has 1 to {MAX_TYPE_NAME_BYTES} bytes, this one has {}",
            name.len()
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        return Err(format!("a credential type name is made of URI characters; {c:?} is not one"));
    }
    Ok(())
}

/// Check a short public text (a claim name or a purpose): 1 to `max_bytes` bytes, no control characters.
pub fn check_text(what: &str, text: &str, max_bytes: usize) -> Result<(), String> {
    if text.is_empty() || text.len() > max_bytes {
        return Err(format!("a {what} has 1 to {max_bytes} bytes, this one has {}", text.len()));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("a {what} may not contain control characters"));
    }
    Ok(())
}
