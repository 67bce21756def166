//! Pushes each new notary checkpoint to the configured witnesses (C2SP tlog-witness `add-checkpoint`) and adds
//! their verified cosignatures to the stored checkpoint, so that receipts carry them.
//!
//! One task per witness waits on the node's checkpoint announcements (`Shared::checkpoints`). For each new
//! checkpoint it sends the witness a consistency proof from the size the witness last acknowledged (0 at first; a
//! 409 answer says the witness's size, and the request is sent again from there). On 200 it verifies the returned
//! cosignature lines with the witness's configured verifier keys, ignoring lines under other keys, and stores the
//! checkpoint again with the valid ones, if it is still the latest. A failure is logged and retried at the next
//! checkpoint or after a back-off that doubles up to [`MAX_BACKOFF`]. Nothing here blocks consensus: the tasks only
//! read the store and rewrite the latest checkpoint's note.
//!
//! The tasks hold the node's shared state only while working, and end when the node's state is dropped.

use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use publica_tlog::{
    parse_signature_lines, AddCheckpointRequest, NoteSignature, SignedCheckpoint, VerifierKey, MAX_NOTE_BYTES,
    MAX_SIGNATURES,
};
use tokio::sync::watch;

use crate::config::WitnessConfig;
use crate::shared::Shared;

/// Longest wait for a witness's answer, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// First wait before retrying a witness that failed.
pub const BACKOFF_MIN: Duration = Duration::from_secs(1);
/// Longest wait before retrying a witness that keeps failing.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Largest answer read from a witness: a few cosignature lines need a few KiB.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Requests per checkpoint and witness: the first, and one more from the size a 409 answer gives.
const MAX_ATTEMPTS: usize = 2;

/// A witness as the pusher sees it.
struct WitnessPeer {
    /// `<url>/add-checkpoint`.
    endpoint: reqwest::Url,
    vkeys: Vec<VerifierKey>,
}

/// Start one pushing task per configured witness (none if no witness is configured). Must run inside a Tokio
/// runtime. The configuration was checked when it was loaded; a witness whose settings fail to parse here is
/// skipped with an error in the log.
pub(crate) fn spawn(shared: &Arc<Shared>) {
    let witnesses = &shared.config.notary.witnesses;
    if witnesses.is_empty() {
        return;
    }
    let client = match reqwest::Client::builder().timeout(REQUEST_TIMEOUT).connect_timeout(REQUEST_TIMEOUT).build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the HTTP client for witnesses; checkpoints stay without their cosignatures");
            return;
        }
    };
    // Serializes the pushers' read-modify-write of the stored checkpoint, so that two witnesses answering at once
    // do not drop each other's cosignatures.
    let store_lock = Arc::new(Mutex::new(()));
    for config in witnesses {
        match target(config) {
            Ok(target) => {
                tracing::info!(witness = %config.url, "pushing notary checkpoints to a witness");
                tokio::spawn(run(
                    Arc::downgrade(shared),
                    shared.checkpoints.subscribe(),
                    target,
                    client.clone(),
                    Arc::clone(&store_lock),
                ));
            }
            Err(e) => tracing::error!(witness = %config.url, error = %e, "witness skipped"),
        }
    }
}

fn target(config: &WitnessConfig) -> Result<WitnessPeer, crate::NodeError> {
    let mut endpoint = config.parsed_url()?;
    let path = format!("{}/add-checkpoint", endpoint.path().trim_end_matches('/'));
    endpoint.set_path(&path);
    Ok(WitnessPeer { endpoint, vkeys: config.parsed_vkeys()? })
}

/// What one round against a witness achieved.
#[derive(Debug, PartialEq, Eq)]
enum Round {
    /// Nothing to push: no checkpoint yet, or the latest already carries this witness's cosignature.
    Idle,
    /// The witness cosigned the checkpoint of this height.
    Cosigned(u64),
    /// The witness has cosigned a larger tree than this node's latest checkpoint (the node is behind).
    WitnessAhead(u64),
}

async fn run(
    shared: Weak<Shared>,
    mut checkpoints: watch::Receiver<u64>,
    target: WitnessPeer,
    client: reqwest::Client,
    store_lock: Arc<Mutex<()>>,
) {
    // The size the witness last acknowledged; 0 until it tells us (a 409 answer corrects a wrong guess).
    let mut acked: u64 = 0;
    let mut backoff = BACKOFF_MIN;
    loop {
        let Some(node) = shared.upgrade() else { return };
        let height = *checkpoints.borrow_and_update();
        let result = round(&node, height, &target, &client, &store_lock, &mut acked).await;
        drop(node);
        let retry = match result {
            Ok(Round::Idle) => None,
            Ok(Round::Cosigned(height)) => {
                tracing::info!(witness = %target.endpoint, height, size = acked, "witness cosigned the checkpoint");
                None
            }
            Ok(Round::WitnessAhead(size)) => {
                tracing::debug!(witness = %target.endpoint, size, "the witness is ahead of this node's log");
                None
            }
            Err(e) => {
                tracing::warn!(witness = %target.endpoint, height, error = %e, retry_in_s = backoff.as_secs(), "witness push failed");
                Some(backoff)
            }
        };
        backoff = if retry.is_some() { (backoff * 2).min(MAX_BACKOFF) } else { BACKOFF_MIN };
        let changed = checkpoints.changed();
        let ended = match retry {
            Some(wait) => tokio::select! {
                changed = changed => changed.is_err(),
                () = tokio::time::sleep(wait) => false,
            },
            None => changed.await.is_err(),
        };
        if ended {
            // The node's shared state is gone: the node stopped.
            return;
        }
    }
}

/// Push the latest checkpoint to the witness and store its cosignatures.
async fn round(
    node: &Arc<Shared>,
    announced: u64,
    target: &WitnessPeer,
    client: &reqwest::Client,
    store_lock: &Arc<Mutex<()>>,
    acked: &mut u64,
) -> Result<Round, String> {
    let latest = {
        let node = Arc::clone(node);
        let lock = Arc::clone(store_lock);
        blocking(move || latest_checkpoint(&node, &lock, announced)).await??
    };
    let Some((height, signed)) = latest else { return Ok(Round::Idle) };
    if carries_cosignature(&signed, &target.vkeys) {
        *acked = (*acked).max(signed.checkpoint.size);
        return Ok(Round::Idle);
    }
    let size = signed.checkpoint.size;
    for _ in 0..MAX_ATTEMPTS {
        if *acked > size {
            return Ok(Round::WitnessAhead(*acked));
        }
        let old = *acked;
        let proof = {
            let node = Arc::clone(node);
            blocking(move || node.log_consistency(old, size)).await??
        };
        let body = AddCheckpointRequest { old_size: old, consistency_proof: proof, checkpoint: signed.clone() };
        match post(client, target, body.to_bytes()).await? {
            Answer::Cosigned(lines) => {
                let valid = verified_cosignatures(&signed, &lines, &target.vkeys)?;
                *acked = size;
                let node = Arc::clone(node);
                let lock = Arc::clone(store_lock);
                blocking(move || add_to_stored(&node, &lock, height, &valid)).await??;
                return Ok(Round::Cosigned(height));
            }
            Answer::Conflict(witness_size) => *acked = witness_size,
        }
    }
    Err(format!("the witness kept answering 409 (its size is now {}); trying again later", *acked))
}

/// The latest stored checkpoint and its height. If a checkpoint was announced for a later height than the store
/// calls latest, the store's pointer was moved back by a concurrent rewrite (see [`add_to_stored`]): it is
/// restored first.
fn latest_checkpoint(
    node: &Shared,
    store_lock: &Mutex<()>,
    announced: u64,
) -> Result<Option<(u64, SignedCheckpoint)>, String> {
    let _guard = store_lock.lock();
    let store = &node.store;
    let stored = store.latest_checkpoint().map_err(|e| e.to_string())?;
    let (height, bytes) = match stored {
        Some((height, _)) if height < announced => match store.checkpoint(announced).map_err(|e| e.to_string())? {
            Some(bytes) => {
                store.put_checkpoint(announced, &bytes).map_err(|e| e.to_string())?;
                (announced, bytes)
            }
            None => return Err(format!("checkpoint {announced} was announced but is not in the store")),
        },
        Some(found) => found,
        None => return Ok(None),
    };
    let signed = SignedCheckpoint::parse(&bytes).map_err(|e| format!("stored checkpoint {height}: {e}"))?;
    Ok(Some((height, signed)))
}

/// Whether the note already carries a line under one of the witness's keys (this node stored it after verifying).
fn carries_cosignature(signed: &SignedCheckpoint, vkeys: &[VerifierKey]) -> bool {
    signed.note.signatures().iter().any(|s| vkeys.iter().any(|k| k.name == s.name && k.key_id == s.key_id))
}

/// A witness's answer that the pusher acts on.
enum Answer {
    /// 200: the signature lines.
    Cosigned(Vec<NoteSignature>),
    /// 409: the size of the witness's latest cosigned checkpoint.
    Conflict(u64),
}

async fn post(client: &reqwest::Client, target: &WitnessPeer, body: Vec<u8>) -> Result<Answer, String> {
    let mut response = client
        .post(target.endpoint.clone())
        .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("reading the answer: {e}"))? {
        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(format!("the answer ({status}) is larger than {MAX_RESPONSE_BYTES} bytes"));
        }
        bytes.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&bytes);
    match status.as_u16() {
        200 => {
            let lines = parse_signature_lines(&text).map_err(|e| format!("the cosignature lines do not parse: {e}"))?;
            Ok(Answer::Cosigned(lines))
        }
        409 => {
            let size = text
                .strip_suffix('\n')
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| format!("409 answer {:?} is not a tree size and a newline", truncate(&text)))?;
            Ok(Answer::Conflict(size))
        }
        _ => Err(format!("the witness answered {status}: {}", truncate(&text))),
    }
}

fn truncate(text: &str) -> &str {
    let end = text.char_indices().nth(300).map_or(text.len(), |(i, _)| i);
    text[..end].trim_end()
}

/// The returned lines that are under one of the witness's keys and verify on the checkpoint. Lines under other
/// keys are ignored (tlog-witness); a line under a known key that fails is an error, and none are kept.
fn verified_cosignatures(
    signed: &SignedCheckpoint,
    lines: &[NoteSignature],
    vkeys: &[VerifierKey],
) -> Result<Vec<NoteSignature>, String> {
    let text = signed.note.text();
    let mut valid = Vec::new();
    for line in lines {
        let Some(key) = vkeys.iter().find(|k| k.name == line.name && k.key_id == line.key_id) else { continue };
        key.verify(text, line).map_err(|e| format!("the witness returned a cosignature that does not verify: {e}"))?;
        valid.push(line.clone());
    }
    if valid.is_empty() {
        return Err("the witness answered 200 without a cosignature under its configured vkeys; check the vkeys \
                    in notary.witnesses"
            .into());
    }
    Ok(valid)
}

/// Add verified cosignatures to the checkpoint stored for `height` and store it again, if it is still the latest
/// (a cosignature of an older checkpoint is dropped: receipts use the latest).
///
/// The store moves its latest-checkpoint pointer on every write, so a new checkpoint written by consensus between
/// the check and the write here would be hidden behind this one; it is restored when that checkpoint is announced
/// ([`latest_checkpoint`]), and checked for here once more after the write.
fn add_to_stored(
    node: &Shared,
    store_lock: &Mutex<()>,
    height: u64,
    cosignatures: &[NoteSignature],
) -> Result<(), String> {
    let _guard = store_lock.lock();
    let store = &node.store;
    match store.latest_checkpoint().map_err(|e| e.to_string())? {
        Some((latest, bytes)) if latest == height => {
            let mut signed = SignedCheckpoint::parse(&bytes).map_err(|e| format!("stored checkpoint {height}: {e}"))?;
            for sig in cosignatures {
                signed.add_signature(sig.clone());
            }
            let bytes = signed.to_bytes();
            // The stored note must parse again, for receipts and for the next pusher.
            if bytes.len() > MAX_NOTE_BYTES || signed.note.signatures().len() > MAX_SIGNATURES {
                return Err(format!(
                    "checkpoint {height} with the cosignatures would exceed {MAX_NOTE_BYTES} bytes or \
                     {MAX_SIGNATURES} signature lines; configure fewer witnesses"
                ));
            }
            store.put_checkpoint(height, &bytes).map_err(|e| e.to_string())?;
        }
        _ => return Ok(()),
    }
    let announced = *node.checkpoints.borrow();
    if announced > height {
        if let Some(bytes) = store.checkpoint(announced).map_err(|e| e.to_string())? {
            store.put_checkpoint(announced, &bytes).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f).await.map_err(|e| format!("a blocking task failed: {e}"))
}

#[cfg(test)]
mod tests {
    use publica_tlog::{Checkpoint, Ed25519Cosigner, Ed25519NoteSigner, MlDsa44Cosigner};

    use super::*;
    use crate::config::NotaryConfig;

    fn witness(url: &str, vkeys: Vec<String>) -> WitnessConfig {
        WitnessConfig { url: url.into(), vkeys }
    }

    fn cosigners() -> (MlDsa44Cosigner, Ed25519Cosigner) {
        (
            MlDsa44Cosigner::from_seed("w.example", &[1; 32]).unwrap(),
            Ed25519Cosigner::from_seed("w.example", &[2; 32]).unwrap(),
        )
    }

    #[test]
    fn witness_settings_are_checked_when_loaded() {
        let (ml, ed) = cosigners();
        let good = vec![ml.verifier_key().to_string(), ed.verifier_key().to_string()];
        let check = |witnesses: Vec<WitnessConfig>| NotaryConfig { witnesses }.check();
        check(vec![witness("http://127.0.0.1:9000", good.clone())]).unwrap();
        check(vec![]).unwrap();
        let note_key = Ed25519NoteSigner::from_seed("w.example", &[3; 32]).unwrap().verifier_key().to_string();
        for (case, config, needle) in [
            ("https", witness("https://w.example", good.clone()), "https"),
            ("other scheme", witness("ftp://w.example", good.clone()), "scheme"),
            ("no host", witness("http://", good.clone()), "url"),
            ("query", witness("http://w.example/?a=1", good.clone()), "query"),
            ("credentials", witness("http://u:p@w.example", good.clone()), "credentials"),
            ("no vkeys", witness("http://w.example", vec![]), "1 to 8 vkeys"),
            ("bad vkey", witness("http://w.example", vec!["w.example+00000000+AAAA".into()]), "does not parse"),
            ("note key", witness("http://w.example", vec![note_key]), "0x04"),
        ] {
            let err = check(vec![config]).unwrap_err().to_string();
            assert!(err.contains(needle), "{case}: {err}");
        }
        let twice = check(vec![witness("http://w.example", good.clone()), witness("http://w.example/", good)]);
        assert!(twice.unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn the_endpoint_is_the_prefix_and_add_checkpoint() {
        let (ml, _) = cosigners();
        for (url, endpoint) in [
            ("http://w.example:9000", "http://w.example:9000/add-checkpoint"),
            ("http://w.example/witness/", "http://w.example/witness/add-checkpoint"),
            ("http://w.example/witness", "http://w.example/witness/add-checkpoint"),
        ] {
            let target = target(&witness(url, vec![ml.verifier_key().to_string()])).unwrap();
            assert_eq!(target.endpoint.as_str(), endpoint);
        }
    }

    #[test]
    fn only_cosignatures_under_the_configured_keys_are_kept_and_a_bad_one_is_refused() {
        let (ml, ed) = cosigners();
        let checkpoint = Checkpoint::new("publica/test/notary", 3, [9; 32]).unwrap();
        let signed = SignedCheckpoint::new(checkpoint.clone()).unwrap();
        let stranger = MlDsa44Cosigner::from_seed("stranger", &[4; 32]).unwrap();
        let lines = vec![
            ml.cosign(&checkpoint, 100).unwrap(),
            stranger.cosign(&checkpoint, 100).unwrap(),
            ed.cosign(&checkpoint, 100).unwrap(),
        ];
        let vkeys = vec![ml.verifier_key(), ed.verifier_key()];
        let kept = verified_cosignatures(&signed, &lines, &vkeys).unwrap();
        assert_eq!(kept, vec![lines[0].clone(), lines[2].clone()]);
        // A cosignature of another checkpoint under a configured key.
        let other = Checkpoint::new("publica/test/notary", 4, [9; 32]).unwrap();
        let wrong = vec![ed.cosign(&other, 100).unwrap()];
        assert!(verified_cosignatures(&signed, &wrong, &vkeys).unwrap_err().contains("does not verify"));
        // Nothing under the configured keys.
        assert!(verified_cosignatures(&signed, &lines[1..2], &vkeys).unwrap_err().contains("vkeys"));
        assert!(carries_cosignature(
            &{
                let mut s = signed.clone();
                s.add_signature(kept[0].clone());
                s
            },
            &vkeys
        ));
        assert!(!carries_cosignature(&signed, &vkeys));
    }
}
