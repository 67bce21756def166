//! Checkpoints of the notary log and the validators' signatures on them.
//!
//! After a block that grows the log, every validator signs the log's new tree head as a C2SP tlog-checkpoint:
//!
//! ```text
//! publica/<chain-id>/notary        origin
//! <size>                           tree size, decimal
//! <base64 root>                    RFC 9162 root hash
//! ```
//!
//! with two keys derived from its consensus key (`publica_crypto::LogPublicKeys`): an Ed25519 note signature
//! (C2SP signed-note, type 0x01) over that text, and an ML-DSA-44 cosignature (C2SP tlog-cosignature, type 0x06)
//! whose timestamp is the block's time in seconds. Both signature lines carry the origin as key name. A
//! validator's signatures travel as a [`CheckpointVote`] in the vote extension of its precommit for the block, so
//! the decided block comes with a quorum of them; the node then writes the [`SignedCheckpoint`] with every
//! validator's lines, in validator-address order.
//!
//! A checkpoint is valid for a validator set when the validators whose BOTH signatures verify hold more than two
//! thirds of the voting power ([`verify_checkpoint`]). Unknown signature lines (witnesses' cosignatures, keys of
//! other sets) are ignored, as C2SP signed-note requires; a known key whose signature fails rejects the note.

use borsh::{BorshDeserialize, BorshSerialize};
use publica_crypto::Keypair;
use publica_tlog::{
    Checkpoint, Ed25519NoteSigner, MlDsa44Cosigner, Note, NoteSignature, SignatureType, SignedCheckpoint, VerifierKey,
};
use publica_types::{Address, ChainId, Hash, Validator, ValidatorSet};

use crate::NotaryError;

/// Largest encoded [`CheckpointVote`] (an ML-DSA-44 signature is 2,420 bytes).
pub const MAX_CHECKPOINT_VOTE_BYTES: usize = 4096;

/// The origin line of a network's notary log.
pub fn origin(chain_id: &ChainId) -> String {
    format!("publica/{chain_id}/notary")
}

/// One validator's signatures on a checkpoint, carried in its precommit's vote extension.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct CheckpointVote {
    /// Tree size signed.
    pub size: u64,
    /// Root hash signed.
    pub root: Hash,
    /// Cosignature timestamp, seconds since the Unix epoch (the block's time).
    pub timestamp: u64,
    /// Ed25519 note signature (64 bytes, without the key id).
    pub ed25519: Vec<u8>,
    /// ML-DSA-44 cosignature: `timestamp (u64 BE) ‖ signature`, as on the note line without the key id.
    pub ml_dsa_44: Vec<u8>,
}

impl CheckpointVote {
    /// Encode for a vote extension.
    pub fn encode(&self) -> Vec<u8> {
        borsh::to_vec(self).expect("in-memory encoding does not fail")
    }

    /// Decode an extension received from a validator.
    pub fn decode(bytes: &[u8]) -> Result<Self, NotaryError> {
        if bytes.len() > MAX_CHECKPOINT_VOTE_BYTES {
            return Err(NotaryError::Checkpoint(format!(
                "checkpoint vote of {} bytes is larger than {MAX_CHECKPOINT_VOTE_BYTES}",
                bytes.len()
            )));
        }
        borsh::from_slice(bytes).map_err(|e| NotaryError::Checkpoint(format!("checkpoint vote does not decode: {e}")))
    }

    fn checkpoint(&self, origin: &str) -> Checkpoint {
        Checkpoint { origin: origin.to_owned(), size: self.size, root: self.root, extensions: Vec::new() }
    }
}

/// A validator's checkpoint signers.
pub struct LogSigner {
    origin: String,
    note: Ed25519NoteSigner,
    cosigner: MlDsa44Cosigner,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogSigner({})", self.origin)
    }
}

impl LogSigner {
    /// The signers derived from a validator's consensus key, for `chain_id`'s log.
    pub fn new(chain_id: &ChainId, keypair: &Keypair) -> Result<Self, NotaryError> {
        let origin = origin(chain_id);
        let seeds = keypair.log_key_seeds();
        let tlog = |e: publica_tlog::TlogError| NotaryError::Checkpoint(e.to_string());
        Ok(Self {
            note: Ed25519NoteSigner::from_seed(&origin, &seeds.ed25519).map_err(tlog)?,
            cosigner: MlDsa44Cosigner::from_seed(&origin, &seeds.ml_dsa_44).map_err(tlog)?,
            origin,
        })
    }

    /// Sign the tree head (size, root) at `timestamp` seconds (at most 2^63 - 1, as tlog-cosignature requires).
    pub fn sign(&self, size: u64, root: Hash, timestamp: u64) -> Result<CheckpointVote, NotaryError> {
        let checkpoint = Checkpoint { origin: self.origin.clone(), size, root, extensions: Vec::new() };
        let note = self.note.sign(&checkpoint.to_text());
        let cosignature =
            self.cosigner.cosign(&checkpoint, timestamp).map_err(|e| NotaryError::Checkpoint(e.to_string()))?;
        Ok(CheckpointVote { size, root, timestamp, ed25519: note.signature, ml_dsa_44: cosignature.signature })
    }
}

/// The two verifier keys (C2SP vkeys) of a validator for `origin`: Ed25519 note key, ML-DSA-44 cosigner key.
pub fn validator_vkeys(origin: &str, validator: &Validator) -> Result<[VerifierKey; 2], NotaryError> {
    let tlog = |e: publica_tlog::TlogError| {
        NotaryError::Checkpoint(format!("validator {} has an unusable checkpoint key: {e}", validator.address))
    };
    Ok([
        VerifierKey::new(origin, SignatureType::Ed25519, validator.log_keys.ed25519.to_vec()).map_err(tlog)?,
        VerifierKey::new(origin, SignatureType::CosignatureMlDsa44, validator.log_keys.ml_dsa_44.clone())
            .map_err(tlog)?,
    ])
}

/// Check one validator's vote: both signatures verify for the head it names.
pub fn verify_vote(origin: &str, validator: &Validator, vote: &CheckpointVote) -> Result<(), NotaryError> {
    let [ed, ml] = validator_vkeys(origin, validator)?;
    let text = vote.checkpoint(origin).to_text();
    let fail = |what: &str, e: publica_tlog::TlogError| {
        NotaryError::Checkpoint(format!("validator {}'s {what} does not verify: {e}", validator.address))
    };
    let line = |key: &VerifierKey, signature: &[u8]| NoteSignature {
        name: key.name.clone(),
        key_id: key.key_id,
        signature: signature.to_vec(),
    };
    ed.verify(&text, &line(&ed, &vote.ed25519)).map_err(|e| fail("Ed25519 checkpoint signature", e))?;
    let timestamp =
        ml.verify(&text, &line(&ml, &vote.ml_dsa_44)).map_err(|e| fail("ML-DSA-44 checkpoint cosignature", e))?;
    if timestamp != Some(vote.timestamp) {
        return Err(NotaryError::Checkpoint(format!(
            "validator {}'s cosignature timestamp differs from its vote's",
            validator.address
        )));
    }
    Ok(())
}

/// Build the signed checkpoint of (size, root) from the validators' votes. Votes for another head, from unknown
/// validators or that fail to verify are left out. `None` if the rest hold no more than two thirds of the power.
pub fn assemble(
    chain_id: &ChainId,
    validators: &ValidatorSet,
    size: u64,
    root: Hash,
    votes: &[(Address, CheckpointVote)],
) -> Option<SignedCheckpoint> {
    let origin = origin(chain_id);
    let checkpoint = Checkpoint { origin: origin.clone(), size, root, extensions: Vec::new() };
    let mut note = Note::new(checkpoint.to_text()).expect("a checkpoint's text is a valid note text");
    let mut sorted: Vec<&(Address, CheckpointVote)> = votes.iter().collect();
    sorted.sort_by_key(|(a, _)| *a);
    sorted.dedup_by_key(|(a, _)| *a);
    let mut power = 0u64;
    for (address, vote) in sorted {
        let Some(validator) = validators.get(address) else { continue };
        if vote.size != size || vote.root != root || verify_vote(&origin, validator, vote).is_err() {
            continue;
        }
        let Ok([ed, ml]) = validator_vkeys(&origin, validator) else { continue };
        note.add_signature(NoteSignature { name: origin.clone(), key_id: ed.key_id, signature: vote.ed25519.clone() });
        note.add_signature(NoteSignature {
            name: origin.clone(),
            key_id: ml.key_id,
            signature: vote.ml_dsa_44.clone(),
        });
        power += validator.voting_power;
    }
    (power >= validators.quorum_power()).then_some(SignedCheckpoint { checkpoint, note })
}

/// Check that a signed checkpoint carries valid signatures, BOTH kinds, from validators of `validators` holding
/// more than two thirds of the voting power, and that its origin is `chain_id`'s log.
pub fn verify_checkpoint(
    chain_id: &ChainId,
    validators: &ValidatorSet,
    signed: &SignedCheckpoint,
) -> Result<(), NotaryError> {
    let origin = origin(chain_id);
    if signed.checkpoint.origin != origin {
        return Err(NotaryError::Checkpoint(format!(
            "the checkpoint is for log {:?}, not this network's log {origin:?}",
            signed.checkpoint.origin
        )));
    }
    let mut keys = Vec::with_capacity(2 * validators.validators().len());
    for v in validators.validators() {
        keys.extend(validator_vkeys(&origin, v)?);
    }
    let verified = publica_tlog::verify_note(&signed.note, &keys)
        .map_err(|e| NotaryError::Checkpoint(format!("the checkpoint's signatures: {e}")))?;
    let mut power = 0u64;
    for (i, v) in validators.validators().iter().enumerate() {
        if verified.contains(&(2 * i)) && verified.contains(&(2 * i + 1)) {
            power += v.voting_power;
        }
    }
    let quorum = validators.quorum_power();
    if power < quorum {
        return Err(NotaryError::Checkpoint(format!(
            "validators holding {power} of {} voting power signed the checkpoint with both keys; more than two \
             thirds ({quorum}) are needed",
            validators.total_power()
        )));
    }
    Ok(())
}
