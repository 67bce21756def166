//! Offline formats of Publica's verifiable credentials: SD-JWT VCs and Token Status Lists, signed with hybrid
//! (ML-DSA-65 + Ed25519) keys, with no state, no I/O and no knowledge of the ledger.
//!
//! * [`jose`]: base64url, `AKP`/`OKP` JWKs, JWS compact and JSON general serialisation, the algorithm allow-list.
//! * [`sdjwt`]: [`issue`], [`present`], [`verify_presentation`], [`issuer_of`], [`parse_issued`],
//!   [`credential_digest`].
//! * [`status_list`]: [`StatusList`], [`issue_status_list_token`], [`verify_status_list_token`].
//!
//! docs/credentials.md specifies every header, claim and signed byte.

#![warn(missing_docs)]

pub mod error;
pub mod jose;
pub mod json;
pub mod request;
pub mod sdjwt;
pub mod status_list;

pub use error::CredentialError;
pub use request::{peek_request, sign_request, verify_request, CredentialRequest, TYP_CREDENTIAL_REQUEST};
pub use sdjwt::{
    credential_digest, issue, issuer_of, parse_issued, peek, present, verify_presentation, Claim, CredentialContent,
    CredentialHeader, Form, HolderKey, IssuedCredential, Issuer, StatusReference, VerifiedPresentation, VerifyPolicy,
};
pub use status_list::{
    issue_status_list_token, verify_status_list_token, StatusList, StatusListToken, STATUS_INVALID, STATUS_SUSPENDED,
    STATUS_VALID,
};

/// Largest credential or presentation accepted or produced, in bytes of text (a hybrid presentation of three
/// claims is 14.4 KB: two ML-DSA-65 signatures and an ML-DSA-65 key; its compact form 1.5 KB).
pub const MAX_CREDENTIAL_BYTES: usize = 65_536;
/// Most disclosures (and decoy digests) in one credential.
pub const MAX_DISCLOSURE_COUNT: usize = 256;
/// Most decoy digests one credential may carry.
pub const MAX_DECOY_COUNT: usize = 64;
/// Longest claim name, in bytes.
pub const MAX_CLAIM_NAME_BYTES: usize = 256;
/// Most entries in one status list (2^24; one list must hold at least 1,000,000).
pub const MAX_STATUS_LIST_ENTRIES: usize = 1 << 24;
/// Largest status list token, in bytes of text (a 2-bit list of [`MAX_STATUS_LIST_ENTRIES`] that does not compress
/// at all is 4 MiB, 5.6 MiB in base64url).
pub const MAX_STATUS_LIST_TOKEN_BYTES: usize = 8 << 20;

const _: () = assert!(MAX_DECOY_COUNT <= MAX_DISCLOSURE_COUNT);
const _: () = assert!(MAX_STATUS_LIST_ENTRIES >= 1_000_000);
const _: () = assert!((MAX_STATUS_LIST_ENTRIES * 2 / 8) * 4 / 3 + 4096 <= MAX_STATUS_LIST_TOKEN_BYTES);
