//! Reads: the signed ones (a citizen's log, records and bases; a record; an access; a vault's queue), the log
//! followed live, and the public ones (a study with its counters, the emergencies, an agency's retention rules).

use anyhow::{bail, Context, Result};
use clap::Args;

use publica_client::api::data::{
    DataAnswer, DataQuery, DataReadResponse, StreamEndReason, DEFAULT_EMERGENCIES_PAGE, MAX_DATA_PAGE,
    MAX_EMERGENCIES_PAGE,
};
use publica_client::data::signed_data_read;
use publica_client::{now_ms, Client};
use publica_crypto::kem::RecipientPublicKey;
use publica_types::time::format_time_ms;
use publica_types::{Address, AgencyId};

use super::words::{
    access_line, consent_line, court_order_line, emergency_line, record_line, record_state, representation_line,
    study_lines,
};
use super::{found, proven_line, save_or_print, to_json, ShowArgs, SignedReadArgs, SignerArgs};
use crate::cmd::Absent;

/// Members of a page when `--limit` is not given.
const DEFAULT_PAGE: u32 = 50;

/// A page of a signed list.
#[derive(Args, Clone, Copy)]
pub struct PageArgs {
    /// Start after this member's number (the number the previous page ends with).
    #[arg(long, value_name = "N")]
    after: Option<u64>,
    /// The most listed (1 to 200).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PAGE,
          value_parser = clap::value_parser!(u32).range(1..=MAX_DATA_PAGE as i64))]
    limit: u32,
}

/// `publica data log`.
#[derive(Args)]
pub struct LogArgs {
    /// The citizen whose records (default: the reader's own; a representative or an auditor names the citizen).
    #[arg(long, value_name = "ADDRESS")]
    owner: Option<Address>,
    #[command(flatten)]
    page: PageArgs,
    #[command(flatten)]
    read: SignedReadArgs,
}

/// `publica data watch`.
#[derive(Args)]
pub struct WatchArgs {
    /// The citizen whose records (default: the reader's own).
    #[arg(long, value_name = "ADDRESS")]
    owner: Option<Address>,
    /// Stop after this many accesses (default: follow until interrupted).
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Print each access as one line of JSON (the node's event: height, time, access).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    signer: SignerArgs,
}

/// `publica data records`.
#[derive(Args)]
pub struct RecordsArgs {
    /// The citizen whose records (default: the reader's own).
    #[arg(long, value_name = "ADDRESS")]
    owner: Option<Address>,
    #[command(flatten)]
    page: PageArgs,
    #[command(flatten)]
    read: SignedReadArgs,
}

/// `publica data bases`.
#[derive(Args)]
pub struct BasesArgs {
    /// The citizen (default: the reader's own).
    #[arg(long, value_name = "ADDRESS")]
    owner: Option<Address>,
    #[command(flatten)]
    read: SignedReadArgs,
}

/// `publica data queue`.
#[derive(Args)]
pub struct QueueArgs {
    /// The agency whose vault's queue.
    #[arg(long)]
    agency: AgencyId,
    #[command(flatten)]
    page: PageArgs,
    #[command(flatten)]
    read: SignedReadArgs,
}

/// `publica data emergencies`.
#[derive(Args)]
pub struct EmergenciesArgs {
    /// Start after this emergency's number (newest first).
    #[arg(long, value_name = "N")]
    after: Option<u64>,
    /// The most listed (1 to 100; default 20).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_EMERGENCIES_PAGE as i64))]
    limit: Option<u32>,
    #[command(flatten)]
    show: ShowArgs,
}

/// Sign `query` (built for the reader's account) as the reader and ask it; `None` when the answer was printed as
/// JSON. A thing the reader may not see, or that does not exist, is refused (`not_permitted`).
fn signed_read(args: &SignedReadArgs, query: impl FnOnce(Address) -> DataQuery) -> Result<Option<DataReadResponse>> {
    let (client, signer) = args.signer.open()?;
    let query = query(signer.sender());
    let name = query.name();
    let body = signed_data_read(signer.key(), signer.sender(), signer.chain_id(), query, now_ms());
    let json = found(client.data_read_signed_json(&body))?;
    if save_or_print(args.out.as_deref(), args.json, &json)? {
        return Ok(None);
    }
    let answer: DataReadResponse =
        serde_json::from_value(json).with_context(|| format!("the node's answer to a signed {name} read"))?;
    Ok(Some(answer))
}

/// "N in all; how to list the next page", when there is one.
fn more_line(noun: &str, total: u64, next: Option<u64>, command: &str) -> Option<String> {
    next.map(|after| format!("({total} {noun} in all; `publica data {command} --after {after}` lists the next)"))
}

fn unexpected(query: &str) -> anyhow::Error {
    anyhow::anyhow!("the node answered a {query} read with another kind of answer")
}

/// `publica data log`.
pub fn log(args: LogArgs) -> Result<()> {
    let LogArgs { owner, page, read } = args;
    let Some(answer) = signed_read(&read, |reader| DataQuery::OwnerLog {
        owner: owner.unwrap_or(reader),
        after: page.after,
        limit: page.limit,
    })?
    else {
        return Ok(());
    };
    let DataAnswer::OwnerLog { accesses } = &answer.answer else { return Err(unexpected("log")) };
    let owner = owner.unwrap_or(answer.reader);
    match accesses.total {
        0 => println!("nobody has asked for the records of {owner}"),
        1 => println!("who asked for the records of {owner}: 1 access"),
        n => println!("who asked for the records of {owner}: {n} accesses, oldest first"),
    }
    for access in &accesses.items {
        println!("{}", access_line(access));
    }
    if let Some(line) = more_line("accesses", accesses.total, accesses.next, "log") {
        println!("{line}");
    }
    println!("{}", proven_line(&answer.certified, read.out.as_deref()));
    Ok(())
}

/// `publica data watch`.
pub fn watch(args: WatchArgs) -> Result<()> {
    let (client, signer) = args.signer.open()?;
    let owner = args.owner.unwrap_or(signer.sender());
    let mut seen = 0u64;
    if args.count == Some(0) {
        return Ok(());
    }
    loop {
        // Each stream lasts an hour; a new one is signed when the node ends it for its time.
        let mut stream = client.data_log_stream(&signer, owner)?;
        let ready = stream.ready();
        eprintln!(
            "following the log of {owner} after height {} (this stream until {}); Ctrl-C stops",
            ready.height,
            format_time_ms(ready.expires_at_ms)
        );
        for event in stream.by_ref() {
            let event = event?;
            if args.json {
                println!("{}", serde_json::to_string(&event)?);
            } else {
                println!("{}", access_line(&event.access));
            }
            seen += 1;
            if args.count.is_some_and(|count| seen >= count) {
                return Ok(());
            }
        }
        match stream.end() {
            Some(end) if end.reason == StreamEndReason::Expired => {
                eprintln!("the stream's hour is over: signing a new one (`publica data log` lists every access)");
            }
            Some(end) => bail!("the node ended the log stream: {}", end.message),
            None => bail!("the node closed the log stream (did it stop?); run `publica data watch` again"),
        }
    }
}

/// `publica data records`.
pub fn records(args: RecordsArgs) -> Result<()> {
    let RecordsArgs { owner, page, read } = args;
    let Some(answer) = signed_read(&read, |reader| DataQuery::OwnerRecords {
        owner: owner.unwrap_or(reader),
        after: page.after,
        limit: page.limit,
    })?
    else {
        return Ok(());
    };
    let DataAnswer::OwnerRecords { records } = &answer.answer else { return Err(unexpected("records")) };
    let owner = owner.unwrap_or(answer.reader);
    if records.total == 0 {
        println!("no agency's vault holds a record of {owner}");
    }
    for record in &records.items {
        println!("{}", record_line(record));
    }
    if let Some(line) = more_line("records", records.total, records.next, "records") {
        println!("{line}");
    }
    println!("{}", proven_line(&answer.certified, read.out.as_deref()));
    Ok(())
}

/// `publica data bases`.
pub fn bases(args: BasesArgs) -> Result<()> {
    let BasesArgs { owner, read } = args;
    let Some(answer) = signed_read(&read, |reader| DataQuery::OwnerBases { owner: owner.unwrap_or(reader) })? else {
        return Ok(());
    };
    let DataAnswer::OwnerBases { consents, court_orders, representatives } = &answer.answer else {
        return Err(unexpected("bases"));
    };
    let owner = owner.unwrap_or(answer.reader);
    let now = answer.certified.header.time_ms;
    println!("legal bases naming {owner}:");
    println!("consents ({}, newest first):", consents.total);
    for consent in &consents.items {
        println!("  {}", consent_line(consent, now));
    }
    println!("court orders ({}, newest first):", court_orders.total);
    for order in &court_orders.items {
        println!("  {}", court_order_line(order, now));
    }
    println!("legal representatives ({}):", representatives.len());
    for representation in representatives {
        println!("  {}", representation_line(representation, now));
    }
    println!("{}", proven_line(&answer.certified, read.out.as_deref()));
    Ok(())
}

/// `publica data record N`.
pub fn record(id: u64, read: &SignedReadArgs) -> Result<()> {
    let Some(answer) = signed_read(read, |_| DataQuery::Record { id })? else { return Ok(()) };
    let DataAnswer::Record { record } = &answer.answer else { return Err(unexpected("record")) };
    println!("record {id} of {}", record.owner);
    println!("  agency      {}", record.agency);
    println!("  category    {}", record.category);
    println!("  fields      {}", record.fields);
    println!("  commitment  {}", hex::encode(record.commitment));
    println!(
        "  registered  {} by {} (height {})",
        format_time_ms(record.registered_at_ms),
        record.registered_by,
        record.height
    );
    println!("  state       {}", record_state(&record.state));
    println!("{}", proven_line(&answer.certified, read.out.as_deref()));
    Ok(())
}

/// `publica data access N`.
pub fn access(id: u64, read: &SignedReadArgs) -> Result<()> {
    let Some(answer) = signed_read(read, |_| DataQuery::Access { id })? else { return Ok(()) };
    let DataAnswer::Access { access, record } = &answer.answer else { return Err(unexpected("access")) };
    println!("{}", access_line(access));
    let key = RecipientPublicKey { x25519: access.recipient.x25519, ml_kem: access.recipient.ml_kem.clone() };
    println!("  sealed to the recipient key of SHA-256 {}", hex::encode(key.sha256()));
    println!("  {}", record_line(record));
    println!("{}", proven_line(&answer.certified, read.out.as_deref()));
    Ok(())
}

/// `publica data queue`.
pub fn queue(args: QueueArgs) -> Result<()> {
    let QueueArgs { agency, page, read } = args;
    let Some(answer) = signed_read(&read, |_| DataQuery::AgencyQueue {
        agency: agency.clone(),
        after: page.after,
        limit: page.limit,
    })?
    else {
        return Ok(());
    };
    let DataAnswer::AgencyQueue { accesses, erasures } = &answer.answer else { return Err(unexpected("queue")) };
    println!("the queue of {agency}'s vault: {} pending accesses, {} ordered erasures", accesses.total, erasures.total);
    for access in &accesses.items {
        println!("  {}", access_line(access));
    }
    if let Some(line) = more_line("pending accesses", accesses.total, accesses.next, "queue") {
        println!("{line}");
    }
    for record in &erasures.items {
        println!("  {}", record_line(record));
    }
    println!("{}", proven_line(&answer.certified, read.out.as_deref()));
    Ok(())
}

/// `publica data study show N`.
pub fn study(id: u64, show: &ShowArgs) -> Result<()> {
    let answer = found(Client::new(&show.read.api)?.data_study(id))?;
    if save_or_print(show.out.as_deref(), show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    for line in study_lines(&answer.study, &answer.counters, answer.certified.header.time_ms) {
        println!("{line}");
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

/// `publica data emergencies`.
pub fn emergencies(args: EmergenciesArgs) -> Result<()> {
    let answer = found(Client::new(&args.show.read.api)?.data_emergencies(args.after, args.limit))?;
    if save_or_print(args.show.out.as_deref(), args.show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    if answer.total == 0 {
        println!("no public-health emergency was ever declared");
    }
    for status in &answer.emergencies {
        println!("{}", emergency_line(&status.emergency, answer.at_ms));
    }
    let shown = args.limit.unwrap_or(DEFAULT_EMERGENCIES_PAGE);
    if let Some(after) = answer.next {
        println!(
            "({} in all, {shown} a page; `publica data emergencies --after {after}` lists the older)",
            answer.total
        );
    }
    println!("{}", proven_line(&answer.certified, args.show.out.as_deref()));
    Ok(())
}

/// `publica data retention show`.
pub fn retention(agency: &AgencyId, category: Option<&str>, show: &ShowArgs) -> Result<()> {
    let answer = found(Client::new(&show.read.api)?.data_retention(agency, category))?;
    if save_or_print(show.out.as_deref(), show.read.json, &to_json(&answer)?)? {
        return Ok(());
    }
    if answer.rules.is_empty() {
        match category {
            Some(category) => {
                println!("{agency} has no retention rule for {category}: its vault keeps those records");
                println!("{}", proven_line(&answer.certified, show.out.as_deref()));
                return Err(Absent.into());
            }
            None => println!("{agency} has no retention rule: its vault keeps every record"),
        }
    }
    for rule in &answer.rules {
        println!(
            "{}: erased {} days after registration (set {} by {})",
            rule.category,
            rule.keep_days,
            format_time_ms(rule.set.at_ms),
            rule.set.by
        );
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}
