//! Who may do what: the module's permission table, declared per record type.
//!
//! Direct changes ([`DIRECT_RULES`]) are made by one official holding one of the listed roles. Workflows
//! ([`WORKFLOW_RULES`]) are opened by one party and take effect when every party of every stage has approved,
//! stage after stage. The tables drive the checks in code and are reproduced in `docs/registry.md`.

use publica_accounts::AccountRecord;

use crate::error;
use publica_types::{Address, ErrorCode, Role, StateRead, TxError};

/// The land registrar: first registrations, and the final approval of transfers, subdivisions and mergers.
pub const REGISTRAR: &str = "registrar";
/// A notary: attests transfers (the same role as the notary module's).
pub const NOTARY: &str = Role::NOTARY;
/// A bank: registers and releases mortgages and liens.
pub const BANK: &str = "bank";
/// A court: registers and releases liens; orders changes of ownership.
pub const COURT: &str = "court";
/// A probate court: passes deceased owners' shares to heirs.
pub const PROBATE_COURT: &str = "probate-court";
/// A permit officer: issues and manages permits and licences for their agency.
pub const PERMIT_OFFICER: &str = "permit-officer";
/// The company registrar: the final approval of company registrations and dissolutions; liquidations.
pub const COMPANY_REGISTRAR: &str = "company-registrar";

/// A change made by one official in one transaction.
#[derive(Clone, Copy, Debug)]
pub struct DirectRule {
    /// The action's name.
    pub action: &'static str,
    /// The record types it writes.
    pub records: &'static str,
    /// The sender must be an active official holding one of these roles.
    pub roles: &'static [&'static str],
    /// The sender must also belong to the agency that made the record (its issuer or registrant).
    pub same_agency: bool,
}

/// The direct changes.
pub const DIRECT_RULES: &[DirectRule] = &[
    DirectRule { action: "register_parcel", records: "parcel, title", roles: &[REGISTRAR], same_agency: false },
    DirectRule { action: "register_mortgage", records: "encumbrance, title", roles: &[BANK], same_agency: false },
    DirectRule { action: "register_lien", records: "encumbrance, title", roles: &[BANK, COURT], same_agency: false },
    DirectRule {
        action: "release_encumbrance",
        records: "encumbrance, title",
        roles: &[BANK, COURT],
        same_agency: true,
    },
    DirectRule { action: "record_inheritance", records: "title", roles: &[PROBATE_COURT], same_agency: false },
    DirectRule { action: "court_order", records: "title", roles: &[COURT], same_agency: false },
    DirectRule { action: "issue_permit", records: "permit", roles: &[PERMIT_OFFICER], same_agency: false },
    DirectRule { action: "renew_permit", records: "permit", roles: &[PERMIT_OFFICER], same_agency: true },
    DirectRule { action: "suspend_permit", records: "permit", roles: &[PERMIT_OFFICER], same_agency: true },
    DirectRule { action: "reinstate_permit", records: "permit", roles: &[PERMIT_OFFICER], same_agency: true },
    DirectRule { action: "revoke_permit", records: "permit", roles: &[PERMIT_OFFICER], same_agency: true },
    DirectRule {
        action: "place_in_liquidation",
        records: "company",
        roles: &[COURT, COMPANY_REGISTRAR],
        same_agency: false,
    },
];

/// A party of a workflow, before it is bound to an application's accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyRule {
    /// Every current owner of the parcels concerned (the sellers), each approving for their own account.
    CurrentOwners,
    /// Every owner named by the application (the buyers), each approving for their own account.
    NewOwners,
    /// One active official holding the role, who is not a named party of the application.
    Role(&'static str),
    /// Every founder of a company being registered: every person it names (its officers, the persons among its
    /// shareholders, its beneficial owners).
    Founders,
    /// Every current director (or chair) of the company concerned (for a filing: only when it changes the
    /// officers, the shareholders or the beneficial owners).
    Directors,
    /// Any current officer (director, chair or secretary) of the company concerned.
    Officers,
    /// Every person whose entry a filing adds, changes or removes (`business::consent_needed`): a new officer (or
    /// an officer in a new position), every shareholder whose holding changes (for a company shareholder, its
    /// directors), every beneficial owner whose interests change. Nobody's entry changes without their consent.
    NamedPersons,
}

/// A workflow: who may open it and who must approve, stage after stage.
#[derive(Clone, Copy, Debug)]
pub struct WorkflowRule {
    /// The workflow's name (`ApplicationAction::kind`).
    pub workflow: &'static str,
    /// The record types it writes when it takes effect.
    pub records: &'static str,
    /// Who may open it.
    pub openers: &'static [PartyRule],
    /// Who must approve: every party of stage 1, then every party of stage 2, ...
    pub stages: &'static [&'static [PartyRule]],
}

/// The workflows.
pub const WORKFLOW_RULES: &[WorkflowRule] = &[
    WorkflowRule {
        workflow: "transfer",
        records: "title",
        openers: &[PartyRule::CurrentOwners, PartyRule::NewOwners, PartyRule::Role(NOTARY)],
        stages: &[
            &[PartyRule::CurrentOwners, PartyRule::NewOwners, PartyRule::Role(NOTARY)],
            &[PartyRule::Role(REGISTRAR)],
        ],
    },
    WorkflowRule {
        workflow: "subdivide",
        records: "parcel, title",
        openers: &[PartyRule::CurrentOwners, PartyRule::Role(REGISTRAR)],
        stages: &[&[PartyRule::CurrentOwners], &[PartyRule::Role(REGISTRAR)]],
    },
    WorkflowRule {
        workflow: "merge",
        records: "parcel, title",
        openers: &[PartyRule::CurrentOwners, PartyRule::Role(REGISTRAR)],
        stages: &[&[PartyRule::CurrentOwners], &[PartyRule::Role(REGISTRAR)]],
    },
    WorkflowRule {
        workflow: "register_company",
        records: "company",
        openers: &[PartyRule::Founders],
        stages: &[&[PartyRule::Founders], &[PartyRule::Role(COMPANY_REGISTRAR)]],
    },
    WorkflowRule {
        workflow: "dissolve_company",
        records: "company",
        openers: &[PartyRule::Directors],
        stages: &[&[PartyRule::Role(COMPANY_REGISTRAR)]],
    },
    WorkflowRule {
        workflow: "company_filing",
        records: "company, filing",
        openers: &[PartyRule::Officers],
        stages: &[&[PartyRule::Directors, PartyRule::NamedPersons]],
    },
];

/// The rule of a direct action.
pub fn direct_rule(action: &str) -> &'static DirectRule {
    DIRECT_RULES.iter().find(|r| r.action == action).unwrap_or_else(|| panic!("no rule for action {action}"))
}

/// The rule of a workflow.
pub fn workflow_rule(workflow: &str) -> &'static WorkflowRule {
    WORKFLOW_RULES.iter().find(|r| r.workflow == workflow).unwrap_or_else(|| panic!("no rule for workflow {workflow}"))
}

/// A role named in the tables, as a [`Role`].
pub(crate) fn role(name: &'static str) -> Role {
    Role::new(name).expect("the tables name valid roles")
}

/// Check that `sender` is an active official holding one of `roles`; returns its record and the role it holds
/// (the first of `roles` it holds).
pub(crate) fn require_any_role(
    state: &dyn StateRead,
    sender: &Address,
    roles: &[&'static str],
    what: &str,
) -> Result<(AccountRecord, Role), TxError> {
    let mut first_error = None;
    for r in roles {
        match publica_accounts::require_role(state, sender, r) {
            Ok(record) => return Ok((record, role(r))),
            Err(e) => {
                if e.code != ErrorCode::MissingRole {
                    return Err(e);
                }
                first_error.get_or_insert(e);
            }
        }
    }
    match (roles.len(), first_error) {
        (1, Some(e)) => Err(e),
        _ => Err(TxError::new(
            ErrorCode::MissingRole,
            format!(
                "account {sender} holds none of the roles {} needed to {what}; ask an agency administrator",
                roles.join(", ")
            ),
        )),
    }
}

/// Check the sender may perform a direct `action` (see [`DIRECT_RULES`]). `record_agency` is the agency that made
/// the record, for actions reserved to it.
pub(crate) fn authorize(
    state: &dyn StateRead,
    sender: &Address,
    action: &'static str,
    record_agency: Option<&publica_types::AgencyId>,
) -> Result<(AccountRecord, Role), TxError> {
    let rule = direct_rule(action);
    let (record, held) = require_any_role(state, sender, rule.roles, &action.replace('_', " "))?;
    if rule.same_agency {
        let agency = record_agency.expect("actions reserved to an agency name the record's agency");
        if record.agency() != Some(agency) {
            return Err(TxError::new(
                error::RECORD_OF_OTHER_AGENCY,
                format!(
                    "only officials of agency {agency}, which made this record, may {}; account {sender} belongs to {}",
                    action.replace('_', " "),
                    record.agency().map(|a| a.as_str()).unwrap_or("no agency")
                ),
            ));
        }
    }
    Ok((record, held))
}
