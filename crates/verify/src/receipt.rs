//! Offline verification of notary receipts: C2SP tlog-proofs whose `extra` data is the log entry.
//!
//! A receipt says "document D was anchored by official A of agency G in block H at time T, and is entry I of the
//! network's notary log, whose tree head the validators signed". Checking it needs the receipt, the validator set
//! (from the genesis document or a trusted copy), optionally the document itself and the keys of independent
//! witnesses: no node, no network. The checks, in order, each with its own [`ReceiptError`] variant:
//!
//! 1. format: at most [`publica_tlog::MAX_PROOF_BYTES`], a well-formed `c2sp.org/tlog-proof@v1` with a signed
//!    checkpoint;
//! 2. the checkpoint's origin is this network's notary log (`publica/<chain-id>/notary`);
//! 3. the `extra` data is present and is a well-formed log entry;
//! 4. if the document's SHA-256 is given, the entry anchors exactly that hash;
//! 5. the leaf hash `SHA-256(0x00 ‖ entry)` with the inclusion proof leads to the checkpoint's root (RFC 9162);
//! 6. validators holding more than two thirds of the voting power signed the checkpoint with BOTH their keys (the
//!    Ed25519 note signature and the ML-DSA-44 cosignature) and cosignatures of one same time, every signature
//!    line of a known validator key verifies, and that set was signing at that time: the same rule as
//!    `publica_notary_log::checkpoint::verify_checkpoint` (`checkpoint_quorum`), with the set in force chosen by the
//!    time the signing majority attests, never by the latest line (which one validator could date anywhere);
//! 7. at least `min_witnesses` distinct witnesses of the policy cosigned the checkpoint, and every line of a
//!    policy witness key verifies. A witness is a name: one witness may have several keys (Publica's witnesses
//!    have an Ed25519 and an ML-DSA-44 key under one name), and it counts once, when every one of its keys the
//!    policy lists cosigned — like a validator, whose two signatures are both required.
//!
//! The `extra` data is not authenticated by the tlog-proof format itself; it is authenticated here because its
//! leaf hash must be the one the inclusion proof binds to the signed root (check 5).
//!
//! A receipt stays valid forever, but it shows the log at one size. [`verify_extension`] checks that a newer
//! signed checkpoint extends the receipt's (an RFC 9162 consistency proof), so that an auditor holding an old
//! receipt learns that the log it is in was not forked or rewritten since.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use publica_notary_log::checkpoint::{checkpoint_quorum, origin, QuorumFailure};
use publica_notary_log::{Entry, NotaryError};
use publica_tlog::{SignedCheckpoint, TlogError, TlogProof, VerifierKey};
use publica_types::{Address, ChainId, Hash, ValidatorSet};

use crate::{hex, VerifiedSets};

/// Largest consistency-proof text accepted: 64 lines of one base64 hash (44 characters and a newline).
pub const MAX_CONSISTENCY_PROOF_BYTES: usize = 64 * 45;

/// Who must have signed a receipt's checkpoint.
#[derive(Clone, Debug)]
pub struct ReceiptPolicy {
    /// The network whose log the receipt must be from.
    pub chain_id: ChainId,
    /// The verified validator sets: a quorum of the set that was signing at the checkpoint's time must have signed
    /// it.
    pub validators: VerifiedSets,
    /// Trusted witness keys (C2SP vkeys of cosigners); keys with the same name are one witness's.
    pub witnesses: Vec<VerifierKey>,
    /// How many distinct witnesses (names of `witnesses`) must have cosigned, each with every key listed for it.
    pub min_witnesses: usize,
}

impl ReceiptPolicy {
    /// A policy that requires the validators' quorum and no witness.
    pub fn validators_only(chain_id: ChainId, validators: VerifiedSets) -> Self {
        Self { chain_id, validators, witnesses: Vec::new(), min_witnesses: 0 }
    }

    /// The distinct witnesses of the policy: the names of its witness keys, sorted.
    pub fn witness_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.witnesses.iter().map(|k| k.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Refuse a policy that can never be met or that mistakes the log's own keys for witnesses.
    fn check(&self) -> Result<(), ReceiptError> {
        let names = self.witness_names().len();
        if self.min_witnesses > names {
            return Err(ReceiptError::Policy(format!(
                "{} witnesses must cosign but only {names} {} given ({} {}; keys with one name are one \
                 witness); add --witness keys of other witnesses or lower --min-witnesses",
                self.min_witnesses,
                if names == 1 { "witness is" } else { "witnesses are" },
                self.witnesses.len(),
                if self.witnesses.len() == 1 { "key" } else { "keys" },
            )));
        }
        let log = origin(&self.chain_id);
        if let Some(key) = self.witnesses.iter().find(|k| k.name == log) {
            return Err(ReceiptError::Policy(format!(
                "witness key {}+{:08x} carries the log's own name: validators' keys are not witnesses",
                key.name, key.key_id
            )));
        }
        Ok(())
    }
}

/// A witness key whose cosignature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessCosignature {
    /// The witness's key name.
    pub name: String,
    /// Its key id.
    pub key_id: u32,
    /// The cosignature's timestamp, seconds since the Unix epoch (`None` for a plain note signature).
    pub timestamp: Option<u64>,
}

/// Who signed a checkpoint, once verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointSigners {
    /// Validators whose two signatures verified, in address order.
    pub validators: Vec<Address>,
    /// Their voting power.
    pub power: u64,
    /// The set's total voting power.
    pub total_power: u64,
    /// The time the signing validators' cosignatures attest (the time of the block the checkpoint follows),
    /// seconds since the Unix epoch. Witnesses' times are in `witnesses`.
    pub signed_at_s: Option<u64>,
    /// Policy witnesses whose cosignatures verified.
    pub witnesses: Vec<WitnessCosignature>,
}

/// What a verified receipt establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedReceipt {
    /// The log entry (document hash, anchoring official, agency, block, time, label).
    pub entry: Entry,
    /// The entry's position in the log.
    pub index: u64,
    /// The entry's RFC 9162 leaf hash.
    pub leaf_hash: Hash,
    /// Whether the receipt was checked against the document's own hash (else only the receipt was checked).
    pub document_checked: bool,
    /// The signed checkpoint the receipt proves inclusion in.
    pub checkpoint: SignedCheckpoint,
    /// Who signed it.
    pub signers: CheckpointSigners,
}

/// What a verified extension establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedExtension {
    /// The older tree size.
    pub old_size: u64,
    /// The newer checkpoint, which extends the older one.
    pub newer: SignedCheckpoint,
    /// Who signed the newer checkpoint.
    pub signers: CheckpointSigners,
}

/// Why a receipt (or an extension of its checkpoint) was refused. Each check of the module documentation has its
/// own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The verification policy is unusable.
    #[error("the verification policy is unusable: {0}")]
    Policy(String),
    /// The bytes are not a tlog-proof (or a checkpoint, or a consistency proof).
    #[error("format check failed: {0}")]
    Format(TlogError),
    /// The checkpoint is another log's.
    #[error(
        "origin check failed: the receipt is from log {got:?}, not from this network's log {expected:?}; verify it \
         with the genesis of the network that issued it"
    )]
    WrongNetwork {
        /// This network's log origin.
        expected: String,
        /// The receipt's.
        got: String,
    },
    /// The receipt carries no entry.
    #[error(
        "entry check failed: the receipt has no `extra` line with the log entry, so it proves nothing about a document"
    )]
    MissingEntry,
    /// The `extra` data is not a log entry.
    #[error("entry check failed: {0}")]
    MalformedEntry(NotaryError),
    /// The entry is for another document.
    #[error(
        "document check failed: the file's SHA-256 is {file}, but the receipt is for the document with SHA-256 \
         {receipt}; this receipt belongs to another file"
    )]
    DocumentMismatch {
        /// Hash of the file given, hex.
        file: String,
        /// Hash the entry anchors, hex.
        receipt: String,
    },
    /// The inclusion proof does not bind the entry to the checkpoint.
    #[error("inclusion check failed: entry {index} is not proven to be in the checkpointed log: {reason}")]
    Inclusion {
        /// The claimed index.
        index: u64,
        /// Why.
        reason: TlogError,
    },
    /// A validator's signature line does not verify, or no validator signed.
    #[error("validator signature check failed: {0}")]
    ValidatorSignature(TlogError),
    /// Validators with too little voting power signed with both keys at one same time.
    #[error(
        "validator quorum check failed: validators holding {power} of {total} voting power signed the checkpoint \
         with both keys at one same time; more than two thirds ({quorum}) are needed"
    )]
    ValidatorQuorum {
        /// Largest power of validators whose two signatures verified with one same cosignature time.
        power: u64,
        /// Total power of the set.
        total: u64,
        /// Power needed.
        quorum: u64,
    },
    /// A quorum of a validator set signed, but that set was not the one signing at the checkpoint's time.
    #[error(
        "validator quorum check failed: the checkpoint is signed by a validator set that was not signing at its \
         time ({signed_at_s} s); verify with the validator history of the network (`--api` or `--history`)"
    )]
    SetNotInForce {
        /// The checkpoint's cosignature time, seconds since the Unix epoch.
        signed_at_s: u64,
    },
    /// A witness's cosignature line does not verify.
    #[error("witness signature check failed: {0}")]
    WitnessSignature(TlogError),
    /// Too few witnesses cosigned.
    #[error(
        "witness quorum check failed: {got} of the trusted witnesses cosigned the checkpoint, {required} are required"
    )]
    WitnessQuorum {
        /// Distinct witnesses all of whose policy keys cosigned.
        got: usize,
        /// The policy's minimum.
        required: usize,
    },
    /// The newer checkpoint does not extend the older one.
    #[error("consistency check failed: the checkpoint of size {new_size} does not extend the one of size {old_size}: {reason}")]
    Consistency {
        /// The older size.
        old_size: u64,
        /// The newer size.
        new_size: u64,
        /// Why.
        reason: String,
    },
}

/// Verify a receipt against `policy`, and against the document's SHA-256 when given. Every check of the module
/// documentation runs; the first that fails is reported.
pub fn verify_receipt(
    receipt: &[u8],
    policy: &ReceiptPolicy,
    document_sha256: Option<&Hash>,
) -> Result<VerifiedReceipt, ReceiptError> {
    policy.check()?;
    let proof = TlogProof::parse(receipt).map_err(ReceiptError::Format)?;
    check_origin(&proof.checkpoint, policy)?;
    let entry_bytes = proof.extra.as_deref().ok_or(ReceiptError::MissingEntry)?;
    let entry = Entry::from_bytes(entry_bytes).map_err(ReceiptError::MalformedEntry)?;
    if let Some(file) = document_sha256 {
        if *file != entry.hash {
            return Err(ReceiptError::DocumentMismatch { file: hex(file), receipt: hex(&entry.hash) });
        }
    }
    let leaf_hash = publica_merkle::log::leaf_hash(entry_bytes);
    proof.verify_inclusion(&leaf_hash).map_err(|reason| ReceiptError::Inclusion { index: proof.index, reason })?;
    let signers = verify_signers(&proof.checkpoint, policy)?;
    Ok(VerifiedReceipt {
        entry,
        index: proof.index,
        leaf_hash,
        document_checked: document_sha256.is_some(),
        checkpoint: proof.checkpoint,
        signers,
    })
}

/// Check that the signed checkpoint `newer` (C2SP signed-note bytes) extends `older`: both are signed as
/// `policy` requires, they are the same network's log, and `proof` is a valid RFC 9162 consistency proof from
/// `older`'s tree to `newer`'s.
pub fn verify_extension(
    older: &SignedCheckpoint,
    newer: &[u8],
    proof: &[Hash],
    policy: &ReceiptPolicy,
) -> Result<VerifiedExtension, ReceiptError> {
    policy.check()?;
    let newer = SignedCheckpoint::parse(newer).map_err(ReceiptError::Format)?;
    check_origin(older, policy)?;
    check_origin(&newer, policy)?;
    let (old, new) = (&older.checkpoint, &newer.checkpoint);
    publica_merkle::log::verify_consistency(old.size, new.size, &old.root, &new.root, proof)
        .map_err(|e| ReceiptError::Consistency { old_size: old.size, new_size: new.size, reason: e.to_string() })?;
    // The older checkpoint's validators are re-checked too: a caller may hold one that never went through
    // verify_receipt. Witnesses are asked of the newer one only: a receipt's checkpoint may predate them.
    verify_validators(older, policy)?;
    let signers = verify_signers(&newer, policy)?;
    Ok(VerifiedExtension { old_size: old.size, newer, signers })
}

/// Parse a consistency proof as the API serves it: one standard base64 SHA-256 hash per line, each line ending
/// in a newline. At most [`MAX_CONSISTENCY_PROOF_BYTES`] bytes.
pub fn parse_consistency_proof(text: &[u8]) -> Result<Vec<Hash>, ReceiptError> {
    const WHAT: &str = "consistency proof";
    if text.len() > MAX_CONSISTENCY_PROOF_BYTES {
        return Err(ReceiptError::Format(TlogError::TooLarge {
            what: WHAT,
            len: text.len(),
            max: MAX_CONSISTENCY_PROOF_BYTES,
        }));
    }
    let text = std::str::from_utf8(text)
        .map_err(|e| ReceiptError::Format(TlogError::NotUtf8 { what: WHAT, offset: e.valid_up_to() }))?;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let body = text.strip_suffix('\n').ok_or_else(|| {
        ReceiptError::Format(TlogError::Malformed { what: WHAT, reason: "the last line has no newline".into() })
    })?;
    body.split('\n')
        .map(|line| {
            let bytes = BASE64
                .decode(line)
                .map_err(|e| ReceiptError::Format(TlogError::Base64 { what: WHAT, detail: e.to_string() }))?;
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| ReceiptError::Format(TlogError::HashLength { what: WHAT, len: bytes.len() }))
        })
        .collect()
}

fn check_origin(signed: &SignedCheckpoint, policy: &ReceiptPolicy) -> Result<(), ReceiptError> {
    let expected = origin(&policy.chain_id);
    if signed.checkpoint.origin != expected {
        return Err(ReceiptError::WrongNetwork { expected, got: signed.checkpoint.origin.clone() });
    }
    Ok(())
}

/// Checks 6 and 7 of the module documentation.
fn verify_signers(signed: &SignedCheckpoint, policy: &ReceiptPolicy) -> Result<CheckpointSigners, ReceiptError> {
    let mut signers = verify_validators(signed, policy)?;
    // Witnesses' times stay theirs: the checkpoint's signing time is the validators' (the block's).
    signers.witnesses = verify_witnesses(signed, policy)?;
    Ok(signers)
}

/// Check 6: a quorum of the set signing at the checkpoint's time signed it with both keys. The returned signers
/// have no witnesses yet.
fn verify_validators(signed: &SignedCheckpoint, policy: &ReceiptPolicy) -> Result<CheckpointSigners, ReceiptError> {
    // The checkpoint does not say which height it follows; its validators' cosignatures carry that block's time.
    // Each set is tried, the latest first, and a quorum counts only if its set was signing at the time the quorum
    // attests.
    let mut first_error = None;
    let mut not_in_force = None;
    for set in policy.validators.latest_first() {
        match verify_validators_of(signed, &policy.chain_id, set) {
            Ok(signers) => {
                let at = signers.signed_at_s.unwrap_or(0);
                if policy.validators.signed_within(set, at) {
                    return Ok(signers);
                }
                not_in_force.get_or_insert(ReceiptError::SetNotInForce { signed_at_s: at });
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    // A quorum of the wrong set says more than the latest set's failure.
    Err(not_in_force.or(first_error).expect("a history holds at least the genesis set"))
}

fn verify_validators_of(
    signed: &SignedCheckpoint,
    chain_id: &ChainId,
    set: &ValidatorSet,
) -> Result<CheckpointSigners, ReceiptError> {
    let (total, quorum) = (set.total_power(), set.quorum_power());
    match checkpoint_quorum(chain_id, set, signed) {
        Ok(found) => Ok(CheckpointSigners {
            validators: found.signers,
            power: found.power,
            total_power: total,
            signed_at_s: Some(found.signed_at_s),
            witnesses: Vec::new(),
        }),
        Err(QuorumFailure::Signature(e)) => Err(ReceiptError::ValidatorSignature(e)),
        Err(QuorumFailure::TooLittle { power }) => Err(ReceiptError::ValidatorQuorum { power, total, quorum }),
    }
}

/// Check 7: enough distinct policy witnesses cosigned, and no policy witness's line fails.
fn verify_witnesses(
    signed: &SignedCheckpoint,
    policy: &ReceiptPolicy,
) -> Result<Vec<WitnessCosignature>, ReceiptError> {
    let witnesses = if policy.witnesses.is_empty() {
        Vec::new()
    } else {
        match publica_tlog::verify_note_timestamps(&signed.note, &policy.witnesses) {
            Ok(found) => {
                let mut distinct: Vec<WitnessCosignature> = Vec::with_capacity(found.len());
                for (i, timestamp) in found {
                    let key = &policy.witnesses[i];
                    // A key listed twice in the policy is still one witness.
                    if !distinct.iter().any(|w| w.name == key.name && w.key_id == key.key_id) {
                        distinct.push(WitnessCosignature { name: key.name.clone(), key_id: key.key_id, timestamp });
                    }
                }
                distinct
            }
            // No trusted witness cosigned: the quorum check below decides whether that matters.
            Err(TlogError::NoKnownSignature) => Vec::new(),
            Err(e) => return Err(ReceiptError::WitnessSignature(e)),
        }
    };
    // A witness counts when each of its policy keys cosigned: one key of a two-key witness is not the witness.
    let complete = policy
        .witness_names()
        .into_iter()
        .filter(|name| {
            policy
                .witnesses
                .iter()
                .filter(|k| k.name == *name)
                .all(|k| witnesses.iter().any(|w| w.name == k.name && w.key_id == k.key_id))
        })
        .count();
    if complete < policy.min_witnesses {
        return Err(ReceiptError::WitnessQuorum { got: complete, required: policy.min_witnesses });
    }
    Ok(witnesses)
}
