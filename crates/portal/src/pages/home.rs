//! The start page and the search box.

use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use publica_client::api::{NameResponse, TxStatusResponse};

use crate::api::segment;
use crate::html::{time, Ctx, Page};

/// Longest search text, characters.
const MAX_SEARCH_CHARS: usize = 200;

/// `GET /`.
pub async fn page(ctx: Ctx) -> Response {
    let services: [(&str, &str, &str, &str, &str); 13] = [
        ("/verify", "Verify a document", "Kontrollera ett dokument",
         "Was this file registered, when and by whom? Your browser hashes it and checks the notary's receipt; the file never leaves your computer.",
         "Registrerades filen, när och av vem? Webbläsaren beräknar dess hash och kontrollerar notariens kvitto; filen lämnar aldrig din dator."),
        ("/parcels", "Land registry", "Fastighetsregistret",
         "Parcels, their boundaries, owners, mortgages and history; who owned a parcel on a given date, with proof.",
         "Fastigheter, gränser, ägare, inteckningar och historik; vem som ägde en fastighet en viss dag, med bevis."),
        ("/companies", "Business register", "Företagsregistret",
         "Companies, their officers, owners and filings, and their beneficial ownership as BODS.",
         "Företag, styrelse, ägare och anmälningar, och verkliga huvudmän enligt BODS."),
        ("/credentials", "Check a credential", "Kontrollera ett intyg",
         "A diploma, a licence or a certificate shown to you: check the issuer, its accreditation and that it is not revoked.",
         "Ett examensbevis, en licens eller ett certifikat som visas för dig: kontrollera utfärdaren, dess ackreditering och att det inte är återkallat."),
        ("/elections", "Elections", "Val",
         "Referendums and elections: the ballot box is public, your receipt shows that your ballot is counted, anyone can check the result.",
         "Folkomröstningar och val: valurnan är offentlig, ditt kvitto visar att din valsedel räknas, vem som helst kan kontrollera resultatet."),
        ("/finance", "Public finance", "Offentlig ekonomi",
         "The budget the council voted, what each line has paid, every payment traced back to the law, and welfare paid without publishing who was paid.",
         "Budgeten som fullmäktige beslutade, vad varje anslag har betalat, varje betalning spårad tillbaka till lagen, och välfärd som betalas utan att visa vem som fick den."),
        ("/procurement", "Public procurement", "Offentlig upphandling",
         "Tenders and who bid, sealed until the opening; how each lot was ranked and awarded, the contracts and what they paid.",
         "Upphandlingar och vilka som lämnade anbud, förseglade till öppningen; hur varje del rangordnades och tilldelades, avtalen och vad de betalade."),
        ("/data", "Personal data", "Personuppgifter",
         "Your records stay in the agencies' vaults; the ledger keeps every consent and every access. See who read your records, and why.",
         "Dina uppgifter stannar i myndigheternas valv; registret för varje samtycke och varje åtkomst. Se vem som har läst dina uppgifter, och varför."),
        ("/contracts", "Contracts", "Kontrakt",
         "The rules agencies run as programs — customs clearance, grants, fees: their code, every call's result and what they recorded.",
         "Regler som myndigheterna kör som program — tullklarering, bidrag, avgifter: deras kod, varje anrops resultat och vad de registrerade."),
        ("/blocks", "Explorer", "Utforskaren",
         "Blocks, transactions, accounts and the validators that signed them.",
         "Block, transaktioner, konton och validerarna som signerade dem."),
        ("/notary", "Notary log", "Notarieloggen",
         "The append-only log of anchored documents, its signed checkpoints and its independent witnesses.",
         "Den tilläggsbara loggen över förankrade dokument, dess signerade kontrollpunkter och oberoende vittnen."),
        ("/validators", "Validators", "Validerare",
         "The agencies that run the network, and every change of the set since its start.",
         "Myndigheterna som driver nätverket, och varje ändring av uppsättningen sedan starten."),
        ("/wallet", "Sign in and act", "Logga in och agera",
         "With your own key file: approve a land transfer, anchor a document. Everything is signed in your browser.",
         "Med din egen nyckelfil: godkänn en överlåtelse, förankra ett dokument. Allt signeras i din webbläsare."),
    ];
    let body = html! {
        h1 { (ctx.t("Public records anyone can check", "Offentliga register som alla kan kontrollera")) }
        p.lead {
            (ctx.t("Publica is the ledger where agencies keep land titles, companies, permits, credentials and notarised documents. Every record shown here comes with a proof signed by the agencies' validators, and your browser checks it itself: you do not have to trust this server.",
                "Publica är registret där myndigheter för lagfarter, företag, tillstånd, intyg och notariserade dokument. Varje uppgift här har ett bevis signerat av myndigheternas validerare, och din webbläsare kontrollerar det själv: du behöver inte lita på den här servern."))
        }
        ul.cards {
            @for (href, en, sv, den, dsv) in services {
                li.card {
                    h2 { a href=(href) { (ctx.t(en, sv)) } }
                    p { (ctx.t(den, dsv)) }
                }
            }
        }
        @if let Some(s) = &ctx.status {
            h2 { (ctx.t("This network", "Det här nätverket")) }
            dl.facts {
                dt { (ctx.t("Network (chain id)", "Nätverk (kedje-id)")) } dd { code { (s.chain_id.as_str()) } }
                dt { (ctx.t("Latest block", "Senaste block")) } dd { a href={ "/blocks/" (s.height) } { (s.height) } }
                @if let Some(ms) = s.last_block_time_ms {
                    dt { (ctx.t("Block time", "Blocktid")) } dd { (time(ms)) }
                }
                dt { (ctx.t("Validators", "Validerare")) } dd { a href="/validators" { (s.validator_count) } }
                dt { (ctx.t("Running since", "Igång sedan")) } dd { (time(s.genesis_time_ms)) }
            }
        }
    };
    ctx.render(Page { title: ctx.t("Start", "Start").to_string(), name: "home", body })
}

/// `GET /search?q=`: the page of what the text names, or a page saying nothing matched.
pub async fn search(ctx: Ctx) -> Response {
    let q: String = ctx.param("q").unwrap_or("").chars().take(MAX_SEARCH_CHARS).collect();
    if q.is_empty() {
        return Redirect::to("/").into_response();
    }
    match find(&ctx, &q).await {
        Ok(path) => Redirect::to(&path).into_response(),
        Err(hints) => {
            let body = html! {
                h1 { (ctx.t("Nothing found", "Inget hittades")) }
                div.error role="alert" {
                    p { (ctx.t("No parcel, company, permit, account, block, transaction or anchored document is named", "Ingen fastighet, inget företag, tillstånd, konto, block, ingen transaktion eller förankrat dokument heter")) " " code { (q) } "." }
                    @for hint in &hints { p { (hint) } }
                }
                p.muted { (ctx.t("Try a parcel number (NV-A1-101), a company's number or exact name, a permit number, a 40-digit address, a did:publica, a block height or a 64-digit transaction id or document hash.",
                    "Prova ett fastighetsnummer (NV-A1-101), ett företags nummer eller exakta namn, ett tillståndsnummer, en adress med 40 tecken, en did:publica, en blockhöjd eller ett transaktions-id eller en dokumenthash med 64 tecken.")) }
            };
            ctx.render_with(
                axum::http::StatusCode::NOT_FOUND,
                Page { title: ctx.t("Nothing found", "Inget hittades").to_string(), name: "search", body },
            )
        }
    }
}

/// Where `q` leads, or the API's hints (nearest ids) when nothing matches.
async fn find(ctx: &Ctx, q: &str) -> Result<String, Vec<String>> {
    let is_hex = |len: usize| q.len() == len && q.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = q.strip_prefix("did:publica:") {
        let address = rest.rsplit(':').next().unwrap_or("");
        return Ok(format!("/accounts/{}", segment(address)));
    }
    if is_hex(40) {
        return Ok(format!("/accounts/{}", q.to_ascii_lowercase()));
    }
    if is_hex(64) {
        let q = q.to_ascii_lowercase();
        if ctx.api.get::<TxStatusResponse>(&format!("/v1/transactions/{q}")).await.is_ok_and(|s| s.height.is_some()) {
            return Ok(format!("/tx/{q}"));
        }
        return Ok(format!("/notary/entries/{q}"));
    }
    if !q.is_empty() && q.len() <= 20 && q.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(format!("/blocks/{q}"));
    }
    let mut hints = Vec::new();
    let id = segment(q);
    for (route, page) in
        [("/v1/land/parcels/", "/parcels/"), ("/v1/permits/", "/permits/"), ("/v1/business/companies/", "/companies/")]
    {
        match ctx.api.get_bytes(&format!("{route}{id}")).await {
            Ok(_) => return Ok(format!("{page}{id}")),
            Err(f) if f.message.contains("did you mean") => hints.push(f.message),
            Err(_) => {}
        }
    }
    if let Ok(name) = ctx.api.get::<NameResponse>(&format!("/v1/business/companies?name={}", segment(q))).await {
        if let Some(number) = name.company {
            return Ok(format!("/companies/{}", segment(number.as_str())));
        }
    }
    Err(hints)
}
