//! Offline checks of the registries' "as of a date" answers: who owned a parcel at time D, what a permit's status
//! was at time D.
//!
//! Registry records are versioned and never overwritten (`docs/registry.md`), so the version in force at D is
//! proven by two state keys: version `n`, written at or before D, and version `n + 1`, written after D or proven
//! absent (when no version was in force, the single key of version 1). The answer carries one certified header
//! (`certified`) and the proofs of those keys under it.
//!
//! **What the proofs cover.** A state at block H holds every version written by the blocks up to H, and block
//! times strictly increase with height. So the proofs settle the question for D only when:
//!
//! - H's time is at or after D: every block at or before D is at or below H, so every version written at or
//!   before D is in H's state, and the versions' own block times decide ([`Coverage::HeaderAtOrAfter`]); or
//! - H's time is at or before D and the answer carries the certified header of H's child (`following`), whose
//!   time is after D: H was the block in force at D, and no block at or before D was left out
//!   ([`Coverage::InForce`]).
//!
//! Otherwise (H before D, nothing following) the proofs say nothing about the blocks between H and D: a version
//! written then — a revocation, a sale — would be missing. Such an answer is refused with
//! [`VerifyError::NotCovered`], which names the last time proven; the answer's `at_ms` is the question, never
//! evidence. [`ownership_at_header`] and [`permit_status_at_header`] then say what the proofs do establish: the
//! decision at H's own time.
//!
//! The check here verifies the certified header against the validator sets and each proof under it, insists that
//! the proven keys are exactly the ones the question needs — a node cannot answer with an older version and hide
//! the newer one — checks the coverage above, decodes the versions and takes the registry's own decision
//! ([`owners_at`], [`permit_status`]), which must equal the node's.

use serde::{Deserialize, Serialize};

use publica_registry::engine::{as_of_keys, decode_version};
use publica_registry::schema::{Permit, Record, Title, Version};
use publica_registry::verify::{owners_at, permit_status, OwnershipAt, PermitStatus};
use publica_types::RecordId;

use crate::{CertifiedHeader, KeyProof, VerifiedRead, VerifiedSets, VerifyError};

/// Most proofs an as-of answer carries (it needs one or two).
const MAX_AS_OF_PROOFS: usize = 2;

/// A node's answer to an as-of question: its decision and the proofs to check it with.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsOfAnswer<D> {
    /// The parcel or permit asked about.
    pub record: RecordId,
    /// The time asked about, Unix milliseconds. It is the question, not evidence: the verifier accepts the answer
    /// only for a time its proofs cover (see the module documentation).
    pub at_ms: u64,
    /// The node's decision.
    pub decision: D,
    /// The certified header the proofs lead to: that of the block in force at `at_ms` (the last at or before it),
    /// or a later one.
    pub certified: CertifiedHeader,
    /// The proofs of the version in force and of the one after it (see the module documentation), each naming
    /// `certified`'s height.
    pub proofs: Vec<KeyProof>,
    /// The certified header of the block after `certified`, when that one is at or before `at_ms`: its time is
    /// after `at_ms`, so `certified` was the block in force then.
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
    /// The time the decision is for, Unix milliseconds: the answer's `at_ms` once the proofs cover it, or the
    /// header's own time from [`ownership_at_header`] and [`permit_status_at_header`].
    pub at_ms: u64,
    /// Height of the certified header the proofs lead to.
    pub height: u64,
    /// Its block time, Unix milliseconds.
    pub time_ms: u64,
    /// Validators that signed it.
    pub signers: usize,
    /// How that header covers the time of the decision.
    pub coverage: Coverage,
}

/// How the header of a verified as-of answer covers the time of its decision (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// The header is at or after that time: its state holds every version written up to then, and the versions'
    /// own block times decide.
    HeaderAtOrAfter,
    /// The header is before that time, and the next block (certified, its child) is after it: the header's block
    /// was the one in force.
    InForce {
        /// The next block's time, Unix milliseconds.
        next_time_ms: u64,
    },
}

/// Check an ownership answer against validator sets verified from the genesis set. An answer whose proofs do
/// not reach its `at_ms` is refused with [`VerifyError::NotCovered`].
pub fn verify_ownership(
    answer: &OwnershipAnswer,
    sets: &VerifiedSets,
) -> Result<VerifiedAsOf<OwnershipAt>, VerifyError> {
    let proven = proven_versions::<Title, _>(answer, sets)?;
    let coverage = coverage(answer, sets)?;
    let decision = owners_at(&answer.record, answer.at_ms, proven.in_force.as_ref(), proven.next.as_ref())
        .map_err(|e| VerifyError::Answer(e.to_string()))?;
    agree(&answer.decision, decision, answer.at_ms, &proven.read, coverage)
}

/// Check a permit-status answer against validator sets verified from the genesis set. An answer whose proofs do
/// not reach its `at_ms` is refused with [`VerifyError::NotCovered`].
pub fn verify_permit_status(
    answer: &PermitStatusAnswer,
    sets: &VerifiedSets,
) -> Result<VerifiedAsOf<PermitStatus>, VerifyError> {
    let proven = proven_versions::<Permit, _>(answer, sets)?;
    let coverage = coverage(answer, sets)?;
    let decision = permit_status(&answer.record, answer.at_ms, proven.in_force.as_ref(), proven.next.as_ref())
        .map_err(|e| VerifyError::Answer(e.to_string()))?;
    agree(&answer.decision, decision, answer.at_ms, &proven.read, coverage)
}

/// What an ownership answer's proofs establish at their own header's time, whatever time the answer names and
/// whatever it decided: for an answer refused with [`VerifyError::NotCovered`], the part that is proven.
pub fn ownership_at_header(
    answer: &OwnershipAnswer,
    sets: &VerifiedSets,
) -> Result<VerifiedAsOf<OwnershipAt>, VerifyError> {
    let proven = proven_versions::<Title, _>(answer, sets)?;
    let at_ms = proven.read.time_ms;
    let decision = owners_at(&answer.record, at_ms, proven.in_force.as_ref(), proven.next.as_ref())
        .map_err(|e| VerifyError::Answer(e.to_string()))?;
    Ok(verified(decision, at_ms, &proven.read, Coverage::HeaderAtOrAfter))
}

/// What a permit-status answer's proofs establish at their own header's time (see [`ownership_at_header`]).
pub fn permit_status_at_header(
    answer: &PermitStatusAnswer,
    sets: &VerifiedSets,
) -> Result<VerifiedAsOf<PermitStatus>, VerifyError> {
    let proven = proven_versions::<Permit, _>(answer, sets)?;
    let at_ms = proven.read.time_ms;
    let decision = permit_status(&answer.record, at_ms, proven.in_force.as_ref(), proven.next.as_ref())
        .map_err(|e| VerifyError::Answer(e.to_string()))?;
    Ok(verified(decision, at_ms, &proven.read, Coverage::HeaderAtOrAfter))
}

fn agree<D: PartialEq + std::fmt::Debug>(
    claimed: &D,
    decision: D,
    at_ms: u64,
    read: &VerifiedRead,
    coverage: Coverage,
) -> Result<VerifiedAsOf<D>, VerifyError> {
    if *claimed != decision {
        return Err(VerifyError::Answer(format!(
            "the answer says {claimed:?}, but its proven versions say {decision:?}"
        )));
    }
    Ok(verified(decision, at_ms, read, coverage))
}

fn verified<D>(decision: D, at_ms: u64, read: &VerifiedRead, coverage: Coverage) -> VerifiedAsOf<D> {
    VerifiedAsOf { decision, at_ms, height: read.height, time_ms: read.time_ms, signers: read.signers, coverage }
}

/// The versions an answer's proofs show, and the first proof's verified read.
struct Proven<T> {
    in_force: Option<Version<T>>,
    next: Option<Version<T>>,
    read: VerifiedRead,
}

/// How the proofs' header covers the answer's `at_ms` (see the module documentation): checks the following
/// header, if any (certified by its own height's set, the child of the proofs' header, after the time asked
/// about), and refuses an answer whose header is before that time with nothing following.
fn coverage<D>(answer: &AsOfAnswer<D>, sets: &VerifiedSets) -> Result<Coverage, VerifyError> {
    let header = &answer.certified.header;
    let Some(following) = &answer.following else {
        if header.time_ms >= answer.at_ms {
            return Ok(Coverage::HeaderAtOrAfter);
        }
        return Err(VerifyError::NotCovered {
            asked_ms: answer.at_ms,
            height: header.height,
            proven_to_ms: header.time_ms,
        });
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
    sets.verify_header(following)?;
    Ok(Coverage::InForce { next_time_ms: next.time_ms })
}

/// Verify the certified header and the proofs under it, check they are exactly the keys the question needs, and
/// decode the versions.
fn proven_versions<T: Record, D>(answer: &AsOfAnswer<D>, sets: &VerifiedSets) -> Result<Proven<T>, VerifyError> {
    let id = answer.record.as_str();
    if answer.proofs.is_empty() || answer.proofs.len() > MAX_AS_OF_PROOFS {
        return Err(VerifyError::Answer(format!(
            "an as-of answer carries one or two proofs, this one {}",
            answer.proofs.len()
        )));
    }
    // One certified header for all: its certificate is checked once, then each Merkle proof against its root.
    sets.verify_header(&answer.certified)?;
    let verified: Vec<VerifiedRead> =
        answer.proofs.iter().map(|p| p.verify_under(&answer.certified)).collect::<Result<_, _>>()?;
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
    let read = verified.into_iter().next().expect("at least one proof");
    Ok(Proven { in_force, next, read })
}

fn keys_text<'a>(keys: impl Iterator<Item = &'a [u8]>) -> String {
    keys.map(crate::hex).collect::<Vec<_>>().join(", ")
}
