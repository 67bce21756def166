//! `publica dev`: a single-validator network with demo agencies, officials and citizens.
//!
//! The demo keys are derived from public seeds so that the demo is the same on every machine: they protect
//! nothing and must never be used for a real network. Everything else is the production path: the same node,
//! consensus engine, store and API as `publica start`, and the demo data arrives as ordinary signed
//! transactions.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_crypto::Keypair;
use publica_node::{NodeConfig, NodeHandle};
use publica_types::{
    AccountsCall, AgencyId, Call, ChainId, ErrorCode, Genesis, GenesisAccount, GenesisAgency, Role, TxBody, TxId,
    ValidatorSet,
};

use crate::home::{free_local_addr, write_home};
use crate::keyfile;

mod registry;

/// Passphrase of the demo's key files (written next to them, in `dev-passphrase`).
const DEV_PASSPHRASE: &str = "publica-dev";
/// Chain id of the demo network.
const DEV_CHAIN: &str = "publica-dev";

/// Arguments of `publica dev`.
#[derive(ClapArgs)]
pub struct Args {
    /// Directory for the demo network (created on first run, reused after).
    #[arg(long, value_name = "DIR", default_value = "publica-dev")]
    home: PathBuf,
    /// REST API listen address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    api: SocketAddr,
    /// Delete the directory first and start a fresh network.
    #[arg(long)]
    reset: bool,
}

/// The founding agencies of the demo: id, name, may register citizens, the roles (besides `admin`) it may grant.
/// `publica testnet init` founds the same agencies, and `publica init` gives these roles to agencies of these ids.
pub const AGENCIES: &[(&str, &str, bool, &[&str])] = &[
    ("civil-registry", "Civil Registry Office", true, &["citizen-registrar", "clerk"]),
    ("land-registry", "National Land Registry", false, &["registrar", "surveyor"]),
    ("business-registry", "Business Register", false, &["company-registrar"]),
    ("notary-office", "Public Notary Office", false, &["notary"]),
    ("building-authority", "Municipal Building Authority", false, &["permit-officer"]),
    ("demo-bank", "Demo Savings Bank", false, &["bank"]),
    ("district-court", "District Court", false, &["court", "probate-court"]),
];

/// The roles a founding agency of this id grants in the demo (`None` for an id the demo does not know).
pub fn demo_roles(agency: &str) -> Option<Vec<Role>> {
    AGENCIES
        .iter()
        .find(|(id, ..)| *id == agency)
        .map(|(_, _, _, roles)| roles.iter().map(|r| r.parse::<Role>().expect("the demo's roles are valid")).collect())
}

/// Demo officials: key name, agency, roles.
const OFFICIALS: &[(&str, &str, &[&str])] = &[
    ("civil-clerk", "civil-registry", &["citizen-registrar", "clerk"]),
    ("land-registrar", "land-registry", &["registrar"]),
    ("land-surveyor", "land-registry", &["surveyor"]),
    ("business-registrar", "business-registry", &["company-registrar"]),
    ("notary", "notary-office", &["notary"]),
    ("permit-officer", "building-authority", &["permit-officer"]),
    ("bank-officer", "demo-bank", &["bank"]),
];

/// Demo citizens: key name, national identifier (fictional).
const CITIZENS: &[(&str, &str)] = &[
    ("citizen-ada", "DEMO-1001"),
    ("citizen-bruno", "DEMO-1002"),
    ("citizen-chiara", "DEMO-1003"),
    ("citizen-dmitri", "DEMO-1004"),
    ("citizen-eun-ji", "DEMO-1005"),
];

fn demo_key(name: &str) -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(format!("publica-dev-demo-key/{name}").as_bytes()))
}

/// Key derivation for demo key files: their keys are public anyway, so a light KDF keeps start-up quick.
pub fn demo_kdf() -> KdfParams {
    KdfParams { m_kib: 8 * 1024, t: 1, p: 1 }
}

/// Run the demo network until interrupted.
pub fn run(args: Args) -> Result<()> {
    if args.reset && args.home.exists() {
        std::fs::remove_dir_all(&args.home).with_context(|| format!("removing {}", args.home.display()))?;
    }
    let fresh = !args.home.join("config.toml").exists();
    if fresh {
        create(&args.home, args.api)?;
    }
    // `--api` applies on every run, not only the first.
    let mut config = NodeConfig::load(&args.home)?;
    if config.api.listen != args.api {
        config.api.listen = args.api;
        config.save(&args.home)?;
    }
    let key = publica_node::load_validator_key(&publica_node::HomeLayout::new(&args.home), &config)?;
    let rt = super::node::runtime()?;
    rt.block_on(async {
        let running = super::node::launch(&args.home, key).await?;
        let handle = running.handle();
        let api = running.api_addr;
        if fresh {
            println!("Seeding the demo agencies' officials, citizens, land parcels, permits and companies (a few seconds)...");
        }
        let seeded = tokio::task::spawn_blocking(move || seed(&handle)).await??;
        print_guide(&args.home, api, seeded);
        super::node::wait_for_shutdown().await;
        println!("stopping");
        running.stop().await;
        Ok(())
    })
}

fn create(home: &Path, api: SocketAddr) -> Result<()> {
    let validator = demo_key("validator");
    let agencies = AGENCIES
        .iter()
        .map(|(id, name, citizens, _)| {
            Ok(GenesisAgency {
                id: id.parse()?,
                name: (*name).to_owned(),
                can_register_citizens: *citizens,
                roles: demo_roles(id).expect("a demo agency"),
                admins: vec![GenesisAccount { public_key: demo_key(&format!("admin-{id}")).public_key().clone() }],
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let genesis = Genesis {
        chain_id: DEV_CHAIN.parse()?,
        genesis_time_ms: publica_node::shared::now_ms(),
        agencies,
        validators: ValidatorSet::single(&validator),
    };
    let mut config = NodeConfig::new("dev", api, free_local_addr()?);
    config.key.passphrase_file = Some(PathBuf::from("dev-passphrase"));
    std::fs::create_dir_all(home)?;
    std::fs::write(home.join("dev-passphrase"), DEV_PASSPHRASE)?;
    let pass = Passphrase::from_file(home.join("dev-passphrase"))?;
    write_home(home, &config, &genesis, &validator, &pass, demo_kdf())?;
    let names = AGENCIES
        .iter()
        .map(|(id, ..)| format!("admin-{id}"))
        .chain(OFFICIALS.iter().map(|(n, _, _)| (*n).to_owned()))
        .chain(CITIZENS.iter().map(|(n, _)| (*n).to_owned()));
    for name in names {
        keyfile::save(&home.join("keys").join(format!("{name}.json")), &demo_key(&name), &name, &pass, demo_kdf())?;
    }
    Ok(())
}

/// Submit the demo's officials and citizens that are not there yet (a first run that was interrupted is completed
/// on the next). Returns how many transactions it committed.
fn seed(node: &NodeHandle) -> Result<usize> {
    let chain_id = node.chain_id().clone();
    let view = node.live_state();
    let exists = |name: &str| publica_accounts::account(&view, &demo_key(name).public_key().address()).is_some();
    // Each sender's transactions carry consecutive nonces from its committed next nonce.
    let mut nonces: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut next_nonce = |sender: &str| {
        let n = nonces
            .entry(sender.to_owned())
            .or_insert_with(|| publica_accounts::next_nonce(&view, &demo_key(sender).public_key().address()));
        *n += 1;
        *n - 1
    };
    let mut ids = Vec::new();
    for (name, agency, roles) in OFFICIALS.iter().filter(|(name, _, _)| !exists(name)) {
        let admin = format!("admin-{agency}");
        let call = AccountsCall::RegisterOfficial {
            public_key: demo_key(name).public_key().clone(),
            agency: agency.parse::<AgencyId>()?,
            roles: roles.iter().map(|r| r.parse::<Role>()).collect::<Result<_, _>>()?,
        };
        ids.push(submit(node, &chain_id, &demo_key(&admin), next_nonce(&admin), call)?);
    }
    super::wait_committed(node, &ids, Duration::from_secs(60))?;
    let mut citizen_ids = Vec::new();
    for (name, national_id) in CITIZENS.iter().filter(|(name, _)| !exists(name)) {
        let salt = publica_crypto::sha256(format!("publica-dev-demo-salt/{name}").as_bytes());
        let call = AccountsCall::RegisterCitizen {
            public_key: demo_key(name).public_key().clone(),
            id_commitment: super::tx::id_commitment(&salt, national_id),
        };
        citizen_ids.push(submit(node, &chain_id, &demo_key("civil-clerk"), next_nonce("civil-clerk"), call)?);
    }
    super::wait_committed(node, &citizen_ids, Duration::from_secs(60))?;
    let registry = registry::seed(node, &mut next_nonce)?;
    Ok(ids.len() + citizen_ids.len() + registry)
}

fn submit(node: &NodeHandle, chain_id: &ChainId, key: &Keypair, nonce: u64, call: impl Into<Call>) -> Result<TxId> {
    let body = TxBody {
        chain_id: chain_id.clone(),
        sender: key.public_key().address(),
        nonce,
        expires_at_ms: publica_node::shared::now_ms() + 600_000,
        call: call.into(),
    };
    let tx = body.sign(key);
    // A validator keeps only a few transactions per sender (`mempool.per_sender_max`): a sender with more waits
    // for its earlier ones to commit, as any client would.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        match node.submit(&tx.encode()) {
            Err(e)
                if [ErrorCode::NonceTooFarAhead, ErrorCode::MempoolFull].iter().any(|&c| e.code == c)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(50))
            }
            result => return result.map_err(|e| anyhow::anyhow!("demo transaction refused: {e}")),
        }
    }
}

fn print_guide(home: &Path, api: SocketAddr, seeded: usize) {
    let keys = home.join("keys");
    println!("Publica dev network is running (chain {DEV_CHAIN}, one validator).");
    if seeded > 0 {
        let (parcels, _) = registry::summary();
        println!(
            "Seeded {seeded} demo transactions: {} officials, {} citizens, {parcels} land parcels of the town of \
             Nordvik with transfers and mortgages, permits, and companies with their owners.",
            OFFICIALS.len(),
            CITIZENS.len()
        );
    }
    println!();
    println!("  API        http://{api}   (OpenAPI: http://{api}/openapi.json, metrics: http://{api}/metrics)");
    println!("  home       {}", home.display());
    println!("  keys       {}   (demo keys, passphrase in {}/dev-passphrase)", keys.display(), home.display());
    println!();
    println!("Try:");
    println!("  publica query status --api http://{api}");
    let ada = demo_key("citizen-ada").public_key().address();
    println!("  publica query account {ada} --api http://{api} --proof-out ada.json");
    println!("  publica verify ada.json --genesis {}/genesis.json", home.display());
    println!(
        "  publica anchor FILE|DIR... --key {}/notary.json --passphrase-file {}/dev-passphrase --receipts receipts \\",
        keys.display(),
        home.display()
    );
    println!("      --api http://{api}");
    println!("  publica verify receipts/FILE.tlog-proof FILE --genesis {}/genesis.json", home.display());
    let (_, first) = registry::summary();
    println!("  publica land show {first} --api http://{api}");
    println!("  publica land history {first} --api http://{api}");
    println!("  publica land owners {first} --at DATE-OR-TIME --api http://{api} --out owners.json");
    println!("  publica verify owners.json --genesis {}/genesis.json", home.display());
    println!("  publica permit status BP-2026-0002 --api http://{api}");
    println!("  publica business name \"Nordvik Sawmill AB\" --api http://{api}");
    println!("  publica business bods NUMBER --out sawmill-bods.json --api http://{api}");
    println!("Ready. Press Ctrl-C to stop.");
}
