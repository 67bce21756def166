//! Export of a company's ownership and control in the Beneficial Ownership Data Standard, version 0.4 (BODS):
//! a JSON array of statements that other people's BODS tools read.
//!
//! The mapping (also in `docs/registry.md`):
//!
//! - the company → an `entity` statement (`registeredEntity`, name, its number as identifier, founding and
//!   dissolution dates, registered address); `recordStatus` `new` for its first version, `closed` once dissolved,
//!   else `updated`;
//! - each company of this register holding its shares → an `entity` statement from that company's own record;
//! - each person (beneficial owner or shareholder) → a `person` statement of type `anonymousPerson` whose record
//!   id carries their account address, with `unspecifiedPersonDetails` (`interestedPartyExemptFromDisclosure`):
//!   the register knows who they are (the account holds the commitment to their national identifier), but names
//!   and identity documents of private persons are not published. (BODS person identifiers must be passports, tax
//!   or identity card numbers of a country, which the ledger never holds in clear.)
//! - each interested party → one `relationship` statement with the company as subject: the beneficial owner's
//!   interests (`beneficialOwnershipOrControl: true`, their share in percent) and, for a shareholder, a
//!   `shareholding` interest whose exact share is its shares over all shares.
//!
//! Every statement id is the SHA-256 (hex) of the record id, the company's version and the publisher: the export
//! of the same version is the same document, and a new version gets new statement ids, as BODS requires.

use serde_json::{json, Value};

use crate::call::{ControlKind, Holder, Interest, ShareOfControl};
use publica_types::time::format_time_ms;
use publica_types::RecordId;
use publica_types::{Address, StateRead};

use crate::engine;
use crate::schema::{Company, CompanyStatus, Version};

/// The BODS version the export follows.
pub const BODS_VERSION: &str = "0.4";

/// Who publishes the export: the register's name (and where it can be found).
#[derive(Clone, Debug)]
pub struct Publisher {
    /// The register's name, also used in identifier scheme names.
    pub name: String,
    /// Its web address, if any.
    pub url: Option<String>,
}

fn date(ms: u64) -> String {
    format_time_ms(ms)[..10].to_owned()
}

fn company_record_id(number: &RecordId) -> String {
    format!("company/{number}")
}

fn person_record_id(account: &Address) -> String {
    format!("person/{account}")
}

fn percent(basis_points: u16) -> Value {
    // Basis points are exact in two decimals.
    json!(f64::from(basis_points) / 100.0)
}

fn control_type(kind: ControlKind) -> &'static str {
    match kind {
        ControlKind::Shareholding => "shareholding",
        ControlKind::VotingRights => "votingRights",
        ControlKind::AppointmentOfBoard => "appointmentOfBoard",
        ControlKind::SeniorManagingOfficial => "seniorManagingOfficial",
        ControlKind::OtherInfluenceOrControl => "otherInfluenceOrControl",
    }
}

/// The statements' common part.
struct Statement<'a> {
    publisher: &'a Publisher,
    published_ms: u64,
    /// The company version the export describes.
    version: &'a Version<Company>,
    subject: String,
}

impl Statement<'_> {
    fn make(&self, record_id: &str, record_type: &str, status: &str, details: Value) -> Value {
        let id = publica_types::sha256(
            format!("publica-bods/{record_id}/{}/{}/{}", self.version.id, self.version.version, self.publisher.name)
                .as_bytes(),
        );
        let mut publisher = json!({ "name": self.publisher.name });
        if let Some(url) = &self.publisher.url {
            publisher["url"] = json!(url);
        }
        json!({
            "statementId": hex::encode(id),
            "statementDate": date(self.version.time_ms),
            "declarationSubject": self.subject,
            "recordId": record_id,
            "recordType": record_type,
            "recordStatus": status,
            "recordDetails": details,
            "publicationDetails": {
                "publicationDate": date(self.published_ms),
                "bodsVersion": BODS_VERSION,
                "publisher": publisher,
            },
            "source": {
                "type": ["officialRegister"],
                "description": format!("{}, version {} of the company's record", self.publisher.name, self.version.version),
            },
        })
    }
}

fn entity_details(number: &RecordId, company: &Company, publisher: &Publisher) -> Value {
    let mut details = json!({
        "isComponent": false,
        "entityType": { "type": "registeredEntity" },
        "name": company.name,
        "identifiers": [{ "id": number.as_str(), "schemeName": format!("{} company number", publisher.name) }],
        "foundingDate": date(company.registered_ms),
        "addresses": [{ "type": "registered", "address": company.registered_address }],
    });
    if let Some(ms) = company.dissolved_ms {
        details["dissolutionDate"] = json!(date(ms));
    }
    details
}

fn record_status(v: &Version<Company>) -> &'static str {
    match (&v.value.status, v.version) {
        (CompanyStatus::Dissolved, _) => "closed",
        (_, 1) => "new",
        _ => "updated",
    }
}

fn add_interest(parties: &mut Vec<(String, Vec<Value>)>, party: String, interest: Value) {
    match parties.iter_mut().find(|(p, _)| *p == party) {
        Some((_, list)) => list.push(interest),
        None => parties.push((party, vec![interest])),
    }
}

/// The BODS 0.4 statements of company `number` as of its latest version, published at `published_ms`; `None` if
/// there is no such company.
pub fn export(
    state: &dyn StateRead,
    number: &RecordId,
    published_ms: u64,
    publisher: &Publisher,
) -> Option<Vec<Value>> {
    let version = engine::latest::<Company>(state, number.as_str())?;
    let company = &version.value;
    let subject = company_record_id(number);
    let s = Statement { publisher, published_ms, version: &version, subject: subject.clone() };
    let mut out = vec![s.make(&subject, "entity", record_status(&version), entity_details(number, company, publisher))];
    let parties = interested_parties(company);

    // The parties' own statements, then the relationships.
    for (party, _) in &parties {
        if let Some((record_type, details)) = party_details(state, party, publisher) {
            out.push(s.make(party, record_type, record_status(&version), details));
        }
    }
    for (party, interests) in parties {
        let details = json!({
            "isComponent": false,
            "subject": subject,
            "interestedParty": party,
            "interests": interests,
        });
        out.push(s.make(&format!("relationship/{number}/{party}"), "relationship", record_status(&version), details));
    }
    Some(out)
}

/// The company's interested parties (record ids) with their interests, in a stable order: beneficial owners first
/// (as declared), then shareholders.
fn interested_parties(company: &Company) -> Vec<(String, Vec<Value>)> {
    let total_shares: u64 = company.shareholders.iter().map(|h| h.shares).sum();
    let mut parties: Vec<(String, Vec<Value>)> = Vec::new();
    for owner in &company.beneficial_owners {
        for i in &owner.interests {
            add_interest(&mut parties, person_record_id(&owner.person), owner_interest(i));
        }
    }
    for holding in &company.shareholders {
        let party = match &holding.holder {
            Holder::Person(a) => person_record_id(a),
            Holder::Company(n) => company_record_id(n),
        };
        // A beneficial owner who declared a shareholding keeps that one interest of the kind.
        let declared = parties.iter().any(|(p, list)| *p == party && list.iter().any(|i| i["type"] == "shareholding"));
        if declared {
            continue;
        }
        // Exact in float: shares over all shares, in percent.
        let share = holding.shares as f64 * 100.0 / total_shares as f64;
        add_interest(
            &mut parties,
            party,
            json!({
                "type": "shareholding",
                "directOrIndirect": "direct",
                "beneficialOwnershipOrControl": false,
                "share": { "exact": share },
            }),
        );
    }
    parties
}

/// A beneficial owner's declared interest as a BODS interest, with its share in percent where one was declared.
fn owner_interest(i: &Interest) -> Value {
    let mut interest = json!({
        "type": control_type(i.kind),
        "directOrIndirect": if i.direct { "direct" } else { "indirect" },
        "beneficialOwnershipOrControl": true,
    });
    match i.share {
        Some(ShareOfControl::Exact { basis_points }) => interest["share"] = json!({ "exact": percent(basis_points) }),
        Some(ShareOfControl::Range { minimum, maximum }) => {
            interest["share"] = json!({ "minimum": percent(minimum), "maximum": percent(maximum) })
        }
        None => {}
    }
    interest
}

/// The record type and details of an interested party's own statement: an anonymous person for an account, the
/// company's own record for a company of this register; `None` for any other record id.
fn party_details(state: &dyn StateRead, party: &str, publisher: &Publisher) -> Option<(&'static str, Value)> {
    if let Some(account) = party.strip_prefix("person/") {
        let details = json!({
            "isComponent": false,
            "personType": "anonymousPerson",
            "unspecifiedPersonDetails": {
                "reason": "interestedPartyExemptFromDisclosure",
                "description": format!(
                    "Identified by the register as the holder of Publica account {account}; personal details \
                     of private persons are not published"
                ),
            },
        });
        Some(("person", details))
    } else if let Some(n) = party.strip_prefix("company/") {
        let holder = RecordId::new(n).expect("a stored company number");
        let details = match engine::latest::<Company>(state, n) {
            Some(v) => entity_details(&holder, &v.value, publisher),
            None => json!({ "isComponent": false, "entityType": { "type": "registeredEntity" } }),
        };
        Some(("entity", details))
    } else {
        None
    }
}
