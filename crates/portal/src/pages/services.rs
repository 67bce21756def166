//! The pages whose work is done in the browser: verifying a document, checking a credential, signing in and
//! acting, and choosing which network keys to trust. The server renders the frame and what to expect; the
//! script builds the forms (without JavaScript the page says how to do the same with the command line).

use axum::response::Response;
use maud::{html, Markup};

use crate::html::{Ctx, Page};

fn noscript(ctx: &Ctx, command: &str) -> Markup {
    html! {
        noscript {
            div.notice {
                p { (ctx.t("This check runs in your browser and needs JavaScript. Without it, the same check is done offline by the command line:",
                    "Kontrollen körs i din webbläsare och kräver JavaScript. Utan det görs samma kontroll offline med kommandoraden:")) }
                pre.mono { (command) }
            }
        }
    }
}

/// `GET /verify`.
pub async fn verify(ctx: Ctx) -> Response {
    let body = html! {
        h1 { (ctx.t("Verify a document", "Kontrollera ett dokument")) }
        p.lead { (ctx.t("Choose a file to learn whether it was anchored in the notary log, when and by which agency. Your browser computes the file's SHA-256 itself: the file is never uploaded. It then fetches the receipt and checks it against the validators' keys.",
            "Välj en fil för att se om den har förankrats i notarieloggen, när och av vilken myndighet. Webbläsaren beräknar filens SHA-256 själv: filen laddas aldrig upp. Sedan hämtas kvittot och kontrolleras mot validerarnas nycklar.")) }
        (noscript(&ctx, "sha256sum FILE\npublica notary receipt HASH --out FILE.tlog-proof\npublica verify FILE.tlog-proof FILE --genesis genesis.json"))
        div #verify-app {}
    };
    ctx.render(Page { title: ctx.t("Verify a document", "Kontrollera ett dokument").into(), name: "verify", body })
}

/// `GET /credentials`.
pub async fn credentials(ctx: Ctx) -> Response {
    let body = html! {
        h1 { (ctx.t("Check a credential", "Kontrollera ett intyg")) }
        p.lead { (ctx.t("Paste a credential presentation (an SD-JWT VC) that someone shows you. Your browser checks the issuer's signatures, what the holder chose to disclose, that the holder presented it to you, and, with proofs from the ledger, that the issuer was accredited and has not revoked it.",
            "Klistra in en presentation av ett intyg (en SD-JWT VC) som någon visar dig. Webbläsaren kontrollerar utfärdarens signaturer, vad innehavaren valt att visa, att innehavaren visade den för dig och, med bevis från registret, att utfärdaren var ackrediterad och inte har återkallat intyget.")) }
        (noscript(&ctx, "publica credential bundle PRESENTATION --out bundle.json\npublica credential verify PRESENTATION --bundle bundle.json --genesis genesis.json"))
        div #credential-app {}
    };
    ctx.render(Page { title: ctx.t("Check a credential", "Kontrollera ett intyg").into(), name: "credentials", body })
}

/// `GET /wallet`.
pub async fn wallet(ctx: Ctx) -> Response {
    let body = html! {
        h1 { (ctx.t("Sign in and act", "Logga in och agera")) }
        p.lead { (ctx.t("Sign in with your Publica key file and its passphrase. The key is decrypted in your browser and every transaction is signed here: this server never sees your key or your passphrase. The browser keeps the key file encrypted, as you gave it, for this browser session, or on this computer if you ask it to remember the file; signing out forgets it.",
            "Logga in med din Publica-nyckelfil och dess lösenfras. Nyckeln dekrypteras i webbläsaren och varje transaktion signeras här: servern ser aldrig din nyckel eller lösenfras. Webbläsaren behåller nyckelfilen krypterad, som du gav den, under den här webbläsarsessionen, eller på den här datorn om du ber den komma ihåg filen; när du loggar ut glöms den.")) }
        (noscript(&ctx, "publica anchor FILE --key KEY.json\npublica land approve APPLICATION --key KEY.json"))
        div #wallet-app {}
    };
    ctx.render(Page { title: ctx.t("Sign in and act", "Logga in och agera").into(), name: "wallet", body })
}

/// `GET /trust`.
pub async fn trust(ctx: Ctx) -> Response {
    let body = html! {
        h1 { (ctx.t("Which network keys you trust", "Vilka nätverksnycklar du litar på")) }
        p.lead { (ctx.t("Every proof on this site is checked against a genesis document: the network's first validators and their public keys. Pin the genesis you got from a source you trust (an agency's own site, a printed copy's hash); from then on, your browser checks every proof against it and warns when this server shows another.",
            "Varje bevis på webbplatsen kontrolleras mot ett genesisdokument: nätverkets första validerare och deras publika nycklar. Fäst det genesisdokument du fått från en källa du litar på (en myndighets egen webbplats, en tryckt hash); därefter kontrollerar webbläsaren varje bevis mot det och varnar om servern visar ett annat.")) }
        p { a href="/v1/genesis" download="genesis.json" { (ctx.t("This node's genesis document", "Den här nodens genesisdokument")) } }
        (noscript(&ctx, "publica verify PROOF --genesis genesis.json"))
        div #trust-app {}
    };
    ctx.render(Page { title: ctx.t("Trust", "Förtroende").into(), name: "trust", body })
}
