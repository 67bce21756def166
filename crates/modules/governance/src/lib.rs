//! The governance module: agencies join and leave the validator set, and the roles each agency may grant change,
//! by a vote of the validators.
//!
//! An agency administrator proposes a [`ValidatorChange`](crate::call::ValidatorChange) (a change of the
//! validator set, or `SetAgencyRoles`: a new list of the roles an agency may grant); members of the current
//! validator set approve it with their consensus keys. The transaction whose approval brings the approving members
//! of the CURRENT set above two thirds of its voting power applies the change: a new set is written under
//! [`VALIDATORS_KEY`] at the end of that transaction, and signs from the next height on; new agency roles are
//! written to the agency's record (`publica_accounts::set_agency_roles`) and bind every later transaction, the rest
//! of that block included. Approvals by validators that have meanwhile left the set no longer count.
//!
//! Changes of contracts (an agency's contract policy, a deployment with native roles, an upgrade, a freeze or an
//! unfreeze) are proposed and approved by the same rule; the contracts module checks them when proposed and
//! applies them when the vote passes (`publica_contracts::tx::check_*` and `apply_*`), so this module decides only
//! whether the validators agreed.
//!
//! The module has the shape every module shares: [`call`] (its calls), [`schema`] (state layout), [`tx`] (its calls and their
//! execution), [`query`] (reads), [`error`] (refusals with stable codes, 3100 to 3199).

pub mod call;
pub mod error;
pub mod query;
pub mod schema;
pub mod tx;

pub use query::{operator, proposal, proposal_count, validator_set};
pub use schema::{operator_key, proposal_key, Proposal, ProposalStatus, NEXT_PROPOSAL_KEY, VALIDATORS_KEY};
pub use tx::execute;
