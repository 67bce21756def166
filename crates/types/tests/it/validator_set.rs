//! Validator sets refuse what would break their consensus or their checkpoints: checkpoint keys no verifier can
//! use, checkpoint keys shared by two validators or colliding in their 4-byte key ids, and voting power too large
//! for the threshold arithmetic.

use publica_crypto::{sha256_concat, Keypair};
use publica_types::*;

fn key(i: u8) -> Keypair {
    Keypair::from_seed(&[40 + i; 32])
}

fn validator(i: u8, power: u64) -> Validator {
    Validator::from_keypair(&key(i), power)
}

fn hex32(s: &str) -> [u8; 32] {
    let v: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect();
    v.try_into().unwrap()
}

/// Encode members as a set would be encoded, without the constructor's checks (what a peer or a file may send).
fn raw_set(mut members: Vec<Validator>) -> Vec<u8> {
    members.sort_by_key(|v| v.address);
    let mut bytes = (members.len() as u32).to_le_bytes().to_vec();
    for m in &members {
        bytes.extend(codec::encode(m));
    }
    bytes
}

fn genesis(chain_id: &str, validators: ValidatorSet) -> Genesis {
    Genesis {
        chain_id: chain_id.parse().unwrap(),
        genesis_time_ms: 1,
        agencies: vec![GenesisAgency {
            id: "land".parse().unwrap(),
            name: "Land".into(),
            can_register_citizens: false,
            roles: Vec::new(),
            admins: vec![GenesisAccount { public_key: key(9).public_key().clone() }],
        }],
        validators,
    }
}

/// Two valid Ed25519 public keys whose C2SP key ids (signature type 0x01) collide under the log name of chain
/// `collision-test`, `publica/collision-test/notary`: both are 0x754d2246. Found by a birthday search over the
/// seeds `SHA-256("publica/test/key-id-collision/" || i as u64 big-endian)`, i = 23341 and 105089 (about 2^17
/// keys, seconds of work; colliding with one given key would take about 2^32).
const COLLIDING_ED25519: [&str; 2] = [
    "a5dac8326d94a51154582df51fbf19f7aadf31b420583b8df629e6db78012f63",
    "55fa4359fcb88efb88f312150530de98ed60fac5d3de524c75c3a508ad50fe8e",
];

fn ed25519_key_id(name: &str, key: &[u8; 32]) -> [u8; 4] {
    let digest = sha256_concat(&[name.as_bytes(), b"\n", &[0x01], key]);
    [digest[0], digest[1], digest[2], digest[3]]
}

#[test]
fn a_checkpoint_key_that_is_not_a_curve_point_cannot_enter_a_validator_set() {
    // y = 2 is not the y coordinate of any point of edwards25519: no verifier can build this key.
    let mut bad = validator(1, 1);
    bad.log_keys.ed25519 = [0; 32];
    bad.log_keys.ed25519[0] = 2;
    let error = ValidatorSet::new(vec![validator(2, 1), bad.clone()]).expect_err("an off-curve checkpoint key");
    assert!(error.to_string().contains("checkpoint"), "{error}");
    assert!(ValidatorSet::decode(&raw_set(vec![validator(2, 1), bad])).is_err(), "nor through the decoder");
    // The identity point is on the curve but of small order: a key nobody holds a secret for.
    let mut identity = validator(1, 1);
    identity.log_keys.ed25519 = [0; 32];
    identity.log_keys.ed25519[0] = 1;
    assert!(ValidatorSet::new(vec![identity]).is_err());
}

#[test]
fn two_validators_cannot_share_checkpoint_keys() {
    // Sharing keys would let one checkpoint signature count for both validators' power.
    let mut copy = validator(2, 1);
    copy.log_keys = validator(1, 1).log_keys;
    let error = ValidatorSet::new(vec![validator(1, 1), copy.clone()]).expect_err("a copied checkpoint key");
    assert!(error.to_string().contains("checkpoint key"), "{error}");
    assert!(ValidatorSet::decode(&raw_set(vec![validator(1, 1), copy])).is_err());
    // One half copied is refused too.
    let mut half = validator(2, 1);
    half.log_keys.ml_dsa_44 = validator(1, 1).log_keys.ml_dsa_44;
    assert!(ValidatorSet::new(vec![validator(1, 1), half]).is_err());
}

#[test]
fn validators_whose_checkpoint_key_ids_collide_are_refused_by_genesis() {
    let name = "publica/collision-test/notary";
    let [a, b] = COLLIDING_ED25519.map(hex32);
    assert_ne!(a, b);
    assert_eq!(ed25519_key_id(name, &a), ed25519_key_id(name, &b), "the fixture collides");
    let mut first = validator(1, 1);
    first.log_keys.ed25519 = a;
    let mut second = validator(2, 1);
    second.log_keys.ed25519 = b;
    let set = ValidatorSet::new(vec![first, second, validator(3, 1)]).expect("distinct, valid keys");
    // The key ids depend on the network's name: on this network the two keys cannot be told apart.
    let error = genesis("collision-test", set.clone()).validate().expect_err("colliding key ids");
    assert!(error.to_string().contains("key id"), "{error}");
    assert!(Genesis::from_json(genesis("collision-test", set.clone()).to_json().as_bytes()).is_err());
    // On another network the same keys have other ids.
    genesis("other-chain", set).validate().expect("no collision under another name");
}

#[test]
fn a_set_with_a_huge_total_voting_power_is_refused() {
    // The attack: one validator's power set to 7 * 10^18 fits a u64, but the consensus engine's threshold
    // arithmetic (3 x power) overflowed and panicked.
    for powers in [vec![7_000_000_000_000_000_000, 1], vec![u64::MAX / 3, 1, 1], vec![u64::MAX - 1, 1]] {
        let members: Vec<Validator> = powers.iter().enumerate().map(|(i, p)| validator(i as u8, *p)).collect();
        let error = ValidatorSet::new(members.clone()).expect_err("a total beyond the policy limit");
        assert!(error.to_string().contains("voting power"), "{error}");
        assert!(ValidatorSet::decode(&raw_set(members)).is_err(), "nor through the decoder");
    }
    // The limit itself is allowed, one more is not.
    let at_limit = ValidatorSet::new(vec![validator(1, MAX_TOTAL_VOTING_POWER - 1), validator(2, 1)]).unwrap();
    assert_eq!(at_limit.total_power(), MAX_TOTAL_VOTING_POWER);
    assert!(at_limit.quorum_power() <= MAX_TOTAL_VOTING_POWER);
    assert_eq!(ValidatorSet::decode(&codec::encode(&at_limit)).unwrap(), at_limit);
    assert!(ValidatorSet::new(vec![validator(1, MAX_TOTAL_VOTING_POWER), validator(2, 1)]).is_err());
}
