//! `Idempotency-Key` on creating and submitting an initiative: a client that retries after a
//! lost answer gets the first answer again, and the change happens once — also when the
//! retries arrive at the same time.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, complete_draft, create_draft, expect_error, json, who};

/// POSTs `body` to `path` with an `Idempotency-Key`; the status, the replay mark and the body.
async fn post_keyed(
    app: &TestApp,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, bool, Value) {
    let res = app
        .request(Method::POST, path, Some(token))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let replayed = res
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true");
    (status, replayed, json(res).await)
}

/// The member's initiatives with `title`.
async fn count_titled(app: &TestApp, token: &str, title: &str) -> usize {
    let list = json(app.get("/api/v1/initiatives?per_page=100", token).await).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["title"] == title)
        .count()
}

/// Makes every remembered answer older than a day.
async fn age_every_key(app: &TestApp) {
    app.db
        .write(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("UPDATE idempotency_keys SET created_at = '2000-01-01 00:00:00'")
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn a_retried_create_makes_one_draft(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let other = app.login(who::MEMBER_B).await;
    let body = complete_draft(&w, "Số hoá hồ sơ lưu trữ bằng máy quét");
    let key = "5b0e7c1a-8f3d-4d8e-9a51-2f6c0b7e4d13";

    let (status, replayed, first) =
        post_keyed(&app, "/api/v1/initiatives", &member, key, &body).await;
    assert_eq!(status, 201, "{first}");
    assert!(!replayed);
    let id = first["id"].as_i64().unwrap();

    // The answer was lost; the client sends the same request again.
    let (status, replayed, again) =
        post_keyed(&app, "/api/v1/initiatives", &member, key, &body).await;
    assert_eq!(status, 201);
    assert!(replayed, "a retry is marked as replayed");
    assert_eq!(
        again, first,
        "the retry gets the first answer, word for word"
    );
    assert_eq!(
        count_titled(&app, &member, "Số hoá hồ sơ lưu trữ bằng máy quét").await,
        1
    );

    // The same key with another body is a client's mistake, not a retry.
    let mut changed = body.clone();
    changed["title"] = json!("Một sáng kiến khác hẳn");
    let res = app
        .request(Method::POST, "/api/v1/initiatives", Some(&member))
        .header("Idempotency-Key", key)
        .json(&changed)
        .send()
        .await
        .unwrap();
    let err = expect_error(res, 422, "idempotency_key_reused").await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    assert_eq!(
        count_titled(&app, &member, "Một sáng kiến khác hẳn").await,
        0
    );

    // Keys belong to their user: another member's identical key is another request.
    let mut theirs = body.clone();
    theirs["title"] = json!("Sáng kiến của đoàn viên khác");
    let (status, replayed, other_draft) =
        post_keyed(&app, "/api/v1/initiatives", &other, key, &theirs).await;
    assert_eq!(status, 201, "{other_draft}");
    assert!(!replayed);
    assert_ne!(other_draft["id"].as_i64().unwrap(), id);

    // Malformed keys are refused before anything is done.
    for bad in ["", "có dấu", &"k".repeat(256)] {
        let res = app
            .request(Method::POST, "/api/v1/initiatives", Some(&member))
            .header("Idempotency-Key", bad.as_bytes())
            .json(&body)
            .send()
            .await
            .unwrap();
        let err = expect_error(res, 400, "validation_failed").await;
        assert!(
            err["error"]["details"]["fields"]["Idempotency-Key"].is_string(),
            "{err}"
        );
    }
    assert_eq!(
        count_titled(&app, &member, "Số hoá hồ sơ lưu trữ bằng máy quét").await,
        1
    );

    // An answer is kept for a day: after that the key is free again (and pruned).
    age_every_key(&app).await;
    let (status, replayed, later) =
        post_keyed(&app, "/api/v1/initiatives", &member, key, &body).await;
    assert_eq!(status, 201);
    assert!(!replayed, "an expired key is not replayed");
    assert_ne!(later["id"], first["id"]);
    age_every_key(&app).await;
    let pruned = sangkien::service::idempotency::prune(&app.db)
        .await
        .unwrap();
    assert_eq!(pruned, 2, "both members' answers were old");
}

async fn a_retried_submission_is_answered_as_the_first(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let id = create_draft(
        &app,
        &member,
        &complete_draft(&w, "Tự động hoá đối soát chứng từ"),
    )
    .await;
    let path = format!("/api/v1/initiatives/{id}/submit");
    let key = "submit-7f1c2d";

    let (status, replayed, first) = post_keyed(&app, &path, &member, key, &json!({})).await;
    assert_eq!(status, 200, "{first}");
    assert!(!replayed);
    assert_eq!(first["status"], "submitted");
    let receipt = first["receipt_no"].as_str().unwrap().to_owned();

    let (status, replayed, again) = post_keyed(&app, &path, &member, key, &json!({})).await;
    assert_eq!(status, 200, "{again}");
    assert!(replayed);
    assert_eq!(again["receipt_no"], receipt.as_str());
    assert_eq!(again, first);

    // Without the key (or with a new one) a second submission is what it is: refused.
    expect_error(
        app.post(&path, &member, &json!({})).await,
        409,
        "invalid_state",
    )
    .await;
    let res = app
        .request(Method::POST, &path, Some(&member))
        .header("Idempotency-Key", "another-key")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_error(res, 409, "invalid_state").await;

    // Submitted once: one history entry, one count on the union's dashboard.
    let history = json(
        app.get(&format!("/api/v1/initiatives/{id}/history"), &member)
            .await,
    )
    .await;
    let submitted = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "submitted")
        .count();
    assert_eq!(submitted, 1, "{history}");
    app.counts_agree().await;
}

async fn simultaneous_retries_make_one_draft(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let member = app.login(who::MEMBER_A).await;
    let body = complete_draft(&w, "Gửi trùng cùng lúc");
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, member, body) = (app.clone(), member.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            post_keyed(&app, "/api/v1/initiatives", &member, "same-key-8", &body).await
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut fresh = 0;
    for t in tasks {
        let (status, replayed, answer) = t.await.unwrap();
        assert_eq!(status, 201, "{answer}");
        fresh += usize::from(!replayed);
        ids.insert(answer["id"].as_i64().unwrap());
    }
    assert_eq!(ids.len(), 1, "every answer names the same draft");
    assert_eq!(
        fresh, 1,
        "one request made it; the others were answered with it"
    );
    assert_eq!(count_titled(&app, &member, "Gửi trùng cùng lúc").await, 1);
}

crate::on_both_backends!(
    a_retried_create_makes_one_draft,
    a_retried_submission_is_answered_as_the_first,
    simultaneous_retries_make_one_draft,
);
