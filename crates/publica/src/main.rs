//! The `publica` command: run nodes, manage keys, submit transactions, verify proofs, benchmark.
//!
//! The binary is thin: every command parses its arguments, then calls into the library crates. Errors reach the
//! user as one message that says what was wrong and what to do, with a non-zero exit code.
//!
//! Output: a command's results go to standard output, and only there; the log goes to standard error, at the
//! level `--log` (or `PUBLICA_LOG`) chooses, coloured only when standard error is a terminal (and `NO_COLOR` is
//! not set), so that results piped to a file or another program carry neither log lines nor escape codes.

mod cmd;
mod keyfile;

use clap::{Parser, Subcommand};

/// Publica: a quantum-resistant ledger for public records that anyone can verify offline.
#[derive(Parser)]
#[command(name = "publica", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// What the log (on standard error) shows: a level (error, warn, info, debug, trace) or a filter such as
    /// "warn,publica_node=debug". Default: warnings, and the node's progress at info.
    #[arg(long, global = true, env = "PUBLICA_LOG", value_name = "FILTER")]
    log: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// The log filter when none is chosen.
const DEFAULT_LOG: &str = "warn,publica=info,publica_consensus=warn";

/// Send the log to standard error, filtered by `filter`, coloured only on a terminal.
fn init_log(filter: Option<&str>) -> Result<(), String> {
    use std::io::IsTerminal as _;
    use tracing_subscriber::filter::{filter_fn, FilterExt as _};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::Layer as _;

    let filter = filter.unwrap_or(DEFAULT_LOG);
    let env_filter = tracing_subscriber::EnvFilter::try_new(filter).map_err(|e| {
        format!(
            "--log {filter:?} is not a log filter ({e}); give a level (error, warn, info, debug, trace) or a list \
             such as \"warn,publica_node=debug\""
        )
    })?;
    // Once a node is stopped on purpose, the engine's actors log errors for messages to those already stopped:
    // on a clean stop those lines are not errors, so from then on the engine's own log lines are dropped.
    let not_engine_at_stop = filter_fn(|meta| {
        !(publica_harness::node::stopping_on_purpose() && meta.target().starts_with("arc_malachitebft"))
    })
    // It drops no level. Said, so that the combined filter's most verbose level is the `--log` filter's and the
    // `log` records of libraries (the store logs each flush and compaction step at trace) below it are skipped
    // where they are made; without it, every one of them went through the subscriber to be dropped there.
    .with_max_level_hint(tracing_subscriber::filter::LevelFilter::TRACE);
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .with_filter(env_filter.and(not_engine_at_stop));
    tracing_subscriber::registry().with(layer).init();
    Ok(())
}

#[derive(Subcommand)]
enum Command {
    /// Start a single-validator network with demo agencies, officials and citizens.
    Dev(cmd::dev::Args),
    /// Create a node's home directory: configuration, keys and (for a new network) genesis.
    Init(cmd::node::InitArgs),
    /// Start the node of a home directory.
    Start(cmd::node::StartArgs),
    /// Manage hybrid (ML-DSA-65 + Ed25519) keys.
    #[command(subcommand)]
    Keys(cmd::keys::Command),
    /// Submit transactions of the accounts module.
    #[command(subcommand)]
    Tx(cmd::tx::Command),
    /// Read from a node: status, accounts, transactions, blocks, state with proofs.
    #[command(subcommand)]
    Query(cmd::query::Command),
    /// Anchor documents' SHA-256 hashes in the notary log (the files never leave this machine).
    Anchor(cmd::anchor::AnchorArgs),
    /// Read the notary log: verifier keys, checkpoint, receipts, entries.
    #[command(subcommand)]
    Notary(cmd::anchor::NotaryCommand),
    /// Check a proof or a notary receipt offline against the validators' public keys.
    Verify(cmd::verify::Args),
    /// Credential schemas, issuers' accreditations, status lists and consents (docs/identity.md).
    #[command(subcommand)]
    Identity(cmd::identity::Command),
    /// Issue verifiable credentials, fetch their ledger proofs, verify presentations offline.
    #[command(subcommand)]
    Credential(cmd::credential::Command),
    /// A holder's credentials: store, list, present with chosen disclosures.
    #[command(subcommand)]
    Wallet(cmd::credential::WalletCommand),
    /// Resolve an account's DID (did:publica) to its DID document, with proofs.
    #[command(subcommand)]
    Did(cmd::did::Command),
    /// Measure throughput, latency and proof costs on this machine.
    Bench(cmd::bench::Args),
    /// Run an independent witness that cosigns notary checkpoints (C2SP tlog-witness).
    #[command(subcommand)]
    Witness(cmd::witness::Command),
    /// Run a network of several validators on this machine (demo agencies, for tests and benchmarks).
    #[command(subcommand)]
    Testnet(cmd::testnet::Command),
    /// Change the validator set by a vote of the validators: candidacies, proposals, approvals.
    #[command(subcommand)]
    Governance(cmd::governance::Command),
    /// The land registry: parcels, titles, transfers by application, encumbrances; "who owned it on date D".
    #[command(subcommand)]
    Land(cmd::registry::LandCommand),
    /// The business register: companies, officers, owners, filings; BODS 0.4 export.
    #[command(subcommand)]
    Business(cmd::registry::BusinessCommand),
    /// Permits and licences: issue, renew, suspend, reinstate, revoke; "status on date D".
    #[command(subcommand)]
    Permit(cmd::registry::PermitCommand),
    /// Elections in the Belenios 2.0 format on the ledger: create, key generation by the trustees, roll,
    /// credentials, close, decrypt; read the board, check a receipt, write and verify the archive.
    #[command(subcommand)]
    Election(cmd::election::Command),
    /// Public money, budgets traced to every payment, and welfare paid once per person: currencies, accounts,
    /// transfers, budget laws, allocations, commitments, payments, programmes and claims (docs/finance.md).
    #[command(subcommand)]
    Finance(cmd::finance::Command),
    /// Public procurement: sealing keys made by key holders, tenders, sealed bids opened after their opening time,
    /// scores, awards, complaints, contracts, OCDS exports and red flags (docs/procurement.md).
    #[command(subcommand)]
    Procurement(cmd::procurement::Command),
    /// Personal data kept in agencies' vaults, off the ledger: consents and other legal bases, access requests and
    /// their checked releases, erasures, studies, and the citizen's log of who read their records.
    #[command(subcommand)]
    Data(cmd::data::Command),
    /// WebAssembly contracts: upload code, deploy instances within an agency's policy, call them and read their
    /// receipts, state and events (docs/contracts.md).
    #[command(subcommand)]
    Contract(cmd::contract::Command),
    /// Run an agency's vault of personal data beside its node: make its home, serve it, read its status.
    #[command(subcommand)]
    Vault(cmd::vault::Command),
    /// Cast a ballot with your credential letter: built on this machine, sent by no account.
    Vote(cmd::election::VoteArgs),
    /// Offer a steady rate of signed transactions to a network and measure throughput and commit latency.
    Load(cmd::load::Args),
}

/// The exit code of a command whose standard output was closed by its reader: 128 + SIGPIPE, as a shell reports
/// any Unix tool stopped by a closed pipe.
const CLOSED_STDOUT_EXIT: i32 = 141;

/// End the process quietly when its standard output is closed by the reader (`publica verify … | head -1`). The
/// Rust runtime ignores SIGPIPE, so `println!` to a closed pipe panics; this hook turns exactly that panic into the
/// exit a Unix tool would make, and leaves every other panic to the default hook.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(CLOSED_STDOUT_EXIT);
        }
        default(info)
    }));
}

fn main() -> std::process::ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    if let Err(message) = init_log(cli.log.as_deref()) {
        eprintln!("error: {message}");
        return std::process::ExitCode::from(2);
    }
    // Only a question's "not found" is exit code 3; a write that finds nothing failed.
    let reads = match &cli.command {
        Command::Query(_) => true,
        Command::Land(c) => c.is_read(),
        Command::Permit(c) => c.is_read(),
        Command::Business(c) => c.is_read(),
        Command::Did(c) => c.is_read(),
        Command::Identity(c) => c.is_read(),
        Command::Election(c) => c.is_read(),
        Command::Finance(c) => c.is_read(),
        Command::Procurement(c) => c.is_read(),
        Command::Data(c) => c.is_read(),
        Command::Contract(c) => c.is_read(),
        _ => false,
    };
    let result = match cli.command {
        Command::Dev(args) => cmd::dev::run(args),
        Command::Init(args) => cmd::node::init(args),
        Command::Start(args) => cmd::node::start(args),
        Command::Keys(c) => cmd::keys::run(c),
        Command::Tx(c) => cmd::tx::run(c),
        Command::Query(c) => cmd::query::run(c),
        Command::Anchor(args) => cmd::anchor::run(args),
        Command::Notary(c) => cmd::anchor::run_notary(c),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Did(c) => cmd::did::run(c),
        Command::Identity(c) => cmd::identity::run(c),
        Command::Credential(c) => cmd::credential::run(c),
        Command::Wallet(c) => cmd::credential::run_wallet(c),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Witness(c) => cmd::witness::run(c),
        Command::Testnet(c) => cmd::testnet::run(c),
        Command::Load(args) => cmd::load::run(args),
        Command::Governance(c) => cmd::governance::run(c),
        Command::Land(c) => cmd::registry::run_land(c),
        Command::Permit(c) => cmd::registry::run_permit(c),
        Command::Business(c) => cmd::registry::run_business(c),
        Command::Election(c) => cmd::election::run(c),
        Command::Finance(c) => cmd::finance::run(c),
        Command::Procurement(c) => cmd::procurement::run(c),
        Command::Data(c) => cmd::data::run(c),
        Command::Contract(c) => cmd::contract::run(c),
        Command::Vault(c) => cmd::vault::run(c),
        Command::Vote(args) => cmd::election::run_vote(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.is::<cmd::Absent>() => std::process::ExitCode::from(cmd::NOT_FOUND_EXIT),
        Err(e) => {
            eprintln!("error: {e:#}");
            if let Some(hint) = e.chain().find_map(|c| c.downcast_ref::<publica_client::Refusal>()).and_then(cmd::hint)
            {
                eprintln!("hint: {hint}");
            }
            if reads && cmd::is_not_found(&e) {
                std::process::ExitCode::from(cmd::NOT_FOUND_EXIT)
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    /// The most verbose level the log lets through is the `--log` filter's, so that libraries' `log` records
    /// below it (the store's trace lines) are skipped where they are made. The only test here that installs the
    /// process's logger.
    #[test]
    fn the_log_declares_the_most_verbose_level_of_its_filter() {
        use tracing_subscriber::filter::LevelFilter;
        super::init_log(Some("warn,publica=info")).expect("a valid filter");
        assert_eq!(LevelFilter::current(), LevelFilter::INFO);
    }
}
