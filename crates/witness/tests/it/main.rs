//! The witness against real checkpoints signed by validator keys: every status of `add-checkpoint`, the
//! check-and-update race, persistence across restarts, and cosignatures checked with the published vkeys; the
//! bounds on the witness's connections (`connections`).

mod connections;

use std::path::Path;
use std::sync::{Arc, Barrier};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use publica_crypto::Keypair;
use publica_merkle::log::{consistency_proof, empty_root, leaf_hash, root};
use publica_notary_log::checkpoint::{assemble, LogSigner};
use publica_tlog::{
    parse_signature_lines, AddCheckpointRequest, NoteSignature, SignatureType, SignedCheckpoint, VerifierKey,
};
use publica_types::{ChainId, Hash, Validator, ValidatorSet};
use publica_witness::{origin_hash, FollowedLog, Witness, WitnessError, MAX_BODY_BYTES};
use tower::ServiceExt as _;

const NAME: &str = "court.example/witness";
/// The cosignature time the tests' clock gives.
const NOW: u64 = 1_790_000_000;

/// A network's validators, and a log of numbered entries (or of entries from a forked history).
struct Net {
    chain_id: ChainId,
    keys: Vec<Keypair>,
    validators: ValidatorSet,
}

impl Net {
    fn new(chain: &str, count: u8) -> Net {
        let keys: Vec<Keypair> = (0..count).map(|i| Keypair::from_seed(&[i + 1; 32])).collect();
        let validators = ValidatorSet::new(keys.iter().map(|k| Validator::from_keypair(k, 1)).collect()).unwrap();
        Net { chain_id: chain.parse().unwrap(), keys, validators }
    }

    fn followed(&self) -> FollowedLog {
        FollowedLog { chain_id: self.chain_id.clone(), validators: self.validators.clone() }
    }

    fn origin(&self) -> String {
        self.followed().origin()
    }

    /// The checkpoint of (size, root) signed by the validators `signers` (indices into `keys`).
    fn sign_with(&self, size: u64, root: Hash, signers: &[usize]) -> Option<SignedCheckpoint> {
        let votes: Vec<_> = signers
            .iter()
            .map(|&i| {
                let signer = LogSigner::new(&self.chain_id, &self.keys[i]).unwrap();
                (self.keys[i].public_key().address(), signer.sign(size, root, NOW - 10).unwrap())
            })
            .collect();
        assemble(&self.chain_id, &self.validators, size, root, NOW - 10, &votes)
    }

    /// The checkpoint of (size, root) signed by every validator.
    fn sign(&self, size: u64, root: Hash) -> SignedCheckpoint {
        self.sign_with(size, root, &(0..self.keys.len()).collect::<Vec<_>>()).expect("all validators are a quorum")
    }
}

/// Leaf hashes of a log; `fork` changes every entry's text, giving another history.
fn leaves(count: u64, fork: &str) -> Vec<Hash> {
    (0..count).map(|i| leaf_hash(format!("{fork}entry {i}").as_bytes())).collect()
}

fn tree_root(leaves: &[Hash], size: u64) -> Hash {
    if size == 0 {
        empty_root()
    } else {
        root(&leaves[..size as usize])
    }
}

/// An add-checkpoint body growing the log `leaves` from `old` to `new` entries, signed by all validators.
fn body(net: &Net, leaves: &[Hash], old: u64, new: u64) -> Vec<u8> {
    let proof = if old == 0 { vec![] } else { consistency_proof(&leaves[..new as usize], old).unwrap() };
    AddCheckpointRequest { old_size: old, consistency_proof: proof, checkpoint: net.sign(new, tree_root(leaves, new)) }
        .to_bytes()
}

fn open(dir: &Path, nets: &[&Net]) -> Witness {
    Witness::open(dir, NAME, &witness_key(), nets.iter().map(|n| n.followed()).collect())
        .unwrap()
        .with_clock(Arc::new(|| NOW))
}

fn witness_key() -> Keypair {
    Keypair::from_seed(&[0xaa; 32])
}

async fn post(witness: &Arc<Witness>, body: Vec<u8>) -> (StatusCode, Option<String>, String) {
    let request = Request::post("/add-checkpoint").body(Body::from(body)).unwrap();
    let response = publica_witness::router(Arc::clone(witness)).oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, content_type, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn get(witness: &Arc<Witness>, path: &str) -> (StatusCode, String) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = publica_witness::router(Arc::clone(witness)).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The vkeys the witness publishes, parsed as a log or a citizen would.
async fn published_vkeys(witness: &Arc<Witness>) -> Vec<VerifierKey> {
    let (status, text) = get(witness, "/vkeys").await;
    assert_eq!(status, StatusCode::OK);
    text.lines().map(|line| VerifierKey::parse(line).unwrap()).collect()
}

/// Check that `lines` are exactly one ML-DSA-44 and one Ed25519 cosignature by the witness on `checkpoint`, at
/// time `at`.
fn assert_cosigned(lines: &[NoteSignature], vkeys: &[VerifierKey], checkpoint: &SignedCheckpoint, at: u64) {
    assert_eq!(lines.len(), 2, "{lines:?}");
    let mut types = Vec::new();
    for line in lines {
        assert_eq!(line.name, NAME);
        let key = vkeys.iter().find(|k| k.key_id == line.key_id).expect("cosigned with a published key");
        let timestamp = key.verify(checkpoint.note.text(), line).expect("the cosignature verifies");
        assert_eq!(timestamp, Some(at));
        types.push(key.sig_type);
    }
    assert_eq!(types, [SignatureType::CosignatureMlDsa44, SignatureType::CosignatureEd25519]);
}

#[tokio::test]
async fn cosigns_consistent_checkpoints_with_keys_that_verify() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("court-net", 4);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let vkeys = published_vkeys(&witness).await;
    assert_eq!(vkeys.len(), 2);
    assert_eq!(vkeys, witness.vkeys().to_vec());
    let log = leaves(40, "");

    // First contact: from 0, no proof needed.
    let (status, content_type, text) = post(&witness, body(&net, &log, 0, 5)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(content_type.as_deref(), Some("text/plain; charset=utf-8"));
    assert_cosigned(&parse_signature_lines(&text).unwrap(), &vkeys, &net.sign(5, tree_root(&log, 5)), NOW);

    // Growth with proofs, including across a power of two and to a size the witness already holds.
    for (old, new) in [(5, 8), (8, 8), (8, 17), (17, 40)] {
        let (status, _, text) = post(&witness, body(&net, &log, old, new)).await;
        assert_eq!(status, StatusCode::OK, "{old} -> {new}: {text}");
        assert_cosigned(&parse_signature_lines(&text).unwrap(), &vkeys, &net.sign(new, tree_root(&log, new)), NOW);
    }
    assert_eq!(witness.latest(&net.origin()).unwrap().checkpoint.size, 40);

    // A checkpoint signed by a bare quorum (3 of 4) is enough.
    let log2 = leaves(41, "");
    let cp = net.sign_with(41, tree_root(&log2, 41), &[0, 2, 3]).unwrap();
    let request =
        AddCheckpointRequest { old_size: 40, consistency_proof: consistency_proof(&log2, 40).unwrap(), checkpoint: cp };
    let (status, _, text) = post(&witness, request.to_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[tokio::test]
async fn a_clock_at_zero_never_gives_timestamp_zero() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("clockless", 1);
    let witness = Arc::new(
        Witness::open(dir.path(), NAME, &witness_key(), vec![net.followed()]).unwrap().with_clock(Arc::new(|| 0)),
    );
    let log = leaves(3, "");
    let (status, _, text) = post(&witness, body(&net, &log, 0, 3)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_cosigned(&parse_signature_lines(&text).unwrap(), &witness.vkeys(), &net.sign(3, tree_root(&log, 3)), 1);
}

#[tokio::test]
async fn refuses_unknown_logs_with_404() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("followed", 1);
    let other = Net::new("not-followed", 1);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let log = leaves(2, "");
    let (status, _, text) = post(&witness, body(&other, &log, 0, 2)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
    assert!(text.contains("publica/not-followed/notary"), "{text}");
    assert!(witness.latest(&other.origin()).is_none());
}

#[tokio::test]
async fn refuses_checkpoints_without_a_valid_quorum_with_403() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("quorum", 4);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let log = leaves(6, "");
    let full = net.sign(6, tree_root(&log, 6));
    let lines = full.note.signatures().to_vec();
    assert_eq!(lines.len(), 8, "two lines per validator");
    let with = |keep: &dyn Fn(usize, &NoteSignature) -> Option<NoteSignature>| {
        let mut cp = SignedCheckpoint::new(full.checkpoint.clone()).unwrap();
        for (i, line) in lines.iter().enumerate() {
            if let Some(line) = keep(i, line) {
                cp.add_signature(line);
            }
        }
        AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: cp }.to_bytes()
    };
    let forbidden = |(status, _, text): (StatusCode, Option<String>, String), case: &str| {
        assert_eq!(status, StatusCode::FORBIDDEN, "{case}: {text}");
    };

    // Two validators of four: not more than two thirds.
    forbidden(post(&witness, with(&|i, l| (i < 4).then(|| l.clone()))).await, "half the validators");
    // Every validator, but with only one of its two keys: both are required.
    let ed25519_only = with(&|_, l| (l.signature.len() == 64).then(|| l.clone()));
    forbidden(post(&witness, ed25519_only).await, "Ed25519 signatures only");
    // No signature from the log at all, only a stranger's line.
    let stranger = NoteSignature { name: "someone.else".into(), key_id: 7, signature: vec![1; 64] };
    let (status, _, _) = post(&witness, with(&|_, _| None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a note without signature lines is malformed");
    let only_stranger = {
        let mut cp = SignedCheckpoint::new(full.checkpoint.clone()).unwrap();
        cp.add_signature(stranger.clone());
        AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: cp }.to_bytes()
    };
    forbidden(post(&witness, only_stranger).await, "a stranger's signature only");
    // A quorum is there, but one known key's signature is bad: the note is malformed.
    let tampered = with(&|i, l| {
        let mut l = l.clone();
        if i == 7 {
            let last = l.signature.len() - 1;
            l.signature[last] ^= 1;
        }
        Some(l)
    });
    forbidden(post(&witness, tampered).await, "one tampered signature");
    // Signatures over another tree head.
    let moved = SignedCheckpoint::parse(
        &String::from_utf8(full.to_bytes()).unwrap().replacen("\n6\n", "\n7\n", 1).into_bytes(),
    )
    .unwrap();
    let request = AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: moved };
    forbidden(post(&witness, request.to_bytes()).await, "signatures over size 6 on a size-7 checkpoint");
    assert!(witness.latest(&net.origin()).is_none(), "nothing was recorded");

    // An unknown line beside a valid quorum is ignored, as signed-note requires, and not kept.
    let mut plus = full.clone();
    plus.add_signature(stranger);
    let request = AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: plus };
    let (status, _, text) = post(&witness, request.to_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let kept = witness.latest(&net.origin()).unwrap();
    assert!(kept.note.signatures().iter().all(|s| s.name != "someone.else"));
    assert_eq!(kept.note.signatures().len(), 8 + 2);
}

#[tokio::test]
async fn refuses_malformed_bodies_and_old_sizes_above_the_checkpoint_with_400() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("bad-requests", 1);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let log = leaves(4, "");
    let good = String::from_utf8(body(&net, &log, 0, 4)).unwrap();
    let cp = net.sign(4, tree_root(&log, 4));
    let above = format!("old 5\n\n{}", String::from_utf8(cp.to_bytes()).unwrap());
    for (case, text) in [
        ("old above size", above),
        ("no old line", good.replacen("old 0\n", "", 1)),
        ("leading zero", good.replacen("old 0\n", "old 00\n", 1)),
        ("not a hash", good.replacen("old 0\n", "old 0\nnot-base64\n", 1)),
        ("no checkpoint", "old 0\n\n".to_owned()),
        ("empty", String::new()),
    ] {
        let (status, _, text) = post(&witness, text.into_bytes()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {text}");
    }
    let (status, _, _) = post(&witness, good.into_bytes()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn answers_a_stale_old_size_with_409_and_the_witness_size() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("conflicts", 2);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let log = leaves(12, "");

    // The witness has seen nothing: any old size but 0 conflicts, and it says 0.
    let (status, content_type, text) = post(&witness, body(&net, &log, 3, 7)).await;
    assert_eq!(
        (status, content_type.as_deref(), text.as_str()),
        (StatusCode::CONFLICT, Some("text/x.tlog.size"), "0\n")
    );

    assert_eq!(post(&witness, body(&net, &log, 0, 7)).await.0, StatusCode::OK);
    for old in [0, 3, 8] {
        let (status, content_type, text) = post(&witness, body(&net, &log, old, 12)).await;
        assert_eq!(status, StatusCode::CONFLICT, "old {old}");
        assert_eq!(content_type.as_deref(), Some("text/x.tlog.size"));
        assert_eq!(text, "7\n");
    }
    // A rollback attempt: a smaller tree, whatever old size is claimed.
    assert_eq!(post(&witness, body(&net, &log, 5, 5)).await.0, StatusCode::CONFLICT);
    let (status, _, _) = post(&witness, body(&net, &log, 7, 12)).await;
    assert_eq!(status, StatusCode::OK);
    let smaller =
        AddCheckpointRequest { old_size: 12, consistency_proof: vec![], checkpoint: net.sign(9, tree_root(&log, 9)) };
    let (status, _, text) = post(&witness, smaller.to_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "old 12 > size 9: {text}");
    assert_eq!(witness.latest(&net.origin()).unwrap().checkpoint.size, 12);
}

#[tokio::test]
async fn refuses_inconsistent_checkpoints_with_422() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("forks", 4);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let log = leaves(20, "");
    let forked = leaves(20, "forged ");
    let unprocessable = |(status, _, text): (StatusCode, Option<String>, String), case: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {text}");
    };

    // Size 0 must carry the empty tree's root.
    let empty_bad = AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: net.sign(0, [7; 32]) };
    unprocessable(post(&witness, empty_bad.to_bytes()).await, "size 0 with another root");
    let empty_ok =
        AddCheckpointRequest { old_size: 0, consistency_proof: vec![], checkpoint: net.sign(0, empty_root()) };
    assert_eq!(post(&witness, empty_ok.to_bytes()).await.0, StatusCode::OK);

    // From old size 0 no proof may be sent.
    let with_proof = AddCheckpointRequest {
        old_size: 0,
        consistency_proof: vec![[1; 32]],
        checkpoint: net.sign(8, tree_root(&log, 8)),
    };
    unprocessable(post(&witness, with_proof.to_bytes()).await, "proof from 0");
    assert_eq!(post(&witness, body(&net, &log, 0, 8)).await.0, StatusCode::OK);

    // A proof that does not verify: tampered, truncated, or for other sizes.
    let mut request = AddCheckpointRequest::parse(&body(&net, &log, 8, 13)).unwrap();
    request.consistency_proof[0][0] ^= 1;
    unprocessable(post(&witness, request.to_bytes()).await, "tampered proof");
    request.consistency_proof.clear();
    unprocessable(post(&witness, request.to_bytes()).await, "no proof");
    request.consistency_proof = consistency_proof(&log[..13], 9).unwrap();
    unprocessable(post(&witness, request.to_bytes()).await, "proof from 9");

    // A fork: the same size with another root, validly signed.
    let fork_same_size =
        AddCheckpointRequest { old_size: 8, consistency_proof: vec![], checkpoint: net.sign(8, tree_root(&forked, 8)) };
    unprocessable(post(&witness, fork_same_size.to_bytes()).await, "same size, other root");
    // A fork that grows: a larger tree whose first 8 entries are not the witnessed ones, with a proof that is
    // internally consistent for the forged history.
    unprocessable(post(&witness, body(&net, &forked, 8, 20)).await, "larger forked tree");
    // The witness still holds the honest log, and the honest log still grows.
    assert_eq!(witness.latest(&net.origin()).unwrap().checkpoint.root, tree_root(&log, 8));
    assert_eq!(post(&witness, body(&net, &log, 8, 20)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refuses_bodies_above_the_limit_with_413() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("big", 1);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let (status, _, _) = post(&witness, vec![b'a'; MAX_BODY_BYTES + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let direct = witness.add_checkpoint(&vec![b'a'; MAX_BODY_BYTES + 1]).unwrap_err();
    assert!(matches!(direct, WitnessError::TooLarge { .. }) && direct.status() == 413, "{direct}");
}

#[test]
fn concurrent_requests_never_roll_the_witness_back() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("race", 2);
    let witness = Arc::new(open(dir.path(), &[&net]));
    let log = leaves(200, "");
    let mut size = 1;
    assert!(witness.add_checkpoint(&body(&net, &log, 0, size)).is_ok());
    const RACERS: u64 = 4;
    for round in 0..20 {
        // Every racer starts from the witness's size and grows the log by a different amount; the checks and
        // signatures are done before the barrier, so the requests really meet at the lock.
        let bodies: Vec<Vec<u8>> = (1..=RACERS).map(|k| body(&net, &log, size, size + k + round % 3)).collect();
        let barrier = Arc::new(Barrier::new(RACERS as usize));
        let results: Vec<(u64, Result<Vec<NoteSignature>, WitnessError>)> = std::thread::scope(|s| {
            let handles: Vec<_> = bodies
                .into_iter()
                .map(|b| {
                    let witness = Arc::clone(&witness);
                    let barrier = Arc::clone(&barrier);
                    s.spawn(move || {
                        let new = AddCheckpointRequest::parse(&b).unwrap().checkpoint.checkpoint.size;
                        barrier.wait();
                        (new, witness.add_checkpoint(&b))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners: Vec<u64> = results.iter().filter(|(_, r)| r.is_ok()).map(|(n, _)| *n).collect();
        let outcomes: Vec<(u64, u16)> =
            results.iter().map(|(n, r)| (*n, r.as_ref().map_or_else(WitnessError::status, |_| 200))).collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one request from size {size} wins: {outcomes:?}");
        for (_, result) in &results {
            if let Err(e) = result {
                assert!(matches!(e, WitnessError::Conflict { size: s, .. } if *s == winners[0]), "{e}");
            }
        }
        let stored = witness.latest(&net.origin()).unwrap().checkpoint.size;
        assert_eq!(stored, winners[0], "the winner's checkpoint is the state");
        assert!(stored > size, "never rolled back");
        size = stored;
    }
    // What is on disk is what was answered.
    drop(witness);
    let reopened = open(dir.path(), &[&net]);
    assert_eq!(reopened.latest(&net.origin()).unwrap().checkpoint.size, size);
}

#[tokio::test]
async fn state_survives_a_restart_and_is_served_to_monitors() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("durable", 3);
    let other = Net::new("durable-too", 1);
    let log = leaves(30, "");
    let hash_path = format!("/{}/checkpoint", origin_hash(&net.origin()));
    {
        let witness = Arc::new(open(dir.path(), &[&net, &other]));
        assert_eq!(get(&witness, &hash_path).await.0, StatusCode::NOT_FOUND);
        assert_eq!(post(&witness, body(&net, &log, 0, 11)).await.0, StatusCode::OK);
        assert_eq!(post(&witness, body(&net, &log, 11, 23)).await.0, StatusCode::OK);
        // A second process on the same state directory is refused while the first runs.
        let second = Witness::open(dir.path(), NAME, &witness_key(), vec![net.followed()]).unwrap_err();
        assert!(matches!(second, WitnessError::Locked { .. }), "{second}");
    }
    let witness = Arc::new(open(dir.path(), &[&net, &other]));
    assert_eq!(witness.latest(&net.origin()).unwrap().checkpoint.size, 23);
    assert!(witness.latest(&other.origin()).is_none());
    // A log that believes the witness is new is told where it stands, and a rollback is still impossible.
    assert_eq!(post(&witness, body(&net, &log, 0, 30)).await.2, "23\n");
    let fork = leaves(23, "forged ");
    let request = AddCheckpointRequest {
        old_size: 23,
        consistency_proof: vec![],
        checkpoint: net.sign(23, tree_root(&fork, 23)),
    };
    assert_eq!(post(&witness, request.to_bytes()).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // The monitoring endpoint serves the checkpoint with the validators' signatures and the witness's
    // cosignatures, and every one of them verifies.
    let (status, text) = get(&witness, &hash_path).await;
    assert_eq!(status, StatusCode::OK);
    let served = SignedCheckpoint::parse(text.as_bytes()).unwrap();
    assert_eq!(served.checkpoint.size, 23);
    publica_notary_log::checkpoint::verify_checkpoint(&net.chain_id, &net.validators, &served).unwrap();
    let vkeys = published_vkeys(&witness).await;
    assert_eq!(served.verify(&vkeys).unwrap().len(), 2);
    assert_eq!(get(&witness, "/00/checkpoint").await.0, StatusCode::NOT_FOUND);

    // The same key under the same name gives the same vkeys after a restart: logs keep their configuration.
    assert_eq!(vkeys, open(tempfile::tempdir().unwrap().path(), &[&net]).vkeys().to_vec());
}

#[test]
fn a_damaged_state_file_stops_the_witness_instead_of_starting_from_empty() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("damaged", 1);
    let log = leaves(5, "");
    {
        let witness = open(dir.path(), &[&net]);
        witness.add_checkpoint(&body(&net, &log, 0, 5)).unwrap();
    }
    let file = dir.path().join(format!("{}.checkpoint", origin_hash(&net.origin())));
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("\n5\n", "\n05\n", 1)).unwrap();
    let err = Witness::open(dir.path(), NAME, &witness_key(), vec![net.followed()]).unwrap_err();
    assert!(matches!(err, WitnessError::Corrupt { .. }), "{err}");
    // A leftover temporary file from a crash is not the state: it is removed and the old state is used.
    std::fs::write(&file, text).unwrap();
    std::fs::write(file.with_extension("checkpoint.tmp"), "garbage").unwrap();
    let witness = open(dir.path(), &[&net]);
    assert_eq!(witness.latest(&net.origin()).unwrap().checkpoint.size, 5);
    assert!(!file.with_extension("checkpoint.tmp").exists());
}

#[test]
fn names_and_logs_are_checked_when_the_witness_opens() {
    let dir = tempfile::tempdir().unwrap();
    let net = Net::new("names", 1);
    for bad in ["", "has space", "a+b", &"x".repeat(256)] {
        let err = Witness::open(dir.path(), bad, &witness_key(), vec![]).unwrap_err();
        assert!(matches!(err, WitnessError::Key(_)), "{bad:?}: {err}");
    }
    let err = Witness::open(dir.path(), NAME, &witness_key(), vec![net.followed(), net.followed()]).unwrap_err();
    assert!(matches!(err, WitnessError::Config(_)), "{err}");
    let witness = Witness::open(dir.path(), NAME, &witness_key(), vec![net.followed()]).unwrap();
    assert_eq!(witness.origins(), vec!["publica/names/notary".to_owned()]);
    // Another witness key gives other vkeys under the same name.
    drop(witness);
    let other = Witness::open(dir.path(), NAME, &Keypair::from_seed(&[0xbb; 32]), vec![]).unwrap();
    assert_ne!(other.vkeys(), open(tempfile::tempdir().unwrap().path(), &[]).vkeys());
}

/// Cost of one `add-checkpoint` (signature checks, consistency proof, two cosignatures, durable write), by
/// validator count. Run with `cargo test --release -p publica-witness --test it -- --ignored --nocapture`.
#[test]
#[ignore = "measurement"]
fn measure_add_checkpoint() {
    for validators in [1u8, 4, 16] {
        let dir = tempfile::tempdir().unwrap();
        let net = Net::new("measure", validators);
        let witness = open(dir.path(), &[&net]);
        let rounds = 200u64;
        let log = leaves(rounds + 1, "");
        let bodies: Vec<Vec<u8>> = (0..rounds).map(|i| body(&net, &log, i, i + 1)).collect();
        let started = std::time::Instant::now();
        for body in &bodies {
            witness.add_checkpoint(body).unwrap();
        }
        let per = started.elapsed() / rounds as u32;
        println!("{validators:>2} validators: {per:?} per add-checkpoint ({} body bytes)", bodies[0].len());
    }
}
