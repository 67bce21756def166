//! Governance: changes of the validator set, and of the roles each agency may grant, proposed by an agency and
//! approved by the validators.
//!
//! A change is proposed by an agency administrator ([`GovernanceCall::Propose`]) and approved by validators, each
//! with a signature of its consensus key over [`approval_message`] ([`GovernanceCall::Approve`]; any active
//! official may carry the signature to the ledger, normally the validator's own agency administrator). When the
//! approving members of the CURRENT set hold more than two thirds of its voting power, the change is applied at
//! the end of that block and the new set signs from the next height on. Every header names the set that signs it
//! and the set that signs the next block (`validator_set_hash`, `next_validator_set_hash`), so the certified
//! header of a changing block is the previous set's signed statement of the new one: a client holding only the
//! genesis set follows every change (see `docs/consensus.md`, "Validator-set changes").

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_contracts::call::{Deployment, Policy};
use publica_types::codec::encode;
use publica_types::codec::hex_hash;
use publica_types::{sha256, signing_message, Address, Hash, Signature};
use publica_types::{AgencyId, ChainId, Role, Validator};

/// Signature tag of a new validator's proof of possession.
pub const VALIDATOR_POSSESSION_TAG: &str = "publica/validator-possession";
/// Signature tag of a validator's approval of a governance proposal.
pub const APPROVAL_TAG: &str = "publica/governance-approval";
/// Longest time a proposal stays open: 30 days.
pub const MAX_PROPOSAL_LIFETIME_MS: u64 = 30 * 24 * 3600 * 1000;

/// Calls of the governance module.
// Like the accounts calls, these carry keys and signatures inline; a transaction holds one call and is rarely moved.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum GovernanceCall {
    /// An agency administrator proposes a change (of the validator set or of an agency's roles), open for approval
    /// until block time
    /// `expires_at_ms` (at most [`MAX_PROPOSAL_LIFETIME_MS`] ahead).
    Propose { change: ValidatorChange, expires_at_ms: u64 },
    /// A member of the current validator set approves proposal `proposal`: `signature` is its consensus key's
    /// signature over [`approval_message`].
    Approve { proposal: u64, validator: Address, signature: Signature },
}

impl GovernanceCall {
    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Propose { .. } => "propose",
            Self::Approve { .. } => "approve",
        }
    }
}

/// A change made by governance: of the validator set, or of the roles an agency may grant. (The name predates the
/// second kind; every kind is proposed, approved and applied by the same rule.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ValidatorChange {
    /// A validator joins for `agency`. `possession` is the new consensus key's signature over
    /// [`possession_message`]: nobody can enrol a key they do not hold (a validator that never votes would take
    /// power away from every quorum), and the published checkpoint keys are bound to it.
    Add { agency: AgencyId, validator: Validator, possession: Signature },
    /// A validator leaves.
    Remove { address: Address },
    /// A validator's voting power changes.
    SetPower { address: Address, voting_power: u64 },
    /// The roles (besides `admin`) that `agency`'s administrators may grant are replaced by `roles`. A role removed
    /// here stops authorising anything at once, for every official of the agency who holds it (roles are checked
    /// against their agency wherever they authorise an act), and can no longer be granted.
    SetAgencyRoles { agency: AgencyId, roles: Vec<Role> },
    /// `agency`'s contract policy (what its administrators may deploy without a vote, its contracts' fuel budget
    /// per day) is replaced by `policy` (`publica_contracts::tx::apply_policy`).
    SetContractPolicy { agency: AgencyId, policy: Policy },
    /// A contract instance is deployed, with the native roles it holds (`publica_contracts::tx::apply_deploy`).
    DeployContract { deployment: Deployment },
    /// A contract instance's code is replaced; its state is kept and the version appended to its history
    /// (`publica_contracts::tx::apply_upgrade`).
    UpgradeContract {
        /// The instance's number.
        instance: u64,
        /// The new code, uploaded before.
        #[serde(with = "hex_hash")]
        code_hash: Hash,
    },
    /// A contract instance is frozen or unfrozen (`publica_contracts::tx::apply_frozen`); an administrator of its
    /// agency may also freeze it alone, only a vote unfreezes it.
    SetContractFrozen { instance: u64, frozen: bool },
}

impl ValidatorChange {
    /// `SHA-256(borsh(change))`: what approvals sign.
    pub fn hash(&self) -> Hash {
        sha256(&encode(self))
    }

    /// The validator the change is about (`None` for a change of an agency's roles or of contracts).
    pub fn address(&self) -> Option<Address> {
        match self {
            Self::Add { validator, .. } => Some(validator.address),
            Self::Remove { address } | Self::SetPower { address, .. } => Some(*address),
            Self::SetAgencyRoles { .. }
            | Self::SetContractPolicy { .. }
            | Self::DeployContract { .. }
            | Self::UpgradeContract { .. }
            | Self::SetContractFrozen { .. } => None,
        }
    }

    /// Whether the change is of the validator set (and so writes a new set when applied).
    pub fn changes_validators(&self) -> bool {
        matches!(self, Self::Add { .. } | Self::Remove { .. } | Self::SetPower { .. })
    }
}

/// The bytes a new validator's key signs to prove possession: the network, the agency and the validator entry
/// (address, consensus key, voting power, checkpoint keys).
pub fn possession_message(chain_id: &ChainId, agency: &AgencyId, validator: &Validator) -> Vec<u8> {
    signing_message(VALIDATOR_POSSESSION_TAG, chain_id.as_str(), &encode(&(agency, validator)))
}

/// The bytes a validator signs to approve proposal `proposal`, whose change hashes to `change_hash`: binding the
/// hash means an approval cannot be moved to another proposal, even one reusing the number on another network.
pub fn approval_message(chain_id: &ChainId, proposal: u64, change_hash: &Hash) -> Vec<u8> {
    signing_message(APPROVAL_TAG, chain_id.as_str(), &encode(&(proposal, change_hash)))
}
