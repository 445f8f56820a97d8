//! The initiative lifecycle: draft, update with optimistic locking, submission rules,
//! listing, history, NFC storage, and durability across a restart.

use serde_json::json;
use unicode_normalization::UnicodeNormalization;

use crate::helpers::{
    Backend, TestApp, accept_coauthor, complete_draft, create_draft, expect_error, json, who,
};

async fn lifecycle_draft_update_submit(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;

    // A bare draft: title only.
    let res = app
        .post(
            "/api/v1/initiatives",
            &member,
            &json!({"program_id": w.program, "title": "Số hoá hồ sơ lưu trữ"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let draft = json(res).await;
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["status_name"], "Nháp");
    assert_eq!(draft["version"], 1);
    assert_eq!(draft["union_id"], w.cb_hq);
    assert_eq!(draft["authors"][0]["user_id"], w.member_a);
    assert_eq!(draft["authors"][0]["share_percent"], 100);
    assert!(draft["receipt_no"].is_null());
    assert!(draft["phase_id"].is_i64(), "the open phase is chosen");

    // Submitting it incomplete names every missing part.
    let err = expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await,
        422,
        "incomplete_initiative",
    )
    .await;
    let fields = &err["error"]["details"]["fields"];
    for f in [
        "field_id",
        "current_situation",
        "solution",
        "scope",
        "benefits",
        "first_applied_on",
    ] {
        assert!(fields[f].is_string(), "{f} should be reported: {err}");
    }

    // Fill it in, with a co-author: shares must add up to 100.
    let mut body = complete_draft(&w, "Số hoá hồ sơ lưu trữ tại Cục Hải quan Cao Bằng");
    body["version"] = json!(1);
    body["coauthors"] = json!([{"user_id": w.coauthor_a, "share_percent": 30}]);
    body["author_share_percent"] = json!(60);
    let res = app
        .patch(&format!("/api/v1/initiatives/{id}"), &member, &body)
        .await;
    assert_eq!(res.status(), 200);
    let updated = json(res).await;
    assert_eq!(updated["version"], 2);
    // Named once they accept the invitation (not before).
    assert_eq!(updated["coauthor_invitations"][0]["status"], "pending");
    accept_coauthor(&app, who::COAUTHOR_A, id).await;
    let updated = json(app.get(&format!("/api/v1/initiatives/{id}"), &member).await).await;
    assert_eq!(updated["authors"][1]["full_name"], "Đàm Văn Hợp");
    let err = expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await,
        422,
        "incomplete_initiative",
    )
    .await;
    assert!(
        err["error"]["details"]["fields"]["coauthors"]
            .as_str()
            .unwrap()
            .contains("90%")
    );
    let res = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": 2, "author_share_percent": 70}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // The co-author sees it but may not edit or submit it.
    let coauthor = app.login(who::COAUTHOR_A).await;
    assert_eq!(
        app.get(&format!("/api/v1/initiatives/{id}"), &coauthor)
            .await
            .status(),
        200
    );
    expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &coauthor,
            &json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    // Submit.
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({"version": 3}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let submitted = json(res).await;
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["status_name"], "Đã nộp");
    assert!(submitted["receipt_no"].as_str().unwrap().starts_with("SK"));
    assert!(submitted["submitted_at"].is_string());

    // No more edits, no second submission.
    expect_error(
        app.patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": 4, "title": "Đổi tên sau khi nộp"}),
        )
        .await,
        409,
        "invalid_state",
    )
    .await;
    expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await,
        409,
        "invalid_state",
    )
    .await;

    // The history tells the story.
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
    assert_eq!(
        actions,
        [
            "created",
            "coauthor_invited",
            "updated",
            "coauthor_accepted",
            "updated",
            "submitted"
        ]
    );

    // Listed for the author, for the province's officer, not for another province's.
    let mine = json(
        app.get("/api/v1/initiatives?status=submitted", &member)
            .await,
    )
    .await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["id"], id);
    let officer_a = app.login(who::OFFICER_A).await;
    let seen = json(
        app.get(
            &format!("/api/v1/initiatives?union_id={}", w.cb),
            &officer_a,
        )
        .await,
    )
    .await;
    assert_eq!(seen["total"], 1);
    let officer_b = app.login(who::OFFICER_B).await;
    let unseen = json(app.get("/api/v1/initiatives", &officer_b).await).await;
    assert_eq!(unseen["total"], 0);
}

async fn stale_update_is_409(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let id = create_draft(
        &app,
        &member,
        &complete_draft(&w, "Cải tiến quy trình tiếp nhận hồ sơ"),
    )
    .await;
    // Two tabs read version 1; the first saves, the second is told.
    let first = app
        .patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": 1, "scope": "Tab thứ nhất: toàn bộ các chi cục."}),
        )
        .await;
    assert_eq!(first.status(), 200);
    let err = expect_error(
        app.patch(
            &format!("/api/v1/initiatives/{id}"),
            &member,
            &json!({"version": 1, "scope": "Tab thứ hai ghi đè."}),
        )
        .await,
        409,
        "version_conflict",
    )
    .await;
    assert_eq!(err["error"]["details"]["current_version"], 2);
    let current = json(app.get(&format!("/api/v1/initiatives/{id}"), &member).await).await;
    assert_eq!(current["scope"], "Tab thứ nhất: toàn bộ các chi cục.");
    expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({"version": 1}),
        )
        .await,
        409,
        "version_conflict",
    )
    .await;
}

async fn closed_phase_is_422(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let mut body = complete_draft(&w, "Sáng kiến nộp sau khi hết hạn");
    body["program_id"] = json!(w.closed_program);
    body["field_id"] = json!(null);
    let draft = json(app.post("/api/v1/initiatives", &member, &body).await).await;
    let id = draft["id"].as_i64().unwrap();
    expect_error(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await,
        422,
        "phase_closed",
    )
    .await;
    // Closing the program refuses even drafts.
    let padmin = app.login(who::PADMIN).await;
    assert_eq!(
        app.post(
            &format!("/api/v1/programs/{}/close", w.program),
            &padmin,
            &json!({})
        )
        .await
        .status(),
        200
    );
    expect_error(
        app.post(
            "/api/v1/initiatives",
            &member,
            &complete_draft(&w, "Sáng kiến khi chương trình đã đóng"),
        )
        .await,
        422,
        "program_not_open",
    )
    .await;
}

async fn text_is_stored_as_nfc(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let title: String = "Ứng dụng  chữ ký số\u{200B} trong thanh toán"
        .nfd()
        .collect();
    let solution: String = "Đăng ký chứng thư số cho kế toán trưởng.\r\nKý điện tử mọi chứng từ."
        .nfd()
        .collect();
    let mut body = complete_draft(&w, &title);
    body["solution"] = json!(solution);
    let created = json(app.post("/api/v1/initiatives", &member, &body).await).await;
    assert_eq!(created["title"], "Ứng dụng chữ ký số trong thanh toán");
    assert_eq!(
        created["solution"],
        "Đăng ký chứng thư số cho kế toán trưởng.\nKý điện tử mọi chứng từ."
    );
    let fetched = json(
        app.get(&format!("/api/v1/initiatives/{}", created["id"]), &member)
            .await,
    )
    .await;
    let stored = fetched["title"].as_str().unwrap();
    assert_eq!(stored, stored.nfc().collect::<String>());
}

async fn data_survives_a_restart(backend: Backend) {
    let Some(mut app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let id = create_draft(
        &app,
        &member,
        &complete_draft(&w, "Hệ thống nhắc lịch bảo dưỡng thiết bị"),
    )
    .await;
    let submitted = json(
        app.post(
            &format!("/api/v1/initiatives/{id}/submit"),
            &member,
            &json!({}),
        )
        .await,
    )
    .await;
    app.restart().await;
    // The same token still works (the key is the configured one), and the data is there.
    let fetched = json(app.get(&format!("/api/v1/initiatives/{id}"), &member).await).await;
    assert_eq!(fetched["title"], "Hệ thống nhắc lịch bảo dưỡng thiết bị");
    assert_eq!(fetched["status"], "submitted");
    assert_eq!(fetched["receipt_no"], submitted["receipt_no"]);
    let again = app.login(who::MEMBER_A).await;
    assert_eq!(app.get("/api/v1/me", &again).await.status(), 200);
}

crate::on_both_backends!(
    lifecycle_draft_update_submit,
    stale_update_is_409,
    closed_phase_is_422,
    text_is_stored_as_nfc,
    data_survives_a_restart,
);
