//! Undoing a reorganisation over HTTP (hủy bỏ): the Hà Tĩnh change in miniature and a merger
//! of two provinces (into a new union, and into an existing one), each reverted by the
//! inverse plan — the current reading, quotas, members' unions, officers' grants, open
//! reviews and the unions' history back as they were before, while the as-of reading of the
//! days between still shows the reorganised tree; and the refusals (not the latest, already
//! reverted, a revert, out of scope). The pages' button → report → confirm, over HTTP and in
//! a real browser.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser::{Browser, PHONE};
use crate::helpers::{
    Backend, TestApp, add_user, approve, distinct_draft, expect_error, json, submit, who,
};
use crate::pages::{csrf_of, sign_in, text};
use crate::reorganisation::{age, child, dashboard, dashboard_as_of, days, ha_tinh_plan, vn};

crate::on_both_backends!(
    a_dissolved_district_is_restored_exactly_and_history_kept,
    a_merger_into_a_new_province_is_undone,
    a_merger_into_an_existing_province_is_undone,
    only_the_latest_reorganisation_is_reverted_and_only_once,
    the_pages_try_then_apply_a_revert,
    an_officer_reverts_in_the_browser,
);

/// What a union looks like to an officer: its place, names and state, and its history's
/// predecessors and successors.
async fn union_state(app: &TestApp, token: &str, id: i64) -> Value {
    let u = json(app.get(&format!("/api/v1/unions/{id}"), token).await).await;
    let h = json(
        app.get(&format!("/api/v1/unions/{id}/history"), token)
            .await,
    )
    .await;
    json!({
        "parent_id": u["parent_id"], "code": u["code"], "name": u["name"],
        "active": h["active"], "ended_on": h["ended_on"],
        "predecessors": h["predecessors"], "successors": h["successors"],
    })
}

/// A user's union and roles (each role's union), as `/me` shows them.
async fn me(app: &TestApp, login: &str) -> Value {
    let token = app.login(login).await;
    let m = json(app.get("/api/v1/me", &token).await).await;
    let roles: Vec<(Value, Value)> = m["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role"].clone(), r["union_id"].clone()))
        .collect();
    json!({"union_id": m["union_id"], "roles": roles})
}

/// The open review cases and the committee each is at.
fn open_cases(app: &TestApp) -> Vec<(i64, Option<i64>)> {
    app.db
        .blocking_read(|conn| {
            use diesel::prelude::*;
            use sangkien::db::schema::review_cases as r;
            Ok(r::table
                .filter(r::state.ne("closed"))
                .order(r::id)
                .select((r::id, r::committee_id))
                .load(conn)?)
        })
        .unwrap()
}

fn counts_agree(app: &TestApp) {
    let drift = app
        .db
        .blocking_read(|conn| Ok(sangkien::db::counts::drift(conn)?))
        .unwrap();
    assert!(drift.is_empty(), "{drift:#?}");
}

/// The current reading of a union's board: its figures and its children's.
async fn board(app: &TestApp, token: &str, union: i64, program: i64) -> Value {
    let d = dashboard(app, token, union, program).await;
    json!({"union": d["union"], "children": d["children"]})
}

async fn revert(app: &TestApp, token: &str, id: i64, dry_run: bool) -> reqwest::Response {
    app.post(
        &format!("/api/v1/reorganisations/{id}/revert?dry_run={dry_run}"),
        token,
        &json!({}),
    )
    .await
}

fn actions(report: &Value) -> Vec<(String, String)> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has(report: &Value, code: &str, action: &str) -> bool {
    actions(report).contains(&(code.to_owned(), action.to_owned()))
}

/// A stage reviewed at the direct upper level, with a committee at the district (its chair
/// r1) and one at the province (r2): a submission waits at the district's committee.
async fn district_review(app: &TestApp, w: &crate::helpers::World, program: i64) {
    let padmin = app.login(who::PADMIN).await;
    let res = app
        .post(
            &format!("/api/v1/programs/{program}/stages"),
            &padmin,
            &json!({"name": "Cấp trên trực tiếp xét", "union_level": 2, "position": 1}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let stage = json(res).await[0]["id"].as_i64().unwrap();
    let r1 = app.person("r1@test.vn", "Hà Văn Một", w.cb_hq).await;
    let r2 = app.person("r2@test.vn", "Hà Thị Hai", w.cb_hq).await;
    for (union, reviewer) in [(w.cb_vc, r1), (w.cb, r2)] {
        let res = app
            .post(
                &format!("/api/v1/programs/{program}/committees"),
                &padmin,
                &json!({"stage_id": stage, "union_id": union}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let c = json(res).await["id"].as_i64().unwrap();
        let res = app
            .put(
                &format!("/api/v1/committees/{c}/members/{reviewer}"),
                &padmin,
                &json!({"chair": true}),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
}

async fn queue_has(app: &TestApp, login: &str, initiative: i64) -> bool {
    let token = app.login(login).await;
    let queue = json(app.get("/api/v1/reviews/queue", &token).await).await;
    queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["initiative_id"] == initiative)
}

async fn a_dissolved_district_is_restored_exactly_and_history_kept(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    // Reviews run in a second program, staged at the district.
    let (reviewed, reviewed_field) = app.open_program(&w, "XET").await;
    district_review(&app, &w, reviewed).await;
    let member = app.login(who::MEMBER_A).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let out = submit(&app, &member, &distinct_draft(&w, n)).await;
        assert_eq!(out["_status"], 200, "{out}");
        ids.push(out["_id"].as_i64().unwrap());
    }
    approve(&app, ids[0]).await;
    approve(&app, ids[1]).await;
    let mut draft = distinct_draft(&w, 3);
    draft["program_id"] = json!(reviewed);
    draft["field_id"] = json!(reviewed_field);
    let open = submit(&app, &member, &draft).await;
    assert_eq!(open["_status"], 200, "{open}");
    let open = open["_id"].as_i64().unwrap();
    age(&app);
    let kb = app
        .db
        .blocking_write(|conn| {
            let kb = sangkien::db::unions::find_by_code(conn, "CB-VC-KB")?.expect("KB");
            add_user(conn, "member.kb@test.vn", "Nông Văn Kho", kb.id, &[]);
            Ok(kb.id)
        })
        .unwrap();
    let officer = app.login(who::OFFICER_A).await;
    let (yesterday, today) = days();
    let two_days_ago = yesterday.pred_opt().unwrap();

    // Before.
    let board_before = board(&app, &officer, w.cb, w.program).await;
    assert!(board_before["children"].to_string().contains("\"CB-VC\""));
    let vc_board_before = board(&app, &officer, w.cb_vc, w.program).await;
    let mut unions_before = Vec::new();
    for id in [w.cb_vc, w.cb_hq, kb] {
        unions_before.push(union_state(&app, &officer, id).await);
    }
    let kb_member_before = me(&app, "member.kb@test.vn").await;
    let cases_before = open_cases(&app);
    assert!(queue_has(&app, "r1@test.vn", open).await);

    // The reorganisation, effective yesterday.
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &ha_tinh_plan(&yesterday.to_string()),
        )
        .await;
    assert_eq!(res.status(), 201);
    let done = json(res).await;
    let id = done["id"].as_i64().unwrap();
    assert_eq!(done["handed_over"]["open_reviews"], 1, "{done}");
    assert_ne!(
        open_cases(&app),
        cases_before,
        "at the province's committee"
    );

    // Its inverse, tried: what it would do, and nothing kept.
    let res = revert(&app, &officer, id, true).await;
    assert_eq!(res.status(), 200);
    let dry = json(res).await;
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert_eq!(dry["decision_no"], "Hủy bỏ QĐ 68/QĐ-LĐLĐ", "{dry}");
    assert_eq!(dry["effective_on"], today.to_string(), "{dry}");
    assert!(has(&dry, "CB-VC", "restore"), "{dry}");
    assert!(has(&dry, "CB-VC-KB", "restore"), "{dry}");
    assert!(has(&dry, "CB-VC-HQ", "transfer"), "{dry}");
    assert_eq!(dry["handed_over"]["open_reviews"], 1, "{dry}");
    let d = dashboard(&app, &officer, w.cb, w.program).await;
    assert!(
        child(&d, "CB-VC").is_none(),
        "the dry run kept nothing: {d}"
    );
    let list = json(app.get("/api/v1/reorganisations", &officer).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");

    // Reverted.
    let res = revert(&app, &officer, id, false).await;
    assert_eq!(res.status(), 201);
    let undone = json(res).await;
    let rid = undone["id"].as_i64().unwrap();
    assert_eq!(undone["dry_run"], false);

    // The current reading, the unions, members and open reviews: as before.
    assert_eq!(board(&app, &officer, w.cb, w.program).await, board_before);
    assert_eq!(
        board(&app, &officer, w.cb_vc, w.program).await,
        vc_board_before
    );
    for (i, id) in [w.cb_vc, w.cb_hq, kb].into_iter().enumerate() {
        assert_eq!(union_state(&app, &officer, id).await, unions_before[i]);
    }
    assert_eq!(me(&app, "member.kb@test.vn").await, kb_member_before);
    assert_eq!(open_cases(&app), cases_before);
    assert!(queue_has(&app, "r1@test.vn", open).await);
    // Both committees' reviewers are told that the case went back, in Vietnamese.
    let admin = app.login(who::ADMIN).await;
    let mail = json(app.get("/api/v1/admin/mail", &admin).await).await;
    let back = "Hồ sơ xét duyệt chuyển về Công đoàn Viên chức tỉnh Cao Bằng (quyết định số Hủy bỏ QĐ 68/QĐ-LĐLĐ)";
    let told: Vec<&str> = mail["items"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "reviews_moved" && m["subject"] == back)
        .map(|m| m["recipient"].as_str().unwrap())
        .collect();
    assert!(
        told.contains(&"r1@test.vn") && told.contains(&"r2@test.vn"),
        "{mail}"
    );
    // The ended union's member takes part again.
    let kb_token = app.login("member.kb@test.vn").await;
    let res = app
        .post("/api/v1/initiatives", &kb_token, &distinct_draft(&w, 5))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    // History is kept: the day between reads the reorganised tree, the day before the old.
    let between = dashboard_as_of(&app, &officer, w.cb, w.program, yesterday).await;
    assert!(child(&between, "CB-VC").is_none(), "{between}");
    assert_eq!(
        child(&between, "CB-VC-HQ").unwrap()["counts"]["submitted"],
        3,
        "{between}"
    );
    let then = dashboard_as_of(&app, &officer, w.cb, w.program, two_days_ago).await;
    assert_eq!(
        child(&then, "CB-VC").unwrap()["counts"]["submitted"],
        3,
        "{then}"
    );
    let now = dashboard_as_of(&app, &officer, w.cb, w.program, today).await;
    assert_eq!(
        child(&now, "CB-VC").unwrap()["counts"]["approved"],
        2,
        "{now}"
    );
    let h = json(
        app.get(&format!("/api/v1/unions/{}/history", w.cb_hq), &officer)
            .await,
    )
    .await;
    let versions: Vec<(&Value, &Value)> = h["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (&v["valid_from"], &v["decision_no"]))
        .collect();
    assert_eq!(versions.len(), 3, "{h}");
    assert_eq!(versions[1].1, "68/QĐ-LĐLĐ", "{h}");
    assert_eq!(versions[2].1, "Hủy bỏ QĐ 68/QĐ-LĐLĐ", "{h}");
    assert_eq!(versions[2].0, &json!(today.to_string()), "{h}");
    counts_agree(&app);
    // A rebuild from the initiatives keeps both readings.
    app.db
        .blocking_write(|conn| Ok(sangkien::db::counts::rebuild(conn)?))
        .unwrap();
    assert_eq!(board(&app, &officer, w.cb, w.program).await, board_before);
    let again = dashboard_as_of(&app, &officer, w.cb, w.program, yesterday).await;
    assert_eq!(again["children"], between["children"]);

    // Each says what it is: the reverted one by whom; the revert, what it undid.
    let r = json(
        app.get(&format!("/api/v1/reorganisations/{id}"), &officer)
            .await,
    )
    .await;
    assert_eq!(r["reverted_by"], rid, "{r}");
    let r = json(
        app.get(&format!("/api/v1/reorganisations/{rid}"), &officer)
            .await,
    )
    .await;
    assert_eq!(r["reverts_id"], id, "{r}");
    assert!(
        r["note"]
            .as_str()
            .unwrap()
            .contains(&format!("68/QĐ-LĐLĐ (hiệu lực từ {})", vn(yesterday))),
        "{r}"
    );
    // In the audit log, in Vietnamese.
    let admin = app.login(who::ADMIN).await;
    let audit = json(
        app.get("/api/v1/audit?entity_type=reorganisation", &admin)
            .await,
    )
    .await
    .to_string();
    assert!(
        audit.contains(&format!(
            "Đã hủy bỏ: Hủy bỏ QĐ 68/QĐ-LĐLĐ, hiệu lực từ {}.",
            vn(today)
        )),
        "{audit}"
    );
    assert!(
        audit.contains(&format!(
            "Hủy bỏ QĐ 68/QĐ-LĐLĐ, hiệu lực từ {}: 3 thao tác (chuyển 1, khôi phục 2).",
            vn(today)
        )),
        "{audit}"
    );
    let audit = json(
        app.get("/api/v1/audit?entity_type=union&action=reorganise", &admin)
            .await,
    )
    .await
    .to_string();
    assert!(audit.contains("Khôi phục hoạt động"), "{audit}");
}

/// Quotas of 4 for Cao Bằng and 6 for Lạng Sơn, clusters, and an approved initiative in each.
async fn two_provinces(app: &TestApp, w: &crate::helpers::World) {
    let a = app.login(who::MEMBER_A).await;
    let b = app.login(who::MEMBER_B).await;
    let first = submit(app, &a, &distinct_draft(w, 0)).await;
    let second = submit(app, &b, &distinct_draft(w, 1)).await;
    approve(app, first["_id"].as_i64().unwrap()).await;
    approve(app, second["_id"].as_i64().unwrap()).await;
    age(app);
    let padmin = app.login(who::PADMIN).await;
    let res = app
        .put(
            &format!("/api/v1/unions/{}/quotas", w.root),
            &padmin,
            &json!({"program_id": w.program, "allocations": [
                {"union_id": w.cb, "kind": "absolute", "value": 4},
                {"union_id": w.ls, "kind": "absolute", "value": 6}
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    app.db
        .blocking_write(|conn| {
            use diesel::prelude::*;
            use sangkien::db::schema::unions as u;
            for (code, cluster, members) in [("CB", "Cụm 1", 10), ("LS", "Cụm 2", 500)] {
                diesel::update(u::table.filter(u::code.eq(code)))
                    .set((u::cluster.eq(cluster), u::member_count.eq(members)))
                    .execute(conn)?;
            }
            Ok(())
        })
        .unwrap();
}

/// Everything the national level sees of the two provinces.
async fn national(app: &TestApp, token: &str, w: &crate::helpers::World) -> Value {
    let quotas = json(
        app.get(
            &format!("/api/v1/unions/{}/quotas?program_id={}", w.root, w.program),
            token,
        )
        .await,
    )
    .await;
    json!({
        "root": board(app, token, w.root, w.program).await,
        "cb": board(app, token, w.cb, w.program).await,
        "ls": board(app, token, w.ls, w.program).await,
        "quotas": {"union": quotas["union"], "children": quotas["children"]},
        "cb_union": union_state(app, token, w.cb).await,
        "ls_union": union_state(app, token, w.ls).await,
        "officer_a": me(app, who::OFFICER_A).await,
        "officer_b": me(app, who::OFFICER_B).await,
        "member_b": me(app, who::MEMBER_B).await,
    })
}

async fn a_merger_into_a_new_province_is_undone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    two_provinces(&app, &w).await;
    let admin = app.login(who::ADMIN).await;
    let (yesterday, _) = days();
    let before = national(&app, &admin, &w).await;
    let res = app
        .post(
            "/api/v1/reorganisations",
            &admin,
            &json!({
                "decision_no": "759/QĐ-TLĐ",
                "effective_on": yesterday.to_string(),
                "operations": [
                    {"action": "hợp nhất", "code": "CB", "successor_code": "CB-LS", "new_name": "LĐLĐ tỉnh Cao Lạng"},
                    {"action": "hợp nhất", "code": "LS", "successor_code": "CB-LS"},
                ]
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let done = json(res).await;
    let id = done["id"].as_i64().unwrap();
    let merged = done["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "create")
        .unwrap()["union_id"]
        .as_i64()
        .unwrap();
    assert_ne!(national(&app, &admin, &w).await, before);

    // A province's officer may read it, not undo it: the national level decides.
    let officer = app.login(who::OFFICER_A).await;
    let res = revert(&app, &officer, id, true).await;
    let body = expect_error(res, 403, "forbidden").await;
    assert!(body.to_string().contains("Ngoài phạm vi"), "{body}");

    let res = revert(&app, &admin, id, false).await;
    assert_eq!(res.status(), 201);
    let undone = json(res).await;
    assert!(has(&undone, "CB", "restore"), "{undone}");
    assert!(has(&undone, "LS", "restore"), "{undone}");
    assert!(has(&undone, "CB-LS", "dissolve"), "{undone}");
    assert!(has(&undone, "CB-VC", "transfer"), "{undone}");
    assert_eq!(undone["quotas_carried"], 1, "{undone}");

    // Figures, quotas, clusters, members, officers' roles, history: as before.
    assert_eq!(national(&app, &admin, &w).await, before);
    let root = dashboard(&app, &admin, w.root, w.program).await;
    assert!(child(&root, "CB-LS").is_none(), "{root}");
    assert_eq!(child(&root, "CB").unwrap()["quota"], 4, "{root}");
    assert_eq!(child(&root, "LS").unwrap()["cluster"], "Cụm 2", "{root}");
    let h = json(
        app.get(&format!("/api/v1/unions/{merged}/history"), &admin)
            .await,
    )
    .await;
    assert_eq!(h["active"], false, "{h}");
    assert_eq!(h["predecessors"], json!([]), "{h}");
    // The province's officer manages Cao Bằng again, and no more the merged province.
    assert_eq!(
        app.get(
            &format!("/api/v1/unions/{}/dashboard?program_id={}", w.cb, w.program),
            &officer,
        )
        .await
        .status(),
        200
    );
    // Yesterday still reads the merged province, with both provinces' figures.
    let between = dashboard_as_of(&app, &admin, w.root, w.program, yesterday).await;
    assert_eq!(
        child(&between, "CB-LS").unwrap()["counts"]["approved"],
        2,
        "{between}"
    );
    assert!(child(&between, "CB").is_none(), "{between}");
    counts_agree(&app);
}

async fn a_merger_into_an_existing_province_is_undone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    two_provinces(&app, &w).await;
    let admin = app.login(who::ADMIN).await;
    let (yesterday, _) = days();
    let before = national(&app, &admin, &w).await;
    let res = app
        .post(
            "/api/v1/reorganisations",
            &admin,
            &json!({
                "decision_no": "760/QĐ-TLĐ",
                "effective_on": yesterday.to_string(),
                "operations": [{"action": "sáp nhập", "code": "LS", "successor_code": "CB"}]
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = json(res).await["id"].as_i64().unwrap();
    let root = dashboard(&app, &admin, w.root, w.program).await;
    assert_eq!(child(&root, "CB").unwrap()["quota"], 10, "{root}");
    assert_eq!(
        me(&app, who::OFFICER_B).await["roles"][0][1],
        w.cb,
        "Lạng Sơn's officer now over Cao Bằng"
    );

    let res = revert(&app, &admin, id, false).await;
    assert_eq!(res.status(), 201);
    let undone = json(res).await;
    assert!(has(&undone, "LS", "restore"), "{undone}");
    assert!(has(&undone, "LS-VC", "transfer"), "{undone}");
    assert_eq!(undone["handed_over"]["grants"], 1, "{undone}");

    assert_eq!(national(&app, &admin, &w).await, before);
    let root = dashboard(&app, &admin, w.root, w.program).await;
    assert_eq!(child(&root, "CB").unwrap()["quota"], 4, "{root}");
    assert_eq!(child(&root, "LS").unwrap()["quota"], 6, "{root}");
    let between = dashboard_as_of(&app, &admin, w.root, w.program, yesterday).await;
    assert!(child(&between, "LS").is_none(), "{between}");
    assert_eq!(
        child(&between, "CB").unwrap()["counts"]["approved"],
        2,
        "{between}"
    );
    counts_agree(&app);
}

async fn only_the_latest_reorganisation_is_reverted_and_only_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let (yesterday, today) = days();
    let apply = |no: &'static str, day: chrono::NaiveDate, op: Value| {
        let app = &app;
        let officer = officer.clone();
        async move {
            let res = app
                .post(
                    "/api/v1/reorganisations",
                    &officer,
                    &json!({"decision_no": no, "effective_on": day.to_string(), "operations": [op]}),
                )
                .await;
            assert_eq!(res.status(), 201);
            json(res).await["id"].as_i64().unwrap()
        }
    };
    let first = apply(
        "80/QĐ",
        yesterday,
        json!({"action": "đổi tên", "code": "CB-VC-HQ", "new_name": "CĐCS Cục Hải quan tỉnh Cao Bằng"}),
    )
    .await;
    let second = apply(
        "81/QĐ",
        today,
        json!({"action": "chuyển", "code": "CB-VC-HQ", "new_parent_code": "CB"}),
    )
    .await;
    // The first is not the latest to change its union.
    let res = revert(&app, &officer, first, true).await;
    let body = expect_error(res, 409, "invalid_state").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("đã được sắp xếp lại sau đó theo quyết định số 81/QĐ. Hãy hủy bỏ quyết định số 81/QĐ trước."),
        "{body}"
    );
    // The second, then the first.
    let res = revert(&app, &officer, second, false).await;
    assert_eq!(res.status(), 201);
    let undo_second = json(res).await["id"].as_i64().unwrap();
    let res = revert(&app, &officer, first, false).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let hq = json(
        app.get(&format!("/api/v1/unions/{}", w.cb_hq), &officer)
            .await,
    )
    .await;
    assert_eq!(hq["name"], "CĐCS Cục Hải quan Cao Bằng", "{hq}");
    assert_eq!(hq["parent_id"], w.cb_vc, "{hq}");
    // Not twice; a revert is not reverted.
    let res = revert(&app, &officer, second, true).await;
    let body = expect_error(res, 409, "invalid_state").await;
    assert!(
        body.to_string()
            .contains("Quyết định số 81/QĐ đã được hủy bỏ (Hủy bỏ QĐ 81/QĐ)."),
        "{body}"
    );
    let res = revert(&app, &officer, undo_second, true).await;
    let body = expect_error(res, 409, "invalid_state").await;
    assert!(body.to_string().contains("là quyết định hủy bỏ"), "{body}");
    // Another province's officer does not see it; nor does an unknown id exist.
    let other = app.login(who::OFFICER_B).await;
    expect_error(revert(&app, &other, first, true).await, 404, "not_found").await;
    expect_error(
        revert(&app, &officer, 999_999, true).await,
        404,
        "not_found",
    )
    .await;
    // Restoring is never typed in a plan.
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &json!({"decision_no": "82/QĐ", "effective_on": today.to_string(),
                    "operations": [{"action": "khôi phục", "code": "CB-VC-HQ"}]}),
        )
        .await;
    assert_eq!(res.status(), 400, "{}", res.text().await.unwrap());
    counts_agree(&app);
}

/// The action of the form the page shows (`action="…"` after `marker`).
fn form_action(page: &str, marker: &str) -> String {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {page}"));
    let rest = &page[at + "action=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn the_pages_try_then_apply_a_revert(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let (yesterday, _) = days();
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &ha_tinh_plan(&yesterday.to_string()),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = json(res).await["id"].as_i64().unwrap();
    let c = sign_in(&app, who::OFFICER_A).await;
    let page = text(
        c.get(format!("{}/quan-tri/sap-xep/{id}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("Hủy bỏ sắp xếp này"), "{page}");
    let csrf = csrf_of(&page);
    let action = form_action(&page, "action=\"/quan-tri/sap-xep/");
    assert_eq!(action, format!("/quan-tri/sap-xep/{id}/huy-bo"));
    // Tried: the inverse plan's report, with the confirm button; nothing changed.
    let res = c
        .post(format!("{}{action}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let tried = text(res).await;
    assert!(
        tried.contains("Kết quả chạy thử: Hủy bỏ QĐ 68/QĐ-LĐLĐ"),
        "{tried}"
    );
    assert!(
        tried
            .contains("<td>CB-VC</td><td>Công đoàn Viên chức tỉnh Cao Bằng</td><td>Khôi phục</td>"),
        "{tried}"
    );
    assert!(
        tried.contains(&format!(
            "href=\"/quan-tri/sap-xep/{id}\">quyết định số 68/QĐ-LĐLĐ</a>"
        )),
        "{tried}"
    );
    let hq = json(
        app.get(&format!("/api/v1/unions/{}", w.cb_hq), &officer)
            .await,
    )
    .await;
    assert_eq!(hq["parent_id"], w.cb, "nothing yet");
    let confirm = form_action(&tried, "action=\"/quan-tri/sap-xep/ap-dung/");
    let res = c
        .post(format!("{}{confirm}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let done = text(
        c.get(format!("{}{location}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(done.contains("Đã áp dụng phương án sắp xếp."), "{done}");
    assert!(done.contains("id=\"reverts\""), "{done}");
    assert!(
        !done.contains("Hủy bỏ sắp xếp này"),
        "a revert is not reverted: {done}"
    );
    let hq = json(
        app.get(&format!("/api/v1/unions/{}", w.cb_hq), &officer)
            .await,
    )
    .await;
    assert_eq!(hq["parent_id"], w.cb_vc, "{hq}");
    // The reverted one says by which, and offers no button.
    let page = text(
        c.get(format!("{}/quan-tri/sap-xep/{id}", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let by = location.split('?').next().unwrap();
    assert!(
        page.contains(&format!(
            "đã được hủy bỏ bởi <a href=\"{by}\">Hủy bỏ QĐ 68/QĐ-LĐLĐ</a>"
        )),
        "{page}"
    );
    assert!(!page.contains("id=\"revert-button\""), "{page}");
    // Its old button posted again: the page with why, in Vietnamese.
    let res = c
        .post(format!("{}{action}", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        text(res)
            .await
            .contains("Quyết định số 68/QĐ-LĐLĐ đã được hủy bỏ (Hủy bỏ QĐ 68/QĐ-LĐLĐ).")
    );
    // Listed with its mark.
    let list = text(
        c.get(format!("{}/quan-tri/sap-xep", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.contains("Đã hủy bỏ"), "{list}");
}

async fn an_officer_reverts_in_the_browser(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let (yesterday, _) = days();
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &ha_tinh_plan(&yesterday.to_string()),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = json(res).await["id"].as_i64().unwrap();
    let Some(b) = Browser::start(PHONE).await else {
        return;
    };
    b.sign_in(&app, who::OFFICER_A).await;
    b.open(&app, &format!("/quan-tri/sap-xep/{id}")).await;
    b.wait_text("h1", "68/QĐ-LĐLĐ").await;
    b.find("#revert-button").await.click().await.unwrap();
    b.wait_text("h1", "Kết quả chạy thử: Hủy bỏ QĐ 68/QĐ-LĐLĐ")
        .await;
    let changes = b.wait_text("#plan-changes", "Khôi phục").await;
    assert!(
        changes.contains("Công đoàn Viên chức tỉnh Cao Bằng"),
        "{changes}"
    );
    b.shot("reorganisation-revert-dry-run").await;
    b.find("#apply-plan")
        .await
        .send_keys("\u{E007}")
        .await
        .unwrap();
    b.wait_text("#page-notice", "Đã áp dụng phương án sắp xếp")
        .await;
    b.wait_text("#reverts", "68/QĐ-LĐLĐ").await;
    let hq = json(
        app.get(&format!("/api/v1/unions/{}", w.cb_hq), &officer)
            .await,
    )
    .await;
    assert_eq!(hq["parent_id"], w.cb_vc, "{hq}");
    b.close().await;
}
