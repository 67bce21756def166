//! `publica dev`: a single-validator network with demo agencies, officials and citizens (`publica_harness::dev`).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args as ClapArgs;

/// Arguments of `publica dev`.
#[derive(ClapArgs)]
pub struct Args {
    /// Directory for the demo network (created on first run, reused after).
    #[arg(long, value_name = "DIR", default_value = "publica-dev")]
    home: PathBuf,
    /// REST API listen address: HOST:PORT, or the URL clients will use (http://HOST:PORT).
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = super::listen_address)]
    api: SocketAddr,
    /// Delete the directory first and start a fresh network.
    #[arg(long)]
    reset: bool,
}

/// Run the demo network until interrupted.
pub fn run(args: Args) -> Result<()> {
    publica_harness::dev::run(&args.home, args.api, args.reset)
}
