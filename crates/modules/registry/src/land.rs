//! The land registry: parcels, titles, encumbrances; first registration, transfers, inheritance, court orders,
//! subdivision and merger.
//!
//! Invariants kept by every call:
//! - active parcels never overlap (their interiors are disjoint); touching along edges or at corners is allowed;
//! - every active parcel is in the spatial index exactly once, retired parcels never;
//! - a parcel's title is in force exactly while the parcel is active, and its owners' shares sum to exactly one;
//! - a parcel with an encumbrance in force cannot be transferred, subdivided or merged; inheritance and court
//!   orders change owners without lifting encumbrances (a charge follows the land).
//!
//! Every call checks everything before its first write, and who may act before any geometry: a boundary is parsed
//! and compared with others only for a sender allowed to make the change, and within the transaction's geometry
//! budget ([`crate::geo::Budget`]).

use std::collections::BTreeMap;

use crate::call::{ApplicationAction, EncumbranceKind, NewParcel, Share, MAX_MERGED_PARCELS, MAX_SUBDIVISION_CHILDREN};
use publica_accounts::AccountKind;
use publica_types::RecordId;
use publica_types::{codec, Address, CallContext, ErrorCode, StateRead, StateWrite, TxError};

use crate::engine::{self, append, next_number};
use crate::error::{self, refuse};
use crate::geo::{area_m2, index, Budget, Polygon};
use crate::rules::authorize;
use crate::schema::{
    check_text, decode_stored, geometry_key, Encumbrance, Owner, Parcel, ParcelStatus, Record, Title, TitleBasis,
    Version, NEXT_ENCUMBRANCE_KEY,
};
use crate::shares;
use crate::workflow::OpeningFacts;

/// The boundary of a parcel.
pub fn geometry(state: &dyn StateRead, parcel: &RecordId) -> Option<Polygon> {
    state.get(&geometry_key(parcel)).map(|b| decode_stored("parcel boundary", &b))
}

/// An active parcel and its title in force, or a refusal saying why not.
fn active(state: &dyn StateRead, id: &RecordId) -> Result<(Version<Parcel>, Version<Title>), TxError> {
    let parcel = engine::latest::<Parcel>(state, id.as_str()).ok_or_else(|| {
        refuse(error::PARCEL_NOT_FOUND, format!("parcel {id} is not registered; check the parcel number"))
    })?;
    if parcel.value.status != ParcelStatus::Active {
        return Err(refuse(
            error::PARCEL_RETIRED,
            format!(
                "parcel {id} was retired at height {} and replaced by {}; act on its successors",
                parcel.height,
                parcel.value.children.iter().map(RecordId::as_str).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let title = engine::latest::<Title>(state, id.as_str()).expect("an active parcel has a title");
    assert!(title.value.in_force(), "the title of active parcel {id} is retired; corrupt store");
    Ok((parcel, title))
}

fn require_fresh(state: &dyn StateRead, id: &RecordId) -> Result<(), TxError> {
    if engine::head::<Parcel>(state, id.as_str()) != 0 {
        return Err(refuse(
            error::PARCEL_NUMBER_USED,
            format!("parcel number {id} is already used (parcel numbers are never reused)"),
        ));
    }
    Ok(())
}

fn require_unencumbered(title: &Version<Title>, state: &dyn StateRead, what: &str) -> Result<(), TxError> {
    if let Some(&first) = title.value.encumbrances.first() {
        let e = engine::latest::<Encumbrance>(state, &first.to_string()).expect("listed encumbrances exist");
        return Err(refuse(
            error::PARCEL_ENCUMBERED,
            format!(
            "parcel {} is encumbered by {:?} {first} of agency {} (reference {:?}); it blocks the {what} until that \
             agency releases it",
            title.id, e.value.kind, e.value.agency, e.value.reference
        ),
        ));
    }
    Ok(())
}

/// Owners from validated shares: every account must exist; citizens' commitments are copied into the title.
fn owners_from(state: &dyn StateRead, what: &str, given: &[Share]) -> Result<Vec<Owner>, TxError> {
    shares::normalize(what, given)?
        .into_iter()
        .map(|(account, numerator, denominator)| {
            let record = publica_accounts::account(state, &account).ok_or_else(|| {
                TxError::new(
                    ErrorCode::UnknownAccount,
                    format!("{what}: account {account} is not registered; owners must hold accounts"),
                )
            })?;
            let id_commitment = match record.kind {
                AccountKind::Citizen { id_commitment, .. } => Some(id_commitment),
                AccountKind::Official { .. } => None,
            };
            Ok(Owner { account, id_commitment, numerator, denominator })
        })
        .collect()
}

/// Parse and validate a new boundary, charging its validation to `budget` first.
fn parse_boundary(p: &NewParcel, budget: &mut Budget) -> Result<Polygon, TxError> {
    Polygon::from_geojson_with(&p.geojson, |vertices| {
        budget.charge_validation(vertices, || format!("validating the boundary of parcel {}", p.parcel))
    })
    .map_err(|e| refuse(e.code(), format!("parcel {}: {e}", p.parcel)))
}

/// Refuse a boundary that overlaps an active parcel (other than those in `ignore`). Uses the spatial index.
/// Refuses a boundary that overlaps an active parcel (other than those in `ignore`); returns the index cells the
/// search read, for entering the parcel right after ([`index::insert_searched`]).
fn check_no_overlap(
    state: &dyn StateRead,
    id: &RecordId,
    polygon: &Polygon,
    ignore: &[RecordId],
    budget: &mut Budget,
) -> Result<index::SearchedCells, TxError> {
    let bbox = polygon.bbox();
    let (candidates, _, searched) = index::search_keeping(state, &bbox, |b| b.overlaps_open(&bbox))?;
    for other in candidates.iter().filter(|c| !ignore.contains(c)) {
        let g = geometry(state, other).expect("indexed parcels have a boundary");
        budget.charge_pair(polygon, &g, || format!("checking parcel {id} against its neighbour {other}"))?;
        if polygon.overlaps(&g) {
            return Err(refuse(
                error::PARCEL_OVERLAP,
                format!(
                "the boundary of parcel {id} overlaps active parcel {other}; parcels may share edges and corners but \
                 not area, so correct the boundary"
            ),
            ));
        }
    }
    Ok(searched)
}

fn parcel_record(polygon: &Polygon, parents: Vec<RecordId>) -> Parcel {
    Parcel {
        status: ParcelStatus::Active,
        bbox: polygon.bbox(),
        area_m2: area_m2(polygon),
        doubled_area: polygon.doubled_area(),
        vertices: polygon.vertex_count() as u32,
        parents,
        children: Vec::new(),
    }
}

/// Write a new active parcel: index entry (which may still refuse), boundary, first versions of parcel and title.
/// `searched`: the index cells a search of the parcel's box read since the index was last written (or none).
// Seven arguments: the parcel's facts, and what the overlap search already read.
#[allow(clippy::too_many_arguments)]
fn create(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    application: Option<u64>,
    id: &RecordId,
    polygon: &Polygon,
    parents: Vec<RecordId>,
    title: Title,
    searched: index::SearchedCells,
) -> Result<(), TxError> {
    let record = parcel_record(polygon, parents);
    record.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    title.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    index::insert_searched(state, id, &record.bbox, searched)?;
    state.put(geometry_key(id), codec::encode(polygon));
    append(state, ctx, id.as_str(), application, record)?;
    append(state, ctx, id.as_str(), application, title)?;
    Ok(())
}

/// Retire an active parcel in favour of `successors`.
fn retire(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    application: u64,
    parcel: Version<Parcel>,
    successors: Vec<RecordId>,
) -> Result<(), TxError> {
    let id = RecordId::new(parcel.id.clone()).expect("stored ids are valid");
    index::remove(state, &id, &parcel.value.bbox);
    let mut record = parcel.value;
    record.status = ParcelStatus::Retired;
    record.children = successors.clone();
    append(state, ctx, id.as_str(), Some(application), record)?;
    let retired = Title { owners: Vec::new(), encumbrances: Vec::new(), basis: TitleBasis::Retired { successors } };
    append(state, ctx, id.as_str(), Some(application), retired)?;
    Ok(())
}

/// First registration of a parcel by a registrar.
pub(crate) fn register_parcel(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    parcel: &NewParcel,
    owners: &[Share],
) -> Result<(), TxError> {
    authorize(state, &ctx.sender, "register_parcel", None)?;
    require_fresh(state, &parcel.parcel)?;
    let owners = owners_from(state, "owners", owners)?;
    let mut budget = Budget::per_transaction();
    let polygon = parse_boundary(parcel, &mut budget)?;
    let searched = check_no_overlap(state, &parcel.parcel, &polygon, &[], &mut budget)?;
    let title = Title { owners, encumbrances: Vec::new(), basis: TitleBasis::FirstRegistration };
    create(state, ctx, None, &parcel.parcel, &polygon, Vec::new(), title, searched)
}

/// The checked facts of a subdivision.
struct Subdivision {
    children: Vec<(RecordId, Polygon)>,
}

/// The structural limit of a subdivision, checked before any geometry.
fn check_children_count(children: &[NewParcel]) -> Result<(), TxError> {
    if children.len() < 2 || children.len() > MAX_SUBDIVISION_CHILDREN {
        return Err(refuse(
            error::SUBDIVISION_PARCEL_COUNT_OUT_OF_RANGE,
            format!("a subdivision creates 2 to {MAX_SUBDIVISION_CHILDREN} parcels, this one {}", children.len()),
        ));
    }
    Ok(())
}

fn check_subdivision(
    state: &dyn StateRead,
    parent: &RecordId,
    children: &[NewParcel],
    budget: &mut Budget,
) -> Result<(Version<Parcel>, Version<Title>, Subdivision), TxError> {
    let (pv, tv) = active(state, parent)?;
    check_children_count(children)?;
    let parent_geometry = geometry(state, parent).expect("a parcel has a boundary");
    let mut out: Vec<(RecordId, Polygon)> = Vec::with_capacity(children.len());
    let mut total: u128 = 0;
    for c in children {
        if out.iter().any(|(id, _)| id == &c.parcel) {
            return Err(refuse(
                error::SUBDIVISION_PARCEL_REPEATED,
                format!("parcel number {} appears twice in the subdivision", c.parcel),
            ));
        }
        require_fresh(state, &c.parcel)?;
        let g = parse_boundary(c, budget)?;
        budget.charge_pair(&g, &parent_geometry, || {
            format!("checking parcel {} against its parent {parent}", c.parcel)
        })?;
        if !g.within(&parent_geometry) {
            return Err(refuse(
                error::SUBDIVISION_OUTSIDE_PARENT,
                format!("parcel {} does not lie within parent parcel {parent}", c.parcel),
            ));
        }
        for (other, og) in &out {
            budget
                .charge_pair(&g, og, || format!("checking new parcels {} and {other} against each other", c.parcel))?;
            if g.overlaps(og) {
                return Err(refuse(
                    error::SUBDIVISION_PARCELS_OVERLAP,
                    format!("new parcels {} and {other} overlap; they may only touch", c.parcel),
                ));
            }
        }
        total += g.doubled_area();
        out.push((c.parcel.clone(), g));
    }
    let parent_area = parent_geometry.doubled_area();
    if total != parent_area {
        return Err(refuse(
            error::SUBDIVISION_NOT_EXACT,
            format!(
                "the new parcels cover {total} of parent {parent}'s {parent_area} (doubled square 1e-7 degree): their \
             union must be exactly the parent, with no gap"
            ),
        ));
    }
    Ok((pv, tv, Subdivision { children: out }))
}

/// An active parcel and its title in force.
type ParcelAndTitle = (Version<Parcel>, Version<Title>);

/// The checked facts of a merger.
struct Merger {
    parcels: Vec<ParcelAndTitle>,
    polygon: Polygon,
}

/// The parcels of a merger, active, each once, with the same owners: cheap reads, before any geometry.
fn load_merged(state: &dyn StateRead, parcels: &[RecordId]) -> Result<Vec<ParcelAndTitle>, TxError> {
    if parcels.len() < 2 || parcels.len() > MAX_MERGED_PARCELS {
        return Err(refuse(
            error::MERGER_PARCEL_COUNT_OUT_OF_RANGE,
            format!("a merger joins 2 to {MAX_MERGED_PARCELS} parcels, this one {}", parcels.len()),
        ));
    }
    let mut loaded: Vec<ParcelAndTitle> = Vec::with_capacity(parcels.len());
    for p in parcels {
        if loaded.iter().any(|(v, _)| v.id == p.as_str()) {
            return Err(refuse(error::MERGER_PARCEL_REPEATED, format!("parcel {p} appears twice in the merger")));
        }
        loaded.push(active(state, p)?);
    }
    let owners = &loaded[0].1.value.owners;
    if let Some((_, t)) = loaded.iter().find(|(_, t)| &t.value.owners != owners) {
        return Err(refuse(
            error::MERGER_OWNERS_DIFFER,
            format!(
                "parcels {} and {} have different owners or shares; only parcels with the same owners merge",
                parcels[0], t.id
            ),
        ));
    }
    Ok(loaded)
}

fn check_merger(
    state: &dyn StateRead,
    parcels: &[RecordId],
    into: &NewParcel,
    budget: &mut Budget,
) -> Result<Merger, TxError> {
    let loaded = load_merged(state, parcels)?;
    require_fresh(state, &into.parcel)?;
    let polygon = parse_boundary(into, budget)?;
    let mut total: u128 = 0;
    for (v, _) in &loaded {
        let id = RecordId::new(v.id.clone()).expect("stored ids are valid");
        let g = geometry(state, &id).expect("a parcel has a boundary");
        budget.charge_pair(&g, &polygon, || {
            format!("checking parcel {id} against the merged boundary of {}", into.parcel)
        })?;
        if !g.within(&polygon) {
            return Err(refuse(
                error::MERGER_OUTSIDE_BOUNDARY,
                format!("parcel {id} does not lie within the merged boundary of {}", into.parcel),
            ));
        }
        total += g.doubled_area();
    }
    // Parts inside the boundary that do not overlap each other (active parcels never do) and add up to its area
    // cover it exactly. The boundary is one simple polygon, so the parts are necessarily adjacent.
    if total != polygon.doubled_area() {
        return Err(refuse(
            error::MERGER_NOT_EXACT,
            format!(
                "the merged boundary of {} has area {} but the parcels cover {total} (doubled square 1e-7 degree); it \
             must be exactly their union",
                into.parcel,
                polygon.doubled_area()
            ),
        ));
    }
    Ok(Merger { parcels: loaded, polygon })
}

/// Bind the parties of an action when its application is opened: reads of the records concerned and structural
/// limits only, no geometry, so that [`crate::workflow::open`] checks the sender may open it before any expensive
/// work ([`check_geometry`] comes after).
pub(crate) fn parties(state: &dyn StateRead, action: &ApplicationAction) -> Result<OpeningFacts, TxError> {
    let accounts = |t: &Version<Title>| t.value.owners.iter().map(|o| o.account).collect::<Vec<Address>>();
    match action {
        ApplicationAction::Transfer { parcel, new_owners } => {
            let (_, title) = active(state, parcel)?;
            let owners = owners_from(state, "new owners", new_owners)?;
            if owners == title.value.owners {
                return Err(refuse(
                    error::TITLE_UNCHANGED,
                    format!("the new owners and shares of parcel {parcel} are the current ones"),
                ));
            }
            Ok(OpeningFacts {
                current_owners: accounts(&title),
                new_owners: owners.iter().map(|o| o.account).collect(),
                title_versions: vec![(parcel.clone(), title.version)],
                ..OpeningFacts::default()
            })
        }
        ApplicationAction::Subdivide { parcel, children } => {
            let (_, title) = active(state, parcel)?;
            check_children_count(children)?;
            Ok(OpeningFacts {
                current_owners: accounts(&title),
                new_owners: Vec::new(),
                title_versions: vec![(parcel.clone(), title.version)],
                ..OpeningFacts::default()
            })
        }
        ApplicationAction::Merge { parcels, .. } => {
            let loaded = load_merged(state, parcels)?;
            Ok(OpeningFacts {
                current_owners: accounts(&loaded[0].1),
                new_owners: Vec::new(),
                title_versions: loaded
                    .iter()
                    .map(|(p, t)| (RecordId::new(p.id.clone()).expect("stored ids are valid"), t.version))
                    .collect(),
                ..OpeningFacts::default()
            })
        }
        _ => unreachable!("business actions are prepared by the business register"),
    }
}

/// Check the geometry of an action whose opener may open it, within the transaction's geometry budget.
pub(crate) fn check_geometry(state: &dyn StateRead, action: &ApplicationAction) -> Result<(), TxError> {
    let mut budget = Budget::per_transaction();
    match action {
        ApplicationAction::Transfer { .. } => Ok(()),
        ApplicationAction::Subdivide { parcel, children } => {
            check_subdivision(state, parcel, children, &mut budget).map(|_| ())
        }
        ApplicationAction::Merge { parcels, into } => check_merger(state, parcels, into, &mut budget).map(|_| ()),
        _ => unreachable!("business actions have no geometry"),
    }
}

fn require_unchanged(title: &Version<Title>, versions: &[(RecordId, u32)]) -> Result<(), TxError> {
    let opened = versions.iter().find(|(p, _)| p.as_str() == title.id).map(|(_, v)| *v);
    if opened != Some(title.version) {
        return Err(refuse(
            error::TITLE_CHANGED_SINCE_APPLICATION,
            format!(
                "the title of parcel {} changed since the application was opened (version {} then, {} now); the \
             parties approved a different state, so reject this application and open a new one",
                title.id,
                opened.map(|v| v.to_string()).unwrap_or_else(|| "none".into()),
                title.version
            ),
        ));
    }
    Ok(())
}

/// Make an approved application's action take effect. Everything is checked again first: time has passed since
/// the application was opened.
pub(crate) fn apply(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    application: u64,
    action: &ApplicationAction,
    title_versions: &[(RecordId, u32)],
) -> Result<(), TxError> {
    match action {
        ApplicationAction::Transfer { parcel, new_owners } => {
            let (_, title) = active(state, parcel)?;
            require_unchanged(&title, title_versions)?;
            require_unencumbered(&title, state, "transfer")?;
            let owners = owners_from(state, "new owners", new_owners)?;
            let new = Title { owners, encumbrances: Vec::new(), basis: TitleBasis::Transfer };
            new.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
            append(state, ctx, parcel.as_str(), Some(application), new)?;
            Ok(())
        }
        ApplicationAction::Subdivide { parcel, children } => {
            let (pv, title, sub) = check_subdivision(state, parcel, children, &mut Budget::per_transaction())?;
            require_unchanged(&title, title_versions)?;
            require_unencumbered(&title, state, "subdivision")?;
            let ids: Vec<RecordId> = sub.children.iter().map(|(id, _)| id.clone()).collect();
            retire(state, ctx, application, pv, ids)?;
            for (id, g) in &sub.children {
                let t = Title {
                    owners: title.value.owners.clone(),
                    encumbrances: Vec::new(),
                    basis: TitleBasis::Subdivision { parent: parcel.clone() },
                };
                create(state, ctx, Some(application), id, g, vec![parcel.clone()], t, Default::default())?;
            }
            Ok(())
        }
        ApplicationAction::Merge { parcels, into } => {
            let m = check_merger(state, parcels, into, &mut Budget::per_transaction())?;
            for (_, t) in &m.parcels {
                require_unchanged(t, title_versions)?;
                require_unencumbered(t, state, "merger")?;
            }
            let owners = m.parcels[0].1.value.owners.clone();
            for (p, _) in m.parcels {
                retire(state, ctx, application, p, vec![into.parcel.clone()])?;
            }
            let t = Title { owners, encumbrances: Vec::new(), basis: TitleBasis::Merger { parents: parcels.to_vec() } };
            create(state, ctx, Some(application), &into.parcel, &m.polygon, parcels.to_vec(), t, Default::default())
        }
        _ => unreachable!("business actions are applied by the business register"),
    }
}

/// A bank or court charges a parcel; returns the encumbrance's number.
pub(crate) fn register_encumbrance(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    parcel: &RecordId,
    kind: EncumbranceKind,
    reference: &str,
) -> Result<u64, TxError> {
    let action = match kind {
        EncumbranceKind::Mortgage => "register_mortgage",
        EncumbranceKind::Lien => "register_lien",
    };
    let (official, role) = authorize(state, &ctx.sender, action, None)?;
    check_text("reference", reference).map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    let (_, title) = active(state, parcel)?;
    if title.value.encumbrances.len() >= crate::schema::MAX_ENCUMBRANCES {
        return Err(refuse(
            error::ENCUMBRANCES_FULL,
            format!(
                "parcel {parcel} already carries {} encumbrances, the most a title holds",
                title.value.encumbrances.len()
            ),
        ));
    }
    let agency = official.agency().cloned().expect("officials belong to an agency");
    let id = next_number(state, NEXT_ENCUMBRANCE_KEY);
    let e = Encumbrance {
        parcel: parcel.clone(),
        kind,
        agency,
        role,
        registered_by: ctx.sender,
        reference: reference.to_owned(),
        released_by: None,
    };
    append(state, ctx, &id.to_string(), None, e)?;
    let mut t = title.value;
    t.encumbrances.push(id);
    t.basis = TitleBasis::EncumbranceRegistered { encumbrance: id };
    append(state, ctx, parcel.as_str(), None, t)?;
    Ok(id)
}

/// The agency that registered an encumbrance releases it.
pub(crate) fn release_encumbrance(state: &mut dyn StateWrite, ctx: &CallContext, id: u64) -> Result<(), TxError> {
    let v = engine::latest::<Encumbrance>(state, &id.to_string()).ok_or_else(|| {
        refuse(error::ENCUMBRANCE_NOT_FOUND, format!("encumbrance {id} does not exist; check the number"))
    })?;
    if v.value.released_by.is_some() {
        return Err(refuse(
            error::ENCUMBRANCE_RELEASED,
            format!("encumbrance {id} was already released at height {}", v.height),
        ));
    }
    authorize(state, &ctx.sender, "release_encumbrance", Some(&v.value.agency))?;
    publica_accounts::require_role(state, &ctx.sender, v.value.role.as_str())?;
    let (_, title) = active(state, &v.value.parcel)?;
    let mut e = v.value;
    e.released_by = Some(ctx.sender);
    let parcel = e.parcel.clone();
    append(state, ctx, &id.to_string(), None, e)?;
    let mut t = title.value;
    t.encumbrances.retain(|&x| x != id);
    t.basis = TitleBasis::EncumbranceReleased { encumbrance: id };
    append(state, ctx, parcel.as_str(), None, t)?;
    Ok(())
}

/// A probate court passes a deceased owner's share to heirs.
pub(crate) fn record_inheritance(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    parcel: &RecordId,
    deceased: &Address,
    heirs: &[Share],
    case: &str,
) -> Result<(), TxError> {
    authorize(state, &ctx.sender, "record_inheritance", None)?;
    check_text("case reference", case).map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    let (_, title) = active(state, parcel)?;
    let share =
        title.value.owners.iter().find(|o| &o.account == deceased).map(|o| (o.numerator, o.denominator)).ok_or_else(
            || refuse(error::DECEASED_NOT_AN_OWNER, format!("account {deceased} is not an owner of parcel {parcel}")),
        )?;
    let heirs = owners_from(state, "heirs", heirs)?;
    if heirs.iter().any(|h| &h.account == deceased) {
        return Err(refuse(error::DECEASED_AMONG_HEIRS, "the deceased cannot be among the heirs"));
    }
    let mut owners: BTreeMap<Address, Owner> =
        title.value.owners.iter().filter(|o| &o.account != deceased).map(|o| (o.account, o.clone())).collect();
    for h in heirs {
        let part = shares::multiply(share, (h.numerator, h.denominator))?;
        match owners.get_mut(&h.account) {
            Some(existing) => {
                (existing.numerator, existing.denominator) =
                    shares::add((existing.numerator, existing.denominator), part)?;
            }
            None => {
                owners.insert(h.account, Owner { numerator: part.0, denominator: part.1, ..h });
            }
        }
    }
    let new = Title {
        owners: owners.into_values().collect(),
        encumbrances: title.value.encumbrances,
        basis: TitleBasis::Inheritance { deceased: *deceased, case: case.to_owned() },
    };
    new.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    append(state, ctx, parcel.as_str(), None, new)?;
    Ok(())
}

/// A court sets a parcel's owners.
pub(crate) fn court_order(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    parcel: &RecordId,
    owners: &[Share],
    case: &str,
) -> Result<(), TxError> {
    authorize(state, &ctx.sender, "court_order", None)?;
    check_text("case reference", case).map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    let (_, title) = active(state, parcel)?;
    let owners = owners_from(state, "owners", owners)?;
    let new = Title {
        owners,
        encumbrances: title.value.encumbrances,
        basis: TitleBasis::CourtOrder { case: case.to_owned() },
    };
    new.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    append(state, ctx, parcel.as_str(), None, new)?;
    Ok(())
}
