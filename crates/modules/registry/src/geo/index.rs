//! The spatial index of active parcels, kept in the state as a hierarchical grid (a quadtree of point lookups).
//!
//! Coordinates are shifted to non-negative integers below 2^32 (`u = x + 180°`, `v = y + 90°`, in 1e-7 degree).
//! Level `l` (0 to [`MAX_LEVEL`]) cuts that square into cells of side `2^(32 − l)` units; level 0 is one cell
//! covering the world, level 24 cells are 256 units (about 2.8 m of latitude). A parcel is indexed at the finest
//! level whose cell side is at least its bounding box's larger side, so its box meets at most 2 × 2 cells there;
//! it is entered (id and box) in those cells. Every cell meeting the box at every coarser level counts it in
//! `below`, so a search descends only into cells that have parcels underneath.
//!
//! A search for a box starts at the level-0 cell and, level by level, reads the cells meeting the box, collects
//! their entries whose boxes overlap it, and descends where `below` is not zero. It reads only cells that meet the
//! box: the work grows with the number of parcels near the box, not with the number of parcels registered.

use std::collections::BTreeMap;

use publica_types::RecordId;
use publica_types::{codec, StateRead, StateWrite, TxError};

use super::polygon::{BBox, MAX_LAT, MAX_LON};
use crate::error::{self, refuse};
use crate::schema::{cell_key, decode_stored, Cell, CellEntry};

/// Finest level of the grid.
pub const MAX_LEVEL: u8 = 24;
/// Most parcels indexed in one cell. Parcels indexed in a cell have boxes of about the cell's size and do not
/// overlap, so only unusually thin parcels (strips along a line) can crowd a cell; they are refused past this.
pub const MAX_CELL_ENTRIES: usize = 1_024;
/// Most cells one search reads; a boundary that would need more (a huge parcel over a dense area) is refused.
pub const MAX_SEARCH_CELLS: usize = 65_536;

/// A box in shifted coordinates, inclusive.
#[derive(Clone, Copy, Debug)]
struct UBox {
    min_u: u64,
    min_v: u64,
    max_u: u64,
    max_v: u64,
}

fn shift(b: &BBox) -> UBox {
    debug_assert!(b.is_valid());
    UBox {
        min_u: (b.min_x + MAX_LON) as u64,
        min_v: (b.min_y + MAX_LAT) as u64,
        max_u: (b.max_x + MAX_LON) as u64,
        max_v: (b.max_y + MAX_LAT) as u64,
    }
}

const _: () = assert!(2 * MAX_LON < (1 << 32) && 2 * MAX_LAT < (1 << 32));

/// The level at which a box is indexed.
pub fn level_of(b: &BBox) -> u8 {
    let extent = (b.max_x - b.min_x).max(b.max_y - b.min_y) as u64;
    let mut l = MAX_LEVEL;
    while l > 0 && (1u64 << (32 - u32::from(l))) < extent {
        l -= 1;
    }
    l
}

/// The cells of level `l` meeting the box, in row order.
fn cells(l: u8, b: &UBox) -> Vec<(u32, u32)> {
    let s = 32 - u32::from(l);
    let mut out = Vec::new();
    for cy in (b.min_v >> s)..=(b.max_v >> s) {
        for cx in (b.min_u >> s)..=(b.max_u >> s) {
            out.push((cx as u32, cy as u32));
        }
    }
    out
}

fn read_cell(state: &dyn StateRead, l: u8, x: u32, y: u32) -> Cell {
    state.get(&cell_key(l, x, y)).map(|b| decode_stored("index cell", &b)).unwrap_or_default()
}

fn write_cell(state: &mut dyn StateWrite, l: u8, x: u32, y: u32, cell: &Cell) {
    if cell.entries.is_empty() && cell.below == 0 {
        state.delete(cell_key(l, x, y));
    } else {
        state.put(cell_key(l, x, y), codec::encode(cell));
    }
}

/// Index cells a search read, decoded, by level and position, at the levels a parcel with the searched box is
/// entered in ([`search_keeping`]): entering it right after with [`insert_searched`] takes them from here rather
/// than reading and decoding them again. They hold only while nothing writes the index between the two.
///
/// Where the search stopped at a cell with nothing below it (`below` is 0), every cell under that one is empty,
/// and so absent from the state (an empty cell is deleted): the insert takes those as empty without asking the
/// store for keys it does not hold, which a first registration in a new area would otherwise do at every level
/// down to its own.
#[derive(Debug, Default)]
pub struct SearchedCells {
    cells: BTreeMap<(u8, u32, u32), Cell>,
    /// Cells read with nothing below them.
    empty_below: std::collections::BTreeSet<(u8, u32, u32)>,
}

impl SearchedCells {
    /// The cell at (`l`, `x`, `y`): kept by the search, known empty, or read now.
    fn take(&mut self, state: &dyn StateRead, l: u8, x: u32, y: u32) -> Cell {
        if let Some(cell) = self.cells.remove(&(l, x, y)) {
            return cell;
        }
        let under_empty = (0..l).any(|a| {
            let shift = u32::from(l - a);
            self.empty_below.contains(&(a, x >> shift, y >> shift))
        });
        if under_empty {
            return Cell::default();
        }
        read_cell(state, l, x, y)
    }
}

/// Enter a parcel in the index. Every check happens before the first write.
pub fn insert(state: &mut dyn StateWrite, parcel: &RecordId, bbox: &BBox) -> Result<(), TxError> {
    insert_searched(state, parcel, bbox, SearchedCells::default())
}

/// [`insert`], taking the cells a search of the same box just read from `searched` (see [`search_keeping`]);
/// nothing may have written the index since that search.
pub fn insert_searched(
    state: &mut dyn StateWrite,
    parcel: &RecordId,
    bbox: &BBox,
    mut searched: SearchedCells,
) -> Result<(), TxError> {
    let u = shift(bbox);
    let level = level_of(bbox);
    let mut own = Vec::new();
    for (x, y) in cells(level, &u) {
        let mut cell = searched.take(state, level, x, y);
        let at = match cell.entries.binary_search_by(|e| e.parcel.cmp(parcel)) {
            Ok(_) => panic!("parcel {parcel} is already indexed; ids are never reused"),
            Err(at) => at,
        };
        if cell.entries.len() >= MAX_CELL_ENTRIES {
            return Err(refuse(
                error::SPATIAL_CELL_FULL,
                format!(
                    "the spatial index cell for parcel {parcel} already holds {MAX_CELL_ENTRIES} parcels of similar \
                 size; such crowding means very thin parcels along one line, which the registry does not accept"
                ),
            ));
        }
        cell.entries.insert(at, CellEntry { parcel: parcel.clone(), bbox: *bbox });
        own.push((x, y, cell));
    }
    for (x, y, cell) in own {
        write_cell(state, level, x, y, &cell);
    }
    for l in 0..level {
        for (x, y) in cells(l, &u) {
            let mut cell = searched.take(state, l, x, y);
            cell.below += 1;
            write_cell(state, l, x, y, &cell);
        }
    }
    Ok(())
}

/// Remove a parcel from the index (it was retired).
pub fn remove(state: &mut dyn StateWrite, parcel: &RecordId, bbox: &BBox) {
    let u = shift(bbox);
    let level = level_of(bbox);
    for (x, y) in cells(level, &u) {
        let mut cell = read_cell(state, level, x, y);
        let at = cell
            .entries
            .binary_search_by(|e| e.parcel.cmp(parcel))
            .unwrap_or_else(|_| panic!("parcel {parcel} is missing from its index cell; the state is corrupt"));
        cell.entries.remove(at);
        write_cell(state, level, x, y, &cell);
    }
    for l in 0..level {
        for (x, y) in cells(l, &u) {
            let mut cell = read_cell(state, l, x, y);
            cell.below = cell.below.checked_sub(1).expect("index counts match the parcels entered");
            write_cell(state, l, x, y, &cell);
        }
    }
}

/// The indexed parcels whose boxes pass `keep` against `bbox` (for example "overlap in an area"), sorted by id
/// without duplicates; with the number of cells read. Refuses searches that would read more than
/// [`MAX_SEARCH_CELLS`] cells.
pub fn search(
    state: &dyn StateRead,
    bbox: &BBox,
    keep: impl Fn(&BBox) -> bool,
) -> Result<(Vec<RecordId>, usize), TxError> {
    search_cells(state, bbox, keep, None)
}

/// [`search`], also keeping the cells it read at the levels a parcel with box `bbox` is entered in, for
/// [`insert_searched`].
pub fn search_keeping(
    state: &dyn StateRead,
    bbox: &BBox,
    keep: impl Fn(&BBox) -> bool,
) -> Result<(Vec<RecordId>, usize, SearchedCells), TxError> {
    let mut kept = SearchedCells::default();
    let (found, reads) = search_cells(state, bbox, keep, Some(&mut kept))?;
    Ok((found, reads, kept))
}

fn search_cells(
    state: &dyn StateRead,
    bbox: &BBox,
    keep: impl Fn(&BBox) -> bool,
    mut kept: Option<&mut SearchedCells>,
) -> Result<(Vec<RecordId>, usize), TxError> {
    let upto = level_of(bbox);
    let q = shift(bbox);
    let mut found = Vec::new();
    let mut stack: Vec<(u8, u32, u32)> = vec![(0, 0, 0)];
    let mut reads = 0usize;
    while let Some((l, x, y)) = stack.pop() {
        reads += 1;
        if reads > MAX_SEARCH_CELLS {
            return Err(refuse(
                error::SPATIAL_SEARCH_TOO_WIDE,
                format!(
                    "checking this boundary against its neighbours would read more than {MAX_SEARCH_CELLS} index \
                 cells; register very large parcels before subdividing them, or split the area"
                ),
            ));
        }
        let cell = read_cell(state, l, x, y);
        found.extend(cell.entries.iter().filter(|e| keep(&e.bbox)).map(|e| e.parcel.clone()));
        let below = cell.below;
        if let Some(kept) = kept.as_deref_mut().filter(|_| l <= upto) {
            if below == 0 {
                kept.empty_below.insert((l, x, y));
            }
            kept.cells.insert((l, x, y), cell);
        }
        if below == 0 || l == MAX_LEVEL {
            continue;
        }
        let cs = 32 - u32::from(l + 1);
        for (dx, dy) in [(0u32, 0u32), (1, 0), (0, 1), (1, 1)] {
            let (cx, cy) = (u64::from(x) * 2 + u64::from(dx), u64::from(y) * 2 + u64::from(dy));
            let (lo_u, lo_v) = (cx << cs, cy << cs);
            let (hi_u, hi_v) = (((cx + 1) << cs) - 1, ((cy + 1) << cs) - 1);
            if lo_u <= q.max_u && hi_u >= q.min_u && lo_v <= q.max_v && hi_v >= q.min_v {
                stack.push((l + 1, cx as u32, cy as u32));
            }
        }
    }
    found.sort();
    found.dedup();
    Ok((found, reads))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use publica_testkit::MemoryState;

    use super::*;

    fn boxes() -> impl Strategy<Value = Vec<BBox>> {
        // Boxes of 1 to 5,000 units (0.1 mm to 55 m) in a 20,000-unit square: several levels, shared cells, and
        // cells at coarser levels that already have parcels below.
        let one = (0i64..20_000, 0i64..20_000, 1i64..5_000, 1i64..5_000).prop_map(|(x, y, w, h)| BBox {
            min_x: 180_000_000 + x,
            min_y: 593_000_000 + y,
            max_x: 180_000_000 + x + w,
            max_y: 593_000_000 + y + h,
        });
        proptest::collection::vec(one, 1..40)
    }

    /// A state that counts the reads reaching it.
    struct Counting<'a> {
        state: &'a mut MemoryState,
        reads: std::cell::Cell<usize>,
    }

    impl StateRead for Counting<'_> {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            self.reads.set(self.reads.get() + 1);
            self.state.get(key)
        }
    }

    impl StateWrite for Counting<'_> {
        fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
            self.state.put(key, value);
        }

        fn delete(&mut self, key: Vec<u8>) {
            self.state.delete(key);
        }
    }

    fn small_box(x: i64, y: i64) -> BBox {
        BBox {
            min_x: 180_000_000 + x,
            min_y: 593_000_000 + y,
            max_x: 180_000_000 + x + 900,
            max_y: 593_000_000 + y + 900,
        }
    }

    #[test]
    fn entering_a_searched_parcel_reads_no_cell_again_and_asks_nothing_under_an_empty_cell() {
        let mut state = MemoryState::new();
        let mut counting = Counting { state: &mut state, reads: std::cell::Cell::new(0) };
        // In an empty index the search reads the root only; the insert needs cells at every level down to the
        // parcel's, all under that empty root.
        for (i, (x, y)) in [(0, 0), (5_000, 0), (1_000_000, 2_000_000)].into_iter().enumerate() {
            let bbox = small_box(x, y);
            let (_, _, searched) = search_keeping(&counting, &bbox, |b| b.intersects(&bbox)).unwrap();
            counting.reads.set(0);
            let id = RecordId::new(format!("P-{i}")).unwrap();
            insert_searched(&mut counting, &id, &bbox, searched).unwrap();
            assert_eq!(counting.reads.get(), 0, "parcel {i}: the insert read cells the search had read or known empty");
        }
        // And the parcels are found.
        let (found, _) = search(&state, &small_box(0, 0), |_| true).unwrap();
        assert_eq!(found, vec![RecordId::new("P-0").unwrap()]);
    }

    proptest! {
        /// Entering each parcel with the cells its search kept writes exactly what entering it by reading them
        /// writes, and the search finds the same parcels either way.
        #[test]
        fn entering_with_the_searched_cells_writes_what_reading_them_writes(boxes in boxes()) {
            let (mut read, mut kept) = (MemoryState::new(), MemoryState::new());
            for (i, bbox) in boxes.iter().enumerate() {
                let id = RecordId::new(format!("P-{i:04}")).expect("a record id");
                let (plain, plain_reads) = search(&read, bbox, |b| b.intersects(bbox)).expect("a search");
                let (found, reads, searched) =
                    search_keeping(&kept, bbox, |b| b.intersects(bbox)).expect("a search");
                prop_assert_eq!(&plain, &found);
                prop_assert_eq!(plain_reads, reads);
                let a = insert(&mut read, &id, bbox);
                let b = insert_searched(&mut kept, &id, bbox, searched);
                prop_assert_eq!(a.is_ok(), b.is_ok());
                prop_assert!(read.iter().eq(kept.iter()), "the states differ after parcel {}", i);
            }
        }
    }
}
