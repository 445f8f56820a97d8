//! Reorganisations of the union tree over HTTP: the Hà Tĩnh change in miniature (an
//! upper-level union dissolved, a grassroots union moved directly under the province, another
//! ended), its dry run, what the dashboards, the history and the audit log show after it,
//! `recount --verify`; and bad plans refused row by row with nothing changed.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, approve, distinct_draft, expect_error, json, submit, who};

crate::on_both_backends!(a_district_dissolved_its_grassroots_moved_up_or_ended);
crate::on_both_backends!(a_bad_plan_is_refused_row_by_row_and_changes_nothing);

/// The plan: CB-VC (direct upper level) dissolved; CB-VC-HQ moved directly under the
/// province CB; CB-VC-KB ended.
fn ha_tinh_plan(effective_on: &str) -> Value {
    json!({
        "decision_no": "68/QĐ-LĐLĐ",
        "decided_on": "2025-06-20",
        "effective_on": effective_on,
        "note": "Kết thúc hoạt động công đoàn cấp huyện",
        "operations": [
            {"action": "giải thể", "code": "CB-VC"},
            {"action": "chuyển", "code": "CB-VC-HQ", "new_parent_code": "CB"},
            {"action": "Kết thúc", "code": "CB-VC-KB"},
        ]
    })
}

async fn dashboard(app: &TestApp, token: &str, union: i64, program: i64) -> Value {
    json(
        app.get(
            &format!("/api/v1/unions/{union}/dashboard?program_id={program}"),
            token,
        )
        .await,
    )
    .await
}

fn child<'a>(d: &'a Value, code: &str) -> Option<&'a Value> {
    d["children"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["code"] == code))
}

async fn a_district_dissolved_its_grassroots_moved_up_or_ended(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let out = submit(&app, &member, &distinct_draft(&w, n)).await;
        assert_eq!(out["_status"], 200, "{out}");
        ids.push(out["_id"].as_i64().unwrap());
    }
    approve(&app, ids[0]).await;
    approve(&app, ids[1]).await;
    let officer = app.login(who::OFFICER_A).await;
    let before = dashboard(&app, &officer, w.cb, w.program).await;
    assert_eq!(before["union"]["counts"]["submitted"], 3, "{before}");
    assert!(child(&before, "CB-VC").is_some(), "{before}");

    // The dry run reports the change and keeps nothing.
    let plan = ha_tinh_plan("2026-01-01");
    let res = app
        .post("/api/v1/reorganisations?dry_run=true", &officer, &plan)
        .await;
    assert_eq!(res.status(), 200);
    let dry = json(res).await;
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert_eq!(dry["issuer"]["code"], "CB", "{dry}");
    let actions: Vec<(&str, &str)> = dry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap(), c["action"].as_str().unwrap()))
        .collect();
    assert!(actions.contains(&("CB-VC", "dissolve")), "{dry}");
    assert!(actions.contains(&("CB-VC-HQ", "transfer")), "{dry}");
    assert!(actions.contains(&("CB-VC-KB", "end")), "{dry}");
    assert!(
        dry["summary"]
            .as_str()
            .unwrap()
            .contains("Quyết định số 68/QĐ-LĐLĐ, hiệu lực từ 01/01/2026"),
        "{dry}"
    );
    // Cao Bằng's own figures do not change: its initiatives stay in it.
    assert!(
        dry["figures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] != "CB"),
        "{dry}"
    );
    let after_dry = dashboard(&app, &officer, w.cb, w.program).await;
    assert!(
        child(&after_dry, "CB-VC").is_some(),
        "dry run kept: {after_dry}"
    );
    let list = json(app.get("/api/v1/reorganisations", &officer).await).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");

    // Applied.
    let res = app.post("/api/v1/reorganisations", &officer, &plan).await;
    assert_eq!(res.status(), 201);
    let done = json(res).await;
    assert_eq!(done["dry_run"], false);
    let after = dashboard(&app, &officer, w.cb, w.program).await;
    assert_eq!(after["union"]["counts"]["submitted"], 3, "{after}");
    assert_eq!(after["union"]["counts"]["approved"], 2, "{after}");
    assert!(child(&after, "CB-VC").is_none(), "dissolved: {after}");
    let hq = child(&after, "CB-VC-HQ").expect("moved directly under the province");
    assert_eq!(
        hq["counts"]["submitted"], 3,
        "its whole history moved with it: {after}"
    );
    assert_eq!(hq["counts"]["approved"], 2, "{after}");
    let hq_board = dashboard(&app, &officer, w.cb_hq, w.program).await;
    let trail: Vec<&str> = hq_board["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        trail,
        vec!["Tổng Liên đoàn Lao động Việt Nam", "LĐLĐ tỉnh Cao Bằng"],
        "{hq_board}"
    );

    // The history of the moved union names the decision.
    let h = json(
        app.get(&format!("/api/v1/unions/{}/history", w.cb_hq), &officer)
            .await,
    )
    .await;
    let versions = h["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{h}");
    assert_eq!(versions[0]["valid_to"], "2026-01-01", "{h}");
    assert_eq!(versions[1]["valid_from"], "2026-01-01", "{h}");
    assert_eq!(versions[1]["parent_name"], "LĐLĐ tỉnh Cao Bằng", "{h}");
    assert_eq!(versions[1]["decision_no"], "68/QĐ-LĐLĐ", "{h}");
    let vc = json(
        app.get(&format!("/api/v1/unions/{}/history", w.cb_vc), &officer)
            .await,
    )
    .await;
    assert_eq!(vc["active"], false, "{vc}");
    assert_eq!(vc["ended_on"], "2026-01-01", "{vc}");

    // Listed, and in the audit log in Vietnamese.
    let list = json(app.get("/api/v1/reorganisations", &officer).await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["decision_no"], "68/QĐ-LĐLĐ");
    let admin = app.login(who::ADMIN).await;
    let audit = json(
        app.get("/api/v1/audit?entity_type=union&action=reorganise", &admin)
            .await,
    )
    .await;
    let text = audit.to_string();
    assert!(
        text.contains("Chuyển từ")
            && text.contains("Giải thể")
            && text.contains("Kết thúc hoạt động"),
        "{audit}"
    );

    // The member of the moved union still takes part.
    let out = submit(&app, &member, &distinct_draft(&w, 3)).await;
    assert_eq!(out["_status"], 200, "{out}");
    let after = dashboard(&app, &officer, w.cb, w.program).await;
    assert_eq!(
        child(&after, "CB-VC-HQ").unwrap()["counts"]["submitted"],
        4,
        "{after}"
    );

    // The stored figures agree with a recount.
    let drift = app
        .db
        .blocking_read(|conn| Ok(sangkien::db::counts::drift(conn)?))
        .unwrap();
    assert!(drift.is_empty(), "{drift:#?}");

    // A second plan for the same union dated before the first is refused.
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &json!({"decision_no": "69/QĐ", "effective_on": "2025-12-31", "operations": [
                {"action": "rename", "code": "CB-VC-HQ", "new_name": "CĐCS Cục Hải quan tỉnh Cao Bằng"}
            ]}),
        )
        .await;
    let body = expect_error(res, 422, "plan_invalid").await;
    assert!(
        body.to_string()
            .contains("trước lần sắp xếp ngày 01/01/2026"),
        "{body}"
    );
}

async fn a_bad_plan_is_refused_row_by_row_and_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let officer = app.login(who::OFFICER_A).await;
    let plan = json!({
        "decision_no": "70/QĐ",
        "effective_on": "2026-01-01",
        "operations": [
            {"action": "transfer", "code": "CB", "new_parent_code": "CB-VC-HQ"},
            {"action": "transfer", "code": "CB-VC-HQ", "new_parent_code": "LS"},
            {"action": "merge", "code": "CB-VC-KB"},
            {"action": "transfer", "code": "KHONG-CO", "new_parent_code": "CB"},
            {"action": "giải thể", "code": "CB-VC"},
        ]
    });
    let res = app.post("/api/v1/reorganisations", &officer, &plan).await;
    let body = expect_error(res, 422, "plan_invalid").await;
    let rows: Vec<(i64, String)> = body["error"]["details"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let line = |n: i64| {
        rows.iter()
            .filter(|(l, _)| *l == n)
            .map(|(_, r)| r.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(line(1).contains("không thể trực thuộc"), "{rows:?}");
    assert!(line(3).contains("Mã đơn vị kế thừa"), "{rows:?}");
    assert!(line(4).contains("Không có đơn vị mã KHONG-CO"), "{rows:?}");
    assert!(line(5).contains("chưa được chuyển đi"), "{rows:?}");
    // Moving a union into Lạng Sơn is beyond Cao Bằng's officer: the national level decides.
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &json!({"decision_no": "71/QĐ", "effective_on": "2026-01-01", "operations": [
                {"action": "transfer", "code": "CB-VC-HQ", "new_parent_code": "LS-VC"}
            ]}),
        )
        .await;
    let body = expect_error(res, 422, "plan_invalid").await;
    assert!(body.to_string().contains("Ngoài phạm vi"), "{body}");
    // Nothing changed.
    let d = dashboard(&app, &officer, w.cb, w.program).await;
    assert!(child(&d, "CB-VC").is_some(), "{d}");
    let h = json(
        app.get(&format!("/api/v1/unions/{}/history", w.cb_hq), &officer)
            .await,
    )
    .await;
    assert_eq!(h["versions"].as_array().unwrap().len(), 0, "{h}");
}
