//! The one error type of this crate.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why consensus could not start, or why a consensus message was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConsensusError {
    /// The configuration is unusable.
    #[error("invalid consensus configuration: {0}; fix the node configuration and restart")]
    Config(String),

    /// The application has no validator set for a height consensus must run.
    #[error(
        "the application returned no validator set for height {height}; the genesis or the validator-set history \
         is incomplete"
    )]
    NoValidatorSet {
        /// The height whose validator set is missing.
        height: u64,
    },

    /// The WAL or proposal directory could not be created or read.
    #[error("cannot use consensus directory {path}: {source}; check that it exists and is writable")]
    Storage {
        /// The directory or file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The engine failed to start (for example the listen address is taken).
    #[error("the consensus engine failed to start on {listen_addr}: {reason}; check that the port is free")]
    Engine {
        /// The p2p listen address.
        listen_addr: SocketAddr,
        /// What the engine reported.
        reason: String,
    },

    /// Bytes received from the network or read from the WAL are not a valid message.
    #[error("malformed {what}: {reason}")]
    Decode {
        /// The kind of message.
        what: &'static str,
        /// What was wrong.
        reason: String,
    },

    /// Bytes received from the network or read from the WAL exceed their size limit.
    #[error("{what} is {len} bytes, more than the limit of {max} bytes")]
    TooLarge {
        /// The kind of message.
        what: &'static str,
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },

    /// A message cannot be encoded because it is not well formed (for example a vote without a round).
    #[error("cannot encode {what}: {reason}")]
    Encode {
        /// The kind of message.
        what: &'static str,
        /// What was wrong.
        reason: String,
    },

    /// A proposal's parts were rejected.
    #[error("proposal from {proposer} at height {height} round {round} rejected: {reason}")]
    Proposal {
        /// Height of the proposal.
        height: u64,
        /// Round of the proposal.
        round: u32,
        /// The claimed proposer.
        proposer: String,
        /// What was wrong.
        reason: String,
    },

    /// A decided block could not be handed to the application.
    #[error("cannot commit height {height}: {reason}")]
    Commit {
        /// The decided height.
        height: u64,
        /// What was wrong.
        reason: String,
    },

    /// The application's worker thread panicked or was cancelled.
    #[error("the application call `{call}` did not complete: {reason}")]
    Application {
        /// Which application method.
        call: &'static str,
        /// The panic or cancellation message.
        reason: String,
    },
}

impl ConsensusError {
    pub(crate) fn decode(what: &'static str, reason: impl ToString) -> Self {
        Self::Decode { what, reason: reason.to_string() }
    }
}
