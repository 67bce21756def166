//! The accounts module's key history and the DID documents built from it, through execution.

use publica_accounts::call::{rotate_key_message, AccountsCall, ROTATE_KEY_TAG};
use publica_accounts::did::{Did, Jwk, VersionQuery, VersionState};
use publica_accounts::query::{did_version, retired_count, retired_key};
use publica_accounts::schema::{account_key, retired_count_key, retired_key_key};
use publica_testkit::keypair;
use publica_tx::Transaction;
use publica_types::{signing_message, Address, Keypair, PublicKeyBytes, StateRead};

use crate::{chain_id, register_official, Chain};

/// A transaction of `account`, signed by its current key `signer`.
fn signed_for(chain: &Chain, account: Address, signer: &Keypair, call: AccountsCall) -> Transaction {
    let nonce = publica_accounts::next_nonce(chain, &account);
    let mut body = chain.tx_with_nonce(signer, nonce, call).body;
    body.sender = account;
    body.sign(signer)
}

/// Rotate `account`'s key from `old` to `new`; returns the height of the block that did it.
fn rotate(chain: &mut Chain, account: Address, old: &Keypair, new: &Keypair) -> u64 {
    let nonce = publica_accounts::next_nonce(chain, &account);
    let message = signing_message(ROTATE_KEY_TAG, chain_id().as_str(), &rotate_key_message(&account, nonce));
    let call = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: new.sign(&message) };
    let tx = signed_for(chain, account, old, call);
    assert_eq!(chain.run(tx), None);
    chain.height
}

fn version(chain: &Chain, account: &Address, query: VersionQuery) -> (VersionState, Vec<Vec<u8>>) {
    did_version(chain, account, query).expect("the account exists")
}

/// The key a version's document shows, from its two JWKs.
fn document_key(state: &VersionState, account: Address) -> Vec<u8> {
    use base64::Engine as _;
    let doc = state.document(&Did::new(chain_id(), account));
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap();
    let mut key = Vec::new();
    for method in &doc.verification_method {
        match &method.public_key_jwk {
            Jwk::Akp { alg, public } => {
                assert_eq!(alg, "ML-DSA-65");
                key.extend(b64(public));
            }
            Jwk::Okp { crv, x } => {
                assert_eq!(crv, "Ed25519");
                key.extend(b64(x));
            }
        }
    }
    key
}

#[test]
fn rotations_keep_every_retired_key_and_each_height_resolves_to_the_key_in_force() {
    let mut chain = Chain::new();
    let (first, second, third) = (keypair("admin-civil"), keypair("did-second"), keypair("did-third"));
    let account = first.public_key().address();
    // Some blocks before the first rotation, so that heights and versions differ.
    assert_eq!(chain.run(chain.tx(&first, register_official("clerk", "civil", &["clerk"]))), None);
    let r1 = rotate(&mut chain, account, &first, &second);
    let tx = signed_for(&chain, account, &second, register_official("clerk2", "civil", &["clerk"]));
    assert_eq!(chain.run(tx), None);
    let r2 = rotate(&mut chain, account, &second, &third);
    assert_eq!(retired_count(&chain, &account), 2);
    let k0 = retired_key(&chain, &account, 0).unwrap();
    let k1 = retired_key(&chain, &account, 1).unwrap();
    assert_eq!(
        (k0.public_key.clone(), k0.from_height, k0.from_ms, k0.until_height),
        (PublicKeyBytes::from(first.public_key()), 0, None, r1)
    );
    assert_eq!(
        (k1.public_key.clone(), k1.from_height, k1.from_ms, k1.until_height),
        (PublicKeyBytes::from(second.public_key()), r1, Some(k0.until_ms), r2)
    );
    assert!(k0.until_ms < k1.until_ms);

    let key_of = |k: &Keypair| PublicKeyBytes::from(k.public_key()).as_bytes().to_vec();
    for (query, expected, past) in [
        (VersionQuery::AtHeight(0), &first, true),
        (VersionQuery::AtHeight(r1 - 1), &first, true),
        (VersionQuery::AtHeight(r1), &second, true),
        (VersionQuery::AtHeight(r2 - 1), &second, true),
        (VersionQuery::AtHeight(r2), &third, false),
        (VersionQuery::AtHeight(r2 + 100), &third, false),
        (VersionQuery::AtTime(0), &first, true),
        (VersionQuery::AtTime(k0.until_ms - 1), &first, true),
        (VersionQuery::AtTime(k0.until_ms), &second, true),
        (VersionQuery::AtTime(k1.until_ms), &third, false),
        (VersionQuery::Latest, &third, false),
    ] {
        let (state, keys) = version(&chain, &account, query);
        state.check().unwrap();
        assert_eq!(state.past, past, "{query:?}");
        assert_eq!(document_key(&state, account), key_of(expected), "{query:?}");
        // The keys to prove: the record, the count, and exactly the one retired key the version needs.
        let entry = state.entry.as_ref().unwrap().0;
        assert_eq!(keys, vec![account_key(&account), retired_count_key(&account), retired_key_key(&account, entry)]);
        let meta = state.metadata();
        match query {
            VersionQuery::AtHeight(h) if past => {
                let (from, until): (u64, u64) =
                    (meta.version_id.parse().unwrap(), meta.next_version_id.unwrap().parse().unwrap());
                assert!(from <= h && h < until, "{query:?}: {from}..{until}");
            }
            _ if !past => assert_eq!(meta.version_id, r2.to_string()),
            _ => {}
        }
    }
    // The current version of an account that never rotated: no retired key to prove.
    let civil_clerk = keypair("clerk").public_key().address();
    let (state, keys) = version(&chain, &civil_clerk, VersionQuery::Latest);
    assert_eq!((state.retired, state.entry, keys.len()), (0, None, 2));
    // Before an account existed, no version.
    assert!(did_version(&chain, &civil_clerk, VersionQuery::AtHeight(0)).is_none());
}

#[test]
fn a_refused_rotation_leaves_no_history() {
    let mut chain = Chain::new();
    let admin = keypair("admin-civil");
    let account = admin.public_key().address();
    let nonce = chain.nonce(&admin);
    let message = signing_message(ROTATE_KEY_TAG, chain_id().as_str(), &rotate_key_message(&account, nonce));
    let new = keypair("did-new");
    // Possession signed by the old key: refused, and nothing is retired.
    let wrong = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession: admin.sign(&message) };
    assert!(chain.run(chain.tx(&admin, wrong)).is_some());
    assert_eq!(retired_count(&chain, &account), 0);
    assert!(chain.get(&retired_key_key(&account, 0)).is_none());
}

#[test]
fn inconsistent_version_states_are_refused() {
    let mut chain = Chain::new();
    let (first, second) = (keypair("admin-civil"), keypair("did-second"));
    let account = first.public_key().address();
    rotate(&mut chain, account, &first, &second);
    let (current, _) = version(&chain, &account, VersionQuery::Latest);
    let mut no_entry = current.clone();
    no_entry.entry = None;
    assert!(no_entry.check().unwrap_err().contains("retired 1 keys"));
    let mut past_without_entry = no_entry.clone();
    past_without_entry.past = true;
    assert!(past_without_entry.check().is_err());
    let mut beyond = current.clone();
    beyond.entry.as_mut().unwrap().0 = 1;
    assert!(beyond.check().unwrap_err().contains("retired only 1"));
}
