//! C2SP tlog-witness `add-checkpoint` bodies (the HTTP service lives elsewhere).
//!
//! The response body is one or more cosignature lines: see [`crate::parse_signature_lines`] and
//! [`crate::format_signature_line`].

use publica_merkle::log::{empty_root, verify_consistency};

use crate::checkpoint::SignedCheckpoint;
use crate::note::MAX_NOTE_BYTES;
use crate::text::{checked_text, decode_hash, encode_base64, malformed, parse_decimal, split_header};
use crate::{Hash, TlogError};

/// The most consistency-proof lines a client may send.
pub const MAX_CONSISTENCY_PROOF_HASHES: usize = 63;

/// The largest `add-checkpoint` body accepted: a full-size note plus the header lines.
pub const MAX_ADD_CHECKPOINT_BYTES: usize = MAX_NOTE_BYTES + 4096;

/// An `add-checkpoint` request body:
///
/// ```text
/// old <decimal size of the previous checkpoint>
/// <base64 hash>...            (consistency proof, at most 63 lines)
///
/// <signed checkpoint>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    /// Size of the latest checkpoint the witness cosigned for this log, per the client.
    pub old_size: u64,
    /// RFC 9162 consistency proof from `old_size` to the checkpoint's size.
    pub consistency_proof: Vec<Hash>,
    /// The submitted checkpoint with the log's signature(s).
    pub checkpoint: SignedCheckpoint,
}

impl AddCheckpointRequest {
    /// Parses a request body of at most [`MAX_ADD_CHECKPOINT_BYTES`]. Refuses an old size above the checkpoint
    /// size (the witness answers 400). Signatures and the proof are not checked.
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogError> {
        const WHAT: &str = "add-checkpoint request";
        let text = checked_text(WHAT, bytes, MAX_ADD_CHECKPOINT_BYTES)?;
        let (header, checkpoint) = split_header(WHAT, text)?;
        let (old_line, hash_lines) = header.split_first().expect("split always yields one line");
        let old =
            old_line.strip_prefix("old ").ok_or_else(|| malformed(WHAT, "the first line must be `old <size>`"))?;
        let old_size = parse_decimal("add-checkpoint old size", old, 0, u64::MAX)?;
        if hash_lines.len() > MAX_CONSISTENCY_PROOF_HASHES {
            return Err(TlogError::TooMany { what: WHAT, count: hash_lines.len(), max: MAX_CONSISTENCY_PROOF_HASHES });
        }
        let consistency_proof =
            hash_lines.iter().map(|line| decode_hash("consistency proof hash", line)).collect::<Result<_, _>>()?;
        let checkpoint = SignedCheckpoint::parse(checkpoint.as_bytes())?;
        if old_size > checkpoint.checkpoint.size {
            return Err(TlogError::OldSizeTooLarge { old_size, size: checkpoint.checkpoint.size });
        }
        Ok(AddCheckpointRequest { old_size, consistency_proof, checkpoint })
    }

    /// The encoded request body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size);
        for hash in &self.consistency_proof {
            out.push_str(&encode_base64(hash));
            out.push('\n');
        }
        out.push('\n');
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.checkpoint.to_bytes());
        bytes
    }

    /// The witness's Merkle checks (failures are answered with 422): a size-0 checkpoint has the empty-tree
    /// root; from old size 0 the proof is empty; otherwise the proof shows the checkpoint extends the tree of
    /// `old_size` leaves with root `old_root` (equal roots when the sizes are equal). `old_root` is the root of
    /// the witness's latest cosigned checkpoint and is ignored when the old size is 0.
    pub fn verify_consistency(&self, old_root: &Hash) -> Result<(), TlogError> {
        let checkpoint = &self.checkpoint.checkpoint;
        if checkpoint.size == 0 && checkpoint.root != empty_root() {
            return Err(TlogError::EmptyTreeRoot);
        }
        if self.old_size == 0 {
            return match self.consistency_proof.len() {
                0 => Ok(()),
                len => Err(TlogError::ProofNotEmpty(len)),
            };
        }
        verify_consistency(self.old_size, checkpoint.size, old_root, &checkpoint.root, &self.consistency_proof)?;
        Ok(())
    }
}
