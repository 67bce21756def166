//! Permits: their life cycle and their status at any date.

use publica_registry::call::RegistryCall;
use publica_registry::engine;
use publica_registry::error;
use publica_registry::query;
use publica_registry::verify::{self, PermitStatus};

use crate::{rid, World, T0};

#[test]
fn permit_life_cycle_and_status_at_dates() {
    let mut w = World::new();
    let (alice, officer, other) = (w.alice, w.officer, w.other_officer);
    let from = T0 + 100_000;
    let until = T0 + 200_000;
    let issue = |until| RegistryCall::IssuePermit {
        permit: rid("B-7"),
        kind: rid("building"),
        holder: alice,
        valid_from_ms: from,
        valid_until_ms: until,
    };
    w.refused(officer, issue(from), error::PERMIT_VALIDITY_INVALID, "must end after");
    w.ok(officer, issue(until));
    let t_issued = w.time_ms - 1_000;
    w.refused(officer, issue(until), error::PERMIT_NUMBER_USED, "already used");
    w.refused(
        other,
        RegistryCall::SuspendPermit { permit: rid("B-7"), reason: "x".into() },
        error::RECORD_OF_OTHER_AGENCY,
        "city-permits",
    );
    w.refused(
        officer,
        RegistryCall::ReinstatePermit { permit: rid("B-7") },
        error::PERMIT_NOT_SUSPENDED,
        "not suspended",
    );
    w.refused(
        officer,
        RegistryCall::RenewPermit { permit: rid("B-7"), valid_until_ms: until },
        error::PERMIT_RENEWAL_NOT_LATER,
        "extends",
    );
    w.time_ms = from + 10_000;
    w.ok(officer, RegistryCall::SuspendPermit { permit: rid("B-7"), reason: "unsafe scaffolding".into() });
    let t_suspended = w.time_ms - 1_000;
    w.refused(
        officer,
        RegistryCall::SuspendPermit { permit: rid("B-7"), reason: "again".into() },
        error::PERMIT_ALREADY_SUSPENDED,
        "already suspended",
    );
    w.ok(officer, RegistryCall::ReinstatePermit { permit: rid("B-7") });
    let t_reinstated = w.time_ms - 1_000;
    w.ok(officer, RegistryCall::RenewPermit { permit: rid("B-7"), valid_until_ms: until + 100_000 });
    w.time_ms = until + 50_000;
    w.ok(officer, RegistryCall::RevokePermit { permit: rid("B-7"), reason: "fraud".into() });
    let t_revoked = w.time_ms - 1_000;
    w.refused(officer, RegistryCall::ReinstatePermit { permit: rid("B-7") }, error::PERMIT_REVOKED, "revoked");
    let status = |d: u64| {
        let a = query::permit_at(&w.state, &rid("B-7"), d);
        verify::permit_status(&rid("B-7"), d, a.in_force.as_ref(), a.next.as_ref()).unwrap()
    };
    assert_eq!(status(t_issued - 1), PermitStatus::NotIssued);
    assert_eq!(status(t_issued), PermitStatus::NotYetValid);
    assert_eq!(status(from), PermitStatus::Valid);
    assert_eq!(status(t_suspended), PermitStatus::Suspended { reason: "unsafe scaffolding".into() });
    assert_eq!(status(t_reinstated), PermitStatus::Valid);
    assert_eq!(status(until + 10_000), PermitStatus::Valid, "the renewal extended validity");
    assert_eq!(status(t_revoked), PermitStatus::Revoked { reason: "fraud".into() });
    assert_eq!(query::permit_history(&w.state, &rid("B-7"), 1, 100).len(), 5);
    // Without the renewal, the permit would have expired: check the dates rule on the issued version alone.
    let v1 = engine::version::<publica_registry::schema::Permit>(&w.state, "B-7", 1).unwrap();
    assert_eq!(verify::permit_status(&rid("B-7"), until, Some(&v1), None).unwrap(), PermitStatus::Expired);
}
