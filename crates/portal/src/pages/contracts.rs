//! Contracts: the agencies' WebAssembly rules on the ledger (`docs/contracts.md`). `/contracts` lists the instances
//! (name, agency, the code each runs, whether frozen, fuel limits, native roles) and the policies of their agencies;
//! `/contracts/{number or name}` shows one instance: its record and code history, its events page by page, one key
//! of its state looked up, and a call's receipt looked up by its transaction.
//!
//! Every answer read here is offered to check in the browser (`web/src/contracts/`), each tied to what the page
//! shows: `contracts:FROM` (a page of the list, the instance counter proven so that none is left out),
//! `instance:ID`, `contractevents:ID:FROM`, `contractstate:ID:SHA256` (the SHA-256 of the key asked, which the
//! answer's proven key must hash to), `callreceipt:TX` and `contractpolicy:AGENCY`. Contracts choose their own bytes
//! for keys, events and outputs: the pages show them as text when they are printable UTF-8, else as hex.

use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};

use publica_client::api::contracts::{
    ContractEventsResponse, ContractInstanceResponse, ContractInstancesResponse, ContractPolicyResponse,
    ContractReceiptResponse, ContractStateResponse,
};
use publica_client::api::contracts::{MAX_CONTRACT_EVENTS_PAGE, MAX_CONTRACT_INSTANCES_PAGE};
use publica_contracts::schema::{Authority, Instance};
use publica_types::sha256;

use crate::api::segment;
use crate::html::{account_link, hex_full, proof_section, short, Ctx, Page, ProofKind, ProofOf};

/// Instances listed on one page of `/contracts`.
const INSTANCES_PER_PAGE: u32 = 20;
/// Events listed on one page of an instance's page.
const EVENTS_PER_PAGE: u32 = 20;
/// Most agencies whose policies `/contracts` reads (those of the instances listed).
const POLICIES_SHOWN: usize = 6;
/// The longest key of a contract's state, in bytes (the runtime's key limit, as the API takes it).
const MAX_STATE_KEY_BYTES: usize = 256;

const _: () = assert!(INSTANCES_PER_PAGE <= MAX_CONTRACT_INSTANCES_PAGE);
const _: () = assert!(EVENTS_PER_PAGE <= MAX_CONTRACT_EVENTS_PAGE);

/// Bytes as a contract wrote them: text when they are printable UTF-8 (no control characters), else hex.
pub(crate) fn bytes_text(bytes: &[u8]) -> (bool, String) {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.is_empty() && !text.chars().any(char::is_control) => (true, text.to_string()),
        _ => (false, hex::encode(bytes)),
    }
}

/// Bytes shown as text (in quotes) or as hex, with `empty` for none.
fn bytes_view(ctx: &Ctx, bytes: &[u8]) -> Markup {
    if bytes.is_empty() {
        return html! { span.muted { (ctx.t("(empty)", "(tomt)")) } };
    }
    match bytes_text(bytes) {
        (true, text) => html! { q.contract-text { (text) } },
        (false, hex) => html! { code.hex title=(ctx.t("hex", "hex")) { (hex) } },
    }
}

/// What a visitor typed as a state key: its bytes, or what is wrong with it.
pub(crate) fn parse_state_key(text: &str, as_hex: bool) -> Result<Vec<u8>, (&'static str, &'static str)> {
    let key = if as_hex {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = digits.strip_prefix("0x").unwrap_or(&digits);
        hex::decode(digits).map_err(|_| {
            (
                "A key in hex is an even number of hex digits (0-9, a-f), two per byte.",
                "En nyckel i hex är ett jämnt antal hexsiffror (0-9, a-f), två per byte.",
            )
        })?
    } else {
        text.as_bytes().to_vec()
    };
    if key.is_empty() {
        return Err(("Type the key to look up: at least one byte.", "Skriv nyckeln att slå upp: minst en byte."));
    }
    if key.len() > MAX_STATE_KEY_BYTES {
        return Err((
            "A contract's state key is at most 256 bytes.",
            "En nyckel i ett kontrakts tillstånd är högst 256 byte.",
        ));
    }
    Ok(key)
}

/// What a visitor typed as a transaction id: 64 hex digits, lowercased.
pub(crate) fn parse_tx(text: &str) -> Result<String, (&'static str, &'static str)> {
    let text = text.trim().to_ascii_lowercase();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text)
    } else {
        Err((
            "A transaction id is 64 hex digits (0-9, a-f), as the explorer shows it.",
            "Ett transaktions-id är 64 hexsiffror (0-9, a-f), som utforskaren visar det.",
        ))
    }
}

/// A yes/no.
fn yes_no(ctx: &Ctx, value: bool) -> &'static str {
    if value {
        ctx.t("yes", "ja")
    } else {
        ctx.t("no", "nej")
    }
}

/// Who put a code version in force.
fn authority_view(ctx: &Ctx, authority: &Authority) -> Markup {
    match authority {
        Authority::Proposal { id } => {
            html! { (ctx.t("governance vote, proposal", "beslut av validerarna, förslag")) " " (id) }
        }
        Authority::Admin { address } => {
            html! { (ctx.t("agency administrator", "myndighetens administratör")) " " (account_link(&address.to_string())) }
        }
    }
}

/// Roles as words, or "none".
fn roles_view(ctx: &Ctx, instance: &Instance) -> Markup {
    html! {
        @if instance.roles.is_empty() { span.muted { (ctx.t("none", "inga")) } }
        @for (i, role) in instance.roles.iter().enumerate() {
            @if i > 0 { ", " }
            code { (role.as_str()) }
        }
    }
}

/// `GET /contracts`: the instances, page by page, and their agencies' policies.
pub async fn index(ctx: Ctx) -> Response {
    let title = ctx.t("Contracts", "Kontrakt").to_string();
    let from: u64 = ctx.param("from").and_then(|f| f.parse().ok()).unwrap_or(0);
    let path = format!("/v1/contracts/instances?from={from}&limit={INSTANCES_PER_PAGE}");
    let list = match ctx.api.get::<ContractInstancesResponse>(&path).await {
        Ok(list) => list,
        Err(f) => return ctx.failure(&title, f),
    };
    let mut agencies: Vec<String> = Vec::new();
    for instance in &list.instances {
        let agency = instance.agency.to_string();
        if !agencies.contains(&agency) && agencies.len() < POLICIES_SHOWN {
            agencies.push(agency);
        }
    }
    let mut policies = Vec::new();
    for agency in &agencies {
        // An agency whose instances were all deployed by a vote may have no policy: it is then not shown.
        if let Ok(answer) =
            ctx.api.get::<ContractPolicyResponse>(&format!("/v1/contracts/policies/{}", segment(agency))).await
        {
            policies.push(answer);
        }
    }

    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("The rules agencies publish as programs: a customs clearance step, a grant rule, a fee schedule. Each runs as WebAssembly on every validator, the same way on each, with a fuel limit per call; its code is stored by its SHA-256, deployed by a vote of the validators or by an agency's administrator within a policy the vote set, and its state, events and every call's result are public and proven like any record.",
            "Regler som myndigheterna publicerar som program: ett steg i tullklareringen, en bidragsregel, en avgiftstabell. Var och en körs som WebAssembly hos varje validerare, på samma sätt hos alla, med en gräns för bränsle per anrop; koden lagras efter sin SHA-256, installeras genom ett beslut av validerarna eller av en myndighets administratör inom en policy som beslutet fastställt, och dess tillstånd, händelser och varje anrops resultat är offentliga och bevisade som alla uppgifter.")) }
        h2 #instances { (ctx.t("Instances", "Instanser")) }
        @if list.instances.is_empty() {
            p.notice #instances-none {
                @if from == 0 { (ctx.t("No contract has been deployed on this network yet.", "Inget kontrakt har installerats i det här nätverket ännu.")) }
                @else { (ctx.t("No instance has this number or a later one.", "Ingen instans har det här numret eller ett senare.")) " " a href="/contracts" { (ctx.t("The first instances", "De första instanserna")) } }
            }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("Contract instances", "Kontraktsinstanser")) { table #instances-list {
                caption.visually-hidden { (ctx.t("Contract instances, by number", "Kontraktsinstanser, efter nummer")) }
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (ctx.t("Name", "Namn")) }
                    th scope="col" { (ctx.t("Agency", "Myndighet")) }
                    th scope="col" { (ctx.t("Code (SHA-256)", "Kod (SHA-256)")) }
                    th scope="col" { (ctx.t("Frozen", "Fryst")) }
                    th.num scope="col" { (ctx.t("Fuel per call", "Bränsle per anrop")) }
                    th.num scope="col" { (ctx.t("Fuel per sender and day", "Bränsle per avsändare och dag")) }
                    th scope="col" { (ctx.t("Native roles", "Roller")) }
                } }
                tbody { @for i in &list.instances { tr {
                    td { (i.id) }
                    td { a href={ "/contracts/" (i.id) } { (i.name) } }
                    td { (i.agency.as_str()) }
                    td { code.mono title=(hex::encode(i.code_hash)) { (short(&hex::encode(i.code_hash))) } }
                    td { (yes_no(&ctx, i.frozen)) }
                    td.num { (i.fuel_per_call) }
                    td.num { (i.fuel_per_sender_day) }
                    td { (roles_view(&ctx, i)) }
                } } }
            } }
        }
        @if from > 0 || list.next.is_some() {
            p {
                @if from > 0 { a href={ "/contracts?from=" (from.saturating_sub(u64::from(INSTANCES_PER_PAGE))) } { (ctx.t("Earlier instances", "Tidigare instanser")) } }
                @if from > 0 && list.next.is_some() { " · " }
                @if let Some(next) = list.next { a href={ "/contracts?from=" (next) } { (ctx.t("More instances", "Fler instanser")) } }
            }
        }
        (proof_section(
            ctx.lang,
            &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("contracts:{from}"), at_ms: None },
            ctx.t("Proof of the list", "Bevis för listan"),
        ))
        h2 #policies { (ctx.t("The agencies' policies", "Myndigheternas policyer")) }
        p.muted { (ctx.t("What an agency's administrators may deploy without a vote, and the fuel its contracts may spend: set only by a vote of the validators.",
            "Vad en myndighets administratörer får installera utan beslut av validerarna, och hur mycket bränsle dess kontrakt får använda: fastställs bara genom ett sådant beslut.")) }
        @if policies.is_empty() {
            p #policies-none { (ctx.t("None of the agencies listed has a contract policy.", "Ingen av myndigheterna i listan har en policy för kontrakt.")) }
        }
        @for p in &policies { (policy_view(&ctx, p)) }
    };
    ctx.render(Page { title, name: "contracts", body })
}

/// An agency's policy, the fuel used on the certified block's day, and its proof section.
fn policy_view(ctx: &Ctx, answer: &ContractPolicyResponse) -> Markup {
    let agency = answer.agency.as_str();
    let p = &answer.policy;
    html! {
        section.policy id={ "policy-" (agency) } {
            h3 { (agency) }
            dl.facts {
                dt { (ctx.t("Administrators may deploy without a vote", "Administratörer får installera utan beslut")) }
                dd { (yes_no(ctx, p.admin_deploy)) }
                dt { (ctx.t("Code they may deploy", "Kod de får installera")) }
                dd {
                    @if p.any_agency_code { (ctx.t("any code uploaded by the agency's officials", "all kod som myndighetens tjänstemän laddat upp")) }
                    @if p.any_agency_code && !p.code_hashes.is_empty() { "; " }
                    @for (i, h) in p.code_hashes.iter().enumerate() {
                        @if i > 0 { ", " }
                        code.mono title=(hex::encode(h)) { (short(&hex::encode(h))) }
                    }
                    @if !p.any_agency_code && p.code_hashes.is_empty() { span.muted { (ctx.t("none", "ingen")) } }
                }
                dt { (ctx.t("Most fuel per call they may allow", "Mest bränsle per anrop de får tillåta")) } dd { (p.max_fuel_per_call) }
                dt { (ctx.t("Fuel all its contracts may use per day", "Bränsle alla dess kontrakt får använda per dag")) } dd { (p.fuel_per_day) }
                dt { (ctx.t("Used on the day of the last block", "Använt under dagen för det senaste blocket")) } dd { (answer.fuel_used) }
                dt { (ctx.t("Most instances", "Högst antal instanser")) } dd { (p.max_instances) }
            }
            (proof_section(
                ctx.lang,
                &ProofOf {
                    url: format!("/v1/contracts/policies/{}", segment(agency)),
                    kind: ProofKind::Document,
                    record: format!("contractpolicy:{agency}"),
                    at_ms: None,
                },
                &format!("{} {agency}", ctx.t("Proof of the policy of", "Bevis för policyn för")),
            ))
        }
    }
}

/// A lookup's outcome on an instance's page: nothing asked, an answer, or a message saying what was wrong.
enum Lookup<T> {
    None,
    Answer(T),
    Problem(String),
}

/// `GET /contracts/{number or name}[?from=&key=&as=&tx=]`: one instance, its events, and the state key and receipt
/// asked for.
pub async fn instance(ctx: Ctx, Path(reference): Path<String>) -> Response {
    let title = ctx.t("Contract", "Kontrakt").to_string();
    let answer = match ctx
        .api
        .get::<ContractInstanceResponse>(&format!("/v1/contracts/instances/{}", segment(&reference)))
        .await
    {
        Ok(answer) => answer,
        Err(f) => return ctx.failure(&title, f),
    };
    let instance = answer.instance;
    let id = instance.id;
    let from: u64 = ctx.param("from").and_then(|f| f.parse().ok()).unwrap_or(0);
    let events_path = format!("/v1/contracts/instances/{id}/events?from={from}&limit={EVENTS_PER_PAGE}");
    let events = match ctx.api.get::<ContractEventsResponse>(&events_path).await {
        Ok(events) => events,
        Err(f) => return ctx.failure(&title, f),
    };

    let key_text = ctx.param("key").map(str::to_string);
    let as_hex = ctx.param("as") == Some("hex");
    let state = match &key_text {
        None => Lookup::None,
        Some(text) => match parse_state_key(text, as_hex) {
            Err((en, sv)) => Lookup::Problem(ctx.t(en, sv).to_string()),
            Ok(key) => {
                let path = format!("/v1/contracts/instances/{id}/state/{}", hex::encode(&key));
                match ctx.api.get::<ContractStateResponse>(&path).await {
                    Ok(answer) => Lookup::Answer((key, path, answer)),
                    Err(f) => Lookup::Problem(f.message),
                }
            }
        },
    };
    let tx_text = ctx.param("tx").map(str::to_string);
    let receipt = match &tx_text {
        None => Lookup::None,
        Some(text) => match parse_tx(text) {
            Err((en, sv)) => Lookup::Problem(ctx.t(en, sv).to_string()),
            Ok(tx) => {
                let path = format!("/v1/contracts/receipts/{tx}");
                match ctx.api.get::<ContractReceiptResponse>(&path).await {
                    Ok(answer) => Lookup::Answer((path, answer)),
                    Err(f) if f.is_not_found() => Lookup::Problem(
                        ctx.t(
                            "The ledger holds no contract call with this transaction id: it is another kind of transaction, or not committed.",
                            "Registret har inget kontraktsanrop med detta transaktions-id: det är en annan sorts transaktion, eller inte bekräftad.",
                        )
                        .to_string(),
                    ),
                    Err(f) => Lookup::Problem(f.message),
                }
            }
        },
    };

    let page_title = format!("{} {}", ctx.t("Contract", "Kontrakt"), instance.name);
    let base = format!("/contracts/{id}");
    let body = html! {
        h1 { (page_title) }
        dl.facts #instance-record {
            dt { (ctx.t("Number", "Nummer")) } dd { (id) }
            dt { (ctx.t("Agency", "Myndighet")) } dd { (instance.agency.as_str()) }
            dt { (ctx.t("Code it runs (SHA-256)", "Kod den kör (SHA-256)")) } dd { (hex_full(&hex::encode(instance.code_hash))) }
            dt { (ctx.t("Frozen", "Fryst")) }
            dd { (yes_no(&ctx, instance.frozen)) @if instance.frozen { " — " (ctx.t("calls are refused until a vote unfreezes it", "anrop avvisas tills ett beslut av validerarna häver frysningen")) } }
            dt { (ctx.t("Fuel per call", "Bränsle per anrop")) } dd { (instance.fuel_per_call) }
            dt { (ctx.t("Fuel per sender and day", "Bränsle per avsändare och dag")) } dd { (instance.fuel_per_sender_day) }
            dt { (ctx.t("Native roles (granted by a vote)", "Roller (beviljade genom beslut)")) } dd { (roles_view(&ctx, &instance)) }
            dt { (ctx.t("Deployed in block", "Installerad i block")) } dd { a href={ "/blocks/" (instance.deployed_at_height) } { (instance.deployed_at_height) } }
        }
        h2 #history { (ctx.t("Code history", "Kodhistorik")) }
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("Code history", "Kodhistorik")) { table #code-history {
            caption.visually-hidden { (ctx.t("Code versions, the first deployment first", "Kodversioner, den första installationen först")) }
            thead { tr {
                th scope="col" { (ctx.t("Code (SHA-256)", "Kod (SHA-256)")) }
                th scope="col" { (ctx.t("From block", "Från block")) }
                th scope="col" { (ctx.t("Put in force by", "Beslutad av")) }
            } }
            tbody { @for v in &instance.history { tr {
                td { code.mono title=(hex::encode(v.code_hash)) { (short(&hex::encode(v.code_hash))) } }
                td { a href={ "/blocks/" (v.height) } { (v.height) } }
                td { (authority_view(&ctx, &v.authority)) }
            } } }
        } }
        (proof_section(
            ctx.lang,
            &ProofOf { url: format!("/v1/contracts/instances/{id}"), kind: ProofKind::Document, record: format!("instance:{id}"), at_ms: None },
            ctx.t("Proof of the instance", "Bevis för instansen"),
        ))

        h2 #events { (ctx.t("Events", "Händelser")) }
        p.muted { (ctx.t("What the contract recorded in its successful calls, numbered from 0 in order; a failed call records none.",
            "Vad kontraktet har registrerat i sina lyckade anrop, numrerat från 0 i ordning; ett misslyckat anrop registrerar inga.")) " "
            (events.count) " " (ctx.t("in all.", "totalt.")) }
        @if events.events.is_empty() {
            p #events-none { (ctx.t("No event on this page.", "Ingen händelse på den här sidan.")) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("Events", "Händelser")) { table #events-list {
                caption.visually-hidden { (ctx.t("Events, in the order recorded", "Händelser, i den ordning de registrerades")) }
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (ctx.t("Topic", "Ämne")) }
                    th scope="col" { (ctx.t("Data", "Data")) }
                    th scope="col" { (ctx.t("Block", "Block")) }
                    th scope="col" { (ctx.t("Transaction", "Transaktion")) }
                } }
                tbody { @for e in &events.events { tr {
                    td { (e.seq) }
                    td { (bytes_view(&ctx, &e.event.topic)) }
                    td { (bytes_view(&ctx, &e.event.data)) }
                    td { a href={ "/blocks/" (e.event.height) } { (e.event.height) } }
                    td {
                        a.mono href={ "/tx/" (e.event.tx_id) } title=(e.event.tx_id.to_string()) { (short(&e.event.tx_id.to_string())) }
                        " · " a href={ (base) "?tx=" (e.event.tx_id) "#receipt" } { (ctx.t("receipt", "kvitto")) }
                    }
                } } }
            } }
        }
        @if from > 0 || events.next.is_some() {
            p {
                @if from > 0 { a href={ (base) "?from=" (from.saturating_sub(u64::from(EVENTS_PER_PAGE))) "#events" } { (ctx.t("Earlier events", "Tidigare händelser")) } }
                @if from > 0 && events.next.is_some() { " · " }
                @if let Some(next) = events.next { a href={ (base) "?from=" (next) "#events" } { (ctx.t("Later events", "Senare händelser")) } }
            }
        }
        (proof_section(
            ctx.lang,
            &ProofOf { url: events_path.clone(), kind: ProofKind::Document, record: format!("contractevents:{id}:{from}"), at_ms: None },
            ctx.t("Proof of the events", "Bevis för händelserna"),
        ))

        h2 #state { (ctx.t("Look up a key of its state", "Slå upp en nyckel i dess tillstånd")) }
        form.inline #state-form method="get" action={ (base) "#state" } {
            label for="state-key" { (ctx.t("Key", "Nyckel")) }
            " "
            input #state-key type="text" name="key" maxlength="600" value=[key_text.as_deref()];
            " "
            label for="state-as" { (ctx.t("written as", "skriven som")) }
            " "
            select #state-as name="as" {
                option value="text" selected[!as_hex] { (ctx.t("text", "text")) }
                option value="hex" selected[as_hex] { "hex" }
            }
            " "
            button type="submit" { (ctx.t("Look up", "Slå upp")) }
        }
        @match &state {
            Lookup::None => {}
            Lookup::Problem(message) => { div.error #state-error role="alert" { p { (message) } } }
            Lookup::Answer((key, path, answer)) => {
                dl.facts #state-answer {
                    dt { (ctx.t("Key", "Nyckel")) } dd { (bytes_view(&ctx, key)) }
                    dt { (ctx.t("Value", "Värde")) }
                    dd { @match answer.value.as_deref().map(hex::decode) {
                        Some(Ok(bytes)) => { (bytes_view(&ctx, &bytes)) " " span.muted { "(" (bytes.len()) " " (ctx.t("bytes", "byte")) ")" } }
                        _ => { (ctx.t("none: the contract holds no value under this key (proven absent)", "inget: kontraktet har inget värde under denna nyckel (bevisat frånvarande)")) }
                    } }
                }
                (proof_section(
                    ctx.lang,
                    &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("contractstate:{id}:{}", hex::encode(sha256(key))), at_ms: None },
                    ctx.t("Proof of the key", "Bevis för nyckeln"),
                ))
            }
        }

        h2 #receipt { (ctx.t("Look up a call's receipt", "Slå upp ett anrops kvitto")) }
        form.inline #receipt-form method="get" action={ (base) "#receipt" } {
            label for="receipt-tx" { (ctx.t("Transaction id", "Transaktions-id")) }
            " "
            input #receipt-tx type="text" name="tx" maxlength="80" size="66" value=[tx_text.as_deref()];
            " "
            button type="submit" { (ctx.t("Look up", "Slå upp")) }
        }
        @match &receipt {
            Lookup::None => {}
            Lookup::Problem(message) => { div.error #receipt-error role="alert" { p { (message) } } }
            Lookup::Answer((path, answer)) => { (receipt_view(&ctx, id, path, answer)) }
        }
    };
    ctx.render(Page { title: page_title, name: "contract", body })
}

/// A call's receipt, and its proof section.
fn receipt_view(ctx: &Ctx, id: u64, path: &str, answer: &ContractReceiptResponse) -> Markup {
    let r = &answer.receipt;
    html! {
        @if r.instance != id {
            p.notice { (ctx.t("This is a call to another instance:", "Detta är ett anrop till en annan instans:")) " " a href={ "/contracts/" (r.instance) } { (r.instance) } }
        }
        dl.facts #receipt-answer {
            dt { (ctx.t("Transaction", "Transaktion")) } dd { (hex_full(&answer.tx_id.to_string())) " " a href={ "/tx/" (answer.tx_id) } { (ctx.t("in the explorer", "i utforskaren")) } }
            dt { (ctx.t("Result", "Resultat")) }
            dd { @if r.succeeded() { (ctx.t("succeeded: its writes and events were kept", "lyckades: dess skrivningar och händelser behölls")) }
                 @else { (ctx.t("failed: nothing it wrote was kept", "misslyckades: inget den skrev behölls")) } }
            dt { (ctx.t("Status returned", "Returnerad status")) }
            dd { @match r.status { Some(s) => { (s) } None => { span.muted { (ctx.t("none: it stopped before returning", "ingen: den avbröts innan den returnerade")) } } } }
            dt { (ctx.t("Output", "Utdata")) }
            dd { (bytes_view(ctx, &r.output)) @if r.output_len as usize > r.output.len() { " " span.muted { "(" (ctx.t("the first", "de första")) " " (r.output.len()) " " (ctx.t("of", "av")) " " (r.output_len) " " (ctx.t("bytes", "byte")) ")" } } }
            dt { (ctx.t("Fuel used (charged)", "Bränsle använt (debiterat)")) } dd { (r.fuel_used) }
            @if let Some(f) = &r.failure {
                dt { (ctx.t("Failure", "Fel")) } dd { code { (f.kind) } ": " (f.message) }
            }
            dt { (ctx.t("Events recorded", "Registrerade händelser")) } dd { (r.events) }
        }
        (proof_section(
            ctx.lang,
            &ProofOf { url: path.to_string(), kind: ProofKind::Document, record: format!("callreceipt:{}", answer.tx_id), at_ms: None },
            ctx.t("Proof of the receipt", "Bevis för kvittot"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of the contracts module the browser decodes (`web/src/contracts/records.js`), in each of its
    /// forms, as the module stores it (borsh, hex) and as the API shows it (JSON): `web/test/contracts.test.mjs`
    /// decodes the one and must get the other. The file is checked here against the module's own encodings;
    /// `PUBLICA_BLESS=1` rewrites it.
    #[test]
    fn the_browsers_record_fixtures_are_the_modules_encodings() {
        use publica_contracts::call::Policy;
        use publica_contracts::schema::{CallFailure, CodeVersion, Event, Receipt};
        use publica_types::{Address, AgencyId, Role, TxId};

        let agency = AgencyId::new("nordvik-finance-office").expect("a demo agency id");
        let instances = [
            Instance {
                id: 0,
                name: "customs-clearance".into(),
                agency: agency.clone(),
                code_hash: [0x11; 32],
                fuel_per_call: 2_000_000,
                fuel_per_sender_day: 200_000_000,
                roles: Vec::new(),
                frozen: false,
                history: vec![CodeVersion {
                    code_hash: [0x11; 32],
                    height: 40,
                    authority: Authority::Admin { address: Address([0xad; 20]) },
                }],
                deployed_at_height: 40,
            },
            Instance {
                id: 258,
                name: "grant-rule".into(),
                agency: agency.clone(),
                code_hash: [0x22; 32],
                fuel_per_call: 100_000_000,
                fuel_per_sender_day: 9_007_199_254_740_991,
                roles: vec![Role::new("spending-officer").expect("a role"), Role::new("fee-setter").expect("a role")],
                frozen: true,
                history: vec![
                    CodeVersion { code_hash: [0x21; 32], height: 7, authority: Authority::Proposal { id: 3 } },
                    CodeVersion { code_hash: [0x22; 32], height: 90, authority: Authority::Proposal { id: 12 } },
                ],
                deployed_at_height: 7,
            },
        ];
        let events = [
            Event {
                topic: b"cleared".to_vec(),
                data: b"NV-DECL-2026-0001".to_vec(),
                height: 41,
                tx_id: TxId([0x7e; 32]),
            },
            Event { topic: vec![0, 0xff], data: Vec::new(), height: 42, tx_id: TxId([0x01; 32]) },
        ];
        let receipts = [
            Receipt {
                instance: 0,
                status: Some(0),
                output: b"cleared".to_vec(),
                output_len: 7,
                fuel_used: 12_345,
                failure: None,
                events: 1,
            },
            Receipt {
                instance: 2,
                status: Some(-3),
                output: vec![0xab; 4],
                output_len: 300,
                fuel_used: 99,
                failure: Some(CallFailure { kind: "status".into(), message: "permit_revoked".into() }),
                events: 0,
            },
            Receipt {
                instance: 1,
                status: None,
                output: Vec::new(),
                output_len: 0,
                fuel_used: 1_000_000,
                failure: Some(CallFailure { kind: "out_of_fuel".into(), message: "the call ran out of fuel".into() }),
                events: 0,
            },
        ];
        let policies = [
            Policy {
                admin_deploy: true,
                code_hashes: vec![[0x11; 32], [0x22; 32]],
                any_agency_code: false,
                max_fuel_per_call: 2_000_000,
                fuel_per_day: 1_000_000_000,
                max_instances: 8,
            },
            Policy::default(),
        ];
        macro_rules! entry {
            ($value:expr) => {
                serde_json::json!({ "borsh": hex::encode(publica_types::codec::encode($value)), "json": $value })
            };
        }
        let fixture = serde_json::json!({
            "instance": instances.iter().map(|i| entry!(i)).collect::<Vec<_>>(),
            "event": events.iter().map(|e| entry!(e)).collect::<Vec<_>>(),
            "receipt": receipts.iter().map(|r| entry!(r)).collect::<Vec<_>>(),
            "policy": policies.iter().map(|p| entry!(p)).collect::<Vec<_>>(),
            "keys": {
                "counter": hex::encode(publica_contracts::schema::NEXT_INSTANCE_KEY),
                "instance": hex::encode(publica_contracts::schema::instance_key(258)),
                "name": hex::encode(publica_contracts::schema::name_key("fee-schedule")),
                "state": hex::encode(publica_contracts::schema::state_key(258, b"declaration/NV")),
                "event_count": hex::encode(publica_contracts::schema::event_count_key(258)),
                "event": hex::encode(publica_contracts::schema::event_key(258, 3)),
                "receipt": hex::encode(publica_contracts::schema::receipt_key(&TxId([0x7e; 32]))),
                "policy": hex::encode(publica_contracts::schema::policy_key(&agency)),
                "budget": hex::encode(publica_contracts::schema::budget_key(&agency, 20_500)),
            },
        });
        let text = format!("{}\n", serde_json::to_string_pretty(&fixture).expect("the fixture encodes"));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/test/fixtures/contracts/records.json");
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

    #[test]
    fn contract_bytes_are_text_when_printable_else_hex() {
        assert_eq!(bytes_text(b"NV-DECL-2026-0001"), (true, "NV-DECL-2026-0001".to_string()));
        assert_eq!(bytes_text(&[0, 1, 0xff]), (false, "0001ff".to_string()));
        assert_eq!(bytes_text(b"a\nb"), (false, "610a62".to_string()), "a control character is not shown as text");
        assert_eq!(bytes_text("Å".as_bytes()), (true, "Å".to_string()));
    }

    #[test]
    fn state_keys_and_transaction_ids_typed_in_the_forms_are_checked() {
        assert_eq!(parse_state_key("declaration/NV-1", false).unwrap(), b"declaration/NV-1");
        assert_eq!(parse_state_key("0x6b 6C", true).unwrap(), vec![0x6b, 0x6c]);
        assert!(parse_state_key("", false).is_err());
        assert!(parse_state_key("abc", true).is_err(), "odd hex");
        assert!(parse_state_key("zz", true).is_err());
        assert!(parse_state_key(&"k".repeat(257), false).is_err());
        assert_eq!(parse_tx(&"AB".repeat(32)).unwrap(), "ab".repeat(32));
        assert!(parse_tx("abc").is_err());
        assert!(parse_tx(&"g".repeat(64)).is_err());
    }
}
