//! The organising-committee review over HTTP: stages along the union tree, committees,
//! automatic and manual assignment, conflicts of interest, scoring, decisions (at once or
//! published in bulk by the chair), races, returns with diffs, duplicates, revocation, awards.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, TestApp, World, complete_draft, distinct_draft, expect_error, json, submit,
    submit_with_coauthors, who,
};

crate::on_both_backends!(
    two_stages_from_grassroots_to_the_owner,
    conflicts_of_interest_are_excluded_and_recorded,
    two_deciding_at_once_one_wins,
    chair_publishes_decisions_in_bulk,
    returned_initiative_is_revised_and_compared,
    duplicates_revocation_and_awards,
    rubric_and_stage_rules,
);

/// The single default stage (the program owner's committee) of the fixture program.
async fn default_stage(app: &TestApp, token: &str, w: &World) -> i64 {
    let stages = json(
        app.get(&format!("/api/v1/programs/{}/stages", w.program), token)
            .await,
    )
    .await;
    assert_eq!(stages.as_array().unwrap().len(), 1, "{stages}");
    assert_eq!(stages[0]["name"], "Ban Tổ chức thông qua");
    assert_eq!(stages[0]["union_level"], 0);
    stages[0]["id"].as_i64().unwrap()
}

async fn committee(app: &TestApp, token: &str, w: &World, stage: i64, union: i64) -> i64 {
    let res = app
        .post(
            &format!("/api/v1/programs/{}/committees", w.program),
            token,
            &json!({"stage_id": stage, "union_id": union}),
        )
        .await;
    assert_eq!(res.status(), 201);
    json(res).await["id"].as_i64().unwrap()
}

async fn add_member(app: &TestApp, token: &str, committee: i64, user: i64, chair: bool) {
    let res = app
        .put(
            &format!("/api/v1/committees/{committee}/members/{user}"),
            token,
            &json!({"chair": chair}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

fn scores(novelty: i32, applicability: i32, benefit: i32) -> Value {
    json!({"scores": {"tinh-moi": novelty, "kha-nang-ap-dung": applicability, "hieu-qua": benefit},
           "recommendation": "approve", "comment": "Giải pháp thiết thực."})
}

async fn score(app: &TestApp, token: &str, id: i64, body: &Value) -> Value {
    let res = app
        .put(
            &format!("/api/v1/initiatives/{id}/review/scores"),
            token,
            body,
        )
        .await;
    assert_eq!(res.status(), 200);
    json(res).await
}

async fn decide(app: &TestApp, token: &str, id: i64, body: &Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/initiatives/{id}/review/decision"),
        token,
        body,
    )
    .await
}

async fn status_of(app: &TestApp, token: &str, id: i64) -> String {
    json(app.get(&format!("/api/v1/initiatives/{id}"), token).await).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn two_stages_from_grassroots_to_the_owner(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let owner_stage = default_stage(&app, &padmin, &w).await;
    // Stage 1 at the grassroots union, inserted before the owner's stage.
    let res = app
        .post(
            &format!("/api/v1/programs/{}/stages", w.program),
            &padmin,
            &json!({"name": "CĐCS xác nhận", "union_level": 3, "position": 1}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let stages = json(res).await;
    assert_eq!(stages[0]["name"], "CĐCS xác nhận");
    assert_eq!(stages[1]["id"], owner_stage);
    let grassroots_stage = stages[0]["id"].as_i64().unwrap();

    let r1 = app.person("r1@test.vn", "Hà Văn Một", w.cb_hq).await;
    let r2 = app.person("r2@test.vn", "Hà Thị Hai", w.cb_hq).await;
    let c1 = committee(&app, &padmin, &w, grassroots_stage, w.cb_hq).await;
    add_member(&app, &padmin, c1, r1, true).await;
    add_member(&app, &padmin, c1, r2, false).await;
    let c2 = committee(&app, &padmin, &w, owner_stage, w.root).await;
    let reviewer_a = json(
        app.get("/api/v1/me", &app.login(who::REVIEWER_A).await)
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    add_member(&app, &padmin, c2, reviewer_a, true).await;

    let member = app.login(who::MEMBER_A).await;
    let submitted = submit(&app, &member, &complete_draft(&w, "Số hóa hồ sơ hải quan")).await;
    assert_eq!(submitted["_status"], 200);
    let id = submitted["_id"].as_i64().unwrap();
    // Routed to the grassroots committee and assigned to one member: under review.
    assert_eq!(submitted["status"], "under_review");

    let t1 = app.login("r1@test.vn").await;
    let t2 = app.login("r2@test.vn").await;
    let q1 = json(app.get("/api/v1/reviews/queue", &t1).await).await;
    let q2 = json(app.get("/api/v1/reviews/queue", &t2).await).await;
    let (mine, other) = if q1["total"] == 1 { (t1, t2) } else { (t2, t1) };
    let queue = json(app.get("/api/v1/reviews/queue", &mine).await).await;
    assert_eq!(queue["total"], 1, "{q1} {q2}");
    assert_eq!(queue["scored"], 0);
    assert_eq!(queue["items"][0]["initiative_id"], id);
    assert_eq!(queue["items"][0]["stage_name"], "CĐCS xác nhận");
    let view = json(
        app.get(&format!("/api/v1/initiatives/{id}/review"), &other)
            .await,
    )
    .await;
    assert_eq!(view["can_score"], false, "the unassigned member only reads");
    assert_eq!(view["case"]["committee_id"], c1);
    assert_eq!(view["rubric"]["max_total"], 100.0);

    // Approval needs a scored review; scores are checked against the rubric.
    let res = decide(&app, &mine, id, &json!({"decision": "approve"})).await;
    expect_error(res, 422, "reviews_incomplete").await;
    let res = app
        .put(
            &format!("/api/v1/initiatives/{id}/review/scores"),
            &mine,
            &json!({"scores": {"tinh-moi": 31, "kha-nang-ap-dung": 20}}),
        )
        .await;
    let err = expect_error(res, 400, "validation_failed").await;
    let fields = &err["error"]["details"]["fields"];
    assert!(fields["scores.tinh-moi"].is_string(), "{err}");
    assert!(fields["scores.hieu-qua"].is_string(), "{err}");
    let view = score(&app, &mine, id, &scores(20, 25, 30)).await;
    assert_eq!(view["mine"]["total"], 75.0);
    assert_eq!(view["committee_score"], 75.0);
    let queue = json(
        app.get("/api/v1/reviews/queue?not_scored=true", &mine)
            .await,
    )
    .await;
    assert_eq!(
        (queue["total"].as_i64(), queue["scored"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(queue["items"].as_array().unwrap().len(), 0);

    // Stage 1 approves: on to the owner's committee, still under review.
    let res = decide(&app, &mine, id, &json!({"decision": "approve"})).await;
    assert_eq!(res.status(), 200);
    let view = json(res).await;
    assert_eq!(view["case"]["decision"], "approve", "{view}");
    assert_eq!(view["case"]["state"], "closed");
    assert_eq!(status_of(&app, &member, id).await, "under_review");
    let chair = app.login(who::REVIEWER_A).await;
    let view = json(
        app.get(&format!("/api/v1/initiatives/{id}/review"), &chair)
            .await,
    )
    .await;
    assert_eq!(view["case"]["stage_id"], owner_stage, "{view}");
    assert_eq!(view["case"]["committee_id"], c2);
    assert_eq!(view["earlier"][0]["decision"], "approve");
    // The grassroots committee no longer has it in its queue.
    let queue = json(app.get("/api/v1/reviews/queue", &mine).await).await;
    assert_eq!(queue["total"], 0);

    let queue = json(app.get("/api/v1/reviews/queue", &chair).await).await;
    assert_eq!(queue["items"][0]["initiative_id"], id, "{queue}");
    score(&app, &chair, id, &scores(25, 25, 35)).await;
    let res = decide(
        &app,
        &chair,
        id,
        &json!({"decision": "approve", "note": "Đạt yêu cầu"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status_of(&app, &member, id).await, "approved");
    let history = json(
        app.get(&format!("/api/v1/initiatives/{id}/history"), &member)
            .await,
    )
    .await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"stage_approved"), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "approved").count(), 1);
    // Deciding again: the case is closed.
    let res = decide(
        &app,
        &chair,
        id,
        &json!({"decision": "reject", "reason_code": "khac"}),
    )
    .await;
    expect_error(res, 409, "invalid_state").await;
    app.review_counters_agree().await;
}

async fn conflicts_of_interest_are_excluded_and_recorded(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let stage = default_stage(&app, &padmin, &w).await;
    let res = app
        .put(
            &format!("/api/v1/programs/{}/stages/{stage}", w.program),
            &padmin,
            &json!({"name": "Ban Tổ chức thông qua", "union_level": 0, "reviews_required": 2}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let head = app
        .person("thu.truong@test.vn", "Lý Văn Trưởng", w.cb_hq)
        .await;
    let fair = app.person("cong.tam@test.vn", "Ma Thị Công", w.cb).await;
    let officer = app.login(who::OFFICER_A).await;
    let res = app
        .put(
            &format!("/api/v1/unions/{}/head", w.cb_hq),
            &officer,
            &json!({"user_id": head}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let c = committee(&app, &padmin, &w, stage, w.root).await;
    for (user, chair) in [(fair, true), (head, false), (w.coauthor_a, false)] {
        add_member(&app, &padmin, c, user, chair).await;
    }
    let member = app.login(who::MEMBER_A).await;
    let mut body = complete_draft(&w, "Số hóa hồ sơ hải quan");
    body["author_share_percent"] = json!(70);
    body["coauthors"] = json!([{"user_id": w.coauthor_a, "share_percent": 30}]);
    let id = submit_with_coauthors(&app, &member, &body, &[who::COAUTHOR_A]).await["_id"]
        .as_i64()
        .unwrap();

    let chair = app.login("cong.tam@test.vn").await;
    let view = json(
        app.get(&format!("/api/v1/initiatives/{id}/review"), &chair)
            .await,
    )
    .await;
    let assigned: Vec<i64> = view["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["reviewer_id"].as_i64().unwrap())
        .collect();
    assert_eq!(assigned, vec![fair], "only the member without a conflict");
    let mut reasons: Vec<(i64, String)> = view["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["user_id"].as_i64().unwrap(),
                c["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    reasons.sort();
    let mut expected = vec![
        (w.coauthor_a, "author".to_owned()),
        (head, "head_of_unit".to_owned()),
    ];
    expected.sort();
    assert_eq!(reasons, expected);

    // The chair cannot assign them by hand either; they cannot open or score it.
    let res = app
        .post(
            &format!("/api/v1/committees/{c}/assignments"),
            &chair,
            &json!({"initiative_ids": [id], "reviewer_id": head}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let outcome = json(res).await;
    assert_eq!(outcome[0]["result"], "conflict");
    assert_eq!(outcome[0]["message"], "Là thủ trưởng đơn vị nộp sáng kiến");
    let coauthor = app.login(who::COAUTHOR_A).await;
    let res = app
        .get(&format!("/api/v1/initiatives/{id}/review"), &coauthor)
        .await;
    let err = expect_error(res, 409, "conflict_of_interest").await;
    assert_eq!(err["error"]["details"]["reason"], "author");
    let res = app
        .put(
            &format!("/api/v1/initiatives/{id}/review/scores"),
            &app.login("thu.truong@test.vn").await,
            &scores(10, 10, 10),
        )
        .await;
    expect_error(res, 409, "conflict_of_interest").await;

    // A declared conflict: the chair steps aside, and the reason is kept.
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/review/conflict"),
            &chair,
            &json!({"note": "Vợ tôi làm cùng phòng với tác giả."}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .get(&format!("/api/v1/initiatives/{id}/review"), &chair)
        .await;
    let err = expect_error(res, 409, "conflict_of_interest").await;
    assert_eq!(err["error"]["details"]["reason"], "declared");
    let view = json(
        app.get(&format!("/api/v1/initiatives/{id}/review"), &padmin)
            .await,
    )
    .await;
    assert_eq!(view["assignments"][0]["state"], "recused");
    assert!(
        view["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["note"] == "Vợ tôi làm cùng phòng với tác giả.")
    );
    app.review_counters_agree().await;
}

/// A committee at the root with two members who each review; both scored.
async fn two_reviewers_scored(app: &TestApp, w: &World, n: usize) -> (Vec<String>, i64, Vec<i64>) {
    let padmin = app.login(who::PADMIN).await;
    let stage = default_stage(app, &padmin, w).await;
    app.put(
        &format!("/api/v1/programs/{}/stages/{stage}", w.program),
        &padmin,
        &json!({"name": "Ban Tổ chức thông qua", "union_level": 0, "reviews_required": 2,
                "blind_scoring": true, "chair_publishes": n > 1}),
    )
    .await;
    let a = app.person("tham.dinh.a@test.vn", "Chu Văn An", w.cb).await;
    let b = app
        .person("tham.dinh.b@test.vn", "Chu Thị Bình", w.ls)
        .await;
    let c = committee(app, &padmin, w, stage, w.root).await;
    add_member(app, &padmin, c, a, true).await;
    add_member(app, &padmin, c, b, false).await;
    let member = app.login(who::MEMBER_A).await;
    let mut ids = Vec::new();
    for i in 0..n {
        let s = submit(app, &member, &distinct_draft(w, i)).await;
        assert_eq!(s["_status"], 200, "{s}");
        ids.push(s["_id"].as_i64().unwrap());
    }
    let tokens = vec![
        app.login("tham.dinh.a@test.vn").await,
        app.login("tham.dinh.b@test.vn").await,
    ];
    for id in &ids {
        // Blind: before scoring, the second reviewer does not see the first's scores.
        score(app, &tokens[0], *id, &scores(20, 20, 20)).await;
        let view = json(
            app.get(&format!("/api/v1/initiatives/{id}/review"), &tokens[1])
                .await,
        )
        .await;
        assert_eq!(view["scores_hidden"], true);
        assert_eq!(view["scores"].as_array().unwrap().len(), 0);
        let view = score(app, &tokens[1], *id, &scores(30, 30, 40)).await;
        assert_eq!(view["scores"].as_array().unwrap().len(), 2);
        assert_eq!(view["committee_score"], 80.0, "mean of 60 and 100");
    }
    (tokens, c, ids)
}

async fn two_deciding_at_once_one_wins(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let (tokens, _, ids) = two_reviewers_scored(&app, &w, 1).await;
    let id = ids[0];
    let approve = json!({"decision": "approve"});
    let reject = json!({"decision": "reject", "reason_code": "khong-co-tinh-moi"});
    let (ra, rb) = tokio::join!(
        decide(&app, &tokens[0], id, &approve),
        decide(&app, &tokens[1], id, &reject),
    );
    let (sa, sb) = (ra.status().as_u16(), rb.status().as_u16());
    assert!(
        (sa, sb) == (200, 409) || (sa, sb) == (409, 200),
        "one wins, one is told: {sa} {sb}"
    );
    let loser = if sa == 409 { ra } else { rb };
    let err = expect_error(loser, 409, "invalid_state").await;
    assert_eq!(err["error"]["details"]["state"], "closed");
    let member = app.login(who::MEMBER_A).await;
    let status = status_of(&app, &member, id).await;
    let expected = if sa == 200 { "approved" } else { "rejected" };
    assert_eq!(status, expected);
    let history = json(
        app.get(&format!("/api/v1/initiatives/{id}/history"), &member)
            .await,
    )
    .await;
    let decided = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "approved" || h["action"] == "rejected")
        .count();
    assert_eq!(decided, 1, "{history}");
    app.review_counters_agree().await;
}

async fn chair_publishes_decisions_in_bulk(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let (tokens, c, ids) = two_reviewers_scored(&app, &w, 3).await;
    let member = app.login(who::MEMBER_A).await;
    // The second reviewer decides; the stage leaves publication to the chair.
    for (i, id) in ids.iter().enumerate() {
        let body = if i == 2 {
            json!({"decision": "reject", "reason_code": "chua-chung-minh-hieu-qua", "note": "Thiếu số liệu."})
        } else {
            json!({"decision": "approve"})
        };
        let res = decide(&app, &tokens[1], *id, &body).await;
        assert_eq!(res.status(), 200);
        let view = json(res).await;
        assert_eq!(view["case"]["state"], "pending");
        assert_eq!(
            status_of(&app, &member, *id).await,
            "under_review",
            "authors not told yet"
        );
    }
    // Only the chair publishes.
    let res = app
        .post(
            &format!("/api/v1/committees/{c}/publish"),
            &tokens[1],
            &json!({"all": true}),
        )
        .await;
    expect_error(res, 403, "forbidden").await;
    let board = json(
        app.get(&format!("/api/v1/committees/{c}/board"), &tokens[0])
            .await,
    )
    .await;
    assert_eq!(board["pending"], 3, "{board}");
    assert_eq!(
        board["pending_decisions"]["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(board["pending_decisions"]["total"], 3);
    // The pending list pages on its own: the second page of two holds the third decision.
    let second = json(
        app.get(
            &format!("/api/v1/committees/{c}/board?per_page=2&pending_page=2"),
            &tokens[0],
        )
        .await,
    )
    .await;
    let items = second["pending_decisions"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{second}");
    assert_eq!(second["pending_decisions"]["page"], 2);
    let bad = app
        .get(
            &format!("/api/v1/committees/{c}/board?pending_page=0"),
            &tokens[0],
        )
        .await;
    expect_error(bad, 400, "validation_failed").await;
    let progress: Vec<(i64, i64)> = board["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["assigned"].as_i64().unwrap(),
                r["scored"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(progress, vec![(3, 3), (3, 3)]);
    // A body that does not say what to publish publishes nothing: a malformed one, an empty
    // one, none at all, and both scopes at once are each 400.
    let publish_url = format!("{}/api/v1/committees/{c}/publish", app.base);
    for (body, code) in [
        (r#"{"initiative_ids": ["5"]}"#, "invalid_json"),
        ("\u{0}", "invalid_json"),
        ("{}", "validation_failed"),
        (r#"{"initiative_ids": []}"#, "validation_failed"),
        (
            r#"{"all": true, "initiative_ids": [1]}"#,
            "validation_failed",
        ),
        (r#"{"all": "yes"}"#, "invalid_json"),
    ] {
        let res = app
            .client
            .post(&publish_url)
            .bearer_auth(&tokens[0])
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        expect_error(res, 400, code).await;
    }
    let res = app
        .client
        .post(&publish_url)
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "invalid_json").await;
    for id in &ids {
        assert_eq!(status_of(&app, &member, *id).await, "under_review");
    }
    // Publish two of them, then the rest.
    let res = app
        .post(
            &format!("/api/v1/committees/{c}/publish"),
            &tokens[0],
            &json!({"initiative_ids": [ids[0], ids[2]]}),
        )
        .await;
    assert_eq!(json(res).await["published"], 2);
    assert_eq!(status_of(&app, &member, ids[0]).await, "approved");
    assert_eq!(status_of(&app, &member, ids[1]).await, "under_review");
    assert_eq!(status_of(&app, &member, ids[2]).await, "rejected");
    let history = json(
        app.get(&format!("/api/v1/initiatives/{}/history", ids[2]), &member)
            .await,
    )
    .await;
    let rejected = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["action"] == "rejected")
        .unwrap();
    assert_eq!(
        rejected["comment"],
        "Chưa chứng minh được hiệu quả. Thiếu số liệu."
    );
    let res = app
        .post(
            &format!("/api/v1/committees/{c}/publish"),
            &tokens[0],
            &json!({"all": true}),
        )
        .await;
    assert_eq!(json(res).await["published"], 1);
    assert_eq!(status_of(&app, &member, ids[1]).await, "approved");
    let board = json(
        app.get(&format!("/api/v1/committees/{c}/board"), &tokens[0])
            .await,
    )
    .await;
    assert_eq!(board["pending"], 0);
    app.review_counters_agree().await;
}

async fn returned_initiative_is_revised_and_compared(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let stage = default_stage(&app, &padmin, &w).await;
    let reviewer = app.person("tra.lai@test.vn", "Đinh Văn Sửa", w.cb).await;
    let other = app.person("du.phong@test.vn", "Đinh Thị Phòng", w.cb).await;
    let c = committee(&app, &padmin, &w, stage, w.root).await;
    add_member(&app, &padmin, c, reviewer, true).await;
    let member = app.login(who::MEMBER_A).await;
    let id = submit(&app, &member, &complete_draft(&w, "Số hóa hồ sơ hải quan")).await["_id"]
        .as_i64()
        .unwrap();
    // A second member joins; the first keeps the review.
    add_member(&app, &padmin, c, other, false).await;
    let t = app.login("tra.lai@test.vn").await;
    let res = decide(&app, &t, id, &json!({"decision": "return"})).await;
    let err = expect_error(res, 400, "validation_failed").await;
    assert!(err["error"]["details"]["fields"]["note"].is_string());
    let res = decide(
        &app,
        &t,
        id,
        &json!({"decision": "return", "note": "Bổ sung số liệu tiết kiệm thực tế."}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let view = json(app.get(&format!("/api/v1/initiatives/{id}"), &member).await).await;
    assert_eq!(view["status"], "returned");
    let res = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": view["version"],
                    "benefits": "Tiết kiệm 320 giờ công mỗi năm theo sổ theo dõi, giảm hư hỏng hồ sơ giấy."}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // Round 2, back with the reviewer who returned it.
    let view = json(
        app.get(&format!("/api/v1/initiatives/{id}/review"), &t)
            .await,
    )
    .await;
    assert_eq!(view["case"]["round"], 2, "{view}");
    assert_eq!(view["rounds"], 2);
    assert_eq!(view["assignments"][0]["reviewer_id"], reviewer);
    assert_eq!(view["earlier"][0]["decision"], "return");
    let diff = json(
        app.get(&format!("/api/v1/initiatives/{id}/versions/diff"), &t)
            .await,
    )
    .await;
    assert_eq!(
        (diff["from_round"].as_i64(), diff["to_round"].as_i64()),
        (Some(1), Some(2))
    );
    let sections = diff["sections"].as_array().unwrap();
    let benefits = sections.iter().find(|s| s["key"] == "benefits").unwrap();
    assert_eq!(benefits["changed"], true);
    let inserted: String = benefits["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["op"] == "insert")
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(inserted.contains("320"), "{benefits}");
    assert!(sections.iter().filter(|s| s["changed"] == true).count() == 1);
    let res = app
        .get(
            &format!("/api/v1/initiatives/{id}/versions/diff?from=1&to=7"),
            &t,
        )
        .await;
    expect_error(res, 400, "invalid_query").await;
    app.review_counters_agree().await;
}

async fn duplicates_revocation_and_awards(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let stage = default_stage(&app, &padmin, &w).await;
    let reviewer = app.person("trung.lap@test.vn", "Tạ Văn Trùng", w.cb).await;
    let c = committee(&app, &padmin, &w, stage, w.root).await;
    add_member(&app, &padmin, c, reviewer, true).await;
    let t = app.login("trung.lap@test.vn").await;
    let member_a = app.login(who::MEMBER_A).await;
    let member_b = app.login(who::MEMBER_B).await;
    let first = submit(
        &app,
        &member_a,
        &complete_draft(&w, "Số hóa hồ sơ hải quan"),
    )
    .await["_id"]
        .as_i64()
        .unwrap();
    let mut copy = complete_draft(&w, "Số hoá hồ sơ lưu trữ");
    copy["first_applied_on"] = json!(chrono::Utc::now().date_naive());
    crate::duplicates::wait_for_match(&app, &member_b, &crate::duplicates::body_of(&copy), first)
        .await;
    let second = submit(&app, &member_b, &copy).await["_id"]
        .as_i64()
        .unwrap();

    let view = json(
        app.get(&format!("/api/v1/initiatives/{second}/review"), &t)
            .await,
    )
    .await;
    assert_eq!(view["duplicates"][0]["initiative_id"], first, "{view}");
    // The earlier one cannot be marked a duplicate of the later one.
    let res = decide(
        &app,
        &t,
        first,
        &json!({"decision": "duplicate", "duplicate_of": second}),
    )
    .await;
    expect_error(res, 400, "validation_failed").await;
    let res = decide(
        &app,
        &t,
        second,
        &json!({"decision": "duplicate", "duplicate_of": first}),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status_of(&app, &member_b, second).await, "duplicate");
    let history = json(
        app.get(&format!("/api/v1/initiatives/{second}/history"), &member_b)
            .await,
    )
    .await;
    let entry = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["action"] == "duplicate")
        .unwrap();
    assert!(
        entry["comment"]
            .as_str()
            .unwrap()
            .contains("Số hóa hồ sơ hải quan"),
        "{entry}"
    );

    score(&app, &t, first, &scores(25, 25, 30)).await;
    assert_eq!(
        decide(&app, &t, first, &json!({"decision": "approve"}))
            .await
            .status(),
        200
    );
    // Awards: approved ones only, by the owning union, with a known level.
    let res = app
        .put(
            &format!("/api/v1/initiatives/{second}/award"),
            &padmin,
            &json!({"level": "giai-nhat"}),
        )
        .await;
    expect_error(res, 409, "invalid_state").await;
    let res = app
        .put(
            &format!("/api/v1/initiatives/{first}/award"),
            &padmin,
            &json!({"level": "giai-vang"}),
        )
        .await;
    expect_error(res, 400, "validation_failed").await;
    let officer_b = app.login(who::OFFICER_B).await;
    let res = app
        .put(
            &format!("/api/v1/initiatives/{first}/award"),
            &officer_b,
            &json!({"level": "giai-nhat"}),
        )
        .await;
    assert!(matches!(res.status().as_u16(), 403 | 404));
    let res = app
        .put(
            &format!("/api/v1/initiatives/{first}/award"),
            &padmin,
            &json!({"level": "giai-nhat", "note": "Tiêu biểu cấp tỉnh"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["level_name"], "Giải Nhất");

    // Revocation by the owning union, with a reason; the counts follow the status.
    let res = app
        .post(
            &format!("/api/v1/initiatives/{first}/revoke"),
            &padmin,
            &json!({"reason": ""}),
        )
        .await;
    expect_error(res, 400, "validation_failed").await;
    let res = app
        .post(
            &format!("/api/v1/initiatives/{first}/revoke"),
            &padmin,
            &json!({"reason": "Phát hiện sao chép từ tài liệu đã công bố."}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["status"], "revoked");
    let res = app
        .post(
            &format!("/api/v1/initiatives/{first}/revoke"),
            &padmin,
            &json!({"reason": "Lần nữa"}),
        )
        .await;
    expect_error(res, 409, "invalid_state").await;
    app.review_counters_agree().await;
}

async fn rubric_and_stage_rules(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let padmin = app.login(who::PADMIN).await;
    let stage = default_stage(&app, &padmin, &w).await;
    let rubric = json(
        app.get(&format!("/api/v1/programs/{}/rubric", w.program), &padmin)
            .await,
    )
    .await;
    assert_eq!(rubric["criteria"][0]["name"], "Tính mới");
    assert_eq!(
        rubric["criteria"][0]["bands"][0]["description"],
        "Sao chép, đã có trước"
    );
    let res = app
        .put(
            &format!("/api/v1/programs/{}/rubric", w.program),
            &padmin,
            &json!({"aggregation": "median", "criteria": [
                {"code": "moi", "name": "Tính mới", "max_score": 10, "weight": 2,
                 "bands": [{"min": 0, "max": 6, "description": "a"}, {"min": 5, "max": 10, "description": "b"}]}
            ]}),
        )
        .await;
    let err = expect_error(res, 400, "validation_failed").await;
    assert!(err["error"]["details"]["fields"]["criteria[0].bands"].is_string());
    let res = app
        .put(
            &format!("/api/v1/programs/{}/rubric", w.program),
            &padmin,
            &json!({"aggregation": "median", "criteria": [
                {"code": "moi", "name": "Tính mới", "max_score": 10, "weight": 2},
                {"code": "ich", "name": "Lợi ích", "max_score": 10, "weight": 1}
            ]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["max_total"], 30.0);
    // A member cannot change it; the only stage cannot be removed.
    let member = app.login(who::MEMBER_A).await;
    let res = app
        .put(
            &format!("/api/v1/programs/{}/rubric", w.program),
            &member,
            &json!({"criteria": [{"code": "x", "name": "X", "max_score": 1, "weight": 1}]}),
        )
        .await;
    expect_error(res, 403, "forbidden").await;
    let res = app
        .delete(
            &format!("/api/v1/programs/{}/stages/{stage}", w.program),
            &padmin,
        )
        .await;
    expect_error(res, 409, "invalid_state").await;
    let res = app
        .post(
            &format!("/api/v1/programs/{}/stages", w.program),
            &padmin,
            &json!({"name": "", "union_level": 7, "reviews_required": 0}),
        )
        .await;
    let err = expect_error(res, 400, "validation_failed").await;
    for f in ["name", "union_level", "reviews_required"] {
        assert!(
            err["error"]["details"]["fields"][f].is_string(),
            "{f}: {err}"
        );
    }
    // A committee must sit at or above its stage's level, inside the program's tree.
    let res = app
        .post(
            &format!("/api/v1/programs/{}/committees", w.program),
            &padmin,
            &json!({"stage_id": stage, "union_id": w.cb_hq}),
        )
        .await;
    let err = expect_error(res, 400, "validation_failed").await;
    assert!(err["error"]["details"]["fields"]["union_id"].is_string());

    // Initiatives submitted before any committee exists wait, and are routed when one does.
    let id = submit(&app, &member, &complete_draft(&w, "Số hóa hồ sơ hải quan")).await["_id"]
        .as_i64()
        .unwrap();
    assert_eq!(status_of(&app, &member, id).await, "submitted");
    let reviewer = app.person("muon@test.vn", "Vương Văn Muộn", w.cb).await;
    let c = committee(&app, &padmin, &w, stage, w.root).await;
    add_member(&app, &padmin, c, reviewer, true).await;
    assert_eq!(status_of(&app, &member, id).await, "under_review");
    let t = app.login("muon@test.vn").await;
    let view = score(&app, &t, id, &json!({"scores": {"moi": 8, "ich": 5}})).await;
    assert_eq!(view["mine"]["total"], 21.0);
    // Once a review is scored, the rubric is locked.
    let res = app
        .put(
            &format!("/api/v1/programs/{}/rubric", w.program),
            &padmin,
            &json!({"criteria": [{"code": "x", "name": "X", "max_score": 1, "weight": 1}]}),
        )
        .await;
    expect_error(res, 409, "invalid_state").await;
    // Stages can still be added at the end, not before a stage in use.
    let res = app
        .post(
            &format!("/api/v1/programs/{}/stages", w.program),
            &padmin,
            &json!({"name": "Trước", "union_level": 3, "position": 1}),
        )
        .await;
    expect_error(res, 409, "invalid_state").await;
    let res = app
        .post(
            &format!("/api/v1/programs/{}/stages", w.program),
            &padmin,
            &json!({"name": "Hội đồng khen thưởng", "union_level": 0}),
        )
        .await;
    assert_eq!(res.status(), 201);
    app.review_counters_agree().await;
}
