//! `publica keys`: create, list, show and rotate hybrid keys.

use std::path::PathBuf;

use anyhow::{Context, Result};
use base64::Engine as _;
use clap::Subcommand;
use publica_crypto::keystore::{KdfParams, KeyFile};
use publica_crypto::Keypair;

use crate::keyfile::{self, PassphraseArgs};

/// Key commands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a new key, encrypted with a passphrase.
    New {
        /// Where to write the key file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// A label stored with the key.
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// List the key files in a directory (public information only).
    List {
        /// Directory to look in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also ask this node which account each key signs for (a key rotated in for an account signs for that
        /// account, not for its own address). Without it, nothing leaves this machine.
        #[arg(long)]
        api: Option<String>,
    },
    /// Show a key file's address and public key (never the secret).
    Show {
        /// The key file.
        file: PathBuf,
    },
    /// Replace an account's key: the old key signs, the new key proves possession.
    Rotate(super::tx::RotateArgs),
}

/// Run a key command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New { out, label, passphrase } => {
            let pass = passphrase.new_passphrase(&out)?;
            let key = Keypair::generate();
            keyfile::save(&out, &key, &label, &pass, KdfParams::default())?;
            println!("created {}", out.display());
            println!("address     {}", key.public_key().address());
            Ok(())
        }
        Command::List { dir, api } => {
            let client = api.as_deref().map(publica_client::Client::new).transpose()?;
            let mut found = 0;
            let mut entries: Vec<_> = std::fs::read_dir(&dir)
                .with_context(|| format!("reading {}", dir.display()))?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            entries.sort();
            for path in entries {
                if let Ok(file) = KeyFile::load(&path) {
                    let signs_for = match &client {
                        None => String::new(),
                        Some(client) => match client.account_of_key(&file.address())? {
                            Some(account) if account == file.address() => "  (its own account)".to_owned(),
                            Some(account) => format!("  signs for account {account}"),
                            None => "  (no account uses this key)".to_owned(),
                        },
                    };
                    println!("{}  {}  {}{signs_for}", file.address(), path.display(), file.label());
                    found += 1;
                }
            }
            if found == 0 {
                println!("no key files in {}", dir.display());
            }
            Ok(())
        }
        Command::Show { file } => {
            let key = KeyFile::load(&file).with_context(|| format!("reading {}", file.display()))?;
            let pk = key.public_key();
            println!("file        {}", file.display());
            println!("label       {}", key.label());
            println!("address     {}", pk.address());
            println!("public_key  {}", base64::engine::general_purpose::STANDARD.encode(pk.to_bytes()));
            Ok(())
        }
        Command::Rotate(args) => super::tx::rotate(args),
    }
}
