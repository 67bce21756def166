//! The notary log's formats, with no state machine: what the verifier, the witness and the node share.
//!
//! - [`Entry`]: the bytes of one log entry (`docs/notary.md`);
//! - [`checkpoint`]: the C2SP checkpoint of the log's head, the validators' signatures on it carried in vote
//!   extensions ([`checkpoint::CheckpointVote`]), their assembly at commit, and the quorum rule a verifier or a
//!   witness checks ([`checkpoint::verify_checkpoint`]).
//!
//! The notary module (`publica-notary`, the state machine that appends to the log) re-exports all of it.

pub mod checkpoint;
mod entry;
mod error;

pub use entry::{check_label, Entry, ENTRY_VERSION, MAX_ANCHOR_LABEL_BYTES, MAX_ENTRY_BYTES};
pub use error::NotaryError;
