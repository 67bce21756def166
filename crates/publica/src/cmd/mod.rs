//! One module per command.

pub mod anchor;
pub mod bench;
pub mod dev;
pub mod governance;
pub mod keys;
pub mod load;
pub mod node;
pub mod query;
pub mod registry;
pub mod testnet;
pub mod tx;
pub mod verify;
pub mod witness;

/// A file of at most `max` bytes (`what` names it in the error). At most one byte more is read, so a file that
/// grows after being opened cannot make this read more.
pub fn read_bounded(path: &std::path::Path, max: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(max + 1).read_to_end(&mut bytes))
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > max {
        anyhow::bail!("{} is more than {max} bytes; {what} may have at most {max}", path.display());
    }
    Ok(bytes)
}
