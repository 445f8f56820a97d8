//! Duplicate detection through the service: the live check, refusal of one's own copy,
//! candidates recorded for reviewers, the gallery search, and an index that survives restarts.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::helpers::{Backend, TestApp, approve, complete_draft, expect_error, json, submit, who};

const TITLE: &str = "Số hoá hồ sơ lưu trữ tại Cục Hải quan Cao Bằng";

pub(crate) fn body_of(v: &Value) -> Value {
    json!({
        "title": v["title"],
        "current_situation": v["current_situation"],
        "solution": v["solution"],
        "scope": v["scope"],
        "benefits": v["benefits"],
    })
}

/// Polls the live check until `id` shows up (the index trails the database briefly).
pub(crate) async fn wait_for_match(app: &TestApp, token: &str, query: &Value, id: i64) -> Value {
    let started = Instant::now();
    loop {
        let res = app.post("/api/v1/initiatives/similar", token, query).await;
        assert_eq!(res.status(), 200);
        let body = json(res).await;
        if body["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["initiative_id"] == id)
        {
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "indexed only after {:?}",
                started.elapsed()
            );
            return body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "initiative {id} never became visible: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn copies_are_caught(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member_a = app.login(who::MEMBER_A).await;
    let original = submit(&app, &member_a, &complete_draft(&w, TITLE)).await;
    assert_eq!(original["_status"], 200, "{original}");
    let original_id = original["id"].as_i64().unwrap();

    // The live panel finds it within a moment, even typed without diacritics.
    let mut unaccented = body_of(&original);
    for key in [
        "title",
        "current_situation",
        "solution",
        "scope",
        "benefits",
    ] {
        let folded: String = unaccented[key]
            .as_str()
            .unwrap()
            .nfd()
            .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
            .collect::<String>()
            .replace('đ', "d")
            .replace('Đ', "D");
        unaccented[key] = json!(folded);
    }
    let found = wait_for_match(&app, &member_a, &unaccented, original_id).await;
    let top = &found["matches"][0];
    assert_eq!(top["initiative_id"], original_id);
    assert_eq!(top["verdict"], "duplicate");
    assert_eq!(top["union"]["name"], "CĐCS Cục Hải quan Cao Bằng");
    assert!(!top["passages"].as_array().unwrap().is_empty());
    // Pasted from an old TCVN3 document: repaired and reported.
    let mut legacy = body_of(&original);
    legacy["solution"] = json!(search_index::legacy::encode_tcvn3(
        original["solution"].as_str().unwrap()
    ));
    legacy["current_situation"] = json!(search_index::legacy::encode_tcvn3(
        original["current_situation"].as_str().unwrap()
    ));
    legacy["title"] = json!("");
    legacy["scope"] = json!("");
    legacy["benefits"] = json!("");
    let found = json(
        app.post("/api/v1/initiatives/similar", &member_a, &legacy)
            .await,
    )
    .await;
    assert_eq!(found["detected_encoding"], "tcvn3", "{found}");
    assert_eq!(found["matches"][0]["initiative_id"], original_id);
    // A different solution on the same topic is not a duplicate.
    let other_solution = json!({
        "title": "Dán mã QR lên hộp hồ sơ lưu trữ",
        "solution": "In nhãn mã QR cho từng hộp hồ sơ, quét bằng điện thoại để biết vị trí kệ và danh mục tài liệu trong hộp; không số hoá nội dung.",
    });
    let found = json(
        app.post("/api/v1/initiatives/similar", &member_a, &other_solution)
            .await,
    )
    .await;
    for m in found["matches"].as_array().unwrap() {
        assert!(
            !["duplicate", "near_duplicate", "partial_copy"]
                .contains(&m["verdict"].as_str().unwrap()),
            "{found}"
        );
    }
    expect_error(
        app.post("/api/v1/initiatives/similar", &member_a, &json!({}))
            .await,
        400,
        "validation_failed",
    )
    .await;

    // The same author filing it again: refused, pointing at the original.
    let again = submit(&app, &member_a, &complete_draft(&w, TITLE)).await;
    assert_eq!(again["_status"], 409, "{again}");
    assert_eq!(again["error"]["code"], "duplicate_submission");
    assert_eq!(again["error"]["details"]["initiative_id"], original_id);

    // A colleague elsewhere copies it in NFD: accepted, and recorded for reviewers.
    let member_b = app.login(who::MEMBER_B).await;
    let mut copy = complete_draft(&w, &TITLE.nfd().collect::<String>());
    copy["solution"] = json!(
        original["solution"]
            .as_str()
            .unwrap()
            .nfd()
            .collect::<String>()
    );
    let copied = submit(&app, &member_b, &copy).await;
    assert_eq!(copied["_status"], 200, "{copied}");
    let copy_id = copied["id"].as_i64().unwrap();
    let admin = app.login(who::ADMIN).await;
    let candidates = json(
        app.get(&format!("/api/v1/initiatives/{copy_id}/duplicates"), &admin)
            .await,
    )
    .await;
    assert_eq!(candidates[0]["initiative_id"], original_id, "{candidates}");
    assert_eq!(candidates[0]["verdict"], "duplicate");
    // The copier may not see what it was compared with; another province's officer neither.
    expect_error(
        app.get(
            &format!("/api/v1/initiatives/{copy_id}/duplicates"),
            &member_b,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let officer_a = app.login(who::OFFICER_A).await;
    expect_error(
        app.get(
            &format!("/api/v1/initiatives/{copy_id}/duplicates"),
            &officer_a,
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

async fn gallery_search_and_restart(backend: Backend) {
    let Some(mut app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let public = submit(
        &app,
        &member,
        &complete_draft(&w, "Sáng kiến cải tiến quy trình kiểm hoá"),
    )
    .await;
    let mut secret_body = complete_draft(&w, "Cải tiến khuôn ép nhựa bí mật công nghệ");
    secret_body["confidential"] = json!(true);
    secret_body["current_situation"] =
        json!("Khuôn ép vỏ hộp nhựa thường bị bọt khí, tỷ lệ phế phẩm tới 12% mỗi ca sản xuất.");
    secret_body["solution"] = json!(
        "Thay đổi góc thoát khí của khuôn ép để giảm phế phẩm; chi tiết thông số thuộc bí mật công nghệ."
    );
    secret_body["scope"] = json!("Phân xưởng ép nhựa số 2 của công ty.");
    secret_body["benefits"] =
        json!("Giảm phế phẩm từ 12% xuống 3%, làm lợi khoảng 400 triệu đồng mỗi năm.");
    let secret = submit(&app, &member, &secret_body).await;
    assert_eq!(public["_status"], 200, "{public}");
    assert_eq!(secret["_status"], 200, "{secret}");
    let draft = json(
        app.post(
            "/api/v1/initiatives",
            &member,
            &complete_draft(&w, "Bản nháp cải tiến chưa nộp"),
        )
        .await,
    )
    .await;
    // Approve two of them as a committee would (the review workflow is another part).
    for id in [
        public["id"].as_i64().unwrap(),
        secret["id"].as_i64().unwrap(),
    ] {
        approve(&app, id).await;
    }
    let started = Instant::now();
    let hits = loop {
        let hits = search(&app, "cai%20tien").await;
        if hits["total"].as_i64().unwrap() >= 2 || started.elapsed() > Duration::from_secs(5) {
            break hits;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let items = hits["items"].as_array().unwrap();
    assert_eq!(hits["total"], 2, "{hits}");
    let top = items
        .iter()
        .find(|h| h["initiative_id"] == public["id"])
        .unwrap();
    assert!(
        top["title_html"].as_str().unwrap().contains("<mark>"),
        "{top}"
    );
    let hidden = items
        .iter()
        .find(|h| h["initiative_id"] == secret["id"])
        .unwrap();
    assert_eq!(
        hidden["snippet_html"], "",
        "confidential content never leaks"
    );
    assert!(items.iter().all(|h| h["initiative_id"] != draft["id"]));
    expect_error(
        app.request(reqwest::Method::GET, "/api/v1/search?q=", None)
            .send()
            .await
            .unwrap(),
        400,
        "validation_failed",
    )
    .await;

    // After a restart the index is still there and still caught up.
    app.restart().await;
    let hits = search(&app, "kiem%20hoa").await;
    assert_eq!(hits["items"][0]["initiative_id"], public["id"], "{hits}");
}

async fn search(app: &TestApp, q: &str) -> Value {
    let res = app
        .request(reqwest::Method::GET, &format!("/api/v1/search?q={q}"), None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    json(res).await
}

crate::on_both_backends!(copies_are_caught, gallery_search_and_restart);
