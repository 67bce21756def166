//! Offline checks of the registries' "as of a date" answers: who owned a parcel at time D, what a permit's status
//! was at time D.
//!
//! Registry records are versioned and never overwritten (`docs/registry.md`), so the version in force at D is
//! proven by two state keys: version `n`, written at or before D, and version `n + 1`, written after D or proven
//! absent (when no version was in force, the single key of version 1). The proofs lead to the certified header of
//! **the block in force at D** — the last block at or before D — and the answer carries the next block's
//! certified header too: its time is after D and it names the first as its parent, so no block at or before D
//! was left out. (When D is before the first block the proofs lead to the first block; when D is after the last
//! block the node has, to that block, and the verdict says so.)
//!
//! The check here verifies each proof against the validator sets, insists that the proven keys are exactly the
//! ones the question needs — a node cannot answer with an older version and hide the newer one — decodes the
//! versions and takes the registry's own decision ([`owners_at`], [`permit_status`]), which must equal the node's.

use serde::{Deserialize, Serialize};

use publica_registry::engine::{as_of_keys, decode_version};
use publica_registry::query::{owners_at, permit_status, OwnershipAt, PermitStatus};
use publica_registry::schema::{Permit, Record, Title, Version};
use publica_types::registry::RecordId;

use crate::{CertifiedHeader, ReadProof, VerifiedSets, VerifyError};

/// Most proofs an as-of answer carries (it needs one or two).
const AS_OF_PROOFS_MAX: usize = 2;

/// A node's answer to an as-of question: its decision and the proofs to check it with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AsOfAnswer<D> {
    /// The parcel or permit asked about.
    pub record: RecordId,
    /// The time asked about, Unix milliseconds.
    pub at_ms: u64,
    /// The node's decision.
    pub decision: D,
    /// The proofs of the version in force and of the one after it (see the module documentation), under one
    /// certified header.
    pub proofs: Vec<ReadProof>,
    /// The certified header of the block after the proofs' header, when that header is at or before `at_ms` and
    /// is not the last block the node had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<CertifiedHeader>,
}

/// "Who owned parcel X at time D".
pub type OwnershipAnswer = AsOfAnswer<OwnershipAt>;
/// "What was permit X's status at time D".
pub type PermitStatusAnswer = AsOfAnswer<PermitStatus>;

/// What a verified as-of answer establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedAsOf<D> {
    /// The decision, taken again from the proven versions.
    pub decision: D,
    /// Height of the certified header the proofs lead to.
    pub height: u64,
    /// Its block time, Unix milliseconds.
    pub time_ms: u64,
    /// Validators that signed it.
    pub signers: usize,
    /// How that header relates to the time asked about.
    pub coverage: Coverage,
}

/// How the header of a verified as-of answer relates to the time asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// The header is the block in force at that time: at or before it, and the next block (certified, its
    /// child) is after it.
    InForce {
        /// The next block's time, Unix milliseconds.
        next_time_ms: u64,
    },
    /// The header is after that time (the time is before the first block, or the node proved from a later
    /// state): the versions' own block times decide.
    Later,
    /// The header is at or before that time and no later block was shown: the answer holds up to that header,
    /// the last block the node had. Ask again, or ask another node, to cover blocks after it.
    UpToHeader,
}

/// Check an ownership answer against validator sets verified from the genesis set.
pub fn verify_ownership(
    answer: &OwnershipAnswer,
    sets: &VerifiedSets,
) -> Result<VerifiedAsOf<OwnershipAt>, VerifyError> {
    let (in_force, next, verified) = proven_versions::<Title, _>(answer, sets)?;
    let decision = owners_at(&answer.record, answer.at_ms, in_force.as_ref(), next.as_ref())
        .map_err(|e| VerifyError::Answer(e.to_string()))?;
    agree(&answer.decision, decision, verified)
}

/// Check a permit-status answer against validator sets verified from the genesis set.
pub fn verify_permit_status(
    answer: &PermitStatusAnswer,
    sets: &VerifiedSets,
) -> Result<VerifiedAsOf<PermitStatus>, VerifyError> {
    let (in_force, next, verified) = proven_versions::<Permit, _>(answer, sets)?;
    let decision = permit_status(&answer.record, answer.at_ms, in_force.as_ref(), next.as_ref())
        .map_err(|e| VerifyError::Answer(e.to_string()))?;
    agree(&answer.decision, decision, verified)
}

fn agree<D: PartialEq + std::fmt::Debug>(
    claimed: &D,
    decision: D,
    verified: Covered,
) -> Result<VerifiedAsOf<D>, VerifyError> {
    if *claimed != decision {
        return Err(VerifyError::Answer(format!(
            "the answer says {claimed:?}, but its proven versions say {decision:?}"
        )));
    }
    Ok(VerifiedAsOf {
        decision,
        height: verified.read.height,
        time_ms: verified.read.time_ms,
        signers: verified.read.signers,
        coverage: verified.coverage,
    })
}

/// The first proof's verified read and how its header covers the time asked about.
struct Covered {
    read: crate::VerifiedRead,
    coverage: Coverage,
}

type Proven<T> = (Option<Version<T>>, Option<Version<T>>, Covered);

/// Check the following header, if any: certified by its own height's set, the child of the proofs' header, and
/// after the time asked about.
fn coverage<D>(answer: &AsOfAnswer<D>, sets: &VerifiedSets) -> Result<Coverage, VerifyError> {
    let header = &answer.proofs[0].certified.header;
    let Some(following) = &answer.following else {
        return Ok(if header.time_ms > answer.at_ms { Coverage::Later } else { Coverage::UpToHeader });
    };
    let next = &following.header;
    if header.time_ms > answer.at_ms {
        return Err(VerifyError::Answer(format!(
            "the proofs' header (block {}) is already after the time asked about; a following header is not \
             expected",
            header.height
        )));
    }
    if next.height != header.height + 1 || next.parent_hash != header.hash() {
        return Err(VerifyError::Answer(format!(
            "the following header (block {}) is not the child of the proofs' header (block {})",
            next.height, header.height
        )));
    }
    if next.time_ms <= answer.at_ms {
        return Err(VerifyError::Answer(format!(
            "the following block {} is at {} ms, not after {} ms: the proofs are not under the block in force \
             then; ask the node again",
            next.height, next.time_ms, answer.at_ms
        )));
    }
    following.verify(sets.chain_id(), sets.at_height(next.height))?;
    Ok(Coverage::InForce { next_time_ms: next.time_ms })
}

/// Verify the proofs, check they are exactly the keys the question needs, and decode the versions.
fn proven_versions<T: Record, D>(answer: &AsOfAnswer<D>, sets: &VerifiedSets) -> Result<Proven<T>, VerifyError> {
    let id = answer.record.as_str();
    if answer.proofs.is_empty() || answer.proofs.len() > AS_OF_PROOFS_MAX {
        return Err(VerifyError::Answer(format!(
            "an as-of answer carries one or two proofs, this one {}",
            answer.proofs.len()
        )));
    }
    // One certified header for all: its certificate is checked once, then each Merkle proof against its root.
    let certified = &answer.proofs[0].certified;
    if answer.proofs.iter().any(|p| p.certified != *certified) {
        return Err(VerifyError::Answer("the proofs lead to different certified headers; ask the node again".into()));
    }
    let mut verified = Vec::with_capacity(answer.proofs.len());
    verified.push(answer.proofs[0].verify_with_sets(sets)?);
    for proof in &answer.proofs[1..] {
        verified.push(proof.verify_state_only()?);
    }
    let decode = |value: &Option<Vec<u8>>| -> Result<Option<Version<T>>, VerifyError> {
        value.as_deref().map(decode_version::<T>).transpose().map_err(|e| VerifyError::Answer(e.to_string()))
    };
    let values: Vec<Option<Version<T>>> = verified.iter().map(|v| decode(&v.value)).collect::<Result<_, _>>()?;
    // With two proofs the first is the version in force; with one, no version was in force and the single key is
    // version 1 (absent, or written after the time asked about).
    let (in_force, next) = match values.len() {
        2 => {
            let mut values = values.into_iter();
            let in_force = values.next().flatten().ok_or_else(|| {
                VerifyError::Answer("the first proof shows no version, so it cannot be the one in force".into())
            })?;
            (Some(in_force), values.next().flatten())
        }
        _ => (None, values.into_iter().next().flatten()),
    };
    let expected = as_of_keys(T::KIND, id, in_force.as_ref().map(|v| v.version));
    let given: Vec<&[u8]> = verified.iter().map(|v| v.key.as_slice()).collect();
    if given != expected.iter().map(Vec::as_slice).collect::<Vec<_>>() {
        return Err(VerifyError::Answer(format!(
            "the proofs are for keys {}, but the question needs exactly {}",
            keys_text(given.iter().copied()),
            keys_text(expected.iter().map(Vec::as_slice))
        )));
    }
    let coverage = coverage(answer, sets)?;
    let read = verified.into_iter().next().expect("at least one proof");
    Ok((in_force, next, Covered { read, coverage }))
}

fn keys_text<'a>(keys: impl Iterator<Item = &'a [u8]>) -> String {
    keys.map(crate::hex).collect::<Vec<_>>().join(", ")
}
