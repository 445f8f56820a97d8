//! A union's attainment dashboard over HTTP: counts of its subtree by the counting rules,
//! its quota and the children's lines, following submissions, approvals and revocation;
//! who may see it.

use serde_json::json;

use crate::helpers::{Backend, TestApp, approve, distinct_draft, expect_error, json, submit, who};

crate::on_both_backends!(dashboard_counts_follow_the_initiatives);

async fn dashboard_counts_follow_the_initiatives(backend: Backend) {
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
    // A quota of 10% of members for Cao Bằng's civil-servants union: 157 in its subtree, 16.
    let program = w.program;
    let padmin = app.login(who::PADMIN).await;
    let res = app
        .put(
            &format!("/api/v1/unions/{}/quotas", w.cb),
            &padmin,
            &json!({"program_id": program, "allocations": [
                {"union_id": w.cb_vc, "kind": "percent_of_members", "value": 1000}
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let officer = app.login(who::OFFICER_A).await;
    let url = format!("/api/v1/unions/{}/dashboard?program_id={program}", w.cb);
    let d = json(app.get(&url, &officer).await).await;
    assert_eq!(d["union"]["code"], "CB", "{d}");
    assert_eq!(d["union"]["counts"]["submitted"], 3, "{d}");
    assert_eq!(d["union"]["counts"]["approved"], 2);
    assert_eq!(d["union"]["counts"]["under_review"], 1);
    assert!(d["counting_rule"].as_str().unwrap().contains("thông qua"));
    let children = d["children"].as_array().unwrap();
    let vc = children.iter().find(|c| c["code"] == "CB-VC").unwrap();
    assert_eq!(vc["counts"]["approved"], 2, "{d}");
    assert_eq!(vc["quota"], 16, "{vc}");
    assert_eq!(vc["attainment"], 12.5, "{vc}");
    // Today's activity: three submitted, two approved, all in the fixture's one field.
    let last = d["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["submitted"], 3, "{d}");
    assert_eq!(last["approved"], 2, "{d}");
    assert_eq!(d["fields"][0]["approved"], 2, "{d}");
    assert_eq!(
        d["rankings"][0]["text"], "Xếp thứ 1/2 đơn vị trực thuộc Tổng Liên đoàn Lao động Việt Nam",
        "{d}"
    );
    assert_eq!(
        d["trail"][0]["open"], false,
        "the officer of Cao Bằng does not see the root: {d}"
    );

    // Revocation takes the approval out of every ancestor's count at once.
    let admin = app.login(who::PADMIN).await;
    let res = app
        .post(
            &format!("/api/v1/initiatives/{}/revoke", ids[0]),
            &admin,
            &json!({"reason": "Gian lận: sáng kiến đã được công nhận ở đơn vị khác."}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let root = json(
        app.get(
            &format!(
                "/api/v1/unions/{}/dashboard?program_id={program}&sort=approved",
                w.root
            ),
            &admin,
        )
        .await,
    )
    .await;
    assert_eq!(root["union"]["counts"]["approved"], 1, "{root}");
    assert_eq!(root["union"]["counts"]["revoked"], 1);
    assert_eq!(root["union"]["counts"]["submitted"], 3);
    assert_eq!(
        root["children"][0]["code"], "CB",
        "sorted by approved: {root}"
    );

    // Another province's officer does not see it; bad input is a 4xx with a code.
    let other = app.login(who::OFFICER_B).await;
    expect_error(app.get(&url, &other).await, 404, "not_found").await;
    let bad = format!("/api/v1/unions/{}/dashboard?program_id=999999", w.cb);
    expect_error(app.get(&bad, &officer).await, 400, "validation_failed").await;
    let bad = format!(
        "/api/v1/unions/{}/dashboard?program_id={program}&sort=nope",
        w.cb
    );
    let res = app.get(&bad, &officer).await;
    assert_eq!(res.status(), 400);
    app.review_counters_agree().await;
}
