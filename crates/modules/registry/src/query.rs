//! Reads of the registry module: pure functions over the state.
//!
//! Answers that a citizen may want proven come with the list of state keys to prove (see [`engine::AsOf`]); the
//! node attaches a state proof per key, and the verifier feeds the proven values to
//! [`owners_at`](crate::verify::owners_at) or [`permit_status`](crate::verify::permit_status), which decide from
//! them alone.

use serde::{Deserialize, Serialize};

use crate::call::{ApplicationAction, Party};
use publica_types::RecordId;
use publica_types::{Address, StateRead, TxError};

use crate::engine::{self, AsOf};
use crate::geo::{index, BBox, Polygon};
use crate::schema::{Application, ApplicationStatus, Encumbrance, Parcel, Permit, Title, Version};
use crate::{land, workflow};

/// A parcel as it stands: latest parcel version, title version and boundary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelView {
    /// The parcel's latest version.
    pub parcel: Version<Parcel>,
    /// The title's latest version.
    pub title: Version<Title>,
    /// The boundary.
    pub geometry: Polygon,
}

/// A parcel and its current title.
pub fn parcel(state: &dyn StateRead, id: &RecordId) -> Option<ParcelView> {
    Some(ParcelView {
        parcel: engine::latest::<Parcel>(state, id.as_str())?,
        title: engine::latest::<Title>(state, id.as_str())?,
        geometry: land::geometry(state, id)?,
    })
}

/// A parcel's versions (status, lineage) from version `from`, at most `limit`.
pub fn parcel_history(state: &dyn StateRead, id: &RecordId, from: u32, limit: usize) -> Vec<Version<Parcel>> {
    engine::history(state, id.as_str(), from, limit)
}

/// A parcel's title versions (owners, encumbrances, basis) from version `from`, at most `limit`.
pub fn title_history(state: &dyn StateRead, id: &RecordId, from: u32, limit: usize) -> Vec<Version<Title>> {
    engine::history(state, id.as_str(), from, limit)
}

/// The title version in force at `at_ms`, with the keys to prove (feed the proven values to [`owners_at`](crate::verify::owners_at)).
pub fn title_at(state: &dyn StateRead, parcel: &RecordId, at_ms: u64) -> AsOf<Title> {
    engine::as_of(state, parcel.as_str(), at_ms)
}

/// An encumbrance's latest version.
pub fn encumbrance(state: &dyn StateRead, id: u64) -> Option<Version<Encumbrance>> {
    engine::latest(state, &id.to_string())
}

/// Where an application stands at `now_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApplicationState {
    /// Open; these parties have yet to approve.
    Open {
        /// Missing parties, stage by stage.
        missing: Vec<Party>,
    },
    /// Approved and in effect.
    Approved,
    /// Rejected.
    Rejected {
        /// Whom the rejection spoke for.
        party: Party,
        /// Who rejected.
        by: Address,
        /// Why.
        reason: String,
    },
    /// The deadline passed before the last approval.
    Expired {
        /// The deadline.
        deadline_ms: u64,
    },
}

/// Where an application stands at `now_ms` (an open application past its deadline is expired).
pub fn application_state(app: &Application, now_ms: u64) -> ApplicationState {
    match &app.status {
        ApplicationStatus::Approved => ApplicationState::Approved,
        ApplicationStatus::Rejected { party, by, reason } => {
            ApplicationState::Rejected { party: party.clone(), by: *by, reason: reason.clone() }
        }
        ApplicationStatus::Open if now_ms > app.deadline_ms => {
            ApplicationState::Expired { deadline_ms: app.deadline_ms }
        }
        ApplicationStatus::Open => ApplicationState::Open { missing: workflow::missing_parties(app) },
    }
}

/// An application's latest version and its action.
pub fn application(state: &dyn StateRead, id: u64) -> Option<(Version<Application>, ApplicationAction)> {
    workflow::load(state, id)
}

/// An application's versions from `from`, at most `limit`.
pub fn application_history(state: &dyn StateRead, id: u64, from: u32, limit: usize) -> Vec<Version<Application>> {
    engine::history(state, &id.to_string(), from, limit)
}

/// Active parcels whose bounding boxes meet `bbox`, sorted by id (through the spatial index).
pub fn parcels_in_bbox(state: &dyn StateRead, bbox: &BBox) -> Result<Vec<RecordId>, TxError> {
    Ok(index::search(state, bbox, |b| b.intersects(bbox))?.0)
}

/// A permit's latest version.
pub fn permit(state: &dyn StateRead, id: &RecordId) -> Option<Version<Permit>> {
    engine::latest(state, id.as_str())
}

/// A permit's versions from `from`, at most `limit`.
pub fn permit_history(state: &dyn StateRead, id: &RecordId, from: u32, limit: usize) -> Vec<Version<Permit>> {
    engine::history(state, id.as_str(), from, limit)
}

/// The permit version in force at `at_ms`, with the keys to prove (feed the proven values to [`permit_status`](crate::verify::permit_status)).
pub fn permit_at(state: &dyn StateRead, id: &RecordId, at_ms: u64) -> AsOf<Permit> {
    engine::as_of(state, id.as_str(), at_ms)
}

/// A company's latest version.
pub fn company(state: &dyn StateRead, number: &RecordId) -> Option<Version<crate::schema::Company>> {
    engine::latest(state, number.as_str())
}

/// A company's versions from `from`, at most `limit`.
pub fn company_history(
    state: &dyn StateRead,
    number: &RecordId,
    from: u32,
    limit: usize,
) -> Vec<Version<crate::schema::Company>> {
    engine::history(state, number.as_str(), from, limit)
}

/// The company version in force at `at_ms`, with the keys to prove.
pub fn company_at(state: &dyn StateRead, number: &RecordId, at_ms: u64) -> AsOf<crate::schema::Company> {
    engine::as_of(state, number.as_str(), at_ms)
}

/// The number of the company holding a name (compared ignoring case and spacing), if any; `Err` for a name
/// the register would not accept.
pub fn company_by_name(state: &dyn StateRead, name: &str) -> Result<Option<RecordId>, String> {
    let normalised = crate::business::normalise_name(name)?;
    Ok(state.get(&crate::schema::company_name_key(&normalised)).map(|b| {
        RecordId::new(String::from_utf8(b).expect("a stored company number is text; the store is corrupt"))
            .expect("a stored company number is valid; the store is corrupt")
    }))
}

/// Filing `n` of a company.
pub fn filing(state: &dyn StateRead, company: &RecordId, n: u32) -> Option<Version<crate::schema::FilingRecord>> {
    engine::latest(state, &crate::business::filing_id(company, n))
}
