//! An RFC 9162 log stored as C2SP tlog-tiles hash tiles: appending a batch, roots, inclusion and consistency
//! proofs, and tiles as served over HTTP. Pure math over a [`TileSource`]; the node backs it with the database.
//!
//! # Tiles (C2SP tlog-tiles)
//!
//! * The hashes at LEVEL `L` are the roots of the complete subtrees of height `8L` (level 0: the leaf hashes),
//!   left to right. A log of `size` leaves has `size >> 8L` of them.
//! * Tile `(L, N)` holds the level-`L` hashes `N*256 .. N*256 + W - 1`. A FULL tile has `W = 256`; the one tile
//!   at the right edge of each level may be PARTIAL (`1 <= W < 256`). A full tile at level `L` is a perfect
//!   subtree of height 8 over its hashes, and its root is hash `N` at level `L + 1`; a partial tile is never
//!   hashed into the level above.
//! * A subtree of height `8L + r` (`r < 8`) is therefore the root of `2^r` consecutive hashes of one level-`L`
//!   tile: every complete subtree of the log, and so every root and proof, needs one tile per level at most.
//!
//! # Older sizes
//!
//! Tiles grow as the log grows, but hashes in a tile are roots of complete subtrees and never change. A root or a
//! proof for a size older than the store's only reads the first hashes of each tile that the requested size
//! covers, so the store can answer for every size it has passed.
//!
//! # Cost
//!
//! [`append`] reads only the partial tile at the right edge of each level, hashes each newly completed tile once
//! (in parallel for large batches) and hashes at most 255 nodes per level for the new root. Proofs and roots read
//! at most two tiles per level (the path's and the right edge's) and cache tiles and subtree roots for the call.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::log::{empty_root, node_hash, LogError};
use crate::Hash;

/// Height of the subtree a full tile spans: a tile holds up to `2^8` hashes.
pub const TILE_HEIGHT: u32 = 8;

/// The number of hashes in a full tile.
pub const TILE_WIDTH: u64 = 256;

const _: () = assert!(TILE_WIDTH == 1 << TILE_HEIGHT);

/// [`TILE_WIDTH`] as a slice length.
const WIDTH: usize = TILE_WIDTH as usize;

/// Below this many newly completed tiles in one level, hashing them on one thread beats handing them to rayon.
const PARALLEL_TILES_MIN: usize = 16;

/// Where stored tiles come from (the node backs it with the database).
pub trait TileSource {
    /// The hashes of tile `(level, index)`, which may be partial; `None` if it was never written.
    fn tile(&self, level: u8, index: u64) -> Result<Option<Vec<Hash>>, LogError>;
}

/// What one [`append`] changed: to be written in the same atomic batch as the rest of the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileUpdate {
    /// Every tile that changed, as `(level, index, whole new content)`, by level then index.
    pub tiles: Vec<(u8, u64, Vec<Hash>)>,
    /// The log size after the append.
    pub size: u64,
    /// The RFC 9162 root after the append.
    pub root: Hash,
}

/// Appends `leaf_hashes` to a log of `old_size` leaves whose tiles are in `source`; returns every tile that changed
/// (full or partial, the whole new content), by level then index, plus the new size and root.
///
/// Only the partial tile at the right edge of each level is read. Hashes stored beyond `old_size` (tiles written
/// for a size that was never committed) are ignored and overwritten as the log grows over them again; until
/// then, ask only for sizes up to the committed one.
pub fn append(source: &dyn TileSource, old_size: u64, leaf_hashes: &[Hash]) -> Result<TileUpdate, LogError> {
    let added = u64::try_from(leaf_hashes.len()).expect("a slice length fits in 64 bits");
    let size = old_size.checked_add(added).ok_or(LogError::SizeOverflow { size: old_size, added })?;
    let mut reader = Reader::new(source, old_size);
    let mut tiles = Vec::new();
    // The hashes added at the current level (above level 0, the roots of tiles completed one level down).
    let mut completed: Vec<Hash> = Vec::new();
    let mut level: u8 = 0;
    loop {
        let fresh: &[Hash] = if level == 0 { leaf_hashes } else { &completed };
        if fresh.is_empty() {
            break;
        }
        let old_count = hashes_at_level(old_size, level);
        let first_index = old_count / TILE_WIDTH;
        let kept = (old_count % TILE_WIDTH) as usize;
        let mut first = Vec::with_capacity(WIDTH);
        if kept > 0 {
            first.extend_from_slice(&reader.tile(level, first_index, kept)?[..kept]);
        }
        let take = fresh.len().min(WIDTH - kept);
        first.extend_from_slice(&fresh[..take]);
        let level_tiles: Vec<Vec<Hash>> =
            std::iter::once(first).chain(fresh[take..].chunks(WIDTH).map(<[Hash]>::to_vec)).collect();
        // Only complete tiles add a hash at the level above; they are all but possibly the last.
        let full = level_tiles.iter().take_while(|tile| tile.len() == WIDTH).count();
        let next: Vec<Hash> = if full >= PARALLEL_TILES_MIN {
            level_tiles[..full].par_iter().map(|tile| perfect_root(tile)).collect()
        } else {
            level_tiles[..full].iter().map(|tile| perfect_root(tile)).collect()
        };
        tiles.extend((first_index..).zip(level_tiles).map(|(index, hashes)| (level, index, hashes)));
        completed = next;
        level += 1;
    }

    // The new root needs only the right-edge tile of each level: the last tile written at a level that changed,
    // or the stored tile at a level that did not.
    let mut reader = Reader::new(source, size);
    for pair in tiles.windows(2) {
        if pair[0].0 != pair[1].0 {
            reader.tiles.insert((pair[0].0, pair[0].1), pair[0].2.clone());
        }
    }
    if let Some((level, index, hashes)) = tiles.last() {
        reader.tiles.insert((*level, *index), hashes.clone());
    }
    let root = reader.root(size)?;
    Ok(TileUpdate { tiles, size, root })
}

/// Hash of the complete subtree of height `height` (0 = a leaf) at position `index` (its first leaf is
/// `index << height`), from tiles.
pub fn subtree_hash(source: &dyn TileSource, height: u32, index: u64) -> Result<Hash, LogError> {
    // The subtree must end within the largest log a 64-bit size can count; `height < 64` keeps the shift exact.
    if height >= 64 || (u128::from(index) + 1) << height > u128::from(u64::MAX) {
        return Err(LogError::SubtreeOutOfRange { height, index });
    }
    Reader::new(source, (index + 1) << height).subtree(height, index)
}

/// The RFC 9162 root of the first `size` leaves of the log in `source`.
pub fn root(source: &dyn TileSource, size: u64) -> Result<Hash, LogError> {
    Reader::new(source, size).root(size)
}

/// The inclusion proof (RFC 9162 `PATH`) of leaf `index` in the log of `size` leaves, leaf end first; equal to
/// [`crate::log::inclusion_proof`] over the same leaves.
pub fn inclusion_proof(source: &dyn TileSource, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
    if index >= size {
        return Err(LogError::IndexOutOfRange { index, tree_size: size });
    }
    let mut reader = Reader::new(source, size);
    // Walk down from the root; the proof lists the siblings from the leaf up, so collect and reverse.
    let (mut start, mut len, mut offset) = (0u64, size, index);
    let mut top_down = Vec::new();
    while len > 1 {
        let k = split_point(len);
        if offset < k {
            top_down.push(reader.range(start + k, start + len)?);
            len = k;
        } else {
            top_down.push(reader.range(start, start + k)?);
            (start, len, offset) = (start + k, len - k, offset - k);
        }
    }
    top_down.reverse();
    Ok(top_down)
}

/// The consistency proof (RFC 9162 `PROOF(m, D[n])`) between the logs of `old_size` and `new_size` leaves; equal
/// to [`crate::log::consistency_proof`] over the same leaves, so empty when `old_size` is 0 or `new_size`.
pub fn consistency_proof(source: &dyn TileSource, old_size: u64, new_size: u64) -> Result<Vec<Hash>, LogError> {
    if old_size > new_size {
        return Err(LogError::InvalidSizes { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    let mut reader = Reader::new(source, new_size);
    // RFC 9162 SUBPROOF(m, D[start .. start + len], complete), unrolled from the root down.
    let (mut start, mut len, mut m, mut complete) = (0u64, new_size, old_size, true);
    let mut top_down = Vec::new();
    while m != len {
        let k = split_point(len);
        if m <= k {
            top_down.push(reader.range(start + k, start + len)?);
            len = k;
        } else {
            top_down.push(reader.range(start, start + k)?);
            (start, len, m, complete) = (start + k, len - k, m - k, false);
        }
    }
    // The verifier knows the old root only when the old tree is this complete subtree; otherwise it is sent.
    if !complete {
        top_down.push(reader.range(start, start + len)?);
    }
    top_down.reverse();
    Ok(top_down)
}

/// Reads a tile as served over HTTP: the first `width` hashes of tile `(level, index)` at tree size `size`.
///
/// Fails with [`LogError::TileNotInTree`] unless `1 <= width <= 256` and a log of `size` leaves fills the tile
/// to `width`, so that the answer never depends on leaves appended after `size`.
pub fn tile_at(source: &dyn TileSource, level: u8, index: u64, width: u16, size: u64) -> Result<Vec<Hash>, LogError> {
    let filled = index
        .checked_mul(TILE_WIDTH)
        .and_then(|first| first.checked_add(u64::from(width)))
        .is_some_and(|end| end <= hashes_at_level(size, level));
    if width == 0 || u64::from(width) > TILE_WIDTH || !filled {
        return Err(LogError::TileNotInTree { level, index, width, tree_size: size });
    }
    let width = usize::from(width);
    Ok(Reader::new(source, size).tile(level, index, width)?[..width].to_vec())
}

/// The number of hashes at `level` in a log of `size` leaves (complete subtrees of height `8 * level`).
fn hashes_at_level(size: u64, level: u8) -> u64 {
    size.checked_shr(TILE_HEIGHT * u32::from(level)).unwrap_or(0)
}

/// The largest power of two strictly smaller than `n`; `n` must be at least 2.
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The root of a perfect subtree over `hashes`, whose length is a power of two no larger than a tile.
fn perfect_root(hashes: &[Hash]) -> Hash {
    debug_assert!(hashes.len().is_power_of_two() && hashes.len() <= WIDTH);
    if let [single] = hashes {
        return *single;
    }
    let mut buf = [[0u8; 32]; WIDTH / 2];
    let mut len = hashes.len() / 2;
    for (slot, pair) in buf.iter_mut().zip(hashes.chunks_exact(2)) {
        *slot = node_hash(&pair[0], &pair[1]);
    }
    while len > 1 {
        len /= 2;
        for i in 0..len {
            buf[i] = node_hash(&buf[2 * i], &buf[2 * i + 1]);
        }
    }
    buf[0]
}

/// Reads tiles for one request about a log of `tree_size` leaves, caching tiles and subtree roots so that the
/// many ranges of one proof read each tile once and hash each subtree once.
struct Reader<'a> {
    source: &'a dyn TileSource,
    /// The size the request is about, for error messages.
    tree_size: u64,
    tiles: HashMap<(u8, u64), Vec<Hash>>,
    subtrees: HashMap<(u32, u64), Hash>,
}

impl<'a> Reader<'a> {
    fn new(source: &'a dyn TileSource, tree_size: u64) -> Self {
        Self { source, tree_size, tiles: HashMap::new(), subtrees: HashMap::new() }
    }

    /// Tile `(level, index)`, which must hold at least `needed` hashes.
    fn tile(&mut self, level: u8, index: u64, needed: usize) -> Result<&[Hash], LogError> {
        if !self.tiles.contains_key(&(level, index)) {
            let tree_size = self.tree_size;
            let hashes = self.source.tile(level, index)?.ok_or(LogError::TileMissing { level, index, tree_size })?;
            if hashes.len() > WIDTH {
                return Err(LogError::TileTooWide { level, index, width: hashes.len() });
            }
            self.tiles.insert((level, index), hashes);
        }
        let hashes = &self.tiles[&(level, index)];
        if hashes.len() < needed {
            return Err(LogError::TileTooShort {
                level,
                index,
                width: hashes.len(),
                needed,
                tree_size: self.tree_size,
            });
        }
        Ok(hashes)
    }

    /// The root of the complete subtree of height `height` at position `index`; `height < 64`.
    fn subtree(&mut self, height: u32, index: u64) -> Result<Hash, LogError> {
        if let Some(hash) = self.subtrees.get(&(height, index)) {
            return Ok(*hash);
        }
        let level = u8::try_from(height / TILE_HEIGHT).expect("a height below 64 has a level below 8");
        let rise = height % TILE_HEIGHT;
        // The subtree's first hash at `level`, and where it sits in its tile.
        let first = index << rise;
        let offset = (first % TILE_WIDTH) as usize;
        let count = 1usize << rise;
        let hashes = self.tile(level, first / TILE_WIDTH, offset + count)?;
        let hash = perfect_root(&hashes[offset..offset + count]);
        self.subtrees.insert((height, index), hash);
        Ok(hash)
    }

    /// RFC 9162 `MTH` of leaves `start .. end`, where `start` is a multiple of the largest power of two not above
    /// `end - start` (true of every range the RFC's recursion visits): the perfect subtrees of the range, largest
    /// first, folded from the right.
    fn range(&mut self, start: u64, end: u64) -> Result<Hash, LogError> {
        debug_assert!(start < end);
        let mut roots = Vec::with_capacity((end - start).count_ones() as usize);
        let mut pos = start;
        while pos < end {
            let height = 63 - (end - pos).leading_zeros();
            debug_assert_eq!(pos % (1 << height), 0, "range pieces are aligned");
            roots.push(self.subtree(height, pos >> height)?);
            pos += 1 << height;
        }
        let last = roots.pop().expect("a non-empty range has a subtree");
        Ok(roots.iter().rev().fold(last, |acc, left| node_hash(left, &acc)))
    }

    /// RFC 9162 root of the first `size` leaves.
    fn root(&mut self, size: u64) -> Result<Hash, LogError> {
        if size == 0 {
            return Ok(empty_root());
        }
        self.range(0, size)
    }
}
