//! Refusals of the elections module, each with a stable code (3800 to 3899).
//!
//! Calls that need a role (the commission creating an election, the credential authority publishing credentials)
//! refuse with `publica_accounts::require_role`'s codes (`missing_role`, `account_inactive`, …), as every module
//! does.

use publica_types::TxError;

publica_types::module_codes! {
    /// No election has this number.
    ELECTION_NOT_FOUND = (3801, "election_not_found", NotFound);
    /// A name, description, question or answer is empty or longer than its limit.
    TEXT_INVALID = (3802, "text_invalid", InvalidArgument);
    /// An election has no question, too many, or a question with too few or too many answers.
    QUESTIONS_INVALID = (3803, "questions_invalid", InvalidArgument);
    /// A question's bounds are not `min <= max <= answers`, or `max` is 0.
    QUESTION_BOUNDS_INVALID = (3804, "question_bounds_invalid", InvalidArgument);
    /// The vote's window is empty or already over.
    WINDOW_INVALID = (3805, "window_invalid", InvalidArgument);
    /// The trustees are none, too many, repeated, not active accounts, or the threshold is outside 1..=trustees.
    TRUSTEES_INVALID = (3806, "trustees_invalid", InvalidArgument);
    /// The credential authority is not an active official holding `credential-authority`.
    CREDENTIAL_AUTHORITY_INVALID = (3807, "credential_authority_invalid", InvalidArgument);
    /// The call does not fit where the election stands (a ballot before set-up, a trustee message after the key...).
    WRONG_PHASE = (3808, "wrong_phase", InvalidArgument);
    /// The sender is not the trustee, the commission or the credential authority this call needs.
    SENDER_NOT_PERMITTED = (3809, "election_sender_not_permitted", NotPermitted);
    /// A trustee message of an unknown step, or of a step other than the one the trustees are at.
    TRUSTEE_STEP_INVALID = (3810, "trustee_step_invalid", InvalidArgument);
    /// The trustee already sent its message of this step.
    TRUSTEE_MESSAGE_DUPLICATE = (3811, "trustee_message_duplicate", InvalidArgument);
    /// A trustee message is too large, not the JSON its step needs, or fails its checks (signature, proof, key).
    TRUSTEE_MESSAGE_INVALID = (3812, "trustee_message_invalid", InvalidArgument);
    /// A voter is not an active citizen.
    VOTER_NOT_A_CITIZEN = (3813, "voter_not_a_citizen", InvalidArgument);
    /// A voter is already on the roll, or named twice in the call.
    VOTER_DUPLICATE = (3814, "voter_duplicate", InvalidArgument);
    /// Too many voters in one call or on the roll.
    VOTERS_TOO_MANY = (3815, "voters_too_many", InvalidArgument);
    /// The roll is frozen; or it must be frozen first.
    ROLL_FROZEN = (3816, "roll_frozen", InvalidArgument);
    /// A public credential is not a member of the group, or its weight is outside 1..=`MAX_WEIGHT`.
    CREDENTIAL_INVALID = (3817, "credential_invalid", InvalidArgument);
    /// A public credential is already published, or named twice in the call.
    CREDENTIAL_DUPLICATE = (3818, "credential_duplicate", InvalidArgument);
    /// More credentials than voters on the roll, or too many in one call; at sealing, fewer than voters.
    CREDENTIALS_COUNT_MISMATCH = (3819, "credentials_count_mismatch", InvalidArgument);
    /// A ballot outside the vote's window (block time).
    OUTSIDE_WINDOW = (3820, "outside_window", InvalidArgument);
    /// A ballot larger than `MAX_BALLOT_BYTES`, not canonical JSON, or not a ballot of this election's shape.
    BALLOT_MALFORMED = (3821, "ballot_malformed", InvalidArgument);
    /// A ballot for another election (its uuid or election fingerprint).
    BALLOT_WRONG_ELECTION = (3822, "ballot_wrong_election", InvalidArgument);
    /// A ballot's credential is not one of the election's public credentials.
    CREDENTIAL_UNKNOWN = (3823, "credential_unknown", InvalidArgument);
    /// A ballot with a proof, a signature or an element that does not verify.
    BALLOT_INVALID = (3824, "ballot_invalid", InvalidArgument);
    /// This very ballot is already on the board.
    BALLOT_DUPLICATE = (3825, "ballot_duplicate", InvalidArgument);
    /// The credential has cast `MAX_BALLOTS_PER_CREDENTIAL` ballots already.
    BALLOTS_PER_CREDENTIAL_EXCEEDED = (3826, "ballots_per_credential_exceeded", InvalidArgument);
    /// The vote cannot be closed before its closing time.
    NOT_YET_CLOSED = (3827, "not_yet_closed", InvalidArgument);
    /// A partial decryption too large, malformed, or whose factors or proofs do not verify.
    PARTIAL_DECRYPTION_INVALID = (3828, "partial_decryption_invalid", InvalidArgument);
    /// The trustee's partial decryption is already on the board.
    PARTIAL_DECRYPTION_DUPLICATE = (3829, "partial_decryption_duplicate", InvalidArgument);
    /// The credentials' weights would add up to more than `MAX_TOTAL_WEIGHT`.
    TOTAL_WEIGHT_TOO_LARGE = (3830, "total_weight_too_large", InvalidArgument);
    /// The trustees' messages, each accepted, do not make a key, or the partial decryptions do not decide a result.
    BOARD_INCONSISTENT = (3831, "board_inconsistent", InvalidArgument);
    /// A ballot whose signature does not verify with its credential: it was not made by the credential's holder.
    BALLOT_SIGNATURE_INVALID = (3832, "ballot_signature_invalid", InvalidArgument);
    /// A ballot's credential was revoked by the credential authority.
    CREDENTIAL_REVOKED = (3833, "credential_revoked", InvalidArgument);
    /// A credential that cast a ballot, or was revoked already, cannot be revoked.
    CREDENTIAL_NOT_REVOCABLE = (3834, "credential_not_revocable", InvalidArgument);
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: publica_types::Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}
