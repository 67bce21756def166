//! C2SP transparency-log formats for Publica's notary log: signed notes, checkpoints, cosignatures, tiles,
//! proofs and witness request bodies, with key ids, signing and verification. Pure: no I/O, no clock, no network.
//!
//! The notary keeps an RFC 9162 append-only log of anchored document hashes. Validators sign checkpoints of it,
//! independent witnesses cosign them, and citizens keep offline receipts. Every artifact follows the C2SP
//! specifications byte for byte, so that other implementations (Go's `golang.org/x/mod/sumdb/note`, sigsum,
//! litewitness, tlog clients) accept what Publica produces and Publica accepts theirs.
//!
//! # Specifications implemented
//!
//! | spec | version | here |
//! |---|---|---|
//! | [c2sp.org/signed-note](https://c2sp.org/signed-note) | v1.0.0 | [`Note`], [`NoteSignature`], [`VerifierKey`], [`key_id`], [`verify_note`]; signature types `0x01`, `0x04`, `0x06` |
//! | [c2sp.org/tlog-checkpoint](https://c2sp.org/tlog-checkpoint) | v1.0.0 | [`Checkpoint`], [`SignedCheckpoint`] |
//! | [c2sp.org/tlog-cosignature](https://c2sp.org/tlog-cosignature) | v1 (`cosignature/v1`, `subtree/v1`) | [`Ed25519Cosigner`], [`MlDsa44Cosigner`], [`ed25519_cosignature_message`], [`ml_dsa_44_cosigned_message`] |
//! | [c2sp.org/tlog-tiles](https://c2sp.org/tlog-tiles) | v1 paths and entry bundles | [`TilePath`], [`encode_entry_bundle`], [`decode_entry_bundle`] |
//! | [c2sp.org/tlog-proof](https://c2sp.org/tlog-proof) | `c2sp.org/tlog-proof@v1` | [`TlogProof`] |
//! | [c2sp.org/tlog-witness](https://c2sp.org/tlog-witness) | `add-checkpoint` bodies | [`AddCheckpointRequest`], [`parse_signature_lines`], [`format_signature_line`] |
//!
//! Not implemented: ECDSA (`0x02`) and RFC 6962 tree-head (`0x05`) signature types, the tlog-witness
//! `sign-subtree` request (the ML-DSA-44 message builder supports subtrees), and anything that does I/O.
//!
//! # Choices the specs leave open
//!
//! * Limits: notes up to [`MAX_NOTE_BYTES`] and [`MAX_SIGNATURES`] lines (the spec requires at least 16);
//!   tlog-proofs up to [`MAX_PROOF_BYTES`] and [`MAX_PROOF_HASHES`] hashes; add-checkpoint bodies up to
//!   [`MAX_ADD_CHECKPOINT_BYTES`] and 63 proof lines.
//! * Parsing is canonical: base64 must be padded with zero trailing bits, decimals have no leading zeros or
//!   signs, tile paths must be spelled exactly as the spec encodes them. Every parsed artifact re-encodes to the
//!   same bytes.
//! * Verification ([`verify_note`]) checks EVERY signature line that matches a known key (not only the first)
//!   and rejects the note if any fails, as signed-note recommends.
//! * Ed25519 signing is RFC 8032; verification uses the ZIP-215 rules of `ed25519-consensus`, which accept all
//!   RFC 8032-valid signatures plus some non-canonical point encodings. ML-DSA-44 is FIPS 204 pure mode with an
//!   empty context (AWS-LC), hedged signing.

mod checkpoint;
mod error;
mod note;
mod proof;
mod sign;
mod text;
mod tiles;
mod witness;

/// A SHA-256 hash: tree roots, leaf and node hashes.
pub type Hash = [u8; 32];

pub use checkpoint::{Checkpoint, SignedCheckpoint};
pub use error::TlogError;
pub use note::{
    check_key_name, format_signature_line, key_id, parse_signature_lines, verify_note, verify_note_timestamps, Note,
    NoteSignature, SignatureType, VerifierKey, ED25519_PUBLIC_KEY_LEN, ED25519_SIGNATURE_LEN, MAX_NOTE_BYTES,
    MAX_SIGNATURES, ML_DSA_44_PUBLIC_KEY_LEN, ML_DSA_44_SIGNATURE_LEN,
};
pub use proof::{TlogProof, MAX_PROOF_BYTES, MAX_PROOF_HASHES, TLOG_PROOF_HEADER};
pub use sign::{
    ed25519_cosignature_message, ml_dsa_44_cosigned_message, Ed25519Cosigner, Ed25519NoteSigner, MlDsa44Cosigner,
    COSIGNATURE_V1_HEADER, MAX_TIMESTAMP, SUBTREE_V1_LABEL,
};
pub use tiles::{
    decode_entry_bundle, encode_entry_bundle, full_tiles, partial_tiles, TilePath, MAX_ENTRY_BUNDLE_BYTES,
    MAX_ENTRY_BYTES, MAX_TILE_LEVEL, TILE_HEIGHT, TILE_WIDTH,
};
pub use witness::{AddCheckpointRequest, MAX_ADD_CHECKPOINT_BYTES, MAX_CONSISTENCY_PROOF_HASHES};
