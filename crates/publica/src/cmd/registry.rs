//! `publica land`, `publica business` and `publica permit`: the registries' transactions (signed here, sent to a node) and reads
//! (with proofs; as-of answers are written to a file that `publica verify` checks offline).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use publica_registry::call::{
    ApplicationAction, EncumbranceKind, NewParcel, Party, RegistryCall, Share, MAX_GEOJSON_BYTES,
};
use publica_types::time::{format_time_ms, parse_time_ms};
use publica_types::RecordId;
use publica_types::{Address, Role, TxId, TxOutcome};
use serde_json::Value;

use super::tx::{send_call_id, SendArgs};
use publica_client::{Client, DEFAULT_API};

/// How long a transfer, subdivision or merger stays open for approvals, by default.
const DEFAULT_OPEN_DAYS: u64 = 30;

/// Where to read from.
#[derive(Args)]
pub struct ReadArgs {
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    pub api: String,
    /// Print the node's whole JSON answer.
    #[arg(long)]
    pub json: bool,
}

/// `publica land` subcommands.
#[derive(Subcommand)]
pub enum LandCommand {
    /// Register a new parcel with its first owners (sender: a registrar).
    Register {
        #[command(flatten)]
        send: SendArgs,
        /// The new parcel's number.
        #[arg(long)]
        parcel: RecordId,
        /// The boundary: a file holding an RFC 7946 Polygon.
        #[arg(long, value_name = "FILE")]
        geojson: PathBuf,
        /// An owner and share: ADDRESS (the whole parcel) or ADDRESS:NUM/DEN. Repeatable; shares sum to one.
        #[arg(long = "owner", value_name = "ADDRESS[:NUM/DEN]", required = true)]
        owners: Vec<String>,
    },
    /// Open a transfer: needs every current owner, every new owner and a notary, then a registrar.
    Transfer {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        parcel: RecordId,
        /// A new owner and share (ADDRESS or ADDRESS:NUM/DEN). Repeatable.
        #[arg(long = "to", value_name = "ADDRESS[:NUM/DEN]", required = true)]
        to: Vec<String>,
        /// Days it stays open for approvals.
        #[arg(long, default_value_t = DEFAULT_OPEN_DAYS)]
        open_days: u64,
    },
    /// Open a subdivision of a parcel into children whose union is exactly the parent.
    Subdivide {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        parcel: RecordId,
        /// A child: NUMBER=GEOJSON-FILE. Repeatable.
        #[arg(long = "child", value_name = "NUMBER=FILE", required = true)]
        children: Vec<String>,
        #[arg(long, default_value_t = DEFAULT_OPEN_DAYS)]
        open_days: u64,
    },
    /// Open a merger of adjacent parcels with the same owners into one.
    Merge {
        #[command(flatten)]
        send: SendArgs,
        /// A parcel to merge. Repeatable.
        #[arg(long = "parcel", required = true)]
        parcels: Vec<RecordId>,
        /// The new parcel: NUMBER=GEOJSON-FILE.
        #[arg(long, value_name = "NUMBER=FILE")]
        into: String,
        #[arg(long, default_value_t = DEFAULT_OPEN_DAYS)]
        open_days: u64,
    },
    /// Approve an application, for the sender's own account or for a role the sender holds (--as-role).
    Approve {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        application: u64,
        /// Approve as an official holding this role (notary, registrar), not as a named party.
        #[arg(long)]
        as_role: Option<Role>,
    },
    /// Reject an application, with a reason; it is closed.
    Reject {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        application: u64,
        #[arg(long)]
        as_role: Option<Role>,
        #[arg(long)]
        reason: String,
    },
    /// Register a mortgage (sender: a bank) or a lien (a bank or a court) on a parcel.
    Encumber {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        parcel: RecordId,
        /// `mortgage` or `lien`.
        #[arg(long)]
        kind: String,
        /// The loan or case reference.
        #[arg(long)]
        reference: String,
    },
    /// Release an encumbrance (sender: an official of the agency that registered it).
    Release {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        encumbrance: u64,
    },
    /// Pass a deceased owner's share to heirs (sender: a probate court).
    Inherit {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        parcel: RecordId,
        #[arg(long)]
        deceased: Address,
        /// An heir and the fraction of the deceased's share (ADDRESS or ADDRESS:NUM/DEN). Repeatable.
        #[arg(long = "heir", value_name = "ADDRESS[:NUM/DEN]", required = true)]
        heirs: Vec<String>,
        #[arg(long)]
        case: String,
    },
    /// Set a parcel's owners by court order (sender: a court).
    CourtOrder {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        parcel: RecordId,
        #[arg(long = "owner", value_name = "ADDRESS[:NUM/DEN]", required = true)]
        owners: Vec<String>,
        #[arg(long)]
        case: String,
    },
    /// A parcel, its boundary, its title and encumbrances.
    Show {
        parcel: RecordId,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// The versions of a parcel and of its title.
    History {
        parcel: RecordId,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Who owned a parcel at a time, with proofs (write them with --out and check with `publica verify`).
    Owners {
        parcel: RecordId,
        /// Unix milliseconds, a date (2026-01-31) or an RFC 3339 date-time, at or before the last block (a later
        /// time is refused: nothing can prove it yet); default: the last block's time.
        #[arg(long)]
        at: Option<String>,
        /// Write the answer with its proofs here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Parcels in a bounding box (degrees: min_lon,min_lat,max_lon,max_lat).
    Search {
        #[arg(long)]
        bbox: String,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// An application: its parties, approvals and where it stands.
    Application {
        application: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// `publica permit` subcommands.
#[derive(Subcommand)]
pub enum PermitCommand {
    /// Issue a permit or licence (sender: a permit officer).
    Issue {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        permit: RecordId,
        /// Its kind (e.g. building-permit, taxi-licence).
        #[arg(long)]
        kind: RecordId,
        #[arg(long)]
        holder: Address,
        /// Valid from (Unix ms, date or RFC 3339 date-time).
        #[arg(long)]
        from: String,
        /// Valid until (exclusive).
        #[arg(long)]
        until: String,
    },
    /// Extend a permit's validity (sender: a permit officer of the issuing agency).
    Renew {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        permit: RecordId,
        #[arg(long)]
        until: String,
    },
    /// Suspend an active permit, with a reason.
    Suspend {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        permit: RecordId,
        #[arg(long)]
        reason: String,
    },
    /// Lift a suspension.
    Reinstate {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        permit: RecordId,
    },
    /// Revoke a permit for good, with a reason.
    Revoke {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        permit: RecordId,
        #[arg(long)]
        reason: String,
    },
    /// A permit's latest version and its status now.
    Show {
        permit: RecordId,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// A permit's status at a time, with proofs (write them with --out and check with `publica verify`).
    Status {
        permit: RecordId,
        #[arg(long)]
        at: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// `publica business` subcommands.
#[derive(Subcommand)]
pub enum BusinessCommand {
    /// Open a company registration from a JSON file of its details (name, legal_form, registered_address,
    /// officers, shareholders, beneficial_owners; a complete example in docs/walkthrough.md, "A company", the
    /// fields in docs/registry.md); every founder approves, then a company registrar.
    Register {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long, value_name = "FILE")]
        details: PathBuf,
        #[arg(long, default_value_t = DEFAULT_OPEN_DAYS)]
        open_days: u64,
    },
    /// Approve an application (for the sender's account, or --as-role company-registrar).
    Approve {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        application: u64,
        #[arg(long)]
        as_role: Option<Role>,
    },
    /// File a change or an annual return from a JSON file (sender: a current officer). A filing that names a
    /// person not already in that position, or changes the officers, needs their (and the directors') approval:
    /// give --application to open a company_filing application for it.
    File {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        company: String,
        /// The filing, e.g. {"type": "annual_return", "year": 2026}.
        #[arg(long, value_name = "FILE")]
        filing: PathBuf,
        /// Open a company_filing application, approved by the persons the filing names for the first time and,
        /// for a change of officers, by every director.
        #[arg(long)]
        application: bool,
        /// Days the application stays open for approvals, with --application.
        #[arg(long, default_value_t = DEFAULT_OPEN_DAYS)]
        open_days: u64,
    },
    /// Open the dissolution of a company (sender: one of its directors); a company registrar approves.
    Dissolve {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        company: String,
        #[arg(long, default_value_t = DEFAULT_OPEN_DAYS)]
        open_days: u64,
    },
    /// Place a company in liquidation (sender: a court or a company registrar).
    Liquidate {
        #[command(flatten)]
        send: SendArgs,
        #[arg(long)]
        company: String,
        #[arg(long)]
        case: String,
    },
    /// A company's latest version.
    Show {
        company: String,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// A company's versions and filings.
    History {
        company: String,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Which company holds a name (compared ignoring case and spacing).
    Name {
        name: String,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// The company's ownership and control as Beneficial Ownership Data Standard 0.4 JSON.
    Bods {
        company: String,
        /// Write the statements here (else to standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
}

impl LandCommand {
    /// Whether the command only reads (its "not found" is an answer, exit code 3).
    pub fn is_read(&self) -> bool {
        matches!(self, Self::Show { .. } | Self::History { .. } | Self::Owners { .. } | Self::Application { .. })
    }
}

impl PermitCommand {
    /// Whether the command only reads (its "not found" is an answer, exit code 3).
    pub fn is_read(&self) -> bool {
        matches!(self, Self::Show { .. } | Self::Status { .. })
    }
}

impl BusinessCommand {
    /// Whether the command only reads (its "not found" is an answer, exit code 3).
    pub fn is_read(&self) -> bool {
        matches!(self, Self::Show { .. } | Self::History { .. } | Self::Bods { .. })
    }
}

/// Largest details or filing file accepted.
const MAX_JSON_FILE_BYTES: u64 = 256 * 1024;

fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path, what: &str) -> Result<T> {
    let bytes = super::read_bounded(path, MAX_JSON_FILE_BYTES, &format!("a {what} file"))?;
    serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a valid {what} (complete examples in docs/walkthrough.md, the fields in docs/registry.md)",
            path.display()
        )
    })
}

fn company(text: &str) -> Result<RecordId> {
    publica_registry::business::validate_company_number(text).map_err(anyhow::Error::msg)
}

/// Run a business-register command.
// Long: one short arm per subcommand, parse and print.
pub fn run_business(command: BusinessCommand) -> Result<()> {
    use super::tx::send_call;
    match command {
        BusinessCommand::Register { send, details, open_days } => {
            let company: publica_registry::call::CompanyDetails = read_json(&details, "company details")?;
            open(&send, ApplicationAction::RegisterCompany { company }, deadline(open_days)?)
        }
        BusinessCommand::Approve { send, application, as_role } => {
            let party = party(&send, as_role)?;
            send_call(&send, RegistryCall::Approve { application, party })
        }
        BusinessCommand::File { send, company: number, filing, application, open_days } => {
            let filing: publica_registry::call::Filing = read_json(&filing, "filing")?;
            let company = company(&number)?;
            if application {
                open(&send, ApplicationAction::FileCompanyChange { company, filing }, deadline(open_days)?)
            } else {
                send_call(&send, RegistryCall::FileCompanyChange { company, filing })
            }
        }
        BusinessCommand::Dissolve { send, company: number, open_days } => {
            open(&send, ApplicationAction::DissolveCompany { company: company(&number)? }, deadline(open_days)?)
        }
        BusinessCommand::Liquidate { send, company: number, case } => {
            send_call(&send, RegistryCall::PlaceInLiquidation { company: company(&number)?, case })
        }
        BusinessCommand::Show { company: number, read } => {
            let number = company(&number)?;
            let body = Client::new(&read.api)?.company_json(&number.to_string())?;
            if read.json {
                return print_json(&body);
            }
            let v = &body["company"];
            let c = &v["value"];
            println!(
                "company {number}: {} ({}), {}",
                c["name"].as_str().unwrap_or("?"),
                c["legal_form"].as_str().unwrap_or("?").replace('_', " "),
                c["status"]["type"].as_str().unwrap_or("?").replace('_', " ")
            );
            println!("  registered    {}", format_time_ms(c["registered_ms"].as_u64().unwrap_or(0)));
            println!("  address       {}", c["registered_address"].as_str().unwrap_or("?"));
            for o in c["officers"].as_array().into_iter().flatten() {
                println!(
                    "  officer       {} {}",
                    o["role"].as_str().unwrap_or("?"),
                    o["account"].as_str().unwrap_or("?")
                );
            }
            for h in c["shareholders"].as_array().into_iter().flatten() {
                println!(
                    "  shareholder   {} {} ({} shares)",
                    h["holder"]["type"].as_str().unwrap_or("?"),
                    h["holder"]["id"].as_str().unwrap_or("?"),
                    h["shares"]
                );
            }
            for b in c["beneficial_owners"].as_array().into_iter().flatten() {
                let kinds: Vec<&str> =
                    b["interests"].as_array().into_iter().flatten().filter_map(|i| i["kind"].as_str()).collect();
                println!("  beneficial    {} ({})", b["person"].as_str().unwrap_or("?"), kinds.join(", "));
            }
            println!(
                "  version {}, {} filing(s), {} proofs attached (--json shows them)",
                v["version"],
                c["filings"],
                body["proofs"].as_array().map_or(0, Vec::len)
            );
            Ok(())
        }
        BusinessCommand::History { company: number, read } => {
            let number = company(&number)?;
            let body = Client::new(&read.api)?.company_history_json(&number.to_string())?;
            if read.json {
                return print_json(&body);
            }
            for v in body["company"].as_array().into_iter().flatten() {
                println!(
                    "v{} at height {} ({}): {}",
                    v["version"],
                    v["height"],
                    format_time_ms(v["time_ms"].as_u64().unwrap_or(0)),
                    v["value"]["status"]["type"].as_str().unwrap_or("?")
                );
            }
            for f in body["filings"].as_array().into_iter().flatten() {
                println!(
                    "filing {} by {}: {}",
                    f["id"].as_str().unwrap_or("?"),
                    f["value"]["filed_by"].as_str().unwrap_or("?"),
                    f["value"]["filing"]["type"].as_str().unwrap_or("?")
                );
            }
            Ok(())
        }
        BusinessCommand::Name { name, read } => {
            let body = Client::new(&read.api)?.company_by_name_json(&name)?;
            if read.json {
                return print_json(&body);
            }
            match body["company"].as_str() {
                Some(number) => println!("{name:?} is held by company {number}"),
                None => println!("{name:?} is free (normalised: {:?})", body["normalised"].as_str().unwrap_or("?")),
            }
            Ok(())
        }
        BusinessCommand::Bods { company: number, out, read } => {
            let number = company(&number)?;
            let body = Client::new(&read.api)?.company_bods(&number.to_string())?;
            let text = serde_json::to_string_pretty(&body)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                    println!("{} BODS 0.4 statements written to {}", body.len(), path.display());
                }
                None => println!("{text}"),
            }
            Ok(())
        }
    }
}

/// `ADDRESS` (a share of one) or `ADDRESS:NUM/DEN`.
fn parse_share(text: &str) -> Result<Share> {
    let (address, fraction) = match text.split_once(':') {
        Some((a, f)) => (a, Some(f)),
        None => (text, None),
    };
    let owner: Address = address.parse().map_err(|e| anyhow::anyhow!("{address:?} is not an account address: {e}"))?;
    let (numerator, denominator) = match fraction {
        None => (1, 1),
        Some(f) => {
            let parsed = f.split_once('/').and_then(|(n, d)| Some((n.trim().parse().ok()?, d.trim().parse().ok()?)));
            parsed.with_context(|| format!("{f:?} is not a fraction; write NUM/DEN, e.g. {address}:1/2"))?
        }
    };
    Ok(Share { owner, numerator, denominator })
}

fn shares(texts: &[String]) -> Result<Vec<Share>> {
    texts.iter().map(|t| parse_share(t)).collect()
}

fn read_geojson(path: &std::path::Path) -> Result<String> {
    let bytes = super::read_bounded(path, MAX_GEOJSON_BYTES as u64, "a boundary")?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// `NUMBER=FILE`.
fn new_parcel(text: &str) -> Result<NewParcel> {
    let (number, file) = text.split_once('=').with_context(|| format!("{text:?}: write NUMBER=GEOJSON-FILE"))?;
    Ok(NewParcel { parcel: number.parse()?, geojson: read_geojson(&PathBuf::from(file))? })
}

/// Smallest bare number read as Unix milliseconds (1973-03-03): below it, a number is more likely Unix seconds
/// (`1796245084`), and is refused rather than read as a time in 1970.
const MIN_BARE_MS: u64 = 100_000_000_000;

fn time(text: &str) -> Result<u64> {
    let ms = parse_time_ms(text).map_err(anyhow::Error::msg)?;
    let bare = text.trim().bytes().all(|b| b.is_ascii_digit());
    if bare && ms < MIN_BARE_MS {
        bail!(
            "{text:?} is ambiguous: as Unix milliseconds it is {}; for Unix seconds write {}000, or write a date \
             (2026-01-31) or an RFC 3339 date-time (2026-01-31T12:00:00Z)",
            format_time_ms(ms),
            text.trim()
        );
    }
    Ok(ms)
}

fn deadline(days: u64) -> Result<u64> {
    // A day less than the chain allows: the deadline is counted from now, the chain counts from the block's time.
    let max_days = publica_registry::workflow::MAX_APPLICATION_DURATION_MS / 86_400_000 - 1;
    if days == 0 || days > max_days {
        bail!("--open-days must be 1 to {max_days}");
    }
    Ok(publica_client::now_ms() + days * 86_400_000)
}

fn party(send: &SendArgs, as_role: Option<Role>) -> Result<Party> {
    Ok(match (as_role, send.sender) {
        (Some(role), _) => Party::Role(role),
        (None, Some(sender)) => Party::Account(sender),
        (None, None) => {
            let key = crate::keyfile::load(&send.key, &send.passphrase)?;
            Party::Account(Client::new(&send.api)?.sender_for(key.public_key().address(), None)?)
        }
    })
}

/// A parcel's boundary for people: its ring's vertices as `longitude latitude` (WGS 84, RFC 7946 order), the
/// closing vertex (equal to the first) left out.
fn boundary_text(geometry: &Value) -> String {
    let ring = geometry["coordinates"][0].as_array().map(Vec::as_slice).unwrap_or_default();
    let corners: Vec<String> =
        ring.iter().take(ring.len().saturating_sub(1)).map(|c| format!("{} {}", c[0], c[1])).collect();
    if corners.is_empty() {
        return "none served (--json shows the answer as served)".to_owned();
    }
    format!("{} (longitude latitude, WGS 84)", corners.join(", "))
}

/// Open an application and say how its parties approve it (its number is the committed transaction's outcome,
/// which the submission prints).
fn open(send: &SendArgs, action: ApplicationAction, deadline_ms: u64) -> Result<()> {
    let group = match &action {
        ApplicationAction::Transfer { .. } | ApplicationAction::Subdivide { .. } | ApplicationAction::Merge { .. } => {
            "land"
        }
        _ => "business",
    };
    let client = Client::new(&send.api)?;
    warn_encumbered(&client, &action)?;
    let id = send_call_id(send, RegistryCall::OpenApplication { action, deadline_ms })?;
    if send.no_wait {
        return Ok(());
    }
    match find_application(&client, &id)? {
        Some(n) => println!("each party approves with `publica {group} approve --application {n}`"),
        None => println!("the application is open; `publica query tx {id}` shows its block"),
    }
    Ok(())
}

/// Warn, before a transfer, subdivision or merger is opened, that an encumbered parcel blocks its last step until
/// the encumbrance is released (the parties may still approve meanwhile: a mortgage is often released at closing).
fn warn_encumbered(client: &Client, action: &ApplicationAction) -> Result<()> {
    let (what, parcels) = match action {
        ApplicationAction::Transfer { parcel, .. } => ("transfer", std::slice::from_ref(parcel)),
        ApplicationAction::Subdivide { parcel, .. } => ("subdivision", std::slice::from_ref(parcel)),
        ApplicationAction::Merge { parcels, .. } => ("merger", parcels.as_slice()),
        _ => return Ok(()),
    };
    for parcel in parcels {
        let Ok(body) = client.parcel(&parcel.to_string()) else { continue };
        for e in &body.encumbrances {
            let kind = match e.value.kind {
                EncumbranceKind::Mortgage => "mortgage",
                EncumbranceKind::Lien => "lien",
            };
            eprintln!(
                "warning: parcel {parcel} is encumbered by {kind} #{id} of agency {} (reference {:?}); the {what} can \
                 be approved, but its last step is refused until that agency releases it (`publica land release \
                 --encumbrance {id}`)",
                e.value.agency,
                e.value.reference,
                id = e.id,
            );
        }
    }
    Ok(())
}

/// The number of the application a committed transaction opened: its outcome, as the node reports it.
fn find_application(client: &Client, id: &TxId) -> Result<Option<u64>> {
    Ok(match client.transaction(id)?.outcome {
        Some(TxOutcome::Application { id }) => Some(id),
        _ => None,
    })
}

fn print_json(value: &Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn write_answer(out: Option<&PathBuf>, answer: &Value) -> Result<()> {
    if let Some(path) = out {
        std::fs::write(path, serde_json::to_vec_pretty(answer)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!(
            "answer with its proofs written to {}; check it with `publica verify {} --genesis GENESIS`: only an \
             answer it reports VALID for that time is proven, and it says why the proofs cover the time",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

fn at_ms(at: Option<&str>) -> Result<Option<u64>> {
    at.map(time).transpose()
}

fn owners_text(owners: &Value) -> String {
    owners
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| format!("{} {}/{}", o["account"].as_str().unwrap_or("?"), o["numerator"], o["denominator"]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Run a land command.
// Long: one short arm per subcommand, parse and print.
pub fn run_land(command: LandCommand) -> Result<()> {
    use super::tx::send_call;
    match command {
        LandCommand::Register { send, parcel, geojson, owners } => {
            let parcel = NewParcel { parcel, geojson: read_geojson(&geojson)? };
            send_call(&send, RegistryCall::RegisterParcel { parcel, owners: shares(&owners)? })
        }
        LandCommand::Transfer { send, parcel, to, open_days } => {
            open(&send, ApplicationAction::Transfer { parcel, new_owners: shares(&to)? }, deadline(open_days)?)
        }
        LandCommand::Subdivide { send, parcel, children, open_days } => {
            let children = children.iter().map(|c| new_parcel(c)).collect::<Result<_>>()?;
            open(&send, ApplicationAction::Subdivide { parcel, children }, deadline(open_days)?)
        }
        LandCommand::Merge { send, parcels, into, open_days } => {
            open(&send, ApplicationAction::Merge { parcels, into: new_parcel(&into)? }, deadline(open_days)?)
        }
        LandCommand::Approve { send, application, as_role } => {
            let party = party(&send, as_role)?;
            send_call(&send, RegistryCall::Approve { application, party })
        }
        LandCommand::Reject { send, application, as_role, reason } => {
            let party = party(&send, as_role)?;
            send_call(&send, RegistryCall::Reject { application, party, reason })
        }
        LandCommand::Encumber { send, parcel, kind, reference } => {
            let kind = match kind.as_str() {
                "mortgage" => EncumbranceKind::Mortgage,
                "lien" => EncumbranceKind::Lien,
                other => bail!("--kind {other:?}: write mortgage or lien"),
            };
            send_call(&send, RegistryCall::RegisterEncumbrance { parcel, kind, reference })
        }
        LandCommand::Release { send, encumbrance } => {
            send_call(&send, RegistryCall::ReleaseEncumbrance { encumbrance })
        }
        LandCommand::Inherit { send, parcel, deceased, heirs, case } => {
            send_call(&send, RegistryCall::RecordInheritance { parcel, deceased, heirs: shares(&heirs)?, case })
        }
        LandCommand::CourtOrder { send, parcel, owners, case } => {
            send_call(&send, RegistryCall::CourtOrder { parcel, owners: shares(&owners)?, case })
        }
        LandCommand::Show { parcel, read } => {
            let body = Client::new(&read.api)?.parcel_json(&parcel.to_string())?;
            if read.json {
                return print_json(&body);
            }
            let p = &body["parcel"];
            let t = &body["title"];
            println!(
                "parcel {parcel}: {}, {} m², {} vertices (version {}, height {})",
                p["value"]["status"].as_str().unwrap_or("?"),
                p["value"]["area_m2"],
                p["value"]["vertices"],
                p["version"],
                p["height"]
            );
            println!("  boundary      {}", boundary_text(&body["geometry"]));
            println!("  owners        {}", owners_text(&t["value"]["owners"]));
            println!(
                "  title         version {} since {}",
                t["version"],
                format_time_ms(t["time_ms"].as_u64().unwrap_or(0))
            );
            for e in body["encumbrances"].as_array().into_iter().flatten() {
                println!(
                    "  encumbrance   #{} {}: {}",
                    e["id"].as_str().unwrap_or("?"),
                    e["value"]["kind"].as_str().unwrap_or("?"),
                    e["value"]["reference"].as_str().unwrap_or("?")
                );
            }
            let lineage = |k: &str| {
                p["value"][k].as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            };
            if let Some(parents) = lineage("parents").filter(|s| !s.is_empty()) {
                println!("  made from     {parents}");
            }
            if let Some(children) = lineage("children").filter(|s| !s.is_empty()) {
                println!("  replaced by   {children}");
            }
            println!("  {} proofs attached (--json shows them)", body["proofs"].as_array().map_or(0, Vec::len));
            Ok(())
        }
        LandCommand::History { parcel, read } => {
            let body = Client::new(&read.api)?.parcel_history_json(&parcel.to_string())?;
            if read.json {
                return print_json(&body);
            }
            for v in body["title"].as_array().into_iter().flatten() {
                println!(
                    "title v{} at height {} ({}): {} [{}]",
                    v["version"],
                    v["height"],
                    format_time_ms(v["time_ms"].as_u64().unwrap_or(0)),
                    owners_text(&v["value"]["owners"]),
                    v["value"]["basis"]["type"].as_str().unwrap_or("?").replace('_', " ")
                );
            }
            Ok(())
        }
        LandCommand::Owners { parcel, at, out, read } => {
            let client = Client::new(&read.api)?;
            let body = client.parcel_owners_json(&parcel.to_string(), at_ms(at.as_deref())?)?;
            if read.json {
                print_json(&body)?;
            } else {
                let at_ms = body["at_ms"].as_u64().unwrap_or(0);
                let d = &body["decision"];
                match d["type"].as_str() {
                    Some("owned") => println!(
                        "at {}: {parcel} was owned by {} (title v{})",
                        format_time_ms(at_ms),
                        owners_text(&d["owners"]),
                        d["version"]
                    ),
                    Some("retired") => {
                        println!("at {}: {parcel} had been replaced by {}", format_time_ms(at_ms), d["successors"])
                    }
                    _ => {
                        // Absent then: either no such parcel at all (the node says so, with near matches) or one
                        // registered later. The proven answer is saved either way.
                        write_answer(out.as_ref(), &body)?;
                        client.parcel_json(&parcel.to_string())?;
                        println!(
                            "at {}: {parcel} was not registered yet (`publica land history {parcel}` shows since when)",
                            format_time_ms(at_ms)
                        );
                        return Err(super::Absent.into());
                    }
                }
            }
            write_answer(out.as_ref(), &body)?;
            match body["decision"]["type"].as_str() {
                Some("owned" | "retired") => Ok(()),
                _ => Err(super::Absent.into()),
            }
        }
        LandCommand::Search { bbox, read } => {
            let body = Client::new(&read.api)?.parcels_in_json(&bbox)?;
            if read.json {
                return print_json(&body);
            }
            for p in body["parcels"].as_array().into_iter().flatten() {
                println!("{}", p.as_str().unwrap_or("?"));
            }
            if body["truncated"] == true {
                println!("(more parcels touch the box: search a smaller one)");
            }
            Ok(())
        }
        LandCommand::Application { application, read } => {
            let body = Client::new(&read.api)?.application_json(application)?;
            if read.json {
                return print_json(&body);
            }
            let a = &body["application"]["value"];
            println!(
                "application {application}: {} — {}",
                a["workflow"].as_str().unwrap_or("?").replace('_', " "),
                body["state"]["type"].as_str().unwrap_or("?")
            );
            for (i, stage) in a["stages"].as_array().into_iter().flatten().enumerate() {
                let parties: Vec<String> = stage.as_array().into_iter().flatten().map(party_text).collect();
                println!("  stage {}: {}", i + 1, parties.join(", "));
            }
            for ap in a["approvals"].as_array().into_iter().flatten() {
                let by = ap["by"].as_str().unwrap_or("?");
                let role = match ap["party"]["type"].as_str() {
                    Some("role") => format!(" as {}", party_text(&ap["party"])),
                    _ => String::new(),
                };
                println!(
                    "  approved by {by}{role} at height {} ({})",
                    ap["height"],
                    format_time_ms(ap["time_ms"].as_u64().unwrap_or(0))
                );
            }
            Ok(())
        }
    }
}

/// Run a permit command.
pub fn run_permit(command: PermitCommand) -> Result<()> {
    use super::tx::send_call;
    match command {
        PermitCommand::Issue { send, permit, kind, holder, from, until } => send_call(
            &send,
            RegistryCall::IssuePermit {
                permit,
                kind,
                holder,
                valid_from_ms: time(&from)?,
                valid_until_ms: time(&until)?,
            },
        ),
        PermitCommand::Renew { send, permit, until } => {
            send_call(&send, RegistryCall::RenewPermit { permit, valid_until_ms: time(&until)? })
        }
        PermitCommand::Suspend { send, permit, reason } => {
            send_call(&send, RegistryCall::SuspendPermit { permit, reason })
        }
        PermitCommand::Reinstate { send, permit } => send_call(&send, RegistryCall::ReinstatePermit { permit }),
        PermitCommand::Revoke { send, permit, reason } => {
            send_call(&send, RegistryCall::RevokePermit { permit, reason })
        }
        PermitCommand::Show { permit, read } => {
            let body = Client::new(&read.api)?.permit_json(&permit.to_string())?;
            if read.json {
                return print_json(&body);
            }
            let p = &body["permit"]["value"];
            println!(
                "permit {permit} ({}): holder {}, valid {} to {}, version {}",
                p["kind"].as_str().unwrap_or("?"),
                p["holder"].as_str().unwrap_or("?"),
                format_time_ms(p["valid_from_ms"].as_u64().unwrap_or(0)),
                format_time_ms(p["valid_until_ms"].as_u64().unwrap_or(0)),
                body["permit"]["version"]
            );
            println!("  status now: {}", status_text(&body["status"]["decision"]));
            Ok(())
        }
        PermitCommand::Status { permit, at, out, read } => {
            let client = Client::new(&read.api)?;
            let body = client.permit_status_json(&permit.to_string(), at_ms(at.as_deref())?)?;
            let issued = body["decision"]["type"] != "not_issued";
            if read.json {
                print_json(&body)?;
            } else if issued {
                println!(
                    "at {}: permit {permit} was {}",
                    format_time_ms(body["at_ms"].as_u64().unwrap_or(0)),
                    status_text(&body["decision"])
                );
            } else {
                // No such permit at all (the node says so, with near matches), or one issued later. The proven
                // answer is saved either way.
                write_answer(out.as_ref(), &body)?;
                client.permit_json(&permit.to_string())?;
                println!(
                    "at {}: permit {permit} was not issued yet (`publica permit show {permit}` shows when it was)",
                    format_time_ms(body["at_ms"].as_u64().unwrap_or(0))
                );
                return Err(super::Absent.into());
            }
            write_answer(out.as_ref(), &body)?;
            if issued {
                Ok(())
            } else {
                Err(super::Absent.into())
            }
        }
    }
}

/// A party of an application in words: "account b751…" or "role notary".
fn party_text(party: &Value) -> String {
    format!("{} {}", party["type"].as_str().unwrap_or("?"), party["value"].as_str().unwrap_or("?"))
}

fn status_text(decision: &Value) -> String {
    let kind = decision["type"].as_str().unwrap_or("?").replace('_', " ");
    match decision["reason"].as_str() {
        Some(reason) => format!("{kind} ({reason})"),
        None => kind,
    }
}
