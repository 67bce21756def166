//! End to end with a Byzantine validator: in a network of four made by `publica testnet init`, node3 runs with
//! `[testing] equivocate = "votes"` (a `publica` built with the `byzantine` feature), so it signs a second,
//! conflicting vote for every vote it casts. While transactions flow, the three honest validators must never fork,
//! must keep committing, must all hold every transaction any of them acknowledged, and must record node3's
//! equivocation on chain, where anyone can prove it offline with `publica verify`.

#![cfg(feature = "byzantine")]

use std::fs::File;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::testnet::{get, one_network_at_a_time, run, wait_until, Net, Trickle};
use crate::{text, BIN};

/// The whole test, start-up included, must finish within this.
const TEST_LIMIT: Duration = Duration::from_secs(90);

/// The Byzantine validator's index in the manifest.
const BYZANTINE: usize = 3;

/// The evidence records on chain as the node at `api` lists them (empty while it does not answer).
fn evidence(api: &str) -> Vec<Value> {
    get(api, "/v1/evidence").and_then(|e| e["evidence"].as_array().cloned()).unwrap_or_default()
}

#[test]
fn an_equivocating_validator_is_recorded_on_chain_and_the_honest_ones_never_fork() {
    let _network = one_network_at_a_time();
    let started = Instant::now();
    let mut net = Net::init(4, 0);
    let manifest: Value = serde_json::from_slice(&std::fs::read(net.dir.join("testnet.json")).unwrap()).unwrap();
    let byzantine = manifest["nodes"][BYZANTINE]["address"].as_str().unwrap().to_owned();

    // node3 turns Byzantine through its configuration file.
    let home = net.nodes[BYZANTINE].home.clone();
    let mut config = File::options().append(true).open(home.join("config.toml")).unwrap();
    writeln!(config, "\n[testing]\nequivocate = \"votes\"").unwrap();
    drop(config);
    net.start_all();
    let log = std::fs::read_to_string(home.join("node.log")).unwrap_or_default();
    assert!(log.contains("equivocates on purpose"), "node3 is not Byzantine:\n{}", net.nodes[BYZANTINE].log_tail());

    // Officials are registered through the honest nodes while node3 equivocates.
    let trickle = Trickle::start(&net);
    trickle.set_usable(BYZANTINE, false);
    let honest = &net.nodes[..BYZANTINE];
    wait_until(Duration::from_secs(40), "node3's equivocation to be recorded on every honest node", || {
        honest.iter().all(|n| evidence(&n.api).iter().any(|e| e["validator"] == byzantine.as_str()))
    });
    // The honest validators keep committing, and transactions keep flowing, after recording it.
    let recorded_at = honest.iter().map(|n| n.height()).max().unwrap();
    wait_until(Duration::from_secs(30), "more blocks and transactions after the evidence", || {
        honest.iter().all(|n| n.height() >= recorded_at + 5) && trickle.total() >= 12
    });
    let acknowledged = trickle.finish();
    assert!(acknowledged.len() >= 12, "only {} transactions committed", acknowledged.len());

    // From here on only the honest nodes are checked: every acknowledged transaction is on each of them at the
    // same height, and they hold the same block at every height they have in common (no fork).
    net.nodes[BYZANTINE].kill_9();
    net.assert_acknowledged_everywhere(&acknowledged);
    let common = net.assert_same_chain();
    let honest = &net.nodes[..BYZANTINE];
    let mut evidence_blocks = 0;
    for h in 1..=common {
        let pieces = honest[0].block(h)["evidence"].as_array().unwrap().clone();
        evidence_blocks += usize::from(!pieces.is_empty());
        for piece in pieces {
            assert_eq!(piece["first"]["vote"]["validator"], byzantine.as_str(), "an honest validator was blamed");
        }
    }
    assert!(evidence_blocks >= 1, "no block up to height {common} carries evidence");

    // Only node3 is accused, every record is a conflicting pair of its votes, and its proof verifies offline.
    let records = evidence(&honest[1].api);
    assert!(!records.is_empty());
    for record in &records {
        assert_eq!(record["validator"], byzantine.as_str(), "an honest validator was recorded: {record}");
        assert_eq!(record["misbehavior"]["type"], "double_vote");
        let (first, second) = (&record["misbehavior"]["first"]["vote"], &record["misbehavior"]["second"]["vote"]);
        assert_eq!(
            (&first["height"], &first["round"], &first["kind"]),
            (&second["height"], &second["round"], &second["kind"])
        );
        assert_ne!(first["block_hash"], second["block_hash"]);
    }
    // The list carries one certified header for all its records' proofs; the saved page verifies as a whole.
    let listed = get(&honest[1].api, "/v1/evidence").expect("the evidence list");
    let record = &listed["evidence"][0];
    let proof_file = net.dir.join("evidence-proof.json");
    std::fs::write(&proof_file, listed.to_string()).unwrap();
    let genesis = honest[0].home.join("genesis.json");
    let out = run(&["verify", proof_file.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()]);
    assert!(out.status.success() && text(&out).contains("VALID: "), "{}", text(&out));
    // The same record is what `GET /v1/state/{key}` proves.
    let key = record["key"].as_str().unwrap();
    let state = get(&honest[2].api, &format!("/v1/state/{key}")).expect("a state proof of the record");
    assert_eq!(state["value"], record["proof"]["value"]);
    // A proof whose value is changed is refused.
    let mut tampered = listed.clone();
    let value = record["proof"]["value"].as_str().unwrap().to_owned();
    let flipped = if value.ends_with('0') { "1" } else { "0" };
    tampered["evidence"][0]["proof"]["value"] = Value::String(format!("{}{flipped}", &value[..value.len() - 1]));
    std::fs::write(&proof_file, tampered.to_string()).unwrap();
    let refused = Command::new(BIN)
        .args(["verify", proof_file.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()])
        .env("PUBLICA_LOG", "error")
        .output()
        .unwrap();
    assert!(!refused.status.success(), "a tampered evidence proof verified: {}", text(&refused));

    let elapsed = started.elapsed();
    println!(
        "byzantine: {} transactions, {} evidence records, {common} common heights in {:.1} s",
        acknowledged.len(),
        records.len(),
        elapsed.as_secs_f64()
    );
    assert!(elapsed < TEST_LIMIT, "the test took {elapsed:?}, more than {TEST_LIMIT:?}");
}
