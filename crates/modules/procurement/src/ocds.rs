//! Export of a tender (one contracting process) in the Open Contracting Data Standard, version 1.1: a release
//! package with one release per event the ledger recorded, and a record package with the releases and the compiled
//! release merged from them.
//!
//! **Identifiers.** The ocid of tender `N` on chain `C` is `{prefix}-{C}-{N}` (the prefix is the publisher's
//! registered `ocds-xxxxxx`). Release ids are the ocid followed by the event: `-tender`, `-amendment-{n}`,
//! `-cancellation`, `-award-{lot}-{round}` (and `-award-{lot}-{round}-cancellation`), `-contract-{c}-signed`,
//! `-contract-{c}-in-force`, `-contract-{c}-amendment-{n}`, `-contract-{c}-delivery-{milestone}` and
//! `-contract-{c}-payment-{payment}`: unique within the process and the same in every export.
//!
//! **Releases.** Each release is a snapshot of the process as it stood after its event, as far as the ledger can
//! tell: the ledger keeps a tender and a contract as they stand now, with their amendments, so a release before an
//! amendment carries the tender's current text (its `tenderPeriod` is the one of its time), and a contract's
//! milestones appear from its last amendment on (its value and document are those of each release's time). Events
//! recorded in the same millisecond are ordered as the process orders them (publication, amendments, awards and
//! their cancellations, signatures, contract amendments, deliveries, payments).
//!
//! **Amounts.** The ledger counts money in the currency's smallest unit (the finance module's `decimals`; a
//! currency the finance module does not define is taken to have none). OCDS wants a JSON number in major units,
//! which serde_json (without its `arbitrary_precision` feature) holds as a `u64` or an `f64`. [`value`] is exact
//! for every amount it can be: a whole number of major units is written as an integer (exact up to `u64::MAX`);
//! an amount with a fraction and at most 15 significant digits (below 10^15 smallest units) is parsed from its
//! exact decimal text into the nearest `f64`, which serde_json writes back as the shortest text that reads as the
//! same `f64` — that is the exact decimal again, since two decimals of at most 15 significant digits never share
//! an `f64`. Only beyond that (fractional amounts of more than 10^15 smallest units) is `amount` the nearest
//! `f64`, and the exact decimal is added as `exactAmount`, a string, so that nothing is lost.
//!
//! **Lots.** OCDS 1.1 has no lots in its core; the lots extension would have to be fetched from the network by
//! validators. The lots are published in the extension's shape without declaring it: `tender.lots` (id
//! `lot-{index}`, title, estimated value, status), `relatedLot` on items and `relatedLots` on awards. Validators
//! report them as additional fields, which the standard allows.
//!
//! **Parties.** The buyer agency (roles `buyer`, `procuringEntity`, and `payer` once it paid), the tenderers once
//! the bid deadline has passed (`tenderer`, `supplier` while an award to them stands, `payee` once paid). Company
//! identifiers are the business register's numbers; their scheme is named in `schemeName` (as the BODS export
//! does) rather than an org-id.guide code, which the register does not have.
//!
//! **Documents** are published by hash: the agency serves them at `url`, and the description carries their
//! SHA-256, so a reader checks that the file is the one on the ledger.

use std::collections::BTreeMap;

use serde_json::{json, Map, Number, Value};

use publica_finance::schema::{CurrencyRecord, Payment};
use publica_types::time::format_time_ms;
use publica_types::{ChainId, RecordId, StateRead};

use crate::call::{Category, CriterionKind, Document, WEIGHT_TOTAL};
use crate::query;
use crate::schema::{Amendment, Award, ComplaintRecord, Contract, ContractAmendment, Tender};

/// The OCDS version the export follows.
pub const OCDS_VERSION: &str = "1.1";

/// Amounts below this many smallest units are written exactly even with a fraction (at most 15 significant
/// digits, see the module documentation).
const EXACT_F64_BELOW: u128 = 1_000_000_000_000_000;

/// Who publishes the export and where.
#[derive(Clone, Debug)]
pub struct OcdsOptions {
    /// The publisher's ocid prefix, as registered with the Open Contracting Partnership (`ocds-` and six
    /// characters, as `ocds-pblc01`). The ocid of tender `N` on chain `C` is `{ocid_prefix}-{C}-{N}`.
    pub ocid_prefix: String,
    /// The publisher's name (also used in the names of identifier schemes).
    pub publisher: String,
    /// Where the packages are served (`https://…`, without a trailing slash): a release package at
    /// `{uri_base}/releases/{ocid}.json`, a record package at `{uri_base}/records/{ocid}.json`.
    pub uri_base: String,
    /// When the package is published, Unix milliseconds.
    pub published_ms: u64,
}

/// The ocid of a tender: `{prefix}-{chain}-{tender}`.
pub fn ocid(options: &OcdsOptions, chain: &ChainId, tender: u64) -> String {
    format!("{}-{chain}-{tender}", options.ocid_prefix)
}

/// The release package of a tender: one release per event recorded, in order; `None` when the tender does not
/// exist.
pub fn release_package(state: &dyn StateRead, chain: &ChainId, tender: u64, options: &OcdsOptions) -> Option<Value> {
    let process = Process::load(state, chain, tender, options)?;
    let releases = process.releases();
    let uri = format!("{}/releases/{}.json", options.uri_base.trim_end_matches('/'), process.ocid);
    let mut package = package_head(uri, options);
    // Moved in, not interpolated: `json!` would copy every release through the value serializer.
    package.insert("releases".into(), Value::Array(releases));
    Some(Value::Object(package))
}

/// A package's fields before its releases or records.
fn package_head(uri: String, options: &OcdsOptions) -> Map<String, Value> {
    let mut package = Map::new();
    package.insert("uri".into(), Value::String(uri));
    package.insert("version".into(), Value::from(OCDS_VERSION));
    package.insert("publishedDate".into(), Value::String(format_time_ms(options.published_ms)));
    package.insert("publisher".into(), json!({ "name": options.publisher }));
    package
}

/// The record package of a tender: one record with its releases and the compiled release merged from them by the
/// OCDS merge rules; `None` when the tender does not exist.
pub fn record_package(state: &dyn StateRead, chain: &ChainId, tender: u64, options: &OcdsOptions) -> Option<Value> {
    let process = Process::load(state, chain, tender, options)?;
    let releases = process.releases();
    let compiled = compile(&process.ocid, &releases);
    let uri = format!("{}/records/{}.json", options.uri_base.trim_end_matches('/'), process.ocid);
    let mut record = Map::new();
    record.insert("ocid".into(), Value::String(process.ocid.clone()));
    record.insert("releases".into(), Value::Array(releases));
    record.insert("compiledRelease".into(), compiled);
    let mut package = package_head(uri, options);
    package.insert("records".into(), Value::Array(vec![Value::Object(record)]));
    Some(Value::Object(package))
}

/// An OCDS `Value`: `minor` smallest units of `currency` in major units, exact as the module documentation
/// explains (with `exactAmount` when the JSON number cannot be).
pub fn value(minor: u128, currency: &str, decimals: u8) -> Value {
    let digits = minor.to_string();
    let decimals = usize::from(decimals);
    let (whole, fraction) = if digits.len() > decimals {
        let (w, f) = digits.split_at(digits.len() - decimals);
        (w.to_owned(), f.to_owned())
    } else {
        ("0".to_owned(), format!("{digits:0>decimals$}"))
    };
    let fraction = fraction.trim_end_matches('0');
    let mut out = Map::new();
    if fraction.is_empty() {
        if let Ok(whole) = whole.parse::<u64>() {
            out.insert("amount".into(), Value::from(whole));
            out.insert("currency".into(), Value::from(currency));
            return Value::Object(out);
        }
    }
    let text = if fraction.is_empty() { whole } else { format!("{whole}.{fraction}") };
    // A decimal text always parses into a finite f64 (overflow needs more than 308 digits; u128 has 39).
    let nearest = text.parse::<f64>().ok().and_then(Number::from_f64).map_or(Value::Null, Value::Number);
    out.insert("amount".into(), nearest);
    out.insert("currency".into(), Value::from(currency));
    if minor >= EXACT_F64_BELOW {
        out.insert("exactAmount".into(), Value::from(text));
    }
    Value::Object(out)
}

/// The merge of releases into a compiled release by the OCDS 1.1 rules: objects merged field by field, arrays of
/// objects that all have an `id` merged by id, other arrays and values replaced by later releases, `null` removing
/// a field; tagged `compiled`, dated by the last release.
pub fn compile(ocid: &str, releases: &[Value]) -> Value {
    let mut compiled = Value::Object(Map::new());
    for release in releases {
        merge(&mut compiled, release);
    }
    let date = releases.last().and_then(|r| r.get("date")).cloned().unwrap_or(Value::Null);
    let suffix = date.as_str().unwrap_or("empty").to_owned();
    compiled["ocid"] = json!(ocid);
    compiled["id"] = json!(format!("{ocid}-compiled-{suffix}"));
    compiled["date"] = date;
    compiled["tag"] = json!(["compiled"]);
    compiled
}

fn merge(into: &mut Value, from: &Value) {
    match from {
        Value::Object(fields) => {
            if !into.is_object() {
                *into = Value::Object(Map::new());
            }
            let Value::Object(target) = into else { return };
            for (key, value) in fields {
                if value.is_null() {
                    target.remove(key);
                } else if let Some(existing) = target.get_mut(key) {
                    merge(existing, value);
                } else {
                    let mut fresh = Value::Null;
                    merge(&mut fresh, value);
                    target.insert(key.clone(), fresh);
                }
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.get("id").is_some()) => {
            let mergeable = into.as_array().is_some_and(|a| a.iter().all(|i| i.get("id").is_some()));
            if !mergeable {
                *into = Value::Array(Vec::new());
            }
            let Value::Array(target) = into else { return };
            for item in items {
                match target.iter_mut().find(|t| t.get("id") == item.get("id")) {
                    Some(existing) => merge(existing, item),
                    None => {
                        let mut fresh = Value::Null;
                        merge(&mut fresh, item);
                        target.push(fresh);
                    }
                }
            }
        }
        other => *into = other.clone(),
    }
}

/// An event of the process, in the order events of the same millisecond happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Published,
    Amended(u32),
    /// A lot's award in a round; `true` for its cancellation.
    Award(u16, u32, bool),
    Signed(u64),
    InForce(u64),
    ContractAmended(u64, u32),
    Delivered(u64, u16),
    Paid(u64, u64),
    Cancelled,
}

/// Everything the export reads of one tender.
struct Process<'a> {
    state: &'a dyn StateRead,
    options: &'a OcdsOptions,
    ocid: String,
    tender: Tender,
    buyer_name: String,
    decimals: u8,
    amendments: Vec<Amendment>,
    /// Companies of the bids standing (not withdrawn), in bid order.
    tenderers: Vec<RecordId>,
    questions_ms: Vec<u64>,
    awards: Vec<(u16, Vec<Award>)>,
    complaints: Vec<ComplaintRecord>,
    contracts: Vec<(Contract, Vec<ContractAmendment>)>,
    payments: BTreeMap<u64, Payment>,
    /// The events, in order, with their times.
    events: Vec<(u64, Event)>,
}

impl<'a> Process<'a> {
    fn load(state: &'a dyn StateRead, chain: &ChainId, id: u64, options: &'a OcdsOptions) -> Option<Process<'a>> {
        let tender = query::tender(state, id).0?;
        let buyer_name = publica_accounts::query::agency(state, &tender.entity)
            .map_or_else(|| tender.entity.to_string(), |a| a.name);
        let decimals = publica_finance::schema::get::<CurrencyRecord>(
            state,
            &publica_finance::schema::currency_key(&tender.spec.currency),
        )
        .map_or(0, |c| c.decimals);
        let amendments = query::amendments(state, &tender).0;
        let bids = query::bids(state, &tender, 1, crate::call::MAX_BIDS as usize).0;
        let tenderers = bids.iter().filter(|b| !b.withdrawn).map(|b| b.company.clone()).collect();
        let questions_ms = query::questions(state, &tender, 1, crate::call::MAX_QUESTIONS as usize)
            .0
            .iter()
            .map(|q| q.asked_ms)
            .collect();
        let awards = (0..tender.lots.len() as u16).map(|lot| (lot, query::awards(state, &tender, lot).0)).collect();
        let complaints = query::complaints(state, &tender).0;
        let mut contracts = Vec::new();
        for lot in &tender.lots {
            if let Some(contract) = lot.contract.and_then(|c| query::contract(state, c).0) {
                let amendments = query::contract_amendments(state, &contract).0;
                contracts.push((contract, amendments));
            }
        }
        let mut payments = BTreeMap::new();
        for (contract, _) in &contracts {
            for payment in contract.milestones.iter().flat_map(|m| &m.payments) {
                let key = publica_finance::schema::payment_key(*payment);
                if let Some(record) = publica_finance::schema::get::<Payment>(state, &key) {
                    payments.insert(*payment, record);
                }
            }
        }
        let mut process = Process {
            state,
            options,
            ocid: ocid(options, chain, id),
            tender,
            buyer_name,
            decimals,
            amendments,
            tenderers,
            questions_ms,
            awards,
            complaints,
            contracts,
            payments,
            events: Vec::new(),
        };
        process.events = process.collect_events();
        Some(process)
    }

    fn collect_events(&self) -> Vec<(u64, Event)> {
        let mut events = vec![(self.tender.published_ms, Event::Published)];
        events.extend(self.amendments.iter().map(|a| (a.time_ms, Event::Amended(a.number))));
        for (lot, awards) in &self.awards {
            for award in awards {
                events.push((award.time_ms, Event::Award(*lot, award.round, false)));
                if let Some(n) = award.cancelled_by {
                    let decided = self
                        .complaints
                        .iter()
                        .find(|c| c.number == n)
                        .and_then(|c| c.decision.as_ref())
                        .map_or(award.time_ms, |d| d.time_ms);
                    events.push((decided.max(award.time_ms), Event::Award(*lot, award.round, true)));
                }
            }
        }
        for (contract, amendments) in &self.contracts {
            events.push((contract.signed_ms, Event::Signed(contract.id)));
            if let Some(ms) = contract.in_force_ms {
                events.push((ms, Event::InForce(contract.id)));
            }
            events.extend(amendments.iter().map(|a| (a.time_ms, Event::ContractAmended(contract.id, a.number))));
            for (index, milestone) in contract.milestones.iter().enumerate() {
                let Some((delivered_ms, _)) = milestone.delivered else { continue };
                events.push((delivered_ms, Event::Delivered(contract.id, index as u16)));
                for payment in &milestone.payments {
                    // A payment is linked after the delivery it pays for.
                    let paid_ms = self.payments.get(payment).map_or(delivered_ms, |p| p.time_ms.max(delivered_ms));
                    events.push((paid_ms, Event::Paid(contract.id, *payment)));
                }
            }
        }
        if let Some((_, ms)) = &self.tender.cancelled {
            events.push((*ms, Event::Cancelled));
        }
        events.sort();
        events
    }

    fn releases(&self) -> Vec<Value> {
        (0..self.events.len()).map(|k| self.release(k)).collect()
    }

    fn money(&self, minor: u128) -> Value {
        value(minor, &self.tender.spec.currency, self.decimals)
    }

    fn release_id(&self, event: Event) -> String {
        let ocid = &self.ocid;
        match event {
            Event::Published => format!("{ocid}-tender"),
            Event::Amended(n) => format!("{ocid}-amendment-{n}"),
            Event::Award(lot, round, false) => format!("{ocid}-award-{lot}-{round}"),
            Event::Award(lot, round, true) => format!("{ocid}-award-{lot}-{round}-cancellation"),
            Event::Signed(c) => format!("{ocid}-contract-{c}-signed"),
            Event::InForce(c) => format!("{ocid}-contract-{c}-in-force"),
            Event::ContractAmended(c, n) => format!("{ocid}-contract-{c}-amendment-{n}"),
            Event::Delivered(c, m) => format!("{ocid}-contract-{c}-delivery-{m}"),
            Event::Paid(c, p) => format!("{ocid}-contract-{c}-payment-{p}"),
            Event::Cancelled => format!("{ocid}-cancellation"),
        }
    }

    fn tag(event: Event) -> &'static str {
        match event {
            Event::Published => "tender",
            Event::Amended(_) => "tenderAmendment",
            Event::Award(_, _, false) => "award",
            Event::Award(_, _, true) => "awardCancellation",
            Event::Signed(_) => "contract",
            Event::InForce(_) => "contractUpdate",
            Event::ContractAmended(..) => "contractAmendment",
            Event::Delivered(..) | Event::Paid(..) => "implementation",
            Event::Cancelled => "tenderCancellation",
        }
    }

    /// The release of event `k`: the process as it stood after it.
    fn release(&self, k: usize) -> Value {
        let (time_ms, event) = self.events[k];
        let view = View { process: self, seen: &self.events[..=k], time_ms };
        let mut release = json!({
            "ocid": self.ocid,
            "id": self.release_id(event),
            "date": format_time_ms(time_ms),
            "tag": [Self::tag(event)],
            "initiationType": "tender",
            "language": "en",
            "parties": view.parties(),
            "buyer": self.buyer_reference(),
            "tender": view.tender(),
        });
        let awards = view.awards();
        if !awards.is_empty() {
            release["awards"] = Value::Array(awards);
        }
        let contracts = view.contracts();
        if !contracts.is_empty() {
            release["contracts"] = Value::Array(contracts);
        }
        release
    }

    fn buyer_id(&self) -> String {
        format!("agency-{}", self.tender.entity)
    }

    fn buyer_reference(&self) -> Value {
        json!({ "id": self.buyer_id(), "name": self.buyer_name })
    }

    fn company_name(&self, number: &RecordId) -> String {
        publica_registry::query::company(self.state, number).map_or_else(|| number.to_string(), |v| v.value.name)
    }

    fn company_reference(&self, number: &RecordId) -> Value {
        json!({ "id": format!("company-{number}"), "name": self.company_name(number) })
    }

    fn lot_id(lot: u16) -> String {
        format!("lot-{lot}")
    }

    fn award_id(lot: u16, round: u32) -> String {
        format!("lot-{lot}-round-{round}")
    }

    fn document(document: &Document, kind: &str) -> Value {
        let mut out = json!({
            "id": hex(document.sha256),
            "documentType": kind,
            "title": document.title,
            "description": format!("SHA-256 {}", hex(document.sha256)),
        });
        if !document.url.is_empty() {
            out["url"] = json!(document.url);
        }
        out
    }
}

/// The process as it stood after the events `seen`.
struct View<'p, 'a> {
    process: &'p Process<'a>,
    seen: &'p [(u64, Event)],
    time_ms: u64,
}

impl View<'_, '_> {
    fn has(&self, event: Event) -> bool {
        self.seen.iter().any(|(_, e)| *e == event)
    }

    /// Whether the tenderers are public: the bid deadline (as it stood) has passed.
    fn tenderers_known(&self) -> bool {
        self.time_ms >= self.deadline_ms()
    }

    fn deadline_ms(&self) -> u64 {
        let p = self.process;
        p.amendments
            .iter()
            .rev()
            .find(|a| self.has(Event::Amended(a.number)))
            .map_or(p.tender.original_deadline_ms, |a| a.new_deadline_ms)
    }

    /// The award of `lot` standing after the events seen, if any.
    fn standing_award(&self, lot: u16) -> Option<&Award> {
        let (_, awards) = self.process.awards.iter().find(|(l, _)| *l == lot)?;
        awards
            .iter()
            .rev()
            .find(|a| self.has(Event::Award(lot, a.round, false)) && !self.has(Event::Award(lot, a.round, true)))
    }

    fn paid(&self) -> bool {
        self.seen.iter().any(|(_, e)| matches!(e, Event::Paid(..)))
    }

    fn parties(&self) -> Value {
        let p = self.process;
        let mut buyer_roles = vec!["buyer", "procuringEntity"];
        if self.paid() {
            buyer_roles.push("payer");
        }
        let mut parties = vec![json!({
            "id": p.buyer_id(),
            "name": p.buyer_name,
            "identifier": {
                "id": p.tender.entity.as_str(),
                "legalName": p.buyer_name,
                "schemeName": format!("{} agency identifier", p.options.publisher),
            },
            "roles": buyer_roles,
        })];
        let mut companies: Vec<&RecordId> = Vec::new();
        if self.tenderers_known() {
            for company in &p.tenderers {
                if !companies.contains(&company) {
                    companies.push(company);
                }
            }
        }
        for lot in 0..p.tender.lots.len() as u16 {
            if let Some(award) = self.standing_award(lot) {
                if !companies.contains(&&award.company) {
                    companies.push(&award.company);
                }
            }
        }
        for company in companies {
            let mut roles = Vec::new();
            if self.tenderers_known() && p.tenderers.contains(company) {
                roles.push("tenderer");
            }
            let supplier = (0..p.tender.lots.len() as u16)
                .any(|lot| self.standing_award(lot).is_some_and(|a| &a.company == company));
            if supplier {
                roles.push("supplier");
            }
            let payee = p.contracts.iter().any(|(c, _)| {
                &c.supplier == company
                    && c.milestones.iter().flat_map(|m| &m.payments).any(|pay| self.has(Event::Paid(c.id, *pay)))
            });
            if payee {
                roles.push("payee");
            }
            let name = p.company_name(company);
            parties.push(json!({
                "id": format!("company-{company}"),
                "name": name,
                "identifier": {
                    "id": company.as_str(),
                    "legalName": name,
                    "schemeName": format!("{} business register: company number", p.options.publisher),
                },
                "roles": roles,
            }));
        }
        Value::Array(parties)
    }

    fn tender_status(&self) -> &'static str {
        let p = self.process;
        if self.has(Event::Cancelled) {
            return "cancelled";
        }
        let complete = (0..p.tender.lots.len() as u16)
            .all(|lot| p.contracts.iter().any(|(c, _)| c.lot == lot && self.has(Event::InForce(c.id))));
        if complete {
            "complete"
        } else {
            "active"
        }
    }

    fn tender(&self) -> Value {
        let p = self.process;
        let spec = &p.tender.spec;
        let total: u128 = spec.lots.iter().map(|l| u128::from(l.value)).sum();
        let rated = spec.criteria.iter().any(|c| c.kind == CriterionKind::Quality);
        let criteria: Vec<String> = spec
            .criteria
            .iter()
            .map(|c| {
                let how = match c.kind {
                    CriterionKind::Price => "scored by price on the ledger",
                    CriterionKind::Quality => "scored by the evaluation committee",
                };
                format!("{} ({} of {WEIGHT_TOTAL}, {how})", c.name, c.weight)
            })
            .collect();
        let items: Vec<Value> = spec
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                json!({
                    "id": format!("item-{i}"),
                    "description": item.description,
                    "classification": { "scheme": "CPV", "id": item.cpv },
                    "quantity": item.quantity,
                    "unit": { "name": item.unit },
                    "relatedLot": Process::lot_id(item.lot),
                })
            })
            .collect();
        let lots: Vec<Value> = spec
            .lots
            .iter()
            .enumerate()
            .map(|(i, lot)| {
                let index = i as u16;
                let status = if self.has(Event::Cancelled) {
                    "cancelled"
                } else if p.contracts.iter().any(|(c, _)| c.lot == index && self.has(Event::InForce(c.id))) {
                    "complete"
                } else {
                    "active"
                };
                json!({
                    "id": Process::lot_id(index),
                    "title": lot.title,
                    "value": p.money(u128::from(lot.value)),
                    "status": status,
                })
            })
            .collect();
        let mut tender = json!({
            "id": p.tender.id.to_string(),
            "title": spec.title,
            "description": spec.description,
            "status": self.tender_status(),
            "procuringEntity": p.buyer_reference(),
            "items": items,
            "value": p.money(total),
            "procurementMethod": "open",
            "procurementMethodDetails": "Open procedure with sealed electronic bids, opened by threshold decryption",
            "mainProcurementCategory": match spec.category {
                Category::Goods => "goods",
                Category::Works => "works",
                Category::Services => "services",
            },
            "awardCriteria": if rated { "ratedCriteria" } else { "priceOnly" },
            "awardCriteriaDetails": criteria.join("; "),
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": {
                "startDate": format_time_ms(p.tender.published_ms),
                "endDate": format_time_ms(self.deadline_ms()),
            },
            "enquiryPeriod": {
                "startDate": format_time_ms(p.tender.published_ms),
                "endDate": format_time_ms(spec.timeline.clarifications_until_ms),
            },
            "hasEnquiries": p.questions_ms.iter().any(|&ms| ms <= self.time_ms),
            "lots": lots,
        });
        if !spec.documents.is_empty() {
            tender["documents"] =
                spec.documents.iter().map(|d| Process::document(d, "biddingDocuments")).collect::<Vec<_>>().into();
        }
        if self.tenderers_known() {
            let mut tenderers: Vec<Value> = Vec::new();
            for company in &p.tenderers {
                let reference = p.company_reference(company);
                if !tenderers.contains(&reference) {
                    tenderers.push(reference);
                }
            }
            tender["numberOfTenderers"] = json!(tenderers.len());
            if !tenderers.is_empty() {
                tender["tenderers"] = Value::Array(tenderers);
            }
        }
        let amendments: Vec<Value> = p
            .amendments
            .iter()
            .filter(|a| self.has(Event::Amended(a.number)))
            .map(|a| {
                json!({
                    "id": a.number.to_string(),
                    "date": format_time_ms(a.time_ms),
                    "rationale": a.rationale,
                    "description": format!(
                        "Changed: {}. Bid deadline {} (was {}).",
                        if a.changed.is_empty() { "nothing".to_owned() } else { a.changed.join(", ") },
                        format_time_ms(a.new_deadline_ms),
                        format_time_ms(a.old_deadline_ms)
                    ),
                    "releaseID": p.release_id(Event::Amended(a.number)),
                })
            })
            .collect();
        if !amendments.is_empty() {
            tender["amendments"] = Value::Array(amendments);
        }
        tender
    }

    fn awards(&self) -> Vec<Value> {
        let p = self.process;
        let mut out = Vec::new();
        for (lot, awards) in &p.awards {
            let lot_title = p.tender.spec.lots.get(usize::from(*lot)).map_or("", |l| l.title.as_str());
            for award in awards.iter().filter(|a| self.has(Event::Award(*lot, a.round, false))) {
                let cancelled = self.has(Event::Award(*lot, award.round, true));
                let mut description = match &award.reason {
                    Some(reason) => format!("Departs from the ranking (best-ranked bid not awarded): {reason}"),
                    None => "Awarded to the best-ranked bid.".to_owned(),
                };
                if cancelled {
                    if let Some(complaint) = p.complaints.iter().find(|c| Some(c.number) == award.cancelled_by) {
                        let reasoning = complaint.decision.as_ref().map_or("", |d| d.reasoning.as_str());
                        description.push_str(&format!(
                            " Cancelled by the review body's decision on complaint {}: {reasoning}",
                            complaint.number
                        ));
                    }
                }
                out.push(json!({
                    "id": Process::award_id(*lot, award.round),
                    "title": format!("{lot_title}, award round {}", award.round),
                    "description": description,
                    "status": if cancelled { "cancelled" } else { "active" },
                    "date": format_time_ms(award.time_ms),
                    "value": p.money(u128::from(award.price)),
                    "suppliers": [p.company_reference(&award.company)],
                    "relatedLots": [Process::lot_id(*lot)],
                }));
            }
        }
        out
    }

    fn contracts(&self) -> Vec<Value> {
        let p = self.process;
        let mut out = Vec::new();
        for (contract, amendments) in p.contracts.iter().filter(|(c, _)| self.has(Event::Signed(c.id))) {
            let seen: Vec<&ContractAmendment> =
                amendments.iter().filter(|a| self.has(Event::ContractAmended(contract.id, a.number))).collect();
            // The value and document of this release's time; the milestones only once every amendment is seen.
            let (value, document) = match (seen.last(), amendments.first()) {
                (Some(last), _) => (last.new_value, last.new_document),
                (None, Some(first)) => (first.old_value, first.old_document),
                (None, None) => (contract.value, contract.document),
            };
            let in_force = self.has(Event::InForce(contract.id));
            let mut documents = vec![json!({
                "id": hex(signed_document(contract, amendments)),
                "documentType": "contractSigned",
                "title": "Contract as signed",
                "description": format!("SHA-256 {}", hex(signed_document(contract, amendments))),
            })];
            for amendment in &seen {
                documents.push(json!({
                    "id": hex(amendment.new_document),
                    "documentType": "contractSigned",
                    "title": format!("Contract as amended by amendment {}", amendment.number),
                    "description": format!("SHA-256 {}", hex(amendment.new_document)),
                }));
            }
            let lot_title = p.tender.spec.lots.get(usize::from(contract.lot)).map_or("", |l| l.title.as_str());
            let mut item = json!({
                "id": contract.id.to_string(),
                "awardID": Process::award_id(contract.lot, contract.round),
                "title": format!("{lot_title}: contract {}", contract.id),
                "description": format!("Current document SHA-256 {}", hex(document)),
                "status": if in_force { "active" } else { "pending" },
                "value": p.money(u128::from(value)),
                "documents": documents,
            });
            if in_force {
                if let Some(ms) = contract.in_force_ms {
                    item["dateSigned"] = json!(format_time_ms(ms));
                }
            }
            if seen.len() == amendments.len() && !contract.milestones.is_empty() {
                let start = if in_force { contract.in_force_ms } else { None }.unwrap_or(contract.signed_ms);
                let end = contract.milestones.iter().map(|m| m.spec.due_ms).max().unwrap_or(start);
                item["period"] = json!({ "startDate": format_time_ms(start), "endDate": format_time_ms(end) });
                let milestones: Vec<Value> = contract
                    .milestones
                    .iter()
                    .enumerate()
                    .map(|(i, m)| self.milestone(contract.id, i as u16, m))
                    .collect();
                item["milestones"] = Value::Array(milestones);
            }
            if !seen.is_empty() {
                item["amendments"] = seen
                    .iter()
                    .map(|a| {
                        json!({
                            "id": a.number.to_string(),
                            "date": format_time_ms(a.time_ms),
                            "rationale": a.reason,
                            "description": format!(
                                "Value from {} to {} (smallest units of {}); document SHA-256 {} replaced by {}.",
                                a.old_value,
                                a.new_value,
                                p.tender.spec.currency,
                                hex(a.old_document),
                                hex(a.new_document)
                            ),
                            "releaseID": p.release_id(Event::ContractAmended(contract.id, a.number)),
                        })
                    })
                    .collect::<Vec<_>>()
                    .into();
            }
            let implementation = self.implementation(contract);
            if !implementation.is_empty() {
                item["implementation"] = Value::Object(implementation);
            }
            out.push(item);
        }
        out
    }

    fn milestone(&self, contract: u64, index: u16, milestone: &crate::schema::Milestone) -> Value {
        let mut out = json!({
            "id": format!("milestone-{index}"),
            "title": milestone.spec.title,
            "type": "delivery",
            "description": format!(
                "Paid on delivery: {} smallest units of {}",
                milestone.spec.amount, self.process.tender.spec.currency
            ),
            "dueDate": format_time_ms(milestone.spec.due_ms),
            "status": "scheduled",
        });
        if let Some((ms, note)) = &milestone.delivered {
            if self.has(Event::Delivered(contract, index)) {
                out["status"] = json!("met");
                out["dateMet"] = json!(format_time_ms(*ms));
                out["description"] = json!(format!("Delivered and accepted: {note}"));
            }
        }
        out
    }

    fn implementation(&self, contract: &Contract) -> Map<String, Value> {
        let p = self.process;
        let mut out = Map::new();
        let mut transactions = Vec::new();
        let mut milestones = Vec::new();
        for (index, milestone) in contract.milestones.iter().enumerate() {
            if !self.has(Event::Delivered(contract.id, index as u16)) {
                continue;
            }
            milestones.push(self.milestone(contract.id, index as u16, milestone));
            for number in milestone.payments.iter().filter(|n| self.has(Event::Paid(contract.id, **n))) {
                let Some(payment) = p.payments.get(number) else { continue };
                transactions.push(json!({
                    "id": number.to_string(),
                    "date": format_time_ms(payment.time_ms),
                    "value": p.money(u128::from(payment.amount)),
                    "payer": p.buyer_reference(),
                    "payee": p.company_reference(&contract.supplier),
                }));
            }
        }
        if !transactions.is_empty() {
            out.insert("transactions".into(), Value::Array(transactions));
        }
        if !milestones.is_empty() {
            out.insert("milestones".into(), Value::Array(milestones));
        }
        out
    }
}

/// The document a contract was signed with: the one its first amendment replaced, or its current one.
fn signed_document(contract: &Contract, amendments: &[ContractAmendment]) -> publica_types::Hash {
    amendments.first().map_or(contract.document, |a| a.old_document)
}

/// Lower-case hex of `bytes`.
fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}
