//! Errors of notary data.

/// What can be wrong with notary data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotaryError {
    /// Entry bytes do not follow the documented format.
    #[error("malformed log entry: {reason}")]
    MalformedEntry {
        /// What was wrong.
        reason: String,
    },
    /// A label is not acceptable.
    #[error("invalid label: {reason}")]
    BadLabel {
        /// What was wrong.
        reason: String,
    },
    /// A checkpoint or a validator's signature on one is not acceptable.
    #[error("{0}")]
    Checkpoint(String),
}
