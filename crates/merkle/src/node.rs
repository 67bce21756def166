//! Node encodings and hashing: the only place that knows the byte layout of a node.

use sha2::{Digest, Sha256};

use crate::{Hash, EMPTY_ROOT};

/// Length of a node encoding: one tag byte and two 32-byte hashes.
pub const NODE_LEN: usize = 65;

/// Tag byte of a leaf encoding: `0x00 || key_hash || value_hash`.
pub const LEAF_TAG: u8 = 0x00;

/// Tag byte of an internal node encoding: `0x01 || left_hash || right_hash`.
pub const INTERNAL_TAG: u8 = 0x01;

/// The deepest position a node can sit at: a path has one bit per bit of the key hash.
pub(crate) const MAX_TREE_DEPTH: usize = 256;

const _: () = assert!(NODE_LEN == 1 + 2 * 32);
const _: () = assert!(MAX_TREE_DEPTH == 8 * core::mem::size_of::<Hash>());

/// The hash of a node from its encoding: `SHA-256(encoding)`. A node store keys each encoding by this hash.
pub fn hash_node(encoding: &[u8; NODE_LEN]) -> Hash {
    Sha256::digest(encoding).into()
}

pub(crate) fn leaf_encoding(key_hash: &Hash, value_hash: &Hash) -> [u8; NODE_LEN] {
    encode(LEAF_TAG, key_hash, value_hash)
}

pub(crate) fn internal_encoding(left: &Hash, right: &Hash) -> [u8; NODE_LEN] {
    encode(INTERNAL_TAG, left, right)
}

fn encode(tag: u8, first: &Hash, second: &Hash) -> [u8; NODE_LEN] {
    let mut out = [0u8; NODE_LEN];
    out[0] = tag;
    out[1..33].copy_from_slice(first);
    out[33..65].copy_from_slice(second);
    out
}

pub(crate) fn leaf_hash(key_hash: &Hash, value_hash: &Hash) -> Hash {
    hash_node(&leaf_encoding(key_hash, value_hash))
}

pub(crate) fn internal_hash(left: &Hash, right: &Hash) -> Hash {
    hash_node(&internal_encoding(left, right))
}

/// A node decoded from its 65-byte encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodedNode {
    Leaf { key_hash: Hash, value_hash: Hash },
    Internal { left: Hash, right: Hash },
}

/// Decodes an encoding; `None` when the tag byte is neither [`LEAF_TAG`] nor [`INTERNAL_TAG`].
pub(crate) fn decode(encoding: &[u8; NODE_LEN]) -> Option<DecodedNode> {
    let mut first = [0u8; 32];
    let mut second = [0u8; 32];
    first.copy_from_slice(&encoding[1..33]);
    second.copy_from_slice(&encoding[33..65]);
    match encoding[0] {
        LEAF_TAG => Some(DecodedNode::Leaf { key_hash: first, value_hash: second }),
        INTERNAL_TAG => Some(DecodedNode::Internal { left: first, right: second }),
        _ => None,
    }
}

/// Bit `depth` of a key hash, most significant bit of byte 0 first; `true` means "go right".
#[inline]
pub(crate) fn bit(hash: &Hash, depth: usize) -> bool {
    (hash[depth >> 3] >> (7 - (depth & 7))) & 1 == 1
}

/// Whether the first `bits` bits of `a` and `b` are equal.
pub(crate) fn shares_prefix(a: &Hash, b: &Hash, bits: usize) -> bool {
    debug_assert!(bits <= MAX_TREE_DEPTH);
    let whole = bits / 8;
    if a[..whole] != b[..whole] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[whole] ^ b[whole]) & mask == 0
}

/// Whether a hash stands for an empty subtree.
#[inline]
pub(crate) fn is_empty_hash(hash: &Hash) -> bool {
    *hash == EMPTY_ROOT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_msb_first() {
        let mut h = [0u8; 32];
        h[0] = 0b1000_0000;
        h[31] = 0b0000_0001;
        assert!(bit(&h, 0));
        assert!(!bit(&h, 1));
        assert!(!bit(&h, 254));
        assert!(bit(&h, 255));
    }

    #[test]
    fn prefix_comparison_counts_bits() {
        let a = [0u8; 32];
        let mut b = [0u8; 32];
        b[1] = 0b0001_0000; // differs at bit 11
        assert!(shares_prefix(&a, &b, 11));
        assert!(!shares_prefix(&a, &b, 12));
        assert!(shares_prefix(&a, &a, 256));
        assert!(shares_prefix(&a, &b, 0));
    }

    #[test]
    fn encodings_round_trip() {
        let (x, y) = ([7u8; 32], [9u8; 32]);
        assert_eq!(decode(&leaf_encoding(&x, &y)), Some(DecodedNode::Leaf { key_hash: x, value_hash: y }));
        assert_eq!(decode(&internal_encoding(&x, &y)), Some(DecodedNode::Internal { left: x, right: y }));
        let mut bad = leaf_encoding(&x, &y);
        bad[0] = 2;
        assert_eq!(decode(&bad), None);
    }
}
