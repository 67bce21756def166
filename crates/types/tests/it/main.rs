//! Tests of the ledger's shared types: names, validator sets, certificates, genesis, error codes, decoders.

mod validator_set;

use proptest::prelude::*;
use publica_crypto::Keypair;
use publica_types::*;

fn key(i: u8) -> Keypair {
    Keypair::from_seed(&[i; 32])
}

fn chain() -> ChainId {
    "test-chain".parse().unwrap()
}

#[test]
fn names_are_validated_everywhere() {
    assert!("Land-Registry".parse::<AgencyId>().is_err());
    assert!("-land".parse::<AgencyId>().is_err());
    assert!("".parse::<Role>().is_err());
    assert!("a".repeat(33).parse::<Role>().is_err());
    assert!("land-registry".parse::<AgencyId>().is_ok());
    // A name that breaks the rule cannot be smuggled in through borsh or JSON.
    let bad = borsh::to_vec(&"BAD NAME".to_string()).unwrap();
    assert!(decode_canonical::<AgencyId>("agency", &bad, 1024).is_err());
    assert!(serde_json::from_str::<Role>("\"Admin\"").is_err());
}

fn validator(i: u8, power: u64) -> Validator {
    let k = key(i);
    Validator::from_keypair(&k, power)
}

#[test]
fn validator_sets_are_sorted_and_checked() {
    let set = ValidatorSet::new(vec![validator(3, 1), validator(1, 1), validator(2, 1)]).unwrap();
    let addrs: Vec<_> = set.validators().iter().map(|v| v.address).collect();
    let mut sorted = addrs.clone();
    sorted.sort();
    assert_eq!(addrs, sorted);
    assert!(ValidatorSet::new(vec![validator(1, 1), validator(1, 1)]).is_err());
    assert!(ValidatorSet::new(vec![validator(1, 0)]).is_err());
    assert!(ValidatorSet::new(vec![]).is_err());
    let mut wrong = validator(1, 1);
    wrong.address = Address([0; 20]);
    assert!(ValidatorSet::new(vec![wrong]).is_err());
    // Round trip through borsh, and refusal of an unsorted encoding.
    let bytes = codec::encode(&set);
    assert_eq!(ValidatorSet::decode(&bytes).unwrap(), set);
    let mut members = set.validators().to_vec();
    members.reverse();
    let mut unsorted = (members.len() as u32).to_le_bytes().to_vec();
    for m in &members {
        unsorted.extend(codec::encode(m));
    }
    assert!(ValidatorSet::decode(&unsorted).is_err());
}

fn certificate(signers: &[u8], height: u64, hash: Hash) -> CommitCertificate {
    let signatures = signers
        .iter()
        .map(|i| {
            let k = key(*i);
            let vote = VoteBody {
                height,
                round: 0,
                kind: VoteKind::Precommit,
                block_hash: Some(hash),
                validator: k.public_key().address(),
            };
            CommitSignature { validator: k.public_key().address(), signature: k.sign(&vote.signing_bytes(&chain())) }
        })
        .collect();
    CommitCertificate { height, round: 0, block_hash: hash, signatures }
}

#[test]
fn certificates_need_more_than_two_thirds() {
    let set = ValidatorSet::new((1..=4).map(|i| validator(i, 1)).collect()).unwrap();
    assert_eq!(set.quorum_power(), 3);
    assert!(certificate(&[1, 2, 3], 5, [9; 32]).verify(&chain(), &set).is_ok());
    assert!(certificate(&[1, 2, 3, 4], 5, [9; 32]).verify(&chain(), &set).is_ok());
    let err = certificate(&[1, 2], 5, [9; 32]).verify(&chain(), &set).unwrap_err();
    assert!(err.to_string().contains("more than two thirds"), "{err}");
}

#[test]
fn certificates_refuse_duplicates_strangers_and_tampering() {
    let set = ValidatorSet::new((1..=4).map(|i| validator(i, 1)).collect()).unwrap();
    let mut dup = certificate(&[1, 2, 3], 5, [9; 32]);
    dup.signatures[2] = dup.signatures[0].clone();
    assert!(dup.verify(&chain(), &set).unwrap_err().to_string().contains("twice"));
    let stranger = certificate(&[1, 2, 9], 5, [9; 32]);
    assert!(stranger.verify(&chain(), &set).unwrap_err().to_string().contains("not in the validator set"));
    // Signatures for another block, height or chain do not count.
    let mut moved = certificate(&[1, 2, 3], 5, [9; 32]);
    moved.block_hash = [8; 32];
    assert!(moved.verify(&chain(), &set).is_err());
    let mut higher = certificate(&[1, 2, 3], 5, [9; 32]);
    higher.height = 6;
    assert!(higher.verify(&chain(), &set).is_err());
    assert!(certificate(&[1, 2, 3], 5, [9; 32]).verify(&"other".parse().unwrap(), &set).is_err());
    // A signature by a member over a prevote is not a precommit.
    let mut prevote = certificate(&[1, 2, 3], 5, [9; 32]);
    let k = key(3);
    let vote = VoteBody {
        height: 5,
        round: 0,
        kind: VoteKind::Prevote,
        block_hash: Some([9; 32]),
        validator: k.public_key().address(),
    };
    prevote.signatures[2].signature = k.sign(&vote.signing_bytes(&chain()));
    assert!(prevote.verify(&chain(), &set).is_err());
}

#[test]
fn genesis_round_trips_and_is_checked() {
    let admin = key(5);
    let genesis = Genesis {
        chain_id: chain(),
        genesis_time_ms: 1,
        agencies: vec![GenesisAgency {
            id: "land-registry".parse().unwrap(),
            name: "Land Registry".into(),
            can_register_citizens: false,
            roles: vec!["registrar".parse().unwrap()],
            admins: vec![GenesisAccount { public_key: admin.public_key().clone() }],
        }],
        validators: ValidatorSet::new(vec![validator(1, 1)]).unwrap(),
    };
    let back = Genesis::from_json(genesis.to_json().as_bytes()).unwrap();
    assert_eq!(back, genesis);
    assert_eq!(back.hash(), genesis.hash());
    let mut twice = genesis.clone();
    twice.agencies.push(twice.agencies[0].clone());
    assert!(Genesis::from_json(twice.to_json().as_bytes()).is_err());
    assert!(Genesis::from_json(b"{not json").is_err());
}

#[test]
fn error_codes_are_unique_and_stable() {
    let mut numbers: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.number()).collect();
    let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    numbers.sort();
    names.sort();
    numbers.dedup();
    names.dedup();
    assert_eq!(numbers.len(), ErrorCode::ALL.len());
    assert_eq!(names.len(), ErrorCode::ALL.len());
    assert_eq!(ErrorCode::BadSignature.number(), 1101);
    assert_eq!(serde_json::to_string(&ErrorCode::MissingRole).unwrap(), "\"missing_role\"");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = CommitCertificate::decode(&bytes);
        let _ = ValidatorSet::decode(&bytes);
        let _ = BlockHeader::decode(&bytes);
    }
}

/// State values skip the re-encoding check (`decode_state`), but not the others: a value with a byte after it, a
/// truncated one and one over the limit are refused, and a valid one decodes to what was stored.
#[test]
fn state_values_decode_strictly_without_the_round_trip() {
    use publica_types::codec::{decode_state, encode, CodecError};
    let role: Role = "land-registrar".parse().unwrap();
    let bytes = encode(&vec![role.clone(), Role::admin()]);
    assert_eq!(decode_state::<Vec<Role>>("roles", &bytes, 1024).unwrap(), vec![role, Role::admin()]);
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(decode_state::<Vec<Role>>("roles", &longer, 1024), Err(CodecError::Malformed { .. })));
    assert!(matches!(
        decode_state::<Vec<Role>>("roles", &bytes[..bytes.len() - 1], 1024),
        Err(CodecError::Malformed { .. })
    ));
    assert!(matches!(decode_state::<Vec<Role>>("roles", &bytes, 8), Err(CodecError::TooLarge { .. })));
}
