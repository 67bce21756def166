//! The credentials benchmark (`publica bench --workload credentials`): identity and verifiable credentials.
//!
//! A single-validator network on the production path (see [`super::BenchNode`]) gets a trust root, a ministry it
//! accredits and a university the ministry accredits (an accreditation chain of two links), a registered schema and
//! the university's status list of `--status-entries` one-bit entries; then it measures:
//!
//! 1. credentials issued per second on one core (SD-JWT VCs with six disclosable claims, hybrid and compact), each
//!    against the raw signing of a message of the size of the credential's JWS signing input, in alternating rounds
//!    of the same run;
//! 2. revoking 1 % of the list at random in one `update_status` transaction (at most 10,000 indices): its size and
//!    its time from submission to commit, with the node's execution and storage time in that window;
//! 3. the offline check of one presentation (`publica_verify::verify_credential`) with a bundle of ledger proofs
//!    fetched through the node's API (the issuer's DID resolution at issuance, the accreditation chain, the schema
//!    and the status entry, each with its proofs under a certified header), and the signature checks alone (the
//!    presentation's four, the four certificates');
//! 4. sizes: the status list's `lst` (zlib) and its status list token in both forms, built from the proven chain
//!    bytes; the status entry answer proving one bit, with and without its certificate; against AnonCreds'
//!    revocation tails (about 1.6 MB per 5,000 credentials).

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use publica_accounts::did::{Did, ED25519_FRAGMENT, ML_DSA_65_FRAGMENT};
use publica_client::{Client, DidVersion, Expiry, Signer};
use publica_credentials::jose::{hybrid_jwks, Jwk};
use publica_credentials::{
    Claim, CredentialContent, Form, Issuer, StatusList, StatusListToken, StatusReference, VerifyPolicy,
};
use publica_crypto::Keypair;
use publica_identity::call::{IdentityCall, SCHEMA_DIALECT, STATUS_REVOKED};
use publica_identity::query;
use publica_identity::schema::Accreditation;
use publica_node::NodeHandle;
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::{codec, Role, TxOutcome};
use publica_verify::credential::status_uri;
use publica_verify::{CertifiedHeader, CredentialBundle, CredentialPolicy, VerifiedSets};
use rand::seq::index::sample;
use serde_json::{json, Value};

use super::{submit_all, BenchNode};
use crate::bench::report::out;
use crate::node::wait_committed;

/// The credential type the benchmark's university is accredited for.
const VCT: &str = "https://publica.example/vct/diploma";
/// Alternating rounds of the issuance measurement (credential, then raw signing, in turn).
const ROUNDS: usize = 4;
/// Offline verifications timed.
const VERIFICATIONS: usize = 200;
/// AnonCreds' revocation tails file for a registry of 5,000 credentials, bytes (Hyperledger Indy's figure).
const ANONCREDS_TAILS_BYTES: f64 = 1.6e6;
/// Credentials that tails file serves.
const ANONCREDS_TAILS_CREDENTIALS: f64 = 5_000.0;
/// The audience a presentation is bound to.
const AUDIENCE: &str = "https://verifier.example";

/// What the credentials workload is asked to do.
pub struct Params {
    /// Credentials issued in each form for the issuance rate (spread over the rounds).
    pub credentials: usize,
    /// Entries of the university's status list.
    pub status_entries: u32,
}

/// The officials of the benchmark's trust chain.
struct Actors {
    root: Keypair,
    ministry: Keypair,
    university: Keypair,
}

/// Issuance rate against the raw signing of a same-sized message, one core.
struct Issuance {
    form: Form,
    credential_bytes: usize,
    input_bytes: usize,
    issued_per_sec: f64,
    signed_per_sec: f64,
}

/// Run the workload and print its report.
// Long: one measurement's phases in order, each a few lines, sharing the node, the keys and the list.
pub fn run(params: &Params) -> Result<()> {
    use publica_identity::call::{MAX_STATUS_LIST_ENTRIES, MAX_STATUS_UPDATE_INDICES};
    if params.status_entries == 0 || params.status_entries > MAX_STATUS_LIST_ENTRIES {
        bail!("--status-entries must be 1 to {MAX_STATUS_LIST_ENTRIES} (the largest status list)");
    }
    if params.credentials < ROUNDS {
        bail!("--credentials must be at least {ROUNDS} (one per round)");
    }
    out!(
        "publica bench: {} cores, {} rayon threads, workload Credentials",
        std::thread::available_parallelism()?.get(),
        rayon::current_num_threads()
    );
    let bench = BenchNode::new("bench-identity", "Benchmark Ministry", false, |_| {})?;
    let node = bench.node();
    let genesis = &bench.genesis;
    let started_all = Instant::now();
    let phase = |what: &str| eprintln!("[{:>6.1} s] {what}", started_all.elapsed().as_secs_f64());
    let actors = Actors { root: Keypair::generate(), ministry: Keypair::generate(), university: Keypair::generate() };

    phase("trust chain: officials, schema, accreditations, status list");
    let (list, nonce) = setup(&bench, &node, &actors, params.status_entries)?;
    let university = actors.university.public_key().address();
    let did = Did::new(genesis.chain_id.clone(), university);
    let (did_text, kid_ml, kid_ed) = (did.to_string(), did.url(ML_DSA_65_FRAGMENT), did.url(ED25519_FRAGMENT));
    let issuer = Issuer { keypair: &actors.university, did: &did_text, kid_ml_dsa_65: &kid_ml, kid_ed25519: &kid_ed };
    let api = format!("http://{}", bench.running.api_addr);
    let uri = status_uri(&api, &university, list);

    phase("issuance against raw signing");
    let holder = Keypair::generate();
    let sample_content = content(&holder, Some(StatusReference { idx: 0, uri: uri.clone() }), 0);
    let issuance = [
        measure_issuance(&issuer, &sample_content, Form::Hybrid, params.credentials)?,
        measure_issuance(&issuer, &sample_content, Form::Compact, params.credentials)?,
    ];

    phase("revoking 1 % of the list in one update_status");
    let revoke_count = (params.status_entries as usize / 100).clamp(1, MAX_STATUS_UPDATE_INDICES);
    let mut revoked: Vec<u32> = sample(&mut rand::thread_rng(), params.status_entries as usize, revoke_count)
        .into_iter()
        .map(|i| i as u32)
        .collect();
    revoked.sort_unstable();
    let revoke = revoke_batch(&node, &actors.university, (&genesis.chain_id, nonce), list, revoked.clone())?;

    phase("a presentation and its bundle");
    // The credential's entry: one that stayed valid, so that the check goes through every step.
    let index = (0..params.status_entries).find(|i| revoked.binary_search(i).is_err()).context("no valid entry")?;
    // Its issuance time is after the issuer's key took effect (whole seconds), and the proofs are of a later block.
    std::thread::sleep(Duration::from_millis(1_100));
    let now = publica_client::now_ms() / 1000;
    let credential = publica_credentials::issue(
        &issuer,
        &content(&holder, Some(StatusReference { idx: u64::from(index), uri: uri.clone() }), now),
        Form::Hybrid,
    )?;
    let challenge = hex::encode(publica_crypto::sha256(&now.to_le_bytes()));
    let presentation = publica_credentials::present(
        &credential,
        &holder,
        &["given_name", "family_name", "degree"],
        AUDIENCE,
        &challenge,
        now,
    )?;
    wait_block_after(&node, now * 1000)?;
    let client = Client::new(&api)?;
    let bundle = fetch_bundle(&client, &did, VCT, now, list, index)?;

    phase("offline verification");
    let sets = VerifiedSets::genesis_only(genesis);
    let policy = CredentialPolicy {
        audience: AUDIENCE.into(),
        nonce: challenge,
        now_secs: publica_client::now_ms() / 1000,
        presentation: VerifyPolicy::default(),
        max_status_age_secs: publica_verify::credential::DEFAULT_MAX_STATUS_AGE_SECS,
        trusted_roots: Some(vec![actors.root.public_key().address()]),
    };
    let verified = publica_verify::verify_credential(&presentation, &bundle, &sets, &policy)
        .map_err(|e| anyhow::anyhow!("the benchmark presentation was refused ({}): {e}", e.check()))?;
    ensure!(verified.chain_links == 2, "the accreditation chain has {} links, not 2", verified.chain_links);
    let started = Instant::now();
    for _ in 0..VERIFICATIONS {
        std::hint::black_box(publica_verify::verify_credential(&presentation, &bundle, &sets, &policy)?);
    }
    let verify_us = started.elapsed().as_secs_f64() * 1e6 / VERIFICATIONS as f64;
    let checks = SignatureChecks::of(&presentation, &bundle, actors.university.public_key(), holder.public_key())?;
    let started = Instant::now();
    for _ in 0..VERIFICATIONS {
        checks.run(&genesis.chain_id, &genesis.validators)?;
    }
    let signatures_us = started.elapsed().as_secs_f64() * 1e6 / VERIFICATIONS as f64;

    phase("status list sizes and the proof of one bit");
    let sizes = status_sizes(&node, &issuer, &uri, list, &revoked)?;
    let status_answer = bundle.status.as_ref().context("the bundle has no status answer")?;
    let proof = ProofSizes::of(status_answer)?;

    print_report(&Report {
        issuance: &issuance,
        revoke: &revoke,
        revoke_count,
        entries: params.status_entries,
        verify_us,
        signatures_us,
        checks: &checks,
        presentation_bytes: presentation.len(),
        bundle_bytes: serde_json::to_vec(&bundle)?.len(),
        sizes: &sizes,
        proof: &proof,
    });
    drop(client);
    bench.stop(node);
    Ok(())
}

/// Six claims, all disclosable: a diploma.
fn claims() -> Vec<Claim> {
    [
        ("given_name", json!("Maria")),
        ("family_name", json!("Borg")),
        ("birthdate", json!("2001-04-17")),
        ("degree", json!("Master of Science")),
        ("field", json!("Computer Science")),
        ("graduation_date", json!("2026-07-01")),
    ]
    .into_iter()
    .map(|(name, value)| Claim { name: name.into(), value, disclosable: true })
    .collect()
}

/// A diploma for `holder`, issued at `now` (seconds), valid for a year, with two decoy digests (as the CLI issues).
fn content(holder: &Keypair, status: Option<StatusReference>, now: u64) -> CredentialContent {
    CredentialContent {
        vct: VCT.into(),
        iat: now,
        nbf: now,
        exp: now + 365 * 86_400,
        holder: holder.public_key().clone(),
        status,
        claims: claims(),
        decoys: 2,
    }
}

/// Register the officials, the schema, the two accreditations and the university's status list; returns the
/// list's number and the university's next nonce.
fn setup(bench: &BenchNode, node: &NodeHandle, actors: &Actors, entries: u32) -> Result<(u32, u64)> {
    let chain = &bench.genesis.chain_id;
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let signer = |key| Signer::new(key, chain.clone(), 0).expiring(expiry);
    let mut admin = signer(&bench.admin);
    let officials: Vec<Transaction> =
        [(&actors.root, publica_identity::TRUST_ROOT_ROLE), (&actors.ministry, "clerk"), (&actors.university, "clerk")]
            .into_iter()
            .map(|(key, role)| {
                Ok(admin.sign(AccountsCall::RegisterOfficial {
                    public_key: key.public_key().clone(),
                    agency: bench.agency.clone(),
                    roles: vec![role.parse::<Role>()?],
                }))
            })
            .collect::<Result<_>>()?;
    commit(node, &officials)?;

    let text = json!({"type": "string", "maxLength": 200});
    let date = json!({"type": "string", "format": "date"});
    let document = json!({
        "$schema": SCHEMA_DIALECT,
        "title": "Diploma",
        "type": "object",
        "properties": {
            "given_name": text, "family_name": text, "birthdate": date,
            "degree": text, "field": text, "graduation_date": date,
        },
        "required": ["degree"],
    })
    .to_string();
    let schema = publica_crypto::sha256(document.as_bytes());
    let now_ms = publica_client::now_ms();
    let window = (now_ms - 60_000, now_ms + 365 * 86_400_000);
    let accredit = |issuer: &Keypair, (valid_from_ms, valid_until_ms): (u64, u64)| IdentityCall::Accredit {
        issuer: issuer.public_key().address(),
        credential_type: VCT.into(),
        schema,
        valid_from_ms,
        valid_until_ms,
    };
    let mut root = signer(&actors.root);
    let mut university = signer(&actors.university);
    let create = university.sign(Call::Identity(IdentityCall::CreateStatusList { bits: 1, capacity: entries }));
    commit(
        node,
        &[
            root.sign(Call::Identity(IdentityCall::RegisterSchema {
                type_name: VCT.into(),
                version: 1,
                document: document.into_bytes(),
            })),
            root.sign(Call::Identity(accredit(&actors.ministry, window))),
            create.clone(),
        ],
    )?;
    let list = match node.tx_status(&create.id()) {
        publica_node::TxStatus::Committed { outcome: Some(TxOutcome::StatusList { number }), .. } => number,
        other => bail!("the status list was not created: {other:?}"),
    };
    let inner = (window.0 + 1_000, window.1 - 1_000);
    commit(node, &[signer(&actors.ministry).sign(Call::Identity(accredit(&actors.university, inner)))])?;
    Ok((list, university.take_nonce()))
}

/// Submit and wait until every one is committed.
fn commit(node: &NodeHandle, txs: &[Transaction]) -> Result<()> {
    let ids = submit_all(node, txs)?;
    wait_committed(node, &ids, Duration::from_secs(120))
}

/// Issue `count` credentials of `form` and sign as many messages of the size of its JWS signing input with the
/// matching raw signature (hybrid `Keypair::sign`, or the Ed25519 half for the compact form), in alternating
/// rounds on this thread.
fn measure_issuance(issuer: &Issuer<'_>, content: &CredentialContent, form: Form, count: usize) -> Result<Issuance> {
    let sample = publica_credentials::issue(issuer, content, form)?;
    let input_bytes = signing_input_len(&sample, form)?;
    let message = vec![b'e'; input_bytes];
    let per_round = count / ROUNDS;
    let (mut issuing, mut signing) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..per_round {
            std::hint::black_box(publica_credentials::issue(issuer, content, form)?);
        }
        issuing += started.elapsed();
        let started = Instant::now();
        for _ in 0..per_round {
            match form {
                Form::Hybrid => drop(std::hint::black_box(issuer.keypair.sign(&message))),
                Form::Compact => drop(std::hint::black_box(issuer.keypair.sign_ed25519(&message))),
            }
        }
        signing += started.elapsed();
    }
    let done = (per_round * ROUNDS) as f64;
    Ok(Issuance {
        form,
        credential_bytes: sample.len(),
        input_bytes,
        issued_per_sec: done / issuing.as_secs_f64(),
        signed_per_sec: done / signing.as_secs_f64(),
    })
}

/// The length of the JWS signing input `<protected>.<payload>` of an issued credential (of the ML-DSA-65 entry
/// for the hybrid form).
fn signing_input_len(credential: &str, form: Form) -> Result<usize> {
    Ok(match form {
        Form::Compact => {
            let jwt = credential.split('~').next().context("a compact credential")?;
            jwt.rfind('.').context("a compact JWS has three parts")?
        }
        Form::Hybrid => {
            let jws: Value = serde_json::from_str(credential)?;
            let protected = jws["signatures"][0]["protected"].as_str().context("a hybrid JWS's first entry")?;
            let payload = jws["payload"].as_str().context("a hybrid JWS's payload")?;
            protected.len() + 1 + payload.len()
        }
    })
}

/// The revocation batch, timed from submission to commit.
struct Revocation {
    tx_bytes: usize,
    secs: f64,
    durable_secs: f64,
    blocks: u64,
    execute_secs: f64,
    store_secs: f64,
}

/// Revoke `indices` of list `list` in one transaction of the list's owner, submitted to the node and committed.
fn revoke_batch(
    node: &NodeHandle,
    owner: &Keypair,
    (chain, nonce): (&publica_types::ChainId, u64),
    list: u32,
    indices: Vec<u32>,
) -> Result<Revocation> {
    let expiry = Expiry::AtMs(publica_client::now_ms() + 3_600_000);
    let tx = Signer::new(owner, chain.clone(), nonce)
        .expiring(expiry)
        .sign(Call::Identity(IdentityCall::UpdateStatus { list, status: STATUS_REVOKED, indices }));
    let tx_bytes = tx.encode().len();
    let (height, execute, store) =
        (node.height(), metric(node, "execute_seconds_sum")?, metric(node, "store_seconds_sum")?);
    let stored = metric(node, "store_seconds_count")?;
    let started = Instant::now();
    commit(node, std::slice::from_ref(&tx))?;
    let secs = started.elapsed().as_secs_f64();
    // A block is visible before it is synced to disk: wait until every block of the window is durable.
    let blocks = node.height() - height;
    let deadline = Instant::now() + Duration::from_secs(30);
    while metric(node, "store_seconds_count")? < stored + blocks as f64 {
        if Instant::now() > deadline {
            bail!("the revocation's block was not stored within 30 s");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(Revocation {
        tx_bytes,
        secs,
        durable_secs: started.elapsed().as_secs_f64(),
        blocks,
        execute_secs: metric(node, "execute_seconds_sum")? - execute,
        store_secs: metric(node, "store_seconds_sum")? - store,
    })
}

/// A value of the node's metrics (a histogram's `<name>_sum` or `<name>_count`), with any prefix.
fn metric(node: &NodeHandle, name: &str) -> Result<f64> {
    parse_metric(&node.render_metrics(), name)
}

/// The value of metric `name` (with any prefix) in a Prometheus text exposition.
fn parse_metric(text: &str, name: &str) -> Result<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (metric, value) = line.split_once(' ')?;
            (metric == name || metric.ends_with(&format!("_{name}"))).then(|| value.trim().parse().ok())?
        })
        .with_context(|| format!("the node's metrics have no {name}"))
}

/// Wait until the node has committed a block timed at or after `at_ms`.
fn wait_block_after(node: &NodeHandle, at_ms: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while node.view(|state| state.time_ms()) < at_ms {
        if Instant::now() > deadline {
            bail!("no block after {at_ms} ms within 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// The bundle as a holder fetches it through the node's API (as `publica credential bundle` does): the issuer's
/// DID resolved at issuance, its accreditation in force then with the chain up to the root, the schema that
/// accreditation names, and the status entry, each answer proven under the node's latest certified header.
fn fetch_bundle(client: &Client, did: &Did, vct: &str, iat: u64, list: u32, index: u32) -> Result<CredentialBundle> {
    let resolution = client.did(&did.to_string(), DidVersion::Time((iat * 1000).to_string()))?;
    let type_query = publica_client::routes::url_encode(vct);
    let listed = client.get(&format!("/v1/identity/issuers/{}/accreditations?type={type_query}", did.address))?;
    let records: Vec<Accreditation> = serde_json::from_value(listed["accreditations"].clone())
        .context("the node's list of the issuer's accreditations")?;
    let chosen =
        records.iter().rev().find(|r| r.in_force_at(iat * 1000)).context("no accreditation in force at issuance")?;
    let accreditation = client.get(&format!("/v1/identity/accreditations/{}", chosen.id))?;
    let schema = client.get(&format!("/v1/identity/schemas/{}", hex::encode(chosen.schema)))?;
    let status = client.get(&format!("/v1/identity/status-lists/{}/{list}/entries/{index}", did.address))?;
    Ok(CredentialBundle { issuer: resolution, accreditation, schema, status: Some(status) })
}

/// The signature checks of one offline verification, alone: the issuer's two signatures and the holder's two
/// key-binding signatures over their exact signing inputs, and the certificates of the bundle's three headers.
struct SignatureChecks {
    jws: Vec<(Jwk, Vec<u8>, Vec<u8>)>,
    certified: Vec<CertifiedHeader>,
}

impl SignatureChecks {
    /// The signatures of `presentation` with the keys that made them, and the certified headers of `bundle`.
    fn of(
        presentation: &str,
        bundle: &CredentialBundle,
        issuer: &publica_types::PublicKey,
        holder: &publica_types::PublicKey,
    ) -> Result<Self> {
        let b64 = |text: &str| publica_credentials::json::b64_decode("signature", text).map_err(anyhow::Error::from);
        let jws: Value = serde_json::from_str(presentation)?;
        let payload = jws["payload"].as_str().context("the presentation's payload")?;
        let (issuer_ml, issuer_ed) = hybrid_jwks(issuer);
        let (holder_ml, holder_ed) = hybrid_jwks(holder);
        let mut checks = Vec::new();
        for (entry, key) in jws["signatures"].as_array().context("signatures")?.iter().zip([issuer_ml, issuer_ed]) {
            let protected = entry["protected"].as_str().context("a protected header")?;
            let signature = b64(entry["signature"].as_str().context("a signature")?)?;
            checks.push((key, format!("{protected}.{payload}").into_bytes(), signature));
        }
        let header = &jws["signatures"][0]["header"];
        for (member, key) in [(publica_credentials::sdjwt::HEADER_PQ_KB_JWT, holder_ml), ("kb_jwt", holder_ed)] {
            let jwt = header[member].as_str().with_context(|| format!("the presentation's {member}"))?;
            let at = jwt.rfind('.').context("a compact JWS")?;
            checks.push((key, jwt.as_bytes()[..at].to_vec(), b64(&jwt[at + 1..])?));
        }
        let certified =
            |doc: &Value| -> Result<CertifiedHeader> { Ok(serde_json::from_value(doc["certified"].clone())?) };
        let status = bundle.status.as_ref().context("a status answer")?;
        let certified = vec![
            bundle.issuer.certified.clone(),
            certified(&bundle.accreditation)?,
            certified(&bundle.schema)?,
            certified(status)?,
        ];
        let checks = SignatureChecks { jws: checks, certified };
        ensure!(checks.jws.len() == 4, "the presentation has {} signatures, not 4", checks.jws.len());
        Ok(checks)
    }

    /// Verify every signature and certificate, as the offline check does.
    fn run(&self, chain: &publica_types::ChainId, validators: &publica_types::ValidatorSet) -> Result<()> {
        for (key, input, signature) in &self.jws {
            match key {
                Jwk::Akp(key) => key.verify(input, signature)?,
                Jwk::Okp(key) => key.verify(input, signature.as_slice().try_into()?)?,
            }
        }
        for c in &self.certified {
            c.certificate.verify(chain, validators)?;
        }
        Ok(())
    }
}

/// The sizes of the status list as a token.
struct StatusSizes {
    zlib_bytes: usize,
    lst_chars: usize,
    token_hybrid: usize,
    token_compact: usize,
}

/// The university's list read from the chain (every chunk, proven keys), rebuilt as a Token Status List; fails
/// unless exactly the revoked indices are set.
fn status_sizes(node: &NodeHandle, issuer: &Issuer<'_>, uri: &str, list: u32, revoked: &[u32]) -> Result<StatusSizes> {
    let owner = issuer.keypair.public_key().address();
    let (header, bytes) = node
        .view(|state| query::status_list_bytes(state, &owner, list).value)
        .context("the university's status list is not on chain")?;
    let mut rebuilt = StatusList::new(header.bits, header.capacity as usize)?;
    for &i in revoked {
        rebuilt.set(u64::from(i), STATUS_REVOKED)?;
    }
    ensure!(rebuilt.as_bytes() == bytes.as_slice(), "the chain's list is not the revoked indices");
    let lst = rebuilt.to_lst();
    let zlib_bytes = publica_credentials::json::b64_decode("lst", &lst)?.len();
    let token = StatusListToken {
        uri: uri.to_string(),
        iat: publica_client::now_ms() / 1000,
        exp: None,
        ttl: Some(3_600),
        list: rebuilt,
    };
    let token_hybrid = publica_credentials::issue_status_list_token(issuer, &token, Form::Hybrid)?.len();
    let token_compact = publica_credentials::issue_status_list_token(issuer, &token, Form::Compact)?.len();
    Ok(StatusSizes { zlib_bytes, lst_chars: lst.len(), token_hybrid, token_compact })
}

/// The parts of a status entry answer (one bit), in the ledger's binary encoding, and its JSON.
struct ProofSizes {
    json: usize,
    values: usize,
    merkle: usize,
    header: usize,
    certificate: usize,
}

impl ProofSizes {
    /// The sizes of a status entry answer (`{"entry", "certified", "proofs"}`).
    fn of(answer: &Value) -> Result<Self> {
        let certified: CertifiedHeader = serde_json::from_value(answer["certified"].clone())?;
        let proofs: Vec<publica_verify::KeyProof> = serde_json::from_value(answer["proofs"].clone())?;
        ensure!(proofs.len() == 2, "a status entry is proven by the header's and the chunk's keys");
        Ok(ProofSizes {
            json: serde_json::to_vec(answer)?.len(),
            values: proofs.iter().map(|p| p.key.len() + p.value.as_ref().map_or(0, Vec::len)).sum(),
            merkle: proofs.iter().map(|p| codec::encode(&p.proof).len()).sum(),
            header: codec::encode(&certified.header).len(),
            certificate: codec::encode(&certified.certificate).len(),
        })
    }

    /// The binary proof of one bit without the certificate: keys and values, Merkle paths, the header.
    fn without_certificate(&self) -> usize {
        self.values + self.merkle + self.header
    }
}

/// Everything measured, for the report.
struct Report<'a> {
    issuance: &'a [Issuance],
    revoke: &'a Revocation,
    revoke_count: usize,
    entries: u32,
    verify_us: f64,
    signatures_us: f64,
    checks: &'a SignatureChecks,
    presentation_bytes: usize,
    bundle_bytes: usize,
    sizes: &'a StatusSizes,
    proof: &'a ProofSizes,
}

/// Print the report as a Markdown table, as the other workloads do.
fn print_report(r: &Report<'_>) {
    out!();
    out!("| measurement | value |");
    out!("|---|---|");
    for i in r.issuance {
        let (name, limit) = match i.form {
            Form::Hybrid => ("hybrid", "raw hybrid signatures/s (Keypair::sign)"),
            Form::Compact => ("compact", "raw Ed25519 signatures/s (Keypair::sign_ed25519)"),
        };
        out!("| {limit}, one core, {}-byte messages | {:.0} |", i.input_bytes, i.signed_per_sec);
        out!(
            "| credentials issued/s, {name} form, one core (6 claims, {} bytes) | {:.0} |",
            i.credential_bytes,
            i.issued_per_sec
        );
        out!("| ratio issued / raw signing, {name} | {:.2} |", i.issued_per_sec / i.signed_per_sec);
    }
    let v = r.revoke;
    out!(
        "| revoke {} of {} entries in one update_status: transaction size | {} bytes |",
        r.revoke_count,
        r.entries,
        v.tx_bytes
    );
    out!(
        "| same: submission to commit, visible ({} block; its execution {:.1} ms, {:.0} %) | {:.1} ms |",
        v.blocks,
        v.execute_secs * 1e3,
        100.0 * v.execute_secs / v.secs,
        v.secs * 1e3
    );
    out!(
        "| same: submission until the block is durable (its storage with fdatasync {:.1} ms) | {:.1} ms |",
        v.store_secs * 1e3,
        v.durable_secs * 1e3
    );
    let excluding = r.verify_us - r.signatures_us;
    out!(
        "| offline verification of a presentation with its bundle ({} + {} bytes) | {:.0} µs |",
        r.presentation_bytes,
        r.bundle_bytes,
        r.verify_us
    );
    out!(
        "| of which signature checks alone ({} JWS, {} certificates) | {:.0} µs ({:.0} %) |",
        r.checks.jws.len(),
        r.checks.certified.len(),
        r.signatures_us,
        100.0 * r.signatures_us / r.verify_us
    );
    out!("| verification excluding signature checks (target < 1,000 µs) | {excluding:.0} µs |");
    let s = r.sizes;
    let per_credential = s.zlib_bytes as f64 / f64::from(r.entries);
    let anoncreds = ANONCREDS_TAILS_BYTES / ANONCREDS_TAILS_CREDENTIALS;
    out!(
        "| status list of {} entries, {} revoked at random: zlib / lst | {} / {} bytes |",
        r.entries,
        r.revoke_count,
        s.zlib_bytes,
        s.lst_chars
    );
    out!("| status list token, hybrid / compact | {} / {} bytes |", s.token_hybrid, s.token_compact);
    out!("| per credential: status list / AnonCreds tails (1.6 MB per 5,000) | {per_credential:.3} / {anoncreds:.0} bytes (1 : {:.0}) |", anoncreds / per_credential);
    let p = r.proof;
    out!("| proof of one bit: JSON answer | {} bytes |", p.json);
    out!(
        "| proof of one bit, binary: keys+values {} + Merkle paths {} + header {} + certificate {} | {} bytes |",
        p.values,
        p.merkle,
        p.header,
        p.certificate,
        p.without_certificate() + p.certificate
    );
    out!("| proof of one bit, binary, without the certificate | {} bytes |", p.without_certificate());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole workload on a real node at a tiny size: every check of the run (the chain's list equal to the
    /// revoked indices, the presentation accepted with a chain of two links, the proof shapes) must pass.
    #[test]
    fn the_workload_runs_end_to_end_at_a_tiny_size() {
        run(&Params { credentials: ROUNDS, status_entries: 1_000 }).unwrap();
    }

    #[test]
    fn metrics_are_read_with_or_without_a_prefix() {
        let text =
            "# HELP x\npublica_execute_seconds_sum 1.5\npublica_execute_seconds_count 3\nstore_seconds_sum 0.25\n";
        assert_eq!(parse_metric(text, "execute_seconds_sum").unwrap(), 1.5);
        assert_eq!(parse_metric(text, "execute_seconds_count").unwrap(), 3.0);
        assert_eq!(parse_metric(text, "store_seconds_sum").unwrap(), 0.25);
        assert!(parse_metric(text, "missing_seconds_sum").is_err());
    }

    #[test]
    fn signing_inputs_are_measured_on_issued_credentials() {
        let (key, holder) = (Keypair::generate(), Keypair::generate());
        let issuer = Issuer { keypair: &key, did: "did:publica:x:y", kid_ml_dsa_65: "a", kid_ed25519: "b" };
        let content = content(&holder, None, 1_700_000_000);
        let compact = publica_credentials::issue(&issuer, &content, Form::Compact).unwrap();
        let jwt = compact.split('~').next().unwrap();
        assert_eq!(
            signing_input_len(&compact, Form::Compact).unwrap(),
            jwt.len() - jwt.rsplit('.').next().unwrap().len() - 1
        );
        let hybrid = publica_credentials::issue(&issuer, &content, Form::Hybrid).unwrap();
        assert!(signing_input_len(&hybrid, Form::Hybrid).unwrap() > jwt.len() / 2);
    }
}
