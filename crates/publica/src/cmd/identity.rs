//! `publica identity`: the identity module's transactions (`docs/identity.md`): credential schemas, issuers'
//! accreditations, status lists and citizens' consents.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use publica_identity::call::{IdentityCall, STATUS_REVOKED, STATUS_SUSPENDED, STATUS_VALID};
use publica_types::time::parse_time_ms;
use publica_types::{sha256, Address, Hash};

use publica_client::api::{AccreditationResponse, ConsentResponse, ConsentsResponse};
use publica_client::routes::Page;
use publica_client::Client;
use publica_types::time::format_time_ms;

use super::read_bounded;
use super::registry::ReadArgs;
use super::tx::{send_call, SendArgs};

/// Identity commands.
#[derive(Subcommand)]
pub enum Command {
    /// Register a credential schema, a JSON Schema 2020-12 document, for a type and version (sender: a trust root).
    RegisterSchema {
        #[command(flatten)]
        send: SendArgs,
        /// The credential type (the SD-JWT VC `vct`), e.g. https://publica.example/vct/diploma.
        #[arg(long = "type", value_name = "TYPE")]
        type_name: String,
        /// The schema's version for the type.
        #[arg(long, value_name = "N")]
        schema_version: u32,
        /// The JSON Schema document.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Accredit an official to issue a credential type from one time until another (sender: a trust root, or an
    /// official accredited for the type).
    Accredit {
        #[command(flatten)]
        send: SendArgs,
        /// The official accredited.
        #[arg(long)]
        issuer: Address,
        /// The credential type.
        #[arg(long = "type", value_name = "TYPE")]
        type_name: String,
        /// The SHA-256 of the schema registered for the type (hex), or the schema file itself.
        #[arg(long)]
        schema: String,
        /// Start of the accreditation (a date, an RFC 3339 time or Unix milliseconds; default: now).
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// End of the accreditation (exclusive).
        #[arg(long, value_name = "TIME")]
        until: String,
    },
    /// End an accreditation, and every accreditation made under it (sender: its accreditor or a trust root).
    RevokeAccreditation {
        #[command(flatten)]
        send: SendArgs,
        /// The accreditation's number.
        id: u64,
    },
    /// Open a status list of the sender's (a Token Status List on the ledger).
    CreateStatusList {
        #[command(flatten)]
        send: SendArgs,
        /// Bits per entry: 1 (valid or revoked) or 2 (also suspended).
        #[arg(long, default_value_t = 2)]
        bits: u8,
        /// Number of entries.
        #[arg(long, default_value_t = 1_000_000)]
        capacity: u32,
    },
    /// Set the status of entries of one of the sender's lists: revoke (final), suspend or reinstate.
    SetStatus {
        #[command(flatten)]
        send: SendArgs,
        /// The list's number among the sender's lists.
        #[arg(long)]
        list: u32,
        /// valid, revoked or suspended.
        #[arg(long)]
        status: String,
        /// The entries, comma-separated (at most 10,000 per transaction).
        #[arg(long, value_delimiter = ',', required_unless_present = "indices_file")]
        index: Vec<u32>,
        /// A file of entry numbers, one per line.
        #[arg(long, value_name = "FILE", conflicts_with = "index")]
        indices_file: Option<PathBuf>,
    },
    /// Let another party rely on one of your credentials, for some claims and a purpose, until a time (sender: a
    /// citizen).
    GrantConsent {
        #[command(flatten)]
        send: SendArgs,
        /// Who may rely on it.
        #[arg(long)]
        grantee: Address,
        /// The credential (a file of the issued credential), or its digest in hex.
        #[arg(long)]
        credential: String,
        /// The claim names the grantee may rely on, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        claims: Vec<String>,
        /// Why (no personal data: it is public).
        #[arg(long)]
        purpose: String,
        /// End of the consent.
        #[arg(long, value_name = "TIME")]
        until: String,
    },
    /// End a consent you granted.
    RevokeConsent {
        #[command(flatten)]
        send: SendArgs,
        /// The consent's number.
        id: u64,
    },
    /// Record that you relied on a consent granted to you (sender: its grantee).
    UseConsent {
        #[command(flatten)]
        send: SendArgs,
        /// The consent's number.
        id: u64,
    },
    /// The consents a citizen granted (--grantor) or that were granted to someone (--grantee), with proofs.
    Consents {
        /// The citizen who granted them.
        #[arg(long, required_unless_present = "grantee", conflicts_with = "grantee")]
        grantor: Option<Address>,
        /// The party they were granted to.
        #[arg(long)]
        grantee: Option<Address>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// One consent and every recorded use of it, with proofs.
    Consent {
        /// The consent's number.
        id: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// An accreditation and its chain up to a trust root, with the decision at a time (default: now).
    Accreditation {
        /// The accreditation's number.
        id: u64,
        /// The time to decide at (a date, an RFC 3339 time or Unix milliseconds).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        #[command(flatten)]
        read: ReadArgs,
    },
}

impl Command {
    /// Whether the command only reads (its "not found" is exit code 3).
    pub fn is_read(&self) -> bool {
        matches!(self, Command::Consents { .. } | Command::Consent { .. } | Command::Accreditation { .. })
    }
}

/// Run an identity command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::RegisterSchema { send, type_name, schema_version: version, file } => {
            let document = read_bounded(&file, publica_identity::call::MAX_SCHEMA_DOCUMENT_BYTES as u64, "schema")?;
            println!("schema {}", hex::encode(sha256(&document)));
            send_call(&send, IdentityCall::RegisterSchema { type_name, version, document })
        }
        Command::Accredit { send, issuer, type_name, schema, from, until } => {
            let schema = hash_or_file(&schema, "--schema", publica_identity::call::MAX_SCHEMA_DOCUMENT_BYTES)?;
            let valid_from_ms = match from {
                Some(text) => time(&text, "--from")?,
                None => publica_client::signer::now_ms(),
            };
            let valid_until_ms = time(&until, "--until")?;
            let call =
                IdentityCall::Accredit { issuer, credential_type: type_name, schema, valid_from_ms, valid_until_ms };
            send_call(&send, call)
        }
        Command::RevokeAccreditation { send, id } => send_call(&send, IdentityCall::RevokeAccreditation { id }),
        Command::CreateStatusList { send, bits, capacity } => {
            send_call(&send, IdentityCall::CreateStatusList { bits, capacity })
        }
        Command::SetStatus { send, list, status, index, indices_file } => {
            let status = match status.as_str() {
                "valid" | "reinstated" => STATUS_VALID,
                "revoked" => STATUS_REVOKED,
                "suspended" => STATUS_SUSPENDED,
                other => bail!("--status is valid, revoked or suspended, not {other:?}"),
            };
            let mut indices = match indices_file {
                Some(path) => read_indices(&path)?,
                None => index,
            };
            indices.sort_unstable();
            indices.dedup();
            send_call(&send, IdentityCall::UpdateStatus { list, status, indices })
        }
        Command::GrantConsent { send, grantee, credential, claims, purpose, until } => {
            let credential = credential_digest(&credential)?;
            let until_ms = time(&until, "--until")?;
            send_call(&send, IdentityCall::GrantConsent { grantee, credential, claims, purpose, until_ms })
        }
        Command::RevokeConsent { send, id } => send_call(&send, IdentityCall::RevokeConsent { id }),
        Command::UseConsent { send, id } => send_call(&send, IdentityCall::RecordConsentUse { id }),
        Command::Consents { grantor, grantee, read } => {
            let client = Client::new(&read.api)?;
            let body = match (grantor, grantee) {
                (Some(a), _) => client.grantor_consents_json(&a, Page::default())?,
                (None, Some(a)) => client.grantee_consents_json(&a, Page::default())?,
                (None, None) => bail!("give --grantor or --grantee"),
            };
            if read.json {
                return print_json(&body);
            }
            let answer: ConsentsResponse = serde_json::from_value(body).context("the node's answer")?;
            if answer.consents.is_empty() {
                println!("no consents");
            }
            for c in &answer.consents {
                print_consent(c);
            }
            Ok(())
        }
        Command::Consent { id, read } => {
            let body = Client::new(&read.api)?.consent_json(id, Page::default())?;
            if read.json {
                return print_json(&body);
            }
            let answer: ConsentResponse = serde_json::from_value(body).context("the node's answer")?;
            print_consent(&answer.consent);
            for u in &answer.uses {
                println!("  relied on by {} at {} (block {})", u.by, format_time_ms(u.time_ms), u.height);
            }
            Ok(())
        }
        Command::Accreditation { id, at, read } => {
            let at_ms = at.as_deref().map(|t| time(t, "--at")).transpose()?;
            let body = Client::new(&read.api)?.accreditation_json(id, at_ms)?;
            if read.json {
                return print_json(&body);
            }
            let answer: AccreditationResponse = serde_json::from_value(body).context("the node's answer")?;
            for (i, a) in answer.chain.iter().enumerate() {
                let by = if a.parent.is_none() { "a trust root" } else { "an accredited issuer" };
                println!(
                    "{}accreditation {}: {} may issue {} from {} until {}, accredited by {} ({by}){}",
                    "  ".repeat(i),
                    a.id,
                    a.issuer,
                    a.credential_type,
                    format_time_ms(a.valid_from_ms),
                    format_time_ms(a.valid_until_ms),
                    a.accredited_by,
                    a.revoked_at_ms.map(|r| format!(", REVOKED at {}", format_time_ms(r))).unwrap_or_default()
                );
            }
            let d = &answer.decision;
            match &d.reason {
                None => println!(
                    "in force at {}: accredited through {} link(s) up to a trust root",
                    format_time_ms(d.at_ms),
                    answer.chain.len()
                ),
                Some(reason) => println!("NOT in force at {}: {reason}", format_time_ms(d.at_ms)),
            }
            Ok(())
        }
    }
}

/// A consent in one line, and its state.
fn print_consent(c: &publica_identity::schema::Consent) {
    let state = match c.revoked_at_ms {
        Some(at) => format!("revoked at {}", format_time_ms(at)),
        None => format!("until {}", format_time_ms(c.until_ms)),
    };
    println!(
        "consent {}: {} lets {} rely on credential {}… for {} (purpose: {}), {state}; used {} time(s)",
        c.id,
        c.grantor,
        c.grantee,
        &hex::encode(c.credential)[..16],
        c.claims.join(", "),
        c.purpose,
        c.uses
    );
}

fn print_json(value: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A time argument: a date, an RFC 3339 time or Unix milliseconds.
fn time(text: &str, what: &str) -> Result<u64> {
    parse_time_ms(text).map_err(|e| anyhow::anyhow!("{what} {text:?}: {e}"))
}

/// 64 hex digits, or the SHA-256 of a file.
fn hash_or_file(arg: &str, what: &str, max: usize) -> Result<Hash> {
    if arg.len() == 64 && arg.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut hash = [0u8; 32];
        hex::decode_to_slice(arg, &mut hash).with_context(|| format!("{what} is not hex"))?;
        return Ok(hash);
    }
    let bytes = read_bounded(std::path::Path::new(arg), max as u64, what)?;
    Ok(sha256(&bytes))
}

/// A credential's digest (the commitment consents name): 64 hex digits, or computed from a credential file.
fn credential_digest(arg: &str) -> Result<Hash> {
    if arg.len() == 64 && arg.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hash_or_file(arg, "--credential", 0);
    }
    let bytes =
        read_bounded(std::path::Path::new(arg), publica_credentials::MAX_CREDENTIAL_BYTES as u64, "credential")?;
    let text = String::from_utf8(bytes).context("the credential file is not text")?;
    publica_credentials::credential_digest(text.trim()).map_err(|e| anyhow::anyhow!("{arg}: {e}"))
}

/// Entry numbers from a file, one per line.
fn read_indices(path: &std::path::Path) -> Result<Vec<u32>> {
    let bytes = read_bounded(path, 1 << 20, "indices file")?;
    let text = String::from_utf8(bytes).context("the indices file is not text")?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.parse::<u32>().with_context(|| format!("{}: {l:?} is not an entry number", path.display())))
        .collect()
}
