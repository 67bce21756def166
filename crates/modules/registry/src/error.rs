//! Errors of the registry module: the crate's error type for data from outside, and refusals of calls.
//!
//! Calls are refused with a [`TxError`] carrying a stable [`ErrorCode`]; the helpers here keep the codes used
//! for each kind of refusal in one place.

use publica_types::{ErrorCode, TxError};

/// What can be wrong with registry data handed to this crate from outside (GeoJSON text, encoded versions,
/// as-of answers to verify).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// A parcel boundary breaks a geometry rule.
    #[error("invalid parcel boundary: {0}; fix the GeoJSON Polygon and submit it again")]
    InvalidGeometry(String),
    /// Bytes do not decode as the expected value.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// A transaction would need more geometry work than it may use (`geo::MAX_GEOMETRY_WORK`).
    #[error("{0}")]
    GeometryWork(String),
    /// The versions given to an as-of check do not decide the question.
    #[error("the as-of answer does not hold: {0}")]
    AsOf(String),
}

impl From<RegistryError> for TxError {
    fn from(e: RegistryError) -> Self {
        TxError::new(ErrorCode::InvalidArgument, e.to_string())
    }
}

/// A call argument is wrong.
pub(crate) fn invalid(message: impl Into<String>) -> TxError {
    TxError::new(ErrorCode::InvalidArgument, message)
}

/// The call is well formed but the rules or the record's state do not allow it.
pub(crate) fn not_permitted(message: impl Into<String>) -> TxError {
    TxError::new(ErrorCode::NotPermitted, message)
}
