//! Errors of this crate and the ledger's stable error codes.

use serde::{Deserialize, Serialize};

use crate::codec::CodecError;

/// Errors raised while building or checking the ledger's types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypesError {
    /// A name (chain id, agency id, role) breaks the naming rule.
    #[error("invalid {kind} {value:?}: must be {rule}")]
    InvalidName { kind: &'static str, value: String, rule: String },
    /// Bytes could not be decoded.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A commit certificate does not prove a decision.
    #[error("invalid commit certificate: {0}")]
    Certificate(String),
    /// A validator set is not acceptable.
    #[error("invalid validator set: {0}")]
    ValidatorSet(String),
    /// A genesis document is not acceptable.
    #[error("invalid genesis: {0}")]
    Genesis(String),
    /// Evidence of misbehaviour does not prove an offence.
    #[error("invalid misbehaviour evidence: {0}")]
    Evidence(String),
}

/// Stable error codes, shared by the API's JSON errors and by the reasons recorded for rejected transactions.
///
/// The numbers never change meaning once released; new codes are only added. The string form (`as_str`) is what
/// JSON clients should match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u16)]
pub enum ErrorCode {
    // Decoding.
    MalformedTransaction = 1001,
    TransactionTooLarge = 1002,
    NonCanonicalEncoding = 1003,
    // Authentication and replay protection.
    BadSignature = 1101,
    WrongChain = 1102,
    UnknownSender = 1103,
    BadNonce = 1104,
    NonceTooFarAhead = 1105,
    Expired = 1106,
    AccountInactive = 1107,
    ExpiryTooFar = 1108,
    // Authorisation.
    MissingRole = 1201,
    // Module rules.
    AccountExists = 1301,
    UnknownAccount = 1302,
    UnknownAgency = 1303,
    InvalidArgument = 1304,
    NotPermitted = 1305,
    // Admission.
    MempoolFull = 1401,
    DuplicateTransaction = 1402,
    // API.
    MalformedRequest = 2001,
    RequestTooLarge = 2002,
    NotFound = 2003,
    Unavailable = 2004,
    Internal = 2005,
    /// A question about a time after the last committed block, which no proof can cover yet.
    TimeAfterLastBlock = 2006,
    /// A question about a past state this node does not keep (`storage.past_states` off, or pruned): ask a node
    /// that keeps them. Not an answer about the record asked about.
    PastStateNotKept = 2007,
}

impl ErrorCode {
    /// The stable numeric code.
    pub fn number(self) -> u16 {
        self as u16
    }

    /// The stable string code, as used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedTransaction => "malformed_transaction",
            Self::TransactionTooLarge => "transaction_too_large",
            Self::NonCanonicalEncoding => "non_canonical_encoding",
            Self::BadSignature => "bad_signature",
            Self::WrongChain => "wrong_chain",
            Self::UnknownSender => "unknown_sender",
            Self::BadNonce => "bad_nonce",
            Self::NonceTooFarAhead => "nonce_too_far_ahead",
            Self::Expired => "expired",
            Self::AccountInactive => "account_inactive",
            Self::ExpiryTooFar => "expiry_too_far",
            Self::MissingRole => "missing_role",
            Self::AccountExists => "account_exists",
            Self::UnknownAccount => "unknown_account",
            Self::UnknownAgency => "unknown_agency",
            Self::InvalidArgument => "invalid_argument",
            Self::NotPermitted => "not_permitted",
            Self::MempoolFull => "mempool_full",
            Self::DuplicateTransaction => "duplicate_transaction",
            Self::MalformedRequest => "malformed_request",
            Self::RequestTooLarge => "request_too_large",
            Self::NotFound => "not_found",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::TimeAfterLastBlock => "time_after_last_block",
            Self::PastStateNotKept => "past_state_not_kept",
        }
    }

    /// Every generic code, for documentation and tests (the modules list their own in their `error` modules).
    pub const ALL: &'static [ErrorCode] = &[
        Self::MalformedTransaction,
        Self::TransactionTooLarge,
        Self::NonCanonicalEncoding,
        Self::BadSignature,
        Self::WrongChain,
        Self::UnknownSender,
        Self::BadNonce,
        Self::NonceTooFarAhead,
        Self::Expired,
        Self::AccountInactive,
        Self::ExpiryTooFar,
        Self::MissingRole,
        Self::AccountExists,
        Self::UnknownAccount,
        Self::UnknownAgency,
        Self::InvalidArgument,
        Self::NotPermitted,
        Self::MempoolFull,
        Self::DuplicateTransaction,
        Self::MalformedRequest,
        Self::RequestTooLarge,
        Self::NotFound,
        Self::Unavailable,
        Self::Internal,
        Self::TimeAfterLastBlock,
        Self::PastStateNotKept,
    ];
}

impl From<&CodecError> for ErrorCode {
    fn from(e: &CodecError) -> Self {
        match e {
            CodecError::TooLarge { .. } => Self::TransactionTooLarge,
            CodecError::Malformed { .. } => Self::MalformedTransaction,
            CodecError::NonCanonical { .. } => Self::NonCanonicalEncoding,
        }
    }
}

/// A stable error code: the number, its string form, and the generic [`ErrorCode`] it refines.
///
/// The codes of the envelope, admission and the API are the [`ErrorCode`]s (`From<ErrorCode>`); each module
/// declares its own refusals with [`Code::new`] in its `error` module, in the range of numbers given to it
/// (`docs/api.md`, "Error codes"). A module code refines a generic one, its `class`: the HTTP status of a refusal
/// follows the class, so a refusal that was reported under a generic code keeps its status under its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    number: u16,
    name: &'static str,
    class: ErrorCode,
}

impl Code {
    /// A module's code: `number` in the module's range, `name` its snake_case string, `class` the generic code it
    /// refines.
    pub const fn new(number: u16, name: &'static str, class: ErrorCode) -> Self {
        Self { number, name, class }
    }

    /// The stable numeric code.
    pub fn number(self) -> u16 {
        self.number
    }

    /// The stable string code, as used in JSON.
    pub fn as_str(self) -> &'static str {
        self.name
    }

    /// The generic code this one refines (itself, for a generic code).
    pub fn class(self) -> ErrorCode {
        self.class
    }
}

impl From<ErrorCode> for Code {
    fn from(code: ErrorCode) -> Self {
        Self { number: code.number(), name: code.as_str(), class: code }
    }
}

/// A code equals a generic code only when it IS that code, not when it refines it.
impl PartialEq<ErrorCode> for Code {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == Code::from(*other)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}

/// Why a transaction was refused: a stable code and a message for people.
///
/// This is what admission returns and what the node records for a transaction that did not make it into a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message} ({})", code.as_str())]
pub struct TxError {
    /// The stable code.
    pub code: Code,
    /// What was wrong and, where it helps, what to do.
    pub message: String,
}

impl TxError {
    /// A refusal with this code and message.
    pub fn new(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}

/// Declare a module's error codes as `pub const`s of type [`Code`], and `CODES`, the list of all of them.
///
/// ```
/// publica_types::module_codes! {
///     /// The thing is not there.
///     THING_MISSING = (3999, "thing_missing", NotFound);
/// }
/// assert_eq!(CODES, &[THING_MISSING]);
/// assert_eq!(THING_MISSING.class(), publica_types::ErrorCode::NotFound);
/// ```
#[macro_export]
macro_rules! module_codes {
    ($($(#[doc = $doc:expr])* $name:ident = ($number:literal, $string:literal, $class:ident);)*) => {
        $(
            $(#[doc = $doc])*
            pub const $name: $crate::Code = $crate::Code::new($number, $string, $crate::ErrorCode::$class);
        )*
        /// Every code of this module, in number order.
        pub const CODES: &[$crate::Code] = &[$($name),*];
    };
}
