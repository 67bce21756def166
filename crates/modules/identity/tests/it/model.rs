//! Status lists against a plain model: one byte per entry, the same rules, packed only to compare.

use proptest::prelude::*;
use publica_identity::call::{IdentityCall, STATUS_REVOKED};
use publica_identity::query;
use publica_identity::verify::status_at;

use crate::World;

/// Entries of the lists under test: more than two chunks of two-bit entries, with a partial last chunk.
const CAPACITY: u32 = 9_000;

/// Pack the model as the Token Status List draft packs `lst`.
fn pack(model: &[u8], bits: u8) -> Vec<u8> {
    let mut bytes = vec![0u8; (model.len() * usize::from(bits)).div_ceil(8)];
    for (i, status) in model.iter().enumerate() {
        let bit = i * usize::from(bits);
        bytes[bit / 8] |= status << (bit % 8);
    }
    bytes
}

/// The model's answer to an update: `None` when refused (nothing changes), else the new entries.
fn model_update(model: &[u8], bits: u8, status: u8, indices: &[u32]) -> Option<Vec<u8>> {
    let sorted = indices.windows(2).all(|w| w[0] < w[1]);
    let in_range = indices.iter().all(|i| *i < CAPACITY);
    if indices.is_empty() || !sorted || !in_range || status > 2 || (status == 2 && bits == 1) {
        return None;
    }
    let mut next = model.to_vec();
    for &i in indices {
        if next[i as usize] == STATUS_REVOKED && status != STATUS_REVOKED {
            return None;
        }
        next[i as usize] = status;
    }
    Some(next)
}

fn update_strategy() -> impl Strategy<Value = (u8, Vec<u32>)> {
    // Indices crowd at both ends and at a chunk boundary, so that updates meet entries set before.
    let index = prop_oneof![0..48u32, 4_080..4_112u32, CAPACITY - 48..CAPACITY, 0..CAPACITY];
    let indices = prop_oneof![
        // Mostly valid batches: sorted and distinct.
        4 => proptest::collection::btree_set(index, 1..40).prop_map(|s| s.into_iter().collect::<Vec<u32>>()),
        // Sometimes anything: unsorted, repeated, out of range.
        1 => proptest::collection::vec(0..CAPACITY + 20, 0..6),
    ];
    (prop_oneof![4 => 0u8..3, 1 => 3u8..5], indices)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn status_lists_agree_with_a_plain_model(bits in 1u8..3, updates in proptest::collection::vec(update_strategy(), 1..12)) {
        let mut w = World::new();
        let bank = w.bank_a;
        w.ok(bank, IdentityCall::CreateStatusList { bits, capacity: CAPACITY });
        let mut model = vec![0u8; CAPACITY as usize];
        for (status, indices) in updates {
            let expected = model_update(&model, bits, status, &indices);
            let result = w.call(bank, IdentityCall::UpdateStatus { list: 0, status, indices });
            prop_assert_eq!(result.is_ok(), expected.is_some(), "{:?}", result);
            if let Some(next) = expected {
                model = next;
            }
        }
        let (header, bytes) = query::status_list_bytes(&w.state, &bank, 0).value.unwrap();
        prop_assert_eq!(&bytes, &pack(&model, bits));
        for i in (0..CAPACITY).step_by(97).chain([CAPACITY - 1]) {
            let entry = query::status_entry(&w.state, &bank, 0, i).unwrap().value.unwrap();
            prop_assert_eq!(entry.status, model[i as usize]);
            prop_assert_eq!(status_at(&header, i, entry.chunk_bytes.as_deref()), Ok(model[i as usize]));
        }
    }
}
