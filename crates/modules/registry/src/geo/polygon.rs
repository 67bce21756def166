//! Parcel boundaries: parsing, validation and exact predicates on fixed-point polygons.
//!
//! Coordinates are integers in units of 1e-7 degree ([`UNITS_PER_DEGREE`]), so every predicate (orientation,
//! intersection, containment, overlap, area comparison) is exact integer arithmetic: orientation determinants are
//! computed in `i128`, where they cannot overflow (differences are below 2^33, products below 2^67). Two machines
//! therefore always agree on whether a parcel is valid and whether two parcels overlap.
//!
//! The plane is the longitude/latitude plane: edges are straight lines in degrees, as RFC 7946 §3.1.1 prescribes
//! for GeoJSON. Stored rings are open (the closing position is dropped) and oriented as RFC 7946 §3.1.6 asks:
//! exterior ring counter-clockwise, holes clockwise, so the parcel's interior is on the left of every edge.

use std::cmp::Ordering;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::json::{self, decimal_to_fixed, Json};
use crate::call::MAX_GEOJSON_BYTES;
use crate::error::RegistryError;

/// Fixed-point units per degree: coordinates are stored in 1e-7 degree (about 1.1 cm of latitude).
pub const UNITS_PER_DEGREE: i64 = 10_000_000;
/// Largest longitude magnitude, in units.
pub const MAX_LON: i64 = 180 * UNITS_PER_DEGREE;
/// Largest latitude magnitude, in units.
pub const MAX_LAT: i64 = 90 * UNITS_PER_DEGREE;
/// Most positions of one polygon, all rings together, closing positions included.
pub const MAX_VERTICES: usize = 1_000;
/// Most rings of one polygon (one exterior ring and holes).
pub const MAX_RINGS: usize = 64;

/// A position in fixed point: `x` longitude, `y` latitude, both in 1e-7 degree.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
pub struct Point {
    /// Longitude in 1e-7 degree.
    pub x: i64,
    /// Latitude in 1e-7 degree.
    pub y: i64,
}

/// An axis-aligned bounding box, inclusive, in 1e-7 degree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BBox {
    /// Smallest longitude.
    pub min_x: i64,
    /// Smallest latitude.
    pub min_y: i64,
    /// Largest longitude.
    pub max_x: i64,
    /// Largest latitude.
    pub max_y: i64,
}

impl BBox {
    /// Whether the two boxes share interior points (boxes that only touch do not).
    pub fn overlaps_open(&self, o: &BBox) -> bool {
        self.min_x < o.max_x && o.min_x < self.max_x && self.min_y < o.max_y && o.min_y < self.max_y
    }

    /// Whether the two closed boxes share any point.
    pub fn intersects(&self, o: &BBox) -> bool {
        self.min_x <= o.max_x && o.min_x <= self.max_x && self.min_y <= o.max_y && o.min_y <= self.max_y
    }

    /// Whether `self` lies inside `o` (closed boxes).
    pub fn within(&self, o: &BBox) -> bool {
        self.min_x >= o.min_x && self.max_x <= o.max_x && self.min_y >= o.min_y && self.max_y <= o.max_y
    }

    /// Whether the box is inside the valid coordinate range with `min <= max`.
    pub fn is_valid(&self) -> bool {
        -MAX_LON <= self.min_x
            && self.min_x <= self.max_x
            && self.max_x <= MAX_LON
            && -MAX_LAT <= self.min_y
            && self.min_y <= self.max_y
            && self.max_y <= MAX_LAT
    }
}

/// A validated polygon: one exterior ring and holes, open rings, RFC 7946 orientation.
///
/// Only [`Polygon::from_geojson`] and [`Polygon::from_rings`] make one, and both validate, so a `Polygon` value is
/// always simple, closed, correctly oriented and in range.
///
/// Both decoders (borsh and serde) validate as well, so a decoded `Polygon` obeys the same rules.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, Serialize, Deserialize)]
#[serde(try_from = "PolygonRings")]
pub struct Polygon {
    rings: Vec<Vec<Point>>,
}

/// The unvalidated serde form of a [`Polygon`].
#[derive(Deserialize)]
struct PolygonRings {
    rings: Vec<Vec<Point>>,
}

impl TryFrom<PolygonRings> for Polygon {
    type Error = RegistryError;
    fn try_from(r: PolygonRings) -> Result<Self, Self::Error> {
        Polygon::from_rings(r.rings)
    }
}

impl BorshDeserialize for Polygon {
    fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
        let rings = Vec::<Vec<Point>>::deserialize_reader(reader)?;
        // A stored polygon is already oriented, so validation leaves it as it is and its encoding stays canonical.
        Polygon::from_rings(rings).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
    }
}

fn bad(reason: impl Into<String>) -> RegistryError {
    RegistryError::InvalidGeometry(reason.into())
}

/// Sign of the turn a→b→c: positive counter-clockwise, negative clockwise, zero collinear. Exact.
pub fn orient(a: Point, b: Point, c: Point) -> i128 {
    let abx = i128::from(b.x) - i128::from(a.x);
    let aby = i128::from(b.y) - i128::from(a.y);
    let acx = i128::from(c.x) - i128::from(a.x);
    let acy = i128::from(c.y) - i128::from(a.y);
    abx * acy - aby * acx
}

fn sign(v: i128) -> i8 {
    match v.cmp(&0) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// Whether `p`, known to be collinear with segment `a`–`b`, lies on the closed segment.
fn on_segment_collinear(a: Point, b: Point, p: Point) -> bool {
    a.x.min(b.x) <= p.x && p.x <= a.x.max(b.x) && a.y.min(b.y) <= p.y && p.y <= a.y.max(b.y)
}

/// Whether `p` lies on the closed segment `a`–`b`.
pub fn on_segment(a: Point, b: Point, p: Point) -> bool {
    orient(a, b, p) == 0 && on_segment_collinear(a, b, p)
}

/// Whether closed segments `a`–`b` and `c`–`d` share any point.
pub fn segments_intersect(a: Point, b: Point, c: Point, d: Point) -> bool {
    let d1 = sign(orient(a, b, c));
    let d2 = sign(orient(a, b, d));
    let d3 = sign(orient(c, d, a));
    let d4 = sign(orient(c, d, b));
    if d1 * d2 < 0 && d3 * d4 < 0 {
        return true;
    }
    (d1 == 0 && on_segment_collinear(a, b, c))
        || (d2 == 0 && on_segment_collinear(a, b, d))
        || (d3 == 0 && on_segment_collinear(c, d, a))
        || (d4 == 0 && on_segment_collinear(c, d, b))
}

/// Whether the segments cross at a single point interior to both (a "proper" crossing).
fn proper_crossing(a: Point, b: Point, c: Point, d: Point) -> bool {
    let d1 = sign(orient(a, b, c));
    let d2 = sign(orient(a, b, d));
    let d3 = sign(orient(c, d, a));
    let d4 = sign(orient(c, d, b));
    d1 * d2 < 0 && d3 * d4 < 0
}

/// Twice the signed area of an open ring, in square units (positive for counter-clockwise). Exact: each term is
/// below 2^63 and a ring has at most [`MAX_VERTICES`] terms.
pub fn ring_doubled_area(ring: &[Point]) -> i128 {
    let n = ring.len();
    let o = ring[0];
    let mut sum: i128 = 0;
    for i in 0..n {
        let p = ring[i];
        let q = ring[(i + 1) % n];
        // Relative to the first vertex: the same sum, with smaller terms.
        let (px, py) = (i128::from(p.x - o.x), i128::from(p.y - o.y));
        let (qx, qy) = (i128::from(q.x - o.x), i128::from(q.y - o.y));
        sum += px * qy - qx * py;
    }
    sum
}

fn segment_bbox_overlap(a: Point, b: Point, c: Point, d: Point) -> bool {
    a.x.min(b.x) <= c.x.max(d.x)
        && c.x.min(d.x) <= a.x.max(b.x)
        && a.y.min(b.y) <= c.y.max(d.y)
        && c.y.min(d.y) <= a.y.max(b.y)
}

/// Ring `r` of a GeoJSON Polygon, closed with at least 4 positions, returned open (its closing position dropped).
/// `total` counts the positions of the rings read so far, at most [`MAX_VERTICES`].
fn geojson_ring(r: usize, ring_json: &Json<'_>, total: &mut usize) -> Result<Vec<Point>, RegistryError> {
    let Json::Array(positions) = ring_json else {
        return Err(bad(format!("ring {r} must be an array of positions")));
    };
    *total += positions.len();
    if *total > MAX_VERTICES {
        return Err(bad(format!("the polygon has more than {MAX_VERTICES} positions; simplify the boundary")));
    }
    let mut ring = Vec::with_capacity(positions.len());
    for (i, pos) in positions.iter().enumerate() {
        ring.push(geojson_position(r, i, pos)?);
    }
    if ring.len() < 4 {
        return Err(bad(format!("ring {r} has {} positions; a closed ring needs at least 4", ring.len())));
    }
    if ring.first() != ring.last() {
        return Err(bad(format!("ring {r} is not closed: its last position must equal its first")));
    }
    ring.pop();
    Ok(ring)
}

/// Position `i` of ring `r`: `[lon, lat]` or `[lon, lat, altitude]`, in range, rounded to 1e-7 degree; the
/// altitude is checked to be a number and ignored.
fn geojson_position(r: usize, i: usize, pos: &Json<'_>) -> Result<Point, RegistryError> {
    let Json::Array(coords) = pos else {
        return Err(bad(format!("ring {r} position {i} must be an array [lon, lat]")));
    };
    if coords.len() < 2 || coords.len() > 3 {
        return Err(bad(format!("ring {r} position {i} must have 2 or 3 numbers, it has {}", coords.len())));
    }
    let num = |j: usize, limit: i64, what: &str| -> Result<i64, RegistryError> {
        let Json::Number(t) = coords[j] else {
            return Err(bad(format!("ring {r} position {i}: {what} must be a number")));
        };
        decimal_to_fixed(t, 7, limit + 1).map_err(|_| {
            bad(format!("ring {r} position {i}: {what} {t} is out of range (longitude ±180, latitude ±90)"))
        })
    };
    let x = num(0, MAX_LON, "longitude")?;
    let y = num(1, MAX_LAT, "latitude")?;
    if coords.len() == 3 && !matches!(coords[2], Json::Number(_)) {
        return Err(bad(format!("ring {r} position {i}: altitude must be a number")));
    }
    Ok(Point { x, y })
}

/// Where a point lies relative to a region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// In the interior.
    Inside,
    /// On the boundary.
    Boundary,
    /// In the exterior.
    Outside,
}

impl Polygon {
    /// Parse and validate an RFC 7946 Polygon geometry object given as JSON text.
    ///
    /// Rules: at most [`MAX_GEOJSON_BYTES`] bytes; `"type": "Polygon"`; 1 to [`MAX_RINGS`] rings; every ring
    /// closed (last position equals first) with at least 4 positions; at most [`MAX_VERTICES`] positions in all;
    /// positions `[lon, lat]` or `[lon, lat, altitude]` (the altitude is ignored) with lon in [-180, 180] and lat
    /// in [-90, 90], rounded to 1e-7 degree half away from zero. After rounding, the rules of
    /// [`Polygon::from_rings`] apply. Members other than `type` and `coordinates` (foreign members, `bbox`) are
    /// ignored.
    pub fn from_geojson(text: &str) -> Result<Polygon, RegistryError> {
        Self::from_geojson_with(text, |_| Ok(()))
    }

    /// [`Polygon::from_geojson`], calling `before_validation` with the number of distinct positions once the text
    /// is read (linear work) and before the rings are validated (quadratic work): a refusal there stops the parse,
    /// so a caller can charge the validation to a budget ([`super::Budget`]) before it is done.
    pub fn from_geojson_with(
        text: &str,
        before_validation: impl FnOnce(usize) -> Result<(), RegistryError>,
    ) -> Result<Polygon, RegistryError> {
        if text.len() > MAX_GEOJSON_BYTES {
            return Err(bad(format!(
                "the GeoJSON text is {} bytes, the limit is {MAX_GEOJSON_BYTES}; simplify the boundary",
                text.len()
            )));
        }
        let Json::Object(members) = json::parse(text)? else {
            return Err(bad("the GeoJSON text must be a Polygon geometry object"));
        };
        let member = |name: &str| -> Result<&Json<'_>, RegistryError> {
            let mut found = members.iter().filter(|(k, _)| k == name);
            let first = found.next().ok_or_else(|| bad(format!("the Polygon object has no \"{name}\" member")))?;
            if found.next().is_some() {
                return Err(bad(format!("the Polygon object has two \"{name}\" members")));
            }
            Ok(&first.1)
        };
        if member("type")? != &Json::String("Polygon".into()) {
            return Err(bad("the geometry's \"type\" must be \"Polygon\" (MultiPolygon and others are not parcels)"));
        }
        let Json::Array(rings_json) = member("coordinates")? else {
            return Err(bad("\"coordinates\" must be an array of linear rings"));
        };
        if rings_json.is_empty() || rings_json.len() > MAX_RINGS {
            return Err(bad(format!("a Polygon has 1 to {MAX_RINGS} rings, this one has {}", rings_json.len())));
        }
        let mut total = 0usize;
        let mut rings = Vec::with_capacity(rings_json.len());
        for (r, ring_json) in rings_json.iter().enumerate() {
            rings.push(geojson_ring(r, ring_json, &mut total)?);
        }
        before_validation(rings.iter().map(Vec::len).sum())?;
        Polygon::from_rings(rings)
    }

    /// Validate open rings (no closing position; the first is the exterior) and orient them.
    ///
    /// Rules: every ring has at least 3 distinct consecutive positions in range and is simple (no two edges meet
    /// except consecutive ones at their shared vertex, and no edge doubles back on the previous one); rings neither
    /// cross nor touch each other; every hole lies inside the exterior ring and outside every other hole. Rings in
    /// the wrong orientation are reversed rather than refused (RFC 7946 §3.1.6 asks parsers not to reject them).
    pub fn from_rings(mut rings: Vec<Vec<Point>>) -> Result<Polygon, RegistryError> {
        if rings.is_empty() || rings.len() > MAX_RINGS {
            return Err(bad(format!("a polygon has 1 to {MAX_RINGS} rings")));
        }
        if rings.iter().map(|r| r.len() + 1).sum::<usize>() > MAX_VERTICES {
            return Err(bad(format!("the polygon has more than {MAX_VERTICES} positions; simplify the boundary")));
        }
        for (r, ring) in rings.iter().enumerate() {
            if ring.len() < 3 {
                return Err(bad(format!("ring {r} has fewer than 3 distinct positions")));
            }
            for p in ring {
                if p.x.abs() > MAX_LON || p.y.abs() > MAX_LAT {
                    return Err(bad(format!("ring {r}: position {p:?} is out of range")));
                }
            }
            check_ring_simple(r, ring)?;
        }
        for (r, ring) in rings.iter_mut().enumerate() {
            let area = ring_doubled_area(ring);
            if area == 0 {
                return Err(bad(format!("ring {r} encloses no area")));
            }
            // Exterior counter-clockwise (positive), holes clockwise (negative).
            if (r == 0) != (area > 0) {
                ring.reverse();
            }
        }
        for a in 0..rings.len() {
            for b in a + 1..rings.len() {
                if rings_touch(&rings[a], &rings[b]) {
                    return Err(bad(format!("rings {a} and {b} cross or touch; holes must lie strictly inside")));
                }
            }
        }
        let shell = &rings[0];
        for h in 1..rings.len() {
            // Rings do not touch, so one vertex decides where the whole hole lies.
            let v = rings[h][0];
            if ring_location(shell, v) != Location::Inside {
                return Err(bad(format!("hole {h} lies outside the exterior ring")));
            }
            for (o, other) in rings.iter().enumerate().skip(1) {
                if o != h && ring_location(other, v) == Location::Inside {
                    return Err(bad(format!("hole {h} lies inside hole {o}; nested holes are not allowed")));
                }
            }
        }
        Ok(Polygon { rings })
    }

    /// The rings: the exterior first (counter-clockwise), then holes (clockwise); open (no closing position).
    pub fn rings(&self) -> &[Vec<Point>] {
        &self.rings
    }

    /// Number of distinct positions (closing positions not counted).
    pub fn vertex_count(&self) -> usize {
        self.rings.iter().map(Vec::len).sum()
    }

    /// The bounding box (of the exterior ring, which contains the holes).
    pub fn bbox(&self) -> BBox {
        let shell = &self.rings[0];
        let mut b = BBox { min_x: shell[0].x, min_y: shell[0].y, max_x: shell[0].x, max_y: shell[0].y };
        for p in shell {
            b.min_x = b.min_x.min(p.x);
            b.min_y = b.min_y.min(p.y);
            b.max_x = b.max_x.max(p.x);
            b.max_y = b.max_y.max(p.y);
        }
        b
    }

    /// Twice the area in square units (1e-7 degree squared) of the lon/lat plane: the exterior's doubled shoelace
    /// area minus the holes'. Exact, and positive. Subdivisions and mergers compare these numbers.
    pub fn doubled_area(&self) -> u128 {
        let shell = ring_doubled_area(&self.rings[0]);
        let holes: i128 = self.rings[1..].iter().map(|r| -ring_doubled_area(r)).sum();
        let area = shell - holes;
        debug_assert!(area > 0, "holes lie strictly inside the shell, so the area is positive");
        area as u128
    }

    /// The polygon as GeoJSON text: closed rings, RFC 7946 orientation, coordinates with 7 decimals.
    pub fn to_geojson(&self) -> String {
        let fmt = |v: i64| {
            let sign = if v < 0 { "-" } else { "" };
            let a = v.unsigned_abs();
            format!("{sign}{}.{:07}", a / UNITS_PER_DEGREE as u64, a % UNITS_PER_DEGREE as u64)
        };
        let rings: Vec<String> = self
            .rings
            .iter()
            .map(|ring| {
                let pts: Vec<String> = ring
                    .iter()
                    .chain(std::iter::once(&ring[0]))
                    .map(|p| format!("[{},{}]", fmt(p.x), fmt(p.y)))
                    .collect();
                format!("[{}]", pts.join(","))
            })
            .collect();
        format!("{{\"type\":\"Polygon\",\"coordinates\":[{}]}}", rings.join(","))
    }

    /// Every directed edge, interior on the left.
    fn edges(&self) -> impl Iterator<Item = (Point, Point)> + '_ {
        self.rings.iter().flat_map(|ring| (0..ring.len()).map(move |i| (ring[i], ring[(i + 1) % ring.len()])))
    }

    /// Where `p` lies relative to the polygon (holes excluded from the interior).
    pub fn locate(&self, p: Point) -> Location {
        let mut inside = false;
        for ring in &self.rings {
            match ring_location(ring, p) {
                Location::Boundary => return Location::Boundary,
                Location::Inside => inside = !inside,
                Location::Outside => {}
            }
        }
        if inside {
            Location::Inside
        } else {
            Location::Outside
        }
    }

    /// Whether the interiors of the two polygons intersect (they overlap in an area). Polygons that only share
    /// edges or corners do not overlap.
    pub fn overlaps(&self, other: &Polygon) -> bool {
        if !self.bbox().overlaps_open(&other.bbox()) {
            return false;
        }
        interiors_meet(Region { poly: self, complement: false }, Region { poly: other, complement: false })
    }

    /// Whether this polygon lies within `outer` (every point of it is in `outer`; shared boundary allowed).
    pub fn within(&self, outer: &Polygon) -> bool {
        if !self.bbox().within(&outer.bbox()) {
            return false;
        }
        !interiors_meet(Region { poly: self, complement: false }, Region { poly: outer, complement: true })
    }
}

/// Check that one open ring is simple.
fn check_ring_simple(r: usize, ring: &[Point]) -> Result<(), RegistryError> {
    let n = ring.len();
    for i in 0..n {
        if ring[i] == ring[(i + 1) % n] {
            return Err(bad(format!("ring {r} repeats position {i} consecutively; remove the duplicate")));
        }
    }
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        for j in i + 1..n {
            let (c, d) = (ring[j], ring[(j + 1) % n]);
            let adjacent_next = j == i + 1;
            let adjacent_prev = i == 0 && j == n - 1;
            if adjacent_next || adjacent_prev {
                // Consecutive edges share one vertex; they must not fold back over each other.
                let (shared, before, after, at) = if adjacent_next { (b, a, d, j) } else { (a, b, c, 0) };
                if orient(before, shared, after) == 0 && dot(before, shared, after) > 0 {
                    return Err(bad(format!("ring {r} doubles back on itself at position {at}")));
                }
                // Otherwise two segments sharing an endpoint meet only there.
                continue;
            }
            if segment_bbox_overlap(a, b, c, d) && segments_intersect(a, b, c, d) {
                return Err(bad(format!(
                    "ring {r} intersects itself: edges {i} and {j} meet (self-intersecting or bow-tie ring)"
                )));
            }
        }
    }
    Ok(())
}

/// (before − shared) · (after − shared): positive when the path turns back (the two edges point the same way
/// from the shared vertex).
fn dot(before: Point, shared: Point, after: Point) -> i128 {
    let ux = i128::from(before.x) - i128::from(shared.x);
    let uy = i128::from(before.y) - i128::from(shared.y);
    let vx = i128::from(after.x) - i128::from(shared.x);
    let vy = i128::from(after.y) - i128::from(shared.y);
    ux * vx + uy * vy
}

fn rings_touch(a: &[Point], b: &[Point]) -> bool {
    for i in 0..a.len() {
        let (p, q) = (a[i], a[(i + 1) % a.len()]);
        for j in 0..b.len() {
            let (r, s) = (b[j], b[(j + 1) % b.len()]);
            if segment_bbox_overlap(p, q, r, s) && segments_intersect(p, q, r, s) {
                return true;
            }
        }
    }
    false
}

/// Where `p` lies relative to the region enclosed by one ring (orientation ignored).
fn ring_location(ring: &[Point], p: Point) -> Location {
    let n = ring.len();
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        if on_segment(a, b, p) {
            return Location::Boundary;
        }
        // Half-open rule on y, so a ray through a vertex counts it once.
        if (a.y <= p.y) != (b.y <= p.y) {
            let o = orient(a, b, p);
            let crosses = if b.y > a.y { o > 0 } else { o < 0 };
            if crosses {
                inside = !inside;
            }
        }
    }
    if inside {
        Location::Inside
    } else {
        Location::Outside
    }
}

/// A polygon, or the closure of its complement (the plane minus its interior).
#[derive(Clone, Copy)]
struct Region<'a> {
    poly: &'a Polygon,
    complement: bool,
}

impl Region<'_> {
    /// Directed edges with the region's interior on the left.
    fn edges(&self) -> Vec<(Point, Point)> {
        let e = self.poly.edges();
        if self.complement {
            e.map(|(a, b)| (b, a)).collect()
        } else {
            e.collect()
        }
    }

    fn vertices(&self) -> impl Iterator<Item = Point> + '_ {
        self.poly.rings.iter().flatten().copied()
    }

    /// The rings in doubled coordinates (so that midpoints of integer points are integers).
    fn doubled_rings(&self) -> Vec<Vec<Point>> {
        self.poly.rings.iter().map(|ring| ring.iter().map(|p| Point { x: 2 * p.x, y: 2 * p.y }).collect()).collect()
    }

    /// Location of a point given in doubled coordinates, against [`Region::doubled_rings`].
    fn locate_doubled(&self, doubled: &[Vec<Point>], p2: Point) -> Location {
        let mut inside = false;
        for ring in doubled {
            match ring_location(ring, p2) {
                Location::Boundary => return Location::Boundary,
                Location::Inside => inside = !inside,
                Location::Outside => {}
            }
        }
        match (inside, self.complement) {
            (true, false) | (false, true) => Location::Inside,
            _ => Location::Outside,
        }
    }
}

/// Whether the interiors of two regions (at least one bounded) share a point. Exact.
///
/// Either some edge of one properly crosses an edge of the other, and then the interiors meet next to the
/// crossing; or the boundaries meet only in touching points and shared stretches. In that case every edge is cut
/// at the other region's vertices lying on it; each piece is then either shared with an edge of the other region
/// or has its relative interior wholly inside or wholly outside the other region, so its midpoint decides. The
/// interiors meet exactly when some piece lies inside the other region, or some shared piece has both interiors
/// on the same side (the two edges run in the same direction, since each region's interior is on its left).
fn interiors_meet(a: Region<'_>, b: Region<'_>) -> bool {
    let ea = a.edges();
    let eb = b.edges();
    for &(p, q) in &ea {
        for &(r, s) in &eb {
            if segment_bbox_overlap(p, q, r, s) && proper_crossing(p, q, r, s) {
                return true;
            }
        }
    }
    pieces_meet(&ea, b, &eb) || pieces_meet(&eb, a, &ea)
}

/// The piece test of [`interiors_meet`] for the edges `ea` of one region against region `b`.
fn pieces_meet(ea: &[(Point, Point)], b: Region<'_>, eb: &[(Point, Point)]) -> bool {
    let b_doubled = b.doubled_rings();
    let b_vertices: Vec<Point> = b.vertices().collect();
    for &(p, q) in ea {
        let mut cuts: Vec<Point> = vec![p, q];
        cuts.extend(b_vertices.iter().copied().filter(|&v| v != p && v != q && on_segment(p, q, v)));
        let dir = (i128::from(q.x) - i128::from(p.x), i128::from(q.y) - i128::from(p.y));
        let param =
            |v: &Point| (i128::from(v.x) - i128::from(p.x)) * dir.0 + (i128::from(v.y) - i128::from(p.y)) * dir.1;
        cuts.sort_by_key(param);
        cuts.dedup();
        for w in cuts.windows(2) {
            let mid2 = Point { x: w[0].x + w[1].x, y: w[0].y + w[1].y };
            // Is the piece on an edge of `b`? Then it is a shared stretch (see above).
            let mut shared = false;
            for &(r, s) in eb {
                let (r2, s2) = (Point { x: 2 * r.x, y: 2 * r.y }, Point { x: 2 * s.x, y: 2 * s.y });
                if on_segment(r2, s2, mid2) {
                    shared = true;
                    let same_direction =
                        dir.0 * (i128::from(s.x) - i128::from(r.x)) + dir.1 * (i128::from(s.y) - i128::from(r.y)) > 0;
                    if same_direction {
                        return true;
                    }
                }
            }
            if !shared && b.locate_doubled(&b_doubled, mid2) == Location::Inside {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sq(x: i64, y: i64, s: i64) -> Polygon {
        Polygon::from_rings(vec![vec![
            Point { x, y },
            Point { x: x + s, y },
            Point { x: x + s, y: y + s },
            Point { x, y: y + s },
        ]])
        .unwrap()
    }

    #[test]
    fn overlap_cases() {
        let a = sq(0, 0, 10);
        assert!(a.overlaps(&a));
        assert!(a.overlaps(&sq(5, 5, 10)));
        assert!(a.overlaps(&sq(2, 2, 2)));
        assert!(sq(2, 2, 2).overlaps(&a));
        assert!(!a.overlaps(&sq(10, 0, 10)));
        assert!(!a.overlaps(&sq(10, 10, 10)));
        assert!(!a.overlaps(&sq(10, 3, 2)));
        assert!(a.overlaps(&sq(9, 3, 2)));
        assert!(sq(2, 2, 2).within(&a));
        assert!(sq(0, 0, 5).within(&a));
        assert!(a.within(&a));
        assert!(!sq(8, 0, 5).within(&a));
    }
}
