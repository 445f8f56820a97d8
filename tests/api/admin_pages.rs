//! The administration pages over plain HTTP: programs with their phases and checklist, the
//! union tree and members within an officer's subtree (and nothing outside it), the audit log
//! and the system page; destructive actions pass a confirmation step and land in the audit
//! log. The same rules answer through the API.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, complete_draft, expect_error, json, submit, who};
use crate::pages::{csrf_of, sign_in, text};

crate::on_both_backends!(
    program_pages_create_open_close_and_archive,
    a_running_programs_past_cannot_change,
    officer_manages_unions_and_members,
    officers_cannot_reach_another_province,
    audit_log_and_system_pages,
    fields_and_phases_are_renamed_and_removed_while_nothing_names_them,
);

/// Posts a form with the page's CSRF token.
async fn post(app: &TestApp, c: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let page = text(c.get(format!("{}/", app.base)).send().await.unwrap()).await;
    let csrf = csrf_of(&page);
    let mut fields: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    c.post(format!("{}{path}", app.base))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (StatusCode, String) {
    let res = c.get(format!("{}{path}", app.base)).send().await.unwrap();
    let status = res.status();
    (status, text(res).await)
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn audit_actions(app: &TestApp, entity_type: &str, id: i64) -> Vec<String> {
    let admin = app.login(who::ADMIN).await;
    let body = json(
        app.get(
            &format!("/api/v1/audit?entity_type={entity_type}&entity_id={id}&per_page=200"),
            &admin,
        )
        .await,
    )
    .await;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn program_pages_create_open_close_and_archive(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    // Members and officers do not administer programs.
    let member = sign_in(&app, who::MEMBER_A).await;
    assert_eq!(
        page(&app, &member, "/quan-tri/chuong-trinh").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        page(&app, &member, "/quan-tri").await.0,
        StatusCode::FORBIDDEN
    );

    let c = sign_in(&app, who::PADMIN).await;
    let (status, home) = page(&app, &c, "/quan-tri").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Chương trình"), "{home}");
    let (_, list) = page(&app, &c, "/quan-tri/chuong-trinh").await;
    assert!(list.contains("Chương trình OPEN"), "{list}");
    let (_, form) = page(&app, &c, "/quan-tri/chuong-trinh/moi").await;
    assert!(
        form.contains("value=\"ROOT\""),
        "the owner defaults to the admin's union"
    );

    // Bad input: each problem beside its field, in Vietnamese, nothing created.
    let res = post(
        &app,
        &c,
        "/quan-tri/chuong-trinh",
        &[
            ("code", "có dấu"),
            ("name", ""),
            ("owner_code", "KHONG-CO"),
            ("phase0_name", "Đợt 1"),
            ("phase0_opens", "31/02/2027 08:00"),
            ("phase0_closes", "2027-03-01T17:00"),
            ("phase1_name", "Đợt 2"),
            ("phase1_opens", "2027-09-01T00:00"),
            ("phase1_closes", "2027-08-01T00:00"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = text(res).await;
    assert!(body.contains("id=\"owner_code-error\""), "{body}");
    assert!(body.contains("Không có đơn vị nào mang mã này"), "{body}");
    assert!(body.contains("id=\"phase0_opens-error\""), "{body}");
    assert!(body.contains("id=\"phase1_closes-error\""), "{body}");
    assert!(
        body.contains("Thời điểm kết thúc phải sau thời điểm bắt đầu"),
        "{body}"
    );
    assert!(body.contains("id=\"name-error\""), "{body}");
    assert!(body.contains("value=\"Đợt 2\""), "typed values come back");

    // A program with two phases, typed in Vietnam time.
    let res = post(
        &app,
        &c,
        "/quan-tri/chuong-trinh",
        &[
            ("code", "SK-2027"),
            ("name", "Sáng kiến vì người lao động 2027"),
            ("description", "Thể lệ: mỗi đoàn viên tối đa ba sáng kiến."),
            ("owner_code", "CB"),
            ("applied_from", "2026-01-01"),
            ("applied_to", ""),
            ("target_count", "1.500"),
            ("phase0_name", "Đợt 1"),
            ("phase0_opens", "2027-01-01T08:00"),
            ("phase0_closes", "2027-06-30T17:00"),
            ("phase1_name", "Đợt 2"),
            ("phase1_opens", "01/07/2027 08:00"),
            ("phase1_closes", "31/12/2027 17:00"),
            ("fields", "Cải cách hành chính\nan-toan: An toàn lao động"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    let here = location(&res);
    let id: i64 = here
        .trim_start_matches("/quan-tri/chuong-trinh/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (_, show) = page(&app, &c, &here).await;
    assert!(show.contains("Đã tạo chương trình"), "{show}");
    assert!(show.contains("Đang chuẩn bị"));
    assert!(
        show.contains("01/01/2027 08:00 – 30/06/2027 17:00"),
        "{show}"
    );
    assert!(show.contains("value=\"2027-07-01T08:00\""), "{show}");
    assert!(show.contains("Cải cách hành chính") && show.contains("an-toan"));
    assert!(show.contains("id=\"check-phase\" class") || show.contains("id=\"check-phase\""));
    assert!(
        show.contains(
            "/quan-tri/chuong-trinh/{id}/xet-duyet"
                .replace("{id}", &id.to_string())
                .as_str()
        )
    );
    // Stored in UTC: 08:00 in Vietnam is 01:00 UTC.
    let padmin = app.login(who::PADMIN).await;
    let view = json(app.get(&format!("/api/v1/programs/{id}"), &padmin).await).await;
    assert_eq!(view["phases"][0]["opens_at"], "2027-01-01T01:00:00Z");
    assert_eq!(view["phases"][1]["closes_at"], "2027-12-31T10:00:00Z");
    assert_eq!(view["target_count"], 1500);
    let checklist = json(
        app.get(&format!("/api/v1/programs/{id}/checklist"), &padmin)
            .await,
    )
    .await;
    assert!(
        checklist
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["done"] == true),
        "{checklist}"
    );

    // Edits while a draft: the owner may change.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{id}"),
        &[
            ("name", "Sáng kiến vì người lao động – 2027"),
            ("description", "Thể lệ mới."),
            ("owner_code", "ROOT"),
            ("applied_from", "2025-01-01"),
            ("applied_to", ""),
            ("target_count", "2000"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let view = json(app.get(&format!("/api/v1/programs/{id}"), &padmin).await).await;
    assert_eq!(view["name"], "Sáng kiến vì người lao động – 2027");
    assert_eq!(
        view["owner_union_id"],
        json(app.get("/api/v1/unions", &padmin).await).await[0]["id"]
    );

    // Open (no confirmation needed); close and archive ask first.
    let res = post(&app, &c, &format!("/quan-tri/chuong-trinh/{id}/mo"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, show) = page(&app, &c, &location(&res)).await;
    assert!(show.contains("Đang diễn ra"), "{show}");
    let res = post(&app, &c, &format!("/quan-tri/chuong-trinh/{id}/dong"), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let confirm = text(res).await;
    assert!(confirm.contains("Kết thúc nhận sáng kiến của"), "{confirm}");
    assert!(confirm.contains("name=\"confirmed\" value=\"1\""));
    assert_eq!(
        view_status(&app, id).await,
        "open",
        "nothing changes before confirming"
    );
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{id}/dong"),
        &[("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(view_status(&app, id).await, "closed");
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{id}/luu-tru"),
        &[],
    )
    .await;
    assert!(text(res).await.contains("Lưu trữ"));
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{id}/luu-tru"),
        &[("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(view_status(&app, id).await, "archived");
    // An archived program cannot be opened again; the page says why.
    let res = post(&app, &c, &format!("/quan-tri/chuong-trinh/{id}/mo"), &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(text(res).await.contains("Đã lưu trữ"));
    let actions = audit_actions(&app, "program", id).await;
    for a in ["create", "update", "opened", "closed", "archived"] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
    // The API: archive and the checklist.
    expect_error(
        app.post(
            &format!("/api/v1/programs/{id}/archive"),
            &padmin,
            &json!({}),
        )
        .await,
        409,
        "invalid_state",
    )
    .await;
}

async fn view_status(app: &TestApp, id: i64) -> String {
    let padmin = app.login(who::PADMIN).await;
    json(app.get(&format!("/api/v1/programs/{id}"), &padmin).await).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_running_programs_past_cannot_change(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let view = json(
        app.get(&format!("/api/v1/programs/{}", w.program), &padmin)
            .await,
    )
    .await;
    let phase = &view["phases"][0];
    let phase_id = phase["id"].as_i64().unwrap();
    // The running phase's start is in the past: moving it is refused with the reason.
    let body = expect_error(
        app.put(
            &format!("/api/v1/programs/{}/phases/{phase_id}", w.program),
            &padmin,
            &json!({"name": "Đợt 1", "opens_at": "2020-01-01T00:00:00Z", "closes_at": phase["closes_at"]}),
        )
        .await,
        409,
        "rule_change_refused",
    )
    .await;
    assert_eq!(body["error"]["details"]["field"], "phase");
    // Extending its end is fine.
    let res = app
        .put(
            &format!("/api/v1/programs/{}/phases/{phase_id}", w.program),
            &padmin,
            &json!({"name": "Đợt 1", "opens_at": phase["opens_at"], "closes_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // Narrowing eligibility is refused; widening is fine; the owner stays.
    expect_error(
        app.patch(
            &format!("/api/v1/programs/{}", w.program),
            &padmin,
            &json!({"applied_to": "2026-01-01"}),
        )
        .await,
        409,
        "rule_change_refused",
    )
    .await;
    assert_eq!(
        app.patch(
            &format!("/api/v1/programs/{}", w.program),
            &padmin,
            &json!({"applied_from": null})
        )
        .await
        .status(),
        200
    );
    expect_error(
        app.patch(
            &format!("/api/v1/programs/{}", w.program),
            &padmin,
            &json!({"owner_union_id": w.cb}),
        )
        .await,
        409,
        "rule_change_refused",
    )
    .await;
    // The page shows the reason beside the phase.
    let c = sign_in(&app, who::PADMIN).await;
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{}/dot/{phase_id}", w.program),
        &[
            ("name", "Đợt 1"),
            ("opens_at", "2020-01-01T07:00"),
            ("closes_at", "2099-01-01T07:00"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = text(res).await;
    assert!(
        body.contains(&format!("id=\"phase{phase_id}_window-error\"")),
        "{body}"
    );
    assert!(body.contains("Đợt đã bắt đầu"), "{body}");
    assert!(
        body.contains("value=\"2020-01-01T07:00\""),
        "typed values come back"
    );
    // A new phase in the past is refused too.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{}/dot", w.program),
        &[
            ("name", "Đợt cũ"),
            ("opens_at", "2021-01-01T00:00"),
            ("closes_at", "2021-02-01T00:00"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(text(res).await.contains("id=\"new_phase_window-error\""));
    // A draft without phases cannot open: the checklist says what is missing.
    let draft = json(
        app.post(
            "/api/v1/programs",
            &padmin,
            &json!({"code": "TRONG", "name": "Chưa có đợt", "owner_union_id": w.root}),
        )
        .await,
    )
    .await;
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{}/mo", draft["id"]),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(text(res).await.contains("Cần có ít nhất một đợt"));
}

async fn officer_manages_unions_and_members(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let c = sign_in(&app, who::OFFICER_A).await;
    let res = c
        .get(format!("{}/quan-tri/don-vi", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), format!("/quan-tri/don-vi/{}", w.cb));
    let (status, tree) = page(&app, &c, &format!("/quan-tri/don-vi/{}", w.cb)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(tree.contains("Công đoàn Viên chức tỉnh Cao Bằng"), "{tree}");
    assert!(
        tree.contains("157 đoàn viên"),
        "CB-VC's subtree: 5 + 112 + 40; {tree}"
    );
    assert!(
        tree.contains("CĐCS Cục Hải quan Cao Bằng"),
        "grandchildren inside <details>"
    );
    assert!(!tree.contains("Lạng Sơn"), "nothing from another province");
    let (_, found) = page(&app, &c, &format!("/quan-tri/don-vi/{}?q=kho+bac", w.cb)).await;
    assert!(found.contains("CĐCS Kho bạc Nhà nước Cao Bằng"), "{found}");
    let (_, found) = page(&app, &c, &format!("/quan-tri/don-vi/{}?q=CB-VC-HQ", w.cb)).await;
    assert!(
        found.contains("id=\"search-results\"") && found.contains("Hải quan"),
        "{found}"
    );

    // A second upper-level union, then a duplicate code refused beside its field.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{}/don-vi-con", w.cb),
        &[
            ("code", "CB-TL"),
            ("name", "Liên đoàn Lao động huyện Trà Lĩnh"),
            ("cluster", "Cụm 1"),
            ("member_count", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{}/don-vi-con", w.cb),
        &[
            ("code", "CB-TL"),
            ("name", "Trùng mã"),
            ("cluster", ""),
            ("member_count", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = text(res).await;
    assert!(body.contains("id=\"child_code-error\""), "{body}");
    let officer = app.login(who::OFFICER_A).await;
    let tl = json(
        app.get(&format!("/api/v1/unions/{}/search?q=CB-TL", w.cb), &officer)
            .await,
    )
    .await[0]["id"]
        .as_i64()
        .unwrap();
    // Rename, with the cluster.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{tl}"),
        &[
            ("name", "LĐLĐ huyện Trà Lĩnh"),
            ("short_name", "LĐLĐ Trà Lĩnh"),
            ("cluster", "Cụm 2"),
            ("member_count", "12"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let u = json(app.get(&format!("/api/v1/unions/{tl}"), &officer).await).await;
    assert_eq!(u["name"], "LĐLĐ huyện Trà Lĩnh");
    assert_eq!(u["cluster"], "Cụm 2");

    // Move CB-VC-KB (grassroots) from CB-VC to CB-TL: confirmation first.
    let kb = json(
        app.get(
            &format!("/api/v1/unions/{}/search?q=CB-VC-KB", w.cb),
            &officer,
        )
        .await,
    )
    .await[0]["id"]
        .as_i64()
        .unwrap();
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{kb}/chuyen"),
        &[("parent_code", "CB-TL")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        text(res)
            .await
            .contains("Chuyển “CĐCS Kho bạc Nhà nước Cao Bằng” sang “LĐLĐ huyện Trà Lĩnh”?")
    );
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{kb}/chuyen"),
        &[("parent_code", "CB-TL"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let moved = json(app.get(&format!("/api/v1/unions/{kb}"), &officer).await).await;
    assert_eq!(moved["parent_id"], tl);
    assert_eq!(moved["path"], format!("/{}/{}/{tl}/{kb}/", w.root, w.cb));
    // Not into its own subtree; not to a parent of another level.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{}/chuyen", w.cb_vc),
        &[("parent_code", "CB-VC-HQ"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        text(res)
            .await
            .contains("vào chính nó hoặc vào đơn vị cấp dưới")
    );
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{kb}/chuyen"),
        &[("parent_code", "CB-VC-HQ"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A grassroots union may sit directly under a federation, never under another one.
    assert!(text(res).await.contains("không thể trực thuộc"));
    // Deactivate (confirmation first); a union with active children is refused.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{tl}/ngung"),
        &[("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        text(res)
            .await
            .contains("còn đơn vị cấp dưới đang hoạt động")
    );
    let res = post(&app, &c, &format!("/quan-tri/don-vi/{kb}/ngung"), &[]).await;
    assert!(
        text(res)
            .await
            .contains("Ngừng hoạt động “CĐCS Kho bạc Nhà nước Cao Bằng”?")
    );
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{kb}/ngung"),
        &[("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        json(app.get(&format!("/api/v1/unions/{kb}"), &officer).await).await["active"],
        false
    );
    let actions = audit_actions(&app, "union", kb).await;
    assert!(
        actions.contains(&"move".to_owned()) && actions.contains(&"deactivate".to_owned()),
        "{actions:?}"
    );
    // The head of a unit: someone of the union.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{}/thu-truong", w.cb_hq),
        &[("head_login", who::MEMBER_A)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, hq) = page(&app, &c, &format!("/quan-tri/don-vi/{}", w.cb_hq)).await;
    assert!(hq.contains("Lục Thị Đoàn (member.a@test.vn)"), "{hq}");
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/don-vi/{}/thu-truong", w.cb_hq),
        &[("head_login", "khong.co@test.vn")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("id=\"head_login-error\""));

    // Members: create with an invitation, search, edit, grant, revoke, disable.
    let res = post(
        &app,
        &c,
        "/quan-tri/doan-vien",
        &[
            ("full_name", "Hà Văn Mới"),
            ("email", "ha.moi@test.vn"),
            ("member_code", "CB-0099"),
            ("phone", ""),
            ("union_code", "CB-TL"),
            ("invite", "1"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
    let here = location(&res);
    let uid: i64 = here
        .trim_start_matches("/quan-tri/doan-vien/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let res = post(
        &app,
        &c,
        "/quan-tri/doan-vien",
        &[
            ("full_name", "Trùng"),
            ("email", "ha.moi@test.vn"),
            ("member_code", ""),
            ("phone", ""),
            ("union_code", "CB-TL"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(text(res).await.contains("id=\"email-error\""));
    let admin = app.login(who::ADMIN).await;
    let mail = json(app.get("/api/v1/admin/mail", &admin).await).await;
    assert!(
        mail["items"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "invitation" && m["recipient"] == "ha.moi@test.vn"),
        "{mail}"
    );
    let (_, list) = page(
        &app,
        &c,
        &format!("/quan-tri/doan-vien?union_id={}&q=CB-0099", w.cb),
    )
    .await;
    assert!(
        list.contains("Hà Văn Mới") && list.contains("Chưa kích hoạt"),
        "{list}"
    );
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/doan-vien/{uid}"),
        &[
            ("full_name", "Hà Văn Mới Sửa"),
            ("email", "ha.moi@test.vn"),
            ("member_code", "CB-0099"),
            ("phone", "0912 345 678"),
            ("union_code", "CB-VC-HQ"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let u = json(app.get(&format!("/api/v1/users/{uid}"), &officer).await).await;
    assert_eq!(u["full_name"], "Hà Văn Mới Sửa");
    assert_eq!(u["union_id"], w.cb_hq);
    assert!(
        u["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["role"] == "member" && g["union_code"] == "CB-VC-HQ"),
        "{u}"
    );
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/doan-vien/{uid}/vai-tro"),
        &[
            ("role", "reviewer"),
            ("union_code", "CB"),
            ("program_id", &w.program.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Beyond the officer's rights: a program administrator over the root.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/doan-vien/{uid}/vai-tro"),
        &[
            ("role", "program_admin"),
            ("union_code", "ROOT"),
            ("program_id", "0"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(text(res).await.contains("id=\"grant_union-error\""));
    let u = json(app.get(&format!("/api/v1/users/{uid}"), &officer).await).await;
    let grant = u["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "reviewer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/doan-vien/{uid}/vai-tro/{grant}/thu-hoi"),
        &[],
    )
    .await;
    assert!(
        text(res)
            .await
            .contains("Thu hồi vai trò “Thành viên Ban Tổ chức” (CB)")
    );
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/doan-vien/{uid}/vai-tro/{grant}/thu-hoi"),
        &[("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Disabling member A: confirmation, then member A cannot sign in.
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/doan-vien/{}/trang-thai", w.member_a),
        &[("status", "disabled")],
    )
    .await;
    assert!(text(res).await.contains("Khoá tài khoản của Lục Thị Đoàn?"));
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/doan-vien/{}/trang-thai", w.member_a),
        &[("status", "disabled"), ("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .request(reqwest::Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"login": who::MEMBER_A, "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    expect_error(res, 403, "account_disabled").await;
    let actions = audit_actions(&app, "user", uid).await;
    for a in ["create", "invite", "update", "grant_role", "revoke_role"] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
    // Invite again through the API: the account has no password yet.
    assert_eq!(
        app.post(&format!("/api/v1/users/{uid}/invite"), &officer, &json!({}))
            .await
            .status(),
        202
    );
}

async fn officers_cannot_reach_another_province(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let c = sign_in(&app, who::OFFICER_B).await;
    // Lạng Sơn's officer sees Lạng Sơn only.
    let (_, own) = page(&app, &c, &format!("/quan-tri/don-vi/{}", w.ls)).await;
    assert!(own.contains("Công đoàn Viên chức tỉnh Lạng Sơn"));
    assert!(!own.contains("Cao Bằng"), "{own}");
    for path in [
        format!("/quan-tri/don-vi/{}", w.cb),
        format!("/quan-tri/don-vi/{}", w.cb_hq),
        format!("/quan-tri/don-vi/{}?q=CB", w.cb),
        format!("/quan-tri/doan-vien?union_id={}", w.cb),
        format!("/quan-tri/doan-vien/moi?union_id={}", w.cb),
    ] {
        let (status, body) = page(&app, &c, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            !body.contains("Hải quan") && !body.contains("Lục Thị Đoàn"),
            "{path}: {body}"
        );
    }
    let (status, body) = page(&app, &c, &format!("/quan-tri/doan-vien/{}", w.member_a)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "who exists elsewhere is not told"
    );
    assert!(!body.contains("Lục Thị Đoàn"));
    // Searching own members never lists another province's.
    let (_, list) = page(
        &app,
        &c,
        &format!("/quan-tri/doan-vien?union_id={}&q=test.vn", w.ls),
    )
    .await;
    assert!(
        list.contains("Vi Thị Lạng") && !list.contains("Lục Thị Đoàn"),
        "{list}"
    );
    // Nothing changes on the other side, by page or by API.
    for (path, form) in [
        (
            format!("/quan-tri/don-vi/{}/don-vi-con", w.cb),
            vec![
                ("code", "LS-X"),
                ("name", "Xâm nhập"),
                ("cluster", ""),
                ("member_count", ""),
            ],
        ),
        (
            format!("/quan-tri/don-vi/{}", w.cb_hq),
            vec![
                ("name", "Đổi tên"),
                ("short_name", ""),
                ("cluster", ""),
                ("member_count", "1"),
            ],
        ),
        (
            format!("/quan-tri/don-vi/{}/ngung", w.cb_hq),
            vec![("confirmed", "1")],
        ),
        (
            format!("/quan-tri/don-vi/{}/chuyen", w.ls_gd),
            vec![("parent_code", "CB-VC"), ("confirmed", "1")],
        ),
        (
            format!("/quan-tri/don-vi/{}/thu-truong", w.cb_hq),
            vec![("head_login", who::MEMBER_B)],
        ),
    ] {
        let res = post(&app, &c, &path, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    for (path, form) in [
        (
            format!("/quan-tri/doan-vien/{}/trang-thai", w.member_a),
            vec![("status", "disabled"), ("confirmed", "1")],
        ),
        (
            format!("/quan-tri/doan-vien/{}", w.member_a),
            vec![
                ("full_name", "X"),
                ("email", "x@test.vn"),
                ("member_code", ""),
                ("phone", ""),
                ("union_code", "LS"),
            ],
        ),
        (
            format!("/quan-tri/doan-vien/{}/vai-tro", w.member_a),
            vec![
                ("role", "reviewer"),
                ("union_code", "LS"),
                ("program_id", "0"),
            ],
        ),
    ] {
        let res = post(&app, &c, &path, &form).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // A member of one's own created in another province's union is refused beside the field.
    let res = post(
        &app,
        &c,
        "/quan-tri/doan-vien",
        &[
            ("full_name", "Người Lạ"),
            ("email", "la@test.vn"),
            ("member_code", ""),
            ("phone", ""),
            ("union_code", "CB-VC-HQ"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(text(res).await.contains("nằm ngoài phạm vi quản lý"));
    let officer_b = app.login(who::OFFICER_B).await;
    expect_error(
        app.get(&format!("/api/v1/unions/{}/search?q=CB", w.cb), &officer_b)
            .await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        app.post(
            &format!("/api/v1/unions/{}/move", w.ls_gd),
            &officer_b,
            &json!({"parent_id": w.cb_vc}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    expect_error(
        app.patch(
            &format!("/api/v1/users/{}", w.member_a),
            &officer_b,
            &json!({"full_name": "X"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.post(
            &format!("/api/v1/users/{}/invite", w.member_a),
            &officer_b,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let officer_a = app.login(who::OFFICER_A).await;
    let hq = json(
        app.get(&format!("/api/v1/unions/{}", w.cb_hq), &officer_a)
            .await,
    )
    .await;
    assert_eq!(hq["name"], "CĐCS Cục Hải quan Cao Bằng", "unchanged");
    assert_eq!(hq["active"], true);
    let a = json(
        app.get(&format!("/api/v1/users/{}", w.member_a), &officer_a)
            .await,
    )
    .await;
    assert_eq!(a["status"], "active");
}

async fn audit_log_and_system_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    // Each officer changes something in their province.
    let officer_a = app.login(who::OFFICER_A).await;
    let officer_b = app.login(who::OFFICER_B).await;
    assert_eq!(
        app.patch(
            &format!("/api/v1/unions/{}", w.cb_hq),
            &officer_a,
            &json!({"cluster": "Cụm Hải quan"})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/unions/{}", w.ls_gd),
            &officer_b,
            &json!({"cluster": "Cụm Giáo dục"})
        )
        .await
        .status(),
        200
    );
    let c = sign_in(&app, who::OFFICER_A).await;
    let (status, log) = page(&app, &c, "/quan-tri/nhat-ky?entity_type=union").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        log.contains("CĐCS Cục Hải quan Cao Bằng (CB-VC-HQ)"),
        "{log}"
    );
    assert!(log.contains("Nông Văn Cán"), "{log}");
    assert!(
        !log.contains("Lạng Sơn"),
        "another province's changes are not shown: {log}"
    );
    let (_, log) = page(
        &app,
        &c,
        &format!("/quan-tri/nhat-ky?actor={}", who::OFFICER_B),
    )
    .await;
    assert!(log.contains("Không có thay đổi nào khớp"), "{log}");
    let (status, log) = page(&app, &c, "/quan-tri/nhat-ky?from=31/02/2026").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(log.contains("id=\"from-error\""), "{log}");
    let today = chrono::Utc::now().date_naive();
    let (_, log) = page(
        &app,
        &c,
        &format!(
            "/quan-tri/nhat-ky?from={}&to={}",
            today.pred_opt().unwrap(),
            today.succ_opt().unwrap()
        ),
    )
    .await;
    assert!(log.contains("CB-VC-HQ"), "{log}");
    let (_, log) = page(&app, &c, "/quan-tri/nhat-ky?from=2000-01-01&to=2000-01-02").await;
    assert!(log.contains("Không có thay đổi nào khớp"));
    let admin_c = sign_in(&app, who::ADMIN).await;
    let (_, log) = page(
        &app,
        &admin_c,
        "/quan-tri/nhat-ky?entity_type=union&action=update",
    )
    .await;
    assert!(
        log.contains("CB-VC-HQ") && log.contains("LS-VC-GD"),
        "{log}"
    );
    let member = sign_in(&app, who::MEMBER_A).await;
    assert_eq!(
        page(&app, &member, "/quan-tri/nhat-ky").await.0,
        StatusCode::FORBIDDEN
    );
    let token = app.login(who::MEMBER_A).await;
    expect_error(app.get("/api/v1/audit", &token).await, 403, "forbidden").await;
    expect_error(
        app.get("/api/v1/audit?from=2026-02-01&to=2026-01-01", &officer_a)
            .await,
        400,
        "invalid_query",
    )
    .await;

    // The system page: system administrators only, secrets redacted.
    assert_eq!(
        page(&app, &c, "/quan-tri/he-thong").await.0,
        StatusCode::FORBIDDEN
    );
    expect_error(
        app.get("/api/v1/admin/system", &officer_a).await,
        403,
        "forbidden",
    )
    .await;
    let (status, sys) = page(&app, &admin_c, "/quan-tri/he-thong").await;
    assert_eq!(status, StatusCode::OK);
    assert!(sys.contains("[redacted]"), "{sys}");
    assert!(!sys.contains(crate::helpers::TEST_SECRET));
    assert!(sys.contains("id=\"outbox-seq\""));
    // Rebuild the index: confirmation, then it runs and finishes.
    let res = post(&app, &admin_c, "/quan-tri/he-thong/dung-lai-chi-muc", &[]).await;
    assert!(text(res).await.contains("Dựng lại chỉ mục tìm kiếm?"));
    let res = post(
        &app,
        &admin_c,
        "/quan-tri/he-thong/dung-lai-chi-muc",
        &[("confirmed", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let admin = app.login(who::ADMIN).await;
    let mut state: Value = Value::Null;
    for _ in 0..100 {
        state = json(app.get("/api/v1/admin/system", &admin).await).await;
        if state["reindex"]["running"] == false && state["reindex"]["finished_at"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state["reindex"]["running"], false, "{state}");
    assert!(state["reindex"]["error"].is_null(), "{state}");
    assert!(state["outbox_seq"].as_i64().unwrap() > 0);
    let (_, sys) = page(&app, &admin_c, "/quan-tri/he-thong").await;
    assert!(sys.contains("Lần dựng lại gần nhất: xong"), "{sys}");
    assert_eq!(
        app.post("/api/v1/admin/reindex", &admin, &json!({}))
            .await
            .status(),
        202
    );
    assert!(
        audit_actions(&app, "system", 0)
            .await
            .contains(&"reindex".to_owned())
    );
}

async fn fields_and_phases_are_renamed_and_removed_while_nothing_names_them(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let program = w.program;
    // An initiative names the fixture's field: it can be renamed, not removed.
    let member = app.login(who::MEMBER_A).await;
    submit(
        &app,
        &member,
        &complete_draft(&w, "Số hoá hồ sơ lưu trữ của cơ quan"),
    )
    .await;
    let c = sign_in(&app, who::PADMIN).await;
    let res = post(
        &app,
        &c,
        &format!("/quan-tri/chuong-trinh/{program}/linh-vuc/{}", w.field),
        &[("name", "  Chuyển đổi số  và dữ liệu ")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, shown) = page(&app, &c, &format!("/quan-tri/chuong-trinh/{program}")).await;
    assert!(
        shown.contains("value=\"Chuyển đổi số và dữ liệu\""),
        "{shown}"
    );
    // Removing it asks first, then refuses with the reason beside the field.
    let path = format!("/quan-tri/chuong-trinh/{program}/linh-vuc/{}/xoa", w.field);
    let res = post(&app, &c, &path, &[]).await;
    assert_eq!(res.status(), 200);
    let asked = text(res).await;
    assert!(
        asked.contains("Xoá lĩnh vực “Chuyển đổi số và dữ liệu”?"),
        "{asked}"
    );
    let res = post(&app, &c, &path, &[("confirmed", "1")]).await;
    assert_eq!(res.status(), 409);
    let refused = text(res).await;
    assert!(
        refused.contains("Đã có sáng kiến thuộc lĩnh vực này"),
        "{refused}"
    );
    // A new, unused field goes.
    let view = json(
        app.post(
            &format!("/api/v1/programs/{program}/fields"),
            &padmin,
            &json!({"code": "thu-nghiem", "name": "Thử nghiệm"}),
        )
        .await,
    )
    .await;
    let unused = view["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "thu-nghiem")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/quan-tri/chuong-trinh/{program}/linh-vuc/{unused}/xoa");
    let res = post(&app, &c, &path, &[("confirmed", "1")]).await;
    assert_eq!(res.status(), 303, "{}", text(res).await);
    let (_, shown) = page(&app, &c, &format!("/quan-tri/chuong-trinh/{program}")).await;
    assert!(!shown.contains("Thử nghiệm"));
    // The API: a bad name, someone else, and a used field.
    expect_error(
        app.patch(
            &format!("/api/v1/programs/{program}/fields/{}", w.field),
            &padmin,
            &json!({"name": "   "}),
        )
        .await,
        400,
        "validation_failed",
    )
    .await;
    let officer = app.login(who::OFFICER_A).await;
    let res = app
        .delete(
            &format!("/api/v1/programs/{program}/fields/{}", w.field),
            &officer,
        )
        .await;
    assert_eq!(res.status(), 403);
    expect_error(
        app.delete(
            &format!("/api/v1/programs/{program}/fields/{}", w.field),
            &padmin,
        )
        .await,
        409,
        "rule_change_refused",
    )
    .await;
    // Phases: the running one (begun, with an initiative) stays; a later one that nothing
    // names goes, and the rest keep their numbers.
    let view = json(
        app.get(&format!("/api/v1/programs/{program}"), &padmin)
            .await,
    )
    .await;
    let running = view["phases"][0]["id"].as_i64().unwrap();
    let later = json(
        app.post(
            &format!("/api/v1/programs/{program}/phases"),
            &padmin,
            &json!({"name": "Đợt dự phòng", "opens_at": "2098-01-01T00:00:00Z", "closes_at": "2098-06-01T00:00:00Z"}),
        )
        .await,
    )
    .await;
    let phases = later["phases"]
        .as_array()
        .unwrap_or_else(|| panic!("{later}"));
    let spare = phases.iter().find(|p| p["name"] == "Đợt dự phòng").unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/quan-tri/chuong-trinh/{program}/dot/{running}/xoa");
    let res = post(&app, &c, &path, &[("confirmed", "1")]).await;
    assert_eq!(res.status(), 409);
    assert!(
        text(res)
            .await
            .contains("Đợt đã bắt đầu nên không xoá được")
    );
    let path = format!("/quan-tri/chuong-trinh/{program}/dot/{spare}/xoa");
    let asked = text(post(&app, &c, &path, &[]).await).await;
    assert!(asked.contains("Xoá “Đợt dự phòng”"), "{asked}");
    let res = post(&app, &c, &path, &[("confirmed", "1")]).await;
    assert_eq!(res.status(), 303);
    let view = json(
        app.get(&format!("/api/v1/programs/{program}"), &padmin)
            .await,
    )
    .await;
    let phases = view["phases"].as_array().unwrap();
    assert!(phases.iter().all(|p| p["id"] != spare));
    let positions: Vec<i64> = phases
        .iter()
        .map(|p| p["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (1..=phases.len() as i64).collect::<Vec<_>>());
    // Each change is in the audit log.
    let actions = audit_actions(&app, "program", program).await;
    for a in ["field_renamed", "field_removed", "phase_removed"] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
}
