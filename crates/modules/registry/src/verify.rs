//! The verifier's side of the registries' as-of answers: decisions taken from proven record versions alone.
//!
//! A node answers "who owned parcel P on date D" or "was permit B valid on D" with the versions it read and the
//! keys to prove ([`crate::query::title_at`], [`crate::query::permit_at`]); a verifier checks the proofs, decodes
//! the proven values ([`crate::engine::decode_version`]) and decides with [`owners_at`] or [`permit_status`],
//! which refuse versions that do not decide the question ([`crate::engine::decide_as_of`]). `publica-verify`
//! uses this module; nothing here reads the state.

use serde::{Deserialize, Serialize};

use publica_types::RecordId;

use crate::engine::decide_as_of;
use crate::error::RegistryError;
use crate::schema::{Owner, Permit, PermitState, Title, TitleBasis, Version};

/// Who owned a parcel at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OwnershipAt {
    /// The parcel was not registered yet (or never was).
    NotRegistered,
    /// The title in force.
    Owned {
        /// Title version.
        version: u32,
        /// Owners and shares.
        owners: Vec<Owner>,
        /// Encumbrances in force.
        encumbrances: Vec<u64>,
    },
    /// The parcel had been retired; its land belonged to its successors.
    Retired {
        /// Title version.
        version: u32,
        /// The parcels that replaced it.
        successors: Vec<RecordId>,
    },
}

/// The verifier's decision: who owned `parcel` at `at_ms`, given the title versions read from the proven keys
/// of [`title_at`](crate::query::title_at) (`None` where the proof shows a key absent). Refuses versions that do
/// not decide the question.
pub fn owners_at(
    parcel: &RecordId,
    at_ms: u64,
    in_force: Option<&Version<Title>>,
    next: Option<&Version<Title>>,
) -> Result<OwnershipAt, RegistryError> {
    Ok(match decide_as_of(parcel.as_str(), at_ms, in_force, next)? {
        None => OwnershipAt::NotRegistered,
        Some(v) => match &v.value.basis {
            TitleBasis::Retired { successors } => {
                OwnershipAt::Retired { version: v.version, successors: successors.clone() }
            }
            _ => OwnershipAt::Owned {
                version: v.version,
                owners: v.value.owners.clone(),
                encumbrances: v.value.encumbrances.clone(),
            },
        },
    })
}

/// A permit's status at a time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PermitStatus {
    /// Not issued yet (or never).
    NotIssued,
    /// Issued, but its validity had not started.
    NotYetValid,
    /// Valid.
    Valid,
    /// Its validity had ended.
    Expired,
    /// Suspended.
    Suspended {
        /// Why.
        reason: String,
    },
    /// Revoked.
    Revoked {
        /// Why.
        reason: String,
    },
}

/// The verifier's decision: a permit's status at `at_ms`, given the permit versions read from the proven keys of
/// [`permit_at`](crate::query::permit_at). Revocation and suspension take precedence over the validity dates.
pub fn permit_status(
    id: &RecordId,
    at_ms: u64,
    in_force: Option<&Version<Permit>>,
    next: Option<&Version<Permit>>,
) -> Result<PermitStatus, RegistryError> {
    let Some(v) = decide_as_of(id.as_str(), at_ms, in_force, next)? else {
        return Ok(PermitStatus::NotIssued);
    };
    let p = &v.value;
    Ok(match &p.state {
        PermitState::Revoked { reason } => PermitStatus::Revoked { reason: reason.clone() },
        PermitState::Suspended { reason } => PermitStatus::Suspended { reason: reason.clone() },
        PermitState::Active if at_ms < p.valid_from_ms => PermitStatus::NotYetValid,
        PermitState::Active if at_ms >= p.valid_until_ms => PermitStatus::Expired,
        PermitState::Active => PermitStatus::Valid,
    })
}
