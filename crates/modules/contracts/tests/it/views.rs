//! Public views: the documented keys a contract reads from other modules, in their compact encodings.

use super::*;
use publica_registry::schema::{head_key, version_key, Permit, PermitChange, PermitState, RecordKind, Version};
use publica_types::{RecordId, StateWrite};

/// Runs the viewer on `key`; returns `public_get`'s answer and the value read.
fn view(w: &mut World, id: u64, key: &str) -> (i64, Vec<u8>) {
    let alice = w.alice;
    let receipt = w.call(alice, id, key.as_bytes(), FUEL).unwrap();
    assert!(receipt.succeeded());
    let answer = i64::from_le_bytes(receipt.output[..8].try_into().unwrap());
    (answer, receipt.output[8..].to_vec())
}

#[test]
fn accounts_are_seen_by_kind_and_activity() {
    let mut w = World::new();
    let id = w.deploy("viewer", &viewer());
    let (alice, admin) = (w.alice, w.admin);
    assert_eq!(view(&mut w, id, &format!("account/{alice}")), (1, vec![0]));
    assert_eq!(view(&mut w, id, &format!("account/{admin}")), (1, vec![1]));
    assert_eq!(view(&mut w, id, &format!("account/{}", Address([9; 20]))), (1, vec![5]));
    let mut record = publica_accounts::account(&w.state, &alice).unwrap();
    record.active = false;
    schema::put(&mut w.state, publica_accounts::schema::account_key(&alice), &record);
    assert_eq!(view(&mut w, id, &format!("account/{alice}")), (1, vec![2]));
}

#[test]
fn unknown_permits_and_companies_read_as_not_issued_and_other_keys_are_refused() {
    let mut w = World::new();
    let id = w.deploy("viewer", &viewer());
    let mut not_issued = vec![5];
    not_issued.extend_from_slice(&0u64.to_le_bytes());
    assert_eq!(view(&mut w, id, "permit/B-7"), (9, not_issued));
    assert_eq!(view(&mut w, id, "company/1000007"), (1, vec![5]));
    assert_eq!(view(&mut w, id, "budget-line/2026/01.1"), (-1, vec![]), "no such line: absent");
    for refused in ["acc/x", "account/not-hex", "budget-line/year/01", "con/s/0/n", "permit/", "sys/validators"] {
        assert_eq!(view(&mut w, id, refused), (-2, vec![]), "{refused}");
    }
    assert!(raw(&w.state, b"sys/validators").is_none());
}

/// Writes version 1 of permit `id` as the registry stores it.
fn permit(w: &mut World, id: &str, valid_from_ms: u64, valid_until_ms: u64, state: PermitState) {
    let permit = Permit {
        kind: RecordId::new("import-licence").unwrap(),
        holder: w.alice,
        agency: customs(),
        valid_from_ms,
        valid_until_ms,
        state,
        change: PermitChange::Issued,
        changed_by: w.admin,
    };
    let version = Version {
        kind: RecordKind::Permit,
        id: id.into(),
        version: 1,
        height: 1,
        time_ms: T0,
        tx_id: TxId([0; 32]),
        application: None,
        value: permit,
    };
    schema::put(&mut w.state, version_key(RecordKind::Permit, id, 1), &version);
    w.state.put(head_key(RecordKind::Permit, id), 1u32.to_le_bytes().to_vec());
}

fn status(code: u8, until: u64) -> (i64, Vec<u8>) {
    let mut value = vec![code];
    value.extend_from_slice(&until.to_le_bytes());
    (9, value)
}

#[test]
fn a_permit_is_seen_with_its_status_at_the_block_time_and_its_end() {
    let mut w = World::new();
    let id = w.deploy("viewer", &viewer());
    let day = schema::DAY_MS;
    permit(&mut w, "P-1", T0, T0 + 30 * day, PermitState::Active);
    permit(&mut w, "P-2", T0 + 10 * day, T0 + 30 * day, PermitState::Active);
    permit(&mut w, "P-3", T0 - 30 * day, T0 - day, PermitState::Active);
    permit(&mut w, "P-4", T0, T0 + 30 * day, PermitState::Suspended { reason: "audit".into() });
    permit(&mut w, "P-5", T0, T0 + 30 * day, PermitState::Revoked { reason: "fraud".into() });
    assert_eq!(view(&mut w, id, "permit/P-1"), status(0, T0 + 30 * day));
    assert_eq!(view(&mut w, id, "permit/P-2"), status(1, T0 + 30 * day));
    assert_eq!(view(&mut w, id, "permit/P-3"), status(2, T0 - day));
    assert_eq!(view(&mut w, id, "permit/P-4"), status(3, T0 + 30 * day));
    assert_eq!(view(&mut w, id, "permit/P-5"), status(4, T0 + 30 * day));
    // The block's time decides: a month later the first permit has expired.
    w.time_ms += 31 * day;
    assert_eq!(view(&mut w, id, "permit/P-1"), status(2, T0 + 30 * day));
}
