//! The right edge ("compact range") of an RFC 9162 log: the roots of the perfect subtrees that together hold all
//! leaves, enough to append and to compute the root without the leaves themselves.
//!
//! A log of `size` leaves splits into one perfect subtree per set bit of `size`, largest (leftmost) first: a log
//! of 13 = 8 + 4 + 1 leaves is the subtree of leaves 0..8, then 8..12, then leaf 12. The frontier keeps their
//! roots, so it holds `popcount(size)` hashes (at most 64) and fits in consensus state. Appending a leaf merges
//! the trailing subtrees of equal height the way a binary counter carries; the RFC 9162 root folds the roots
//! from right to left, because the RFC splits a tree at the largest power of two below its size.
//!
//! Encoding ([`Frontier::encode`]): the size as a `u64` big-endian, then the roots, 32 bytes each, left to right.

use crate::log::{empty_root, node_hash, LogError};
use crate::Hash;

/// Bytes of the size prefix of an encoded frontier.
const SIZE_LEN: usize = 8;

/// The roots of the perfect subtrees of a log, left to right, and the number of leaves they hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// One root per set bit of `size`, highest bit first.
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The roots of the perfect subtrees, left (oldest, largest) to right.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The RFC 9162 root of all leaves appended so far ([`empty_root`] for none).
    pub fn root(&self) -> Hash {
        let mut roots = self.hashes.iter().rev();
        let Some(last) = roots.next() else {
            return empty_root();
        };
        roots.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// Appends one leaf by its leaf hash. Amortised O(1): each append merges as many subtrees as there are
    /// trailing one bits in the old size.
    pub fn append(&mut self, leaf_hash: Hash) {
        let mut carry = leaf_hash;
        let mut bits = self.size;
        while bits & 1 == 1 {
            let left = self.hashes.pop().expect("a set bit of the size has a subtree root");
            carry = node_hash(&left, &carry);
            bits >>= 1;
        }
        self.hashes.push(carry);
        // 2^64 appends cannot happen in the lifetime of a log; reaching it would mean corrupt state.
        self.size = self.size.checked_add(1).expect("a log holds fewer than 2^64 leaves");
        debug_assert_eq!(self.hashes.len(), self.size.count_ones() as usize);
    }

    /// The encoding: `size` as a `u64` big-endian, then the subtree roots left to right.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIZE_LEN + 32 * self.hashes.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for hash in &self.hashes {
            out.extend_from_slice(hash);
        }
        out
    }

    /// Decodes [`Frontier::encode`]'s output. The length must be exactly what the size prefix requires (at most
    /// 8 + 64 × 32 bytes), so nothing is allocated for a corrupt input.
    pub fn decode(bytes: &[u8]) -> Result<Self, LogError> {
        let Some((size_bytes, rest)) = bytes.split_first_chunk::<SIZE_LEN>() else {
            return Err(LogError::InvalidFrontier { len: bytes.len(), expected: SIZE_LEN });
        };
        let size = u64::from_be_bytes(*size_bytes);
        let count = size.count_ones() as usize;
        let expected = SIZE_LEN + 32 * count;
        if bytes.len() != expected {
            return Err(LogError::InvalidFrontier { len: bytes.len(), expected });
        }
        let hashes: Vec<Hash> =
            rest.chunks_exact(32).map(|chunk| chunk.try_into().expect("chunks_exact yields 32 bytes")).collect();
        debug_assert_eq!(hashes.len(), count);
        Ok(Self { size, hashes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::leaf_hash;

    #[test]
    fn merges_like_a_binary_counter() {
        let mut frontier = Frontier::new();
        let leaves: Vec<Hash> = (0u8..3).map(|i| leaf_hash(&[i])).collect();
        for leaf in &leaves {
            frontier.append(*leaf);
        }
        assert_eq!(frontier.hashes(), &[node_hash(&leaves[0], &leaves[1]), leaves[2]]);
        assert_eq!(frontier.root(), node_hash(&node_hash(&leaves[0], &leaves[1]), &leaves[2]));
    }
}
