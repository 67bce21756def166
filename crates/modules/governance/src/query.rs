//! Reads of the governance module.

use publica_types::{codec, Address, AgencyId, StateRead, ValidatorSet};

use crate::schema::{operator_key, proposal_key, Proposal, NEXT_PROPOSAL_KEY, VALIDATORS_KEY};

/// The set that signs the block after the state `state` (the genesis set until a change is applied).
pub fn validator_set(state: &dyn StateRead) -> Option<ValidatorSet> {
    state.get(VALIDATORS_KEY).map(|b| {
        ValidatorSet::decode(&b)
            .unwrap_or_else(|e| panic!("stored validator set does not decode ({e}); the state store is corrupt"))
    })
}

/// Proposal `id`.
pub fn proposal(state: &dyn StateRead, id: u64) -> Option<Proposal> {
    state.get(&proposal_key(id)).map(|b| {
        codec::decode_state("governance proposal", &b, usize::MAX)
            .unwrap_or_else(|e| panic!("stored proposal {id} does not decode ({e}); the state store is corrupt"))
    })
}

/// Number of proposals made so far (their numbers are `0..count`).
pub fn proposal_count(state: &dyn StateRead) -> u64 {
    state
        .get(NEXT_PROPOSAL_KEY)
        .map(|b| u64::from_le_bytes(b.as_slice().try_into().expect("stored proposal counter is 8 bytes")))
        .unwrap_or(0)
}

/// The agency operating `address`, if it joined by vote.
pub fn operator(state: &dyn StateRead, address: &Address) -> Option<AgencyId> {
    state.get(&operator_key(address)).map(|b| {
        codec::decode_state("operator agency", &b, 1024).unwrap_or_else(|e| {
            panic!("stored operator of {address} does not decode ({e}); the state store is corrupt")
        })
    })
}
