//! Threshold decryption: a whole key generation and tender opening, complaints against bad and good shares, and the
//! refusals (bad proofs, proofs moved to another index, context or ephemeral key, too few or repeated shares,
//! changed boxes, non-canonical encodings and identity points). Throughput is measured by the ignored `perf` test:
//! `cargo test --release -p publica-crypto --test it threshold::perf -- --ignored --nocapture`.

use std::time::Instant;

use curve25519_dalek_ng::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek_ng::scalar::Scalar;
use proptest::prelude::*;
use publica_crypto::threshold::{
    combine, joint_public_key, open, prove_encryption_key, seal, secret_share, verification_key, verification_keys,
    verify_decryption_shares_batch, verify_encryption_key, Complaint, Deal, DecryptionShare, EncryptionSecret, Point,
    ScalarBytes, SealedBox, SecretScalar, ThresholdError, MAX_HOLDERS,
};
use rand::rngs::StdRng;
use rand::SeedableRng;

const DKG_CONTEXT: &[u8] = b"publica-test/chain-1/dkg-1";
const TENDER: &[u8] = b"publica-test/chain-1/tender-7";
const BIDDER: &[u8] = b"bidder-42";

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A finished key generation: the holders' secrets and keys, every deal, and the holders' shares.
struct Ceremony {
    threshold: u16,
    secrets: Vec<EncryptionSecret>,
    keys: Vec<Point>,
    deals: Vec<Deal>,
    shares: Vec<SecretScalar>,
    verification_keys: Vec<Point>,
    joint_key: Point,
}

fn holders(n: u16, rng: &mut StdRng) -> (Vec<EncryptionSecret>, Vec<Point>) {
    let secrets: Vec<EncryptionSecret> = (0..n).map(|_| EncryptionSecret::generate(rng)).collect();
    let keys: Vec<Point> = secrets.iter().map(EncryptionSecret::public).collect();
    for (j, (secret, key)) in (1u16..).zip(secrets.iter().zip(&keys)) {
        let proof = prove_encryption_key(secret, DKG_CONTEXT, j, rng).unwrap();
        verify_encryption_key(key, &proof, DKG_CONTEXT, j).unwrap();
    }
    (secrets, keys)
}

fn qualified(deals: &[Deal]) -> Vec<(u16, &Deal)> {
    (1u16..).zip(deals).collect()
}

fn ceremony(n: u16, threshold: u16, seed: u64) -> Ceremony {
    let mut rng = rng(seed);
    let (secrets, keys) = holders(n, &mut rng);
    let deals: Vec<Deal> = (1..=n).map(|i| Deal::make(&mut rng, DKG_CONTEXT, i, threshold, &keys).unwrap()).collect();
    for (i, deal) in qualified(&deals) {
        deal.check_public(DKG_CONTEXT, i, threshold, n).unwrap();
    }
    let qualified = qualified(&deals);
    let joint_key = joint_public_key(&qualified).unwrap();
    let verification_keys = verification_keys(&qualified).unwrap();
    let shares: Vec<SecretScalar> =
        (1u16..).zip(&secrets).map(|(j, secret)| secret_share(&qualified, DKG_CONTEXT, j, secret).unwrap()).collect();
    Ceremony { threshold, secrets, keys, deals, shares, verification_keys, joint_key }
}

impl Ceremony {
    /// Holder `j`'s verified decryption share of `sealed`.
    fn decryption_share(&self, j: u16, sealed: &SealedBox, rng: &mut StdRng) -> (u16, Point) {
        let index = usize::from(j) - 1;
        let share =
            DecryptionShare::make(&self.shares[index], &self.verification_keys[index], &sealed.ephemeral, TENDER, rng)
                .unwrap();
        share.verify(&self.verification_keys[index], &sealed.ephemeral, TENDER).unwrap();
        (j, share.share)
    }
}

/// Every subset of `1..=n` with `k` members, in lexicographic order.
fn subsets(n: u16, k: u16) -> Vec<Vec<u16>> {
    if k == 0 {
        return vec![vec![]];
    }
    if n < k {
        return vec![];
    }
    let mut with_n = subsets(n - 1, k - 1);
    for subset in &mut with_n {
        subset.push(n);
    }
    let mut all = subsets(n - 1, k);
    all.extend(with_n);
    all
}

/// The joint secret, interpolated from the holders' shares at `indices`: only tests may compute it.
fn joint_secret(ceremony: &Ceremony, indices: &[u16]) -> Scalar {
    let mut secret = Scalar::zero();
    for &j in indices {
        let mut lambda = Scalar::one();
        for &m in indices {
            if m != j {
                let (m, j) = (Scalar::from(u64::from(m)), Scalar::from(u64::from(j)));
                lambda *= m * (m - j).invert();
            }
        }
        let share = Scalar::from_canonical_bytes(*ceremony.shares[usize::from(j) - 1].to_bytes()).unwrap();
        secret += lambda * share;
    }
    secret
}

#[test]
fn a_ceremony_of_five_holders_with_threshold_three_opens_a_bid_with_any_three_shares() {
    let ceremony = ceremony(5, 3, 1);
    let qualified = qualified(&ceremony.deals);

    // Every holder's share matches its verification key, computed one by one or all at once.
    for j in 1..=5u16 {
        let index = usize::from(j) - 1;
        assert_eq!(ceremony.shares[index].public(), ceremony.verification_keys[index]);
        assert_eq!(verification_key(&qualified, j).unwrap(), ceremony.verification_keys[index]);
    }
    // Any three shares determine the same joint secret, whose public key is the joint key.
    let secret = joint_secret(&ceremony, &[1, 2, 3]);
    assert_eq!(joint_secret(&ceremony, &[2, 4, 5]), secret);
    assert_eq!(Point::from_point(&(&secret * &RISTRETTO_BASEPOINT_TABLE)), ceremony.joint_key);

    let mut rng = rng(2);
    let bid = b"price: 1,234,567.00 EUR; delivery: 30 days".to_vec();
    let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, &bid).unwrap();
    sealed.verify(TENDER, BIDDER).unwrap();

    let all: Vec<(u16, Point)> = (1..=5).map(|j| ceremony.decryption_share(j, &sealed, &mut rng)).collect();
    let expected = Point::from_point(&(secret * sealed.ephemeral.decode().unwrap()));
    for subset in subsets(5, 3) {
        let chosen: Vec<(u16, Point)> = subset.iter().map(|&j| all[usize::from(j) - 1]).collect();
        let combined = combine(&chosen, 3).unwrap();
        assert_eq!(combined, expected, "subset {subset:?}");
        assert_eq!(open(&sealed, &combined, TENDER, BIDDER).unwrap(), bid, "subset {subset:?}");
    }
    // The order of the shares does not matter, and shares beyond the threshold are ignored.
    let reversed: Vec<(u16, Point)> = all.iter().rev().copied().collect();
    assert_eq!(combine(&reversed, 3).unwrap(), expected);
    assert_eq!(combine(&all, 3).unwrap(), expected);

    // The ledger verifies many shares at once.
    let made: Vec<DecryptionShare> = (0..5)
        .map(|index| {
            let key = &ceremony.verification_keys[index];
            DecryptionShare::make(&ceremony.shares[index], key, &sealed.ephemeral, TENDER, &mut rng).unwrap()
        })
        .collect();
    let items: Vec<(&DecryptionShare, &Point, &Point, &[u8])> = made
        .iter()
        .zip(&ceremony.verification_keys)
        .map(|(share, key)| (share, key, &sealed.ephemeral, TENDER))
        .collect();
    assert!(verify_decryption_shares_batch(&items).iter().all(Result::is_ok));
    assert!(verify_decryption_shares_batch(&[]).is_empty());
}

#[test]
fn every_value_round_trips_through_borsh_and_json() {
    let ceremony = ceremony(3, 2, 3);
    let mut rng = rng(4);
    let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"bid").unwrap();
    let share =
        DecryptionShare::make(&ceremony.shares[0], &ceremony.verification_keys[0], &sealed.ephemeral, TENDER, &mut rng)
            .unwrap();
    let complaint = Complaint::make(&mut rng, DKG_CONTEXT, 1, 2, &ceremony.deals[0], &ceremony.secrets[1]).unwrap();

    fn round_trip<T>(value: &T)
    where
        T: borsh::BorshSerialize + borsh::BorshDeserialize + serde::Serialize + serde::de::DeserializeOwned,
        T: PartialEq + std::fmt::Debug,
    {
        let bytes = borsh::to_vec(value).unwrap();
        assert_eq!(&borsh::from_slice::<T>(&bytes).unwrap(), value);
        let json = serde_json::to_string(value).unwrap();
        assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value);
    }
    round_trip(&ceremony.deals[0]);
    round_trip(&sealed);
    round_trip(&share);
    round_trip(&complaint);
    round_trip(&ceremony.joint_key);

    // Fixed sizes: a point and a scalar are their 32 bytes, a proof its 64.
    assert_eq!(borsh::to_vec(&ceremony.joint_key).unwrap(), ceremony.joint_key.0);
    assert_eq!(borsh::to_vec(&share).unwrap().len(), 32 + 64);
    assert_eq!(borsh::to_vec(&share.proof).unwrap(), share.proof.to_bytes());
    // In JSON a point is a hex string of exactly 32 bytes.
    assert_eq!(
        serde_json::to_string(&ceremony.joint_key).unwrap(),
        format!("\"{}\"", hex::encode(ceremony.joint_key.0))
    );
    assert!(serde_json::from_str::<Point>(&format!("\"{}\"", hex::encode([1u8; 31]))).is_err());
    assert!(serde_json::from_str::<Point>(&format!("\"{}zz\"", hex::encode([1u8; 31]))).is_err());
}

#[test]
fn a_dealer_who_sends_a_bad_share_is_caught_by_the_complaint_and_the_others_still_make_a_key() {
    let mut ceremony = ceremony(5, 3, 5);
    // Dealer 4 sends holder 2 a share that does not match its commitments. Nothing public shows it.
    let masked = ceremony.deals[3].shares[1].masked.decode().unwrap();
    ceremony.deals[3].shares[1].masked = ScalarBytes::from(masked + Scalar::one());
    ceremony.deals[3].check_public(DKG_CONTEXT, 4, 3, 5).unwrap();

    let error = ceremony.deals[3].open_share(DKG_CONTEXT, 4, 2, &ceremony.secrets[1]).unwrap_err();
    assert_eq!(error, ThresholdError::BadShare { dealer: 4, holder: 2 });
    assert_eq!(
        secret_share(&qualified(&ceremony.deals), DKG_CONTEXT, 2, &ceremony.secrets[1]).unwrap_err(),
        ThresholdError::BadShare { dealer: 4, holder: 2 }
    );
    // The other holders' shares from dealer 4 are fine.
    ceremony.deals[3].open_share(DKG_CONTEXT, 4, 1, &ceremony.secrets[0]).unwrap();

    let mut rng = rng(6);
    let complaint = Complaint::make(&mut rng, DKG_CONTEXT, 4, 2, &ceremony.deals[3], &ceremony.secrets[1]).unwrap();
    assert!(complaint.judge(&ceremony.deals[3], DKG_CONTEXT, 4, 2, &ceremony.keys[1]).unwrap(), "upheld");

    // Dealer 4 is disqualified; the other four make a key that works.
    let remaining: Vec<(u16, &Deal)> = qualified(&ceremony.deals).into_iter().filter(|(i, _)| *i != 4).collect();
    let joint_key = joint_public_key(&remaining).unwrap();
    assert_ne!(joint_key, ceremony.joint_key);
    let shares: Vec<SecretScalar> = (1u16..)
        .zip(&ceremony.secrets)
        .map(|(j, secret)| secret_share(&remaining, DKG_CONTEXT, j, secret).unwrap())
        .collect();
    let keys = verification_keys(&remaining).unwrap();
    let sealed = seal(&mut rng, &joint_key, TENDER, BIDDER, b"bid").unwrap();
    let decryption_shares: Vec<(u16, Point)> = [5u16, 2, 3]
        .iter()
        .map(|&j| {
            let index = usize::from(j) - 1;
            let share =
                DecryptionShare::make(&shares[index], &keys[index], &sealed.ephemeral, TENDER, &mut rng).unwrap();
            share.verify(&keys[index], &sealed.ephemeral, TENDER).unwrap();
            (j, share.share)
        })
        .collect();
    let combined = combine(&decryption_shares, 3).unwrap();
    assert_eq!(open(&sealed, &combined, TENDER, BIDDER).unwrap(), b"bid");
}

#[test]
fn a_complaint_against_a_good_share_is_not_upheld() {
    let ceremony = ceremony(4, 2, 7);
    let mut rng = rng(8);
    let complaint = Complaint::make(&mut rng, DKG_CONTEXT, 3, 1, &ceremony.deals[2], &ceremony.secrets[0]).unwrap();
    assert!(!complaint.judge(&ceremony.deals[2], DKG_CONTEXT, 3, 1, &ceremony.keys[0]).unwrap());
}

#[test]
fn a_complaint_with_a_forged_proof_or_moved_elsewhere_is_refused() {
    let mut ceremony = ceremony(4, 2, 9);
    let masked = ceremony.deals[0].shares[2].masked.decode().unwrap();
    ceremony.deals[0].shares[2].masked = ScalarBytes::from(masked - Scalar::one());
    let deal = &ceremony.deals[0];
    let mut rng = rng(10);
    let complaint = Complaint::make(&mut rng, DKG_CONTEXT, 1, 3, deal, &ceremony.secrets[2]).unwrap();
    assert!(complaint.judge(deal, DKG_CONTEXT, 1, 3, &ceremony.keys[2]).unwrap());
    let bad_proof = ThresholdError::BadProof { proof: "proof of the complaint" };

    // A changed response, a changed challenge, another shared value.
    let mut forged = complaint.clone();
    forged.proof.s = ScalarBytes::from(forged.proof.s.decode().unwrap() + Scalar::one());
    assert_eq!(forged.judge(deal, DKG_CONTEXT, 1, 3, &ceremony.keys[2]).unwrap_err(), bad_proof);
    let mut forged = complaint.clone();
    forged.proof.c = ScalarBytes::from(forged.proof.c.decode().unwrap() + Scalar::one());
    assert_eq!(forged.judge(deal, DKG_CONTEXT, 1, 3, &ceremony.keys[2]).unwrap_err(), bad_proof);
    let mut forged = complaint.clone();
    forged.shared = ceremony.keys[0];
    assert_eq!(forged.judge(deal, DKG_CONTEXT, 1, 3, &ceremony.keys[2]).unwrap_err(), bad_proof);

    // A holder who does not know e_j cannot complain in its name: holder 1 complaining as holder 3.
    let impostor = Complaint::make(&mut rng, DKG_CONTEXT, 1, 3, deal, &ceremony.secrets[0]).unwrap();
    assert_eq!(impostor.judge(deal, DKG_CONTEXT, 1, 3, &ceremony.keys[2]).unwrap_err(), bad_proof);

    // The proof is bound to its context, dealer and holder.
    assert_eq!(complaint.judge(deal, b"another ceremony", 1, 3, &ceremony.keys[2]).unwrap_err(), bad_proof);
    assert_eq!(complaint.judge(deal, DKG_CONTEXT, 2, 3, &ceremony.keys[2]).unwrap_err(), bad_proof);
    assert!(complaint.judge(deal, DKG_CONTEXT, 1, 4, &ceremony.keys[3]).is_err());

    // A non-canonical response is refused as such.
    let mut forged = complaint;
    forged.proof.s = ScalarBytes(L);
    assert!(matches!(
        forged.judge(deal, DKG_CONTEXT, 1, 3, &ceremony.keys[2]),
        Err(ThresholdError::NonCanonicalScalar { .. })
    ));
}

#[test]
fn decryption_shares_with_a_bad_proof_or_for_another_box_context_or_holder_are_refused() {
    let ceremony = ceremony(5, 3, 11);
    let mut rng = rng(12);
    let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"bid one").unwrap();
    let other = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"bid two").unwrap();
    let (v1, v2) = (&ceremony.verification_keys[0], &ceremony.verification_keys[1]);
    let share = DecryptionShare::make(&ceremony.shares[0], v1, &sealed.ephemeral, TENDER, &mut rng).unwrap();
    share.verify(v1, &sealed.ephemeral, TENDER).unwrap();
    let bad_proof = Err(ThresholdError::BadProof { proof: "proof of the decryption share" });

    let mut forged = share.clone();
    forged.proof.s = ScalarBytes::from(forged.proof.s.decode().unwrap() + Scalar::one());
    assert_eq!(forged.verify(v1, &sealed.ephemeral, TENDER), bad_proof);
    // A share point that is not x_1·R: holder 2's share for the same box, with holder 1's proof.
    let mut forged = share.clone();
    forged.share = DecryptionShare::make(&ceremony.shares[1], v2, &sealed.ephemeral, TENDER, &mut rng).unwrap().share;
    assert_eq!(forged.verify(v1, &sealed.ephemeral, TENDER), bad_proof);

    assert_eq!(share.verify(v1, &other.ephemeral, TENDER), bad_proof, "another box");
    assert_eq!(share.verify(v1, &sealed.ephemeral, b"another tender"), bad_proof, "another context");
    assert_eq!(share.verify(v2, &sealed.ephemeral, TENDER), bad_proof, "another holder");

    // A holder cannot make a share with a secret that is not behind the verification key it names.
    assert_eq!(
        DecryptionShare::make(&ceremony.shares[0], v2, &sealed.ephemeral, TENDER, &mut rng).unwrap_err(),
        ThresholdError::KeyMismatch { what: "verification key" }
    );

    // The batch gives every item the answer of a single verification.
    let items: Vec<(&DecryptionShare, &Point, &Point, &[u8])> = vec![
        (&share, v1, &sealed.ephemeral, TENDER),
        (&forged, v1, &sealed.ephemeral, TENDER),
        (&share, v1, &other.ephemeral, TENDER),
        (&share, v1, &sealed.ephemeral, DKG_CONTEXT),
    ];
    let results = verify_decryption_shares_batch(&items);
    assert_eq!(results, vec![Ok(()), bad_proof.clone(), bad_proof.clone(), bad_proof]);
}

#[test]
fn combine_refuses_too_few_shares_a_repeated_index_and_index_zero() {
    let ceremony = ceremony(5, 3, 13);
    let mut rng = rng(14);
    let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"bid").unwrap();
    let shares: Vec<(u16, Point)> = (1..=4).map(|j| ceremony.decryption_share(j, &sealed, &mut rng)).collect();
    assert_eq!(ceremony.threshold, 3);

    assert_eq!(combine(&shares[..2], 3), Err(ThresholdError::TooFewShares { needed: 3, got: 2 }));
    assert_eq!(combine(&[], 3), Err(ThresholdError::TooFewShares { needed: 3, got: 0 }));
    assert_eq!(combine(&[shares[0], shares[1], shares[0]], 3), Err(ThresholdError::DuplicateIndex { index: 1 }));
    // The same index with a different point is still a repeat.
    assert_eq!(combine(&[shares[0], shares[1], (1, shares[2].1)], 3), Err(ThresholdError::DuplicateIndex { index: 1 }));
    assert!(matches!(
        combine(&[(0, shares[0].1), shares[1], shares[2]], 3),
        Err(ThresholdError::InvalidIndex { index: 0, .. })
    ));
    assert!(matches!(
        combine(&[(MAX_HOLDERS + 1, shares[0].1), shares[1], shares[2]], 3),
        Err(ThresholdError::InvalidIndex { .. })
    ));
    assert!(matches!(combine(&shares, 0), Err(ThresholdError::InvalidParameters { .. })));
    // Two shares are enough for nothing: combined as if the threshold were 2 they give a wrong point.
    let wrong = combine(&shares[..2], 2).unwrap();
    assert_eq!(open(&sealed, &wrong, TENDER, BIDDER), Err(ThresholdError::Undecryptable));
}

#[test]
fn a_box_opens_only_with_the_right_point_context_and_associated_data_and_unchanged() {
    let ceremony = ceremony(3, 2, 15);
    let mut rng = rng(16);
    let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"the bid").unwrap();
    let other = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"another bid").unwrap();
    let combined =
        combine(&[ceremony.decryption_share(1, &sealed, &mut rng), ceremony.decryption_share(3, &sealed, &mut rng)], 2)
            .unwrap();
    let other_combined =
        combine(&[ceremony.decryption_share(2, &other, &mut rng), ceremony.decryption_share(3, &other, &mut rng)], 2)
            .unwrap();
    assert_eq!(open(&sealed, &combined, TENDER, BIDDER).unwrap(), b"the bid");
    assert_eq!(open(&other, &other_combined, TENDER, BIDDER).unwrap(), b"another bid");

    let undecryptable = Err(ThresholdError::Undecryptable);
    assert_eq!(open(&sealed, &other_combined, TENDER, BIDDER), undecryptable, "the point of another box");
    assert_eq!(open(&sealed, &ceremony.joint_key, TENDER, BIDDER), undecryptable, "an arbitrary point");
    assert_eq!(open(&sealed, &combined, b"another tender", BIDDER), undecryptable, "another context");
    assert_eq!(open(&sealed, &combined, TENDER, b"bidder-43"), undecryptable, "other associated data");
    for position in [0, 3, sealed.ciphertext.len() - 1] {
        let mut changed = sealed.clone();
        changed.ciphertext[position] ^= 1;
        assert_eq!(open(&changed, &combined, TENDER, BIDDER), undecryptable, "byte {position} flipped");
    }
    let mut swapped = sealed.clone();
    swapped.ephemeral = other.ephemeral;
    assert_eq!(open(&swapped, &combined, TENDER, BIDDER), undecryptable, "another ephemeral key");
    let mut truncated = sealed.clone();
    truncated.ciphertext.truncate(15);
    assert!(matches!(open(&truncated, &combined, TENDER, BIDDER), Err(ThresholdError::WrongLength { .. })));

    // An empty plaintext seals and opens too.
    let empty = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"").unwrap();
    let combined =
        combine(&[ceremony.decryption_share(2, &empty, &mut rng), ceremony.decryption_share(1, &empty, &mut rng)], 2)
            .unwrap();
    assert_eq!(open(&empty, &combined, TENDER, BIDDER).unwrap(), b"");
}

#[test]
fn a_sealed_box_is_accepted_only_for_its_own_context_and_associated_data_and_its_ephemeral_key_cannot_be_copied() {
    let ceremony = ceremony(3, 2, 17);
    let mut rng = rng(18);
    let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"the bid").unwrap();
    sealed.verify(TENDER, BIDDER).unwrap();
    let bad_proof = Err(ThresholdError::BadProof { proof: "proof of the sealed box's ephemeral key" });
    assert_eq!(sealed.verify(b"another tender", BIDDER), bad_proof);
    assert_eq!(sealed.verify(TENDER, b"bidder-43"), bad_proof);
    let mut changed = sealed.clone();
    changed.ciphertext[0] ^= 1;
    assert_eq!(changed.verify(TENDER, BIDDER), bad_proof);

    // A bidder of a tender that opens earlier copies R of a box from this tender into its own box: refused, so
    // the holders never decrypt R under the earlier tender.
    let mut copier = seal(&mut rng, &ceremony.joint_key, b"an earlier tender", b"bidder-9", b"x").unwrap();
    copier.verify(b"an earlier tender", b"bidder-9").unwrap();
    copier.ephemeral = sealed.ephemeral;
    assert!(copier.verify(b"an earlier tender", b"bidder-9").is_err());
    // Nor can the whole box be moved there.
    assert!(sealed.verify(b"an earlier tender", b"bidder-9").is_err());

    let mut identity = sealed;
    identity.ephemeral = Point([0; 32]);
    assert!(matches!(identity.verify(TENDER, BIDDER), Err(ThresholdError::IdentityPoint { .. })));
}

/// The group order ℓ, little-endian: the smallest non-canonical scalar.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Encodings that RFC 9496 §4.3.1 refuses.
fn bad_point_encodings() -> Vec<Point> {
    let basepoint = Point::from_point(&curve25519_dalek_ng::constants::RISTRETTO_BASEPOINT_POINT);
    let mut high_bit = basepoint;
    high_bit.0[31] |= 0x80;
    [
        // s = p, and s = p + 1: field elements not reduced.
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // s = 1 and s = p - 2: negative (odd) field elements.
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // s = p - 1: canonical and non-negative, but it gives y = 0, which the decoding refuses.
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]
    .iter()
    .map(|text| Point(hex::decode(text).unwrap().try_into().unwrap()))
    .chain([high_bit])
    .collect()
}

#[test]
fn non_canonical_encodings_and_the_identity_are_refused_where_the_construction_says() {
    for point in bad_point_encodings() {
        assert!(matches!(point.decode(), Err(ThresholdError::NotAPoint { .. })), "{point:?}");
    }
    // The identity decodes, but is refused where a key or an ephemeral key is expected.
    let identity = Point([0; 32]);
    assert!(identity.decode().is_ok());
    assert!(matches!(identity.decode_not_identity(), Err(ThresholdError::IdentityPoint { .. })));
    assert!(matches!(ScalarBytes(L).decode(), Err(ThresholdError::NonCanonicalScalar { .. })));
    assert!(matches!(ScalarBytes([0xff; 32]).decode(), Err(ThresholdError::NonCanonicalScalar { .. })));
    let mut below_l = L;
    below_l[0] -= 1;
    assert!(ScalarBytes(below_l).decode().is_ok());
    assert!(SecretScalar::from_bytes(&L).is_err());
    assert!(EncryptionSecret::from_bytes(&[0; 32]).is_err());

    let ceremony = ceremony(3, 2, 19);
    let mut rng = rng(20);

    // Encryption keys.
    let proof = prove_encryption_key(&ceremony.secrets[0], DKG_CONTEXT, 1, &mut rng).unwrap();
    assert!(matches!(
        verify_encryption_key(&identity, &proof, DKG_CONTEXT, 1),
        Err(ThresholdError::IdentityPoint { .. })
    ));
    assert!(matches!(
        verify_encryption_key(&bad_point_encodings()[0], &proof, DKG_CONTEXT, 1),
        Err(ThresholdError::NotAPoint { .. })
    ));
    let mut keys = ceremony.keys.clone();
    keys[1] = identity;
    assert!(matches!(Deal::make(&mut rng, DKG_CONTEXT, 1, 2, &keys), Err(ThresholdError::IdentityPoint { .. })));

    // Deals.
    let deal = &ceremony.deals[0];
    let mut changed = deal.clone();
    changed.commitments[1] = bad_point_encodings()[3];
    assert!(matches!(changed.check_public(DKG_CONTEXT, 1, 2, 3), Err(ThresholdError::NotAPoint { .. })));
    let mut changed = deal.clone();
    changed.shares[2].ephemeral = identity;
    assert!(matches!(changed.check_public(DKG_CONTEXT, 1, 2, 3), Err(ThresholdError::IdentityPoint { .. })));
    assert!(matches!(
        changed.open_share(DKG_CONTEXT, 1, 3, &ceremony.secrets[2]),
        Err(ThresholdError::IdentityPoint { .. })
    ));
    let mut changed = deal.clone();
    changed.shares[0].masked = ScalarBytes(L);
    assert!(matches!(changed.check_public(DKG_CONTEXT, 1, 2, 3), Err(ThresholdError::NonCanonicalScalar { .. })));
    let mut changed = deal.clone();
    changed.proof.c = ScalarBytes([0xff; 32]);
    assert!(matches!(changed.check_public(DKG_CONTEXT, 1, 2, 3), Err(ThresholdError::NonCanonicalScalar { .. })));

    // Sealing to the identity, and decryption shares for an identity ephemeral key or verification key.
    assert!(matches!(seal(&mut rng, &identity, TENDER, BIDDER, b"bid"), Err(ThresholdError::IdentityPoint { .. })));
    assert!(matches!(
        seal(&mut rng, &bad_point_encodings()[4], TENDER, BIDDER, b"bid"),
        Err(ThresholdError::NotAPoint { .. })
    ));
    let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, b"bid").unwrap();
    let v1 = &ceremony.verification_keys[0];
    let share = DecryptionShare::make(&ceremony.shares[0], v1, &sealed.ephemeral, TENDER, &mut rng).unwrap();
    assert!(matches!(share.verify(v1, &identity, TENDER), Err(ThresholdError::IdentityPoint { .. })));
    assert!(matches!(share.verify(&identity, &sealed.ephemeral, TENDER), Err(ThresholdError::IdentityPoint { .. })));
    assert!(matches!(
        DecryptionShare::make(&ceremony.shares[0], v1, &identity, TENDER, &mut rng),
        Err(ThresholdError::IdentityPoint { .. })
    ));
    let mut changed = share.clone();
    changed.share = bad_point_encodings()[1];
    assert!(matches!(changed.verify(v1, &sealed.ephemeral, TENDER), Err(ThresholdError::NotAPoint { .. })));
    let mut changed = share;
    changed.proof.s = ScalarBytes(L);
    assert!(matches!(changed.verify(v1, &sealed.ephemeral, TENDER), Err(ThresholdError::NonCanonicalScalar { .. })));
    assert!(matches!(
        combine(&[(1, bad_point_encodings()[2]), (2, v1.to_owned())], 2),
        Err(ThresholdError::NotAPoint { .. })
    ));
}

#[test]
fn proofs_are_bound_to_their_index_and_context() {
    let mut rng = rng(21);
    let (secrets, keys) = holders(3, &mut rng);
    let proof = prove_encryption_key(&secrets[0], DKG_CONTEXT, 1, &mut rng).unwrap();
    let bad = Err(ThresholdError::BadProof { proof: "proof of the encryption key" });
    verify_encryption_key(&keys[0], &proof, DKG_CONTEXT, 1).unwrap();
    assert_eq!(verify_encryption_key(&keys[0], &proof, DKG_CONTEXT, 2), bad, "another holder index");
    assert_eq!(verify_encryption_key(&keys[0], &proof, b"another ceremony", 1), bad, "another context");
    assert_eq!(verify_encryption_key(&keys[1], &proof, DKG_CONTEXT, 1), bad, "another key");
    assert!(matches!(
        verify_encryption_key(&keys[0], &proof, DKG_CONTEXT, 0),
        Err(ThresholdError::InvalidIndex { index: 0, .. })
    ));

    let deal = Deal::make(&mut rng, DKG_CONTEXT, 1, 2, &keys).unwrap();
    deal.check_public(DKG_CONTEXT, 1, 2, 3).unwrap();
    let bad = Err(ThresholdError::BadProof { proof: "proof of the deal's constant term" });
    assert_eq!(deal.check_public(DKG_CONTEXT, 2, 2, 3), bad, "another dealer");
    assert_eq!(deal.check_public(b"another ceremony", 1, 2, 3), bad, "another context");
    // A share decrypted under another context or dealer index does not match the commitments.
    assert_eq!(
        deal.open_share(b"another ceremony", 1, 2, &secrets[1]).unwrap_err(),
        ThresholdError::BadShare { dealer: 1, holder: 2 }
    );
    assert_eq!(
        deal.open_share(DKG_CONTEXT, 2, 2, &secrets[1]).unwrap_err(),
        ThresholdError::BadShare { dealer: 2, holder: 2 }
    );
    assert_eq!(
        deal.open_share(DKG_CONTEXT, 1, 2, &secrets[0]).unwrap_err(),
        ThresholdError::BadShare { dealer: 1, holder: 2 }
    );

    // Wrong shapes and parameters.
    assert!(matches!(deal.check_public(DKG_CONTEXT, 1, 3, 3), Err(ThresholdError::WrongLength { .. })));
    assert!(matches!(deal.check_public(DKG_CONTEXT, 1, 2, 4), Err(ThresholdError::WrongLength { .. })));
    assert!(matches!(deal.check_public(DKG_CONTEXT, 4, 2, 3), Err(ThresholdError::InvalidIndex { index: 4, .. })));
    assert!(matches!(deal.check_public(DKG_CONTEXT, 1, 0, 3), Err(ThresholdError::InvalidParameters { .. })));
    assert!(matches!(deal.open_share(DKG_CONTEXT, 1, 4, &secrets[0]), Err(ThresholdError::InvalidIndex { .. })));
    assert!(matches!(Deal::make(&mut rng, DKG_CONTEXT, 1, 0, &keys), Err(ThresholdError::InvalidParameters { .. })));
    assert!(matches!(Deal::make(&mut rng, DKG_CONTEXT, 1, 4, &keys), Err(ThresholdError::InvalidParameters { .. })));
    assert!(matches!(Deal::make(&mut rng, DKG_CONTEXT, 0, 2, &keys), Err(ThresholdError::InvalidIndex { .. })));
    assert!(matches!(Deal::make(&mut rng, DKG_CONTEXT, 4, 2, &keys), Err(ThresholdError::InvalidIndex { .. })));
    let too_many = vec![keys[0]; usize::from(MAX_HOLDERS) + 1];
    assert!(matches!(
        Deal::make(&mut rng, DKG_CONTEXT, 1, 2, &too_many),
        Err(ThresholdError::InvalidParameters { .. })
    ));
    assert!(matches!(
        Deal::make(&mut rng, &[0; 1025], 1, 2, &keys),
        Err(ThresholdError::TooLong { what: "the context", .. })
    ));

    // The qualified set: no deals, a repeated dealer, deals of different thresholds.
    let other = Deal::make(&mut rng, DKG_CONTEXT, 2, 3, &keys).unwrap();
    assert!(matches!(joint_public_key(&[]), Err(ThresholdError::InvalidParameters { .. })));
    assert_eq!(joint_public_key(&[(1, &deal), (1, &deal)]), Err(ThresholdError::DuplicateIndex { index: 1 }));
    assert!(matches!(joint_public_key(&[(1, &deal), (2, &other)]), Err(ThresholdError::WrongLength { .. })));
    assert!(matches!(verification_key(&[(1, &deal)], 4), Err(ThresholdError::InvalidIndex { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_ceremonies_open_with_every_subset_of_threshold_size(
        (n, t) in (1u16..=7).prop_flat_map(|n| (Just(n), 1..=n)),
        seed in any::<u64>(),
    ) {
        let ceremony = ceremony(n, t, seed);
        let mut rng = rng(seed ^ 0x5eed);
        let bid = seed.to_le_bytes().repeat(5);
        let sealed = seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, &bid).unwrap();
        let all: Vec<(u16, Point)> = (1..=n).map(|j| ceremony.decryption_share(j, &sealed, &mut rng)).collect();
        let mut points = Vec::new();
        for subset in subsets(n, t) {
            let chosen: Vec<(u16, Point)> = subset.iter().map(|&j| all[usize::from(j) - 1]).collect();
            let combined = combine(&chosen, t).unwrap();
            prop_assert_eq!(open(&sealed, &combined, TENDER, BIDDER).unwrap(), bid.clone());
            points.push(combined);
        }
        prop_assert!(points.windows(2).all(|pair| pair[0] == pair[1]));
        if t > 1 {
            // One share fewer than the threshold does not open the box.
            let wrong = combine(&all[..usize::from(t) - 1], t - 1).unwrap();
            prop_assert_eq!(open(&sealed, &wrong, TENDER, BIDDER), Err(ThresholdError::Undecryptable));
        }
    }
}

/// User + system CPU time of this process in seconds, from /proc/self/stat (Linux, USER_HZ = 100).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Runs `f` `count` times and prints the wall-clock and CPU microseconds per item, each run handling `items`.
fn measure(name: &str, count: usize, items: usize, mut f: impl FnMut(usize)) {
    let cpu_start = cpu_seconds().unwrap_or(f64::NAN);
    let start = Instant::now();
    for i in 0..count {
        f(i);
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().unwrap_or(f64::NAN) - cpu_start;
    let per_item = 1e6 / (count * items) as f64;
    println!("{name:<48} {:>9.1} µs wall {:>9.1} µs CPU", wall * per_item, cpu * per_item);
}

#[test]
#[ignore = "measurement; run in release mode"]
fn perf() {
    let ceremony = ceremony(5, 3, 99);
    let mut rng = rng(100);
    let bid = vec![0x42u8; 10 * 1024];
    let boxes: Vec<SealedBox> =
        (0..200).map(|_| seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, &bid).unwrap()).collect();
    let v1 = ceremony.verification_keys[0];
    let shares: Vec<DecryptionShare> = boxes
        .iter()
        .map(|sealed| DecryptionShare::make(&ceremony.shares[0], &v1, &sealed.ephemeral, TENDER, &mut rng).unwrap())
        .collect();
    let combined: Vec<Point> = boxes
        .iter()
        .map(|sealed| {
            let chosen: Vec<(u16, Point)> =
                [1, 3, 5].iter().map(|&j| ceremony.decryption_share(j, sealed, &mut rng)).collect();
            combine(&chosen, 3).unwrap()
        })
        .collect();
    let three: Vec<Vec<(u16, Point)>> = boxes
        .iter()
        .map(|sealed| [2, 4, 5].iter().map(|&j| ceremony.decryption_share(j, sealed, &mut rng)).collect())
        .collect();

    println!("per item; one thread unless noted; CPU time is of the whole process");
    measure("DecryptionShare::verify", 2000, 1, |i| {
        shares[i % 200].verify(&v1, &boxes[i % 200].ephemeral, TENDER).unwrap();
    });
    measure("DecryptionShare::make", 1000, 1, |i| {
        DecryptionShare::make(&ceremony.shares[0], &v1, &boxes[i % 200].ephemeral, TENDER, &mut rng).unwrap();
    });
    let items: Vec<(&DecryptionShare, &Point, &Point, &[u8])> =
        (0..1000).map(|i| (&shares[i % 200], &v1, &boxes[i % 200].ephemeral, TENDER)).collect();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        measure(&format!("verify_decryption_shares_batch, {threads} threads"), 5, items.len(), |_| {
            let results = pool.install(|| verify_decryption_shares_batch(&items));
            assert!(results.iter().all(Result::is_ok));
        });
    }
    measure("Deal::check_public (n = 5, t = 3)", 1000, 1, |i| {
        let dealer = i % 5;
        ceremony.deals[dealer].check_public(DKG_CONTEXT, dealer as u16 + 1, 3, 5).unwrap();
    });
    measure("Deal::make (n = 5, t = 3)", 300, 1, |_| {
        Deal::make(&mut rng, DKG_CONTEXT, 1, 3, &ceremony.keys).unwrap();
    });
    measure("Deal::open_share (t = 3)", 1000, 1, |i| {
        ceremony.deals[i % 5].open_share(DKG_CONTEXT, (i % 5) as u16 + 1, 2, &ceremony.secrets[1]).unwrap();
    });
    measure("combine (t = 3)", 2000, 1, |i| {
        std::hint::black_box(combine(&three[i % 200], 3).unwrap());
    });
    measure("seal (10 KB)", 500, 1, |_| {
        std::hint::black_box(seal(&mut rng, &ceremony.joint_key, TENDER, BIDDER, &bid).unwrap());
    });
    measure("SealedBox::verify (10 KB)", 1000, 1, |i| {
        boxes[i % 200].verify(TENDER, BIDDER).unwrap();
    });
    measure("open (10 KB)", 2000, 1, |i| {
        assert_eq!(open(&boxes[i % 200], &combined[i % 200], TENDER, BIDDER).unwrap().len(), bid.len());
    });
}
