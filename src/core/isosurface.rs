//! Zero sets from a grid: the relation is evaluated on the backend at every node of a
//! regular grid over the view, in one batch, and the zero set is read off the sign
//! changes: contour segments in 2D (marching squares), surface points in 3D (the vertices
//! marching cubes would use: one linear-interpolated crossing per grid edge).

use super::relation::{Relation, read_vec};
use crate::core::error::DeviceError;
use burn::tensor::{Device, Tensor, TensorData};

/// Grid nodes per axis: 2D and 3D. 161² and 41³ are about 26k and 69k evaluations.
pub const NODES_2D: usize = 161;
pub const NODES_3D: usize = 41;
/// A 3D preview's (a relation still in training): 29³, about 24k evaluations.
pub const PREVIEW_NODES_3D: usize = 29;

/// Coordinate of node `i` (of `n`) along an axis spanning `(lo, hi)`.
fn node_coordinate((lo, hi): (f32, f32), i: usize, n: usize) -> f32 {
    lo + (hi - lo) * i as f32 / (n - 1) as f32
}

/// g at every node of an `n`^d grid over `bounds` (the first axis varies slowest).
async fn grid_values(rel: &Relation, bounds: &[(f32, f32)], n: usize, device: &Device) -> Result<Vec<f32>, DeviceError> {
    let d = bounds.len();
    let total = n.pow(d as u32);
    let mut coords = Vec::with_capacity(total * d);
    for flat in 0..total {
        let mut rest = flat;
        let mut node = vec![0usize; d];
        for axis in (0..d).rev() {
            node[axis] = rest % n;
            rest /= n;
        }
        coords.extend(node.iter().zip(bounds).map(|(&i, &axis)| node_coordinate(axis, i, n)));
    }
    let x = Tensor::<2>::from_data(TensorData::new(coords, [total, d]), device);
    read_vec(rel.value(x)).await
}

/// Where g crosses zero between nodes a and b (values ga, gb), if it does.
fn crossing(a: f32, b: f32, ga: f32, gb: f32) -> Option<f32> {
    if !(ga.is_finite() && gb.is_finite()) || (ga > 0.0) == (gb > 0.0) {
        return None;
    }
    let t = ga / (ga - gb);
    Some(a + t * (b - a))
}

/// g at the NODES_2D² nodes of a 2D view (the first axis varies slowest).
pub async fn grid_2d(rel: &Relation, bounds: &[(f32, f32)], device: &Device) -> Result<Vec<f32>, DeviceError> {
    grid_values(rel, &bounds[..2], NODES_2D, device).await
}

/// Segments of {g = 0} in a 2D view, by marching squares.
pub async fn contour_2d(rel: &Relation, bounds: &[(f32, f32)], device: &Device) -> Result<Vec<[[f32; 2]; 2]>, DeviceError> {
    Ok(contour_of_grid(&grid_2d(rel, bounds, device).await?, bounds))
}

/// Segments of {g = 0} from g on the grid of `grid_2d`.
pub fn contour_of_grid(g: &[f32], bounds: &[(f32, f32)]) -> Vec<[[f32; 2]; 2]> {
    let n = NODES_2D;
    let at = |axis: usize, i: usize| node_coordinate(bounds[axis], i, n);
    let value = |i: usize, j: usize| g[i * n + j];
    let mut segments = Vec::new();
    for i in 0..n - 1 {
        for j in 0..n - 1 {
            let (x0, x1, y0, y1) = (at(0, i), at(0, i + 1), at(1, j), at(1, j + 1));
            let (g00, g10, g01, g11) = (value(i, j), value(i + 1, j), value(i, j + 1), value(i + 1, j + 1));
            // Crossings on the cell's edges, going round: bottom, right, top, left.
            let points: Vec<[f32; 2]> = [
                crossing(x0, x1, g00, g10).map(|x| [x, y0]),
                crossing(y0, y1, g10, g11).map(|y| [x1, y]),
                crossing(x0, x1, g01, g11).map(|x| [x, y1]),
                crossing(y0, y1, g00, g01).map(|y| [x0, y]),
            ]
            .into_iter()
            .flatten()
            .collect();
            match points.len() {
                2 => segments.push([points[0], points[1]]),
                // A saddle: pair the crossings the way the cell's centre value separates them.
                4 if (g00 + g10 + g01 + g11 > 0.0) == (g00 > 0.0) => {
                    segments.push([points[0], points[1]]);
                    segments.push([points[2], points[3]]);
                }
                4 => {
                    segments.push([points[0], points[3]]);
                    segments.push([points[1], points[2]]);
                }
                _ => {}
            }
        }
    }
    segments
}

/// Points of {g = 0} in a 3D view, from an `n`³ grid: one per grid edge that g changes
/// sign along.
pub async fn surface_3d(rel: &Relation, bounds: &[(f32, f32)], n: usize, device: &Device) -> Result<Vec<[f32; 3]>, DeviceError> {
    let g = grid_values(rel, &bounds[..3], n, device).await?;
    let at = |axis: usize, i: usize| node_coordinate(bounds[axis], i, n);
    let index = |i: usize, j: usize, k: usize| (i * n + j) * n + k;
    let mut points = Vec::new();
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                let here = g[index(i, j, k)];
                let node = [at(0, i), at(1, j), at(2, k)];
                let ahead = [(i + 1 < n).then(|| index(i + 1, j, k)), (j + 1 < n).then(|| index(i, j + 1, k)), (k + 1 < n).then(|| index(i, j, k + 1))];
                for (axis, next) in ahead.into_iter().enumerate() {
                    let Some(next) = next else { continue };
                    let step = [i, j, k][axis] + 1;
                    if let Some(c) = crossing(node[axis], at(axis, step), here, g[next]) {
                        let mut p = node;
                        p[axis] = c;
                        points.push(p);
                    }
                }
            }
        }
    }
    Ok(points)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::block_on;
    use crate::core::relation::{Activation, LayerWeights};

    fn linear(weight: Vec<f32>, bias: f32) -> Relation {
        let layer = LayerWeights { inputs: weight.len(), outputs: 1, weight, bias: vec![bias] };
        Relation::from_weights(&[layer], Activation::Tanh, &Device::flex())
    }

    #[test]
    fn contour_of_a_line_is_that_line_across_the_view() {
        // g(x, y) = x + y − 0.5: the line y = 0.5 − x.
        let segments = block_on(contour_2d(&linear(vec![1.0, 1.0], -0.5), &[(-1.0, 1.0), (-1.0, 1.0)], &Device::flex())).unwrap();
        assert!(segments.len() > NODES_2D, "one or two segments per cell the line crosses: {}", segments.len());
        for p in segments.iter().flatten() {
            assert!((p[0] + p[1] - 0.5).abs() < 1e-5, "{p:?} is on the line");
        }
        let xs: Vec<f32> = segments.iter().flatten().map(|p| p[0]).collect();
        let (lo, hi) = xs.iter().fold((f32::MAX, f32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
        assert!(lo < -0.45 && hi > 0.99, "it spans the view: x from {lo} to {hi}");
    }

    #[test]
    fn surface_of_a_plane_is_that_plane_and_nothing_else() {
        // g(x, y, z) = z − 0.2 and g = 1 (no zero set).
        let view = [(-1.0, 1.0), (-2.0, 2.0), (-1.0, 1.0)];
        let points = block_on(surface_3d(&linear(vec![0.0, 0.0, 1.0], -0.2), &view, NODES_3D, &Device::flex())).unwrap();
        assert_eq!(points.len(), NODES_3D * NODES_3D, "one crossing per vertical grid line");
        assert!(points.iter().all(|p| (p[2] - 0.2).abs() < 1e-5));
        assert!(points.iter().any(|p| p[1] < -1.9) && points.iter().any(|p| p[1] > 1.9));
        assert!(block_on(surface_3d(&linear(vec![0.0, 0.0, 0.0], 1.0), &view, NODES_3D, &Device::flex())).unwrap().is_empty());
    }
}
