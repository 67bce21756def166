//! The demo's registries: the land of a fictional town, a few transfers and mortgages, permits, and companies with
//! their owners, all through ordinary signed transactions of the demo officials and citizens.
//!
//! The town, Nordvik (58.41° N, 15.58° E), is a grid of city blocks separated by streets. Each block is cut into
//! a southern and a northern row of lots by a slanted line, and the block into lots of varying widths, so the
//! lots are trapezoids of different sizes whose neighbours share edges exactly (touching parcels are allowed; the
//! registry refuses any overlap). Everything is derived from the lot's position, so the demo is the same on every
//! machine, and nothing already registered is registered again.

use std::time::Duration;

use anyhow::{Context, Result};
use publica_node::NodeHandle;
use publica_registry::call::{
    ApplicationAction, BeneficialOwner, CompanyDetails, ControlKind, EncumbranceKind, Holder, Interest, LegalForm,
    NewParcel, Officer, OfficerRole, Party, RegistryCall, Share, ShareOfControl, Shareholding,
};
use publica_registry::schema::Title;
use publica_types::RecordId;
use publica_types::{Address, Role, TxId};

use super::{demo_key, DemoSigners, CITIZENS};

/// South-west corner of the town, 1e-7 degree.
const ORIGIN: (i64, i64) = (155_800_000, 584_100_000);
/// About one metre, 1e-7 degree, at the town's latitude: east–west and north–south.
const METRE: (i64, i64) = (172, 90);
/// City blocks, east–west and north–south.
const BLOCKS: (i64, i64) = (6, 5);
/// A block's size and a street's width, metres.
const BLOCK_M: (i64, i64) = (96, 72);
const STREET_M: i64 = 14;
/// Lots per row of a block: varies from block to block.
const LOTS_PER_ROW: [i64; 4] = [4, 5, 6, 5];
/// Demo transfers: (lot, buyer citizen); each goes through the whole workflow.
const TRANSFERS: &[(usize, usize)] = &[(0, 1), (7, 4), (12, 0)];
/// Lots mortgaged to the demo bank.
const MORTGAGED: &[usize] = &[3, 21];

/// One lot: its number and boundary (counter-clockwise corners, 1e-7 degree).
struct Lot {
    id: String,
    corners: Vec<(i64, i64)>,
}

impl Lot {
    fn geojson(&self) -> String {
        let point = |(x, y): (i64, i64)| {
            format!("[{}.{:07},{}.{:07}]", x / 10_000_000, x % 10_000_000, y / 10_000_000, y % 10_000_000)
        };
        let mut ring: Vec<String> = self.corners.iter().map(|&c| point(c)).collect();
        ring.push(point(self.corners[0]));
        format!(r#"{{"type":"Polygon","coordinates":[[{}]]}}"#, ring.join(","))
    }
}

/// A deterministic pseudo-random number in `0..n` for `(a, b)`.
fn jitter(a: i64, b: i64, n: i64) -> i64 {
    let h = publica_crypto::sha256(format!("nordvik/{a}/{b}").as_bytes());
    i64::from(u16::from_le_bytes([h[0], h[1]])) % n
}

/// Every lot of the town, block by block.
fn lots() -> Vec<Lot> {
    let mut out = Vec::new();
    for bx in 0..BLOCKS.0 {
        for by in 0..BLOCKS.1 {
            let x0 = ORIGIN.0 + bx * (BLOCK_M.0 + STREET_M) * METRE.0;
            let y0 = ORIGIN.1 + by * (BLOCK_M.1 + STREET_M) * METRE.1;
            let (x1, y1) = (x0 + BLOCK_M.0 * METRE.0, y0 + BLOCK_M.1 * METRE.1);
            // The slanted line between the rows: from (x0, left) to (x1, right).
            let left = y0 + (BLOCK_M.1 / 2 - 6 + jitter(bx, by, 12)) * METRE.1;
            let right = y0 + (BLOCK_M.1 / 2 - 6 + jitter(by, bx, 12)) * METRE.1;
            let mid = |x: i64| left + (right - left) * (x - x0) / (x1 - x0);
            let count = LOTS_PER_ROW[((bx + by) % 4) as usize];
            // Lot widths vary by up to a third around the mean; the last lot takes what is left. Both rows share
            // the divisions, so a lot and the one behind it share the slanted edge exactly.
            let mean = BLOCK_M.0 / count;
            let mut xs = vec![x0];
            for k in 1..count {
                let w = mean - mean / 6 + jitter(bx * 16 + by, k, mean / 3 + 1);
                xs.push((xs[k as usize - 1] + w * METRE.0).min(x1 - METRE.0 * (count - k)));
            }
            xs.push(x1);
            for row in 0..2 {
                for k in 0..count as usize {
                    let (xa, xb) = (xs[k], xs[k + 1]);
                    let corners = if row == 0 {
                        vec![(xa, y0), (xb, y0), (xb, mid(xb)), (xa, mid(xa))]
                    } else {
                        vec![(xa, mid(xa)), (xb, mid(xb)), (xb, y1), (xa, y1)]
                    };
                    out.push(Lot {
                        id: format!("NV-{}{}-{}{:02}", (b'A' + bx as u8) as char, by + 1, row + 1, k + 1),
                        corners,
                    });
                }
            }
        }
    }
    out
}

fn citizen(i: usize) -> Address {
    demo_key(CITIZENS[i % CITIZENS.len()].0).public_key().address()
}

fn whole(owner: Address) -> Vec<Share> {
    vec![Share { owner, numerator: 1, denominator: 1 }]
}

/// The demo's first owners: mostly one citizen, every fifth lot shared half and half by two.
fn first_owners(lot: usize) -> Vec<Share> {
    if lot % 5 == 4 {
        let (a, b) = (citizen(lot), citizen(lot + 1));
        vec![Share { owner: a, numerator: 1, denominator: 2 }, Share { owner: b, numerator: 1, denominator: 2 }]
    } else {
        whole(citizen(lot))
    }
}

/// Permits: number, kind, holder (citizen), valid from / until (days from now), what happens next.
const PERMITS: &[(&str, &str, usize, i64, i64, PermitFate)] = &[
    ("BP-2026-0001", "building-permit", 0, -30, 700, PermitFate::None),
    ("BP-2026-0002", "building-permit", 1, -10, 365, PermitFate::Suspended),
    ("BP-2026-0003", "building-permit", 2, 30, 395, PermitFate::None),
    ("RL-2026-0001", "restaurant-licence", 3, -90, 275, PermitFate::Renewed),
    ("RL-2026-0002", "restaurant-licence", 4, -60, 300, PermitFate::Revoked),
    ("TL-2026-0001", "taxi-licence", 0, -5, 360, PermitFate::None),
];

#[derive(Clone, Copy)]
enum PermitFate {
    None,
    Suspended,
    Renewed,
    Revoked,
}

/// Demo companies: name, legal form, address, directors/secretary (citizen indices), shareholders (citizen index or
/// an earlier demo company, shares), beneficial owners (citizen index, interests).
struct DemoCompany {
    name: &'static str,
    form: LegalForm,
    address: &'static str,
    directors: &'static [usize],
    secretary: Option<usize>,
    shareholders: &'static [(DemoHolder, u64)],
    owners: &'static [(usize, &'static [DemoInterest])],
}

/// An interest: its kind, whether direct, and its share in basis points (minimum, maximum; equal when exact).
type DemoInterest = (ControlKind, bool, Option<(u16, u16)>);

enum DemoHolder {
    Citizen(usize),
    /// An earlier company of the list, by position.
    Company(usize),
}

const COMPANIES: &[DemoCompany] = &[
    DemoCompany {
        name: "Nordvik Timber AB",
        form: LegalForm::PrivateLimited,
        address: "Hamngatan 4, 602 10 Nordvik",
        directors: &[0],
        secretary: Some(1),
        shareholders: &[(DemoHolder::Citizen(0), 600), (DemoHolder::Citizen(1), 400)],
        owners: &[(
            0,
            &[(ControlKind::Shareholding, true, Some((6_000, 6_000))), (ControlKind::AppointmentOfBoard, true, None)],
        )],
    },
    DemoCompany {
        name: "Nordvik Sawmill AB",
        form: LegalForm::PrivateLimited,
        address: "Sågverksvägen 2, 602 20 Nordvik",
        directors: &[2],
        secretary: None,
        shareholders: &[(DemoHolder::Company(0), 700), (DemoHolder::Citizen(2), 300)],
        owners: &[
            (0, &[(ControlKind::Shareholding, false, Some((4_200, 4_200)))]),
            (2, &[(ControlKind::VotingRights, true, Some((2_500, 5_000)))]),
        ],
    },
    DemoCompany {
        name: "Fjord Bakery HB",
        form: LegalForm::GeneralPartnership,
        address: "Torget 1, 602 11 Nordvik",
        directors: &[3, 4],
        secretary: None,
        shareholders: &[(DemoHolder::Citizen(3), 500), (DemoHolder::Citizen(4), 500)],
        owners: &[
            (3, &[(ControlKind::Shareholding, true, Some((5_000, 5_000)))]),
            (4, &[(ControlKind::Shareholding, true, Some((5_000, 5_000)))]),
        ],
    },
    DemoCompany {
        name: "Nordvik Harbour Cooperative",
        form: LegalForm::Cooperative,
        address: "Kajen 9, 602 09 Nordvik",
        directors: &[1],
        secretary: Some(4),
        shareholders: &[],
        owners: &[(1, &[(ControlKind::SeniorManagingOfficial, true, None)])],
    },
    // The road builders who bid in the demo's tender (`procurement.rs`).
    DemoCompany {
        name: "Nordvik Asphalt AB",
        form: LegalForm::PrivateLimited,
        address: "Industrivägen 12, 602 30 Nordvik",
        directors: &[5],
        secretary: None,
        shareholders: &[(DemoHolder::Citizen(5), 1_000)],
        owners: &[(5, &[(ControlKind::Shareholding, true, Some((10_000, 10_000)))])],
    },
    DemoCompany {
        name: "Fjord Roadworks AB",
        form: LegalForm::PrivateLimited,
        address: "Fjordvägen 3, 602 31 Nordvik",
        directors: &[6],
        secretary: None,
        shareholders: &[(DemoHolder::Citizen(6), 1_000)],
        owners: &[(6, &[(ControlKind::Shareholding, true, Some((10_000, 10_000)))])],
    },
    DemoCompany {
        name: "Kustvagen Construction AB",
        form: LegalForm::PrivateLimited,
        address: "Kustvägen 40, 602 32 Nordvik",
        directors: &[7],
        secretary: None,
        shareholders: &[(DemoHolder::Citizen(7), 1_000)],
        owners: &[(7, &[(ControlKind::Shareholding, true, Some((10_000, 10_000)))])],
    },
];

/// Register the demo companies not registered yet, each through the whole workflow.
// Long: each company goes through the whole workflow in order (register, approvals, officers, owners).
fn seed_companies(node: &NodeHandle, signers: &mut DemoSigners<'_>) -> Result<usize> {
    let view = node.live_state();
    let wait = |ids: &[TxId]| crate::node::wait_committed(node, ids, Duration::from_secs(120));
    let mut committed = 0;
    let mut numbers: Vec<RecordId> = Vec::new();
    for c in COMPANIES {
        if let Some(number) = publica_registry::query::company_by_name(&view, c.name).map_err(anyhow::Error::msg)? {
            numbers.push(number);
            continue;
        }
        let mut officers: Vec<Officer> =
            c.directors.iter().map(|&d| Officer { account: citizen(d), role: OfficerRole::Director }).collect();
        officers.extend(c.secretary.map(|s| Officer { account: citizen(s), role: OfficerRole::Secretary }));
        let shareholders = c
            .shareholders
            .iter()
            .map(|(h, shares)| Shareholding {
                holder: match h {
                    DemoHolder::Citizen(i) => Holder::Person(citizen(*i)),
                    DemoHolder::Company(k) => Holder::Company(numbers[*k].clone()),
                },
                shares: *shares,
            })
            .collect();
        let beneficial_owners = c
            .owners
            .iter()
            .map(|(i, interests)| BeneficialOwner {
                person: citizen(*i),
                interests: interests
                    .iter()
                    .map(|(kind, direct, share)| Interest {
                        kind: *kind,
                        direct: *direct,
                        share: share.map(|(min, max)| {
                            if min == max {
                                ShareOfControl::Exact { basis_points: min }
                            } else {
                                ShareOfControl::Range { minimum: min, maximum: max }
                            }
                        }),
                    })
                    .collect(),
            })
            .collect();
        let details = CompanyDetails {
            name: c.name.into(),
            legal_form: c.form,
            registered_address: c.address.into(),
            officers: officers.clone(),
            shareholders,
            beneficial_owners,
        };
        // The founders: every person the registration names (officers, the persons among the shareholders,
        // beneficial owners), each of whom approves.
        let mut founders: Vec<usize> = c.directors.to_vec();
        founders.extend(c.secretary);
        founders.extend(c.shareholders.iter().filter_map(|(h, _)| match h {
            DemoHolder::Citizen(i) => Some(*i),
            DemoHolder::Company(_) => None,
        }));
        founders.extend(c.owners.iter().map(|(i, _)| *i));
        founders.sort_unstable();
        founders.dedup();
        let name = |i: usize| CITIZENS[i].0;
        let opener = name(c.directors[0]);
        let action = ApplicationAction::RegisterCompany { company: details };
        let deadline_ms = publica_client::now_ms() + 30 * 86_400_000;
        let open = signers.send(opener, RegistryCall::OpenApplication { action, deadline_ms })?;
        wait(&[open])?;
        let application = opened_application(node, &open)?;
        let mut ids = Vec::new();
        for &f in &founders {
            let call = RegistryCall::Approve { application, party: Party::Account(citizen(f)) };
            ids.push(signers.send(name(f), call)?);
        }
        wait(&ids)?;
        let registrar: Role = publica_registry::rules::COMPANY_REGISTRAR.parse()?;
        let call = RegistryCall::Approve { application, party: Party::Role(registrar) };
        wait(&[signers.send("business-registrar", call)?])?;
        committed += founders.len() + 2;
        numbers.push(
            publica_registry::query::company_by_name(&view, c.name)
                .map_err(anyhow::Error::msg)?
                .context("a demo company registered")?,
        );
    }
    Ok(committed)
}

/// The number of the application a committed transaction opened: its outcome.
fn opened_application(node: &NodeHandle, id: &TxId) -> Result<u64> {
    match node.tx_status(id) {
        publica_node::TxStatus::Committed { outcome: Some(publica_types::TxOutcome::Application { id }), .. } => Ok(id),
        other => anyhow::bail!("transaction {id} opened no application: {other:?}"),
    }
}

/// Seed what is missing; returns the number of transactions committed.
// Long: the town's story in order (parcels, sales, mortgages, permits, companies), each step a few lines.
pub(super) fn seed(node: &NodeHandle, signers: &mut DemoSigners<'_>) -> Result<usize> {
    let view = node.live_state();
    let wait = |ids: &[TxId]| crate::node::wait_committed(node, ids, Duration::from_secs(120));
    let mut committed = 0;

    // Parcels.
    let lots = lots();
    let mut ids = Vec::new();
    for (i, lot) in lots.iter().enumerate() {
        let id = RecordId::new(lot.id.as_str())?;
        if publica_registry::query::parcel(&view, &id).is_some() {
            continue;
        }
        let call = RegistryCall::RegisterParcel {
            parcel: NewParcel { parcel: id, geojson: lot.geojson() },
            owners: first_owners(i),
        };
        ids.push(signers.send("land-registrar", call)?);
    }
    wait(&ids).context("registering the demo parcels")?;
    committed += ids.len();

    // Transfers, each through the whole workflow: opened by the seller; seller, buyer and the notary approve;
    // then the registrar. Done only for lots still on their first title.
    let title_version =
        |lot: usize| -> Result<u32> { Ok(publica_registry::engine::head::<Title>(&view, &lots[lot].id)) };
    let pending: Vec<(usize, usize)> =
        TRANSFERS.iter().copied().filter(|&(lot, _)| title_version(lot).map(|v| v == 1).unwrap_or(false)).collect();
    for &(lot, buyer) in &pending {
        let seller = CITIZENS[lot % CITIZENS.len()].0;
        let buyer_name = CITIZENS[buyer % CITIZENS.len()].0;
        let parcel = RecordId::new(lots[lot].id.as_str())?;
        let action = ApplicationAction::Transfer { parcel, new_owners: whole(citizen(buyer)) };
        let deadline_ms = publica_client::now_ms() + 30 * 86_400_000;
        let open = signers.send(seller, RegistryCall::OpenApplication { action, deadline_ms })?;
        wait(&[open])?;
        let application = opened_application(node, &open)?;
        let approve = |party: Party| RegistryCall::Approve { application, party };
        let notary: Role = publica_registry::rules::NOTARY.parse()?;
        let registrar: Role = publica_registry::rules::REGISTRAR.parse()?;
        let stage = [
            signers.send(seller, approve(Party::Account(citizen(lot))))?,
            signers.send(buyer_name, approve(Party::Account(citizen(buyer))))?,
            signers.send("notary", approve(Party::Role(notary)))?,
        ];
        wait(&stage)?;
        wait(&[signers.send("land-registrar", approve(Party::Role(registrar)))?])?;
        committed += 5;
    }

    // Mortgages, on lots that carry none yet.
    let mut ids = Vec::new();
    for &lot in MORTGAGED {
        let title = publica_registry::engine::latest::<Title>(&view, &lots[lot].id).context("a demo title")?;
        if !title.value.encumbrances.is_empty() {
            continue;
        }
        let call = RegistryCall::RegisterEncumbrance {
            parcel: RecordId::new(lots[lot].id.as_str())?,
            kind: EncumbranceKind::Mortgage,
            reference: format!("Demo Savings Bank loan DSB-{:05}", 4100 + lot),
        };
        ids.push(signers.send("bank-officer", call)?);
    }
    wait(&ids)?;
    committed += ids.len();

    // Permits.
    let now = publica_client::now_ms() as i64;
    let day = 86_400_000i64;
    let mut issued = Vec::new();
    for &(number, kind, holder, from, until, _) in PERMITS {
        let permit = RecordId::new(number)?;
        if publica_registry::query::permit(&view, &permit).is_some() {
            continue;
        }
        let call = RegistryCall::IssuePermit {
            permit,
            kind: RecordId::new(kind)?,
            holder: citizen(holder),
            valid_from_ms: (now + from * day) as u64,
            valid_until_ms: (now + until * day) as u64,
        };
        issued.push(signers.send("permit-officer", call)?);
    }
    wait(&issued)?;
    committed += issued.len();
    let mut ids = Vec::new();
    if !issued.is_empty() {
        for &(number, _, _, _, until, fate) in PERMITS {
            let permit = RecordId::new(number)?;
            let call = match fate {
                PermitFate::None => continue,
                PermitFate::Suspended => {
                    RegistryCall::SuspendPermit { permit, reason: "site inspection pending".into() }
                }
                PermitFate::Renewed => {
                    RegistryCall::RenewPermit { permit, valid_until_ms: (now + (until + 365) * day) as u64 }
                }
                PermitFate::Revoked => RegistryCall::RevokePermit { permit, reason: "health code violations".into() },
            };
            ids.push(signers.send("permit-officer", call)?);
        }
    }
    wait(&ids)?;
    committed += ids.len();
    committed += seed_companies(node, signers)?;
    Ok(committed)
}

/// The number of demo parcels and the first lot's number, for the guide.
pub(super) fn summary() -> (usize, String) {
    let lots = lots();
    (lots.len(), lots[0].id.clone())
}

#[cfg(test)]
mod tests {
    use publica_registry::geo::Polygon;

    use super::*;

    #[test]
    fn the_town_has_a_few_hundred_valid_lots_that_never_overlap() {
        let lots = lots();
        assert!((250..=400).contains(&lots.len()), "{} lots", lots.len());
        let polygons: Vec<Polygon> = lots
            .iter()
            .map(|l| Polygon::from_geojson(&l.geojson()).unwrap_or_else(|e| panic!("{}: {e}", l.id)))
            .collect();
        for (i, a) in polygons.iter().enumerate() {
            for (j, b) in polygons.iter().enumerate().skip(i + 1) {
                assert!(!a.overlaps(b), "{} overlaps {}", lots[i].id, lots[j].id);
            }
        }
        let ids: std::collections::BTreeSet<&str> = lots.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids.len(), lots.len(), "lot numbers repeat");
        for &(lot, buyer) in TRANSFERS {
            assert_ne!(first_owners(lot), whole(citizen(buyer)), "lot {lot} would be sold to its owner");
        }
    }
}
