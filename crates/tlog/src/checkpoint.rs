//! C2SP tlog-checkpoint v1.0.0: the note text of a log's signed tree head.

use crate::note::{verify_note, Note, NoteSignature, VerifierKey, MAX_NOTE_BYTES};
use crate::text::{check_controls, checked_text, decode_hash, encode_base64, malformed, parse_decimal};
use crate::{Hash, TlogError};

/// A checkpoint body: origin line, tree size, root hash and optional extension lines.
///
/// Text form (every line newline-terminated, none empty):
///
/// ```text
/// <origin>
/// <tree size, decimal, no leading zeros>
/// <base64 root hash, 32 bytes>
/// [<extension line>...]
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// The log's identity, e.g. `example.com/log42`. Non-empty; clients must not assume it is a URL.
    pub origin: String,
    /// Number of leaves in the tree.
    pub size: u64,
    /// RFC 6962 / RFC 9162 Merkle tree hash at `size`.
    pub root: Hash,
    /// Opaque, non-empty extension lines (not recommended; not covered by ML-DSA-44 cosignatures).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines; fails if the origin is empty or holds a control character.
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, TlogError> {
        let checkpoint = Checkpoint { origin: origin.to_owned(), size, root, extensions: Vec::new() };
        checkpoint.validate()?;
        Ok(checkpoint)
    }

    /// Checks that the fields have a text form: a non-empty origin and non-empty extension lines, none with a
    /// newline or another control character.
    pub fn validate(&self) -> Result<(), TlogError> {
        if self.origin.is_empty() {
            return Err(malformed("checkpoint", "the origin line is empty"));
        }
        check_controls("checkpoint origin", &self.origin, false)?;
        for extension in &self.extensions {
            if extension.is_empty() {
                return Err(malformed("checkpoint", "an extension line is empty"));
            }
            check_controls("checkpoint extension line", extension, false)?;
        }
        Ok(())
    }

    /// Parses a checkpoint note text (final newline included). Refuses missing or empty lines, a tree size with
    /// a leading zero or a sign, and a root hash that is not canonical base64 of exactly 32 bytes. The parse is
    /// strict enough that [`Checkpoint::to_text`] gives back the same text.
    pub fn parse_text(text: &str) -> Result<Self, TlogError> {
        const WHAT: &str = "checkpoint";
        checked_text(WHAT, text.as_bytes(), MAX_NOTE_BYTES)?;
        let body = text.strip_suffix('\n').ok_or_else(|| malformed(WHAT, "the text does not end with a newline"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        if let Some(n) = lines.iter().position(|line| line.is_empty()) {
            return Err(malformed(WHAT, format!("line {} is empty", n + 1)));
        }
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            let missing = ["origin", "tree size", "root hash"][lines.len()..].join(", ");
            return Err(malformed(WHAT, format!("it has {} lines; missing: {missing}", lines.len())));
        };
        Ok(Checkpoint {
            origin: (*origin).to_owned(),
            size: parse_decimal("checkpoint tree size", size, 0, u64::MAX)?,
            root: decode_hash("checkpoint root hash", root)?,
            extensions: extensions.iter().map(|line| (*line).to_owned()).collect(),
        })
    }

    /// The note text: one line each for origin, size, base64 root and every extension, newline-terminated.
    pub fn to_text(&self) -> String {
        let mut text = format!("{}\n{}\n{}\n", self.origin, self.size, encode_base64(&self.root));
        for extension in &self.extensions {
            text.push_str(extension);
            text.push('\n');
        }
        text
    }
}

/// A checkpoint together with the signed note that carries it (log signature and cosignatures).
///
/// Invariant kept by the constructors: `note.text() == checkpoint.to_text()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The parsed note text.
    pub checkpoint: Checkpoint,
    /// The note, with its signature lines.
    pub note: Note,
}

impl SignedCheckpoint {
    /// An unsigned checkpoint note, ready for [`SignedCheckpoint::add_signature`].
    pub fn new(checkpoint: Checkpoint) -> Result<Self, TlogError> {
        checkpoint.validate()?;
        let note = Note::new(checkpoint.to_text())?;
        Ok(SignedCheckpoint { checkpoint, note })
    }

    /// Interprets a parsed note as a checkpoint.
    pub fn from_note(note: Note) -> Result<Self, TlogError> {
        let checkpoint = Checkpoint::parse_text(note.text())?;
        debug_assert_eq!(checkpoint.to_text(), note.text(), "checkpoint parsing is canonical");
        Ok(SignedCheckpoint { checkpoint, note })
    }

    /// Parses a signed checkpoint (a signed note whose text is a checkpoint). Signatures are NOT verified: call
    /// [`SignedCheckpoint::verify`] before trusting it.
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogError> {
        Self::from_note(Note::parse(bytes)?)
    }

    /// The encoded signed note.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.note.to_bytes()
    }

    /// Adds a signature line (see [`Note::add_signature`] for duplicates).
    pub fn add_signature(&mut self, sig: NoteSignature) {
        self.note.add_signature(sig);
    }

    /// Verifies the note under `keys`; see [`verify_note`].
    pub fn verify(&self, keys: &[VerifierKey]) -> Result<Vec<usize>, TlogError> {
        verify_note(&self.note, keys)
    }
}
