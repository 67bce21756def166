//! `publica witness`: run an independent witness that cosigns notary checkpoints (C2SP tlog-witness).

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use publica_crypto::keystore::KdfParams;
use publica_crypto::Keypair;
use publica_types::Genesis;
use publica_witness::{FollowedLog, Witness, WitnessHome, WitnessSettings};

use crate::keyfile::{self, PassphraseArgs};

/// Witness commands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a witness's home directory: its name and a new hybrid key, encrypted with a passphrase.
    Init {
        /// The witness's home directory.
        #[arg(long, value_name = "DIR")]
        home: PathBuf,
        /// The witness's name, carried by its cosignatures, e.g. `court.example/witness`.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Serve the witness: cosign the checkpoints of the networks whose genesis files are given.
    Run {
        /// The witness's home directory.
        #[arg(long, value_name = "DIR")]
        home: PathBuf,
        /// Address to listen on (HOST:PORT, or http://HOST:PORT); the submission prefix is `http://ADDR`.
        #[arg(long, default_value = "127.0.0.1:9000", value_parser = super::listen_address)]
        listen: SocketAddr,
        /// A network's genesis.json: the witness follows its log, signed by its validators (repeatable).
        #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
        genesis: Vec<PathBuf>,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Print the witness's verifier keys (C2SP vkeys), one per line, for the nodes' `[notary]` configuration.
    Vkeys {
        /// The witness's home directory.
        #[arg(long, value_name = "DIR")]
        home: PathBuf,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
}

/// Run a witness command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Init { home, name, passphrase } => init(&home, &name, &passphrase),
        Command::Run { home, listen, genesis, passphrase } => serve(&home, listen, &genesis, &passphrase),
        Command::Vkeys { home, passphrase } => {
            let (settings, key) = load(&home, &passphrase)?;
            for vkey in publica_witness::vkeys(&settings.name, &key)? {
                println!("{vkey}");
            }
            Ok(())
        }
    }
}

fn init(dir: &Path, name: &str, passphrase: &PassphraseArgs) -> Result<()> {
    let home = WitnessHome::new(dir);
    if home.settings_file().exists() {
        bail!("{} already holds a witness; choose another directory", dir.display());
    }
    publica_witness::check_name(name)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let pass = passphrase.new_passphrase(&home.key_file())?;
    let key = Keypair::generate();
    keyfile::save(&home.key_file(), &key, name, &pass, KdfParams::default())?;
    WitnessSettings::new(name).save(&home)?;
    println!("created witness {name} in {}", dir.display());
    for vkey in publica_witness::vkeys(name, &key)? {
        println!("vkey    {vkey}");
    }
    println!("Start it with: publica witness run --home {} --genesis NETWORK/genesis.json", dir.display());
    Ok(())
}

/// The settings and the decrypted key of a witness home directory.
fn load(dir: &Path, passphrase: &PassphraseArgs) -> Result<(WitnessSettings, Keypair)> {
    let home = WitnessHome::new(dir);
    let settings = match WitnessSettings::load(&home) {
        Ok(settings) => settings,
        // Settings that are there but wrong say what to change; only a missing file means "not a witness home".
        Err(e @ publica_witness::WitnessError::Config(_)) => return Err(e.into()),
        Err(e) => {
            return Err(e).with_context(|| {
                format!("{} is not a witness home; create one with `publica witness init`", dir.display())
            })
        }
    };
    let key = keyfile::load(&home.key_file(), passphrase)?;
    Ok((settings, key))
}

fn load_genesis(path: &Path) -> Result<Genesis> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = Vec::new();
    // One byte more than allowed, so that the parser reports an oversized file instead of reading a cut one.
    file.take(publica_types::genesis::MAX_GENESIS_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    Genesis::from_json(&bytes).with_context(|| format!("{} is not a genesis document", path.display()))
}

fn serve(dir: &Path, listen: SocketAddr, genesis: &[PathBuf], passphrase: &PassphraseArgs) -> Result<()> {
    let logs =
        genesis.iter().map(|p| load_genesis(p).map(|g| FollowedLog::from_genesis(&g))).collect::<Result<Vec<_>>>()?;
    let (settings, key) = load(dir, passphrase)?;
    // The descriptor limit is raised before the connection cap is checked against it, and both before the state
    // is opened: a witness that cannot serve within its bounds stops at once, saying what to change.
    let descriptors = publica_witness::raise_descriptor_limit();
    let limits = settings
        .http
        .limits(descriptors)
        .with_context(|| format!("the [http] settings of {}", WitnessHome::new(dir).settings_file().display()))?;
    tracing::debug!(?descriptors, ?limits, "file descriptor limit and witness connection limits");
    let name = settings.name;
    let witness = Arc::new(Witness::open(&WitnessHome::new(dir).state_dir(), &name, &key, logs)?);
    drop(key);
    let rt = publica_harness::node::runtime()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}; is another witness running?"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let vkeys: Vec<String> = witness.vkeys().iter().map(ToString::to_string).collect();
        println!("Witness {name} is running.");
        println!("  url     {url}   (POST {url}/add-checkpoint)");
        for vkey in &vkeys {
            println!("  vkey    {vkey}");
        }
        for origin in witness.origins() {
            let size = witness.latest(&origin).map_or(0, |c| c.checkpoint.size);
            println!("  follows {origin}   (cosigned size {size})");
        }
        println!("Nodes push their checkpoints here with, in config.toml:");
        println!("  [notary]");
        let quoted: Vec<String> = vkeys.iter().map(|v| format!("{v:?}")).collect();
        println!("  witnesses = [{{ url = {url:?}, vkeys = [{}] }}]", quoted.join(", "));
        println!("Ready. Press Ctrl-C to stop.");
        publica_witness::serve(witness, listener, limits, publica_harness::node::wait_for_shutdown()).await?;
        println!("stopping");
        Ok(())
    })
}
