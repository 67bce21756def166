//! Passphrase-encrypted key files.
//!
//! A key file is JSON:
//!
//! ```text
//! { "version": 1,
//!   "kdf": { "name": "argon2id", "m_kib": 65536, "t": 3, "p": 1, "salt": "<base64, 16 bytes>" },
//!   "cipher": { "name": "xchacha20poly1305", "nonce": "<base64, 24 bytes>" },
//!   "ciphertext": "<base64, 64-byte secret key + 16-byte tag>",
//!   "public_key": "<base64 hybrid public key>", "address": "<40 hex digits>", "label": "<free text>" }
//! ```
//!
//! The 32-byte encryption key is argon2id (version 0x13) of the passphrase with the file's salt and parameters.
//! The plaintext is [`Keypair::to_secret_bytes`]. The AEAD associated data is
//! `"publica/keyfile" || u32_be(version) || public_key`, so a file whose version or public key was changed fails
//! to decrypt; after decryption the secret key must also reproduce the stored public key. The KDF parameters are
//! bound implicitly: changing them changes the derived key. The label is not authenticated; it is a note for people.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::encoding::{decode_base64_exact, encode_base64};
use crate::error::CryptoError;
use crate::keys::{Address, Keypair, PublicKey, SECRET_KEY_LEN};

/// The key file format version written and read by this crate.
pub const KEY_FILE_VERSION: u32 = 1;
/// Largest key file [`KeyFile::load`] and [`KeyFile::from_json`] accept; real files are about 3 KiB.
pub const MAX_KEY_FILE_BYTES: usize = 64 * 1024;
/// Longest label, in bytes.
pub const MAX_LABEL_LEN: usize = 256;
/// Largest passphrase file [`Passphrase::from_file`] reads.
pub const MAX_PASSPHRASE_FILE_BYTES: usize = 4096;
/// Most times [`Passphrase::prompt`] asks for a new passphrase whose two answers differ.
pub const MAX_PROMPT_ATTEMPTS: usize = 3;

const KDF_NAME: &str = "argon2id";
const CIPHER_NAME: &str = "xchacha20poly1305";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const CIPHERTEXT_LEN: usize = SECRET_KEY_LEN + TAG_LEN;
const AAD_DOMAIN: &[u8] = b"publica/keyfile";

/// argon2id cost parameters, stored in each key file so they can be raised later without breaking old files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Number of passes.
    pub t: u32,
    /// Degree of parallelism (lanes).
    pub p: u32,
}

impl KdfParams {
    /// The default for new key files: 64 MiB, 3 passes, 1 lane (about a quarter of a second on a server core).
    pub const DEFAULT: KdfParams = KdfParams { m_kib: 64 * 1024, t: 3, p: 1 };

    /// Deliberately weak parameters that make tests fast. Never use them for real keys.
    pub const INSECURE_FAST_FOR_TESTS: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

    /// Upper bound on memory, so a hostile key file cannot make the reader allocate without limit (1 GiB).
    pub const MAX_M_KIB: u32 = 1024 * 1024;
    /// Upper bound on passes, so a hostile key file cannot make the reader spin for hours.
    pub const MAX_T: u32 = 64;
    /// Upper bound on lanes.
    pub const MAX_P: u32 = 16;

    /// Checks the parameters against argon2's rules and this crate's upper bounds.
    pub fn validate(&self) -> Result<(), CryptoError> {
        let fail = |reason: String| Err(CryptoError::InvalidKdfParams { reason });
        if self.p == 0 || self.p > Self::MAX_P {
            return fail(format!("p = {} must be between 1 and {}", self.p, Self::MAX_P));
        }
        if self.t == 0 || self.t > Self::MAX_T {
            return fail(format!("t = {} must be between 1 and {}", self.t, Self::MAX_T));
        }
        // argon2 needs at least 8 KiB per lane.
        if self.m_kib < 8 * self.p || self.m_kib > Self::MAX_M_KIB {
            return fail(format!(
                "m_kib = {} must be between 8 * p = {} and {}",
                self.m_kib,
                8 * self.p,
                Self::MAX_M_KIB
            ));
        }
        Ok(())
    }

    fn derive_key(&self, passphrase: &[u8], salt: &[u8; SALT_LEN]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        self.validate()?;
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|e| CryptoError::InvalidKdfParams { reason: e.to_string() })?;
        let mut key = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase, salt, &mut key[..])
            .map_err(|e| CryptoError::InvalidKdfParams { reason: e.to_string() })?;
        Ok(key)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A key pair encrypted under a passphrase, as stored on disk.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyFile {
    kdf: KdfParams,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
    public_key: PublicKey,
    address: Address,
    label: String,
}

/// Encrypts `keypair` under `passphrase` with a fresh random salt and nonce.
///
/// Refuses an empty passphrase (the file would look protected while it is not) and labels longer than
/// [`MAX_LABEL_LEN`] bytes.
pub fn encrypt(keypair: &Keypair, passphrase: &[u8], label: &str, params: KdfParams) -> Result<KeyFile, CryptoError> {
    if passphrase.is_empty() {
        return Err(CryptoError::Passphrase { reason: "the passphrase is empty; choose a non-empty one".into() });
    }
    check_label(label)?;
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let key = params.derive_key(passphrase, &salt)?;
    let public_key = keypair.public_key().clone();
    let secret = keypair.to_secret_bytes();
    let aad = associated_data(KEY_FILE_VERSION, &public_key);
    let ciphertext = XChaCha20Poly1305::new((&*key).into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: &secret, aad: &aad })
        .map_err(|_| CryptoError::key_file("encryption failed"))?;
    assert_eq!(ciphertext.len(), CIPHERTEXT_LEN);
    Ok(KeyFile {
        kdf: params,
        salt,
        nonce,
        ciphertext,
        address: public_key.address(),
        public_key,
        label: label.to_owned(),
    })
}

fn check_label(label: &str) -> Result<(), CryptoError> {
    if label.len() > MAX_LABEL_LEN {
        return Err(CryptoError::key_file(format!(
            "label is {} bytes long; at most {MAX_LABEL_LEN} bytes are allowed",
            label.len()
        )));
    }
    Ok(())
}

fn associated_data(version: u32, public_key: &PublicKey) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AAD_DOMAIN.len() + 4 + crate::PUBLIC_KEY_LEN);
    aad.extend_from_slice(AAD_DOMAIN);
    aad.extend_from_slice(&version.to_be_bytes());
    aad.extend_from_slice(&public_key.to_bytes());
    aad
}

impl KeyFile {
    /// Decrypts the key pair.
    ///
    /// A wrong passphrase and a modified file give the same error, [`CryptoError::WrongPassphraseOrCorrupted`]:
    /// authenticated encryption cannot tell them apart.
    pub fn decrypt(&self, passphrase: &[u8]) -> Result<Keypair, CryptoError> {
        let key = self.kdf.derive_key(passphrase, &self.salt)?;
        let aad = associated_data(KEY_FILE_VERSION, &self.public_key);
        let secret = Zeroizing::new(
            XChaCha20Poly1305::new((&*key).into())
                .decrypt(XNonce::from_slice(&self.nonce), Payload { msg: &self.ciphertext, aad: &aad })
                .map_err(|_| CryptoError::WrongPassphraseOrCorrupted)?,
        );
        let keypair = Keypair::from_secret_bytes(&secret)?;
        if keypair.public_key() != &self.public_key {
            return Err(CryptoError::key_file("the decrypted secret key does not match the file's public key"));
        }
        Ok(keypair)
    }

    /// The public key stored in the file (readable without the passphrase).
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The address of the stored public key.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The free-text label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The argon2id parameters the file was encrypted with.
    pub fn kdf_params(&self) -> KdfParams {
        self.kdf
    }

    /// The JSON form (pretty-printed, trailing newline).
    pub fn to_json(&self) -> String {
        let json = KeyFileJson {
            version: KEY_FILE_VERSION,
            kdf: KdfJson {
                name: KDF_NAME.into(),
                m_kib: self.kdf.m_kib,
                t: self.kdf.t,
                p: self.kdf.p,
                salt: encode_base64(&self.salt),
            },
            cipher: CipherJson { name: CIPHER_NAME.into(), nonce: encode_base64(&self.nonce) },
            ciphertext: encode_base64(&self.ciphertext),
            public_key: self.public_key.clone(),
            address: self.address,
            label: self.label.clone(),
        };
        let mut text = serde_json::to_string_pretty(&json).expect("a key file always serializes");
        text.push('\n');
        text
    }

    /// Parses and checks the JSON form: version, algorithm names, field sizes, parameter bounds, and that the
    /// address belongs to the public key.
    pub fn from_json(text: &str) -> Result<Self, CryptoError> {
        if text.len() > MAX_KEY_FILE_BYTES {
            return Err(CryptoError::key_file(format!(
                "{} bytes is larger than the {MAX_KEY_FILE_BYTES}-byte limit",
                text.len()
            )));
        }
        let json: KeyFileJson = serde_json::from_str(text).map_err(|e| {
            CryptoError::key_file(format!(
                "not a key file written by `publica keys new` ({e}); give the sender's key file"
            ))
        })?;
        if json.version != KEY_FILE_VERSION {
            return Err(CryptoError::key_file(format!(
                "version {} is not supported; this program reads version {KEY_FILE_VERSION}",
                json.version
            )));
        }
        if json.kdf.name != KDF_NAME {
            return Err(CryptoError::key_file(format!(
                "kdf {:?} is not supported; expected {KDF_NAME:?}",
                json.kdf.name
            )));
        }
        if json.cipher.name != CIPHER_NAME {
            return Err(CryptoError::key_file(format!(
                "cipher {:?} is not supported; expected {CIPHER_NAME:?}",
                json.cipher.name
            )));
        }
        let kdf = KdfParams { m_kib: json.kdf.m_kib, t: json.kdf.t, p: json.kdf.p };
        kdf.validate()?;
        let salt = decode_base64_exact("key file salt", &json.kdf.salt, SALT_LEN)?;
        let nonce = decode_base64_exact("key file nonce", &json.cipher.nonce, NONCE_LEN)?;
        let ciphertext = decode_base64_exact("key file ciphertext", &json.ciphertext, CIPHERTEXT_LEN)?;
        check_label(&json.label)?;
        if json.address != json.public_key.address() {
            return Err(CryptoError::key_file(format!(
                "address {} does not belong to the public key (its address is {})",
                json.address,
                json.public_key.address()
            )));
        }
        Ok(KeyFile {
            kdf,
            salt: salt.try_into().expect("length checked"),
            nonce: nonce.try_into().expect("length checked"),
            ciphertext,
            public_key: json.public_key,
            address: json.address,
            label: json.label,
        })
    }

    /// Writes the file atomically with mode 0600: a temporary file in the same directory is written, flushed to
    /// disk and renamed into place. An existing file at `path` is never overwritten.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CryptoError> {
        let path = path.as_ref();
        if path.symlink_metadata().is_ok() {
            return Err(CryptoError::KeyFileExists { path: path.to_path_buf() });
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = path
            .file_name()
            .ok_or_else(|| CryptoError::key_file(format!("{} does not name a file", path.display())))?;
        let temp =
            dir.join(format!(".{}.tmp-{}-{:016x}", file_name.to_string_lossy(), std::process::id(), OsRng.next_u64()));
        let written = write_private_file(&temp, self.to_json().as_bytes()).and_then(|()| {
            // Checked again right before the rename to keep the window in which another writer could slip in small.
            if path.symlink_metadata().is_ok() {
                return Err(CryptoError::KeyFileExists { path: path.to_path_buf() });
            }
            std::fs::rename(&temp, path).map_err(|e| CryptoError::io("renaming key file into", path, e))
        });
        if let Err(error) = written {
            // Best effort: the temporary file holds only ciphertext, but should not be left behind.
            let _ = std::fs::remove_file(&temp);
            return Err(error);
        }
        // Make the rename itself durable.
        std::fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| CryptoError::io("syncing directory", &dir, e))?;
        // Read back what was written: a key file that cannot be loaded is worse than none.
        let reloaded = KeyFile::load(path)?;
        if &reloaded != self {
            return Err(CryptoError::key_file(format!("{} did not read back as written", path.display())));
        }
        Ok(())
    }

    /// Reads and checks a key file (at most [`MAX_KEY_FILE_BYTES`] bytes).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CryptoError> {
        let path = path.as_ref();
        let text = read_limited(path, MAX_KEY_FILE_BYTES, "key file")?;
        let text =
            String::from_utf8(text).map_err(|_| CryptoError::key_file(format!("{} is not UTF-8", path.display())))?;
        KeyFile::from_json(&text)
    }
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("address", &self.address)
            .field("label", &self.label)
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> Result<(), CryptoError> {
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

/// Reads at most `limit` bytes of `path`, failing if the file is larger.
fn read_limited(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, CryptoError> {
    let file = std::fs::File::open(path).map_err(|e| CryptoError::io("opening", path, e))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(|e| CryptoError::io("reading", path, e))?;
    if bytes.len() > limit {
        return Err(CryptoError::key_file(format!("{what} {} is larger than the {limit}-byte limit", path.display())));
    }
    Ok(bytes)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFileJson {
    version: u32,
    kdf: KdfJson,
    cipher: CipherJson,
    ciphertext: String,
    public_key: PublicKey,
    address: Address,
    label: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfJson {
    name: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CipherJson {
    name: String,
    nonce: String,
}

/// A passphrase held in memory that is zeroized when dropped and never printed.
pub struct Passphrase(Zeroizing<Vec<u8>>);

impl Passphrase {
    /// Wraps bytes that are already in memory.
    pub fn new(bytes: Vec<u8>) -> Self {
        Passphrase(Zeroizing::new(bytes))
    }

    /// The passphrase bytes, to pass to [`encrypt`] or [`KeyFile::decrypt`].
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Reads the passphrase from environment variable `var` (must be set, UTF-8 and non-empty).
    pub fn from_env(var: &str) -> Result<Self, CryptoError> {
        match std::env::var(var) {
            Ok(value) => Self::non_empty(value.into_bytes(), &format!("environment variable {var}")),
            Err(std::env::VarError::NotPresent) => {
                Err(CryptoError::Passphrase { reason: format!("environment variable {var} is not set") })
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(CryptoError::Passphrase { reason: format!("environment variable {var} is not valid UTF-8") })
            }
        }
    }

    /// Reads the passphrase from a file (at most [`MAX_PASSPHRASE_FILE_BYTES`]), removing one trailing newline
    /// (`\n` or `\r\n`) so files written by editors and `echo` work; all other bytes are kept as they are.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, CryptoError> {
        let path = path.as_ref();
        let mut bytes = Zeroizing::new(read_limited(path, MAX_PASSPHRASE_FILE_BYTES, "passphrase file")?);
        let newline_len = if bytes.ends_with(b"\r\n") {
            2
        } else if bytes.ends_with(b"\n") {
            1
        } else {
            0
        };
        let kept = bytes.len() - newline_len;
        bytes.truncate(kept);
        Self::non_empty(std::mem::take(&mut *bytes), &format!("passphrase file {}", path.display()))
    }

    /// Asks on the terminal without echo for the passphrase of `what` (a key file's path, named in the prompt);
    /// with `confirm` (a new key), asks twice and, when the answers differ, asks again, up to
    /// [`MAX_PROMPT_ATTEMPTS`] times.
    pub fn prompt(what: &str, confirm: bool) -> Result<Self, CryptoError> {
        let read = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(|text| Zeroizing::new(text.into_bytes()))
                .map_err(|e| CryptoError::Passphrase { reason: format!("cannot read from the terminal: {e}") })
        };
        for _ in 0..MAX_PROMPT_ATTEMPTS {
            let mut first = read(&format!("Passphrase for {what}: "))?;
            if confirm && *first != *read(&format!("Repeat the passphrase for {what}: "))? {
                eprintln!("The two passphrases differ; type them again.");
                continue;
            }
            return Self::non_empty(std::mem::take(&mut *first), "the terminal");
        }
        Err(CryptoError::Passphrase {
            reason: format!("the two passphrases differed {MAX_PROMPT_ATTEMPTS} times; run the command again"),
        })
    }

    fn non_empty(bytes: Vec<u8>, source: &str) -> Result<Self, CryptoError> {
        let passphrase = Passphrase::new(bytes);
        if passphrase.0.is_empty() {
            return Err(CryptoError::Passphrase { reason: format!("the passphrase from {source} is empty") });
        }
        Ok(passphrase)
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kdf_bounds() {
        KdfParams::DEFAULT.validate().unwrap();
        KdfParams::INSECURE_FAST_FOR_TESTS.validate().unwrap();
        for bad in [
            KdfParams { m_kib: 7, t: 1, p: 1 },
            KdfParams { m_kib: 64, t: 0, p: 1 },
            KdfParams { m_kib: 64, t: 1, p: 0 },
            KdfParams { m_kib: KdfParams::MAX_M_KIB + 1, t: 1, p: 1 },
            KdfParams { m_kib: 64, t: KdfParams::MAX_T + 1, p: 1 },
            KdfParams { m_kib: 1024, t: 1, p: KdfParams::MAX_P + 1 },
        ] {
            assert!(matches!(bad.validate(), Err(CryptoError::InvalidKdfParams { .. })), "{bad:?}");
        }
    }

    #[test]
    fn derived_key_depends_on_passphrase_and_salt() {
        let params = KdfParams::INSECURE_FAST_FOR_TESTS;
        let a = params.derive_key(b"pw", &[1; SALT_LEN]).unwrap();
        let b = params.derive_key(b"pw", &[1; SALT_LEN]).unwrap();
        let c = params.derive_key(b"pw", &[2; SALT_LEN]).unwrap();
        let d = params.derive_key(b"pW", &[1; SALT_LEN]).unwrap();
        assert_eq!(*a, *b);
        assert_ne!(*a, *c);
        assert_ne!(*a, *d);
    }

    #[test]
    fn passphrase_debug_is_redacted() {
        assert_eq!(format!("{:?}", Passphrase::new(b"hunter2".to_vec())), "Passphrase(redacted)");
    }
}
