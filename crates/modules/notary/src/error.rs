//! Errors of the notary module: the error type of notary data (from `publica-notary-log`), and the stable codes
//! of refused calls (3200 to 3299).

pub use publica_notary_log::NotaryError;

publica_types::module_codes! {
    /// An anchoring carries no hashes or too many.
    ANCHOR_HASH_COUNT_OUT_OF_RANGE = (3201, "anchor_hash_count_out_of_range", InvalidArgument);
    /// An anchoring's label is not acceptable.
    ANCHOR_LABEL_INVALID = (3202, "anchor_label_invalid", InvalidArgument);
    /// The anchoring account is not an official of an agency.
    NOTARY_NOT_AN_OFFICIAL = (3203, "notary_not_an_official", NotPermitted);
}
