//! Which way the data's pieces' sides agree within the kept relations' zero set, found by
//! walking along that set from piece to piece. A chord through space (`orientation`'s
//! vote for a first relation) need not follow the zero set: O(2) under transversality at
//! seed 3 kept g₁, g₂ whose joint zero set twists between the two circles, the chords
//! voted decisively for the turn it does not allow (299 and 265 pairs to none), and g₃
//! had to cross zero again halfway between them (288 of 600 projected points stranded
//! there; 48.6% of the intersection on O(2)); the other turn gives 100%.
//!
//! From points of each piece, walkers set off along the normal both ways, each step
//! along the zero set's tangent space, as straight on as it allows, and projected back
//! onto it. One that comes within `ARRIVAL` steps of another piece votes: the space it
//! crossed is one side of both where it left along +n and meets the other's normal head
//! on (or left along −n and meets it from behind).

use super::Session;
use crate::core::error::DeviceError;
use crate::core::linalg::{dot, norm, reject};
use crate::core::metrics::{self, GaussNewton};
use crate::core::nearest::NearestIndex;
use crate::core::orientation::{Oriented, Votes};
use crate::core::points::PointCloud;
use crate::core::relation::gradients_at;

/// Walkers set off from this many points of each piece, each both ways.
const WALKERS: usize = 32;
/// A step is this share of the data's scale.
const STEP: f64 = 0.04;
/// At most this many steps: 4.8 data scales, further than the data's box.
const STEPS: usize = 120;
/// Gauss-Newton steps back onto the zero set after each step along it.
const PROJECTION: usize = 3;
/// A walker arrives within this many steps of a data point.
const ARRIVAL: f64 = 2.0;
/// The walks decide where at least this share of the walkers arrived at another piece.
/// Fewer say too little: Viviani's curve at seed 3 (two pieces, cut at its crossing), 2
/// of 128, the rest came home or were still walking along the open zero set.
const ENOUGH: f64 = 0.25;

struct Walker {
    piece: usize,
    /// +1 along the normal it set off from, −1 against it.
    sign: f64,
    at: Vec<f64>,
    heading: Vec<f64>,
    /// Whether it has been farther than `ARRIVAL` steps from its own piece.
    left: bool,
}

impl Session {
    /// The votes of walkers along the kept relations' joint zero set between the pieces of
    /// `oriented` (rows of `cloud`, working coordinates); None where too few arrived, or
    /// where the pieces are too many to be turned (no votes are asked for then).
    pub(super) async fn walked_votes(&self, cloud: &PointCloud, oriented: &Oriented) -> Result<Option<Votes>, DeviceError> {
        if !oriented.turnable() {
            return Ok(None);
        }
        let device = self.device.clone().inner();
        let (dim, scale) = (cloud.dim(), self.dataset.scale());
        let (step, arrival) = (STEP * scale, ARRIVAL * STEP * scale);
        let piece_of = oriented.piece_of_rows();
        let index = NearestIndex::new(cloud);
        let mut votes = Votes::new(oriented.pieces.len());
        let mut walkers: Vec<Walker> = Vec::new();
        for (piece, rows) in oriented.pieces.iter().enumerate() {
            for &r in rows.iter().step_by(rows.len().div_ceil(WALKERS).max(1)) {
                let normal = &oriented.normals[r];
                for sign in [1.0, -1.0] {
                    let heading: Vec<f64> = normal.iter().map(|v| sign * v).collect();
                    let at = cloud.row(r).iter().zip(&heading).map(|(&x, h)| x as f64 + step * h).collect();
                    walkers.push(Walker { piece, sign, at, heading, left: false });
                }
            }
        }
        let (set_off, mut arrived) = (walkers.len(), 0);
        for _ in 0..STEPS {
            if walkers.is_empty() {
                break;
            }
            let starts: Vec<Vec<f64>> = walkers.iter().map(|w| w.at.clone()).collect();
            let mut projection = GaussNewton::from(&starts, dim, scale);
            metrics::project(&self.kept, &mut projection, PROJECTION, &device).await?;
            let landed: Vec<(Vec<f64>, bool)> = projection.points().map(|(p, on)| (p.to_vec(), on)).collect();
            let values: Vec<f32> = landed.iter().flat_map(|(p, _)| p.iter().map(|&v| v as f32)).collect();
            let Ok(points) = PointCloud::new(dim, values) else { break };
            let gradients = gradients_at(&self.kept, &points, &device).await?;
            let mut next = Vec::new();
            for ((mut walker, (p, on)), kept_gradients) in walkers.into_iter().zip(landed).zip(gradients) {
                if !on {
                    continue;
                }
                let Some((nearest, distance)) = index.nearest(&p) else { continue };
                match piece_of[nearest] {
                    Some(other) if other != walker.piece && distance <= arrival => {
                        // Head on: the other piece's normal points back the way it came.
                        let head_on = dot(&oriented.normals[nearest], &walker.heading) < 0.0;
                        votes.cast(walker.piece, other, head_on == (walker.sign > 0.0));
                        arrived += 1;
                        continue;
                    }
                    Some(own) if own == walker.piece && walker.left && distance <= arrival => continue,
                    _ => {}
                }
                walker.left |= distance > arrival;
                // On along the zero set: the heading less its parts along the kept gradients.
                let mut basis: Vec<Vec<f64>> = Vec::new();
                for mut g in kept_gradients {
                    reject(&mut g, &basis);
                    let length = norm(&g);
                    if length > 0.0 {
                        basis.push(g.iter().map(|v| v / length).collect());
                    }
                }
                let mut heading = walker.heading.clone();
                reject(&mut heading, &basis);
                // Where the zero set leaves little of the heading, the walk would turn
                // sharply (or the relations are not transverse): it stops there.
                let length = norm(&heading);
                if length.is_nan() || length <= 0.1 {
                    continue;
                }
                walker.heading = heading.iter().map(|v| v / length).collect();
                walker.at = p.iter().zip(&walker.heading).map(|(x, h)| x + step * h).collect();
                next.push(walker);
            }
            walkers = next;
        }
        Ok((arrived as f64 >= ENOUGH * set_off as f64).then_some(votes))
    }
}
