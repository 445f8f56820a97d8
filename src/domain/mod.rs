//! Domain rules as plain types and functions: no I/O, no framework, unit-tested alone.

pub mod counting;
pub mod diff;
pub mod initiative;
pub mod permissions;
pub mod program;
pub mod reorganisation;
pub mod review;
pub mod text;
pub mod throttle;
pub mod union;
pub mod user;

pub use initiative::{InitiativeStatus, InvitationStatus, Shares};
pub use permissions::{Action, Actor, Grant, Resource, can};
pub use program::{PhaseWindow, ProgramStatus, QuotaKind};
pub use union::{UnionKind, UnionPath};
pub use user::{Role, UserStatus};

/// Per-field problems of an input: field name → Vietnamese description, shown beside the
/// field on a page and under `details.fields` in the API.
pub type FieldErrors = std::collections::BTreeMap<String, String>;

/// A name stored as text (a status, a state) that names nothing this version knows: the
/// database holds what the code does not (a hand edit, a migration not applied). Every
/// stored status is read through [`Stored::from_stored`], so this is the one error for all of
/// them, never a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStored {
    /// What kind of name (`initiative status`, `program status`, …).
    pub kind: &'static str,
    /// The stored text.
    pub value: String,
}

impl std::fmt::Display for UnknownStored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?} in the database", self.kind, self.value)
    }
}

impl std::error::Error for UnknownStored {}

/// A value the database stores by its name.
pub trait Stored: Sized {
    /// What kind of name it is, for the error.
    const KIND: &'static str;
    /// The value a stored name names, if any.
    fn named(s: &str) -> Option<Self>;
    /// The value a stored name names, or the one error for a name this version does not know.
    fn from_stored(s: &str) -> Result<Self, UnknownStored> {
        Self::named(s).ok_or_else(|| UnknownStored {
            kind: Self::KIND,
            value: s.to_owned(),
        })
    }
}

impl Stored for InitiativeStatus {
    const KIND: &'static str = "initiative status";
    fn named(s: &str) -> Option<Self> {
        Self::parse(s)
    }
}

impl Stored for ProgramStatus {
    const KIND: &'static str = "program status";
    fn named(s: &str) -> Option<Self> {
        Self::parse(s)
    }
}

impl Stored for InvitationStatus {
    const KIND: &'static str = "invitation status";
    fn named(s: &str) -> Option<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_name_reads_as_its_value_or_as_the_one_error() {
        assert_eq!(
            InitiativeStatus::from_stored("approved"),
            Ok(InitiativeStatus::Approved)
        );
        assert_eq!(ProgramStatus::from_stored("open"), Ok(ProgramStatus::Open));
        let e = InitiativeStatus::from_stored("aproved").unwrap_err();
        assert_eq!(e.kind, "initiative status");
        assert_eq!(
            e.to_string(),
            r#"unknown initiative status "aproved" in the database"#
        );
        assert!(InvitationStatus::from_stored("").is_err());
    }
}
