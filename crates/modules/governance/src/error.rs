//! Refusals of the governance module, each with a stable code (3100 to 3199).
//!
//! An unknown agency is refused with the accounts code `unknown_agency`, and a state without a validator set
//! (a damaged state) with `internal`.

use publica_types::{Code, TxError};

publica_types::module_codes! {
    /// A proposal's deadline is not after the block time, or further than the longest lifetime.
    PROPOSAL_EXPIRY_OUT_OF_RANGE = (3101, "proposal_expiry_out_of_range", InvalidArgument);
    /// There is no proposal with this number.
    PROPOSAL_NOT_FOUND = (3102, "proposal_not_found", NotFound);
    /// The proposal's deadline passed without enough approvals.
    PROPOSAL_EXPIRED = (3103, "proposal_expired", NotPermitted);
    /// The proposal was already applied.
    PROPOSAL_ALREADY_APPLIED = (3104, "proposal_already_applied", NotPermitted);
    /// The approving validator is not a member of the current set.
    APPROVER_NOT_A_VALIDATOR = (3105, "approver_not_a_validator", NotPermitted);
    /// This validator already approved the proposal.
    PROPOSAL_ALREADY_APPROVED = (3106, "proposal_already_approved", DuplicateTransaction);
    /// The proposal holds the most approvals it can record.
    PROPOSAL_APPROVALS_FULL = (3107, "proposal_approvals_full", NotPermitted);
    /// The approval is not signed by the validator's consensus key.
    APPROVAL_SIGNATURE_INVALID = (3108, "approval_signature_invalid", BadSignature);
    /// The agency already grants exactly the proposed roles.
    AGENCY_ROLES_UNCHANGED = (3109, "agency_roles_unchanged", InvalidArgument);
    /// A new validator's address is not its consensus key's address.
    VALIDATOR_ADDRESS_MISMATCH = (3110, "validator_address_mismatch", InvalidArgument);
    /// The validator to add is already a member.
    ALREADY_A_VALIDATOR = (3111, "already_a_validator", NotPermitted);
    /// A new validator's checkpoint keys are not acceptable.
    CHECKPOINT_KEYS_INVALID = (3112, "checkpoint_keys_invalid", InvalidArgument);
    /// The proof of possession does not verify with the new validator's key.
    VALIDATOR_POSSESSION_INVALID = (3113, "validator_possession_invalid", BadSignature);
    /// The validator to remove or re-weight is not a member.
    NOT_A_VALIDATOR = (3114, "not_a_validator", NotPermitted);
    /// The change would remove the last validator.
    LAST_VALIDATOR_REMOVED = (3115, "last_validator_removed", NotPermitted);
    /// A voting power of zero.
    VOTING_POWER_ZERO = (3116, "voting_power_zero", InvalidArgument);
    /// The validator already has this voting power.
    VOTING_POWER_UNCHANGED = (3117, "voting_power_unchanged", InvalidArgument);
    /// The set after the change breaks a rule of validator sets.
    VALIDATOR_SET_INVALID = (3118, "validator_set_invalid", NotPermitted);
    /// A new member's checkpoint key id is a member's.
    CHECKPOINT_KEY_ID_TAKEN = (3119, "checkpoint_key_id_taken", InvalidArgument);
    /// A voting power larger than a whole set may hold.
    VOTING_POWER_TOO_LARGE = (3120, "voting_power_too_large", InvalidArgument);
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}
