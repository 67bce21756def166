//! An agency's program: read a node's status, anchor a file's hash with an official's key, and print the entry
//! the notary log gave it.
//!
//! ```sh
//! publica dev &     # a demo network on 127.0.0.1:8080, its keys in publica-dev/keys
//! cargo run -p publica-client --example anchor_and_read -- publica-dev/keys/notary.json \
//!     publica-dev/dev-passphrase README.md
//! ```

use std::path::PathBuf;

use anyhow::{Context, Result};
use publica_client::anchor::Anchoring;
use publica_client::{keyfile, Client, DEFAULT_API};

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let usage = "usage: anchor_and_read KEY_FILE PASSPHRASE_FILE FILE...";
    let key_file = args.next().context(usage)?;
    let passphrase_file = args.next().context(usage)?;
    let files: Vec<PathBuf> = args.collect();

    let api = std::env::var("PUBLICA_API").unwrap_or_else(|_| DEFAULT_API.to_owned());
    let client = Client::new(&api)?;
    let status = client.status()?;
    println!("chain {} at height {}", status.chain_id, status.height);

    let key = keyfile::open(&key_file, Some(&passphrase_file))?;
    let report = Anchoring::new(&files, Some("example"), None)?.run(&client, &key, None)?;
    for file in &report.files {
        let state = if file.new { "anchored now" } else { "anchored before" };
        println!("{} {state}: entry {} in block {}", file.path.display(), file.index, file.height);
    }
    Ok(())
}
