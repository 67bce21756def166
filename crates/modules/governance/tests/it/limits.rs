//! A vote cannot install a set that breaks consensus or checkpoints: voting power beyond the policy limit,
//! checkpoint keys no verifier can use, or checkpoint keys colliding with a member's key id.

use publica_crypto::Keypair;
use publica_governance::call::possession_message;
use publica_governance::call::ValidatorChange;
use publica_governance::{error, VALIDATORS_KEY};
use publica_types::{codec, StateWrite, Validator, ValidatorSet};

use publica_testkit::keypair;

use super::{agency, chain_id, code, Net};

/// An Add of `validator` (whose consensus key is `new`), with a valid proof of possession.
fn add(new: &Keypair, validator: Validator) -> ValidatorChange {
    let possession = new.sign(&possession_message(&chain_id(), &agency(), &validator));
    ValidatorChange::Add { agency: agency(), validator, possession }
}

fn hex32(s: &str) -> [u8; 32] {
    let v: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect();
    v.try_into().unwrap()
}

#[test]
fn a_vote_for_a_huge_voting_power_is_refused_and_cannot_halt_the_chain() {
    let mut net = Net::new(4);
    let before = net.set();
    let v0 = net.validators[0].public_key().address();
    // The attack of the review: 7 * 10^18 fits a u64 but overflowed the engine's threshold arithmetic.
    for power in [7_000_000_000_000_000_000, u64::MAX / 3, u64::MAX] {
        let refused = net.propose(ValidatorChange::SetPower { address: v0, voting_power: power });
        let error = refused.expect_err("a power beyond the limit is refused at once");
        assert_eq!(error.code, error::VOTING_POWER_TOO_LARGE, "{error}");
        assert!(error.message.contains("voting power"), "{error}");
        let newcomer = keypair("huge");
        let refused = net.propose(add(&newcomer, Validator::from_keypair(&newcomer, power)));
        assert_eq!(code(refused), error::VOTING_POWER_TOO_LARGE);
    }
    assert_eq!(net.set(), before);
}

#[test]
fn a_validator_with_an_off_curve_checkpoint_key_cannot_join() {
    let mut net = Net::new(4);
    let newcomer = keypair("off-curve");
    let mut validator = Validator::from_keypair(&newcomer, 1);
    // y = 2 is on no point of edwards25519: every checkpoint of a set holding this key would fail to verify.
    validator.log_keys.ed25519 = [0; 32];
    validator.log_keys.ed25519[0] = 2;
    let error = net.propose(add(&newcomer, validator)).expect_err("an unusable checkpoint key");
    assert_eq!(error.code, error::CHECKPOINT_KEYS_INVALID);
    assert!(error.message.contains("checkpoint"), "{error}");
}

#[test]
fn a_validator_cannot_join_with_a_member_s_checkpoint_key_or_key_id() {
    let mut net = Net::new(4);
    // Two valid Ed25519 keys whose C2SP key ids collide under this network's log name `publica/gov-test/notary`
    // (both 0xe02128c4; a birthday search over the seeds SHA-256("publica/test/key-id-collision/" || i as u64
    // big-endian), i = 50613 and 92712). Member 0's key is replaced by the first, through the state, as if the
    // genesis had carried it.
    let a = hex32("6dade4caf676a5c9af742c5434116829a9e5ac82eab008fa11b9f24ec29e8293");
    let b = hex32("26295937d2902e8a81884fb582438bec6ef21d33737d8b3a686644a10b3694aa");
    let mut members = net.set().validators().to_vec();
    members[0].log_keys.ed25519 = a;
    let set = ValidatorSet::new(members.clone()).unwrap();
    net.state.put(VALIDATORS_KEY.to_vec(), codec::encode(&set));

    let newcomer = keypair("collider");
    let mut validator = Validator::from_keypair(&newcomer, 1);
    validator.log_keys.ed25519 = b;
    let error = net.propose(add(&newcomer, validator)).expect_err("a colliding key id");
    assert_eq!(error.code, error::CHECKPOINT_KEY_ID_TAKEN);
    assert!(error.message.contains("key id"), "{error}");

    // A member's checkpoint keys copied outright.
    let copier = keypair("copier");
    let mut validator = Validator::from_keypair(&copier, 1);
    validator.log_keys = members[1].log_keys.clone();
    let error = net.propose(add(&copier, validator)).expect_err("a copied checkpoint key");
    assert!(error.message.contains("checkpoint key"), "{error}");
    assert_eq!(net.set(), set);
}
