//! Checkpoint quorums in the face of a hostile member: key ids colliding with another member's, and signature
//! times other than the block's.

use publica_crypto::{sha256, Keypair};
use publica_notary::checkpoint::{self, CheckpointVote, LogSigner};
use publica_tlog::{Ed25519NoteSigner, SignedCheckpoint};
use publica_types::{Address, ChainId, Validator, ValidatorSet};

/// A network whose log name, `publica/collision-test/notary`, gives the Ed25519 keys of the seeds
/// `collision_seed(23341)` and `collision_seed(105089)` the same C2SP key id (0x754d2246), found by a birthday
/// search over about 2^17 seeds.
fn chain() -> ChainId {
    "collision-test".parse().unwrap()
}

fn collision_seed(i: u64) -> [u8; 32] {
    let mut input = b"publica/test/key-id-collision/".to_vec();
    input.extend_from_slice(&i.to_be_bytes());
    sha256(&input)
}

/// A member whose Ed25519 checkpoint key is the one of `ed_seed` instead of the one derived from its consensus
/// key, with a signer for its votes.
struct Member {
    key: Keypair,
    ed_seed: Option<[u8; 32]>,
}

impl Member {
    fn validator(&self) -> Validator {
        let mut v = Validator::from_keypair(&self.key, 1);
        if let Some(seed) = self.ed_seed {
            let signer = Ed25519NoteSigner::from_seed(&checkpoint::origin(&chain()), &seed).unwrap();
            v.log_keys.ed25519 = signer.verifier_key().public_key.try_into().unwrap();
        }
        v
    }

    fn vote(&self, size: u64, root: [u8; 32], timestamp: u64) -> (Address, CheckpointVote) {
        let mut vote = LogSigner::new(&chain(), &self.key).unwrap().sign(size, root, timestamp).unwrap();
        if let Some(seed) = self.ed_seed {
            let origin = checkpoint::origin(&chain());
            let text =
                publica_tlog::Checkpoint { origin: origin.clone(), size, root, extensions: Vec::new() }.to_text();
            vote.ed25519 = Ed25519NoteSigner::from_seed(&origin, &seed).unwrap().sign(&text).signature;
        }
        (self.key.address(), vote)
    }
}

#[test]
fn members_whose_key_ids_collide_do_not_make_the_checkpoints_of_their_set_unverifiable() {
    // Member 0 holds the first colliding key; member 4 (say, added later by a Byzantine agency that spent the work)
    // the second. Every member signs; a note carries one line per key name and id, so only the first of the two
    // colliding members (in address order) gets its lines on the note.
    let members: Vec<Member> = (0..5u8)
        .map(|i| Member {
            key: Keypair::from_seed(&[60 + i; 32]),
            ed_seed: match i {
                0 => Some(collision_seed(23341)),
                4 => Some(collision_seed(105089)),
                _ => None,
            },
        })
        .collect();
    let set = ValidatorSet::new(members.iter().map(Member::validator).collect()).expect("distinct valid keys");
    let origin = checkpoint::origin(&chain());
    let ids: Vec<u32> = [0, 4]
        .iter()
        .map(|&i| checkpoint::validator_vkeys(&origin, set.get(&members[i].key.address()).unwrap()).unwrap()[0].key_id)
        .collect();
    assert_eq!(ids[0], ids[1], "the fixture collides");

    let root = [3; 32];
    let votes: Vec<_> = members.iter().map(|m| m.vote(7, root, 1_700_000_000)).collect();
    for (address, vote) in &votes {
        checkpoint::verify_vote(&origin, set.get(address).unwrap(), vote).expect("each vote is valid on its own");
    }
    let signed =
        checkpoint::assemble(&chain(), &set, 7, root, 1_700_000_000, &votes).expect("four of five sign both ways");
    assert_eq!(signed.note.signatures().len(), 8, "the second colliding member is left out");
    checkpoint::verify_checkpoint(&chain(), &set, &signed).expect("the other four members make the quorum");
    let parsed = SignedCheckpoint::parse(&signed.to_bytes()).unwrap();
    checkpoint::verify_checkpoint(&chain(), &set, &parsed).expect("and after a round trip through text");
}

#[test]
fn a_checkpoint_vote_signed_at_another_time_than_the_block_is_left_out() {
    let keys: Vec<Keypair> = (0..4u8).map(|i| Keypair::from_seed(&[70 + i; 32])).collect();
    let set = ValidatorSet::new(keys.iter().map(|k| Validator::from_keypair(k, 1)).collect()).unwrap();
    let (root, block_time_s, year_2100_s) = ([4; 32], 1_700_000_000, 4_102_444_800);
    let mut votes: Vec<_> = keys
        .iter()
        .map(|k| (k.address(), LogSigner::new(&chain(), k).unwrap().sign(9, root, block_time_s).unwrap()))
        .collect();
    // A Byzantine validator signs the right head with a far-future time: a valid signature, but not the block's.
    let byzantine = &keys[3];
    votes[3].1 = LogSigner::new(&chain(), byzantine).unwrap().sign(9, root, year_2100_s).unwrap();
    let origin = checkpoint::origin(&chain());
    checkpoint::verify_vote(&origin, set.get(&byzantine.address()).unwrap(), &votes[3].1).expect("the signature");

    let signed =
        checkpoint::assemble(&chain(), &set, 9, root, block_time_s, &votes).expect("three honest votes are a quorum");
    assert_eq!(signed.note.signatures().len(), 6, "the vote with another time is left out");
    let times: Vec<u64> = signed
        .note
        .signatures()
        .iter()
        .filter(|s| s.signature.len() > 64)
        .map(|s| u64::from_be_bytes(s.signature[..8].try_into().unwrap()))
        .collect();
    assert_eq!(times, vec![block_time_s; 3]);
    // Two honest votes and two at another time make no checkpoint.
    votes[2].1 = LogSigner::new(&chain(), &keys[2]).unwrap().sign(9, root, year_2100_s).unwrap();
    assert!(checkpoint::assemble(&chain(), &set, 9, root, block_time_s, &votes).is_none());
}
