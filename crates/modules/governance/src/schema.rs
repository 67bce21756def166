//! State layout of the governance module.
//!
//! State layout:
//!
//! | key | value |
//! |---|---|
//! | `sys/validators` | borsh `ValidatorSet`: the set that signs the next block |
//! | `gov/next` | next proposal number, u64 little-endian |
//! | `gov/p/` ‖ number (u64 big-endian) | borsh [`Proposal`] |
//! | `gov/op/` ‖ validator address | borsh `AgencyId`: the agency that runs a validator added by vote |

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::call::ValidatorChange;
use publica_types::{Address, AgencyId};

/// State key of the validator set that signs the next block.
pub const VALIDATORS_KEY: &[u8] = b"sys/validators";
/// State key of the next proposal number.
pub const NEXT_PROPOSAL_KEY: &[u8] = b"gov/next";
/// Most approvals a proposal records: every member of the largest set.
pub const MAX_APPROVALS: usize = publica_types::MAX_VALIDATORS;

/// A proposal and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Proposal {
    /// Its number, from 0 in the order proposed.
    pub id: u64,
    /// The change.
    pub change: ValidatorChange,
    /// The administrator who proposed it.
    pub proposer: Address,
    /// The proposer's agency.
    pub agency: AgencyId,
    /// Height of the proposing block.
    pub proposed_at_height: u64,
    /// Block time after which approvals are refused, Unix milliseconds.
    pub expires_at_ms: u64,
    /// Validators that approved, in the order their approvals were executed.
    pub approvals: Vec<Address>,
    /// Height of the block that applied the change, once applied.
    pub applied_at_height: Option<u64>,
}

impl Proposal {
    /// Where the proposal stands at block time `now_ms`.
    pub fn status(&self, now_ms: u64) -> ProposalStatus {
        match self.applied_at_height {
            Some(height) => ProposalStatus::Applied { height },
            None if now_ms > self.expires_at_ms => ProposalStatus::Expired,
            None => ProposalStatus::Open,
        }
    }
}

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Collecting approvals.
    Open,
    /// Its deadline passed without enough approvals.
    Expired,
    /// Applied at the end of block `height`; the new set signs from `height + 1` on.
    Applied {
        /// The applying block's height.
        height: u64,
    },
}

/// State key of proposal `id`.
pub fn proposal_key(id: u64) -> Vec<u8> {
    let mut key = b"gov/p/".to_vec();
    key.extend_from_slice(&id.to_be_bytes());
    key
}

/// State key of the operating agency of a validator added by vote.
pub fn operator_key(address: &Address) -> Vec<u8> {
    let mut key = b"gov/op/".to_vec();
    key.extend_from_slice(address.as_bytes());
    key
}
