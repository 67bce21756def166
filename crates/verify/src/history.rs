//! Light verification across validator-set changes.
//!
//! A client that trusts only the genesis validator set follows each change of the set through the block that made
//! it: that block's header is certified by the set of its height, and its `next_validator_set_hash` names the new
//! set. A [`ValidatorHistory`] is the list of those certified headers with the sets they name, in height order, as
//! a node serves it at `GET /v1/validators/history`. [`ValidatorHistory::verify`] checks every link from the
//! genesis set and yields [`VerifiedSets`]: the set of any height, to check a header, a state proof or a notary
//! checkpoint of that height.
//!
//! A history that leaves out changes is caught when it is used: a genuine header of a later height names a set the
//! history does not reach ([`VerifyError::ValidatorSetMismatch`]), and the client fetches a newer history. As with
//! every light client, the safety of a skipped-over range rests on the validators of that range: a past set whose
//! members together hold more than two thirds of its power could sign a false history for its own heights.

use serde::{Deserialize, Serialize};

use publica_types::{ChainId, Genesis, ValidatorSet};

use crate::{hex, CertifiedHeader, VerifyError, MAX_PROOF_JSON_BYTES};

/// The changes of a network's validator set, each proven by the certified header of the block that made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidatorHistory {
    /// The network.
    pub chain_id: ChainId,
    /// The changes, in height order.
    pub changes: Vec<SetChange>,
}

/// One change: the certified header of the block that changed the set, and the new set, which signs from the
/// next height on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetChange {
    /// The changing block's header and certificate.
    #[serde(flatten)]
    pub certified: CertifiedHeader,
    /// The set named by the header's `next_validator_set_hash`.
    pub validators: ValidatorSet,
}

/// The validator sets of a network, verified link by link from its genesis set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSets {
    chain_id: ChainId,
    /// `(first height, time of the block that installed it, set)`, in height order; the first is the genesis set.
    sets: Vec<(u64, u64, ValidatorSet)>,
}

impl ValidatorHistory {
    /// Parse a history document (JSON).
    pub fn from_json(bytes: &[u8]) -> Result<Self, VerifyError> {
        if bytes.len() > MAX_PROOF_JSON_BYTES {
            return Err(VerifyError::Malformed(format!(
                "{} bytes, more than the limit of {MAX_PROOF_JSON_BYTES}",
                bytes.len()
            )));
        }
        serde_json::from_slice(bytes).map_err(|e| VerifyError::Malformed(format!("validator history: {e}")))
    }

    /// Check every change from the genesis set: each header is certified by the set before it and names the set
    /// after it. An entry whose set is the one already in force (a "change" that changed nothing) is checked the
    /// same way and then skipped.
    pub fn verify(&self, genesis: &Genesis) -> Result<VerifiedSets, VerifyError> {
        if self.chain_id != genesis.chain_id {
            return Err(VerifyError::WrongChain { expected: genesis.chain_id.clone(), got: self.chain_id.clone() });
        }
        let mut sets = vec![(1, genesis.genesis_time_ms, genesis.validators.clone())];
        for (i, change) in self.changes.iter().enumerate() {
            let (from, _, current) = sets.last().expect("starts with the genesis set");
            let header = &change.certified.header;
            let at = |e: VerifyError| VerifyError::History { index: i, height: header.height, reason: e.to_string() };
            if header.height < *from {
                return Err(at(VerifyError::Malformed(format!(
                    "the change is at height {}, before the previous set's first height {from}; changes must be in \
                     height order",
                    header.height
                ))));
            }
            change.certified.verify(&self.chain_id, current).map_err(at)?;
            if header.next_validator_set_hash != change.validators.hash() {
                return Err(at(VerifyError::ValidatorSetMismatch {
                    header: hex(&header.next_validator_set_hash),
                    given: hex(&change.validators.hash()),
                }));
            }
            // An entry that names the set already in force is certified but changes nothing: skip it. Nodes no
            // longer serve such entries, but older ones recorded one when two changes in a block cancelled out,
            // and refusing it would make the whole history unverifiable for good.
            if change.validators.hash() == current.hash() {
                continue;
            }
            sets.push((header.height + 1, header.time_ms, change.validators.clone()));
        }
        Ok(VerifiedSets { chain_id: self.chain_id.clone(), sets })
    }
}

impl VerifiedSets {
    /// Only the genesis set: for a network whose set never changed, or a client that has no history.
    pub fn genesis_only(genesis: &Genesis) -> Self {
        Self {
            chain_id: genesis.chain_id.clone(),
            sets: vec![(1, genesis.genesis_time_ms, genesis.validators.clone())],
        }
    }

    /// One set trusted for every height and time (a caller that obtained it by other means).
    pub fn single(chain_id: ChainId, validators: ValidatorSet) -> Self {
        Self { chain_id, sets: vec![(1, 0, validators)] }
    }

    /// The network.
    pub fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }

    /// The set that signs the block at `height`, as far as the history reaches.
    pub fn at_height(&self, height: u64) -> &ValidatorSet {
        let i = self.sets.partition_point(|(from, _, _)| *from <= height);
        &self.sets[i.saturating_sub(1)].2
    }

    /// The sets that may have signed at some block time within second `timestamp` (Unix seconds, as in a
    /// checkpoint cosignature): one, or two when the set changed during that second. A set signs the blocks whose
    /// time is after the block that installed it, up to and including the block that replaced it.
    pub fn at_timestamp(&self, timestamp: u64) -> impl Iterator<Item = &ValidatorSet> {
        let first_ms = timestamp.saturating_mul(1000);
        let last_ms = first_ms.saturating_add(999);
        self.sets.iter().enumerate().filter_map(move |(i, (_, since, set))| {
            let until = self.sets.get(i + 1).map_or(u64::MAX, |(_, next_since, _)| *next_since);
            (*since < last_ms && until >= first_ms).then_some(set)
        })
    }

    /// Every set, the latest first.
    pub(crate) fn latest_first(&self) -> impl Iterator<Item = &ValidatorSet> {
        self.sets.iter().rev().map(|(_, _, set)| set)
    }

    /// Whether `set` (one of this history's, by reference) may have signed during second `timestamp`.
    pub(crate) fn signed_within(&self, set: &ValidatorSet, timestamp: u64) -> bool {
        self.at_timestamp(timestamp).any(|s| std::ptr::eq(s, set))
    }

    /// The latest set the history reaches.
    pub fn latest(&self) -> &ValidatorSet {
        &self.sets.last().expect("starts with the genesis set").2
    }

    /// Every set with the first height it signs.
    pub fn sets(&self) -> impl Iterator<Item = (u64, &ValidatorSet)> {
        self.sets.iter().map(|(from, _, set)| (*from, set))
    }

    /// Verify a certified header against the set of its height.
    pub fn verify_header(&self, certified: &CertifiedHeader) -> Result<(), VerifyError> {
        certified.verify(&self.chain_id, self.at_height(certified.header.height))
    }
}
