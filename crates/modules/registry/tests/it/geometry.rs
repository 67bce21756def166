//! Parcel boundaries: validation, orientation and holes, the no-overlap rule against a model and at scale, and the
//! bound on geometry work per transaction.

use std::time::Instant;

use proptest::prelude::*;
use publica_registry::call::{ApplicationAction, NewParcel, Party, RegistryCall};
use publica_registry::error;
use publica_registry::geo::{Point, Polygon};
use publica_registry::query;
use publica_types::codec;

use crate::{polygon_json, rect, rect_ring, registrar_role, rid, ring_json, square, whole, World, X0, Y0};

#[test]
fn invalid_boundaries_are_refused() {
    let mut w = World::new();
    let alice = w.alice;
    let open_ring = format!(r#"{{"type":"Polygon","coordinates":[{}]}}"#, ring_json(&rect_ring(0, 0, 10, 10)[..4]));
    let bowtie = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10), (X0, Y0)]]);
    let self_touch =
        polygon_json(&[vec![(X0, Y0), (X0 + 20, Y0), (X0 + 20, Y0 + 20), (X0 + 10, Y0), (X0, Y0 + 20), (X0, Y0)]]);
    let spike = polygon_json(&[vec![(X0, Y0), (X0 + 20, Y0), (X0 + 10, Y0), (X0 + 10, Y0 + 10), (X0, Y0)]]);
    let too_few = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0), (X0, Y0)]]);
    let collinear = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0), (X0 + 20, Y0), (X0, Y0)]]);
    let out_of_range = r#"{"type":"Polygon","coordinates":[[[179.9,0],[180.1,0],[180,1],[179.9,0]]]}"#.to_owned();
    let lat_out = r#"{"type":"Polygon","coordinates":[[[0,89.9],[1,89.9],[1,90.5],[0,89.9]]]}"#.to_owned();
    let hole_outside = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(200, 200, 10, 10)]);
    let hole_crossing = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(50, 50, 100, 10)]);
    let hole_touching = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(0, 10, 10, 10)]);
    let nested_holes = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(10, 10, 80, 80), rect_ring(20, 20, 10, 10)]);
    let dup = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0), (X0 + 10, Y0), (X0 + 10, Y0 + 10), (X0, Y0)]]);
    let many: Vec<(i64, i64)> = (0..1001).map(|i| (X0 + i, Y0 + (i % 2))).collect();
    let too_many = polygon_json(&[many]);
    let huge = format!(r#"{{"type":"Polygon","pad":"{}","coordinates":[]}}"#, "x".repeat(70_000));
    let cases: Vec<(String, &str)> = vec![
        (open_ring, "not closed"),
        (bowtie, "intersects itself"),
        (self_touch, "intersects itself"),
        (spike, "doubles back"),
        (too_few, "at least 4"),
        (collinear, "doubles back"),
        (out_of_range, "out of range"),
        (lat_out, "out of range"),
        (hole_outside, "outside the exterior"),
        (hole_crossing, "cross or touch"),
        (hole_touching, "cross or touch"),
        (nested_holes, "inside hole"),
        (dup, "repeats position"),
        (too_many, "more than 1000"),
        (huge, "the limit is 65536"),
        (r#"{"type":"MultiPolygon","coordinates":[]}"#.into(), "must be \"Polygon\""),
        (r#"{"type":"Polygon"}"#.into(), "no \"coordinates\""),
        (r#"{"type":"Polygon","type":"Polygon","coordinates":[]}"#.into(), "two \"type\""),
        (r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"1"],[0,0]]]}"#.into(), "must be a number"),
        (r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]"#.into(), "expected"),
        ("[]".into(), "Polygon geometry object"),
    ];
    for (json, text) in cases {
        let e = w.register("P-1", json.clone(), whole(alice)).unwrap_err();
        assert_eq!(e.code, error::PARCEL_BOUNDARY_INVALID, "{json}");
        assert!(e.message.contains(text), "{:?} lacks {text:?} for {}", e.message, &json[..json.len().min(120)]);
    }
}

#[test]
fn orientation_is_normalised_and_holes_are_kept() {
    // A clockwise exterior and a counter-clockwise hole are accepted and stored in RFC 7946 orientation.
    let mut shell = rect_ring(0, 0, 100, 100);
    shell.reverse();
    let mut hole = rect_ring(40, 40, 20, 20);
    hole.reverse();
    let p = Polygon::from_geojson(&polygon_json(&[shell, hole])).unwrap();
    assert!(publica_registry::geo::ring_doubled_area(&p.rings()[0]) > 0);
    assert!(publica_registry::geo::ring_doubled_area(&p.rings()[1]) < 0);
    assert_eq!(p.doubled_area(), 2 * (100 * 100 - 20 * 20));
    // Altitudes and foreign members are ignored; the text form round-trips.
    let with_alt =
        r#"{"bbox":[0,0,1,1],"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]],"x":{"y":[1]}}"#;
    let q = Polygon::from_geojson(with_alt).unwrap();
    assert_eq!(Polygon::from_geojson(&q.to_geojson()).unwrap(), q);
    assert_eq!(q.rings()[0][1], Point { x: 10_000_000, y: 0 });
    // Decoders validate too: a bow-tie cannot be smuggled in through borsh or serde.
    let bowtie: Vec<Vec<Point>> =
        vec![vec![Point { x: 0, y: 0 }, Point { x: 10, y: 10 }, Point { x: 10, y: 0 }, Point { x: 0, y: 10 }]];
    assert!(codec::decode_canonical::<Polygon>("polygon", &codec::encode(&bowtie), 1 << 16).is_err());
    assert!(serde_json::from_value::<Polygon>(serde_json::json!({ "rings": bowtie })).is_err());
    let good = codec::encode(&p);
    assert_eq!(codec::decode_canonical::<Polygon>("polygon", &good, 1 << 16).unwrap(), p);
    assert_eq!(serde_json::from_str::<Polygon>(&serde_json::to_string(&p).unwrap()).unwrap(), p);
    // A parcel inside another's hole does not overlap it.
    let mut w = World::new();
    let alice = w.alice;
    w.register("RING", polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(40, 40, 20, 20)]), whole(alice)).unwrap();
    w.register("ISLAND", square(40, 40, 20), whole(alice)).unwrap();
    assert!(w.register("OVER", square(35, 35, 10), whole(alice)).is_err());
}

#[test]
fn overlapping_parcels_are_refused_and_touching_ones_accepted() {
    let mut w = World::new();
    let alice = w.alice;
    w.register("A", square(0, 0, 1000), whole(alice)).unwrap();
    for (id, json) in [
        ("same", square(0, 0, 1000)),
        ("inside", square(100, 100, 10)),
        ("around", square(-10, -10, 2000)),
        ("partial", square(500, 500, 1000)),
        ("sliver", rect(999, 0, 100, 1000)),
        ("cross", rect(-100, 400, 1200, 10)),
        (
            "vertex-in",
            polygon_json(&[vec![
                (X0 + 500, Y0 + 500),
                (X0 + 1500, Y0 + 500),
                (X0 + 1500, Y0 + 1500),
                (X0 + 500, Y0 + 500),
            ]]),
        ),
    ] {
        let e = w.register(id, json, whole(alice)).unwrap_err();
        assert_eq!(e.code, error::PARCEL_OVERLAP, "{id}: {e}");
        assert!(e.message.contains("overlaps active parcel A"), "{e}");
    }
    w.register("edge", square(1000, 0, 1000), whole(alice)).unwrap();
    w.register("corner", square(1000, 1000, 500), whole(alice)).unwrap();
    w.register("half-edge", rect(0, 1000, 500, 300), whole(alice)).unwrap();
    // A triangle whose edge lies along part of A's left edge.
    w.register(
        "triangle",
        polygon_json(&[vec![(X0 - 100, Y0 + 500), (X0, Y0 + 400), (X0, Y0 + 600), (X0 - 100, Y0 + 500)]]),
        whole(alice),
    )
    .unwrap();
    // A triangle whose apex rests on A's bottom edge.
    w.register(
        "apex",
        polygon_json(&[vec![(X0 + 400, Y0 - 100), (X0 + 600, Y0 - 100), (X0 + 500, Y0), (X0 + 400, Y0 - 100)]]),
        whole(alice),
    )
    .unwrap();
    let found = query::parcels_in_bbox(&w.state, &Polygon::from_geojson(&square(0, 0, 1000)).unwrap().bbox()).unwrap();
    assert!(found.contains(&rid("A")) && found.contains(&rid("edge")) && found.contains(&rid("corner")));
    assert!(w.register("A", square(5000, 5000, 10), whole(alice)).unwrap_err().message.contains("already used"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Squares on a grid never overlap (they share edges and corners) and are all accepted; then a square at any
    /// position is refused exactly when it overlaps a registered one (interval model), and kept when accepted.
    #[test]
    fn grid_squares_against_an_interval_model(
        cells in proptest::collection::btree_set((0i64..12, 0i64..12), 1..40),
        probes in proptest::collection::vec((-200i64..1400, -200i64..1400, 1i64..300), 1..16),
    ) {
        let mut w = World::new();
        let alice = w.alice;
        let mut model: Vec<(i64, i64, i64)> = Vec::new();
        for (i, (cx, cy)) in cells.iter().enumerate() {
            w.register(&format!("G{i}"), square(cx * 100, cy * 100, 100), whole(alice)).unwrap();
            model.push((cx * 100, cy * 100, 100));
        }
        for (j, (x, y, s)) in probes.into_iter().enumerate() {
            let overlaps = model.iter().any(|&(mx, my, ms)| x < mx + ms && mx < x + s && y < my + ms && my < y + s);
            let r = w.register(&format!("Q{j}"), square(x, y, s), whole(alice));
            prop_assert_eq!(r.is_err(), overlaps, "probe {} {} {}: {:?}", x, y, s, r);
            if overlaps {
                prop_assert!(r.unwrap_err().message.contains("overlaps"));
            } else {
                model.push((x, y, s));
            }
        }
    }

    /// Any square overlapping one registered grid square is refused.
    #[test]
    fn any_square_overlapping_a_grid_square_is_refused(
        cells in proptest::collection::btree_set((0i64..10, 0i64..10), 1..30),
        pick in any::<prop::sample::Index>(),
        dx in -99i64..100, dy in -99i64..100, s in 1i64..250,
    ) {
        let mut w = World::new();
        let alice = w.alice;
        for (i, (cx, cy)) in cells.iter().enumerate() {
            w.register(&format!("G{i}"), square(cx * 100, cy * 100, 100), whole(alice)).unwrap();
        }
        let cells: Vec<_> = cells.into_iter().collect();
        let (cx, cy) = cells[pick.index(cells.len())];
        // A square whose interior meets the picked cell's interior: its lower-left corner lies strictly within
        // (−s, 100) of the cell's on both axes.
        let (x, y) = (cx * 100 + dx.clamp(-s + 1, 99), cy * 100 + dy.clamp(-s + 1, 99));
        let e = w.register("Q", square(x, y, s), whole(alice)).unwrap_err();
        prop_assert_eq!(e.code, error::PARCEL_OVERLAP);
    }
}

/// Registration time with 10^5 parcels present. Run with
/// `cargo test -p publica-registry --release -- --ignored --nocapture spatial_index_scales`.
#[test]
#[ignore]
fn spatial_index_scales_to_a_hundred_thousand_parcels() {
    let mut w = World::new();
    w.skip_snapshots = true;
    let alice = w.alice;
    let side = 317i64; // 317² = 100,489 parcels
    let size = 900; // about 100 m × 75 m near Tbilisi
    let start = Instant::now();
    for i in 0..side {
        for j in 0..side {
            w.register(&format!("L-{i}-{j}"), square(i * size, j * size, size), whole(alice)).unwrap();
        }
    }
    let fill = start.elapsed();
    let n = (side * side) as f64;
    println!(
        "registered {} parcels in {:.2?} ({:.1} µs each), {} state keys",
        side * side,
        fill,
        fill.as_micros() as f64 / n,
        w.state.len()
    );
    let start = Instant::now();
    let extra = 1_000;
    for k in 0..extra {
        // New parcels to the east, touching the block's edge, and refused ones inside the block.
        w.register(&format!("E-{k}"), square(side * size, k * size / 2, size / 2), whole(alice)).unwrap();
    }
    let per_new = start.elapsed() / extra as u32;
    let start = Instant::now();
    for k in 0..extra {
        let x = (k * 7919) % (side * size - size);
        assert!(w.register("R", square(x, (k * 104_729) % (side * size - size), size), whole(alice)).is_err());
    }
    let per_refused = start.elapsed() / extra as u32;
    let (_, reads) = publica_registry::geo::index::search(
        &w.state,
        &Polygon::from_geojson(&square(5 * size, 5 * size, size)).unwrap().bbox(),
        |_| true,
    )
    .unwrap();
    println!("with 10^5 parcels present: accepted registration {per_new:.2?}, refused overlapping one {per_refused:.2?}, index cells read per search {reads}");
    let _ = &mut w;
}

/// A rectangle of `w` × `h` at (`x`, `y`) whose top edge carries `extra` collinear vertices: a valid boundary
/// with many vertices, as costly to check as any.
fn dense_rect(x: i64, y: i64, w: i64, h: i64, extra: i64) -> String {
    let mut ring = vec![(X0 + x, Y0 + y), (X0 + x + w, Y0 + y), (X0 + x + w, Y0 + y + h)];
    let step = w / (extra + 1);
    assert!(step > 0);
    for j in 1..=extra {
        ring.push((X0 + x + w - j * step, Y0 + y + h));
    }
    ring.push((X0 + x, Y0 + y + h));
    ring.push((X0 + x, Y0 + y));
    polygon_json(&[ring])
}

/// A subdivision of `P-1` (a 8·9910 × 1000 rectangle) into 8 strips of 994 vertices each: valid, and more
/// geometry work than one transaction may use.
fn costly_subdivision(w: &mut World) -> ApplicationAction {
    let (width, strips) = (9_910, 8);
    w.register("P-1", rect(0, 0, width * strips, 1000), whole(w.alice)).unwrap();
    let children = (0..strips)
        .map(|i| NewParcel { parcel: rid(&format!("P-1-{i}")), geojson: dense_rect(i * width, 0, width, 1000, 990) })
        .collect();
    ApplicationAction::Subdivide { parcel: rid("P-1"), children }
}

#[test]
fn a_non_owner_is_refused_for_authority_before_any_geometry_work() {
    let mut w = World::new();
    let costly = costly_subdivision(&mut w);
    let deadline = w.time_ms + 3_600_000;
    let bob = w.bob;
    // Oversize work from a non-owner: the refusal is about authority, so no boundary was parsed or compared.
    w.refused(
        bob,
        RegistryCall::OpenApplication { action: costly, deadline_ms: deadline },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "may not open a subdivide application",
    );
    // Malformed boundaries from a non-owner: the same refusal, not a geometry error.
    let malformed = ApplicationAction::Subdivide {
        parcel: rid("P-1"),
        children: vec![
            NewParcel { parcel: rid("X-1"), geojson: "not json at all".into() },
            NewParcel { parcel: rid("X-2"), geojson: "{\"type\":\"Polygon\"}".into() },
        ],
    };
    w.refused(
        bob,
        RegistryCall::OpenApplication { action: malformed.clone(), deadline_ms: deadline },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "may not open",
    );
    let merge = ApplicationAction::Merge {
        parcels: vec![rid("P-1"), rid("P-1")],
        into: NewParcel { parcel: rid("M"), geojson: "[".into() },
    };
    w.refused(
        bob,
        RegistryCall::OpenApplication { action: merge, deadline_ms: deadline },
        error::MERGER_PARCEL_REPEATED,
        "appears twice",
    );
    // The owner gets the geometry error for the same malformed action.
    let alice = w.alice;
    w.refused(
        alice,
        RegistryCall::OpenApplication { action: malformed, deadline_ms: deadline },
        error::PARCEL_BOUNDARY_INVALID,
        "invalid parcel boundary",
    );
}

#[test]
fn geometry_work_per_transaction_is_bounded_with_a_clear_error() {
    let mut w = World::new();
    let costly = costly_subdivision(&mut w);
    let deadline = w.time_ms + 3_600_000;
    let alice = w.alice;
    let e = w.refused(
        alice,
        RegistryCall::OpenApplication { action: costly, deadline_ms: deadline },
        error::GEOMETRY_WORK_EXCEEDED,
        "units of geometry work",
    );
    assert!(e.message.contains("fewer vertices"), "{e}");
    // Two of the same strips are within the budget: the bound refuses only outsize transactions.
    let mut w = World::new();
    w.register("Q", rect(0, 0, 2 * 9_910, 1000), whole(w.alice)).unwrap();
    let children = (0..2)
        .map(|i| NewParcel { parcel: rid(&format!("Q-{i}")), geojson: dense_rect(i * 9_910, 0, 9_910, 1000, 990) })
        .collect();
    let app = w.open(alice, ApplicationAction::Subdivide { parcel: rid("Q"), children });
    w.approve(alice, app, Party::Account(alice)).unwrap();
    let registrar = w.registrar;
    w.approve(registrar, app, registrar_role()).unwrap();
    assert_eq!(query::parcel(&w.state, &rid("Q-1")).unwrap().parcel.value.vertices, 994);
}
