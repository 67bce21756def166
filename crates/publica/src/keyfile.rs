//! Loading and saving encrypted key files, with the passphrase from a file, an environment variable or a prompt.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use publica_crypto::keystore::{self, KdfParams, KeyFile, Passphrase};
use publica_crypto::Keypair;

/// Environment variable read for passphrases when no file is given.
pub const PASSPHRASE_ENV: &str = "PUBLICA_PASSPHRASE";

/// Where a passphrase comes from.
#[derive(Args, Clone, Debug, Default)]
pub struct PassphraseArgs {
    /// Read the key's passphrase from this file (else $PUBLICA_PASSPHRASE, else a prompt).
    #[arg(long, value_name = "FILE", global = true)]
    pub passphrase_file: Option<PathBuf>,
}

impl PassphraseArgs {
    /// The passphrase for an existing key.
    pub fn get(&self) -> Result<Passphrase> {
        self.obtain(false)
    }

    /// A passphrase for a new key (asked twice at a prompt).
    pub fn new_passphrase(&self) -> Result<Passphrase> {
        self.obtain(true)
    }

    fn obtain(&self, confirm: bool) -> Result<Passphrase> {
        if let Some(file) = &self.passphrase_file {
            return Passphrase::from_file(file).with_context(|| format!("reading passphrase from {}", file.display()));
        }
        if std::env::var_os(PASSPHRASE_ENV).is_some() {
            return Passphrase::from_env(PASSPHRASE_ENV).context("reading $PUBLICA_PASSPHRASE");
        }
        if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            bail!("no passphrase given: pass --passphrase-file FILE or set ${PASSPHRASE_ENV}");
        }
        Passphrase::prompt(confirm).context("reading passphrase")
    }
}

/// Load and decrypt a key file.
pub fn load(path: &Path, passphrase: &PassphraseArgs) -> Result<Keypair> {
    let file = KeyFile::load(path).with_context(|| format!("reading key file {}", path.display()))?;
    let pass = passphrase.get()?;
    file.decrypt(pass.as_bytes()).with_context(|| format!("opening key file {}", path.display()))
}

/// Encrypt and save a key, refusing to overwrite an existing file.
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
