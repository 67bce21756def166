//! The identity module through execution: signed transactions in blocks, with the envelope's checks.

use publica_execution::*;
use publica_identity::call::{IdentityCall, MAX_STATUS_LIST_ENTRIES, MAX_STATUS_UPDATE_INDICES, STATUS_REVOKED};
use publica_identity::query;
use publica_testkit::keypair;
use publica_tx::*;
use publica_types::*;

use crate::Chain;

#[test]
fn a_status_update_of_ten_thousand_indices_fits_a_transaction_and_executes_in_a_block() {
    let mut chain = Chain::new();
    let issuer = keypair("admin-land");
    let owner = issuer.public_key().address();
    let create = Call::Identity(IdentityCall::CreateStatusList { bits: 1, capacity: MAX_STATUS_LIST_ENTRIES });
    let tx = chain.call_with_nonce(&issuer, chain.nonce(&issuer), create);
    let outcome =
        execute_block(&chain, &chain.tree, &chain.anchors, &chain.env(), vec![tx], Mode::Propose, &VerifyEveryTime)
            .unwrap();
    assert_eq!(outcome.outcomes, vec![TxOutcome::StatusList { number: 0 }]);
    chain.apply(&outcome);

    let step = MAX_STATUS_LIST_ENTRIES / MAX_STATUS_UPDATE_INDICES as u32;
    let indices: Vec<u32> = (0..MAX_STATUS_UPDATE_INDICES as u32).map(|i| i * step).collect();
    let call = Call::Identity(IdentityCall::UpdateStatus { list: 0, status: STATUS_REVOKED, indices: indices.clone() });
    let tx = chain.call_with_nonce(&issuer, chain.nonce(&issuer), call);
    let bytes = tx.encode();
    assert!(bytes.len() <= MAX_TX_BYTES, "{} bytes", bytes.len());
    let tx = Transaction::decode(&bytes).expect("within the size limit");
    assert_eq!(chain.run(tx), None);
    for &i in indices.iter().step_by(1_000) {
        let entry = query::status_entry(&chain, &owner, 0, i).unwrap().value.unwrap();
        assert_eq!(entry.status, STATUS_REVOKED);
    }
    let (_, whole) = query::status_list_bytes(&chain, &owner, 0).value.unwrap();
    assert_eq!(whole.iter().map(|b| b.count_ones()).sum::<u32>(), MAX_STATUS_UPDATE_INDICES as u32);

    // One index more is refused by the module, with its code, and changes nothing.
    let too_many: Vec<u32> = (0..=MAX_STATUS_UPDATE_INDICES as u32).collect();
    let call = Call::Identity(IdentityCall::UpdateStatus { list: 0, status: STATUS_REVOKED, indices: too_many });
    let before = chain.state.clone();
    let refused = chain.run(chain.call_with_nonce(&issuer, chain.nonce(&issuer), call)).expect("refused");
    assert_eq!(refused.code, publica_identity::error::STATUS_INDEX_COUNT_OUT_OF_RANGE);
    assert_eq!(chain.state, before);
}
