//! Admission against floods and against transactions that fail only after their sender's earlier ones: a real
//! node state (store in a temporary directory, one agency, one validator), blocks proposed and committed by the
//! node's own consensus application.

use std::sync::Arc;

use crate::app::NodeApp;
use crate::shared::{now_ms, Shared, StoreView};
use crate::{HomeLayout, NodeConfig, NodeHandle, TxStatus};
use publica_accounts::call::{rotate_key_message, ROTATE_KEY_TAG};
use publica_consensus::Application as _;
use publica_crypto::Keypair;
use publica_tx::*;
use publica_types::*;

/// A node with two agencies (`land-registry`, administered by `admin`, allowed to register citizens, and
/// `building-authority`, administered by `other_admin`) and one validator.
pub(crate) struct Net {
    _home: tempfile::TempDir,
    pub node: Arc<Shared>,
    pub admin: Keypair,
    pub validator: Keypair,
    /// The administrator of a second agency (`building-authority`).
    pub other_admin: Keypair,
    pub chain_id: ChainId,
    app: NodeApp,
}

fn key(seed: u8) -> Keypair {
    Keypair::from_seed(&[seed; 32])
}

fn agency() -> AgencyId {
    AgencyId::new("land-registry").unwrap()
}

impl Net {
    /// A node whose configuration `tune` adjusts first.
    pub fn with_config(tune: impl FnOnce(&mut NodeConfig)) -> Self {
        let home = tempfile::tempdir().unwrap();
        let admin = key(1);
        let validator = key(100);
        let other_admin = key(101);
        let chain_id = ChainId::new("admission-test").unwrap();
        let genesis = Genesis {
            chain_id: chain_id.clone(),
            genesis_time_ms: now_ms() - 60_000,
            agencies: vec![
                GenesisAgency {
                    id: agency(),
                    name: "Land Registry".into(),
                    can_register_citizens: true,
                    roles: ["citizen-registrar", "clerk", "surveyor", "notary"].map(|r| Role::new(r).unwrap()).to_vec(),
                    admins: vec![GenesisAccount { public_key: admin.public_key().clone() }],
                },
                GenesisAgency {
                    id: AgencyId::new("building-authority").unwrap(),
                    name: "Building Authority".into(),
                    can_register_citizens: true,
                    roles: ["citizen-registrar", "inspector"].map(|r| Role::new(r).unwrap()).to_vec(),
                    admins: vec![GenesisAccount { public_key: other_admin.public_key().clone() }],
                },
            ],
            validators: ValidatorSet::new(vec![Validator::from_keypair(&validator, 10)]).unwrap(),
        };
        genesis.validate().unwrap();
        let layout = HomeLayout::new(home.path());
        let mut config =
            NodeConfig::new("admission-test", "127.0.0.1:0".parse().unwrap(), "127.0.0.1:0".parse().unwrap());
        tune(&mut config);
        let handle = NodeHandle::open(&layout, genesis, config, validator.address()).unwrap();
        let signer = publica_notary::checkpoint::LogSigner::new(&chain_id, &validator).unwrap();
        let app = NodeApp::new(&handle, signer);
        let node = Arc::clone(handle.shared());
        Self { _home: home, node, admin, validator, other_admin, chain_id, app }
    }

    /// `call` signed by `sender` with `nonce`, valid for an hour.
    pub fn sign(&self, sender: &Keypair, nonce: u64, call: Call) -> Transaction {
        self.sign_as(sender.address(), sender, nonce, call)
    }

    /// `call` from account `account`, signed by `key` (its current key, or not).
    pub fn sign_as(&self, account: Address, key: &Keypair, nonce: u64, call: Call) -> Transaction {
        TxBody { chain_id: self.chain_id.clone(), sender: account, nonce, expires_at_ms: now_ms() + 3_600_000, call }
            .sign(key)
    }

    pub fn submit(&self, tx: &Transaction) -> Result<TxId, TxError> {
        self.node.submit(&tx.encode())
    }

    /// Propose a block from the mempool and commit it with a certificate signed by the validator.
    pub fn commit_block(&mut self) -> Block {
        self.commit_block_as(false)
    }

    /// Propose and commit the next block, as decided by this node's own round or, `synced`, as brought by value
    /// sync.
    pub fn commit_block_as(&mut self, synced: bool) -> Block {
        let height = self.app.last_committed_height() + 1;
        let block = self.app.propose(height, 0, self.validator.address()).unwrap();
        let vote = VoteBody {
            height,
            round: 0,
            kind: VoteKind::Precommit,
            block_hash: Some(block.hash()),
            validator: self.validator.address(),
        };
        let certificate = CommitCertificate {
            height,
            round: 0,
            block_hash: block.hash(),
            signatures: vec![CommitSignature {
                validator: self.validator.address(),
                signature: self.validator.sign(&vote.signing_bytes(&self.chain_id)),
            }],
        };
        let extension = self.app.extend_vote(height, 0, block.hash()).unwrap();
        let signature = self.validator.sign(&SignedVoteExtension::signing_bytes(
            &self.chain_id,
            height,
            0,
            &block.hash(),
            &self.validator.address(),
            &extension,
        ));
        let signed = SignedVoteExtension { validator: self.validator.address(), round: 0, extension, signature };
        let extensions = DecidedExtensions::new(vec![signed]).unwrap();
        if synced {
            self.app.commit_synced(block.clone(), certificate, extensions).unwrap();
        } else {
            self.app.commit(block.clone(), certificate, extensions).unwrap();
        }
        block
    }

    /// Submit and commit `txs` (which must all be accepted) in one block.
    pub fn commit_txs(&mut self, txs: &[Transaction]) {
        for tx in txs {
            self.submit(tx).unwrap_or_else(|e| panic!("setup transaction refused: {e}"));
        }
        let block = self.commit_block();
        assert_eq!(block.txs.len(), txs.len(), "every setup transaction is committed");
    }

    pub fn mempool_len(&self) -> usize {
        self.node.mempool.lock().len()
    }

    pub fn next_nonce(&self, account: &Keypair) -> u64 {
        publica_accounts::next_nonce(&StoreView(&self.node.store), &account.address())
    }

    /// Register an official of the agency with `roles` (by the admin, at its next nonce).
    pub fn register_official(&mut self, official: &Keypair, roles: &[&str]) {
        let call = Call::Accounts(AccountsCall::RegisterOfficial {
            public_key: official.public_key().clone(),
            agency: agency(),
            roles: roles.iter().map(|r| Role::new(*r).unwrap()).collect(),
        });
        let tx = self.sign(&self.admin, self.next_nonce(&self.admin), call);
        self.commit_txs(&[tx]);
    }

    /// Register citizens through `registrar` (a citizen registrar), one block.
    pub fn register_citizens(&mut self, registrar: &Keypair, citizens: &[Keypair]) {
        let first = self.next_nonce(registrar);
        let txs: Vec<Transaction> = citizens
            .iter()
            .enumerate()
            .map(|(i, c)| self.sign(registrar, first + i as u64, register_citizen(c)))
            .collect();
        self.commit_txs(&txs);
    }
}

fn register_citizen(citizen: &Keypair) -> Call {
    Call::Accounts(AccountsCall::RegisterCitizen {
        public_key: citizen.public_key().clone(),
        id_commitment: publica_crypto::sha256(citizen.address().0.as_slice()),
    })
}

/// An anchoring of `count` made-up hashes: about 32 bytes each.
fn anchoring(count: usize, salt: u64) -> Call {
    let hashes =
        (0..count as u64).map(|i| publica_crypto::sha256(&[salt.to_le_bytes(), i.to_le_bytes()].concat())).collect();
    Call::Notary(NotaryCall::Anchor { hashes, label: None })
}

/// A key rotation of `account` (at `nonce`) to `new`, with the new key's proof of possession.
fn rotation(chain_id: &ChainId, account: &Address, nonce: u64, new: &Keypair) -> Call {
    let message = signing_message(ROTATE_KEY_TAG, chain_id.as_str(), &rotate_key_message(account, nonce));
    Call::Accounts(AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&message) })
}

fn rejected(node: &Shared, id: &TxId) -> (Code, String) {
    match node.tx_status(id) {
        TxStatus::Rejected { code, message } => (code, message),
        other => panic!("transaction {id} is {other:?}, not rejected"),
    }
}

/// The hardening review's mempool attack, scaled down: citizens flood the next nonces with anchorings of about
/// 100 KB they may not make, then fill the pool with transactions they may make; an agency's administrator must
/// still get a transaction in and committed, and the flood must leave the pool small.
#[test]
fn a_flood_by_citizens_cannot_keep_an_administrators_transaction_out_of_the_chain() {
    let mut net = Net::with_config(|c| {
        c.mempool.txs_max = 6;
        c.mempool.bytes_max = 1 << 20;
        // The registrar's setup block of six needs the whole small pool, not its agency's half.
        c.mempool.agency_txs_max = Some(6);
    });
    let registrar = key(2);
    net.register_official(&registrar, &["citizen-registrar"]);
    let citizens: Vec<Keypair> = (10..16).map(key).collect();
    net.register_citizens(&registrar, &citizens);

    // Each citizen sends nonces 0..20 of anchorings (3,000 hashes, about 96 KB) it has no role for.
    let mut flood_bytes = 0;
    for (i, citizen) in citizens.iter().enumerate() {
        for nonce in 0..20 {
            let tx = net.sign(citizen, nonce, anchoring(3_000, (i * 100) as u64 + nonce));
            flood_bytes += tx.encode().len();
            let error = net.submit(&tx).unwrap_err();
            let expected = if nonce == 0 { ErrorCode::MissingRole } else { ErrorCode::NonceTooFarAhead };
            assert_eq!(error.code, expected, "citizen {i} nonce {nonce}: {error}");
        }
    }
    assert!(flood_bytes > 10 << 20, "the flood is larger than the pool");
    assert_eq!(net.mempool_len(), 0, "nothing of the flood waits in the pool");

    // Then they fill the pool with what they may do: rotate their own keys.
    let rotations: Vec<Transaction> = citizens
        .iter()
        .enumerate()
        .map(|(i, citizen)| net.sign(citizen, 0, rotation(&net.chain_id, &citizen.address(), 0, &key(50 + i as u8))))
        .collect();
    for tx in &rotations {
        net.submit(tx).unwrap();
    }
    assert_eq!(net.mempool_len(), 6, "the pool is full");

    // The administrator's transaction takes the place of the newest citizen's.
    let clerk = key(3);
    let call = Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: clerk.public_key().clone(),
        agency: agency(),
        roles: vec![Role::new("clerk").unwrap()],
    });
    let admin_tx = net.sign(&net.admin, net.next_nonce(&net.admin), call);
    let admin_id = net.submit(&admin_tx).unwrap();
    assert_eq!(net.mempool_len(), 6);
    let (code, message) = rejected(&net.node, &rotations[5].id());
    assert_eq!(code, ErrorCode::MempoolFull, "{message}");
    let block = net.commit_block();
    assert!(block.txs.iter().any(|tx| tx.id() == admin_id), "the administrator's transaction is committed");
    assert!(matches!(net.node.tx_status(&admin_id), TxStatus::Committed { .. }));
}

/// Two transactions of one sender, each valid on the committed state, but the second invalid after the first:
/// the second is refused at admission instead of waiting in the pool to fail in a block (or, for governance
/// votes, to land in the same block as the first).
#[test]
fn a_transaction_invalid_after_its_senders_pending_one_is_refused_at_admission() {
    let mut net = Net::with_config(|_| {});
    let registrar = key(2);
    net.register_official(&registrar, &["citizen-registrar"]);

    // A key rotation, then a transaction signed with the key it replaces.
    let (old, new) = (&registrar, key(20));
    let account = registrar.address();
    let rotate = net.sign(old, 0, rotation(&net.chain_id, &account, 0, &new));
    net.submit(&rotate).unwrap();
    let stale = net.sign_as(account, old, 1, register_citizen(&key(30)));
    let error = net.submit(&stale).unwrap_err();
    assert_eq!(error.code, ErrorCode::BadSignature, "{error}");
    assert_eq!(net.mempool_len(), 1, "only the rotation waits");

    // The same citizen registered twice in a row: the second finds the first's account.
    let clerk = key(3);
    let first = net.sign(
        &net.admin,
        1,
        Call::Accounts(AccountsCall::RegisterOfficial {
            public_key: clerk.public_key().clone(),
            agency: agency(),
            roles: vec![Role::new("clerk").unwrap()],
        }),
    );
    net.submit(&first).unwrap();
    let again = net.sign(
        &net.admin,
        2,
        Call::Accounts(AccountsCall::RegisterOfficial {
            public_key: clerk.public_key().clone(),
            agency: agency(),
            roles: vec![Role::new("surveyor").unwrap()],
        }),
    );
    let error = net.submit(&again).unwrap_err();
    assert_eq!(error.code, ErrorCode::AccountExists, "{error}");
    assert_eq!(net.mempool_len(), 2);

    // Both first transactions commit, nothing else was waiting.
    let block = net.commit_block();
    assert_eq!(block.txs.len(), 2);
    assert_eq!(net.mempool_len(), 0);
    // And the sender goes on from the next nonce, signing with the new key.
    net.submit(&net.sign_as(account, &new, 1, register_citizen(&key(30)))).unwrap();
}

/// A transaction refused at admission consumes no nonce, so without a limit one account could make the node
/// dry-run failing calls for ever; after the limit its transactions are refused unexamined for a while, and no
/// other account is affected.
#[test]
fn a_sender_whose_transactions_keep_failing_is_refused_unexamined_for_a_while() {
    let mut net = Net::with_config(|_| {});
    let official = key(2);
    net.register_official(&official, &["clerk"]);
    // The default allows 16 failed dry-runs a minute.
    for i in 0..16 {
        let error = net.submit(&net.sign(&official, 0, anchoring(10, i))).unwrap_err();
        assert_eq!(error.code, ErrorCode::MissingRole, "attempt {i}: {error}");
    }
    let error = net.submit(&net.sign(&official, 0, anchoring(10, 99))).unwrap_err();
    assert_eq!(error.code, ErrorCode::Unavailable, "{error}");
    assert!(error.message.contains("failed their dry-run"), "{error}");
    // Even a transaction that would pass waits for the window to end.
    let rotate = net.sign(&official, 0, rotation(&net.chain_id, &official.address(), 0, &key(21)));
    assert_eq!(net.submit(&rotate).unwrap_err().code, ErrorCode::Unavailable);
    // Other senders are not affected.
    net.submit(&net.sign(&net.admin, 1, register_citizen(&key(40)))).unwrap_err();
    let clerk = key(3);
    let call = Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: clerk.public_key().clone(),
        agency: agency(),
        roles: vec![Role::new("clerk").unwrap()],
    });
    net.submit(&net.sign(&net.admin, 1, call)).unwrap();
}

/// Nobody can use up another account's allowance: forged transactions (bad signature) and replays of its
/// refused transactions do not count.
#[test]
fn forgeries_and_replays_do_not_use_up_another_senders_refusals() {
    let mut net = Net::with_config(|_| {});
    let official = key(2);
    net.register_official(&official, &["clerk"]);
    let refused = net.sign(&official, 0, anchoring(10, 1));
    for _ in 0..40 {
        assert_eq!(net.submit(&refused).unwrap_err().code, ErrorCode::MissingRole);
        let forged = net.sign_as(official.address(), &key(66), 0, anchoring(10, 2));
        assert_eq!(net.submit(&forged).unwrap_err().code, ErrorCode::BadSignature);
    }
    let rotate = net.sign(&official, 0, rotation(&net.chain_id, &official.address(), 0, &key(21)));
    net.submit(&rotate).unwrap();
}

/// A commit can make a pending transaction invalid (here: its sender is suspended by a block that does not hold
/// it); the mempool executes pending transactions again after each commit and drops it with the reason.
#[test]
fn a_pending_transaction_that_a_commit_made_invalid_leaves_the_mempool() {
    let mut net = Net::with_config(|c| c.block.txs_max = 1);
    let official = key(2);
    net.register_official(&official, &["clerk"]);
    let pending = net.sign(&official, 0, rotation(&net.chain_id, &official.address(), 0, &key(21)));
    net.submit(&pending).unwrap();
    let suspend =
        net.sign(&net.admin, 1, Call::Accounts(AccountsCall::SetActive { account: official.address(), active: false }));
    net.submit(&suspend).unwrap();
    // Blocks of one transaction, taken from the senders in turn: turn so that the next block takes the
    // suspension, not the pending transaction.
    let view = StoreView(&net.node.store);
    loop {
        let next = net.node.mempool.lock().select(1, usize::MAX, |s| publica_accounts::next_nonce(&view, s));
        if next[0].0.id() == pending.id() {
            break;
        }
    }
    let block = net.commit_block();
    assert_eq!(block.txs[0].id(), suspend.id());
    assert!(net.node.wait_revalidated(block.header.height, std::time::Duration::from_secs(30)));
    assert_eq!(net.mempool_len(), 0, "the suspended official's transaction no longer waits");
    let (code, message) = rejected(&net.node, &pending.id());
    assert_eq!(code, ErrorCode::AccountInactive, "{message}");
}

/// Transactions left behind a gap in their sender's nonces (the one before them left the pool) cannot be
/// proposed; they are evicted after a few blocks instead of staying until they expire, and the sender is told.
#[test]
fn transactions_waiting_behind_a_gap_are_evicted_after_a_few_blocks() {
    let mut net = Net::with_config(|_| {});
    let registrar = key(2);
    net.register_official(&registrar, &["citizen-registrar"]);
    let txs: Vec<Transaction> = (0..3).map(|i| net.sign(&registrar, i, register_citizen(&key(30 + i as u8)))).collect();
    for tx in &txs {
        net.submit(tx).unwrap();
    }
    // Nonce 0 leaves the pool (as when a proposal finds it failing): nonces 1 and 2 wait behind a gap.
    net.node.mempool.lock().remove_many(&[txs[0].id()]);
    // The default is three blocks: the gap appeared after block 1, blocks 2 and 3 leave them waiting.
    for _ in 0..2 {
        net.commit_block();
        assert_eq!(net.mempool_len(), 2, "the sender has a few blocks to fill the gap");
    }
    net.commit_block();
    assert_eq!(net.mempool_len(), 0);
    let (code, message) = rejected(&net.node, &txs[2].id());
    assert_eq!(code, ErrorCode::BadNonce);
    assert!(message.contains("behind nonce 0"), "{message}");
    // The sender starts again from nonce 0.
    for tx in &txs {
        net.submit(tx).unwrap();
    }
    assert_eq!(net.commit_block().txs.len(), 3);
}

/// A copy of a transaction's body under a garbage signature, submitted first, must not make the genuine
/// transaction's failed dry run free: the memory of counted dry runs is keyed by the full hash (signature
/// included) and a signature refusal never enters it.
#[test]
fn a_forged_copy_submitted_first_does_not_make_a_failing_dry_run_free() {
    let mut net = Net::with_config(|_| {});
    let official = key(2);
    net.register_official(&official, &["clerk"]);
    let body = |i: u64| TxBody {
        chain_id: net.chain_id.clone(),
        sender: official.address(),
        nonce: 0,
        expires_at_ms: now_ms() + 3_600_000,
        call: anchoring(10, i),
    };
    // The default allows 16 failed dry runs a minute, forged copies or not.
    for i in 0..16 {
        let forged = body(i).sign(&key(66));
        assert_eq!(net.submit(&forged).unwrap_err().code, ErrorCode::BadSignature);
        let error = net.submit(&body(i).sign(&official)).unwrap_err();
        assert_eq!(error.code, ErrorCode::MissingRole, "attempt {i}: {error}");
    }
    let error = net.submit(&body(16).sign(&official)).unwrap_err();
    assert_eq!(error.code, ErrorCode::Unavailable, "the 17th failing dry run ran: {error}");
}

/// One batch cannot get more failed dry runs than the sender's allowance: the allowance is checked again right
/// before each dry run, not only when the batch's items are first looked at.
#[test]
fn one_batch_gets_no_more_failed_dry_runs_than_the_senders_allowance() {
    let mut net = Net::with_config(|_| {});
    let official = key(2);
    net.register_official(&official, &["clerk"]);
    let items: Vec<Vec<u8>> = (0..40).map(|i| net.sign(&official, 0, anchoring(10, i)).encode()).collect();
    let results = net.node.submit_batch(&items);
    let codes: Vec<Code> = results.iter().map(|r| r.as_ref().unwrap_err().code).collect();
    assert!(codes[..16].iter().all(|c| *c == ErrorCode::MissingRole), "{codes:?}");
    assert!(codes[16..].iter().all(|c| *c == ErrorCode::Unavailable), "{codes:?}");
    let error = results[16].as_ref().unwrap_err();
    assert!(error.message.contains("failed their dry-run"), "{error}");
}

/// A replay of a transaction whose dry run failed, on the same committed state, gets the same answer (from
/// memory, without executing it again) and does not count again against its sender.
#[test]
fn a_replayed_failing_transaction_gets_the_same_answer_and_counts_once() {
    let mut net = Net::with_config(|_| {});
    let official = key(2);
    net.register_official(&official, &["clerk"]);
    let refused = net.sign(&official, 0, anchoring(10, 1));
    let first = net.submit(&refused).unwrap_err();
    assert_eq!(first.code, ErrorCode::MissingRole);
    for _ in 0..40 {
        assert_eq!(net.submit(&refused).unwrap_err(), first);
    }
    // Only the first counted: the sender still has 15 failed dry runs left.
    for i in 0..15 {
        let error = net.submit(&net.sign(&official, 0, anchoring(10, 100 + i))).unwrap_err();
        assert_eq!(error.code, ErrorCode::MissingRole, "attempt {i}: {error}");
    }
    let error = net.submit(&net.sign(&official, 0, anchoring(10, 200))).unwrap_err();
    assert_eq!(error.code, ErrorCode::Unavailable, "{error}");
}

/// An admission waiting for another admission of its sender must not hold the committed state's lock: a commit
/// (which takes it exclusively) would wait for it, and with the fair lock every reader behind the commit too.
#[test]
fn an_admission_waiting_for_its_sender_does_not_hold_up_a_commit() {
    let mut net = Net::with_config(|_| {});
    let official = key(2);
    net.register_official(&official, &["clerk"]);
    // Another admission of the sender is in progress: it holds the sender's ticket.
    let tx0 = net.sign(&official, 0, rotation(&net.chain_id, &official.address(), 0, &key(21)));
    let height = net.node.committed.read().height;
    let class = crate::mempool::SenderClass { priority: crate::mempool::Priority::Official, agency: Some(agency()) };
    let ticket = net
        .node
        .mempool
        .lock()
        .begin_admission(&tx0, tx0.id(), tx0.encode().len(), &class, 0, height, |_| false)
        .unwrap();
    let node = Arc::clone(&net.node);
    let tx1 = net.sign(&official, 0, rotation(&net.chain_id, &official.address(), 0, &key(22)));
    let waiter = std::thread::spawn(move || node.submit(&tx1.encode()));
    // Give the waiter time to start waiting (the test cannot fail the wrong way if it is slower).
    std::thread::sleep(std::time::Duration::from_millis(300));
    // The waiter would hold the lock for the rest of its 5 s wait; half of that is far more than a free lock
    // needs, so this does not measure speed.
    let guard = net.node.committed.try_write_for(std::time::Duration::from_millis(2_500));
    assert!(guard.is_some(), "the commit's write lock was held by an admission waiting for its sender");
    drop(guard);
    // Once the other admission gives its ticket back, the waiting one goes on, on the state it reads again.
    net.node.mempool.lock().abort(ticket, None, None);
    let id = waiter.join().unwrap().unwrap();
    assert!(net.node.mempool.lock().contains(&id));
}

/// A validator syncs to the disk every block it commits, one brought by value sync too: a crash must never take it
/// back below a height at which it may already have voted. (A node that votes on nothing may defer that sync.)
#[test]
fn a_validator_syncs_a_block_brought_by_value_sync_at_once() {
    let mut net = Net::with_config(|_| {});
    net.commit_block_as(true);
    assert_eq!(net.node.store.unsynced_blocks(), 0, "the synced block waits in the journal, not on the disk");
    assert_eq!(net.app.last_committed_height(), 1);
}

/// An agency's administrator can register any number of officials and make them administrators, the highest
/// priority; they must not be able to take the mempool from the other agencies: each agency's officials share at
/// most the agency's part of the pool, and another agency's administrator still gets in.
#[test]
fn one_agencys_minted_administrators_cannot_take_the_pool_from_another_agency() {
    let mut net = Net::with_config(|c| c.mempool.txs_max = 8);
    // Two agencies: each has half the pool, four transactions.
    let minted: Vec<Keypair> = (20..26).map(key).collect();
    for official in &minted {
        net.register_official(official, &["admin"]);
    }
    let mut admitted = 0;
    for (i, official) in minted.iter().enumerate() {
        let tx = net.sign(official, 0, rotation(&net.chain_id, &official.address(), 0, &key(40 + i as u8)));
        match net.submit(&tx) {
            Ok(_) => admitted += 1,
            Err(error) => {
                assert_eq!(error.code, ErrorCode::MempoolFull, "{error}");
                assert!(error.message.contains("agency land-registry"), "{error}");
            }
        }
    }
    assert_eq!(admitted, 4, "one agency holds its share of the pool, no more");
    // The other agency's administrator gets in, and so do three more of its transactions.
    let other = &net.other_admin;
    for nonce in 0..4 {
        let call = Call::Accounts(AccountsCall::RegisterOfficial {
            public_key: key(60 + nonce as u8).public_key().clone(),
            agency: AgencyId::new("building-authority").unwrap(),
            roles: vec![Role::new("inspector").unwrap()],
        });
        let tx = net.sign(other, nonce, call);
        net.submit(&tx).unwrap_or_else(|e| panic!("the other agency's administrator was refused: {e}"));
    }
    assert_eq!(net.mempool_len(), 8);
    // And an agency's own administrator gets through a flood by its own officials: a clerk's transaction
    // leaves for it.
    let mut net = Net::with_config(|c| c.mempool.txs_max = 8);
    let clerks: Vec<Keypair> = (20..24).map(key).collect();
    for clerk in &clerks {
        net.register_official(clerk, &["clerk"]);
    }
    for (i, clerk) in clerks.iter().enumerate() {
        net.submit(&net.sign(clerk, 0, rotation(&net.chain_id, &clerk.address(), 0, &key(40 + i as u8)))).unwrap();
    }
    let call = Call::Accounts(AccountsCall::RegisterOfficial {
        public_key: key(70).public_key().clone(),
        agency: agency(),
        roles: vec![Role::new("clerk").unwrap()],
    });
    let next = net.next_nonce(&net.admin);
    net.submit(&net.sign(&net.admin, next, call)).unwrap();
    assert_eq!(net.mempool_len(), 4);
}

/// Executing pending transactions again after a commit is bounded by time (`revalidate_ms_max`), not only by
/// their number, and runs off the commit path: heavy transactions are not all executed again at every height.
#[test]
fn revalidation_after_a_commit_stops_at_its_time_budget() {
    let mut net = Net::with_config(|c| {
        c.mempool.revalidate_ms_max = 1;
        c.block.txs_max = 1;
    });
    let clerks: Vec<Keypair> = (10..26).map(key).collect();
    for clerk in &clerks {
        net.register_official(clerk, &["clerk"]);
    }
    // Sixteen clerks, each with a pending key rotation held without its run's writes (as after a commit that
    // touched what the runs read): after the next commit every run must be executed, signature checks included.
    let class = crate::mempool::SenderClass { priority: crate::mempool::Priority::Official, agency: Some(agency()) };
    for (i, clerk) in clerks.iter().enumerate() {
        let tx = net.sign(clerk, 0, rotation(&net.chain_id, &clerk.address(), 0, &key(150 + i as u8)));
        let len = tx.encode().len();
        net.node.mempool.lock().insert(tx, len, class.clone(), 0).unwrap();
    }
    let before = net.node.metrics.revalidated_txs.get();
    let block = net.commit_block();
    assert!(net.node.wait_revalidated(block.header.height, std::time::Duration::from_secs(30)));
    let executed = net.node.metrics.revalidated_txs.get() - before;
    // A run of one key rotation (with its signature checks) takes far more than a fifteenth of a millisecond,
    // so a 1 ms budget ends the pass long before the fifteen runs left.
    assert!((1..15).contains(&executed), "{executed} pending transactions were executed again");
}

/// A commit that wrote nothing a sender's pending run read or wrote leaves the run valid: it is carried to the
/// new height without being executed again. One that did is executed again, and a transaction it made invalid
/// is dropped.
#[test]
fn pending_runs_a_commit_did_not_touch_are_carried_and_the_others_executed_again() {
    let mut net = Net::with_config(|c| c.block.txs_max = 1);
    let clerks: Vec<Keypair> = (10..18).map(key).collect();
    for official in &clerks {
        net.register_official(official, &["clerk"]);
    }
    // Eight clerks, each with a pending key rotation; a block takes one.
    let rotations: Vec<Transaction> = clerks
        .iter()
        .enumerate()
        .map(|(i, c)| net.sign(c, 0, rotation(&net.chain_id, &c.address(), 0, &key(150 + i as u8))))
        .collect();
    for tx in &rotations {
        net.submit(tx).unwrap();
    }
    let (carried, executed) = (net.node.metrics.carried_overlays.get(), net.node.metrics.revalidated_txs.get());
    let block = net.commit_block();
    assert!(net.node.wait_revalidated(block.header.height, std::time::Duration::from_secs(30)));
    assert_eq!(net.node.metrics.carried_overlays.get() - carried, 7, "the seven runs the block did not touch");
    assert_eq!(net.node.metrics.revalidated_txs.get() - executed, 0);
    // A suspension of a clerk whose rotation is still pending writes the account that run read: the run is
    // executed again, and the rotation of a suspended account is dropped.
    let victim = (0..clerks.len())
        .find(|&i| matches!(net.node.tx_status(&rotations[i].id()), TxStatus::Pending))
        .expect("seven rotations are pending");
    let next = net.next_nonce(&net.admin);
    let call = Call::Accounts(AccountsCall::SetActive { account: clerks[victim].address(), active: false });
    let suspend = net.sign(&net.admin, next, call);
    net.submit(&suspend).unwrap();
    for _ in 0..10 {
        let block = net.commit_block();
        assert!(net.node.wait_revalidated(block.header.height, std::time::Duration::from_secs(30)));
        if block.txs.iter().any(|tx| tx.id() == suspend.id()) {
            break;
        }
    }
    assert!(matches!(net.node.tx_status(&suspend.id()), TxStatus::Committed { .. }));
    let status = net.node.tx_status(&rotations[victim].id());
    assert!(
        !matches!(status, TxStatus::Pending | TxStatus::Committed { .. }),
        "the pending rotation of a suspended clerk must be dropped: {status:?}"
    );
}
