//! Tiled log math against the in-memory reference in `log`: appends in uneven chunks (tile contents, roots and
//! the set of changed tiles), proofs for the latest and older sizes, the frontier, missing or corrupt tiles, and
//! an ignored measurement run (`cargo test --release -p publica-merkle --test it -- --ignored --nocapture tiles`).

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Instant;

use publica_merkle::frontier::Frontier;
use publica_merkle::log::{self, leaf_hash, LogError};
use publica_merkle::tiles::{self, TileSource, TileUpdate};
use publica_merkle::Hash;

/// Tiles in a `HashMap`, counting reads so that tests can bound them.
#[derive(Default)]
struct MemTiles {
    tiles: HashMap<(u8, u64), Vec<Hash>>,
    reads: Cell<usize>,
}

impl TileSource for MemTiles {
    fn tile(&self, level: u8, index: u64) -> Result<Option<Vec<Hash>>, LogError> {
        self.reads.set(self.reads.get() + 1);
        Ok(self.tiles.get(&(level, index)).cloned())
    }
}

impl MemTiles {
    /// Writes an update, checking that every tile it lists really changed.
    fn apply(&mut self, update: &TileUpdate) {
        for (level, index, hashes) in &update.tiles {
            let old = self.tiles.insert((*level, *index), hashes.clone());
            assert_ne!(old.as_ref(), Some(hashes), "tile {level}/{index} is listed but did not change");
        }
    }

    fn reads_since(&self, before: usize) -> usize {
        self.reads.get() - before
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn leaves(range: std::ops::Range<u64>) -> Vec<Hash> {
    range.map(|i| leaf_hash(format!("anchored document {i}").as_bytes())).collect()
}

/// The tiles of a log straight from the C2SP definition: level-`L+1` hashes are the roots of full level-`L` tiles.
fn expected_tiles(leaves: &[Hash]) -> HashMap<(u8, u64), Vec<Hash>> {
    let mut out = HashMap::new();
    let mut hashes = leaves.to_vec();
    let mut level = 0u8;
    while !hashes.is_empty() {
        for (index, chunk) in hashes.chunks(256).enumerate() {
            out.insert((level, index as u64), chunk.to_vec());
        }
        hashes = hashes.chunks_exact(256).map(log::root).collect();
        level += 1;
    }
    out
}

/// The number of tile levels a log of `size` leaves has.
fn levels(size: u64) -> usize {
    (0..8).take_while(|level| size >> (8 * level) > 0).count()
}

/// Appends `chunk` and checks size, root (against the reference and the frontier) and tiles read.
fn append_checked(store: &mut MemTiles, all: &mut Vec<Hash>, frontier: &mut Frontier, chunk: &[Hash]) {
    let old_size = all.len() as u64;
    let before = store.reads.get();
    let update = tiles::append(store, old_size, chunk).unwrap();
    assert!(store.reads_since(before) <= levels(old_size + chunk.len() as u64), "append reads one tile per level");
    all.extend_from_slice(chunk);
    chunk.iter().for_each(|leaf| frontier.append(*leaf));
    assert_eq!(update.size, all.len() as u64);
    assert_eq!(update.root, log::root(all), "root after appending {} to {old_size}", chunk.len());
    assert_eq!(update.root, frontier.root());
    let mut order = update.tiles.iter().map(|(level, index, _)| (*level, *index));
    assert!(order.clone().zip(order.by_ref().skip(1)).all(|(a, b)| a < b), "tiles by level then index");
    store.apply(&update);
    assert_eq!(tiles::root(store, update.size).unwrap(), update.root);
}

fn check_inclusion(store: &MemTiles, all: &[Hash], index: u64, size: u64) {
    let proof = tiles::inclusion_proof(store, index, size).unwrap();
    assert_eq!(proof, log::inclusion_proof(&all[..size as usize], index).unwrap(), "index {index} size {size}");
    let root = log::root(&all[..size as usize]);
    assert_eq!(log::verify_inclusion(&all[index as usize], index, size, &proof, &root), Ok(()));
}

fn check_consistency(store: &MemTiles, all: &[Hash], old: u64, new: u64) {
    let proof = tiles::consistency_proof(store, old, new).unwrap();
    assert_eq!(proof, log::consistency_proof(&all[..new as usize], old).unwrap(), "sizes {old} -> {new}");
    let (old_root, new_root) = (log::root(&all[..old as usize]), log::root(&all[..new as usize]));
    assert_eq!(log::verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()));
}

#[test]
fn tiles_append_in_uneven_chunks_match_the_reference() {
    let mut rng = Rng(0x5eed);
    let (mut store, mut all, mut frontier) = (MemTiles::default(), Vec::new(), Frontier::new());
    let fixed = [1u64, 7, 255, 256, 257, 1000, 0, 1, 511, 2, 256, 3];
    let mut chunks = fixed.to_vec();
    chunks.extend((0..20).map(|_| rng.below(300)));
    for len in chunks {
        let start = all.len() as u64;
        append_checked(&mut store, &mut all, &mut frontier, &leaves(start..start + len));
        assert_eq!(store.tiles, expected_tiles(&all), "tiles after appending {len} to {start}");
    }
    let size = all.len() as u64;
    assert!(size > 3000);

    // Inclusion and consistency for the latest size and many older ones, from the same (newest) tiles.
    for _ in 0..150 {
        let n = 1 + rng.below(size);
        check_inclusion(&store, &all, rng.below(n), n);
        let m = rng.below(n + 1);
        check_consistency(&store, &all, m, n);
    }
    for n in 1..=300 {
        for index in (0..n).filter(|i| n <= 40 || i % 37 == 0 || *i == n - 1) {
            check_inclusion(&store, &all, index, n);
        }
        for m in (0..=n).filter(|m| n <= 40 || m % 23 == 0 || m.is_power_of_two()) {
            check_consistency(&store, &all, m, n);
        }
    }
    check_inclusion(&store, &all, size - 1, size);
    check_consistency(&store, &all, 256, size);

    // Every subtree of every height is its range's root.
    for height in 0..12u32 {
        for index in 0..(size >> height).min(20) {
            let range = (index << height) as usize..((index + 1) << height) as usize;
            assert_eq!(tiles::subtree_hash(&store, height, index).unwrap(), log::root(&all[range]));
        }
    }
}

#[test]
fn tiles_beyond_level_two_and_proofs_read_few_tiles() {
    let mut rng = Rng(0xfeed);
    let (mut store, mut all, mut frontier) = (MemTiles::default(), Vec::new(), Frontier::new());
    for len in [70_000u64, 1, 65_536, 300, 70_000, 0, 255] {
        let start = all.len() as u64;
        append_checked(&mut store, &mut all, &mut frontier, &leaves(start..start + len));
    }
    assert_eq!(store.tiles, expected_tiles(&all));
    let size = all.len() as u64;
    assert!(store.tiles.contains_key(&(2, 0)));

    for _ in 0..10 {
        let n = 65_537 + rng.below(size - 65_536);
        let index = rng.below(n);
        let m = rng.below(n + 1);
        // Each proof reads at most the path's tile and the right edge's tile per level.
        let before = store.reads.get();
        check_inclusion(&store, &all, index, n);
        assert!(store.reads_since(before) <= 2 * levels(n), "inclusion read {} tiles", store.reads_since(before));
        let before = store.reads.get();
        check_consistency(&store, &all, m, n);
        assert!(store.reads_since(before) <= 2 * levels(n), "consistency read {} tiles", store.reads_since(before));
    }
    for _ in 0..500 {
        let (n, before) = (1 + rng.below(size), store.reads.get());
        tiles::inclusion_proof(&store, rng.below(n), n).unwrap();
        tiles::consistency_proof(&store, rng.below(n + 1), n).unwrap();
        assert!(store.reads_since(before) <= 4 * levels(n), "two proofs read {} tiles", store.reads_since(before));
    }
    check_inclusion(&store, &all, 65_535, 65_536);
    check_consistency(&store, &all, 65_536, size);
    check_consistency(&store, &all, 70_000, 70_001);

    // Tiles as served over HTTP, at the latest size and at an older one.
    assert_eq!(tiles::tile_at(&store, 2, 0, 3, size).unwrap(), store.tiles[&(2, 0)][..3]);
    let old = expected_tiles(&all[..70_000]);
    assert_eq!(tiles::tile_at(&store, 1, 1, 17, 70_000).unwrap(), old[&(1, 1)]);
    assert_eq!(tiles::tile_at(&store, 0, 273, 112, 70_000).unwrap(), old[&(0, 273)]);
    assert_eq!(tiles::tile_at(&store, 0, 3, 256, 70_000).unwrap(), old[&(0, 3)]);
}

#[test]
fn tiles_missing_or_corrupt_give_errors() {
    let mut store = MemTiles::default();
    assert_eq!(tiles::root(&store, 0).unwrap(), log::empty_root());
    assert_eq!(tiles::root(&store, 1), Err(LogError::TileMissing { level: 0, index: 0, tree_size: 1 }));
    let all = leaves(0..1300);
    store.apply(&tiles::append(&store, 0, &all).unwrap());

    // Sizes the store does not hold yet.
    assert!(matches!(tiles::root(&store, 1400), Err(LogError::TileTooShort { .. })));
    assert!(matches!(tiles::root(&store, 1600), Err(LogError::TileTooShort { level: 1, .. })));
    assert!(tiles::inclusion_proof(&store, 5, 2000).is_err());
    assert!(tiles::consistency_proof(&store, 5, 70_000).is_err());
    assert!(tiles::append(&store, 1400, &leaves(0..1)).is_err());
    assert_eq!(
        tiles::inclusion_proof(&store, 1300, 1300),
        Err(LogError::IndexOutOfRange { index: 1300, tree_size: 1300 })
    );
    assert_eq!(tiles::consistency_proof(&store, 9, 8), Err(LogError::InvalidSizes { old_size: 9, new_size: 8 }));
    assert!(matches!(tiles::append(&store, u64::MAX, &all[..1]), Err(LogError::SizeOverflow { .. })));
    assert!(matches!(tiles::subtree_hash(&store, 64, 0), Err(LogError::SubtreeOutOfRange { .. })));
    assert!(matches!(tiles::subtree_hash(&store, 8, u64::MAX >> 8), Err(LogError::SubtreeOutOfRange { .. })));
    assert!(matches!(tiles::subtree_hash(&store, 0, 1300), Err(LogError::TileTooShort { .. })));

    // Tiles over HTTP: no width the size does not fill.
    for (level, index, width, size) in [(0, 5, 21, 1300), (0, 5, 0, 1300), (0, 0, 257, 1300), (1, 0, 6, 1300)] {
        assert!(matches!(tiles::tile_at(&store, level, index, width, size), Err(LogError::TileNotInTree { .. })));
    }
    assert_eq!(tiles::tile_at(&store, 0, 5, 20, 1300).unwrap(), all[1280..]);

    // A lost tile, and a tile wider than any tile can be.
    let lost = store.tiles.remove(&(0, 2)).unwrap();
    let err = tiles::inclusion_proof(&store, 600, 1300).unwrap_err();
    assert_eq!(err, LogError::TileMissing { level: 0, index: 2, tree_size: 1300 });
    assert_eq!(
        err.to_string(),
        "tile 0/2 is missing: the store holds fewer leaves than the tree size 1300; append the missing leaves \
         first, or ask for a size the store holds"
    );
    let mut wide = lost;
    wide.push([7; 32]);
    store.tiles.insert((0, 2), wide);
    assert_eq!(
        tiles::inclusion_proof(&store, 600, 1300),
        Err(LogError::TileTooWide { level: 0, index: 2, width: 257 })
    );

    // Store failures pass through unchanged.
    struct Failing;
    impl TileSource for Failing {
        fn tile(&self, _: u8, _: u64) -> Result<Option<Vec<Hash>>, LogError> {
            Err(LogError::Storage("disk unplugged".into()))
        }
    }
    assert_eq!(tiles::root(&Failing, 5), Err(LogError::Storage("disk unplugged".into())));
}

#[test]
fn tiles_append_overwrites_tiles_of_an_uncommitted_size() {
    // Tiles written for 600 leaves, but only 500 were committed: appending to 500 must ignore the rest.
    let mut store = MemTiles::default();
    let all = leaves(0..600);
    store.apply(&tiles::append(&store, 0, &all).unwrap());
    let other = leaves(10_000..10_200);
    let update = tiles::append(&store, 500, &other).unwrap();
    let expected: Vec<Hash> = all[..500].iter().chain(&other).copied().collect();
    assert_eq!(update.root, log::root(&expected));
    store.apply(&update);
    assert_eq!(store.tiles, expected_tiles(&expected));
}

#[test]
fn frontier_matches_the_reference_and_round_trips() {
    let all = leaves(0..3000);
    let mut frontier = Frontier::new();
    for size in 0..=all.len() {
        if size > 0 {
            frontier.append(all[size - 1]);
        }
        assert_eq!(frontier.size(), size as u64);
        assert_eq!(frontier.root(), log::root(&all[..size]), "size {size}");
        let bytes = frontier.encode();
        assert_eq!(bytes.len(), 8 + 32 * (size as u64).count_ones() as usize);
        assert_eq!(Frontier::decode(&bytes).unwrap(), frontier);
    }

    let bytes = frontier.encode(); // 3000 = 0b1011_1011_1000: 7 roots.
    for (corrupt, expected) in [
        (Vec::new(), 8),
        (bytes[..7].to_vec(), 8),
        (bytes[..bytes.len() - 1].to_vec(), bytes.len()),
        ([&bytes[..], &[0]].concat(), bytes.len()),
    ] {
        assert_eq!(Frontier::decode(&corrupt), Err(LogError::InvalidFrontier { len: corrupt.len(), expected }));
    }
    let mut more_bits = bytes.clone();
    more_bits[7] |= 1; // 3001 has one more set bit, so it needs one more root.
    assert_eq!(Frontier::decode(&more_bits), Err(LogError::InvalidFrontier { len: bytes.len(), expected: 8 + 8 * 32 }));
    let huge = [u64::MAX.to_be_bytes().as_slice(), &[0; 64]].concat();
    assert!(Frontier::decode(&huge).is_err());
}

#[test]
#[ignore = "measurement; run in release mode"]
fn measure_tiles() {
    const TOTAL: u64 = 4_000_000;
    let all: Vec<Hash> = (0..TOTAL).map(|i| leaf_hash(&i.to_le_bytes())).collect();
    let mut store = MemTiles::default();
    for batch in [100u64, 10_000, 1_000_000] {
        store = MemTiles::default();
        let (mut size, start) = (0, Instant::now());
        while size < TOTAL {
            let update = tiles::append(&store, size, &all[size as usize..(size + batch) as usize]).unwrap();
            for (level, index, hashes) in update.tiles {
                store.tiles.insert((level, index), hashes);
            }
            size += batch;
        }
        let secs = start.elapsed().as_secs_f64();
        println!("append {TOTAL} leaves in batches of {batch}: {secs:.2} s, {:.0} leaves/s", TOTAL as f64 / secs);
    }
    let mut rng = Rng(1);
    let start = Instant::now();
    for _ in 0..1000 {
        let n = 1 + rng.below(TOTAL);
        tiles::inclusion_proof(&store, rng.below(n), n).unwrap();
        tiles::consistency_proof(&store, rng.below(n + 1), n).unwrap();
    }
    println!("1000 inclusion + consistency proof pairs at random sizes: {:.2?}", start.elapsed());
}
