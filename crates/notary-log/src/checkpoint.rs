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
//! Every vote of a block's checkpoint must sign the log head after the block at the block's time: the
//! cosignature timestamp is the header's `time_ms / 1000`, checked when vote extensions are verified and again when
//! the checkpoint is assembled ([`check_head`]), so that every signature line of a checkpoint carries one time.
//!
//! A checkpoint is valid for a validator set when the validators whose BOTH signatures verify, with cosignatures
//! of one same time, hold more than two thirds of the voting power ([`checkpoint_quorum`], [`verify_checkpoint`]).
//! That time is the checkpoint's signing time: verifiers choose the validator set in force by it, never by the
//! latest timestamp of any line, which one Byzantine validator could set to any date.
//!
//! Signature lines are matched to the set's keys by key name and key id. Unknown lines (witnesses' cosignatures,
//! keys of other sets) are ignored, as C2SP signed-note requires; a line of a known key that verifies under none
//! of the keys it names rejects the note. A member key no verifier can parse is skipped, and a line whose key id
//! is shared by two members' keys counts for each key it verifies under: neither can make the whole set's
//! checkpoints unverifiable. Sets are built so that neither happens (`ValidatorSet::new`,
//! `ValidatorSet::check_log_key_ids`); verifiers do not rely on it.

use borsh::{BorshDeserialize, BorshSerialize};
use publica_crypto::Keypair;
use publica_tlog::TlogError;
use publica_tlog::{
    Checkpoint, Ed25519NoteSigner, MlDsa44Cosigner, Note, NoteSignature, SignatureType, SignedCheckpoint, VerifierKey,
};
use publica_types::{Address, ChainId, Hash, Validator, ValidatorSet};

use crate::NotaryError;

/// Largest encoded [`CheckpointVote`] (an ML-DSA-44 signature is 2,420 bytes).
pub const MAX_CHECKPOINT_VOTE_BYTES: usize = 4096;

/// The origin line of a network's notary log, `publica/<chain-id>/notary` (see `publica_types::log_origin`).
pub fn origin(chain_id: &ChainId) -> String {
    publica_types::log_origin(chain_id)
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

/// Check one validator's vote: both signatures verify for the head it names, and the cosignature's timestamp is
/// the vote's. Whether that head and time are the block's is [`check_head`]'s question.
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

/// Check that a vote signs the head of the block's log, `(size, root)`, at the block's time `timestamp_s`
/// (`time_ms / 1000` of its header).
///
/// A vote signed at another time would still verify, but it would give the checkpoint a second signing time: a
/// far-future one made receipts choose the validator set in force at that date, and fail once the set changed.
pub fn check_head(vote: &CheckpointVote, size: u64, root: Hash, timestamp_s: u64) -> Result<(), NotaryError> {
    if vote.size != size || vote.root != root {
        return Err(NotaryError::Checkpoint(format!(
            "the checkpoint signature is for log size {}, not the block's log head (size {size})",
            vote.size
        )));
    }
    if vote.timestamp != timestamp_s {
        return Err(NotaryError::Checkpoint(format!(
            "the checkpoint signature is timestamped {} s, not the block's time {timestamp_s} s; validators sign \
             the checkpoint at the time of the block it follows",
            vote.timestamp
        )));
    }
    Ok(())
}

/// Build the signed checkpoint of (size, root) from the validators' votes on the block of time `timestamp_s`
/// (seconds). Votes for another head or time, from unknown validators, that fail to verify, or whose key ids are
/// already on the note (a key id shared with another member) are left out. `None` if the rest hold no more than
/// two thirds of the power.
pub fn assemble(
    chain_id: &ChainId,
    validators: &ValidatorSet,
    size: u64,
    root: Hash,
    timestamp_s: u64,
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
        if check_head(vote, size, root, timestamp_s).is_err() || verify_vote(&origin, validator, vote).is_err() {
            continue;
        }
        let Ok([ed, ml]) = validator_vkeys(&origin, validator) else { continue };
        // A note holds one line per key name and id; a member whose id is taken would not be on it.
        if note.signatures().iter().any(|s| s.key_id == ed.key_id || s.key_id == ml.key_id) {
            continue;
        }
        note.add_signature(NoteSignature { name: origin.clone(), key_id: ed.key_id, signature: vote.ed25519.clone() });
        note.add_signature(NoteSignature {
            name: origin.clone(),
            key_id: ml.key_id,
            signature: vote.ml_dsa_44.clone(),
        });
        power = power.saturating_add(validator.voting_power);
    }
    (power >= validators.quorum_power()).then_some(SignedCheckpoint { checkpoint, note })
}

/// The validators of a set that signed a checkpoint, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointQuorum {
    /// Validators whose two signatures verified with cosignatures of time `signed_at_s`, in address order.
    pub signers: Vec<Address>,
    /// Their voting power: more than two thirds of the set's.
    pub power: u64,
    /// The signing time they attest (their cosignatures' timestamp), seconds since the Unix epoch: the time of the
    /// block the checkpoint follows.
    pub signed_at_s: u64,
}

/// Why a set's quorum of a checkpoint was not found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuorumFailure {
    /// A line of a member key verifies under none of the keys it names, or no member key signed at all.
    Signature(TlogError),
    /// Members holding `power` signed with both keys at one same time (the time with the most power); more than
    /// two thirds of the set's power is needed.
    TooLittle {
        /// Largest power of members whose two signatures verified with one same cosignature time.
        power: u64,
    },
}

/// Find the members of `validators` that signed `signed` with both keys, and the signing time that more than two
/// thirds of the set's power attests (see the module documentation for the rules on lines and keys).
pub fn checkpoint_quorum(
    chain_id: &ChainId,
    validators: &ValidatorSet,
    signed: &SignedCheckpoint,
) -> Result<CheckpointQuorum, QuorumFailure> {
    let members = validators.validators();
    let (ed_ok, ml_time) = verified_signatures(&origin(chain_id), members, signed)?;
    // Power per attested time, counting members whose both signatures verified. Both kinds are required: the
    // ML-DSA-44 cosignature keeps the checkpoint trustworthy once Ed25519 falls, the Ed25519 signature keeps it
    // readable by every signed-note client today.
    let mut by_time: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    for (i, v) in members.iter().enumerate() {
        if let (true, Some(t)) = (ed_ok[i], ml_time[i]) {
            let power = by_time.entry(t).or_default();
            *power = power.saturating_add(v.voting_power);
        }
    }
    let best = by_time.iter().max_by_key(|(_, power)| **power).map(|(t, p)| (*t, *p));
    match best {
        Some((signed_at_s, power)) if power >= validators.quorum_power() => {
            let signers = members
                .iter()
                .enumerate()
                .filter(|(i, _)| ed_ok[*i] && ml_time[*i] == Some(signed_at_s))
                .map(|(_, v)| v.address)
                .collect();
            Ok(CheckpointQuorum { signers, power, signed_at_s })
        }
        other => Err(QuorumFailure::TooLittle { power: other.map_or(0, |(_, p)| p) }),
    }
}

/// Per member of `members` (by index): whether its Ed25519 note signature verified, and the timestamp of its
/// ML-DSA-44 cosignature once verified. Fails when a line of a member key verifies under none of the keys it
/// names, or when no member key signed at all.
fn verified_signatures(
    origin: &str,
    members: &[Validator],
    signed: &SignedCheckpoint,
) -> Result<(Vec<bool>, Vec<Option<u64>>), QuorumFailure> {
    // Usable keys, each with its member's index and kind (0: Ed25519 note key, 1: ML-DSA-44 cosignature key).
    let keys: Vec<(usize, usize, VerifierKey)> = members
        .iter()
        .enumerate()
        .filter_map(|(i, v)| validator_vkeys(origin, v).ok().map(|pair| (i, pair)))
        .flat_map(|(i, [ed, ml])| [(i, 0, ed), (i, 1, ml)])
        .collect();
    // Per member: Ed25519 verified, and the ML-DSA-44 cosignature's timestamp once verified.
    let mut ed_ok = vec![false; members.len()];
    let mut ml_time: Vec<Option<u64>> = vec![None; members.len()];
    let mut known = false;
    let text = signed.note.text();
    for line in signed.note.signatures() {
        let mut failure = None;
        let mut verified = false;
        for (i, kind, key) in keys.iter().filter(|(_, _, k)| k.name == line.name && k.key_id == line.key_id) {
            match key.verify(text, line) {
                Ok(timestamp) => {
                    verified = true;
                    match (kind, timestamp) {
                        (0, _) => ed_ok[*i] = true,
                        // The first verified cosignature of a key counts, as for any signed note.
                        (_, Some(t)) => {
                            ml_time[*i].get_or_insert(t);
                        }
                        (_, None) => {}
                    }
                }
                Err(e) => failure = Some(e),
            }
        }
        match (verified, failure) {
            (true, _) => known = true,
            (false, Some(e)) => return Err(QuorumFailure::Signature(e)),
            (false, None) => {}
        }
    }
    if !known {
        return Err(QuorumFailure::Signature(TlogError::NoKnownSignature));
    }
    Ok((ed_ok, ml_time))
}

/// Check that a signed checkpoint carries valid signatures, BOTH kinds, from validators of `validators` holding
/// more than two thirds of the voting power and agreeing on its time, and that its origin is `chain_id`'s log.
pub fn verify_checkpoint(
    chain_id: &ChainId,
    validators: &ValidatorSet,
    signed: &SignedCheckpoint,
) -> Result<CheckpointQuorum, NotaryError> {
    let origin = origin(chain_id);
    if signed.checkpoint.origin != origin {
        return Err(NotaryError::Checkpoint(format!(
            "the checkpoint is for log {:?}, not this network's log {origin:?}",
            signed.checkpoint.origin
        )));
    }
    checkpoint_quorum(chain_id, validators, signed).map_err(|failure| match failure {
        QuorumFailure::Signature(e) => NotaryError::Checkpoint(format!("the checkpoint's signatures: {e}")),
        QuorumFailure::TooLittle { power } => NotaryError::Checkpoint(format!(
            "validators holding {power} of {} voting power signed the checkpoint with both keys at one same time; \
             more than two thirds ({}) are needed",
            validators.total_power(),
            validators.quorum_power()
        )),
    })
}
