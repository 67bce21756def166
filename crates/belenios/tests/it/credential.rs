//! Credentials: every private credential of the samples derives its public one; checksums, parsing, lists.

use publica_belenios::credential::{
    credentials_json, parse_public_credential, pbkdf2_hmac_sha256, PrivateCredential, PublicCredential, Uuid,
};
use publica_belenios::proof::hash_to_scalar;
use publica_belenios::{BeleniosError, Elem};
use sha2::Digest;

use crate::samples::{self, RUNS};

#[test]
fn pbkdf2_matches_the_rfc_7914_vector() {
    // RFC 7914 §11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1), first 32 bytes.
    let out = pbkdf2_hmac_sha256(b"passwd", b"salt", 1);
    assert_eq!(hex::encode(out), "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
    // And a long password (hashed first by HMAC).
    let long = pbkdf2_hmac_sha256(&[b'k'; 100], b"salt", 2);
    assert_ne!(long, pbkdf2_hmac_sha256(&[b'k'; 99], b"salt", 2));
}

#[test]
fn every_sample_private_credential_derives_its_public_credential() {
    for run in RUNS {
        let uuid = Uuid::parse(&samples::text(run, "uuid.txt")).unwrap();
        // `.pubcreds` lines are "dec,weight,id" and `.privcreds` lines "<voter line> credential"; the ids differ in
        // form, so the check is that the derived credentials are exactly the published ones.
        let pubs = publica_belenios::json::parse(&samples::read(run, "pubcreds.json"), samples::LIMITS).unwrap();
        let mut published: Vec<String> = pubs
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().split(',').next().unwrap().to_string())
            .collect();
        let archived = samples::public_credentials(run);
        let mut derived = Vec::new();
        for line in samples::text(run, "privcreds.txt").lines() {
            let (_, cred) = line.rsplit_once(' ').unwrap();
            let public = PrivateCredential::parse(cred).unwrap().public(&uuid).to_decimal();
            assert!(archived.iter().any(|a| a.split(',').next() == Some(public.as_str())), "{run}: {public}");
            derived.push(public);
        }
        published.sort();
        derived.sort();
        assert_eq!(derived, published, "{run}");
        let count = derived.len();
        assert!(count >= 3, "{run}: {count} credentials");
    }
}

#[test]
fn the_archived_credential_lists_are_written_as_the_tool_writes_them() {
    for run in RUNS {
        let archived = samples::public_credentials(run);
        let parsed: Vec<PublicCredential> = archived.iter().map(|l| parse_public_credential(l).unwrap()).collect();
        // Shuffle, then write: the list comes back sorted as the tool sorted it.
        let mut reversed = parsed.clone();
        reversed.reverse();
        let written = credentials_json(&reversed);
        let (_, setup) = samples::events(run).into_iter().next().unwrap();
        let setup_data = samples::entry(run, setup.get("payload").unwrap().as_str().unwrap(), "data");
        let setup_data = publica_belenios::json::parse(&setup_data, samples::LIMITS).unwrap();
        let blob = samples::entry(run, setup_data.get("credentials").unwrap().as_str().unwrap(), "data");
        assert_eq!(written.to_bytes(), blob, "{run}");
    }
    let weighted = samples::public_credentials("weighted");
    assert!(weighted.iter().all(|l| l.contains(',')));
}

#[test]
fn credentials_are_checked_when_parsed() {
    let err = |text: &str| match PrivateCredential::parse(text) {
        Err(BeleniosError::Credential { detail }) => detail,
        other => panic!("{text}: {other:?}"),
    };
    assert!(err("j7w-MCb-ajh-g1Q").contains("19"));
    assert!(err("j7wMCbajhg1QmQZ").contains("19"));
    assert!(err("j7w-MCb-ajh-g1Q-mQ0").contains("base58"));
    assert!(err("j7w-MCb-ajh-g1QxmQZ").contains("'-'"));
    assert!(err("j7w-MCb-ajh-g1Q-mQY").contains("checksum"));
    assert!(PrivateCredential::parse("j7w-MCb-ajh-g1Q-mQZ").is_ok());
    let mut rng = crate::rng(7);
    for _ in 0..200 {
        let c = PrivateCredential::generate(&mut rng);
        assert!(PrivateCredential::parse(c.as_str()).is_ok(), "{}", c.as_str());
    }
}

#[test]
fn the_checksum_is_not_reduced_again() {
    // 14 digits of value 0 ('1'): n = 0, so the checksum is 53 ('v'), not 0 ('1').
    assert!(PrivateCredential::parse("111-111-111-111-11v").is_ok());
    assert!(PrivateCredential::parse("111-111-111-111-111").is_err());
}

#[test]
fn uuids_are_base58_tokens_of_at_least_14_characters() {
    assert!(Uuid::parse("RsHackqtLsN6JW").is_ok());
    assert!(Uuid::parse("RsHackqtLsN6J").is_err());
    assert!(Uuid::parse("RsHackqtLsN6J0").is_err());
    assert!(Uuid::parse(&"a".repeat(65)).is_err());
    let mut rng = crate::rng(8);
    let u = Uuid::generate(&mut rng);
    assert_eq!(u.as_str().len(), 14);
    assert!(Uuid::parse(u.as_str()).is_ok());
}

#[test]
fn public_credential_lines_are_checked() {
    let g = publica_belenios::g().to_decimal();
    assert_eq!(parse_public_credential(&g).unwrap().weight, None);
    assert_eq!(parse_public_credential(&format!("{g},3")).unwrap().weight, Some(3));
    assert!(parse_public_credential(&format!("{g},03")).is_err());
    assert!(parse_public_credential(&format!("{g},")).is_err());
    assert_eq!(parse_public_credential("2"), Err(BeleniosError::NotInGroup { what: "public credential" }));
    let pm1 = Elem::from_decimal(&publica_belenios::group::P_DECIMAL.replace("0719", "0718")).unwrap();
    assert!(parse_public_credential(&pm1.to_decimal()).is_err());
}

#[test]
fn the_specifications_test_vectors_hold() {
    let credential = PrivateCredential::parse("Qv7-e29-9sW-tba-fMD").unwrap();
    let uuid = Uuid::parse("5oPiVKKxHZQAf7").unwrap();
    assert_eq!(
        hex::encode(pbkdf2_hmac_sha256(credential.as_str().as_bytes(), uuid.as_str().as_bytes(), 1000)),
        "d1e42da082a737557f35f066b7131a63558c62f308160cc2f8e50c537e926fb2"
    );
    assert_eq!(
        credential.secret(&uuid).to_decimal(),
        "16364808139536720687160756858603137615508818740708508034252750262378746915617"
    );
    let public = credential.public(&uuid).to_decimal();
    assert_eq!(public.len(), 616);
    assert!(public.starts_with("298822347659316385860615987652") && public.ends_with("449959857144596450718909735578"));
    assert_eq!(
        hex::encode(sha2::Sha256::digest(public.as_bytes())),
        "6aa00eac5a0b1f9e51192ec0488f623c844c838fc7b5c6b9c9b52e20a5d09ee8"
    );
    // The undashed form derives another credential, so it is refused.
    assert!(PrivateCredential::parse("Qv7e299sWtbafMD").is_err());
    let one = Elem::from_decimal("1").unwrap();
    let two = Elem::from_decimal("2").unwrap();
    assert_eq!(
        hash_to_scalar("sig|abc|", &[one, two]).to_decimal(),
        "6919677423928309272509801796055799164521934983965500310044168130528488665218"
    );
    assert_eq!(
        hash_to_scalar("pok|BELENIOS-2048|5|", &[Elem::from_decimal("7").unwrap()]).to_decimal(),
        "17010099353631625181085183306571897826679320215243629894840422228717036734232"
    );
    let g12345 = publica_belenios::g().pow(&publica_belenios::Scalar::from_u64(12345)).to_decimal();
    assert_eq!(
        hex::encode(sha2::Sha256::digest(g12345.as_bytes())),
        "b9bab0b73fd6050734c2f35a188530ed526c83620d166be245090647ea6a7937"
    );
    assert_eq!(publica_belenios::election::sha256_b64(b""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}
