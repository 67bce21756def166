//! The record commitment and the check of a release: fixed vectors, and every forgery refused by its own error.

use publica_data::call::{Basis, DataCall, Grantee};
use publica_data::verify::*;
use publica_types::{Address, Hash, TxOutcome};

use crate::{salts, World, HEALTH, RESEARCH, SUMMARY, TREATMENT};

/// The example of the commitment's specification: two fields of a health summary.
#[test]
fn the_commitment_of_a_fixed_record_does_not_change() {
    let owner = Address([7; 20]);
    let fields: [(&str, &[u8]); 2] = [("blood_type", br#""O+""#), ("allergies", br#"["penicillin"]"#)];
    let committed = commit_fields(&owner, HEALTH, &fields, &[[1; 32], [2; 32]]).unwrap();
    assert_eq!(hex::encode(committed.leaves[0]), "5dd33ef039566402683193ae775f3b4c6910a68f1736faa83543fe6fcfedf301");
    assert_eq!(hex::encode(committed.leaves[1]), "6ee9f68d9e3f08e7871a19e3fa2af588e25c8c91e34d006319828713796c04ee");
    assert_eq!(hex::encode(committed.commitment), "d80a861e93c80985050af43844c90af09c908e80266388924a83476532c27f17");
    // The order the fields come in does not matter; the owner, the category, a salt and a value do.
    let reversed = commit_fields(&owner, HEALTH, &[fields[1], fields[0]], &[[2; 32], [1; 32]]).unwrap();
    assert_eq!(reversed.commitment, committed.commitment);
    let others = [
        commit_fields(&Address([8; 20]), HEALTH, &fields, &[[1; 32], [2; 32]]),
        commit_fields(&owner, "health.other", &fields, &[[1; 32], [2; 32]]),
        commit_fields(&owner, HEALTH, &fields, &[[1; 32], [3; 32]]),
        commit_fields(&owner, HEALTH, &[fields[0], ("allergies", b"[]")], &[[1; 32], [2; 32]]),
        commit_fields(&owner, HEALTH, &fields[..1], &[[1; 32]]),
    ];
    for other in others {
        assert_ne!(other.unwrap().commitment, committed.commitment);
    }
    let leaves = [("blood_type", committed.leaves[0]), ("allergies", committed.leaves[1])];
    assert_eq!(commitment(&owner, HEALTH, &leaves), Ok(committed.commitment));
}

#[test]
fn field_names_are_valid_unique_and_paired_with_salts() {
    let owner = Address([7; 20]);
    let salt = [[1u8; 32]; 2];
    assert_eq!(
        commit_fields(&owner, HEALTH, &[("a", b"1"), ("a", b"2")], &salt),
        Err(ReleaseError::DuplicateField("a".into()))
    );
    assert!(matches!(commit_fields(&owner, HEALTH, &[("A", b"1")], &salt[..1]), Err(ReleaseError::InvalidField(_))));
    assert_eq!(
        commit_fields(&owner, HEALTH, &[("a", b"1")], &salt),
        Err(ReleaseError::SaltCount { fields: 1, salts: 2 })
    );
    let many: Vec<String> = (0..65).map(|i| format!("f{i}")).collect();
    let leaves: Vec<(&str, Hash)> = many.iter().map(|n| (n.as_str(), [0; 32])).collect();
    assert!(
        matches!(commitment(&owner, HEALTH, &leaves), Err(ReleaseError::InvalidField(m)) if m.contains("at most 64"))
    );
}

/// A record of Alice's health summary with an access for the doctor (all fields) and one for a study (`blood_type`
/// and `age`); returns the world, the record and both accesses.
fn ledger() -> (World, u64, u64, u64) {
    let mut w = World::new();
    let (alice, doctor, researcher, board) = (w.alice, w.doctor, w.researcher, w.board);
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    let all = w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
    let study = DataCall::ProposeStudy {
        title: "Blood types".into(),
        categories: vec![HEALTH.into()],
        fields: vec!["blood_type".into(), "age".into()],
        purpose: RESEARCH.into(),
        until_ms: w.time_ms + 1_000_000,
        protocol_sha256: [3; 32],
    };
    let TxOutcome::Study { id } = w.ok(researcher, study) else { panic!("a study") };
    w.ok(board, DataCall::ApproveStudy { study: id });
    let consent = w.consent(alice, alice, Grantee::Study(id), HEALTH, RESEARCH);
    let some = w.request_pending(researcher, record, RESEARCH, Basis::Consent(consent));
    (w, record, all, some)
}

fn release_for(w: &World, record: u64, access: u64) -> Release {
    let a = w.access(access);
    build_release(record, access, &w.alice, HEALTH, &SUMMARY, &salts(1), a.fields.as_deref()).unwrap()
}

fn check(w: &World, release: &Release) -> Result<std::collections::BTreeMap<String, String>, ReleaseError> {
    let (record, access) = (w.record(release.record), w.access(release.access));
    check_release(release, &Expected::new(&record, &access)?)
}

fn field<'a>(release: &'a mut Release, name: &str) -> &'a mut FieldContent {
    &mut release.fields.iter_mut().find(|f| f.name == name).unwrap().content
}

#[test]
fn a_release_built_by_the_vault_checks_and_discloses_what_the_access_allows() {
    let (w, record, all, some) = ledger();
    let full = release_for(&w, record, all);
    let disclosed = check(&w, &full).unwrap();
    assert_eq!(disclosed.len(), 3);
    assert_eq!(disclosed["blood_type"], r#""O+""#);
    assert_eq!(disclosed["allergies"], r#"["penicillin"]"#);
    // The study gets `blood_type` only: `age` is declared but the record has no such field.
    let partial = release_for(&w, record, some);
    let disclosed = check(&w, &partial).unwrap();
    assert_eq!(disclosed.keys().collect::<Vec<_>>(), vec!["blood_type"]);
    // The JSON form: every field by name, disclosed or withheld, and back.
    let json = serde_json::to_value(&partial).unwrap();
    assert_eq!(json["record"], record);
    assert_eq!(json["fields"][0]["name"], "allergies");
    assert!(json["fields"][0]["withheld"]["leaf"].is_string());
    assert_eq!(json["fields"][1]["disclosed"]["value"], r#""O+""#);
    assert_eq!(json["fields"][1]["disclosed"]["salt"], hex::encode([16u8; 32]));
    assert_eq!(serde_json::from_value::<Release>(json).unwrap(), partial);
    // A release as the design writes it, without the disclosed fields' leaves, checks too.
    let mut without_leaves = full.clone();
    for f in &mut without_leaves.fields {
        if let FieldContent::Disclosed { leaf, .. } = &mut f.content {
            *leaf = None;
        }
    }
    assert_eq!(check(&w, &without_leaves).unwrap().len(), 3);
}

#[test]
fn a_changed_value_fails_its_leaf_or_the_commitment() {
    let (w, record, all, _) = ledger();
    let mut forged = release_for(&w, record, all);
    if let FieldContent::Disclosed { value, .. } = field(&mut forged, "blood_type") {
        *value = r#""AB-""#.into();
    }
    assert_eq!(check(&w, &forged), Err(ReleaseError::LeafMismatch { field: "blood_type".into() }));
    // Without the stated leaf, the commitment catches it.
    if let FieldContent::Disclosed { leaf, .. } = field(&mut forged, "blood_type") {
        *leaf = None;
    }
    assert!(matches!(check(&w, &forged), Err(ReleaseError::CommitmentMismatch { .. })));
}

#[test]
fn swapped_leaves_fail_the_commitment() {
    let (w, record, _, some) = ledger();
    let mut forged = release_for(&w, record, some);
    let withheld =
        |release: &Release, name: &str| match &release.fields.iter().find(|f| f.name == name).unwrap().content {
            FieldContent::Withheld { leaf } => *leaf,
            other => panic!("{name} is withheld from the study, not {other:?}"),
        };
    let (a, b) = (withheld(&forged, "allergies"), withheld(&forged, "diagnosis"));
    *field(&mut forged, "allergies") = FieldContent::Withheld { leaf: b };
    *field(&mut forged, "diagnosis") = FieldContent::Withheld { leaf: a };
    let record = w.record(record);
    let Err(ReleaseError::CommitmentMismatch { expected, .. }) = check(&w, &forged) else { panic!("a mismatch") };
    assert_eq!(expected, hex::encode(record.commitment));
}

#[test]
fn a_field_the_access_does_not_allow_is_never_disclosed() {
    let (w, record, all, some) = ledger();
    // The vault discloses everything to the study.
    let mut forged = release_for(&w, record, all);
    forged.access = some;
    assert_eq!(check(&w, &forged), Err(ReleaseError::FieldsNotAllowed(vec!["allergies".into(), "diagnosis".into()])));
}

#[test]
fn a_field_the_access_allows_is_never_withheld() {
    let (w, record, all, some) = ledger();
    let mut forged = release_for(&w, record, some);
    forged.access = all;
    assert_eq!(
        check(&w, &forged),
        Err(ReleaseError::AllowedFieldsWithheld(vec!["allergies".into(), "diagnosis".into()]))
    );
    let mut withheld = release_for(&w, record, some);
    let FieldContent::Disclosed { salt, value, .. } = field(&mut withheld, "blood_type").clone() else { panic!() };
    *field(&mut withheld, "blood_type") = FieldContent::Withheld { leaf: leaf("blood_type", &salt, value.as_bytes()) };
    assert_eq!(check(&w, &withheld), Err(ReleaseError::AllowedFieldsWithheld(vec!["blood_type".into()])));
}

#[test]
fn a_release_for_another_record_access_owner_or_shape_is_refused() {
    let (w, record, all, _) = ledger();
    let good = release_for(&w, record, all);
    let mut other_owner = good.clone();
    other_owner.owner = w.bob;
    assert!(matches!(check(&w, &other_owner), Err(ReleaseError::WrongSubject { what: "owner", .. })));
    let mut other_category = good.clone();
    other_category.category = "health.other".into();
    assert!(matches!(check(&w, &other_category), Err(ReleaseError::WrongSubject { what: "category", .. })));
    let mut fewer = good.clone();
    fewer.fields.pop();
    assert_eq!(check(&w, &fewer), Err(ReleaseError::FieldCount { expected: 3, found: 2 }));
    let mut renamed = good.clone();
    renamed.fields[0].name = "Allergies".into();
    assert!(matches!(check(&w, &renamed), Err(ReleaseError::InvalidField(_))));
    let mut twice = good.clone();
    twice.fields[1] = twice.fields[0].clone();
    assert_eq!(check(&w, &twice), Err(ReleaseError::DuplicateField("allergies".into())));
    // The record and the access must name each other.
    let other = w.access(all);
    let mut moved = other.clone();
    moved.record = record + 1;
    assert!(matches!(Expected::new(&w.record(record), &moved), Err(ReleaseError::WrongSubject { what: "record", .. })));
    let stored = w.record(record);
    let expected = Expected::new(&stored, &other).unwrap();
    let mut other_access = good;
    other_access.access = all + 100;
    assert!(matches!(check_release(&other_access, &expected), Err(ReleaseError::WrongSubject { what: "access", .. })));
}
