//! The geometry work one transaction may cause, counted before the work is done.
//!
//! Exact predicates on polygons cost time quadratic in their vertices: checking that a ring is simple compares
//! every pair of its edges, and deciding whether two polygons overlap (or one lies within the other) compares
//! every edge of one with every edge of the other, then locates the midpoint of every piece of every edge cut at
//! the other's vertices. A transaction that carries 32 children of 1,000 vertices, or a boundary whose box meets
//! hundreds of neighbours, could otherwise ask every validator for seconds of work, and a refused transaction
//! costs its sender nothing. So every transaction gets a [`Budget`] of [`MAX_GEOMETRY_WORK`] units, and each
//! step is charged an upper bound of its cost BEFORE it runs:
//!
//! | step | units charged |
//! |---|---|
//! | validating a boundary of `v` vertices (simple rings, rings apart, holes inside) | `v²` |
//! | one pairwise test (overlap, containment) of polygons of `a` and `b` vertices | `(a + b)²` |
//!
//! (A pairwise test's edge comparisons are `a·b`, but cutting the edges of one at the vertices of the other can
//! make `a + b` pieces each located against up to `a + b` edges, hence the square of the sum.) Boxes that do not
//! meet are ruled out without charge: that is linear work. When a charge would exceed what is left the
//! transaction is refused, before the step runs, with an error saying what to simplify; nothing is written.
//!
//! The budget is generous for real parcels: registering a boundary of 1,000 vertices next to seven neighbours of
//! 1,000 vertices costs 29 million units, a subdivision of a 1,000-vertex parcel into two halves of 500 about
//! 6 million. At about a nanosecond per unit on a current core, no transaction costs a validator more than a few
//! tens of milliseconds of geometry.

use super::polygon::Polygon;
use crate::RegistryError;

/// Geometry work allowed per transaction, in units of the table above.
pub const MAX_GEOMETRY_WORK: u64 = 32_000_000;

/// What is left of one transaction's geometry budget.
#[derive(Debug)]
pub struct Budget {
    left: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self::per_transaction()
    }
}

impl Budget {
    /// A fresh budget of [`MAX_GEOMETRY_WORK`].
    pub fn per_transaction() -> Self {
        Self { left: MAX_GEOMETRY_WORK }
    }

    /// Units still available.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// Charge `units` for `what`, or refuse if they are not left (then nothing is charged).
    pub fn charge(&mut self, units: u64, what: impl FnOnce() -> String) -> Result<(), RegistryError> {
        match self.left.checked_sub(units) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(RegistryError::GeometryWork(format!(
                "{} would need {units} units of geometry work but only {} of the {MAX_GEOMETRY_WORK} a transaction \
                 may use are left; use boundaries with fewer vertices, or fewer parcels in one transaction",
                what(),
                self.left
            ))),
        }
    }

    /// Charge the validation of a boundary of `vertices` vertices.
    pub fn charge_validation(&mut self, vertices: usize, what: impl FnOnce() -> String) -> Result<(), RegistryError> {
        let v = vertices as u64;
        self.charge(v.saturating_mul(v), what)
    }

    /// Charge one pairwise test of `a` against `b` (none if their boxes do not meet, which the test itself finds
    /// in linear time).
    pub fn charge_pair(
        &mut self,
        a: &Polygon,
        b: &Polygon,
        what: impl FnOnce() -> String,
    ) -> Result<(), RegistryError> {
        if !a.bbox().intersects(&b.bbox()) {
            return Ok(());
        }
        let n = (a.vertex_count() + b.vertex_count()) as u64;
        self.charge(n.saturating_mul(n), what)
    }
}
