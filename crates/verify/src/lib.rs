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
//! A document that carries several reads under one header — an API response listing records, a registry answer —
//! carries the header and its certificate **once** (`certified`) and each read as a [`KeyProof`]: the key, the
//! value and the Merkle proof, with the height of the header it leads to as the reference. A certificate holds one
//! hybrid signature (about 4.7 KB) per signer, so repeating it per read would make a page cost signers × items;
//! this way it costs one certificate plus the items. [`verify_document`] checks every proof in any such document.
//!
//! The [`credential`] module checks a credential presentation with the ledger's proofs of its issuer's key,
//! accreditation and status. The [`did`] module checks DID resolutions: the document must be the one the proven account state gives. The
//! [`registry`] module checks the registries' "as of a date" answers built from such proofs. The [`receipt`]
//! module verifies the notary's receipts (C2SP tlog-proofs) the same way: offline, against the
//! validators' keys and, when wanted, independent witnesses' keys.

pub mod credential;
pub mod did;
pub mod history;
pub mod receipt;
pub mod registry;

use serde::{Deserialize, Serialize};

pub use credential::{verify_credential, CredentialBundle, CredentialCheckError, CredentialPolicy, VerifiedCredential};
pub use did::{verify_resolution, DidResolution, VerifiedDid};
pub use history::{SetChange, ValidatorHistory, VerifiedSets};
pub use receipt::{
    parse_consistency_proof, verify_extension, verify_receipt, CheckpointSigners, ReceiptError, ReceiptPolicy,
    VerifiedExtension, VerifiedReceipt, WitnessCosignature, MAX_CONSISTENCY_PROOF_BYTES,
};
pub use registry::{
    ownership_at_header, permit_status_at_header, verify_ownership, verify_permit_status, AsOfAnswer, Coverage,
    OwnershipAnswer, PermitStatusAnswer, VerifiedAsOf,
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
    #[error(
        "the header is for chain {got}, expected {expected}: the document comes from another network; verify it with \
         the genesis.json of {got}"
    )]
    WrongChain { expected: ChainId, got: ChainId },
    /// The certificate is for another block.
    #[error("the certificate is for {0}, not for this header")]
    CertificateMismatch(String),
    /// The header was signed by another validator set than the one given.
    #[error(
        "the header names validator set {header}, but the keys given form set {given}: the validators changed since \
         genesis; give the network's validator history (--api URL of a node, or --history FILE)"
    )]
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
    /// The proofs verify, but they cover the ledger only up to a block before the time asked about: what
    /// happened after that block is not proven either way.
    #[error(
        "the proofs cover the ledger only up to block {height} at {proven_to_ms} ms, before the time asked about \
         ({asked_ms} ms), and no later certified header shows that nothing changed in between: the answer is not \
         proven for that time. Ask a node again for that time (it must answer with the block in force then and \
         the certified header after it), or rely on the answer only up to block {height}"
    )]
    NotCovered {
        /// The time asked about, Unix milliseconds.
        asked_ms: u64,
        /// Height of the proofs' certified header.
        height: u64,
        /// Its block time: the last time the proofs cover.
        proven_to_ms: u64,
    },
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
        self.key_proof().verify_under(&self.certified)
    }

    /// The read without its header, naming the header's height: how a document carrying several reads under one
    /// header holds it.
    pub fn key_proof(&self) -> KeyProof {
        KeyProof {
            height: self.certified.header.height,
            key: self.key.clone(),
            value: self.value.clone(),
            proof: self.proof.clone(),
        }
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

/// A state proof that names, by height, the certified header it leads to. The header and its certificate are
/// carried once by the document holding the proof (its `certified` field), so that a page of proofs costs one
/// certificate, not one per proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyProof {
    /// Height of the certified header whose state root the proof leads to: the reference to the document's
    /// `certified` header, which must be at this height.
    pub height: u64,
    /// The state key read.
    #[serde(with = "hex_bytes")]
    pub key: Vec<u8>,
    /// Its value, or `null` when the key is absent.
    #[serde(with = "opt_hex_bytes")]
    pub value: Option<Vec<u8>>,
    /// The Merkle proof.
    pub proof: StateProof,
}

impl KeyProof {
    /// Check 4 of the crate documentation under `certified`, which the caller has verified (checks 1 to 3) and
    /// which must be the header this proof names.
    pub fn verify_under(&self, certified: &CertifiedHeader) -> Result<VerifiedRead, VerifyError> {
        let h = &certified.header;
        if self.height != h.height {
            return Err(VerifyError::Malformed(format!(
                "the proof of key {} names the header of height {}, but the document's certified header is of \
                 height {}",
                hex(&self.key),
                self.height,
                h.height
            )));
        }
        self.proof
            .verify(&h.state_root, &self.key, self.value.as_deref())
            .map_err(|e| VerifyError::StateProof(e.to_string()))?;
        Ok(VerifiedRead {
            chain_id: h.chain_id.clone(),
            height: h.height,
            time_ms: h.time_ms,
            signers: certified.certificate.signatures.len(),
            key: self.key.clone(),
            value: self.value.clone(),
        })
    }

    /// The self-contained proof document of this read (`GET /v1/state/{key}`'s shape), for a citizen who wants to
    /// keep one read on its own.
    pub fn with_header(&self, certified: &CertifiedHeader) -> ReadProof {
        ReadProof {
            certified: certified.clone(),
            key: self.key.clone(),
            value: self.value.clone(),
            proof: self.proof.clone(),
        }
    }
}

/// Several reads under one certified header, as a node makes them: the header and its certificate once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertifiedReads {
    /// The header all the proofs lead to, with its certificate.
    pub certified: CertifiedHeader,
    /// One proof per key, in the order asked.
    pub reads: Vec<KeyProof>,
}

impl CertifiedReads {
    /// Verify the header once against the set of its height, then every proof under it.
    pub fn verify_with_sets(&self, sets: &VerifiedSets) -> Result<Vec<VerifiedRead>, VerifyError> {
        sets.verify_header(&self.certified)?;
        self.reads.iter().map(|r| r.verify_under(&self.certified)).collect()
    }
}

/// What [`verify_document`] found in a document: every certified header and every read, all verified.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifiedDocument {
    /// The certified headers (`certified` fields and self-contained proofs), in document order.
    pub headers: Vec<(u64, u64, usize)>,
    /// Every state proof, in document order.
    pub reads: Vec<VerifiedRead>,
}

/// Check every proof in an API response or any JSON document built the same way: each object with a
/// `certified` field (`{"header", "certificate"}`) is a scope whose header is verified against the validator set
/// of its height; every [`KeyProof`] inside it (an object of exactly `height`, `key`, `value`, `proof`) must name
/// that header and lead to its state root; every self-contained [`ReadProof`] is checked on its own. A
/// [`KeyProof`] outside any scope, a `certified` field that is not a certified header, an object with `key` and
/// `proof` that is not exactly one of the two proof forms (one field more or less; unless its `proof` is itself an
/// object with `key` and `proof`, which is then held to this rule), or a document with no proof at all is refused: nothing that looks like a proof is ever skipped. The documents' other fields are not interpreted: what a response shows must be read
/// from the proven values.
pub fn verify_document(bytes: &[u8], sets: &VerifiedSets) -> Result<VerifiedDocument, VerifyError> {
    if bytes.len() > MAX_PROOF_JSON_BYTES {
        return Err(VerifyError::Malformed(format!(
            "{} bytes, more than the limit of {MAX_PROOF_JSON_BYTES}",
            bytes.len()
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let mut found = VerifiedDocument::default();
    walk(&value, None, sets, &mut found)?;
    if found.reads.is_empty() {
        return Err(VerifyError::Malformed("the document holds no state proof".into()));
    }
    Ok(found)
}

fn walk(
    value: &serde_json::Value,
    scope: Option<&CertifiedHeader>,
    sets: &VerifiedSets,
    found: &mut VerifiedDocument,
) -> Result<(), VerifyError> {
    use serde_json::Value;
    fn parse<T: serde::de::DeserializeOwned>(what: &str, v: &serde_json::Value) -> Result<T, VerifyError> {
        serde_json::from_value(v.clone()).map_err(|e| VerifyError::Malformed(format!("{what}: {e}")))
    }
    match value {
        Value::Array(items) => items.iter().try_for_each(|v| walk(v, scope, sets, found)),
        Value::Object(fields) => match proof_form(fields)? {
            Some(ProofForm::Key) => {
                let proof: KeyProof = parse("a key proof", value)?;
                let certified = scope.ok_or_else(|| {
                    VerifyError::Malformed(format!(
                        "the proof of key {} is not inside an object with a `certified` header",
                        hex(&proof.key)
                    ))
                })?;
                found.reads.push(proof.verify_under(certified)?);
                Ok(())
            }
            Some(ProofForm::Read) => {
                let proof: ReadProof = parse("a proof", value)?;
                let read = proof.verify_with_sets(sets)?;
                found.headers.push((read.height, read.time_ms, read.signers));
                found.reads.push(read);
                Ok(())
            }
            None => {
                let own;
                let scope = match fields.get("certified") {
                    Some(v) if !v.is_null() => {
                        let certified: CertifiedHeader = parse("the certified header", v)?;
                        sets.verify_header(&certified)?;
                        found.headers.push((
                            certified.header.height,
                            certified.header.time_ms,
                            certified.certificate.signatures.len(),
                        ));
                        own = certified;
                        Some(&own)
                    }
                    _ => scope,
                };
                fields.iter().filter(|(k, _)| *k != "certified").try_for_each(|(_, v)| walk(v, scope, sets, found))
            }
        },
        _ => Ok(()),
    }
}

/// The two forms of a state proof in a document.
enum ProofForm {
    /// A [`KeyProof`], proven under the enclosing `certified` header.
    Key,
    /// A self-contained [`ReadProof`].
    Read,
}

/// Which proof form an object is, if any.
///
/// Any object with `key` and `proof` is taken as a state proof and must be exactly one of the two forms, or the
/// whole document is refused: skipping an object the verifier cannot read would report the others as VALID while a
/// proof the reader sees in the document was never checked.
fn proof_form(fields: &serde_json::Map<String, serde_json::Value>) -> Result<Option<ProofForm>, VerifyError> {
    const KEY_PROOF: [&str; 4] = ["height", "key", "value", "proof"];
    const READ_PROOF: [&str; 5] = ["header", "certificate", "key", "value", "proof"];
    let has = |names: &[&str]| fields.len() == names.len() && names.iter().all(|n| fields.contains_key(*n));
    // A record that carries its own key next to a proof of it (an evidence record: `key`, `proof` and its other
    // fields) is not a proof itself: its `proof` is, with its own `key` and `proof`, and is held to the same rule
    // when the walk reaches it.
    let holds_a_proof = fields
        .get("proof")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|inner| inner.contains_key("key") && inner.contains_key("proof"));
    if fields.contains_key("key")
        && fields.contains_key("proof")
        && !holds_a_proof
        && !has(&KEY_PROOF)
        && !has(&READ_PROOF)
    {
        return Err(VerifyError::Malformed(format!(
            "an object with `key` and `proof` is a state proof, with exactly the fields {} (or {}), but this one has \
             {}; the document was altered or is not a Publica answer: ask the node again",
            KEY_PROOF.join(", "),
            READ_PROOF.join(", "),
            fields.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
        )));
    }
    if has(&KEY_PROOF) {
        return Ok(Some(ProofForm::Key));
    }
    if has(&READ_PROOF) {
        return Ok(Some(ProofForm::Read));
    }
    Ok(None)
}

fn hex(bytes: &[u8]) -> String {
    publica_merkle::to_hex(bytes)
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
