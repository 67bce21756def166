//! Tests of the transaction envelope: transactions, blocks and their evidence, and the signed bytes of every
//! module's calls.

mod evidence;
mod golden;

use proptest::prelude::*;
use publica_testkit::keypair;
use publica_tx::*;
use publica_types::codec::{self, CodecError};
use publica_types::*;

fn chain() -> ChainId {
    "test-chain".parse().unwrap()
}

fn body(sender: &Keypair, nonce: u64) -> TxBody {
    TxBody {
        chain_id: chain(),
        sender: sender.public_key().address(),
        nonce,
        expires_at_ms: 1_000_000,
        call: Call::Accounts(AccountsCall::SetActive { account: Address([7; 20]), active: false }),
    }
}

#[test]
fn transaction_round_trips_and_verifies() {
    let k = keypair("sender-1");
    let tx = body(&k, 3).sign(&k);
    let bytes = tx.encode();
    let back = Transaction::decode(&bytes).unwrap();
    assert_eq!(back, tx);
    assert!(k.public_key().verify(&back.body.signing_bytes(), &back.signature).is_ok());
}

#[test]
fn transaction_id_ignores_the_signature() {
    let k = keypair("sender-1");
    let a = body(&k, 0).sign(&k);
    let b = body(&k, 0).sign(&k);
    assert_eq!(a.id(), b.id());
    assert_ne!(body(&k, 0).id(), body(&k, 1).id());
}

#[test]
fn truncated_trailing_and_oversize_transactions_are_refused() {
    let k = keypair("sender-1");
    let bytes = body(&k, 0).sign(&k).encode();
    for cut in [0, 1, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(Transaction::decode(&bytes[..cut]), Err(CodecError::Malformed { .. })),
            "cut at {cut} accepted"
        );
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(Transaction::decode(&trailing).is_err());
    let oversize = vec![0u8; MAX_TX_BYTES + 1];
    assert!(matches!(Transaction::decode(&oversize), Err(CodecError::TooLarge { .. })));
}

#[test]
fn signature_for_another_chain_does_not_verify() {
    let k = keypair("sender-1");
    let tx = body(&k, 0).sign(&k);
    let mut other = tx.body.clone();
    other.chain_id = "other-chain".parse().unwrap();
    assert!(k.public_key().verify(&other.signing_bytes(), &tx.signature).is_err());
}

fn header(txs: &[Transaction]) -> BlockHeader {
    BlockHeader {
        version: HEADER_VERSION,
        chain_id: chain(),
        height: 1,
        time_ms: 10,
        parent_hash: [0; 32],
        proposer: Address([1; 20]),
        tx_root: tx_root(txs),
        tx_count: txs.len() as u32,
        evidence_root: publica_types::evidence::evidence_root(&[]),
        state_root: [2; 32],
        validator_set_hash: [3; 32],
        next_validator_set_hash: [3; 32],
    }
}

#[test]
fn blocks_must_match_their_header() {
    let k = keypair("sender-1");
    let txs = vec![body(&k, 0).sign(&k), body(&k, 1).sign(&k)];
    let block = Block { header: header(&txs), txs: txs.clone(), evidence: vec![] };
    assert_eq!(Block::decode(&block.encode()).unwrap(), block);
    let mut swapped = block.clone();
    swapped.txs.reverse();
    assert!(Block::decode(&swapped.encode()).is_err());
    let mut short = block.clone();
    short.txs.pop();
    assert!(Block::decode(&short.encode()).is_err());
    assert_ne!(block.hash(), Block { header: header(&txs[..1]), txs: txs[..1].to_vec(), evidence: vec![] }.hash());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tx_bodies_round_trip(nonce in any::<u64>(), expires in any::<u64>(), active in any::<bool>(), target in any::<[u8; 20]>()) {
        let k = keypair("sender-1");
        let body = TxBody {
            chain_id: chain(),
            sender: k.public_key().address(),
            nonce,
            expires_at_ms: expires,
            call: Call::Accounts(AccountsCall::SetActive { account: Address(target), active }),
        };
        let bytes = codec::encode(&body);
        let back: TxBody = decode_canonical("body", &bytes, 1 << 20).unwrap();
        prop_assert_eq!(&back, &body);
        let json = serde_json::to_string(&body).unwrap();
        let back: TxBody = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, body);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Transaction::decode(&bytes);
        let _ = Block::decode(&bytes);
    }
}
