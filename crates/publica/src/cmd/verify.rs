//! `publica verify`: check a proof offline.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use publica_types::Genesis;
use publica_verify::ReadProof;

/// Arguments of `publica verify`.
#[derive(ClapArgs)]
pub struct Args {
    /// The proof document (JSON, as returned by the API's state and account reads).
    proof: PathBuf,
    /// The network's genesis document, whose validator set's keys check the certificate.
    #[arg(long, value_name = "FILE")]
    genesis: PathBuf,
}

/// Verify a proof and say what it establishes, or exactly which check failed.
pub fn run(args: Args) -> Result<()> {
    let genesis_bytes = read(&args.genesis, publica_types::genesis::MAX_GENESIS_BYTES)?;
    let genesis = Genesis::from_json(&genesis_bytes).with_context(|| format!("reading {}", args.genesis.display()))?;
    let proof_bytes = read(&args.proof, publica_verify::MAX_PROOF_JSON_BYTES)?;
    let proof = ReadProof::from_json(&proof_bytes).with_context(|| format!("reading {}", args.proof.display()))?;
    match proof.verify_with_genesis(&genesis) {
        Ok(read) => {
            println!(
                "VALID proof on chain {} at height {} (block time {} ms)",
                read.chain_id, read.height, read.time_ms
            );
            println!("  certified by {} of {} validators", read.signers, genesis.validators.validators().len());
            println!("  key   {}", hex::encode(&read.key));
            match &read.value {
                Some(v) => println!("  value {} ({} bytes)", hex::encode(v), v.len()),
                None => println!("  value: absent (proof of non-membership)"),
            }
            Ok(())
        }
        Err(e) => bail!("INVALID proof: {e}"),
    }
}

fn read(path: &std::path::Path, max: usize) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.len() as usize > max {
        bail!("{} is {} bytes, more than the limit of {max}", path.display(), meta.len());
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}
