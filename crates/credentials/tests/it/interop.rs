//! Artifacts of this crate checked by independent implementations: the OpenWallet Foundation's sd-jwt-js (EdDSA
//! signatures, disclosures, key binding, `sd_hash`, status lists) and @noble/post-quantum (ML-DSA-65 over the JWS
//! signing input), run by `node tests/interop/check.mjs`. Valid artifacts must be accepted and read back as issued;
//! tampered ones must be rejected. Needs Node 20 and `npm ci` in tests/interop (scripts/test.sh installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use publica_credentials::jose::hybrid_jwks;
use publica_credentials::{
    issue_status_list_token, present, verify_presentation, Form, StatusList, StatusListToken, VerifyPolicy,
    STATUS_INVALID, STATUS_SUSPENDED,
};
use serde_json::{json, Value};

use crate::{flip_b64, Parties, NOW};

const AUD: &str = "https://verifier.example";
const NONCE: &str = "interop-nonce-1";
/// The status list entries the checker reads back.
const INDEXES: [u64; 5] = [0, 7, 8, 42, 1023];

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Runs the independent checker on `cases`; fails (never skips) when Node or the packages are missing.
fn run_checker(issuer: Value, cases: &[Value]) -> Vec<Value> {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/@sd-jwt/sd-jwt-vc").is_dir() && dir.join("node_modules/@noble/post-quantum").is_dir(),
        "the interop packages are not installed: run `npm ci` in {} (scripts/test.sh does) with Node 20 or later",
        dir.display()
    );
    let input = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input.path(), serde_json::to_vec(&json!({"issuer": issuer, "cases": cases})).unwrap()).unwrap();
    let output =
        Command::new("node").arg("check.mjs").arg(input.path()).current_dir(&dir).output().unwrap_or_else(|e| {
            panic!("cannot run `node` ({e}): install Node 20 or later, then `npm ci` in {}", dir.display())
        });
    assert!(output.status.success(), "node check.mjs failed: {}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = report["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), cases.len());
    results
}

fn status_token(parties: &Parties, form: Form) -> (String, StatusList) {
    let mut list = StatusList::new(2, 1024).unwrap();
    list.set(7, STATUS_INVALID).unwrap();
    list.set(8, STATUS_SUSPENDED).unwrap();
    list.set(1023, STATUS_INVALID).unwrap();
    let token = StatusListToken {
        uri: parties.content().status.unwrap().uri,
        iat: NOW - 60,
        exp: Some(NOW + 3600),
        ttl: Some(300),
        list: list.clone(),
    };
    (issue_status_list_token(&parties.issuer(), &token, form).unwrap(), list)
}

/// Replaces the payload segment of a compact SD-JWT with one whose `institution` was changed.
fn tamper_compact_payload(text: &str) -> String {
    let parts: Vec<&str> = text.splitn(3, '.').collect();
    let mut payload = crate::decode_segment(parts[1]);
    payload["institution"] = json!("Another University");
    let encoded = publica_credentials::json::b64_encode(&serde_json::to_vec(&payload).unwrap());
    format!("{}.{encoded}.{}", parts[0], parts[2])
}

fn tamper_hybrid(text: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut json: Value = serde_json::from_str(text).unwrap();
    edit(&mut json);
    json.to_string()
}

fn flip_member(value: &mut Value) {
    *value = json!(flip_b64(value.as_str().unwrap()));
}

fn flip_last_segment(value: &mut Value) {
    let text = value.as_str().unwrap().to_string();
    let (input, signature) = text.rsplit_once('.').unwrap();
    *value = json!(format!("{input}.{}", flip_b64(signature)));
}

/// The artifacts to check, each with whether it must be accepted; and the status list the tokens carry. Long: one
/// line per artifact, a table.
fn cases(parties: &Parties) -> (Vec<(Value, bool)>, StatusList) {
    let disclose = ["given_name", "degree"];
    let compact = present(&parties.issue(Form::Compact), &parties.holder, &disclose, AUD, NONCE, NOW).unwrap();
    let hybrid = present(&parties.issue(Form::Hybrid), &parties.holder, &disclose, AUD, NONCE, NOW).unwrap();
    let (status_compact, list) = status_token(parties, Form::Compact);
    let (status_hybrid, _) = status_token(parties, Form::Hybrid);
    let mut revoked_content = parties.content();
    revoked_content.status.as_mut().unwrap().idx = 7;
    let revoked_issued = publica_credentials::issue(&parties.issuer(), &revoked_content, Form::Compact).unwrap();
    let revoked = present(&revoked_issued, &parties.holder, &disclose, AUD, NONCE, NOW).unwrap();
    let uri = parties.content().status.unwrap().uri;

    let vc = |name: &str, kind: &str, text: &str, nonce: &str| {
        json!({"name": name, "kind": kind, "text": text, "aud": AUD, "nonce": nonce, "now": NOW,
               "status_list_token": status_compact})
    };
    let status = |name: &str, kind: &str, text: &str| json!({"name": name, "kind": kind, "text": text, "uri": uri, "now": NOW, "indexes": INDEXES});
    let compact_bad_disclosure = {
        let parts: Vec<&str> = compact.split('~').collect();
        let forged = publica_credentials::json::b64_encode(br#"["c2FsdA","given_name","Eve"]"#);
        format!("{}~{forged}~{}~{}", parts[0], parts[2], parts[3])
    };
    let cases = vec![
        (vc("compact", "compact_vc", &compact, NONCE), true),
        (vc("compact revoked", "compact_vc", &revoked, NONCE), true),
        (vc("compact tampered payload", "compact_vc", &tamper_compact_payload(&compact), NONCE), false),
        (vc("compact forged disclosure", "compact_vc", &compact_bad_disclosure, NONCE), false),
        (vc("compact replayed for another nonce", "compact_vc", &compact, "another-nonce"), false),
        (vc("hybrid", "hybrid_vc", &hybrid, NONCE), true),
        (
            vc(
                "hybrid ML-DSA-65 signature",
                "hybrid_vc",
                &tamper_hybrid(&hybrid, |j| flip_member(&mut j["signatures"][0]["signature"])),
                NONCE,
            ),
            false,
        ),
        (
            vc(
                "hybrid EdDSA signature",
                "hybrid_vc",
                &tamper_hybrid(&hybrid, |j| flip_member(&mut j["signatures"][1]["signature"])),
                NONCE,
            ),
            false,
        ),
        (
            vc(
                "hybrid ML-DSA-65 key binding",
                "hybrid_vc",
                &tamper_hybrid(&hybrid, |j| flip_last_segment(&mut j["signatures"][0]["header"]["pq_kb_jwt"])),
                NONCE,
            ),
            false,
        ),
        (vc("hybrid replayed for another nonce", "hybrid_vc", &hybrid, "another-nonce"), false),
        (status("status compact", "status_compact", &status_compact), true),
        (status("status hybrid", "status_hybrid", &status_hybrid), true),
        (
            status("status compact signature", "status_compact", &{
                let mut v = json!(status_compact);
                flip_last_segment(&mut v);
                v.as_str().unwrap().to_string()
            }),
            false,
        ),
        (
            status(
                "status hybrid ML-DSA-65 signature",
                "status_hybrid",
                &tamper_hybrid(&status_hybrid, |j| flip_member(&mut j["signatures"][0]["signature"])),
            ),
            false,
        ),
    ];
    (cases, list)
}

#[test]
fn independent_implementations_accept_valid_artifacts_and_reject_tampered_ones() {
    let parties = Parties::new();
    let (akp, okp) = hybrid_jwks(parties.issuer_key());
    let issuer = json!({"akp": akp.to_json(), "okp": okp.to_json()});
    let (cases, list) = cases(&parties);
    let inputs: Vec<Value> = cases.iter().map(|(case, _)| case.clone()).collect();
    let results = run_checker(issuer, &inputs);

    let expected_claims = json!({"given_name": "Ada", "degree": {"type": "MSc", "field": "Mathematics"}, "institution": "University of Malta"});
    let expected_statuses: Vec<u8> = INDEXES.iter().map(|i| list.get(*i).unwrap()).collect();
    for ((case, accept), result) in cases.iter().zip(&results) {
        let name = case["name"].as_str().unwrap();
        assert_eq!(result["accepted"], json!(*accept), "{name}: {result}");
        if !accept {
            println!("{name}: rejected by the independent checker: {}", result["error"]);
            continue;
        }
        match case["kind"].as_str().unwrap() {
            "compact_vc" | "hybrid_vc" => {
                assert_eq!(result["claims"], expected_claims, "{name}");
                let form = if case["kind"] == "hybrid_vc" { Form::Hybrid } else { Form::Compact };
                let ours = verify_presentation(
                    case["text"].as_str().unwrap(),
                    parties.issuer_key(),
                    AUD,
                    NONCE,
                    NOW,
                    &VerifyPolicy { accept_compact: form == Form::Compact, ..VerifyPolicy::default() },
                )
                .unwrap();
                assert_eq!(Value::Object(ours.claims), expected_claims, "{name}");
            }
            _ => assert_eq!(result["statuses"], json!(expected_statuses), "{name}"),
        }
    }
    // The independent status list reader saw the credential's own entry: valid (0) and revoked (1).
    assert_eq!(results[0]["statuses"], json!([0]));
    assert_eq!(results[1]["statuses"], json!([STATUS_INVALID]));
    assert_eq!(expected_statuses, [0, STATUS_INVALID, STATUS_SUSPENDED, 0, STATUS_INVALID]);
}
