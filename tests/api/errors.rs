//! Bad input gets a catalogued 4xx, never a 500: malformed JSON, wrong types, invalid fields,
//! unknown ids and routes; health and the OpenAPI document.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, TestApp, complete_draft, expect_error, json, who};

async fn malformed_and_invalid_input_is_400(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let w = app.world().await;
    let token = app.login(who::MEMBER_A).await;
    let raw = |body: &'static str| {
        app.request(Method::POST, "/api/v1/initiatives", Some(&token))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    expect_error(
        raw("{\"program_id\": 1,").await.unwrap(),
        400,
        "invalid_json",
    )
    .await;
    expect_error(raw("[]").await.unwrap(), 400, "invalid_json").await;
    expect_error(
        raw("{\"program_id\": \"một\"}").await.unwrap(),
        400,
        "invalid_json",
    )
    .await;
    let res = app
        .request(Method::POST, "/api/v1/initiatives", Some(&token))
        .header("content-type", "text/plain")
        .body("title=x")
        .send()
        .await
        .unwrap();
    expect_error(res, 400, "invalid_json").await;

    // Invalid fields: every problem at once, keyed by field, in Vietnamese.
    let mut body = complete_draft(&w, "Ab");
    body["estimated_benefit_vnd"] = json!(-5);
    body["first_applied_on"] = json!("2999-01-01");
    let err = expect_error(
        app.post("/api/v1/initiatives", &token, &body).await,
        400,
        "validation_failed",
    )
    .await;
    let fields = &err["error"]["details"]["fields"];
    assert!(fields["title"].as_str().unwrap().contains("ký tự"), "{err}");
    assert!(fields["estimated_benefit_vnd"].is_string(), "{err}");
    assert!(fields["first_applied_on"].is_string(), "{err}");

    // Queries with values of the wrong type.
    expect_error(
        app.get("/api/v1/initiatives?page=abc", &token).await,
        400,
        "invalid_query",
    )
    .await;
    expect_error(
        app.get("/api/v1/initiatives?status=approvedd", &token)
            .await,
        400,
        "invalid_query",
    )
    .await;
    expect_error(
        app.get("/api/v1/initiatives?per_page=100000", &token).await,
        400,
        "validation_failed",
    )
    .await;

    // A huge body is refused, not buffered.
    let huge = format!("{{\"title\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let res = app
        .request(Method::POST, "/api/v1/initiatives", Some(&token))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    expect_error(res, 413, "payload_too_large").await;
}

async fn unknown_things_are_404(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.world().await;
    let token = app.login(who::ADMIN).await;
    expect_error(
        app.get("/api/v1/initiatives/999999", &token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/v1/initiatives/abc", &token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/v1/unions/999999", &token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/v1/programs/-1", &token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/v1/no-such-thing", &token).await,
        404,
        "not_found",
    )
    .await;
    expect_error(
        app.get("/api/v1/users/99999999999999999999", &token).await,
        404,
        "not_found",
    )
    .await;
}

async fn health_and_openapi(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app
        .request(Method::GET, "/healthz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .request(Method::GET, "/readyz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["status"], "ok");
    let res = app
        .request(Method::GET, "/api/v1/openapi.json", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc = json(res).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/unions/{id}/subtree",
        "/api/v1/programs/{id}/open",
        "/api/v1/initiatives/{id}/submit",
        "/api/v1/initiatives/{id}/attachments",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

crate::on_both_backends!(
    malformed_and_invalid_input_is_400,
    unknown_things_are_404,
    health_and_openapi
);
