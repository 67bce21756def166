//! Integration tests of publica-consensus: real engines, real libp2p networking on loopback, real WALs.

mod support;

use std::time::{Duration, Instant};

use publica_types::{ChainId, CommitCertificate, DecidedExtensions, ValidatorSet};
use support::{chain_id, expected_extension, network, validator_set, wait_until, Ledger};

fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_test_writer()
        .try_init();
}

/// Check that every committed height of `ledger` holds extensions from more than two thirds of `validators`, each
/// signed for its precommit and equal to what the test application attaches; return the extension counts.
fn assert_quorum_of_extensions(node: &str, ledger: &Ledger, validators: &ValidatorSet) -> Vec<usize> {
    let ledger = ledger.lock();
    assert!(!ledger.is_empty(), "{node} committed nothing");
    ledger
        .iter()
        .map(|(block, cert, extensions)| {
            let height = block.header.height;
            extensions
                .verify(&chain_id(), cert, validators)
                .unwrap_or_else(|e| panic!("{node}, height {height}: extensions do not verify: {e}"));
            let power: u64 = extensions
                .extensions
                .iter()
                .map(|e| validators.get(&e.validator).expect("a member").voting_power)
                .sum();
            assert!(3 * power > 2 * validators.total_power(), "{node}, height {height}: no quorum of extensions");
            for e in &extensions.extensions {
                assert_eq!(e.round, cert.round);
                assert_eq!(
                    e.extension,
                    expected_extension(height, &block.hash(), &e.validator),
                    "{node}, height {height}: unexpected extension bytes"
                );
            }
            // Every signer of the certificate attached its extension (they are required on every precommit).
            let signers: Vec<_> = cert.signatures.iter().map(|s| s.validator).collect();
            let extenders: Vec<_> = extensions.extensions.iter().map(|e| e.validator).collect();
            assert_eq!(signers, extenders, "{node}, height {height}: signers and extensions differ");
            extensions.len()
        })
        .collect()
}

fn tampered_extensions(ext: &DecidedExtensions) -> Vec<(&'static str, DecidedExtensions)> {
    let mut out = Vec::new();

    let mut e = ext.clone();
    e.extensions[0].extension[0] ^= 1;
    out.push(("changed extension bytes", e));

    let mut e = ext.clone();
    let mut bytes = e.extensions[0].signature.to_bytes();
    bytes[3400 - 40] ^= 0x01;
    e.extensions[0].signature = publica_crypto::Signature::from_bytes(&bytes).expect("same length");
    out.push(("flipped Ed25519 signature bit", e));

    let mut e = ext.clone();
    e.extensions[0].round += 1;
    out.push(("other round", e));

    let mut e = ext.clone();
    e.extensions.truncate(e.extensions.len() / 2);
    out.push(("too few extensions", e));

    out
}

fn tampered(cert: &CommitCertificate) -> Vec<(&'static str, CommitCertificate)> {
    let mut out = Vec::new();

    let mut c = cert.clone();
    c.block_hash[0] ^= 1;
    out.push(("other block hash", c));

    let mut c = cert.clone();
    c.height += 1;
    out.push(("other height", c));

    let mut c = cert.clone();
    c.round += 1;
    out.push(("other round", c));

    let mut c = cert.clone();
    let mut bytes = c.signatures[0].signature.to_bytes();
    bytes[10] ^= 0x40;
    c.signatures[0].signature = publica_crypto::Signature::from_bytes(&bytes).expect("same length");
    out.push(("flipped signature bit", c));

    let mut c = cert.clone();
    c.signatures.clear();
    out.push(("no signatures", c));

    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_validator_commits_verifiable_blocks() {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let validators = validator_set(1);
    let mut nodes = network(1, dir.path());
    let started = Instant::now();
    nodes[0].start(&validators).await;

    let target = 25;
    let status = nodes[0].handle.as_ref().expect("running").subscribe();
    wait_until(Duration::from_secs(30), "25 blocks", || {
        nodes[0].height() >= target && status.borrow().last_committed_height >= target
    })
    .await;
    let elapsed = started.elapsed();
    let committed = nodes[0].height();
    let status = nodes[0].handle.as_ref().expect("running").status();
    nodes[0].stop().await;

    println!(
        "one validator: {committed} empty blocks in {:.2} s = {:.1} blocks/s (including engine start-up)",
        elapsed.as_secs_f64(),
        committed as f64 / elapsed.as_secs_f64()
    );
    assert!(status.running);
    assert!(status.last_committed_height >= target);

    let counts = assert_quorum_of_extensions("the validator", &nodes[0].ledger, &validators);
    assert!(counts.iter().all(|&c| c == 1), "a single validator's certificate has its one extension");
    let ledger = nodes[0].ledger.lock().clone();
    for (i, (block, cert, _)) in ledger.iter().enumerate() {
        let height = i as u64 + 1;
        assert_eq!(block.header.height, height);
        assert_eq!(cert.height, height);
        assert_eq!(cert.block_hash, block.hash());
        cert.verify(&chain_id(), &validators).expect("certificate verifies");
        if i > 0 {
            assert_eq!(block.header.parent_hash, ledger[i - 1].0.hash());
        }
    }

    let (_, cert, extensions) = &ledger[0];
    for (what, bad) in tampered_extensions(extensions) {
        assert!(bad.verify(&chain_id(), cert, &validators).is_err(), "extensions with {what} verified");
    }
    let mut later = ledger[1].1.clone();
    later.round = cert.round;
    assert!(extensions.verify(&chain_id(), &later, &validators).is_err(), "extensions verified for another block");
    for (what, bad) in tampered(cert) {
        assert!(bad.verify(&chain_id(), &validators).is_err(), "a certificate with {what} verified");
    }
    let other_chain = ChainId::new("another-chain").expect("valid");
    assert!(cert.verify(&other_chain, &validators).is_err(), "a certificate verified on another chain");
    assert!(cert.verify(&chain_id(), &validator_set(4)).is_err(), "a certificate verified for another set");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_commit_the_same_blocks() {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let validators = validator_set(4);
    let mut nodes = network(4, dir.path());
    let started = Instant::now();
    for node in &mut nodes {
        node.start(&validators).await;
    }

    let target = 12;
    wait_until(Duration::from_secs(40), "12 blocks on every validator", || nodes.iter().all(|n| n.height() >= target))
        .await;
    let elapsed = started.elapsed();
    for node in &mut nodes {
        node.stop().await;
    }
    println!(
        "four validators: {target} blocks with extensions on every validator in {:.2} s = {:.1} blocks/s (including \
         engine start-up)",
        elapsed.as_secs_f64(),
        target as f64 / elapsed.as_secs_f64()
    );

    for height in 1..=target {
        let hash = nodes[0].block_hash(height).expect("committed");
        for node in &nodes[1..] {
            assert_eq!(node.block_hash(height), Some(hash), "validators disagree at height {height}");
        }
        let (block, cert, _) = nodes[0].ledger.lock()[height as usize - 1].clone();
        cert.verify(&chain_id(), &validators).expect("certificate verifies");
        assert!(cert.signatures.len() >= 3, "a certificate needs more than two thirds of four validators");
        assert!(validators.get(&block.header.proposer).is_some(), "proposer of height {height} is not a validator");
    }
    for node in &nodes {
        let counts = assert_quorum_of_extensions(&format!("validator {}", node.index), &node.ledger, &validators);
        assert!(counts.iter().all(|&c| c >= 3));
    }
    let ledger = nodes[1].ledger.lock().clone();
    for (what, bad) in tampered_extensions(&ledger[0].2) {
        assert!(bad.verify(&chain_id(), &ledger[0].1, &validators).is_err(), "extensions with {what} verified");
    }
    // Proposers rotate: with equal power, round 0 of height h belongs to validator h mod 4.
    let proposers: std::collections::BTreeSet<_> =
        nodes[0].ledger.lock().iter().map(|(b, _, _)| b.header.proposer).collect();
    assert!(proposers.len() >= 3, "only {} distinct proposers in {target} blocks", proposers.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_validator_catches_up_through_wal_and_value_sync() {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let validators = validator_set(4);
    let mut nodes = network(4, dir.path());
    for node in &mut nodes {
        node.start(&validators).await;
    }

    wait_until(Duration::from_secs(30), "5 blocks on every validator", || nodes.iter().all(|n| n.height() >= 5)).await;

    // Stop one validator; the other three hold more than two thirds of the power and keep deciding.
    nodes[3].stop().await;
    let stopped_at = nodes[3].height();
    wait_until(Duration::from_secs(30), "the others to move 6 blocks ahead", || {
        nodes[..3].iter().all(|n| n.height() >= stopped_at + 6)
    })
    .await;

    // Restart it on the same WAL and ledger: it must replay, then fetch the missed blocks from its peers.
    nodes[3].start(&validators).await;
    let goal = nodes[0].height() + 2;
    wait_until(Duration::from_secs(40), "the restarted validator to catch up", || nodes[3].height() >= goal).await;
    // The restarted validator may decide a height a moment before a peer has stored it: compare once all hold it.
    wait_until(Duration::from_secs(20), "every validator to store the goal height", || {
        nodes.iter().all(|n| n.height() >= goal)
    })
    .await;
    for node in &mut nodes {
        node.stop().await;
    }

    let lagging = &nodes[3];
    for height in 1..=goal {
        assert_eq!(lagging.block_hash(height), nodes[0].block_hash(height), "different block at height {height}");
        let (_, cert, _) = lagging.ledger.lock()[height as usize - 1].clone();
        cert.verify(&chain_id(), &validators).expect("synced certificate verifies");
    }
    // The heights missed while stopped came by value sync: their extensions travelled with them.
    let counts = assert_quorum_of_extensions("the restarted validator", &lagging.ledger, &validators);
    assert!(counts.len() as u64 >= goal && goal > stopped_at + 6);
    for node in &nodes[..3] {
        assert_quorum_of_extensions(&format!("validator {}", node.index), &node.ledger, &validators);
    }
}

/// A proposer with nothing to propose paces its empty blocks by holding the start of its next height, not by
/// blocking the engine's questions: meanwhile it serves value sync, so a node that starts empty reaches its head
/// while it waits, rather than one block per empty-block interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposer_pacing_an_empty_block_serves_value_sync_meanwhile() {
    use std::sync::atomic::Ordering;

    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    // Node 0 is the only validator; node 1 (a key in no validator set) follows it by value sync.
    let validators = validator_set(1);
    let mut nodes = network(2, dir.path());
    for node in &mut nodes {
        node.config.empty_block_interval_ms = 20_000;
        node.config.timeouts.propose_ms = 40_000;
    }
    // While its application says transactions wait, the validator builds blocks back to back.
    nodes[0].pending.store(true, Ordering::Relaxed);
    nodes[0].start(&validators).await;
    wait_until(Duration::from_secs(30), "20 blocks on the validator", || nodes[0].height() >= 20).await;
    // Then nothing waits: each next block waits for the 20-second interval.
    nodes[0].pending.store(false, Ordering::Relaxed);
    let mut head = nodes[0].height();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = nodes[0].height();
        if now == head {
            break;
        }
        assert!(Instant::now() < deadline, "the validator kept building blocks with nothing to propose");
        head = now;
    }

    // The follower starts empty and must reach the head while the validator is still waiting at it: a proposer
    // that waited inside the engine's question for its value would answer no sync request until its next block.
    nodes[1].start(&validators).await;
    wait_until(Duration::from_secs(30), "the follower to reach the validator's head", || nodes[1].height() >= head)
        .await;
    assert_eq!(nodes[0].height(), head, "the validator built a block before the follower reached its head");
    for node in &mut nodes {
        node.stop().await;
    }
    for height in 1..=head {
        assert_eq!(nodes[1].block_hash(height), nodes[0].block_hash(height), "different block at height {height}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precommits_with_refused_extensions_do_not_count() {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let validators = validator_set(4);
    let mut nodes = network(4, dir.path());
    // Validator 3 attaches extensions no peer accepts: its precommits are discarded everywhere (even by itself),
    // and the other three, more than two thirds, keep deciding.
    nodes[3].faulty_extensions = true;
    let faulty = support::keypair(3).address();
    for node in &mut nodes {
        node.start(&validators).await;
    }
    let target = 8;
    wait_until(Duration::from_secs(40), "8 blocks on every validator", || nodes.iter().all(|n| n.height() >= target))
        .await;
    for node in &mut nodes {
        node.stop().await;
    }
    for node in &nodes {
        let counts = assert_quorum_of_extensions(&format!("validator {}", node.index), &node.ledger, &validators);
        assert!(counts.iter().all(|&c| c == 3), "validator {}: extension counts {counts:?}", node.index);
        for (block, cert, extensions) in node.ledger.lock().iter() {
            let height = block.header.height;
            assert!(cert.signatures.iter().all(|s| s.validator != faulty), "height {height}: faulty precommit counted");
            assert!(extensions.get(&faulty).is_none(), "height {height}: a refused extension was kept");
        }
    }
}

/// A validator that signs a second, conflicting vote for every vote it casts: the three honest validators keep
/// deciding the same blocks, and the engine reports the equivocation to each of them as Publica evidence that
/// verifies against the validator set without the engine.
#[cfg(feature = "byzantine")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivocating_validator_is_reported_and_the_others_agree() {
    use publica_consensus::Equivocation;
    use publica_types::{EvidenceKind, Misbehavior};

    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let validators = validator_set(4);
    let mut nodes = network(4, dir.path());
    nodes[3].config.equivocate = Equivocation::Votes;
    let byzantine = support::keypair(3).address();
    for node in &mut nodes {
        node.start(&validators).await;
    }
    let target = 6;
    wait_until(Duration::from_secs(60), "honest validators to commit and report the equivocation", || {
        nodes[..3].iter().all(|n| n.height() >= target && !n.reports.lock().is_empty())
    })
    .await;
    for node in &mut nodes {
        node.stop().await;
    }

    for height in 1..=target {
        let hash = nodes[0].block_hash(height).expect("committed");
        for node in &nodes[1..3] {
            assert_eq!(node.block_hash(height), Some(hash), "honest validators disagree at height {height}");
        }
    }
    for node in &nodes[..3] {
        let reports = node.reports.lock().clone();
        for piece in &reports {
            assert_eq!(piece.validator(), byzantine, "validator {} blamed an honest validator", node.index);
            piece.verify(&chain_id(), &validators).expect("reported evidence verifies");
            let Misbehavior::DoubleVote { first, second } = piece else {
                panic!("only votes were equivocated, got {piece:?}");
            };
            assert_ne!(first.vote.block_hash, second.vote.block_hash);
            assert!(matches!(piece.kind(), EvidenceKind::Prevote | EvidenceKind::Precommit));
        }
    }
}

/// A validator that, at the start of every height, signs valid blocks for the next hundreds of rounds in which it
/// is the proposer and streams them all before the honest round-0 proposal: the honest validators keep deciding the
/// same blocks and keep committing them (their proposal stores keep what the engine may decide), also after a
/// restart.
#[cfg(feature = "byzantine")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_future_round_proposals_cannot_stop_the_chain() {
    use publica_consensus::Equivocation;

    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let validators = validator_set(4);
    let mut nodes = network(4, dir.path());
    // Honest proposers wait before proposing an empty block, so the flood always arrives first.
    for node in &mut nodes {
        node.config.empty_block_interval_ms = 400;
    }
    nodes[3].config.equivocate = Equivocation::FutureRoundProposals;
    for node in &mut nodes {
        node.start(&validators).await;
    }
    let target = 8;
    wait_until(Duration::from_secs(60), "honest validators to commit 8 blocks during the flood", || {
        nodes[..3].iter().all(|n| n.height() >= target)
    })
    .await;

    // An honest validator restarts on its proposal store and WAL, and goes on committing with the others.
    nodes[0].stop().await;
    nodes[0].start(&validators).await;
    let goal = nodes[1].height() + 3;
    wait_until(Duration::from_secs(60), "the honest validators to commit 3 more blocks after a restart", || {
        nodes[..3].iter().all(|n| n.height() >= goal)
    })
    .await;
    for node in &mut nodes {
        node.stop().await;
    }
    for height in 1..=goal {
        let hash = nodes[1].block_hash(height).expect("committed");
        for node in [&nodes[0], &nodes[2]] {
            assert_eq!(node.block_hash(height), Some(hash), "honest validators disagree at height {height}");
        }
    }
}

/// Without the `byzantine` feature a validator cannot be told to equivocate: start refuses, saying why.
#[cfg(not(feature = "byzantine"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equivocation_is_refused_without_the_byzantine_feature() {
    let dir = tempfile::tempdir().expect("temp dir");
    let validators = validator_set(1);
    let mut nodes = network(1, dir.path());
    nodes[0].config.equivocate = publica_consensus::Equivocation::Votes;
    let app = support::TestChain::new(
        chain_id(),
        validators,
        Ledger::default(),
        support::keypair(0).address(),
        false,
        support::Reports::default(),
    );
    let error = publica_consensus::start(nodes[0].config.clone(), support::keypair(0), [7; 32], app)
        .await
        .expect_err("equivocation must be refused");
    assert!(error.to_string().contains("byzantine"), "{error}");
}
