//! `publica credential` (issuers and verifiers) and `publica wallet` (holders): SD-JWT verifiable credentials
//! signed with hybrid keys, checked offline with the ledger's proofs (`docs/credentials.md`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args as ClapArgs, Subcommand, ValueEnum};
use serde_json::Value;

use publica_accounts::did::{Did, ED25519_FRAGMENT, ML_DSA_65_FRAGMENT};
use publica_client::{Client, DidVersion, DEFAULT_API};
use publica_credentials::{Claim, CredentialContent, Form, Issuer, StatusReference, VerifyPolicy};
use publica_identity::schema::Accreditation;
use publica_types::{Address, Genesis};
use publica_verify::credential::{document_key, status_uri, DEFAULT_MAX_STATUS_AGE_SECS};
use publica_verify::{CredentialBundle, CredentialPolicy};

use super::read_bounded;
use crate::keyfile::{self, PassphraseArgs};

/// Largest bundle file read (three proof documents with their certificates).
const MAX_BUNDLE_BYTES: u64 = 4 << 20;

/// Which serialisation to issue.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormArg {
    /// JWS JSON with ML-DSA-65 and EdDSA signatures, post-quantum holder binding.
    Hybrid,
    /// Compact, EdDSA only, for wallets without post-quantum support.
    Compact,
}

/// Credential commands.
#[derive(Subcommand)]
pub enum Command {
    /// Issue a credential to a holder (sender: an accredited official; the holder's key is read from the ledger).
    Issue(IssueArgs),
    /// Fetch the ledger proofs a credential is verified with (its issuer's key at issuance, accreditation chain and
    /// status), for the holder to carry or the verifier to keep.
    Bundle {
        /// The credential or presentation.
        credential: PathBuf,
        /// Where to write the bundle.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
    },
    /// Sign the IETF Token Status List token (`statuslist+jwt`) of one of the issuer's status lists, from the bits
    /// the ledger holds now, for serving at the list's URI to wallets and verifiers that read status list tokens.
    StatusToken {
        /// The issuer's key file (the list's owner).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[command(flatten)]
        passphrase: PassphraseArgs,
        /// The list's number among the issuer's lists.
        #[arg(long)]
        list: u32,
        /// How long relying parties may cache the token, in seconds (`ttl`); it expires (`exp`) twice as late.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
        /// The public address of the API that serves the status list (the token's `sub`; default: --api).
        #[arg(long, value_name = "URL")]
        status_base: Option<String>,
        /// The serialisation.
        #[arg(long, value_enum, default_value = "hybrid")]
        form: FormArg,
        /// Where to write the token.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also publish it to the node, which serves it at the list's URI + `/token` while its bits are the ledger's.
        #[arg(long)]
        publish: bool,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
    },
    /// Check a presentation offline with its bundle: signatures, disclosures, key binding, validity, the issuer's
    /// accreditation at issuance and the status; each failure names its check.
    Verify(VerifyArgs),
}

/// Arguments of `publica credential issue`.
#[derive(ClapArgs)]
pub struct IssueArgs {
    /// The issuer's key file.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// The holder: a did:publica DID or an account address (the credential is bound to the key the ledger lists
    /// for it).
    #[arg(long, required_unless_present = "request", conflicts_with = "request")]
    holder: Option<String>,
    /// The holder's signed request (`publica wallet request`): its type and holder are taken from it, and its
    /// signatures prove the holder has the key the credential is bound to.
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
    /// The credential type (`vct`), one the issuer is accredited for (taken from --request when given).
    #[arg(long = "type", value_name = "TYPE", required_unless_present = "request")]
    type_name: Option<String>,
    /// A claim the holder may disclose or not: NAME=VALUE (VALUE as JSON if it parses, else a string). Repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    claim: Vec<String>,
    /// A claim always shown (not selectively disclosable). Repeatable.
    #[arg(long, value_name = "NAME=VALUE")]
    plain: Vec<String>,
    /// The issuer's status list holding the credential's entry (with --status-index).
    #[arg(long, requires = "status_index")]
    status_list: Option<u32>,
    /// The credential's entry in that list.
    #[arg(long, requires = "status_list")]
    status_index: Option<u32>,
    /// The public address of the API that serves the status list (default: --api).
    #[arg(long, value_name = "URL")]
    status_base: Option<String>,
    /// Days of validity.
    #[arg(long, default_value_t = 365)]
    valid_days: u64,
    /// The serialisation.
    #[arg(long, value_enum, default_value = "hybrid")]
    form: FormArg,
    /// Where to write the credential.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
}

/// Arguments of `publica credential verify`.
#[derive(ClapArgs)]
pub struct VerifyArgs {
    /// The presentation.
    presentation: PathBuf,
    /// The bundle of ledger proofs (`publica credential bundle`).
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,
    /// The network's genesis document.
    #[arg(long, value_name = "FILE")]
    genesis: PathBuf,
    /// The network's validator history, needed after validator set changes.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Fetch the validator history from this node when --history is not given (it is verified from genesis).
    #[arg(long, value_name = "URL")]
    api: Option<String>,
    /// The audience the presentation must be bound to (the verifier's identifier).
    #[arg(long)]
    aud: String,
    /// The nonce the verifier gave the holder.
    #[arg(long)]
    nonce: String,
    /// Also accept the classical compact form (EdDSA only).
    #[arg(long)]
    accept_compact: bool,
    /// How old the status proof may be, in seconds.
    #[arg(long, default_value_t = DEFAULT_MAX_STATUS_AGE_SECS)]
    max_status_age: u64,
    /// Accept only these trust roots at the top of the accreditation chain. Repeatable.
    #[arg(long, value_name = "ADDRESS")]
    trusted_root: Vec<Address>,
}

/// Run a credential command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Issue(args) => issue(args),
        Command::Bundle { credential, out, api } => {
            let text = read_text(&credential, "credential")?;
            let bundle = fetch_bundle(&Client::new(&api)?, &text)?;
            std::fs::write(&out, serde_json::to_string_pretty(&bundle)?)
                .with_context(|| format!("writing {}", out.display()))?;
            println!("bundle written to {}", out.display());
            Ok(())
        }
        Command::Verify(args) => verify(args),
        Command::StatusToken { key, passphrase, list, ttl, status_base, form, out, publish, api } => {
            let client = Client::new(&api)?;
            let key = keyfile::load(&key, &passphrase)?;
            let owner = client.sender_for(key.public_key().address(), None)?;
            let bits = read_status_list(&client, &owner, list)?;
            let did = Did::new(client.status()?.chain_id, owner);
            let (id, kid_ml, kid_ed) = (did.to_string(), did.url(ML_DSA_65_FRAGMENT), did.url(ED25519_FRAGMENT));
            let issuer = Issuer { keypair: &key, did: &id, kid_ml_dsa_65: &kid_ml, kid_ed25519: &kid_ed };
            let now = publica_client::now_ms() / 1000;
            let token = publica_credentials::StatusListToken {
                uri: status_uri(status_base.as_deref().unwrap_or(&api), &owner, list),
                iat: now,
                exp: Some(now + 2 * ttl),
                ttl: Some(ttl),
                list: bits,
            };
            let text = publica_credentials::issue_status_list_token(&issuer, &token, form.into())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&out, &text).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "status list token of list {list} ({} entries) for {}: {} bytes in {}",
                token.list.len(),
                token.uri,
                text.len(),
                out.display()
            );
            if publish {
                let published = client.publish_status_token(&owner, list, &text)?;
                println!(
                    "published: the node serves it at {}/token (checked against height {})",
                    published.uri, published.height
                );
            }
            Ok(())
        }
    }
}

impl From<FormArg> for Form {
    fn from(form: FormArg) -> Self {
        match form {
            FormArg::Hybrid => Form::Hybrid,
            FormArg::Compact => Form::Compact,
        }
    }
}

/// A whole status list as the ledger holds it now, read page by page.
fn read_status_list(client: &Client, owner: &Address, list: u32) -> Result<publica_credentials::StatusList> {
    let mut packed = Vec::new();
    let mut from = 0;
    let header = loop {
        let page = client.status_list(owner, list, Some(from), None)?;
        packed.extend(
            publica_credentials::json::b64_decode("packed entries", &page.packed)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
        if page.chunks == 0 {
            bail!("the node answered a page of no chunks at chunk {from} of {}", page.chunk_count);
        }
        from = page.from_chunk + page.chunks;
        if from >= page.chunk_count {
            break page.header;
        }
    };
    publica_credentials::StatusList::from_bytes(header.bits, header.capacity as usize, packed)
        .map_err(|e| anyhow::anyhow!("the node's list: {e}"))
}

/// A credential or presentation file, as text.
fn read_text(path: &Path, what: &str) -> Result<String> {
    let bytes = read_bounded(path, publica_credentials::MAX_CREDENTIAL_BYTES as u64, what)?;
    Ok(String::from_utf8(bytes).with_context(|| format!("{} is not text", path.display()))?.trim().to_owned())
}

/// A DID given as a DID or as an address of the node's network.
fn did_of(client: &Client, text: &str) -> Result<Did> {
    if text.starts_with("did:") {
        return Did::parse(text).map_err(|e| anyhow::anyhow!("{text:?} is not a did:publica identifier: {e}"));
    }
    let address: Address =
        text.parse().map_err(|e| anyhow::anyhow!("{text:?} is neither a did:publica DID nor an address: {e}"))?;
    Ok(Did::new(client.status()?.chain_id, address))
}

/// `NAME=VALUE` as a claim; VALUE is JSON when it parses as JSON, else a string.
fn parse_claim(text: &str, disclosable: bool) -> Result<Claim> {
    let (name, value) = text.split_once('=').with_context(|| format!("a claim is NAME=VALUE, got {text:?}"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok(Claim { name: name.to_owned(), value, disclosable })
}

fn issue(args: IssueArgs) -> Result<()> {
    let client = Client::new(&args.api)?;
    let key = keyfile::load(&args.key, &args.passphrase)?;
    let account = client.sender_for(key.public_key().address(), None)?;
    let issuer_did = Did::new(client.status()?.chain_id, account);
    let (holder_did, type_name, request) = match (&args.request, &args.holder, &args.type_name) {
        (Some(path), _, _) => {
            let text = read_text(path, "request")?;
            let request = publica_credentials::peek_request(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
            if args.type_name.as_ref().is_some_and(|t| *t != request.vct) {
                bail!("the request asks for {:?}, not for --type", request.vct);
            }
            let did = Did::parse(&request.holder).map_err(|e| anyhow::anyhow!("the request's holder: {e}"))?;
            (did, request.vct, Some(text))
        }
        (None, Some(holder), Some(type_name)) => (did_of(&client, holder)?, type_name.clone(), None),
        _ => bail!("give --request FILE, or --holder and --type"),
    };
    // The holder's key is the one the ledger names for the holder's account now; the holder proves possession of it
    // in the request, if any, and in every presentation (key binding).
    let holder = client.did(&holder_did.to_string(), DidVersion::Latest)?;
    let holder_key = document_key(&holder.did_document).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(text) = &request {
        let now = publica_client::now_ms() / 1000;
        publica_credentials::verify_request(text, &holder_key, &issuer_did.to_string(), now, 60)
            .map_err(|e| anyhow::anyhow!("the request is refused ({}): {e}", e.check()))?;
    }
    let mut claims = Vec::new();
    for c in &args.claim {
        claims.push(parse_claim(c, true)?);
    }
    for c in &args.plain {
        claims.push(parse_claim(c, false)?);
    }
    check_against_schema(&client, &account, &type_name, &claims)?;
    let status = match (args.status_list, args.status_index) {
        (Some(list), Some(idx)) => Some(StatusReference {
            idx: u64::from(idx),
            uri: status_uri(args.status_base.as_deref().unwrap_or(&args.api), &account, list),
        }),
        _ => None,
    };
    let now = publica_client::now_ms() / 1000;
    let content = CredentialContent {
        vct: type_name.clone(),
        iat: now,
        nbf: now,
        exp: now + args.valid_days.saturating_mul(86_400),
        holder: holder_key,
        status,
        claims,
        decoys: 2,
    };
    let (did, kid_ml, kid_ed) =
        (issuer_did.to_string(), issuer_did.url(ML_DSA_65_FRAGMENT), issuer_did.url(ED25519_FRAGMENT));
    let issuer = Issuer { keypair: &key, did: &did, kid_ml_dsa_65: &kid_ml, kid_ed25519: &kid_ed };
    let text = publica_credentials::issue(&issuer, &content, args.form.into()).map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&args.out, format!("{text}\n")).with_context(|| format!("writing {}", args.out.display()))?;
    let digest = publica_credentials::credential_digest(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("issued {type_name} to {holder_did}");
    println!("  issuer  {did}");
    println!("  digest  {}", hex::encode(digest));
    println!("  written to {} ({} bytes)", args.out.display(), text.len());
    Ok(())
}

/// Refuse to sign what a verifier would refuse: the issuer must be accredited for the type now, and the claims
/// must follow the schema its accreditation names, every required claim included.
fn check_against_schema(client: &Client, issuer: &Address, type_name: &str, claims: &[Claim]) -> Result<()> {
    let now = publica_client::now_ms();
    let listed = client.issuer_accreditations(issuer, type_name)?;
    let Some(accreditation) = listed.accreditations.iter().rev().find(|a| a.in_force_at(now)) else {
        bail!("{issuer} holds no accreditation for {type_name:?} in force now: a verifier would refuse the credential");
    };
    let schema = client.identity_schema(&accreditation.schema)?.document;
    let all: serde_json::Map<String, Value> = claims.iter().map(|c| (c.name.clone(), c.value.clone())).collect();
    publica_identity::verify::check_claims(&schema, &all)
        .map_err(|e| anyhow::anyhow!("the claims do not follow the type's schema: {e}"))?;
    let required = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    let missing: Vec<&str> = required.filter(|name| !all.contains_key(*name)).collect();
    if !missing.is_empty() {
        bail!("the type's schema requires the claims {}: add them with --claim NAME=VALUE", missing.join(", "));
    }
    Ok(())
}

/// Longest wait for a block at or after a credential's issuance.
const MAX_BLOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Wait until the node has a block at or after `ms`: proofs from before a credential's issuance cannot show that
/// its issuer was not revoked in between, and the verifier refuses them.
fn wait_for_block_after(client: &Client, ms: u64) -> Result<()> {
    let deadline = std::time::Instant::now() + MAX_BLOCK_WAIT;
    loop {
        if client.status()?.last_block_time_ms.is_some_and(|t| t >= ms) {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            bail!(
                "the node has no block since the credential's issuance yet (waited {} s): its proofs could not cover                  the issuance; try again once the network has committed a block",
                MAX_BLOCK_WAIT.as_secs()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// The three proofs a credential needs, fetched from a node.
pub(crate) fn fetch_bundle(client: &Client, text: &str) -> Result<CredentialBundle> {
    let claimed = publica_credentials::peek(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let iat = claimed.iat.context("the credential has no `iat`: it cannot be checked against the ledger")?;
    let issuer = Did::parse(&claimed.iss).map_err(|e| anyhow::anyhow!("its issuer {:?}: {e}", claimed.iss))?;
    wait_for_block_after(client, iat.saturating_mul(1000))?;
    let resolution = client.did(&claimed.iss, DidVersion::Time(iat.saturating_mul(1000).to_string()))?;
    let type_query = publica_client::routes::url_encode(&claimed.vct);
    let listed = client.get(&format!("/v1/identity/issuers/{}/accreditations?type={type_query}", issuer.address))?;
    let records: Vec<Accreditation> = serde_json::from_value(listed["accreditations"].clone())
        .context("the node's list of the issuer's accreditations")?;
    let at_ms = iat.saturating_mul(1000);
    let chosen = publica_identity::verify::accreditation_for(&records, at_ms)
        .with_context(|| format!("the ledger has no accreditation of {} for {:?}", claimed.iss, claimed.vct))?;
    let accreditation = client.get(&format!("/v1/identity/accreditations/{}", chosen.id))?;
    let schema = client.get(&format!("/v1/identity/schemas/{}", hex::encode(chosen.schema)))?;
    let status = match &claimed.status {
        None => None,
        Some(reference) => {
            let (owner, list) =
                publica_verify::credential::parse_status_uri(&reference.uri).map_err(anyhow::Error::msg)?;
            Some(client.get(&format!("/v1/identity/status-lists/{owner}/{list}/entries/{}", reference.idx))?)
        }
    };
    Ok(CredentialBundle { issuer: resolution, accreditation, schema, status })
}

fn verify(args: VerifyArgs) -> Result<()> {
    let genesis_bytes = read_bounded(&args.genesis, publica_types::genesis::MAX_GENESIS_BYTES as u64, "genesis")?;
    let genesis = Genesis::from_json(&genesis_bytes).with_context(|| format!("reading {}", args.genesis.display()))?;
    let sets = super::verify::sets_from(&genesis, args.history.as_deref(), args.api.as_deref())?;
    let presentation = read_text(&args.presentation, "presentation")?;
    let bundle: CredentialBundle = serde_json::from_slice(&read_bounded(&args.bundle, MAX_BUNDLE_BYTES, "bundle")?)
        .with_context(|| format!("{} is not a credential bundle", args.bundle.display()))?;
    let policy = CredentialPolicy {
        audience: args.aud,
        nonce: args.nonce,
        now_secs: publica_client::now_ms() / 1000,
        presentation: if args.accept_compact { VerifyPolicy::accepting_compact() } else { VerifyPolicy::default() },
        max_status_age_secs: args.max_status_age,
        trusted_roots: (!args.trusted_root.is_empty()).then_some(args.trusted_root),
    };
    let verified = match publica_verify::verify_credential(&presentation, &bundle, &sets, &policy) {
        Ok(v) => v,
        Err(e) => bail!("INVALID credential: {e}"),
    };
    let c = &verified.presentation.credential;
    println!("VALID {} credential", c.vct);
    println!("  issuer        {} (both signatures verified with its key at issuance)", verified.issuer);
    println!(
        "  accredited    by accreditation {} ({} up to a trust root) at issuance",
        verified.accreditation.id,
        super::count(verified.chain_links, "link")
    );
    match verified.status_as_of {
        Some((height, time_ms)) => {
            println!("  status        valid as of block {height} ({})", publica_types::time::format_time_ms(time_ms))
        }
        None => println!("  status        none (the credential cannot be revoked)"),
    }
    println!("  bound to      the holder's key, for audience {} and this nonce", policy.audience);
    for (name, value) in &verified.presentation.claims {
        println!("  {name:<13} {value}");
    }
    Ok(())
}

/// Wallet commands: the holder's credentials, kept in a directory.
#[derive(Subcommand)]
pub enum WalletCommand {
    /// Ask an issuer for a credential: a request signed with the holder's key, to hand to the issuer.
    Request {
        /// The holder's key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[command(flatten)]
        passphrase: PassphraseArgs,
        /// The issuer: a did:publica DID or an account address.
        #[arg(long)]
        issuer: String,
        /// The credential type asked for.
        #[arg(long = "type", value_name = "TYPE")]
        type_name: String,
        /// Where to write the request.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The node's API (to find the holder's account and the network).
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
    },
    /// Keep an issued credential.
    Store {
        /// The credential file.
        credential: PathBuf,
        #[command(flatten)]
        wallet: WalletDir,
    },
    /// The credentials kept, with what each can disclose.
    List {
        #[command(flatten)]
        wallet: WalletDir,
    },
    /// Present a credential to a verifier: disclose the claims named, bound to the verifier's audience and nonce.
    Present {
        /// The credential's id in the wallet (`publica wallet list`), a unique prefix of it, or its type (the end
        /// of its `vct`, e.g. `diploma`) when the wallet holds one credential of that type.
        id: String,
        /// The holder's key file.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[command(flatten)]
        passphrase: PassphraseArgs,
        /// The claims to disclose, comma-separated (none: only what the credential shows in the clear).
        #[arg(long, value_delimiter = ',')]
        disclose: Vec<String>,
        /// The verifier's audience.
        #[arg(long)]
        aud: String,
        /// The verifier's nonce.
        #[arg(long)]
        nonce: String,
        /// Where to write the presentation.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        wallet: WalletDir,
    },
}

/// Where the wallet keeps credentials.
#[derive(ClapArgs)]
pub struct WalletDir {
    /// The wallet's directory.
    #[arg(long = "wallet", value_name = "DIR", env = "PUBLICA_WALLET", default_value = "publica-wallet")]
    dir: PathBuf,
}

/// Run a wallet command.
pub fn run_wallet(command: WalletCommand) -> Result<()> {
    match command {
        WalletCommand::Request { key, passphrase, issuer, type_name, out, api } => {
            let client = Client::new(&api)?;
            let key = keyfile::load(&key, &passphrase)?;
            let holder = Did::new(client.status()?.chain_id, client.sender_for(key.public_key().address(), None)?);
            let issuer = did_of(&client, &issuer)?;
            let nonce: [u8; 16] = rand::random();
            let request = publica_credentials::CredentialRequest {
                holder: holder.to_string(),
                issuer: issuer.to_string(),
                vct: type_name,
                iat: publica_client::now_ms() / 1000,
                nonce: hex::encode(nonce),
            };
            let kids = [holder.url(ML_DSA_65_FRAGMENT), holder.url(ED25519_FRAGMENT)];
            let text = publica_credentials::sign_request(&request, &key, [&kids[0], &kids[1]]);
            std::fs::write(&out, format!("{text}\n")).with_context(|| format!("writing {}", out.display()))?;
            println!("request for {} from {issuer} written to {}: give it to the issuer", request.vct, out.display());
            Ok(())
        }
        WalletCommand::Store { credential, wallet } => {
            let text = read_text(&credential, "credential")?;
            let issued = publica_credentials::parse_issued(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
            let id = hex::encode(&issued.credential.digest[..8]);
            std::fs::create_dir_all(&wallet.dir).with_context(|| format!("creating {}", wallet.dir.display()))?;
            let path = wallet.dir.join(format!("{id}.sdjwt"));
            std::fs::write(&path, format!("{text}\n")).with_context(|| format!("writing {}", path.display()))?;
            println!("stored {} from {} as {id}", issued.credential.vct, issued.credential.iss);
            Ok(())
        }
        WalletCommand::List { wallet } => {
            for (id, path) in wallet_entries(&wallet.dir)? {
                let issued = publica_credentials::parse_issued(&read_text(&path, "credential")?)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let c = &issued.credential;
                println!("{id}  {}", c.vct);
                println!("    issuer      {}", c.iss);
                let names: Vec<&str> = issued.disclosable.keys().map(String::as_str).collect();
                println!("    disclosable {}", names.join(", "));
                let shown: Vec<&str> = issued.plain.keys().map(String::as_str).collect();
                if !shown.is_empty() {
                    println!("    always shown {}", shown.join(", "));
                }
            }
            Ok(())
        }
        WalletCommand::Present { id, key, passphrase, disclose, aud, nonce, out, wallet } => {
            let entries = wallet_entries(&wallet.dir)?;
            let mut matches: Vec<_> = entries.iter().filter(|(e, _)| e.starts_with(&id)).cloned().collect();
            if matches.is_empty() {
                // Else by type: the end of the credential's `vct` (`diploma` for …/vct/diploma).
                for (entry, path) in &entries {
                    let vct =
                        publica_credentials::peek(&read_text(path, "credential")?).map(|c| c.vct).unwrap_or_default();
                    if vct.ends_with(&format!("/{id}")) || vct == id {
                        matches.push((entry.clone(), path.clone()));
                    }
                }
            }
            let path = match matches.as_slice() {
                [(_, path)] => path.clone(),
                [] => bail!("no credential {id:?} in {} (see `publica wallet list`)", wallet.dir.display()),
                _ => bail!("{id:?} names {} credentials: give more of the id", matches.len()),
            };
            let holder = keyfile::load(&key, &passphrase)?;
            let names: Vec<&str> = disclose.iter().map(String::as_str).collect();
            let now = publica_client::now_ms() / 1000;
            let text =
                publica_credentials::present(&read_text(&path, "credential")?, &holder, &names, &aud, &nonce, now)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&out, format!("{text}\n")).with_context(|| format!("writing {}", out.display()))?;
            println!("presentation for {aud} written to {} (discloses: {})", out.display(), names.join(", "));
            Ok(())
        }
    }
}

/// The wallet's credentials: (id, path), sorted by id.
fn wallet_entries(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut entries = Vec::new();
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(entries),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for entry in listing {
        let path = entry?.path();
        if let Some(id) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".sdjwt")) {
            entries.push((id.to_owned(), path.clone()));
        }
    }
    entries.sort();
    Ok(entries)
}
