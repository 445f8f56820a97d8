//! Email: what each notification says ([`letters`], compiled templates), how it is delivered
//! ([`transport`], lettre), the background [`sender`] that drains `mail_outbox`, and the
//! [`schedule`] that writes the periodic digests and reminders.
//!
//! Emails are written to `mail_outbox` by the services (`service::mail`) in the transaction of
//! the change that causes them; nothing here is called from a request.

pub mod letters;
pub mod schedule;
pub mod sender;
pub mod transport;
