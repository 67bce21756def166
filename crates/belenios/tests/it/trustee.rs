//! Trustees: AES-CCM against the published vectors, Single keys and the Pedersen key generation against the
//! belenios-tool samples, and refusals of tampered trustee messages.

use aes::cipher::{generic_array::GenericArray, KeyInit};
use publica_belenios::ccm::{self, CcmError};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// RFC 3610 packet vector #1: AES-128, 13-byte nonce, 8 bytes of associated data, 8-byte tag.
#[test]
fn ccm_matches_rfc_3610_packet_vector_1() {
    let key: Vec<u8> = (0xC0..=0xCF).collect();
    let cipher = aes::Aes128::new(GenericArray::from_slice(&key));
    let nonce = unhex("00000003020100A0A1A2A3A4A5");
    let packet: Vec<u8> = (0x00..=0x1E).collect();
    let sealed = ccm::seal(&cipher, &nonce, &packet[..8], &packet[8..], 8).unwrap();
    assert_eq!(sealed, unhex("588C979A61C663D2F066D0C2C0F989806D5F6B61DAC38417E8D12CFDF926E0"));
    assert_eq!(ccm::open(&cipher, &nonce, &packet[..8], &sealed, 8).unwrap(), &packet[8..]);
}

/// NIST SP 800-38C appendix C, examples 1 and 2: 7- and 8-byte nonces, 4- and 6-byte tags.
#[test]
fn ccm_matches_sp_800_38c_examples_1_and_2() {
    let key: Vec<u8> = (0x40..=0x4F).collect();
    let cipher = aes::Aes128::new(GenericArray::from_slice(&key));
    let aad: Vec<u8> = (0x00..=0x07).collect();
    let nonce: Vec<u8> = (0x10..=0x16).collect();
    let plain: Vec<u8> = (0x20..=0x23).collect();
    assert_eq!(ccm::seal(&cipher, &nonce, &aad, &plain, 4).unwrap(), unhex("7162015b 4dac255d"));

    let aad: Vec<u8> = (0x00..=0x0F).collect();
    let nonce: Vec<u8> = (0x10..=0x17).collect();
    let plain: Vec<u8> = (0x20..=0x2F).collect();
    let sealed = ccm::seal(&cipher, &nonce, &aad, &plain, 6).unwrap();
    assert_eq!(sealed, unhex("d2a1f0e0 51ea5f62 081a7792 073d593d 1fc64fbf accd"));
    assert_eq!(ccm::open(&cipher, &nonce, &aad, &sealed, 6).unwrap(), plain);
}

/// AES-256 with no associated data, a 13-byte nonce and an 8-byte tag, as Belenios uses it; the expected bytes
/// come from an independent AES-CCM implementation.
#[test]
fn ccm_aes256_as_belenios_uses_it_matches_an_independent_implementation() {
    let key: [u8; 32] = core::array::from_fn(|i| i as u8);
    let nonce: Vec<u8> = (0x30..=0x3C).collect();
    let plain = br#"{"recipient":"12345","message":"hello, trustee"}"#;
    let sealed = ccm::encrypt_aes256(&key, &nonce, plain, 8).unwrap();
    assert_eq!(
        hex::encode(&sealed),
        "c45c21a44a7ea7934ecd7427a0da2eac0a29da9132bc281bc76d4e3f0ce7b0e75a95d6a5aa907622bf20c41df8dd058f5c6fd2fa8eb8f42f"
    );
    assert_eq!(ccm::decrypt_aes256(&key, &nonce, &sealed, 8).unwrap(), plain);
    assert_eq!(hex::encode(ccm::encrypt_aes256(&key, &nonce, b"", 8).unwrap()), "17ae19ed934a750e");
}

#[test]
fn ccm_refuses_a_changed_byte_a_short_input_and_bad_lengths() {
    let key = [7u8; 32];
    let nonce = [1u8; 13];
    let mut sealed = ccm::encrypt_aes256(&key, &nonce, b"a secret share", 8).unwrap();
    for i in [0, sealed.len() - 1] {
        sealed[i] ^= 1;
        assert_eq!(ccm::decrypt_aes256(&key, &nonce, &sealed, 8), Err(CcmError::BadTag));
        sealed[i] ^= 1;
    }
    assert_eq!(ccm::decrypt_aes256(&key, &nonce, &sealed[..7], 8), Err(CcmError::Truncated));
    assert_eq!(ccm::encrypt_aes256(&key, &[0; 14], b"", 8), Err(CcmError::NonceLength(14)));
    assert_eq!(ccm::encrypt_aes256(&key, &nonce, b"", 7), Err(CcmError::TagLength(7)));
    assert_eq!(ccm::encrypt_aes256(&key, &nonce, &vec![0; 1 << 16], 8), Err(CcmError::MessageTooLong(1 << 16)));
    assert_eq!(ccm::belenios_length_bytes(65535), 2);
    assert_eq!(ccm::belenios_length_bytes(65536), 3);
}

// ---------------------------------------------------------------------------------------------------------------
// Trustees against the belenios-tool samples.

use publica_belenios::group::P_DECIMAL;
use publica_belenios::json::{self, Json};
use publica_belenios::trustee::{
    self, PolynomialMsg, SecretKey, Seed, SignedMsg, ThresholdParameters, TrusteeError, TrusteeItem, TrusteePublicKey,
    Trustees, Vinput, Voutput,
};
use publica_belenios::Elem;

/// A trustee file of the sample runs (`tests/data/trustees/<run>/…`).
fn sample(path: &str) -> Vec<u8> {
    std::fs::read(crate::archive::data_dir().join("trustees").join(path)).unwrap()
}

fn strip_newline(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    bytes
}

fn parse(bytes: &[u8]) -> Json {
    json::parse(bytes, trustee::TRUSTEE_JSON_LIMITS).unwrap()
}

/// The public key in an election.json.
fn election_key(election: &str) -> Elem {
    let e =
        parse(&strip_newline(std::fs::read(crate::archive::data_dir().join(election).join("election.json")).unwrap()));
    Elem::from_decimal(e.get("public_key").unwrap().as_str().unwrap()).unwrap()
}

/// The threshold sample's trustee files, in certificate order (belenios-tool concatenates `*.cert` in name
/// order, so the trustee numbers follow the sorted names).
fn threshold_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(crate::archive::data_dir().join("trustees/threshold"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok()?.strip_suffix(".cert").map(str::to_string))
        .collect();
    ids.sort();
    ids
}

fn lines(path: &str) -> Vec<Vec<u8>> {
    sample(path).split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

fn threshold_certs() -> Vec<SignedMsg> {
    lines("threshold/certs.jsons").iter().map(|l| SignedMsg::from_json(&parse(l)).unwrap()).collect()
}

fn threshold_seed(id: &str) -> Seed {
    Seed::parse(std::str::from_utf8(&sample(&format!("threshold/{id}.key"))).unwrap()).unwrap()
}

#[test]
fn single_trustee_tool_files_parse_and_their_keys_match() {
    for (election, id) in [("single", "3D0335A9"), ("weighted", "C4002FEE")] {
        let public = TrusteePublicKey::from_tool_file(&sample(&format!("{election}/{id}.pubkey"))).unwrap();
        let secret = SecretKey::from_tool_file(&sample(&format!("{election}/{id}.privkey"))).unwrap();
        assert_eq!(secret.public(), public.public_key);
        assert_eq!(public.tool_id(), id);
        assert_eq!(&secret.to_tool_file()[..], &sample(&format!("{election}/{id}.privkey"))[..]);
        let trustees = Trustees::from_bytes(&strip_newline(sample(&format!("{election}/trustees.json")))).unwrap();
        assert_eq!(trustees.items, vec![TrusteeItem::Single(public)]);
        assert_eq!(trustees.public_key, election_key(election));
        assert_eq!(trustees.to_bytes(), strip_newline(sample(&format!("{election}/trustees.json"))));
    }
}

#[test]
fn a_generated_single_key_has_a_proof_that_verifies_and_a_changed_one_does_not() {
    let mut rng = rand::rngs::OsRng;
    let secret = SecretKey::generate(&mut rng);
    let public = TrusteePublicKey::new(&secret, &mut rng);
    public.verify("the key").unwrap();
    let bytes = public.to_json().to_bytes();
    assert_eq!(TrusteePublicKey::from_tool_file(&bytes).unwrap(), public);
    let mut bad = public.clone();
    bad.pok.response = bad.pok.response.add(&publica_belenios::Scalar::ONE);
    assert_eq!(bad.verify("the key"), Err(TrusteeError::BadPok { what: "the key".into() }));
    let mut other = public.clone();
    other.public_key = other.public_key.mul(&publica_belenios::g());
    assert!(matches!(other.verify("x"), Err(TrusteeError::BadPok { .. })));
    // An element outside the group is refused when parsed.
    let outside = bytes_with_public_key(&bytes, &minus_one());
    assert!(matches!(
        TrusteePublicKey::from_tool_file(&outside),
        Err(TrusteeError::Format(publica_belenios::BeleniosError::NotInGroup { .. }))
    ));
}

/// p − 1, an element of order 2: never in the subgroup.
pub fn minus_one() -> String {
    let mut digits = P_DECIMAL.as_bytes().to_vec();
    *digits.last_mut().unwrap() -= 1;
    String::from_utf8(digits).unwrap()
}

fn bytes_with_public_key(bytes: &[u8], key: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let at = text.find("\"public_key\":\"").unwrap() + 14;
    let end = at + text[at..].find('"').unwrap();
    format!("{}{}{}", &text[..at], key, &text[end..]).into_bytes()
}

#[test]
fn the_threshold_samples_certificates_and_coefexps_verify() {
    let ids = threshold_ids();
    let certs = threshold_certs();
    assert_eq!(certs.len(), 3);
    let keys = trustee::verify_certs(&certs).unwrap();
    for (i, id) in ids.iter().enumerate() {
        // The certificate file is named after its message, and the seed derives the keys it announces.
        assert_eq!(&trustee::cert_id(&certs[i]), id);
        assert_eq!(strip_newline(sample(&format!("threshold/{id}.cert"))), certs[i].to_json().to_bytes());
        let seed_keys = threshold_seed(id).keys();
        assert_eq!((seed_keys.vk, seed_keys.ek), (keys[i].verification, keys[i].encryption));
    }
    let polynomials: Vec<PolynomialMsg> =
        lines("threshold/polynomials.jsons").iter().map(|l| PolynomialMsg::from_json(&parse(l)).unwrap()).collect();
    let mut coefexps = Vec::new();
    for (i, p) in polynomials.iter().enumerate() {
        assert_eq!(trustee::verify_coefexps(&p.coefexps, &keys[i], i + 1).unwrap().len(), 2);
        coefexps.push(trustee::verify_polynomial(p, &keys, i + 1, 2).unwrap());
        assert_eq!(p.to_json().to_bytes(), lines("threshold/polynomials.jsons")[i]);
    }
    // What the server checks before routing: the signer, the count of coefexps and of secrets.
    assert_eq!(
        trustee::verify_polynomial(&polynomials[0], &keys, 2, 2),
        Err(TrusteeError::BadCoefexpsSignature { index: 2 })
    );
    assert_eq!(
        trustee::verify_polynomial(&polynomials[0], &keys, 1, 3),
        Err(TrusteeError::CoefexpsCount { index: 1, expected: 3, found: 2 })
    );
    let mut short = polynomials[0].clone();
    short.secrets.pop();
    assert_eq!(
        trustee::verify_polynomial(&short, &keys, 1, 2),
        Err(TrusteeError::WrongCount { what: "secrets in a polynomial", expected: 3, found: 2 })
    );
    // The voutputs' public keys are the vk_j the coefexps give; another trustee's is not.
    for (i, id) in ids.iter().enumerate() {
        let v = Voutput::from_json(&parse(&strip_newline(sample(&format!("threshold/{id}.voutput"))))).unwrap();
        trustee::verify_voutput(&v, &coefexps, i + 1).unwrap();
        assert_eq!(
            trustee::verify_voutput(&v, &coefexps, (i + 1) % 3 + 1),
            Err(TrusteeError::VerificationKeyMismatch { index: (i + 1) % 3 + 1 })
        );
    }
    // Step 4 routes them into exactly the vinputs belenios-tool wrote.
    let vinputs = trustee::route_vinputs(&polynomials).unwrap();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(vinputs[i].to_json().to_bytes(), strip_newline(sample(&format!("threshold/{id}.vinput"))));
    }
}

#[test]
fn the_threshold_samples_vinputs_decrypt_with_their_seeds_and_give_the_published_shares() {
    let ids = threshold_ids();
    let certs = threshold_certs();
    let params = ThresholdParameters::from_json(&parse(&strip_newline(sample("threshold/threshold.json")))).unwrap();
    let mut rng = rand::rngs::OsRng;
    for (i, id) in ids.iter().enumerate() {
        let seed = threshold_seed(id);
        let vinput = Vinput::from_json(&parse(&strip_newline(sample(&format!("threshold/{id}.vinput"))))).unwrap();
        // Decrypting every secret (AES-CCM and the channel) and checking it against the coefexps gives the share
        // whose public key belenios-tool published.
        let (voutput, share) = trustee::process_vinput(&seed, &certs, &vinput, &mut rng).unwrap();
        let published = Voutput::from_json(&parse(&strip_newline(sample(&format!("threshold/{id}.voutput"))))).unwrap();
        assert_eq!(voutput.public_key.public_key, published.public_key.public_key);
        assert_eq!(params.verification_keys[i].public_key, share.public());
        voutput.public_key.verify("our verification key").unwrap();
        // The tool's own encrypted share (.dkey, and the voutput's private_key) opens to the same key.
        let dkey = String::from_utf8(strip_newline(sample(&format!("threshold/{id}.dkey")))).unwrap();
        let opened = trustee::open_decryption_key(&seed, &dkey, &params.verification_keys[i].public_key).unwrap();
        assert_eq!(opened.public(), share.public());
        let again = trustee::open_decryption_key(&seed, &published.private_key, &share.public()).unwrap();
        assert_eq!(again.public(), share.public());
        // Another trustee's seed cannot open it.
        let other = threshold_seed(&ids[(i + 1) % 3]);
        assert!(matches!(
            trustee::open_decryption_key(&other, &dkey, &share.public()),
            Err(TrusteeError::Decryption { .. })
        ));
    }
}

#[test]
fn the_threshold_samples_parameters_and_trustees_record_verify_and_reencode_byte_for_byte() {
    let threshold_json = strip_newline(sample("threshold/threshold.json"));
    let params = ThresholdParameters::from_json(&parse(&threshold_json)).unwrap();
    assert_eq!(params.threshold, 2);
    params.verify().unwrap();
    assert_eq!(params.to_json().to_bytes(), threshold_json);
    // Step 6 from the parts gives the same record.
    let polynomials: Vec<PolynomialMsg> =
        lines("threshold/polynomials.jsons").iter().map(|l| PolynomialMsg::from_json(&parse(l)).unwrap()).collect();
    let voutputs: Vec<Voutput> = threshold_ids()
        .iter()
        .map(|id| Voutput::from_json(&parse(&strip_newline(sample(&format!("threshold/{id}.voutput"))))).unwrap())
        .collect();
    let assembled = ThresholdParameters::assemble(&threshold_certs(), &polynomials, &voutputs).unwrap();
    assert_eq!(assembled.to_json().to_bytes(), threshold_json);

    let trustees_json = strip_newline(sample("threshold/trustees.json"));
    let trustees = Trustees::from_bytes(&trustees_json).unwrap();
    assert_eq!(trustees.public_key, election_key("threshold"));
    assert_eq!(trustees.trustee_count(), 3);
    assert_eq!(trustees.to_bytes(), trustees_json);
}

/// The threshold sample's parameters with one change made by `edit` to their JSON text.
fn edited_params(edit: impl Fn(&mut Json)) -> Result<Elem, TrusteeError> {
    let mut j = parse(&strip_newline(sample("threshold/threshold.json")));
    edit(&mut j);
    ThresholdParameters::from_json(&j)?.verify()
}

fn field_mut<'a>(j: &'a mut Json, key: &str) -> &'a mut Json {
    let Json::Object(fields) = j else { panic!("not an object") };
    &mut fields.iter_mut().find(|(k, _)| k == key).unwrap().1
}

fn item_mut(j: &mut Json, i: usize) -> &mut Json {
    let Json::Array(items) = j else { panic!("not an array") };
    &mut items[i]
}

/// Changes the last digit of a decimal string.
fn bump(j: &mut Json) {
    let Json::Str(s) = j else { panic!("not a string") };
    let last = s.pop().unwrap();
    s.push(if last == '1' { '2' } else { '1' });
}

#[test]
fn tampered_threshold_parameters_are_refused_with_the_check_named() {
    // A certificate's signature.
    let r = edited_params(|j| bump(field_mut(field_mut(item_mut(field_mut(j, "certs"), 1), "signature"), "response")));
    assert_eq!(r, Err(TrusteeError::BadCertSignature { index: 2 }));
    // A coefexps signature (its message changed: one element's digit).
    let r = edited_params(|j| {
        let Json::Str(m) = field_mut(item_mut(field_mut(j, "coefexps"), 2), "message") else { panic!() };
        let mut inner = json::parse(m.as_bytes(), trustee::TRUSTEE_JSON_LIMITS).unwrap();
        bump(item_mut(field_mut(&mut inner, "coefexps"), 0));
        *m = String::from_utf8(inner.to_bytes()).unwrap();
    });
    assert_eq!(r, Err(TrusteeError::BadCoefexpsSignature { index: 3 }));
    // Coefexps swapped between trustees: each is signed by the other's key.
    let r = edited_params(|j| {
        let Json::Array(c) = field_mut(j, "coefexps") else { panic!() };
        c.swap(0, 1);
    });
    assert_eq!(r, Err(TrusteeError::BadCoefexpsSignature { index: 1 }));
    // Verification keys swapped: each proof verifies but they are not the keys the coefexps give.
    let r = edited_params(|j| {
        let Json::Array(v) = field_mut(j, "verification_keys") else { panic!() };
        v.swap(0, 2);
    });
    assert_eq!(r, Err(TrusteeError::VerificationKeyMismatch { index: 1 }));
    // A verification key's proof.
    let r = edited_params(|j| {
        bump(field_mut(field_mut(item_mut(field_mut(j, "verification_keys"), 1), "pok"), "challenge"))
    });
    assert_eq!(r, Err(TrusteeError::BadPok { what: "verification key 2".into() }));
    // A missing verification key.
    let r = edited_params(|j| {
        let Json::Array(v) = field_mut(j, "verification_keys") else { panic!() };
        v.pop();
    });
    assert_eq!(r, Err(TrusteeError::WrongCount { what: "verification keys", expected: 3, found: 2 }));
    // A threshold that is not the number of coefficients.
    let r = edited_params(|j| *field_mut(j, "threshold") = Json::Int(3));
    assert_eq!(r, Err(TrusteeError::CoefexpsCount { index: 1, expected: 3, found: 2 }));
    let r = edited_params(|j| *field_mut(j, "threshold") = Json::Int(4));
    assert_eq!(r, Err(TrusteeError::BadThreshold { threshold: 4, trustees: 3 }));
    // A verification key outside the group.
    let r = edited_params(|j| {
        *field_mut(item_mut(field_mut(j, "verification_keys"), 0), "public_key") = Json::str(minus_one())
    });
    assert!(matches!(r, Err(TrusteeError::Format(publica_belenios::BeleniosError::NotInGroup { .. }))));
    // An unknown kind of trustee.
    assert_eq!(Trustees::from_bytes(br#"[["Triple",{}]]"#), Err(TrusteeError::UnknownKind("Triple".into())));
    assert_eq!(Trustees::from_bytes(b"[]"), Err(TrusteeError::NoTrustee));
}

#[test]
fn a_tampered_vinput_is_refused_by_the_trustee() {
    let ids = threshold_ids();
    let certs = threshold_certs();
    let seed = threshold_seed(&ids[0]);
    let vinput = Vinput::from_json(&parse(&strip_newline(sample(&format!("threshold/{}.vinput", ids[0]))))).unwrap();
    let mut rng = rand::rngs::OsRng;
    // A secret meant for another trustee cannot be decrypted.
    let other = Vinput::from_json(&parse(&strip_newline(sample(&format!("threshold/{}.vinput", ids[1]))))).unwrap();
    let mut v = vinput.clone();
    v.secrets[2] = other.secrets[2].clone();
    assert!(matches!(trustee::process_vinput(&seed, &certs, &v, &mut rng), Err(TrusteeError::Decryption { .. })));
    // Secrets in the wrong order: decrypted, but signed by another sender.
    let mut v = vinput.clone();
    v.secrets.swap(1, 2);
    assert_eq!(
        trustee::process_vinput(&seed, &certs, &v, &mut rng).unwrap_err(),
        TrusteeError::ChannelSignature { what: "secret" }
    );
    // One byte of the CCM data changed.
    let mut v = vinput.clone();
    let mut enc = parse(v.secrets[1].as_bytes());
    let Json::Str(data) = field_mut(&mut enc, "data") else { panic!() };
    let flipped = if data.ends_with('0') { '1' } else { '0' };
    data.pop();
    data.push(flipped);
    v.secrets[1] = String::from_utf8(enc.to_bytes()).unwrap();
    assert!(matches!(trustee::process_vinput(&seed, &certs, &v, &mut rng), Err(TrusteeError::Decryption { .. })));
    // Coefexps that do not match the secret (those of another trustee, correctly signed by it, in its place).
    let mut v = vinput.clone();
    v.coefexps.swap(1, 2);
    assert_eq!(
        trustee::process_vinput(&seed, &certs, &v, &mut rng).unwrap_err(),
        TrusteeError::BadCoefexpsSignature { index: 2 }
    );
    // A missing secret.
    let mut v = vinput.clone();
    v.secrets.pop();
    assert!(matches!(trustee::process_vinput(&seed, &certs, &v, &mut rng), Err(TrusteeError::WrongCount { .. })));
}

/// Every message of a key generation.
pub struct Dkg {
    /// The trustees' seeds.
    pub seeds: Vec<Seed>,
    /// Step 1.
    pub certs: Vec<SignedMsg>,
    /// Step 3.
    pub polynomials: Vec<PolynomialMsg>,
    /// Step 5.
    pub voutputs: Vec<Voutput>,
    /// The trustees record with the Pedersen item.
    pub trustees: Trustees,
    /// The trustees' decryption key shares.
    pub shares: Vec<SecretKey>,
}

/// A full 2-of-3 key generation run by this crate.
pub fn own_dkg() -> Dkg {
    let mut rng = rand::rngs::OsRng;
    let seeds: Vec<Seed> = (0..3).map(|_| Seed::generate(&mut rng)).collect();
    let certs: Vec<SignedMsg> = seeds.iter().map(|s| trustee::make_cert(s, &mut rng)).collect();
    trustee::verify_certs(&certs).unwrap();
    let polynomials: Vec<PolynomialMsg> =
        seeds.iter().map(|s| trustee::make_polynomial(s, &certs, 2, &mut rng).unwrap()).collect();
    let vinputs = trustee::route_vinputs(&polynomials).unwrap();
    let (voutputs, shares): (Vec<Voutput>, Vec<SecretKey>) = seeds
        .iter()
        .zip(&vinputs)
        .map(|(s, v)| {
            // Each message goes through its JSON form, as it would between trustees.
            let v = Vinput::from_json(&parse(&v.to_json().to_bytes())).unwrap();
            trustee::process_vinput(s, &certs, &v, &mut rng).unwrap()
        })
        .unzip();
    let params = ThresholdParameters::assemble(&certs, &polynomials, &voutputs).unwrap();
    let trustees = Trustees::new(vec![TrusteeItem::Pedersen(params)]).unwrap();
    Dkg { seeds, certs, polynomials, voutputs, trustees, shares }
}

#[test]
fn our_own_two_of_three_key_generation_gives_parameters_our_verifier_accepts() {
    let Dkg { seeds, trustees, shares, .. } = own_dkg();
    let bytes = trustees.to_bytes();
    let again = Trustees::from_bytes(&bytes).unwrap();
    assert_eq!(again.public_key, trustees.public_key);
    assert!(json::is_canonical(&bytes, trustee::TRUSTEE_JSON_LIMITS));
    let TrusteeItem::Pedersen(params) = &trustees.items[0] else { panic!() };
    for (i, share) in shares.iter().enumerate() {
        assert_eq!(share.public(), params.verification_keys[i].public_key);
    }
    // The election key is g^f(0) with f = Σ f_i, which any two shares' public keys interpolate in the exponent.
    let lambdas = publica_belenios::tally::lagrange_at_zero(&[1, 3]);
    let interpolated =
        publica_belenios::multi_exp(&[(&shares[0].public(), &lambdas[0]), (&shares[2].public(), &lambdas[1])]);
    assert_eq!(interpolated, trustees.public_key);
    assert_eq!(seeds[0].as_str().len(), 22);
    // A Single key and the Pedersen group together: y is the product.
    let mut rng = rand::rngs::OsRng;
    let single = SecretKey::generate(&mut rng);
    let mixed = Trustees::new(vec![
        TrusteeItem::Single(TrusteePublicKey::new(&single, &mut rng)),
        TrusteeItem::Pedersen(params.clone()),
    ])
    .unwrap();
    assert_eq!(mixed.public_key, single.public().mul(&trustees.public_key));
    assert_eq!(mixed.trustee_count(), 4);
}

#[test]
fn seeds_must_be_22_base58_characters() {
    assert!(Seed::parse("8auyULUiGmPABZiZ4YkPmT\n").is_ok());
    for bad in ["8auyULUiGmPABZiZ4YkPm", "8auyULUiGmPABZiZ4YkPmT1", "0auyULUiGmPABZiZ4YkPmT", "lauyULUiGmPABZiZ4YkPmT"]
    {
        assert_eq!(Seed::parse(bad).unwrap_err(), TrusteeError::BadSeed);
    }
}

/// Runs `belenios-tool setup generate-trustee-key-threshold` in `dir` with `args` and `stdin`; returns stdout.
fn tool_threshold(dir: &std::path::Path, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("belenios-tool")
        .args(["setup", "generate-trustee-key-threshold", "--group", "BELENIOS-2048"])
        .args(args)
        .current_dir(dir)
        .env("BELENIOS_USE_URANDOM", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("belenios-tool is not installed: the README's test command installs it (Debian package belenios-tool)");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "belenios-tool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// belenios-tool takes our key generation's messages: it accepts our certificates, routes our polynomials into
/// the vinputs we route, decrypts and checks the secrets we encrypted (step 5, with our seeds), and assembles
/// threshold parameters from our voutputs that equal ours.
#[test]
fn belenios_tool_accepts_our_key_generation_messages() {
    let dkg = own_dkg();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("publica-belenios-dkg-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let jsons = |items: Vec<Vec<u8>>| {
        items
            .into_iter()
            .flat_map(|mut l| {
                l.push(b'\n');
                l
            })
            .collect::<Vec<u8>>()
    };
    std::fs::write(dir.join("certs.jsons"), jsons(dkg.certs.iter().map(|c| c.to_json().to_bytes()).collect())).unwrap();
    std::fs::write(
        dir.join("polynomials.jsons"),
        jsons(dkg.polynomials.iter().map(|p| p.to_json().to_bytes()).collect()),
    )
    .unwrap();
    tool_threshold(&dir, &["--certs", "certs.jsons", "--step", "2"], b"");
    // Step 4 writes one `<cert id>.vinput` per trustee: the same bytes as our routing.
    tool_threshold(&dir, &["--certs", "certs.jsons", "--polynomials", "polynomials.jsons", "--step", "4"], b"");
    let ours = trustee::route_vinputs(&dkg.polynomials).unwrap();
    let mut tool_voutputs = Vec::new();
    for (i, (seed, cert)) in dkg.seeds.iter().zip(&dkg.certs).enumerate() {
        let id = trustee::cert_id(cert);
        let vinput = std::fs::read(dir.join(format!("{id}.vinput"))).unwrap();
        assert_eq!(strip_newline(vinput.clone()), ours[i].to_json().to_bytes());
        std::fs::write(dir.join(format!("{id}.key")), format!("{}\n", seed.as_str())).unwrap();
        let key = format!("{id}.key");
        let voutput = tool_threshold(&dir, &["--certs", "certs.jsons", "--key", &key, "--step", "5"], &vinput);
        let voutput = Voutput::from_json(&parse(&strip_newline(voutput))).unwrap();
        // The tool found the same share: its public key is ours, and our seed opens its encrypted share.
        assert_eq!(voutput.public_key.public_key, dkg.shares[i].public());
        trustee::open_decryption_key(seed, &voutput.private_key, &dkg.shares[i].public()).unwrap();
        tool_voutputs.push(voutput);
    }
    // Step 6 on our voutputs gives our threshold parameters, byte for byte.
    let threshold = tool_threshold(
        &dir,
        &["--certs", "certs.jsons", "--polynomials", "polynomials.jsons", "--step", "6"],
        &jsons(dkg.voutputs.iter().map(|v| v.to_json().to_bytes()).collect()),
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let TrusteeItem::Pedersen(params) = &dkg.trustees.items[0] else { panic!() };
    assert_eq!(strip_newline(threshold), params.to_json().to_bytes());
    assert_eq!(tool_voutputs.len(), 3);
}
