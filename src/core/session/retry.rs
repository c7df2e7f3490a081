//! A warm start that led nowhere. The sphere warm start helps almost every fit (docs/
//! decisions.md, "A sphere warm start": init=plain lowers the median fidelity on 26 of 27
//! suite cases), but on a few sets whose sides are not an inside and an outside it leads
//! a fit where it cannot vanish: the figure-eight knot's g₁ at seed 3 and SO(3)'s sixth
//! relation at some seeds, with either algorithm, all kept from random weights. So a
//! relation whose warm-started fit does not vanish on the data is trained once more from
//! its random weights, the start init=plain gives it, before the run takes the rejection.

use super::{Job, Session};
use crate::core::config::{Init, Retry};
use crate::core::phase::Phase;
use crate::core::report::{Event, Retried};
use crate::core::verdict::{Test, Verdict};

impl Session {
    /// The job that trains `failed`'s relation again from random weights, if its verdict
    /// calls for one: a warm-started fit (not an imported relation's, not a retry) that
    /// failed the vanishing test. One that vanished but was rebuilt from the earlier
    /// relations, or lies in their span, has found what there is: a dependent relation.
    pub(super) fn retry_from_random_weights(&self, failed: &Job, verdict: &Verdict) -> Option<Job> {
        let Verdict::Dependent { test: Test::Vanishing, why } = verdict else { return None };
        let warm_started = self.config.init != Init::Plain && self.config.retry == Retry::Plain && failed.transfer.is_none() && failed.retried.is_none();
        warm_started.then(|| Job { retried: Some(Retried { steps: failed.steps, why: why.clone() }), ..self.fresh_job(Phase::Fit) })
    }

    /// Trains `failed`'s relation again from random weights if its verdict calls for one
    /// ([`Session::retry_from_random_weights`]): the event that says so, or None to take the verdict.
    pub(super) fn train_again(&mut self, failed: &Job, verdict: &Verdict) -> Option<Event> {
        let retry = self.retry_from_random_weights(failed, verdict)?;
        let event = Event::Progress { relation: self.reports.len(), phase: retry.phase, step: 0, of: self.length(&retry), loss: None };
        self.job = Some(retry);
        Some(event)
    }

    /// Whether the relation in training is being trained again from random weights.
    pub fn retrying(&self) -> bool {
        self.job.as_ref().is_some_and(|j| j.retried.is_some())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::super::steps::tests::{Kept, setup};
    use super::*;
    use crate::core::block_on;
    use crate::core::config::Config;
    use crate::core::dataset::Dataset;
    use burn::tensor::Device;

    fn failed(test: Test) -> Verdict {
        Verdict::Dependent { test, why: "what it measured".into() }
    }

    #[test]
    fn only_a_warm_started_fit_that_does_not_vanish_is_tried_again() {
        let (session, mut job) = setup(Config { samples: 256, hidden: vec![8], ..Config::default() }, Kept::Nothing, Phase::Fit, 0);
        job.steps = 650;
        let retry = session.retry_from_random_weights(&job, &failed(Test::Vanishing)).expect("a fit that does not vanish is tried again");
        assert_eq!((retry.phase, retry.step, retry.steps), (Phase::Fit, 0, 0), "from random weights, no warm start");
        assert_eq!(retry.retried, Some(Retried { steps: 650, why: "what it measured".into() }));
        for found in [failed(Test::Rank), failed(Test::Adversary), Verdict::Independent, Verdict::Diverged] {
            assert!(session.retry_from_random_weights(&job, &found).is_none(), "{found:?}: not tried again");
        }
        assert!(session.retry_from_random_weights(&retry, &failed(Test::Vanishing)).is_none(), "tried again once");
        let (plain, job) = setup(Config { samples: 256, hidden: vec![8], init: Init::Plain, ..Config::default() }, Kept::Nothing, Phase::Fit, 0);
        assert!(plain.retry_from_random_weights(&job, &failed(Test::Vanishing)).is_none(), "init=plain started from random weights already");
        let (off, job) = setup(Config { samples: 256, hidden: vec![8], retry: Retry::Off, ..Config::default() }, Kept::Nothing, Phase::Fit, 0);
        assert!(off.retry_from_random_weights(&job, &failed(Test::Vanishing)).is_none(), "retry=off");
    }

    /// 30 steps cannot make a relation vanish from either start: the run trains it twice,
    /// ends on the second verdict and says what the first was.
    #[test]
    fn a_run_trains_a_relation_again_and_reports_both_attempts() {
        let config = Config { samples: 256, hidden: vec![8], steps: 30, max_relations: Some(1), ..Config::default() };
        let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &Device::flex());
        let mut retried_phases = Vec::new();
        block_on(session.run(10, |s, _| {
            if s.retrying() {
                retried_phases.extend(s.current().map(|c| c.1));
            }
        }))
        .expect("runs");
        let [report] = session.reports() else { panic!("one report: {:?}", session.reports().len()) };
        assert!(matches!(report.verdict, Verdict::Dependent { test: Test::Vanishing, .. }), "{:?}", report.verdict);
        let first = report.retried.as_ref().expect("the warm-started fit is reported");
        assert!(first.why.contains("does not vanish"), "{}", first.why);
        assert_eq!((first.steps, report.steps), (3 + 30, 30), "the warm start and fit, then the fit from random weights");
        assert!(!retried_phases.is_empty() && retried_phases.iter().all(|&p| p == Phase::Fit), "{retried_phases:?}");
        assert!(report.how_trained().contains("trained again from random weights"), "{}", report.how_trained());
        assert!(session.is_finished() && session.kept().is_empty());
    }
}
