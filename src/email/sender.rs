//! The background sender: claims due emails from `mail_outbox`, composes and delivers each,
//! and marks it sent, due again after an exponential back-off, or failed.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use lettre::message::Mailbox;
use rand::Rng;

use super::letters::{Context, Notice, compose};
use super::transport::{DeliveryError, Mailer, message};
use crate::auth::TokenKeys;
use crate::config::Settings;
use crate::db::mail::{self, MailRow};
use crate::db::{self, Db};
use crate::error::AppError;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Claimed.
    pub claimed: usize,
    /// Delivered and marked sent.
    pub sent: usize,
    /// Put back for a later attempt.
    pub retried: usize,
    /// Marked failed.
    pub failed: usize,
}

/// Delivers the outbox.
pub struct Sender {
    db: Db,
    keys: Arc<TokenKeys>,
    settings: Arc<Settings>,
    mailer: Mailer,
    from: Mailbox,
    host: String,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("mailer", &self.mailer)
            .finish_non_exhaustive()
    }
}

/// The delay before attempt `attempts + 1`: base × 2^(attempts − 1), at most `max`, with up to
/// a tenth added at random so that instances do not retry in step.
pub fn backoff(attempts: i32, base_ms: u64, max_ms: u64) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let ms = base_ms.saturating_mul(1u64 << exp).min(max_ms);
    let jitter = if ms >= 10 {
        rand::rng().random_range(0..=ms / 10)
    } else {
        0
    };
    Duration::from_millis(ms.saturating_add(jitter))
}

impl Sender {
    /// A sender with the configured transport (call inside the Tokio runtime).
    pub fn new(db: Db, keys: Arc<TokenKeys>, settings: Arc<Settings>) -> anyhow::Result<Self> {
        let mailer = Mailer::from_settings(&settings.mail, &settings.data.dir)?;
        let from: Mailbox = settings
            .mail
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail.from: {e}"))?;
        let host = settings
            .server
            .public_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("sangkien.local")
            .to_owned();
        Ok(Self {
            db,
            keys,
            settings,
            mailer,
            from,
            host,
        })
    }

    /// Runs until `stop` turns true, finishing the pass under way (so that a graceful
    /// shutdown leaves no email claimed until its lease ends).
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.settings.mail.poll_interval_ms.max(10));
        while !*stop.borrow() {
            match self.pass().await {
                Ok(p) if p.claimed > 0 => {
                    tracing::debug!(?p, "mail pass");
                    if i64::try_from(p.claimed).unwrap_or(i64::MAX) >= self.settings.mail.batch_size
                    {
                        continue;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail pass failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Claims one batch of due emails and delivers them.
    #[tracing::instrument(skip_all)]
    pub async fn pass(&self) -> Result<Pass, AppError> {
        let now = db::now();
        let lease = now + TimeDelta::seconds(self.settings.mail.lease_seconds);
        let limit = self.settings.mail.batch_size;
        let rows = self
            .db
            .write(move |conn| Ok(mail::claim(conn, now, lease, limit)?))
            .await?;
        let mut pass = Pass {
            claimed: rows.len(),
            ..Pass::default()
        };
        for row in rows {
            let outcome = self.deliver(&row).await;
            let id = row.id;
            let now = db::now();
            match outcome {
                Ok(()) => {
                    self.db
                        .write(move |conn| Ok(mail::mark_sent(conn, id, now)?))
                        .await?;
                    tracing::info!(mail = id, kind = %row.kind, "mail sent");
                    pass.sent += 1;
                }
                Err(DeliveryError::Permanent(m)) => {
                    tracing::warn!(mail = id, kind = %row.kind, error = %m, "mail refused");
                    self.db
                        .write(move |conn| Ok(mail::mark_failed(conn, id, &m)?))
                        .await?;
                    pass.failed += 1;
                }
                Err(DeliveryError::Transient(m)) => {
                    if row.attempts >= self.settings.mail.max_attempts {
                        let m = format!("{m} (sau {} lần thử)", row.attempts);
                        tracing::warn!(mail = id, kind = %row.kind, error = %m, "mail gave up");
                        self.db
                            .write(move |conn| Ok(mail::mark_failed(conn, id, &m)?))
                            .await?;
                        pass.failed += 1;
                    } else {
                        let delay = backoff(
                            row.attempts,
                            self.settings.mail.retry_base_ms,
                            self.settings.mail.retry_max_ms,
                        );
                        let next = now
                            + TimeDelta::from_std(delay).unwrap_or_else(|_| TimeDelta::hours(1));
                        tracing::info!(mail = id, attempts = row.attempts, error = %m, "mail will be retried");
                        self.db
                            .write(move |conn| Ok(mail::mark_retry(conn, id, next, &m)?))
                            .await?;
                        pass.retried += 1;
                    }
                }
            }
        }
        Ok(pass)
    }

    async fn deliver(&self, row: &MailRow) -> Result<(), DeliveryError> {
        let notice: Notice = serde_json::from_str(&row.payload)
            .map_err(|e| DeliveryError::Permanent(format!("unreadable payload: {e}")))?;
        let ctx = Context {
            base_url: &self.settings.server.public_url,
            keys: &self.keys,
            user_id: row.user_id,
            name: &row.recipient_name,
        };
        let mut letter =
            compose(&notice, &ctx).map_err(|e| DeliveryError::Permanent(e.to_string()))?;
        letter.subject.clone_from(&row.subject);
        let message_id = format!(
            "<mail-{}.{}@{}>",
            row.id,
            row.created_at.and_utc().timestamp(),
            self.host
        );
        let msg = message(
            &self.from,
            &row.recipient,
            &row.recipient_name,
            &letter,
            &message_id,
        )?;
        self.mailer.send(msg).await
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let ms = |a| backoff(a, 1000, 60_000).as_millis() as u64;
        assert!((1000..=1100).contains(&ms(1)));
        assert!((2000..=2200).contains(&ms(2)));
        assert!((8000..=8800).contains(&ms(4)));
        assert!((60_000..=66_000).contains(&ms(20)));
        assert!((60_000..=66_000).contains(&ms(i32::MAX)));
    }
}
