//! Reorganisations of the union tree over HTTP: the Hà Tĩnh change in miniature (an
//! upper-level union dissolved, a grassroots union moved directly under the province, another
//! ended), its dry run, what the dashboards, the history and the audit log show after it,
//! `recount --verify`; and bad plans refused row by row with nothing changed.

use serde_json::{Value, json};

use crate::duplicates::wait_for_match;
use crate::helpers::{
    Backend, TestApp, add_user, approve, distinct_draft, expect_error, json, submit, who,
};

crate::on_both_backends!(a_district_dissolved_its_grassroots_moved_up_or_ended);
crate::on_both_backends!(a_bad_plan_is_refused_row_by_row_and_changes_nothing);
crate::on_both_backends!(two_provinces_merge_and_count_together_from_the_effective_day);
crate::on_both_backends!(open_reviews_of_a_dissolved_district_move_up_and_reviewers_are_told);

/// Yesterday and today in Vietnam: the figures are made yesterday ([`age`]), the plan takes
/// effect today, so that yesterday reads the old tree and today the new one.
pub(crate) fn days() -> (chrono::NaiveDate, chrono::NaiveDate) {
    let today = (chrono::Utc::now() + chrono::TimeDelta::hours(7)).date_naive();
    (today - chrono::TimeDelta::days(1), today)
}

/// Makes everything submitted and decided so far two days older, as if it had happened
/// then: the initiatives' times and the activity by day.
pub(crate) fn age(app: &TestApp) {
    use diesel::prelude::*;
    use sangkien::db::schema::{initiatives as i, union_days as d};
    let back = chrono::TimeDelta::days(2);
    app.db
        .blocking_write(|conn| {
            type Times = (
                i64,
                Option<chrono::NaiveDateTime>,
                Option<chrono::NaiveDateTime>,
                chrono::NaiveDateTime,
            );
            let rows: Vec<Times> = i::table
                .select((i::id, i::submitted_at, i::decided_at, i::created_at))
                .load(conn)?;
            for (id, s, dcd, c) in rows {
                diesel::update(i::table.find(id))
                    .set((
                        i::submitted_at.eq(s.map(|t| t - back)),
                        i::decided_at.eq(dcd.map(|t| t - back)),
                        i::created_at.eq(c - back),
                    ))
                    .execute(conn)?;
            }
            type Day = (i64, i64, i64, chrono::NaiveDate, i32, i32, i32, i32, i32);
            let days: Vec<Day> = d::table
                .select((
                    d::program_id,
                    d::union_id,
                    d::phase_id,
                    d::day,
                    d::submitted,
                    d::approved,
                    d::rejected,
                    d::duplicate,
                    d::revoked,
                ))
                .load(conn)?;
            diesel::delete(d::table).execute(conn)?;
            for (p, u, ph, day, a, b, c, e, f) in days {
                diesel::insert_into(d::table)
                    .values((
                        d::program_id.eq(p),
                        d::union_id.eq(u),
                        d::phase_id.eq(ph),
                        d::day.eq(day - back),
                        d::submitted.eq(a),
                        d::approved.eq(b),
                        d::rejected.eq(c),
                        d::duplicate.eq(e),
                        d::revoked.eq(f),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .expect("aged");
}

pub(crate) fn vn(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub(crate) async fn dashboard_as_of(
    app: &TestApp,
    token: &str,
    union: i64,
    program: i64,
    day: chrono::NaiveDate,
) -> Value {
    json(
        app.get(
            &format!("/api/v1/unions/{union}/dashboard?program_id={program}&as_of={day}"),
            token,
        )
        .await,
    )
    .await
}

/// The plan: CB-VC (direct upper level) dissolved; CB-VC-HQ moved directly under the
/// province CB; CB-VC-KB ended.
pub(crate) fn ha_tinh_plan(effective_on: &str) -> Value {
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

pub(crate) async fn dashboard(app: &TestApp, token: &str, union: i64, program: i64) -> Value {
    json(
        app.get(
            &format!("/api/v1/unions/{union}/dashboard?program_id={program}"),
            token,
        )
        .await,
    )
    .await
}

pub(crate) fn child<'a>(d: &'a Value, code: &str) -> Option<&'a Value> {
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
    age(&app);
    let kb = app
        .db
        .blocking_write(|conn| {
            let kb = sangkien::db::unions::find_by_code(conn, "CB-VC-KB")?.expect("KB");
            Ok(add_user(
                conn,
                "member.kb@test.vn",
                "Nông Văn Kho",
                kb.id,
                &[],
            ))
        })
        .unwrap();
    let officer = app.login(who::OFFICER_A).await;
    let before = dashboard(&app, &officer, w.cb, w.program).await;
    assert_eq!(before["union"]["counts"]["submitted"], 3, "{before}");
    assert!(child(&before, "CB-VC").is_some(), "{before}");

    // The dry run reports the change and keeps nothing.
    let (yesterday, effective) = days();
    let plan = ha_tinh_plan(&effective.to_string());
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
        dry["summary"].as_str().unwrap().contains(&format!(
            "Quyết định số 68/QĐ-LĐLĐ, hiệu lực từ {}",
            vn(effective)
        )),
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
    assert_eq!(versions[0]["valid_to"], effective.to_string(), "{h}");
    assert_eq!(versions[1]["valid_from"], effective.to_string(), "{h}");
    assert_eq!(versions[1]["parent_name"], "LĐLĐ tỉnh Cao Bằng", "{h}");
    assert_eq!(versions[1]["decision_no"], "68/QĐ-LĐLĐ", "{h}");
    let vc = json(
        app.get(&format!("/api/v1/unions/{}/history", w.cb_vc), &officer)
            .await,
    )
    .await;
    assert_eq!(vc["active"], false, "{vc}");
    assert_eq!(vc["ended_on"], effective.to_string(), "{vc}");

    // Two readings: yesterday as it stood (the district still there, with its figures),
    // and from the effective day the new tree, the moved union with its whole history.
    let then = dashboard_as_of(&app, &officer, w.cb, w.program, yesterday).await;
    assert_eq!(then["as_of"], yesterday.to_string(), "{then}");
    assert!(
        then["reading_rule"]
            .as_str()
            .unwrap()
            .contains(&format!("Theo cơ cấu tổ chức ngày {}", vn(yesterday))),
        "{then}"
    );
    let vc_then = child(&then, "CB-VC").expect("the district as it stood");
    assert_eq!(vc_then["counts"]["submitted"], 3, "{then}");
    assert_eq!(vc_then["counts"]["approved"], 2, "{then}");
    assert_eq!(vc_then["counts"]["under_review"], 1, "{then}");
    assert!(child(&then, "CB-VC-HQ").is_none(), "{then}");
    let now = dashboard_as_of(&app, &officer, w.cb, w.program, effective).await;
    assert!(child(&now, "CB-VC").is_none(), "{now}");
    assert_eq!(
        child(&now, "CB-VC-HQ").unwrap()["counts"]["approved"],
        2,
        "{now}"
    );
    assert_eq!(now["union"]["counts"]["submitted"], 3, "{now}");
    assert!(
        after["reading_rule"]
            .as_str()
            .unwrap()
            .contains("cơ cấu tổ chức hiện nay"),
        "{after}"
    );
    // The page reads both too, each with its rule; a day that is no date is refused.
    let c = crate::pages::sign_in(&app, who::OFFICER_A).await;
    let page = crate::pages::text(
        c.get(format!(
            "{}/don-vi/{}/thanh-tich?program_id={}&as_of={}",
            app.base,
            w.cb,
            w.program,
            vn(yesterday)
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(
        page.contains("Số liệu lịch sử") && page.contains("Công đoàn Viên chức tỉnh Cao Bằng"),
        "{page}"
    );
    assert!(page.contains("id=\"current-reading\""), "{page}");
    let page = crate::pages::text(
        c.get(format!(
            "{}/don-vi/{}/thanh-tich?program_id={}",
            app.base, w.cb, w.program
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(page.contains("Cơ cấu hiện nay:"), "{page}");
    // It names the reorganisation, and links to the tree the day before it.
    assert!(
        page.contains(&format!(
            "Cơ cấu tổ chức thay đổi từ ngày {} theo quyết định",
            vn(effective)
        )) && page.contains(&format!(
            "as_of={yesterday}\">xem số liệu theo cơ cấu ngày {}",
            vn(yesterday)
        )),
        "{page}"
    );
    let res = c
        .get(format!(
            "{}/don-vi/{}/thanh-tich?program_id={}&as_of=hom-qua",
            app.base, w.cb, w.program
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        crate::pages::text(res)
            .await
            .contains("Ngày xem số liệu không hợp lệ"),
        "refused in Vietnamese"
    );
    // A day before the platform knew the union's later parent: the district's own board
    // reads as it was; after it ended, there is nothing to read.
    let vc_board = dashboard_as_of(&app, &officer, w.cb_vc, w.program, yesterday).await;
    assert_eq!(vc_board["union"]["counts"]["submitted"], 3, "{vc_board}");
    let res = app
        .get(
            &format!(
                "/api/v1/unions/{}/dashboard?program_id={}&as_of={effective}",
                w.cb_vc, w.program
            ),
            &officer,
        )
        .await;
    expect_error(res, 400, "validation_failed").await;

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

    // A member of the ended union keeps the account and signs in, and takes no part.
    let kb_member = app.login("member.kb@test.vn").await;
    let me = json(app.get("/api/v1/me", &kb_member).await).await;
    assert_eq!(me["id"], kb, "{me}");
    let res = app
        .post("/api/v1/initiatives", &kb_member, &distinct_draft(&w, 4))
        .await;
    assert_eq!(res.status(), 403, "{}", res.text().await.unwrap());
    assert_eq!(
        done["members_left"][0]["code"], "CB-VC-KB",
        "the report lists them: {done}"
    );
    assert_eq!(done["members_left"][0]["accounts"], 1, "{done}");

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
    // Rebuilt from the initiatives (`sangkien recount`), both readings stay as they were.
    let then_before = dashboard_as_of(&app, &officer, w.cb, w.program, yesterday).await;
    let now_before = dashboard(&app, &officer, w.cb, w.program).await;
    app.db
        .blocking_write(|conn| Ok(sangkien::db::counts::rebuild(conn)?))
        .unwrap();
    let then_after = dashboard_as_of(&app, &officer, w.cb, w.program, yesterday).await;
    assert_eq!(then_after["children"], then_before["children"]);
    assert_eq!(then_after["union"], then_before["union"]);
    let now_after = dashboard(&app, &officer, w.cb, w.program).await;
    assert_eq!(now_after["children"], now_before["children"]);

    // A second plan for the same union dated before the first is refused.
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &json!({"decision_no": "69/QĐ", "effective_on": yesterday.to_string(), "operations": [
                {"action": "rename", "code": "CB-VC-HQ", "new_name": "CĐCS Cục Hải quan tỉnh Cao Bằng"}
            ]}),
        )
        .await;
    let body = expect_error(res, 422, "plan_invalid").await;
    assert!(
        body.to_string()
            .contains(&format!("trước lần sắp xếp ngày {}", vn(effective))),
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
    let body = expect_error(res, 403, "forbidden").await;
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

async fn two_provinces_merge_and_count_together_from_the_effective_day(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let (yesterday, effective) = days();
    let a = app.login(who::MEMBER_A).await;
    let b = app.login(who::MEMBER_B).await;
    let first = submit(&app, &a, &distinct_draft(&w, 0)).await;
    let second = submit(&app, &b, &distinct_draft(&w, 1)).await;
    approve(&app, first["_id"].as_i64().unwrap()).await;
    approve(&app, second["_id"].as_i64().unwrap()).await;
    age(&app);
    // Quotas: 4 for Cao Bằng, 6 for Lạng Sơn.
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

    // Clusters: Cao Bằng's is "Cụm 1", Lạng Sơn's "Cụm 2"; Lạng Sơn records more members.
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
    let larger_cluster = "Cụm 2";
    // A province's officer may not merge provinces: the national level decides.
    let plan = json!({
        "decision_no": "759/QĐ-TLĐ",
        "effective_on": effective.to_string(),
        "operations": [
            {"action": "hợp nhất", "code": "CB", "successor_code": "CB-LS", "new_name": "LĐLĐ tỉnh Cao Lạng"},
            {"action": "hợp nhất", "code": "LS", "successor_code": "CB-LS"},
        ]
    });
    let officer = app.login(who::OFFICER_A).await;
    let res = app.post("/api/v1/reorganisations", &officer, &plan).await;
    let body = expect_error(res, 403, "forbidden").await;
    assert!(body.to_string().contains("Ngoài phạm vi"), "{body}");
    // Before: Lạng Sơn's member, checking "in my province", does not see Cao Bằng's.
    let d0 = distinct_draft(&w, 0);
    let mut in_province = json!({
        "title": d0["title"], "current_situation": d0["current_situation"],
        "solution": d0["solution"], "scope": d0["scope"], "benefits": d0["benefits"],
    });
    let first_id = first["_id"].as_i64().unwrap();
    wait_for_match(&app, &b, &in_province, first_id).await;
    in_province["search_scope"] = json!("union");
    let seen = json(
        app.post("/api/v1/initiatives/similar", &b, &in_province)
            .await,
    )
    .await;
    assert!(
        seen["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["initiative_id"] != first_id),
        "{seen}"
    );
    let admin = app.login(who::ADMIN).await;
    let res = app.post("/api/v1/reorganisations", &admin, &plan).await;
    assert_eq!(res.status(), 201);
    let report = json(res).await;
    assert_eq!(report["issuer"]["code"], "ROOT", "{report}");
    // After: one province, re-scoped in the index within the second.
    wait_for_match(&app, &b, &in_province, first_id).await;
    assert_eq!(report["quotas_carried"], 1, "{report}");
    let merged = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "create")
        .unwrap()["union_id"]
        .as_i64()
        .unwrap();

    // The current reading: one province with both provinces' history and quotas.
    let root = dashboard(&app, &admin, w.root, w.program).await;
    assert!(
        child(&root, "CB").is_none() && child(&root, "LS").is_none(),
        "{root}"
    );
    let cl = child(&root, "CB-LS").expect("the merged province");
    assert_eq!(cl["name"], "LĐLĐ tỉnh Cao Lạng");
    // In the cluster of the larger of the two (by members), as no officer set one.
    assert_eq!(cl["cluster"], larger_cluster, "{root}");
    assert_eq!(cl["counts"]["approved"], 2, "{root}");
    assert_eq!(cl["quota"], 10, "{root}");
    assert_eq!(cl["attainment"], 20.0, "{root}");
    // Its officers: those of the merged provinces, over the whole new subtree.
    let board = dashboard(&app, &officer, merged, w.program).await;
    assert_eq!(board["union"]["counts"]["submitted"], 2, "{board}");
    let kids: Vec<&str> = board["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec!["CB-VC", "LS-VC"], "{board}");
    // As of yesterday the two provinces stand as they were reported.
    let then = dashboard_as_of(&app, &admin, w.root, w.program, yesterday).await;
    assert_eq!(
        child(&then, "CB").unwrap()["counts"]["approved"],
        1,
        "{then}"
    );
    assert_eq!(
        child(&then, "LS").unwrap()["counts"]["approved"],
        1,
        "{then}"
    );
    assert!(child(&then, "CB-LS").is_none(), "{then}");
    // The quarterly leaderboard ranks the day's tree too.
    let board = json(
        app.get(
            &format!(
                "/api/v1/unions/{}/leaderboard?program_id={}&as_of={yesterday}",
                w.root, w.program
            ),
            &admin,
        )
        .await,
    )
    .await;
    let ranked: Vec<&str> = board["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["lines"].as_array().unwrap())
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert!(ranked.contains(&"CB") && ranked.contains(&"LS"), "{board}");
    let board = json(
        app.get(
            &format!(
                "/api/v1/unions/{}/leaderboard?program_id={}",
                w.root, w.program
            ),
            &admin,
        )
        .await,
    )
    .await;
    assert!(board.to_string().contains("\"CB-LS\""), "{board}");
    let from = dashboard_as_of(&app, &admin, w.root, w.program, effective).await;
    assert_eq!(
        child(&from, "CB-LS").unwrap()["counts"]["approved"],
        2,
        "{from}"
    );
    // History on both sides.
    let h = json(
        app.get(&format!("/api/v1/unions/{merged}/history"), &admin)
            .await,
    )
    .await;
    let preds: Vec<&str> = h["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(preds.len(), 2, "{h}");
    assert!(preds.contains(&"CB") && preds.contains(&"LS"), "{h}");
    let h = json(
        app.get(&format!("/api/v1/unions/{}/history", w.ls), &admin)
            .await,
    )
    .await;
    assert_eq!(h["successors"][0]["code"], "CB-LS", "{h}");
    assert_eq!(h["successors"][0]["carries"], true, "{h}");
    // Members of both take part in the merged province's program.
    let out = submit(&app, &b, &distinct_draft(&w, 2)).await;
    assert_eq!(out["_status"], 200, "{out}");
    let drift = app
        .db
        .blocking_read(|conn| Ok(sangkien::db::counts::drift(conn)?))
        .unwrap();
    assert!(drift.is_empty(), "{drift:#?}");
}

async fn open_reviews_of_a_dissolved_district_move_up_and_reviewers_are_told(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    // A first stage at the direct upper level: the district's committee reviews, and the
    // province has its own committee for the same stage.
    let res = app
        .post(
            &format!("/api/v1/programs/{}/stages", w.program),
            &padmin,
            &json!({"name": "Cấp trên trực tiếp xét", "union_level": 2, "position": 1}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let stage = json(res).await[0]["id"].as_i64().unwrap();
    let r1 = app.person("r1@test.vn", "Hà Văn Một", w.cb_hq).await;
    let r2 = app.person("r2@test.vn", "Hà Thị Hai", w.cb_hq).await;
    let mut committees = Vec::new();
    for (union, reviewer) in [(w.cb_vc, r1), (w.cb, r2)] {
        let res = app
            .post(
                &format!("/api/v1/programs/{}/committees", w.program),
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
        committees.push(c);
    }
    let member = app.login(who::MEMBER_A).await;
    let out = submit(&app, &member, &distinct_draft(&w, 0)).await;
    assert_eq!(out["_status"], 200, "{out}");

    let officer = app.login(who::OFFICER_A).await;
    let (_, today) = days();
    let res = app
        .post(
            "/api/v1/reorganisations",
            &officer,
            &ha_tinh_plan(&today.to_string()),
        )
        .await;
    assert_eq!(res.status(), 201);
    let report = json(res).await;
    assert_eq!(report["handed_over"]["open_reviews"], 1, "{report}");
    // Both committees' reviewers are told, in Vietnamese.
    let admin = app.login(who::ADMIN).await;
    let mail = json(app.get("/api/v1/admin/mail", &admin).await).await;
    let told: Vec<&str> = mail["items"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "reviews_moved")
        .map(|m| m["recipient"].as_str().unwrap())
        .collect();
    assert!(
        told.contains(&"r1@test.vn") && told.contains(&"r2@test.vn"),
        "{mail}"
    );
    let subject = mail["items"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "reviews_moved")
        .unwrap()["subject"]
        .clone();
    assert_eq!(
        subject, "Hồ sơ xét duyệt chuyển về LĐLĐ tỉnh Cao Bằng (quyết định số 68/QĐ-LĐLĐ)",
        "{mail}"
    );
    // The province's reviewer now has the case in their queue, and the district's reviewer
    // no longer has it to score.
    let id = out["_id"].as_i64().unwrap();
    let in_queue = |q: &Value| {
        q["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["initiative_id"] == id)
    };
    let r2_token = app.login("r2@test.vn").await;
    let queue = json(app.get("/api/v1/reviews/queue", &r2_token).await).await;
    assert!(in_queue(&queue), "{queue}");
    let review = json(
        app.get(&format!("/api/v1/initiatives/{id}/review"), &r2_token)
            .await,
    )
    .await;
    assert_eq!(review["can_score"], true, "{review}");
    assert_eq!(review["case"]["committee_id"], committees[1], "{review}");
    let r1_token = app.login("r1@test.vn").await;
    let queue = json(app.get("/api/v1/reviews/queue", &r1_token).await).await;
    assert!(!in_queue(&queue), "{queue}");
}
