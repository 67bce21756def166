//! `publica dev`: a single-validator network with demo agencies, officials and citizens.
//!
//! The demo keys are derived from public seeds so that the demo is the same on every machine: they protect
//! nothing and must never be used for a real network. Everything else is the production path: the same node,
//! consensus engine, store and API as `publica start`, and the demo data arrives as ordinary signed
//! transactions.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use publica_client::{Expiry, Signer};
use publica_crypto::keystore::Passphrase;
use publica_crypto::Keypair;
use publica_node::{NodeConfig, NodeHandle};
use publica_tx::{AccountsCall, Call};
use publica_types::{AgencyId, ChainId, Role, TxId, ValidatorSet};

use crate::genesis::{demo_agencies, demo_kdf, new_genesis, AGENCIES};
use crate::home::{free_local_addr, write_home};
use crate::node::{launch, runtime, submit_waiting, wait_committed, wait_for_shutdown};

pub mod contracts;
mod data;
mod elections;
mod finance;
mod identity;
mod procurement;
mod registry;

/// Passphrase of the demo's key files (written next to them, in `dev-passphrase`).
const DEV_PASSPHRASE: &str = "publica-dev";
/// Chain id of a demo network: this prefix and 8 random hex digits chosen when the network is created. The demo's
/// keys are derived from public seeds, so two demo networks share every key; their distinct chain ids, which every
/// signature covers, keep a proof or a receipt of one from verifying against the other's genesis.
const DEV_CHAIN_PREFIX: &str = "publica-dev";

/// Demo officials: key name, agency, roles.
const OFFICIALS: &[(&str, &str, &[&str])] = &[
    ("civil-clerk", "civil-registry", &["citizen-registrar", "clerk"]),
    ("land-registrar", "land-registry", &["registrar"]),
    ("land-surveyor", "land-registry", &["surveyor"]),
    ("business-registrar", "business-registry", &["company-registrar"]),
    ("notary", "notary-office", &["notary"]),
    ("permit-officer", "building-authority", &["permit-officer"]),
    ("bank-officer", "demo-bank", &["bank"]),
    ("civil-trust", "civil-registry", &["trust-root"]),
    ("education-trust", "education-ministry", &["trust-root"]),
    ("university-registrar", "nordvik-university", &["credential-issuer"]),
    ("maritime-trust", "maritime-authority", &["trust-root"]),
    ("class-surveyor", "nordic-class", &["credential-issuer"]),
    ("coastal-officer", "coastal-bank", &["bank"]),
    (elections::OFFICER, elections::ELECTION_BOARD, &["electoral-commission"]),
    (elections::CREDENTIAL_OFFICER, elections::ELECTION_BOARD, &["credential-authority"]),
    (elections::TRUSTEES[0], elections::ELECTION_BOARD, &["election-trustee"]),
    (elections::TRUSTEES[1], "district-court", &["election-trustee"]),
    (elections::TRUSTEES[2], "nordvik-university", &["election-trustee"]),
    (finance::ISSUER, finance::CENTRAL_BANK, &["currency-issuer"]),
    (finance::COUNCIL_CLERK, finance::COUNCIL, &["parliament"]),
    (finance::BUDGET_OFFICER, finance::FINANCE_OFFICE, &["budget-officer"]),
    (finance::WORKS_OFFICER, "building-authority", &["spending-officer"]),
    (finance::WORKS_TREASURER, "building-authority", &["treasurer"]),
    (finance::WELFARE_OFFICER, finance::SOCIAL, &["spending-officer", "welfare-officer"]),
    (finance::SOCIAL_TREASURER, finance::SOCIAL, &["treasurer"]),
    (finance::AUDITOR, finance::AUDIT_OFFICE, &["finance-auditor"]),
    (procurement::CHIEF, procurement::AGENCY, &["procurement-authority"]),
    (procurement::HOLDERS[0], procurement::AGENCY, &["key-holder"]),
    (procurement::HOLDERS[1], finance::AUDIT_OFFICE, &["key-holder"]),
    (procurement::HOLDERS[2], procurement::INTEGRITY_OFFICE, &["key-holder"]),
    (procurement::BUYER, procurement::BUYER_AGENCY, &["procuring-entity"]),
    (procurement::EVALUATORS[0], procurement::BUYER_AGENCY, &["evaluator"]),
    (procurement::EVALUATORS[1], procurement::BUYER_AGENCY, &["evaluator"]),
    (procurement::REVIEWER, procurement::REVIEW_BOARD, &["review-body"]),
    (data::RECORDS_OFFICER, data::HEALTH_AUTHORITY, &["data-controller"]),
    (data::ETHICS_BOARD, data::HEALTH_AUTHORITY, &["research-ethics-board"]),
    (data::DOCTOR, data::HOSPITAL, &["data-requester"]),
    (data::RESEARCHER, data::RESEARCH_INSTITUTE, &["researcher", "data-requester"]),
    (data::PRIVACY_AUDITOR, data::DATA_PROTECTION, &["data-protection-auditor"]),
    // Registered by the contracts' seeding, once a vote lets the finance office grant these roles.
    (contracts::DEVELOPER, contracts::AGENCY, &contracts::DEVELOPER_ROLES),
];

/// Demo citizens: key name, national identifier (fictional).
const CITIZENS: &[(&str, &str)] = &[
    ("citizen-ada", "DEMO-1001"),
    ("citizen-bruno", "DEMO-1002"),
    ("citizen-chiara", "DEMO-1003"),
    ("citizen-dmitri", "DEMO-1004"),
    ("citizen-eun-ji", "DEMO-1005"),
    // The voters of the demo's elections, with the five above.
    ("citizen-fabian", "DEMO-1006"),
    ("citizen-greta", "DEMO-1007"),
    ("citizen-hamid", "DEMO-1008"),
    ("citizen-ingrid", "DEMO-1009"),
    ("citizen-jonas", "DEMO-1010"),
    ("citizen-kaisa", "DEMO-1011"),
    ("citizen-lars", "DEMO-1012"),
    ("citizen-maja", "DEMO-1013"),
    ("citizen-nils", "DEMO-1014"),
    ("citizen-oksana", "DEMO-1015"),
    ("citizen-per", "DEMO-1016"),
    ("citizen-quentin", "DEMO-1017"),
    ("citizen-rosa", "DEMO-1018"),
    ("citizen-sven", "DEMO-1019"),
    ("citizen-tove", "DEMO-1020"),
    ("citizen-ulrik", "DEMO-1021"),
    ("citizen-vera", "DEMO-1022"),
    ("citizen-wilhelm", "DEMO-1023"),
    ("citizen-xenia", "DEMO-1024"),
    ("citizen-yusuf", "DEMO-1025"),
    ("citizen-zofia", "DEMO-1026"),
    ("citizen-astrid", "DEMO-1027"),
    ("citizen-bjorn", "DEMO-1028"),
    ("citizen-cecilia", "DEMO-1029"),
];

fn demo_key(name: &str) -> Keypair {
    Keypair::from_seed(&publica_crypto::sha256(format!("publica-dev-demo-key/{name}").as_bytes()))
}

/// Run the demo network in `home` (created on the first run, or again with `reset`), its API on `api`, until
/// interrupted.
pub fn run(home: &Path, api: SocketAddr, reset: bool) -> Result<()> {
    // A node already running on this home is found before anything is deleted or rewritten.
    if home.exists() {
        drop(publica_node::HomeLayout::new(home).lock()?);
    }
    if reset && home.exists() {
        std::fs::remove_dir_all(home).with_context(|| format!("removing {}", home.display()))?;
    }
    let fresh = !home.join("config.toml").exists();
    if fresh {
        create(home, api)?;
    }
    // `api` applies on every run, not only the first.
    let mut config = NodeConfig::load(home)?;
    if config.api.listen != api {
        config.api.listen = api;
        config.save(home)?;
    }
    let key = publica_node::load_validator_key(&publica_node::HomeLayout::new(home), &config)?;
    let rt = runtime()?;
    rt.block_on(async {
        let running = launch(home, key).await?;
        let handle = running.handle();
        let api = running.api_addr;
        if fresh {
            println!(
                "Seeding the demo agencies' officials, citizens, land parcels, permits, companies and elections (a few \
                 seconds)..."
            );
        }
        let chain_id = handle.chain_id().clone();
        let seed_home = home.to_path_buf();
        let mut seeded = tokio::task::spawn_blocking(move || seed(&handle, &seed_home)).await??;
        // The health authority's vault starts once its controller is on the ledger, and its records go in through it.
        let vault = data::start_vault(&running.handle(), home, api).await?;
        if let Some(vault) = &vault {
            let (handle, seed_home, url) = (running.handle(), home.to_path_buf(), vault.url.clone());
            seeded += tokio::task::spawn_blocking(move || data::seed(&handle, &seed_home, api, &url)).await??;
        }
        let elections = elections::demo_records(&running.handle().live_state());
        print_guide(home, &chain_id, api, seeded, &elections, vault.as_ref().map(|v| v.url.as_str()));
        wait_for_shutdown().await;
        println!("stopping");
        if let Some(vault) = vault {
            vault.stop().await;
        }
        running.stop().await;
        Ok(())
    })
}

pub(crate) fn create(home: &Path, api: SocketAddr) -> Result<()> {
    let validator = demo_key("validator");
    let agencies = demo_agencies(|id| demo_key(&format!("admin-{id}")))?;
    let chain_id = format!("{DEV_CHAIN_PREFIX}-{:08x}", rand::random::<u32>());
    let genesis = new_genesis(chain_id.parse()?, agencies, ValidatorSet::single(&validator))?;
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
        publica_client::keyfile::save(
            &home.join("keys").join(format!("{name}.json")),
            &demo_key(&name),
            &name,
            &pass,
            demo_kdf(),
        )?;
    }
    Ok(())
}

/// The demo's senders: a signer per demo key, each from its account's committed next nonce, submitting to the
/// node directly.
pub(crate) struct DemoSigners<'a> {
    node: &'a NodeHandle,
    chain_id: ChainId,
    signers: HashMap<String, Signer>,
}

impl<'a> DemoSigners<'a> {
    fn new(node: &'a NodeHandle) -> Self {
        Self { node, chain_id: node.chain_id().clone(), signers: HashMap::new() }
    }

    /// Sign `call` with the demo key `sender` and submit it.
    pub(crate) fn send(&mut self, sender: &str, call: impl Into<Call>) -> Result<TxId> {
        let (node, chain_id) = (self.node, &self.chain_id);
        let signer = self.signers.entry(sender.to_owned()).or_insert_with(|| {
            let key = demo_key(sender);
            let view = node.live_state();
            let nonce = publica_accounts::next_nonce(&view, &key.public_key().address());
            Signer::new(key, chain_id.clone(), nonce).expiring(Expiry::AfterMs(600_000))
        });
        submit_waiting(node, &signer.sign(call))
    }
}

/// Submit the demo's officials and citizens that are not there yet (a first run that was interrupted is completed
/// on the next). Returns how many transactions it committed.
pub(crate) fn seed(node: &NodeHandle, home: &Path) -> Result<usize> {
    let view = node.live_state();
    let exists = |name: &str| publica_accounts::account(&view, &demo_key(name).public_key().address()).is_some();
    // A home made by an older demo has a genesis without some agencies or roles: their officials are left out.
    let grantable = |agency: &str, roles: &[&str]| {
        agency
            .parse::<AgencyId>()
            .ok()
            .and_then(|id| publica_accounts::agency(&view, &id))
            .is_some_and(|a| roles.iter().all(|r| a.grants(r)))
    };
    // Each sender's transactions carry consecutive nonces from its committed next nonce.
    let mut signers = DemoSigners::new(node);
    let mut ids = Vec::new();
    for (name, agency, roles) in
        OFFICIALS.iter().filter(|(name, agency, roles)| !exists(name) && grantable(agency, roles))
    {
        let call = AccountsCall::RegisterOfficial {
            public_key: demo_key(name).public_key().clone(),
            agency: agency.parse::<AgencyId>()?,
            roles: roles.iter().map(|r| r.parse::<Role>()).collect::<Result<_, _>>()?,
        };
        ids.push(signers.send(&format!("admin-{agency}"), call)?);
    }
    wait_committed(node, &ids, Duration::from_secs(60))?;
    let mut citizen_ids = Vec::new();
    for (name, national_id) in CITIZENS.iter().filter(|(name, _)| !exists(name)) {
        let salt = publica_crypto::sha256(format!("publica-dev-demo-salt/{name}").as_bytes());
        let call = AccountsCall::RegisterCitizen {
            public_key: demo_key(name).public_key().clone(),
            id_commitment: publica_client::id_commitment(&salt, national_id),
        };
        citizen_ids.push(signers.send("civil-clerk", call)?);
    }
    wait_committed(node, &citizen_ids, Duration::from_secs(60))?;
    let registry = registry::seed(node, &mut signers)?;
    let identity = identity::seed(node, &mut signers)?;
    let elections = elections::seed(node, home, &mut signers)?;
    let finance = finance::seed(node, &mut signers)?;
    let procurement = procurement::seed(node, home, &mut signers)?;
    let contracts = contracts::seed(node, &mut signers)?;
    Ok(ids.len() + citizen_ids.len() + registry + identity + elections + finance + procurement + contracts)
}

fn print_guide(
    home: &Path,
    chain_id: &ChainId,
    api: SocketAddr,
    seeded: usize,
    elections: &[Option<publica_elections::schema::ElectionRecord>],
    vault: Option<&str>,
) {
    let keys = home.join("keys");
    println!("Publica dev network is running (chain {chain_id}, one validator).");
    if seeded > 0 {
        let (parcels, _) = registry::summary();
        println!(
            "Seeded {seeded} demo transactions: {} officials, {} citizens, {parcels} land parcels of the town of \
             Nordvik with transfers and mortgages, permits, companies with their owners, {} accredited credential \
             types with their schemas and issuers' status lists, {} elections with their trustees' keys and their \
             voters' credential letters, and the town's money: a currency, this year's budget with its payments, \
             wallets and a child benefit, a road repair tender with a bid key and three sealed bids, and personal \
             data: citizens' health records in the health authority's vault, shared with a doctor by consent and with \
             a study by its declared fields only, and the finance office's WebAssembly contracts (customs clearance, \
             a grant rule and a fee schedule) with their first calls.",
            OFFICIALS.len(),
            CITIZENS.len(),
            identity::TYPES.len(),
            elections::ELECTIONS.len()
        );
    }
    println!();
    println!("  portal     http://{api}/   (open it in a browser)");
    println!("  API        http://{api}/v1/   (OpenAPI: http://{api}/openapi.json, metrics: http://{api}/metrics)");
    if let Some(vault) = vault {
        println!(
            "  vault      {vault}/vault/v1/status   (the health authority's vault of personal data; its URL is also in \
             {})",
            data::vault_url_file(home).display()
        );
    }
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
    println!("  publica did resolve {ada} --api http://{api}");
    println!(
        "  publica credential issue --key {}/university-registrar.json --passphrase-file {}/dev-passphrase \\",
        keys.display(),
        home.display()
    );
    println!(
        "      --holder {ada} --type {} --claim given_name=Ada --claim family_name=Lovelace --claim degree=MSc \\",
        identity::TYPES[0].0
    );
    println!(
        "      --claim field=Mathematics --claim awarded=2026-06-12 --status-list 0 --status-index 7 --out diploma.sdjwt \\"
    );
    println!("      --api http://{api}   (then: publica wallet store / present, publica credential bundle / verify)");
    elections::print_guide(home, &keys, api, elections);
    finance::print_guide(home, &keys, api);
    procurement::print_guide(home, &keys, api);
    if let Some(vault) = vault {
        data::print_guide(home, &keys, api, vault);
    }
    println!("Ready. Press Ctrl-C to stop.");
}
