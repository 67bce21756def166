//! The signed bytes and the JSON form of one call of every module, fixed: whatever crate comes to own the call
//! types, these must not change.

use publica_crypto::Address;
use publica_governance::call::ValidatorChange;
use publica_tx::*;
use publica_types::{codec, RecordId, MAX_TX_BYTES};

fn calls() -> Vec<Call> {
    let account = Address([7; 20]);
    vec![
        Call::Accounts(AccountsCall::SetActive { account, active: false }),
        Call::Notary(NotaryCall::Anchor { hashes: vec![[1; 32], [2; 32]], label: Some("deed 42".into()) }),
        Call::Governance(GovernanceCall::Propose {
            change: ValidatorChange::Remove { address: account },
            expires_at_ms: 1_700_000_000_000,
        }),
        Call::Registry(RegistryCall::ReleaseEncumbrance { encumbrance: 3 }),
        Call::Registry(RegistryCall::SuspendPermit { permit: RecordId::new("B-7").unwrap(), reason: "audit".into() }),
        Call::Identity(IdentityCall::UpdateStatus { list: 0, status: 1, indices: vec![3, 70_000] }),
        Call::Elections(ElectionsCall::Close { election: 3 }),
        Call::Elections(ElectionsCall::Cast { election: 1, ballot: b"{}".to_vec() }),
        Call::Finance(FinanceCall::Redeem { currency: "NVK".into(), amount: 5 }),
        Call::Finance(FinanceCall::Transfer {
            currency: "NVK".into(),
            from: publica_finance::Holder::Citizen(account),
            to: publica_finance::Holder::Agency("tax".parse().unwrap()),
            amount: 250,
            reference: "inv 9".into(),
        }),
        Call::Procurement(ProcurementCall::WithdrawBid { tender: 3, company: RecordId::new("NV-1").unwrap() }),
        Call::Data(DataCall::GrantConsent {
            owner: account,
            grantee: publica_data::call::Grantee::Agency("hospital".parse().unwrap()),
            category: "health.summary".into(),
            purpose: "treatment".into(),
            until_ms: 1_700_000_000_000,
        }),
        Call::Contracts(ContractsCall::Call { instance: 2, input: vec![0xca, 0xfe], fuel_limit: 50_000 }),
    ]
}

/// Borsh bytes (hex) and JSON of each of [`calls`], as released.
const GOLDEN: &[(&str, &str)] = &[
    (
        "0004070707070707070707070707070707070707070700",
        r#"{"module":"accounts","call":{"method":"set_active","account":"0707070707070707070707070707070707070707","active":false}}"#,
    ),
    (
        "01000200000001010101010101010101010101010101010101010101010101010101010101010202020202020202020202020202020202020202020202020202020202020202010700000064656564203432",
        r#"{"module":"notary","call":{"method":"anchor","hashes":["0101010101010101010101010101010101010101010101010101010101010101","0202020202020202020202020202020202020202020202020202020202020202"],"label":"deed 42"}}"#,
    ),
    (
        "02000107070707070707070707070707070707070707070068e5cf8b010000",
        r#"{"module":"governance","call":{"method":"propose","change":{"change":"remove","address":"0707070707070707070707070707070707070707"},"expires_at_ms":1700000000000}}"#,
    ),
    (
        "03050300000000000000",
        r#"{"module":"registry","call":{"method":"release_encumbrance","encumbrance":3}}"#,
    ),
    (
        "030a03000000422d37050000006175646974",
        r#"{"module":"registry","call":{"method":"suspend_permit","permit":"B-7","reason":"audit"}}"#,
    ),
    (
        "04040000000001020000000300000070110100",
        r#"{"module":"identity","call":{"method":"update_status","list":0,"status":1,"indices":[3,70000]}}"#,
    ),
    ("05070300000000000000", r#"{"module":"elections","call":{"method":"close","election":3}}"#),
    (
        "05060100000000000000020000007b7d",
        r#"{"module":"elections","call":{"method":"cast","election":1,"ballot":"7b7d"}}"#,
    ),
    ("0605030000004e564b0500000000000000", r#"{"module":"finance","call":{"method":"redeem","currency":"NVK","amount":5}}"#),
    (
        "0606030000004e564b0107070707070707070707070707070707070707070003000000746178fa0000000000000005000000696e762039",
        r#"{"module":"finance","call":{"method":"transfer","currency":"NVK","from":{"citizen":"0707070707070707070707070707070707070707"},"to":{"agency":"tax"},"amount":250,"reference":"inv 9"}}"#,
    ),
    (
        "070b0300000000000000040000004e562d31",
        r#"{"module":"procurement","call":{"method":"withdraw_bid","tender":3,"company":"NV-1"}}"#,
    ),
    (
        "080207070707070707070707070707070707070707070008000000686f73706974616c0e0000006865616c74682e73756d6d6172790900000074726561746d656e740068e5cf8b010000",
        r#"{"module":"data","call":{"method":"grant_consent","owner":"0707070707070707070707070707070707070707","grantee":{"agency":"hospital"},"category":"health.summary","purpose":"treatment","until_ms":1700000000000}}"#,
    ),
    (
        "0902020000000000000002000000cafe50c3000000000000",
        r#"{"module":"contracts","call":{"method":"call","instance":2,"input":"cafe","fuel_limit":50000}}"#,
    ),
];

#[test]
fn calls_keep_their_bytes_and_json() {
    let calls = calls();
    assert_eq!(calls.len(), GOLDEN.len());
    for (call, (bytes, json)) in calls.iter().zip(GOLDEN) {
        assert_eq!(hex::encode(codec::encode(call)), *bytes, "{call:?}");
        assert_eq!(serde_json::to_string(call).unwrap(), *json, "{call:?}");
        let decoded: Call = codec::decode_canonical("call", &hex::decode(bytes).unwrap(), MAX_TX_BYTES).unwrap();
        assert_eq!(&decoded, call);
        assert_eq!(&serde_json::from_str::<Call>(json).unwrap(), call);
    }
}
