//! Offline verification of state proofs, commit certificates and notary receipts, with few dependencies.
//!
//! A [`ReadProof`] says "under the header of block H, which these validators certified, key K has value V (or
//! no value)". Checking it needs only the validator set's public keys (from the genesis document, or a trusted
//! copy): no node, no network. The checks, in order, each with its own error:
//!
//! 1. the certificate is for this header: same height, and it signs the header's hash;
//! 2. the header names this validator set (`validator_set_hash`) and this network;
//! 3. the certificate carries valid hybrid signatures from more than two thirds of the set's voting power;
//! 4. the state proof leads from (K, V) to the header's `state_root`.
//!
//! The [`registry`] module checks the registries' "as of a date" answers built from such proofs. The [`receipt`]
//! module verifies the notary's receipts (C2SP tlog-proofs) the same way: offline, against the
//! validators' keys and, when wanted, independent witnesses' keys.

pub mod history;
pub mod receipt;
pub mod registry;

use serde::{Deserialize, Serialize};

pub use history::{SetChange, ValidatorHistory, VerifiedSets};
pub use receipt::{
    parse_consistency_proof, verify_extension, verify_receipt, CheckpointSigners, ReceiptError, ReceiptPolicy,
    VerifiedExtension, VerifiedReceipt, WitnessCosignature, MAX_CONSISTENCY_PROOF_BYTES,
};
pub use registry::{
    verify_ownership, verify_permit_status, AsOfAnswer, Coverage, OwnershipAnswer, PermitStatusAnswer, VerifiedAsOf,
};

use publica_merkle::StateProof;
use publica_types::codec::hex_bytes;
use publica_types::{BlockHeader, ChainId, CommitCertificate, Genesis, ValidatorSet};

/// Largest proof document accepted, bytes of JSON.
pub const MAX_PROOF_JSON_BYTES: usize = 8 << 20;

/// Why a proof was refused.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The document is not a proof.
    #[error("not a valid proof document: {0}")]
    Malformed(String),
    /// The header is for another network.
    #[error("the header is for chain {got}, expected {expected}")]
    WrongChain { expected: ChainId, got: ChainId },
    /// The certificate is for another block.
    #[error("the certificate is for {0}, not for this header")]
    CertificateMismatch(String),
    /// The header was signed by another validator set than the one given.
    #[error("the header names validator set {header}, but the keys given form set {given}; use the validator set of that height")]
    ValidatorSetMismatch { header: String, given: String },
    /// The certificate's signatures do not make a quorum.
    #[error("{0}")]
    Certificate(String),
    /// A link of a validator history does not hold.
    #[error("validator history, change {index} (block {height}): {reason}")]
    History { index: usize, height: u64, reason: String },
    /// The state proof does not lead to the header's state root.
    #[error("the state proof does not match the certified state root: {0}")]
    StateProof(String),
    /// The proofs verify, but they do not establish what the answer claims.
    #[error("the answer does not follow from its proofs: {0}")]
    Answer(String),
}

/// A header and the certificate that decided it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertifiedHeader {
    /// The header.
    pub header: BlockHeader,
    /// Its commit certificate.
    pub certificate: CommitCertificate,
}

impl CertifiedHeader {
    /// Checks 1 to 3 of the crate documentation.
    pub fn verify(&self, chain_id: &ChainId, validators: &ValidatorSet) -> Result<(), VerifyError> {
        let h = &self.header;
        if &h.chain_id != chain_id {
            return Err(VerifyError::WrongChain { expected: chain_id.clone(), got: h.chain_id.clone() });
        }
        let c = &self.certificate;
        if c.height != h.height {
            return Err(VerifyError::CertificateMismatch(format!(
                "height {}, header is height {}",
                c.height, h.height
            )));
        }
        if c.block_hash != h.hash() {
            return Err(VerifyError::CertificateMismatch("another block hash".into()));
        }
        if h.validator_set_hash != validators.hash() {
            return Err(VerifyError::ValidatorSetMismatch {
                header: hex(&h.validator_set_hash),
                given: hex(&validators.hash()),
            });
        }
        c.verify(chain_id, validators).map_err(|e| VerifyError::Certificate(e.to_string()))
    }
}

/// A certified state read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadProof {
    /// The certified header whose state root the proof leads to.
    #[serde(flatten)]
    pub certified: CertifiedHeader,
    /// The state key read.
    #[serde(with = "hex_bytes")]
    pub key: Vec<u8>,
    /// Its value, or `null` when the key is absent.
    #[serde(with = "opt_hex_bytes")]
    pub value: Option<Vec<u8>>,
    /// The Merkle proof.
    pub proof: StateProof,
}

/// What a verified proof establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRead {
    /// The network.
    pub chain_id: ChainId,
    /// Height of the certified header.
    pub height: u64,
    /// Its block time, Unix milliseconds.
    pub time_ms: u64,
    /// Number of validators that signed.
    pub signers: usize,
    /// The key.
    pub key: Vec<u8>,
    /// The value, or `None` when proven absent.
    pub value: Option<Vec<u8>>,
}

impl ReadProof {
    /// Parse a proof document (JSON).
    pub fn from_json(bytes: &[u8]) -> Result<Self, VerifyError> {
        if bytes.len() > MAX_PROOF_JSON_BYTES {
            return Err(VerifyError::Malformed(format!(
                "{} bytes, more than the limit of {MAX_PROOF_JSON_BYTES}",
                bytes.len()
            )));
        }
        serde_json::from_slice(bytes).map_err(|e| VerifyError::Malformed(e.to_string()))
    }

    /// Every check of the crate documentation.
    pub fn verify(&self, chain_id: &ChainId, validators: &ValidatorSet) -> Result<VerifiedRead, VerifyError> {
        self.certified.verify(chain_id, validators)?;
        self.verify_state_only()
    }

    /// Check 4 alone, for a proof whose certified header was already verified (several proofs under one header).
    pub(crate) fn verify_state_only(&self) -> Result<VerifiedRead, VerifyError> {
        let h = &self.certified.header;
        self.proof
            .verify(&h.state_root, &self.key, self.value.as_deref())
            .map_err(|e| VerifyError::StateProof(e.to_string()))?;
        Ok(VerifiedRead {
            chain_id: h.chain_id.clone(),
            height: h.height,
            time_ms: h.time_ms,
            signers: self.certified.certificate.signatures.len(),
            key: self.key.clone(),
            value: self.value.clone(),
        })
    }

    /// Verify against the set of the header's height, from validator sets verified from the genesis set.
    pub fn verify_with_sets(&self, sets: &VerifiedSets) -> Result<VerifiedRead, VerifyError> {
        self.verify(sets.chain_id(), sets.at_height(self.certified.header.height))
    }

    /// Verify against the first validator set of a network, from its genesis document.
    pub fn verify_with_genesis(&self, genesis: &Genesis) -> Result<VerifiedRead, VerifyError> {
        self.verify(&genesis.chain_id, &genesis.validators)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

mod opt_hex_bytes {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|b| super::hex(b)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            if s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(serde::de::Error::custom("value must be an even number of hex digits"));
            }
            Ok((0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex checked")).collect())
        })
        .transpose()
    }
}
