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

// ---------------------------------------------------------------------------------------
// Page areas and page-side helpers (the pages' navigation and gates; `routes/web` asks these
// instead of comparing roles itself).
// ---------------------------------------------------------------------------------------

/// A part of the pages whose navigation entry is shown, and whose gate opens, by the roles an
/// actor holds anywhere (each page inside then asks [`can`] about the resource it shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// The reviewers' pages (xét duyệt): reviewers, program administrators, system
    /// administrators.
    Reviews,
    /// The program administrators' choices on the reviewers' pages (the programs they may
    /// pick): program administrators and system administrators.
    ProgramAdministration,
    /// The union and member administration (quản trị đơn vị, đoàn viên): union officers and
    /// system administrators.
    UnionAdministration,
    /// The dashboards (thi đua): union officers, program administrators, system
    /// administrators.
    Dashboards,
    /// Starting an initiative from the home page: members.
    OwnInitiatives,
}

/// May `actor` enter `area` of the pages (see its entry in the navigation)?
pub fn may_enter(actor: &Actor, area: Area) -> bool {
    let holds = |roles: &[Role]| actor.grants.iter().any(|g| roles.contains(&g.role));
    match area {
        Area::Reviews => holds(&[Role::Reviewer, Role::ProgramAdmin, Role::SystemAdmin]),
        Area::ProgramAdministration => holds(&[Role::ProgramAdmin, Role::SystemAdmin]),
        Area::UnionAdministration => holds(&[Role::UnionOfficer, Role::SystemAdmin]),
        Area::Dashboards => holds(&[Role::UnionOfficer, Role::ProgramAdmin, Role::SystemAdmin]),
        Area::OwnInitiatives => holds(&[Role::Member]),
    }
}

/// The subtree the actor administers programs for (their first program administrator's or
/// system administrator's grant): the default owner of a new program.
pub fn program_admin_home(actor: &Actor) -> Option<&UnionPath> {
    actor
        .grants
        .iter()
        .find(|g| matches!(g.role, Role::ProgramAdmin | Role::SystemAdmin))
        .map(|g| &g.union_path)
}

/// The roles a page offers to grant, in the order it lists them (system administration is
/// never granted from a page); [`can`] with [`Action::GrantRole`] decides each grant.
pub const PAGE_GRANTABLE_ROLES: [Role; 4] = [
    Role::Member,
    Role::Reviewer,
    Role::UnionOfficer,
    Role::ProgramAdmin,
];

/// Does a grant of `role` name a program (reviewers review one program)?
pub fn grant_names_program(role: Role) -> bool {
    role == Role::Reviewer
}

#[cfg(test)]
mod page_area_tests {
    use super::*;

    fn with(roles: &[Role]) -> Actor {
        Actor {
            user_id: 1,
            union_path: UnionPath::root(1),
            union_in_operation: true,
            grants: roles
                .iter()
                .enumerate()
                .map(|(i, r)| Grant {
                    role: *r,
                    union_path: UnionPath::root(i as i64 + 1),
                    program_id: None,
                    in_operation: true,
                })
                .collect(),
        }
    }

    const ALL: [Role; 5] = [
        Role::Member,
        Role::Reviewer,
        Role::UnionOfficer,
        Role::ProgramAdmin,
        Role::SystemAdmin,
    ];

    /// Each area against the role checks the pages made by hand before.
    #[test]
    fn areas_open_to_the_roles_the_pages_checked_by_hand() {
        for role in ALL {
            let a = with(&[role]);
            let sys = a.is_system_admin();
            assert_eq!(
                may_enter(&a, Area::Reviews),
                a.has_role(Role::Reviewer) || a.has_role(Role::ProgramAdmin) || sys,
                "{role:?}"
            );
            assert_eq!(
                may_enter(&a, Area::ProgramAdministration),
                a.has_role(Role::ProgramAdmin) || sys,
                "{role:?}"
            );
            assert_eq!(
                may_enter(&a, Area::UnionAdministration),
                a.has_role(Role::UnionOfficer) || sys,
                "{role:?}"
            );
            assert_eq!(
                may_enter(&a, Area::Dashboards),
                a.has_role(Role::UnionOfficer) || a.has_role(Role::ProgramAdmin) || sys,
                "{role:?}"
            );
            assert_eq!(
                may_enter(&a, Area::OwnInitiatives),
                a.has_role(Role::Member),
                "{role:?}"
            );
        }
        let nobody = Actor::anonymous();
        for area in [
            Area::Reviews,
            Area::ProgramAdministration,
            Area::UnionAdministration,
            Area::Dashboards,
            Area::OwnInitiatives,
        ] {
            assert!(!may_enter(&nobody, area));
        }
    }

    #[test]
    fn a_program_administrator_s_home_is_their_first_such_grant() {
        let a = with(&[
            Role::Member,
            Role::Reviewer,
            Role::ProgramAdmin,
            Role::SystemAdmin,
        ]);
        assert_eq!(program_admin_home(&a), Some(&UnionPath::root(3)));
        let s = with(&[Role::UnionOfficer, Role::SystemAdmin]);
        assert_eq!(program_admin_home(&s), Some(&UnionPath::root(2)));
        assert_eq!(
            program_admin_home(&with(&[Role::Member, Role::UnionOfficer])),
            None
        );
    }

    #[test]
    fn pages_grant_every_role_but_system_administration_and_reviewers_name_a_program() {
        assert!(!PAGE_GRANTABLE_ROLES.contains(&Role::SystemAdmin));
        assert_eq!(PAGE_GRANTABLE_ROLES.len(), ALL.len() - 1);
        for role in ALL {
            assert_eq!(grant_names_program(role), role == Role::Reviewer);
        }
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
