//! The permission matrix: each role inside and outside its subtree, over the API.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, complete_draft, create_draft, json, who};

async fn permission_matrix(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member_a = app.login(who::MEMBER_A).await;
    // One submitted initiative in Cao Bằng, one draft, one submitted in Lạng Sơn.
    let sub_a = create_draft(
        &app,
        &member_a,
        &complete_draft(&w, "Sáng kiến đã nộp ở Cao Bằng"),
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/initiatives/{sub_a}/submit"),
            &member_a,
            &json!({})
        )
        .await
        .status(),
        200
    );
    let draft_a = create_draft(
        &app,
        &member_a,
        &complete_draft(&w, "Bản nháp riêng của đoàn viên"),
    )
    .await;
    let member_b = app.login(who::MEMBER_B).await;
    let sub_b = create_draft(
        &app,
        &member_b,
        &complete_draft(&w, "Sáng kiến đã nộp ở Lạng Sơn"),
    )
    .await;
    assert_eq!(
        app.post(
            &format!("/api/v1/initiatives/{sub_b}/submit"),
            &member_b,
            &json!({})
        )
        .await
        .status(),
        200
    );

    let tokens = [
        ("member_a", member_a.clone()),
        ("coauthor_a", app.login(who::COAUTHOR_A).await),
        ("member_b", member_b.clone()),
        ("officer_a", app.login(who::OFFICER_A).await),
        ("officer_b", app.login(who::OFFICER_B).await),
        ("reviewer_a", app.login(who::REVIEWER_A).await),
        ("padmin", app.login(who::PADMIN).await),
        ("admin", app.login(who::ADMIN).await),
    ];
    let token = |name: &str| {
        tokens
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .unwrap()
    };

    // (who, reading the Cao Bằng submission, the Cao Bằng draft, the Lạng Sơn submission)
    let reads = [
        ("member_a", 200, 200, 404),
        ("coauthor_a", 404, 404, 404),
        ("member_b", 404, 404, 200),
        ("officer_a", 200, 404, 404),
        ("officer_b", 404, 404, 200),
        ("reviewer_a", 200, 404, 404),
        ("padmin", 200, 404, 200),
        ("admin", 200, 200, 200),
    ];
    for (name, a, d, b) in reads {
        let t = token(name);
        for (id, want) in [(sub_a, a), (draft_a, d), (sub_b, b)] {
            let got = app
                .get(&format!("/api/v1/initiatives/{id}"), &t)
                .await
                .status()
                .as_u16();
            assert_eq!(got, want, "{name} reading initiative {id}");
        }
    }

    // Editing the draft: its author only.
    for (name, want) in [
        ("member_a", 200),
        ("officer_a", 404),
        ("admin", 403),
        ("member_b", 404),
    ] {
        let version = json(
            app.get(&format!("/api/v1/initiatives/{draft_a}"), &token("admin"))
                .await,
        )
        .await["version"]
            .clone();
        let got = app
            .patch(
                &format!("/api/v1/initiatives/{draft_a}"),
                &token(name),
                &json!({"version": version, "scope": format!("Sửa bởi {name}: toàn đơn vị.")}),
            )
            .await
            .status()
            .as_u16();
        assert_eq!(got, want, "{name} editing the draft");
    }

    // Creating a union under Cao Bằng's grassroots union and under Lạng Sơn's.
    let mut n = 0;
    for (name, in_a, in_b) in [
        ("member_a", 403, 403),
        ("officer_a", 201, 403),
        ("officer_b", 403, 201),
        ("reviewer_a", 403, 403),
        ("padmin", 403, 403),
        ("admin", 201, 201),
    ] {
        for (parent, want) in [(w.cb_hq, in_a), (w.ls_gd, in_b)] {
            n += 1;
            let body = json!({"parent_id": parent, "code": format!("TO-{n}"), "name": format!("Tổ công đoàn số {n}")});
            let got = app
                .post("/api/v1/unions", &token(name), &body)
                .await
                .status()
                .as_u16();
            assert_eq!(got, want, "{name} creating a union under {parent}");
        }
    }

    // Creating users, reading users.
    for (name, union, want) in [
        ("officer_a", w.cb_hq, 201),
        ("officer_a", w.ls_gd, 403),
        ("officer_b", w.ls_gd, 201),
        ("member_a", w.cb_hq, 403),
        ("padmin", w.cb_hq, 403),
    ] {
        n += 1;
        let body = json!({"email": format!("new{n}@test.vn"), "full_name": "Người Mới", "union_id": union, "password": "mat-khau-moi-123"});
        let got = app
            .post("/api/v1/users", &token(name), &body)
            .await
            .status()
            .as_u16();
        assert_eq!(got, want, "{name} creating a user in {union}");
    }
    for (name, user, want) in [
        ("officer_a", w.member_a, 200),
        ("officer_a", w.member_b, 404),
        ("member_a", w.member_a, 200),
        ("member_a", w.coauthor_a, 404),
        ("admin", w.member_b, 200),
    ] {
        let got = app
            .get(&format!("/api/v1/users/{user}"), &token(name))
            .await
            .status()
            .as_u16();
        assert_eq!(got, want, "{name} reading user {user}");
    }
    // Officers list only their subtree.
    let listed = json(
        app.get("/api/v1/users?per_page=200", &token("officer_b"))
            .await,
    )
    .await;
    let emails: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(
        emails.contains(&who::MEMBER_B) && !emails.contains(&who::MEMBER_A),
        "{emails:?}"
    );

    // Granting roles: an officer grants reviewer within the province, never system admin.
    let grant = |role: &str, union: i64| json!({"role": role, "union_id": union, "program_id": if role == "reviewer" { json!(w.program) } else { json!(null) }});
    for (name, user, body, want) in [
        ("officer_a", w.coauthor_a, grant("reviewer", w.cb), 201),
        ("officer_a", w.coauthor_a, grant("system_admin", w.cb), 403),
        ("officer_a", w.member_b, grant("reviewer", w.ls), 404),
        ("officer_b", w.member_b, grant("union_officer", w.cb), 403),
        ("member_a", w.member_a, grant("union_officer", w.cb_hq), 403),
        ("admin", w.member_b, grant("program_admin", w.ls), 201),
    ] {
        let got = app
            .post(&format!("/api/v1/users/{user}/roles"), &token(name), &body)
            .await
            .status()
            .as_u16();
        assert_eq!(got, want, "{name} granting {body} to {user}");
    }

    // Programs: program administrators create; officers and members do not.
    for (name, want) in [
        ("padmin", StatusCode::CREATED),
        ("officer_a", StatusCode::FORBIDDEN),
        ("member_a", StatusCode::FORBIDDEN),
    ] {
        let body = json!({"code": format!("P-{name}"), "name": "Chương trình mới", "owner_union_id": w.root});
        let got = app
            .post("/api/v1/programs", &token(name), &body)
            .await
            .status();
        assert_eq!(got, want, "{name} creating a program");
    }
    // Members outside the owner's subtree cannot start initiatives in a provincial program.
    let padmin = token("padmin");
    let prov = json(app.post("/api/v1/programs", &padmin, &json!({
        "code": "CB-75K", "name": "75 nghìn sáng kiến, vượt khó, phát triển", "owner_union_id": w.cb,
        "phases": [{"name": "Đợt 1", "opens_at": "2020-01-01T00:00:00+07:00", "closes_at": "2099-12-31T17:00:00Z"}]
    })).await).await;
    assert_eq!(
        app.post(
            &format!("/api/v1/programs/{}/open", prov["id"]),
            &padmin,
            &json!({})
        )
        .await
        .status(),
        200
    );
    let body = json!({"program_id": prov["id"], "title": "Sáng kiến cho chương trình của tỉnh"});
    assert_eq!(
        app.post("/api/v1/initiatives", &member_a, &body)
            .await
            .status(),
        201
    );
    assert_eq!(
        app.post("/api/v1/initiatives", &member_b, &body)
            .await
            .status(),
        403
    );
}

crate::on_both_backends!(permission_matrix);
