//! Reads: the elections, one election in words, a voter's receipt checked against the board.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use publica_client::api::ElectionResponse;
use publica_client::Client;
use publica_elections::schema::{ElectionRecord, ElectionStatus};
use publica_types::time::format_time_ms;

use super::parse_receipt;
use crate::cmd::found;
use crate::cmd::registry::ReadArgs;

/// `publica election list`.
pub fn list(from: u64, read: &ReadArgs) -> Result<()> {
    let client = Client::new(&read.api)?;
    let body = client.get(&format!("/v1/elections?from={from}"))?;
    if read.json {
        return print_json(&body);
    }
    let page: publica_client::api::ElectionsResponse =
        serde_json::from_value(body).context("the node's list of elections")?;
    if page.elections.is_empty() {
        println!("no elections from number {from} ({} on the ledger)", page.count);
        return Ok(());
    }
    for e in &page.elections {
        println!(
            "{:>4}  {:<24} {}  {} to {}",
            e.id,
            status_text(&e.status),
            e.name,
            format_time_ms(e.opens_at_ms),
            format_time_ms(e.closes_at_ms)
        );
    }
    let last = page.elections.last().map_or(from, |e| e.id + 1);
    if last < page.count {
        println!("({} elections in all; `publica election list --from {last}` lists the next)", page.count);
    }
    Ok(())
}

/// `publica election show ID`.
pub fn show(id: u64, out: Option<&Path>, read: &ReadArgs) -> Result<()> {
    let client = Client::new(&read.api)?;
    let body = found(client.election_json(id))?;
    save(out, &body, read.json)?;
    if read.json {
        return print_json(&body);
    }
    let answer: ElectionResponse = serde_json::from_value(body).context("the node's answer about an election")?;
    print!("{}", election_text(&answer));
    Ok(())
}

/// Where an election stands, in words.
pub fn status_text(status: &ElectionStatus) -> String {
    match status {
        ElectionStatus::KeyGeneration { step } => format!("key generation (step {step})"),
        ElectionStatus::Credentials => "credentials".into(),
        ElectionStatus::Voting => "voting".into(),
        ElectionStatus::Tallying => "tallying".into(),
        ElectionStatus::Decided => "decided".into(),
    }
}

/// What a trustee's step is called on the command line.
fn step_command(step: u8) -> &'static str {
    match step {
        1 => "cert",
        3 => "polynomial",
        _ => "verification-key",
    }
}

/// An election in words, for people.
pub fn election_text(answer: &ElectionResponse) -> String {
    let e = &answer.election;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("election {}: {}", e.id, e.name));
    if !e.description.is_empty() {
        line(format!("  {}", e.description));
    }
    line(format!("  status        {}", status_text(&e.status)));
    if let ElectionStatus::KeyGeneration { step } = e.status {
        line(format!("                (each trustee runs `publica election trustee {} {}`)", step_command(step), e.id));
    }
    line(format!(
        "  window        {} to {} (closing excluded)",
        format_time_ms(e.opens_at_ms),
        format_time_ms(e.closes_at_ms)
    ));
    line(format!("  uuid          {} (the archive is `{}.bel`)", e.uuid, e.uuid));
    line(format!("  agency        {} (created by {} at height {})", e.agency, e.created_by, e.created_at_height));
    for (q, question) in e.questions.iter().enumerate() {
        let blank = if question.blank { ", or blank" } else { "" };
        line(format!(
            "  question {}    {} (choose {} to {}{blank})",
            q + 1,
            question.question,
            question.min,
            question.max
        ));
        for (a, answer) in question.answers.iter().enumerate() {
            line(format!("    {:>2}. {answer}", a + 1));
        }
    }
    line(format!("  trustees      {} of {} decrypt:", e.threshold, e.trustees.len()));
    for (j, trustee) in e.trustees.iter().enumerate() {
        let decrypted = if e.decrypted_by.contains(&(j as u32 + 1)) { " (decrypted)" } else { "" };
        line(format!("    {:>2}. {trustee}{decrypted}", j + 1));
    }
    line(format!("  credential authority {}", e.credential_authority));
    let frozen = match e.roll_frozen_at_height {
        Some(h) => format!("frozen at height {h}"),
        None => "not frozen".into(),
    };
    line(format!("  roll          {} citizens, {frozen}; roll hash {}", e.roll_count, hex::encode(e.roll_hash)));
    let sealed = if e.credentials_hash.is_some() { "sealed" } else { "not sealed" };
    line(format!(
        "  credentials   {} published (total weight {}), {sealed}",
        e.credentials_count, e.credentials_weight
    ));
    line(format!("  ballots       {} accepted, from {} credentials (weight {})", e.ballots, e.voters, e.voted_weight));
    match &answer.fingerprint {
        Some(f) => line(format!("  fingerprint   {f}")),
        None => line("  fingerprint   none yet (the trustees have not made the key)".into()),
    }
    match &e.head {
        Some(head) => line(format!("  board         {} events, head {}", e.events, hex::encode(head))),
        None => line("  board         empty (it opens when the credentials are sealed)".into()),
    }
    if let Some(counts) = &answer.result {
        line("  result".into());
        for (q, (question, counts)) in e.questions.iter().zip(counts).enumerate() {
            line(format!("    question {}: {}", q + 1, question.question));
            for (name, count) in result_lines(question, counts) {
                line(format!("      {count:>8}  {name}"));
            }
        }
    }
    out
}

/// A question's counts with their answers' names: the blank count first when the question allows blank votes.
fn result_lines(question: &publica_elections::call::Question, counts: &[u64]) -> Vec<(String, u64)> {
    let names = question.blank.then(|| "(blank)".to_owned()).into_iter().chain(question.answers.iter().cloned());
    names.zip(counts.iter().copied()).collect()
}

/// `publica election ballot ID RECEIPT`.
pub fn ballot(id: u64, receipt: &str, out: Option<&Path>, read: &ReadArgs) -> Result<()> {
    let hash = parse_receipt(receipt)?;
    let client = Client::new(&read.api)?;
    let body = found(client.election_ballot_json(id, &hash))?;
    save(out, &body, read.json)?;
    if read.json {
        return print_json(&body);
    }
    let answer: publica_client::api::BallotResponse =
        serde_json::from_value(body).context("the node's answer about a ballot")?;
    let e = &answer.entry;
    println!("ballot {} is on the board of election {id}", hex::encode(answer.ballot));
    println!("  tracker       {}", answer.tracker);
    println!("  event         {} (hash {})", e.event_height, hex::encode(answer.event));
    println!("  block         {} ({})", e.block_height, format_time_ms(e.accepted_at_ms));
    let cast = answer.credential.ballots;
    match (answer.counted, cast) {
        (true, 1) => println!("  counted: it is the only ballot its credential cast"),
        (true, _) => println!("  counted: it is the last of the {cast} ballots its credential cast"),
        (false, _) => println!(
            "  replaced: a later ballot of the same credential counts instead ({cast} in all; the last is {})",
            answer.credential.last_ballot.map(hex::encode).unwrap_or_default()
        ),
    }
    Ok(())
}

/// The election's record in a served answer (for other commands).
pub fn record(client: &Client, id: u64) -> Result<ElectionRecord> {
    Ok(client.election(id)?.election)
}

fn print_json(value: &Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Save a served answer with its proofs, as the node sent it; say so on standard output, or on standard error
/// when standard output carries the JSON (`--json`).
fn save(out: Option<&Path>, body: &Value, json: bool) -> Result<()> {
    if let Some(path) = out {
        std::fs::write(path, serde_json::to_vec_pretty(body)?)
            .with_context(|| format!("writing {}", path.display()))?;
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
    }
    Ok(())
}
