//! Geometry of parcels: GeoJSON input, exact fixed-point predicates, deterministic area, the spatial index.

mod area;
pub mod index;
mod json;
mod polygon;

pub use area::{area_m2, sin_deterministic, AUTHALIC_RADIUS_M};
pub use polygon::{
    on_segment, orient, ring_doubled_area, segments_intersect, BBox, Location, Point, Polygon, MAX_LAT, MAX_LON,
    MAX_RINGS, MAX_VERTICES, UNITS_PER_DEGREE,
};
