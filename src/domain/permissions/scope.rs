//! Scopes of lists, in the form a query filters them: the rules of `can()` written for the
//! database, tested against `can()` on the same cases.

use super::Actor;
use crate::domain::initiative::InitiativeStatus;
use crate::domain::union::UnionPath;
use crate::domain::user::Role;

/// Whether someone with these roles takes part as a member (and so may author or co-author
/// an initiative): a member grant, whatever else they hold.
pub fn takes_part(roles: impl IntoIterator<Item = Role>) -> bool {
    roles.into_iter().any(|r| r == Role::Member)
}

/// The initiatives a list shows the actor, in the form a query filters them: the rule of
/// `can(actor, ViewInitiative, …)` written for the database, and tested against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiativeScope {
    /// Everything (system administrators).
    pub all: bool,
    /// The actor's own (as author or co-author), in any status.
    pub user_id: i64,
    /// Submitted initiatives (not drafts) under these subtrees (officers, administrators).
    pub oversight: Vec<UnionPath>,
    /// Submitted initiatives of these programs under these subtrees (reviewers).
    pub reviewing: Vec<(i64, UnionPath)>,
    /// Approved initiatives that are not confidential (everyone).
    pub published: bool,
}

impl InitiativeScope {
    /// The scope of `actor`'s lists.
    pub fn of(actor: &Actor) -> Self {
        Self {
            all: actor.is_system_admin(),
            user_id: actor.user_id,
            oversight: actor.oversight_paths().into_iter().cloned().collect(),
            reviewing: actor
                .grants
                .iter()
                .filter(|g| g.role == Role::Reviewer)
                .filter_map(|g| Some((g.program_id?, g.union_path.clone())))
                .collect(),
            published: true,
        }
    }

    /// Whether an initiative is in the scope: what the query's filter computes, row by row.
    pub fn admits(
        &self,
        program_id: i64,
        union_path: &UnionPath,
        authors: &[i64],
        status: InitiativeStatus,
        confidential: bool,
    ) -> bool {
        let submitted = status != InitiativeStatus::Draft;
        self.all
            || authors.contains(&self.user_id)
            || (submitted && self.oversight.iter().any(|p| p.covers(union_path)))
            || (submitted
                && self
                    .reviewing
                    .iter()
                    .any(|(program, p)| *program == program_id && p.covers(union_path)))
            || (self.published && status == InitiativeStatus::Approved && !confidential)
    }
}
