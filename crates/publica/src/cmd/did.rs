//! `publica did`: resolve an account's DID to its DID document, with proofs (`docs/did-publica.md`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use publica_accounts::did::{Did, Jwk};
use publica_client::{Client, DidVersion, DEFAULT_API};
use publica_types::time::format_time_ms;

use super::{count, describe};

/// DID commands.
#[derive(Subcommand)]
pub enum Command {
    /// An account's DID document and its metadata, proven under a certified header.
    Resolve {
        /// `did:publica:CHAIN:ADDRESS`, or an account's address (the node's network is taken).
        did: String,
        /// The version in force at this block height.
        #[arg(long, value_name = "HEIGHT", conflicts_with = "version_time")]
        version_id: Option<u64>,
        /// The version in force at this time (RFC 3339, a date, or Unix milliseconds).
        #[arg(long, value_name = "TIME")]
        version_time: Option<String>,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Print the resolution as the node served it (JSON) instead of plain text.
        #[arg(long)]
        json: bool,
        /// Write the resolution with its proofs here, for `publica verify`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

impl Command {
    /// Whether the command only reads (its "not found" is exit code 3).
    pub fn is_read(&self) -> bool {
        matches!(self, Command::Resolve { .. })
    }
}

/// Run a DID command.
pub fn run(command: Command) -> Result<()> {
    let Command::Resolve { did, version_id, version_time, api, json, out } = command;
    let client = Client::new(&api)?;
    let did = if did.starts_with("did:") {
        Did::parse(&did).map_err(|e| anyhow::anyhow!("{did:?} is not a did:publica identifier: {e}"))?
    } else {
        let address = did
            .parse()
            .map_err(|e| anyhow::anyhow!("{did:?} is neither a DID (did:publica:CHAIN:ADDRESS) nor an address: {e}"))?;
        let chain = client.status()?.chain_id;
        Did::new(chain, address)
    };
    let version = match (version_id, version_time) {
        (Some(h), _) => DidVersion::Height(h),
        (None, Some(t)) => DidVersion::Time(t),
        (None, None) => DidVersion::Latest,
    };
    let body = client.did_json(&did.to_string(), version)?;
    if let Some(path) = &out {
        std::fs::write(path, serde_json::to_string_pretty(&body)?)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("resolution written to {} (check it with `publica verify {}`)", path.display(), path.display());
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    let resolution: publica_verify::DidResolution =
        serde_json::from_value(body).context("the node's answer is not a DID resolution")?;
    print_resolution(&resolution);
    Ok(())
}

/// The resolution as plain text.
fn print_resolution(r: &publica_verify::DidResolution) {
    let (doc, meta) = (&r.did_document, &r.did_document_metadata);
    println!("{}", doc.id);
    let state = if meta.deactivated { "deactivated (the account is suspended)" } else { "active" };
    println!("  status      {state}");
    let since = meta.updated.as_deref().map(|t| format!(", since {t}")).unwrap_or_default();
    println!("  version     {} (its key took effect at height {}{since})", meta.version_id, meta.version_id);
    if let (Some(next), Some(when)) = (&meta.next_version_id, &meta.next_update) {
        println!("  replaced    at height {next} ({when}): this is a past version");
    }
    for method in &doc.verification_method {
        let key = match &method.public_key_jwk {
            Jwk::Akp { alg, public } => format!("{alg} {}", describe::abbreviate(public)),
            Jwk::Okp { crv, x } => format!("{crv} {x}"),
        };
        println!("  key         {key}  ({})", method.id);
    }
    for service in &doc.service {
        let endpoint = &service.service_endpoint;
        println!("  agency      {} (roles: {})", endpoint.agency, endpoint.roles.join(", "));
    }
    let header = &r.certified.header;
    println!(
        "  proven      {} under the certified header of height {} ({}), signed by {}",
        count(r.proofs.len(), "state key"),
        header.height,
        format_time_ms(header.time_ms),
        count(r.certified.certificate.signatures.len(), "validator")
    );
}
