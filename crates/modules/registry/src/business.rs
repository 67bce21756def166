//! The business register: companies with check-digit numbers and unique names, their officers, shareholders and
//! beneficial owners, filings by their officers, and registration, liquidation and dissolution.
//!
//! **Numbers.** The register numbers companies itself, in order of registration: seven digits of serial (from
//! 1000001) and one check digit by the Damm algorithm, which detects every single-digit error and every transposition
//! of adjacent digits. [`validate_company_number`] refuses a mistyped number before anything is looked up.
//!
//! **Names.** Unique regardless of case and spacing: [`normalise_name`] lower-cases and collapses runs of white
//! space, and the normalised form is a state key, so uniqueness is one point read. Names are limited to ASCII and
//! the Latin-1 Supplement and Latin Extended-A/B letters, whose lower-case mappings Unicode never changes, so every
//! validator normalises alike whatever version of the Unicode tables it was built with. A dissolved company keeps
//! its name: the name stays in the public record of what that company did.
//!
//! **Persons** (officers, shareholders, beneficial owners) are accounts: their names and addresses are not on the
//! ledger. Company names and registered addresses are public.

use std::collections::BTreeSet;

use crate::call::{
    ApplicationAction, BeneficialOwner, CompanyDetails, Filing, Holder, LegalForm, Officer, OfficerRole, Party,
    ShareOfControl, Shareholding, MAX_BENEFICIAL_OWNERS, MAX_COMPANY_ADDRESS_BYTES, MAX_COMPANY_NAME_BYTES,
    MAX_OFFICERS, MAX_SHAREHOLDERS,
};
use publica_types::RecordId;
use publica_types::{Address, CallContext, ErrorCode, StateRead, StateWrite, TxError, TxOutcome};

use crate::engine::{self, append, next_number};
use crate::error::{self, refuse};
use crate::rules::authorize;
use crate::schema::{
    company_name_key, Application, Company, CompanyStatus, FilingRecord, Record, Version, NEXT_COMPANY_KEY,
};
use crate::workflow::OpeningFacts;

/// The first company serial: numbers have seven digits of serial and one check digit.
const FIRST_SERIAL: u64 = 1_000_000;
/// Most interests of one beneficial owner.
const MAX_INTERESTS: usize = 8;

/// The Damm algorithm's quasigroup of order 10 (weakly totally anti-symmetric): the check digit is the interim
/// digit after all digits, and a number is valid when its digits, check digit included, lead to 0.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a string of decimal digits.
pub fn check_digit(digits: &str) -> Option<u8> {
    digits.bytes().try_fold(0u8, |interim, b| b.is_ascii_digit().then(|| DAMM[interim as usize][(b - b'0') as usize]))
}

/// The company number of a serial: the serial's digits and its check digit.
pub fn company_number(serial: u64) -> RecordId {
    let digits = serial.to_string();
    let check = check_digit(&digits).expect("a number's digits");
    RecordId::new(format!("{digits}{check}")).expect("digits make a record id")
}

/// Check a company number as typed: eight digits whose Damm check holds.
pub fn validate_company_number(text: &str) -> Result<RecordId, String> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{text:?} is not a company number: company numbers are 8 digits, e.g. 10000017"));
    }
    if check_digit(text) != Some(0) {
        return Err(format!(
            "{text:?} is not a company number: its check digit does not match; check for a typing error"
        ));
    }
    Ok(RecordId::new(text).expect("digits make a record id"))
}

fn name_char_allowed(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || " &'.,-()/+!".contains(c)
        // Latin-1 Supplement, Latin Extended-A and -B letters (not × and ÷).
        || (('\u{C0}'..='\u{24F}').contains(&c) && c != '\u{D7}' && c != '\u{F7}')
}

/// The form of a company name that decides uniqueness: lower case, runs of white space as one space, trimmed.
pub fn normalise_name(name: &str) -> Result<String, String> {
    if name.trim().is_empty() || name.len() > MAX_COMPANY_NAME_BYTES {
        return Err(format!("a company name must be 1 to {MAX_COMPANY_NAME_BYTES} bytes, it is {}", name.len()));
    }
    if let Some(c) = name.chars().find(|c| !name_char_allowed(*c) && !c.is_whitespace()) {
        return Err(format!(
            "a company name may hold Latin letters, digits, spaces and & ' . , - ( ) / + !; {c:?} is not allowed"
        ));
    }
    if name.chars().any(|c| c.is_whitespace() && c != ' ') {
        return Err("a company name may hold plain spaces only, no tabs or newlines".into());
    }
    Ok(name.split(' ').filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>().join(" "))
}

fn check_share(share: &ShareOfControl) -> Result<(), String> {
    match *share {
        ShareOfControl::Exact { basis_points } if basis_points <= 10_000 => Ok(()),
        ShareOfControl::Range { minimum, maximum } if minimum <= maximum && maximum <= 10_000 => Ok(()),
        _ => Err("a share of control is 0 to 10,000 basis points, a range's minimum at most its maximum".into()),
    }
}

/// The schema's rules for a company's declared details.
pub(crate) fn check_details(
    name: &str,
    address: &str,
    officers: &[Officer],
    shareholders: &[Shareholding],
    beneficial_owners: &[BeneficialOwner],
) -> Result<(), String> {
    normalise_name(name)?;
    if address.trim().is_empty() || address.len() > MAX_COMPANY_ADDRESS_BYTES || address.chars().any(char::is_control) {
        return Err(format!(
            "the registered address must be 1 to {MAX_COMPANY_ADDRESS_BYTES} bytes without control characters"
        ));
    }
    if officers.is_empty() || officers.len() > MAX_OFFICERS {
        return Err(format!("a company has 1 to {MAX_OFFICERS} officers, this one {}", officers.len()));
    }
    if !officers.iter().any(|o| matches!(o.role, OfficerRole::Director | OfficerRole::Chair)) {
        return Err("a company needs at least one director".into());
    }
    let mut seen = BTreeSet::new();
    if !officers.iter().all(|o| seen.insert((o.account, o.role as u8))) {
        return Err("an officer is listed twice in the same position".into());
    }
    if shareholders.len() > MAX_SHAREHOLDERS {
        return Err(format!("at most {MAX_SHAREHOLDERS} shareholders, this company has {}", shareholders.len()));
    }
    let mut holders = BTreeSet::new();
    let mut total: u64 = 0;
    for s in shareholders {
        if s.shares == 0 {
            return Err("a shareholding is at least one share".into());
        }
        if !holders.insert(&s.holder) {
            return Err("a shareholder is listed twice; give one holding per holder".into());
        }
        total = total.checked_add(s.shares).ok_or("the shares add up to more than 2^64")?;
    }
    if beneficial_owners.len() > MAX_BENEFICIAL_OWNERS {
        return Err(format!(
            "at most {MAX_BENEFICIAL_OWNERS} beneficial owners, this company has {}",
            beneficial_owners.len()
        ));
    }
    let mut persons = BTreeSet::new();
    for b in beneficial_owners {
        if !persons.insert(b.person) {
            return Err(format!("beneficial owner {} is listed twice", b.person));
        }
        if b.interests.is_empty() || b.interests.len() > MAX_INTERESTS {
            return Err(format!("beneficial owner {} needs 1 to {MAX_INTERESTS} interests", b.person));
        }
        for i in &b.interests {
            if let Some(share) = &i.share {
                check_share(share)?;
            }
        }
    }
    Ok(())
}

/// A company limited by shares has at least one shareholder. Checked when a registration or a filing is made, not
/// in the stored record's schema check, so that versions written before the rule still read back.
fn check_share_capital(details: &CompanyDetails) -> Result<(), TxError> {
    if matches!(details.legal_form, LegalForm::PrivateLimited | LegalForm::PublicLimited)
        && details.shareholders.is_empty()
    {
        return Err(refuse(
            error::SHAREHOLDERS_REQUIRED,
            "a company limited by shares has at least one shareholder; list who holds its shares (a transfer \
             names the new holders in the same filing)",
        ));
    }
    Ok(())
}

/// Every person the details name must have an account; every company shareholder must be registered here.
fn check_parties(
    state: &dyn StateRead,
    details: &CompanyDetails,
    own_number: Option<&RecordId>,
) -> Result<(), TxError> {
    let persons =
        details.officers.iter().map(|o| o.account).chain(details.beneficial_owners.iter().map(|b| b.person)).chain(
            details.shareholders.iter().filter_map(|s| match &s.holder {
                Holder::Person(a) => Some(*a),
                Holder::Company(_) => None,
            }),
        );
    for account in persons {
        if publica_accounts::account(state, &account).is_none() {
            return Err(TxError::new(
                ErrorCode::UnknownAccount,
                format!("account {account} does not exist; every officer, shareholder and beneficial owner needs one"),
            ));
        }
    }
    for s in &details.shareholders {
        if let Holder::Company(number) = &s.holder {
            if Some(number) == own_number {
                return Err(refuse(error::COMPANY_OWNS_ITSELF, format!("company {number} cannot hold its own shares")));
            }
            match engine::latest::<Company>(state, number.as_str()) {
                None => {
                    return Err(refuse(
                        error::SHAREHOLDER_COMPANY_NOT_FOUND,
                        format!("shareholder company {number} is not registered; check its number"),
                    ))
                }
                Some(v) if v.value.status == CompanyStatus::Dissolved => {
                    return Err(refuse(
                        error::SHAREHOLDER_COMPANY_DISSOLVED,
                        format!("shareholder company {number} is dissolved"),
                    ))
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

fn name_holder(state: &dyn StateRead, name: &str) -> Result<(String, Option<RecordId>), TxError> {
    let normalised = normalise_name(name).map_err(|m| refuse(error::COMPANY_NAME_INVALID, m))?;
    let holder = state.get(&company_name_key(&normalised)).map(|b| {
        RecordId::new(String::from_utf8(b).expect("a stored company number is text; the store is corrupt"))
            .expect("a stored company number is valid; the store is corrupt")
    });
    Ok((normalised, holder))
}

fn require_free_name(state: &dyn StateRead, name: &str) -> Result<String, TxError> {
    match name_holder(state, name)? {
        (normalised, None) => Ok(normalised),
        (_, Some(number)) => Err(refuse(
            error::COMPANY_NAME_TAKEN,
            format!(
            "the name {name:?} is taken by company {number} (names are compared ignoring case and spacing); choose \
             another"
        ),
        )),
    }
}

/// A company's latest version, or a refusal naming the number.
pub(crate) fn existing(state: &dyn StateRead, number: &RecordId) -> Result<Version<Company>, TxError> {
    engine::latest::<Company>(state, number.as_str()).ok_or_else(|| {
        refuse(error::COMPANY_NOT_FOUND, format!("company {number} is not registered; check the number"))
    })
}

fn directors(company: &Company) -> Vec<Address> {
    let mut out: Vec<Address> = company
        .officers
        .iter()
        .filter(|o| matches!(o.role, OfficerRole::Director | OfficerRole::Chair))
        .map(|o| o.account)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The persons among a company's shareholders.
fn person_holders(shareholders: &[Shareholding]) -> impl Iterator<Item = Address> + '_ {
    shareholders.iter().filter_map(|s| match s.holder {
        Holder::Person(a) => Some(a),
        Holder::Company(_) => None,
    })
}

/// Most parties a company filing's application may have (the bound of [`crate::schema::Application`]).
pub const MAX_FILING_PARTIES: usize = 2 * crate::call::MAX_OWNERS + 8;

/// Who must consent to a filing before it takes effect.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Consent {
    /// The persons whose own position, holding or interests the filing changes (sorted, once each): a new officer
    /// or an officer in a new position; every shareholder whose holding it adds, changes or removes (for a company
    /// shareholder: each director or chair of that company, unless it is dissolved); every beneficial owner whose
    /// declared interests it adds, changes or removes.
    pub persons: Vec<Address>,
    /// Whether every current director (and chair) of the company must approve: for any change of the officers,
    /// the shareholders or the beneficial owners. A company's board records share transfers and keeps its
    /// register of owners; a secretary alone never rewrites it.
    pub directors: bool,
}

impl Consent {
    /// Every account that must approve, `persons` and (when needed) the company's directors, sorted, once each.
    pub fn accounts(&self, company: &Company) -> Vec<Address> {
        let mut out = self.persons.clone();
        if self.directors {
            out.extend(directors(company));
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Who must consent to `filing` on `company` (see [`Consent`]).
///
/// Why this rule: a share transfer is signed by the transferor and recorded by the board, and nobody is put on the
/// public register (and the BODS export) without their approval. So a filing needs everyone whose entry it changes,
/// in either direction, and the directors for any change of who runs or owns the company. A holder whose count of
/// shares is unchanged does not consent to an allotment to others: the board decides it. Reads only the companies
/// among the changed shareholders (at most [`MAX_SHAREHOLDERS`] twice).
pub fn consent_needed(state: &dyn StateRead, company: &Company, filing: &Filing) -> Consent {
    let (mut persons, directors): (Vec<Address>, bool) = match filing {
        Filing::Officers { officers } => (
            officers
                .iter()
                .filter(|o| !company.officers.iter().any(|c| c.account == o.account && c.role == o.role))
                .map(|o| o.account)
                .collect(),
            *officers != company.officers,
        ),
        Filing::Shareholders { shareholders } => {
            let shares = |list: &[Shareholding], h: &Holder| list.iter().find(|s| &s.holder == h).map(|s| s.shares);
            let changed: BTreeSet<&Holder> = company
                .shareholders
                .iter()
                .chain(shareholders)
                .map(|s| &s.holder)
                .filter(|h| shares(&company.shareholders, h) != shares(shareholders, h))
                .collect();
            let mut persons = Vec::new();
            for holder in changed {
                match holder {
                    Holder::Person(a) => persons.push(*a),
                    Holder::Company(number) => match engine::latest::<Company>(state, number.as_str()) {
                        Some(v) if v.value.status != CompanyStatus::Dissolved => {
                            persons.extend(self::directors(&v.value))
                        }
                        // A dissolved company (or one never registered, which the filing's check refuses) has nobody
                        // to speak for it: the company's own directors decide.
                        _ => {}
                    },
                }
            }
            (persons, *shareholders != company.shareholders)
        }
        Filing::BeneficialOwners { beneficial_owners } => {
            let interests = |list: &[BeneficialOwner], p: &Address| {
                list.iter().find(|b| &b.person == p).map(|b| b.interests.clone())
            };
            (
                company
                    .beneficial_owners
                    .iter()
                    .chain(beneficial_owners)
                    .map(|b| b.person)
                    .filter(|p| interests(&company.beneficial_owners, p) != interests(beneficial_owners, p))
                    .collect(),
                *beneficial_owners != company.beneficial_owners,
            )
        }
        Filing::AnnualReturn { .. } | Filing::RegisteredAddress { .. } => (Vec::new(), false),
    };
    persons.sort();
    persons.dedup();
    Consent { persons, directors }
}

/// The active (not dissolved) company `number`.
fn not_dissolved(state: &dyn StateRead, number: &RecordId) -> Result<Version<Company>, TxError> {
    let v = existing(state, number)?;
    if v.value.status == CompanyStatus::Dissolved {
        return Err(refuse(
            error::COMPANY_DISSOLVED,
            format!("company {number} is dissolved; nothing more can be filed for it"),
        ));
    }
    Ok(v)
}

/// Bind the parties of a business application: reads of the company concerned and of the action only.
pub(crate) fn parties(state: &dyn StateRead, action: &ApplicationAction) -> Result<OpeningFacts, TxError> {
    match action {
        ApplicationAction::RegisterCompany { company } => {
            // Every person the registration names consents: its officers, the persons among its shareholders and
            // its beneficial owners (who are published in the BODS export too).
            let mut founders: Vec<Address> = company
                .officers
                .iter()
                .map(|o| o.account)
                .chain(person_holders(&company.shareholders))
                .chain(company.beneficial_owners.iter().map(|b| b.person))
                .collect();
            founders.sort();
            founders.dedup();
            Ok(OpeningFacts { founders, ..OpeningFacts::default() })
        }
        ApplicationAction::DissolveCompany { company } => {
            let v = existing(state, company)?;
            if v.value.status == CompanyStatus::Dissolved {
                return Err(refuse(
                    error::COMPANY_ALREADY_DISSOLVED,
                    format!("company {company} is already dissolved"),
                ));
            }
            Ok(OpeningFacts { directors: directors(&v.value), ..OpeningFacts::default() })
        }
        ApplicationAction::FileCompanyChange { company, filing } => {
            let v = not_dissolved(state, company)?;
            let consent = consent_needed(state, &v.value, filing);
            let count = consent.accounts(&v.value).len();
            if count > MAX_FILING_PARTIES {
                return Err(refuse(
                    error::FILING_PARTIES_TOO_MANY,
                    format!(
                        "this {} filing needs the approval of {count} accounts, more than the {MAX_FILING_PARTIES} an \
                     application may have; make the change in several smaller filings",
                        filing.kind()
                    ),
                ));
            }
            let mut officers: Vec<Address> = v.value.officers.iter().map(|o| o.account).collect();
            officers.sort();
            officers.dedup();
            let directors = if consent.directors { directors(&v.value) } else { Vec::new() };
            Ok(OpeningFacts { officers, directors, named_persons: consent.persons, ..OpeningFacts::default() })
        }
        _ => unreachable!("land actions are prepared by the land registry"),
    }
}

/// Check a business action in full, once its opener may open it.
pub(crate) fn check(state: &dyn StateRead, action: &ApplicationAction) -> Result<(), TxError> {
    match action {
        ApplicationAction::RegisterCompany { company } => {
            check_details(
                &company.name,
                &company.registered_address,
                &company.officers,
                &company.shareholders,
                &company.beneficial_owners,
            )
            .map_err(|m| refuse(error::COMPANY_DETAILS_INVALID, m))?;
            require_free_name(state, &company.name)?;
            check_share_capital(company)?;
            check_parties(state, company, None)
        }
        ApplicationAction::DissolveCompany { .. } => Ok(()),
        ApplicationAction::FileCompanyChange { company, filing } => {
            let v = not_dissolved(state, company)?;
            filed_details(state, &v.value, company, filing).map(|_| ())
        }
        _ => unreachable!("land actions are checked by the land registry"),
    }
}

/// Make an approved business application take effect (checking again what may have changed since it opened);
/// an incorporation reports the new company's number.
pub(crate) fn apply(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    application: u64,
    action: &ApplicationAction,
    app: &Application,
) -> Result<TxOutcome, TxError> {
    match action {
        ApplicationAction::RegisterCompany { company } => {
            let normalised = require_free_name(state, &company.name)?;
            check_parties(state, company, None)?;
            let number = company_number(FIRST_SERIAL + next_number(state, NEXT_COMPANY_KEY));
            let record = Company {
                name: company.name.clone(),
                legal_form: company.legal_form,
                registered_address: company.registered_address.clone(),
                status: CompanyStatus::Active,
                officers: company.officers.clone(),
                shareholders: company.shareholders.clone(),
                beneficial_owners: company.beneficial_owners.clone(),
                registered_ms: ctx.time_ms,
                dissolved_ms: None,
                filings: 0,
            };
            record.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
            state.put(company_name_key(&normalised), number.as_str().as_bytes().to_vec());
            append(state, ctx, number.as_str(), Some(application), record)?;
            Ok(TxOutcome::Company { number: number.as_str().to_owned() })
        }
        ApplicationAction::DissolveCompany { company } => {
            let mut v = existing(state, company)?;
            if v.value.status == CompanyStatus::Dissolved {
                return Err(refuse(
                    error::COMPANY_ALREADY_DISSOLVED,
                    format!("company {company} is already dissolved"),
                ));
            }
            v.value.status = CompanyStatus::Dissolved;
            v.value.dissolved_ms = Some(ctx.time_ms);
            append(state, ctx, company.as_str(), Some(application), v.value)?;
            Ok(TxOutcome::None)
        }
        ApplicationAction::FileCompanyChange { company, filing } => {
            let v = not_dissolved(state, company)?;
            // The company may have changed since the application opened: whoever must consent NOW must have
            // approved, or the filing would change someone's entry (or the board's register) without their consent.
            let required = consent_needed(state, &v.value, filing).accounts(&v.value);
            let missing: Vec<String> = required
                .iter()
                .filter(|a| !app.approvals.iter().any(|ap| ap.party == Party::Account(**a)))
                .map(|a| a.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(refuse(
                    error::COMPANY_CHANGED_SINCE_APPLICATION,
                    format!(
                        "company {company} changed since application {application} was opened, and the filing now \
                     also needs the approval of {}; reject this application and open a new one",
                        missing.join(", ")
                    ),
                ));
            }
            record_filing(state, ctx, company, v.value, filing, app.opened_by, Some(application))?;
            Ok(TxOutcome::None)
        }
        _ => unreachable!("land actions are applied by the land registry"),
    }
}

/// The company's details after `filing`, checked against the schema and the register.
fn filed_details(
    state: &dyn StateRead,
    company: &Company,
    number: &RecordId,
    filing: &Filing,
) -> Result<CompanyDetails, TxError> {
    let mut details = CompanyDetails {
        name: company.name.clone(),
        legal_form: company.legal_form,
        registered_address: company.registered_address.clone(),
        officers: company.officers.clone(),
        shareholders: company.shareholders.clone(),
        beneficial_owners: company.beneficial_owners.clone(),
    };
    match filing {
        Filing::AnnualReturn { .. } => {}
        Filing::Officers { officers } => details.officers = officers.clone(),
        Filing::Shareholders { shareholders } => details.shareholders = shareholders.clone(),
        Filing::BeneficialOwners { beneficial_owners } => details.beneficial_owners = beneficial_owners.clone(),
        Filing::RegisteredAddress { address } => details.registered_address = address.clone(),
    }
    check_details(
        &details.name,
        &details.registered_address,
        &details.officers,
        &details.shareholders,
        &details.beneficial_owners,
    )
    .map_err(|m| refuse(error::COMPANY_DETAILS_INVALID, m))?;
    check_share_capital(&details)?;
    check_parties(state, &details, Some(number))?;
    Ok(details)
}

/// Write a filing and the company's new version.
fn record_filing(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    number: &RecordId,
    mut company: Company,
    filing: &Filing,
    filed_by: Address,
    application: Option<u64>,
) -> Result<(), TxError> {
    if let Filing::AnnualReturn { year } = filing {
        let filed_year: u16 = publica_types::time::format_time_ms(ctx.time_ms)[..4].parse().expect("a year");
        if *year != filed_year && year.checked_add(1) != Some(filed_year) {
            return Err(refuse(
                error::ANNUAL_RETURN_YEAR_INVALID,
                format!("an annual return filed now is for the current or the previous year, not {year}"),
            ));
        }
    }
    let details = filed_details(state, &company, number, filing)?;
    company.officers = details.officers;
    company.shareholders = details.shareholders;
    company.beneficial_owners = details.beneficial_owners;
    company.registered_address = details.registered_address;
    company.filings += 1;
    let record = FilingRecord { company: number.clone(), number: company.filings, filing: filing.clone(), filed_by };
    record.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    company.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    append(state, ctx, &filing_id(number, company.filings), application, record)?;
    append(state, ctx, number.as_str(), application, company)?;
    Ok(())
}

/// A filing by a current director, chair or secretary that needs nobody's consent but the sender's own (see
/// [`consent_needed`]): an annual return, a new registered address, or a change that touches only the sender's own
/// entry and that the sender, as the only director, approves by filing it. Anything else is refused with the way to
/// make it: an application ([`ApplicationAction::FileCompanyChange`]) that those persons (and the directors) approve.
pub(crate) fn file(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    number: &RecordId,
    filing: &Filing,
) -> Result<(), TxError> {
    let v = not_dissolved(state, number)?;
    if !v.value.officers.iter().any(|o| o.account == ctx.sender) {
        return Err(refuse(
            error::NOT_AN_OFFICER,
            format!(
                "account {} is not an officer of company {number}; only its directors, chair or secretary file for it",
                ctx.sender
            ),
        ));
    }
    let consent = consent_needed(state, &v.value, filing);
    let others: Vec<String> =
        consent.accounts(&v.value).into_iter().filter(|a| *a != ctx.sender).map(|a| a.to_string()).collect();
    if !others.is_empty() {
        let mut who = Vec::new();
        if !consent.persons.is_empty() {
            who.push(format!(
                "{} (whose position, holding or interests it adds, changes or removes)",
                consent.persons.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")
            ));
        }
        if consent.directors {
            who.push("every current director".to_owned());
        }
        return Err(refuse(
            error::FILING_NEEDS_APPROVAL,
            format!(
                "this {} filing for company {number} needs the approval of {} (missing: {}); nobody's entry on the \
             register changes without their consent: open a company_filing application for it instead",
                filing.kind(),
                who.join(" and "),
                others.join(", ")
            ),
        ));
    }
    record_filing(state, ctx, number, v.value, filing, ctx.sender, None)
}

/// The record id of a company's filing `n`.
pub fn filing_id(company: &RecordId, n: u32) -> String {
    format!("{company}.{n}")
}

/// A court or a company registrar places an active company in liquidation.
pub(crate) fn place_in_liquidation(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    number: &RecordId,
    case: &str,
) -> Result<(), TxError> {
    authorize(state, &ctx.sender, "place_in_liquidation", None)?;
    crate::schema::check_text("case", case).map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    let mut v = existing(state, number)?;
    if v.value.status != CompanyStatus::Active {
        return Err(refuse(
            error::COMPANY_NOT_ACTIVE,
            format!("company {number} is not active; only an active company enters liquidation"),
        ));
    }
    v.value.status = CompanyStatus::InLiquidation { case: case.to_owned() };
    append(state, ctx, number.as_str(), None, v.value)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damm_check_digits_catch_every_single_error_and_adjacent_transposition() {
        // The algorithm's published example: 572 has check digit 4.
        assert_eq!(check_digit("572"), Some(4));
        for serial in [1_000_001u64, 1_234_567, 9_999_999, 4_000_404] {
            let number = company_number(serial).as_str().to_owned();
            assert!(validate_company_number(&number).is_ok(), "{number}");
            let digits: Vec<u8> = number.bytes().collect();
            for i in 0..digits.len() {
                for d in b'0'..=b'9' {
                    if d != digits[i] {
                        let mut typo = digits.clone();
                        typo[i] = d;
                        assert!(validate_company_number(std::str::from_utf8(&typo).unwrap()).is_err());
                    }
                }
                if i + 1 < digits.len() && digits[i] != digits[i + 1] {
                    let mut swapped = digits.clone();
                    swapped.swap(i, i + 1);
                    assert!(validate_company_number(std::str::from_utf8(&swapped).unwrap()).is_err());
                }
            }
        }
        assert!(validate_company_number("1234567").is_err());
        assert!(validate_company_number("1234567a").is_err());
    }

    #[test]
    fn names_compare_ignoring_case_and_spacing() {
        assert_eq!(normalise_name("  Nordvik   Timber  AB ").unwrap(), "nordvik timber ab");
        assert_eq!(normalise_name("NORDVIK TIMBER AB").unwrap(), normalise_name("nordvik timber ab").unwrap());
        assert_eq!(normalise_name("Müller & Söhne GmbH").unwrap(), "müller & söhne gmbh");
        assert!(normalise_name("Tab\tCo").is_err());
        assert!(normalise_name("   ").is_err());
        assert!(normalise_name("Emoji 🙂 Ltd").is_err());
        assert!(normalise_name(&"x".repeat(161)).is_err());
    }
}
