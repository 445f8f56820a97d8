//! The one permission function: `can(actor, action, resource)`. Every handler and page asks it;
//! nothing else decides who may do what.

use crate::domain::initiative::{InitiativeStatus, InvitationStatus};
use crate::domain::program::ProgramStatus;
use crate::domain::union::UnionPath;
use crate::domain::user::Role;

mod pages;
mod scope;
#[cfg(test)]
mod tests;

pub use pages::{Area, PAGE_GRANTABLE_ROLES, grant_names_program, may_enter, program_admin_home};
pub use scope::{InitiativeScope, takes_part};

/// A role granted over a union's subtree (and, for reviewers, one program).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The subtree it covers.
    pub union_path: UnionPath,
    /// For reviewers: the program.
    pub program_id: Option<i64>,
    /// Whether the union it covers, and every union above it, is in operation (đang hoạt
    /// động). A grant over a closed union still lets its holder act there (its records stay
    /// to be read), but does not by itself let them sign in.
    pub in_operation: bool,
}

/// Who is acting: an authenticated, active user with their grants.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The path of the user's own union.
    pub union_path: UnionPath,
    /// Whether the user's own union, and every union above it, is in operation (đang hoạt
    /// động). A member of a union that has stopped operating (ngừng hoạt động) takes no part:
    /// see [`Action::SignIn`].
    pub union_in_operation: bool,
    /// Whether the union that is not in operation ended by a reorganisation (kết thúc hoạt
    /// động, giải thể), rather than being stopped by an officer: its members keep their
    /// accounts and may sign in to read their initiatives, but take no part until an officer
    /// moves them to a union in operation.
    pub union_ended: bool,
    /// The user's grants.
    pub grants: Vec<Grant>,
}

impl Actor {
    /// A visitor who has not signed in: no grants, sees only what is public.
    pub fn anonymous() -> Self {
        Self {
            user_id: 0,
            union_path: UnionPath::from_stored(String::new()),
            union_in_operation: false,
            union_ended: false,
            grants: Vec::new(),
        }
    }

    /// Does the actor hold `role` over a subtree covering `path`?
    pub fn has_role_over(&self, role: Role, path: &UnionPath) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.union_path.covers(path))
    }

    /// Does the actor hold `role` anywhere?
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Is the actor a system administrator?
    pub fn is_system_admin(&self) -> bool {
        self.has_role(Role::SystemAdmin)
    }

    /// Is the actor a reviewer of `program_id` over `path`?
    pub fn reviews(&self, program_id: i64, path: &UnionPath) -> bool {
        self.grants.iter().any(|g| {
            g.role == Role::Reviewer
                && g.program_id == Some(program_id)
                && g.union_path.covers(path)
        })
    }

    /// The subtrees in which the actor may see members' data and submitted initiatives
    /// (officers, program administrators; everything for a system administrator).
    pub fn oversight_paths(&self) -> Vec<&UnionPath> {
        self.grants
            .iter()
            .filter(|g| {
                matches!(
                    g.role,
                    Role::UnionOfficer | Role::ProgramAdmin | Role::SystemAdmin
                )
            })
            .map(|g| &g.union_path)
            .collect()
    }

    /// What a list of people or of the audit log may cover: `None` for everything (a system
    /// administrator), else the subtrees the actor oversees (empty: nothing).
    pub fn oversight_scope(&self) -> Option<Vec<&UnionPath>> {
        if self.is_system_admin() {
            None
        } else {
            Some(self.oversight_paths())
        }
    }

    /// Does the actor oversee the union at `path` (officer, program or system administrator)?
    pub fn oversees(&self, path: &UnionPath) -> bool {
        self.is_system_admin() || self.oversight_paths().iter().any(|p| p.covers(path))
    }

    /// The subtrees the actor manages as a union officer.
    pub fn officer_paths(&self) -> Vec<&UnionPath> {
        self.paths_of(&[Role::UnionOfficer])
    }

    /// Where the actor's dashboards may start: the subtrees of their officer and program
    /// administrator grants.
    pub fn dashboard_paths(&self) -> Vec<&UnionPath> {
        self.paths_of(&[Role::UnionOfficer, Role::ProgramAdmin])
    }

    fn paths_of(&self, roles: &[Role]) -> Vec<&UnionPath> {
        self.grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .map(|g| &g.union_path)
            .collect()
    }
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open a session, and keep using one: asked at sign-in and on every request, of an
    /// active account (a disabled account is refused before). A member whose own union, or a
    /// union above it, has stopped operating may not; unless they also hold another role over
    /// a union in operation (an officer of the province whose own grassroots union closed),
    /// and then they act in that role only: as a member of a closed union they start, edit
    /// and submit nothing.
    SignIn,
    /// Read a union's place in the tree: name, code, level, parent, children. Names and the
    /// shape of the tree are no secret: anyone signed in.
    ViewUnion,
    /// Read a union's figures: its member counts and its subtree's totals. An officer's
    /// matter: officers and program administrators over it.
    ViewUnionFigures,
    /// Create a child of the union, or change the union; reorganise the tree below it (a
    /// reorganisation needs this over the lowest union above everything it changes).
    ManageUnion,
    /// Read a reorganisation issued by the union (its decision and report): those who oversee
    /// the issuing union, and the officers of any union below it, whom it may have changed.
    ViewReorganisation,
    /// Read a user's profile and grants.
    ViewUser,
    /// Create, change or disable users in the union.
    ManageUser,
    /// Grant or revoke this role over the union's subtree.
    GrantRole(Role),
    /// Read a program with its phases and fields.
    ViewProgram,
    /// Create or change a program, its phases and fields; open or close it.
    ManageProgram,
    /// Start an initiative in the program.
    CreateInitiative,
    /// Read an initiative with its attachments and history.
    ViewInitiative,
    /// Change an initiative's content, attachments included, or submit it.
    EditInitiative,
    /// Name someone as a co-author of one's initiative — an invitation they accept: an active
    /// member of the author's own grassroots union, or any active member by their exact
    /// member code or email; never oneself.
    InviteCoauthor,
    /// Accept or decline an invitation to co-author: its invitee, while it is pending.
    AnswerCoauthorInvitation,
    /// Review and decide an initiative (the review issue).
    ReviewInitiative,
    /// Set up a committee (members, chair), assign its reviews and publish its decisions.
    ManageCommittee,
    /// Revoke an approval or mark an award: the program's owning union.
    ConcludeInitiative,
    /// Read a union's attainment dashboard (counts, quota, children): its officers and the
    /// program administrators over it.
    ViewAttainment,
    /// Allocate the union's quota among its children (its officers and the program
    /// administrators over it).
    AllocateQuota,
    /// Read the configuration and the system state.
    Administer,
}

/// What the action is done to.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// A union (or the users in it).
    Union {
        /// Its path.
        path: &'a UnionPath,
    },
    /// A user.
    User {
        /// Their id.
        id: i64,
        /// Their union's path.
        union_path: &'a UnionPath,
    },
    /// A program.
    Program {
        /// Its owner union's path.
        owner_path: &'a UnionPath,
        /// Its status.
        status: ProgramStatus,
    },
    /// An initiative.
    Initiative {
        /// Its program.
        program_id: i64,
        /// Its submitting union's path.
        union_path: &'a UnionPath,
        /// Its authors, submitting author first.
        authors: &'a [i64],
        /// Its status.
        status: InitiativeStatus,
        /// Whether only the title, benefit summary and award are public.
        confidential: bool,
    },
    /// Someone an author names as a co-author.
    Invitee {
        /// Their id.
        id: i64,
        /// Their union's path.
        union_path: &'a UnionPath,
        /// An active account holding the member role.
        eligible: bool,
        /// Named by their exact member code or email (not by an id).
        named_exactly: bool,
    },
    /// An invitation to co-author an initiative.
    CoauthorInvitation {
        /// Who is invited.
        invitee: i64,
        /// Where it stands.
        status: InvitationStatus,
    },
    /// A review committee.
    Committee {
        /// The program's owner union.
        owner_path: &'a UnionPath,
        /// The committee's union.
        union_path: &'a UnionPath,
    },
    /// The system as a whole.
    System,
}

/// May `actor` do `action` to `resource`?
pub fn can(actor: &Actor, action: Action, resource: Resource<'_>) -> bool {
    // Content belongs to its author: not even a system administrator rewrites it.
    // Taking part needs a union in operation: nothing is filed, changed or submitted to count
    // for a union that has stopped operating.
    if let (Action::EditInitiative, Resource::Initiative { authors, .. }) = (action, resource) {
        return authors.first() == Some(&actor.user_id) && actor.union_in_operation;
    }
    if let (Action::SignIn, Resource::System) = (action, resource) {
        return actor.union_in_operation
            || actor.union_ended
            || actor
                .grants
                .iter()
                .any(|g| g.role != Role::Member && g.in_operation);
    }
    // Co-authorship is between members and by consent: no role stands in for either side.
    match (action, resource) {
        (
            Action::InviteCoauthor,
            Resource::Invitee {
                id,
                union_path,
                eligible,
                named_exactly,
            },
        ) => {
            return id != actor.user_id
                && eligible
                && actor.has_role(Role::Member)
                && (named_exactly || *union_path == actor.union_path);
        }
        (Action::AnswerCoauthorInvitation, Resource::CoauthorInvitation { invitee, status }) => {
            return invitee == actor.user_id && status == InvitationStatus::Pending;
        }
        (Action::InviteCoauthor | Action::AnswerCoauthorInvitation, _) => return false,
        _ => {}
    }
    // Taking part is a member's act within the program's subtree, whatever else one may
    // administer: an initiative filed from outside it would count for no union.
    if let (Action::CreateInitiative, Resource::Program { owner_path, status }) = (action, resource)
    {
        return status == ProgramStatus::Open
            && actor.union_in_operation
            && actor.has_role(Role::Member)
            && owner_path.covers(&actor.union_path);
    }
    if actor.is_system_admin() {
        return true;
    }
    match (action, resource) {
        (Action::ViewUnion, Resource::Union { .. }) => !actor.union_path.as_str().is_empty(),
        (Action::ViewUnionFigures, Resource::Union { path }) => {
            actor.oversight_paths().iter().any(|p| p.covers(path))
        }
        (Action::ManageUnion, Resource::Union { path }) => {
            actor.has_role_over(Role::UnionOfficer, path)
        }
        (Action::ViewReorganisation, Resource::Union { path }) => {
            actor.oversight_paths().iter().any(|p| p.covers(path))
                || actor.officer_paths().iter().any(|p| path.covers(p))
        }
        (Action::ViewAttainment | Action::AllocateQuota, Resource::Union { path }) => {
            actor.has_role_over(Role::UnionOfficer, path)
                || actor.has_role_over(Role::ProgramAdmin, path)
        }
        (Action::ViewUser, Resource::User { id, union_path }) => {
            id == actor.user_id || actor.oversight_paths().iter().any(|p| p.covers(union_path))
        }
        (
            Action::ManageUser,
            Resource::User {
                union_path: path, ..
            },
        )
        | (Action::ManageUser, Resource::Union { path }) => {
            actor.has_role_over(Role::UnionOfficer, path)
        }
        (Action::GrantRole(role), Resource::Union { path }) => match role {
            Role::Member | Role::Reviewer | Role::UnionOfficer => {
                actor.has_role_over(Role::UnionOfficer, path)
                    || (role == Role::Reviewer && actor.has_role_over(Role::ProgramAdmin, path))
            }
            Role::ProgramAdmin => actor.has_role_over(Role::UnionOfficer, path),
            Role::SystemAdmin => false,
        },
        (Action::ViewProgram, Resource::Program { owner_path, status }) => {
            status != ProgramStatus::Draft
                || actor.has_role_over(Role::ProgramAdmin, owner_path)
                || actor.has_role_over(Role::UnionOfficer, owner_path)
        }
        (Action::ManageProgram, Resource::Program { owner_path, .. }) => {
            actor.has_role_over(Role::ProgramAdmin, owner_path)
        }
        (
            Action::ManageCommittee,
            Resource::Committee {
                owner_path,
                union_path,
            },
        ) => {
            actor.has_role_over(Role::ProgramAdmin, owner_path)
                || actor.has_role_over(Role::ProgramAdmin, union_path)
                || actor.has_role_over(Role::UnionOfficer, union_path)
        }
        (Action::ConcludeInitiative, Resource::Program { owner_path, .. }) => {
            actor.has_role_over(Role::ProgramAdmin, owner_path)
                || actor.has_role_over(Role::UnionOfficer, owner_path)
        }
        (
            Action::ViewInitiative,
            Resource::Initiative {
                program_id,
                union_path,
                authors,
                status,
                confidential,
            },
        ) => {
            if authors.contains(&actor.user_id) {
                return true;
            }
            if status == InitiativeStatus::Draft {
                return false;
            }
            (status == InitiativeStatus::Approved && !confidential)
                || actor.reviews(program_id, union_path)
                || actor.oversight_paths().iter().any(|p| p.covers(union_path))
        }
        (Action::EditInitiative, Resource::Initiative { authors, .. }) => {
            authors.first() == Some(&actor.user_id)
        }
        (
            Action::ReviewInitiative,
            Resource::Initiative {
                program_id,
                union_path,
                authors,
                status,
                ..
            },
        ) => {
            status != InitiativeStatus::Draft
                && !authors.contains(&actor.user_id)
                && actor.reviews(program_id, union_path)
        }
        _ => false,
    }
}
