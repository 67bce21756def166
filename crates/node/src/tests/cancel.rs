//! Admission work stops when nobody waits for its answer any more.

use std::sync::atomic::AtomicBool;

use publica_tx::{AccountsCall, Call};
use publica_types::{ErrorCode, Role};

use super::admission::Net;

/// A batch whose request is gone (the API sets the flag when the client disconnects or the request times out)
/// admits nothing more and executes nothing more: every transaction not reached is refused `unavailable`.
#[test]
fn a_cancelled_batch_stops_admitting_and_changes_nothing() {
    let net = Net::with_config(|_| {});
    let items: Vec<Vec<u8>> = (0..600u64)
        .map(|i| {
            let official = publica_crypto::Keypair::from_seed(&[(i % 200) as u8 + 20; 32]);
            let call = Call::Accounts(AccountsCall::RegisterOfficial {
                public_key: official.public_key().clone(),
                agency: publica_types::AgencyId::new("land-registry").unwrap(),
                roles: vec![Role::new("clerk").unwrap()],
            });
            net.sign(&net.admin, i, call).encode()
        })
        .collect();
    let results = net.node.submit_batch_unless(&items, &AtomicBool::new(true));
    assert_eq!(results.len(), items.len());
    for (i, result) in results.iter().enumerate() {
        let error = result.as_ref().unwrap_err();
        assert_eq!(error.code, ErrorCode::Unavailable, "item {i}: {error}");
        assert!(error.message.contains("cancelled"), "{error}");
    }
    assert_eq!(net.mempool_len(), 0);
    // The same batch, still wanted, is admitted up to the lookahead.
    let results = net.node.submit_batch(&items[..16]);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
}
