//! Owners as of any date, and what the verifier decides from the proven versions.

use publica_registry::call::RegistryCall;
use publica_registry::engine::{self, as_of_keys};
use publica_registry::query;
use publica_registry::schema::{RecordKind, Title};
use publica_registry::verify::{self, OwnershipAt};
use publica_registry::RegistryError;
use publica_types::{Address, StateRead};

use crate::{rid, square, whole, World};

#[test]
fn owners_as_of_any_date_across_many_versions() {
    let mut w = World::new();
    let people = [w.alice, w.bob, w.carol];
    let court = w.court;
    let before_registration = w.time_ms - 1;
    w.register("P", square(0, 0, 1000), whole(people[0])).unwrap();
    // Model: (time, owner) of every title version, in order.
    let mut model: Vec<(u64, Address)> = vec![(w.time_ms - 1_000, people[0])];
    for i in 1..60u64 {
        let owner = people[(i % 3) as usize];
        // Several versions share a block time now and then (same block).
        if i % 7 == 0 {
            w.time_ms -= 1_000;
        }
        let t = w.time_ms;
        w.ok(court, RegistryCall::CourtOrder { parcel: rid("P"), owners: whole(owner), case: format!("case {i}") });
        model.push((t, owner));
    }
    let end = w.time_ms + 5_000;
    let mut probes: Vec<u64> = vec![before_registration, end];
    probes.extend(model.iter().flat_map(|(t, _)| [*t - 1, *t, *t + 1]));
    for d in probes {
        let expected = model.iter().rposition(|(t, _)| *t <= d);
        let answer = query::title_at(&w.state, &rid("P"), d);
        let decided = verify::owners_at(&rid("P"), d, answer.in_force.as_ref(), answer.next.as_ref()).unwrap();
        match expected {
            None => {
                assert_eq!(decided, OwnershipAt::NotRegistered);
                assert_eq!(answer.keys, as_of_keys(RecordKind::Title, "P", None));
            }
            Some(i) => {
                let OwnershipAt::Owned { version, owners, .. } = decided else { panic!("{decided:?}") };
                assert_eq!(version as usize, i + 1);
                assert_eq!(owners[0].account, model[i].1);
                assert_eq!(answer.keys, as_of_keys(RecordKind::Title, "P", Some(version)));
                // The keys are the versions themselves: present for `version`, and for `version + 1` exactly when
                // a later version exists.
                assert!(w.state.get(&answer.keys[0]).is_some());
                assert_eq!(w.state.get(&answer.keys[1]).is_some(), i + 1 < model.len());
            }
        }
    }
    // The verifier refuses answers that do not decide.
    let d = model[10].0;
    let a = query::title_at(&w.state, &rid("P"), d);
    let (v, n) = (a.in_force.clone().unwrap(), a.next.clone().unwrap());
    let older = engine::version::<Title>(&w.state, "P", v.version - 1).unwrap();
    assert!(
        matches!(verify::owners_at(&rid("P"), d, Some(&older), Some(&v)), Err(RegistryError::AsOf(_))),
        "skipping a later version in force"
    );
    assert!(verify::owners_at(&rid("P"), d, Some(&older), None).is_ok(), "absence proofs are the verifier's part");
    assert!(verify::owners_at(&rid("P"), d, Some(&n), None).is_err(), "a version after the date");
    assert!(verify::owners_at(&rid("P"), d, Some(&v), Some(&older)).is_err(), "the wrong following version");
    assert!(verify::owners_at(&rid("Q"), d, Some(&v), Some(&n)).is_err(), "another record's versions");
    assert!(verify::owners_at(&rid("P"), d, None, Some(&v)).is_err(), "claiming absence with a later version 1");
    // Encoded versions decode with their size limit and schema.
    let bytes = w.state.get(&a.keys[0]).unwrap();
    assert_eq!(engine::decode_version::<Title>(&bytes).unwrap(), v);
    assert!(engine::decode_version::<Title>(&bytes[..bytes.len() - 1]).is_err());
    assert!(engine::decode_version::<publica_registry::schema::Permit>(&bytes).is_err());
}
