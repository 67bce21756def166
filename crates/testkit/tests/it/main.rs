//! The kits do what the module tests rely on: accounts the accounts module accepts, a state that compares and
//! lists its keys, deterministic signers, contexts with the fields asked for.

use publica_accounts::schema::commitment_key;
use publica_accounts::AccountKind;
use publica_testkit::{context, keypair, keypairs, validator_set, Accounts, MemoryState, TEST_CHAIN_ID};
use publica_types::{Address, StateRead, StateWrite, TxId};

#[test]
fn accounts_are_read_back_by_the_accounts_module() {
    let mut state = MemoryState::new();
    let mut accounts = Accounts::new(&mut state);
    accounts.agency("land", &["registrar"]).agency_registering_citizens("civil", &["citizen-registrar"]);
    let registrar = accounts.official("registrar", "land", &["registrar"]);
    let minted = accounts.official("minted", "land", &["court"]);
    let alice = accounts.citizen("alice", "civil");

    assert_eq!(registrar, keypair("registrar").address());
    assert!(publica_accounts::require_role(&state, &registrar, "registrar").is_ok());
    let refused = publica_accounts::require_role(&state, &minted, "court").unwrap_err();
    assert_eq!(refused.code, publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY);
    assert!(publica_accounts::agency(&state, &"civil".parse().unwrap()).unwrap().can_register_citizens);
    assert!(!publica_accounts::agency(&state, &"land".parse().unwrap()).unwrap().can_register_citizens);
    let citizen = publica_accounts::account(&state, &alice).unwrap();
    let AccountKind::Citizen { id_commitment, .. } = citizen.kind else { panic!("{citizen:?}") };
    assert_eq!(state.get(&commitment_key(&id_commitment)), Some(alice.0.to_vec()));
}

#[test]
fn the_memory_state_compares_counts_and_lists_by_prefix() {
    let mut state = MemoryState::new();
    assert!(state.is_empty());
    state.put(b"a/1".to_vec(), vec![1]);
    state.put(b"a/2".to_vec(), vec![2]);
    state.put(b"b/1".to_vec(), vec![3]);
    let before = state.clone();
    state.put(b"c".to_vec(), vec![]);
    assert_ne!(state, before);
    state.delete(b"c".to_vec());
    assert_eq!(state, before);
    assert_eq!(state.len(), 3);
    assert_eq!(state.keys_with_prefix(b"a/").collect::<Vec<_>>(), vec![b"a/1".as_slice(), b"a/2"]);
    assert_eq!(state.iter().map(|(_, v)| v[0]).collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[test]
fn signers_and_contexts_are_deterministic() {
    assert_eq!(keypair("alice").address(), keypair("alice").address());
    assert_ne!(keypair("alice").address(), keypair("bob").address());
    let keys = keypairs("validator", 3);
    assert_eq!(keys[2].address(), keypair("validator-2").address());
    assert_eq!(validator_set(&keys).total_power(), 3);

    let sender = Address([7; 20]);
    let ctx = context(sender).block(5, 9_000).nonce(2).tx_id(TxId([1; 32])).build();
    assert_eq!((ctx.sender, ctx.height, ctx.time_ms, ctx.nonce, ctx.tx_id), (sender, 5, 9_000, 2, TxId([1; 32])));
    assert_eq!(ctx.chain_id.as_str(), TEST_CHAIN_ID);
    let other = context(sender).chain(&"other".parse().unwrap()).build();
    assert_eq!(other.chain_id.as_str(), "other");
}
