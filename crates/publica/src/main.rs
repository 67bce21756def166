//! The `publica` command: run nodes, manage keys, submit transactions, verify proofs, benchmark.
//!
//! The binary is thin: every command parses its arguments, then calls into the library crates. Errors reach the
//! user as one message that says what was wrong and what to do, with a non-zero exit code.

mod client;
mod cmd;
mod home;
mod keyfile;

use clap::{Parser, Subcommand};

/// Publica: a quantum-resistant ledger for public records that anyone can verify offline.
#[derive(Parser)]
#[command(name = "publica", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    /// Offer a steady rate of signed transactions to a network and measure throughput and commit latency.
    Load(cmd::load::Args),
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PUBLICA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,publica=info,publica_consensus=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
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
        Command::Bench(args) => cmd::bench::run(args),
        Command::Witness(c) => cmd::witness::run(c),
        Command::Testnet(c) => cmd::testnet::run(c),
        Command::Load(args) => cmd::load::run(args),
        Command::Governance(c) => cmd::governance::run(c),
        Command::Land(c) => cmd::registry::run_land(c),
        Command::Permit(c) => cmd::registry::run_permit(c),
        Command::Business(c) => cmd::registry::run_business(c),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
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
}
