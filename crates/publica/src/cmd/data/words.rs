//! The data module's records in words: an access as "who asked, when, why, on which basis, what came of it", a
//! record, a consent, a court order, a representation, a study, an emergency, and every refusal code as a
//! sentence.

use publica_data::call::{Basis, ErasureOrder, Grantee};
use publica_data::schema::{
    Access, AccessState, Consent, CourtOrder, Emergency, Record, RecordState, Refusal, Representation, Study,
    StudyCounters,
};
use publica_types::time::format_time_ms;

/// Why a basis did not hold (a refused access's code, a lapsed access's reason), as a sentence.
pub fn refusal(code: Refusal) -> &'static str {
    match code {
        Refusal::RecordErased => "the record is erased",
        Refusal::ErasureOrdered => "the record's erasure is ordered",
        Refusal::BasisNotFound => "no consent, court order or emergency has the number the request names",
        Refusal::OtherOwner => "the consent or court order is about another citizen than the record's owner",
        Refusal::ConsentRevoked => "the consent was revoked",
        Refusal::Expired => "the consent, court order or emergency has ended (its time passed)",
        Refusal::WrongGrantee => {
            "the basis lets someone else read (another agency or account; for a study, the requester is not a \
             researcher of the study's agency)"
        }
        Refusal::WrongCategory => "the basis covers other categories than the record's",
        Refusal::WrongPurpose => "the basis covers another purpose than the request's",
        Refusal::EmergencyEnded => "the emergency was ended",
        Refusal::StudyNotApproved => "the study the consent names is not approved by an ethics board",
        Refusal::StudyEnded => "the study the consent names has ended",
        Refusal::NotOwnerOrRepresentative => "the requester is neither the record's owner nor their representative",
        Refusal::RecordQueueFull => "the record has too many pending accesses; ask again once they are answered",
    }
}

/// A refusal code as the ledger writes it (`consent_revoked`), in words: the sentence, with the code.
pub fn refusal_code(code: &str) -> String {
    match Refusal::ALL.iter().find(|r| r.as_str() == code) {
        Some(known) => format!("{} ({code})", refusal(*known)),
        None => format!("refusal code {code}"),
    }
}

/// The basis an access names.
pub fn basis(access: &Access) -> String {
    match (&access.basis, access.study) {
        (Basis::Consent(id), Some(study)) => format!("consent {id} to study {study}"),
        (Basis::Consent(id), None) => format!("consent {id}"),
        (Basis::CourtOrder(id), _) => format!("court order {id}"),
        (Basis::Emergency(id), _) => format!("emergency {id}"),
        (Basis::Owner, _) => "the owner's own request".into(),
    }
}

/// Who asked for an access.
pub fn requester(access: &Access) -> String {
    match &access.requester_agency {
        Some(agency) => format!("{} of {agency}", access.requester),
        None if access.requester == access.owner => format!("{} (the owner)", access.requester),
        None => format!("{} (the owner's representative)", access.requester),
    }
}

/// What came of an access.
pub fn access_state(access: &Access) -> String {
    match &access.state {
        AccessState::Pending => format!("pending: the vault of {} is to release it", access.agency),
        AccessState::Refused { code } => format!("refused: {}; nothing is released", refusal_code(code.as_str())),
        AccessState::Released { at_ms, release_bytes, .. } => {
            format!("released {} ({release_bytes} bytes, sealed to the requester's key)", format_time_ms(*at_ms))
        }
        AccessState::Declined { at_ms, reason_code, .. } => {
            format!("declined by the vault {} ({reason_code}); nothing was released", format_time_ms(*at_ms))
        }
        AccessState::Lapsed { at_ms, reason } => format!(
            "lapsed {}: {} ({reason}) before the vault released it; nothing was released",
            format_time_ms(*at_ms),
            refusal(*reason)
        ),
    }
}

/// One access on one line: when, who, which record, why, on which basis, and what came of it.
pub fn access_line(access: &Access) -> String {
    let fields = match &access.fields {
        Some(fields) => format!(", fields {}", fields.join(", ")),
        None => String::new(),
    };
    format!(
        "{}  access {}: {} asked for record {} (held by {}) for {}, on {}{fields}: {}",
        format_time_ms(access.requested_at_ms),
        access.id,
        requester(access),
        access.record,
        access.agency,
        access.purpose,
        basis(access),
        access_state(access)
    )
}

/// Where a record stands.
pub fn record_state(state: &RecordState) -> String {
    match state {
        RecordState::Active => "held by its vault".into(),
        RecordState::ErasureOrdered { at_ms, by } => {
            format!("erasure ordered {} by {by}; its vault is to destroy it", format_time_ms(*at_ms))
        }
        RecordState::Erased { erased_at_ms, order, by, .. } => {
            let order = match order {
                ErasureOrder::Owner => "on the owner's order",
                ErasureOrder::Retention => "by the agency's retention rule",
            };
            format!("erased {} {order} (recorded by {by}); the commitment stays", format_time_ms(*erased_at_ms))
        }
    }
}

/// One record on one line.
pub fn record_line(record: &Record) -> String {
    format!(
        "record {}: {} at {}, {} fields, registered {}: {}",
        record.id,
        record.category,
        record.agency,
        record.fields,
        format_time_ms(record.registered_at_ms),
        record_state(&record.state)
    )
}

/// Who a consent lets read.
pub fn grantee(grantee: &Grantee) -> String {
    match grantee {
        Grantee::Agency(agency) => format!("agency {agency}"),
        Grantee::Account(account) => format!("account {account}"),
        Grantee::Study(study) => format!("the researchers of study {study}"),
    }
}

/// Whether something that ends at `until_ms` and may be ended early is in force at `now_ms`.
fn standing(until_ms: u64, ended: Option<(&str, u64)>, now_ms: u64) -> String {
    match ended {
        Some((how, at_ms)) => format!("{how} {}", format_time_ms(at_ms)),
        None if now_ms >= until_ms => format!("ended {}", format_time_ms(until_ms)),
        None => format!("until {}", format_time_ms(until_ms)),
    }
}

/// One consent on one line.
pub fn consent_line(consent: &Consent, now_ms: u64) -> String {
    let revoked = consent.revoked.as_ref().map(|act| ("revoked", act.at_ms));
    format!(
        "consent {}: {} may read {} records for {}, granted {} by {}: {}",
        consent.id,
        grantee(&consent.grantee),
        consent.category,
        consent.purpose,
        format_time_ms(consent.granted.at_ms),
        consent.granted.by,
        standing(consent.until_ms, revoked, now_ms)
    )
}

/// One court order on one line.
pub fn court_order_line(order: &CourtOrder, now_ms: u64) -> String {
    format!(
        "court order {} of {}: agency {} may read {} records for {}, issued {} (document SHA-256 {}): {}",
        order.id,
        order.court,
        order.grantee,
        order.category,
        order.purpose,
        format_time_ms(order.issued.at_ms),
        hex::encode(order.order_sha256),
        standing(order.until_ms, None, now_ms)
    )
}

/// One representation on one line.
pub fn representation_line(representation: &Representation, now_ms: u64) -> String {
    let ended = representation.ended.as_ref().map(|act| ("ended", act.at_ms));
    format!(
        "representative {}, appointed by {} {}: {}",
        representation.representative,
        representation.court,
        format_time_ms(representation.appointed.at_ms),
        standing(representation.until_ms, ended, now_ms)
    )
}

/// A study and its public counters, as lines.
pub fn study_lines(study: &Study, counters: &StudyCounters, now_ms: u64) -> Vec<String> {
    let approval = match &study.approval {
        Some(approval) => {
            format!("approved by {} {}", approval.board, format_time_ms(approval.approved.at_ms))
        }
        None => "not approved: no access under it is granted until a research ethics board of another agency \
                 approves it"
            .into(),
    };
    let mut lines = vec![
        format!("study {}: {:?} of {}", study.id, study.title, study.agency),
        format!("  purpose     {}", study.purpose),
        format!("  categories  {}", study.categories.join(", ")),
        format!("  fields      {} (all its researchers ever get of a record)", study.fields.join(", ")),
        format!("  runs        {}", standing(study.until_ms, None, now_ms)),
        format!("  protocol    SHA-256 {}", hex::encode(study.protocol_sha256)),
        format!("  approval    {approval}"),
        format!(
            "  accesses    {} asked ({} refused), {} records released, of {} citizens",
            counters.requests, counters.refused, counters.released, counters.citizens
        ),
    ];
    for count in &counters.by_category {
        lines.push(format!("    {}: {} released", count.category, count.released));
    }
    lines
}

/// One emergency on one line, judged at `at_ms`.
pub fn emergency_line(emergency: &Emergency, at_ms: u64) -> String {
    let ended = emergency.ended.as_ref().map(|act| ("ended", act.at_ms));
    let agencies: Vec<String> = emergency.grantees.iter().map(ToString::to_string).collect();
    format!(
        "emergency {} declared by {} {}: {} may read {} records for {}: {}",
        emergency.id,
        emergency.authority,
        format_time_ms(emergency.declared.at_ms),
        agencies.join(", "),
        emergency.categories.join(", "),
        emergency.purpose,
        standing(emergency.until_ms, ended, at_ms)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use publica_data::call::RecipientKey;
    use publica_types::{Address, AgencyId};

    fn access(state: AccessState) -> Access {
        Access {
            id: 7,
            record: 3,
            owner: Address([1; 20]),
            agency: AgencyId::new("hospital").unwrap(),
            requester: Address([2; 20]),
            requester_agency: Some(AgencyId::new("clinic").unwrap()),
            purpose: "treatment".into(),
            basis: Basis::Consent(2),
            study: None,
            fields: None,
            recipient: RecipientKey { x25519: [9; 32], ml_kem: vec![0; 1184] },
            requested_at_ms: 1_767_225_600_000,
            height: 5,
            state,
        }
    }

    #[test]
    fn every_refusal_code_has_its_sentence() {
        for code in Refusal::ALL {
            let words = refusal_code(code.as_str());
            assert!(words.ends_with(&format!("({})", code.as_str())), "{words}");
            assert!(!words.starts_with("refusal code"), "{code} has no sentence");
        }
        assert_eq!(refusal_code("from_a_later_version"), "refusal code from_a_later_version");
    }

    #[test]
    fn an_access_says_who_when_why_on_which_basis_and_what_came_of_it() {
        let line = access_line(&access(AccessState::Refused { code: Refusal::ConsentRevoked }));
        assert!(line.starts_with("2026-01-01T00:00:00.000Z  access 7: "), "{line}");
        assert!(line.contains(&format!("{} of clinic asked for record 3 (held by hospital)", Address([2; 20]))));
        assert!(line.contains("for treatment, on consent 2: refused: the consent was revoked"), "{line}");
        let mut own = access(AccessState::Pending);
        own.requester = own.owner;
        own.requester_agency = None;
        own.basis = Basis::Owner;
        let line = access_line(&own);
        assert!(line.contains("(the owner) asked") && line.contains("on the owner's own request: pending"), "{line}");
    }
}
