//! The one permission function: `can(actor, action, resource)`. Every handler and page asks it;
//! nothing else decides who may do what.

use super::initiative::{InitiativeStatus, InvitationStatus};
use super::program::ProgramStatus;
use super::union::UnionPath;
use super::user::Role;

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

/// Whether a grant of `role` is for one program (reviewers: the program's organising
/// committee) rather than for every program over its subtree.
pub fn grant_is_per_program(role: Role) -> bool {
    role == Role::Reviewer
}

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
    /// Create a child of the union, or change the union.
    ManageUnion,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn path(ids: &[i64]) -> UnionPath {
        let mut p = UnionPath::root(ids[0]);
        for id in &ids[1..] {
            p = p.child(*id);
        }
        p
    }

    fn actor(id: i64, own: &[i64], grants: &[(Role, &[i64], Option<i64>)]) -> Actor {
        Actor {
            user_id: id,
            union_path: path(own),
            union_in_operation: true,
            grants: grants
                .iter()
                .map(|(role, p, prog)| Grant {
                    role: *role,
                    union_path: path(p),
                    program_id: *prog,
                    in_operation: true,
                })
                .collect(),
        }
    }

    #[test]
    fn a_list_shows_exactly_the_initiatives_can_lets_one_view() {
        let actors = [
            Actor::anonymous(),
            actor(10, &[1, 2, 7], &[(Role::Member, &[1, 2, 7], None)]),
            actor(11, &[1, 3], &[(Role::UnionOfficer, &[1, 3], None)]),
            actor(12, &[1], &[(Role::Reviewer, &[1, 2], Some(5))]),
            actor(13, &[1], &[(Role::ProgramAdmin, &[1], None)]),
            actor(14, &[1], &[(Role::SystemAdmin, &[1], None)]),
            actor(
                15,
                &[1, 2, 7],
                &[
                    (Role::Member, &[1, 2, 7], None),
                    (Role::Reviewer, &[1, 3], Some(6)),
                ],
            ),
        ];
        let statuses = [
            InitiativeStatus::Draft,
            InitiativeStatus::Submitted,
            InitiativeStatus::UnderReview,
            InitiativeStatus::Returned,
            InitiativeStatus::Approved,
            InitiativeStatus::Rejected,
            InitiativeStatus::Duplicate,
            InitiativeStatus::Revoked,
        ];
        let places = [path(&[1, 2, 7]), path(&[1, 3, 4]), path(&[9])];
        let author_lists: [&[i64]; 3] = [&[10], &[20, 15], &[30]];
        let mut checked = 0;
        for a in &actors {
            let scope = InitiativeScope::of(a);
            for status in statuses {
                for place in &places {
                    for authors in author_lists {
                        for program_id in [5, 6] {
                            for confidential in [false, true] {
                                let resource = Resource::Initiative {
                                    program_id,
                                    union_path: place,
                                    authors,
                                    status,
                                    confidential,
                                };
                                assert_eq!(
                                    scope.admits(program_id, place, authors, status, confidential),
                                    can(a, Action::ViewInitiative, resource),
                                    "actor {} {status:?} at {} by {authors:?} in {program_id}, confidential {confidential}",
                                    a.user_id,
                                    place.as_str(),
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 7 * 8 * 3 * 3 * 2 * 2);
    }

    #[test]
    fn members_of_a_closed_union_neither_sign_in_nor_take_part() {
        let open = Resource::Program {
            owner_path: &path(&[1]),
            status: ProgramStatus::Open,
        };
        let own = path(&[1, 2, 7]);
        let draft = Resource::Initiative {
            program_id: 1,
            union_path: &own,
            authors: &[10],
            status: InitiativeStatus::Draft,
            confidential: false,
        };
        let mut member = actor(10, &[1, 2, 7], &[(Role::Member, &[1, 2, 7], None)]);
        assert!(can(&member, Action::SignIn, Resource::System));
        assert!(can(&member, Action::CreateInitiative, open));
        assert!(can(&member, Action::EditInitiative, draft));
        // The union (or one above it: the caller folds the whole path into the flag) closes.
        member.union_in_operation = false;
        member.grants[0].in_operation = false;
        assert!(!can(&member, Action::SignIn, Resource::System));
        assert!(!can(&member, Action::CreateInitiative, open));
        assert!(!can(&member, Action::EditInitiative, draft));
        assert!(
            can(&member, Action::ViewInitiative, draft),
            "still theirs to read"
        );

        // An officer of another union keeps that role, and only that one.
        let mut officer = actor(
            11,
            &[1, 2, 7],
            &[
                (Role::Member, &[1, 2, 7], None),
                (Role::UnionOfficer, &[1, 3], None),
            ],
        );
        officer.union_in_operation = false;
        officer.grants[0].in_operation = false;
        assert!(can(&officer, Action::SignIn, Resource::System));
        assert!(can(
            &officer,
            Action::ManageUnion,
            Resource::Union {
                path: &path(&[1, 3, 4])
            }
        ));
        assert!(!can(&officer, Action::CreateInitiative, open));
        // …unless that union has closed too.
        officer.grants[1].in_operation = false;
        assert!(!can(&officer, Action::SignIn, Resource::System));

        // A system administrator's grant is at the root, which never closes.
        let mut admin = actor(1, &[1, 2, 7], &[(Role::SystemAdmin, &[1], None)]);
        admin.union_in_operation = false;
        assert!(can(&admin, Action::SignIn, Resource::System));
        assert!(!can(&admin, Action::CreateInitiative, open));
        assert!(!can(&Actor::anonymous(), Action::SignIn, Resource::System));
    }

    #[test]
    fn officers_act_within_their_subtree() {
        let officer = actor(1, &[1, 2], &[(Role::UnionOfficer, &[1, 2], None)]);
        let inside = path(&[1, 2, 7]);
        let outside = path(&[1, 3, 9]);
        assert!(can(
            &officer,
            Action::ManageUnion,
            Resource::Union { path: &inside }
        ));
        assert!(!can(
            &officer,
            Action::ManageUnion,
            Resource::Union { path: &outside }
        ));
        assert!(can(
            &officer,
            Action::ViewUnion,
            Resource::Union { path: &outside }
        ));
        assert!(
            !can(
                &officer,
                Action::ViewUnionFigures,
                Resource::Union { path: &outside }
            ),
            "another province's member counts are not this officer's matter"
        );
        assert!(can(
            &officer,
            Action::ViewUnionFigures,
            Resource::Union { path: &inside }
        ));
        assert!(!can(
            &Actor::anonymous(),
            Action::ViewUnion,
            Resource::Union { path: &inside }
        ));
        assert!(can(
            &officer,
            Action::GrantRole(Role::Reviewer),
            Resource::Union { path: &inside }
        ));
        assert!(!can(
            &officer,
            Action::GrantRole(Role::SystemAdmin),
            Resource::Union { path: &inside }
        ));
        assert!(!can(
            &officer,
            Action::ViewUser,
            Resource::User {
                id: 5,
                union_path: &outside
            }
        ));
    }

    #[test]
    fn members_see_and_edit_only_their_own_work() {
        let member = actor(10, &[1, 2, 7], &[(Role::Member, &[1, 2, 7], None)]);
        let own = path(&[1, 2, 7]);
        let mine = Resource::Initiative {
            program_id: 1,
            union_path: &own,
            authors: &[10, 11],
            status: InitiativeStatus::Draft,
            confidential: false,
        };
        let colleague = Resource::Initiative {
            program_id: 1,
            union_path: &own,
            authors: &[11, 10],
            status: InitiativeStatus::Submitted,
            confidential: false,
        };
        let other_submitted = Resource::Initiative {
            program_id: 1,
            union_path: &own,
            authors: &[12],
            status: InitiativeStatus::Submitted,
            confidential: false,
        };
        assert!(can(
            &member,
            Action::ViewUnion,
            Resource::Union {
                path: &path(&[1, 2, 8])
            }
        ));
        assert!(!can(
            &member,
            Action::ViewUnionFigures,
            Resource::Union { path: &own }
        ));
        assert!(can(&member, Action::EditInitiative, mine));
        assert!(can(&member, Action::ViewInitiative, colleague));
        assert!(
            !can(&member, Action::EditInitiative, colleague),
            "co-authors do not edit"
        );
        assert!(!can(&member, Action::ViewInitiative, other_submitted));
    }

    #[test]
    fn coauthors_are_named_by_exact_login_or_within_the_grassroots_union_and_answer_for_themselves()
    {
        let author = actor(10, &[1, 2, 7], &[(Role::Member, &[1, 2, 7], None)]);
        let admin = actor(1, &[1], &[(Role::SystemAdmin, &[1], None)]);
        let same = path(&[1, 2, 7]);
        let other = path(&[1, 3, 9]);
        let invitee = |id, union_path, eligible, named_exactly| Resource::Invitee {
            id,
            union_path,
            eligible,
            named_exactly,
        };
        assert!(can(
            &author,
            Action::InviteCoauthor,
            invitee(11, &same, true, false)
        ));
        assert!(can(
            &author,
            Action::InviteCoauthor,
            invitee(12, &other, true, true)
        ));
        assert!(
            !can(
                &author,
                Action::InviteCoauthor,
                invitee(12, &other, true, false)
            ),
            "an id from another union names nobody"
        );
        assert!(!can(
            &author,
            Action::InviteCoauthor,
            invitee(11, &same, false, true)
        ));
        assert!(!can(
            &author,
            Action::InviteCoauthor,
            invitee(10, &same, true, true)
        ));
        assert!(
            !can(
                &admin,
                Action::InviteCoauthor,
                invitee(12, &other, true, false)
            ),
            "no role stands in for the rule"
        );
        let pending = Resource::CoauthorInvitation {
            invitee: 11,
            status: InvitationStatus::Pending,
        };
        let invitee_actor = actor(11, &[1, 2, 7], &[(Role::Member, &[1, 2, 7], None)]);
        assert!(can(
            &invitee_actor,
            Action::AnswerCoauthorInvitation,
            pending
        ));
        assert!(!can(&author, Action::AnswerCoauthorInvitation, pending));
        assert!(!can(&admin, Action::AnswerCoauthorInvitation, pending));
        assert!(!can(
            &invitee_actor,
            Action::AnswerCoauthorInvitation,
            Resource::CoauthorInvitation {
                invitee: 11,
                status: InvitationStatus::Declined,
            }
        ));
    }

    #[test]
    fn reviewers_are_bound_to_program_and_scope_and_never_their_own() {
        let reviewer = actor(20, &[1, 2], &[(Role::Reviewer, &[1, 2], Some(1))]);
        let inside = path(&[1, 2, 7]);
        let outside = path(&[1, 3]);
        let init = |program_id, union_path, authors, status| Resource::Initiative {
            program_id,
            union_path,
            authors,
            status,
            confidential: true,
        };
        assert!(can(
            &reviewer,
            Action::ReviewInitiative,
            init(1, &inside, &[5], InitiativeStatus::Submitted)
        ));
        assert!(!can(
            &reviewer,
            Action::ReviewInitiative,
            init(2, &inside, &[5], InitiativeStatus::Submitted)
        ));
        assert!(!can(
            &reviewer,
            Action::ReviewInitiative,
            init(1, &outside, &[5], InitiativeStatus::Submitted)
        ));
        assert!(!can(
            &reviewer,
            Action::ReviewInitiative,
            init(1, &inside, &[20], InitiativeStatus::Submitted)
        ));
        assert!(!can(
            &reviewer,
            Action::ViewInitiative,
            init(1, &inside, &[5], InitiativeStatus::Draft)
        ));
    }

    #[test]
    fn approved_public_initiatives_are_visible_confidential_ones_are_not() {
        let stranger = actor(30, &[1, 9], &[(Role::Member, &[1, 9], None)]);
        let p = path(&[1, 2, 7]);
        let public = Resource::Initiative {
            program_id: 1,
            union_path: &p,
            authors: &[5],
            status: InitiativeStatus::Approved,
            confidential: false,
        };
        let secret = Resource::Initiative {
            program_id: 1,
            union_path: &p,
            authors: &[5],
            status: InitiativeStatus::Approved,
            confidential: true,
        };
        assert!(can(&stranger, Action::ViewInitiative, public));
        assert!(!can(&stranger, Action::ViewInitiative, secret));
    }

    #[test]
    fn programs() {
        let admin = actor(40, &[1, 2], &[(Role::ProgramAdmin, &[1, 2], None)]);
        let member = actor(41, &[1, 2, 7], &[(Role::Member, &[1, 2, 7], None)]);
        let outsider = actor(42, &[1, 3], &[(Role::Member, &[1, 3], None)]);
        let owner = path(&[1, 2]);
        let open = Resource::Program {
            owner_path: &owner,
            status: ProgramStatus::Open,
        };
        let draft = Resource::Program {
            owner_path: &owner,
            status: ProgramStatus::Draft,
        };
        assert!(can(&admin, Action::ManageProgram, open));
        assert!(!can(&member, Action::ManageProgram, open));
        assert!(can(&member, Action::CreateInitiative, open));
        assert!(!can(&member, Action::CreateInitiative, draft));
        assert!(!can(&member, Action::ViewProgram, draft));
        assert!(
            !can(&outsider, Action::CreateInitiative, open),
            "outside the owner's subtree"
        );
        let sysadmin = actor(1, &[1], &[(Role::SystemAdmin, &[1], None)]);
        assert!(can(&sysadmin, Action::Administer, Resource::System));
        assert!(
            !can(&sysadmin, Action::CreateInitiative, open),
            "an administrator at the root takes no part in a province's program"
        );
        assert!(!can(&admin, Action::Administer, Resource::System));
    }
}
