//! Key files on the command line: the passphrase from `--passphrase-file`, an environment variable or a prompt.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use publica_crypto::keystore::Passphrase;
use publica_crypto::Keypair;

pub use publica_client::keyfile::save;

/// Where a passphrase comes from.
#[derive(Args, Clone, Debug, Default)]
pub struct PassphraseArgs {
    /// Read the key's passphrase from this file (else $PUBLICA_PASSPHRASE, else a prompt).
    #[arg(long, value_name = "FILE", global = true)]
    pub passphrase_file: Option<PathBuf>,
}

impl PassphraseArgs {
    /// A passphrase for the new key file `key` (asked twice at a prompt).
    pub fn new_passphrase(&self, key: &Path) -> Result<Passphrase> {
        publica_client::keyfile::passphrase(key, self.passphrase_file.as_deref(), true)
    }
}

/// Load and decrypt a key file.
pub fn load(path: &Path, passphrase: &PassphraseArgs) -> Result<Keypair> {
    publica_client::keyfile::open(path, passphrase.passphrase_file.as_deref())
}
