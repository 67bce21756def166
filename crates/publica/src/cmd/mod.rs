//! One module per command.

pub mod anchor;
pub mod bench;
pub mod contract;
pub mod credential;
pub mod data;
pub mod describe;
pub mod dev;
pub mod did;
pub mod election;
pub mod finance;
pub mod governance;
pub mod identity;
pub mod keys;
pub mod load;
pub mod node;
pub mod procurement;
pub mod query;
pub mod registry;
pub mod testnet;
pub mod tx;
pub mod vault;
pub mod verify;
pub mod witness;

/// A file of at most `max` bytes (`what` names it in the error). At most one byte more is read, so a file that
/// grows after being opened cannot make this read more.
pub fn read_bounded(path: &std::path::Path, max: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(max + 1).read_to_end(&mut bytes))
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > max {
        anyhow::bail!("{} is more than {max} bytes; {what} may have at most {max}", path.display());
    }
    Ok(bytes)
}

/// A listen address from what a person types: `HOST:PORT` (`127.0.0.1:8080`, `localhost:8080`, `[::1]:8080`) or
/// the URL clients will use (`http://127.0.0.1:8080`), so that the same text works for `--api` everywhere.
pub fn listen_address(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs as _;
    let usage = "give HOST:PORT, such as 127.0.0.1:8080, or a URL such as http://127.0.0.1:8080";
    let base = publica_client::api_base(text).map_err(|e| format!("{e:#}"))?;
    let (scheme, rest) = base.split_once("://").expect("api_base returns a URL");
    if scheme != "http" || rest.contains('/') {
        return Err(format!("{text:?}: a node listens on plain HTTP at a host and port, without a path; {usage}"));
    }
    let mut addresses =
        rest.to_socket_addrs().map_err(|e| format!("{text:?} is not an address to listen on ({e}); {usage}"))?;
    addresses.next().ok_or_else(|| format!("{text:?} resolves to no address; {usage}"))
}

/// The exit code of a question whose answer is "no such record" or "none at that time" (0: found, 1: error, 2: usage
/// error), so that scripts can tell an absence from a failure.
pub const NOT_FOUND_EXIT: u8 = 3;

/// A command's answer was an absence it has already printed (and saved, with `--out`): the command exits with
/// [`NOT_FOUND_EXIT`] without a further message.
#[derive(Debug)]
pub struct Absent;

impl std::fmt::Display for Absent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not found")
    }
}

impl std::error::Error for Absent {}

/// The last line of a proven read: the header its proofs lead to, and how to save the answer when `out` is not set.
pub fn proven_line(certified: &publica_verify::CertifiedHeader, out: Option<&std::path::Path>) -> String {
    let header = &certified.header;
    let save = match out {
        Some(_) => String::new(),
        None => "; --out FILE saves the answer with its proofs for `publica verify`".into(),
    };
    format!(
        "proven under the certified header of height {} (block time {}){save}",
        header.height,
        publica_types::time::format_time_ms(header.time_ms)
    )
}

/// A read whose answer is "no such thing" (the node's `not_found` or a module's `…_not_found`) ends the command with
/// the not-found exit code ([`NOT_FOUND_EXIT`]), after saying so.
pub fn found<T>(answer: anyhow::Result<T>) -> anyhow::Result<T> {
    match answer {
        Err(e)
            if e.chain()
                .filter_map(|c| c.downcast_ref::<publica_client::Refusal>())
                .any(|r| r.code == "not_found" || r.code.ends_with("_not_found")) =>
        {
            eprintln!("error: {e:#}");
            Err(Absent.into())
        }
        other => other,
    }
}

/// An answer as JSON, as the node served it: the response types are the API's own, so encoding one again gives
/// back the served document, proofs included.
pub fn to_json(answer: &impl serde::Serialize) -> anyhow::Result<serde_json::Value> {
    use anyhow::Context as _;
    serde_json::to_value(answer).context("encoding the node's answer")
}

/// Write a served answer with its proofs to `path`; say so on standard output, or on standard error when standard
/// output carries the JSON (`json`).
pub fn save_answer(path: &std::path::Path, body: &serde_json::Value, json: bool) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::write(path, serde_json::to_vec_pretty(body)?).with_context(|| format!("writing {}", path.display()))?;
    let note = format!(
        "answer with its proofs written to {}; check it with `publica verify {} --genesis GENESIS`",
        path.display(),
        path.display()
    );
    if json {
        eprintln!("{note}");
    } else {
        println!("{note}");
    }
    Ok(())
}

/// Whether a reading command's error means "not found": an absence it printed, or the node's `not_found` (a node
/// that does not keep a past state says `past_state_not_kept` instead, which is no answer about the record).
pub fn is_not_found(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|c| c.is::<Absent>() || c.downcast_ref::<publica_client::Refusal>().is_some_and(|r| r.code == "not_found"))
}

/// `n` and the noun, in the plural unless `n` is 1: "1 file", "2 files"; "1 distinct hash", "2 distinct hashes".
pub fn count(n: usize, noun: &str) -> String {
    match (n, noun.ends_with('h')) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        (_, false) => format!("{n} {noun}s"),
    }
}

/// What to do on the command line about a node's refusal, where its code has a CLI answer the node's own message
/// (which names no command) cannot give.
pub fn hint(refusal: &publica_client::Refusal) -> Option<&'static str> {
    Some(match refusal.code.as_str() {
        "not_a_party" if refusal.message.contains(" role ") => {
            "to approve for a role you hold, add --as-role ROLE (one of the roles named above)"
        }
        "unknown_sender" => {
            "no account uses this key: if it was replaced by `publica keys rotate`, sign with the new key file \
             (`publica keys list DIR --api URL` shows which account each key signs for)"
        }
        "bad_signature" => {
            "if the account's key was rotated (`publica keys rotate`), sign with the new key file; \
             `publica keys list DIR --api URL` shows which account each key signs for"
        }
        "bad_nonce" | "nonce_too_far_ahead" => {
            "another transaction of this account was sent meanwhile; send again (the nonce is read afresh)"
        }
        "missing_role" => "the sender lacks the role; its agency's administrator grants roles (`publica tx set-roles`)",
        "expired" => "send again: the transaction is signed afresh with a new expiry (--expires-in SECONDS)",
        "not_found" if refusal.message.starts_with("account ") => {
            "an account keeps the address of its first key: after `publica keys rotate`, query that address \
             (`publica keys list DIR --api URL` shows which account each key signs for)"
        }
        "not_found" if refusal.message.contains("governance proposal") => {
            "`publica governance proposals` lists the proposals"
        }
        "insufficient_funds" | "daily_limit_exceeded" | "balance_cap_exceeded" => {
            "the node's message gives amounts in the currency's smallest unit (100 to the unit for a currency with 2 \
             decimals); `publica finance account --currency CODE --key KEY` shows a wallet's balance and what it sent \
             today, `publica finance currency CODE` the tiers' limits"
        }
        "appropriation_exceeded" | "allocation_exceeded" | "commitment_exceeded" => {
            "the node's message gives amounts in the currency's smallest unit (100 to the unit for a currency with 2 \
             decimals); `publica finance budget show YEAR`, `publica finance allocations` and `publica finance \
             commitments` show what is left"
        }
        "duplicate_claim" => {
            "the citizen was paid for this scheme and month already; `publica finance nullifier SCHEME YYYYMM \
             NULLIFIER` shows the claim that recorded the nullifier"
        }
        "out_of_time" => {
            "`publica procurement show TENDER` shows the tender's timeline; `publica procurement open TENDER --wait` \
             waits for the opening time"
        }
        "ceremony_step" => {
            "`publica procurement key show KEY` shows where the key ceremony stands: each holder joins, then deals, \
             then checks; the key is finished after its complaint deadline"
        }
        "award_invalid" | "score_invalid" => {
            "`publica procurement lot TENDER --lot N` shows the ranking, or what it still lacks (a bid not open, a \
             member's scores)"
        }
        _ => return None,
    })
}
