//! The one error type of the crate, with the HTTP status each refusal is answered with.

use std::path::PathBuf;

/// Everything that can go wrong in a witness: a refused `add-checkpoint` request (one variant per status code of
/// C2SP tlog-witness), or a problem with its key, settings or state directory.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The request body is not a well-formed `add-checkpoint` body, or its old size exceeds the checkpoint size.
    #[error("malformed add-checkpoint request: {0}")]
    Malformed(String),
    /// The request body is larger than the witness accepts.
    #[error("add-checkpoint request of {len} bytes is larger than the limit of {max} bytes")]
    TooLarge {
        /// Size of the body, in bytes (as far as it was read).
        len: usize,
        /// The limit, in bytes.
        max: usize,
    },
    /// The checkpoint's origin is not a log this witness follows.
    #[error("this witness does not follow the log {0:?}; its operator must add the network's genesis to follow it")]
    UnknownOrigin(String),
    /// The checkpoint is not signed by a quorum of the log's validators, or a validator's signature fails.
    #[error("checkpoint of {origin:?} is not signed as the witness requires: {reason}")]
    Forbidden {
        /// The log.
        origin: String,
        /// What the signature check found.
        reason: String,
    },
    /// The client's old size is not the size of the latest checkpoint the witness cosigned.
    #[error("the witness's latest cosigned checkpoint of {origin:?} has size {size}; send a proof from that size")]
    Conflict {
        /// The log.
        origin: String,
        /// Size of the latest cosigned checkpoint (0 if none).
        size: u64,
    },
    /// The checkpoint does not extend the latest cosigned one: a bad proof, a fork or a bad empty tree.
    #[error("checkpoint of {origin:?} is not consistent with the witness's view of the log: {reason}")]
    Inconsistent {
        /// The log.
        origin: String,
        /// Which check failed.
        reason: String,
    },
    /// Reading or writing the state directory failed; nothing was cosigned.
    #[error("{}: {source}; check the disk and the permissions of the witness's state directory", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A state file does not hold what the witness wrote.
    #[error("{}: {reason}; restore the state directory from a backup (never start from empty: the witness would cosign a rolled-back log)", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Another process holds the state directory.
    #[error("{} is in use by another witness process; stop it first (two processes would race on the state)", path.display())]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// The witness's name or key cannot be used.
    #[error("witness key: {0}")]
    Key(String),
    /// The witness's settings are not acceptable.
    #[error("witness configuration: {0}")]
    Config(String),
    /// A fault inside the witness (the clock, a signer).
    #[error("internal witness error: {0}")]
    Internal(String),
}

impl WitnessError {
    /// The HTTP status code C2SP tlog-witness prescribes for this refusal (500 for the witness's own faults).
    pub fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) => 400,
            Self::Forbidden { .. } => 403,
            Self::UnknownOrigin(_) => 404,
            Self::Conflict { .. } => 409,
            Self::TooLarge { .. } => 413,
            Self::Inconsistent { .. } => 422,
            Self::Io { .. }
            | Self::Corrupt { .. }
            | Self::Locked { .. }
            | Self::Key(_)
            | Self::Config(_)
            | Self::Internal(_) => 500,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}
