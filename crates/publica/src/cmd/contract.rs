//! `publica contract`: WebAssembly contracts (`docs/contracts.md`): upload code, deploy an instance within the
//! agency's policy, call it and read what the call did, read instances, their state and events, and freeze one.
//!
//! Each transaction verb is sent by the account the module authorises for it, named in its help. Reads print the
//! node's answer in words after checking every proof it carries against the state root of the certified header it
//! names, and that the proven value is the one printed; `--json` prints the whole answer, and `--out FILE` saves it
//! with its proofs for `publica verify FILE --genesis genesis.json`, which also checks the header's certificate.
//!
//! **Inputs** of a call are bytes, in the format the contract documents. They are given whole (`--input-hex HEX`,
//! `--input-file FILE`) or as typed fields concatenated in order (`--arg TYPE:VALUE`, repeated), enough to write a
//! length-prefixed, little-endian binary format by hand:
//!
//! | field | bytes |
//! |---|---|
//! | `str8:TEXT` | the UTF-8 text's length as one byte (at most 255), then the text |
//! | `str:TEXT` | the UTF-8 text alone (a last field whose length is the input's) |
//! | `u8:N`, `u32:N`, `u64:N` | the number, little-endian, in 1, 4 or 8 bytes |
//! | `address:ADDRESS` | an account's 20 bytes, from its 40 hex digits |
//! | `hex:HEX` | the bytes as given |
//!
//! A field that does not fit its type, bad hex, or two forms of input at once are refused before anything is sent.
//!
//! **Outputs** of a call are printed as text when they are printable UTF-8, else in hex (with their value as a
//! little-endian u64 when they are 8 bytes, as a quote of the fee schedule is).

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use base64::Engine as _;
use clap::{Args, Subcommand};
use serde_json::Value;

use publica_client::api::contracts::{ContractEventEntry, ContractEventsResponse, ContractReceiptResponse};
use publica_client::{Client, Page};
use publica_contracts::call::{ContractsCall, MAX_INPUT_BYTES, MAX_NAME_BYTES, MAX_UPLOAD_CODE_BYTES};
use publica_contracts::schema::{self, CodeRecord, Instance, Receipt};
use publica_types::codec::encode;
use publica_types::time::format_time_ms;
use publica_types::{sha256, Address, AgencyId, Hash, TxId};
use publica_verify::{CertifiedHeader, KeyProof};

use super::registry::ReadArgs;
use super::tx::{SendArgs, Sender};
use super::{found, proven_line, read_bounded, save_answer, to_json};

/// The first eight bytes of every WebAssembly module in the binary format, version 1.
const WASM_PREAMBLE: &[u8; 8] = b"\0asm\x01\0\0\0";
/// The longest key a contract may write in its own state, in bytes (`docs/contracts.md`, "Limits").
const MAX_STATE_KEY_BYTES: usize = 256;
/// The most events one page of the events route carries (the node's limit).
const EVENTS_PAGE: u32 = publica_client::api::contracts::MAX_CONTRACT_EVENTS_PAGE;
/// The most pages read back from an instance's newest events to find those of one call: a call records at most
/// 64 events per nested call, so a few pages hold them unless thousands of later events were recorded since.
const MAX_EVENT_PAGES: u32 = 8;

/// `publica contract` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Upload a WebAssembly module; prints its code hash, by which it is deployed (sender: an official holding
    /// `contract-developer`). Code already on the ledger is not sent again.
    Upload {
        /// The module (`.wasm`, the binary format), at most 120 KiB.
        file: PathBuf,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Deploy an instance of uploaded code for the sender's agency, within the policy governance set for it
    /// (sender: an administrator of the agency). Deployments outside the policy, and native roles, go through a
    /// vote: `publica governance propose --deploy-contract`.
    Deploy {
        /// The instance's unique name: 1 to 64 characters of a-z, 0-9 and '-'.
        name: String,
        /// The code's hash (64 hex digits, as `upload` prints it).
        #[arg(long, value_name = "HASH", value_parser = parse_hash)]
        code: Hash,
        /// The most fuel one call may use (at most the policy's `max_fuel_per_call`).
        #[arg(long, value_name = "N")]
        fuel_per_call: u64,
        /// The most fuel one sender may use on the instance in one UTC day.
        #[arg(long, value_name = "N")]
        fuel_per_sender_day: u64,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Call an instance, wait for the block, and print the call's receipt: status, output, fuel used, failure and
    /// the events it recorded (sender: any active account). The command succeeds once the call is committed,
    /// whatever the contract answered: the receipt says that.
    Call(CallArgs),
    /// An instance (its code, agency, fuel limits, roles, code history), or with --key one key of its own state,
    /// with proofs.
    Query {
        /// The instance's number or name.
        instance: String,
        /// A key of the instance's state, as text (`declaration/NV-DECL-2026-0001`).
        #[arg(long, value_name = "TEXT", conflicts_with = "key_hex")]
        key: Option<String>,
        /// A key of the instance's state, in hex (for keys that are not text).
        #[arg(long, value_name = "HEX")]
        key_hex: Option<String>,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// A page of an instance's events, oldest first, with proofs.
    Events {
        /// The instance's number or name.
        instance: String,
        /// The first event listed (from 0).
        #[arg(long, value_name = "N")]
        from: Option<u64>,
        /// The most listed (1 to 100; default 20).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=EVENTS_PAGE as i64))]
        limit: Option<u32>,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// What a committed call did (its receipt), with proofs.
    Receipt {
        /// The call's transaction id (64 hex digits).
        tx: TxId,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// Uploaded code: who uploaded it and when, with proofs; --out writes the module's bytes, checked against
    /// the hash.
    Code {
        /// The code's hash (64 hex digits).
        #[arg(value_parser = parse_hash)]
        hash: Hash,
        /// Write the module's bytes here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Save the node's answer with its proofs here, for `publica verify FILE --genesis GENESIS`.
        #[arg(long, value_name = "FILE")]
        proof_out: Option<PathBuf>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// An agency's contract policy and the fuel its instances used today, with proofs.
    Policy {
        /// The agency.
        agency: AgencyId,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// Freeze an instance: an emergency stop, after which every call is refused; only a vote unfreezes it
    /// (sender: an administrator of the owning agency).
    Freeze {
        /// The instance's number or name.
        instance: String,
        #[command(flatten)]
        send: SendArgs,
    },
}

impl Command {
    /// Whether the command only reads (its "not found" is exit code 3).
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Command::Query { .. }
                | Command::Events { .. }
                | Command::Receipt { .. }
                | Command::Code { .. }
                | Command::Policy { .. }
        )
    }
}

/// What every read takes: the node, `--json`, and `--out FILE` for the answer with its proofs.
#[derive(Args)]
pub struct ShowArgs {
    /// Save the node's answer with its proofs here, for `publica verify FILE --genesis GENESIS`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

/// Arguments of `call`: the instance, its input in one of three forms, the fuel.
#[derive(Args)]
pub struct CallArgs {
    /// The instance's number or name.
    instance: String,
    /// The whole input, in hex.
    #[arg(long, value_name = "HEX", conflicts_with_all = ["input_file", "args"])]
    input_hex: Option<String>,
    /// The whole input: this file's bytes (at most 64 KiB).
    #[arg(long, value_name = "FILE", conflicts_with = "args")]
    input_file: Option<PathBuf>,
    /// A typed field of the input, appended in order: str8:TEXT (a length byte, then the text), str:TEXT (the
    /// text alone), u8:N, u32:N, u64:N (little-endian), address:ADDRESS (20 bytes) or hex:HEX. Repeatable.
    #[arg(long = "arg", value_name = "TYPE:VALUE", value_parser = parse_field)]
    args: Vec<Field>,
    /// The most fuel the call may use (default: the instance's per-call limit). The fuel used is charged,
    /// whatever the call's outcome.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    #[command(flatten)]
    send: SendArgs,
}

/// Run a contract command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Upload { file, send } => upload(&file, &send),
        Command::Deploy { name, code, fuel_per_call, fuel_per_sender_day, send } => {
            deploy(name, code, fuel_per_call, fuel_per_sender_day, &send)
        }
        Command::Call(args) => call(args),
        Command::Query { instance, key, key_hex, show } => {
            let key = match (key, key_hex) {
                (Some(text), None) => Some(state_key_from_text(&text)?),
                (None, Some(hex)) => Some(state_key_from_hex(&hex)?),
                _ => None,
            };
            match key {
                Some(key) => state(&instance, &key, &show),
                None => instance_show(&instance, &show),
            }
        }
        Command::Events { instance, from, limit, show } => events(&instance, Page { from, limit }, &show),
        Command::Receipt { tx, show } => receipt(&tx, &show),
        Command::Code { hash, out, proof_out, read } => code(&hash, out.as_deref(), proof_out.as_deref(), &read),
        Command::Policy { agency, show } => policy(&agency, &show),
        Command::Freeze { instance, send } => freeze(&instance, &send),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs.

/// One typed field of a call's input (`--arg TYPE:VALUE`), already in its bytes' form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field(Vec<u8>);

/// The forms `--arg` takes, for error messages.
const FIELD_FORMS: &str = "write a field as str8:TEXT (a length byte, then UTF-8), str:TEXT (UTF-8 alone), u8:N, \
                           u32:N, u64:N (little-endian), address:ADDRESS (40 hex digits) or hex:HEX";

/// A typed field (clap's parser of `--arg`).
pub fn parse_field(text: &str) -> Result<Field, String> {
    let (kind, value) = text.split_once(':').ok_or_else(|| format!("{text:?} names no type; {FIELD_FORMS}"))?;
    let number = |bits: u32| -> Result<u64, String> {
        let max = u64::MAX >> (64 - bits);
        let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        let n = ok.then(|| value.parse::<u64>().ok()).flatten();
        n.filter(|n| *n <= max).ok_or_else(|| {
            format!("{text:?}: a {kind} is a whole number from 0 to {max} in decimal digits; {FIELD_FORMS}")
        })
    };
    let bytes = match kind {
        "str8" => {
            let len = u8::try_from(value.len()).map_err(|_| {
                format!(
                    "{kind}:… is {} bytes of UTF-8, more than the 255 a one-byte length can say; a longer field \
                     needs --input-hex or --input-file",
                    value.len()
                )
            })?;
            let mut bytes = vec![len];
            bytes.extend_from_slice(value.as_bytes());
            bytes
        }
        "str" => value.as_bytes().to_vec(),
        "u8" => vec![number(8)? as u8],
        "u32" => (number(32)? as u32).to_le_bytes().to_vec(),
        "u64" => number(64)?.to_le_bytes().to_vec(),
        "address" => {
            let address: Address =
                value.parse().map_err(|e| format!("{text:?}: not an account address ({e}); {FIELD_FORMS}"))?;
            address.0.to_vec()
        }
        "hex" => hex::decode(value)
            .map_err(|e| format!("{text:?}: not hex ({e}): give an even number of hex digits; {FIELD_FORMS}"))?,
        other => return Err(format!("{text:?}: {other:?} is not a field type; {FIELD_FORMS}")),
    };
    Ok(Field(bytes))
}

/// A call's input from its one form (the forms' exclusivity is clap's; it is checked here again, as the bytes
/// would otherwise be ambiguous), at most [`MAX_INPUT_BYTES`].
fn call_input(input_hex: Option<&str>, input_file: Option<&Path>, fields: &[Field]) -> Result<Vec<u8>> {
    let forms = usize::from(input_hex.is_some()) + usize::from(input_file.is_some()) + usize::from(!fields.is_empty());
    ensure!(forms <= 1, "give the input in one form only: --input-hex, --input-file or --arg fields");
    let input = if let Some(text) = input_hex {
        let text = text.trim();
        ensure!(
            text.len() <= 2 * MAX_INPUT_BYTES,
            "--input-hex is {} hex digits; an input is at most {MAX_INPUT_BYTES} bytes ({} hex digits)",
            text.len(),
            2 * MAX_INPUT_BYTES
        );
        hex::decode(text).with_context(|| format!("--input-hex {text:?} is not an even number of hex digits"))?
    } else if let Some(path) = input_file {
        read_bounded(path, MAX_INPUT_BYTES as u64, "a contract call's input")?
    } else {
        fields.iter().flat_map(|f| f.0.iter().copied()).collect()
    };
    ensure!(
        input.len() <= MAX_INPUT_BYTES,
        "the input is {} bytes; a contract call's input is at most {MAX_INPUT_BYTES}",
        input.len()
    );
    Ok(input)
}

/// A code hash: 64 hex digits (clap's parser).
pub fn parse_hash(text: &str) -> Result<Hash, String> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut hash).map_err(|_| {
        format!("{text:?} is not a code hash: give its 64 hex digits, as `publica contract upload` prints")
    })?;
    Ok(hash)
}

/// A state key typed as text.
fn state_key_from_text(text: &str) -> Result<Vec<u8>> {
    ensure!(!text.is_empty(), "--key is empty: a state key is at least one byte");
    check_key_len(text.len())?;
    Ok(text.as_bytes().to_vec())
}

/// A state key typed in hex.
fn state_key_from_hex(text: &str) -> Result<Vec<u8>> {
    let key =
        hex::decode(text.trim()).with_context(|| format!("--key-hex {text:?} is not an even number of hex digits"))?;
    ensure!(!key.is_empty(), "--key-hex is empty: a state key is at least one byte");
    check_key_len(key.len())?;
    Ok(key)
}

fn check_key_len(len: usize) -> Result<()> {
    ensure!(
        len <= MAX_STATE_KEY_BYTES,
        "the key is {len} bytes; a contract's state key is at most {MAX_STATE_KEY_BYTES}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Printing.

/// Bytes for a person: quoted text when they are printable UTF-8, else hex (and, for 8 bytes, their value as a
/// little-endian u64).
pub fn bytes_text(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".into();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.chars().all(|c| !c.is_control()) {
            return format!("{text:?}");
        }
    }
    match <[u8; 8]>::try_from(bytes) {
        Ok(eight) => format!("{} (8 bytes; as a little-endian u64: {})", hex::encode(bytes), u64::from_le_bytes(eight)),
        Err(_) => format!("{} ({} bytes)", hex::encode(bytes), bytes.len()),
    }
}

/// Save the answer (with `--out`) and print it whole (with `--json`); `Ok(true)` when the JSON was printed and
/// nothing more is to be said.
fn save_or_print(out: Option<&Path>, json: bool, body: &Value) -> Result<bool> {
    if let Some(path) = out {
        save_answer(path, body, json)?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(body)?);
    }
    Ok(json)
}

/// Check every proof of an answer against the state root of its certified header, and that the proof of `key`
/// proves exactly `value` (the encoding of what is printed; `None`: proven absent). The header's certificate is
/// checked offline by `publica verify` (it needs the network's genesis).
fn check_proofs(certified: &CertifiedHeader, proofs: &[KeyProof], key: &[u8], value: Option<&[u8]>) -> Result<()> {
    for proof in proofs {
        proof.verify_under(certified).map_err(|e| anyhow::anyhow!("the node's answer does not prove itself: {e}"))?;
    }
    let proof = proofs
        .iter()
        .find(|p| p.key == key)
        .with_context(|| format!("the node's answer carries no proof of the key {}", hex::encode(key)))?;
    ensure!(
        proof.value.as_deref() == value,
        "the node's answer is not what its proof of {} proves: refusing to print it",
        String::from_utf8_lossy(key)
    );
    Ok(())
}

/// An instance in a few lines.
fn instance_text(instance: &Instance) -> String {
    let mut out = format!("instance {} {:?} of agency {}\n", instance.id, instance.name, instance.agency);
    let mut line = |label: &str, text: String| out.push_str(&format!("  {label:<20}{text}\n"));
    line("code", hex::encode(instance.code_hash));
    line("fuel per call", instance.fuel_per_call.to_string());
    line("fuel per sender day", instance.fuel_per_sender_day.to_string());
    let roles = instance.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    line("native roles", if roles.is_empty() { "none".into() } else { roles.join(", ") });
    line(
        "frozen",
        if instance.frozen { "yes: calls are refused until a vote unfreezes it".into() } else { "no".into() },
    );
    line("deployed at height", instance.deployed_at_height.to_string());
    line("account", publica_contracts::contract_address(instance.id).to_string());
    out.push_str("  code history\n");
    for version in &instance.history {
        let by = match &version.authority {
            schema::Authority::Proposal { id } => format!("governance proposal {id}"),
            schema::Authority::Admin { address } => format!("administrator {address}"),
        };
        out.push_str(&format!("    from height {:>8}: {} ({by})\n", version.height, hex::encode(version.code_hash)));
    }
    out
}

/// A receipt in a few lines.
fn receipt_text(tx_id: &TxId, receipt: &Receipt) -> String {
    let mut out = format!("receipt of call {tx_id} to instance {}\n", receipt.instance);
    let mut line = |label: &str, text: String| out.push_str(&format!("  {label:<11}{text}\n"));
    let status = match (receipt.status, &receipt.failure) {
        (Some(0), None) => "0 (succeeded: its writes and events are applied)".to_owned(),
        (Some(status), _) => format!("{status} (refused by the contract: nothing it wrote is kept)"),
        (None, _) => "none (the call stopped before returning: nothing it wrote is kept)".to_owned(),
    };
    line("status", status);
    let output = bytes_text(&receipt.output);
    let output = if receipt.output_len as usize > receipt.output.len() {
        format!("{output}, the first {} of {} bytes", receipt.output.len(), receipt.output_len)
    } else {
        output
    };
    line("output", output);
    line("fuel used", receipt.fuel_used.to_string());
    if let Some(failure) = &receipt.failure {
        line("failure", format!("{}: {}", failure.kind, failure.message));
    }
    line("events", receipt.events.to_string());
    out
}

/// An event in one line.
fn event_line(entry: &ContractEventEntry) -> String {
    let event = &entry.event;
    format!(
        "  #{} {} {} (height {}, transaction {})",
        entry.seq,
        bytes_text(&event.topic),
        bytes_text(&event.data),
        event.height,
        event.tx_id
    )
}

// ---------------------------------------------------------------------------------------------------------------
// Commands.

/// An instance by number or name, as the node has it.
fn resolve(client: &Client, reference: &str) -> Result<Instance> {
    check_reference(reference)?;
    Ok(client.contract_instance(reference)?.instance)
}

/// An instance's number: given in decimal, or the number of the instance the node names so.
pub(crate) fn instance_number(client: &Client, reference: &str) -> Result<u64> {
    check_reference(reference)?;
    match reference.parse::<u64>() {
        Ok(number) if reference.bytes().all(|b| b.is_ascii_digit()) => Ok(number),
        _ => Ok(resolve(client, reference)?.id),
    }
}

/// An instance's number (decimal) or name, checked before it is sent.
fn check_reference(reference: &str) -> Result<()> {
    let ok = !reference.is_empty()
        && reference.len() <= MAX_NAME_BYTES
        && reference.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ensure!(
        ok,
        "{reference:?} names no instance: give its number (decimal, from 0) or its name (1 to {MAX_NAME_BYTES} \
         characters of a-z, 0-9 and '-')"
    );
    Ok(())
}

fn upload(file: &Path, send: &SendArgs) -> Result<()> {
    let code = read_bounded(file, MAX_UPLOAD_CODE_BYTES as u64, "an uploaded module")?;
    if !code.starts_with(WASM_PREAMBLE) {
        bail!(
            "{} is not a WebAssembly module: it does not start with the binary format's preamble (\\0asm, version \
             1); give the .wasm file a compiler for wasm32 wrote, not its source or text format",
            file.display()
        );
    }
    let hash = sha256(&code);
    let client = Client::new(&send.api)?;
    match client.contract_code(&hash) {
        Ok(record) => {
            println!("code {} is already on the ledger", hex::encode(hash));
            println!(
                "uploaded by {} of {} at height {}; nothing was sent",
                record.uploader, record.agency, record.height
            );
            println!("next: `publica contract deploy NAME --code {} ...` deploys it", hex::encode(hash));
            return Ok(());
        }
        Err(e) if super::is_not_found(&e) || refusal_code(&e).is_some_and(|c| c.ends_with("_not_found")) => {}
        Err(e) => return Err(e.context("asking the node whether the code is already uploaded")),
    }
    println!("code {} ({} bytes)", hex::encode(hash), code.len());
    let mut sender = Sender::open(send)?;
    sender.send(ContractsCall::Upload { code })?;
    println!("next: `publica contract deploy NAME --code {} ...` deploys it", hex::encode(hash));
    Ok(())
}

/// The code of a node's refusal in an error's chain.
fn refusal_code(e: &anyhow::Error) -> Option<&str> {
    e.chain().find_map(|c| c.downcast_ref::<publica_client::Refusal>()).map(|r| r.code.as_str())
}

fn deploy(name: String, code_hash: Hash, fuel_per_call: u64, fuel_per_sender_day: u64, send: &SendArgs) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ensure!(ok, "{name:?} is not an instance name: 1 to {MAX_NAME_BYTES} characters of a-z, 0-9 and '-'");
    ensure!(
        name.bytes().any(|b| !b.is_ascii_digit()),
        "{name:?} is all digits, which would read as an instance number: add a letter or '-'"
    );
    ensure!(fuel_per_call > 0, "--fuel-per-call is 0: give the most fuel one call may use");
    let mut sender = Sender::open(send)?;
    let status =
        sender.send(ContractsCall::Deploy { name: name.clone(), code_hash, fuel_per_call, fuel_per_sender_day })?;
    if status.is_some() {
        let instance = resolve(&sender.client, &name)?;
        println!("deployed instance {} named {name} for {}", instance.id, instance.agency);
        println!("next: `publica contract call {name} --arg ...` calls it");
    }
    Ok(())
}

fn call(args: CallArgs) -> Result<()> {
    let input = call_input(args.input_hex.as_deref(), args.input_file.as_deref(), &args.args)?;
    let client = Client::new(&args.send.api)?;
    let instance = resolve(&client, &args.instance)?;
    let fuel_limit = args.fuel.unwrap_or(instance.fuel_per_call);
    ensure!(fuel_limit > 0, "--fuel is 0: a call needs at least 1 fuel");
    ensure!(
        fuel_limit <= instance.fuel_per_call,
        "--fuel {fuel_limit} is above instance {}'s limit of {} per call",
        instance.name,
        instance.fuel_per_call
    );
    ensure!(!instance.frozen, "instance {} is frozen: calls are refused until a vote unfreezes it", instance.name);
    let mut sender = Sender::open(&args.send)?;
    let call = ContractsCall::Call { instance: instance.id, input, fuel_limit };
    // Without waiting (`--no-wait`) there is no receipt yet: `Sender` printed the transaction's id.
    let Some(status) = sender.send(call)? else { return Ok(()) };
    let tx = status.tx_id;
    let answer = sender.client.contract_receipt(&tx)?;
    check_proofs(&answer.certified, &answer.proofs, &schema::receipt_key(&tx), Some(&encode(&answer.receipt)))?;
    print!("{}", receipt_text(&tx, &answer.receipt));
    let events = call_events(&sender.client, &answer, &tx)?;
    for entry in &events {
        println!("  {}", event_line(entry));
    }
    Ok(())
}

/// The events a committed call recorded: read back from the instance's newest ones (later calls may have
/// recorded more since), at most [`MAX_EVENT_PAGES`] pages.
fn call_events(client: &Client, answer: &ContractReceiptResponse, tx: &TxId) -> Result<Vec<ContractEventEntry>> {
    let wanted = answer.receipt.events as usize;
    if wanted == 0 {
        return Ok(Vec::new());
    }
    let instance = answer.receipt.instance;
    let newest = client.contract_events(instance, Page { from: Some(0), limit: Some(1) })?.count;
    let mut found = Vec::new();
    let mut end = newest;
    for _ in 0..MAX_EVENT_PAGES {
        if end == 0 || found.len() >= wanted {
            break;
        }
        let from = end.saturating_sub(u64::from(EVENTS_PAGE));
        let page = client.contract_events(instance, Page { from: Some(from), limit: Some(EVENTS_PAGE) })?;
        check_event_proofs(&page)?;
        let mut mine: Vec<_> = page.events.into_iter().filter(|e| e.seq < end && e.event.tx_id == *tx).collect();
        mine.append(&mut found);
        found = mine;
        end = from;
    }
    if found.len() < wanted {
        eprintln!(
            "note: the receipt counts {wanted} events, {} found among the instance's newest; `publica contract events \
             {instance}` lists them all",
            found.len()
        );
    }
    Ok(found)
}

/// Every proof of a page of events leads to its header, the count printed is the one proven (a count never
/// written is proven absent: no events), and each event printed is one proven.
fn check_event_proofs(page: &ContractEventsResponse) -> Result<()> {
    let count = page.count.to_le_bytes();
    let proven_count = (page.count > 0).then_some(&count[..]);
    check_proofs(&page.certified, &page.proofs, &schema::event_count_key(page.instance), proven_count)?;
    for entry in &page.events {
        let key = schema::event_key(page.instance, entry.seq);
        check_proofs(&page.certified, &page.proofs, &key, Some(&encode(&entry.event)))?;
    }
    Ok(())
}

fn instance_show(reference: &str, show: &ShowArgs) -> Result<()> {
    check_reference(reference)?;
    let client = Client::new(&show.read.api)?;
    let answer = found(client.contract_instance(reference))?;
    let instance = &answer.instance;
    check_proofs(&answer.certified, &answer.proofs, &schema::instance_key(instance.id), Some(&encode(instance)))?;
    if save_or_print(show.out.as_deref(), show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    print!("{}", instance_text(instance));
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

fn state(reference: &str, key: &[u8], show: &ShowArgs) -> Result<()> {
    check_reference(reference)?;
    let client = Client::new(&show.read.api)?;
    let instance = found(resolve(&client, reference))?;
    let answer = found(client.contract_state(instance.id, key))?;
    let value = answer
        .value
        .as_deref()
        .map(hex::decode)
        .transpose()
        .context("the node's answer holds a value that is not hex")?;
    check_proofs(&answer.certified, &answer.proofs, &schema::state_key(instance.id, key), value.as_deref())?;
    if save_or_print(show.out.as_deref(), show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    println!("instance {} {:?}, key {}", instance.id, instance.name, bytes_text(key));
    match &value {
        Some(value) => println!("  value  {}", bytes_text(value)),
        None => println!("  absent (the proof shows the contract holds no value under this key)"),
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

fn events(reference: &str, page: Page, show: &ShowArgs) -> Result<()> {
    check_reference(reference)?;
    let client = Client::new(&show.read.api)?;
    let instance = found(resolve(&client, reference))?;
    let answer = found(client.contract_events(instance.id, page))?;
    check_event_proofs(&answer)?;
    if save_or_print(show.out.as_deref(), show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    println!("instance {} {:?}: {}", instance.id, instance.name, super::count(answer.count as usize, "event"));
    for entry in &answer.events {
        println!("{}", event_line(entry));
    }
    if let Some(next) = answer.next {
        println!("(`publica contract events {} --from {next}` lists the next)", instance.name);
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

fn receipt(tx: &TxId, show: &ShowArgs) -> Result<()> {
    let client = Client::new(&show.read.api)?;
    let answer = found(client.contract_receipt(tx))?;
    check_proofs(&answer.certified, &answer.proofs, &schema::receipt_key(tx), Some(&encode(&answer.receipt)))?;
    if save_or_print(show.out.as_deref(), show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    print!("{}", receipt_text(tx, &answer.receipt));
    if answer.receipt.events > 0 {
        println!(
            "  (`publica contract events {}` lists the instance's events, these among them)",
            answer.receipt.instance
        );
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

fn code(hash: &Hash, out: Option<&Path>, proof_out: Option<&Path>, read: &ReadArgs) -> Result<()> {
    let client = Client::new(&read.api)?;
    let answer = found(client.contract_code(hash))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&answer.code)
        .context("the node's answer holds code that is not base64")?;
    ensure!(
        sha256(&bytes) == *hash && bytes.len() as u64 == answer.size,
        "the node served code whose hash is {}, not the {} asked: refusing it",
        hex::encode(sha256(&bytes)),
        hex::encode(hash)
    );
    let record =
        CodeRecord { code: bytes, uploader: answer.uploader, agency: answer.agency.clone(), height: answer.height };
    check_proofs(&answer.certified, &answer.proofs, &schema::code_key(hash), Some(&encode(&record)))?;
    if let Some(path) = out {
        std::fs::write(path, &record.code).with_context(|| format!("writing {}", path.display()))?;
        let note = format!("module written to {} ({} bytes, its SHA-256 checked)", path.display(), record.code.len());
        if read.json {
            eprintln!("{note}");
        } else {
            println!("{note}");
        }
    }
    if save_or_print(proof_out, read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    println!("code {} ({} bytes)", hex::encode(hash), answer.size);
    println!("  uploaded by {} of {} at height {}", answer.uploader, answer.agency, answer.height);
    // This command's --out is the module's bytes: the answer with its proofs is saved by --proof-out.
    let header = &answer.certified.header;
    let save = match proof_out {
        Some(_) => "",
        None => "; --proof-out FILE saves the answer with its proofs for `publica verify`",
    };
    println!(
        "proven under the certified header of height {} (block time {}){save}",
        header.height,
        format_time_ms(header.time_ms)
    );
    Ok(())
}

fn policy(agency: &AgencyId, show: &ShowArgs) -> Result<()> {
    let client = Client::new(&show.read.api)?;
    let answer = found(client.contract_policy(agency))?;
    check_proofs(&answer.certified, &answer.proofs, &schema::policy_key(agency), Some(&encode(&answer.policy)))?;
    if save_or_print(show.out.as_deref(), show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    let p = &answer.policy;
    println!("contract policy of {agency}");
    let line = |label: &str, text: String| println!("  {label:<20}{text}");
    line(
        "admin deploy",
        if p.admin_deploy { "yes: administrators deploy listed code without a vote".into() } else { "no".into() },
    );
    line("any agency code", if p.any_agency_code { "yes".into() } else { "no".into() });
    line("max fuel per call", p.max_fuel_per_call.to_string());
    line("fuel per day", p.fuel_per_day.to_string());
    line("max instances", p.max_instances.to_string());
    line("fuel used today", format!("{} (UTC day {})", answer.fuel_used, answer.day));
    println!("  code hashes ({})", p.code_hashes.len());
    for hash in &p.code_hashes {
        println!("    {}", hex::encode(hash));
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

fn freeze(reference: &str, send: &SendArgs) -> Result<()> {
    let client = Client::new(&send.api)?;
    let instance = resolve(&client, reference)?;
    ensure!(!instance.frozen, "instance {} is already frozen; only a vote unfreezes it", instance.name);
    println!("freezing instance {} {:?} of {}", instance.id, instance.name, instance.agency);
    let mut sender = Sender::open(send)?;
    sender.send(ContractsCall::Freeze { instance: instance.id })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> Vec<u8> {
        parse_field(text).unwrap().0
    }

    #[test]
    fn typed_fields_make_the_bytes_the_examples_document() {
        assert_eq!(field("str8:NV-1"), b"\x04NV-1");
        assert_eq!(field("str8:"), vec![0]);
        assert_eq!(field("str:5560-1234"), b"5560-1234");
        assert_eq!(field("u8:2"), vec![2]);
        assert_eq!(field("u32:101"), vec![101, 0, 0, 0]);
        assert_eq!(field("u64:1250000"), 1_250_000u64.to_le_bytes());
        assert_eq!(field("u64:18446744073709551615"), [0xff; 8]);
        assert_eq!(field("hex:01ff"), vec![1, 0xff]);
        let ada = "b75141ab8e2c3384daf0825f46243a655825e9da";
        assert_eq!(field(&format!("address:{ada}")), hex::decode(ada).unwrap());
        // The fee schedule's quote, by fields, is the demo's bytes.
        let fields = ["u8:1", "u32:101", "u32:4"].map(|f| parse_field(f).unwrap());
        let mut quote = vec![1];
        quote.extend_from_slice(&101u32.to_le_bytes());
        quote.extend_from_slice(&4u32.to_le_bytes());
        assert_eq!(call_input(None, None, &fields).unwrap(), quote);
    }

    #[test]
    fn a_field_that_does_not_fit_its_type_is_refused_with_the_forms() {
        let long = format!("str8:{}", "x".repeat(256));
        for (bad, why) in [
            (long.as_str(), "255"),
            ("u8:256", "0 to 255"),
            ("u32:4294967296", "0 to 4294967295"),
            ("u64:18446744073709551616", "0 to 18446744073709551615"),
            ("u64:-1", "whole number"),
            ("u32:1.5", "whole number"),
            ("u8:", "whole number"),
            ("hex:abc", "not hex"),
            ("hex:zz", "not hex"),
            ("address:1234", "not an account address"),
            ("i32:5", "not a field type"),
            ("plain", "names no type"),
        ] {
            let err = parse_field(bad).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_input_is_in_one_form_and_within_the_limit() {
        assert_eq!(call_input(Some("0a0b"), None, &[]).unwrap(), vec![10, 11]);
        assert!(call_input(Some("0a0"), None, &[]).unwrap_err().to_string().contains("hex digits"));
        let fields = [parse_field("u8:1").unwrap()];
        let err = call_input(Some("00"), None, &fields).unwrap_err().to_string();
        assert!(err.contains("one form only"), "{err}");
        let big = "00".repeat(MAX_INPUT_BYTES + 1);
        assert!(call_input(Some(&big), None, &[]).unwrap_err().to_string().contains("at most"));
        assert_eq!(call_input(None, None, &[]).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn outputs_are_text_when_printable_and_hex_otherwise() {
        assert_eq!(bytes_text(b"cleared"), "\"cleared\"");
        assert_eq!(bytes_text(&60_000u64.to_le_bytes()), "60ea000000000000 (8 bytes; as a little-endian u64: 60000)");
        assert_eq!(bytes_text(&[0xff, 0]), "ff00 (2 bytes)");
        assert_eq!(bytes_text(b"a\nb"), "610a62 (3 bytes)");
        assert_eq!(bytes_text(b""), "(empty)");
    }

    #[test]
    fn hashes_and_references_are_checked_before_sending() {
        assert_eq!(parse_hash(&"ab".repeat(32)).unwrap(), [0xab; 32]);
        assert!(parse_hash("abcd").unwrap_err().contains("64 hex digits"));
        assert!(check_reference("customs-clearance").is_ok());
        assert!(check_reference("0").is_ok());
        assert!(check_reference("Customs").unwrap_err().to_string().contains("a-z, 0-9"));
        assert!(state_key_from_hex("zz").is_err());
        assert!(state_key_from_text(&"k".repeat(257)).unwrap_err().to_string().contains("at most 256"));
    }
}
