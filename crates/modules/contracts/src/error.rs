//! Refusals of the contracts module, each with a stable code (4200 to 4299).
//!
//! Calls that need a role refuse with `publica_accounts::require_role`'s codes (`missing_role`,
//! `account_inactive`, `role_not_granted_by_agency`, …), as every module does; an unknown agency in a governance
//! change with the accounts code `unknown_agency`. A contract call that runs and fails is not a refusal: the
//! transaction is committed, its fuel charged and its [`crate::schema::Receipt`] records the failure.

use publica_types::{Code, TxError};

publica_types::module_codes! {
    /// The uploaded module is larger than `MAX_UPLOAD_CODE_BYTES`.
    CODE_TOO_LARGE = (4201, "contract_code_too_large", InvalidArgument);
    /// The uploaded module is refused by the runtime's validation (the message gives its reason).
    CODE_INVALID = (4202, "contract_code_invalid", InvalidArgument);
    /// Code with this hash is already uploaded.
    CODE_EXISTS = (4203, "code_exists", InvalidArgument);
    /// No code with this hash is uploaded.
    CODE_NOT_FOUND = (4204, "contract_code_not_found", NotFound);
    /// An instance name is empty, longer than 64 bytes or not made of `[a-z0-9-]`.
    NAME_INVALID = (4205, "contract_name_invalid", InvalidArgument);
    /// An instance of this name exists.
    NAME_TAKEN = (4206, "contract_name_taken", InvalidArgument);
    /// The agency has no contract policy: its administrators may not deploy.
    POLICY_NOT_SET = (4207, "contract_policy_not_set", NotPermitted);
    /// The agency's policy does not let administrators deploy without a vote.
    ADMIN_DEPLOY_NOT_ALLOWED = (4208, "contract_admin_deploy_not_allowed", NotPermitted);
    /// The agency's policy does not list this code for administrators to deploy.
    CODE_NOT_ALLOWED = (4209, "contract_code_not_allowed", NotPermitted);
    /// The agency holds the most instances its policy allows.
    INSTANCE_LIMIT_REACHED = (4210, "contract_instance_limit_reached", NotPermitted);
    /// A fuel limit of zero, above the policy's or above `MAX_FUEL_PER_CALL` (100,000,000).
    FUEL_LIMIT_INVALID = (4211, "contract_fuel_limit_invalid", InvalidArgument);
    /// No instance has this number or name.
    INSTANCE_NOT_FOUND = (4212, "contract_instance_not_found", NotFound);
    /// The instance is frozen: calls are refused until a vote unfreezes it.
    INSTANCE_FROZEN = (4213, "contract_instance_frozen", NotPermitted);
    /// The sender is not an administrator of the instance's agency.
    NOT_INSTANCE_AGENCY = (4214, "not_contract_agency", NotPermitted);
    /// A call's input is longer than `MAX_INPUT_BYTES`.
    INPUT_TOO_LARGE = (4215, "contract_input_too_large", InvalidArgument);
    /// A call's fuel limit is above the instance's per-call limit.
    FUEL_ABOVE_INSTANCE_LIMIT = (4216, "contract_fuel_above_instance_limit", NotPermitted);
    /// The sender's fuel used today on the instance plus this call's limit is above its daily allowance.
    SENDER_DAILY_FUEL_EXHAUSTED = (4217, "contract_sender_daily_fuel_exhausted", NotPermitted);
    /// The agency's fuel budget for today has less left than the call's limit.
    AGENCY_DAILY_FUEL_EXHAUSTED = (4218, "contract_agency_daily_fuel_exhausted", NotPermitted);
    /// The instance is already frozen (or, for a vote, already in the state it asks for).
    FROZEN_UNCHANGED = (4219, "contract_frozen_unchanged", InvalidArgument);
    /// An upgrade to the code the instance already runs.
    UPGRADE_UNCHANGED = (4220, "contract_upgrade_unchanged", InvalidArgument);
    /// The instance's code history holds `MAX_CODE_HISTORY` versions.
    HISTORY_FULL = (4221, "contract_history_full", NotPermitted);
    /// A policy or deployment breaks a bound (too many code hashes or roles, a role the agency may not grant).
    POLICY_INVALID = (4222, "contract_policy_invalid", InvalidArgument);
    /// The agency's policy is already exactly this one.
    POLICY_UNCHANGED = (4223, "contract_policy_unchanged", InvalidArgument);
    /// Stored code no longer compiles (a damaged state or a runtime change): the call cannot run.
    CODE_NOT_RUNNABLE = (4224, "contract_code_not_runnable", Internal);
    /// The answer `submit_native` gives a contract whose instance holds no native roles (never a transaction's
    /// refusal).
    NATIVE_CALLS_UNAVAILABLE = (4225, "contract_native_calls_unavailable", NotPermitted);
    /// The answer `submit_native` gives a contract that already submitted `MAX_NATIVE_CALLS` in this transaction
    /// (never a transaction's refusal).
    NATIVE_CALL_LIMIT = (4226, "contract_native_call_limit", NotPermitted);
    /// The answer `submit_native` gives for bytes that are not one canonically encoded transaction call (never a
    /// transaction's refusal).
    NATIVE_CALL_MALFORMED = (4227, "contract_native_call_malformed", InvalidArgument);
    /// The answer `submit_native` gives for a call that is not on the list contracts may submit, or one that would
    /// write the contract's account (never a transaction's refusal).
    NATIVE_CALL_NOT_PERMITTED = (4228, "contract_native_call_not_permitted", NotPermitted);
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}
