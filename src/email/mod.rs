//! Email: what each notification says ([`letters`], compiled templates), how it is delivered
//! ([`transport`], lettre), and the background [`sender`] that drains `mail_outbox`.
//!
//! Emails are written to `mail_outbox` by the services (`service::shared::letters`) in the
//! transaction of the change that causes them, and by the periodic `service::mail::schedule`;
//! nothing here is called from a request.

pub mod letters;
pub mod sender;
pub mod transport;
