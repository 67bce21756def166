//! The business register: registration through founders and the company registrar, names, filings,
//! liquidation, dissolution, and the BODS 0.4 export checked by the standard's own validator.

use std::path::PathBuf;
use std::process::Command;

use publica_registry::bods::{self, Publisher};
use publica_registry::business::validate_company_number;
use publica_registry::call::{
    ApplicationAction, BeneficialOwner, CompanyDetails, ControlKind, Filing, Holder, Interest, LegalForm, Officer,
    OfficerRole, Party, RegistryCall, ShareOfControl, Shareholding,
};
use publica_registry::error;
use publica_registry::query;
use publica_registry::schema::CompanyStatus;
use publica_types::RecordId;
use publica_types::{Address, ErrorCode, Role, StateRead};

use crate::World;

fn company_registrar_role() -> Party {
    Party::Role(Role::new("company-registrar").unwrap())
}

/// Alice directs; alice and bob hold 60 and 40 shares; alice is a beneficial owner by shares and board appointment.
fn details(name: &str, w: &World) -> CompanyDetails {
    CompanyDetails {
        name: name.into(),
        legal_form: LegalForm::PrivateLimited,
        registered_address: "Hamngatan 4, 602 10 Nordvik".into(),
        officers: vec![Officer { account: w.alice, role: OfficerRole::Director }],
        shareholders: vec![
            Shareholding { holder: Holder::Person(w.alice), shares: 60 },
            Shareholding { holder: Holder::Person(w.bob), shares: 40 },
        ],
        beneficial_owners: vec![BeneficialOwner {
            person: w.alice,
            interests: vec![
                Interest {
                    kind: ControlKind::Shareholding,
                    direct: true,
                    share: Some(ShareOfControl::Exact { basis_points: 6_000 }),
                },
                Interest { kind: ControlKind::AppointmentOfBoard, direct: true, share: None },
            ],
        }],
    }
}

struct Register {
    w: World,
    registrar: Address,
}

impl Register {
    fn new() -> Register {
        let mut w = World::new();
        let registrar = w.official("company-registrar", "business-registry", &["company-registrar"]);
        Register { w, registrar }
    }

    /// Register a company through the whole workflow; returns its number.
    fn register(&mut self, company: CompanyDetails, founders: &[Address]) -> RecordId {
        let app = self.w.open(founders[0], ApplicationAction::RegisterCompany { company });
        for f in founders {
            self.w.approve(*f, app, Party::Account(*f)).unwrap();
        }
        let r = self.registrar;
        let outcome = self.w.approve(r, app, company_registrar_role()).unwrap();
        let bytes = self.w.state.get(b"reg/next/company").unwrap();
        let serial = u64::from_le_bytes(bytes.try_into().unwrap()) - 1;
        let number = publica_registry::business::company_number(1_000_000 + serial);
        // The approval that incorporates the company reports its number.
        assert_eq!(outcome, publica_types::TxOutcome::Company { number: number.as_str().to_owned() });
        number
    }
}

#[test]
fn registration_needs_every_founder_then_the_company_registrar() {
    let mut r = Register::new();
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let company = details("Nordvik Timber AB", &r.w);
    // Only a founder opens it.
    let action = ApplicationAction::RegisterCompany { company: company.clone() };
    let deadline = r.w.time_ms + 3_600_000;
    r.w.refused(
        carol,
        RegistryCall::OpenApplication { action: action.clone(), deadline_ms: deadline },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "opened by a founder",
    );
    let app = r.w.open(alice, action);
    // The registrar may not approve before the founders; a land registrar is not a company registrar.
    let registrar = r.registrar;
    let e = r.w.approve(registrar, app, company_registrar_role()).unwrap_err();
    assert!(e.message.contains("only after"), "{e}");
    r.w.approve(alice, app, Party::Account(alice)).unwrap();
    let e = r.w.approve(carol, app, Party::Account(bob)).unwrap_err();
    assert!(e.message.contains("only that account"), "{e}");
    r.w.approve(bob, app, Party::Account(bob)).unwrap();
    let land_registrar = r.w.registrar;
    let e = r.w.approve(land_registrar, app, company_registrar_role()).unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingRole, "{e}");
    r.w.approve(registrar, app, company_registrar_role()).unwrap();

    let number = query::company_by_name(&r.w.state, "nordvik TIMBER ab").unwrap().expect("registered");
    assert!(validate_company_number(number.as_str()).is_ok(), "{number}");
    let v = query::company(&r.w.state, &number).unwrap();
    assert_eq!(v.version, 1);
    assert_eq!(v.application, Some(app));
    assert_eq!(v.value.status, CompanyStatus::Active);
    assert_eq!(v.value.shareholders.len(), 2);
}

#[test]
fn a_registration_naming_a_beneficial_owner_needs_that_persons_approval_too() {
    let mut r = Register::new();
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let mut company = details("Nordvik Timber AB", &r.w);
    company.beneficial_owners.push(BeneficialOwner {
        person: carol,
        interests: vec![Interest { kind: ControlKind::OtherInfluenceOrControl, direct: false, share: None }],
    });
    let app = r.w.open(alice, ApplicationAction::RegisterCompany { company });
    r.w.approve(alice, app, Party::Account(alice)).unwrap();
    r.w.approve(bob, app, Party::Account(bob)).unwrap();
    // Carol, named only as a beneficial owner, has not approved: the registrar cannot complete it.
    let registrar = r.registrar;
    let e = r.w.approve(registrar, app, company_registrar_role()).unwrap_err();
    assert!(e.message.contains(&carol.to_string()), "{e}");
    assert_eq!(query::company_by_name(&r.w.state, "Nordvik Timber AB").unwrap(), None);
    r.w.approve(carol, app, Party::Account(carol)).unwrap();
    r.w.approve(registrar, app, company_registrar_role()).unwrap();
    assert!(query::company_by_name(&r.w.state, "Nordvik Timber AB").unwrap().is_some());
}

#[test]
fn names_are_unique_ignoring_case_and_spacing_and_persons_must_have_accounts() {
    let mut r = Register::new();
    let (alice, bob) = (r.w.alice, r.w.bob);
    let first = r.register(details("Nordvik Timber AB", &r.w), &[alice, bob]);
    let deadline = r.w.time_ms + 3_600_000;
    for taken in ["nordvik timber ab", "  NORDVIK   Timber  AB "] {
        let action = ApplicationAction::RegisterCompany { company: details(taken, &r.w) };
        let e = r.w.refused(
            alice,
            RegistryCall::OpenApplication { action, deadline_ms: deadline },
            error::COMPANY_NAME_TAKEN,
            "is taken by company",
        );
        assert!(e.message.contains(first.as_str()), "{e}");
    }
    let second = r.register(details("Nordvik Timber Holding AB", &r.w), &[alice, bob]);
    assert_ne!(first, second);
    // Unknown persons and unacceptable names are refused at opening.
    let mut unknown = details("Ghost Ltd", &r.w);
    unknown.officers.push(Officer { account: Address([9; 20]), role: OfficerRole::Secretary });
    let action = ApplicationAction::RegisterCompany { company: unknown };
    r.w.refused(
        alice,
        RegistryCall::OpenApplication { action, deadline_ms: deadline },
        ErrorCode::UnknownAccount,
        "does not exist",
    );
    let action = ApplicationAction::RegisterCompany { company: details("Tab\tLtd", &r.w) };
    r.w.refused(
        alice,
        RegistryCall::OpenApplication { action, deadline_ms: deadline },
        error::COMPANY_DETAILS_INVALID,
        "plain spaces",
    );
}

#[test]
fn officers_file_changes_the_register_keeps_every_version_and_dissolution_needs_the_registrar() {
    let mut r = Register::new();
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let number = r.register(details("Nordvik Timber AB", &r.w), &[alice, bob]);
    let file = |filing: Filing| RegistryCall::FileCompanyChange { company: number.clone(), filing };

    // A shareholder who is not an officer does not file.
    r.w.refused(
        bob,
        file(Filing::RegisteredAddress { address: "Elsewhere 1".into() }),
        error::NOT_AN_OFFICER,
        "not an officer",
    );
    // The director appoints carol secretary (carol consents, the director approves); the secretary files the annual
    // return and a new address.
    appoint_secretary(&mut r, &number, carol);
    let year: u16 = publica_types::time::format_time_ms(r.w.time_ms)[..4].parse().unwrap();
    r.w.ok(carol, file(Filing::AnnualReturn { year }));
    r.w.refused(
        carol,
        file(Filing::AnnualReturn { year: year - 3 }),
        error::ANNUAL_RETURN_YEAR_INVALID,
        "current or the previous year",
    );
    r.w.ok(carol, file(Filing::RegisteredAddress { address: "Storgatan 12, 602 11 Nordvik".into() }));
    // A filing that would leave no director is refused when its application is opened.
    let no_director = vec![Officer { account: carol, role: OfficerRole::Secretary }];
    r.w.refused(
        carol,
        RegistryCall::OpenApplication {
            action: ApplicationAction::FileCompanyChange {
                company: number.clone(),
                filing: Filing::Officers { officers: no_director },
            },
            deadline_ms: r.w.time_ms + 3_600_000,
        },
        error::COMPANY_DETAILS_INVALID,
        "at least one director",
    );

    let v = query::company(&r.w.state, &number).unwrap();
    assert_eq!((v.version, v.value.filings), (4, 3));
    assert_eq!(v.value.registered_address, "Storgatan 12, 602 11 Nordvik");
    let filing = query::filing(&r.w.state, &number, 2).unwrap();
    assert_eq!(filing.value.filing, Filing::AnnualReturn { year });
    assert_eq!(filing.value.filed_by, carol);
    // As of before the address change, the old address was in force.
    let before = query::company_at(&r.w.state, &number, v.time_ms - 1);
    assert_eq!(before.in_force.unwrap().value.registered_address, "Hamngatan 4, 602 10 Nordvik");

    // Dissolution: opened by a director (not a shareholder), approved by the company registrar.
    let deadline = r.w.time_ms + 3_600_000;
    let dissolve = ApplicationAction::DissolveCompany { company: number.clone() };
    r.w.refused(
        bob,
        RegistryCall::OpenApplication { action: dissolve.clone(), deadline_ms: deadline },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "opened by a director",
    );
    let app = r.w.open(alice, dissolve);
    let registrar = r.registrar;
    r.w.approve(registrar, app, company_registrar_role()).unwrap();
    let v = query::company(&r.w.state, &number).unwrap();
    assert_eq!(v.value.status, CompanyStatus::Dissolved);
    assert!(v.value.dissolved_ms.is_some());
    r.w.refused(alice, file(Filing::AnnualReturn { year }), error::COMPANY_DISSOLVED, "dissolved");
    // Its name stays taken.
    assert_eq!(query::company_by_name(&r.w.state, "NORDVIK TIMBER AB").unwrap(), Some(number));
}

/// Alice (the only director) appoints `secretary` through a company filing both approve.
fn appoint_secretary(r: &mut Register, number: &RecordId, secretary: Address) {
    let alice = r.w.alice;
    let officers = vec![
        Officer { account: alice, role: OfficerRole::Director },
        Officer { account: secretary, role: OfficerRole::Secretary },
    ];
    let filing = Filing::Officers { officers };
    let app = r.w.open(alice, ApplicationAction::FileCompanyChange { company: number.clone(), filing });
    r.w.approve(secretary, app, Party::Account(secretary)).unwrap();
    r.w.approve(alice, app, Party::Account(alice)).unwrap();
}

#[test]
fn a_secretarys_filing_naming_a_stranger_as_director_takes_effect_only_with_the_strangers_approval() {
    let mut r = Register::new();
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let dave = r.w.citizen("dave");
    let number = r.register(details("Nordvik Timber AB", &r.w), &[alice, bob]);
    appoint_secretary(&mut r, &number, carol);
    let before = query::company(&r.w.state, &number).unwrap().value;
    let file = |filing: Filing| RegistryCall::FileCompanyChange { company: number.clone(), filing };

    // The secretary names dave a director, a shareholder or a beneficial owner: refused, with the way to do it.
    let with_dave = vec![
        Officer { account: alice, role: OfficerRole::Director },
        Officer { account: carol, role: OfficerRole::Secretary },
        Officer { account: dave, role: OfficerRole::Director },
    ];
    r.w.refused(
        carol,
        file(Filing::Officers { officers: with_dave.clone() }),
        error::FILING_NEEDS_APPROVAL,
        "open a company_filing application",
    );
    let mut holders = before.shareholders.clone();
    holders.push(Shareholding { holder: Holder::Person(dave), shares: 1 });
    r.w.refused(carol, file(Filing::Shareholders { shareholders: holders }), error::FILING_NEEDS_APPROVAL, "consent");
    let mut owners = before.beneficial_owners.clone();
    owners.push(BeneficialOwner {
        person: dave,
        interests: vec![Interest { kind: ControlKind::VotingRights, direct: true, share: None }],
    });
    r.w.refused(
        carol,
        file(Filing::BeneficialOwners { beneficial_owners: owners }),
        error::FILING_NEEDS_APPROVAL,
        "consent",
    );
    // Nor can the secretary remove the director without the director.
    let ousted = vec![Officer { account: carol, role: OfficerRole::Director }];
    r.w.refused(
        carol,
        file(Filing::Officers { officers: ousted }),
        error::FILING_NEEDS_APPROVAL,
        "every current director",
    );
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);

    // Through an application: dave and the director must both approve; dave's rejection closes it.
    let action = ApplicationAction::FileCompanyChange {
        company: number.clone(),
        filing: Filing::Officers { officers: with_dave.clone() },
    };
    let app = r.w.open(carol, action.clone());
    r.w.approve(alice, app, Party::Account(alice)).unwrap();
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);
    r.w.ok(dave, RegistryCall::Reject { application: app, party: Party::Account(dave), reason: "I decline".into() });
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);
    let app = r.w.open(carol, action);
    r.w.approve(alice, app, Party::Account(alice)).unwrap();
    r.w.approve(dave, app, Party::Account(dave)).unwrap();
    let after = query::company(&r.w.state, &number).unwrap();
    assert_eq!(after.value.officers, with_dave);
    assert_eq!(after.application, Some(app));
    assert_eq!(query::filing(&r.w.state, &number, after.value.filings).unwrap().value.filed_by, carol);
    // A filing that changes nobody's entry is still made directly.
    r.w.ok(carol, file(Filing::RegisteredAddress { address: "Storgatan 12".into() }));
}

/// A company whose secretary is carol and whose only director is alice; alice and bob hold 60 and 40 shares.
fn company_with_secretary(r: &mut Register) -> RecordId {
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let number = r.register(details("Nordvik Shipping AB", &r.w), &[alice, bob]);
    appoint_secretary(r, &number, carol);
    number
}

#[test]
fn a_secretary_alone_cannot_erase_the_shareholders_or_the_beneficial_owners() {
    let mut r = Register::new();
    let carol = r.w.carol;
    let number = company_with_secretary(&mut r);
    let before = query::company(&r.w.state, &number).unwrap().value;
    let file = |filing: Filing| RegistryCall::FileCompanyChange { company: number.clone(), filing };
    r.w.refused(carol, file(Filing::Shareholders { shareholders: vec![] }), error::FILING_NEEDS_APPROVAL, "approval");
    r.w.refused(
        carol,
        file(Filing::BeneficialOwners { beneficial_owners: vec![] }),
        error::FILING_NEEDS_APPROVAL,
        "approval",
    );
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);
    // Even with everyone's consent, a company limited by shares keeps at least one shareholder.
    let alice = r.w.alice;
    let action = ApplicationAction::FileCompanyChange {
        company: number.clone(),
        filing: Filing::Shareholders { shareholders: vec![] },
    };
    let e = r.w.call(alice, RegistryCall::OpenApplication { action, deadline_ms: r.w.time_ms + 3_600_000 });
    let e = e.expect_err("an empty list of shareholders is refused");
    assert!(e.message.contains("at least one shareholder"), "{e}");
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);
}

#[test]
fn moving_a_holding_to_an_existing_shareholder_needs_the_transferor_and_the_directors() {
    let mut r = Register::new();
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let number = company_with_secretary(&mut r);
    let before = query::company(&r.w.state, &number).unwrap().value;
    // The secretary moves alice's 60 shares to bob, who already holds 40: bob is named nowhere new.
    let moved = vec![Shareholding { holder: Holder::Person(bob), shares: 100 }];
    r.w.refused(
        carol,
        RegistryCall::FileCompanyChange {
            company: number.clone(),
            filing: Filing::Shareholders { shareholders: moved.clone() },
        },
        error::FILING_NEEDS_APPROVAL,
        &alice.to_string(),
    );
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);
    // Through an application, bob's approval is not enough: alice gives up shares and directs the company.
    let action = ApplicationAction::FileCompanyChange {
        company: number.clone(),
        filing: Filing::Shareholders { shareholders: moved.clone() },
    };
    let app = r.w.open(carol, action);
    r.w.approve(bob, app, Party::Account(bob)).unwrap();
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);
    r.w.approve(alice, app, Party::Account(alice)).unwrap();
    assert_eq!(query::company(&r.w.state, &number).unwrap().value.shareholders, moved);
}

#[test]
fn naming_an_accomplice_sole_shareholder_needs_every_holder_it_removes_and_the_directors() {
    let mut r = Register::new();
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let dave = r.w.citizen("dave");
    let number = company_with_secretary(&mut r);
    let before = query::company(&r.w.state, &number).unwrap().value;
    let action = ApplicationAction::FileCompanyChange {
        company: number.clone(),
        filing: Filing::Shareholders { shareholders: vec![Shareholding { holder: Holder::Person(dave), shares: 100 }] },
    };
    let app = r.w.open(carol, action);
    r.w.approve(dave, app, Party::Account(dave)).unwrap();
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before, "the accomplice alone changed nothing");
    let missing = publica_registry::workflow::missing_parties(&query::application(&r.w.state, app).unwrap().0.value);
    assert_eq!(missing, vec![Party::Account(alice), Party::Account(bob)]);
    // Bob declines: the application is closed and the register unchanged.
    r.w.ok(bob, RegistryCall::Reject { application: app, party: Party::Account(bob), reason: "not sold".into() });
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);

    // The same for beneficial owners: replacing alice's declared interests needs alice (and the directors).
    let owners = vec![BeneficialOwner {
        person: dave,
        interests: vec![Interest { kind: ControlKind::VotingRights, direct: true, share: None }],
    }];
    let action = ApplicationAction::FileCompanyChange {
        company: number.clone(),
        filing: Filing::BeneficialOwners { beneficial_owners: owners },
    };
    let app = r.w.open(carol, action);
    r.w.approve(dave, app, Party::Account(dave)).unwrap();
    assert_eq!(query::company(&r.w.state, &number).unwrap().value, before);
    let missing = publica_registry::workflow::missing_parties(&query::application(&r.w.state, app).unwrap().0.value);
    assert_eq!(missing, vec![Party::Account(alice)]);
}

#[test]
fn a_court_or_the_registrar_places_a_company_in_liquidation() {
    let mut r = Register::new();
    let (alice, bob) = (r.w.alice, r.w.bob);
    let number = r.register(details("Nordvik Timber AB", &r.w), &[alice, bob]);
    let liquidate = || RegistryCall::PlaceInLiquidation { company: number.clone(), case: "T 1234-26".into() };
    let notary = r.w.notary;
    r.w.refused(notary, liquidate(), ErrorCode::MissingRole, "place in liquidation");
    let court = r.w.court;
    r.w.ok(court, liquidate());
    assert!(matches!(query::company(&r.w.state, &number).unwrap().value.status, CompanyStatus::InLiquidation { .. }));
    r.w.refused(court, liquidate(), error::COMPANY_NOT_ACTIVE, "not active");
}

// ---------------------------------------------------------------------------------------------------------------
// BODS 0.4 export, validated by libcovebods (the standard's own validator, from PyPI).

fn validate_bods(statements: &serde_json::Value) -> (bool, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bods.json");
    std::fs::write(&file, serde_json::to_vec_pretty(statements).unwrap()).unwrap();
    let out =
        Command::new("python3").arg(root.join("scripts/bods-validate.py")).arg(&file).output().unwrap_or_else(|e| {
            panic!("python3 is needed to validate BODS exports ({e}); ./scripts/test.sh installs it")
        });
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_ne!(
        out.status.code(),
        Some(2),
        "the BODS validator is not installed: {text}\nrun python3 -m pip install 'libcovebods==0.16.0'"
    );
    (out.status.success(), text)
}

#[test]
fn the_bods_export_passes_the_standards_validator_and_a_broken_one_does_not() {
    let mut r = Register::new();
    let (alice, bob, carol) = (r.w.alice, r.w.bob, r.w.carol);
    let parent = r.register(details("Nordvik Holding AB", &r.w), &[alice, bob]);
    // A subsidiary: 70 % held by the parent company, 30 % by carol; alice controls it indirectly, carol has a
    // range of voting rights.
    let subsidiary = CompanyDetails {
        name: "Nordvik Sawmill AB".into(),
        legal_form: LegalForm::PrivateLimited,
        registered_address: "Sågverksvägen 2, 602 20 Nordvik".into(),
        officers: vec![Officer { account: carol, role: OfficerRole::Director }],
        shareholders: vec![
            Shareholding { holder: Holder::Company(parent.clone()), shares: 700 },
            Shareholding { holder: Holder::Person(carol), shares: 300 },
        ],
        beneficial_owners: vec![
            BeneficialOwner {
                person: alice,
                interests: vec![Interest {
                    kind: ControlKind::Shareholding,
                    direct: false,
                    share: Some(ShareOfControl::Exact { basis_points: 4_200 }),
                }],
            },
            BeneficialOwner {
                person: carol,
                interests: vec![Interest {
                    kind: ControlKind::VotingRights,
                    direct: true,
                    share: Some(ShareOfControl::Range { minimum: 2_500, maximum: 5_000 }),
                }],
            },
        ],
    };
    let number = r.register(subsidiary, &[carol, alice]);
    let publisher = Publisher { name: "Nordvik Business Register".into(), url: None };
    let statements = bods::export(&r.w.state, &number, r.w.time_ms, &publisher).unwrap();
    let kinds: Vec<&str> = statements.iter().map(|s| s["recordType"].as_str().unwrap()).collect();
    // The company, its corporate shareholder, two persons, three relationships.
    assert_eq!(kinds.iter().filter(|k| **k == "entity").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "person").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "relationship").count(), 3, "{kinds:?}");
    let text = serde_json::to_string(&statements).unwrap();
    assert!(text.contains(&alice.to_string()) && !text.contains("\"names\""), "persons are identified by account only");
    assert!(text.contains("anonymousPerson") && !text.contains("knownPerson"));
    // Deterministic: the same version exports the same statements.
    assert_eq!(statements, bods::export(&r.w.state, &number, r.w.time_ms, &publisher).unwrap());
    let json = serde_json::Value::Array(statements);
    let (valid, report) = validate_bods(&json);
    assert!(valid, "the export is not valid BODS 0.4:\n{report}");

    // The validator is not vacuous: a relationship pointing at a record that is not in the file, a share over
    // 100 % and an unknown record type are each refused.
    let mut dangling = json.clone();
    let rel = dangling.as_array_mut().unwrap().iter_mut().find(|s| s["recordType"] == "relationship").unwrap();
    rel["recordDetails"]["interestedParty"] = serde_json::json!("person/nobody");
    let mut over = json.clone();
    let rel = over.as_array_mut().unwrap().iter_mut().find(|s| s["recordType"] == "relationship").unwrap();
    rel["recordDetails"]["interests"][0]["share"] = serde_json::json!({ "exact": 140 });
    let mut bogus = json.clone();
    bogus[0]["recordType"] = serde_json::json!("company");
    for (what, doc) in [("dangling party", dangling), ("share over 100", over), ("bogus type", bogus)] {
        let (valid, report) = validate_bods(&doc);
        // Refused by a finding, not by a crash of the validator.
        assert!(!valid && report.contains("INVALID:"), "{what} was not refused by the validator:\n{report}");
    }
}
