//! Envelope encryption: every record of a vault is encrypted under a data key of its own, and the data key is kept
//! only wrapped (encrypted) under the vault's key-encryption key.
//!
//! For a data key `DEK`, the vault's key-encryption key `KEK`, a record's plaintext `M` and the associated data `A`
//! that names the record's place (the vault's agency and the record's commitment):
//!
//! ```text
//! DEK     = 32 random bytes, a new one for every record
//! encrypt nonce  = 24 random bytes
//!         sealed = nonce, XChaCha20-Poly1305(DEK, nonce, M,   aad = "publica/envelope/v1/data" || 0x00 || A)
//! wrap    nonce  = 24 random bytes
//!         wrapped = nonce, XChaCha20-Poly1305(KEK, nonce, DEK, aad = "publica/envelope/v1/wrap" || 0x00 || A)
//! ```
//!
//! Decryption and unwrapping check the Poly1305 tag: another key, another `A` or any changed byte fails, so a
//! ciphertext or a wrapped key copied to another record's place does not open there. The two labels differ, so a
//! wrapped key is never taken for data nor data for a wrapped key, even were both made under the same 32 bytes.
//!
//! Nonces are random: XChaCha20's 192-bit nonce makes a repeated nonce negligible (about 2^-96 after 2^48
//! messages under one key), so no counter has to be kept or recovered after a crash.
//!
//! Erasing a record is deleting its wrapped key (and its ciphertext): a copy of the ciphertext left in a backup is
//! unreadable once every copy of the wrapped key is gone. Rotating the key-encryption key is unwrapping and
//! rewrapping each 32-byte data key; the records themselves are not re-encrypted.
//!
//! Caveats: whoever holds the key-encryption key and a copy of the store reads every record, so the key file is
//! written with mode 0600 and should be backed up apart from the store. The lengths of records are not hidden.
//! The primitives are symmetric with 256-bit keys, which a quantum computer weakens (Grover's search) but does not
//! break.
//!
//! JSON forms: `{"version":1,"nonce":"<base64, 24 bytes>","ciphertext":"<base64>"}` for [`Sealed`] and
//! `{"version":1,"nonce":"<base64, 24 bytes>","ciphertext":"<base64, 48 bytes>"}` for [`WrappedKey`]. Borsh forms:
//! `u32 version || nonce || u32 length || ciphertext` and `u32 version || nonce || ciphertext (48 bytes)`.

use std::path::{Path, PathBuf};

use borsh::io::{Error as IoError, ErrorKind, Read, Write};
use borsh::{BorshDeserialize, BorshSerialize};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::encoding::{decode_base64_exact, encode_base64};
use crate::error::CryptoError;

/// Version of the envelope formats written and read here.
pub const ENVELOPE_VERSION: u32 = 1;
/// Length of a data key and of a key-encryption key.
pub const ENVELOPE_KEY_LEN: usize = 32;
/// Largest plaintext [`encrypt`] accepts (16 MiB): a record is released sealed to a recipient key, whose messages
/// are bounded the same way, so a larger record could never be released.
pub const MAX_ENVELOPE_PLAINTEXT_BYTES: usize = 16 * 1024 * 1024;
/// Longest associated data of [`encrypt`] and [`wrap`].
pub const MAX_ENVELOPE_AAD_BYTES: usize = 1024;
/// Length of a wrapped data key: the key and its tag.
pub const WRAPPED_KEY_CIPHERTEXT_LEN: usize = ENVELOPE_KEY_LEN + TAG_LEN;
/// Largest key-encryption key file [`KeyEncryptionKey::load`] reads (64 hex digits and some white space).
const MAX_KEK_FILE_BYTES: usize = 256;

const DATA_LABEL: &[u8] = b"publica/envelope/v1/data";
const WRAP_LABEL: &[u8] = b"publica/envelope/v1/wrap";
/// Length of the Poly1305 tag that ends every ciphertext.
pub(crate) const TAG_LEN: usize = 16;
/// Length of an XChaCha20 nonce.
pub(crate) const NONCE_LEN: usize = 24;

const _: () = assert!(MAX_ENVELOPE_PLAINTEXT_BYTES + TAG_LEN <= u32::MAX as usize, "lengths are encoded as u32");

/// A record's data key: 32 random bytes, wiped when dropped and never printed.
pub struct DataKey(Zeroizing<[u8; ENVELOPE_KEY_LEN]>);

impl DataKey {
    /// A new random data key (from the operating system's generator).
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; ENVELOPE_KEY_LEN]);
        OsRng.fill_bytes(&mut key[..]);
        DataKey(key)
    }

    /// A data key with the given bytes (known-answer tests; keys of records come from [`DataKey::generate`] and
    /// [`unwrap`]).
    pub fn from_bytes(bytes: &[u8; ENVELOPE_KEY_LEN]) -> Self {
        DataKey(Zeroizing::new(*bytes))
    }

    /// The key's bytes, wiped when the copy is dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; ENVELOPE_KEY_LEN]> {
        Zeroizing::new(*self.0)
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(redacted)")
    }
}

/// A vault's key-encryption key: 32 bytes, wiped when dropped and never printed. It is kept in a key file of its
/// own (see [`KeyEncryptionKey::save`]).
pub struct KeyEncryptionKey(Zeroizing<[u8; ENVELOPE_KEY_LEN]>);

impl KeyEncryptionKey {
    /// A new random key-encryption key (from the operating system's generator).
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; ENVELOPE_KEY_LEN]);
        OsRng.fill_bytes(&mut key[..]);
        KeyEncryptionKey(key)
    }

    /// A key-encryption key with the given bytes.
    pub fn from_bytes(bytes: &[u8; ENVELOPE_KEY_LEN]) -> Self {
        KeyEncryptionKey(Zeroizing::new(*bytes))
    }

    /// The key's bytes, wiped when the copy is dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; ENVELOPE_KEY_LEN]> {
        Zeroizing::new(*self.0)
    }

    /// Writes the key to a new file at `path` as 64 lowercase hex digits and a newline, with mode 0600, through a
    /// temporary file in the same directory that is flushed to disk and renamed into place; the file is read back
    /// and compared. An existing file is never overwritten: losing a key-encryption key loses every record.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CryptoError> {
        let path = path.as_ref();
        let mut text = Zeroizing::new(String::with_capacity(2 * ENVELOPE_KEY_LEN + 1));
        text.push_str(&Zeroizing::new(hex::encode(&self.0[..])));
        text.push('\n');
        write_secret_file(path, text.as_bytes())?;
        let reloaded = KeyEncryptionKey::load(path)?;
        if reloaded.0 != self.0 {
            return Err(CryptoError::key_file(format!("{} did not read back as written", path.display())));
        }
        Ok(())
    }

    /// Reads a key file: 64 hex digits (white space around them is ignored), as [`KeyEncryptionKey::save`]
    /// writes, or exactly 32 raw bytes.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CryptoError> {
        let path = path.as_ref();
        let bytes = read_secret_file(path, MAX_KEK_FILE_BYTES, "key-encryption key file")?;
        let mut key = Zeroizing::new([0u8; ENVELOPE_KEY_LEN]);
        if bytes.len() == ENVELOPE_KEY_LEN {
            key.copy_from_slice(&bytes);
            return Ok(KeyEncryptionKey(key));
        }
        let text = bytes.trim_ascii();
        if text.len() != 2 * ENVELOPE_KEY_LEN {
            return Err(CryptoError::key_file(format!(
                "key-encryption key file {} holds {} bytes; it must hold 64 hex digits or exactly 32 raw bytes",
                path.display(),
                bytes.len()
            )));
        }
        hex::decode_to_slice(text, &mut key[..]).map_err(|_| {
            CryptoError::key_file(format!(
                "key-encryption key file {} is not 64 hex digits (nor 32 raw bytes)",
                path.display()
            ))
        })?;
        Ok(KeyEncryptionKey(key))
    }
}

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyEncryptionKey(redacted)")
    }
}

/// A record encrypted under its data key. Its `Debug` shows the ciphertext's length, not its bytes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SealedJson", into = "SealedJson")]
pub struct Sealed {
    /// The XChaCha20-Poly1305 nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The ciphertext with its 16-byte tag.
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("nonce", &hex::encode(self.nonce))
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

/// A data key encrypted under a key-encryption key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WrappedKeyJson", into = "WrappedKeyJson")]
pub struct WrappedKey {
    /// The XChaCha20-Poly1305 nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The encrypted data key with its 16-byte tag.
    pub ciphertext: [u8; WRAPPED_KEY_CIPHERTEXT_LEN],
}

fn envelope_error(reason: impl Into<String>) -> CryptoError {
    CryptoError::Envelope { reason: reason.into() }
}

fn check_aad(aad: &[u8]) -> Result<(), CryptoError> {
    if aad.len() > MAX_ENVELOPE_AAD_BYTES {
        return Err(envelope_error(format!(
            "the associated data has {} bytes; at most {MAX_ENVELOPE_AAD_BYTES} are allowed",
            aad.len()
        )));
    }
    Ok(())
}

fn labelled(label: &[u8], aad: &[u8]) -> Vec<u8> {
    [label, &[0], aad].concat()
}

fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    nonce
}

/// Encrypts `plaintext` under `key` with a fresh random nonce, bound to `aad` (the record's place; the same bytes
/// must be given to [`decrypt`]). Refuses a plaintext over [`MAX_ENVELOPE_PLAINTEXT_BYTES`] and associated data
/// over [`MAX_ENVELOPE_AAD_BYTES`].
pub fn encrypt(key: &DataKey, aad: &[u8], plaintext: &[u8]) -> Result<Sealed, CryptoError> {
    check_aad(aad)?;
    if plaintext.len() > MAX_ENVELOPE_PLAINTEXT_BYTES {
        return Err(envelope_error(format!(
            "the plaintext has {} bytes; at most {MAX_ENVELOPE_PLAINTEXT_BYTES} are encrypted",
            plaintext.len()
        )));
    }
    let nonce = random_nonce();
    let ciphertext = XChaCha20Poly1305::new((&*key.0).into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &labelled(DATA_LABEL, aad) })
        .map_err(|_| envelope_error("encryption failed"))?;
    assert_eq!(ciphertext.len(), plaintext.len() + TAG_LEN);
    Ok(Sealed { nonce, ciphertext })
}

/// Decrypts what [`encrypt`] made under `key` and `aad`. Another key, other associated data and a changed byte give
/// the same error.
pub fn decrypt(key: &DataKey, aad: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_aad(aad)?;
    check_ciphertext_len(sealed.ciphertext.len())?;
    XChaCha20Poly1305::new((&*key.0).into())
        .decrypt(
            XNonce::from_slice(&sealed.nonce),
            Payload { msg: &sealed.ciphertext, aad: &labelled(DATA_LABEL, aad) },
        )
        .map(Zeroizing::new)
        .map_err(|_| {
            envelope_error(
                "the record does not decrypt with this data key and associated data: it was encrypted under another \
                 key or for another place, or it was changed",
            )
        })
}

/// Wraps `key` under `kek` with a fresh random nonce, bound to `aad` (the record's place; the same bytes must be
/// given to [`unwrap`]). Refuses associated data over [`MAX_ENVELOPE_AAD_BYTES`].
pub fn wrap(kek: &KeyEncryptionKey, aad: &[u8], key: &DataKey) -> Result<WrappedKey, CryptoError> {
    check_aad(aad)?;
    let nonce = random_nonce();
    let ciphertext = XChaCha20Poly1305::new((&*kek.0).into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: &key.0[..], aad: &labelled(WRAP_LABEL, aad) })
        .map_err(|_| envelope_error("wrapping failed"))?;
    let ciphertext: [u8; WRAPPED_KEY_CIPHERTEXT_LEN] =
        ciphertext.try_into().map_err(|_| envelope_error("wrapping gave a ciphertext of the wrong length"))?;
    Ok(WrappedKey { nonce, ciphertext })
}

/// Unwraps a data key that [`wrap`] wrapped under `kek` and `aad`. Another key-encryption key, other associated
/// data and a changed byte give the same error.
pub fn unwrap(kek: &KeyEncryptionKey, aad: &[u8], wrapped: &WrappedKey) -> Result<DataKey, CryptoError> {
    check_aad(aad)?;
    let plaintext = XChaCha20Poly1305::new((&*kek.0).into())
        .decrypt(
            XNonce::from_slice(&wrapped.nonce),
            Payload { msg: &wrapped.ciphertext, aad: &labelled(WRAP_LABEL, aad) },
        )
        .map(Zeroizing::new)
        .map_err(|_| {
            envelope_error(
                "the wrapped data key does not unwrap with this key-encryption key and associated data: it was wrapped \
                 under another key or for another place, or it was changed",
            )
        })?;
    let mut key = Zeroizing::new([0u8; ENVELOPE_KEY_LEN]);
    if plaintext.len() != ENVELOPE_KEY_LEN {
        return Err(envelope_error(format!("the unwrapped data key has {} bytes instead of 32", plaintext.len())));
    }
    key.copy_from_slice(&plaintext);
    Ok(DataKey(key))
}

fn check_ciphertext_len(len: usize) -> Result<(), CryptoError> {
    if len < TAG_LEN {
        return Err(envelope_error("the ciphertext is shorter than its tag"));
    }
    if len > MAX_ENVELOPE_PLAINTEXT_BYTES + TAG_LEN {
        return Err(envelope_error(format!(
            "the ciphertext has {len} bytes, more than a {MAX_ENVELOPE_PLAINTEXT_BYTES}-byte plaintext gives"
        )));
    }
    Ok(())
}

fn check_version(version: u32, what: &str) -> Result<(), CryptoError> {
    if version != ENVELOPE_VERSION {
        return Err(envelope_error(format!(
            "{what} version {version} is not supported; this program reads version {ENVELOPE_VERSION}"
        )));
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedJson {
    version: u32,
    nonce: String,
    ciphertext: String,
}

impl From<Sealed> for SealedJson {
    fn from(sealed: Sealed) -> Self {
        SealedJson {
            version: ENVELOPE_VERSION,
            nonce: encode_base64(&sealed.nonce),
            ciphertext: encode_base64(&sealed.ciphertext),
        }
    }
}

impl TryFrom<SealedJson> for Sealed {
    type Error = CryptoError;

    fn try_from(json: SealedJson) -> Result<Self, CryptoError> {
        check_version(json.version, "encrypted record")?;
        let nonce = decode_base64_exact("encrypted record's nonce", &json.nonce, NONCE_LEN)?;
        let ciphertext = decode_base64_bounded(
            "encrypted record's ciphertext",
            &json.ciphertext,
            MAX_ENVELOPE_PLAINTEXT_BYTES + TAG_LEN,
        )?;
        check_ciphertext_len(ciphertext.len())?;
        Ok(Sealed { nonce: nonce.try_into().expect("length checked"), ciphertext })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WrappedKeyJson {
    version: u32,
    nonce: String,
    ciphertext: String,
}

impl From<WrappedKey> for WrappedKeyJson {
    fn from(wrapped: WrappedKey) -> Self {
        WrappedKeyJson {
            version: ENVELOPE_VERSION,
            nonce: encode_base64(&wrapped.nonce),
            ciphertext: encode_base64(&wrapped.ciphertext),
        }
    }
}

impl TryFrom<WrappedKeyJson> for WrappedKey {
    type Error = CryptoError;

    fn try_from(json: WrappedKeyJson) -> Result<Self, CryptoError> {
        check_version(json.version, "wrapped data key")?;
        let nonce = decode_base64_exact("wrapped data key's nonce", &json.nonce, NONCE_LEN)?;
        let ciphertext =
            decode_base64_exact("wrapped data key's ciphertext", &json.ciphertext, WRAPPED_KEY_CIPHERTEXT_LEN)?;
        Ok(WrappedKey {
            nonce: nonce.try_into().expect("length checked"),
            ciphertext: ciphertext.try_into().expect("length checked"),
        })
    }
}

impl BorshSerialize for Sealed {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        BorshSerialize::serialize(&ENVELOPE_VERSION, writer)?;
        writer.write_all(&self.nonce)?;
        write_len_prefixed(writer, &self.ciphertext)
    }
}

impl BorshDeserialize for Sealed {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        check_version(u32::deserialize_reader(reader)?, "encrypted record").map_err(invalid_data)?;
        let nonce = <[u8; NONCE_LEN]>::deserialize_reader(reader)?;
        let ciphertext = read_len_prefixed(
            reader,
            TAG_LEN,
            MAX_ENVELOPE_PLAINTEXT_BYTES + TAG_LEN,
            "encrypted record's ciphertext",
        )?;
        Ok(Sealed { nonce, ciphertext })
    }
}

impl BorshSerialize for WrappedKey {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        BorshSerialize::serialize(&ENVELOPE_VERSION, writer)?;
        writer.write_all(&self.nonce)?;
        writer.write_all(&self.ciphertext)
    }
}

impl BorshDeserialize for WrappedKey {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        check_version(u32::deserialize_reader(reader)?, "wrapped data key").map_err(invalid_data)?;
        let nonce = <[u8; NONCE_LEN]>::deserialize_reader(reader)?;
        let ciphertext = <[u8; WRAPPED_KEY_CIPHERTEXT_LEN]>::deserialize_reader(reader)?;
        Ok(WrappedKey { nonce, ciphertext })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers shared with `kem`: bounded decoders and secret files.

pub(crate) fn invalid_data(error: CryptoError) -> IoError {
    IoError::new(ErrorKind::InvalidData, error.to_string())
}

/// Writes `bytes` with a u32 little-endian length prefix, as borsh writes a `Vec<u8>`.
pub(crate) fn write_len_prefixed<W: Write>(writer: &mut W, bytes: &[u8]) -> borsh::io::Result<()> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| IoError::new(ErrorKind::InvalidInput, "a byte string is longer than u32::MAX"))?;
    BorshSerialize::serialize(&len, writer)?;
    writer.write_all(bytes)
}

/// Reads a borsh `Vec<u8>` whose length must lie in `min..=max`; the length is checked before anything is
/// allocated.
pub(crate) fn read_len_prefixed<R: Read>(
    reader: &mut R,
    min: usize,
    max: usize,
    what: &'static str,
) -> borsh::io::Result<Vec<u8>> {
    let len = u32::deserialize_reader(reader)? as usize;
    if len < min || len > max {
        let expected = if min == max { format!("exactly {min}") } else { format!("between {min} and {max}") };
        return Err(IoError::new(ErrorKind::InvalidData, format!("{what} has {len} bytes; it must have {expected}")));
    }
    let mut bytes = vec![0u8; len];
    reader.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// Decodes standard padded base64 of at most `max_bytes` bytes; the text's length is checked before decoding.
pub(crate) fn decode_base64_bounded(what: &'static str, text: &str, max_bytes: usize) -> Result<Vec<u8>, CryptoError> {
    use base64::Engine as _;
    let most = max_bytes.div_ceil(3) * 4;
    if text.len() > most {
        return Err(CryptoError::encoding(
            what,
            format!("{} base64 characters is more than the {most} that {max_bytes} bytes take", text.len()),
        ));
    }
    base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| CryptoError::encoding(what, e))
}

/// Writes a new secret file with mode 0600 through a temporary file in the same directory, flushed to disk and
/// renamed into place. An existing file at `path` is never overwritten.
pub(crate) fn write_secret_file(path: &Path, contents: &[u8]) -> Result<(), CryptoError> {
    if path.symlink_metadata().is_ok() {
        return Err(CryptoError::KeyFileExists { path: path.to_path_buf() });
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name =
        path.file_name().ok_or_else(|| CryptoError::key_file(format!("{} does not name a file", path.display())))?;
    let temp =
        dir.join(format!(".{}.tmp-{}-{:016x}", file_name.to_string_lossy(), std::process::id(), OsRng.next_u64()));
    let written = create_private_file(&temp, contents).and_then(|()| {
        // Checked again right before the rename to keep the window in which another writer could slip in small.
        if path.symlink_metadata().is_ok() {
            return Err(CryptoError::KeyFileExists { path: path.to_path_buf() });
        }
        std::fs::rename(&temp, path).map_err(|e| CryptoError::io("renaming key file into", path, e))
    });
    if let Err(error) = written {
        // Best effort: the temporary file holds the secret and must not be left behind.
        let _ = std::fs::remove_file(&temp);
        return Err(error);
    }
    std::fs::File::open(&dir).and_then(|d| d.sync_all()).map_err(|e| CryptoError::io("syncing directory", &dir, e))
}

fn create_private_file(path: &Path, contents: &[u8]) -> Result<(), CryptoError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| CryptoError::io("creating", path, e))?;
    file.write_all(contents).map_err(|e| CryptoError::io("writing", path, e))?;
    file.sync_all().map_err(|e| CryptoError::io("syncing", path, e))
}

/// Reads a secret file of at most `limit` bytes into memory that is wiped when dropped.
pub(crate) fn read_secret_file(path: &Path, limit: usize, what: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let file = std::fs::File::open(path).map_err(|e| CryptoError::io("opening", path, e))?;
    // The whole buffer is reserved up front so that growing it never leaves a copy of the secret behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(limit + 1));
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(|e| CryptoError::io("reading", path, e))?;
    if bytes.len() > limit {
        return Err(CryptoError::key_file(format!("{what} {} is larger than the {limit}-byte limit", path.display())));
    }
    Ok(bytes)
}
