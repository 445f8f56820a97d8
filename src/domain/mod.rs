//! Domain rules as plain types and functions: no I/O, no framework, unit-tested alone.

pub mod counting;
pub mod diff;
pub mod initiative;
pub mod permissions;
pub mod program;
pub mod review;
pub mod text;
pub mod throttle;
pub mod union;
pub mod user;

pub use initiative::{InitiativeStatus, InvitationStatus, Shares};
pub use permissions::{Action, Actor, Grant, Resource, can};
pub use program::{PhaseWindow, ProgramStatus, QuotaKind};
pub use union::{UnionLevel, UnionPath};
pub use user::{Role, UserStatus};

/// Per-field problems of an input: field name → Vietnamese description, shown beside the
/// field on a page and under `details.fields` in the API.
pub type FieldErrors = std::collections::BTreeMap<String, String>;
