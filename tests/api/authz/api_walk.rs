//! One API operation requested by one role, in or out of its scope.

use reqwest::Method;
use serde_json::{Value, json};

use super::fixtures::{
    Body, Fx, Scope, admin_json, fresh_initiative, open_program, program_body, spare_stage,
    throwaway_member,
};
use crate::helpers::{TestApp, complete_draft, json, who};

/// The concrete request for an API operation.
pub(super) async fn api_request(
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
        ("post", "/api/v1/reorganisations") => {
            let code = json(app.get(&format!("/api/v1/unions/{}", s.grassroots), &fx.admin).await)
                .await["code"]
                .clone();
            (
                format!("{path}?dry_run=true"),
                j(json!({"decision_no": format!("{n}/QĐ"), "effective_on": "2026-01-01",
                    "operations": [{"action": "rename", "code": code, "new_name": "Công đoàn cơ sở đổi tên"}]})),
            )
        }
        ("get", "/api/v1/reorganisations/{id}") => {
            let code = json(app.get(&format!("/api/v1/unions/{}", s.upper), &fx.admin).await)
                .await["code"]
                .clone();
            let done = json(
                app.post(
                    "/api/v1/reorganisations",
                    &fx.admin,
                    &json!({"decision_no": format!("{n}/QĐ"), "effective_on": "2026-01-01",
                        "operations": [{"action": "rename", "code": code, "new_name": "Công đoàn cấp trên cơ sở"}]}),
                )
                .await,
            )
            .await;
            (format!("/api/v1/reorganisations/{}", done["id"]), Body::None)
        }
        ("post", "/api/v1/reorganisations/{id}/revert") => {
            // A rename of the scope's upper-level union, its revert tried.
            let code = json(app.get(&format!("/api/v1/unions/{}", s.upper), &fx.admin).await)
                .await["code"]
                .clone();
            let done = json(
                app.post(
                    "/api/v1/reorganisations",
                    &fx.admin,
                    &json!({"decision_no": format!("{n}/QĐ-HB"), "effective_on": "2026-01-01",
                        "operations": [{"action": "rename", "code": code, "new_name": format!("Công đoàn cấp trên {n}")}]}),
                )
                .await,
            )
            .await;
            (
                format!("/api/v1/reorganisations/{}/revert?dry_run=true", done["id"]),
                j(json!({})),
            )
        }
        ("get", "/api/v1/unions/{id}/history") => {
            (format!("/api/v1/unions/{}/history", s.upper), Body::None)
        }
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
            | "/api/v1/unions/{id}/quotas/history"
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
