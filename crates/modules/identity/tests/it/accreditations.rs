//! Accreditations: who may accredit, the windows, the chain, revocation, and the verifier's rule.

use publica_identity::error::{self as codes, IdentityError};
use publica_identity::query;
use publica_identity::schema::{accreditation_key, issuer_index_key, Accreditation};
use publica_identity::tx::MAX_ACCREDITATIONS_PER_ISSUER_TYPE;
use publica_identity::verify::accredited_at;
use publica_identity::{IdentityCall, MAX_ACCREDITATION_CHAIN_LINKS};
use publica_testkit::Accounts;
use publica_types::{Address, Hash};

use crate::{accredit_call, World, DAY_MS, DIPLOMA, RESIDENCE, T0};

/// A year from the start of the tests.
const YEAR: (u64, u64) = (T0, T0 + 365 * DAY_MS);

/// The minister accredits the university for diplomas for a year; the university accredits the faculty for a month.
fn two_links(w: &mut World) -> (Hash, u64, u64) {
    let schema = w.schema(DIPLOMA, 1);
    let (minister, university, faculty) = (w.minister, w.university, w.faculty);
    let top = w.accredit(minister, university, DIPLOMA, schema, YEAR);
    let sub = w.accredit(university, faculty, DIPLOMA, schema, (T0 + DAY_MS, T0 + 31 * DAY_MS));
    (schema, top, sub)
}

fn chain(w: &World, id: u64) -> Vec<Accreditation> {
    query::accreditation_chain(&w.state, id).value
}

#[test]
fn a_root_and_an_accredited_issuer_accredit_and_the_chain_reads_back_with_its_keys() {
    let mut w = World::new();
    let (schema, top, sub) = two_links(&mut w);
    assert_eq!((top, sub), (1, 2), "accreditations are numbered by the chain from 1");
    let records = query::accreditation_chain(&w.state, sub);
    assert_eq!(records.keys, vec![accreditation_key(sub), accreditation_key(top)]);
    let [child, parent] = records.value.as_slice() else { panic!("two links expected") };
    assert_eq!((child.issuer, child.accredited_by, child.parent), (w.faculty, w.university, Some(top)));
    assert_eq!((parent.issuer, parent.accredited_by, parent.parent), (w.university, w.minister, None));
    assert_eq!((child.schema, child.revoked_at_ms), (schema, None));
    let listed = query::issuer_accreditations(&w.state, &w.faculty, DIPLOMA);
    assert_eq!(listed.value, vec![child.clone()]);
    assert_eq!(listed.keys, vec![issuer_index_key(&w.faculty, DIPLOMA), accreditation_key(sub)]);
    let at = T0 + 2 * DAY_MS;
    assert_eq!(accredited_at(&w.faculty, DIPLOMA, at, &records.value, None).unwrap().id, sub);
    assert_eq!(accredited_at(&w.faculty, DIPLOMA, at, &records.value, Some(&[w.minister])).unwrap().id, sub);
}

#[test]
fn an_unaccredited_official_or_one_accredited_for_another_type_may_not_accredit() {
    let mut w = World::new();
    let (schema, _, _) = two_links(&mut w);
    let (stranger, university, faculty) = (w.stranger, w.university, w.faculty);
    let call = accredit_call(faculty, DIPLOMA, schema, YEAR);
    w.refused(stranger, call, codes::ACCREDITOR_NOT_ACCREDITED, "neither a trust root nor accredited");
    let residence = w.schema(RESIDENCE, 1);
    let call = accredit_call(stranger, RESIDENCE, residence, YEAR);
    w.refused(university, call, codes::ACCREDITOR_NOT_ACCREDITED, "residence");
    // A pretended root (its agency may not grant the role) is no root.
    let pretender = w.pretender;
    let call = accredit_call(stranger, DIPLOMA, schema, YEAR);
    w.refused(pretender, call, codes::ACCREDITOR_NOT_ACCREDITED, "neither a trust root");
}

#[test]
fn a_child_window_lies_within_its_parents_and_windows_are_not_empty() {
    let mut w = World::new();
    let (schema, _, _) = two_links(&mut w);
    let (university, stranger, minister) = (w.university, w.stranger, w.minister);
    for window in [(T0 - 1, T0 + DAY_MS), (T0, YEAR.1 + 1), (T0 - DAY_MS, YEAR.1 + DAY_MS)] {
        let call = accredit_call(stranger, DIPLOMA, schema, window);
        w.refused(university, call, codes::ACCREDITATION_WINDOW_OUTSIDE_PARENT, "does not lie within");
    }
    for window in [(T0, T0), (T0 + 5, T0)] {
        let call = accredit_call(stranger, DIPLOMA, schema, window);
        w.refused(minister, call, codes::ACCREDITATION_WINDOW_INVALID, "start before it ends");
    }
    // Exactly the parent's window is within it.
    w.accredit(university, stranger, DIPLOMA, schema, YEAR);
}

#[test]
fn the_schema_must_be_registered_for_the_type_and_the_issuer_an_active_official() {
    let mut w = World::new();
    let diploma = w.schema(DIPLOMA, 1);
    let (minister, university, alice) = (w.minister, w.university, w.alice);
    let call = accredit_call(university, DIPLOMA, [9; 32], YEAR);
    w.refused(minister, call, codes::SCHEMA_NOT_REGISTERED_FOR_TYPE, "not registered");
    let call = accredit_call(university, RESIDENCE, diploma, YEAR);
    w.refused(minister, call, codes::SCHEMA_NOT_REGISTERED_FOR_TYPE, "residence");
    let call = accredit_call(alice, DIPLOMA, diploma, YEAR);
    w.refused(minister, call, codes::ISSUER_NOT_AN_ACTIVE_OFFICIAL, "not an active official");
    let call = accredit_call(Address([0xee; 20]), DIPLOMA, diploma, YEAR);
    w.refused(minister, call, codes::ISSUER_NOT_AN_ACTIVE_OFFICIAL, "not an active official");
}

#[test]
fn an_issuer_holds_a_bounded_number_of_accreditations_per_type() {
    let mut w = World::new();
    let schema = w.schema(DIPLOMA, 1);
    let (minister, university) = (w.minister, w.university);
    for _ in 0..MAX_ACCREDITATIONS_PER_ISSUER_TYPE {
        w.accredit(minister, university, DIPLOMA, schema, YEAR);
    }
    let call = accredit_call(university, DIPLOMA, schema, YEAR);
    w.refused(minister, call, codes::ISSUER_ACCREDITATIONS_FULL, "already holds 64");
}

#[test]
fn chains_have_at_most_eight_links() {
    let mut w = World::new();
    let schema = w.schema(DIPLOMA, 1);
    let issuers: Vec<Address> = (0..=MAX_ACCREDITATION_CHAIN_LINKS)
        .map(|i| Accounts::new(&mut w.state).official(&format!("link-{i}"), "university", &["registrar"]))
        .collect();
    let mut by = w.minister;
    let mut last = 0;
    for issuer in &issuers[..MAX_ACCREDITATION_CHAIN_LINKS] {
        last = w.accredit(by, *issuer, DIPLOMA, schema, YEAR);
        by = *issuer;
    }
    let links = chain(&w, last);
    assert_eq!(links.len(), MAX_ACCREDITATION_CHAIN_LINKS);
    assert!(accredited_at(&by, DIPLOMA, T0 + DAY_MS, &links, None).is_ok());
    let call = accredit_call(issuers[MAX_ACCREDITATION_CHAIN_LINKS], DIPLOMA, schema, YEAR);
    w.refused(by, call, codes::ACCREDITATION_CHAIN_TOO_LONG, "at most 8 links");
}

#[test]
fn only_the_accreditor_or_a_trust_root_revokes_and_only_once() {
    let mut w = World::new();
    let (_, top, sub) = two_links(&mut w);
    let (stranger, faculty, university, interior) = (w.stranger, w.faculty, w.university, w.interior);
    let revoke = |id| IdentityCall::RevokeAccreditation { id };
    w.refused(stranger, revoke(sub), codes::ACCREDITATION_REVOKE_NOT_PERMITTED, "accreditor");
    w.refused(faculty, revoke(sub), codes::ACCREDITATION_REVOKE_NOT_PERMITTED, "accreditor");
    w.refused(university, revoke(top), codes::ACCREDITATION_REVOKE_NOT_PERMITTED, "accreditor");
    w.refused(university, revoke(99), codes::ACCREDITATION_NOT_FOUND, "99");
    w.ok(university, revoke(sub));
    w.refused(university, revoke(sub), codes::ACCREDITATION_ALREADY_REVOKED, "was revoked");
    // Any trust root, even of another ministry, may revoke.
    w.ok(interior, revoke(top));
    assert!(query::accreditation(&w.state, top).value.unwrap().revoked_at_ms.is_some());
}

#[test]
fn revoking_a_parent_ends_its_whole_subtree_from_that_time() {
    let mut w = World::new();
    let (schema, top, sub) = two_links(&mut w);
    let (minister, university, faculty, stranger) = (w.minister, w.university, w.faculty, w.stranger);
    w.time_ms = T0 + 10 * DAY_MS;
    let revoked_at = w.time_ms;
    w.ok(minister, IdentityCall::RevokeAccreditation { id: top });
    let links = chain(&w, sub);
    assert_eq!(links[1].revoked_at_ms, Some(revoked_at));
    // Before the revocation (and inside the faculty's window), the faculty was accredited; from it on, not.
    let before = T0 + 2 * DAY_MS;
    assert_eq!(accredited_at(&faculty, DIPLOMA, before, &links, None).unwrap().id, sub);
    let err = accredited_at(&faculty, DIPLOMA, revoked_at, &links, None).unwrap_err();
    assert_eq!(err, IdentityError::Revoked { id: top, revoked_at_ms: revoked_at, at_ms: revoked_at });
    assert!(err.to_string().starts_with("revoked"));
    // On the ledger too: the faculty no longer accredits (its own record was never written to).
    assert_eq!(links[0].revoked_at_ms, None);
    let call = accredit_call(stranger, DIPLOMA, schema, (T0 + 11 * DAY_MS, T0 + 12 * DAY_MS));
    w.refused(faculty, call, codes::ACCREDITOR_NOT_ACCREDITED, "neither");
    // Nor does the university, whose own accreditation was the one revoked.
    let call = accredit_call(stranger, DIPLOMA, schema, (T0 + 11 * DAY_MS, T0 + 12 * DAY_MS));
    w.refused(university, call, codes::ACCREDITOR_NOT_ACCREDITED, "neither");
}

#[test]
fn the_verifier_names_each_failing_check() {
    let mut w = World::new();
    let (_, top, sub) = two_links(&mut w);
    let links = chain(&w, sub);
    let faculty = w.faculty;
    let at = T0 + 2 * DAY_MS;
    fn check<'a>(links: &'a [Accreditation], issuer: &Address, t: u64) -> Result<&'a Accreditation, IdentityError> {
        accredited_at(issuer, DIPLOMA, t, links, None)
    }
    let name = |e: IdentityError| e.to_string();
    assert!(name(check(&[], &faculty, at).unwrap_err()).starts_with("not accredited"));
    assert!(name(check(&links, &w.stranger, at).unwrap_err()).starts_with("not accredited"));
    assert_eq!(
        check(&links, &faculty, T0).unwrap_err(),
        IdentityError::AccreditedOnlyAfter { id: sub, valid_from_ms: T0 + DAY_MS, at_ms: T0 }
    );
    assert_eq!(
        check(&links, &faculty, T0 + 31 * DAY_MS).unwrap_err(),
        IdentityError::AccreditationExpired { id: sub, valid_until_ms: T0 + 31 * DAY_MS, at_ms: T0 + 31 * DAY_MS }
    );
    let other = accredited_at(&faculty, RESIDENCE, at, &links, None).unwrap_err();
    assert!(matches!(other, IdentityError::OtherType { id, .. } if id == sub), "{other}");
    // A missing top link, a link from elsewhere, a root followed by more: broken.
    for broken in
        [vec![links[0].clone()], vec![links[0].clone(), links[0].clone()], vec![links[1].clone(), links[0].clone()]]
    {
        let issuer = broken[0].issuer;
        let e = check(&broken, &issuer, at).unwrap_err();
        assert!(matches!(e, IdentityError::BrokenChain(_)), "{e}");
    }
    let mut forged = links.clone();
    forged[0].accredited_by = w.stranger;
    assert!(matches!(check(&forged, &faculty, at).unwrap_err(), IdentityError::BrokenChain(_)));
    let too_long: Vec<Accreditation> =
        std::iter::repeat_n(links[0].clone(), MAX_ACCREDITATION_CHAIN_LINKS + 1).collect();
    assert!(matches!(check(&too_long, &faculty, at).unwrap_err(), IdentityError::ChainTooLong { links: 9, max: 8 }));
    let untrusted = accredited_at(&faculty, DIPLOMA, at, &links, Some(&[w.interior])).unwrap_err();
    assert_eq!(untrusted, IdentityError::UntrustedRoot(w.minister));
    // A link revoked after the time asked about does not matter; at or before it does.
    let mut later = links.clone();
    later[1].revoked_at_ms = Some(at + 1);
    assert!(check(&later, &faculty, at).is_ok());
    later[1].revoked_at_ms = Some(at);
    assert_eq!(
        check(&later, &faculty, at).unwrap_err(),
        IdentityError::Revoked { id: top, revoked_at_ms: at, at_ms: at }
    );
}
