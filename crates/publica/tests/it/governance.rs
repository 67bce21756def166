//! End to end: an agency joins a running four-validator network by a vote of the validators, the new validator's
//! vote becomes necessary for progress, an old validator is voted out, and a client holding only the genesis
//! document verifies proofs made after both changes with the network's validator history.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::testnet::{get, one_network_at_a_time, wait_until, Net, Node};
use crate::{free_port, text, BIN};

/// Run the CLI; panic with its output unless it succeeds.
fn cli(args: &[&str]) -> String {
    let out = crate::testnet::run(args);
    assert!(out.status.success(), "publica {} failed:\n{}", args.join(" "), text(&out));
    text(&out)
}

/// The signers of block `height`'s certificate, as seen by the node at `api`.
fn signers(api: &str, height: u64) -> Vec<String> {
    let block = get(api, &format!("/v1/blocks/{height}")).expect("block");
    block["certificate"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["validator"].as_str().unwrap().to_owned())
        .collect()
}

/// Wait for `count` more blocks on `node`; the log of every node on failure.
fn wait_for_progress(nodes: &[&Node], count: u64, what: &str) -> u64 {
    let start = nodes[0].height();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let height = nodes[0].height();
        if height >= start + count {
            return height;
        }
        if Instant::now() > deadline {
            let logs: Vec<String> = nodes.iter().map(|n| format!("{}:\n{}", n.home.display(), n.log_tail())).collect();
            panic!("no progress past height {height} while {what}; logs:\n{}", logs.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn proposal_status(api: &str, id: u64) -> Value {
    get(api, &format!("/v1/governance/proposals/{id}")).unwrap_or_else(|| panic!("proposal {id} not found"))
}

#[test]
fn an_agency_joins_and_another_leaves_by_vote_and_light_clients_follow_both_changes() {
    let _network = one_network_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let mut net = Net::init(4, 0);
    let manifest: Value = serde_json::from_slice(&std::fs::read(net.dir.join("testnet.json")).unwrap()).unwrap();
    let passphrase = net.dir.join(manifest["passphrase_file"].as_str().unwrap());
    let pass = passphrase.to_str().unwrap();
    let admin_key = net.dir.join(manifest["agencies"][0]["admin_key"].as_str().unwrap());
    let admin = admin_key.to_str().unwrap();
    let agency = manifest["agencies"][0]["id"].as_str().unwrap();
    let mut addresses: Vec<String> =
        manifest["nodes"].as_array().unwrap().iter().map(|n| n["address"].as_str().unwrap().to_owned()).collect();
    let peers: Vec<String> = net.nodes.iter().map(|n| n.p2p.to_string()).collect();
    net.start_all();
    let nodes = &mut net.nodes;
    let api0 = nodes[0].api.clone();
    let genesis = nodes[0].home.join("genesis.json");

    // A fifth node joins as a follower: same genesis, the validators as peers, a key of its own.
    let home4 = tmp.path().join("node4");
    let api_addr = format!("127.0.0.1:{}", free_port());
    let p2p_addr = format!("127.0.0.1:{}", free_port());
    let mut init = vec!["init", "--home", home4.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()];
    init.extend(["--api", &api_addr, "--p2p", &p2p_addr, "--moniker", "node4", "--passphrase-file", pass]);
    for peer in &peers {
        init.extend(["--peer", peer]);
    }
    let out = cli(&init);
    let address4 = out
        .lines()
        .find_map(|l| l.strip_prefix("node key "))
        .and_then(|l| l.split_whitespace().next())
        .expect("init prints the node key")
        .to_owned();
    nodes.push(Node::new("node4", home4.clone(), format!("http://{api_addr}"), p2p_addr.parse().unwrap(), true));
    addresses.push(address4.clone());
    nodes[4].start();
    wait_until(Duration::from_secs(60), "the new node to follow the chain", || {
        nodes[4].height() >= nodes[0].height().saturating_sub(1) && nodes[4].height() >= 2
    });

    // Its agency proposes it; three of the four validators approve (two are not enough).
    let candidacy = tmp.path().join("candidacy.json");
    let validator_key4 = home4.join("keys").join("validator.json");
    cli(&[
        "governance",
        "candidacy",
        "--validator-key",
        validator_key4.to_str().unwrap(),
        "--agency",
        agency,
        "--api",
        &api0,
        "--out",
        candidacy.to_str().unwrap(),
        "--passphrase-file",
        pass,
    ]);
    let send = ["--api", api0.as_str(), "--key", admin, "--passphrase-file", pass];
    let mut propose = vec!["governance", "propose", "--candidacy", candidacy.to_str().unwrap()];
    propose.extend(send);
    cli(&propose);
    let approve = |proposal: &str, voter: &Node| {
        let key = voter.home.join("keys").join("validator.json");
        let mut args = vec!["governance", "approve", "--proposal", proposal, "--validator-key", key.to_str().unwrap()];
        args.extend(send);
        cli(&args);
    };
    approve("0", &nodes[0]);
    approve("0", &nodes[1]);
    assert_eq!(proposal_status(&api0, 0)["status"], "open");
    approve("0", &nodes[2]);
    let applied = proposal_status(&api0, 0);
    assert_eq!(applied["status"], "applied", "{applied}");
    let changed_at = applied["height"].as_u64().unwrap();
    let validators = get(&api0, "/v1/validators").unwrap();
    assert_eq!(validators["validators"]["validators"].as_array().unwrap().len(), 5);

    // With five validators of power 1 the quorum is four: stop an original validator, and blocks need node4's vote.
    nodes[0].kill_9();
    let running: Vec<&Node> = nodes[1..].iter().collect();
    let height = wait_for_progress(&running, 3, "node0 is stopped and node4 must vote");
    assert!(signers(&nodes[1].api, height).contains(&address4), "node4 signs the certificates");
    assert!(changed_at < height);

    // node0 is voted out by the four others (more than two thirds of five).
    let api1 = nodes[1].api.clone();
    let send1 = ["--api", api1.as_str(), "--key", admin, "--passphrase-file", pass];
    let mut remove = vec!["governance", "propose", "--remove", addresses[0].as_str()];
    remove.extend(send1);
    cli(&remove);
    for voter in &nodes[1..] {
        let key = voter.home.join("keys").join("validator.json");
        let mut args = vec!["governance", "approve", "--proposal", "1", "--validator-key", key.to_str().unwrap()];
        args.extend(send1);
        cli(&args);
    }
    assert_eq!(proposal_status(&api1, 1)["status"], "applied");
    // Four validators remain, quorum three: stopping one more leaves three that still commit.
    nodes[1].kill_9();
    let running: Vec<&Node> = nodes[2..].iter().collect();
    let height = wait_for_progress(&running, 3, "node0 was removed and node1 is stopped");
    let api2 = nodes[2].api.clone();

    // A light client with only the genesis document: a proof from after both changes verifies with the history,
    // and fails without it (the header names a set the genesis set does not reach).
    let proof = tmp.path().join("proof.json");
    let read = get(&api2, "/v1/state/7379732f76616c696461746f7273").expect("a state proof");
    assert!(read["header"]["height"].as_u64().unwrap() >= height);
    std::fs::write(&proof, read.to_string()).unwrap();
    let history = tmp.path().join("history.json");
    std::fs::write(&history, get(&api2, "/v1/validators/history").unwrap().to_string()).unwrap();
    let out = cli(&[
        "verify",
        proof.to_str().unwrap(),
        "--genesis",
        genesis.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
    ]);
    assert!(out.contains("VALID proof") && out.contains("2 change(s)"), "{out}");
    let bare = Command::new(BIN)
        .args(["verify", proof.to_str().unwrap(), "--genesis", genesis.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!bare.status.success());
    assert!(text(&bare).contains("validator set"), "{}", text(&bare));
    // The history itself is checked link by link: a tampered set is refused.
    let mut tampered: Value = serde_json::from_slice(&std::fs::read(&history).unwrap()).unwrap();
    tampered["changes"][1]["validators"]["validators"][0]["voting_power"] = 7.into();
    std::fs::write(&history, tampered.to_string()).unwrap();
    let forged = Command::new(BIN)
        .args(["verify", proof.to_str().unwrap(), "--genesis", genesis.to_str().unwrap(), "--history"])
        .arg(&history)
        .output()
        .unwrap();
    assert!(!forged.status.success());
    assert!(text(&forged).contains("INVALID validator history"), "{}", text(&forged));
}
