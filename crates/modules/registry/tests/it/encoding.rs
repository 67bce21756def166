//! The calls' encodings and the rule tables.

use publica_registry::call::{ApplicationAction, EncumbranceKind, NewParcel, Party, RegistryCall};
use publica_registry::rules::{DIRECT_RULES, WORKFLOW_RULES};
use publica_types::{codec, RecordId, Role};

use crate::{notary_role, rid, square, whole, World};

#[test]
fn calls_round_trip_in_borsh_and_json() {
    let w = World::new();
    let calls = vec![
        RegistryCall::RegisterParcel {
            parcel: NewParcel { parcel: rid("GE-01.10.12.003"), geojson: square(0, 0, 10) },
            owners: whole(w.alice),
        },
        RegistryCall::OpenApplication {
            action: ApplicationAction::Merge {
                parcels: vec![rid("A"), rid("B")],
                into: NewParcel { parcel: rid("AB"), geojson: "{}".into() },
            },
            deadline_ms: 5,
        },
        RegistryCall::Approve { application: 3, party: notary_role() },
        RegistryCall::Reject { application: 3, party: Party::Account(w.bob), reason: "r".into() },
        RegistryCall::RegisterEncumbrance { parcel: rid("A"), kind: EncumbranceKind::Lien, reference: "x".into() },
        RegistryCall::RevokePermit { permit: rid("B-1"), reason: "y".into() },
    ];
    for c in calls {
        let bytes = codec::encode(&c);
        assert_eq!(codec::decode_canonical::<RegistryCall>("call", &bytes, 1 << 20).unwrap(), c);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<RegistryCall>(&json).unwrap(), c);
    }
    assert!(RecordId::new("a/b").is_err() && RecordId::new("-a").is_err() && RecordId::new("x".repeat(65)).is_err());
    let bad_id = codec::encode(&"a/b".to_owned());
    assert!(codec::decode_canonical::<RecordId>("id", &bad_id, 100).is_err());
}

#[test]
fn the_rule_tables_name_valid_roles() {
    for r in DIRECT_RULES {
        for role in r.roles {
            Role::new(*role).unwrap();
        }
    }
    for r in WORKFLOW_RULES {
        assert!(!r.stages.is_empty());
    }
}
