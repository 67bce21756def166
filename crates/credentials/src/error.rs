//! The one error type of this crate: each variant names the check that failed.

use publica_crypto::Half;

/// Everything that can make a credential, presentation or status list unacceptable, one variant per check.
///
/// Messages say which check failed and what to do; [`CredentialError::check`] gives a stable short name for each
/// variant that callers may show, log or map to their own codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The input does not have the structure the format requires.
    #[error("malformed {what}: {detail}; the input is not a valid {what} and must be reissued or re-presented")]
    Malformed {
        /// Which part was being decoded.
        what: &'static str,
        /// What exactly was wrong.
        detail: String,
    },
    /// An input or an output is larger than its bound.
    #[error("{what} is too large: {actual} bytes or entries, the limit is {limit}; send a smaller one")]
    TooLarge {
        /// What was measured.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// The measured size.
        actual: usize,
    },
    /// A JOSE header asks for `alg: none` (an unsigned token).
    #[error("{at}: `alg` is `none` (an unsigned token); only ML-DSA-65 and EdDSA signatures are accepted")]
    AlgNone {
        /// Which header.
        at: &'static str,
    },
    /// A JOSE header asks for a symmetric (MAC) algorithm, which an issuer's public key cannot check.
    #[error("{at}: `alg` `{alg}` is symmetric; only ML-DSA-65 and EdDSA signatures are accepted")]
    SymmetricAlg {
        /// Which header.
        at: &'static str,
        /// The algorithm named.
        alg: String,
    },
    /// A JOSE header names an algorithm outside the allow-list, or one not allowed in its position.
    #[error("{at}: `alg` `{alg}` is not allowed here (expected `{expected}`)")]
    AlgNotAllowed {
        /// Which header.
        at: &'static str,
        /// The algorithm named.
        alg: String,
        /// The algorithm this position requires.
        expected: &'static str,
    },
    /// A JOSE header lists a critical extension this implementation does not understand (RFC 7515 §4.1.11).
    #[error("{at}: `crit` lists extensions this verifier does not understand; remove `crit` from the header")]
    CritNotUnderstood {
        /// Which header.
        at: &'static str,
    },
    /// A JSON object names the same member twice, which JSON parsers disagree on.
    #[error("{at}: JSON member `{name}` appears twice; each member must appear once")]
    DuplicateMember {
        /// Which JSON text.
        at: &'static str,
        /// The repeated member name.
        name: String,
    },
    /// A JOSE header's `typ` is not the one this kind of token must carry.
    #[error("{at}: `typ` is `{actual}`, expected `{expected}`")]
    WrongType {
        /// Which header.
        at: &'static str,
        /// The required type.
        expected: &'static str,
        /// The type found (empty when absent).
        actual: String,
    },
    /// The policy refuses the classical (EdDSA-only) compact form.
    #[error("the {what} is in the classical compact form (EdDSA only), which this verifier's policy refuses; present the hybrid form")]
    ClassicalFormRefused {
        /// What was presented.
        what: &'static str,
    },
    /// One half of the issuer's signature did not verify under the issuer's key.
    #[error("issuer signature ({half}) is invalid: the token was altered or was not signed by this issuer's key")]
    IssuerSignature {
        /// Which half failed.
        half: Half,
    },
    /// A disclosure's digest appears nowhere in the signed payload.
    #[error("disclosure with digest {digest} is not referenced by the signed payload; it was not issued with this credential")]
    DisclosureNotInPayload {
        /// The disclosure's digest (base64url).
        digest: String,
    },
    /// The same disclosure is presented twice.
    #[error("disclosure with digest {digest} is presented twice; present each disclosure once")]
    DuplicateDisclosure {
        /// The disclosure's digest (base64url).
        digest: String,
    },
    /// The same digest appears twice in the signed payload.
    #[error("digest {digest} appears twice in the signed payload; the credential is invalid")]
    DuplicateDigest {
        /// The repeated digest (base64url).
        digest: String,
    },
    /// A disclosure discloses a reserved claim name (`_sd`, `...`) or a claim that must stay in the clear.
    #[error("a disclosure discloses the reserved claim name `{name}`; the credential is invalid")]
    ReservedClaimDisclosed {
        /// The claim name.
        name: String,
    },
    /// A disclosed claim has the same name as a claim already in the payload.
    #[error("the disclosed claim `{name}` already exists in the signed payload; the credential is invalid")]
    DisclosedClaimExists {
        /// The claim name.
        name: String,
    },
    /// The `_sd_alg` is not `sha-256`.
    #[error("`_sd_alg` is `{alg}`; only `sha-256` is accepted")]
    UnsupportedHashAlg {
        /// The algorithm named.
        alg: String,
    },
    /// The credential (or status list token) has expired.
    #[error("{what} expired at {exp} (now {now}); ask the issuer for a fresh one")]
    Expired {
        /// What expired.
        what: &'static str,
        /// Its `exp`, seconds since the Unix epoch.
        exp: u64,
        /// The verifier's time.
        now: u64,
    },
    /// The credential is not valid yet.
    #[error("credential is not valid before {nbf} (now {now}); present it after that time")]
    NotYetValid {
        /// Its `nbf`, seconds since the Unix epoch.
        nbf: u64,
        /// The verifier's time.
        now: u64,
    },
    /// The presentation carries no key-binding JWT (or, in the hybrid form, not both of them).
    #[error(
        "key binding is missing: {detail}; present the credential with a key-binding JWT for this audience and nonce"
    )]
    KeyBindingMissing {
        /// Which key-binding JWT is missing.
        detail: &'static str,
    },
    /// A key-binding JWT's signature does not verify under the holder's key from `cnf`.
    #[error("key binding signature ({half}) is invalid: the presentation was not signed by the credential's holder")]
    KeyBindingSignature {
        /// Which half failed.
        half: Half,
    },
    /// The key-binding JWT is for another audience.
    #[error(
        "key binding is for audience `{actual}`, expected `{expected}`; the presentation was made for another verifier"
    )]
    KeyBindingAudience {
        /// The verifier's own identifier.
        expected: String,
        /// The `aud` in the key-binding JWT.
        actual: String,
    },
    /// The key-binding JWT answers another nonce (a replayed presentation).
    #[error(
        "key binding nonce does not match this verifier's nonce; the presentation is replayed or stale, present again"
    )]
    KeyBindingNonce,
    /// The key-binding JWT's `iat` is too old or in the future.
    #[error("key binding was made at {iat}, outside the accepted window at {now}; present again")]
    KeyBindingTime {
        /// The key-binding JWT's `iat`.
        iat: u64,
        /// The verifier's time.
        now: u64,
    },
    /// The key-binding JWT's `sd_hash` does not match the presented credential and disclosures.
    #[error("key binding `sd_hash` does not match the presented credential and disclosures; they were altered after the holder signed")]
    SdHashMismatch,
    /// The credential binds no holder key (`cnf`).
    #[error("the credential has no usable holder key in `cnf`: {detail}")]
    HolderKeyMissing {
        /// What was wrong.
        detail: &'static str,
    },
    /// The key given to a holder operation is not the one the credential is bound to.
    #[error("the holder key given is not the key the credential is bound to (`cnf`); use the key the credential was issued to")]
    HolderKeyMismatch,
    /// A claim asked for in a presentation or given at issuance is unknown or not acceptable.
    #[error("claim `{name}`: {detail}")]
    Claim {
        /// The claim name.
        name: String,
        /// What was wrong.
        detail: &'static str,
    },
    /// A status list token is for another list than the one expected.
    #[error("status list token is for `{actual}`, expected `{expected}`; fetch the list the credential names")]
    StatusListUri {
        /// The URI the caller expected (the credential's `status.status_list.uri`).
        expected: String,
        /// The token's `sub`.
        actual: String,
    },
    /// A status list index is outside the list.
    #[error("status list index {index} is out of range (the list has {len} entries)")]
    StatusIndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The number of entries.
        len: usize,
    },
    /// A status value does not fit in the list's entry width, or the width is not 1 or 2 bits.
    #[error("status list: {detail}")]
    StatusValue {
        /// What was wrong.
        detail: String,
    },
}

impl CredentialError {
    /// A stable short name of the check that failed, e.g. `issuer_signature` or `key_binding_nonce`.
    pub fn check(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::AlgNone { .. } => "alg_none",
            Self::SymmetricAlg { .. } => "alg_symmetric",
            Self::AlgNotAllowed { .. } => "alg_not_allowed",
            Self::CritNotUnderstood { .. } => "crit_not_understood",
            Self::DuplicateMember { .. } => "duplicate_member",
            Self::WrongType { .. } => "wrong_typ",
            Self::ClassicalFormRefused { .. } => "classical_form_refused",
            Self::IssuerSignature { .. } => "issuer_signature",
            Self::DisclosureNotInPayload { .. } => "disclosure_not_in_payload",
            Self::DuplicateDisclosure { .. } => "duplicate_disclosure",
            Self::DuplicateDigest { .. } => "duplicate_digest",
            Self::ReservedClaimDisclosed { .. } => "reserved_claim_disclosed",
            Self::DisclosedClaimExists { .. } => "disclosed_claim_exists",
            Self::UnsupportedHashAlg { .. } => "sd_alg_unsupported",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::KeyBindingMissing { .. } => "key_binding_missing",
            Self::KeyBindingSignature { .. } => "key_binding_signature",
            Self::KeyBindingAudience { .. } => "key_binding_audience",
            Self::KeyBindingNonce => "key_binding_nonce",
            Self::KeyBindingTime { .. } => "key_binding_time",
            Self::SdHashMismatch => "sd_hash_mismatch",
            Self::HolderKeyMissing { .. } => "holder_key_missing",
            Self::HolderKeyMismatch => "holder_key_mismatch",
            Self::Claim { .. } => "claim",
            Self::StatusListUri { .. } => "status_list_uri",
            Self::StatusIndexOutOfRange { .. } => "status_index_out_of_range",
            Self::StatusValue { .. } => "status_value",
        }
    }

    pub(crate) fn malformed(what: &'static str, detail: impl Into<String>) -> Self {
        Self::Malformed { what, detail: detail.into() }
    }
}
