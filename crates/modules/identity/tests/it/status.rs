//! Status lists: creation, updates by the owner, the rules of each status, chunked storage and proofs.

use publica_identity::call::{
    IdentityCall, MAX_STATUS_LIST_ENTRIES, MAX_STATUS_UPDATE_INDICES, STATUS_REVOKED, STATUS_SUSPENDED, STATUS_VALID,
};
use publica_identity::error::{self as codes, IdentityError};
use publica_identity::query;
use publica_identity::schema::{status_chunk_key, status_list_key, STATUS_CHUNK_BYTES};
use publica_identity::verify::status_at;
use publica_testkit::keypair;
use publica_tx::{Call, Transaction, TxBody};
use publica_types::{Address, StateRead, TxOutcome, MAX_TX_BYTES};

use crate::World;

fn create(w: &mut World, owner: Address, bits: u8, capacity: u32) -> u32 {
    match w.ok(owner, IdentityCall::CreateStatusList { bits, capacity }) {
        TxOutcome::StatusList { number } => number,
        other => panic!("create_status_list reported {other:?}"),
    }
}

fn update(list: u32, status: u8, indices: Vec<u32>) -> IdentityCall {
    IdentityCall::UpdateStatus { list, status, indices }
}

fn status(w: &World, owner: &Address, list: u32, index: u32) -> u8 {
    query::status_entry(&w.state, owner, list, index).unwrap().value.unwrap().status
}

#[test]
fn lists_are_numbered_per_owner_and_one_entry_is_proven_by_one_chunk() {
    let mut w = World::new();
    let (bank, university) = (w.bank_a, w.university);
    assert_eq!(create(&mut w, bank, 1, 1_000_000), 0);
    assert_eq!(create(&mut w, bank, 2, 10), 1);
    assert_eq!(create(&mut w, university, 1, 10), 0, "numbers are per owner");
    w.ok(bank, update(0, STATUS_REVOKED, vec![0, 8_191, 8_192, 999_999]));
    let entry = query::status_entry(&w.state, &bank, 0, 8_192).unwrap();
    let found = entry.value.unwrap();
    assert_eq!((found.status, found.chunk), (STATUS_REVOKED, 1));
    assert_eq!(entry.keys, vec![status_list_key(&bank, 0), status_chunk_key(&bank, 0, 1)]);
    assert_eq!(found.chunk_bytes.as_ref().map(Vec::len), Some(STATUS_CHUNK_BYTES));
    // The verifier's reading of the proven chunk agrees; an absent chunk means valid.
    assert_eq!(status_at(&found.header, 8_192, found.chunk_bytes.as_deref()), Ok(STATUS_REVOKED));
    assert_eq!(status_at(&found.header, 8_193, found.chunk_bytes.as_deref()), Ok(STATUS_VALID));
    assert_eq!(status(&w, &bank, 0, 500_000), STATUS_VALID);
    assert_eq!(w.state.get(&status_chunk_key(&bank, 0, 61)), None, "untouched chunks are not stored");
    // The last chunk holds only the bytes the capacity needs: 10^6 bits are 125,000 bytes.
    let last = query::status_entry(&w.state, &bank, 0, 999_999).unwrap().value.unwrap();
    assert_eq!(last.chunk_bytes.unwrap().len(), 125_000 - 122 * STATUS_CHUNK_BYTES);
    // The whole list is the Token Status List's packed bits: entry i at bit i mod 8 of byte i / 8.
    let whole = query::status_list_bytes(&w.state, &bank, 0);
    let (header, bytes) = whole.value.unwrap();
    assert_eq!((bytes.len(), whole.keys.len()), (125_000, 1 + header.chunk_count() as usize));
    assert_eq!((bytes[0], bytes[1_023], bytes[1_024], bytes[124_999]), (0b1, 0b1000_0000, 0b1, 0b1000_0000));
    assert_eq!(bytes.iter().map(|b| b.count_ones()).sum::<u32>(), 4);
    // Out of range is refused by the query and by the verifier.
    let err = query::status_entry(&w.state, &bank, 0, 1_000_000).unwrap_err();
    assert_eq!(err, IdentityError::StatusIndexOutOfRange { index: 1_000_000, capacity: 1_000_000 });
    assert!(status_at(&header, 1_000_000, None).is_err());
    assert!(matches!(status_at(&header, 0, Some(&[0; 3])), Err(IdentityError::MalformedChunk(_))));
    assert_eq!(query::status_entry(&w.state, &bank, 7, 0).unwrap().value, None);
}

#[test]
fn two_bit_entries_pack_four_to_a_byte_and_suspension_goes_back_and_forth() {
    let mut w = World::new();
    let bank = w.bank_a;
    create(&mut w, bank, 2, 10_000);
    w.ok(bank, update(0, STATUS_SUSPENDED, vec![1, 4_096]));
    w.ok(bank, update(0, STATUS_REVOKED, vec![2]));
    let (_, bytes) = query::status_list_bytes(&w.state, &bank, 0).value.unwrap();
    assert_eq!(bytes.len(), 2_500);
    assert_eq!(bytes[0], 0b0001_1000, "entry 1 suspended (2 at bits 2-3), entry 2 revoked (1 at bits 4-5)");
    assert_eq!(bytes[1_024], 0b10, "entry 4096 opens the second chunk");
    w.ok(bank, update(0, STATUS_VALID, vec![1]));
    assert_eq!(status(&w, &bank, 0, 1), STATUS_VALID);
    w.ok(bank, update(0, STATUS_SUSPENDED, vec![1]));
    assert_eq!(status(&w, &bank, 0, 1), STATUS_SUSPENDED);
    w.ok(bank, update(0, STATUS_REVOKED, vec![1]));
    assert_eq!(status(&w, &bank, 0, 1), STATUS_REVOKED);
}

#[test]
fn a_revoked_entry_never_changes_again_and_a_refused_batch_changes_nothing() {
    let mut w = World::new();
    let bank = w.bank_a;
    create(&mut w, bank, 2, 100);
    w.ok(bank, update(0, STATUS_REVOKED, vec![7]));
    w.refused(bank, update(0, STATUS_VALID, vec![7]), codes::STATUS_REVOKED_IS_FINAL, "entry 7");
    w.refused(bank, update(0, STATUS_SUSPENDED, vec![3, 7, 9]), codes::STATUS_REVOKED_IS_FINAL, "never changes");
    assert_eq!((status(&w, &bank, 0, 3), status(&w, &bank, 0, 9)), (STATUS_VALID, STATUS_VALID));
    // Revoking again is no change.
    w.ok(bank, update(0, STATUS_REVOKED, vec![7]));
}

#[test]
fn only_the_owner_updates_its_list_and_only_officials_own_lists() {
    let mut w = World::new();
    let (bank, other, alice) = (w.bank_a, w.bank_b, w.alice);
    create(&mut w, bank, 1, 100);
    // Another account names its own list 0, which it does not have: the bank's list stays as it was.
    w.refused(other, update(0, STATUS_REVOKED, vec![1]), codes::STATUS_LIST_NOT_FOUND, "owns no status list 0");
    w.refused(bank, update(1, STATUS_REVOKED, vec![1]), codes::STATUS_LIST_NOT_FOUND, "owns no status list 1");
    assert_eq!(status(&w, &bank, 0, 1), STATUS_VALID);
    let call = IdentityCall::CreateStatusList { bits: 1, capacity: 10 };
    w.refused(alice, call, codes::STATUS_LIST_OWNER_NOT_AN_OFFICIAL, "not an active official");
}

#[test]
fn list_shapes_are_bounded() {
    let mut w = World::new();
    let bank = w.bank_a;
    for bits in [0, 3, 8] {
        let call = IdentityCall::CreateStatusList { bits, capacity: 10 };
        w.refused(bank, call, codes::STATUS_LIST_BITS_INVALID, "1 or 2 bits");
    }
    for capacity in [0, MAX_STATUS_LIST_ENTRIES + 1, u32::MAX] {
        let call = IdentityCall::CreateStatusList { bits: 1, capacity };
        w.refused(bank, call, codes::STATUS_LIST_CAPACITY_OUT_OF_RANGE, "1 to 16777216");
    }
    let number = create(&mut w, bank, 2, MAX_STATUS_LIST_ENTRIES);
    w.ok(bank, update(number, STATUS_SUSPENDED, vec![MAX_STATUS_LIST_ENTRIES - 1]));
    let header = query::status_list(&w.state, &bank, number).value.unwrap();
    assert_eq!((header.chunk_count(), header.chunk_of(MAX_STATUS_LIST_ENTRIES - 1)), (4_096, 4_095));
}

#[test]
fn indices_are_strictly_increasing_in_range_and_bounded_in_number() {
    let mut w = World::new();
    let bank = w.bank_a;
    create(&mut w, bank, 1, 20_000);
    w.refused(bank, update(0, STATUS_REVOKED, vec![5, 3]), codes::STATUS_INDICES_NOT_INCREASING, "5 is followed by 3");
    w.refused(bank, update(0, STATUS_REVOKED, vec![3, 3]), codes::STATUS_INDICES_NOT_INCREASING, "3 is followed by 3");
    w.refused(bank, update(0, STATUS_REVOKED, vec![1, 20_000]), codes::STATUS_INDEX_OUT_OF_RANGE, "index 20000");
    w.refused(bank, update(0, STATUS_REVOKED, vec![]), codes::STATUS_INDEX_COUNT_OUT_OF_RANGE, "1 to 10000");
    let too_many: Vec<u32> = (0..=MAX_STATUS_UPDATE_INDICES as u32).collect();
    w.refused(bank, update(0, STATUS_REVOKED, too_many), codes::STATUS_INDEX_COUNT_OUT_OF_RANGE, "this one 10001");
    w.refused(bank, update(0, 3, vec![1]), codes::STATUS_VALUE_INVALID, "not 3");
    w.refused(bank, update(0, STATUS_SUSPENDED, vec![1]), codes::STATUS_SUSPENSION_NEEDS_TWO_BITS, "one bit");
}

#[test]
fn a_batch_of_ten_thousand_indices_fits_a_transaction_and_executes() {
    let mut w = World::new();
    let bank = w.bank_a;
    let list = create(&mut w, bank, 1, MAX_STATUS_LIST_ENTRIES);
    // Spread over the whole list (the largest indices, the most chunks: about 2,000 of them).
    let step = MAX_STATUS_LIST_ENTRIES / MAX_STATUS_UPDATE_INDICES as u32;
    let indices: Vec<u32> = (0..MAX_STATUS_UPDATE_INDICES as u32).map(|i| i * step + step - 1).collect();
    let call = update(list, STATUS_REVOKED, indices.clone());
    let body = TxBody {
        chain_id: "test".parse().unwrap(),
        sender: bank,
        nonce: 0,
        expires_at_ms: u64::MAX,
        call: Call::Identity(call.clone()),
    };
    let bytes = body.sign(&keypair("bank-a")).encode();
    println!("a signed update of {} indices is {} bytes (limit {MAX_TX_BYTES})", indices.len(), bytes.len());
    assert!(bytes.len() <= MAX_TX_BYTES, "{} bytes", bytes.len());
    let decoded = Transaction::decode(&bytes).expect("the transaction decodes within the limit");
    let Call::Identity(decoded) = &decoded.body.call else { panic!("an identity call") };
    w.ok(bank, decoded.clone());
    for &i in indices.iter().step_by(997) {
        assert_eq!(status(&w, &bank, list, i), STATUS_REVOKED);
        assert_eq!(status(&w, &bank, list, i - 1), STATUS_VALID);
    }
    let (_, whole) = query::status_list_bytes(&w.state, &bank, list).value.unwrap();
    assert_eq!(whole.iter().map(|b| b.count_ones()).sum::<u32>(), 10_000);
}
