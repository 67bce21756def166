//! `publica bench`: measure the node on this machine (`publica_harness::bench` describes how).

use anyhow::Result;
use clap::Args as ClapArgs;
use clap::ValueEnum as _;
use publica_harness::bench;

/// Arguments of `publica bench`.
#[derive(ClapArgs)]
pub struct Args {
    /// Transactions for the maximum-rate run.
    #[arg(long, default_value_t = 24_000)]
    txs: usize,
    /// Sending accounts (registrar officials); at most 1,000 transactions each.
    #[arg(long, default_value_t = 48)]
    senders: usize,
    /// Seconds of the half-rate latency run.
    #[arg(long, default_value_t = 10)]
    latency_secs: u64,
    /// What the load does.
    #[arg(long, value_enum, default_value_t = Workload::Registrations)]
    workload: Workload,
    /// Parcels workload: parcels registered before the measured run.
    #[arg(long, default_value_t = 100_000)]
    parcels: usize,
    /// Parcels workload: four-party transfers.
    #[arg(long, default_value_t = 2_000)]
    transfers: usize,
    /// Anchors workload: document hashes to anchor (in transactions of 3,500).
    #[arg(long, default_value_t = 350_000)]
    hashes: usize,
    /// Anchors workload: files in the temporary directory `publica anchor` is timed on.
    #[arg(long, default_value_t = 1_000)]
    anchor_files: usize,
    /// Anchors workload: size of each of those files, KiB.
    #[arg(long, default_value_t = 128)]
    anchor_file_kib: usize,
    /// Credentials workload: credentials issued in each form for the issuance rate.
    #[arg(long, default_value_t = 2_000)]
    credentials: usize,
    /// Credentials workload: entries of the issuer's status list (1 % of them revoked in one batch).
    #[arg(long, default_value_t = 1_000_000)]
    status_entries: u32,
    /// Portal workload: requests per page.
    #[arg(long, default_value_t = 200)]
    rounds: usize,
    /// Elections workload: voters, each casting one ballot in the sustained run.
    #[arg(long, default_value_t = 2_000)]
    ballots: usize,
    /// Finance workload: citizens with a wallet, each also claiming one benefit; `--txs` transfers among them.
    #[arg(long, default_value_t = 2_000)]
    wallets: usize,
    /// Finance workload: nullifier records in the state the execution-layer claims run against.
    #[arg(long, default_value_t = 1_000_000)]
    nullifiers: usize,
    /// Procurement workload: companies registered through the node, each submitting one sealed bid of 10 KB (at
    /// most 1,000: one key holder's shares of every bid fit in one transaction).
    #[arg(long, default_value_t = 1_000)]
    bids: usize,
    /// Procurement workload: contracting processes built at the execution layer and exported in OCDS.
    #[arg(long, default_value_t = 10_000)]
    processes: usize,
    /// Data workload: citizens with a record in the vault, each consenting to the agency's requesters and asked for
    /// once (at most 4,000).
    #[arg(long, default_value_t = 200)]
    citizens: usize,
    /// Data workload: accesses in one citizen's log, read back with proofs (at most 50,000).
    #[arg(long, default_value_t = 10_000)]
    log_accesses: usize,
    /// Data workload: how often the vault looks at a transaction it submitted, milliseconds (a vault started by
    /// `publica vault serve`: 200).
    #[arg(long, default_value_t = 5)]
    vault_poll_ms: u64,
    /// Run the node without keeping past states (`[storage] past_states = false`), to measure what keeping them
    /// costs.
    #[arg(long)]
    no_past_states: bool,
    /// Reads workload: citizen accounts registered before reading (at most 200,000).
    #[arg(long, default_value_t = 100_000)]
    accounts: usize,
    /// Reads workload: seconds of each `wrk` run.
    #[arg(long, default_value_t = 10)]
    read_secs: u64,
    /// Reads workload: connections `wrk` keeps open.
    #[arg(long, default_value_t = 128)]
    connections: usize,
    /// State workload: the largest state measured, in entries (from 10^5 up, ten times more each step).
    #[arg(long, default_value_t = 1_000_000)]
    entries: usize,
    /// Also write every measurement of the report to this file as JSON (`publica-bench/1`: the machine, the
    /// arguments, and each table row with its number and unit), to compare runs across versions.
    #[arg(long, value_name = "FILE")]
    json: Option<std::path::PathBuf>,
    /// Catch-up workload: blocks in the chain a joining node catches up on.
    #[arg(long, default_value_t = 3_000)]
    blocks: u64,
    /// Catch-up workload: the validator's empty-block interval while the node catches up, milliseconds.
    #[arg(long, default_value_t = 1_000)]
    idle_ms: u64,
    /// State workload, internal: open this filled home and print what it measured.
    #[arg(long, hide = true)]
    state_home: Option<std::path::PathBuf>,
}

/// The transactions of the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// Registrar officials register citizens: 5.4 KB transactions that each carry a new hybrid public key to
    /// validate and create three state entries.
    Registrations,
    /// Agency administrators update an official's roles: 3.5 KB transactions, no key inside, two state writes.
    RoleUpdates,
    /// A notary official anchors document hashes, 3,500 per transaction, until a signed checkpoint covers the
    /// last; also receipt sizes, offline receipt verification and `publica anchor` over files.
    Anchors,
    /// Land registry: parcel registrations with the overlap check among `--parcels` registered ones (`--txs` of
    /// them), four-party transfers, and "who owned it at time D" answers with their proofs, checked offline.
    Parcels,
    /// Identity and credentials: SD-JWT VCs issued against raw signing, a presentation checked offline with its
    /// ledger proofs (accreditation chain of two links, status), a status list with 1 % revoked in one batch, and
    /// the sizes of the list, its token and the proof of one bit.
    Credentials,
    /// The portal: each main page's server time with the demo town's data, against the node's cheapest answer.
    Portal,
    /// Elections: Belenios ballots of six answers built and verified (against belenios-tool in the same run, when
    /// installed), and the ledger's sustained ballots per second with every proof checked, against the all-core
    /// verification rate.
    Elections,
    /// Public finance: citizen-to-citizen transfers (`--txs` among `--wallets` wallets) against the all-core
    /// verification rate and against role updates (`--txs` from `--senders` administrators) measured on the same
    /// node; welfare claims with their ECVRF nullifier proofs through the node and at the execution layer with
    /// `--nullifiers` recorded nullifiers; and the size and times of a citizen's proven balance and of a payment's
    /// trace.
    Finance,
    /// Public procurement: `--bids` sealed bids of 10 KB from as many companies registered through the node,
    /// against the all-core rate of what admission checks of each (signature and sealed box); their opening by the
    /// second key holder's one transaction against the same opening computed directly; and the OCDS export of
    /// `--processes` contracting processes built at the execution layer, against serialising the same JSON.
    Procurement,
    /// Personal data: `--citizens` accesses end to end through a real vault (requested through the API, released by
    /// the vault, fetched and checked by their requesters) against the all-core cost of each access's unavoidable
    /// cryptography; what a record, a consent and an access add to the state; and a citizen's log of
    /// `--log-accesses` accesses read with its proofs, against verifying the same proofs directly.
    Data,
    /// WebAssembly contracts: calls of the customs clearance (C) and the fee schedule (Rust) examples, `--txs` of
    /// each case from `--senders` officials, through the node against the all-core verification rate, and at the
    /// execution layer against the same rules written natively over the same host; fuel per call from the
    /// receipts; each example module's validation, compilation, upload and deployment (the grant rule's too).
    Contracts,
    /// Proven reads over HTTP (`wrk`, many connections kept alive) of accounts, parcels, as-of owners and notary
    /// receipts among `--accounts` accounts, with no writes, with writes at half the maximum rate and revalidated
    /// by `If-None-Match`, against the same answers built in process on every core (needs `wrk` on the PATH).
    Reads,
    /// State size: a node's start-up time, peak memory and proven-read latency with 10^5, 10^6, … `--entries`
    /// state entries, its tree read from the store as it is used (past states kept) or rebuilt in memory, against
    /// reading the store once at the disk's rate.
    State,
    /// Catch-up: a node joining with an empty store gets a chain of `--blocks` small blocks from a validator by
    /// value sync, against checking and re-executing the same blocks back to back.
    Catchup,
}

impl From<Workload> for bench::Workload {
    fn from(w: Workload) -> Self {
        match w {
            Workload::Registrations => bench::Workload::Registrations,
            Workload::RoleUpdates => bench::Workload::RoleUpdates,
            Workload::Anchors => bench::Workload::Anchors,
            Workload::Parcels => bench::Workload::Parcels,
            Workload::Credentials => bench::Workload::Credentials,
            Workload::Portal => bench::Workload::Portal,
            Workload::Elections => bench::Workload::Elections,
            Workload::Finance => bench::Workload::Finance,
            Workload::Procurement => bench::Workload::Procurement,
            Workload::Data => bench::Workload::Data,
            Workload::Contracts => bench::Workload::Contracts,
            Workload::Reads => bench::Workload::Reads,
            Workload::State => bench::Workload::State,
            Workload::Catchup => bench::Workload::Catchup,
        }
    }
}

/// Run the benchmarks and print a report.
pub fn run(args: Args) -> Result<()> {
    let json = args.json.clone();
    let workload = args.workload.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default();
    bench::run(&bench::Params {
        txs: args.txs,
        senders: args.senders,
        latency_secs: args.latency_secs,
        workload: args.workload.into(),
        parcels: args.parcels,
        transfers: args.transfers,
        hashes: args.hashes,
        anchor_files: args.anchor_files,
        anchor_file_kib: args.anchor_file_kib,
        credentials: args.credentials,
        status_entries: args.status_entries,
        rounds: args.rounds,
        ballots: args.ballots,
        wallets: args.wallets,
        nullifiers: args.nullifiers,
        bids: args.bids,
        processes: args.processes,
        citizens: args.citizens,
        log_accesses: args.log_accesses,
        vault_poll_ms: args.vault_poll_ms,
        no_past_states: args.no_past_states,
        accounts: args.accounts,
        read_secs: args.read_secs,
        connections: args.connections,
        entries: args.entries,
        state_home: args.state_home,
        blocks: args.blocks,
        idle_ms: args.idle_ms,
    })?;
    if let Some(path) = json {
        bench::report::write_json(&path, &workload)?;
        eprintln!("measurements written to {}", path.display());
    }
    Ok(())
}
