//! The union tree, users and roles, programs with phases and fields.

use serde_json::json;

use crate::helpers::{Backend, TestApp, expect_error, json, who};

async fn union_tree_and_member_counts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let res = app
        .post("/api/v1/unions", &officer, &json!({"parent_id": w.cb_hq, "code": "CB-VC-HQ-TL", "name": "Tổ công đoàn Chi cục Trà Lĩnh", "member_count": 36}))
        .await;
    assert_eq!(res.status(), 201);
    let group = json(res).await;
    assert_eq!(group["level"], 4);
    assert_eq!(group["level_name"], "Tổ công đoàn");
    assert_eq!(group["parent_id"], w.cb_hq);
    // A union group can have no children; codes are unique.
    expect_error(
        app.post(
            "/api/v1/unions",
            &officer,
            &json!({"parent_id": group["id"], "code": "X-1", "name": "Không được"}),
        )
        .await,
        400,
        "validation_failed",
    )
    .await;
    expect_error(
        app.post(
            "/api/v1/unions",
            &officer,
            &json!({"parent_id": w.cb_hq, "code": "CB-VC-HQ-TL", "name": "Trùng mã"}),
        )
        .await,
        409,
        "already_exists",
    )
    .await;
    expect_error(
        app.post(
            "/api/v1/unions",
            &officer,
            &json!({"parent_id": w.cb_hq, "code": "có dấu", "name": ""}),
        )
        .await,
        400,
        "validation_failed",
    )
    .await;

    // Subtree of Cao Bằng: 5 + 112 + 40 + 36 members.
    let tree = json(
        app.get(&format!("/api/v1/unions/{}/subtree", w.cb), &officer)
            .await,
    )
    .await;
    let nodes = tree.as_array().unwrap();
    assert_eq!(nodes[0]["code"], "CB");
    assert_eq!(nodes[0]["subtree_member_count"], 193);
    let hq = nodes.iter().find(|n| n["code"] == "CB-VC-HQ").unwrap();
    assert_eq!(hq["subtree_member_count"], 148);
    assert_eq!(hq["depth"], 2);
    assert!(nodes.iter().all(|n| {
        n["path"]
            .as_str()
            .unwrap()
            .starts_with(nodes[0]["path"].as_str().unwrap())
    }));
    let shallow = json(
        app.get(
            &format!("/api/v1/unions/{}/subtree?depth=1", w.cb),
            &officer,
        )
        .await,
    )
    .await;
    assert_eq!(shallow.as_array().unwrap().len(), 2);
    assert_eq!(shallow[0]["subtree_member_count"], 193);
    let children = json(
        app.get(&format!("/api/v1/unions/{}/children", w.cb_vc), &officer)
            .await,
    )
    .await;
    let names: Vec<&str> = children
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "CĐCS Cục Hải quan Cao Bằng",
            "CĐCS Kho bạc Nhà nước Cao Bằng"
        ]
    );
    let roots = json(app.get("/api/v1/unions", &officer).await).await;
    assert_eq!(roots[0]["id"], w.root);

    // Renaming and deactivating, within scope only.
    let res = app
        .patch(
            &format!("/api/v1/unions/{}", w.cb_hq),
            &officer,
            &json!({"name": "CĐCS Cục Hải quan tỉnh Cao Bằng", "member_count": 120}),
        )
        .await;
    assert_eq!(json(res).await["member_count"], 120);
    let officer_b = app.login(who::OFFICER_B).await;
    expect_error(
        app.patch(
            &format!("/api/v1/unions/{}", w.cb_hq),
            &officer_b,
            &json!({"active": false}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

async fn users_and_roles(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let res = app
        .post("/api/v1/users", &officer, &json!({"email": " Ha.Nguyen@Example.VN ", "full_name": "Nguyễn Thị Hà", "member_code": "CB-000123", "union_id": w.cb_hq, "password": "mat-khau-cua-ha"}))
        .await;
    assert_eq!(res.status(), 201);
    let user = json(res).await;
    assert_eq!(user["email"], "ha.nguyen@example.vn");
    assert_eq!(user["roles"][0]["role"], "member");
    let id = user["id"].as_i64().unwrap();
    let token = {
        let res = app
            .request(reqwest::Method::POST, "/api/v1/auth/login", None)
            .json(&json!({"login": "CB-000123", "password": "mat-khau-cua-ha"}))
            .send()
            .await
            .unwrap();
        json(res).await["access_token"].as_str().unwrap().to_owned()
    };
    assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);
    let err = expect_error(
        app.post("/api/v1/users", &officer, &json!({"email": "ha.nguyen@example.vn", "full_name": "Trùng email", "union_id": w.cb_hq})).await,
        409,
        "already_exists",
    )
    .await;
    assert!(err["error"]["details"]["fields"]["email"].is_string());
    let err = expect_error(
        app.post("/api/v1/users", &officer, &json!({"email": "khong-hop-le", "full_name": "", "union_id": w.cb_hq, "password": "ngan"})).await,
        400,
        "validation_failed",
    )
    .await;
    for f in ["email", "full_name", "password"] {
        assert!(
            err["error"]["details"]["fields"][f].is_string(),
            "{f}: {err}"
        );
    }

    // Grant reviewer for the program over the province, list, revoke.
    let res = app
        .post(
            &format!("/api/v1/users/{id}/roles"),
            &officer,
            &json!({"role": "reviewer", "union_id": w.cb, "program_id": w.program}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let grants = json(res).await;
    let reviewer = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "reviewer")
        .unwrap()
        .clone();
    assert_eq!(reviewer["program_id"], w.program);
    assert_eq!(reviewer["role_name"], "Thành viên Ban Tổ chức");
    expect_error(
        app.post(
            &format!("/api/v1/users/{id}/roles"),
            &officer,
            &json!({"role": "reviewer", "union_id": w.cb}),
        )
        .await,
        400,
        "validation_failed",
    )
    .await;
    let res = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/users/{id}/roles/{}", reviewer["id"]),
            Some(&officer),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let roles = json(
        app.get(&format!("/api/v1/users/{id}/roles"), &officer)
            .await,
    )
    .await;
    assert_eq!(roles.as_array().unwrap().len(), 1);

    // Search by name without caring about case.
    let found = json(app.get("/api/v1/users?q=nguyễn%20thị", &officer).await).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["id"], id);
}

async fn programs_phases_fields(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let body = json!({
        "code": "1TR-2027",
        "name": "1 triệu sáng kiến 2027",
        "description": "Chương trình năm 2027.",
        "owner_union_id": w.root,
        "applied_from": "2026-01-01",
        "target_count": 1000000,
        "phases": [
            {"name": "Đợt 2", "opens_at": "2027-08-01T00:00:00+07:00", "closes_at": "2028-01-01T00:00:00+07:00"},
            {"name": "Đợt 1", "opens_at": "2027-01-01T00:00:00+07:00", "closes_at": "2027-08-01T00:00:00+07:00"}
        ],
        "fields": [{"code": "an-toan", "name": "An toàn vệ sinh lao động"}]
    });
    let res = app.post("/api/v1/programs", &padmin, &body).await;
    assert_eq!(res.status(), 201);
    let program = json(res).await;
    let id = program["id"].as_i64().unwrap();
    assert_eq!(program["status"], "draft");
    assert_eq!(
        program["phases"][0]["name"], "Đợt 1",
        "phases are ordered by time"
    );
    assert_eq!(
        program["phases"][0]["opens_at"], "2026-12-31T17:00:00Z",
        "stored in UTC"
    );
    // Drafts are invisible to members.
    let member = app.login(who::MEMBER_A).await;
    expect_error(
        app.get(&format!("/api/v1/programs/{id}"), &member).await,
        404,
        "not_found",
    )
    .await;
    // Overlapping phases are refused.
    expect_error(
        app.post(&format!("/api/v1/programs/{id}/phases"), &padmin, &json!({"name": "Chồng", "opens_at": "2027-07-01T00:00:00Z", "closes_at": "2027-09-01T00:00:00Z"})).await,
        400,
        "validation_failed",
    )
    .await;
    expect_error(
        app.post(&format!("/api/v1/programs/{id}/phases"), &padmin, &json!({"name": "Ngược", "opens_at": "2029-07-01T00:00:00Z", "closes_at": "2029-01-01T00:00:00Z"})).await,
        400,
        "validation_failed",
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/programs/{id}/fields"),
            &padmin,
            &json!({"code": "y-te", "name": "Y tế"}),
        )
        .await;
    assert_eq!(json(res).await["fields"].as_array().unwrap().len(), 2);
    let res = app
        .patch(
            &format!("/api/v1/programs/{id}"),
            &padmin,
            &json!({"name": "1 triệu sáng kiến – 2027", "applied_to": "2027-12-31"}),
        )
        .await;
    let updated = json(res).await;
    assert_eq!(updated["name"], "1 triệu sáng kiến – 2027");
    assert_eq!(updated["applied_to"], "2027-12-31");
    // Open, close; a closed program cannot be closed again.
    let opened = json(
        app.post(&format!("/api/v1/programs/{id}/open"), &padmin, &json!({}))
            .await,
    )
    .await;
    assert_eq!(opened["status"], "open");
    assert_eq!(opened["status_name"], "Đang diễn ra");
    assert_eq!(
        app.get(&format!("/api/v1/programs/{id}"), &member)
            .await
            .status(),
        200
    );
    expect_error(
        app.post(&format!("/api/v1/programs/{id}/open"), &padmin, &json!({}))
            .await,
        409,
        "invalid_state",
    )
    .await;
    assert_eq!(
        app.post(&format!("/api/v1/programs/{id}/close"), &padmin, &json!({}))
            .await
            .status(),
        200
    );
    expect_error(
        app.post(&format!("/api/v1/programs/{id}/close"), &padmin, &json!({}))
            .await,
        409,
        "invalid_state",
    )
    .await;
    // Officers may not manage programs.
    let officer = app.login(who::OFFICER_A).await;
    expect_error(
        app.post(&format!("/api/v1/programs/{id}/open"), &officer, &json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;
    let list = json(app.get("/api/v1/programs", &member).await).await;
    assert!(list.as_array().unwrap().iter().any(|p| p["code"] == "OPEN"));
}

crate::on_both_backends!(
    union_tree_and_member_counts,
    users_and_roles,
    programs_phases_fields
);
