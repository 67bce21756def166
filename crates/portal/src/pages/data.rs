//! Personal data: what the service is and its public part (`/data`), and the citizen's own log of who read her
//! records (`/data/log`). Personal data stays in the agencies' vaults; the ledger holds a commitment to each record,
//! the consents, every access asked for (granted or refused) and the erasures' tombstones (`docs/privacy.md`).
//!
//! Only the module's public state is read here, by the server: the studies with their aggregate counters, the
//! public-health emergencies and the agencies' retention rules, each answer with its proofs offered to check in
//! the browser (`study:ID`, `emergencies:all`, `retention:AGENCY`). Everything else names a citizen and is served
//! only to a reader who signs for it (`POST /v1/data/read`): the log page is a frame, and the browser signs the
//! citizen's requests with her own key file, shows the answers and checks their proofs (`web/src/data/`); the
//! server never sees the key, the passphrase or the answers.

use axum::response::Response;
use maud::{html, Markup};

use publica_client::api::data::{EmergenciesResponse, RetentionResponse, StudyResponse};
use publica_data::schema::{Study, StudyCounters};
use publica_verify::ReadProof;

use crate::api::segment;
use crate::html::{account_link, hex_full, proof_section, time, Ctx, Page, ProofKind, ProofOf};

/// Newest studies shown on `/data`, each read with its counters and proofs.
const STUDIES_SHOWN: u64 = 10;
/// Most agencies whose retention rules `/data` reads (the studies' and emergencies' agencies, and one asked for).
const RETENTION_AGENCIES: usize = 6;

/// `dat/next/s` in hex: the public counter of studies (the next study's number, u64 little-endian).
fn study_counter_path() -> String {
    format!("/v1/state/{}", hex::encode(b"dat/next/s"))
}

/// How many studies were proposed, from the counter's proven value (none: no study yet).
fn study_count(value: Option<&[u8]>) -> u64 {
    value
        .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
        .map_or(0, |bytes| u64::from_le_bytes(bytes).saturating_sub(1))
}

/// A list of short words (categories, fields) as `code` elements.
fn words(items: &[String]) -> Markup {
    html! {
        @for (i, item) in items.iter().enumerate() {
            @if i > 0 { ", " }
            code { (item) }
        }
    }
}

/// A study with its counters and its proof section.
fn study_view(ctx: &Ctx, study: &Study, counters: &StudyCounters) -> Markup {
    let id = study.id;
    html! {
        article.card.study id={ "study-" (id) } {
            h3 { (ctx.t("Study", "Studie")) " " (id) ": " (study.title) }
            dl.facts {
                dt { (ctx.t("Run by", "Genomförs av")) } dd { (study.agency.as_str()) }
                dt { (ctx.t("Purpose", "Ändamål")) } dd { code { (study.purpose) } }
                dt { (ctx.t("Categories read", "Kategorier som läses")) } dd { (words(&study.categories)) }
                dt { (ctx.t("Fields declared (all it may ever receive of a record)", "Deklarerade fält (allt den någonsin får av en uppgift)")) }
                dd { (words(&study.fields)) }
                dt { (ctx.t("Until", "Till och med")) } dd { (time(study.until_ms)) }
                dt { (ctx.t("Ethics approval", "Etikprövning")) }
                dd {
                    @match &study.approval {
                        Some(a) => { (ctx.t("approved by", "godkänd av")) " " (a.board.as_str()) ", " (time(a.approved.at_ms)) }
                        None => { (ctx.t("not approved yet: no record is released to it", "inte godkänd än: inga uppgifter lämnas ut till den")) }
                    }
                }
                dt { (ctx.t("Protocol (SHA-256)", "Protokoll (SHA-256)")) } dd { (hex_full(&hex::encode(study.protocol_sha256))) }
            }
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("Accesses in aggregate", "Åtkomster sammantaget")) { table.counters {
                caption { (ctx.t("Accesses in aggregate", "Åtkomster sammantaget")) }
                thead { tr {
                    th scope="col" { (ctx.t("Requested", "Begärda")) }
                    th scope="col" { (ctx.t("Refused", "Avslagna")) }
                    th scope="col" { (ctx.t("Released", "Utlämnade")) }
                    th scope="col" { (ctx.t("Citizens", "Medborgare")) }
                } }
                tbody { tr {
                    td.num { (counters.requests) }
                    td.num { (counters.refused) }
                    td.num { (counters.released) }
                    td.num { (counters.citizens) }
                } }
            } }
            @if !counters.by_category.is_empty() {
                p.muted {
                    (ctx.t("Released by category:", "Utlämnade per kategori:")) " "
                    @for (i, c) in counters.by_category.iter().enumerate() {
                        @if i > 0 { ", " }
                        code { (c.category) } " " (c.released)
                    }
                }
            }
            (proof_section(
                ctx.lang,
                &ProofOf {
                    url: format!("/v1/data/studies/{id}"),
                    kind: ProofKind::Document,
                    record: format!("study:{id}"),
                    at_ms: None,
                },
                &format!("{} {id}", ctx.t("Proof of study", "Bevis för studie")),
            ))
        }
    }
}

/// The emergencies' table and its proof section.
fn emergencies_view(ctx: &Ctx, answer: &EmergenciesResponse) -> Markup {
    html! {
        @if answer.emergencies.is_empty() {
            p #emergencies-none { (ctx.t("No public-health emergency has been declared on this network.", "Ingen folkhälsokris har utlysts i det här nätverket.")) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("Public-health emergencies", "Folkhälsokriser")) { table #emergencies-list {
                caption.visually-hidden { (ctx.t("Public-health emergencies, newest first", "Folkhälsokriser, senaste först")) }
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (ctx.t("Declared by", "Utlyst av")) }
                    th scope="col" { (ctx.t("Categories", "Kategorier")) }
                    th scope="col" { (ctx.t("Agencies that may read", "Myndigheter som får läsa")) }
                    th scope="col" { (ctx.t("Purpose", "Ändamål")) }
                    th scope="col" { (ctx.t("Until", "Till och med")) }
                    th scope="col" { (ctx.t("In force", "Gäller")) }
                } }
                tbody {
                    @for s in &answer.emergencies {
                        @let e = &s.emergency;
                        tr {
                            td { (e.id) }
                            td { (e.authority.as_str()) ", " (time(e.declared.at_ms)) }
                            td { (words(&e.categories)) }
                            td { @for (i, g) in e.grantees.iter().enumerate() { @if i > 0 { ", " } (g.as_str()) } }
                            td { code { (e.purpose) } }
                            td { (time(e.until_ms)) }
                            td {
                                @if s.current { (ctx.t("yes", "ja")) }
                                @else if let Some(ended) = &e.ended { (ctx.t("ended", "avslutad")) " " (time(ended.at_ms)) }
                                @else { (ctx.t("no (its time passed)", "nej (tiden har gått ut)")) }
                            }
                        }
                    }
                }
            } }
        }
        (proof_section(
            ctx.lang,
            &ProofOf {
                url: "/v1/data/emergencies".into(),
                kind: ProofKind::Document,
                record: "emergencies:all".into(),
                at_ms: None,
            },
            ctx.t("Proof of the emergencies", "Bevis för kriserna"),
        ))
    }
}

/// An agency's retention rules and their proof section.
fn retention_view(ctx: &Ctx, answer: &RetentionResponse) -> Markup {
    let agency = answer.agency.as_str();
    html! {
        section.retention id={ "retention-" (agency) } {
            h3 { (agency) }
            @if answer.rules.is_empty() {
                p { (ctx.t("No retention rule: this agency's records are kept until their owner has them erased.", "Ingen gallringsregel: myndighetens uppgifter sparas tills ägaren låter radera dem.")) }
            } @else {
                div.table-wrap tabindex="0" role="region" aria-label={ (ctx.t("Retention rules of", "Gallringsregler för")) " " (agency) } { table {
                    caption.visually-hidden { (ctx.t("Retention rules of", "Gallringsregler för")) " " (agency) }
                    thead { tr {
                        th scope="col" { (ctx.t("Category", "Kategori")) }
                        th.num scope="col" { (ctx.t("Kept (days)", "Sparas (dagar)")) }
                        th scope="col" { (ctx.t("Set by", "Fastställd av")) }
                    } }
                    tbody {
                        @for rule in &answer.rules {
                            tr {
                                td { code { (rule.category) } }
                                td.num { (rule.keep_days) }
                                td { (account_link(&rule.set.by.to_string())) ", " (time(rule.set.at_ms)) }
                            }
                        }
                    }
                } }
            }
            (proof_section(
                ctx.lang,
                &ProofOf {
                    url: format!("/v1/data/retention/{}", segment(agency)),
                    kind: ProofKind::Document,
                    record: format!("retention:{agency}"),
                    at_ms: None,
                },
                &format!("{} {agency}", ctx.t("Proof of the retention rules of", "Bevis för gallringsreglerna för")),
            ))
        }
    }
}

/// `GET /data`: the service, and its public part.
pub async fn index(ctx: Ctx) -> Response {
    let title = ctx.t("Personal data", "Personuppgifter").to_string();
    let count = match ctx.api.get::<ReadProof>(&study_counter_path()).await {
        Ok(proof) => study_count(proof.value.as_deref()),
        Err(f) => return ctx.failure(&title, f),
    };
    let mut studies = Vec::new();
    for id in (1..=count).rev().take(STUDIES_SHOWN as usize) {
        match ctx.api.get::<StudyResponse>(&format!("/v1/data/studies/{id}")).await {
            Ok(answer) => studies.push(answer),
            Err(f) => return ctx.failure(&title, f),
        }
    }
    let emergencies = match ctx.api.get::<EmergenciesResponse>("/v1/data/emergencies").await {
        Ok(answer) => answer,
        Err(f) => return ctx.failure(&title, f),
    };
    // Rules have no public index of agencies: the page reads those of the agencies it names, and one asked for.
    let mut agencies: Vec<String> = Vec::new();
    let asked = ctx.param("agency").map(str::to_string);
    let named = asked.iter().cloned().chain(studies.iter().flat_map(|s| {
        std::iter::once(s.study.agency.to_string()).chain(s.study.approval.iter().map(|a| a.board.to_string()))
    }));
    let named = named.chain(emergencies.emergencies.iter().map(|e| e.emergency.authority.to_string()));
    for agency in named {
        if !agencies.contains(&agency) && agencies.len() < RETENTION_AGENCIES {
            agencies.push(agency);
        }
    }
    let mut retention = Vec::new();
    let mut retention_failure = None;
    for agency in &agencies {
        match ctx.api.get::<RetentionResponse>(&format!("/v1/data/retention/{}", segment(agency))).await {
            Ok(answer) => retention.push(answer),
            Err(f) if asked.as_deref() == Some(agency.as_str()) => retention_failure = Some(f),
            Err(_) => {}
        }
    }

    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("Your health record, your tax file, a court's case file: personal data never enters the ledger. Each agency keeps its records in its own vault, each encrypted under a key of its own. The ledger holds only a salted commitment to each record, and every act that decides who reads it: your consents, every request to read a record — granted or refused —, every release, and every erasure, which leaves a tombstone.",
            "Din patientjournal, din deklaration, en domstols akt: personuppgifter förs aldrig in i registret. Varje myndighet förvarar sina uppgifter i ett eget valv, var och en krypterad med en egen nyckel. Registret har bara ett saltat åtagande (commitment) för varje uppgift, och varje handling som avgör vem som läser den: dina samtycken, varje begäran att läsa en uppgift — beviljad eller avslagen —, varje utlämnande och varje radering, som lämnar en gravsten.")) }
        div.card #data-log-link {
            h2 { a href="/data/log" { (ctx.t("Who read my records", "Vem har läst mina uppgifter")) } }
            p { (ctx.t("Sign in with your key file to see every access to your records — who, when, why, on which legal basis and what came of it — with the proofs checked in your browser, and the consents you gave.",
                "Logga in med din nyckelfil för att se varje åtkomst till dina uppgifter — vem, när, varför, på vilken rättslig grund och vad det ledde till — med bevisen kontrollerade i din webbläsare, och de samtycken du har gett.")) }
        }
        p { (ctx.t("Who holds a record, who asked for it and why are personal data too: the ledger serves them only to whom they are about (or their legal representative), and to the agency that holds the record. What follows is public.",
            "Vem som har en uppgift, vem som begärt den och varför är också personuppgifter: registret lämnar dem bara till den de gäller (eller dess legala företrädare) och till myndigheten som har uppgiften. Det som följer är offentligt.")) }
        h2 #studies { (ctx.t("Research studies", "Forskningsstudier")) }
        p.muted { (ctx.t("A study reads only the fields it declared, of citizens who consented, once an ethics board of another agency approved it. Its counters are public; whose records it read is not.",
            "En studie läser bara de fält den deklarerat, från medborgare som samtyckt, sedan en etiknämnd vid en annan myndighet godkänt den. Dess räknare är offentliga; vems uppgifter den läst är det inte.")) }
        @if studies.is_empty() {
            p #studies-none { (ctx.t("No study has been proposed on this network.", "Ingen studie har föreslagits i det här nätverket.")) }
        }
        @for s in &studies { (study_view(&ctx, &s.study, &s.counters)) }
        @if count > STUDIES_SHOWN {
            p.muted { (count - STUDIES_SHOWN) " " (ctx.t("older studies are read with", "äldre studier läses med")) " " code { "GET /v1/data/studies/{id}" } "." }
        }
        h2 #emergencies { (ctx.t("Public-health emergencies", "Folkhälsokriser")) }
        p.muted { (ctx.t("While a health authority's declared emergency is in force, the agencies it names may read the categories it names, for its purpose, without consent: each such read is in the citizen's log like every other.",
            "Medan en folkhälsokris som en hälsomyndighet utlyst gäller får de myndigheter den nämner läsa de kategorier den nämner, för dess ändamål, utan samtycke: varje sådan läsning finns i medborgarens logg som alla andra.")) }
        (emergencies_view(&ctx, &emergencies))
        h2 #retention { (ctx.t("Retention rules", "Gallringsregler")) }
        p.muted { (ctx.t("How long an agency keeps a category of records; once the time has passed its vault erases them and records the erasure.",
            "Hur länge en myndighet sparar en kategori av uppgifter; när tiden gått raderar dess valv dem och för in raderingen i registret.")) }
        form.inline method="get" action="/data#retention" {
            label for="retention-agency" { (ctx.t("Another agency's rules (its id)", "En annan myndighets regler (dess id)")) }
            " "
            input #retention-agency type="text" name="agency" maxlength="64" value=[asked.as_deref()];
            " "
            button type="submit" { (ctx.t("Show", "Visa")) }
        }
        @if let Some(f) = &retention_failure {
            div.error role="alert" { p { (f.message) } }
        }
        @for answer in &retention { (retention_view(&ctx, answer)) }
    };
    ctx.render(Page { title, name: "data", body })
}

/// `GET /data/log`: the frame of the citizen's log, which the browser fills once she signs in.
pub async fn log(ctx: Ctx) -> Response {
    let title = ctx.t("Who read my records", "Vem har läst mina uppgifter").to_string();
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("Sign in with your Publica key file and its passphrase. Your browser decrypts the key and signs the requests for your log itself: this server never sees your key, your passphrase or your log unencrypted in a page. Every access to your records is listed — who asked, when, why, on which legal basis and what came of it, granted or refused — with the ledger's proofs, checked here.",
            "Logga in med din Publica-nyckelfil och dess lösenfras. Webbläsaren dekrypterar nyckeln och signerar själv frågorna om din logg: servern ser aldrig din nyckel, din lösenfras eller din logg i en sida. Varje åtkomst till dina uppgifter visas — vem som frågade, när, varför, på vilken rättslig grund och vad det ledde till, beviljad eller avslagen — med registrets bevis, kontrollerade här.")) }
        noscript {
            div.notice {
                p { (ctx.t("This page signs your requests in your browser and needs JavaScript. Without it, the command line reads the same log:",
                    "Sidan signerar dina frågor i webbläsaren och kräver JavaScript. Utan det läser kommandoraden samma logg:")) }
                pre.mono { "publica data log --key KEY.json\npublica data records --key KEY.json" }
            }
        }
        div #data-log-app {}
        p.muted { a href="/data" { (ctx.t("About personal data on this network", "Om personuppgifter i det här nätverket")) } }
    };
    ctx.render(Page { title, name: "data-log", body })
}

#[cfg(test)]
mod tests {
    use super::*;

    use publica_client::api::data::{DataQuery, DataReadRequest};
    use publica_types::Address;

    /// The signing message of one read request, byte for byte: `web/test/data.test.mjs` checks that the browser's
    /// encoding gives exactly these bytes, so that a request signed in the browser verifies on the node.
    const GOLDEN_SIGNING_MESSAGE: &str = "5055424c4943412d5349472d563109646174612d726561640b7075626c6963612d646576021111111111111111111111111111111111111111010700000000000000c80000002222222222222222222222222222222222222222003146bb9e010000";

    #[test]
    fn the_browser_signs_the_bytes_the_node_checks() {
        let request = DataReadRequest {
            query: DataQuery::OwnerLog { owner: Address([0x11; 20]), after: Some(7), limit: 200 },
            reader: Address([0x22; 20]),
            at_ms: 1_781_258_400_000,
        };
        assert_eq!(hex::encode(request.signing_message("publica-dev")), GOLDEN_SIGNING_MESSAGE);
    }

    #[test]
    fn the_study_counter_gives_the_number_of_studies() {
        assert_eq!(study_count(None), 0);
        assert_eq!(study_count(Some(&4u64.to_le_bytes())), 3);
        assert_eq!(study_count(Some(&[1, 2])), 0, "a value of another length counts nothing");
    }

    /// Every kind of record the browser decodes (`web/src/data/records.js`), in each of its forms, as the module
    /// stores it (borsh, hex) and as the API shows it (JSON): `web/test/data.test.mjs` decodes the one and must get
    /// the other. The file is checked here against the module's own encodings; `PUBLICA_BLESS=1` rewrites it.
    #[test]
    fn the_browsers_record_fixtures_are_the_modules_encodings() {
        use publica_data::call::{Basis, ErasureOrder, Grantee, RecipientKey};
        use publica_data::schema::{
            Access, AccessState, Act, Approval, CategoryCount, Consent, CourtOrder, Emergency, Record, RecordState,
            Refusal, Representation, RetentionRule,
        };
        use publica_types::AgencyId;

        let agency = |id: &str| AgencyId::new(id).expect("a demo agency id");
        let act = |n: u8, at_ms: u64| Act { by: Address([n; 20]), at_ms };
        let access = |id: u64, basis: Basis, state: AccessState, requester_agency: Option<AgencyId>| Access {
            id,
            record: 1,
            owner: Address([0xad; 20]),
            agency: agency("nordvik-health-authority"),
            requester: Address([0xd0; 20]),
            requester_agency,
            purpose: "treatment".into(),
            basis,
            study: (id == 5).then_some(1),
            fields: (id == 5).then(|| vec!["age_band".to_string(), "trial_arm".to_string()]),
            recipient: RecipientKey { x25519: [id as u8; 32], ml_kem: vec![id as u8 + 1; 1184] },
            requested_at_ms: 1_781_258_400_000 + id,
            height: 40 + id,
            state,
        };
        let hospital = Some(agency("nordvik-hospital"));
        let accesses = [
            access(1, Basis::Consent(1), AccessState::Pending, hospital.clone()),
            access(2, Basis::Consent(1), AccessState::Refused { code: Refusal::ConsentRevoked }, hospital.clone()),
            access(
                3,
                Basis::CourtOrder(2),
                AccessState::Released {
                    by: Address([0xc0; 20]),
                    at_ms: 1_781_258_460_000,
                    release_sha256: [0x5e; 32],
                    release_bytes: 2_345,
                },
                hospital.clone(),
            ),
            access(
                4,
                Basis::Emergency(3),
                AccessState::Declined { by: Address([0xc0; 20]), at_ms: 9, reason_code: "unreadable".into() },
                hospital,
            ),
            access(5, Basis::Owner, AccessState::Lapsed { at_ms: 10, reason: Refusal::RecordErased }, None),
        ];
        let record = |id: u64, state: RecordState| Record {
            id,
            agency: agency("nordvik-health-authority"),
            owner: Address([0xad; 20]),
            category: "health.summary".into(),
            commitment: [id as u8; 32],
            fields: 7,
            registered_by: Address([0xc0; 20]),
            registered_at_ms: 1_781_000_000_000,
            height: 12,
            state,
        };
        let records = [
            record(1, RecordState::Active),
            record(2, RecordState::ErasureOrdered { at_ms: 5, by: Address([0xad; 20]) }),
            record(
                3,
                RecordState::Erased {
                    ordered_at_ms: 5,
                    ordered_by: None,
                    erased_at_ms: 6,
                    order: ErasureOrder::Retention,
                    by: Address([0xc0; 20]),
                    statement_sha256: [0x57; 32],
                },
            ),
        ];
        let consent = |id: u64, grantee: Grantee, revoked: Option<Act>| Consent {
            id,
            owner: Address([0xad; 20]),
            grantee,
            category: "health.summary".into(),
            purpose: "treatment".into(),
            until_ms: 1_812_794_400_000,
            granted: act(0xad, 1_781_258_000_000),
            height: 30,
            revoked,
        };
        let consents = [
            consent(1, Grantee::Agency(agency("nordvik-hospital")), None),
            consent(2, Grantee::Account(Address([0xd0; 20])), Some(act(0xad, 1_781_259_000_000))),
            consent(3, Grantee::Study(1), None),
        ];
        let order = CourtOrder {
            id: 2,
            owner: Address([0xad; 20]),
            category: "health.summary".into(),
            grantee: agency("nordvik-hospital"),
            purpose: "investigation".into(),
            until_ms: 77,
            order_sha256: [0x0d; 32],
            court: agency("nordvik-district-court"),
            issued: act(0xcc, 70),
            height: 8,
        };
        let representation = Representation {
            citizen: Address([0xad; 20]),
            representative: Address([0xee; 20]),
            until_ms: 99,
            court: agency("nordvik-district-court"),
            appointed: act(0xcc, 50),
            ended: Some(act(0xcc, 60)),
        };
        let study = Study {
            id: 1,
            agency: agency("nordvik-research-institute"),
            title: "Inhaler trial outcomes".into(),
            categories: vec!["health.clinical-trial".into()],
            fields: vec!["age_band".into(), "trial_arm".into()],
            purpose: "research".into(),
            until_ms: 1_900_000_000_000,
            protocol_sha256: [0x9a; 32],
            proposed: act(0xe1, 20),
            height: 21,
            approval: Some(Approval { board: agency("nordvik-health-authority"), approved: act(0xeb, 22) }),
        };
        let counters = StudyCounters {
            requests: 2,
            refused: 1,
            released: 1,
            citizens: 1,
            by_category: vec![CategoryCount { category: "health.clinical-trial".into(), released: 1 }],
        };
        let emergency = Emergency {
            id: 3,
            categories: vec!["health.summary".into()],
            grantees: vec![agency("nordvik-hospital")],
            purpose: "outbreak-response".into(),
            until_ms: 123,
            declaration_sha256: [0xde; 32],
            authority: agency("nordvik-health-authority"),
            declared: act(0xa1, 100),
            height: 14,
            ended: None,
        };
        let rule = RetentionRule {
            agency: agency("nordvik-health-authority"),
            category: "health.clinical-trial".into(),
            keep_days: 3_650,
            set: act(0xc0, 11),
        };
        macro_rules! entry {
            ($value:expr) => {
                serde_json::json!({ "borsh": hex::encode(publica_types::codec::encode($value)), "json": $value })
            };
        }
        let fixture = serde_json::json!({
            "access": accesses.iter().map(|a| entry!(a)).collect::<Vec<_>>(),
            "record": records.iter().map(|r| entry!(r)).collect::<Vec<_>>(),
            "consent": consents.iter().map(|c| entry!(c)).collect::<Vec<_>>(),
            "court_order": [entry!(&order)],
            "representation": [entry!(&representation)],
            "study": [entry!(&study)],
            "study_counters": [entry!(&counters), entry!(&StudyCounters::default())],
            "emergency": [entry!(&emergency)],
            "retention_rule": [entry!(&rule)],
        });
        let text = format!("{}\n", serde_json::to_string_pretty(&fixture).expect("the fixture encodes"));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/test/fixtures/data/records.json");
        if std::env::var_os("PUBLICA_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("the fixture's folder");
            std::fs::write(&path, &text).expect("the fixture is written");
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == text,
            "{} is not the module's encoding: rerun with PUBLICA_BLESS=1 and review the change",
            path.display()
        );
    }
}
