//! C2SP signed-note v1.0.0: notes, signature lines, key ids, verifier keys and note verification.

use std::fmt;

use aws_lc_rs::signature::{ParsedPublicKey, ML_DSA_44};
use sha2::{Digest, Sha256};

use crate::checkpoint::Checkpoint;
use crate::sign::{ed25519_cosignature_message, ml_dsa_44_cosigned_message, MAX_TIMESTAMP};
use crate::text::{checked_text, decode_base64, encode_base64, malformed};
use crate::TlogError;

/// The largest signed note (text plus signature lines) accepted, in bytes: room for [`MAX_SIGNATURES`] lines of
/// ML-DSA-44 cosignatures (about 3.3 KB each) and the text, and no more.
pub const MAX_NOTE_BYTES: usize = 2 * 1024 * 1024;

/// The most signature lines a note may carry: two per validator of the largest validator set (256) and 64 for
/// witnesses. The spec requires accepting at least 16.
pub const MAX_SIGNATURES: usize = 2 * 256 + 64;

/// Length of an Ed25519 public key (RFC 8032).
pub const ED25519_PUBLIC_KEY_LEN: usize = 32;
/// Length of an Ed25519 signature (RFC 8032).
pub const ED25519_SIGNATURE_LEN: usize = 64;
/// Length of a raw ML-DSA-44 public key (FIPS 204).
pub const ML_DSA_44_PUBLIC_KEY_LEN: usize = 1312;
/// Length of an ML-DSA-44 signature (FIPS 204).
pub const ML_DSA_44_SIGNATURE_LEN: usize = 2420;

/// Length of the big-endian timestamp that starts every `timestamped_signature` (tlog-cosignature).
const TIMESTAMP_LEN: usize = 8;

/// The signature line prefix: em dash (U+2014) and a space.
const LINE_PREFIX: &str = "\u{2014} ";

/// The note signature types this crate implements (signed-note §Signature types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SignatureType {
    /// Ed25519 over the note text (signed-note).
    Ed25519 = 0x01,
    /// Timestamped Ed25519 checkpoint cosignature (tlog-cosignature, `cosignature/v1`).
    CosignatureEd25519 = 0x04,
    /// Timestamped ML-DSA-44 (sub)tree cosignature (tlog-cosignature, `subtree/v1`).
    CosignatureMlDsa44 = 0x06,
}

impl SignatureType {
    /// The identifier byte, as used in key ids and verifier keys.
    pub fn byte(self) -> u8 {
        self as u8
    }

    /// The type with identifier byte `byte`.
    pub fn from_byte(byte: u8) -> Result<Self, TlogError> {
        match byte {
            0x01 => Ok(Self::Ed25519),
            0x04 => Ok(Self::CosignatureEd25519),
            0x06 => Ok(Self::CosignatureMlDsa44),
            other => Err(TlogError::UnsupportedSignatureType(other)),
        }
    }

    /// A short human name, used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "Ed25519",
            Self::CosignatureEd25519 => "Ed25519 cosignature",
            Self::CosignatureMlDsa44 => "ML-DSA-44 cosignature",
        }
    }

    /// Length of the public key material.
    pub fn public_key_len(self) -> usize {
        match self {
            Self::Ed25519 | Self::CosignatureEd25519 => ED25519_PUBLIC_KEY_LEN,
            Self::CosignatureMlDsa44 => ML_DSA_44_PUBLIC_KEY_LEN,
        }
    }

    /// Length of the signature bytes after the key id (for cosignatures: timestamp plus signature).
    pub fn signature_len(self) -> usize {
        match self {
            Self::Ed25519 => ED25519_SIGNATURE_LEN,
            Self::CosignatureEd25519 => TIMESTAMP_LEN + ED25519_SIGNATURE_LEN,
            Self::CosignatureMlDsa44 => TIMESTAMP_LEN + ML_DSA_44_SIGNATURE_LEN,
        }
    }
}

/// The key id recommended by signed-note and required by tlog-cosignature:
/// the first four bytes, big-endian, of `SHA-256(name || 0x0A || sig_type || public_key)`.
pub fn key_id(name: &str, sig_type: u8, public_key: &[u8]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', sig_type]);
    hasher.update(public_key);
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Checks the signed-note key name rule: non-empty, no Unicode space, no `+`. Control characters are refused
/// too, since a note may not contain them.
pub fn check_key_name(name: &str) -> Result<(), TlogError> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if name.chars().any(char::is_whitespace) {
        "it contains a Unicode space"
    } else if name.contains('+') {
        "it contains `+`"
    } else if name.chars().any(char::is_control) {
        "it contains a control character"
    } else {
        return Ok(());
    };
    Err(TlogError::InvalidKeyName { name: name.to_owned(), reason })
}

/// One signature line of a note: `— <name> base64(key_id || signature)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 32-bit key id (first four bytes of the decoded signature, big-endian).
    pub key_id: u32,
    /// The signature bytes after the key id (for cosignatures, the `timestamped_signature`).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// Parses one signature line without its final newline.
    fn parse_line(line: &str) -> Result<Self, TlogError> {
        const WHAT: &str = "signature line";
        let rest = line
            .strip_prefix(LINE_PREFIX)
            .ok_or_else(|| malformed(WHAT, format!("`{line}` does not start with an em dash (U+2014) and a space")))?;
        let (name, encoded) =
            rest.split_once(' ').ok_or_else(|| malformed(WHAT, format!("`{line}` has no space after the key name")))?;
        check_key_name(name)?;
        let bytes = decode_base64("signature", encoded)?;
        if bytes.len() < 5 {
            return Err(malformed(
                WHAT,
                format!("signature of {name} has {} bytes; it needs a 4-byte key id and a signature", bytes.len()),
            ));
        }
        let key_id = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        Ok(NoteSignature { name: name.to_owned(), key_id, signature: bytes[4..].to_vec() })
    }
}

/// Formats one signature line, newline included: `— <name> base64(key_id || signature)\n`.
pub fn format_signature_line(sig: &NoteSignature) -> String {
    let mut bytes = Vec::with_capacity(4 + sig.signature.len());
    bytes.extend_from_slice(&sig.key_id.to_be_bytes());
    bytes.extend_from_slice(&sig.signature);
    format!("{LINE_PREFIX}{} {}\n", sig.name, encode_base64(&bytes))
}

/// Parses a block of one or more newline-terminated signature lines, such as a tlog-witness `add-checkpoint`
/// response body. At most [`MAX_SIGNATURES`] lines and [`MAX_NOTE_BYTES`] bytes.
pub fn parse_signature_lines(text: &str) -> Result<Vec<NoteSignature>, TlogError> {
    let text = checked_text("signature lines", text.as_bytes(), MAX_NOTE_BYTES)?;
    parse_signature_block(text)
}

fn parse_signature_block(block: &str) -> Result<Vec<NoteSignature>, TlogError> {
    let Some(body) = block.strip_suffix('\n') else {
        return Err(malformed("signature lines", "there are none, or the last line does not end in a newline"));
    };
    let count = body.split('\n').count();
    if count > MAX_SIGNATURES {
        return Err(TlogError::TooMany { what: "note signature block", count, max: MAX_SIGNATURES });
    }
    body.split('\n').map(NoteSignature::parse_line).collect()
}

/// A signed note (C2SP signed-note v1.0.0): a text ending in a newline, and signature lines.
///
/// A parsed note is exactly re-encoded by [`Note::to_bytes`]. Signatures are not checked by parsing: the text
/// must be ignored until [`verify_note`] has verified a trusted signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// A note with `text` and no signatures yet. The text must end in a newline, contain no control characters
    /// other than newline, and not exceed [`MAX_NOTE_BYTES`].
    pub fn new(text: String) -> Result<Self, TlogError> {
        checked_text("note text", text.as_bytes(), MAX_NOTE_BYTES)?;
        if !text.ends_with('\n') {
            return Err(malformed("note text", "it must end with a newline"));
        }
        Ok(Note { text, signatures: Vec::new() })
    }

    /// Parses a signed note. The text is everything up to and including the newline before the LAST empty line;
    /// after that come one or more signature lines (at most [`MAX_SIGNATURES`]).
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogError> {
        let all = checked_text("signed note", bytes, MAX_NOTE_BYTES)?;
        let split = all
            .rfind("\n\n")
            .ok_or_else(|| malformed("signed note", "no empty line separates the text from the signatures"))?;
        let signatures = parse_signature_block(&all[split + 2..])?;
        Ok(Note { text: all[..=split].to_owned(), signatures })
    }

    /// The note text, final newline included.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signatures, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Appends a signature unless one with the same key name and key id is already on the note, in which case
    /// the existing one is kept and `sig` is dropped. Callers verify signatures before adding them, and the name
    /// must be a valid key name (the signers and parsers here only make such), or the note will not parse back.
    pub fn add_signature(&mut self, sig: NoteSignature) {
        if !self.signatures.iter().any(|s| s.name == sig.name && s.key_id == sig.key_id) {
            self.signatures.push(sig);
        }
    }

    /// The encoded note: text, an empty line, then one line per signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.text.len() + 1 + self.signatures.len() * 100);
        out.push_str(&self.text);
        out.push('\n');
        for sig in &self.signatures {
            out.push_str(&format_signature_line(sig));
        }
        out.into_bytes()
    }
}

/// A verifier key (vkey): `<name>+<hex key id>+<base64(type || public key)>`.
///
/// Keys are trusted configuration. Ed25519 signatures are verified with the ZIP-215 rules (ed25519-consensus),
/// which accept every signature RFC 8032 accepts plus a few non-canonical encodings; since a signature verifies
/// only under the configured key, this cannot make a forged note verify. ML-DSA-44 is FIPS 204 pure mode with an
/// empty context string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifierKey {
    /// Key name; signature lines must carry the same.
    pub name: String,
    /// Key id; signature lines must carry the same.
    pub key_id: u32,
    /// What the key signs and how.
    pub sig_type: SignatureType,
    /// Raw public key material: 32 bytes for Ed25519 types, 1312 for ML-DSA-44.
    pub public_key: Vec<u8>,
}

impl VerifierKey {
    /// A verifier key for `public_key`, with the key id computed from name, type and key.
    pub fn new(name: &str, sig_type: SignatureType, public_key: Vec<u8>) -> Result<Self, TlogError> {
        check_key_name(name)?;
        check_public_key(sig_type, &public_key)?;
        let key_id = key_id(name, sig_type.byte(), &public_key);
        Ok(VerifierKey { name: name.to_owned(), key_id, sig_type, public_key })
    }

    /// Parses a vkey string, checking the key id against the one computed from name, type and key.
    pub fn parse(vkey: &str) -> Result<Self, TlogError> {
        const WHAT: &str = "verifier key";
        if vkey.len() > 4096 {
            return Err(TlogError::TooLarge { what: WHAT, len: vkey.len(), max: 4096 });
        }
        // The name has no `+`, the hex id neither; the base64 part may contain `+`, so split at most twice.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed(WHAT, "expected `<name>+<hex key id>+<base64 key>`"));
        };
        check_key_name(name)?;
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(malformed(WHAT, format!("key id `{id_hex}` is not 8 lowercase hex digits")));
        }
        let stated = u32::from_str_radix(id_hex, 16).map_err(|e| malformed(WHAT, e.to_string()))?;
        let raw = decode_base64("verifier key material", key_b64)?;
        let Some((&type_byte, public_key)) = raw.split_first() else {
            return Err(malformed(WHAT, "key material is empty; it needs a type byte and a public key"));
        };
        let key = VerifierKey::new(name, SignatureType::from_byte(type_byte)?, public_key.to_vec())?;
        if key.key_id != stated {
            return Err(TlogError::KeyIdMismatch { name: name.to_owned(), stated, computed: key.key_id });
        }
        Ok(key)
    }

    /// Verifies one signature line over `note_text` with this key.
    ///
    /// For [`SignatureType::Ed25519`] the signature covers the note text and `Ok(None)` is returned. For the
    /// cosignature types the note text must be a checkpoint; the signature covers the tlog-cosignature message
    /// for it and `Ok(Some(timestamp))` is returned. Fails if the line's name or key id are not this key's, or
    /// the signature does not verify.
    pub fn verify(&self, note_text: &str, sig: &NoteSignature) -> Result<Option<u64>, TlogError> {
        if sig.name != self.name || sig.key_id != self.key_id {
            return Err(TlogError::WrongKey {
                sig_name: sig.name.clone(),
                sig_key_id: sig.key_id,
                key_name: self.name.clone(),
                key_id: self.key_id,
            });
        }
        let bad = |reason: String| TlogError::BadSignature { name: self.name.clone(), key_id: self.key_id, reason };
        let expected = self.sig_type.signature_len();
        if sig.signature.len() != expected {
            return Err(bad(format!("it is {} bytes, a {} has {expected}", sig.signature.len(), self.sig_type.name())));
        }
        // Cosignatures are `timestamped_signature`s: a big-endian u64 timestamp, then the signature proper.
        let (timestamp, signature) = match self.sig_type {
            SignatureType::Ed25519 => (0, &sig.signature[..]),
            SignatureType::CosignatureEd25519 | SignatureType::CosignatureMlDsa44 => {
                let (ts, rest) = sig.signature.split_at(TIMESTAMP_LEN);
                let ts = u64::from_be_bytes(ts.try_into().expect("split at TIMESTAMP_LEN"));
                if ts > MAX_TIMESTAMP {
                    return Err(TlogError::TimestampTooLarge(ts));
                }
                (ts, rest)
            }
        };
        let message = match self.sig_type {
            SignatureType::Ed25519 => note_text.as_bytes().to_vec(),
            SignatureType::CosignatureEd25519 => {
                // Parsing refuses a cosignature over anything but a well-formed checkpoint.
                Checkpoint::parse_text(note_text)?;
                ed25519_cosignature_message(note_text, timestamp)?
            }
            SignatureType::CosignatureMlDsa44 => {
                let cp = Checkpoint::parse_text(note_text)?;
                ml_dsa_44_cosigned_message(&self.name, timestamp, &cp.origin, 0, cp.size, &cp.root)?
            }
        };
        let verified = match self.sig_type {
            SignatureType::Ed25519 | SignatureType::CosignatureEd25519 => {
                let key = ed25519_key(&self.public_key)?;
                let signature: [u8; ED25519_SIGNATURE_LEN] = signature.try_into().expect("length checked above");
                key.verify(&ed25519_zebra::Signature::from_bytes(&signature), &message).is_ok()
            }
            SignatureType::CosignatureMlDsa44 => {
                ml_dsa_44_key(&self.public_key)?.verify_sig(&message, signature).is_ok()
            }
        };
        if !verified {
            return Err(bad("the signature does not match the signed text".to_owned()));
        }
        Ok((self.sig_type != SignatureType::Ed25519).then_some(timestamp))
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut material = Vec::with_capacity(1 + self.public_key.len());
        material.push(self.sig_type.byte());
        material.extend_from_slice(&self.public_key);
        write!(f, "{}+{:08x}+{}", self.name, self.key_id, encode_base64(&material))
    }
}

fn check_public_key(sig_type: SignatureType, public_key: &[u8]) -> Result<(), TlogError> {
    if public_key.len() != sig_type.public_key_len() {
        return Err(TlogError::PublicKeyLength {
            sig_type: sig_type.name(),
            expected: sig_type.public_key_len(),
            actual: public_key.len(),
        });
    }
    match sig_type {
        SignatureType::Ed25519 | SignatureType::CosignatureEd25519 => ed25519_key(public_key).map(drop),
        SignatureType::CosignatureMlDsa44 => ml_dsa_44_key(public_key).map(drop),
    }
}

fn ed25519_key(public_key: &[u8]) -> Result<ed25519_zebra::VerificationKey, TlogError> {
    ed25519_zebra::VerificationKey::try_from(public_key).map_err(|_| TlogError::InvalidPublicKey("Ed25519"))
}

fn ml_dsa_44_key(public_key: &[u8]) -> Result<ParsedPublicKey, TlogError> {
    // The library would also take a DER SubjectPublicKeyInfo; only the raw FIPS 204 encoding is a vkey.
    if public_key.len() != ML_DSA_44_PUBLIC_KEY_LEN {
        return Err(TlogError::PublicKeyLength {
            sig_type: "ML-DSA-44",
            expected: ML_DSA_44_PUBLIC_KEY_LEN,
            actual: public_key.len(),
        });
    }
    ParsedPublicKey::new(&ML_DSA_44, public_key).map_err(|_| TlogError::InvalidPublicKey("ML-DSA-44"))
}

/// Verifies a note against known keys and returns the indices into `keys` of the keys whose signatures verified,
/// in the order of the note's signature lines.
///
/// Per signed-note: lines whose name and key id do not both match a key are ignored; every line that matches a
/// key is verified, and a failure rejects the whole note; if no known key signed, the note is rejected.
pub fn verify_note(note: &Note, keys: &[VerifierKey]) -> Result<Vec<usize>, TlogError> {
    Ok(verify_note_timestamps(note, keys)?.into_iter().map(|(index, _)| index).collect())
}

/// Like [`verify_note`], also returning each verified key's cosignature timestamp (`None` for plain Ed25519).
pub fn verify_note_timestamps(note: &Note, keys: &[VerifierKey]) -> Result<Vec<(usize, Option<u64>)>, TlogError> {
    let mut verified: Vec<(usize, Option<u64>)> = Vec::new();
    for sig in note.signatures() {
        for (index, key) in keys.iter().enumerate() {
            if key.name == sig.name && key.key_id == sig.key_id {
                let timestamp = key.verify(note.text(), sig)?;
                if !verified.iter().any(|&(i, _)| i == index) {
                    verified.push((index, timestamp));
                }
            }
        }
    }
    if verified.is_empty() {
        return Err(TlogError::NoKnownSignature);
    }
    Ok(verified)
}
