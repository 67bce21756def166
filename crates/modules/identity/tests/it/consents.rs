//! Consents: granted by citizens, relied on by grantees while in force, every use recorded.

use publica_identity::call::{IdentityCall, MAX_CLAIM_NAME_BYTES, MAX_CONSENT_CLAIMS, MAX_PURPOSE_BYTES};
use publica_identity::error as codes;
use publica_identity::query;
use publica_identity::schema::{consent_key, consent_use_key, grantee_count_key, grantee_entry_key, ConsentUse};
use publica_types::{Address, TxOutcome};

use crate::{World, DAY_MS};

fn grant(grantee: Address, claims: &[&str], purpose: &str, until_ms: u64) -> IdentityCall {
    IdentityCall::GrantConsent {
        grantee,
        credential: [0x4b; 32],
        claims: claims.iter().map(|c| c.to_string()).collect(),
        purpose: purpose.into(),
        until_ms,
    }
}

/// Alice lets bank B rely on her KYC credential (bank A's) for two claims, for a month; returns its number.
fn kyc_consent(w: &mut World) -> u64 {
    let (alice, bank_b) = (w.alice, w.bank_b);
    let call = grant(bank_b, &["kyc_level", "age_over_18"], "opening a current account", w.time_ms + 30 * DAY_MS);
    match w.ok(alice, call) {
        TxOutcome::Consent { id } => id,
        other => panic!("grant_consent reported {other:?}"),
    }
}

#[test]
fn a_citizen_grants_the_grantee_relies_and_both_see_every_use() {
    let mut w = World::new();
    let id = kyc_consent(&mut w);
    assert_eq!(id, 1);
    let (alice, bank_b) = (w.alice, w.bank_b);
    let (first_at, first_height) = (w.time_ms, w.height);
    w.ok(bank_b, IdentityCall::RecordConsentUse { id });
    w.ok(bank_b, IdentityCall::RecordConsentUse { id });
    let view = query::consent(&w.state, id, 0, 10);
    let found = view.value.unwrap();
    assert_eq!((found.consent.grantor, found.consent.grantee, found.consent.uses), (alice, bank_b, 2));
    assert_eq!(found.uses[0], ConsentUse { by: bank_b, time_ms: first_at, height: first_height });
    assert_eq!(view.keys, vec![consent_key(id), consent_use_key(id, 0), consent_use_key(id, 1)]);
    assert_eq!(query::consent(&w.state, id, 1, 10).value.unwrap().uses.len(), 1);
    let second = kyc_consent(&mut w);
    let mine = query::consents_by_grantor(&w.state, &alice, 0, 10).value;
    assert_eq!(mine.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id, second]);
    let theirs = query::consents_by_grantee(&w.state, &bank_b, 1, 10);
    assert_eq!(theirs.value.iter().map(|c| c.id).collect::<Vec<_>>(), vec![second]);
    assert_eq!(theirs.keys, vec![grantee_count_key(&bank_b), grantee_entry_key(&bank_b, 1), consent_key(second)]);
    assert!(query::consents_by_grantee(&w.state, &alice, 0, 10).value.is_empty());
}

#[test]
fn only_a_citizen_grants_consents() {
    let mut w = World::new();
    let (bank_a, bank_b, minister) = (w.bank_a, w.bank_b, w.minister);
    let until = w.time_ms + DAY_MS;
    w.refused(
        bank_a,
        grant(bank_b, &["kyc"], "x", until),
        codes::CONSENT_GRANTOR_NOT_A_CITIZEN,
        "not an active citizen",
    );
    w.refused(minister, grant(bank_b, &["kyc"], "x", until), codes::CONSENT_GRANTOR_NOT_A_CITIZEN, "citizen");
}

#[test]
fn consents_are_bounded() {
    let mut w = World::new();
    let (alice, bank_b) = (w.alice, w.bank_b);
    let until = w.time_ms + DAY_MS;
    let long = "c".repeat(MAX_CLAIM_NAME_BYTES + 1);
    let many: Vec<String> = (0..=MAX_CONSENT_CLAIMS).map(|i| format!("claim{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let claim_refusals: [(&[&str], &str); 5] = [
        (&[], "1 to 32 claims"),
        (&many, "this one 33"),
        (&[long.as_str()], "1 to 64 bytes"),
        (&["a", "b", "a"], "named twice"),
        (&["a\tb"], "control characters"),
    ];
    for (claims, text) in claim_refusals {
        w.refused(alice, grant(bank_b, claims, "kyc", until), codes::CONSENT_CLAIMS_INVALID, text);
    }
    let long_purpose = "p".repeat(MAX_PURPOSE_BYTES + 1);
    for purpose in ["", long_purpose.as_str(), "two\nlines"] {
        w.refused(alice, grant(bank_b, &["kyc"], purpose, until), codes::CONSENT_PURPOSE_INVALID, "purpose");
    }
    let now = w.time_ms;
    w.refused(alice, grant(bank_b, &["kyc"], "kyc", now), codes::CONSENT_UNTIL_NOT_IN_FUTURE, "must end after");
    let nobody = Address([0xab; 20]);
    w.refused(alice, grant(nobody, &["kyc"], "kyc", until), codes::CONSENT_GRANTEE_UNKNOWN, "not a registered");
    let exact = "p".repeat(MAX_PURPOSE_BYTES);
    w.ok(alice, grant(bank_b, &many[..MAX_CONSENT_CLAIMS], &exact, until));
}

#[test]
fn only_the_grantee_relies_on_a_consent_and_only_the_grantor_revokes_it() {
    let mut w = World::new();
    let id = kyc_consent(&mut w);
    let (alice, bob, bank_a, bank_b) = (w.alice, w.bob, w.bank_a, w.bank_b);
    let use_it = IdentityCall::RecordConsentUse { id };
    w.refused(bank_a, use_it.clone(), codes::CONSENT_USE_NOT_PERMITTED, "grantee only");
    w.refused(alice, use_it.clone(), codes::CONSENT_USE_NOT_PERMITTED, "grantee only");
    w.refused(bank_b, IdentityCall::RecordConsentUse { id: 9 }, codes::CONSENT_NOT_FOUND, "number 9");
    let revoke = IdentityCall::RevokeConsent { id };
    w.refused(bob, revoke.clone(), codes::CONSENT_REVOKE_NOT_PERMITTED, "grantor only");
    w.refused(bank_b, revoke.clone(), codes::CONSENT_REVOKE_NOT_PERMITTED, "grantor only");
    w.refused(alice, IdentityCall::RevokeConsent { id: 9 }, codes::CONSENT_NOT_FOUND, "number 9");
    w.ok(alice, revoke.clone());
    w.refused(alice, revoke, codes::CONSENT_ALREADY_REVOKED, "was revoked");
    w.refused(bank_b, use_it, codes::CONSENT_REVOKED, "do not rely on it");
    assert_eq!(query::consent(&w.state, id, 0, 10).value.unwrap().consent.uses, 0);
}

#[test]
fn a_consent_is_relied_on_until_it_ends_and_not_after() {
    let mut w = World::new();
    let (alice, bank_b) = (w.alice, w.bank_b);
    // Each call is one block, one second apart: the consent is in force for the next block and ends before the one
    // after it.
    let until = w.time_ms + 2_000;
    let TxOutcome::Consent { id } = w.ok(alice, grant(bank_b, &["kyc"], "kyc", until)) else { panic!("a consent") };
    w.ok(bank_b, IdentityCall::RecordConsentUse { id });
    assert_eq!(w.time_ms, until);
    w.refused(bank_b, IdentityCall::RecordConsentUse { id }, codes::CONSENT_EXPIRED, "ended at");
}
