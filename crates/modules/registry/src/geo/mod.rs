//! Geometry of parcels: GeoJSON input, exact fixed-point predicates, deterministic area, the spatial index.

mod area;
mod budget;
pub mod index;
mod json;
mod polygon;

pub use area::{area_m2, sin_deterministic, AUTHALIC_RADIUS_M};
pub use budget::{Budget, MAX_GEOMETRY_WORK};
pub use polygon::{
    on_segment, orient, ring_doubled_area, segments_intersect, BBox, Location, Point, Polygon, MAX_LAT, MAX_LON,
    MAX_RINGS, MAX_VERTICES, UNITS_PER_DEGREE,
};
