//! The elections benchmark (`publica bench --workload elections`): Belenios ballots on the ledger.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) gets an electoral commission, a
//! credential authority and three trustees, who run the threshold key generation (2 of 3) through transactions;
//! `--ballots` citizens go on the roll and their public credentials are published. The election has one question
//! of six answers (min 0, max 6), the form of the goals in the elections issue. Then, in the same run:
//!
//! 1. building a ballot with every proof on one core, against `belenios-tool election generate-ballot` (a process
//!    per ballot, as a voter's machine runs it);
//! 2. verifying a ballot on one core and on every core (the physical limit of the ledger's ballot rate, since every
//!    validator checks every proof), against `belenios-tool election verify` (per ballot: the slope between
//!    archives of 1 and 11 ballots, so start-up and set-up are left out);
//! 3. the ledger's sustained rate: every ballot submitted through batch admission (their proofs checked on every
//!    core, then each dry-run in order), from the first submission to the last commit, as a fraction of the
//!    all-core verification rate.
//!
//! belenios-tool is Debian's package `belenios-tool` (2.0); without it the comparison is left out and the report
//! says so.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use publica_belenios::archive::ArchiveWriter;
use publica_belenios::ballot::{build_ballot, verify_ballot};
use publica_belenios::credential::{PrivateCredential, Uuid};
use publica_belenios::election::Election;
use publica_belenios::trustee::{self, Seed, SignedMsg, Vinput};
use publica_client::{Expiry, Signer};
use publica_crypto::Keypair;
use publica_elections::call::{
    ElectionsCall, PublishedCredential, Question, MAX_CREDENTIALS_PER_CALL, MAX_VOTERS_PER_CALL,
};
use publica_elections::schema::{self, ElectionRecord, ElectionStatus};
use publica_node::NodeHandle;
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::{Role, TxOutcome};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rayon::prelude::*;

use super::{commit, submit_all, BenchNode};
use crate::bench::report::out;
use crate::node::wait_committed;

/// Answers of the benchmark's question.
const ANSWERS: usize = 6;
/// Ballots built and verified one by one on one core for the per-ballot times.
const TIMED: usize = 12;
/// Runs of belenios-tool's ballot generation.
const TOOL_BALLOTS: usize = 5;
/// Archive sizes belenios-tool verifies; the per-ballot cost is the slope between them.
const TOOL_ARCHIVES: [usize; 2] = [1, 11];
/// Trustees of the benchmark's election, and how many must decrypt.
const TRUSTEES: usize = 3;
const THRESHOLD: usize = 2;

/// What the elections workload is asked to do.
pub struct Params {
    /// Voters, each casting one ballot in the sustained run.
    pub ballots: usize,
}

/// The officials of the benchmark's election.
struct Actors {
    commission: Keypair,
    authority: Keypair,
    trustees: Vec<Keypair>,
    registrar: Keypair,
}

/// Run the workload and print its report.
pub fn run(params: &Params) -> Result<()> {
    ensure!(
        (2 * TIMED..=50_000).contains(&params.ballots),
        "--ballots must be {} to 50,000 (the node keeps at most 50,000 pending ballots)",
        2 * TIMED
    );
    let cores = std::thread::available_parallelism()?.get();
    out!("publica bench: {cores} cores, {} rayon threads, workload elections", rayon::current_num_threads());
    let bench = BenchNode::new("bench-elections", "Benchmark Election Board", true, |_| {})?;
    let node = bench.node();
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let mut rng = StdRng::from_entropy();

    phase("registering the officials and the citizens");
    let actors = Actors {
        commission: Keypair::generate(),
        authority: Keypair::generate(),
        trustees: (0..TRUSTEES).map(|_| Keypair::generate()).collect(),
        registrar: Keypair::generate(),
    };
    let citizens: Vec<Keypair> = (0..params.ballots).into_par_iter().map(|_| Keypair::generate()).collect();
    register(&bench, &node, &actors, &citizens)?;

    phase("creating the election; the trustees make its key");
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let signer = |key| Signer::new(key, bench.genesis.chain_id.clone(), 0).expiring(expiry);
    let mut commission = signer(&actors.commission);
    let now_ms = publica_client::now_ms();
    let create = commission.sign(ElectionsCall::CreateElection {
        name: "Benchmark referendum".into(),
        description: "Six answers, any number of them.".into(),
        questions: vec![Question {
            question: "Which of these should the town fund?".into(),
            answers: (1..=ANSWERS).map(|i| format!("Project {i}")).collect(),
            min: 0,
            max: ANSWERS as u32,
            blank: false,
        }],
        opens_at_ms: now_ms,
        closes_at_ms: now_ms + 86_400_000,
        trustees: actors.trustees.iter().map(|k| k.public_key().address()).collect(),
        threshold: THRESHOLD as u32,
        credential_authority: actors.authority.public_key().address(),
    });
    commit(&node, std::slice::from_ref(&create))?;
    let id = match node.tx_status(&create.id()) {
        publica_node::TxStatus::Committed { outcome: Some(TxOutcome::Election { id }), .. } => id,
        other => bail!("the election was not created: {other:?}"),
    };
    let mut trustees: Vec<Signer<&Keypair>> = actors.trustees.iter().map(signer).collect();
    generate_key(&node, id, &mut trustees, &mut rng)?;

    phase("drawing up the roll and publishing the credentials");
    for voters in citizens.chunks(MAX_VOTERS_PER_CALL) {
        let voters = voters.iter().map(|k| k.public_key().address()).collect();
        commit(&node, &[commission.sign(ElectionsCall::AddVoters { election: id, voters })])?;
    }
    commit(&node, &[commission.sign(ElectionsCall::FreezeRoll { election: id })])?;
    let uuid = Uuid::parse(&record(&node, id)?.uuid)?;
    let credentials: Vec<PrivateCredential> =
        (0..params.ballots).map(|_| PrivateCredential::generate(&mut rng)).collect();
    let public: Vec<PublishedCredential> = credentials
        .par_iter()
        .map(|c| PublishedCredential { credential: c.public(&uuid).to_decimal(), weight: 1 })
        .collect();
    let mut authority = signer(&actors.authority);
    let batches: Vec<Transaction> = public
        .chunks(MAX_CREDENTIALS_PER_CALL)
        .map(|batch| authority.sign(ElectionsCall::PublishCredentials { election: id, credentials: batch.to_vec() }))
        .collect();
    commit(&node, &batches)?;
    commit(&node, &[authority.sign(ElectionsCall::SealCredentials { election: id })])?;
    let record = record(&node, id)?;
    ensure!(record.status == ElectionStatus::Voting, "the election is not open after set-up: {:?}", record.status);
    let election_bytes = object(&node, id, record.election_hash)?;

    phase("building ballots (one core, then every core)");
    let election = Election::parse(&election_bytes)?;
    let choice = |i: usize| -> Vec<Vec<u32>> { vec![(0..ANSWERS).map(|a| u32::from((i >> a) & 1 == 1)).collect()] };
    // The first ballot builds the election key's tables; the timed ones come after.
    build_ballot(&election, &credentials[0], &choice(0), &mut rng)?;
    let started = Instant::now();
    let mut ballots: Vec<Vec<u8>> = Vec::with_capacity(params.ballots);
    for (i, credential) in credentials.iter().enumerate().take(TIMED) {
        ballots.push(build_ballot(&election, credential, &choice(i), &mut rng)?);
    }
    let build_ms = started.elapsed().as_secs_f64() * 1e3 / TIMED as f64;
    let rest: Vec<Vec<u8>> = credentials[TIMED..]
        .par_iter()
        .enumerate()
        .map(|(k, credential)| {
            let mut rng = StdRng::from_entropy();
            build_ballot(&election, credential, &choice(TIMED + k), &mut rng).map_err(anyhow::Error::from)
        })
        .collect::<Result<_>>()?;
    ballots.extend(rest);

    phase("verifying ballots (one core, then every core)");
    // A fresh parse, so that the node's cache of verified ballots plays no part; the first verification builds
    // the key's wide table.
    let fresh = Election::parse(&election_bytes)?;
    verify_ballot(&fresh, &ballots[0])?;
    let started = Instant::now();
    for ballot in &ballots[..TIMED] {
        verify_ballot(&fresh, ballot)?;
    }
    let verify_ms = started.elapsed().as_secs_f64() * 1e3 / TIMED as f64;
    let all_core = (20 * cores).min(ballots.len());
    let started = Instant::now();
    ballots[..all_core].par_iter().try_for_each(|b| verify_ballot(&fresh, b).map(drop))?;
    let verified_per_sec = all_core as f64 / started.elapsed().as_secs_f64();

    let tool = belenios_tool(&node, id, &record, &credentials[0], &ballots)?;

    phase("the ledger takes every ballot");
    let txs: Vec<Transaction> = ballots
        .into_iter()
        .map(|ballot| {
            let call = Call::Elections(ElectionsCall::Cast { election: id, ballot });
            Transaction::anonymous(bench.genesis.chain_id.clone(), publica_client::now_ms() + 3_600_000, call)
        })
        .collect();
    let bytes: usize = txs.iter().map(|tx| tx.encode().len()).sum();
    let height_before = node.height();
    let started = Instant::now();
    let ids = submit_all(&node, &txs)?;
    let admitted_s = started.elapsed().as_secs_f64();
    wait_committed(&node, &ids, Duration::from_secs(3_600))?;
    let elapsed = started.elapsed().as_secs_f64();
    let blocks = node.height() - height_before;
    let sustained = txs.len() as f64 / elapsed;
    let record = self::record(&node, id)?;
    ensure!(record.ballots == txs.len() as u64, "{} ballots on the board, {} sent", record.ballots, txs.len());
    phase("done");
    bench.stop(node);

    out!();
    out!("Election: one question of {ANSWERS} answers (min 0, max {ANSWERS}), {TRUSTEES} trustees (threshold {THRESHOLD}), {} voters", params.ballots);
    out!("  build a ballot with every proof, one core:   {build_ms:.2} ms");
    out!("  verify a ballot, one core:                   {verify_ms:.2} ms");
    out!(
        "  verify on every core ({cores}):                {verified_per_sec:.1} ballots/s ({:.2} ms of machine time per ballot)",
        1e3 / verified_per_sec
    );
    match &tool {
        Some(tool) => {
            out!(
                "  belenios-tool generate-ballot:               {:.1} ms per process ({:.1}x ours)",
                tool.build_ms,
                tool.build_ms / build_ms
            );
            out!(
                "  belenios-tool election verify, per ballot:   {:.1} ms, one core ({:.1}x ours on one core, {:.1}x ours on every core)",
                tool.verify_ms,
                tool.verify_ms / verify_ms,
                tool.verify_ms * verified_per_sec / 1e3
            );
        }
        None => out!(
            "  belenios-tool: not installed, no comparison (Debian package belenios-tool; the test script installs it)"
        ),
    }
    out!(
        "Ledger: {} ballots ({:.1} KB each) admitted in {admitted_s:.1} s, all committed in {elapsed:.1} s over {blocks} blocks",
        txs.len(),
        bytes as f64 / txs.len() as f64 / 1e3
    );
    out!(
        "  sustained: {sustained:.1} ballots/s with every proof checked = {:.0}% of the all-core verification rate (the physical limit)",
        100.0 * sustained / verified_per_sec
    );
    Ok(())
}

/// Register the election's officials (in the benchmark's agency, which holds every role) and the citizens.
fn register(bench: &BenchNode, node: &NodeHandle, actors: &Actors, citizens: &[Keypair]) -> Result<()> {
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let mut admin = Signer::new(&bench.admin, bench.genesis.chain_id.clone(), 0).expiring(expiry);
    let official = |admin: &mut Signer<&Keypair>, key: &Keypair, roles: &[&str]| -> Result<Transaction> {
        Ok(admin.sign(AccountsCall::RegisterOfficial {
            public_key: key.public_key().clone(),
            agency: bench.agency.clone(),
            roles: roles.iter().map(|r| r.parse::<Role>()).collect::<Result<_, _>>()?,
        }))
    };
    let mut officials = vec![
        official(&mut admin, &actors.commission, &[publica_elections::COMMISSION_ROLE])?,
        official(&mut admin, &actors.authority, &[publica_elections::CREDENTIAL_AUTHORITY_ROLE])?,
        official(&mut admin, &actors.registrar, &[Role::CITIZEN_REGISTRAR])?,
    ];
    for trustee in &actors.trustees {
        officials.push(official(&mut admin, trustee, &["clerk"])?);
    }
    commit(node, &officials)?;
    let mut registrar = Signer::new(&actors.registrar, bench.genesis.chain_id.clone(), 0).expiring(expiry);
    let txs: Vec<Transaction> = citizens
        .iter()
        .enumerate()
        .map(|(i, key)| {
            registrar.sign(AccountsCall::RegisterCitizen {
                public_key: key.public_key().clone(),
                id_commitment: publica_crypto::sha256(format!("bench-citizen-{i}").as_bytes()),
            })
        })
        .collect();
    // At most 1,000 pending transactions per sender: in rounds.
    for round in txs.chunks(1_000) {
        commit(node, round)?;
    }
    Ok(())
}

/// The three steps of the trustees' key generation, each trustee's message through the ledger.
fn generate_key(node: &NodeHandle, id: u64, trustees: &mut [Signer<&Keypair>], rng: &mut StdRng) -> Result<()> {
    let seeds: Vec<Seed> = trustees.iter().map(|_| Seed::generate(rng)).collect();
    let certificates: Vec<SignedMsg> = seeds.iter().map(|s| trustee::make_cert(s, rng)).collect();
    let message = |step: u8, message: Vec<u8>| ElectionsCall::TrusteeMessage { election: id, step, message };
    let txs: Vec<Transaction> =
        trustees.iter_mut().zip(&certificates).map(|(t, c)| t.sign(message(1, c.to_json().to_bytes()))).collect();
    commit(node, &txs)?;
    let mut txs = Vec::new();
    for (t, seed) in trustees.iter_mut().zip(&seeds) {
        let polynomial = trustee::make_polynomial(seed, &certificates, THRESHOLD, rng)?;
        txs.push(t.sign(message(3, polynomial.to_json().to_bytes())));
    }
    commit(node, &txs)?;
    let mut txs = Vec::new();
    for (j, (t, seed)) in trustees.iter_mut().zip(&seeds).enumerate() {
        let input = node
            .view(|state| publica_elections::query::trustee_input(state, id, j as u32 + 1))
            .context("the trustees' input is not on the ledger after every polynomial")?;
        let limits = publica_belenios::json::Limits { max_bytes: 1 << 20, max_depth: 8 };
        let vinput = Vinput::from_json(&publica_belenios::json::parse(&input, limits)?)?;
        let (voutput, _) = trustee::process_vinput(seed, &certificates, &vinput, rng)?;
        txs.push(t.sign(message(5, voutput.to_json().to_bytes())));
    }
    commit(node, &txs)
}

/// belenios-tool's times on the same election, or `None` when it is not installed.
struct ToolTimes {
    /// One `election generate-ballot` process.
    build_ms: f64,
    /// `election verify`'s cost per ballot.
    verify_ms: f64,
}

/// Time belenios-tool on archives of this election: the set-up event (the ledger's own objects) and the first
/// ballots.
fn belenios_tool(
    node: &NodeHandle,
    id: u64,
    record: &ElectionRecord,
    credential: &PrivateCredential,
    ballots: &[Vec<u8>],
) -> Result<Option<ToolTimes>> {
    if Command::new("belenios-tool").arg("--version").output().is_err() {
        return Ok(None);
    }
    let election = object(node, id, record.election_hash)?;
    let trustees = object(node, id, record.trustees_hash)?;
    let credentials = object(node, id, record.credentials_hash)?;
    let tmp = tempfile::tempdir()?;
    let archive = |dir: &Path, count: usize| -> Result<()> {
        let mut writer = ArchiveWriter::new(record.created_at_ms / 1000)?;
        writer.setup(&election, &trustees, &credentials)?;
        for ballot in &ballots[..count] {
            writer.ballot(ballot)?;
        }
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(format!("{}.bel", record.uuid)), writer.into_bytes())?;
        Ok(())
    };
    let run = |args: &[&str]| -> Result<f64> {
        let started = Instant::now();
        let output = Command::new("belenios-tool").args(args).env("BELENIOS_USE_URANDOM", "1").output()?;
        let elapsed = started.elapsed().as_secs_f64() * 1e3;
        ensure!(
            output.status.success(),
            "belenios-tool {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(elapsed)
    };
    let setup = tmp.path().join("setup");
    archive(&setup, 0)?;
    std::fs::write(tmp.path().join("privcred"), credential.as_str())?;
    let choice = format!("[[{}]]", ["1"; ANSWERS].join(","));
    std::fs::write(tmp.path().join("choice.json"), choice)?;
    let dir = setup.to_str().context("a temporary path in UTF-8")?;
    let privcred = tmp.path().join("privcred");
    let choice = tmp.path().join("choice.json");
    let build_args = [
        "election",
        "generate-ballot",
        "--dir",
        dir,
        "--privcred",
        privcred.to_str().context("UTF-8 path")?,
        "--ballot",
        choice.to_str().context("UTF-8 path")?,
    ];
    let mut builds: Vec<f64> = (0..TOOL_BALLOTS).map(|_| run(&build_args)).collect::<Result<_>>()?;
    builds.sort_by(f64::total_cmp);
    let mut verify = Vec::new();
    for count in TOOL_ARCHIVES {
        let dir = tmp.path().join(format!("archive-{count}"));
        archive(&dir, count)?;
        let dir = dir.to_str().context("UTF-8 path")?.to_owned();
        // The fastest of three runs of each size.
        let times: Vec<f64> = (0..3).map(|_| run(&["election", "verify", "--dir", &dir])).collect::<Result<_>>()?;
        verify.push(times.into_iter().fold(f64::INFINITY, f64::min));
    }
    let slope = (verify[1] - verify[0]) / (TOOL_ARCHIVES[1] - TOOL_ARCHIVES[0]) as f64;
    Ok(Some(ToolTimes { build_ms: builds[TOOL_BALLOTS / 2], verify_ms: slope }))
}

/// The election's record on the committed state.
fn record(node: &NodeHandle, id: u64) -> Result<ElectionRecord> {
    node.view(|state| schema::election(state, id)).context("the benchmark's election is not on the ledger")
}

/// A board object named by a record's hash.
fn object(node: &NodeHandle, id: u64, hash: Option<publica_types::Hash>) -> Result<Vec<u8>> {
    let hash = hash.context("the election is not set up")?;
    node.view(|state| schema::object(state, id, &hash)).context("a board object named by the record is missing")
}
