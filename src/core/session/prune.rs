//! Pruning stray pieces (prune=strays): once the run has its last relation, the joint zero
//! set can still hold pieces far from every data point, which the data never asked for. The
//! negatives cannot rule them out: they are points drawn once, uniformly in the data's
//! grown box, and in R⁶ a 2-D stray piece passes between them (the two-link arm under
//! syzygy at seed 1: 32 of 600 projected points, 1.7-5.3 from the nearest sample). So box
//! points are projected onto the joint zero set, as the fidelity metric does (with points
//! of their own); the landings far from the data that cannot walk home along the zero set
//! (a continuation past the data can) become negatives of the last kept relation, which
//! trains on against them. The pruned relation replaces it only if the keep tests still
//! keep it and at most half as many landings stray; else it is put back as it was.
//!
//! Only at the end: before the last relation, the joint zero set is bigger than the
//! manifold by right (the ellipse's g₁ is a whole surface), and far landings are no fault.
//! A lone relation is pruned too: the off-manifold negatives start at the second relation,
//! so nothing else holds a hypersurface's stray sheets off (nested spheres: 71 of 600
//! projected points landed on sheets 6-12 from the data, outside its box).

use super::{Job, Session};
use crate::core::config::Pruning;
use crate::core::error::DeviceError;
use crate::core::loss::{MARGIN_CAP, TrainingSet};
use crate::core::metrics::{self, FIDELITY_POINTS, GaussNewton, Projection};
use crate::core::nearest::NearestIndex;
use crate::core::phase::Phase;
use crate::core::points::PointCloud;
use crate::core::relation::Relation;
use crate::core::report::{Event, Pruned};
use crate::core::rng::Rng;
use crate::core::verdict::{self, Verdict};
use burn::module::Module;

/// At most this many rounds of finding stray landings and training against them.
const ROUNDS: usize = 2;
/// Stray landings below this share of the projected points are left alone.
const STRAY_SHARE_MIN: f64 = 0.02;
/// A round pays when it leaves at most this share of the stray landings it started with.
const PAYS_BELOW: f64 = 0.5;
/// A landing strays when it is farther from the training data than this many times the
/// farthest held-out data point is (the data's own spacing), and than the distance at
/// which the negatives' margin is capped (`MARGIN_CAP` data scales).
const SPACINGS: f64 = 2.0;
/// Each stray landing becomes this many negatives, jittered by JITTER data scales / √N,
/// so that its neighbourhood, not one point, is pushed off the zero set.
const COPIES: usize = 8;
const JITTER: f64 = 0.05;
/// A walk home (see `walk_home`): steps of WALK_STEP data scales, each followed by
/// WALK_PROJECTION Gauss-Newton steps back onto the zero set, at most WALK_STEPS of them;
/// a step that gains less than WALK_GAIN of its length toward the data strands the point.
const WALK_STEP: f64 = 0.1;
const WALK_PROJECTION: usize = 5;
const WALK_STEPS: usize = 40;
const WALK_GAIN: f64 = 0.1;

/// A pruning in progress: which report's relation is trained, the round, how many points
/// were stranded when pruning began and are with the relation as it stands, and that
/// relation (put back if a round does not pay).
pub(super) struct StrayPruning {
    pub(super) report: usize,
    round: usize,
    found: usize,
    stranded: usize,
    standing: Relation,
    /// The negatives a round trains against: jittered copies of the stray landings, with
    /// their distances to the data.
    pub(super) strays: TrainingSet,
    steps: usize,
}

impl StrayPruning {
    /// The first round of pruning report `report`'s relation (`standing`, taken out of the
    /// kept ones) against `strays`, made from `stranded` stray landings.
    pub(super) fn new(report: usize, standing: Relation, strays: TrainingSet, stranded: usize) -> Self {
        Self { report, round: 0, found: stranded, stranded, standing, strays, steps: 0 }
    }
}

/// Whether this many stray landings (of FIDELITY_POINTS) are worth a round.
fn worth_a_round(stranded: usize) -> bool {
    stranded as f64 >= STRAY_SHARE_MIN * FIDELITY_POINTS as f64
}

impl Session {
    /// At the end of a run: starts pruning its last kept relation where stray landings are
    /// worth it (the run then goes on).
    pub(super) async fn begin_pruning(&mut self) -> Result<(), DeviceError> {
        // The last kept relation, if it was trained here (an imported one stays as it came).
        let Some(report) = self.reports.iter().rposition(|r| r.verdict.is_kept()).filter(|&r| self.reports[r].verdict == Verdict::Independent) else {
            return Ok(());
        };
        // With the negatives off (neg=0) the hinge has no weight, and a round could not
        // change anything.
        let pruned = match self.config.pruning {
            Pruning::Strays => true,
            Pruning::Several => self.kept.len() >= 2,
            Pruning::Off => false,
        };
        if !pruned || self.config.negatives <= 0.0 {
            return Ok(());
        }
        let landings = self.stray_landings().await?;
        if !worth_a_round(landings.len()) {
            return Ok(());
        }
        let standing = self.kept.pop().expect("the last kept relation");
        self.refresh_frozen();
        self.pruning = Some(StrayPruning::new(report, standing, self.strays(&landings), landings.len()));
        self.job = Some(self.pruning_job(report));
        self.finished = false;
        Ok(())
    }

    /// A job that trains report `report`'s relation on, from its weights (host copies).
    fn pruning_job(&mut self, report: usize) -> Job {
        let mut job = self.new_job();
        job.net = Relation::from_weights(&self.reports[report].weights, self.config.activation, &self.device);
        job.optim = crate::core::phase::optimiser();
        job.phase = Phase::Prune;
        job
    }

    /// A round's training is over. The pruned relation replaces the standing one if the
    /// keep tests still keep it and at most PAYS_BELOW as many points are stranded; then
    /// another round where it paid and enough still are, else the run ends.
    pub(super) async fn end_pruning_round(&mut self, job: Job) -> Result<Event, DeviceError> {
        let mut pruning = self.pruning.take().expect("a pruning round");
        let report = pruning.report;
        pruning.steps += job.step;
        let net = job.net.valid();
        let metrics = self.measure(&net).await?;
        let still_kept = verdict::verdict(&metrics, None, &self.earlier(), false) == Verdict::Independent;
        self.kept.push(net.clone());
        self.refresh_frozen();
        let landings = if still_kept { Some(self.stray_landings().await?) } else { None };
        let paid = landings.filter(|l| l.len() as f64 <= PAYS_BELOW * pruning.stranded as f64);
        if let Some(landings) = &paid {
            let fidelity = metrics::intersection_fidelity(&self.kept, &self.dataset, self.config.seed, &self.device.clone().inner()).await?;
            let r = &mut self.reports[report];
            r.weights = net.weights().await?;
            r.metrics = metrics;
            r.fidelity = fidelity;
            pruning.stranded = landings.len();
            pruning.standing = net;
        } else {
            self.kept.pop();
            self.kept.push(pruning.standing.clone());
            self.refresh_frozen();
        }
        let r = &mut self.reports[report];
        r.steps += job.step;
        r.pruned = Some(Pruned { steps: pruning.steps, strays: pruning.found, left: pruning.stranded });
        match paid {
            Some(landings) if pruning.round + 1 < ROUNDS && worth_a_round(landings.len()) => {
                self.kept.pop();
                self.refresh_frozen();
                pruning.round += 1;
                pruning.strays = self.strays(&landings);
                self.job = Some(self.pruning_job(report));
                self.pruning = Some(pruning);
            }
            _ => self.finished = true,
        }
        Ok(Event::RelationFinished { relation: report })
    }

    /// Puts a relation in pruning back as it was (the run was stopped).
    pub(super) fn abandon_pruning(&mut self) {
        if let Some(p) = self.pruning.take() {
            self.kept.push(p.standing);
            self.refresh_frozen();
        }
    }

    /// Box points projected onto the kept relations' joint zero set that land far from
    /// the data, on pieces of it that do not lead back to the data (see [`Session::walk_home`]).
    /// Its own projection seed: the fidelity metric's points are not trained on.
    async fn stray_landings(&self) -> Result<Vec<Vec<f64>>, DeviceError> {
        let how = Projection { seed: Rng::new(self.config.seed).fork(31).next_u64(), ..Projection::evaluation(self.config.seed) };
        let (points, _) = metrics::intersection_points(&self.kept, &self.dataset, how, &self.device.clone().inner()).await?;
        let index = NearestIndex::new(&self.dataset.train);
        let spacing = self.dataset.test.rows_f64().map(|p| index.distance(&p)).fold(0.0, f64::max);
        let far = (SPACINGS * spacing).max(MARGIN_CAP * self.dataset.scale());
        let far_off: Vec<Vec<f64>> = points.into_iter().filter(|p| index.distance(p) > far).collect();
        self.walk_home(far_off, far, &index).await
    }

    /// Of points on the joint zero set, those that cannot walk home along it: each takes
    /// a step of WALK_STEP data scales toward its nearest data point, then is projected
    /// back onto the set, over and over. On a continuation of the manifold past the data
    /// (an open set's relations run on past the sampled piece, where the data cannot say
    /// they are wrong) a point comes home, to within `far` of the data; on a stray piece
    /// the projection holds it at the piece's nearest approach, and it stops gaining.
    async fn walk_home(&self, points: Vec<Vec<f64>>, far: f64, index: &NearestIndex<'_>) -> Result<Vec<Vec<f64>>, DeviceError> {
        let (dim, scale) = (self.dataset.dim(), self.dataset.scale());
        let step = WALK_STEP * scale;
        let mut walking: Vec<(usize, Vec<f64>, f64)> = points.iter().enumerate().map(|(i, p)| (i, p.clone(), index.distance(p))).collect();
        let mut stranded = Vec::new();
        for _ in 0..WALK_STEPS {
            if walking.is_empty() {
                break;
            }
            let stepped: Vec<Vec<f64>> = walking
                .iter()
                .map(|(_, p, d)| {
                    let home = self.dataset.train.row(index.nearest_rows(p, 1)[0]);
                    let t = step.min(*d) / d.max(1e-12);
                    p.iter().zip(home).map(|(&x, &h)| x + t * (h as f64 - x)).collect()
                })
                .collect();
            let mut projection = GaussNewton::from(&stepped, dim, scale);
            metrics::project(&self.kept, &mut projection, WALK_PROJECTION, &self.device.clone().inner()).await?;
            let mut next = Vec::new();
            for ((i, _, before), (p, on)) in walking.into_iter().zip(projection.points()) {
                let d = index.distance(p);
                if !on || d > before - WALK_GAIN * step {
                    stranded.push(points[i].clone());
                } else if d > far {
                    next.push((i, p.to_vec(), d));
                }
            }
            walking = next;
        }
        Ok(stranded)
    }

    /// The negatives of a round: COPIES jittered copies of each stray landing.
    pub(super) fn strays(&self, landings: &[Vec<f64>]) -> TrainingSet {
        let dim = self.dataset.dim();
        let sigma = JITTER * self.dataset.scale() / (dim as f64).sqrt();
        let mut rng = Rng::new(self.config.seed).fork(32);
        let values: Vec<f32> = landings
            .iter()
            .flat_map(|p| (0..COPIES).flat_map(|_| p.iter().map(|&v| (v + sigma * rng.normal()) as f32).collect::<Vec<_>>()).collect::<Vec<_>>())
            .collect();
        let host = PointCloud::new(dim, values).expect("finite landings");
        let index = NearestIndex::new(&self.dataset.train);
        let distances: Vec<f32> = host.rows_f64().map(|p| index.distance(&p) as f32).collect();
        TrainingSet::new(host, Some(distances), &self.device).frozen_with(&self.kept)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::config::Config;
    use crate::core::dataset::Dataset;
    use crate::core::relation::NetSpec;
    use burn::tensor::Device;

    /// While its last relation is pruned a run counts it as kept, and stopping the run then
    /// keeps that relation as it was.
    #[test]
    fn a_stop_while_pruning_puts_the_relation_back() {
        let config = Config { samples: 256, hidden: vec![8], ..Config::default() };
        let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &Device::flex());
        let spec = NetSpec { input: 3, hidden: vec![8], activation: config.activation };
        for seed in [1, 2] {
            session.keep(Relation::init(&spec, &mut Rng::new(seed), &Device::flex()));
        }
        let landings: Vec<Vec<f64>> = session.dataset.off_train.far().rows_f64().take(10).collect();
        let before = session.kept.pop().expect("two kept");
        session.refresh_frozen();
        let strays = session.strays(&landings);
        session.pruning = Some(StrayPruning::new(1, before, strays, landings.len()));
        assert_eq!(session.conclusion().kept, 2, "the relation in pruning counts as kept");
        session.stop();
        assert_eq!(session.kept().len(), 2, "the relation in pruning is kept as it was");
        assert!(session.pruning.is_none() && session.is_finished());
    }
}
