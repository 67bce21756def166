//! A filter in memory in front of the notary's anchor index: most anchored hashes are new, and a lookup that the
//! filter answers "never anchored" does not reach the store.
//!
//! It is a split-block Bloom filter (each key sets one bit in each of the eight 64-bit words of one 64-byte block,
//! so a lookup touches one cache line), in layers: when a layer holds its capacity, a layer twice as large is added,
//! and a lookup asks every layer (at 10^7 entries, four). At [`BITS_PER_ENTRY`] bits per entry the false-positive
//! rate of a full layer is about 0.1 %; a false positive only costs the store lookup the filter would have saved.
//!
//! There are no false negatives, which execution relies on (a hash reported as never anchored is anchored again,
//! and every validator must decide alike): a hash enters the filter when the block anchoring it is staged, before
//! the store can answer for it, and never leaves (the index is never pruned). The filter is built from the index
//! when the store opens. Its bits are placed by a keyed hash with a key drawn at random per process, so that
//! document hashes chosen to fill a few blocks cannot raise the false-positive rate on purpose.

use std::hash::{BuildHasher, Hasher};
use std::sync::RwLock;

/// Bits of filter per expected entry.
pub const BITS_PER_ENTRY: usize = 16;

/// Entries of the first layer; each new layer holds twice the previous one's.
const FIRST_LAYER_ENTRIES: usize = 1 << 20;

/// Odd multipliers that spread a key's 32 bits over the eight words of its block (one bit per word).
const SALT: [u32; 8] = [0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31];

/// One 64-byte block: one bit set per word for each key.
type Block = [u64; 8];

struct Layer {
    blocks: Vec<Block>,
    capacity: usize,
    len: usize,
}

impl Layer {
    fn new(capacity: usize) -> Self {
        let blocks = (capacity * BITS_PER_ENTRY).div_ceil(512).max(1);
        Self { blocks: vec![[0; 8]; blocks], capacity, len: 0 }
    }

    /// The block of a key and its bit in each word.
    fn place(&self, key: u64) -> (usize, Block) {
        // The high half picks the block (multiply-shift, no modulo bias worth speaking of), the low half the bits.
        let block = (((key >> 32) * self.blocks.len() as u64) >> 32) as usize;
        let low = key as u32;
        let mut mask = [0u64; 8];
        for (word, salt) in mask.iter_mut().zip(SALT) {
            *word = 1u64 << (low.wrapping_mul(salt) >> 26);
        }
        (block, mask)
    }

    fn insert(&mut self, key: u64) {
        let (block, mask) = self.place(key);
        for (word, bit) in self.blocks[block].iter_mut().zip(mask) {
            *word |= bit;
        }
        self.len += 1;
    }

    fn may_contain(&self, key: u64) -> bool {
        let (block, mask) = self.place(key);
        self.blocks[block].iter().zip(mask).all(|(word, bit)| word & bit != 0)
    }
}

/// The filter of anchored document hashes (see the module documentation).
pub struct AnchorFilter {
    layers: RwLock<Vec<Layer>>,
    hasher: std::collections::hash_map::RandomState,
}

impl Default for AnchorFilter {
    fn default() -> Self {
        Self::new()
    }
}

impl AnchorFilter {
    /// An empty filter.
    pub fn new() -> Self {
        Self { layers: RwLock::new(vec![Layer::new(FIRST_LAYER_ENTRIES)]), hasher: Default::default() }
    }

    fn key(&self, hash: &[u8]) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        hasher.write(hash);
        hasher.finish()
    }

    /// Add document hashes.
    pub fn insert_all<'a>(&self, hashes: impl IntoIterator<Item = &'a [u8]>) {
        let keys: Vec<u64> = hashes.into_iter().map(|h| self.key(h)).collect();
        let mut layers = self.layers.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        for key in keys {
            let last = layers.last().expect("a filter always has a layer");
            if last.len >= last.capacity {
                let capacity = last.capacity * 2;
                layers.push(Layer::new(capacity));
            }
            layers.last_mut().expect("a filter always has a layer").insert(key);
        }
    }

    /// Whether `hash` may have been anchored: `false` means it never was.
    pub fn may_contain(&self, hash: &[u8]) -> bool {
        let key = self.key(hash);
        let layers = self.layers.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        layers.iter().any(|layer| layer.may_contain(key))
    }

    /// Entries added, and bytes of memory held by the bits.
    pub fn stats(&self) -> (usize, usize) {
        let layers = self.layers.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entries = layers.iter().map(|l| l.len).sum();
        let bytes = layers.iter().map(|l| l.blocks.len() * 64).sum();
        (entries, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u64, salt: u8) -> [u8; 32] {
        let mut h = [salt; 32];
        h[..8].copy_from_slice(&i.to_le_bytes());
        h
    }

    #[test]
    fn every_inserted_hash_is_found_across_layers() {
        let filter = AnchorFilter::new();
        let n = FIRST_LAYER_ENTRIES as u64 * 3 + 17;
        let hashes: Vec<[u8; 32]> = (0..n).map(|i| hash(i, 1)).collect();
        for chunk in hashes.chunks(100_000) {
            filter.insert_all(chunk.iter().map(|h| h.as_slice()));
        }
        assert!(hashes.iter().all(|h| filter.may_contain(h)), "a Bloom filter never forgets");
        let (entries, bytes) = filter.stats();
        assert_eq!(entries as u64, n);
        // Three layers (1, 2 and 4 Mi entries) at 16 bits per entry.
        assert_eq!(bytes, (1 + 2 + 4) * FIRST_LAYER_ENTRIES * BITS_PER_ENTRY / 8);
    }

    #[test]
    fn false_positives_stay_rare_when_full() {
        let filter = AnchorFilter::new();
        let n = FIRST_LAYER_ENTRIES as u64;
        let hashes: Vec<[u8; 32]> = (0..n).map(|i| hash(i, 1)).collect();
        filter.insert_all(hashes.iter().map(|h| h.as_slice()));
        let probes = 200_000u64;
        let false_positives = (0..probes).filter(|i| filter.may_contain(&hash(*i, 2))).count();
        // About 0.1 % expected at 16 bits per entry; 0.5 % leaves room for chance.
        assert!(false_positives < (probes / 200) as usize, "{false_positives} false positives in {probes}");
    }

    #[test]
    fn an_empty_filter_contains_nothing() {
        let filter = AnchorFilter::new();
        assert!(!filter.may_contain(&hash(0, 0)));
        assert_eq!(filter.stats().0, 0);
    }
}
