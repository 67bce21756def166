//! The body and answer of `POST /v1/credentials/verify`: a credential presentation checked by the node against its
//! own state, with the same checks as `publica_verify::verify_credential` (`docs/credentials.md`).

use publica_identity::schema::Accreditation;
use publica_types::Address;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What to verify, and what the verifier expects (`POST /v1/credentials/verify`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyCredentialRequest {
    /// The presentation: the hybrid JSON serialisation or the compact form, with its key-binding JWT.
    pub presentation: String,
    /// The audience its key-binding JWT must name (the verifier's identifier).
    pub audience: String,
    /// The nonce the verifier gave the holder.
    pub nonce: String,
    /// Also accept the classical compact form (EdDSA only); refused when false or absent.
    #[serde(default)]
    pub accept_compact: bool,
    /// Accept only these trust roots at the top of the accreditation chain (absent or null: any root the ledger
    /// knows; an empty list is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_roots: Option<Vec<Address>>,
}

/// The block a credential's status is proven as of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusAsOf {
    /// Its height.
    pub height: u64,
    /// Its time, Unix milliseconds.
    pub time_ms: u64,
}

/// A presentation that passed every check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidCredential {
    /// Always true.
    pub valid: bool,
    /// The issuer's DID.
    pub issuer: String,
    /// The credential type (`vct`).
    #[serde(rename = "type")]
    pub credential_type: String,
    /// The claims shown: those issued in the clear and those disclosed.
    pub claims: Map<String, Value>,
    /// The issuer's accreditation for the type in force at issuance (the first link of its chain).
    pub accreditation: Accreditation,
    /// When the credential has a status: the block its status (valid) is proven as of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_as_of: Option<StatusAsOf>,
}

/// A presentation that was refused: the check that failed and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidCredential {
    /// Always false.
    pub valid: bool,
    /// The name of the check that failed (`publica_verify::CredentialCheckError::check`), e.g. `revoked`,
    /// `accreditation`, `key_binding_nonce`.
    pub check: String,
    /// What it found, and what to do.
    pub reason: String,
}

/// The answer of `POST /v1/credentials/verify` (status 200 either way: a refused credential is an answer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VerifyCredentialResponse {
    /// `{"valid": true, …}` (boxed: it is much the larger).
    Valid(Box<ValidCredential>),
    /// `{"valid": false, "check", "reason"}`.
    Invalid(InvalidCredential),
}

impl VerifyCredentialResponse {
    /// The answer for a valid credential.
    pub fn valid(
        issuer: String,
        credential_type: String,
        claims: Map<String, Value>,
        accreditation: Accreditation,
        status_as_of: Option<StatusAsOf>,
    ) -> Self {
        Self::Valid(Box::new(ValidCredential {
            valid: true,
            issuer,
            credential_type,
            claims,
            accreditation,
            status_as_of,
        }))
    }

    /// The answer for a refused credential.
    pub fn invalid(check: &str, reason: String) -> Self {
        Self::Invalid(InvalidCredential { valid: false, check: check.to_owned(), reason })
    }

    /// Whether the credential passed every check.
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid(_))
    }
}
