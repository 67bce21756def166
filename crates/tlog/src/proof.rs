//! C2SP tlog-proof v1: an offline-verifiable inclusion proof bundled with its signed checkpoint.

use publica_merkle::log::verify_inclusion;

use crate::checkpoint::SignedCheckpoint;
use crate::text::{checked_text, decode_base64, decode_hash, encode_base64, malformed, parse_decimal, split_header};
use crate::{Hash, TlogError};

/// The largest tlog-proof accepted, in bytes: the largest checkpoint note and 64 KiB for the rest.
pub const MAX_PROOF_BYTES: usize = crate::note::MAX_NOTE_BYTES + 64 * 1024;

/// The most inclusion-proof hashes accepted: a tree with a 64-bit size has at most 64 levels.
pub const MAX_PROOF_HASHES: usize = 64;

/// The first line of every tlog-proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A tlog-proof (file extension `.tlog-proof`):
///
/// ```text
/// c2sp.org/tlog-proof@v1
/// [extra <base64 opaque data>]
/// index <decimal, no leading zeros>
/// <base64 hash>...            (inclusion proof, leaf's sibling first)
///
/// <signed checkpoint, verbatim>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque application data; NOT authenticated by anything in the proof.
    pub extra: Option<Vec<u8>>,
    /// Zero-based index of the entry in the log.
    pub index: u64,
    /// RFC 9162 inclusion proof, from the leaf's sibling up to the root's child.
    pub proof: Vec<Hash>,
    /// The log's signed checkpoint, with any cosignatures.
    pub checkpoint: SignedCheckpoint,
}

impl TlogProof {
    /// Parses a tlog-proof of at most [`MAX_PROOF_BYTES`] bytes and [`MAX_PROOF_HASHES`] proof hashes. Nothing is
    /// verified: check the checkpoint's signatures and then [`TlogProof::verify_inclusion`].
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogError> {
        const WHAT: &str = "tlog-proof";
        let text = checked_text(WHAT, bytes, MAX_PROOF_BYTES)?;
        let (header, checkpoint) = split_header(WHAT, text)?;
        let mut lines = header.into_iter().peekable();
        if lines.next() != Some(TLOG_PROOF_HEADER) {
            return Err(malformed(WHAT, format!("the first line must be `{TLOG_PROOF_HEADER}`")));
        }
        let extra = match lines.peek().and_then(|line| line.strip_prefix("extra ")) {
            Some(encoded) => {
                lines.next();
                Some(decode_base64("tlog-proof extra data", encoded)?)
            }
            None => None,
        };
        let index = lines
            .next()
            .and_then(|line| line.strip_prefix("index "))
            .ok_or_else(|| malformed(WHAT, "the `index <n>` line is missing"))?;
        let index = parse_decimal("tlog-proof index", index, 0, u64::MAX)?;
        let hash_lines: Vec<&str> = lines.collect();
        if hash_lines.len() > MAX_PROOF_HASHES {
            return Err(TlogError::TooMany { what: "tlog-proof", count: hash_lines.len(), max: MAX_PROOF_HASHES });
        }
        let proof = hash_lines.iter().map(|line| decode_hash("tlog-proof hash", line)).collect::<Result<_, _>>()?;
        Ok(TlogProof { extra, index, proof, checkpoint: SignedCheckpoint::parse(checkpoint.as_bytes())? })
    }

    /// The encoded proof.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str(&format!("extra {}\n", encode_base64(extra)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for hash in &self.proof {
            out.push_str(&encode_base64(hash));
            out.push('\n');
        }
        out.push('\n');
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.checkpoint.to_bytes());
        bytes
    }

    /// Checks that the inclusion proof binds `leaf_hash` (the RFC 9162 leaf hash, `SHA-256(0x00 || entry)`) at
    /// `index` to the checkpoint's root. Signatures are not checked here.
    pub fn verify_inclusion(&self, leaf_hash: &Hash) -> Result<(), TlogError> {
        let checkpoint = &self.checkpoint.checkpoint;
        verify_inclusion(leaf_hash, self.index, checkpoint.size, &self.proof, &checkpoint.root)?;
        Ok(())
    }
}
