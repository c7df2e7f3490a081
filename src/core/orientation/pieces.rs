//! The data's pieces: how it falls apart once cut at its crossings, and which way each
//! piece's normals are turned so that the pieces' sides agree.

use super::patch_rows;
use crate::core::linalg::{dot, norm};
use crate::core::nearest::NearestIndex;
use crate::core::points::PointCloud;
use std::cmp::Reverse;

/// At most this many pieces are turned to agree with each other (see `sides_agree`):
/// 2^(PIECES − 1) turns are tried.
const PIECES: usize = 10;
/// Pieces are told apart along edges to this many times the patches' nearest neighbours.
const BRIDGE: usize = 3;

/// Turns the normals of `rows` over.
pub(super) fn turn(normals: &mut [Vec<f64>], rows: &[usize]) {
    rows.iter().for_each(|&r| normals[r].iter_mut().for_each(|v| *v = -*v));
}

/// How far the normals of `rows` point away from `centroid`, summed: Σ n·(p − centroid).
pub(super) fn lean(cloud: &PointCloud, normals: &[Vec<f64>], rows: &[usize], centroid: &[f64]) -> f64 {
    rows.iter()
        .map(|&r| {
            let away: Vec<f64> = cloud.row(r).iter().zip(centroid).map(|(&v, c)| v as f64 - c).collect();
            dot(&normals[r], &away)
        })
        .sum()
}

/// The data's pieces of at least a twentieth of its points, once the `crossing` points
/// are cut out: joined where BRIDGE·`k` nearest neighbours reach across, since `k`
/// nearest do not always reach across a gap in how a curve was sampled (the built-in
/// helix and twisted cubic at seed 1 came apart).
pub(super) fn data_pieces(cloud: &PointCloud, index: &NearestIndex, k: usize, crossing: &[bool]) -> usize {
    let len = cloud.len();
    let far = both_ways((0..len).map(|r| patch_rows(cloud, index, BRIDGE * k, r)).collect());
    pieces_of(&far, crossing).into_iter().filter(|p| 20 * p >= len).count()
}

/// Each row's neighbours, and the rows it is a neighbour of.
pub(super) fn both_ways(neighbours: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut edges = neighbours.clone();
    for (r, rows) in neighbours.iter().enumerate() {
        rows.iter().filter(|&&q| q != r).for_each(|&q| edges[q].push(r));
    }
    edges
}

/// The sizes of the connected pieces of the graph of `edges` without the `cut` points.
fn pieces_of(edges: &[Vec<usize>], cut: &[bool]) -> Vec<usize> {
    let mut seen = cut.to_vec();
    let mut sizes = Vec::new();
    for root in 0..edges.len() {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let (mut stack, mut size) = (vec![root], 0);
        while let Some(r) = stack.pop() {
            size += 1;
            for &q in &edges[r] {
                if !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            }
        }
        sizes.push(size);
    }
    sizes
}

/// Whether `count` pieces are turned to agree: two or more, and at most `PIECES`.
pub(super) fn turnable(count: usize) -> bool {
    (2..=PIECES).contains(&count)
}

/// How the pieces' sides agree as they stand: for pieces i and j, the pairs that say the
/// space between them is one side of both, minus those that say it is not.
pub struct Votes(Vec<Vec<i64>>);

impl Votes {
    pub fn new(pieces: usize) -> Self {
        Self(vec![vec![0; pieces]; pieces])
    }

    /// A pair of a point of piece `i` and one of piece `j` says whether they agree.
    pub fn cast(&mut self, i: usize, j: usize, agree: bool) {
        self.0[i][j] += if agree { 1 } else { -1 };
    }
}

/// Votes by chords through space. Pieces are turned so that the space between two of them
/// is one side of both: nested spheres each turned outwards ask for g > 0 just outside the
/// inner one and g < 0 just inside the outer one, so for a sheet between them that the
/// data never asked for (two spheres of radii 1 and 2: no relation kept, with the retry
/// from random weights too). Each point votes with the nearest point of every other piece,
/// where nothing of the data lies between them (no data point nearer to the midpoint than
/// they are): the two agree when each lies on the same side of the other, n_a·(b − a) and
/// n_b·(a − b) of one sign.
pub(super) fn chord_votes(cloud: &PointCloud, pieces: &[Vec<usize>], normals: &[Vec<f64>]) -> Votes {
    let count = pieces.len();
    let mut votes = Votes::new(count);
    if !turnable(count) {
        return votes;
    }
    let index = NearestIndex::new(cloud);
    let clouds: Vec<PointCloud> = pieces.iter().map(|rows| cloud.select(rows)).collect();
    let indices: Vec<NearestIndex> = clouds.iter().map(NearestIndex::new).collect();
    for (i, rows) in pieces.iter().enumerate() {
        for &a in rows {
            let pa: Vec<f64> = cloud.row(a).iter().map(|&v| v as f64).collect();
            for (j, other) in indices.iter().enumerate().filter(|&(j, _)| j != i) {
                let b = pieces[j][other.nearest_rows(&pa, 1)[0]];
                let pb: Vec<f64> = cloud.row(b).iter().map(|&v| v as f64).collect();
                let ab: Vec<f64> = pb.iter().zip(&pa).map(|(b, a)| b - a).collect();
                let middle: Vec<f64> = pa.iter().zip(&pb).map(|(a, b)| (a + b) / 2.0).collect();
                if index.distance(&middle) < 0.99 * norm(&ab) / 2.0 {
                    continue;
                }
                let (from_a, from_b) = (dot(&normals[a], &ab), -dot(&normals[b], &ab));
                votes.cast(i, j, from_a * from_b > 0.0);
            }
        }
    }
    votes
}

/// Turns the pieces as most `votes` agree, by trying all turns (a few pieces); beyond
/// `PIECES` pieces (data in crumbs, where a piece's side means little) none are. Then all
/// together, away from the data's centroid on the whole.
pub(super) fn turn_to_agree(cloud: &PointCloud, pieces: &[Vec<usize>], votes: &Votes, normals: &mut [Vec<f64>]) {
    let count = pieces.len();
    if turnable(count) {
        // The first piece keeps its turn (the overall sign is chosen below).
        let score = |turns: u32| -> i64 {
            let sign = |i: usize| if turns >> i & 1 == 1 { -1 } else { 1 };
            (0..count).flat_map(|i| (0..count).map(move |j| (i, j))).map(|(i, j)| votes.0[i][j] * sign(i) * sign(j)).sum()
        };
        let best = (0..1u32 << (count - 1)).map(|t| t << 1).max_by_key(|&t| (score(t), Reverse(t))).expect("one turn at least");
        for (_, rows) in pieces.iter().enumerate().filter(|&(i, _)| best >> i & 1 == 1) {
            turn(normals, rows);
        }
    }
    // The far field is the outside, where the warm start's sphere is positive (nested
    // spheres turned the other way kept a stray sheet 2-4 beyond the outer one, where g had
    // to turn positive again).
    let every: Vec<usize> = (0..normals.len()).collect();
    if lean(cloud, normals, &every, &cloud.centroid()) < 0.0 {
        turn(normals, &every);
    }
}
