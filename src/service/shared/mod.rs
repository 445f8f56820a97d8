//! The floor the use cases stand on: what several of them need — an initiative or a program
//! loaded and authorised with its view, a change recorded with its audit, outbox and mail
//! rows, the notifications written in the change's transaction, counts and quotas read for a
//! dashboard. Nothing here calls a use case; use cases call this and `domain`.

pub mod initiative;
pub mod letters;
pub mod program;
pub mod quota;
