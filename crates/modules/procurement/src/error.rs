//! Refusals of the procurement module, each with a stable code (4000 to 4099).
//!
//! Calls that need a role refuse with `publica_accounts::require_role`'s codes (`missing_role`,
//! `account_inactive`, `role_not_granted`, …), as every module does.

use publica_types::TxError;

publica_types::module_codes! {
    /// A text (a title, a description, a question, a reason) empty or longer than its limit.
    TEXT_INVALID = (4001, "procurement_text_invalid", InvalidArgument);
    /// No sealing key of this number.
    KEY_NOT_FOUND = (4002, "sealing_key_not_found", NotFound);
    /// A key ceremony with bad holders, threshold or deadlines.
    CEREMONY_INVALID = (4003, "ceremony_invalid", InvalidArgument);
    /// The sender is not one of the sealing key's holders.
    NOT_A_HOLDER = (4004, "not_a_key_holder", NotPermitted);
    /// A ceremony step out of its time or order: a registration after its deadline or repeated, a deal before
    /// every holder registered or after the deadline or repeated, a complaint after its deadline, a finish before
    /// the complaint period ended, a tender on a key that is not ready.
    CEREMONY_STEP = (4005, "ceremony_step", InvalidArgument);
    /// A key, deal, complaint or decryption share whose encoding or proof does not verify.
    PROOF_INVALID = (4006, "procurement_proof_invalid", InvalidArgument);
    /// A complaint against a share that is good: the dealer stays qualified.
    COMPLAINT_UNFOUNDED = (4007, "deal_complaint_unfounded", InvalidArgument);
    /// Fewer qualified dealers than the threshold: the key cannot be made; start a new ceremony.
    KEY_FAILED = (4008, "sealing_key_failed", InvalidArgument);
    /// A tender with bad items, lots, criteria, documents, timeline, evaluators or currency.
    TENDER_INVALID = (4009, "tender_invalid", InvalidArgument);
    /// No tender of this number.
    TENDER_NOT_FOUND = (4010, "tender_not_found", NotFound);
    /// The sender is not an official of the tender's procuring entity.
    NOT_THE_ENTITY = (4011, "not_the_procuring_entity", NotPermitted);
    /// A step the tender's timeline does not allow now: a question after the clarification deadline, an amendment,
    /// a bid or a withdrawal after the bid deadline, a share before the opening time.
    OUT_OF_TIME = (4012, "out_of_time", InvalidArgument);
    /// The tender is cancelled.
    TENDER_CANCELLED = (4013, "tender_cancelled", InvalidArgument);
    /// No question of this number, or one already answered.
    QUESTION_STATE = (4014, "question_state", InvalidArgument);
    /// Too many questions about this tender, from this account or in all.
    TOO_MANY_QUESTIONS = (4015, "too_many_questions", InvalidArgument);
    /// A bidder that is not a registered company, is dissolved or in liquidation, or whose sender is not its
    /// director or chair.
    BIDDER_INVALID = (4016, "bidder_invalid", NotPermitted);
    /// A sealed bid that is too large, was sealed to another key, reuses another bid's ephemeral key, or whose
    /// proof of knowledge does not verify.
    BID_INVALID = (4017, "bid_invalid", InvalidArgument);
    /// No bid of this number or from this company.
    BID_NOT_FOUND = (4018, "bid_not_found", NotFound);
    /// The tender has as many bids as it takes, or the company replaced its bid as often as it may.
    TOO_MANY_BIDS = (4019, "too_many_bids", InvalidArgument);
    /// A share for a bid already open, repeated, or out of order.
    SHARE_INVALID = (4020, "share_invalid", InvalidArgument);
    /// A score before every bid is open, by someone not on the committee, for an invalid bid or one without a
    /// price for the lot, with the wrong number of scores, or above the scale.
    SCORE_INVALID = (4021, "score_invalid", InvalidArgument);
    /// No lot of this index.
    LOT_NOT_FOUND = (4022, "lot_not_found", NotFound);
    /// An award before the committee scored every valid bid, of a lot already awarded, or to a bid without a valid
    /// price for it.
    AWARD_INVALID = (4023, "award_invalid", InvalidArgument);
    /// An award that departs from the ranking without a reason of at least the minimum length.
    AWARD_NEEDS_REASON = (4024, "award_needs_reason", InvalidArgument);
    /// A complaint outside the award's standstill period, by a company that did not bid, or one too many.
    COMPLAINT_INVALID = (4025, "complaint_invalid", InvalidArgument);
    /// No complaint of this number, or one already decided.
    COMPLAINT_STATE = (4026, "complaint_state", InvalidArgument);
    /// A review body of the procuring entity's own agency.
    REVIEW_NOT_INDEPENDENT = (4027, "review_not_independent", NotPermitted);
    /// A contract before the standstill ended, with a complaint pending, for a lot not awarded, signed twice, or
    /// with milestones that do not add up to its value.
    CONTRACT_INVALID = (4028, "contract_invalid", InvalidArgument);
    /// A contract value above the awarded price without an amendment, or above what the funding commitment has
    /// left.
    CONTRACT_ABOVE_AWARD = (4029, "contract_above_award", InvalidArgument);
    /// No contract of this number.
    CONTRACT_NOT_FOUND = (4030, "contract_not_found", NotFound);
    /// A countersignature by someone who is not the supplier's director or chair, of another document, or of a
    /// contract that awaits none.
    COUNTERSIGN_INVALID = (4031, "countersign_invalid", InvalidArgument);
    /// No milestone of this index, a delivery accepted twice, or a payment for a milestone not delivered.
    MILESTONE_INVALID = (4032, "milestone_invalid", InvalidArgument);
    /// A payment that is not the finance module's, is against another commitment or to another payee, is linked
    /// already, or passes the milestone's amount.
    PAYMENT_INVALID = (4033, "procurement_payment_invalid", InvalidArgument);
    /// A committee member who scores, or an official who awards, a bid of a company they are an officer of.
    CONFLICT_OF_INTEREST = (4034, "conflict_of_interest", NotPermitted);
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: publica_types::Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}
