//! Elections: the list, one election (its questions, window, trustees, roll, credentials, board and, once decided,
//! its result), and a voter's receipt checked against the board. Each page reads the elections routes of the API
//! and offers their proofs to check in the browser: the election's record (`election:ID`) and a ballot's place on
//! the board with its credential's record (`ballot:ID:HASH`).
//!
//! A ballot is cast by no account: the board knows which credential voted, never which citizen. The pages say so
//! and show nothing else about a credential than what the ledger holds (its ballots, which one counts).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Serialize;

use publica_client::api::{BallotResponse, ElectionResponse, ElectionsResponse};

use crate::api::{segment, Failure};
use crate::html::{account_link, hex_full, proof_section, short, time, Ctx, Page, ProofKind, ProofOf};
use crate::pages::json_name;

/// Elections listed on one page of `/elections`.
const ELECTIONS_PER_PAGE: u64 = 20;
/// Most digits of an election number (every 19-digit number fits in 64 bits), as the API reads it.
const MAX_ID_DIGITS: usize = 19;
/// Longest receipt text the form reads, characters (a receipt is 64 hex digits, a tracker 43 base64 characters).
const MAX_RECEIPT_CHARS: usize = 200;

/// An election number as the API takes it (1 to 19 decimal digits), or the "not found" page's failure.
fn election_number(ctx: &Ctx, text: &str) -> Result<u64, Failure> {
    let digits = !text.is_empty() && text.len() <= MAX_ID_DIGITS && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten().ok_or_else(|| Failure {
        status: StatusCode::NOT_FOUND,
        code: "not_found".into(),
        message: format!(
            "{} {:?}: {}",
            ctx.t("There is no election", "Det finns inget val"),
            text.chars().take(40).collect::<String>(),
            ctx.t(
                "elections are numbered from 0; the list of elections links to each.",
                "valen är numrerade från 0; listan över val länkar till vart och ett."
            )
        ),
    })
}

/// Where an election stands, as a badge: from its recorded status and, while it takes ballots, the time of the
/// ledger's last block (the ledger's own clock, which decides whether a ballot is on time).
fn status_badge<S: Serialize>(ctx: &Ctx, status: &S, opens_at_ms: u64, closes_at_ms: u64) -> Markup {
    let now = ctx.status.as_ref().and_then(|s| s.last_block_time_ms);
    let (class, text) = match json_name(status).as_str() {
        "key_generation" => ("pending", ctx.t("being set up: key generation", "förbereds: nyckelgenerering")),
        "credentials" => ("pending", ctx.t("being set up: roll and credentials", "förbereds: röstlängd och röstkoder")),
        "voting" => match now {
            Some(t) if t < opens_at_ms => ("pending", ctx.t("opens soon", "öppnar snart")),
            Some(t) if t >= closes_at_ms => {
                ("pending", ctx.t("voting ended, not yet closed", "röstningen är slut, ännu inte stängd"))
            }
            _ => ("ok", ctx.t("voting open", "röstning pågår")),
        },
        "tallying" => ("pending", ctx.t("closed: being decrypted", "stängt: dekrypteras")),
        "decided" => ("ok", ctx.t("decided", "avgjort")),
        _ => ("pending", ctx.t("unknown status", "okänd status")),
    };
    html! { span class={ "badge " (class) } { (text) } }
}

/// `opens – closes`, both in the visitor's zone.
fn window(opens_at_ms: u64, closes_at_ms: u64) -> Markup {
    html! { (time(opens_at_ms)) " – " (time(closes_at_ms)) }
}

/// `GET /elections` (`?from=N`: the page that starts at election N; by default the newest).
pub async fn index(ctx: Ctx) -> Response {
    let title = ctx.t("Elections", "Val").to_string();
    // The first read gives the count; the page then reads the newest elections (or those from `from`).
    let first = match ctx.api.get::<ElectionsResponse>("/v1/elections?from=0&limit=1").await {
        Ok(l) => l,
        Err(f) => return ctx.failure(&title, f),
    };
    let count = first.count;
    let newest_from = count.saturating_sub(ELECTIONS_PER_PAGE);
    let from = ctx.param("from").and_then(|f| f.parse::<u64>().ok()).unwrap_or(newest_from).min(newest_from);
    let list = if count == 0 {
        first
    } else {
        match ctx.api.get::<ElectionsResponse>(&format!("/v1/elections?from={from}&limit={ELECTIONS_PER_PAGE}")).await {
            Ok(l) => l,
            Err(f) => return ctx.failure(&title, f),
        }
    };
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("Elections and referendums run on the ledger in the Belenios format: every ballot is encrypted on the voter's own computer, the ledger is the public ballot box, and anyone can check the count. The ledger knows which credential voted, never which citizen.",
            "Val och folkomröstningar som genomförs i registret i Belenios-formatet: varje valsedel krypteras på väljarens egen dator, registret är den offentliga valurnan och vem som helst kan kontrollera rösträkningen. Registret vet vilken röstkod som röstade, aldrig vilken medborgare.")) }
        @if list.elections.is_empty() {
            p.notice { (ctx.t("No election has been created on this network yet.", "Inget val har skapats i det här nätverket ännu.")) }
        } @else {
            div.table-wrap { table {
                caption.visually-hidden { (ctx.t("Elections, newest first", "Val, det senaste först")) }
                thead { tr {
                    th scope="col" { (ctx.t("Election", "Val")) }
                    th scope="col" { (ctx.t("Status", "Status")) }
                    th scope="col" { (ctx.t("Voting", "Röstning")) }
                    th scope="col" { (ctx.t("Ballots", "Valsedlar")) }
                    th scope="col" { (ctx.t("Voters", "Väljare")) }
                } }
                tbody { @for e in list.elections.iter().rev() { tr {
                    td { a href={ "/elections/" (e.id) } { (e.name) } }
                    td { (status_badge(&ctx, &e.status, e.opens_at_ms, e.closes_at_ms)) }
                    td { (window(e.opens_at_ms, e.closes_at_ms)) }
                    td { (e.ballots) }
                    td { (e.voters) " " (ctx.t("of", "av")) " " (e.roll_count) }
                } } }
            } }
            p {
                @if from + ELECTIONS_PER_PAGE < count { a href={ "/elections?from=" (from + ELECTIONS_PER_PAGE) } { (ctx.t("Newer elections", "Senare val")) } " " }
                @if from > 0 { a href={ "/elections?from=" (from.saturating_sub(ELECTIONS_PER_PAGE)) } { (ctx.t("Older elections", "Tidigare val")) } }
            }
        }
    };
    ctx.render(Page { title, name: "elections", body })
}

/// `GET /elections/{id}`.
pub async fn election(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Election", "Val"));
    let id = match election_number(&ctx, &id) {
        Ok(id) => id,
        Err(f) => return ctx.failure(&what, f),
    };
    let r = match ctx.api.get::<ElectionResponse>(&format!("/v1/elections/{id}")).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&what, f),
    };
    let body = election_body(&ctx, &r, None);
    ctx.render(Page { title: r.election.name.clone(), name: "election", body })
}

/// The election page's content; `receipt_error` is a receipt the form could not read, shown at the form.
fn election_body(ctx: &Ctx, r: &ElectionResponse, receipt_error: Option<(&str, &str)>) -> Markup {
    let e = &r.election;
    let id = e.id;
    let status = json_name(&e.status);
    let decided = status == "decided";
    // Whether ballots are still taken: set up or voting, and the ledger's time before the closing.
    let now = ctx.status.as_ref().and_then(|s| s.last_block_time_ms).unwrap_or(0);
    let taking_ballots = !matches!(status.as_str(), "tallying" | "decided") && now < e.closes_at_ms;
    html! {
        h1 { (e.name) }
        p.lead { (e.description) }
        dl.facts {
            dt { (ctx.t("Status", "Status")) } dd { (status_badge(ctx, &e.status, e.opens_at_ms, e.closes_at_ms)) }
            dt { (ctx.t("Voting", "Röstning")) } dd { (window(e.opens_at_ms, e.closes_at_ms)) }
            dt { (ctx.t("Electoral commission", "Valmyndighet")) } dd { (e.agency.as_str()) }
            dt { (ctx.t("Created", "Skapat")) } dd {
                (time(e.created_at_ms)) " " (ctx.t("by", "av")) " " (account_link(&e.created_by.to_string()))
                " " (ctx.t("in block", "i block")) " " a href={ "/blocks/" (e.created_at_height) } { (e.created_at_height) }
            }
            dt { (ctx.t("Number", "Nummer")) } dd { (id) " (Belenios uuid " code { (e.uuid) } ")" }
            dt { (ctx.t("Trustees", "Förtroendevalda nyckelhållare")) } dd {
                (e.threshold) " " (ctx.t("of", "av")) " " (e.trustees.len()) " "
                (ctx.t("trustees decrypt the result together; fewer learn nothing.", "nyckelhållare dekrypterar resultatet tillsammans; färre får inte veta något."))
                ol { @for t in &e.trustees { li { (account_link(&t.to_string())) } } }
            }
            dt { (ctx.t("Credential authority", "Utfärdare av röstkoder")) } dd { (account_link(&e.credential_authority.to_string())) }
            dt { (ctx.t("Electoral roll", "Röstlängd")) } dd {
                (e.roll_count) " " (ctx.t("citizens", "medborgare")) ", "
                @match e.roll_frozen_at_height {
                    Some(h) => { (ctx.t("frozen in block", "låst i block")) " " a href={ "/blocks/" (h) } { (h) } }
                    None => { (ctx.t("not frozen yet", "ännu inte låst")) }
                }
                br;
                span.muted { (ctx.t("Roll hash", "Röstlängdens hash")) } " " (hex_full(&hex::encode(e.roll_hash)))
            }
            dt { (ctx.t("Credentials published", "Publicerade röstkoder")) } dd {
                (e.credentials_count)
                @if e.credentials_weight != e.credentials_count { " (" (ctx.t("total weight", "total vikt")) " " (e.credentials_weight) ")" }
            }
            dt { (ctx.t("Ballots", "Valsedlar")) } dd {
                (e.ballots) " " (ctx.t("ballots from", "valsedlar från")) " " (e.voters) " " (ctx.t("voters (a later ballot of the same credential replaces the earlier one)", "väljare (en senare valsedel med samma röstkod ersätter den tidigare)"))
            }
            @if let Some(f) = &r.fingerprint { dt { (ctx.t("Fingerprint", "Fingeravtryck")) } dd { code.hex { (f) } } }
            dt { (ctx.t("Ballot box (board)", "Valurnan (anslagstavlan)")) } dd {
                (e.events) " " (ctx.t("events", "händelser"))
                @if let Some(h) = e.head { "; " (ctx.t("head", "senaste")) " " code.hex { (hex::encode(h)) } }
                br;
                a href={ "/v1/elections/" (id) "/events" } download={ "election-" (id) "-events.json" } { (ctx.t("The board's events (JSON)", "Anslagstavlans händelser (JSON)")) }
            }
            @if !e.decrypted_by.is_empty() && !decided {
                dt { (ctx.t("Decrypted by trustees", "Dekrypterat av nyckelhållare")) } dd { (e.decrypted_by.iter().map(|j| j.to_string()).collect::<Vec<_>>().join(", ")) }
            }
        }
        h2 { @if decided { (ctx.t("Result", "Resultat")) } @else { (ctx.t("Questions", "Frågor")) } }
        @for (q, question) in e.questions.iter().enumerate() {
            h3 { (question.question) }
            p.muted {
                @if question.min == question.max { (ctx.t("Choose", "Välj")) " " (question.max) } @else { (ctx.t("Choose", "Välj")) " " (question.min) "–" (question.max) }
                @if question.blank { "; " (ctx.t("a blank vote is allowed", "blank röst är tillåten")) }
                "."
            }
            @match r.result.as_ref().and_then(|res| res.get(q)) {
                Some(counts) => (result_table(ctx, q, &question.answers, question.blank, counts, e.voted_weight)),
                None => ol { @for a in &question.answers { li { (a) } } },
            }
        }
        @if taking_ballots {
            h2 #vote { (ctx.t("How to vote", "Så röstar du")) }
            p { (ctx.t("The credential authority sends each voter on the roll a credential letter. Your ballot is encrypted on your own computer and sent by no account; you get a receipt, the ballot's SHA-256. Vote again and the later ballot replaces the earlier one. Then check your receipt against the ballot box, here or with the second command.",
                "Utfärdaren av röstkoder skickar ett brev med en röstkod till varje väljare i röstlängden. Valsedeln krypteras på din egen dator och skickas utan konto; du får ett kvitto, valsedelns SHA-256. Röstar du igen ersätter den senare valsedeln den tidigare. Kontrollera sedan kvittot mot valurnan, här eller med det andra kommandot.")) }
            pre.mono { "publica vote --election " (id) " --letter LETTER.json --key KEY.json --choice N\npublica election ballot " (id) " RECEIPT" }
        } @else {
            h2 #vote { (ctx.t("The vote is closed", "Röstningen är stängd")) }
            p { (ctx.t("Voters can still check that their ballot is in the ballot box and whether it is counted, here or with:", "Väljare kan fortfarande kontrollera att deras valsedel finns i valurnan och om den räknas, här eller med:")) }
            pre.mono { "publica election ballot " (id) " RECEIPT" }
        }
        h2 #check-ballot { (ctx.t("Check a ballot", "Kontrollera en valsedel")) }
        form.card action={ "/elections/" (id) "/ballots" } method="get" {
            label for="receipt" { (ctx.t("Receipt: the ballot's SHA-256 (64 hex digits) or its Belenios tracker", "Kvitto: valsedelns SHA-256 (64 hexadecimala tecken) eller dess Belenios-spårare")) }
            p {
                input #receipt name="receipt" type="text" required maxlength=(MAX_RECEIPT_CHARS) autocomplete="off" spellcheck="false"
                    value=[receipt_error.map(|(text, _)| text)]
                    aria-describedby=[receipt_error.map(|_| "receipt-error")]
                    aria-invalid=[receipt_error.map(|_| "true")];
                " " button.primary type="submit" { (ctx.t("Check", "Kontrollera")) }
            }
            @if let Some((_, message)) = receipt_error { div #receipt-error .error role="alert" { p { (message) } } }
        }
        (proof_section(ctx.lang, &ProofOf { url: format!("/v1/elections/{id}"), kind: ProofKind::Document, record: format!("election:{id}"), at_ms: None }, ctx.t("Proof of the election's record", "Bevis för valets uppgifter")))
    }
}

/// A decided question's counts: each answer's (weighted) count and its share of the ballots counted, as a number and
/// a meter. A question with a blank vote has the blank ballots' count first.
fn result_table(ctx: &Ctx, q: usize, answers: &[String], blank: bool, counts: &[u64], voted_weight: u64) -> Markup {
    let blank_label = ctx.t("Blank", "Blankt");
    let rows: Vec<(&str, u64)> = if blank {
        std::iter::once(blank_label).chain(answers.iter().map(String::as_str)).zip(counts.iter().copied()).collect()
    } else {
        answers.iter().map(String::as_str).zip(counts.iter().copied()).collect()
    };
    let top = rows.iter().map(|(_, c)| *c).max().unwrap_or(0);
    html! {
        div.table-wrap { table.result {
            caption.visually-hidden { (ctx.t("Result of question", "Resultat för fråga")) " " (q + 1) }
            thead { tr {
                th scope="col" { (ctx.t("Answer", "Svar")) }
                th scope="col" { (ctx.t("Votes", "Röster")) }
                th scope="col" { (ctx.t("Share of the ballots counted", "Andel av de räknade valsedlarna")) }
            } }
            tbody { @for (answer, count) in &rows { tr {
                th scope="row" { (answer) @if *count == top && top > 0 { " " span.badge.ok { (ctx.t("most votes", "flest röster")) } } }
                td { (count) }
                td {
                    @let label = format!("{answer}: {}", percent(*count, voted_weight));
                    // The meter draws the share; the number beside it says it, to every reader.
                    meter min="0" max=(voted_weight.max(1)) value=(count) title=(label) aria-hidden="true" {}
                    " " (percent(*count, voted_weight))
                }
            } } }
        } }
    }
}

/// `part` of `whole` in percent, one decimal.
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".into();
    }
    format!("{:.1} %", part as f64 * 100.0 / whole as f64)
}

/// Reads a receipt as a visitor pastes it: the ballot's SHA-256 in hex (either case), or its Belenios tracker (the
/// same hash in standard base64 without padding). Returns the hash in lowercase hex, or what is wrong with it.
fn read_receipt(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(text.to_ascii_lowercase());
    }
    if text.len() == 43 {
        if let Some(bytes) = base64_no_pad(text) {
            return Ok(hex::encode(bytes));
        }
    }
    Err("not a receipt")
}

/// Standard base64 without padding, decoded, when it is canonical (no stray bits in the last character).
fn base64_no_pad(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let values: Option<Vec<u32>> =
        text.bytes().map(|c| ALPHABET.iter().position(|&a| a == c).map(|v| v as u32)).collect();
    let values = values?;
    let mut out = Vec::with_capacity(values.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in values {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

/// `GET /elections/{id}/ballots?receipt=`: the receipt form's target. A receipt that reads leads to its page; one
/// that does not shows the election again with the form saying why (status 400).
pub async fn receipt(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Election", "Val"));
    let id = match election_number(&ctx, &id) {
        Ok(id) => id,
        Err(f) => return ctx.failure(&what, f),
    };
    let text: String = ctx.param("receipt").unwrap_or("").chars().take(MAX_RECEIPT_CHARS).collect();
    if let Ok(hash) = read_receipt(&text) {
        return Redirect::to(&format!("/elections/{id}/ballots/{hash}")).into_response();
    }
    let r = match ctx.api.get::<ElectionResponse>(&format!("/v1/elections/{id}")).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&what, f),
    };
    let message = format!(
        "{} {}",
        if text.is_empty() {
            ctx.t("No receipt was given.", "Inget kvitto angavs.").to_string()
        } else {
            format!(
                "{} {:?} {}",
                ctx.t("The text", "Texten"),
                text.chars().take(70).collect::<String>(),
                ctx.t("is not a receipt.", "är inget kvitto.")
            )
        },
        ctx.t(
            "A receipt is the ballot's SHA-256 that publica vote printed: 64 digits and letters a–f. A Belenios tracker (43 characters of base64) works too.",
            "Ett kvitto är valsedelns SHA-256 som publica vote skrev ut: 64 siffror och bokstäver a–f. En Belenios-spårare (43 tecken base64) fungerar också."
        )
    );
    let body = election_body(&ctx, &r, Some((&text, &message)));
    ctx.render_with(StatusCode::BAD_REQUEST, Page { title: r.election.name.clone(), name: "election", body })
}

/// `GET /elections/{id}/ballots/{hash}`: a voter's receipt checked against the board.
pub async fn ballot(ctx: Ctx, Path((id, hash)): Path<(String, String)>) -> Response {
    let mut what = ctx.t("Ballot", "Valsedel").to_string();
    let id = match election_number(&ctx, &id) {
        Ok(id) => id,
        Err(f) => return ctx.failure(&what, f),
    };
    let Ok(hash) = read_receipt(&hash) else {
        let failure = Failure {
            status: StatusCode::BAD_REQUEST,
            code: "malformed_request".into(),
            message: ctx
                .t(
                    "A receipt is the ballot's SHA-256: 64 digits and letters a–f, as publica vote printed it.",
                    "Ett kvitto är valsedelns SHA-256: 64 siffror och bokstäver a–f, som publica vote skrev ut det.",
                )
                .to_string(),
        };
        return ctx.failure(&what, failure);
    };
    what = format!("{what} {}", short(&hash));
    let path = format!("/v1/elections/{id}/ballots/{}", segment(&hash));
    let b = match ctx.api.get::<BallotResponse>(&path).await {
        Ok(b) => b,
        Err(f) => return ctx.failure(&what, f),
    };
    let election = ctx.api.get::<ElectionResponse>(&format!("/v1/elections/{id}")).await.ok();
    let name = election.as_ref().map(|r| r.election.name.clone()).unwrap_or_else(|| format!("{id}"));
    let entry = &b.entry;
    let later = b.credential.last_ballot.filter(|last| !b.counted && *last != b.ballot).map(hex::encode);
    let body = html! {
        h1 { (ctx.t("Ballot on the board", "Valsedel i valurnan")) }
        p.lead {
            (ctx.t("This ballot is on the board of", "Valsedeln finns i valurnan för")) " "
            a href={ "/elections/" (id) } { (name) } "."
        }
        dl.facts {
            dt { (ctx.t("Counted", "Räknas")) } dd {
                @if b.counted {
                    span.badge.ok { (ctx.t("counted", "räknas")) } " "
                    (ctx.t("It is the last ballot of its credential: the one the tally counts.", "Den är röstkodens senaste valsedel: den som räknas."))
                } @else {
                    span.badge.pending { (ctx.t("replaced", "ersatt")) } " "
                    (ctx.t("A later ballot of the same credential replaced it; only the last one counts.", "En senare valsedel med samma röstkod ersatte den; bara den senaste räknas."))
                    @if let Some(last) = &later { " " a href={ "/elections/" (id) "/ballots/" (last) } { (ctx.t("The later ballot", "Den senare valsedeln")) } }
                }
            }
            dt { (ctx.t("Receipt (SHA-256)", "Kvitto (SHA-256)")) } dd { (hex_full(&hex::encode(b.ballot))) }
            dt { (ctx.t("Belenios tracker", "Belenios-spårare")) } dd { code.hex { (b.tracker) } }
            dt { (ctx.t("On the board", "I valurnan")) } dd { (ctx.t("event", "händelse")) " " (entry.event_height) @if let Some(r) = &election { " " (ctx.t("of", "av")) " " (r.election.events) } }
            dt { (ctx.t("Accepted", "Mottagen")) } dd {
                (time(entry.accepted_at_ms)) " " (ctx.t("in block", "i block")) " " a href={ "/blocks/" (entry.block_height) } { (entry.block_height) }
            }
            dt { (ctx.t("Ballots with its credential", "Valsedlar med dess röstkod")) } dd { (b.credential.ballots) }
        }
        p.muted { (ctx.t("A ballot is sent by no account: the ledger knows which credential cast it, never who holds the credential. Only the credential authority, which made the letters, could tell.",
            "En valsedel skickas utan konto: registret vet vilken röstkod som lade den, aldrig vem som har röstkoden. Bara utfärdaren av röstkoderna, som gjorde breven, skulle kunna veta det.")) }
        (proof_section(ctx.lang, &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("ballot:{id}:{hash}"), at_ms: None }, ctx.t("Proof of the ballot's place on the board", "Bevis för valsedelns plats i valurnan")))
    };
    ctx.render(Page { title: what, name: "ballot", body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_is_read_as_hex_or_as_a_tracker() {
        let hex = "4348f5567d7048fa0b9b6c811ac59cf7e7b450c0246ae2d7ca86f16a3776a767";
        assert_eq!(read_receipt(hex).unwrap(), hex);
        assert_eq!(read_receipt(&format!("  {}\n", hex.to_ascii_uppercase())).unwrap(), hex);
        // The same ballot's tracker, as the API gives it.
        assert_eq!(read_receipt("Q0j1Vn1wSPoLm2yBGsWc9+e0UMAkauLXyobxajd2p2c").unwrap(), hex);
        for bad in
            ["", "zz", &hex[1..], &format!("{hex}0"), "Q0j1Vn1wSPoLm2yBGsWc9+e0UMAkauLXyobxajd2p2d", "../../v1/status"]
        {
            assert!(read_receipt(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shares_are_percentages_of_the_ballots_counted() {
        assert_eq!(percent(1, 3), "33.3 %");
        assert_eq!(percent(0, 0), "—");
    }
}
