//! The schedule: every `mail.schedule.interval_seconds` it writes the emails whose time has
//! come (reviewers' daily digests, reminders before a phase closes, the weekly attainment
//! digest). Each is keyed by kind, period and recipient in `mail_outbox`, so that restarts and
//! several instances write it once.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::service::mail;

/// Emails written by one look at the schedule.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub review_digests: usize,
    pub phase_reminders: usize,
    pub attainment_digests: usize,
}

/// Writes whatever is due now.
#[tracing::instrument(skip_all)]
pub async fn run_once(db: &Db, settings: &Settings) -> Result<Written, AppError> {
    let now = db::now();
    let s = &settings.mail.schedule;
    Ok(Written {
        review_digests: mail::review_digests(db, now, s.digest_hour).await?,
        phase_reminders: mail::phase_reminders(db, now).await?,
        attainment_digests: mail::attainment_digests(db, now, s.weekly_day, s.digest_hour).await?,
    })
}

/// Looks at the schedule now and then every interval, until aborted. A digest's period that
/// this instance has completed is not looked at again (the keys would skip it anyway; this
/// spares reading every pending review each interval).
pub async fn run(db: Db, settings: Arc<Settings>) {
    let s = &settings.mail.schedule;
    let every = Duration::from_secs(s.interval_seconds.max(1));
    let mut done_day = None;
    let mut done_week = None;
    loop {
        let now = db::now();
        let (day, week) = mail::periods(now);
        let mut w = Written::default();
        if done_day != Some(day) && mail::daily_due(now, s.digest_hour) {
            match mail::review_digests(&db, now, s.digest_hour).await {
                Ok(n) => {
                    w.review_digests = n;
                    done_day = Some(day);
                }
                Err(e) => tracing::warn!(error = %e, "review digests failed"),
            }
        }
        match mail::phase_reminders(&db, now).await {
            Ok(n) => w.phase_reminders = n,
            Err(e) => tracing::warn!(error = %e, "phase reminders failed"),
        }
        if done_week != Some(week) && mail::weekly_due(now, s.weekly_day, s.digest_hour) {
            match mail::attainment_digests(&db, now, s.weekly_day, s.digest_hour).await {
                Ok(n) => {
                    w.attainment_digests = n;
                    done_week = Some(week);
                }
                Err(e) => tracing::warn!(error = %e, "attainment digests failed"),
            }
        }
        if w != Written::default() {
            tracing::info!(?w, "scheduled emails written");
        }
        tokio::time::sleep(every).await;
    }
}
