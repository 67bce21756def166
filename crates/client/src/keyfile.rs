//! Encrypted key files (`publica keys new`): loading with a passphrase, and saving without overwriting.

use std::path::Path;

use anyhow::{bail, Context, Result};
use publica_crypto::keystore::{self, KdfParams, KeyFile, Passphrase};
use publica_crypto::Keypair;

/// Load and decrypt the key file at `path`.
pub fn load(path: &Path, passphrase: &Passphrase) -> Result<Keypair> {
    let file = read(path)?;
    file.decrypt(passphrase.as_bytes()).with_context(|| format!("opening key file {}", path.display()))
}

/// Read the key file at `path`, saying what to do when there is none.
fn read(path: &Path) -> Result<KeyFile> {
    match KeyFile::load(path) {
        Err(publica_crypto::CryptoError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "there is no key file {}; give the sender's key file with --key FILE (`publica keys new --out FILE` \
             makes one)",
            path.display()
        ),
        other => other.with_context(|| format!("reading key file {}", path.display())),
    }
}

/// Encrypt and save a key, refusing to overwrite an existing file; missing directories are created.
pub fn save(path: &Path, key: &Keypair, label: &str, passphrase: &Passphrase, params: KdfParams) -> Result<()> {
    if path.exists() {
        bail!("{} already exists; choose another path or remove it first", path.display());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let file = keystore::encrypt(key, passphrase.as_bytes(), label, params).context("encrypting key")?;
    file.save(path).with_context(|| format!("writing {}", path.display()))
}

/// Environment variable read for passphrases when no file is given.
pub const PASSPHRASE_ENV: &str = "PUBLICA_PASSPHRASE";

/// The passphrase of the key file `key`: from `file` if given, else from `$PUBLICA_PASSPHRASE`, else asked at the
/// terminal, naming `key` (twice when `confirm`, for a new key); an error when none of them is there.
pub fn passphrase(key: &Path, file: Option<&Path>, confirm: bool) -> Result<Passphrase> {
    if let Some(file) = file {
        return Passphrase::from_file(file).with_context(|| format!("reading passphrase from {}", file.display()));
    }
    if std::env::var_os(PASSPHRASE_ENV).is_some() {
        return Passphrase::from_env(PASSPHRASE_ENV).context("reading $PUBLICA_PASSPHRASE");
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        bail!("no passphrase given: pass --passphrase-file FILE or set ${PASSPHRASE_ENV}");
    }
    Passphrase::prompt(&key.display().to_string(), confirm).context("reading passphrase")
}

/// Load the key file at `path`, its passphrase found as [`passphrase`] says (asked for only once the file is found
/// readable).
pub fn open(path: &Path, passphrase_file: Option<&Path>) -> Result<Keypair> {
    let file = read(path)?;
    let pass = passphrase(path, passphrase_file, false)?;
    file.decrypt(pass.as_bytes()).with_context(|| format!("opening key file {}", path.display()))
}
