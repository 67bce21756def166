//! Tests of execution and, through it, of the accounts module's rules.

mod anonymous;
mod codes;
mod contracts;
mod did;
mod identity;
mod set_change;

use std::collections::BTreeMap;

use publica_accounts::call::{rotate_key_message, ROTATE_KEY_TAG};
use publica_execution::*;
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_notary::call::MAX_ANCHOR_HASHES;
use publica_testkit::keypair;
use publica_tx::*;
use publica_types::*;

/// The committed state of a test chain: a map and its tree, advanced block by block.
struct Chain {
    state: BTreeMap<Vec<u8>, Vec<u8>>,
    tree: StateTree,
    height: u64,
    anchors: Anchors,
    /// Every log entry so far, in order.
    log: Vec<Vec<u8>>,
}

/// The notary log's index, as the node keeps it beside the state.
#[derive(Default)]
struct Anchors(std::collections::HashMap<Hash, u64>);

impl AnchorIndex for Anchors {
    fn lookup(&self, hash: &Hash) -> Option<u64> {
        self.0.get(hash).copied()
    }
}

impl StateRead for Chain {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.state.get(key).cloned()
    }
}

fn chain_id() -> ChainId {
    "exec-test".parse().unwrap()
}

fn genesis() -> Genesis {
    let agency = |id: &str, citizens: bool, roles: &[&str]| GenesisAgency {
        id: id.parse().unwrap(),
        name: id.to_owned(),
        can_register_citizens: citizens,
        roles: roles.iter().map(|r| r.parse().unwrap()).collect(),
        admins: vec![GenesisAccount { public_key: keypair(&format!("admin-{id}")).public_key().clone() }],
    };
    let v = keypair("validator");
    Genesis {
        chain_id: chain_id(),
        genesis_time_ms: 0,
        agencies: vec![
            agency("civil", true, &["citizen-registrar", "clerk"]),
            // Land may grant citizen-registrar, but may not register citizens: the two checks are separate.
            agency("land", false, &["registrar", "notary", "clerk", "citizen-registrar"]),
        ],
        validators: ValidatorSet::new(vec![Validator::from_keypair(&v, 1)]).unwrap(),
    }
}

impl Chain {
    fn new() -> Self {
        Chain::with_genesis(&genesis())
    }

    fn with_genesis(genesis: &Genesis) -> Self {
        let outcome = genesis_state(genesis);
        let state = outcome.changes.into_iter().map(|(k, v)| (k, v.unwrap())).collect();
        Chain { state, tree: outcome.tree, height: 0, anchors: Anchors::default(), log: Vec::new() }
    }

    fn env(&self) -> BlockEnv {
        BlockEnv { chain_id: chain_id(), height: self.height + 1, time_ms: 1_000 * (self.height + 1) }
    }

    /// Propose a block of `txs`, commit what was included, return the refusals.
    fn propose(&mut self, txs: Vec<Transaction>) -> Vec<(TxId, TxError)> {
        let outcome =
            execute_block(self, &self.tree, &self.anchors, &self.env(), txs, Mode::Propose, &VerifyEveryTime).unwrap();
        self.apply(&outcome);
        outcome.rejected
    }

    fn apply(&mut self, outcome: &Outcome) {
        for (k, v) in &outcome.changes {
            match v {
                Some(v) => self.state.insert(k.clone(), v.clone()),
                None => self.state.remove(k),
            };
        }
        self.tree = outcome.tree.clone();
        self.height += 1;
        assert_eq!(outcome.log.first_index, self.log.len() as u64);
        for (i, h) in outcome.log.document_hashes.iter().enumerate() {
            self.anchors.0.insert(*h, outcome.log.first_index + i as u64);
        }
        self.log.extend(outcome.log.entries.iter().cloned());
        // The tree must agree with a tree built from scratch over the map: check it after every block.
        let mut fresh = StateTree::new();
        fresh.apply(self.state.iter().map(|(k, v)| (key_hash(k), Some(value_hash(v)))).collect());
        assert_eq!(fresh.root(), self.tree.root());
    }

    fn nonce(&self, k: &Keypair) -> u64 {
        publica_accounts::next_nonce(self, &k.public_key().address())
    }

    fn tx(&self, k: &Keypair, call: AccountsCall) -> Transaction {
        self.tx_with_nonce(k, self.nonce(k), call)
    }

    fn tx_with_nonce(&self, k: &Keypair, nonce: u64, call: AccountsCall) -> Transaction {
        self.call_with_nonce(k, nonce, Call::Accounts(call))
    }

    fn call_with_nonce(&self, k: &Keypair, nonce: u64, call: Call) -> Transaction {
        TxBody { chain_id: chain_id(), sender: k.public_key().address(), nonce, expires_at_ms: 1_000_000, call }.sign(k)
    }

    fn anchor(&self, k: &Keypair, hashes: Vec<Hash>, label: Option<&str>) -> Transaction {
        let call = Call::Notary(NotaryCall::Anchor { hashes, label: label.map(str::to_owned) });
        self.call_with_nonce(k, self.nonce(k), call)
    }

    /// Run one transaction alone and return its refusal, if any.
    fn run(&mut self, tx: Transaction) -> Option<TxError> {
        self.propose(vec![tx]).pop().map(|(_, e)| e)
    }
}

fn register_official(name: &str, agency: &str, roles: &[&str]) -> AccountsCall {
    AccountsCall::RegisterOfficial {
        public_key: keypair(name).public_key().clone(),
        agency: agency.parse().unwrap(),
        roles: roles.iter().map(|r| r.parse().unwrap()).collect(),
    }
}

fn code(e: Option<TxError>) -> Option<Code> {
    e.map(|e| e.code)
}

#[test]
fn genesis_writes_agencies_admins_and_validators() {
    let chain = Chain::new();
    let admin = publica_accounts::account(&chain, &keypair("admin-civil").public_key().address()).unwrap();
    assert!(admin.has_role(Role::ADMIN));
    assert!(publica_accounts::agency(&chain, &"land".parse().unwrap()).is_some());
    assert_eq!(validator_set(&chain).unwrap(), genesis().validators);
}

#[test]
fn an_administrator_registers_officials_of_its_own_agency_only() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    assert_eq!(chain.run(chain.tx(&admin, register_official("clerk", "civil", &["citizen-registrar"]))), None);
    let clerk = publica_accounts::account(&chain, &keypair("clerk").public_key().address()).unwrap();
    assert!(clerk.has_role("citizen-registrar"));
    assert_eq!(clerk.created_at_height, 1);
    // Another agency's officials are out of reach.
    assert_eq!(
        code(chain.run(chain.tx(&admin, register_official("x", "land", &["registrar"])))),
        Some(publica_accounts::error::OFFICIAL_OF_OTHER_AGENCY_REGISTERED)
    );
    // An official without the admin role cannot register anyone.
    let clerk = keypair("clerk");
    assert_eq!(
        code(chain.run(chain.tx(&clerk, register_official("y", "civil", &["clerk"])))),
        Some(ErrorCode::MissingRole.into())
    );
    // A key backs one account.
    assert_eq!(
        code(chain.run(chain.tx(&admin, register_official("clerk", "civil", &["clerk"])))),
        Some(ErrorCode::AccountExists.into())
    );
    // Role lists are checked.
    assert_eq!(
        code(chain.run(chain.tx(&admin, register_official("z", "civil", &[])))),
        Some(publica_accounts::error::ROLE_COUNT_OUT_OF_RANGE)
    );
    assert_eq!(
        code(chain.run(chain.tx(&admin, register_official("z", "civil", &["a", "a"])))),
        Some(publica_accounts::error::ROLE_REPEATED)
    );
}

#[test]
fn an_administrator_grants_only_the_roles_its_agency_may_grant() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    // The civil registry grants citizen-registrar and clerk: an administrator minting a registrar or a notary (the
    // land-theft attack: roles named like another agency's) is refused, and nothing is written.
    for roles in [&["registrar"][..], &["clerk", "notary"], &["court", "registrar", "probate-court"]] {
        let e = chain.run(chain.tx(&admin, register_official("minted", "civil", roles))).expect("refused");
        assert_eq!(e.code, publica_accounts::error::ROLE_NOT_GRANTABLE, "{e}");
        assert!(e.message.contains("may not grant"), "{e}");
        assert!(publica_accounts::account(&chain, &keypair("minted").public_key().address()).is_none());
    }
    // Nor by replacing the roles of an official it already has.
    assert_eq!(chain.run(chain.tx(&admin, register_official("clerk", "civil", &["clerk"]))), None);
    let clerk = keypair("clerk").public_key().address();
    let set = |roles: &[&str]| AccountsCall::SetRoles {
        account: clerk,
        roles: roles.iter().map(|r| r.parse().unwrap()).collect(),
    };
    assert_eq!(
        code(chain.run(chain.tx(&admin, set(&["clerk", "notary"])))),
        Some(publica_accounts::error::ROLE_NOT_GRANTABLE)
    );
    assert_eq!(
        publica_accounts::account(&chain, &clerk).unwrap().kind,
        publica_accounts::AccountKind::Official {
            agency: "civil".parse().unwrap(),
            roles: vec!["clerk".parse().unwrap()],
        }
    );
    // What the agency grants is granted, admin included.
    assert_eq!(chain.run(chain.tx(&admin, set(&["clerk", "citizen-registrar", "admin"]))), None);
}

#[test]
fn citizens_are_registered_by_a_citizen_registrar_of_an_authorised_agency() {
    let mut chain = Chain::new();
    chain.run(chain.tx(&keypair("admin-civil"), register_official("clerk", "civil", &["citizen-registrar"])));
    chain.run(chain.tx(&keypair("admin-land"), register_official("land-clerk", "land", &["citizen-registrar"])));
    let citizen = |name: &str, c: u8| AccountsCall::RegisterCitizen {
        public_key: keypair(name).public_key().clone(),
        id_commitment: [c; 32],
    };
    assert_eq!(chain.run(chain.tx(&keypair("clerk"), citizen("ada", 1))), None);
    // The same national identifier commitment cannot back two accounts.
    assert_eq!(
        code(chain.run(chain.tx(&keypair("clerk"), citizen("bob", 1)))),
        Some(publica_accounts::error::ID_COMMITMENT_REGISTERED)
    );
    // The land registry may not register citizens, whatever roles its officials hold.
    assert_eq!(
        code(chain.run(chain.tx(&keypair("land-clerk"), citizen("bob", 2)))),
        Some(publica_accounts::error::CITIZEN_REGISTRATION_NOT_ALLOWED)
    );
    // A citizen cannot register another.
    assert_eq!(code(chain.run(chain.tx(&keypair("ada"), citizen("carl", 3)))), Some(ErrorCode::MissingRole.into()));
}

#[test]
fn roles_and_suspension_are_managed_by_the_administrator() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    chain.run(chain.tx(&admin, register_official("clerk", "civil", &["clerk"])));
    let clerk_addr = keypair("clerk").public_key().address();
    let set_roles = |roles: &[&str]| AccountsCall::SetRoles {
        account: clerk_addr,
        roles: roles.iter().map(|r| r.parse().unwrap()).collect(),
    };
    assert_eq!(chain.run(chain.tx(&admin, set_roles(&["citizen-registrar"]))), None);
    assert!(publica_accounts::account(&chain, &clerk_addr).unwrap().has_role("citizen-registrar"));
    // Suspended accounts cannot send anything.
    assert_eq!(chain.run(chain.tx(&admin, AccountsCall::SetActive { account: clerk_addr, active: false })), None);
    let c = AccountsCall::RegisterCitizen { public_key: keypair("ada").public_key().clone(), id_commitment: [1; 32] };
    assert_eq!(code(chain.run(chain.tx(&keypair("clerk"), c.clone()))), Some(ErrorCode::AccountInactive.into()));
    assert_eq!(chain.run(chain.tx(&admin, AccountsCall::SetActive { account: clerk_addr, active: true })), None);
    assert_eq!(chain.run(chain.tx(&keypair("clerk"), c)), None);
    // An administrator cannot demote or suspend itself.
    let me = admin.public_key().address();
    assert_eq!(
        code(
            chain.run(chain.tx(&admin, AccountsCall::SetRoles { account: me, roles: vec!["clerk".parse().unwrap()] }))
        ),
        Some(publica_accounts::error::OWN_ADMIN_ROLE_REMOVED)
    );
    assert_eq!(
        code(chain.run(chain.tx(&admin, AccountsCall::SetActive { account: me, active: false }))),
        Some(publica_accounts::error::OWN_ACCOUNT_SUSPENDED)
    );
}

#[test]
fn key_rotation_needs_proof_of_possession_and_changes_the_signer() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    let account = admin.public_key().address();
    let new = keypair("admin-civil-2");
    let nonce = chain.nonce(&admin);
    let message = signing_message(ROTATE_KEY_TAG, chain_id().as_str(), &rotate_key_message(&account, nonce));
    // A proof signed by the wrong key, or for another nonce, is refused.
    let wrong = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: admin.sign(&message) };
    assert_eq!(code(chain.run(chain.tx(&admin, wrong))), Some(publica_accounts::error::KEY_POSSESSION_INVALID));
    let stale = signing_message(ROTATE_KEY_TAG, chain_id().as_str(), &rotate_key_message(&account, nonce + 1));
    let replayed = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&stale) };
    assert_eq!(code(chain.run(chain.tx(&admin, replayed))), Some(publica_accounts::error::KEY_POSSESSION_INVALID));
    let good = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&message) };
    assert_eq!(chain.run(chain.tx(&admin, good)), None);
    // The old key no longer signs for the account; the new one does, under the same address.
    let call = register_official("clerk", "civil", &["clerk"]);
    let old_signed = chain.tx_with_nonce(&admin, nonce + 1, call.clone());
    assert_eq!(code(chain.run(old_signed)), Some(ErrorCode::BadSignature.into()));
    let mut body = chain.tx_with_nonce(&admin, nonce + 1, call).body;
    body.sender = account;
    assert_eq!(chain.run(body.sign(&new)), None);
}

#[test]
fn every_admission_rule_refuses_with_its_code_and_changes_nothing() {
    let chain = Chain::new();
    let admin = keypair("admin-civil");
    let call = register_official("clerk", "civil", &["clerk"]);
    let root = chain.tree.root();
    let mut wrong_chain = chain.tx(&admin, call.clone()).body;
    wrong_chain.chain_id = "elsewhere".parse().unwrap();
    let mut expired = chain.tx(&admin, call.clone()).body;
    expired.expires_at_ms = 0;
    let stranger = keypair("nobody");
    let mut bad_ml_dsa = chain.tx(&admin, call.clone());
    let mut sig = bad_ml_dsa.signature.to_bytes();
    sig[10] ^= 1;
    bad_ml_dsa.signature = Signature::from_bytes(&sig).unwrap();
    let mut bad_ed = chain.tx(&admin, call.clone());
    let mut sig = bad_ed.signature.to_bytes();
    let last = sig.len() - 5;
    sig[last] ^= 1;
    bad_ed.signature = Signature::from_bytes(&sig).unwrap();
    let cases = vec![
        (wrong_chain.sign(&admin), ErrorCode::WrongChain),
        (expired.sign(&admin), ErrorCode::Expired),
        (chain.tx(&stranger, call.clone()), ErrorCode::UnknownSender),
        (chain.tx_with_nonce(&admin, 5, call.clone()), ErrorCode::BadNonce),
        (bad_ml_dsa, ErrorCode::BadSignature),
        (bad_ed, ErrorCode::BadSignature),
    ];
    for (tx, expected) in cases {
        let outcome = execute_block(
            &chain,
            &chain.tree,
            &EmptyIndex,
            &chain.env(),
            vec![tx.clone()],
            Mode::Propose,
            &VerifyEveryTime,
        )
        .unwrap();
        assert_eq!(outcome.rejected.len(), 1);
        assert_eq!(outcome.rejected[0].1.code, expected, "{}", outcome.rejected[0].1);
        assert!(outcome.changes.is_empty());
        assert_eq!(outcome.state_root(), root);
        // A validator refuses a block that holds such a transaction.
        let err =
            execute_block(&chain, &chain.tree, &EmptyIndex, &chain.env(), vec![tx], Mode::Validate, &VerifyEveryTime)
                .unwrap_err();
        assert_eq!(err.error.code, expected);
    }
}

#[test]
fn a_replayed_transaction_fails_after_the_first_commits() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    let tx = chain.tx(&admin, register_official("clerk", "civil", &["clerk"]));
    assert_eq!(chain.run(tx.clone()), None);
    assert_eq!(code(chain.run(tx.clone())), Some(ErrorCode::BadNonce.into()));
    // Within one block, too: the second copy is dropped.
    let tx2 = chain.tx(&admin, register_official("clerk2", "civil", &["clerk"]));
    let refused = chain.propose(vec![tx2.clone(), tx2]);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].1.code, ErrorCode::BadNonce);
}

#[test]
fn proposer_and_validator_compute_the_same_state_root() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    let txs: Vec<Transaction> = (0..20)
        .map(|i| chain.tx_with_nonce(&admin, i, register_official(&format!("o{i}"), "civil", &["clerk"])))
        .collect();
    // One of them fails (bad role list) and is dropped by the proposer.
    let mut with_bad = txs.clone();
    with_bad.insert(5, chain.tx_with_nonce(&admin, 5, register_official("bad", "civil", &[])));
    let proposed =
        execute_block(&chain, &chain.tree, &EmptyIndex, &chain.env(), with_bad, Mode::Propose, &VerifyEveryTime)
            .unwrap();
    assert_eq!(proposed.rejected.len(), 1);
    assert_eq!(proposed.included.len(), 20);
    // The hashes execution hands back are the ones the header's tx_root is made of.
    assert_eq!(
        publica_types::block::tx_root_of_hashes(&proposed.included_hashes),
        publica_tx::tx_root(&proposed.included)
    );
    let validated = execute_block(
        &chain,
        &chain.tree,
        &EmptyIndex,
        &chain.env(),
        proposed.included.clone(),
        Mode::Validate,
        &VerifyEveryTime,
    )
    .unwrap();
    assert_eq!(validated.state_root(), proposed.state_root());
    assert_eq!(validated.changes, proposed.changes);
    // One outcome per included transaction, the same on both sides: each registration reports its account.
    assert_eq!(validated.outcomes, proposed.outcomes);
    let accounts: Vec<TxOutcome> = proposed
        .included
        .iter()
        .map(|tx| match &tx.body.call {
            Call::Accounts(AccountsCall::RegisterOfficial { public_key, .. }) => {
                TxOutcome::Account { address: public_key.address() }
            }
            _ => unreachable!("only registrations"),
        })
        .collect();
    assert_eq!(proposed.outcomes, accounts);
    chain.apply(&validated);
    assert_eq!(chain.nonce(&admin), 20);
}

#[test]
fn a_rotated_in_key_cannot_back_a_second_account() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    let account = admin.public_key().address();
    let new = keypair("fresh-key");
    let nonce = chain.nonce(&admin);
    let message = signing_message(ROTATE_KEY_TAG, chain_id().as_str(), &rotate_key_message(&account, nonce));
    let rotate = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&message) };
    assert_eq!(chain.run(chain.tx(&admin, rotate)), None);
    // Registering an official with the key the administrator now signs with is refused.
    let mut body = chain.tx_with_nonce(&admin, nonce + 1, register_official("fresh-key", "civil", &["clerk"])).body;
    body.sender = account;
    assert_eq!(code(chain.run(body.sign(&new))), Some(ErrorCode::AccountExists.into()));
}

#[test]
fn later_transactions_of_a_sender_whose_transaction_failed_say_why() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    let bad = chain.tx_with_nonce(&admin, 0, register_official("x", "civil", &[]));
    let after = chain.tx_with_nonce(&admin, 1, register_official("y", "civil", &["clerk"]));
    let refused = chain.propose(vec![bad, after]);
    assert_eq!(refused.len(), 2);
    assert_eq!(refused[0].1.code, publica_accounts::error::ROLE_COUNT_OUT_OF_RANGE);
    assert_eq!(refused[1].1.code, ErrorCode::BadNonce);
    assert!(refused[1].1.message.contains("nonce 0 failed earlier"), "{}", refused[1].1.message);
    assert_eq!(chain.nonce(&admin), 0);
}

#[test]
fn notaries_anchor_hashes_and_a_repeated_hash_keeps_its_first_entry() {
    let mut chain = Chain::new();
    let admin = keypair("admin-land");
    let notary = keypair("notary");
    let clerk = keypair("clerk");
    assert_eq!(chain.run(chain.tx(&admin, register_official("notary", "land", &[Role::NOTARY]))), None);
    assert_eq!(chain.run(chain.tx(&admin, register_official("clerk", "land", &["clerk"]))), None);

    // Without the role, too many hashes, none, or a bad label: refused, and the log does not move.
    assert_eq!(code(chain.run(chain.anchor(&clerk, vec![[1; 32]], None))), Some(ErrorCode::MissingRole.into()));
    let too_many = vec![[1; 32]; MAX_ANCHOR_HASHES + 1];
    assert_eq!(
        code(chain.run(chain.anchor(&notary, too_many, None))),
        Some(publica_notary::error::ANCHOR_HASH_COUNT_OUT_OF_RANGE)
    );
    assert_eq!(
        code(chain.run(chain.anchor(&notary, vec![], None))),
        Some(publica_notary::error::ANCHOR_HASH_COUNT_OUT_OF_RANGE)
    );
    assert_eq!(
        code(chain.run(chain.anchor(&notary, vec![[1; 32]], Some("two\nlines")))),
        Some(publica_notary::error::ANCHOR_LABEL_INVALID)
    );
    assert_eq!(
        code(chain.run(chain.anchor(&notary, vec![[1; 32]], Some(&"x".repeat(129))))),
        Some(publica_notary::error::ANCHOR_LABEL_INVALID)
    );
    assert!(chain.log.is_empty());
    assert!(chain.get(publica_notary::LOG_STATE_KEY).is_none());

    // Two transactions in one block, sharing a hash, then the same hash again in a later block.
    let first = chain.anchor(&notary, vec![[1; 32], [2; 32], [1; 32]], Some("deeds"));
    let second = chain.call_with_nonce(
        &notary,
        chain.nonce(&notary) + 1,
        Call::Notary(NotaryCall::Anchor { hashes: vec![[2; 32], [3; 32]], label: None }),
    );
    assert!(chain.propose(vec![first, second]).is_empty());
    assert_eq!(chain.log.len(), 3);
    assert_eq!(chain.run(chain.anchor(&notary, vec![[3; 32], [4; 32]], None)), None);
    assert_eq!(chain.log.len(), 4);
    let entries: Vec<publica_notary::Entry> =
        chain.log.iter().map(|e| publica_notary::Entry::from_bytes(e).unwrap()).collect();
    assert_eq!(entries.iter().map(|e| e.hash[0]).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(entries[0].label.as_deref(), Some("deeds"));
    assert_eq!(entries[0].agency.as_str(), "land");
    assert_eq!(entries[0].account, notary.public_key().address());
    assert_eq!(entries[3].height, entries[0].height + 1);
    // The state commits to the log: its frontier's root is the RFC 9162 root of all entries.
    let frontier = publica_notary::log_frontier(&chain);
    let leaves: Vec<Hash> = chain.log.iter().map(|e| publica_merkle::log::leaf_hash(e)).collect();
    assert_eq!((frontier.size(), frontier.root()), (4, publica_merkle::log::root(&leaves)));
}

fn with_evidence(chain: &Chain, evidence: &[Misbehavior], mode: Mode) -> Result<Outcome, BlockError> {
    execute_block_with_evidence(
        chain,
        &chain.tree,
        &chain.anchors,
        &chain.env(),
        vec![],
        evidence,
        mode,
        &VerifyEveryTime,
    )
}

/// Two conflicting prevotes of `v` at `(height, round)`.
fn double_prevote(v: &Keypair, height: u64, round: u32) -> Misbehavior {
    let vote = |block: u8| {
        let vote =
            VoteBody { height, round, kind: VoteKind::Prevote, block_hash: Some([block; 32]), validator: v.address() };
        SignedVote { signature: v.sign(&vote.signing_bytes(&chain_id())), vote }
    };
    Misbehavior::double_vote(vote(1), vote(2)).unwrap()
}

#[test]
fn evidence_is_recorded_after_the_transactions_once_per_offence_and_changes_the_root() {
    let mut chain = Chain::new();
    let v = keypair("validator");
    let offence = double_prevote(&v, 1, 0);
    let other = double_prevote(&v, 2, 1);

    let without =
        execute_block(&chain, &chain.tree, &chain.anchors, &chain.env(), vec![], Mode::Validate, &VerifyEveryTime)
            .unwrap();
    let with = with_evidence(&chain, &[offence.clone(), other.clone()], Mode::Validate).unwrap();
    assert_ne!(with.state_root(), without.state_root(), "the state root commits to the recorded evidence");
    assert_eq!(with.changes.get(&offence.state_key()), Some(&Some(offence.encode())));
    assert_eq!(with.changes.get(&evidence::evidence_index_key(1)), Some(&Some(other.state_key())));
    assert_eq!(with.evidence, vec![offence.clone(), other.clone()]);
    chain.apply(&with);
    assert_eq!(evidence::evidence_count(&chain), 2);

    // The same offence again (even another pair, of another round, proving an offence at that height) makes a
    // block invalid, and a proposer leaves it out: nothing changes.
    let again = double_prevote(&v, 1, 5);
    match with_evidence(&chain, std::slice::from_ref(&again), Mode::Validate) {
        Err(BlockError::Evidence { index: 0, reason }) => assert!(reason.contains("already recorded"), "{reason}"),
        other => panic!("a second offence at one height was accepted: {other:?}"),
    }
    let proposed = with_evidence(&chain, &[again], Mode::Propose).unwrap();
    assert!(proposed.evidence.is_empty());
    assert!(proposed.changes.keys().all(|k| !k.starts_with(b"sys/evidence")), "{:?}", proposed.changes.keys());
}

/// Every validator applies the cap in execution: a block recording one offence too many against a validator is
/// invalid, so a Byzantine proposer cannot keep adding evidence against itself to the permanent state.
#[test]
fn execution_refuses_evidence_beyond_the_cap_per_validator() {
    let mut chain = Chain::new();
    let v = keypair("validator");
    let w = keypair("another validator");
    let mut height = 1;
    while evidence::evidence_count_of(&chain, &v.address()) < MAX_EVIDENCE_PER_VALIDATOR {
        let batch: Vec<Misbehavior> =
            (0..MAX_BLOCK_EVIDENCE as u64).map(|i| double_prevote(&v, height + i, 0)).collect();
        height += MAX_BLOCK_EVIDENCE as u64;
        let outcome = with_evidence(&chain, &batch, Mode::Validate).unwrap();
        chain.apply(&outcome);
    }
    let over = double_prevote(&v, height, 0);
    match with_evidence(&chain, &[over], Mode::Validate) {
        Err(BlockError::Evidence { reason, .. }) => assert!(reason.contains("the most kept per validator"), "{reason}"),
        other => panic!("an offence beyond the cap was accepted: {other:?}"),
    }
    // Within one block too, the pieces are counted one after the other: with one record left under the cap, a
    // block with two is invalid, and a proposer records the first and leaves out the second.
    let mut fresh = Chain::new();
    let almost: Vec<Misbehavior> = (1..MAX_EVIDENCE_PER_VALIDATOR).map(|h| double_prevote(&w, h, 0)).collect();
    let outcome = with_evidence(&fresh, &almost, Mode::Validate).unwrap();
    fresh.apply(&outcome);
    let two = [double_prevote(&w, 100, 0), double_prevote(&w, 101, 0)];
    match with_evidence(&fresh, &two, Mode::Validate) {
        Err(BlockError::Evidence { index: 1, .. }) => {}
        other => panic!("the piece over the cap was accepted: {other:?}"),
    }
    let proposed = with_evidence(&fresh, &two, Mode::Propose).unwrap();
    assert_eq!(proposed.evidence, vec![two[0].clone()]);
}
