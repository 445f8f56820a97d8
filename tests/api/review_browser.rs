//! The committee's pages in a real browser: a reviewer scores and approves; a chair assigns
//! in bulk and publishes; an author revises a returned initiative and the reviewer sees what
//! changed.

use serde_json::{Value, json};

use crate::browser::{Browser, DESKTOP, PHONE};
use crate::helpers::{Backend, TestApp, World, complete_draft, distinct_draft, json, submit, who};

crate::on_both_backends!(
    a_reviewer_scores_and_approves,
    a_chair_assigns_in_bulk_and_publishes,
    an_author_revises_a_returned_initiative,
    the_queue_progress_on_a_phone,
);

/// A committee at the root for the program's only stage, with these members.
async fn committee_with(app: &TestApp, w: &World, stage: &Value, members: &[(i64, bool)]) -> i64 {
    let padmin = app.login(who::PADMIN).await;
    let stages = json(
        app.get(&format!("/api/v1/programs/{}/stages", w.program), &padmin)
            .await,
    )
    .await;
    let stage_id = stages[0]["id"].as_i64().unwrap();
    let mut settings = json!({"name": "Ban Tổ chức thông qua", "union_level": 0});
    for (k, v) in stage.as_object().unwrap() {
        settings[k] = v.clone();
    }
    let res = app
        .put(
            &format!("/api/v1/programs/{}/stages/{stage_id}", w.program),
            &padmin,
            &settings,
        )
        .await;
    assert_eq!(res.status(), 200);
    let c = json(
        app.post(
            &format!("/api/v1/programs/{}/committees", w.program),
            &padmin,
            &json!({"stage_id": stage_id, "union_id": w.root}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for (user, chair) in members {
        let res = app
            .put(
                &format!("/api/v1/committees/{c}/members/{user}"),
                &padmin,
                &json!({"chair": chair}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    c
}

/// A committee at the root with one reviewer (giam.khao@test.vn), and one submission waiting
/// for them; its id.
async fn one_case_for_a_reviewer(app: &TestApp) -> i64 {
    let w = app.world().await;
    let reviewer = app
        .person("giam.khao@test.vn", "Hoàng Văn Khảo", w.cb)
        .await;
    committee_with(app, &w, &json!({}), &[(reviewer, false)]).await;
    let member = app.login(who::MEMBER_A).await;
    submit(app, &member, &complete_draft(&w, "Số hóa hồ sơ hải quan")).await["_id"]
        .as_i64()
        .unwrap()
}

/// The queue's progress bar on a phone, drawn as the count says.
async fn the_queue_progress_on_a_phone(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    one_case_for_a_reviewer(&app).await;
    let Some(phone) = Browser::start(PHONE).await else {
        return;
    };
    phone.sign_in(&app, "giam.khao@test.vn").await;
    phone.open(&app, "/xet-duyet").await;
    phone.wait_text("#progress", "0 / 1").await;
    assert_eq!(drawn_share(&phone).await, (0.0, 0));
    phone.shot("review-queue").await;
    phone.close().await;
}

async fn status_of(app: &TestApp, id: i64) -> String {
    let token = app.login(who::ADMIN).await;
    json(app.get(&format!("/api/v1/initiatives/{id}"), &token).await).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_reviewer_scores_and_approves(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = one_case_for_a_reviewer(&app).await;
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    b.sign_in(&app, "giam.khao@test.vn").await;
    b.find("#nav-review").await.click().await.unwrap();
    let queue = b.wait_text("#queue", "Số hóa hồ sơ hải quan").await;
    assert!(queue.contains("Chưa chấm"), "{queue}");
    b.wait_text("#progress", "0 / 1").await;
    // The bar is drawn as far as the count says (none scored: empty), with no inline style
    // for the Content-Security-Policy to block.
    let (share, styled) = drawn_share(&b).await;
    assert_eq!(share, 0.0, "the progress bar is drawn empty");
    assert_eq!(styled, 0, "elements with an inline style");
    b.shot("review-queue").await;
    b.find("#queue .item-title").await.click().await.unwrap();
    b.wait_text("h1", "Số hóa hồ sơ hải quan").await;
    b.type_into("#score_tinh-moi", "25").await;
    b.type_into("#score_kha-nang-ap-dung", "28").await;
    b.type_into("#score_hieu-qua", "35").await;
    b.find("#recommendation")
        .await
        .select_by_value("approve")
        .await
        .unwrap();
    b.type_into("#comment", "Giải pháp áp dụng được ngay, số liệu rõ ràng.")
        .await;
    b.find("#save-scores").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã lưu phiếu chấm").await;
    b.wait_text("#committee-score", "88").await;
    b.shot("review-page").await;
    // Approve: the last stage, so the initiative is approved and leaves the queue.
    b.find("input[name=decision][value=approve]")
        .await
        .click()
        .await
        .unwrap();
    b.find("#decide").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã ghi quyết định").await;
    b.wait_text("#main", "Chưa có sáng kiến nào được giao cho bạn")
        .await;
    assert_eq!(status_of(&app, id).await, "approved");
    // The printed score sheet carries the scores.
    b.open(&app, &format!("/xet-duyet/{id}/phieu-cham")).await;
    let sheet = b
        .wait_text("#score-sheet", "PHIẾU CHẤM ĐIỂM SÁNG KIẾN")
        .await;
    assert!(sheet.contains("Hoàng Văn Khảo"), "{sheet}");
    assert!(sheet.contains("88"), "{sheet}");
    b.shot("score-sheet").await;
    b.close().await;
    app.review_counters_agree().await;
}

async fn a_chair_assigns_in_bulk_and_publishes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let chair = app.person("chu.tich@test.vn", "Lương Văn Chủ", w.cb).await;
    let a = app.person("uy.vien.a@test.vn", "Lương Thị Ủy", w.cb).await;
    let bm = app
        .person("uy.vien.b@test.vn", "Lương Văn Viên", w.ls)
        .await;
    let c = committee_with(
        &app,
        &w,
        &json!({"auto_assign": false, "chair_publishes": true}),
        &[(chair, true), (a, false), (bm, false)],
    )
    .await;
    let member = app.login(who::MEMBER_A).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let s = submit(&app, &member, &distinct_draft(&w, i)).await;
        assert_eq!(s["status"], "submitted", "waits for the chair: {s}");
        ids.push(s["_id"].as_i64().unwrap());
    }
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    b.sign_in(&app, "chu.tich@test.vn").await;
    b.open(&app, "/xet-duyet").await;
    b.find(".chips a[href^='/hoi-dong/']")
        .await
        .click()
        .await
        .unwrap();
    b.wait_url(&format!("/hoi-dong/{c}")).await;
    b.wait_text("#unassigned-count", "3").await;
    b.shot("chair-board").await;
    // Two to the first member, one to the second.
    for id in &ids[..2] {
        b.find(&format!("#assign-form input[value='{id}']"))
            .await
            .click()
            .await
            .unwrap();
    }
    b.find("#reviewer_id")
        .await
        .select_by_value(&a.to_string())
        .await
        .unwrap();
    b.find("#assign").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã phân công 2 sáng kiến")
        .await;
    b.wait_text("#unassigned-count", "1").await;
    b.find(&format!("#assign-form input[value='{}']", ids[2]))
        .await
        .click()
        .await
        .unwrap();
    b.find("#reviewer_id")
        .await
        .select_by_value(&bm.to_string())
        .await
        .unwrap();
    b.find("#assign").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã phân công 1 sáng kiến")
        .await;
    let progress = b.wait_text("#reviewers", "Lương Thị Ủy").await;
    assert!(progress.contains("0 / 2"), "{progress}");
    // The members score and decide; decisions wait for the chair.
    for (who_, id) in [
        ("uy.vien.a@test.vn", ids[0]),
        ("uy.vien.a@test.vn", ids[1]),
        ("uy.vien.b@test.vn", ids[2]),
    ] {
        let t = app.login(who_).await;
        let res = app
            .put(
                &format!("/api/v1/initiatives/{id}/review/scores"),
                &t,
                &json!({"scores": {"tinh-moi": 20, "kha-nang-ap-dung": 20, "hieu-qua": 30}}),
            )
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .post(
                &format!("/api/v1/initiatives/{id}/review/decision"),
                &t,
                &json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(json(res).await["case"]["state"], "pending");
    }
    assert_eq!(status_of(&app, ids[0]).await, "under_review");
    b.open(&app, &format!("/hoi-dong/{c}")).await;
    b.wait_text("#pending-count", "3").await;
    b.shot("chair-board-pending").await;
    b.find("#publish").await.click().await.unwrap();
    b.wait_text("#page-notice", "Đã công bố 3 quyết định").await;
    b.wait_text("#pending-count", "0").await;
    for id in &ids {
        assert_eq!(status_of(&app, *id).await, "approved");
    }
    // The minutes list the three decisions.
    b.open(&app, &format!("/hoi-dong/{c}/bien-ban")).await;
    let minutes = b
        .wait_text("#minutes", "BIÊN BẢN XÉT DUYỆT SÁNG KIẾN")
        .await;
    assert!(minutes.contains("Thông qua: 3"), "{minutes}");
    assert!(minutes.contains("Lương Văn Chủ (Chủ tịch)"), "{minutes}");
    b.shot("minutes").await;
    b.close().await;
    app.review_counters_agree().await;
}

async fn an_author_revises_a_returned_initiative(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let reviewer = app.person("sua.lai@test.vn", "Triệu Văn Sửa", w.cb).await;
    committee_with(&app, &w, &json!({}), &[(reviewer, true)]).await;
    let member = app.login(who::MEMBER_A).await;
    let id = submit(&app, &member, &complete_draft(&w, "Số hóa hồ sơ hải quan")).await["_id"]
        .as_i64()
        .unwrap();
    let t = app.login("sua.lai@test.vn").await;
    let res = app
        .post(
            &format!("/api/v1/initiatives/{id}/review/decision"),
            &t,
            &json!({"decision": "return", "note": "Bổ sung số giờ công tiết kiệm đo được thực tế."}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    b.sign_in(&app, who::MEMBER_A).await;
    let mine = b.wait_text("#my-initiatives", "Trả lại để chỉnh sửa").await;
    assert!(mine.contains("Cần chỉnh sửa theo góp ý"), "{mine}");
    b.find("#my-initiatives .item-title")
        .await
        .click()
        .await
        .unwrap();
    b.wait_url("/sua").await;
    b.wait_text("#main", "Bổ sung số giờ công tiết kiệm đo được thực tế.")
        .await;
    b.shot("returned-form").await;
    b.type_into(
        "#benefits",
        "Tiết kiệm 312 giờ công mỗi năm theo sổ theo dõi của phòng, giảm hư hỏng hồ sơ giấy.",
    )
    .await;
    b.find("#submit-initiative").await.click().await.unwrap();
    b.wait_url("/bien-nhan").await;
    b.close().await;

    // The reviewer sees the second round and what changed.
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    b.sign_in(&app, "sua.lai@test.vn").await;
    b.open(&app, &format!("/xet-duyet/{id}")).await;
    b.wait_text(".eyebrow", "LẦN NỘP THỨ 2").await;
    b.find("#changes-link").await.click().await.unwrap();
    let benefits = b.wait_text("#diff-benefits", "312").await;
    assert!(benefits.contains("Hiệu quả"), "{benefits}");
    let inserted = b.find("#diff-benefits ins").await.text().await.unwrap();
    assert!(inserted.contains("312"), "{inserted}");
    b.shot("review-changes").await;
    b.close().await;
    assert_eq!(status_of(&app, id).await, "under_review");
    app.review_counters_agree().await;
}

/// The share of the queue's progress bar drawn filled, as a reader sees it: a `<progress>`'s
/// position, or the filled part's width over the bar's; and how many elements carry an inline
/// style.
async fn drawn_share(b: &Browser) -> (f64, i64) {
    let v = b
        .c
        .execute(
            "const bar = document.querySelector('.progress-box .progress');
             const styled = document.querySelectorAll('body [style]').length;
             if (bar.tagName === 'PROGRESS') return [bar.position, styled];
             const fill = bar.firstElementChild;
             return [fill.getBoundingClientRect().width / bar.getBoundingClientRect().width, styled];",
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_f64().unwrap(), v[1].as_i64().unwrap())
}
