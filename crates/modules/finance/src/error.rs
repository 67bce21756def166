//! Refusals of the finance module, each with a stable code (3900 to 3999).
//!
//! Calls that need a role refuse with `publica_accounts::require_role`'s codes (`missing_role`,
//! `account_inactive`, `role_not_granted`, …), as every module does.

use publica_types::TxError;

publica_types::module_codes! {
    /// No currency has this code.
    CURRENCY_NOT_FOUND = (3901, "currency_not_found", NotFound);
    /// A currency with this code exists already.
    CURRENCY_EXISTS = (3902, "currency_exists", InvalidArgument);
    /// A currency code that is not 3 to 8 capital letters, or more decimals than allowed.
    CURRENCY_INVALID = (3903, "currency_invalid", InvalidArgument);
    /// The sender's agency does not issue this currency.
    NOT_THE_ISSUER = (3904, "not_the_issuer", NotPermitted);
    /// An amount of zero.
    AMOUNT_INVALID = (3905, "amount_invalid", InvalidArgument);
    /// An amount that would overflow a balance or a total.
    AMOUNT_OVERFLOW = (3906, "amount_overflow", InvalidArgument);
    /// The account debited holds less than the amount.
    INSUFFICIENT_FUNDS = (3907, "insufficient_funds", InvalidArgument);
    /// A tier outside 1..=9, or one the currency does not define.
    TIER_INVALID = (3908, "tier_invalid", InvalidArgument);
    /// A private account of this holder exists already in this currency.
    ACCOUNT_EXISTS = (3909, "money_account_exists", InvalidArgument);
    /// No private account of this holder in this currency.
    ACCOUNT_NOT_FOUND = (3910, "account_not_found", NotFound);
    /// A holder that cannot have this account: a citizen who is not an active citizen, a company account without an
    /// operator, an operator given for a citizen, an agency that does not exist.
    HOLDER_INVALID = (3911, "holder_invalid", InvalidArgument);
    /// The sender may not debit this account.
    NOT_ACCOUNT_OPERATOR = (3912, "not_account_operator", NotPermitted);
    /// The credited account's balance would pass its tier's cap.
    BALANCE_CAP_EXCEEDED = (3913, "balance_cap_exceeded", InvalidArgument);
    /// The debited account would send more today than its tier allows.
    DAILY_LIMIT_EXCEEDED = (3914, "daily_limit_exceeded", InvalidArgument);
    /// The debited account is held.
    ACCOUNT_HELD = (3915, "account_held", InvalidArgument);
    /// A hold on an account already held, or a release of an account not held.
    HOLD_STATE = (3916, "hold_state", InvalidArgument);
    /// A release by an official of another agency, or with another role, than the hold's.
    HOLD_NOT_YOURS = (3917, "hold_not_yours", NotPermitted);
    /// A transfer to the account it comes from.
    SAME_ACCOUNT = (3918, "same_account", InvalidArgument);
    /// A text (a name, a reference, a reason, a code) empty where it must not be, or longer than its limit.
    TEXT_INVALID = (3919, "finance_text_invalid", InvalidArgument);
    /// A fiscal year with a budget already.
    BUDGET_EXISTS = (3920, "budget_exists", InvalidArgument);
    /// No budget for this fiscal year.
    BUDGET_NOT_FOUND = (3921, "budget_not_found", NotFound);
    /// A budget line with a bad code or classification, repeated in a call, or too many lines.
    LINE_INVALID = (3922, "line_invalid", InvalidArgument);
    /// No such budget line.
    LINE_NOT_FOUND = (3923, "line_not_found", NotFound);
    /// An allocation above what is left of the line's appropriation, or an amended appropriation below what was
    /// allocated.
    APPROPRIATION_EXCEEDED = (3924, "appropriation_exceeded", InvalidArgument);
    /// No allocation of this number.
    ALLOCATION_NOT_FOUND = (3925, "allocation_not_found", NotFound);
    /// A commitment above what is left of its allocation.
    ALLOCATION_EXCEEDED = (3926, "allocation_exceeded", InvalidArgument);
    /// No commitment of this number.
    COMMITMENT_NOT_FOUND = (3927, "commitment_not_found", NotFound);
    /// A payment above what is left of its commitment.
    COMMITMENT_EXCEEDED = (3928, "commitment_exceeded", InvalidArgument);
    /// A payment to another payee than its commitment names.
    PAYEE_MISMATCH = (3929, "payee_mismatch", InvalidArgument);
    /// The sender is an official of another agency than the allocation's or the programme's.
    WRONG_AGENCY = (3930, "wrong_agency", NotPermitted);
    /// No programme of this number.
    PROGRAMME_NOT_FOUND = (3931, "programme_not_found", NotFound);
    /// A programme with bad periods, a bad scheme, an amount above its commitment, or a commitment that names a
    /// payee.
    PROGRAMME_INVALID = (3932, "programme_invalid", InvalidArgument);
    /// A claim for a period outside the programme's, or one that is not open yet or is over (a period is claimed
    /// during it and the month after).
    PERIOD_INVALID = (3933, "period_invalid", InvalidArgument);
    /// A claim for someone who is not an active citizen, or not registered by the programme's agency.
    CLAIMANT_INELIGIBLE = (3934, "claimant_ineligible", InvalidArgument);
    /// A nullifier proof that does not verify with the citizen's key (the one in force when the period began).
    NULLIFIER_PROOF_INVALID = (3935, "nullifier_proof_invalid", InvalidArgument);
    /// This citizen was already paid for this scheme and period (the nullifier is recorded).
    DUPLICATE_CLAIM = (3936, "duplicate_claim", InvalidArgument);
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: publica_types::Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}
