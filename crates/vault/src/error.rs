//! The vault's errors: what went wrong, and for a request, the HTTP status and the stable code it is answered with
//! (the node's generic codes, and the data module's where one names the case exactly).

use std::path::{Path, PathBuf};

use publica_types::{Code, ErrorCode};

/// What went wrong in the vault.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// A request that cannot be parsed: its body, a path parameter, a signature's form.
    #[error("{0}")]
    Malformed(String),
    /// A request body over its bound.
    #[error("{0}")]
    TooLarge(String),
    /// The request's signer may not do this (or the signature, its time or the agency is wrong).
    #[error("{0}")]
    NotPermitted(String),
    /// Well formed and authorised, but unacceptable in content; `code` says which rule.
    #[error("{message}")]
    Invalid {
        /// The stable code of the rule.
        code: Code,
        /// What was wrong and what to do.
        message: String,
    },
    /// Nothing of that name here.
    #[error("{0}")]
    NotFound(String),
    /// It was here, and never will be again (an erased record, a release that will never be served); `code` says
    /// why.
    #[error("{message}")]
    Gone {
        /// The stable code: `record_already_erased`, `access_not_pending`.
        code: Code,
        /// What happened, and where to look.
        message: String,
    },
    /// The node refused a transaction or a read; its code and message.
    #[error("the ledger refused it ({code}): {message}")]
    Refused {
        /// The node's stable code (`docs/api.md`).
        code: String,
        /// The node's message.
        message: String,
    },
    /// The node cannot be reached, or did not answer in time: nothing was lost, try again.
    #[error("{0}")]
    Unavailable(String),
    /// The vault's configuration or files are not usable.
    #[error("{0}")]
    Config(String),
    /// Another process holds the vault's store.
    #[error("the vault's store {} is in use by another process; stop it first", path.display())]
    Locked {
        /// The store's directory.
        path: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{}: {error}; check the vault's directory and its permissions", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        error: std::io::Error,
    },
    /// The store failed.
    #[error("the vault's store failed: {0}; check the disk and the directory's permissions")]
    Store(String),
    /// Stored bytes that do not decode, or do not open with the vault's key.
    #[error("the vault's store is damaged: {0}")]
    Corrupt(String),
    /// A cryptographic operation failed (a key that does not unwrap, a recipient key that does not validate).
    #[error("{0}")]
    Crypto(String),
    /// The vault failed.
    #[error("{0}")]
    Internal(String),
}

impl VaultError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        VaultError::Io { path: path.to_owned(), error }
    }

    /// A content error with `code`.
    pub fn invalid(code: impl Into<Code>, message: impl Into<String>) -> Self {
        VaultError::Invalid { code: code.into(), message: message.into() }
    }

    /// The stable code a request refused with this error is answered with.
    pub fn code(&self) -> Code {
        match self {
            VaultError::Malformed(_) => ErrorCode::MalformedRequest.into(),
            VaultError::TooLarge(_) => ErrorCode::RequestTooLarge.into(),
            VaultError::NotPermitted(_) => ErrorCode::NotPermitted.into(),
            VaultError::Invalid { code, .. } => *code,
            VaultError::NotFound(_) => ErrorCode::NotFound.into(),
            VaultError::Gone { code, .. } => *code,
            VaultError::Refused { code, .. } => ledger_code(code),
            VaultError::Unavailable(_) => ErrorCode::Unavailable.into(),
            VaultError::Config(_)
            | VaultError::Locked { .. }
            | VaultError::Io { .. }
            | VaultError::Store(_)
            | VaultError::Corrupt(_)
            | VaultError::Crypto(_)
            | VaultError::Internal(_) => ErrorCode::Internal.into(),
        }
    }

    /// The HTTP status a request refused with this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            VaultError::Gone { .. } => 410,
            VaultError::Refused { code, .. } => http_status(ledger_code(code).class()),
            other => http_status(other.code().class()),
        }
    }
}

impl From<fjall::Error> for VaultError {
    fn from(e: fjall::Error) -> Self {
        VaultError::Store(e.to_string())
    }
}

/// The code of a node's refusal named by its string: a generic code, an accounts or data module code; an unknown
/// one is reported as `invalid_argument` (its name stays in the message).
pub fn ledger_code(name: &str) -> Code {
    ErrorCode::ALL
        .iter()
        .map(|c| Code::from(*c))
        .chain(publica_data::error::CODES.iter().copied())
        .chain(publica_accounts::error::CODES.iter().copied())
        .find(|c| c.as_str() == name)
        .unwrap_or(ErrorCode::InvalidArgument.into())
}

/// The status of a generic code, as the node's API gives it (`docs/api.md`).
fn http_status(code: ErrorCode) -> u16 {
    use ErrorCode::*;
    match code {
        MalformedTransaction | NonCanonicalEncoding | BadSignature | MalformedRequest => 400,
        UnknownSender | AccountInactive | MissingRole | NotPermitted => 403,
        NotFound | PastStateNotKept => 404,
        BadNonce | NonceTooFarAhead | DuplicateTransaction | AccountExists => 409,
        TransactionTooLarge | RequestTooLarge => 413,
        WrongChain | Expired | ExpiryTooFar | InvalidArgument | UnknownAccount | UnknownAgency | TimeAfterLastBlock => {
            422
        }
        MempoolFull | Unavailable => 503,
        Internal => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_refusal_keeps_the_node_code_and_its_status() {
        let e = VaultError::Refused { code: "owner_not_a_citizen".into(), message: "x".into() };
        assert_eq!((e.code().as_str(), e.code().number(), e.status()), ("owner_not_a_citizen", 4104, 422));
        let e = VaultError::Refused { code: "missing_role".into(), message: "x".into() };
        assert_eq!(e.status(), 403);
        let e = VaultError::Refused { code: "something_new".into(), message: "x".into() };
        assert_eq!((e.code().as_str(), e.status()), ("invalid_argument", 422));
        let gone = VaultError::Gone { code: publica_data::error::RECORD_ALREADY_ERASED, message: "erased".into() };
        assert_eq!((gone.status(), gone.code().as_str()), (410, "record_already_erased"));
        assert_eq!(VaultError::Unavailable("down".into()).status(), 503);
    }
}
