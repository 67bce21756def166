//! Applications: opening, approving and rejecting, stage after stage.
//!
//! An application binds a workflow of [`WORKFLOW_RULES`](crate::rules::WORKFLOW_RULES) to accounts when it is
//! opened: "current owners" become the parcel's owners at that moment, "new owners" the owners named by the
//! action. Its action is stored once under `reg/appx/<id>` and each change of the application is a new version.
//!
//! Rules enforced on every approval, in this order, each with its own refusal: the application exists; it is
//! open (not approved, not rejected); its deadline has not passed; the party is one it requires; the party has not
//! approved yet; the sender speaks for the party (its own account, or a role it holds as an active official who is
//! not a named party of the application and has not approved for another party); every party of the earlier stages
//! has approved. The last approval makes the action take effect in the same transaction: if the action is refused
//! then (a mortgage registered meanwhile, a title changed since opening), the approval is refused with it and the
//! application stays open.

use crate::call::{ApplicationAction, Party, MAX_OWNERS};
use publica_types::{codec, sha256, Address, CallContext, StateRead, StateWrite, TxError, TxOutcome};

use crate::engine::{self, append, next_number};
use crate::error::{self, refuse};
use crate::land;
use crate::rules::{role, workflow_rule, PartyRule, WorkflowRule};
use crate::schema::{
    action_key, check_text, decode_stored, Application, ApplicationStatus, Approval, Record, Version,
    NEXT_APPLICATION_KEY,
};

/// Longest time an application may stay open: one year.
pub const MAX_APPLICATION_DURATION_MS: u64 = 366 * 24 * 3600 * 1000;

/// What opening an action needs to know from the records it concerns.
#[derive(Default)]
pub(crate) struct OpeningFacts {
    /// The current owners of the parcels concerned.
    pub current_owners: Vec<Address>,
    /// The owners the action names.
    pub new_owners: Vec<Address>,
    /// The title version of every parcel concerned.
    pub title_versions: Vec<(publica_types::RecordId, u32)>,
    /// The founders of a company being registered.
    pub founders: Vec<Address>,
    /// The directors of the company concerned (for a filing, only when it changes the officers).
    pub directors: Vec<Address>,
    /// The officers of the company concerned.
    pub officers: Vec<Address>,
    /// The persons whose entry a filing adds, changes or removes.
    pub named_persons: Vec<Address>,
}

fn is_land(action: &ApplicationAction) -> bool {
    matches!(
        action,
        ApplicationAction::Transfer { .. } | ApplicationAction::Subdivide { .. } | ApplicationAction::Merge { .. }
    )
}

/// Bind an action's parties from the records it concerns: cheap reads and structural limits only.
fn parties(state: &dyn StateRead, action: &ApplicationAction) -> Result<OpeningFacts, TxError> {
    if is_land(action) {
        land::parties(state, action)
    } else {
        crate::business::parties(state, action)
    }
}

/// Check an action in full (geometry, schema rules), once its opener is known to be allowed to open it.
fn check(state: &dyn StateRead, action: &ApplicationAction) -> Result<(), TxError> {
    if is_land(action) {
        land::check_geometry(state, action)
    } else {
        crate::business::check(state, action)
    }
}

fn party_text(p: &Party) -> String {
    match p {
        Party::Account(a) => format!("account {a}"),
        Party::Role(r) => format!("role {r}"),
    }
}

fn list(parties: &[Party]) -> String {
    parties.iter().map(party_text).collect::<Vec<_>>().join(", ")
}

/// The parties of `app` that have not approved yet, stage by stage.
pub fn missing_parties(app: &Application) -> Vec<Party> {
    app.stages.iter().flatten().filter(|p| !app.approvals.iter().any(|a| &a.party == *p)).cloned().collect()
}

/// The application `id`, latest version, and its action.
pub fn load(state: &dyn StateRead, id: u64) -> Option<(Version<Application>, ApplicationAction)> {
    let v = engine::latest::<Application>(state, &id.to_string())?;
    let bytes = state.get(&action_key(id)).expect("an application's action is stored with it");
    assert_eq!(sha256(&bytes), v.value.action_hash, "application {id}'s action does not match its hash; corrupt store");
    Some((v, decode_stored("application action", &bytes)))
}

fn bind(rule: &[PartyRule], prepared: &OpeningFacts) -> Vec<Party> {
    let mut out: Vec<Party> = Vec::new();
    for pr in rule {
        let parties: Vec<Party> = match pr {
            PartyRule::CurrentOwners => prepared.current_owners.iter().map(|a| Party::Account(*a)).collect(),
            PartyRule::NewOwners => prepared.new_owners.iter().map(|a| Party::Account(*a)).collect(),
            PartyRule::Role(r) => vec![Party::Role(role(r))],
            PartyRule::Founders => prepared.founders.iter().map(|a| Party::Account(*a)).collect(),
            PartyRule::Directors => prepared.directors.iter().map(|a| Party::Account(*a)).collect(),
            PartyRule::Officers => prepared.officers.iter().map(|a| Party::Account(*a)).collect(),
            PartyRule::NamedPersons => prepared.named_persons.iter().map(|a| Party::Account(*a)).collect(),
        };
        for p in parties {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Open an application: the deadline, then who may open it (from cheap reads), and only then the action in full,
/// so that a sender who may not open the application never makes the node parse or compare a boundary. Returns
/// the application's number.
pub(crate) fn open(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    action: &ApplicationAction,
    deadline_ms: u64,
) -> Result<u64, TxError> {
    let rule = workflow_rule(action.kind());
    check_deadline(ctx, deadline_ms)?;
    let prepared = parties(state, action)?;
    check_opener(state, ctx, rule, &prepared)?;
    check(state, action)?;
    let stages: Vec<Vec<Party>> = rule.stages.iter().map(|s| bind(s, &prepared)).collect();
    if stages.iter().all(Vec::is_empty) {
        return Err(refuse(
            error::APPLICATION_NOT_NEEDED,
            format!(
            "this {} needs nobody's approval; make it directly (a filing that changes nobody's entry, the officers, \
             the shareholders or the beneficial owners is filed with file_company_change)",
            rule.workflow
        ),
        ));
    }
    debug_assert!(stages.iter().flatten().count() <= 2 * MAX_OWNERS + 8);
    let action_bytes = codec::encode(action);
    let app = Application {
        workflow: rule.workflow.to_owned(),
        action_hash: sha256(&action_bytes),
        opened_by: ctx.sender,
        deadline_ms,
        stages,
        title_versions: prepared.title_versions,
        approvals: Vec::new(),
        status: ApplicationStatus::Open,
    };
    app.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    let id = next_number(state, NEXT_APPLICATION_KEY);
    state.put(action_key(id), action_bytes);
    append(state, ctx, &id.to_string(), None, app)?;
    Ok(id)
}

/// The deadline of a new application: after the block time and at most [`MAX_APPLICATION_DURATION_MS`] later.
fn check_deadline(ctx: &CallContext, deadline_ms: u64) -> Result<(), TxError> {
    if deadline_ms <= ctx.time_ms || deadline_ms - ctx.time_ms > MAX_APPLICATION_DURATION_MS {
        return Err(refuse(
            error::APPLICATION_DEADLINE_OUT_OF_RANGE,
            format!(
                "the deadline must be after the block time ({} ms) and at most {} days later, it is {deadline_ms} ms",
                ctx.time_ms,
                MAX_APPLICATION_DURATION_MS / 86_400_000
            ),
        ));
    }
    Ok(())
}

/// The sender must be one of the workflow's openers, bound from the records the action concerns.
fn check_opener(
    state: &dyn StateRead,
    ctx: &CallContext,
    rule: &WorkflowRule,
    prepared: &OpeningFacts,
) -> Result<(), TxError> {
    let may_open = rule.openers.iter().any(|o| match o {
        PartyRule::CurrentOwners => prepared.current_owners.contains(&ctx.sender),
        PartyRule::NewOwners => prepared.new_owners.contains(&ctx.sender),
        PartyRule::Role(r) => publica_accounts::require_role(state, &ctx.sender, r).is_ok(),
        PartyRule::Founders => prepared.founders.contains(&ctx.sender),
        PartyRule::Directors => prepared.directors.contains(&ctx.sender),
        PartyRule::Officers => prepared.officers.contains(&ctx.sender),
        PartyRule::NamedPersons => prepared.named_persons.contains(&ctx.sender),
    });
    if !may_open {
        return Err(refuse(
            error::APPLICATION_OPENER_NOT_ALLOWED,
            format!(
                "account {} may not open a {} application: it is opened by {}",
                ctx.sender,
                rule.workflow,
                rule.openers.iter().map(opener_text).collect::<Vec<_>>().join(" or ")
            ),
        ));
    }
    Ok(())
}

/// Who an opener rule admits, for refusals.
fn opener_text(o: &PartyRule) -> String {
    match o {
        PartyRule::CurrentOwners => "a current owner".to_owned(),
        PartyRule::NewOwners => "a new owner".to_owned(),
        PartyRule::Founders => "a founder".to_owned(),
        PartyRule::Directors => "a director".to_owned(),
        PartyRule::Officers => "an officer".to_owned(),
        PartyRule::NamedPersons => "a person it names".to_owned(),
        PartyRule::Role(r) => format!("an official with role {r}"),
    }
}

/// Load an application and check it can still be acted on.
fn open_application(
    state: &dyn StateRead,
    ctx: &CallContext,
    id: u64,
) -> Result<(Version<Application>, ApplicationAction), TxError> {
    let (v, action) = load(state, id).ok_or_else(|| {
        refuse(error::APPLICATION_NOT_FOUND, format!("application {id} does not exist; check the number"))
    })?;
    match &v.value.status {
        ApplicationStatus::Open => {}
        ApplicationStatus::Approved => {
            return Err(refuse(
                error::APPLICATION_APPROVED,
                format!("application {id} was approved and took effect at height {}; it is closed", v.height),
            ))
        }
        ApplicationStatus::Rejected { party, reason, .. } => {
            return Err(refuse(
                error::APPLICATION_REJECTED,
                format!(
                    "application {id} was rejected by {} at height {} ({reason}); it is closed, open a new one",
                    party_text(party),
                    v.height
                ),
            ))
        }
    }
    if ctx.time_ms > v.value.deadline_ms {
        return Err(refuse(
            error::APPLICATION_EXPIRED,
            format!(
                "application {id} expired at {} ms (block time {} ms); open a new application",
                v.value.deadline_ms, ctx.time_ms
            ),
        ));
    }
    Ok((v, action))
}

/// Check that the sender may speak for `party` on `app`, and that `app` requires it; returns its stage.
fn speak_for(
    state: &dyn StateRead,
    ctx: &CallContext,
    id: u64,
    app: &Application,
    party: &Party,
) -> Result<usize, TxError> {
    let stage = app.stages.iter().position(|s| s.contains(party)).ok_or_else(|| {
        refuse(
            error::NOT_A_PARTY,
            format!(
                "application {id} does not require {}; its parties are {}",
                party_text(party),
                list(&app.stages.concat())
            ),
        )
    })?;
    match party {
        Party::Account(a) => {
            if *a != ctx.sender {
                return Err(refuse(
                    error::ACTING_FOR_OTHER_ACCOUNT,
                    format!(
                        "account {} cannot act for account {a} on application {id}; only that account can",
                        ctx.sender
                    ),
                ));
            }
        }
        Party::Role(r) => {
            publica_accounts::require_role(state, &ctx.sender, r.as_str())?;
            if app.stages.iter().flatten().any(|p| p == &Party::Account(ctx.sender)) {
                return Err(refuse(
                    error::NAMED_PARTY_ACTING_IN_ROLE,
                    format!(
                        "account {} is a named party of application {id} and cannot also act as {r}; another official \
                     must",
                        ctx.sender
                    ),
                ));
            }
        }
    }
    Ok(stage)
}

/// Approve an application for `party`; the last approval makes its action take effect, and reports what the action
/// created (a company's number).
pub(crate) fn approve(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    party: &Party,
) -> Result<TxOutcome, TxError> {
    let (v, action) = open_application(state, ctx, id)?;
    let mut app = v.value;
    let stage = speak_for(state, ctx, id, &app, party)?;
    if let Some(a) = app.approvals.iter().find(|a| &a.party == party) {
        return Err(refuse(
            error::PARTY_ALREADY_APPROVED,
            format!(
                "{} already approved application {id} (by account {} at height {}); each party approves once",
                party_text(party),
                a.by,
                a.height
            ),
        ));
    }
    if let Some(a) = app.approvals.iter().find(|a| a.by == ctx.sender) {
        return Err(refuse(
            error::ACCOUNT_ALREADY_APPROVED,
            format!(
                "account {} already approved application {id} for {}; one account fills one party",
                ctx.sender,
                party_text(&a.party)
            ),
        ));
    }
    let earlier_missing: Vec<Party> = app.stages[..stage]
        .iter()
        .flatten()
        .filter(|p| !app.approvals.iter().any(|a| &a.party == *p))
        .cloned()
        .collect();
    if !earlier_missing.is_empty() {
        return Err(refuse(
            error::STAGE_NOT_REACHED,
            format!(
                "{} approves application {id} only after {}; still missing: {}",
                party_text(party),
                list(&app.stages[..stage].concat()),
                list(&earlier_missing)
            ),
        ));
    }
    app.approvals.push(Approval {
        party: party.clone(),
        by: ctx.sender,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx_id: ctx.tx_id,
    });
    let mut outcome = TxOutcome::None;
    if missing_parties(&app).is_empty() {
        // Check-then-write: the action checks everything before its first write, so a refusal here leaves the
        // state (and this approval) untouched.
        if is_land(&action) {
            land::apply(state, ctx, id, &action, &app.title_versions)?
        } else {
            outcome = crate::business::apply(state, ctx, id, &action, &app)?
        }
        app.status = ApplicationStatus::Approved;
    }
    append(state, ctx, &id.to_string(), None, app)?;
    Ok(outcome)
}

/// Reject an application for `party`, closing it.
pub(crate) fn reject(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    party: &Party,
    reason: &str,
) -> Result<(), TxError> {
    check_text("reason", reason).map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    let (v, _) = open_application(state, ctx, id)?;
    let mut app = v.value;
    speak_for(state, ctx, id, &app, party)?;
    app.status = ApplicationStatus::Rejected { party: party.clone(), by: ctx.sender, reason: reason.to_owned() };
    append(state, ctx, &id.to_string(), None, app)?;
    Ok(())
}
