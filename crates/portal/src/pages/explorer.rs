//! The explorer: blocks, transactions, accounts and the validator set.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use publica_accounts::AccountKind;
use publica_client::api::{
    AccountResponse, BlockResponse, ConsentResponse, ConsentsResponse, TxState, TxStatusResponse, ValidatorsResponse,
};
use publica_contracts::ContractsCall;
use publica_identity::schema::Consent;
use publica_tx::{Call, ElectionsCall, Transaction};
use publica_types::TxId;

use crate::api::segment;
use crate::html::{account_link, hex_full, proof_section, short, time, Ctx, Page, ProofKind, ProofOf};

/// Blocks listed on the explorer's first page.
const BLOCKS_PER_PAGE: u64 = 20;

/// `GET /blocks`: the latest blocks.
pub async fn blocks(ctx: Ctx) -> Response {
    let latest = match ctx.status.as_ref() {
        Some(s) => s.height,
        None => return unavailable(&ctx),
    };
    let from: u64 = ctx.param("from").and_then(|f| f.parse().ok()).unwrap_or(latest).min(latest);
    let mut rows = Vec::new();
    for height in (from.saturating_sub(BLOCKS_PER_PAGE - 1).max(1)..=from).rev() {
        match ctx.api.get::<BlockResponse>(&format!("/v1/blocks/{height}")).await {
            Ok(b) => rows.push(b),
            Err(f) => return ctx.failure(&format!("{} {height}", ctx.t("Block", "Block")), f),
        }
    }
    let older = from.saturating_sub(BLOCKS_PER_PAGE);
    let body = html! {
        h1 { (ctx.t("Explorer: latest blocks", "Utforskaren: senaste blocken")) }
        p.lead { (ctx.t("Each block is certified by more than two thirds of the validators' voting power; open one to see its transactions and check its certificate.",
            "Varje block är certifierat av mer än två tredjedelar av validerarnas röstkraft; öppna ett för att se dess transaktioner och kontrollera certifikatet.")) }
        div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Latest blocks", "Senaste blocken")) }
            thead { tr {
                th scope="col" { (ctx.t("Height", "Höjd")) }
                th scope="col" { (ctx.t("Time", "Tid")) }
                th scope="col" { (ctx.t("Transactions", "Transaktioner")) }
                th scope="col" { (ctx.t("Proposer", "Förslagsställare")) }
                th scope="col" { (ctx.t("Hash", "Hash")) }
            } }
            tbody { @for b in &rows { tr {
                td { a href={ "/blocks/" (b.height) } { (b.height) } }
                td { (time(b.header.time_ms)) }
                td { (b.header.tx_count) }
                td { (account_link(&b.header.proposer.to_string())) }
                td { code { (short(&b.hash)) } }
            } } }
        } }
        @if older >= 1 { p { a href={ "/blocks?from=" (older) } { (ctx.t("Older blocks", "Äldre block")) } } }
    };
    ctx.render(Page { title: ctx.t("Explorer", "Utforskaren").into(), name: "blocks", body })
}

/// `GET /blocks/{height}`.
pub async fn block(ctx: Ctx, Path(height): Path<String>) -> Response {
    let what = format!("{} {height}", ctx.t("Block", "Block"));
    let b = match ctx.api.get::<BlockResponse>(&format!("/v1/blocks/{}", segment(&height))).await {
        Ok(b) => b,
        Err(f) => return ctx.failure(&what, f),
    };
    let txs = with_transactions(&ctx, &b).await;
    let h = &b.header;
    let body = html! {
        h1 { (what) }
        dl.facts {
            dt { (ctx.t("Time", "Tid")) } dd { (time(h.time_ms)) }
            dt { (ctx.t("Hash", "Hash")) } dd { (hex_full(&b.hash)) }
            dt { (ctx.t("Previous block", "Föregående block")) } dd {
                @if h.height > 1 { a href={ "/blocks/" (h.height - 1) } { (h.height - 1) } " " }
                code.hex { (hex::encode(h.parent_hash)) }
            }
            dt { (ctx.t("Proposer", "Förslagsställare")) } dd { (account_link(&h.proposer.to_string())) }
            dt { (ctx.t("State root", "Tillståndsrot")) } dd { (hex_full(&hex::encode(h.state_root))) }
            dt { (ctx.t("Validator set", "Valideraruppsättning")) } dd { a href="/validators" { code.hex { (hex::encode(h.validator_set_hash)) } } }
            dt { (ctx.t("Signatures", "Signaturer")) } dd { (b.certificate.signatures.len()) " " (ctx.t("validators signed its commit certificate", "validerare signerade dess certifikat")) }
            @if !b.evidence.is_empty() {
                dt { (ctx.t("Evidence of misbehaviour", "Bevis på felbeteende")) } dd { (b.evidence.len()) }
            }
        }
        h2 { (ctx.t("Transactions", "Transaktioner")) " (" (h.tx_count) ")" }
        @if b.tx_ids.is_empty() { p.muted { (ctx.t("This block has no transactions.", "Blocket har inga transaktioner.")) } }
        @else if let Some(txs) = &txs { (tx_table(&ctx, &b.tx_ids, txs)) }
        @else {
            p.muted { (ctx.t("This block is too large to show its calls here; its transactions:", "Blocket är för stort för att visa anropen här; dess transaktioner:")) }
            ul { @for id in &b.tx_ids { li { a.mono href={ "/tx/" (id) } { (id) } } } }
        }
        @if ctx.status.as_ref().is_some_and(|s| s.height > h.height) {
            p { a href={ "/blocks/" (h.height + 1) } { (ctx.t("Next block", "Nästa block")) } }
        }
        (proof_section(ctx.lang, &ProofOf { url: format!("/v1/blocks/{}", h.height), kind: ProofKind::Document, record: format!("block:{}", h.height), at_ms: None }, ctx.t("Proof", "Bevis")))
    };
    ctx.render(Page { title: what.clone(), name: "block", body })
}

/// Largest block whose transactions a page reads in full (a transaction is at most 128 KiB: 64 of them stay well
/// under the answer limit, and a page never decodes a whole 64 MiB block).
const MAX_BLOCK_TXS_READ: u32 = 64;

/// A block's transactions by position, when it has few enough to read ([`MAX_BLOCK_TXS_READ`]): `None` at the
/// position of a transaction whose body the API withholds (it concerns a private account).
async fn with_transactions(ctx: &Ctx, b: &BlockResponse) -> Option<Vec<Option<Transaction>>> {
    if b.header.tx_count > MAX_BLOCK_TXS_READ {
        return None;
    }
    let full = ctx.api.get::<BlockResponse>(&format!("/v1/blocks/{}?txs=true", b.height)).await.ok()?;
    let mut shown = full.txs?.into_iter();
    let aligned =
        (0..full.tx_ids.len() as u32).map(|i| if full.withheld.contains(&i) { None } else { shown.next() }).collect();
    Some(aligned)
}

fn tx_table(ctx: &Ctx, ids: &[TxId], txs: &[Option<Transaction>]) -> Markup {
    html! {
        div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Transactions of the block", "Blockets transaktioner")) }
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (ctx.t("Transaction", "Transaktion")) }
                th scope="col" { (ctx.t("Call", "Anrop")) }
                th scope="col" { (ctx.t("Sender", "Avsändare")) }
            } }
            tbody { @for (i, (id, tx)) in ids.iter().zip(txs).enumerate() { tr {
                td { (i) }
                td { a.mono href={ "/tx/" (id) } { (short(&id.to_string())) } }
                @if let Some(tx) = tx {
                    td { (call_name(tx)) }
                    td { (sender(ctx, tx)) }
                } @else {
                    td colspan="2" { span.muted { (ctx.t("withheld: it concerns a private account", "undanhållen: den gäller ett privat konto")) } }
                }
            } } }
        } }
    }
}

/// A transaction's sender: a link to its account, or for a ballot (sent by no account, so that no citizen is tied
/// to a credential) the words "anonymous (ballot)" and links to its election and to its place on the board.
fn sender(ctx: &Ctx, tx: &Transaction) -> Markup {
    if !tx.is_anonymous() {
        return account_link(&tx.body.sender.to_string());
    }
    let anonymous = ctx.t("anonymous (ballot)", "anonym (valsedel)");
    match &tx.body.call {
        Call::Elections(ElectionsCall::Cast { election, ballot }) => html! {
            (anonymous) " — "
            a href={ "/elections/" (election) } { (ctx.t("election", "val")) " " (election) } ", "
            a href={ "/elections/" (election) "/ballots/" (hex::encode(publica_types::sha256(ballot))) } { (ctx.t("its receipt", "dess kvitto")) }
        },
        _ => html! { (anonymous) },
    }
}

/// For a contract's deployment, call or freeze, a link to the instance's page (for a committed call, to its receipt
/// there).
fn contract_link(ctx: &Ctx, tx: &Transaction, committed: bool) -> Option<Markup> {
    let Call::Contracts(call) = &tx.body.call else { return None };
    Some(match call {
        ContractsCall::Deploy { name, .. } => html! { a href={ "/contracts/" (name) } { (name) } },
        ContractsCall::Call { instance, .. } => html! {
            a href={ "/contracts/" (instance) } { (ctx.t("instance", "instans")) " " (instance) }
            @if committed {
                " — " a href={ "/contracts/" (instance) "?tx=" (tx.body.id()) "#receipt" } { (ctx.t("the call's receipt", "anropets kvitto")) }
            }
        },
        ContractsCall::Freeze { instance } => {
            html! { a href={ "/contracts/" (instance) } { (ctx.t("instance", "instans")) " " (instance) } }
        }
        ContractsCall::Upload { .. } => return None,
    })
}

/// `module.call` of a transaction, from its JSON form (`{"Registry": {"Transfer": {...}}}`).
fn call_name(tx: &Transaction) -> String {
    let value = serde_json::to_value(&tx.body.call).unwrap_or_default();
    let mut parts = Vec::new();
    let mut at = &value;
    while let Some(obj) = at.as_object() {
        let Some((k, v)) = obj.iter().next() else { break };
        parts.push(k.clone());
        if parts.len() == 2 {
            break;
        }
        at = v;
    }
    if parts.len() < 2 {
        if let Some(s) = at.as_str() {
            parts.push(s.to_string());
        }
    }
    parts.join(".")
}

/// `GET /tx/{id}`.
pub async fn transaction(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {}", ctx.t("Transaction", "Transaktion"), short(&id));
    let status = match ctx.api.get::<TxStatusResponse>(&format!("/v1/transactions/{}", segment(&id))).await {
        Ok(s) => s,
        Err(f) => return ctx.failure(&what, f),
    };
    let mut tx = None;
    let mut withheld = false;
    if let Some(height) = status.height {
        if let Ok(b) = ctx.api.get::<BlockResponse>(&format!("/v1/blocks/{height}")).await {
            let index = status.index.unwrap_or(0) as usize;
            let aligned = with_transactions(&ctx, &b).await;
            withheld = aligned.as_ref().is_some_and(|t| matches!(t.get(index), Some(None)));
            tx = aligned.and_then(|t| t.into_iter().nth(index).flatten()).filter(|t| t.body.id() == status.tx_id);
        }
    }
    let (badge, state) = match status.status {
        TxState::Committed => ("ok", ctx.t("Committed", "Bekräftad")),
        TxState::Pending => ("pending", ctx.t("Pending", "Väntande")),
        TxState::Rejected => ("bad", ctx.t("Rejected", "Avvisad")),
    };
    let body = html! {
        h1 { (ctx.t("Transaction", "Transaktion")) }
        dl.facts {
            dt { (ctx.t("Id", "Id")) } dd { (hex_full(&status.tx_id.to_string())) }
            dt { (ctx.t("Status", "Status")) } dd { span class={ "badge " (badge) } { (state) } }
            @if let Some(height) = status.height {
                dt { (ctx.t("Block", "Block")) } dd { a href={ "/blocks/" (height) } { (height) } " #" (status.index.unwrap_or(0)) }
            }
            @if let Some(e) = &status.error {
                dt { (ctx.t("Why", "Varför")) } dd { code { (e.code) } " " (e.message) }
            }
            @if let Some(tx) = &tx {
                dt { (ctx.t("Sender", "Avsändare")) } dd { (sender(&ctx, tx)) }
                dt { (ctx.t("Nonce", "Nonce")) } dd { (tx.body.nonce) }
                dt { (ctx.t("Call", "Anrop")) } dd { code { (call_name(tx)) } }
                @if let Some(link) = contract_link(&ctx, tx, matches!(status.status, TxState::Committed)) {
                    dt { (ctx.t("Contract", "Kontrakt")) } dd { (link) }
                }
                dt { (ctx.t("Valid until", "Giltig till")) } dd { (time(tx.body.expires_at_ms)) }
            }
        }
        @if withheld {
            p.muted { (ctx.t("It concerns a private account (a wallet, a company's account or a benefit claim): its call is withheld from public view.", "Den gäller ett privat konto (en plånbok, ett företags konto eller ett bidragsanspråk): dess anrop visas inte offentligt.")) }
        } @else if status.height.is_some() && tx.is_none() {
            p.muted { (ctx.t("Its block is too large to show the call here; the block's own page lists its transactions.", "Dess block är för stort för att visa anropet här; blockets egen sida listar dess transaktioner.")) }
        }
        @if let Some(o) = &status.outcome {
            h2 { (ctx.t("What it created", "Vad den skapade")) }
            pre.mono { (serde_json::to_string_pretty(o).unwrap_or_default()) }
        }
        @if let Some(tx) = &tx {
            h2 { (ctx.t("The call, as signed", "Anropet, som det signerades")) }
            pre.mono { (serde_json::to_string_pretty(&tx.body.call).unwrap_or_default()) }
        }
    };
    ctx.render(Page { title: what, name: "transaction", body })
}

/// `GET /accounts/{address}`.
pub async fn account(ctx: Ctx, Path(address): Path<String>) -> Response {
    let what = format!("{} {}", ctx.t("Account", "Konto"), short(&address));
    let a = match ctx.api.get::<AccountResponse>(&format!("/v1/accounts/{}", segment(&address))).await {
        Ok(a) => a,
        Err(f) => return ctx.failure(&what, f),
    };
    let address = a.address.to_string();
    // A citizen grants consents; an official's agency relies on them. Either way the list is public on the ledger.
    let (side, consents_heading) = match a.account.kind {
        AccountKind::Citizen { .. } => (
            "grantors",
            ctx.t(
                "Consents this citizen granted, and who relied on them",
                "Samtycken som medborgaren gett, och vem som förlitat sig på dem",
            ),
        ),
        AccountKind::Official { .. } => {
            ("grantees", ctx.t("Consents granted to this account", "Samtycken som getts till kontot"))
        }
    };
    let consents = ctx
        .api
        .get::<ConsentsResponse>(&format!("/v1/identity/{side}/{address}/consents?limit={MAX_CONSENTS_LISTED}"))
        .await
        .map(|c| c.consents)
        .unwrap_or_default();
    let chain = ctx.status.as_ref().map(|s| s.chain_id.as_str().to_string()).unwrap_or_default();
    let did = format!("did:publica:{chain}:{address}");
    let body = html! {
        h1 { (ctx.t("Account", "Konto")) " " code.hex { (address) } }
        dl.facts {
            @match &a.account.kind {
                AccountKind::Official { agency, roles } => {
                    dt { (ctx.t("Kind", "Typ")) } dd { (ctx.t("Official", "Tjänsteperson")) }
                    dt { (ctx.t("Agency", "Myndighet")) } dd { (agency.as_str()) }
                    dt { (ctx.t("Roles", "Roller")) } dd { @for (i, r) in roles.iter().enumerate() { @if i > 0 { ", " } code { (r.as_str()) } } }
                }
                AccountKind::Citizen { registered_by_agency, .. } => {
                    dt { (ctx.t("Kind", "Typ")) } dd { (ctx.t("Citizen (known on the ledger only by a salted commitment to a national id)", "Medborgare (känd i registret endast genom ett saltat åtagande till ett personnummer)")) }
                    dt { (ctx.t("Registered by", "Registrerad av")) } dd { (registered_by_agency.as_str()) }
                }
            }
            dt { (ctx.t("Active", "Aktiv")) } dd { @if a.account.active { span.badge.ok { (ctx.t("active", "aktiv")) } } @else { span.badge.bad { (ctx.t("suspended", "avstängd")) } } }
            dt { (ctx.t("Registered in block", "Registrerad i block")) } dd { a href={ "/blocks/" (a.account.created_at_height) } { (a.account.created_at_height) } }
            @if let Some(by) = &a.account.registered_by { dt { (ctx.t("Registered by account", "Registrerad av konto")) } dd { (account_link(&by.to_string())) } }
            dt { (ctx.t("Transactions sent", "Skickade transaktioner")) } dd { (a.next_nonce) }
            dt { "DID" } dd { code.hex { (did) } " " a href={ "/v1/dids/" (segment(&did)) } download { (ctx.t("DID document (JSON)", "DID-dokument (JSON)")) } }
        }
        h2 { (consents_heading) }
        @if consents.is_empty() { p.muted { (ctx.t("None.", "Inga.")) } }
        @else { (consent_table(&ctx, &consents)) }
        (proof_section(ctx.lang, &ProofOf { url: format!("/v1/accounts/{address}"), kind: ProofKind::Document, record: format!("account:{address}"), at_ms: None }, ctx.t("Proof", "Bevis")))
    };
    ctx.render(Page { title: what, name: "account", body })
}

/// Consents listed on an account's page at most (the API pages the rest).
const MAX_CONSENTS_LISTED: u32 = 100;

fn consent_table(ctx: &Ctx, consents: &[Consent]) -> Markup {
    html! {
        div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Consents", "Samtycken")) }
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (ctx.t("Citizen", "Medborgare")) }
                th scope="col" { (ctx.t("May be relied on by", "Får användas av")) }
                th scope="col" { (ctx.t("Claims", "Uppgifter")) }
                th scope="col" { (ctx.t("Purpose", "Ändamål")) }
                th scope="col" { (ctx.t("Until", "Till")) }
                th scope="col" { (ctx.t("Uses", "Användningar")) }
            } }
            tbody { @for c in consents { tr {
                td { a href={ "/consents/" (c.id) } { (c.id) } }
                td { (account_link(&c.grantor.to_string())) }
                td { (account_link(&c.grantee.to_string())) }
                td { (c.claims.join(", ")) }
                td { (c.purpose) }
                td { @if c.revoked_at_ms.is_some() { span.badge.bad { (ctx.t("revoked", "återkallat")) } } @else { (time(c.until_ms)) } }
                td { a href={ "/consents/" (c.id) } { (c.uses) } }
            } } }
        } }
    }
}

/// Uses shown on one page of a consent (older and newer pages are linked).
const USES_PER_PAGE: u64 = 100;

/// `GET /consents/{id}`: a citizen's consent and every recorded reliance on it: the citizen's own access log of
/// that credential.
pub async fn consent(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Consent", "Samtycke"));
    let from: u64 = ctx.param("from").and_then(|f| f.parse().ok()).unwrap_or(0).min(u64::from(u32::MAX));
    // The page shows exactly the uses its proof section checks: the same route, the same page.
    let path = format!("/v1/identity/consents/{}?from={from}&limit={USES_PER_PAGE}", segment(&id));
    let c = match ctx.api.get::<ConsentResponse>(&path).await {
        Ok(c) => c,
        Err(f) => return ctx.failure(&what, f),
    };
    let consent = &c.consent;
    let body = html! {
        h1 { (what) }
        p.lead { (ctx.t("A citizen let an agency rely on some claims of a credential, for a purpose, until a date. The ledger records the consent (a digest of the credential and the claims' names, never their values) and every time the agency relied on it.",
            "En medborgare lät en myndighet förlita sig på vissa uppgifter i ett intyg, för ett ändamål, till ett datum. Registret för samtycket (ett kondensat av intyget och uppgifternas namn, aldrig deras värden) och varje gång myndigheten förlitade sig på det.")) }
        dl.facts {
            dt { (ctx.t("Citizen", "Medborgare")) } dd { (account_link(&consent.grantor.to_string())) }
            dt { (ctx.t("May be relied on by", "Får användas av")) } dd { (account_link(&consent.grantee.to_string())) }
            dt { (ctx.t("Claims", "Uppgifter")) } dd { (consent.claims.join(", ")) }
            dt { (ctx.t("Purpose", "Ändamål")) } dd { (consent.purpose) }
            dt { (ctx.t("Granted", "Givet")) } dd { (time(consent.granted_at_ms)) }
            dt { (ctx.t("Until", "Till")) } dd { (time(consent.until_ms)) }
            @if let Some(ms) = consent.revoked_at_ms { dt { (ctx.t("Revoked", "Återkallat")) } dd { span.badge.bad { (ctx.t("revoked", "återkallat")) } " " (time(ms)) } }
            dt { (ctx.t("Credential digest", "Intygets kondensat")) } dd { code.hex { (hex::encode(consent.credential)) } }
        }
        h2 { (ctx.t("Who relied on it, and when", "Vem som förlitade sig på det, och när")) " (" (consent.uses) ")" }
        @if c.uses.is_empty() { p.muted { (ctx.t("Nobody has relied on it yet.", "Ingen har förlitat sig på det ännu.")) } }
        @else { div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Uses of the consent", "Användningar av samtycket")) }
            thead { tr { th scope="col" { "#" } th scope="col" { (ctx.t("By", "Av")) } th scope="col" { (ctx.t("When", "När")) } th scope="col" { (ctx.t("Block", "Block")) } } }
            tbody { @for (i, u) in c.uses.iter().enumerate() { tr {
                td { (u64::from(c.from) + i as u64) }
                td { (account_link(&u.by.to_string())) }
                td { (time(u.time_ms)) }
                td { a href={ "/blocks/" (u.height) } { (u.height) } }
            } } }
        } } }
        p {
            @if from > 0 { a href={ "/consents/" (segment(&id)) "?from=" (from.saturating_sub(USES_PER_PAGE)) } { (ctx.t("Earlier uses", "Tidigare användningar")) } " " }
            @if from + USES_PER_PAGE < u64::from(consent.uses) { a href={ "/consents/" (segment(&id)) "?from=" (from + USES_PER_PAGE) } { (ctx.t("Later uses", "Senare användningar")) } }
        }
        (proof_section(ctx.lang, &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("consent:{}", consent.id), at_ms: None }, ctx.t("Proof", "Bevis")))
    };
    ctx.render(Page { title: what, name: "consent", body })
}

/// `GET /validators`.
pub async fn validators(ctx: Ctx) -> Response {
    let what = ctx.t("Validators", "Validerare").to_string();
    let v = match ctx.api.get::<ValidatorsResponse>("/v1/validators").await {
        Ok(v) => v,
        Err(f) => return ctx.failure(&what, f),
    };
    let body = html! {
        h1 { (what) }
        p.lead { (ctx.t("The validators order the transactions and sign every block; a block needs signatures of more than two thirds of their voting power. The set changes only by a vote of the validators, and every change is on the ledger.",
            "Validerarna ordnar transaktionerna och signerar varje block; ett block behöver signaturer från mer än två tredjedelar av röstkraften. Uppsättningen ändras bara genom omröstning bland validerarna, och varje ändring finns i registret.")) }
        dl.facts {
            dt { (ctx.t("Set", "Uppsättning")) } dd { code.hex { (v.set_hash) } }
            dt { (ctx.t("Voting power", "Röstkraft")) } dd { (v.total_power) " (" (ctx.t("quorum", "kvorum")) " " (v.quorum_power) ")" }
        }
        div.table-wrap { table {
            caption { (ctx.t("Current validators", "Nuvarande validerare")) }
            thead { tr { th scope="col" { (ctx.t("Address", "Adress")) } th scope="col" { (ctx.t("Voting power", "Röstkraft")) } } }
            tbody { @for val in v.validators.validators() { tr {
                td { (account_link(&val.address.to_string())) }
                td { (val.voting_power) }
            } } }
        } }
        h2 { (ctx.t("History of the set", "Uppsättningens historik")) }
        div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Validator sets since the start", "Valideraruppsättningar sedan starten")) }
            thead { tr {
                th scope="col" { (ctx.t("From block", "Från block")) }
                th scope="col" { (ctx.t("Set", "Uppsättning")) }
                th scope="col" { (ctx.t("Validators", "Validerare")) }
                th scope="col" { (ctx.t("Voting power", "Röstkraft")) }
            } }
            tbody { @for s in &v.sets { tr {
                td { a href={ "/blocks/" (s.from_height.max(1)) } { (s.from_height) } }
                td { code { (short(&s.set_hash)) } }
                td { (s.validators) }
                td { (s.total_power) }
            } } }
        } }
        p { a href="/v1/validators/history" download="history.json" { (ctx.t("The signed history of the set (JSON), for publica verify --history", "Uppsättningens signerade historik (JSON), för publica verify --history")) } }
    };
    ctx.render(Page { title: what, name: "validators", body })
}

fn unavailable(ctx: &Ctx) -> Response {
    let body = html! {
        h1 { (ctx.t("The node could not answer", "Noden kunde inte svara")) }
        div.error role="alert" { p { (ctx.t("The node's status is not available; try again in a moment.", "Nodens status är inte tillgänglig; försök igen om en stund.")) } }
    };
    ctx.render_with(
        StatusCode::SERVICE_UNAVAILABLE,
        Page { title: ctx.t("Unavailable", "Inte tillgänglig").into(), name: "error", body },
    )
}
