//! Writing a node's home directory (configuration, genesis, keys).

use std::net::{SocketAddr, TcpListener};
use std::path::Path;

use anyhow::{Context, Result};
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_crypto::Keypair;
use publica_node::{HomeLayout, NodeConfig};
use publica_types::Genesis;

/// A free TCP port on 127.0.0.1 (bound and released; good enough for local networks and tests).
pub fn free_local_addr() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port on 127.0.0.1")?;
    Ok(listener.local_addr()?)
}

/// Write a complete home directory for one node.
pub fn write_home(
    home: &Path,
    config: &NodeConfig,
    genesis: &Genesis,
    validator_key: &Keypair,
    passphrase: &Passphrase,
    kdf: KdfParams,
) -> Result<()> {
    let layout = HomeLayout::new(home);
    std::fs::create_dir_all(home.join("keys")).with_context(|| format!("creating {}", home.display()))?;
    config.save(home)?;
    std::fs::write(layout.genesis(), genesis.to_json()).context("writing genesis.json")?;
    publica_client::keyfile::save(&layout.validator_key(), validator_key, &config.moniker, passphrase, kdf)?;
    let mut secret = [0u8; 32];
    rand::Rng::fill(&mut rand::thread_rng(), &mut secret);
    write_private(&layout.p2p_key(), hex::encode(secret).as_bytes())?;
    Ok(())
}

/// Write a file readable by its owner only.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
