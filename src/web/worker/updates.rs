//! What the worker tells the page about a run: progress, loss history, reports, the
//! conclusion and the zero sets.

use super::{Run, with};
use crate::core::equations;
use crate::core::error::DeviceError;
use crate::core::picture::{Detail, Picture};
use crate::core::session::Session;
use crate::core::verdict::Verdict;
use crate::web::browser::now_ms;
use crate::web::protocol::Update;

/// Sends the loss history the page does not have yet.
pub(super) fn send_history(run: Run, session: &Session) {
    let history = session.history();
    let from = with(|w| {
        w.last_chart = now_ms();
        let from = w.history.len().min(history.len());
        w.history.truncate(from);
        w.history.extend_from_slice(&history[from..]);
        from
    });
    if from < history.len() {
        run.say(Update::History { from, points: history[from..].to_vec() });
    }
}

/// Sends a session's reports, dimension, zero sets and equations.
pub(super) async fn publish(run: Run, session: &Session) -> Result<(), DeviceError> {
    with(|w| w.reports = session.reports().to_vec());
    send_history(run, session);
    run.say(Update::Reports(session.reports().to_vec()));
    run.say(Update::Dimension(session.conclusion()));
    run.say(Update::Finished(session.is_finished()));
    redraw(run, session, false).await?;
    read_equations(run, session).await
}

/// Reads the kept relations as polynomials (`core::equations`) and sends them; the
/// relations file the page downloads takes the latest.
pub(super) async fn read_equations(run: Run, session: &Session) -> Result<(), DeviceError> {
    let Some(backend) = with(|w| w.backend.clone()) else { return Ok(()) };
    if session.kept().is_empty() {
        return Ok(());
    }
    let read_out = equations::read_out(session.kept(), session.dataset(), session.config().degree, &backend.device, &|| now_ms() / 1e3).await?;
    with(|w| w.equations = Some((run.id, read_out.clone())));
    run.say(Update::Equations(Box::new(read_out)));
    Ok(())
}

pub(super) fn finish(run: Run, session: &Session) {
    run.say(Update::Finished(true));
    run.say(Update::Progress(1.0));
    let conclusion = session.conclusion();
    let mut status = format!("Done: {} relation(s) kept, {}.", conclusion.kept, conclusion.describe());
    if let Some(r) = session.reports().last().filter(|r| r.verdict == Verdict::Diverged) {
        status += &format!(
            " g{} diverged (its loss became NaN or infinite) and was dropped; the earlier relations are kept. A lower learning rate may help: + Add relation tries again.",
            r.index + 1
        );
    }
    run.say(Update::Status(status));
}

/// Recomputes the zero sets (kept relations, plus the one in training if asked).
pub(super) async fn redraw(run: Run, session: &Session, with_current: bool) -> Result<(), DeviceError> {
    let Some(backend) = with(|w| w.backend.clone()) else { return Ok(()) };
    let mut relations = session.kept().to_vec();
    // A preview only when the last relation drawn is the one in training.
    let mut detail = Detail::Full;
    if with_current && let Some((_, _, net)) = session.current() {
        use burn::module::Module;
        relations.push(net.valid());
        detail = Detail::Preview;
    }
    let kept = session.kept().len();
    let known = with(|w| w.kept_zero_sets.take_if(|(id, sets)| *id == run.id && sets.len() <= kept)).map(|(_, sets)| sets).unwrap_or_default();
    let picture = Picture::compute_reusing(session.dataset(), &relations, &known, detail, session.config().seed, &backend.device).await?;
    with(|w| w.kept_zero_sets = Some((run.id, picture.zero_sets[..kept].to_vec())));
    run.say(Update::Picture(picture));
    Ok(())
}
