//! Page areas and page-side helpers: the pages' navigation and gates (`routes/web` asks
//! these instead of comparing roles itself).

use super::Actor;
use crate::domain::union::UnionPath;
use crate::domain::user::Role;

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
    use crate::domain::permissions::Grant;

    fn with(roles: &[Role]) -> Actor {
        Actor {
            user_id: 1,
            union_path: UnionPath::root(1),
            union_in_operation: true,
            union_ended: false,
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
