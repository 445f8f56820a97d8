//! The permission rules, case by case.

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
        union_ended: false,
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
    // Ended by a reorganisation instead: they sign in to read, and still take no part.
    member.union_ended = true;
    assert!(can(&member, Action::SignIn, Resource::System));
    assert!(!can(&member, Action::CreateInitiative, open));
    assert!(!can(&member, Action::EditInitiative, draft));
    assert!(can(&member, Action::ViewInitiative, draft));
    member.union_ended = false;

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
fn coauthors_are_named_by_exact_login_or_within_the_grassroots_union_and_answer_for_themselves() {
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
