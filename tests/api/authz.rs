//! The authorization walk: every operation of the OpenAPI document and every page route,
//! requested by each role on a resource inside its scope (Cao Bằng) and one outside it
//! (Lạng Sơn), against an explicit table of who is allowed.
//!
//! Conventions:
//! - Roles, in this order: anonymous, member (`member.a`, Cao Bằng grassroots), reviewer
//!   (`reviewer.a`, program "OPEN" over Cao Bằng), officer (`officer.a`, over Cao Bằng),
//!   program administrator (made here: over Cao Bằng only, so that Lạng Sơn is outside) and
//!   system administrator. An expectation is a six-letter string in that order, a letter
//!   (`A M R O P S`) where the role is allowed and `.` where it is refused.
//! - "In scope" is the Cao Bằng resource (union `CB`, user `member.a`, a program owned by
//!   `CB`, `member.a`'s initiative, a committee at `CB`); "out of scope" the Lạng Sơn one.
//!   Operations without a resource use the same request for both.
//! - Allowed means the permission check was passed: a 2xx, a redirect elsewhere than the
//!   sign-in page, or a 400/409/422 (bodies of mutating requests are plausible but may be
//!   refused on their merits: that is past the permission check). Refused means 401, 403 or
//!   404 (a resource the actor may not know of is "not found"), or for a page a redirect to
//!   the sign-in page.
//! - Mutating requests that would destroy what later rows need work on throwaway resources
//!   made just before each request (phases, fields, stages, programs, grants, members,
//!   initiatives).
//! - The table must list exactly the operations of the OpenAPI document and the page routes
//!   of `routes::web::PAGE_ROUTES`; every mismatch is collected and reported at once.

use std::collections::BTreeSet;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::helpers::{
    Backend, TestApp, World, complete_draft, distinct_draft, expect_error, json, who,
};
use crate::pages::{browser, csrf_of, sign_in, text};

crate::on_both_backends!(
    every_operation_and_page_by_every_role,
    union_tree_for_all_member_counts_for_overseers,
    a_union_head_comes_from_its_subtree,
);

/// Signing out everywhere (API, page): walked last, as it ends every session of the caller.
const SIGN_OUT_EVERYWHERE: (&str, &str) = (
    "/api/v1/me/sessions/revoke-all",
    "/tai-khoan/phien/ket-thuc-tat-ca",
);

/// The roles of the walk, in the order of the expectation strings.
const ROLES: [&str; 6] = [
    "anonymous",
    "member",
    "reviewer",
    "officer",
    "program admin",
    "system admin",
];

/// The program administrator over Cao Bằng only (made by the walk).
const PADMIN_CB: &str = "padmin.cb@test.vn";

/// Every operation of the OpenAPI document: method, path, in scope, out of scope.
const API: &[(&str, &str, &str, &str)] = &[
    ("get", "/healthz", "AMROPS", "AMROPS"),
    ("get", "/readyz", "AMROPS", "AMROPS"),
    ("post", "/api/v1/auth/login", "AMROPS", "AMROPS"),
    ("get", "/api/v1/me", ".MROPS", ".MROPS"),
    // Sessions and the password: one's own (a fresh session each time for those that end it).
    ("post", "/api/v1/auth/logout", ".MROPS", ".MROPS"),
    ("get", "/api/v1/me/sessions", ".MROPS", ".MROPS"),
    (
        "delete",
        "/api/v1/me/sessions/{session_id}",
        ".MROPS",
        ".MROPS",
    ),
    ("post", "/api/v1/me/sessions/revoke-all", ".MROPS", ".MROPS"),
    ("post", "/api/v1/me/password", ".MROPS", ".MROPS"),
    ("get", "/api/v1/me/personal-data", ".MROPS", ".MROPS"),
    // Another person's sessions and personal data: those who manage them.
    (
        "post",
        "/api/v1/users/{id}/sessions/revoke",
        "...O.S",
        ".....S",
    ),
    (
        "get",
        "/api/v1/users/{id}/personal-data",
        ".M.O.S",
        ".....S",
    ),
    ("post", "/api/v1/users/{id}/anonymise", "...O.S", ".....S"),
    ("post", "/api/v1/auth/password-reset", "AMROPS", "AMROPS"),
    (
        "post",
        "/api/v1/auth/password-reset/confirm",
        "AMROPS",
        "AMROPS",
    ),
    ("post", "/api/v1/auth/invitation/accept", "AMROPS", "AMROPS"),
    ("post", "/api/v1/mail/unsubscribe", "AMROPS", "AMROPS"),
    ("get", "/api/v1/me/mail-preferences", ".MROPS", ".MROPS"),
    ("put", "/api/v1/me/mail-preferences", ".MROPS", ".MROPS"),
    ("get", "/api/v1/admin/mail", ".....S", ".....S"),
    ("post", "/api/v1/admin/mail/{id}/retry", ".....S", ".....S"),
    ("get", "/api/v1/audit", "...OPS", "...OPS"),
    ("get", "/api/v1/admin/system", ".....S", ".....S"),
    ("post", "/api/v1/admin/reindex", ".....S", ".....S"),
    // The union tree.
    ("get", "/api/v1/unions", ".MROPS", ".MROPS"),
    ("post", "/api/v1/unions", "...O.S", ".....S"),
    ("get", "/api/v1/unions/{id}", ".MROPS", ".MROPS"),
    ("patch", "/api/v1/unions/{id}", "...O.S", ".....S"),
    ("get", "/api/v1/unions/{id}/children", ".MROPS", ".MROPS"),
    ("get", "/api/v1/unions/{id}/subtree", ".MROPS", ".MROPS"),
    ("get", "/api/v1/unions/{id}/dashboard", "...OPS", ".....S"),
    ("get", "/api/v1/unions/{id}/quotas", "...OPS", ".....S"),
    ("put", "/api/v1/unions/{id}/quotas", "...OPS", ".....S"),
    ("get", "/api/v1/unions/{id}/leaderboard", "...OPS", ".....S"),
    ("post", "/api/v1/unions/{id}/move", "...O.S", ".....S"),
    ("get", "/api/v1/unions/{id}/search", "...O.S", ".....S"),
    ("put", "/api/v1/unions/{id}/head", "...O.S", ".....S"),
    (
        "get",
        "/api/v1/unions/{id}/dashboard/export",
        "...OPS",
        ".....S",
    ),
    ("get", "/api/v1/unions/{id}/initiatives", "...OPS", ".....S"),
    (
        "get",
        "/api/v1/unions/{id}/initiatives/export",
        "...OPS",
        ".....S",
    ),
    // Users.
    ("get", "/api/v1/users", ".MROPS", ".MROPS"),
    ("post", "/api/v1/users", "...O.S", ".....S"),
    ("get", "/api/v1/users/{id}", ".M.OPS", ".....S"),
    ("patch", "/api/v1/users/{id}", "...O.S", ".....S"),
    ("get", "/api/v1/users/{id}/roles", ".M.OPS", ".....S"),
    ("post", "/api/v1/users/{id}/roles", "...OPS", ".....S"),
    (
        "delete",
        "/api/v1/users/{id}/roles/{grant_id}",
        "...OPS",
        ".....S",
    ),
    ("post", "/api/v1/users/{id}/invite", "...O.S", ".....S"),
    // Programs.
    ("get", "/api/v1/programs", ".MROPS", ".MROPS"),
    ("post", "/api/v1/programs", "....PS", ".....S"),
    ("get", "/api/v1/programs/{id}", ".MROPS", ".MROPS"),
    ("patch", "/api/v1/programs/{id}", "....PS", ".....S"),
    ("post", "/api/v1/programs/{id}/phases", "....PS", ".....S"),
    (
        "put",
        "/api/v1/programs/{id}/phases/{phase_id}",
        "....PS",
        ".....S",
    ),
    (
        "delete",
        "/api/v1/programs/{id}/phases/{phase_id}",
        "....PS",
        ".....S",
    ),
    ("post", "/api/v1/programs/{id}/fields", "....PS", ".....S"),
    (
        "patch",
        "/api/v1/programs/{id}/fields/{field_id}",
        "....PS",
        ".....S",
    ),
    (
        "delete",
        "/api/v1/programs/{id}/fields/{field_id}",
        "....PS",
        ".....S",
    ),
    ("post", "/api/v1/programs/{id}/open", "....PS", ".....S"),
    ("post", "/api/v1/programs/{id}/close", "....PS", ".....S"),
    ("post", "/api/v1/programs/{id}/archive", "....PS", ".....S"),
    ("get", "/api/v1/programs/{id}/checklist", "....PS", ".....S"),
    // Review set-up of a program.
    ("get", "/api/v1/programs/{id}/stages", ".MROPS", ".MROPS"),
    ("post", "/api/v1/programs/{id}/stages", "....PS", ".....S"),
    (
        "put",
        "/api/v1/programs/{id}/stages/{stage_id}",
        "....PS",
        ".....S",
    ),
    (
        "delete",
        "/api/v1/programs/{id}/stages/{stage_id}",
        "....PS",
        ".....S",
    ),
    ("get", "/api/v1/programs/{id}/rubric", ".MROPS", ".MROPS"),
    ("put", "/api/v1/programs/{id}/rubric", "....PS", ".....S"),
    (
        "get",
        "/api/v1/programs/{id}/committees",
        ".MROPS",
        ".MROPS",
    ),
    (
        "post",
        "/api/v1/programs/{id}/committees",
        "...OPS",
        ".....S",
    ),
    // Committees.
    ("get", "/api/v1/reviews/committees", ".MROPS", ".MROPS"),
    ("get", "/api/v1/committees/{id}", "..ROPS", ".....S"),
    (
        "put",
        "/api/v1/committees/{id}/members/{user_id}",
        "...OPS",
        ".....S",
    ),
    (
        "delete",
        "/api/v1/committees/{id}/members/{user_id}",
        "...OPS",
        ".....S",
    ),
    ("get", "/api/v1/committees/{id}/board", "..ROPS", ".....S"),
    (
        "post",
        "/api/v1/committees/{id}/assignments",
        "..ROPS",
        ".....S",
    ),
    (
        "post",
        "/api/v1/committees/{id}/publish",
        "..ROPS",
        ".....S",
    ),
    ("get", "/api/v1/reviews/queue", ".MROPS", ".MROPS"),
    // Initiatives.
    ("get", "/api/v1/initiatives", ".MROPS", ".MROPS"),
    ("post", "/api/v1/initiatives", ".MROP.", "......"),
    ("get", "/api/v1/initiatives/{id}", ".MROPS", ".....S"),
    ("patch", "/api/v1/initiatives/{id}", ".M....", "......"),
    (
        "post",
        "/api/v1/initiatives/{id}/submit",
        ".M....",
        "......",
    ),
    (
        "get",
        "/api/v1/initiatives/{id}/history",
        ".MROPS",
        ".....S",
    ),
    ("post", "/api/v1/initiatives/similar", ".MROPS", ".MROPS"),
    // Invitations to co-author: one's own list; nobody answers an invitation not theirs.
    ("get", "/api/v1/me/coauthor-invitations", ".MROPS", ".MROPS"),
    (
        "post",
        "/api/v1/me/coauthor-invitations/{initiative_id}/accept",
        "......",
        "......",
    ),
    (
        "post",
        "/api/v1/me/coauthor-invitations/{initiative_id}/decline",
        "......",
        "......",
    ),
    ("get", "/api/v1/search", "AMROPS", "AMROPS"),
    (
        "get",
        "/api/v1/initiatives/{id}/duplicates",
        "..ROPS",
        ".....S",
    ),
    (
        "get",
        "/api/v1/initiatives/{id}/attachments",
        ".MROPS",
        ".....S",
    ),
    (
        "post",
        "/api/v1/initiatives/{id}/attachments",
        ".M....",
        "......",
    ),
    ("get", "/api/v1/attachments/{id}", ".MROPS", ".....S"),
    // Reviewing an initiative.
    ("get", "/api/v1/initiatives/{id}/review", "..ROPS", ".....S"),
    (
        "put",
        "/api/v1/initiatives/{id}/review/scores",
        "..R...",
        "......",
    ),
    (
        "post",
        "/api/v1/initiatives/{id}/review/conflict",
        "..R...",
        "......",
    ),
    (
        "post",
        "/api/v1/initiatives/{id}/review/decision",
        "..R...",
        "......",
    ),
    (
        "post",
        "/api/v1/initiatives/{id}/review/withdraw",
        "..ROPS",
        ".....S",
    ),
    (
        "get",
        "/api/v1/initiatives/{id}/versions/diff",
        ".MROPS",
        ".....S",
    ),
    (
        "post",
        "/api/v1/initiatives/{id}/revoke",
        "...OPS",
        ".....S",
    ),
    ("put", "/api/v1/initiatives/{id}/award", "...OPS", ".....S"),
    // Organisation import.
    ("post", "/api/v1/imports/{kind}", "...O.S", "...O.S"),
    // Last: it takes `reviewer.a` off the in-scope initiative.
    (
        "delete",
        "/api/v1/committees/{id}/assignments/{initiative_id}/{reviewer_id}",
        "..ROPS",
        ".....S",
    ),
];

/// Every page route: method, path, in scope, out of scope.
const PAGES: &[(&str, &str, &str, &str)] = &[
    ("get", "/tai-khoan", ".MROPS", ".MROPS"),
    ("post", "/tai-khoan/mat-khau", ".MROPS", ".MROPS"),
    (
        "post",
        "/tai-khoan/phien/ket-thuc-tat-ca",
        ".MROPS",
        ".MROPS",
    ),
    (
        "post",
        "/tai-khoan/phien/{session_id}/ket-thuc",
        ".MROPS",
        ".MROPS",
    ),
    ("get", "/tai-khoan/du-lieu", ".MROPS", ".MROPS"),
    (
        "post",
        "/quan-tri/doan-vien/{id}/dang-xuat",
        "...O.S",
        ".....S",
    ),
    (
        "get",
        "/quan-tri/doan-vien/{id}/du-lieu",
        ".M.O.S",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/doan-vien/{id}/an-danh",
        "...O.S",
        ".....S",
    ),
    ("get", "/static/app.css", "AMROPS", "AMROPS"),
    ("get", "/static/app.js", "AMROPS", "AMROPS"),
    ("get", "/favicon.svg", "AMROPS", "AMROPS"),
    ("get", "/", "AMROPS", "AMROPS"),
    ("get", "/dang-nhap", "AMROPS", "AMROPS"),
    ("post", "/dang-nhap", "AMROPS", "AMROPS"),
    ("get", "/thu-vien", "AMROPS", "AMROPS"),
    ("get", "/thu-vien/{id}", "AMROPS", "AMROPS"),
    ("get", "/quen-mat-khau", "AMROPS", "AMROPS"),
    ("post", "/quen-mat-khau", "AMROPS", "AMROPS"),
    ("get", "/dat-lai-mat-khau", "AMROPS", "AMROPS"),
    ("post", "/dat-lai-mat-khau", "AMROPS", "AMROPS"),
    ("get", "/kich-hoat", "AMROPS", "AMROPS"),
    ("post", "/kich-hoat", "AMROPS", "AMROPS"),
    ("get", "/huy-nhan-thu", "AMROPS", "AMROPS"),
    ("post", "/huy-nhan-thu", "AMROPS", "AMROPS"),
    ("get", "/tai-khoan/thu", ".MROPS", ".MROPS"),
    ("post", "/tai-khoan/thu", ".MROPS", ".MROPS"),
    ("get", "/quan-tri/thu", ".....S", ".....S"),
    ("post", "/quan-tri/thu/{id}/gui-lai", ".....S", ".....S"),
    ("get", "/quan-tri", "...OPS", "...OPS"),
    ("get", "/quan-tri/nhat-ky", "...OPS", "...OPS"),
    ("get", "/quan-tri/he-thong", ".....S", ".....S"),
    (
        "post",
        "/quan-tri/he-thong/dung-lai-chi-muc",
        ".....S",
        ".....S",
    ),
    // Initiatives.
    ("get", "/sang-kien/moi", ".MROPS", ".MROPS"),
    ("post", "/sang-kien/moi", ".MROPS", ".MROPS"),
    ("post", "/sang-kien/tuong-tu", ".MROPS", ".MROPS"),
    ("get", "/sang-kien/{id}", ".MROPS", ".MROPS"),
    ("get", "/loi-moi-dong-tac-gia", ".MROPS", ".MROPS"),
    (
        "post",
        "/loi-moi-dong-tac-gia/{id}/xac-nhan",
        "......",
        "......",
    ),
    (
        "post",
        "/loi-moi-dong-tac-gia/{id}/tu-choi",
        "......",
        "......",
    ),
    ("get", "/sang-kien/{id}/sua", ".M....", "......"),
    ("post", "/sang-kien/{id}/sua", ".M....", "......"),
    ("get", "/sang-kien/{id}/bien-nhan", ".MROPS", ".....S"),
    ("post", "/sang-kien/{id}/tep", ".M....", "......"),
    (
        "get",
        "/sang-kien/{id}/tep/{attachment}",
        ".MROPS",
        ".....S",
    ),
    ("post", "/sang-kien/{id}/khen-thuong", "...OPS", ".....S"),
    ("post", "/sang-kien/{id}/thu-hoi", "...OPS", ".....S"),
    // Review.
    ("get", "/xet-duyet", ".MROPS", ".MROPS"),
    ("get", "/xet-duyet/{id}", "..ROPS", ".....S"),
    ("post", "/xet-duyet/{id}/cham", "..R...", "......"),
    ("post", "/xet-duyet/{id}/quyet-dinh", "..R...", "......"),
    ("post", "/xet-duyet/{id}/xung-dot", "..R...", "......"),
    ("post", "/xet-duyet/{id}/rut", "..ROPS", ".....S"),
    ("get", "/xet-duyet/{id}/so-sanh/{other}", "..ROPS", ".....S"),
    ("get", "/xet-duyet/{id}/thay-doi", ".MROPS", ".....S"),
    ("get", "/xet-duyet/{id}/phieu-cham", "..ROPS", ".....S"),
    ("get", "/hoi-dong/{id}", "..ROPS", ".....S"),
    ("post", "/hoi-dong/{id}/phan-cong", "..ROPS", ".....S"),
    ("post", "/hoi-dong/{id}/cong-bo", "..ROPS", ".....S"),
    ("get", "/hoi-dong/{id}/bien-ban", "..ROPS", ".....S"),
    ("post", "/hoi-dong/{id}/thanh-vien", "...OPS", ".....S"),
    (
        "post",
        "/hoi-dong/{id}/thanh-vien/{user}/xoa",
        "...OPS",
        ".....S",
    ),
    // Program administration.
    ("get", "/quan-tri/chuong-trinh", "....PS", "....PS"),
    ("get", "/quan-tri/chuong-trinh/moi", "....PS", "....PS"),
    ("post", "/quan-tri/chuong-trinh", "....PS", ".....S"),
    ("get", "/quan-tri/chuong-trinh/{id}", "....PS", ".....S"),
    ("post", "/quan-tri/chuong-trinh/{id}", "....PS", ".....S"),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/dot",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/dot/{phase}",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/dot/{phase}/xoa",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/linh-vuc",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/linh-vuc/{field}",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa",
        "....PS",
        ".....S",
    ),
    ("post", "/quan-tri/chuong-trinh/{id}/mo", "....PS", ".....S"),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/dong",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/luu-tru",
        "....PS",
        ".....S",
    ),
    (
        "get",
        "/quan-tri/chuong-trinh/{id}/xet-duyet",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/vong",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/vong/{stage}",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/vong/{stage}/xoa",
        "....PS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/tieu-chi",
        "....PS",
        ".....S",
    ),
    // The committee form belongs to the program's review set-up page (program
    // administrators); a union's officers create its committees through the API.
    (
        "post",
        "/quan-tri/chuong-trinh/{id}/hoi-dong",
        "....PS",
        ".....S",
    ),
    // Union administration.
    ("get", "/quan-tri/don-vi", "...O.S", "...O.S"),
    ("get", "/quan-tri/don-vi/{id}", "...O.S", ".....S"),
    ("post", "/quan-tri/don-vi/{id}", "...O.S", ".....S"),
    (
        "post",
        "/quan-tri/don-vi/{id}/don-vi-con",
        "...O.S",
        ".....S",
    ),
    ("post", "/quan-tri/don-vi/{id}/chuyen", "...O.S", ".....S"),
    ("post", "/quan-tri/don-vi/{id}/ngung", "...O.S", ".....S"),
    (
        "post",
        "/quan-tri/don-vi/{id}/kich-hoat-lai",
        "...O.S",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/don-vi/{id}/thu-truong",
        "...O.S",
        ".....S",
    ),
    ("get", "/quan-tri/doan-vien", "...O.S", "...O.S"),
    ("get", "/quan-tri/doan-vien/moi", "...O.S", "...O.S"),
    ("post", "/quan-tri/doan-vien", "...O.S", ".....S"),
    ("get", "/quan-tri/doan-vien/{id}", "...O.S", ".....S"),
    ("post", "/quan-tri/doan-vien/{id}", "...O.S", ".....S"),
    (
        "post",
        "/quan-tri/doan-vien/{id}/trang-thai",
        "...O.S",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/doan-vien/{id}/moi-kich-hoat",
        "...O.S",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/doan-vien/{id}/vai-tro",
        "...OPS",
        ".....S",
    ),
    (
        "post",
        "/quan-tri/doan-vien/{id}/vai-tro/{grant}/thu-hoi",
        "...OPS",
        ".....S",
    ),
    ("get", "/don-vi/nhap-du-lieu", "...O.S", "...O.S"),
    ("post", "/don-vi/nhap-du-lieu", "...O.S", "...O.S"),
    ("post", "/don-vi/nhap-du-lieu/{token}", "...O.S", "...O.S"),
    // Dashboards and reports.
    ("get", "/thi-dua", "...OPS", "...OPS"),
    ("get", "/don-vi/{id}/thanh-tich", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/bao-cao", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/xep-hang", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/xep-hang.xlsx", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/xep-hang.csv", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/chi-tieu", "...OPS", ".....S"),
    ("post", "/don-vi/{id}/chi-tieu", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/sang-kien", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/sang-kien.xlsx", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/sang-kien.csv", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/thanh-tich.xlsx", "...OPS", ".....S"),
    ("get", "/don-vi/{id}/thanh-tich.csv", "...OPS", ".....S"),
    // Signing out last: it ends the sessions the walk uses.
    ("post", "/dang-xuat", "AMROPS", "AMROPS"),
];

/// One side of a pair of resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    In,
    Out,
}

/// The resources of one scope.
#[derive(Debug, Clone)]
struct Side {
    /// A province union (`CB` / `LS`).
    province: i64,
    /// Its vocational upper union.
    upper: i64,
    /// A grassroots union below it.
    grassroots: i64,
    /// A member of the grassroots union (`member.a` / `member.b`) and their token.
    member: i64,
    member_token: String,
    /// A program owned by the province, open, with one phase and one field.
    program: i64,
    phase: i64,
    field: i64,
    stage: i64,
    /// The province's committee of the fixture program.
    committee: i64,
    /// A person of the province to put on committees.
    person: i64,
    /// The chair of the province's committee.
    chair: i64,
    /// The member's submitted initiative in the fixture program, and its attachment.
    initiative: i64,
    attachment: i64,
    /// Another one of the member's, approved.
    approved: i64,
    /// One of the member's in another program of the province, approved.
    owned: i64,
}

/// Everything the walk needs.
struct Fx {
    w: World,
    sides: [Side; 2],
    admin: String,
    rubric: Value,
    mail_id: i64,
    counter: Mutex<u32>,
}

impl Fx {
    fn side(&self, scope: Scope) -> &Side {
        match scope {
            Scope::In => &self.sides[0],
            Scope::Out => &self.sides[1],
        }
    }

    async fn next(&self) -> u32 {
        let mut c = self.counter.lock().await;
        *c += 1;
        *c
    }
}

/// A request body.
enum Body {
    None,
    Json(Value),
    File(&'static str, Vec<u8>),
}

fn assert_ok(status: StatusCode, what: &str, body: &Value) {
    assert!(status.is_success(), "{what}: {status} {body}");
}

async fn admin_json(
    app: &TestApp,
    fx_admin: &str,
    method: Method,
    path: &str,
    body: Value,
) -> Value {
    let res = app
        .request(method, path, Some(fx_admin))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    assert_ok(status, path, &v);
    v
}

fn program_body(code: &str, owner: i64) -> Value {
    let now = chrono::Utc::now();
    json!({
        "code": code,
        "name": format!("Chương trình {code}"),
        "description": "Chương trình của tỉnh.",
        "owner_union_id": owner,
        "phases": [{"name": "Đợt 1", "opens_at": now - chrono::Duration::days(5),
                    "closes_at": now + chrono::Duration::days(30)}],
        "fields": [{"code": "an-toan", "name": "An toàn lao động"}],
    })
}

/// A program owned by `owner`, open; answers its view.
async fn open_program(app: &TestApp, admin: &str, code: &str, owner: i64) -> Value {
    let p = admin_json(
        app,
        admin,
        Method::POST,
        "/api/v1/programs",
        program_body(code, owner),
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    admin_json(
        app,
        admin,
        Method::POST,
        &format!("/api/v1/programs/{id}/open"),
        json!({}),
    )
    .await;
    p
}

/// Approves an initiative as its committee would (whether or not it was routed to one).
pub(crate) async fn approve(app: &TestApp, id: i64) {
    app.db
        .write(move |conn| {
            use sangkien::domain::InitiativeStatus;
            let _ = sangkien::service::initiatives::force_status_in(
                conn,
                1,
                id,
                InitiativeStatus::UnderReview,
                None,
            );
            sangkien::service::initiatives::force_status_in(
                conn,
                1,
                id,
                InitiativeStatus::Approved,
                None,
            )?;
            Ok(())
        })
        .await
        .unwrap();
}

/// A draft of `token` in the fixture program, with a small attachment, submitted.
async fn submitted_with_file(app: &TestApp, token: &str, body: &Value) -> (i64, i64) {
    let draft = json(app.post("/api/v1/initiatives", token, body).await).await;
    let id = draft["id"].as_i64().unwrap();
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 thu nghiem".to_vec())
        .file_name("ho-so.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let res = app
        .request(
            Method::POST,
            &format!("/api/v1/initiatives/{id}/attachments"),
            Some(token),
        )
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let att = json(res).await;
    assert_ok(status, "upload", &att);
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            token,
            &json!({}),
        )
        .await;
    let status = res.status();
    let v = json(res).await;
    assert_ok(status, "submit", &v);
    (id, att["id"].as_i64().unwrap())
}

async fn union_id(app: &TestApp, code: &'static str) -> i64 {
    app.db
        .read(move |conn| Ok(sangkien::db::unions::find_by_code(conn, code)?))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn setup(app: &TestApp) -> Fx {
    let w = app.world().await;
    let admin = app.login(who::ADMIN).await;
    let padmin = app.person(PADMIN_CB, "Lương Văn Chương", w.cb).await;
    admin_json(
        app,
        &admin,
        Method::POST,
        &format!("/api/v1/users/{padmin}/roles"),
        json!({"role": "program_admin", "union_id": w.cb}),
    )
    .await;
    let member_a = app.login(who::MEMBER_A).await;
    let member_b = app.login(who::MEMBER_B).await;
    let reviewer_a = json(
        app.get("/api/v1/me", &app.login(who::REVIEWER_A).await)
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // The fixture program is reviewed by province committees: Cao Bằng's chaired by
    // `reviewer.a`, Lạng Sơn's by one of its people.
    let stages = admin_json(
        app,
        &admin,
        Method::GET,
        &format!("/api/v1/programs/{}/stages", w.program),
        Value::Null,
    )
    .await;
    let review_stage = stages[0]["id"].as_i64().unwrap();
    admin_json(
        app,
        &admin,
        Method::PUT,
        &format!("/api/v1/programs/{}/stages/{review_stage}", w.program),
        json!({"name": "Tỉnh xét duyệt", "union_level": 1, "reviews_required": 1,
               "blind_scoring": false, "chair_publishes": false}),
    )
    .await;
    let mut sides = Vec::new();
    for (n, (province, upper_code, grassroots, member, token)) in [
        (w.cb, "CB-VC", w.cb_hq, w.member_a, member_a),
        (w.ls, "LS-VC", w.ls_gd, w.member_b, member_b),
    ]
    .into_iter()
    .enumerate()
    {
        let upper = union_id(app, upper_code).await;
        let committee = admin_json(
            app,
            &admin,
            Method::POST,
            &format!("/api/v1/programs/{}/committees", w.program),
            json!({"stage_id": review_stage, "union_id": province}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let chair = if n == 0 {
            reviewer_a
        } else {
            app.person("chu.tich.ls@test.vn", "Lộc Văn Chủ", province)
                .await
        };
        admin_json(
            app,
            &admin,
            Method::PUT,
            &format!("/api/v1/committees/{committee}/members/{chair}"),
            json!({"chair": true}),
        )
        .await;
        let p = open_program(app, &admin, &format!("TINH-{n}"), province).await;
        let program = p["id"].as_i64().unwrap();
        let stages = admin_json(
            app,
            &admin,
            Method::GET,
            &format!("/api/v1/programs/{program}/stages"),
            Value::Null,
        )
        .await;
        let stage = stages[0]["id"].as_i64().unwrap();
        let person = app
            .person(&format!("uy.vien.{n}@test.vn"), "Hà Văn Ủy", province)
            .await;
        let (initiative, attachment) =
            submitted_with_file(app, &token, &distinct_draft(&w, 2 * n)).await;
        let (approved, _) = submitted_with_file(app, &token, &distinct_draft(&w, 2 * n + 1)).await;
        approve(app, approved).await;
        // One in the province's own program, approved: its officers conclude it.
        let own_program = open_program(app, &admin, &format!("TINH-RIENG-{n}"), province).await;
        let mut body = complete_draft(&w, &format!("Sáng kiến của tỉnh số {n}"));
        body["program_id"] = json!(own_program["id"]);
        body["field_id"] = json!(own_program["fields"][0]["id"]);
        body["current_situation"] = json!(gibberish(1000 + n as u64, 30));
        body["solution"] = json!(gibberish(2000 + n as u64, 30));
        let (owned, _) = submitted_with_file(app, &token, &body).await;
        approve(app, owned).await;
        sides.push(Side {
            province,
            upper,
            grassroots,
            member,
            member_token: token,
            program,
            phase: p["phases"][0]["id"].as_i64().unwrap(),
            field: p["fields"][0]["id"].as_i64().unwrap(),
            stage,
            committee,
            person,
            chair,
            initiative,
            attachment,
            approved,
            owned,
        });
    }
    let rubric = admin_json(
        app,
        &admin,
        Method::GET,
        &format!("/api/v1/programs/{}/rubric", sides[0].program),
        Value::Null,
    )
    .await;
    // Something in the outbox: a password reset.
    let res = app
        .request(Method::POST, "/api/v1/auth/password-reset", None)
        .json(&json!({"login": who::COAUTHOR_A}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let outbox = admin_json(app, &admin, Method::GET, "/api/v1/admin/mail", Value::Null).await;
    let mail_id = outbox["items"][0]["id"].as_i64().unwrap_or(1);
    let [a, b]: [Side; 2] = sides.try_into().unwrap();
    Fx {
        w,
        sides: [a, b],
        admin,
        rubric,
        mail_id,
        counter: Mutex::new(0),
    }
}

/// Words to make texts that resemble nothing else.
const WORDS: [&str; 48] = [
    "máy",
    "bơm",
    "nước",
    "lò",
    "hơi",
    "băng",
    "tải",
    "kho",
    "hàng",
    "sổ",
    "sách",
    "điện",
    "tử",
    "an",
    "toàn",
    "xưởng",
    "dệt",
    "may",
    "gạch",
    "ngói",
    "xi",
    "măng",
    "quặng",
    "than",
    "giống",
    "lúa",
    "phân",
    "bón",
    "trạm",
    "biến",
    "áp",
    "cáp",
    "quang",
    "mạng",
    "phần",
    "mềm",
    "hồ",
    "sơ",
    "thuế",
    "bệnh",
    "viện",
    "trường",
    "học",
    "cầu",
    "đường",
    "cảng",
    "chè",
    "cà",
];

/// A text of `len` words drawn from `seed`.
fn gibberish(seed: u64, len: usize) -> String {
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut out = Vec::new();
    for _ in 0..len {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.push(WORDS[usize::try_from(x >> 33).unwrap() % WORDS.len()]);
    }
    out.join(" ")
}

/// A fresh submitted initiative of the side's member (for requests that change it).
async fn fresh_initiative(app: &TestApp, fx: &Fx, scope: Scope) -> i64 {
    let n = u64::from(fx.next().await);
    let s = fx.side(scope);
    let mut body = complete_draft(&fx.w, &format!("Sáng kiến số {n}: {}", gibberish(n, 5)));
    body["current_situation"] = json!(gibberish(n * 7 + 1, 30));
    body["solution"] = json!(gibberish(n * 7 + 2, 30));
    body["scope"] = json!(gibberish(n * 7 + 3, 12));
    body["benefits"] = json!(gibberish(n * 7 + 4, 12));
    let (id, _) = submitted_with_file(app, &s.member_token, &body).await;
    id
}

/// A stage of `program` that may be removed: the one left by an earlier refused request, or
/// a new one (a program has at most ten stages).
async fn spare_stage(app: &TestApp, fx: &Fx, program: i64) -> i64 {
    let path = format!("/api/v1/programs/{program}/stages");
    let stages = admin_json(app, &fx.admin, Method::GET, &path, Value::Null).await;
    let spare = |stages: &Value| {
        stages
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "Vòng tạm")
            .map(|x| x["id"].as_i64().unwrap())
    };
    if let Some(id) = spare(&stages) {
        return id;
    }
    let stages = admin_json(
        app,
        &fx.admin,
        Method::POST,
        &path,
        json!({"name": "Vòng tạm", "union_level": 3, "position": 1}),
    )
    .await;
    spare(&stages).unwrap()
}

/// The concrete request for an API operation.
async fn api_request(
    app: &TestApp,
    fx: &Fx,
    method: &str,
    path: &str,
    scope: Scope,
) -> (Method, String, Body) {
    let s = fx.side(scope);
    let n = fx.next().await;
    let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let j = Body::Json;
    let admin = &fx.admin;
    let (url, body) = match (method, path) {
        ("post", "/api/v1/auth/login") => (
            path.to_owned(),
            j(json!({"login": who::COAUTHOR_A, "password": crate::helpers::PASSWORD})),
        ),
        ("post", "/api/v1/auth/password-reset") => {
            (path.to_owned(), j(json!({"login": "khong-co@test.vn"})))
        }
        ("post", "/api/v1/auth/password-reset/confirm" | "/api/v1/auth/invitation/accept") => (
            path.to_owned(),
            j(json!({"token": "khong-hop-le", "password": "mat-khau-moi-dai-du"})),
        ),
        ("post", "/api/v1/mail/unsubscribe") => {
            (path.to_owned(), j(json!({"token": "khong-hop-le"})))
        }
        ("put", "/api/v1/me/mail-preferences") => {
            let current = json(app.get("/api/v1/me/mail-preferences", &fx.admin).await).await;
            (path.to_owned(), j(current))
        }
        ("post", "/api/v1/admin/mail/{id}/retry") => (
            format!("/api/v1/admin/mail/{}/retry", fx.mail_id),
            j(json!({})),
        ),
        ("post", "/api/v1/unions") => (
            path.to_owned(),
            j(
                json!({"parent_id": s.grassroots, "code": format!("TO-{n}"), "name": format!("Tổ công đoàn số {n}")}),
            ),
        ),
        ("patch", "/api/v1/unions/{id}") => (
            format!("/api/v1/unions/{}", s.upper),
            j(json!({"cluster": "Cụm 1"})),
        ),
        ("put", "/api/v1/unions/{id}/quotas") => (
            format!("/api/v1/unions/{}/quotas", s.province),
            j(json!({"program_id": fx.w.program, "allocations": []})),
        ),
        ("post", "/api/v1/unions/{id}/move") => (
            format!("/api/v1/unions/{}/move", s.grassroots),
            j(json!({"parent_id": s.upper})),
        ),
        ("get", "/api/v1/unions/{id}/search") => (
            format!("/api/v1/unions/{}/search?q=cong", s.province),
            Body::None,
        ),
        ("put", "/api/v1/unions/{id}/head") => (
            format!("/api/v1/unions/{}/head", s.grassroots),
            j(json!({"user_id": s.member})),
        ),
        (
            "get",
            "/api/v1/unions/{id}/dashboard"
            | "/api/v1/unions/{id}/quotas"
            | "/api/v1/unions/{id}/leaderboard",
        ) => (
            format!(
                "{}?program_id={}",
                path.replace("{id}", &s.province.to_string()),
                fx.w.program
            ),
            Body::None,
        ),
        (
            "get",
            "/api/v1/unions/{id}/dashboard/export" | "/api/v1/unions/{id}/initiatives/export",
        ) => (
            format!(
                "{}?program_id={}&format=csv",
                path.replace("{id}", &s.province.to_string()),
                fx.w.program
            ),
            Body::None,
        ),
        ("get", "/api/v1/unions/{id}/initiatives") => (
            format!(
                "/api/v1/unions/{}/initiatives?program_id={}",
                s.province, fx.w.program
            ),
            Body::None,
        ),
        (_, p) if p.starts_with("/api/v1/unions/{id}") => {
            (p.replace("{id}", &s.province.to_string()), Body::None)
        }
        ("post", "/api/v1/users") => (
            path.to_owned(),
            j(
                json!({"email": format!("moi.{n}@test.vn"), "full_name": "Người Mới", "union_id": s.grassroots}),
            ),
        ),
        ("patch", "/api/v1/users/{id}") => (
            format!("/api/v1/users/{}", s.member),
            j(json!({"phone": "0912345678"})),
        ),
        ("post", "/api/v1/users/{id}/roles") => (
            format!("/api/v1/users/{}/roles", s.person),
            j(json!({"role": "reviewer", "union_id": s.province, "program_id": s.program})),
        ),
        ("delete", "/api/v1/users/{id}/roles/{grant_id}") => {
            let grants = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/users/{}/roles", s.person),
                json!({"role": "reviewer", "union_id": s.grassroots, "program_id": s.program}),
            )
            .await;
            let gid = grants
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|g| g["union_id"] == json!(s.grassroots))
                .map(|g| g["id"].as_i64().unwrap())
                .unwrap();
            let _ = gid;
            (
                format!("/api/v1/users/{}/roles/{gid}", s.person),
                Body::None,
            )
        }
        ("post", "/api/v1/users/{id}/invite") => {
            (format!("/api/v1/users/{}/invite", s.person), j(json!({})))
        }
        ("post", "/api/v1/me/password") => (
            path.to_owned(),
            // A wrong current password: past the permission check, and nothing changes.
            j(json!({"current_password": "khong-phai-mat-khau", "new_password": "mat-khau-moi-2026"})),
        ),
        // The walk puts the id of the role's fresh session in.
        ("delete", "/api/v1/me/sessions/{session_id}") => {
            ("/api/v1/me/sessions/0".to_owned(), Body::None)
        }
        ("post", "/api/v1/users/{id}/sessions/revoke") => (
            format!("/api/v1/users/{}/sessions/revoke", s.person),
            j(json!({})),
        ),
        ("post", "/api/v1/users/{id}/anonymise") => {
            let id = throwaway_member(app, fx, s.grassroots, n).await;
            (format!("/api/v1/users/{id}/anonymise"), j(json!({})))
        }
        (_, p) if p.starts_with("/api/v1/users/{id}") => {
            (p.replace("{id}", &s.member.to_string()), Body::None)
        }
        ("post", "/api/v1/programs") => (
            path.to_owned(),
            j(program_body(&format!("MOI-{n}"), s.province)),
        ),
        ("patch", "/api/v1/programs/{id}") => (
            format!("/api/v1/programs/{}", s.program),
            j(json!({"description": "Chương trình của tỉnh, mô tả mới."})),
        ),
        ("post", "/api/v1/programs/{id}/phases") => {
            let now = chrono::Utc::now();
            (
                format!("/api/v1/programs/{}/phases", s.program),
                j(
                    json!({"name": format!("Đợt {n}"), "opens_at": now + chrono::Duration::days(100 + i64::from(n)), "closes_at": now + chrono::Duration::days(101 + i64::from(n))}),
                ),
            )
        }
        ("put", "/api/v1/programs/{id}/phases/{phase_id}") => {
            let now = chrono::Utc::now();
            (
                format!("/api/v1/programs/{}/phases/{}", s.program, s.phase),
                j(
                    json!({"name": "Đợt 1", "opens_at": now - chrono::Duration::days(5), "closes_at": now + chrono::Duration::days(30)}),
                ),
            )
        }
        ("delete", "/api/v1/programs/{id}/phases/{phase_id}") => {
            let now = chrono::Utc::now();
            let p = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/programs/{}/phases", s.program),
                json!({"name": format!("Đợt tạm {n}"), "opens_at": now + chrono::Duration::days(200 + i64::from(n)), "closes_at": now + chrono::Duration::days(201 + i64::from(n))}),
            )
            .await;
            let phase = p["phases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == json!(format!("Đợt tạm {n}")))
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            (
                format!("/api/v1/programs/{}/phases/{phase}", s.program),
                Body::None,
            )
        }
        ("post", "/api/v1/programs/{id}/fields") => (
            format!("/api/v1/programs/{}/fields", s.program),
            j(json!({"code": format!("linh-vuc-{n}"), "name": format!("Lĩnh vực {n}")})),
        ),
        ("patch", "/api/v1/programs/{id}/fields/{field_id}") => (
            format!("/api/v1/programs/{}/fields/{}", s.program, s.field),
            j(json!({"name": "An toàn lao động"})),
        ),
        ("delete", "/api/v1/programs/{id}/fields/{field_id}") => {
            let p = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/programs/{}/fields", s.program),
                json!({"code": format!("tam-{n}"), "name": format!("Tạm {n}")}),
            )
            .await;
            let field = p["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["code"] == json!(format!("tam-{n}")))
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            (
                format!("/api/v1/programs/{}/fields/{field}", s.program),
                Body::None,
            )
        }
        (
            "post",
            "/api/v1/programs/{id}/open"
            | "/api/v1/programs/{id}/close"
            | "/api/v1/programs/{id}/archive",
        ) => {
            let p = open_program(app, admin, &format!("TAM-{n}"), s.province).await;
            (
                path.replace("{id}", &p["id"].as_i64().unwrap().to_string()),
                j(json!({})),
            )
        }
        ("post", "/api/v1/programs/{id}/stages") => (
            format!("/api/v1/programs/{}/stages", s.program),
            j(json!({"name": format!("Vòng {n}"), "union_level": 2, "position": 1})),
        ),
        ("put", "/api/v1/programs/{id}/stages/{stage_id}") => {
            let stages = admin_json(
                app,
                admin,
                Method::GET,
                &format!("/api/v1/programs/{}/stages", s.program),
                Value::Null,
            )
            .await;
            let st = stages
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == json!(s.stage))
                .unwrap()
                .clone();
            (
                format!("/api/v1/programs/{}/stages/{}", s.program, s.stage),
                j(st),
            )
        }
        ("delete", "/api/v1/programs/{id}/stages/{stage_id}") => {
            let st = spare_stage(app, fx, s.program).await;
            (
                format!("/api/v1/programs/{}/stages/{st}", s.program),
                Body::None,
            )
        }
        ("put", "/api/v1/programs/{id}/rubric") => (
            format!("/api/v1/programs/{}/rubric", s.program),
            j(fx.rubric.clone()),
        ),
        ("post", "/api/v1/programs/{id}/committees") => (
            format!("/api/v1/programs/{}/committees", s.program),
            j(json!({"stage_id": s.stage, "union_id": s.province})),
        ),
        (_, p) if p.starts_with("/api/v1/programs/{id}") => {
            (p.replace("{id}", &s.program.to_string()), Body::None)
        }
        ("put", "/api/v1/committees/{id}/members/{user_id}") => (
            format!("/api/v1/committees/{}/members/{}", s.committee, s.person),
            j(json!({"chair": false})),
        ),
        ("delete", "/api/v1/committees/{id}/members/{user_id}") => {
            let who = app
                .person(&format!("tam.{n}@test.vn"), "Người Tạm", s.province)
                .await;
            admin_json(
                app,
                admin,
                Method::PUT,
                &format!("/api/v1/committees/{}/members/{who}", s.committee),
                json!({"chair": false}),
            )
            .await;
            (
                format!("/api/v1/committees/{}/members/{who}", s.committee),
                Body::None,
            )
        }
        ("post", "/api/v1/committees/{id}/assignments") => (
            format!("/api/v1/committees/{}/assignments", s.committee),
            j(json!({"initiative_ids": [s.initiative], "reviewer_id": s.person})),
        ),
        ("delete", "/api/v1/committees/{id}/assignments/{initiative_id}/{reviewer_id}") => (
            format!(
                "/api/v1/committees/{}/assignments/{}/{}",
                s.committee, s.initiative, s.chair
            ),
            Body::None,
        ),
        ("post", "/api/v1/committees/{id}/publish") => (
            format!("/api/v1/committees/{}/publish", s.committee),
            j(json!({"initiative_ids": [s.initiative]})),
        ),
        (_, p) if p.starts_with("/api/v1/committees/{id}") => {
            (p.replace("{id}", &s.committee.to_string()), Body::None)
        }
        ("post", "/api/v1/initiatives") => {
            let mut body = complete_draft(&fx.w, &format!("Sáng kiến thử số {n}"));
            body["program_id"] = json!(s.program);
            body["field_id"] = json!(null);
            (path.to_owned(), j(body))
        }
        ("patch", "/api/v1/initiatives/{id}") => (
            format!("/api/v1/initiatives/{}", s.initiative),
            j(json!({"version": 1, "title": "Đổi tên sáng kiến"})),
        ),
        ("post", "/api/v1/initiatives/{id}/submit") => (
            format!("/api/v1/initiatives/{}/submit", s.initiative),
            j(json!({})),
        ),
        ("post", "/api/v1/initiatives/similar") => (
            path.to_owned(),
            j(
                json!({"title": "Số hóa hồ sơ", "current_situation": "Hồ sơ giấy.", "solution": "Quét hồ sơ.", "scope": "", "benefits": ""}),
            ),
        ),
        ("get", "/api/v1/search") => (format!("{path}?q=cam+bien"), Body::None),
        ("post", "/api/v1/initiatives/{id}/attachments") => (
            format!("/api/v1/initiatives/{}/attachments", s.initiative),
            Body::File("ghi-chu.pdf", b"%PDF-1.4 thu".to_vec()),
        ),
        ("get", "/api/v1/attachments/{id}") => {
            (format!("/api/v1/attachments/{}", s.attachment), Body::None)
        }
        ("put", "/api/v1/initiatives/{id}/review/scores") => (
            format!("/api/v1/initiatives/{}/review/scores", s.initiative),
            j(json!({"scores": {}, "comment": "Chưa chấm xong."})),
        ),
        ("post", "/api/v1/initiatives/{id}/review/conflict") => {
            let id = fresh_initiative(app, fx, scope).await;
            (
                format!("/api/v1/initiatives/{id}/review/conflict"),
                j(json!({"note": "Người nhà của tác giả."})),
            )
        }
        ("post", "/api/v1/initiatives/{id}/review/decision") => {
            let id = fresh_initiative(app, fx, scope).await;
            (
                format!("/api/v1/initiatives/{id}/review/decision"),
                j(json!({"decision": "return", "note": "Bổ sung số liệu."})),
            )
        }
        ("post", "/api/v1/initiatives/{id}/review/withdraw") => {
            let id = fresh_initiative(app, fx, scope).await;
            (
                format!("/api/v1/initiatives/{id}/review/withdraw"),
                j(json!({})),
            )
        }
        ("post", "/api/v1/initiatives/{id}/revoke") => (
            format!("/api/v1/initiatives/{}/revoke", s.owned),
            j(json!({"reason": "Thử quyền thu hồi."})),
        ),
        ("put", "/api/v1/initiatives/{id}/award") => (
            format!("/api/v1/initiatives/{}/award", s.owned),
            j(json!({"level": "Giấy khen", "note": null})),
        ),
        (_, p) if p.starts_with("/api/v1/initiatives/{id}") => {
            (p.replace("{id}", &s.initiative.to_string()), Body::None)
        }
        ("post", p) if p.starts_with("/api/v1/me/coauthor-invitations/{initiative_id}") => (
            p.replace("{initiative_id}", &s.initiative.to_string()),
            j(json!({})),
        ),
        ("post", "/api/v1/imports/{kind}") => (
            "/api/v1/imports/unions?dry_run=true".to_owned(),
            Body::File(
                "don-vi.csv",
                "Mã đơn vị,Mã đơn vị cấp trên,Tên đơn vị,Cấp,Cụm thi đua,Số đoàn viên\nTO-API,CB-VC-HQ,Tổ nhập qua API,4,,5\n"
                    .as_bytes()
                    .to_vec(),
            ),
        ),
        ("get", _) => (path.to_owned(), Body::None),
        (_, p) if !p.contains('{') => (p.to_owned(), j(json!({}))),
        _ => panic!("no request for {method} {path}"),
    };
    (m, url, body)
}

/// The id of the session a token belongs to.
async fn current_session(app: &TestApp, token: &str) -> String {
    let list = json(app.get("/api/v1/me/sessions", token).await).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A member made for one request that changes them for good (anonymisation).
async fn throwaway_member(app: &TestApp, fx: &Fx, union_id: i64, n: u32) -> i64 {
    let user = admin_json(
        app,
        &fx.admin,
        Method::POST,
        "/api/v1/users",
        json!({"email": format!("tam.thoi.{n}@test.vn"), "full_name": "Đoàn Viên Tạm", "union_id": union_id}),
    )
    .await;
    user["id"].as_i64().unwrap()
}

/// Is `status` (with the redirect target, for pages) an allowed outcome?
fn allowed(status: StatusCode, location: Option<&str>) -> bool {
    match status.as_u16() {
        200..=299 | 400 | 409 | 413 | 415 | 422 => true,
        300..=399 => !location.is_some_and(|l| l.starts_with("/dang-nhap")),
        _ => false,
    }
}

fn expectation(code: &str, role: usize) -> bool {
    code.as_bytes()[role] != b'.'
}

async fn every_operation_and_page_by_every_role(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let fx = setup(&app).await;
    let mut problems: Vec<String> = Vec::new();

    // The table lists exactly the operations of the document.
    let doc = json(
        app.request(Method::GET, "/api/v1/openapi.json", None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = API
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(listed.len(), API.len(), "an operation is listed twice");
    for (m, p) in documented.difference(&listed) {
        problems.push(format!("not classified: {m} {p}"));
    }
    for (m, p) in listed.difference(&documented) {
        problems.push(format!("listed but not documented: {m} {p}"));
    }

    let logins = [
        None,
        Some(who::MEMBER_A),
        Some(who::REVIEWER_A),
        Some(who::OFFICER_A),
        Some(PADMIN_CB),
        Some(who::ADMIN),
    ];
    let mut tokens = Vec::new();
    for l in logins {
        tokens.push(match l {
            Some(l) => Some(app.login(l).await),
            None => None,
        });
    }

    let mut requests = 0;
    for (method, path, inside, outside) in API {
        for (scope, code) in [(Scope::In, inside), (Scope::Out, outside)] {
            for (role, token) in tokens.iter().enumerate() {
                if *path == SIGN_OUT_EVERYWHERE.0 {
                    continue;
                }
                let (m, mut url, body) = api_request(&app, &fx, method, path, scope).await;
                // Operations that end the caller's own session get a session of their own.
                let own_session = matches!(
                    *path,
                    "/api/v1/auth/logout"
                        | "/api/v1/me/sessions/revoke-all"
                        | "/api/v1/me/sessions/{session_id}"
                );
                let fresh = match logins[role] {
                    Some(l) if own_session => Some(app.login(l).await),
                    _ => None,
                };
                if *path == "/api/v1/me/sessions/{session_id}"
                    && let Some(t) = &fresh
                {
                    url = format!("/api/v1/me/sessions/{}", current_session(&app, t).await);
                }
                let token = if own_session { &fresh } else { token };
                let mut rb = app.request(m, &url, token.as_deref());
                rb = match body {
                    Body::None => rb,
                    Body::Json(v) => rb.json(&v),
                    Body::File(name, bytes) => rb.multipart(
                        reqwest::multipart::Form::new().part(
                            "file",
                            reqwest::multipart::Part::bytes(bytes)
                                .file_name(name)
                                .mime_str("application/octet-stream")
                                .unwrap(),
                        ),
                    ),
                };
                let res = rb.send().await.unwrap();
                requests += 1;
                let status = res.status();
                let got = allowed(status, None);
                if got != expectation(code, role) {
                    let body = res.text().await.unwrap_or_default();
                    problems.push(format!(
                        "API {} {path} ({scope:?}) as {}: expected {}, got {status} {}",
                        method.to_uppercase(),
                        ROLES[role],
                        if expectation(code, role) {
                            "allowed"
                        } else {
                            "refused"
                        },
                        body.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }

    // Pages: the table lists exactly the routes the web module registers.
    let listed: BTreeSet<(&str, &str)> = PAGES.iter().map(|(m, p, _, _)| (*m, *p)).collect();
    let routes: BTreeSet<(&str, &str)> =
        sangkien::routes::web::PAGE_ROUTES.iter().copied().collect();
    assert_eq!(listed.len(), PAGES.len(), "a page is listed twice");
    for (m, p) in routes.difference(&listed) {
        problems.push(format!("page not classified: {m} {p}"));
    }
    for (m, p) in listed.difference(&routes) {
        problems.push(format!("page listed but not a route: {m} {p}"));
    }
    let mut clients: Vec<(Client, String)> = Vec::new();
    for l in logins {
        let c = match l {
            Some(l) => sign_in(&app, l).await,
            None => browser(),
        };
        let page = text(
            c.get(format!("{}/dang-nhap", app.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let csrf = if page.contains("name=\"csrf\"") {
            csrf_of(&page)
        } else {
            let home = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
            csrf_of(&home)
        };
        clients.push((c, csrf));
    }
    for (method, path, inside, outside) in PAGES {
        for (scope, code) in [(Scope::In, inside), (Scope::Out, outside)] {
            for (role, (client, csrf)) in clients.iter().enumerate() {
                let (mut url, form) = page_request(&app, &fx, method, path, scope).await;
                if *path == "/tai-khoan/phien/{session_id}/ket-thuc" {
                    // Another session of the same person, opened for the purpose.
                    let id = match logins[role] {
                        Some(l) => current_session(&app, &app.login(l).await).await,
                        None => "0".to_owned(),
                    };
                    url = format!("/tai-khoan/phien/{id}/ket-thuc");
                }
                if *path == SIGN_OUT_EVERYWHERE.1 {
                    continue;
                }
                let rb = if *method == "get" {
                    client.get(format!("{}{url}", app.base))
                } else if *path == "/dang-nhap" {
                    // Signing in on a browser of its own, not to end the walk's sessions.
                    let fresh = browser();
                    let page = text(
                        fresh
                            .get(format!("{}/dang-nhap", app.base))
                            .send()
                            .await
                            .unwrap(),
                    )
                    .await;
                    let mut f = form;
                    f.push(("csrf".to_owned(), csrf_of(&page)));
                    fresh.post(format!("{}{url}", app.base)).form(&f)
                } else if *path == "/sang-kien/{id}/tep" || *path == "/don-vi/nhap-du-lieu" {
                    // Uploads: multipart, the token in the query.
                    client
                        .post(format!("{}{url}?csrf={csrf}", app.base))
                        .multipart(upload_form(path, fx.next().await))
                } else if *path == "/don-vi/nhap-du-lieu/{token}" {
                    // Accepting a checked file: this role's own upload first.
                    let page = text(
                        client
                            .post(format!("{}/don-vi/nhap-du-lieu?csrf={csrf}", app.base))
                            .multipart(upload_form("/don-vi/nhap-du-lieu", fx.next().await))
                            .send()
                            .await
                            .unwrap(),
                    )
                    .await;
                    let token = page
                        .split("action=\"/don-vi/nhap-du-lieu/")
                        .nth(1)
                        .and_then(|rest| rest.split('"').next())
                        .unwrap_or("khong-co")
                        .to_owned();
                    client
                        .post(format!("{}/don-vi/nhap-du-lieu/{token}", app.base))
                        .form(&[("csrf", csrf.as_str())])
                } else if *path == "/sang-kien/tuong-tu" {
                    // The live check posts JSON with the token in a header.
                    client
                        .post(format!("{}{url}", app.base))
                        .header("X-CSRF-Token", csrf.as_str())
                        .json(
                            &json!({"title": "Số hóa hồ sơ", "current_situation": "Hồ sơ giấy.",
                                      "solution": "Quét hồ sơ.", "scope": "", "benefits": ""}),
                        )
                } else {
                    let mut f = form;
                    f.push(("csrf".to_owned(), csrf.clone()));
                    client.post(format!("{}{url}", app.base)).form(&f)
                };
                let res = rb.send().await.unwrap();
                requests += 1;
                let status = res.status();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_owned);
                let got = allowed(status, location.as_deref());
                if got != expectation(code, role) {
                    problems.push(format!(
                        "page {} {path} ({scope:?}) as {}: expected {}, got {status} {}",
                        method.to_uppercase(),
                        ROLES[role],
                        if expectation(code, role) {
                            "allowed"
                        } else {
                            "refused"
                        },
                        location.unwrap_or_default()
                    ));
                }
            }
        }
    }
    // Signing out everywhere ends the walk's own sessions too: last, each time on a session
    // (and a browser) of its own.
    for (scope, inside) in [(Scope::In, true), (Scope::Out, false)] {
        for (role, login) in logins.iter().enumerate() {
            let code_of = |row: Option<&(&str, &str, &'static str, &'static str)>| {
                row.map(|r| if inside { r.2 } else { r.3 })
                    .unwrap_or("......")
            };
            let api_code = code_of(API.iter().find(|r| r.1 == SIGN_OUT_EVERYWHERE.0));
            let fresh = match login {
                Some(l) => Some(app.login(l).await),
                None => None,
            };
            let res = app
                .request(Method::POST, SIGN_OUT_EVERYWHERE.0, fresh.as_deref())
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            requests += 1;
            let status = res.status();
            if allowed(status, None) != expectation(api_code, role) {
                problems.push(format!(
                    "API POST {} ({scope:?}) as {}: got {status}",
                    SIGN_OUT_EVERYWHERE.0, ROLES[role]
                ));
            }
            let page_code = code_of(PAGES.iter().find(|r| r.1 == SIGN_OUT_EVERYWHERE.1));
            let c = match login {
                Some(l) => sign_in(&app, l).await,
                None => browser(),
            };
            let first = if login.is_some() { "/" } else { "/dang-nhap" };
            let home = text(c.get(format!("{}{first}", app.base)).send().await.unwrap()).await;
            let res = c
                .post(format!("{}{}", app.base, SIGN_OUT_EVERYWHERE.1))
                .form(&[("csrf", csrf_of(&home))])
                .send()
                .await
                .unwrap();
            requests += 1;
            let status = res.status();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_owned);
            // Done, it sends to the sign-in page as a refusal would: allowed is when the
            // browser's session has ended.
            let got = match login {
                Some(_) if status == StatusCode::SEE_OTHER => {
                    let again = c
                        .get(format!("{}/tai-khoan", app.base))
                        .send()
                        .await
                        .unwrap();
                    again.status() == StatusCode::SEE_OTHER
                }
                _ => allowed(status, location.as_deref()),
            };
            if got != expectation(page_code, role) {
                problems.push(format!(
                    "page POST {} ({scope:?}) as {}: got {status} {}",
                    SIGN_OUT_EVERYWHERE.1,
                    ROLES[role],
                    location.unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {requests} requests differ from the table:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The multipart body of a page upload: an attachment, or a union-tree file to import.
fn upload_form(path: &str, n: u32) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new();
    if path == "/don-vi/nhap-du-lieu" {
        let csv = format!(
            "Mã đơn vị,Mã đơn vị cấp trên,Tên đơn vị,Cấp,Cụm thi đua,Số đoàn viên\n\
             TO-NHAP-{n},CB-VC-HQ,Tổ nhập thử số {n},4,,5\n"
        );
        form.text("kind", "unions").part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes())
                .file_name("cay.csv")
                .mime_str("text/csv")
                .unwrap(),
        )
    } else {
        form.part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 thu".to_vec())
                .file_name("ghi-chu.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
    }
}

/// The concrete request for a page route: the URL and the form fields (without `csrf`).
async fn page_request(
    app: &TestApp,
    fx: &Fx,
    method: &str,
    path: &str,
    scope: Scope,
) -> (String, Vec<(String, String)>) {
    let s = fx.side(scope);
    let n = fx.next().await;
    let f = |pairs: &[(&str, String)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let admin = &fx.admin;
    match (method, path) {
        ("post", "/dang-nhap") => (
            path.to_owned(),
            f(&[
                ("login", who::COAUTHOR_A.to_owned()),
                ("password", crate::helpers::PASSWORD.to_owned()),
                ("next", "/".to_owned()),
            ]),
        ),
        ("post", "/dang-xuat") => (path.to_owned(), vec![]),
        ("get", "/thu-vien/{id}") => (format!("/thu-vien/{}", s.approved), vec![]),
        ("post", "/quen-mat-khau") => (
            path.to_owned(),
            f(&[("login", "khong-co@test.vn".to_owned())]),
        ),
        ("get", "/dat-lai-mat-khau" | "/kich-hoat" | "/huy-nhan-thu") => {
            (format!("{path}?token=khong-hop-le"), vec![])
        }
        ("post", "/dat-lai-mat-khau" | "/kich-hoat") => (
            path.to_owned(),
            f(&[
                ("token", "khong-hop-le".to_owned()),
                ("password", "mat-khau-moi-dai-du".to_owned()),
                ("confirm", "mat-khau-moi-dai-du".to_owned()),
            ]),
        ),
        ("post", "/huy-nhan-thu") => (path.to_owned(), f(&[("token", "khong-hop-le".to_owned())])),
        ("post", "/tai-khoan/thu") => (path.to_owned(), vec![]),
        ("post", "/quan-tri/thu/{id}/gui-lai") => {
            (format!("/quan-tri/thu/{}/gui-lai", fx.mail_id), vec![])
        }
        ("post", "/quan-tri/he-thong/dung-lai-chi-muc") => (path.to_owned(), vec![]),
        ("post", "/sang-kien/moi") => {
            let d = complete_draft(&fx.w, &format!("Sáng kiến trang số {n}"));
            let mut form = f(&[
                ("program_id", fx.w.program.to_string()),
                ("field_id", fx.w.field.to_string()),
                ("action", "save".to_owned()),
            ]);
            for k in [
                "title",
                "current_situation",
                "solution",
                "scope",
                "benefits",
            ] {
                form.push((k.to_owned(), d[k].as_str().unwrap().to_owned()));
            }
            (path.to_owned(), form)
        }
        ("post", "/sang-kien/tuong-tu") => (
            path.to_owned(),
            f(&[
                ("title", "Số hóa hồ sơ".to_owned()),
                ("current_situation", "Hồ sơ giấy.".to_owned()),
                ("solution", "Quét hồ sơ.".to_owned()),
            ]),
        ),
        ("post", "/sang-kien/{id}/sua") => (
            format!("/sang-kien/{}/sua", s.initiative),
            f(&[("title", "Đổi tên".to_owned()), ("version", "1".to_owned())]),
        ),
        ("post", "/sang-kien/{id}/tep") => (format!("/sang-kien/{}/tep", s.initiative), vec![]),
        ("get", "/sang-kien/{id}/tep/{attachment}") => (
            format!("/sang-kien/{}/tep/{}", s.initiative, s.attachment),
            vec![],
        ),
        ("post", "/sang-kien/{id}/khen-thuong") => (
            format!("/sang-kien/{}/khen-thuong", s.owned),
            f(&[("level", "Giấy khen".to_owned())]),
        ),
        ("post", "/sang-kien/{id}/thu-hoi") => (
            format!("/sang-kien/{}/thu-hoi", s.owned),
            f(&[("reason", "Thử quyền.".to_owned())]),
        ),
        ("post", "/xet-duyet/{id}/cham") => (
            format!("/xet-duyet/{}/cham", s.initiative),
            f(&[("comment", "Chưa xong.".to_owned())]),
        ),
        (
            "post",
            "/xet-duyet/{id}/quyet-dinh" | "/xet-duyet/{id}/xung-dot" | "/xet-duyet/{id}/rut",
        ) => {
            let id = fresh_initiative(app, fx, scope).await;
            (
                path.replace("{id}", &id.to_string()),
                f(&[
                    ("decision", "return".to_owned()),
                    ("note", "Bổ sung số liệu.".to_owned()),
                    ("conflict_note", "Người nhà của tác giả.".to_owned()),
                ]),
            )
        }
        ("get", "/xet-duyet/{id}/so-sanh/{other}") => (
            format!("/xet-duyet/{}/so-sanh/{}", s.initiative, s.approved),
            vec![],
        ),
        (_, p) if p.starts_with("/sang-kien/{id}") || p.starts_with("/xet-duyet/{id}") => {
            (p.replace("{id}", &s.initiative.to_string()), vec![])
        }
        ("post", "/hoi-dong/{id}/phan-cong") => (
            format!("/hoi-dong/{}/phan-cong", s.committee),
            f(&[("reviewer_id", s.person.to_string())]),
        ),
        ("post", "/hoi-dong/{id}/thanh-vien") => (
            format!("/hoi-dong/{}/thanh-vien", s.committee),
            f(&[("login", format!("uy.vien.{}@test.vn", scope as usize))]),
        ),
        ("post", "/hoi-dong/{id}/thanh-vien/{user}/xoa") => {
            let who = app
                .person(&format!("tam.trang.{n}@test.vn"), "Người Tạm", s.province)
                .await;
            admin_json(
                app,
                admin,
                Method::PUT,
                &format!("/api/v1/committees/{}/members/{who}", s.committee),
                json!({"chair": false}),
            )
            .await;
            (
                format!("/hoi-dong/{}/thanh-vien/{who}/xoa", s.committee),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        (_, p) if p.starts_with("/hoi-dong/{id}") => {
            (p.replace("{id}", &s.committee.to_string()), vec![])
        }
        ("post", "/quan-tri/chuong-trinh") => {
            let now = chrono::Utc::now().date_naive();
            (
                path.to_owned(),
                f(&[
                    ("code", format!("TRANG-{n}")),
                    ("name", format!("Chương trình trang {n}")),
                    ("description", "Mô tả.".to_owned()),
                    (
                        "owner_code",
                        if scope == Scope::In { "CB" } else { "LS" }.to_owned(),
                    ),
                    ("phase_name", "Đợt 1".to_owned()),
                    ("opens_on", now.to_string()),
                    ("closes_on", (now + chrono::Duration::days(30)).to_string()),
                ]),
            )
        }
        (
            "post",
            "/quan-tri/chuong-trinh/{id}/mo"
            | "/quan-tri/chuong-trinh/{id}/dong"
            | "/quan-tri/chuong-trinh/{id}/luu-tru",
        ) => {
            let p = open_program(app, admin, &format!("TAMT-{n}"), s.province).await;
            (
                path.replace("{id}", &p["id"].as_i64().unwrap().to_string()),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/dot/{phase}/xoa") => {
            let now = chrono::Utc::now();
            let p = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/programs/{}/phases", s.program),
                json!({"name": format!("Đợt tạm {n}"), "opens_at": now + chrono::Duration::days(300 + i64::from(n)), "closes_at": now + chrono::Duration::days(301 + i64::from(n))}),
            )
            .await;
            let phase = p["phases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == json!(format!("Đợt tạm {n}")))
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            (
                format!("/quan-tri/chuong-trinh/{}/dot/{phase}/xoa", s.program),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/linh-vuc/{field}/xoa") => {
            let p = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/programs/{}/fields", s.program),
                json!({"code": format!("tam-trang-{n}"), "name": format!("Tạm trang {n}")}),
            )
            .await;
            let field = p["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["code"] == json!(format!("tam-trang-{n}")))
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            (
                format!("/quan-tri/chuong-trinh/{}/linh-vuc/{field}/xoa", s.program),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/vong/{stage}/xoa") => {
            let st = spare_stage(app, fx, s.program).await;
            (
                format!("/quan-tri/chuong-trinh/{}/vong/{st}/xoa", s.program),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/chuong-trinh/{id}/hoi-dong") => (
            format!("/quan-tri/chuong-trinh/{}/hoi-dong", s.program),
            f(&[
                (
                    "union_code",
                    if scope == Scope::In { "CB" } else { "LS" }.to_owned(),
                ),
                ("stage_id", s.stage.to_string()),
            ]),
        ),
        (_, p) if p.starts_with("/quan-tri/chuong-trinh/{id}") => (
            p.replace("{id}", &s.program.to_string())
                .replace("{phase}", &s.phase.to_string())
                .replace("{field}", &s.field.to_string())
                .replace("{stage}", &s.stage.to_string()),
            f(&[("name", "Tên đủ dài".to_owned())]),
        ),
        ("post", "/quan-tri/don-vi/{id}/don-vi-con") => (
            format!("/quan-tri/don-vi/{}/don-vi-con", s.grassroots),
            f(&[
                ("code", format!("TOT-{n}")),
                ("name", format!("Tổ trang số {n}")),
                ("member_count", "3".to_owned()),
            ]),
        ),
        ("post", "/quan-tri/don-vi/{id}/chuyen") => (
            format!("/quan-tri/don-vi/{}/chuyen", s.grassroots),
            f(&[(
                "parent_code",
                if scope == Scope::In { "CB-VC" } else { "LS-VC" }.to_owned(),
            )]),
        ),
        ("post", "/quan-tri/don-vi/{id}/ngung" | "/quan-tri/don-vi/{id}/kich-hoat-lai") => {
            let u = admin_json(
                app,
                admin,
                Method::POST,
                "/api/v1/unions",
                json!({"parent_id": s.grassroots, "code": format!("NGUNG-{n}"), "name": format!("Tổ tạm {n}")}),
            )
            .await;
            (
                path.replace("{id}", &u["id"].as_i64().unwrap().to_string()),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/don-vi/{id}/thu-truong") => (
            format!("/quan-tri/don-vi/{}/thu-truong", s.grassroots),
            f(&[(
                "login",
                if scope == Scope::In {
                    who::MEMBER_A
                } else {
                    who::MEMBER_B
                }
                .to_owned(),
            )]),
        ),
        (_, p) if p.starts_with("/quan-tri/don-vi/{id}") => (
            p.replace("{id}", &s.upper.to_string()),
            f(&[(
                "name",
                if scope == Scope::In {
                    "Công đoàn Viên chức tỉnh Cao Bằng"
                } else {
                    "Công đoàn Viên chức tỉnh Lạng Sơn"
                }
                .to_owned(),
            )]),
        ),
        ("post", "/quan-tri/doan-vien") => (
            path.to_owned(),
            f(&[
                ("full_name", "Người Mới Trang".to_owned()),
                ("email", format!("moi.trang.{n}@test.vn")),
                (
                    "union_code",
                    if scope == Scope::In {
                        "CB-VC-HQ"
                    } else {
                        "LS-VC-GD"
                    }
                    .to_owned(),
                ),
            ]),
        ),
        ("post", "/quan-tri/doan-vien/{id}/vai-tro") => (
            format!("/quan-tri/doan-vien/{}/vai-tro", s.person),
            f(&[
                ("role", "reviewer".to_owned()),
                (
                    "union_code",
                    if scope == Scope::In { "CB" } else { "LS" }.to_owned(),
                ),
                ("program_id", s.program.to_string()),
            ]),
        ),
        ("post", "/quan-tri/doan-vien/{id}/vai-tro/{grant}/thu-hoi") => {
            let grants = admin_json(
                app,
                admin,
                Method::POST,
                &format!("/api/v1/users/{}/roles", s.person),
                json!({"role": "reviewer", "union_id": s.grassroots, "program_id": s.program}),
            )
            .await;
            let gid = grants
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|g| g["union_id"] == json!(s.grassroots))
                .map(|g| g["id"].as_i64().unwrap())
                .unwrap();
            (
                format!("/quan-tri/doan-vien/{}/vai-tro/{gid}/thu-hoi", s.person),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/quan-tri/doan-vien/{id}/trang-thai") => (
            format!("/quan-tri/doan-vien/{}/trang-thai", s.member),
            f(&[("status", "active".to_owned())]),
        ),
        ("post", "/quan-tri/doan-vien/{id}/dang-xuat") => (
            format!("/quan-tri/doan-vien/{}/dang-xuat", s.person),
            vec![],
        ),
        ("get", "/quan-tri/doan-vien/{id}/du-lieu") => {
            (format!("/quan-tri/doan-vien/{}/du-lieu", s.member), vec![])
        }
        ("post", "/quan-tri/doan-vien/{id}/an-danh") => {
            let id = throwaway_member(app, fx, s.grassroots, n).await;
            (
                format!("/quan-tri/doan-vien/{id}/an-danh"),
                f(&[("confirmed", "1".to_owned())]),
            )
        }
        ("post", "/tai-khoan/mat-khau") => (
            path.to_owned(),
            f(&[
                ("current_password", "khong-phai-mat-khau".to_owned()),
                ("new_password", "mat-khau-moi-2026".to_owned()),
                ("confirm_password", "mat-khau-moi-2026".to_owned()),
            ]),
        ),
        (_, p) if p.starts_with("/quan-tri/doan-vien/{id}") => (
            p.replace("{id}", &s.member.to_string()),
            f(&[("phone", "0912345678".to_owned())]),
        ),
        (_, p) if p.starts_with("/loi-moi-dong-tac-gia/{id}") => {
            (p.replace("{id}", &s.initiative.to_string()), f(&[]))
        }
        ("post", "/don-vi/nhap-du-lieu") => (path.to_owned(), f(&[("kind", "unions".to_owned())])),
        ("post", "/don-vi/nhap-du-lieu/{token}") => (
            "/don-vi/nhap-du-lieu/khong-co".to_owned(),
            f(&[("confirmed", "1".to_owned())]),
        ),
        ("post", "/don-vi/{id}/chi-tieu") => (
            format!(
                "/don-vi/{}/chi-tieu?program_id={}",
                s.province, fx.w.program
            ),
            f(&[("program_id", fx.w.program.to_string())]),
        ),
        (_, p) if p.starts_with("/don-vi/{id}") => (
            format!(
                "{}?program_id={}",
                p.replace("{id}", &s.province.to_string()),
                fx.w.program
            ),
            vec![],
        ),
        ("get", _) => (path.to_owned(), vec![]),
        ("post", _) => (path.to_owned(), vec![]),
        _ => panic!("no request for page {method} {path}"),
    }
}

/// The tree (names, codes, levels) is for anyone signed in; member counts only for those who
/// oversee the union (officers, program administrators), withheld as `null` from others.
async fn union_tree_for_all_member_counts_for_overseers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    for id in [w.root, w.cb, w.cb_hq, w.ls_gd] {
        let u = json(app.get(&format!("/api/v1/unions/{id}"), &member).await).await;
        assert!(u["name"].is_string(), "{u}");
        assert!(u["member_count"].is_null(), "{u}");
    }
    let tree = json(
        app.get(&format!("/api/v1/unions/{}/subtree", w.root), &member)
            .await,
    )
    .await;
    assert_eq!(tree.as_array().unwrap().len(), 8, "{tree}");
    assert!(
        tree.as_array()
            .unwrap()
            .iter()
            .all(|n| n["member_count"].is_null() && n["subtree_member_count"].is_null()),
        "{tree}"
    );
    let roots = json(app.get("/api/v1/unions", &member).await).await;
    assert!(roots[0]["member_count"].is_null(), "{roots}");
    // An officer: the figures of their own subtree, not the root's nor the other province's.
    let officer = app.login(who::OFFICER_A).await;
    let tree = json(
        app.get(&format!("/api/v1/unions/{}/subtree", w.root), &officer)
            .await,
    )
    .await;
    let node = |id: i64| {
        tree.as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(node(w.cb)["subtree_member_count"], 157, "{tree}");
    assert_eq!(node(w.cb_hq)["member_count"], 112);
    assert!(node(w.root)["subtree_member_count"].is_null());
    assert!(node(w.ls)["subtree_member_count"].is_null());
    assert!(node(w.ls_gd)["member_count"].is_null());
    let children = json(
        app.get(&format!("/api/v1/unions/{}/children", w.root), &officer)
            .await,
    )
    .await;
    assert_eq!(children.as_array().unwrap().len(), 2, "{children}");
    // A program administrator over the root: everything.
    let padmin = app.login(who::PADMIN).await;
    let root = json(
        app.get(&format!("/api/v1/unions/{}", w.ls_gd), &padmin)
            .await,
    )
    .await;
    assert_eq!(root["member_count"], 60);
}

/// The API refuses a head from outside the union's subtree as the page does.
async fn a_union_head_comes_from_its_subtree(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    for login in [who::OFFICER_A, who::ADMIN] {
        let token = app.login(login).await;
        let body = expect_error(
            app.put(
                &format!("/api/v1/unions/{}/head", w.cb_hq),
                &token,
                &json!({"user_id": w.member_b}),
            )
            .await,
            400,
            "validation_failed",
        )
        .await;
        assert!(
            body["error"]["details"]["fields"]["user_id"].is_string(),
            "{body}"
        );
        let res = app
            .put(
                &format!("/api/v1/unions/{}/head", w.cb_hq),
                &token,
                &json!({"user_id": w.member_a}),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    // Someone from a union below counts as inside.
    let officer = app.login(who::OFFICER_A).await;
    let res = app
        .put(
            &format!("/api/v1/unions/{}/head", w.cb),
            &officer,
            &json!({"user_id": w.coauthor_a}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
}
