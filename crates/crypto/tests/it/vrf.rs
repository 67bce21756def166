//! The verifiable random function: RFC 9381's examples for ECVRF-EDWARDS25519-SHA512-TAI, round trips with Publica
//! key pairs, uniqueness, and the refusals (changed proofs, another key or input, wrong lengths, an `s` not below
//! the group order, public keys of small order or not on the curve).

use publica_crypto::vrf::{self, VrfError, OUTPUT_LEN, PROOF_LEN};
use publica_crypto::Keypair;

use crate::keypair;

/// One example of RFC 9381 Appendix B.3.
struct Example {
    secret_key: &'static str,
    public_key: &'static str,
    alpha: &'static str,
    pi: &'static str,
    beta: &'static str,
}

/// RFC 9381 Appendix B.3, Examples 16, 17 and 18 (the secret keys are RFC 8032's tests 1, 2 and 3).
const RFC_9381_EXAMPLES: [Example; 3] = [
    Example {
        secret_key: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        public_key: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        alpha: "",
        pi: "8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f26f8a57ccaed74ee1b190bed1f479d97\
             27d2d0f9b005a6e456a35d4fb0daab1268a1b0db10836d9826a528ca76567805",
        beta: "90cf1df3b703cce59e2a35b925d411164068269d7b2d29f3301c03dd757876ff\
               66b71dda49d2de59d03450451af026798e8f81cd2e333de5cdf4f3e140fdd8ae",
    },
    Example {
        secret_key: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        public_key: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        alpha: "72",
        pi: "f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed5933bf0864a62558b3ed7f2fea45c92a465\
             301b3bbf5e3e54ddf2d935be3b67926da3ef39226bbc355bdc9850112c8f4b02",
        beta: "eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb\
               5e33821bc613efb94db5e5b54c70a848a0bef4553a41befc57663b56373a5031",
    },
    Example {
        secret_key: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        public_key: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        alpha: "af82",
        pi: "9bc0f79119cc5604bf02d23b4caede71393cedfbb191434dd016d30177ccbf8096bb474e53895c362d8628ee9f9ea3c0\
             e52c7a5c691b6c18c9979866568add7a2d41b00b05081ed0f58ee5e31b3a970e",
        beta: "645427e5d00c62a23fb703732fa5d892940935942101e456ecca7bb217c61c45\
               2118fec1219202a0edcf038bb6373241578be7217ba85a2687f7a0310b2df19f",
    },
];

/// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn bytes<const N: usize>(hex: &str) -> [u8; N] {
    hex::decode(hex).unwrap().try_into().unwrap()
}

/// A proof with its `s` (the last 32 bytes) replaced.
fn with_s(proof: &[u8; PROOF_LEN], s: [u8; 32]) -> [u8; PROOF_LEN] {
    let mut changed = *proof;
    changed[48..].copy_from_slice(&s);
    changed
}

#[test]
fn the_examples_of_rfc_9381_are_reproduced_and_verify() {
    for example in &RFC_9381_EXAMPLES {
        let secret_key: [u8; 32] = bytes(example.secret_key);
        let public_key: [u8; 32] = bytes(example.public_key);
        let alpha = hex::decode(example.alpha).unwrap();
        let pi: [u8; PROOF_LEN] = bytes(example.pi);
        let beta: [u8; OUTPUT_LEN] = bytes(example.beta);

        assert_eq!(vrf::prove_with_seed(&secret_key, &alpha), pi, "alpha {:?}", example.alpha);
        assert_eq!(vrf::verify_with_ed25519(&public_key, &alpha, &pi), Ok(beta), "alpha {:?}", example.alpha);
        assert_eq!(vrf::proof_to_hash(&pi), Ok(beta));

        // The same secret key as the Ed25519 half of a Publica key pair gives the same proof and verifies through
        // the hybrid public key.
        let mut secret = vec![7u8; 32];
        secret.extend_from_slice(&secret_key);
        let keypair = Keypair::from_secret_bytes(&secret).unwrap();
        assert_eq!(keypair.public_key().ed25519_bytes(), &public_key);
        assert_eq!(vrf::prove(&keypair, &alpha), pi);
        assert_eq!(vrf::verify(keypair.public_key(), &alpha, &pi), Ok(beta));
    }
}

#[test]
fn a_proof_made_with_a_key_pair_verifies_with_its_public_key_and_gives_proof_to_hash() {
    let keypair = keypair(80);
    for alpha in [&b""[..], b"claim 2025-01 housing benefit", &[0u8; 1000]] {
        let proof = vrf::prove(&keypair, alpha);
        let beta = vrf::verify(keypair.public_key(), alpha, &proof).unwrap();
        assert_eq!(vrf::proof_to_hash(&proof), Ok(beta));
        assert_eq!(vrf::verify_with_ed25519(keypair.public_key().ed25519_bytes(), alpha, &proof), Ok(beta));
        // `prove` uses the Ed25519 secret key of the pair, the second half of its secret bytes.
        let seed: [u8; 32] = keypair.to_secret_bytes()[32..].try_into().unwrap();
        assert_eq!(vrf::prove_with_seed(&seed, alpha), proof);
    }
}

#[test]
fn one_key_and_input_give_one_output_and_other_inputs_or_keys_give_others() {
    let alice = keypair(81);
    let bob = keypair(82);
    let first = vrf::prove(&alice, b"period 7");
    assert_eq!(vrf::prove(&alice, b"period 7"), first, "proving is deterministic");
    let output = vrf::verify(alice.public_key(), b"period 7", &first).unwrap();
    assert_eq!(vrf::verify(alice.public_key(), b"period 7", &vrf::prove(&alice, b"period 7")), Ok(output));

    let other_input = vrf::verify(alice.public_key(), b"period 8", &vrf::prove(&alice, b"period 8")).unwrap();
    assert_ne!(other_input, output);
    let other_key = vrf::verify(bob.public_key(), b"period 7", &vrf::prove(&bob, b"period 7")).unwrap();
    assert_ne!(other_key, output);
    assert_ne!(other_key, other_input);
}

#[test]
fn every_changed_bit_of_a_proof_is_refused() {
    let keypair = keypair(83);
    let alpha = b"tampering";
    let proof = vrf::prove(&keypair, alpha);
    assert!(vrf::verify(keypair.public_key(), alpha, &proof).is_ok());
    for byte in 0..PROOF_LEN {
        for bit in 0..8 {
            let mut changed = proof;
            changed[byte] ^= 1 << bit;
            let error = vrf::verify(keypair.public_key(), alpha, &changed).unwrap_err();
            match byte {
                // Gamma: most changes leave the curve, the rest give another point and fail the check.
                0..32 => assert!(
                    matches!(error, VrfError::GammaNotAPoint | VrfError::ProofInvalid),
                    "Gamma byte {byte} bit {bit}: {error:?}"
                ),
                // c: any change fails the check.
                32..48 => assert_eq!(error, VrfError::ProofInvalid, "c byte {byte} bit {bit}"),
                // s: a change of its top bits takes it to L or above, any other fails the check.
                _ => assert!(
                    matches!(error, VrfError::NonCanonicalS | VrfError::ProofInvalid),
                    "s byte {byte} bit {bit}: {error:?}"
                ),
            }
        }
    }
    // Flipping the top bit of s always makes it at least 2^255 > L.
    let mut changed = proof;
    changed[PROOF_LEN - 1] ^= 0x80;
    assert_eq!(vrf::verify(keypair.public_key(), alpha, &changed), Err(VrfError::NonCanonicalS));
}

#[test]
fn a_proof_is_refused_for_another_key_or_another_input() {
    let alice = keypair(84);
    let bob = keypair(85);
    let proof = vrf::prove(&alice, b"input");
    assert_eq!(vrf::verify(bob.public_key(), b"input", &proof), Err(VrfError::ProofInvalid));
    assert_eq!(vrf::verify(alice.public_key(), b"input!", &proof), Err(VrfError::ProofInvalid));
    assert_eq!(vrf::verify(alice.public_key(), b"", &proof), Err(VrfError::ProofInvalid));

    // The examples' proofs, each under the others' keys and inputs.
    for (i, example) in RFC_9381_EXAMPLES.iter().enumerate() {
        for (j, other) in RFC_9381_EXAMPLES.iter().enumerate() {
            if i != j {
                let pi: [u8; PROOF_LEN] = bytes(example.pi);
                let other_key: [u8; 32] = bytes(other.public_key);
                let alpha = hex::decode(example.alpha).unwrap();
                let other_alpha = hex::decode(other.alpha).unwrap();
                assert_eq!(vrf::verify_with_ed25519(&other_key, &alpha, &pi), Err(VrfError::ProofInvalid));
                let key: [u8; 32] = bytes(example.public_key);
                assert_eq!(vrf::verify_with_ed25519(&key, &other_alpha, &pi), Err(VrfError::ProofInvalid));
            }
        }
    }
}

#[test]
fn proofs_of_the_wrong_length_are_refused() {
    let keypair = keypair(86);
    let proof = vrf::prove(&keypair, b"x");
    for len in [0, 1, 32, 48, PROOF_LEN - 1, PROOF_LEN + 1, 2 * PROOF_LEN] {
        let mut changed = proof.to_vec();
        changed.resize(len, 0);
        let expected = Err(VrfError::WrongProofLength { actual: len });
        assert_eq!(vrf::verify(keypair.public_key(), b"x", &changed), expected);
        assert_eq!(vrf::proof_to_hash(&changed), expected);
    }
    let message = VrfError::WrongProofLength { actual: 79 }.to_string();
    assert!(message.contains("80") && message.contains("79"), "{message}");
}

#[test]
fn an_s_at_or_above_the_group_order_is_refused_by_verify_and_proof_to_hash() {
    let keypair = keypair(87);
    let proof = vrf::prove(&keypair, b"s");
    let mut l_plus_one = L;
    l_plus_one[0] += 1;
    let mut l_minus_one = L;
    l_minus_one[0] -= 1;
    // s + L is the same scalar as s; refusing it is what makes a proof's encoding unique.
    let s: [u8; 32] = proof[48..].try_into().unwrap();
    let mut s_plus_l = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s[i]) + u16::from(L[i]) + carry;
        s_plus_l[i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "s < L, so s + L < 2^256");

    for high in [L, l_plus_one, s_plus_l, [0xff; 32]] {
        let changed = with_s(&proof, high);
        assert_eq!(vrf::verify(keypair.public_key(), b"s", &changed), Err(VrfError::NonCanonicalS));
        assert_eq!(vrf::proof_to_hash(&changed), Err(VrfError::NonCanonicalS));
    }
    // L - 1 is a scalar: the proof decodes and then fails the check.
    let changed = with_s(&proof, l_minus_one);
    assert_eq!(vrf::verify(keypair.public_key(), b"s", &changed), Err(VrfError::ProofInvalid));
    assert!(vrf::proof_to_hash(&changed).is_ok(), "proof_to_hash does not verify");
}

#[test]
fn a_gamma_that_is_not_a_canonical_point_is_refused() {
    let keypair = keypair(88);
    let proof = vrf::prove(&keypair, b"gamma");
    // y = 2 is not the y of a curve point; y = p + 3 is a non-canonical encoding of the point with y = 3.
    let mut not_on_curve = [0u8; 32];
    not_on_curve[0] = 2;
    let mut y_above_p = [0xff; 32];
    y_above_p[0] = 0xed + 3;
    y_above_p[31] = 0x7f;
    for gamma in [not_on_curve, y_above_p] {
        let mut changed = proof;
        changed[..32].copy_from_slice(&gamma);
        assert_eq!(vrf::verify(keypair.public_key(), b"gamma", &changed), Err(VrfError::GammaNotAPoint));
        assert_eq!(vrf::proof_to_hash(&changed), Err(VrfError::GammaNotAPoint));
    }
}

#[test]
fn public_keys_of_small_order_or_off_the_curve_are_refused() {
    let keypair = keypair(89);
    let proof = vrf::prove(&keypair, b"key");
    let mut identity = [0u8; 32];
    identity[0] = 1;
    // y = -1: the point (0, -1), of order 2.
    let mut order_two = [0xff; 32];
    order_two[0] = 0xec;
    order_two[31] = 0x7f;
    // y = 0: a point of order 4.
    let order_four = [0u8; 32];
    for key in [identity, order_two, order_four] {
        match vrf::verify_with_ed25519(&key, b"key", &proof) {
            Err(VrfError::InvalidPublicKey { reason }) => assert!(reason.contains("small order"), "{reason}"),
            other => panic!("expected a refused public key, got {other:?}"),
        }
    }
    // Not a point, and a non-canonical encoding (y = p + 3) of a point.
    let mut not_on_curve = [0u8; 32];
    not_on_curve[0] = 2;
    let mut y_above_p = [0xff; 32];
    y_above_p[0] = 0xed + 3;
    y_above_p[31] = 0x7f;
    for key in [not_on_curve, y_above_p] {
        match vrf::verify_with_ed25519(&key, b"key", &proof) {
            Err(VrfError::InvalidPublicKey { reason }) => assert!(reason.contains("curve point"), "{reason}"),
            other => panic!("expected a refused public key, got {other:?}"),
        }
    }
}
