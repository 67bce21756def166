//! A parcel's neighbourhood as an SVG map, drawn on the server from the GeoJSON boundaries the API answers
//! (RFC 7946 Polygons, longitude and latitude in degrees).
//!
//! The projection is equirectangular around the map's centre (longitude scaled by the cosine of the latitude),
//! which is exact enough at the scale of a neighbourhood. Neighbours are links to their own pages.

use maud::{html, Markup};
use serde_json::Value;

/// The map's width in SVG units; the height follows the area's shape.
const WIDTH: f64 = 640.0;
/// Largest number of vertices drawn per parcel (a boundary has at most a few thousand).
const MAX_VERTICES: usize = 20_000;

/// A parcel to draw: its number and its boundary.
pub struct Shape<'a> {
    /// The parcel number.
    pub id: &'a str,
    /// Its GeoJSON Polygon.
    pub geometry: &'a Value,
}

/// The rings of a GeoJSON Polygon, as (longitude, latitude) points; empty when it is not one.
fn rings(geometry: &Value) -> Vec<Vec<(f64, f64)>> {
    if geometry.get("type").and_then(Value::as_str) != Some("Polygon") {
        return Vec::new();
    }
    let mut budget = MAX_VERTICES;
    let Some(coords) = geometry.get("coordinates").and_then(Value::as_array) else { return Vec::new() };
    coords
        .iter()
        .filter_map(Value::as_array)
        .map(|ring| {
            let points: Vec<(f64, f64)> =
                ring.iter().take(budget).filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))).collect();
            budget = budget.saturating_sub(points.len());
            points
        })
        .filter(|r| r.len() >= 3)
        .collect()
}

/// The frame of the map: the subject's bounding box with a margin of `margin` times its size on each side.
pub fn frame(subject: &Value, margin: f64) -> Option<(f64, f64, f64, f64)> {
    let rings = rings(subject);
    let points = rings.iter().flatten();
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in points {
        min_x = min_x.min(x);
        min_y = min_y.min(y);
        max_x = max_x.max(x);
        max_y = max_y.max(y);
    }
    if min_x > max_x {
        return None;
    }
    let dx = (max_x - min_x).max(1e-5) * margin;
    let dy = (max_y - min_y).max(1e-5) * margin;
    Some((min_x - dx, min_y - dy, max_x + dx, max_y + dy))
}

/// The SVG path of a polygon, projected into the map's units.
fn path(geometry: &Value, project: &impl Fn(f64, f64) -> (f64, f64)) -> String {
    let mut d = String::new();
    for ring in rings(geometry) {
        for (i, &(lon, lat)) in ring.iter().enumerate() {
            let (x, y) = project(lon, lat);
            d.push_str(&format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" }));
        }
        d.push('Z');
    }
    d
}

/// The map of `subject` among `neighbours`, framed by `frame` (min lon, min lat, max lon, max lat). `label` names
/// the map for screen readers; `link_label` builds a neighbour link's name from its number.
pub fn render(
    subject: &Shape<'_>,
    neighbours: &[Shape<'_>],
    frame: (f64, f64, f64, f64),
    label: &str,
    link_label: impl Fn(&str) -> String,
) -> Markup {
    let (min_x, min_y, max_x, max_y) = frame;
    let mid_lat = ((min_y + max_y) / 2.0).to_radians();
    let sx = WIDTH / ((max_x - min_x) * mid_lat.cos());
    let height = ((max_y - min_y) * sx).clamp(120.0, 1200.0);
    let sy = height / (max_y - min_y);
    let project = move |lon: f64, lat: f64| ((lon - min_x) * mid_lat.cos() * sx, (max_y - lat) * sy);
    let subject_path = path(subject.geometry, &project);
    let centre = frame_centre(subject.geometry).map(|(x, y)| project(x, y));
    html! {
        svg.map xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (WIDTH) " " (format!("{height:.0}")) }
            role="group" aria-label=(label) {
            title { (label) }
            @for n in neighbours {
                a href={ "/parcels/" (crate::api::segment(n.id)) } aria-label=(link_label(n.id)) {
                    path.neighbour d=(path(n.geometry, &project)) fill-rule="evenodd" {}
                }
            }
            path.subject d=(subject_path) fill-rule="evenodd" {}
            @if let Some((x, y)) = centre {
                text x=(format!("{x:.1}")) y=(format!("{y:.1}")) text-anchor="middle" { (subject.id) }
            }
        }
    }
}

/// The centre of a polygon's bounding box.
fn frame_centre(geometry: &Value) -> Option<(f64, f64)> {
    let (a, b, c, d) = frame(geometry, 0.0)?;
    Some(((a + c) / 2.0, (b + d) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_square_is_drawn_inside_its_frame() {
        let square = json!({"type": "Polygon", "coordinates": [[[17.0, 62.0], [17.001, 62.0], [17.001, 62.001], [17.0, 62.001], [17.0, 62.0]]]});
        let f = frame(&square, 0.5).unwrap();
        let svg = render(&Shape { id: "A", geometry: &square }, &[], f, "map", |id| id.to_string()).into_string();
        assert!(svg.contains("<path class=\"subject\" d=\"M"), "{svg}");
        assert!(svg.contains(">A</text>"));
        // Every point of the subject lies within the view: x within its width, y within its height.
        let view: Vec<f64> = svg
            .split("viewBox=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        let d = svg.split("class=\"subject\" d=\"").nth(1).unwrap().split('"').next().unwrap();
        let numbers: Vec<f64> =
            d.split(['M', 'L', 'Z', ' ']).filter(|s| !s.is_empty()).map(|n| n.parse().unwrap()).collect();
        assert_eq!(numbers.len(), 10, "{d}");
        for point in numbers.chunks(2) {
            assert!(
                (0.0..=view[2]).contains(&point[0]) && (0.0..=view[3]).contains(&point[1]),
                "{point:?} outside {view:?}"
            );
        }
    }

    #[test]
    fn what_is_not_a_polygon_draws_nothing() {
        assert!(frame(&json!({"type": "Point", "coordinates": [1, 2]}), 0.5).is_none());
        assert!(rings(&json!({"type": "Polygon", "coordinates": "x"})).is_empty());
    }
}
