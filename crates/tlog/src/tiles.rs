//! C2SP tlog-tiles: tile resource paths and entry bundles.

use crate::text::parse_decimal;
use crate::TlogError;

/// Tile height: each tile covers 8 levels of the Merkle tree.
pub const TILE_HEIGHT: u8 = 8;

/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 256;

/// The highest tile level a path may name.
pub const MAX_TILE_LEVEL: u8 = 63;

/// The longest entry an entry bundle can hold: its length is a big-endian u16.
pub const MAX_ENTRY_BYTES: usize = u16::MAX as usize;

/// The largest entry bundle: 256 entries of the longest length with their prefixes.
pub const MAX_ENTRY_BUNDLE_BYTES: usize = TILE_WIDTH as usize * (2 + MAX_ENTRY_BYTES);

const _: () = assert!(TILE_WIDTH == 1 << TILE_HEIGHT);

/// A tile resource path relative to the log prefix.
///
/// `width` is 1..=256; 256 is a full tile (no `.p/<W>` suffix), anything less a partial tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TilePath {
    /// `tile/<L>/<N>[.p/<W>]`: Merkle tree hashes at tile level `level` (0..=63).
    Hash {
        /// Tile level.
        level: u8,
        /// Tile index within the level.
        index: u64,
        /// Number of hashes.
        width: u16,
    },
    /// `tile/entries/<N>[.p/<W>]`: an entry bundle.
    Entries {
        /// Bundle index.
        index: u64,
        /// Number of entries.
        width: u16,
    },
}

impl TilePath {
    /// Parses a tile path such as `tile/0/x001/x234/067.p/8` or `tile/entries/000`, accepting only the canonical
    /// spelling: level without leading zeros, index in zero-padded 3-digit groups with no leading `x000`, width
    /// 1..=255 without leading zeros (a full tile has no `.p/` suffix).
    pub fn parse(path: &str) -> Result<Self, TlogError> {
        let error = |reason: String| TlogError::TilePath { path: path.chars().take(200).collect(), reason };
        if path.len() > 100 {
            return Err(error(format!("it is {} bytes long; no tile path is longer than 100", path.len())));
        }
        let parts: Vec<&str> = path.split('/').collect();
        let (kind, rest) = match parts.as_slice() {
            ["tile", kind, rest @ ..] if !rest.is_empty() => (*kind, rest),
            _ => return Err(error("it must be `tile/<level>/<index>` or `tile/entries/<index>`".to_owned())),
        };
        // A partial tile ends in `<last index group>.p/<width>`.
        let (groups, width) = match rest {
            [groups @ .., last, width] if last.ends_with(".p") => {
                let width = parse_decimal("tile width", width, 1, TILE_WIDTH - 1)?;
                (groups.iter().copied().chain([&last[..last.len() - 2]]).collect::<Vec<_>>(), width as u16)
            }
            groups => (groups.to_vec(), TILE_WIDTH as u16),
        };
        let index = parse_index(&groups).map_err(error)?;
        let tile = if kind == "entries" {
            TilePath::Entries { index, width }
        } else {
            let level = parse_decimal("tile level", kind, 0, u64::from(MAX_TILE_LEVEL))? as u8;
            TilePath::Hash { level, index, width }
        };
        let canonical = tile.to_path();
        if canonical != path {
            return Err(error(format!("it is not canonical; the canonical path is `{canonical}`")));
        }
        Ok(tile)
    }

    /// The path: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. A level above 63 or a width outside
    /// 1..=256 gives a path that [`TilePath::parse`] refuses.
    pub fn to_path(&self) -> String {
        let (kind, index, width) = match *self {
            TilePath::Hash { level, index, width } => (level.to_string(), index, width),
            TilePath::Entries { index, width } => ("entries".to_owned(), index, width),
        };
        let mut path = format!("tile/{kind}/{}", encode_index(index));
        if u64::from(width) != TILE_WIDTH {
            path.push_str(&format!(".p/{width}"));
        }
        path
    }
}

/// Encodes a tile index in 3-digit groups, all but the last prefixed with `x`: 1234067 → `x001/x234/067`.
fn encode_index(mut index: u64) -> String {
    let mut path = format!("{:03}", index % 1000);
    index /= 1000;
    while index > 0 {
        path = format!("x{:03}/{path}", index % 1000);
        index /= 1000;
    }
    path
}

fn parse_index(groups: &[&str]) -> Result<u64, String> {
    if groups.is_empty() || groups.len() > 7 {
        return Err("the index must have 1 to 7 three-digit groups".to_owned());
    }
    let mut index: u64 = 0;
    for (i, group) in groups.iter().enumerate() {
        let digits = if i + 1 < groups.len() { group.strip_prefix('x') } else { Some(*group) };
        let value = match digits {
            Some(d) if d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()) => d.parse::<u64>().expect("3 digits"),
            _ => {
                return Err(format!("index group `{group}` must be 3 digits, prefixed with `x` unless it is the last"))
            }
        };
        index = index
            .checked_mul(1000)
            .and_then(|i| i.checked_add(value))
            .ok_or_else(|| "the index does not fit in 64 bits".to_owned())?;
    }
    Ok(index)
}

/// The tiles that are partial for a tree of `size` leaves, lowest level first: the hash tile at each level `l`
/// with `floor(size / 256^l) mod 256` > 0 hashes, then the partial entry bundle if level 0 has one. Every other
/// tile the tree needs is full: [`full_tiles`] counts them.
pub fn partial_tiles(size: u64) -> Vec<TilePath> {
    let mut tiles = Vec::new();
    let mut level_size = size;
    for level in 0..=MAX_TILE_LEVEL {
        if level_size == 0 {
            break;
        }
        let width = (level_size % TILE_WIDTH) as u16;
        if width > 0 {
            tiles.push(TilePath::Hash { level, index: level_size / TILE_WIDTH, width });
        }
        level_size /= TILE_WIDTH;
    }
    if !size.is_multiple_of(TILE_WIDTH) {
        tiles.push(TilePath::Entries { index: size / TILE_WIDTH, width: (size % TILE_WIDTH) as u16 });
    }
    tiles
}

/// The number of full hash tiles at `level` in a tree of `size` leaves: `floor(size / 256^(level + 1))`.
pub fn full_tiles(level: u8, size: u64) -> u64 {
    // 256^(level + 1) overflows u64 from level 7 on, where no tile is full.
    let shift = u32::from(TILE_HEIGHT) * (u32::from(level) + 1);
    size.checked_shr(shift).unwrap_or(0)
}

/// Encodes an entry bundle: each entry prefixed with its big-endian u16 length. Between 1 and 256 entries of at
/// most 65535 bytes each.
pub fn encode_entry_bundle(entries: &[&[u8]]) -> Result<Vec<u8>, TlogError> {
    check_entry_count(entries.len())?;
    let mut out = Vec::with_capacity(entries.iter().map(|e| 2 + e.len()).sum());
    for entry in entries {
        let len = u16::try_from(entry.len()).map_err(|_| TlogError::TooLarge {
            what: "bundle entry",
            len: entry.len(),
            max: MAX_ENTRY_BYTES,
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Decodes an entry bundle of at most 256 entries and [`MAX_ENTRY_BUNDLE_BYTES`]; an empty or truncated bundle
/// is an error.
pub fn decode_entry_bundle(bytes: &[u8]) -> Result<Vec<Vec<u8>>, TlogError> {
    const WHAT: &str = "entry bundle";
    if bytes.len() > MAX_ENTRY_BUNDLE_BYTES {
        return Err(TlogError::TooLarge { what: WHAT, len: bytes.len(), max: MAX_ENTRY_BUNDLE_BYTES });
    }
    let mut entries = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        check_entry_count(entries.len() + 1)?;
        let offset = bytes.len() - rest.len();
        let truncated = || crate::text::malformed(WHAT, format!("the entry at byte {offset} is truncated"));
        let (len, tail) = rest.split_first_chunk::<2>().ok_or_else(truncated)?;
        let len = usize::from(u16::from_be_bytes(*len));
        if tail.len() < len {
            return Err(truncated());
        }
        let (entry, tail) = tail.split_at(len);
        entries.push(entry.to_vec());
        rest = tail;
    }
    check_entry_count(entries.len())?;
    Ok(entries)
}

fn check_entry_count(count: usize) -> Result<(), TlogError> {
    if count == 0 {
        return Err(crate::text::malformed("entry bundle", "it has no entries; empty tiles are never served"));
    }
    if count as u64 > TILE_WIDTH {
        return Err(TlogError::TooMany { what: "entry bundle", count, max: TILE_WIDTH as usize });
    }
    Ok(())
}
