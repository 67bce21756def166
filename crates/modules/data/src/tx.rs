//! Execution of the data module's calls. Each call checks the sender's authority first
//! (`publica_accounts::require_role`, or the citizen and their representatives), then its arguments (every size
//! and count bounded), and writes only once every check passed; a refusal's writes are discarded by execution.
//!
//! `request_access` is the one call whose outcome is not all or nothing: once the sender may ask, the record
//! exists and the request is well formed, the access is **always written**, pending when its basis holds at the
//! block's time and refused (with a [`Refusal`]) when it does not, so that every request, granted or refused, is in
//! the citizen's log. `fulfil_access` checks the basis again at its own block's time: an access whose basis stopped
//! holding lapses instead of being released.

use std::collections::BTreeSet;

use publica_accounts::{AccountKind, AccountRecord};
use publica_types::{
    outcome::AccessDecision, Address, AgencyId, CallContext, Hash, StateRead, StateWrite, TxError, TxOutcome,
};

use crate::call::*;
use crate::error::{self, refuse};
use crate::schema::*;
use crate::{CONTROLLER_ROLE, COURT_ROLE, ETHICS_BOARD_ROLE, HEALTH_AUTHORITY_ROLE, REQUESTER_ROLE, RESEARCHER_ROLE};

/// Most pending accesses one record has at a time: erasing a record lapses them all in one transaction. A request
/// beyond it is written refused (`record_queue_full`).
pub const MAX_PENDING_PER_RECORD: u64 = 256;
/// Most representatives on record for one citizen (current or ended).
pub const MAX_REPRESENTATIVES: usize = 16;

/// Execute a data call.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &DataCall) -> Result<TxOutcome, TxError> {
    match call {
        DataCall::RegisterRecord { owner, category, commitment, fields } => {
            let id = register_record(state, ctx, owner, category, commitment, *fields)?;
            return Ok(TxOutcome::DataRecord { id });
        }
        DataCall::SetRetention { category, keep_days } => set_retention(state, ctx, category, *keep_days)?,
        DataCall::GrantConsent { owner, grantee, category, purpose, until_ms } => {
            let id = grant_consent(state, ctx, owner, grantee, category, purpose, *until_ms)?;
            return Ok(TxOutcome::DataConsent { id });
        }
        DataCall::RevokeConsent { consent } => revoke_consent(state, ctx, *consent)?,
        DataCall::AppointRepresentative { citizen, representative, until_ms } => {
            appoint_representative(state, ctx, citizen, representative, *until_ms)?
        }
        DataCall::EndRepresentation { citizen, representative } => {
            end_representation(state, ctx, citizen, representative)?
        }
        DataCall::IssueCourtOrder { owner, category, grantee, purpose, until_ms, order_sha256 } => {
            let order = NewOrder { owner, category, grantee, purpose, until_ms: *until_ms, order_sha256 };
            let id = issue_court_order(state, ctx, order)?;
            return Ok(TxOutcome::CourtOrder { id });
        }
        DataCall::DeclareEmergency { categories, grantees, purpose, until_ms, declaration_sha256 } => {
            let id = declare_emergency(state, ctx, categories, grantees, purpose, *until_ms, declaration_sha256)?;
            return Ok(TxOutcome::Emergency { id });
        }
        DataCall::EndEmergency { emergency } => end_emergency(state, ctx, *emergency)?,
        DataCall::ProposeStudy { title, categories, fields, purpose, until_ms, protocol_sha256 } => {
            let study = NewStudy { title, categories, fields, purpose, until_ms: *until_ms, protocol_sha256 };
            let id = propose_study(state, ctx, study)?;
            return Ok(TxOutcome::Study { id });
        }
        DataCall::ApproveStudy { study } => approve_study(state, ctx, *study)?,
        DataCall::RequestAccess { record, purpose, basis, recipient } => {
            let (id, state) = request_access(state, ctx, *record, purpose, basis, recipient)?;
            return Ok(TxOutcome::Access { id, state });
        }
        DataCall::FulfilAccess { access, release_sha256, release_bytes } => {
            fulfil_access(state, ctx, *access, release_sha256, *release_bytes)?
        }
        DataCall::DeclineAccess { access, reason_code } => decline_access(state, ctx, *access, reason_code)?,
        DataCall::OrderErasure { record } => order_erasure(state, ctx, *record)?,
        DataCall::RecordErasure { record, order, statement_sha256 } => {
            record_erasure(state, ctx, *record, *order, statement_sha256)?
        }
    }
    Ok(TxOutcome::None)
}

// Records and retention.

fn register_record(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    owner: &Address,
    category: &str,
    commitment: &Hash,
    fields: u16,
) -> Result<u64, TxError> {
    let agency = official_agency(publica_accounts::require_role(state, &ctx.sender, CONTROLLER_ROLE)?);
    check_category(category).map_err(|e| refuse(error::CATEGORY_INVALID, e))?;
    if fields == 0 || usize::from(fields) > MAX_FIELDS {
        return Err(refuse(
            error::FIELD_COUNT_INVALID,
            format!("a record has 1 to {MAX_FIELDS} fields, this one {fields}"),
        ));
    }
    require_citizen(state, owner)?;
    if let Some(id) = get::<u64>(state, &commitment_key(commitment)) {
        return Err(refuse(
            error::COMMITMENT_REGISTERED,
            format!(
                "commitment {} is already registered as record {id}; a commitment is registered once (salt every \
                 record afresh)",
                error::hex(commitment)
            ),
        ));
    }
    let id = take_next(state, "r");
    let record = Record {
        id,
        agency,
        owner: *owner,
        category: category.to_owned(),
        commitment: *commitment,
        fields,
        registered_by: ctx.sender,
        registered_at_ms: ctx.time_ms,
        height: ctx.height,
        state: RecordState::Active,
    };
    put(state, record_key(id), &record);
    put(state, commitment_key(commitment), &id);
    owner_records(owner).push(state, id);
    Ok(id)
}

fn set_retention(state: &mut dyn StateWrite, ctx: &CallContext, category: &str, keep_days: u32) -> Result<(), TxError> {
    let agency = official_agency(publica_accounts::require_role(state, &ctx.sender, CONTROLLER_ROLE)?);
    check_category(category).map_err(|e| refuse(error::CATEGORY_INVALID, e))?;
    if keep_days > MAX_RETENTION_DAYS {
        return Err(refuse(
            error::RETENTION_OUT_OF_RANGE,
            format!("a retention is 1 to {MAX_RETENTION_DAYS} days (or 0 to clear it), not {keep_days}"),
        ));
    }
    let key = retention_key(&agency, category);
    if keep_days == 0 {
        if state.get(&key).is_none() {
            return Err(refuse(
                error::RETENTION_NOT_SET,
                format!("{agency} has no retention rule for {category:?}; there is nothing to clear"),
            ));
        }
        state.delete(key);
        return Ok(());
    }
    let rule = RetentionRule {
        agency,
        category: category.to_owned(),
        keep_days,
        set: Act { by: ctx.sender, at_ms: ctx.time_ms },
    };
    put(state, key, &rule);
    Ok(())
}

// Consents and representatives.

fn grant_consent(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    owner: &Address,
    grantee: &Grantee,
    category: &str,
    purpose: &str,
    until_ms: u64,
) -> Result<u64, TxError> {
    require_owner_or_representative(state, ctx, owner)?;
    check_category(category).map_err(|e| refuse(error::CATEGORY_INVALID, e))?;
    check_purpose(purpose).map_err(|e| refuse(error::PURPOSE_INVALID, e))?;
    check_until(ctx, until_ms)?;
    match grantee {
        Grantee::Agency(agency) => require_agency(state, agency)?,
        Grantee::Account(account) => {
            if publica_accounts::account(state, account).is_none() {
                return Err(refuse(error::GRANTEE_UNKNOWN, format!("grantee {account} is not a registered account")));
            }
        }
        Grantee::Study(id) => {
            let study = find_study(state, *id)?;
            if !study.categories.iter().any(|c| c == category) || study.purpose != purpose {
                return Err(refuse(
                    error::CONSENT_STUDY_MISMATCH,
                    format!(
                        "study {id} reads {:?} for {:?}; a consent to it names one of those categories and that \
                         purpose, not {category:?} for {purpose:?}",
                        study.categories, study.purpose
                    ),
                ));
            }
        }
    }
    let id = take_next(state, "c");
    let consent = Consent {
        id,
        owner: *owner,
        grantee: grantee.clone(),
        category: category.to_owned(),
        purpose: purpose.to_owned(),
        until_ms,
        granted: Act { by: ctx.sender, at_ms: ctx.time_ms },
        height: ctx.height,
        revoked: None,
    };
    put(state, consent_key(id), &consent);
    owner_consents(owner).push(state, id);
    Ok(id)
}

fn revoke_consent(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut consent: Consent = get(state, &consent_key(id))
        .ok_or_else(|| refuse(error::CONSENT_NOT_FOUND, format!("no consent has number {id}")))?;
    require_owner_or_representative(state, ctx, &consent.owner)?;
    if let Some(revoked) = &consent.revoked {
        return Err(refuse(
            error::CONSENT_ALREADY_REVOKED,
            format!("consent {id} was revoked at {} ms by {}", revoked.at_ms, revoked.by),
        ));
    }
    consent.revoked = Some(Act { by: ctx.sender, at_ms: ctx.time_ms });
    put(state, consent_key(id), &consent);
    Ok(())
}

fn appoint_representative(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    citizen: &Address,
    representative: &Address,
    until_ms: u64,
) -> Result<(), TxError> {
    let court = official_agency(publica_accounts::require_role(state, &ctx.sender, COURT_ROLE)?);
    require_citizen(state, citizen)?;
    if representative == citizen || !publica_accounts::account(state, representative).is_some_and(|a| a.active) {
        return Err(refuse(
            error::REPRESENTATIVE_INVALID,
            format!("{representative} cannot represent {citizen}: a representative is another, active account"),
        ));
    }
    check_until(ctx, until_ms)?;
    let list_key = representatives_key(citizen);
    let mut listed: Vec<Address> = get(state, &list_key).unwrap_or_default();
    if !listed.contains(representative) {
        if listed.len() >= MAX_REPRESENTATIVES {
            return Err(refuse(
                error::REPRESENTATIVES_FULL,
                format!("{citizen} already has {MAX_REPRESENTATIVES} representatives on record"),
            ));
        }
        listed.push(*representative);
        put(state, list_key, &listed);
    }
    // Appointing a representative again replaces the appointment: a court extends or renews it this way.
    let representation = Representation {
        citizen: *citizen,
        representative: *representative,
        until_ms,
        court,
        appointed: Act { by: ctx.sender, at_ms: ctx.time_ms },
        ended: None,
    };
    put(state, representation_key(citizen, representative), &representation);
    Ok(())
}

fn end_representation(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    citizen: &Address,
    representative: &Address,
) -> Result<(), TxError> {
    publica_accounts::require_role(state, &ctx.sender, COURT_ROLE)?;
    let key = representation_key(citizen, representative);
    let mut representation: Representation = get(state, &key).ok_or_else(|| {
        refuse(error::REPRESENTATION_NOT_FOUND, format!("{representative} was never appointed to represent {citizen}"))
    })?;
    if let Some(ended) = &representation.ended {
        return Err(refuse(
            error::REPRESENTATION_ALREADY_ENDED,
            format!("the representation of {citizen} by {representative} ended at {} ms", ended.at_ms),
        ));
    }
    representation.ended = Some(Act { by: ctx.sender, at_ms: ctx.time_ms });
    put(state, key, &representation);
    Ok(())
}

// Other legal bases.

struct NewOrder<'a> {
    owner: &'a Address,
    category: &'a str,
    grantee: &'a AgencyId,
    purpose: &'a str,
    until_ms: u64,
    order_sha256: &'a Hash,
}

fn issue_court_order(state: &mut dyn StateWrite, ctx: &CallContext, order: NewOrder<'_>) -> Result<u64, TxError> {
    let court = official_agency(publica_accounts::require_role(state, &ctx.sender, COURT_ROLE)?);
    require_citizen(state, order.owner)?;
    check_category(order.category).map_err(|e| refuse(error::CATEGORY_INVALID, e))?;
    check_purpose(order.purpose).map_err(|e| refuse(error::PURPOSE_INVALID, e))?;
    require_agency(state, order.grantee)?;
    check_until(ctx, order.until_ms)?;
    let id = take_next(state, "o");
    let record = CourtOrder {
        id,
        owner: *order.owner,
        category: order.category.to_owned(),
        grantee: order.grantee.clone(),
        purpose: order.purpose.to_owned(),
        until_ms: order.until_ms,
        order_sha256: *order.order_sha256,
        court,
        issued: Act { by: ctx.sender, at_ms: ctx.time_ms },
        height: ctx.height,
    };
    put(state, court_order_key(id), &record);
    owner_court_orders(order.owner).push(state, id);
    Ok(id)
}

fn declare_emergency(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    categories: &[String],
    grantees: &[AgencyId],
    purpose: &str,
    until_ms: u64,
    declaration_sha256: &Hash,
) -> Result<u64, TxError> {
    let authority = official_agency(publica_accounts::require_role(state, &ctx.sender, HEALTH_AUTHORITY_ROLE)?);
    check_categories(categories)?;
    if grantees.is_empty() || grantees.len() > MAX_EMERGENCY_GRANTEES {
        return Err(refuse(
            error::GRANTEES_INVALID,
            format!("an emergency names 1 to {MAX_EMERGENCY_GRANTEES} agencies, this one {}", grantees.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    for agency in grantees {
        if !seen.insert(agency) {
            return Err(refuse(error::GRANTEES_INVALID, format!("agency {agency} is named twice")));
        }
        if publica_accounts::agency(state, agency).is_none() {
            return Err(refuse(error::GRANTEES_INVALID, format!("agency {agency} is not registered")));
        }
    }
    check_purpose(purpose).map_err(|e| refuse(error::PURPOSE_INVALID, e))?;
    check_until(ctx, until_ms)?;
    let id = take_next(state, "e");
    let emergency = Emergency {
        id,
        categories: categories.to_vec(),
        grantees: grantees.to_vec(),
        purpose: purpose.to_owned(),
        until_ms,
        declaration_sha256: *declaration_sha256,
        authority,
        declared: Act { by: ctx.sender, at_ms: ctx.time_ms },
        height: ctx.height,
        ended: None,
    };
    put(state, emergency_key(id), &emergency);
    Ok(id)
}

fn end_emergency(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let agency = official_agency(publica_accounts::require_role(state, &ctx.sender, HEALTH_AUTHORITY_ROLE)?);
    let mut emergency: Emergency = get(state, &emergency_key(id))
        .ok_or_else(|| refuse(error::EMERGENCY_NOT_FOUND, format!("no emergency has number {id}")))?;
    if emergency.authority != agency {
        return Err(refuse(
            error::EMERGENCY_OTHER_AUTHORITY,
            format!(
                "emergency {id} was declared by {}; an official of it ends it, not of {agency}",
                emergency.authority
            ),
        ));
    }
    if let Some(ended) = &emergency.ended {
        return Err(refuse(error::EMERGENCY_ALREADY_ENDED, format!("emergency {id} ended at {} ms", ended.at_ms)));
    }
    emergency.ended = Some(Act { by: ctx.sender, at_ms: ctx.time_ms });
    put(state, emergency_key(id), &emergency);
    Ok(())
}

struct NewStudy<'a> {
    title: &'a str,
    categories: &'a [String],
    fields: &'a [String],
    purpose: &'a str,
    until_ms: u64,
    protocol_sha256: &'a Hash,
}

fn propose_study(state: &mut dyn StateWrite, ctx: &CallContext, study: NewStudy<'_>) -> Result<u64, TxError> {
    let agency = official_agency(publica_accounts::require_role(state, &ctx.sender, RESEARCHER_ROLE)?);
    check_title(study.title).map_err(|e| refuse(error::TITLE_INVALID, e))?;
    check_categories(study.categories)?;
    if study.fields.is_empty() || study.fields.len() > MAX_FIELDS {
        return Err(refuse(
            error::FIELDS_INVALID,
            format!("a study declares 1 to {MAX_FIELDS} fields, this one {}", study.fields.len()),
        ));
    }
    let mut fields = BTreeSet::new();
    for field in study.fields {
        check_field_name(field).map_err(|e| refuse(error::FIELDS_INVALID, e))?;
        if !fields.insert(field.clone()) {
            return Err(refuse(error::FIELDS_INVALID, format!("field {field:?} is declared twice")));
        }
    }
    check_purpose(study.purpose).map_err(|e| refuse(error::PURPOSE_INVALID, e))?;
    check_until(ctx, study.until_ms)?;
    let id = take_next(state, "s");
    let record = Study {
        id,
        agency,
        title: study.title.to_owned(),
        categories: study.categories.to_vec(),
        fields: fields.into_iter().collect(),
        purpose: study.purpose.to_owned(),
        until_ms: study.until_ms,
        protocol_sha256: *study.protocol_sha256,
        proposed: Act { by: ctx.sender, at_ms: ctx.time_ms },
        height: ctx.height,
        approval: None,
    };
    let counters = StudyCounters {
        by_category: study
            .categories
            .iter()
            .map(|category| CategoryCount { category: category.clone(), released: 0 })
            .collect(),
        ..StudyCounters::default()
    };
    put(state, study_key(id), &record);
    put(state, study_counters_key(id), &counters);
    Ok(id)
}

fn approve_study(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let board = official_agency(publica_accounts::require_role(state, &ctx.sender, ETHICS_BOARD_ROLE)?);
    let mut study = find_study(state, id)?;
    if study.agency == board {
        return Err(refuse(
            error::ETHICS_BOARD_NOT_INDEPENDENT,
            format!("study {id} is {board}'s own; an ethics board of another agency approves it"),
        ));
    }
    if let Some(approval) = &study.approval {
        return Err(refuse(
            error::STUDY_ALREADY_APPROVED,
            format!("study {id} was approved by {} at {} ms", approval.board, approval.approved.at_ms),
        ));
    }
    if ctx.time_ms >= study.until_ms {
        return Err(refuse(
            error::STUDY_EXPIRED,
            format!("study {id} ended at {} ms; it can no longer be approved", study.until_ms),
        ));
    }
    study.approval = Some(Approval { board, approved: Act { by: ctx.sender, at_ms: ctx.time_ms } });
    put(state, study_key(id), &study);
    Ok(())
}

// Accesses.

fn request_access(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    record_id: u64,
    purpose: &str,
    basis: &Basis,
    recipient: &RecipientKey,
) -> Result<(u64, AccessDecision), TxError> {
    // Authority first: a requester's role, or (for the owner's own request) the owner or a representative, which
    // needs the record. A sender without it never made an access: nothing is written.
    let requester_agency = match basis {
        Basis::Owner => None,
        _ => Some(official_agency(publica_accounts::require_role(state, &ctx.sender, REQUESTER_ROLE)?)),
    };
    let record = find_record(state, record_id)?;
    if *basis == Basis::Owner {
        require_owner_or_representative(state, ctx, &record.owner)?;
    }
    check_purpose(purpose).map_err(|e| refuse(error::PURPOSE_INVALID, e))?;
    recipient.check().map_err(|e| refuse(error::RECIPIENT_KEY_INVALID, e))?;
    let pending_key = pending_request_key(record_id, &ctx.sender);
    if let Some(pending) = get::<u64>(state, &pending_key) {
        return Err(refuse(
            error::DUPLICATE_REQUEST,
            format!("access {pending} by {} to record {record_id} is still pending; wait for its answer", ctx.sender),
        ));
    }
    let request = Request { requester: &ctx.sender, requester_agency: requester_agency.as_ref(), purpose, basis };
    let mut verdict = evaluate(state, ctx.time_ms, &record, &request);
    if verdict.refusal.is_none() && record_pending(record_id).head(state).count >= MAX_PENDING_PER_RECORD {
        verdict.refusal = Some(Refusal::RecordQueueFull);
    }
    let id = take_next(state, "a");
    let access_state = match verdict.refusal {
        None => AccessState::Pending,
        Some(code) => AccessState::Refused { code },
    };
    let access = Access {
        id,
        record: record_id,
        owner: record.owner,
        agency: record.agency.clone(),
        requester: ctx.sender,
        requester_agency,
        purpose: purpose.to_owned(),
        basis: basis.clone(),
        study: verdict.study.as_ref().map(|s| s.id),
        fields: verdict.study.as_ref().map(|s| s.fields.clone()),
        recipient: recipient.clone(),
        requested_at_ms: ctx.time_ms,
        height: ctx.height,
        state: access_state,
    };
    put(state, access_key(id), &access);
    owner_accesses(&record.owner).push(state, id);
    if let Some(study) = &verdict.study {
        let key = study_counters_key(study.id);
        let mut counters: StudyCounters = get(state, &key).unwrap_or_default();
        counters.requests += 1;
        counters.refused += u64::from(verdict.refusal.is_some());
        put(state, key, &counters);
    }
    let decision = match verdict.refusal {
        None => {
            agency_pending(&record.agency).push(state, id);
            record_pending(record_id).push(state, id);
            put(state, pending_key, &id);
            AccessDecision::Pending
        }
        Some(code) => AccessDecision::Refused { code: code.as_str().to_owned() },
    };
    Ok((id, decision))
}

fn fulfil_access(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    release_sha256: &Hash,
    release_bytes: u64,
) -> Result<(), TxError> {
    let mut access = controller_pending_access(state, ctx, id)?;
    if release_bytes == 0 || release_bytes > MAX_RELEASE_BYTES {
        return Err(refuse(
            error::RELEASE_SIZE_INVALID,
            format!("a sealed release has 1 to {MAX_RELEASE_BYTES} bytes, not {release_bytes}"),
        ));
    }
    let record = find_record(state, access.record)?;
    let request = Request {
        requester: &access.requester,
        requester_agency: access.requester_agency.as_ref(),
        purpose: &access.purpose,
        basis: &access.basis,
    };
    let verdict = evaluate(state, ctx.time_ms, &record, &request);
    access.state = match verdict.refusal {
        Some(reason) => AccessState::Lapsed { at_ms: ctx.time_ms, reason },
        None => {
            if let Some(study) = access.study {
                count_study_release(state, study, &record);
            }
            AccessState::Released { by: ctx.sender, at_ms: ctx.time_ms, release_sha256: *release_sha256, release_bytes }
        }
    };
    settle(state, access);
    Ok(())
}

fn decline_access(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, reason_code: &str) -> Result<(), TxError> {
    let mut access = controller_pending_access(state, ctx, id)?;
    check_reason_code(reason_code).map_err(|e| refuse(error::REASON_CODE_INVALID, e))?;
    access.state = AccessState::Declined { by: ctx.sender, at_ms: ctx.time_ms, reason_code: reason_code.to_owned() };
    settle(state, access);
    Ok(())
}

/// A pending access the sender, a controller of the record's agency, may answer.
fn controller_pending_access(state: &dyn StateRead, ctx: &CallContext, id: u64) -> Result<Access, TxError> {
    let agency = official_agency(publica_accounts::require_role(state, &ctx.sender, CONTROLLER_ROLE)?);
    let access: Access = get(state, &access_key(id))
        .ok_or_else(|| refuse(error::ACCESS_NOT_FOUND, format!("no access has number {id}")))?;
    if access.agency != agency {
        return Err(refuse(
            error::NOT_THE_RECORDS_AGENCY,
            format!("access {id} is to a record of {}; its controllers answer it, not {agency}'s", access.agency),
        ));
    }
    if access.state != AccessState::Pending {
        return Err(refuse(
            error::ACCESS_NOT_PENDING,
            format!("access {id} is no longer pending ({}); nothing is left to answer", state_name(&access.state)),
        ));
    }
    Ok(access)
}

/// Write an access that is no longer pending, and take it out of the pending indexes.
fn settle(state: &mut dyn StateWrite, access: Access) {
    agency_pending(&access.agency).remove(state, access.id);
    record_pending(access.record).remove(state, access.id);
    state.delete(pending_request_key(access.record, &access.requester));
    put(state, access_key(access.id), &access);
}

fn count_study_release(state: &mut dyn StateWrite, study: u64, record: &Record) {
    let key = study_counters_key(study);
    let mut counters: StudyCounters = get(state, &key).unwrap_or_default();
    counters.released += 1;
    if let Some(category) = counters.by_category.iter_mut().find(|c| c.category == record.category) {
        category.released += 1;
    }
    let citizen_key = study_citizen_key(study, &record.owner);
    let released_before: u64 = get(state, &citizen_key).unwrap_or(0);
    if released_before == 0 {
        counters.citizens += 1;
    }
    put(state, citizen_key, &(released_before + 1));
    put(state, key, &counters);
}

// Erasure.

fn order_erasure(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let mut record = find_record(state, id)?;
    require_owner_or_representative(state, ctx, &record.owner)?;
    match &record.state {
        RecordState::Active => {}
        RecordState::ErasureOrdered { at_ms, by } => {
            return Err(refuse(
                error::ERASURE_ALREADY_ORDERED,
                format!("record {id}'s erasure was ordered at {at_ms} ms by {by}; its vault is to erase it"),
            ));
        }
        RecordState::Erased { erased_at_ms, .. } => {
            return Err(refuse(error::RECORD_ALREADY_ERASED, format!("record {id} was erased at {erased_at_ms} ms")));
        }
    }
    record.state = RecordState::ErasureOrdered { at_ms: ctx.time_ms, by: ctx.sender };
    agency_erasures(&record.agency).push(state, id);
    put(state, record_key(id), &record);
    Ok(())
}

fn record_erasure(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    order: ErasureOrder,
    statement_sha256: &Hash,
) -> Result<(), TxError> {
    let agency = official_agency(publica_accounts::require_role(state, &ctx.sender, CONTROLLER_ROLE)?);
    let mut record = find_record(state, id)?;
    if record.agency != agency {
        return Err(refuse(
            error::NOT_THE_RECORDS_AGENCY,
            format!("record {id} is held by {}; its controllers record its erasure, not {agency}'s", record.agency),
        ));
    }
    let (ordered_at_ms, ordered_by) = match (&record.state, order) {
        (RecordState::Erased { erased_at_ms, .. }, _) => {
            return Err(refuse(error::RECORD_ALREADY_ERASED, format!("record {id} was erased at {erased_at_ms} ms")));
        }
        (RecordState::ErasureOrdered { at_ms, by }, ErasureOrder::Owner) => (*at_ms, Some(*by)),
        (RecordState::Active, ErasureOrder::Owner) => {
            return Err(refuse(
                error::ERASURE_NOT_ORDERED,
                format!("nobody ordered record {id} erased; erase it on the owner's order only after that order"),
            ));
        }
        (_, ErasureOrder::Retention) => (retention_due(state, ctx, &record)?, None),
    };
    record.state = RecordState::Erased {
        ordered_at_ms,
        ordered_by,
        erased_at_ms: ctx.time_ms,
        order,
        by: ctx.sender,
        statement_sha256: *statement_sha256,
    };
    put(state, record_key(id), &record);
    agency_erasures(&record.agency).remove(state, id);
    // Every pending access to the record lapses: there is nothing left to release. `request_access` keeps the
    // list at most MAX_PENDING_PER_RECORD long, and each settled access leaves it.
    let pending = record_pending(id);
    for _ in 0..MAX_PENDING_PER_RECORD {
        let Some(access_id) = pending.head(state).first else { break };
        let mut access: Access = get(state, &access_key(access_id)).expect("a pending access is stored");
        access.state = AccessState::Lapsed { at_ms: ctx.time_ms, reason: Refusal::RecordErased };
        settle(state, access);
    }
    debug_assert_eq!(pending.head(state).count, 0, "every pending access of an erased record lapsed");
    Ok(())
}

/// When the retention rule made the record due for erasure; refused when there is no rule or it is not due yet.
fn retention_due(state: &dyn StateRead, ctx: &CallContext, record: &Record) -> Result<u64, TxError> {
    let rule: RetentionRule = get(state, &retention_key(&record.agency, &record.category)).ok_or_else(|| {
        refuse(
            error::RETENTION_NOT_SET,
            format!(
                "{} has no retention rule for {:?}; record {} is not due",
                record.agency, record.category, record.id
            ),
        )
    })?;
    let due_ms = record.registered_at_ms.saturating_add(u64::from(rule.keep_days).saturating_mul(DAY_MS));
    if ctx.time_ms < due_ms {
        return Err(refuse(
            error::RETENTION_NOT_ELAPSED,
            format!(
                "record {} is kept {} days from its registration, until {due_ms} ms; it is {} ms now",
                record.id, rule.keep_days, ctx.time_ms
            ),
        ));
    }
    Ok(due_ms)
}

// The basis of an access.

/// What a request names, for [`evaluate`].
struct Request<'a> {
    requester: &'a Address,
    requester_agency: Option<&'a AgencyId>,
    purpose: &'a str,
    basis: &'a Basis,
}

/// Whether a basis holds, and the study its consent names.
struct Verdict {
    refusal: Option<Refusal>,
    study: Option<Study>,
}

/// Check a request's basis against the record at `now_ms`: the same rule when it is asked and when it is
/// fulfilled.
fn evaluate(state: &dyn StateRead, now_ms: u64, record: &Record, request: &Request<'_>) -> Verdict {
    let mut study = None;
    let refusal = match &record.state {
        RecordState::Erased { .. } => Some(Refusal::RecordErased),
        RecordState::ErasureOrdered { .. } => Some(Refusal::ErasureOrdered),
        RecordState::Active => match request.basis {
            Basis::Owner => owner_holds(state, now_ms, record, request.requester),
            Basis::Consent(id) => match get::<Consent>(state, &consent_key(*id)) {
                None => Some(Refusal::BasisNotFound),
                Some(consent) => {
                    if let Grantee::Study(study_id) = consent.grantee {
                        study = get::<Study>(state, &study_key(study_id));
                    }
                    consent_holds(state, now_ms, record, request, &consent, study.as_ref())
                }
            },
            Basis::CourtOrder(id) => match get::<CourtOrder>(state, &court_order_key(*id)) {
                None => Some(Refusal::BasisNotFound),
                Some(order) => first_failure([
                    (order.owner != record.owner, Refusal::OtherOwner),
                    (now_ms >= order.until_ms, Refusal::Expired),
                    (order.category != record.category, Refusal::WrongCategory),
                    (order.purpose != request.purpose, Refusal::WrongPurpose),
                    (request.requester_agency != Some(&order.grantee), Refusal::WrongGrantee),
                ]),
            },
            Basis::Emergency(id) => match get::<Emergency>(state, &emergency_key(*id)) {
                None => Some(Refusal::BasisNotFound),
                Some(emergency) => first_failure([
                    (emergency.ended.is_some(), Refusal::EmergencyEnded),
                    (now_ms >= emergency.until_ms, Refusal::Expired),
                    (!emergency.categories.contains(&record.category), Refusal::WrongCategory),
                    (emergency.purpose != request.purpose, Refusal::WrongPurpose),
                    (!request.requester_agency.is_some_and(|a| emergency.grantees.contains(a)), Refusal::WrongGrantee),
                ]),
            },
        },
    };
    Verdict { refusal, study }
}

fn owner_holds(state: &dyn StateRead, now_ms: u64, record: &Record, requester: &Address) -> Option<Refusal> {
    let allowed = *requester == record.owner || is_representative(state, now_ms, &record.owner, requester);
    (!allowed).then_some(Refusal::NotOwnerOrRepresentative)
}

fn consent_holds(
    state: &dyn StateRead,
    now_ms: u64,
    record: &Record,
    request: &Request<'_>,
    consent: &Consent,
    study: Option<&Study>,
) -> Option<Refusal> {
    let grantee_ok = match &consent.grantee {
        Grantee::Agency(agency) => request.requester_agency == Some(agency),
        Grantee::Account(account) => request.requester == account,
        Grantee::Study(_) => study.is_some_and(|s| {
            publica_accounts::require_role(state, request.requester, RESEARCHER_ROLE)
                .is_ok_and(|r| r.agency() == Some(&s.agency))
        }),
    };
    let common = first_failure([
        (consent.owner != record.owner, Refusal::OtherOwner),
        (consent.revoked.is_some(), Refusal::ConsentRevoked),
        (now_ms >= consent.until_ms, Refusal::Expired),
        (consent.category != record.category, Refusal::WrongCategory),
        (consent.purpose != request.purpose, Refusal::WrongPurpose),
        (!grantee_ok, Refusal::WrongGrantee),
    ]);
    common.or_else(|| {
        let study = study?;
        first_failure([
            (study.approval.is_none(), Refusal::StudyNotApproved),
            (now_ms >= study.until_ms, Refusal::StudyEnded),
        ])
    })
}

fn first_failure<const N: usize>(checks: [(bool, Refusal); N]) -> Option<Refusal> {
    checks.into_iter().find(|(failed, _)| *failed).map(|(_, refusal)| refusal)
}

// Shared checks.

/// The agency of an official that `require_role` returned.
fn official_agency(record: AccountRecord) -> AgencyId {
    record.agency().cloned().expect("an account holding a role is an official of an agency")
}

fn require_citizen(state: &dyn StateRead, address: &Address) -> Result<(), TxError> {
    let account = publica_accounts::account(state, address);
    if !account.is_some_and(|a| a.active && matches!(a.kind, AccountKind::Citizen { .. })) {
        return Err(refuse(error::OWNER_NOT_A_CITIZEN, format!("{address} is not an active citizen")));
    }
    Ok(())
}

fn require_agency(state: &dyn StateRead, agency: &AgencyId) -> Result<(), TxError> {
    if publica_accounts::agency(state, agency).is_none() {
        return Err(refuse(error::GRANTEE_UNKNOWN, format!("agency {agency} is not registered")));
    }
    Ok(())
}

/// Whether `representative` currently represents `citizen`.
pub(crate) fn is_representative(
    state: &dyn StateRead,
    now_ms: u64,
    citizen: &Address,
    representative: &Address,
) -> bool {
    get::<Representation>(state, &representation_key(citizen, representative)).is_some_and(|r| r.current_at(now_ms))
}

/// The sender acts for `owner`: it is the owner (an active citizen) or their representative with a current
/// appointment.
fn require_owner_or_representative(state: &dyn StateRead, ctx: &CallContext, owner: &Address) -> Result<(), TxError> {
    if ctx.sender == *owner {
        return require_citizen(state, owner);
    }
    if is_representative(state, ctx.time_ms, owner, &ctx.sender) {
        return Ok(());
    }
    Err(refuse(
        error::NOT_OWNER_OR_REPRESENTATIVE,
        format!(
            "{} acts for {owner} only as the citizen or their representative with a current appointment",
            ctx.sender
        ),
    ))
}

fn check_until(ctx: &CallContext, until_ms: u64) -> Result<(), TxError> {
    if until_ms <= ctx.time_ms {
        return Err(refuse(
            error::UNTIL_NOT_IN_FUTURE,
            format!("the end must be after the block's time ({} ms), not at {until_ms} ms", ctx.time_ms),
        ));
    }
    if until_ms - ctx.time_ms > MAX_AHEAD_MS {
        return Err(refuse(
            error::UNTIL_TOO_FAR,
            format!("the end may be at most ten years ahead ({} ms), not at {until_ms} ms", ctx.time_ms + MAX_AHEAD_MS),
        ));
    }
    Ok(())
}

fn check_categories(categories: &[String]) -> Result<(), TxError> {
    if categories.is_empty() || categories.len() > MAX_CATEGORIES {
        return Err(refuse(
            error::CATEGORIES_INVALID,
            format!("1 to {MAX_CATEGORIES} categories are named, not {}", categories.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    for category in categories {
        check_category(category).map_err(|e| refuse(error::CATEGORIES_INVALID, e))?;
        if !seen.insert(category) {
            return Err(refuse(error::CATEGORIES_INVALID, format!("category {category:?} is named twice")));
        }
    }
    Ok(())
}

fn find_record(state: &dyn StateRead, id: u64) -> Result<Record, TxError> {
    get(state, &record_key(id)).ok_or_else(|| refuse(error::RECORD_NOT_FOUND, format!("no record has number {id}")))
}

fn find_study(state: &dyn StateRead, id: u64) -> Result<Study, TxError> {
    get(state, &study_key(id)).ok_or_else(|| refuse(error::STUDY_NOT_FOUND, format!("no study has number {id}")))
}

fn state_name(state: &AccessState) -> String {
    match state {
        AccessState::Pending => "pending".into(),
        AccessState::Refused { code } => format!("refused: {code}"),
        AccessState::Released { at_ms, .. } => format!("released at {at_ms} ms"),
        AccessState::Declined { at_ms, reason_code, .. } => format!("declined at {at_ms} ms: {reason_code}"),
        AccessState::Lapsed { at_ms, reason } => format!("lapsed at {at_ms} ms: {reason}"),
    }
}
