//! Tests of the store: atomic block commits, ordering, reopening, genesis protection.

use publica_crypto::Keypair;
use publica_storage::{BlockCommit, Store, StoreError};
use publica_tx::{tx_root, AccountsCall, Block, Call, Transaction, TxBody};
use publica_types::*;

fn genesis(name: &str) -> Genesis {
    let v = Keypair::from_seed(&[1; 32]);
    Genesis {
        chain_id: "store-test".parse().unwrap(),
        genesis_time_ms: 0,
        agencies: vec![GenesisAgency {
            id: name.parse().unwrap(),
            name: name.into(),
            can_register_citizens: false,
            roles: Vec::new(),
            admins: vec![GenesisAccount { public_key: Keypair::from_seed(&[2; 32]).public_key().clone() }],
        }],
        validators: ValidatorSet::new(vec![Validator::from_keypair(&v, 1)]).unwrap(),
    }
}

fn block(height: u64, txs: Vec<Transaction>) -> (Block, CommitCertificate) {
    let header = BlockHeader {
        version: HEADER_VERSION,
        chain_id: "store-test".parse().unwrap(),
        height,
        time_ms: height * 10,
        parent_hash: [0; 32],
        proposer: Address([1; 20]),
        tx_root: tx_root(&txs),
        tx_count: txs.len() as u32,
        evidence_root: publica_types::evidence::evidence_root(&[]),
        state_root: [height as u8; 32],
        validator_set_hash: [0; 32],
        next_validator_set_hash: [0; 32],
    };
    let block = Block { header, txs, evidence: vec![] };
    let cert = CommitCertificate { height, round: 0, block_hash: block.hash(), signatures: vec![] };
    (block, cert)
}

fn tx(nonce: u64) -> Transaction {
    let k = Keypair::from_seed(&[3; 32]);
    TxBody {
        chain_id: "store-test".parse().unwrap(),
        sender: k.public_key().address(),
        nonce,
        expires_at_ms: 1,
        call: Call::Accounts(AccountsCall::SetActive { account: Address([0; 20]), active: true }),
    }
    .sign(&k)
}

#[test]
fn blocks_state_and_indexes_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let g = genesis("agency");
    let (b1, c1) = block(1, vec![tx(0), tx(1)]);
    {
        let store = Store::open(dir.path()).unwrap();
        store.init_genesis(&g, &[(b"k0".to_vec(), Some(b"v0".to_vec()))]).unwrap();
        let changes = vec![(b"k1".to_vec(), Some(b"v1".to_vec())), (b"k0".to_vec(), None)];
        store
            .commit_block(BlockCommit {
                block: &b1,
                certificate: &c1,
                outcomes: &[TxOutcome::None, TxOutcome::Application { id: 7 }],
                changes: &changes,
                extensions: &[],
                log: None,
                next_validators: None,
                nodes: &[],
                state_entries: 0,
            })
            .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.genesis().unwrap().unwrap(), g);
    assert_eq!(store.last_height().unwrap(), 1);
    assert_eq!(store.block(1).unwrap().unwrap(), b1);
    assert_eq!(store.header(1).unwrap().unwrap(), b1.header);
    assert_eq!(store.certificate(1).unwrap().unwrap(), c1);
    assert_eq!(store.height_of(&b1.hash()).unwrap(), Some(1));
    assert_eq!(store.tx_location(&b1.txs[1].id()).unwrap(), Some((1, 1)));
    assert_eq!(store.tx_location(&tx(2).id()).unwrap(), None);
    assert_eq!(store.tx_outcome(&b1.txs[0].id()).unwrap(), Some(TxOutcome::None));
    assert_eq!(store.tx_outcome(&b1.txs[1].id()).unwrap(), Some(TxOutcome::Application { id: 7 }));
    assert_eq!(store.tx_outcome(&tx(2).id()).unwrap(), None);
    assert_eq!(store.state_get(b"k1").unwrap(), Some(b"v1".to_vec()));
    assert_eq!(store.state_get(b"k0").unwrap(), None);
    assert_eq!(store.block(2).unwrap(), None);
}

#[test]
fn heights_are_committed_in_order_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.init_genesis(&genesis("agency"), &[]).unwrap();
    let (b2, c2) = block(2, vec![]);
    let err = store
        .commit_block(BlockCommit {
            block: &b2,
            certificate: &c2,
            outcomes: &[],
            changes: &[],
            extensions: &[],
            log: None,
            next_validators: None,
            nodes: &[],
            state_entries: 0,
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::OutOfOrder { expected: 1, got: 2 }));
    assert_eq!(store.last_height().unwrap(), 0);
    assert_eq!(store.block(2).unwrap(), None);
    let (b1, c1) = block(1, vec![]);
    store
        .commit_block(BlockCommit {
            block: &b1,
            certificate: &c1,
            outcomes: &[],
            changes: &[],
            extensions: &[],
            log: None,
            next_validators: None,
            nodes: &[],
            state_entries: 0,
        })
        .unwrap();
    let err = store
        .commit_block(BlockCommit {
            block: &b1,
            certificate: &c1,
            outcomes: &[],
            changes: &[],
            extensions: &[],
            log: None,
            next_validators: None,
            nodes: &[],
            state_entries: 0,
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::OutOfOrder { expected: 2, got: 1 }));
}

#[test]
fn a_store_refuses_another_networks_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.init_genesis(&genesis("agency"), &[(b"a".to_vec(), Some(b"1".to_vec()))]).unwrap();
    // The same genesis again is fine and changes nothing.
    store.init_genesis(&genesis("agency"), &[(b"a".to_vec(), Some(b"2".to_vec()))]).unwrap();
    assert_eq!(store.state_get(b"a").unwrap(), Some(b"1".to_vec()));
    assert!(matches!(store.init_genesis(&genesis("other"), &[]), Err(StoreError::GenesisMismatch)));
}

#[test]
fn prefix_scans_return_matching_keys_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let changes: Vec<_> = ["p/b", "p/a", "q/a", "p/c"].iter().map(|k| (k.as_bytes().to_vec(), Some(vec![1]))).collect();
    store.init_genesis(&genesis("agency"), &changes).unwrap();
    let keys: Vec<Vec<u8>> = store.state_scan(b"p/", 2).unwrap().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, vec![b"p/a".to_vec(), b"p/b".to_vec()]);
}

/// Entries of a test log: entry `i` is 40 bytes holding `i`.
fn log_entry(i: u64) -> Vec<u8> {
    let mut e = vec![0xee; 40];
    e[..8].copy_from_slice(&i.to_be_bytes());
    e
}

#[test]
fn the_notary_log_is_stored_as_tiles_with_its_blocks() {
    use publica_merkle::log::{inclusion_proof, leaf_hash, root};
    use publica_merkle::tiles;
    use publica_storage::LogBatch;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.init_genesis(&genesis("agency"), &[]).unwrap();
    let mut all_entries: Vec<Vec<u8>> = Vec::new();
    // Block sizes crossing bundle and tile boundaries, including a block that adds nothing.
    for (height, count) in [(1u64, 3u64), (2, 300), (3, 0), (4, 253), (5, 1000)] {
        let first = all_entries.len() as u64;
        let entries: Vec<Vec<u8>> = (first..first + count).map(log_entry).collect();
        let leaves: Vec<[u8; 32]> = entries.iter().map(|e| leaf_hash(e)).collect();
        let docs: Vec<[u8; 32]> = (first..first + count).map(|i| publica_crypto::sha256(&i.to_be_bytes())).collect();
        all_entries.extend(entries.iter().cloned());
        let all_leaves: Vec<[u8; 32]> = all_entries.iter().map(|e| leaf_hash(e)).collect();
        let batch = LogBatch {
            first_index: first,
            entries: &entries,
            leaf_hashes: &leaves,
            document_hashes: &docs,
            root: root(&all_leaves),
        };
        let (b, c) = block(height, vec![]);
        store
            .commit_block(BlockCommit {
                block: &b,
                certificate: &c,
                outcomes: &[],
                changes: &[],
                extensions: b"ext",
                log: Some(batch),
                next_validators: None,
                nodes: &[],
                state_entries: 0,
            })
            .unwrap();
        assert_eq!(store.log_size().unwrap(), all_entries.len() as u64);
        assert_eq!(store.extensions(height).unwrap().unwrap(), b"ext");
    }
    let n = all_entries.len() as u64;
    let leaves: Vec<[u8; 32]> = all_entries.iter().map(|e| leaf_hash(e)).collect();
    assert_eq!(tiles::root(&store, n).unwrap(), root(&leaves));
    assert_eq!(tiles::inclusion_proof(&store, 700, n).unwrap(), inclusion_proof(&leaves, 700).unwrap());
    for i in [0, 2, 3, 255, 256, 555, n - 1] {
        assert_eq!(store.log_entry(i).unwrap().unwrap(), log_entry(i), "entry {i}");
        assert_eq!(store.anchor_index(&publica_crypto::sha256(&i.to_be_bytes())).unwrap(), Some(i));
    }
    assert_eq!(store.log_entry(n).unwrap(), None);
    // Full bundles hold 256 entries; the last one is partial.
    let full = publica_tlog::decode_entry_bundle(&store.entry_bundle(1).unwrap().unwrap()).unwrap();
    assert_eq!(full.len(), 256);
    let last = publica_tlog::decode_entry_bundle(&store.entry_bundle(n / 256).unwrap().unwrap()).unwrap();
    assert_eq!(last.len() as u64, n % 256);

    // A batch that does not continue the stored log is refused and changes nothing.
    let (b6, c6) = block(6, vec![]);
    let stray = vec![log_entry(0)];
    let bad = LogBatch {
        first_index: 5,
        entries: &stray,
        leaf_hashes: &[leaf_hash(&stray[0])],
        document_hashes: &[[0; 32]],
        root: [0; 32],
    };
    let err = store.commit_block(BlockCommit {
        block: &b6,
        certificate: &c6,
        outcomes: &[],
        changes: &[],
        extensions: &[],
        log: Some(bad),
        next_validators: None,
        nodes: &[],
        state_entries: 0,
    });
    assert!(err.unwrap_err().to_string().contains("appends from index 5"));
    assert_eq!((store.last_height().unwrap(), store.log_size().unwrap()), (5, n));

    // Checkpoints: the latest is the last stored.
    assert_eq!(store.latest_checkpoint().unwrap(), None);
    store.put_checkpoint(2, b"cp2").unwrap();
    store.put_checkpoint(5, b"cp5").unwrap();
    assert_eq!(store.latest_checkpoint().unwrap(), Some((5, b"cp5".to_vec())));
    assert_eq!(store.checkpoint(2).unwrap(), Some(b"cp2".to_vec()));
    // A late rewrite of an older checkpoint (witness cosignatures added) does not hide the newer one.
    store.put_checkpoint(2, b"cp2+witness").unwrap();
    assert_eq!(store.latest_checkpoint().unwrap(), Some((5, b"cp5".to_vec())));
    assert_eq!(store.checkpoint(2).unwrap(), Some(b"cp2+witness".to_vec()));

    // Reopened, the store answers every anchored hash again: the filter in front of the index is rebuilt from it.
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.anchor_filter_stats().0 as u64, n);
    for i in 0..n {
        assert_eq!(store.anchor_index(&publica_crypto::sha256(&i.to_be_bytes())).unwrap(), Some(i), "hash {i}");
    }
    assert_eq!(store.anchor_index(&publica_crypto::sha256(&n.to_be_bytes())).unwrap(), None);
}

#[test]
fn validator_sets_are_kept_for_every_height() {
    let dir = tempfile::tempdir().unwrap();
    let g = genesis("agency");
    let next = ValidatorSet::new(vec![
        Validator::from_keypair(&Keypair::from_seed(&[7; 32]), 2),
        Validator::from_keypair(&Keypair::from_seed(&[8; 32]), 1),
    ])
    .unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.init_genesis(&g, &[]).unwrap();
        assert_eq!(store.validator_set_at(1).unwrap().unwrap(), g.validators);
        assert_eq!(store.validator_set_at(0).unwrap(), None);
        let (b1, c1) = block(1, vec![]);
        store
            .commit_block(BlockCommit {
                block: &b1,
                certificate: &c1,
                outcomes: &[],
                changes: &[],
                extensions: &[],
                log: None,
                next_validators: None,
                nodes: &[],
                state_entries: 0,
            })
            .unwrap();
        let (b2, c2) = block(2, vec![]);
        store
            .commit_block(BlockCommit {
                block: &b2,
                certificate: &c2,
                outcomes: &[],
                changes: &[],
                extensions: &[],
                log: None,
                next_validators: Some(&next),
                nodes: &[],
                state_entries: 0,
            })
            .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    store.init_genesis(&g, &[]).unwrap();
    for height in 1..=2 {
        assert_eq!(store.validator_set_at(height).unwrap().unwrap(), g.validators, "height {height}");
    }
    for height in [3, 4, 1_000] {
        assert_eq!(store.validator_set_at(height).unwrap().unwrap(), next, "height {height}");
    }
    assert_eq!(store.validator_set_changes().unwrap(), vec![(1, g.validators.clone()), (3, next)]);
}

#[test]
fn every_committed_root_stays_provable_after_reopening() {
    use publica_merkle::{key_hash, prove_from_store, value_hash, StateTree};
    let dir = tempfile::tempdir().unwrap();
    let mut tree = StateTree::new();
    let mut roots = Vec::new();
    {
        let store = Store::open(dir.path()).unwrap();
        store.init_genesis(&genesis("agency"), &[]).unwrap();
        for height in 1..=3u64 {
            // Block h writes key h and rewrites key 0, so older roots differ from the latest one.
            let changes = vec![
                (format!("k{height}").into_bytes(), Some(vec![height as u8])),
                (b"k0".to_vec(), Some(vec![height as u8])),
            ];
            let hashed = changes.iter().map(|(k, v)| (key_hash(k), v.as_deref().map(value_hash))).collect();
            let nodes = tree.apply(hashed);
            roots.push(tree.root());
            let (b, c) = block(height, vec![]);
            let commit = BlockCommit {
                block: &b,
                certificate: &c,
                outcomes: &[],
                changes: &changes,
                extensions: &[],
                log: None,
                next_validators: None,
                nodes: &nodes,
                state_entries: 0,
            };
            store.commit_block(commit).unwrap();
            assert!(store.has_state_node(&tree.root()).unwrap());
        }
    }
    let store = Store::open(dir.path()).unwrap();
    for (i, root) in roots.iter().enumerate() {
        let height = i as u8 + 1;
        // Key 0 as it was after block h; key h + 1 not yet written then.
        let proof = prove_from_store(*root, &key_hash(b"k0"), &store).unwrap();
        proof.verify(root, b"k0", Some(&[height])).unwrap();
        let later = format!("k{}", height + 1).into_bytes();
        prove_from_store(*root, &key_hash(&later), &store).unwrap().verify(root, &later, None).unwrap();
    }
    // A root the store never committed is reported missing, not proven.
    let err = prove_from_store([7; 32], &key_hash(b"k0"), &store).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}
